// pattern: Functional Core
// The seams between the packet walk and the subsystems it drives: routing
// (net/), iptables (iptables/), conntrack and NAT (conntrack/), and the TRACE
// text (output/). Keeping the calls here lets host.ts read like the kernel's
// IPv4 paths instead of like glue.

import type { Ipv4 } from '../net/addr';
import { IPPROTO_TCP, TCP_SYN, type Packet } from '../net/packet';
import * as cfg from '../net/config';
import * as fib from '../net/fib';
import * as sysctl from '../net/sysctl';
import { ConntrackTable } from '../conntrack/table';
import type { CtRef as CtRefT, NatManip, NatRange as CtNatRange, NatRewrite } from '../conntrack/types';
import type { NatResult } from '../conntrack/table';
import { entryView } from '../conntrack/view';
import { conncount, ConncountData } from '../conntrack/conncount';
import { conntrackHelper } from '../conntrack/helpers';
import { packetTuple } from '../conntrack/tuple';
import { formatRoute, formatRoutes, formatRules } from '../net/ip-command';
import { formatIpv4 } from '../net/addr';
import type { AddrType, CtView, Rule, TargetInstance } from '../iptables/types';
import { TABLES, type HookName, type TableName } from '../netfilter/hooks';
import type { TableLike } from '../netfilter/walk';
import { formatLogLine, formatTraceLine, LOOPBACK_MAC_HEADER, type MacHeader } from '../output/trace-line';
import { createTraceNormalizer, normalizeLineText, type SeqSpace } from '../output/normalize';
import type { Diagnostic } from '../text/diagnostics';
import type { SetupCommand } from '../scenario/types';
import type { ConnmarkOptions, CtOptions, DnatOptions, LogOptions, MasqueradeOptions, MarkOptions, NetmapOptions, RejectOptions, TtlOptions } from '../iptables/targets';
import * as ipt from './iptables-adapter';
import { applyIpvsadm, formatConnections, formatList, parseIpvsadm } from '../ipvs/ipvsadm';
import { describeScheduler } from '../ipvs/schedulers';
import type { IpvsState } from '../ipvs/types';
import type { Host } from './host';
import type { PacketRecord, RecordedEvent, WalkNote } from './record';
import type { TargetEnv } from './targets';
import type { World } from './world';

export type HostNet = cfg.HostNet;
export type Conntrack = ConntrackTable;
export type CtRef = CtRefT;
export type Ruleset = ipt.Ruleset;

// ------------------------------------------------------------------ creation

export function createHostNet(links: { name: string; mac: string }[], rtTables: Record<string, number>): HostNet {
  const net = cfg.createHostNet(links);
  cfg.addRtTables(net, rtTables);
  return net;
}

export function createConntrack(): Conntrack {
  return new ConntrackTable();
}

/** conntrack reads net.netfilter.nf_conntrack_* of its namespace (case p05: tcp_loose=0). */
export function syncConntrackSysctl(host: Host): void {
  const n = (k: string) => sysctl.sysctlNumber(host.net, `net.netfilter.${k}`);
  const s = host.ct.sysctl;
  s.tcpLoose = n('nf_conntrack_tcp_loose');
  s.tcpBeLiberal = n('nf_conntrack_tcp_be_liberal');
  s.tcpIgnoreInvalidRst = n('nf_conntrack_tcp_ignore_invalid_rst');
  s.tcpMaxRetrans = n('nf_conntrack_tcp_max_retrans');
  s.acct = n('nf_conntrack_acct');
}

export const createRuleset = ipt.createRuleset;
export const rulesetNeedsConntrack = ipt.needsConntrack;
export const ruleText = ipt.ruleText;
export const rulesetJson = (h: Host) => ipt.rulesetJson(h.rules, h.counters);

export function tableOf(rs: Ruleset, table: TableName): TableLike {
  return ipt.tableOf(rs, table);
}

/**
 * connbytes_mt_check switches conntrack accounting on for the namespace
 * (nf_ct_set_acct): net.netfilter.nf_conntrack_acct reads 1 from then on,
 * even after the rule is gone, and connections begun since count packets.
 */
function connbytesForcesAcct(host: Host): void {
  const key = 'net.netfilter.nf_conntrack_acct';
  if (host.net.sysctl[key] === '1' || !ipt.usesMatch(host.rules, 'connbytes')) return;
  host.net.sysctl[key] = '1';
  syncConntrackSysctl(host);
}

/** Run one setup command of a case in a host. */
export function applySetupCommand(host: Host, cmd: SetupCommand, _rtTables: Record<string, number>): Diagnostic[] {
  if (typeof cmd !== 'string') {
    const d = ipt.applyRestore(host.rules, cmd['iptables-restore'], cmd.noflush === true);
    connbytesForcesAcct(host);
    return d;
  }
  const trimmed = cmd.trimStart();
  if (trimmed.startsWith('ipvsadm')) return applyIpvsadmCommand(host, cmd);
  if (trimmed.startsWith('iptables')) {
    const d = ipt.applyCommand(host.rules, cmd);
    connbytesForcesAcct(host);
    return d;
  }
  // rt_cache_flush: routing, address, link and sysctl changes invalidate the cached routes
  if (trimmed.startsWith('ip ') || trimmed === 'ip') {
    fib.flushRouteCache(host.net);
    return ipt.applyIp(host.net, cmd);
  }
  if (trimmed.startsWith('sysctl')) {
    fib.flushRouteCache(host.net);
    const vs = /^sysctl\s+(?:-q\s+)?-w\s+net[./]ipv4[./]vs[./]([a-z_]+)=(\d+)\s*$/.exec(trimmed);
    if (vs) {
      const key = vs[1] as keyof typeof host.ipvs.sysctl;
      if (!(key in host.ipvs.sysctl)) return [{ from: 0, to: cmd.length, severity: 'error', message: `sysctl: cannot stat /proc/sys/net/ipv4/vs/${vs[1]}: No such file or directory`, source: 'sysctl', code: 'sysctl/unknown-key' }];
      host.ipvs.sysctl[key] = Number(vs[2]);
      return [];
    }
    const p = sysctl.parseSysctl(cmd);
    if (!p.value) return p.diagnostics;
    const d = [...p.diagnostics, ...sysctl.applySysctl(host.net, p.value)];
    syncConntrackSysctl(host);
    return d;
  }
  return [{ from: 0, to: cmd.length, severity: 'error', message: `unknown command: ${cmd.split(' ')[0]}`, source: 'case', code: 'case/unknown-program', expected: 'ip, iptables, sysctl' }];
}

// ------------------------------------------------------------------ routing

/** `broadcast`: RTCF_BROADCAST, a socket needs SO_BROADCAST to send there; `mtu`: the route's MTU (its `mtu` metric, else the device's); `mtuLocked`: `mtu lock` */
export type OutRoute = { ok: true; dev: string; gateway: Ipv4 | null; src: Ipv4; broadcast: boolean; mtu: number; mtuLocked: boolean; classid: number } | { ok: false; errno: string };

export function outputRoute(net: HostNet, p: Packet, oif: string | null, knownNh = false): OutRoute {
  const r = fib.outputRoute(net, {
    knownNh,
    src: p.src,
    dst: p.dst,
    oif,
    mark: p.mark,
    tos: p.tos,
    proto: p.proto,
    sport: p.sport ?? 0,
    dport: p.dport ?? 0,
    anySrc: true,
  });
  if (!r.ok) return { ok: false, errno: r.errno };
  return {
    ok: true,
    dev: r.dev,
    gateway: r.gateway || null,
    src: r.src,
    broadcast: r.type === 'broadcast',
    mtu: r.route?.mtu || linkMtu(net, r.dev),
    mtuLocked: r.route?.mtuLock ?? false,
    classid: r.classid,
  };
}

/** `classid`: the route's dst.tclassid (-m realm); absent for lo, whose packets keep their output route's */
export type InRoute =
  | { kind: 'local'; classid?: number }
  | { kind: 'forward'; dev: string; gateway: Ipv4 | null; redirect: boolean; redirectGateway: Ipv4; table: number; mtu: number; classid: number }
  | { kind: 'error'; reason: string; icmp: { type: number; code: number } | null };

const REASONS: Record<string, string> = {
  forwarding_disabled: 'forwarding_disabled',
  reverse_path_filter: 'reverse_path_filter',
  blackhole_route: 'blackhole_route',
  blackhole_rule: 'blackhole_rule_or_invalid',
  no_route: 'no_route',
};

function inputPacket(p: Packet): fib.InputPacket {
  const ip: fib.InputPacket = { src: p.src, dst: p.dst, tos: p.tos, mark: p.mark, proto: p.proto, sport: p.sport ?? 0, dport: p.dport ?? 0 };
  if (p.icmp) ip.icmp = { type: p.icmp.type, ...(p.icmp.inner ? { inner: { src: p.icmp.inner.src, dst: p.icmp.inner.dst } } : {}) };
  return ip;
}

export function inputRoute(net: HostNet, p: Packet, iif: string): InRoute {
  if (iif === 'lo') return { kind: 'local' };
  const r = fib.inputRoute(net, inputPacket(p), iif);
  switch (r.kind) {
    case 'local':
      return { kind: 'local', classid: r.classid };
    case 'forward':
      // ip_dst_mtu_maybe_forward: forwarding honours the route's mtu metric, else the device MTU
      return { kind: 'forward', dev: r.dev, gateway: r.gateway || null, redirect: r.redirect, redirectGateway: r.redirectGateway, table: r.table, mtu: r.route.mtu || linkMtu(net, r.dev), classid: r.classid };
    case 'error': {
      const icmp = r.icmp;
      let reason: string;
      if (icmp) {
        const k = `${icmp.type}/${icmp.code}`;
        reason = k === '3/0' ? 'net_unreachable' : k === '3/1' ? 'host_unreachable' : k === '3/13' ? 'admin_prohibited' : `icmp_${icmp.type}_${icmp.code}`;
      } else reason = REASONS[r.reason] ?? 'unknown';
      return { kind: 'error', reason, icmp };
    }
  }
}

export function routeView(net: HostNet, p: Packet, iif: string): Record<string, unknown> {
  const q: fib.RouteGetQuery = { dst: p.dst, src: p.src, iif, mark: p.mark, tos: p.tos };
  if (p.proto === IPPROTO_TCP || p.proto === 17) {
    q.proto = p.proto;
    q.sport = p.sport ?? 0;
    q.dport = p.dport ?? 0;
  }
  return fib.routeGetView(net, q) as unknown as Record<string, unknown>;
}

export function addrType(net: HostNet, addr: Ipv4, iface: string | null): AddrType {
  return fib.addrType(net, addr, iface);
}

export function isBroadcastOrMulticast(net: HostNet, addr: Ipv4): boolean {
  const t = fib.addrType(net, addr, null);
  return t === 'BROADCAST' || t === 'MULTICAST';
}

/** ipvsadm in a host's setup or console: the command's own error text, positioned. */
function applyIpvsadmCommand(host: Host, cmd: string): Diagnostic[] {
  const p = parseIpvsadm(cmd);
  if (!p.value || p.diagnostics.some((d) => d.severity === 'error')) return p.diagnostics;
  const r = applyIpvsadm(host.ipvs, p.value, host.world.nowMs);
  if (r.status !== 0) return [{ from: 0, to: cmd.length, severity: 'error', message: r.stderr.trim() || `ipvsadm exited with status ${r.status}`, source: 'ipvsadm', code: 'ipvsadm/failed' }];
  return p.diagnostics;
}

/** MTU of a link (ip link set dev X mtu N), 1500 when unknown */
/** dev->group (`ip link set dev X group N`), 0 by default */
export function linkGroup(net: HostNet, dev: string): number {
  return cfg.findLink(net, dev)?.group ?? 0;
}

/** The first primary address of a device (in_dev->ifa_list), null when none. */
export function primaryAddress(net: HostNet, dev: string | null): Ipv4 | null {
  if (dev === null) return null;
  const a = net.addresses.find((x) => x.iface === dev && !x.secondary);
  return a ? a.addr : null;
}

export function linkExists(net: HostNet, dev: string): boolean {
  return cfg.findLink(net, dev) !== undefined;
}

/** nf_dup_ipv4_route: an output route to the TEE gateway (a flow of only the gateway, the packet's TOS and --oif). */
export function teeRoute(net: HostNet, p: Packet, gateway: Ipv4, oif: string | null): OutRoute {
  return outputRoute(net, { ...p, src: 0, dst: gateway, mark: 0, proto: 0, sport: 0, dport: 0 }, oif, true);
}

/** The lookup ipt_rpfilter makes (fib.reversePathLookup). */
export function reverseRoute(net: HostNet, flow: { dst: Ipv4; src: Ipv4; mark: number; tos: number }): { type: string; devs: string[] } | null {
  return fib.reversePathLookup(net, flow);
}

export function linkMtu(net: HostNet, dev: string): number {
  return cfg.findLink(net, dev)?.mtu ?? 1500;
}

/** gso_max_segs of a device (65535 unless set) */
export function linkGsoMaxSegs(net: HostNet, dev: string): number {
  return cfg.findLink(net, dev)?.gsoMaxSegs ?? 65535;
}

/** gso_max_segs of the device the route to `dst` leaves by */
export function routeGsoMaxSegs(net: HostNet, dst: Ipv4): number {
  const r = fib.outputRoute(net, { src: 0, dst, oif: null, mark: 0, tos: 0, proto: 0, sport: 0, dport: 0 });
  return r.ok ? linkGsoMaxSegs(net, r.dev) : 65535;
}

/** MTU of the route a packet to `dst` would take from this host: its `mtu` metric, else the device MTU */
export function routeMtu(net: HostNet, dst: Ipv4): number {
  const r = fib.outputRoute(net, { src: 0, dst, oif: null, mark: 0, tos: 0, proto: 0, sport: 0, dport: 0 });
  return r.ok ? r.route?.mtu || linkMtu(net, r.dev) : 1500;
}

/** The route to `dst` says `mtu lock`: no DF on sockets' packets, nothing learned from ICMP 3/4. */
export function routeMtuLocked(net: HostNet, dst: Ipv4): boolean {
  const r = fib.outputRoute(net, { src: 0, dst, oif: null, mark: 0, tos: 0, proto: 0, sport: 0, dport: 0 });
  return r.ok && (r.route?.mtuLock ?? false);
}

/** net.bridge.bridge-nf-call-iptables: 1 in a new namespace once br_netfilter is loaded */
export function bridgeCallsIptables(net: HostNet): boolean {
  return (net.sysctl['net.bridge.bridge-nf-call-iptables'] ?? '1') !== '0';
}

/**
 * __icmp_send's source: the offending packet's destination when it was for
 * this host (RTCF_LOCAL); with net.ipv4.icmp_errors_use_inbound_ifaddr=1 and
 * an input route, an address of the device it came in on (inet_select_addr
 * towards its source, scope link); else what routing back to its source picks.
 */
export function icmpErrorSource(net: HostNet, orig: Packet, inIf: string | null): Ipv4 {
  if (fib.isLocalAddress(net, orig.dst)) return orig.dst;
  if (inIf !== null && inIf !== 'lo' && sysctl.sysctlNumber(net, 'net.ipv4.icmp_errors_use_inbound_ifaddr') !== 0) {
    const a = fib.selectSourceAddress(net, inIf, orig.src, 'link');
    if (a !== 0) return a;
  }
  const r = fib.outputRoute(net, { src: 0, dst: orig.src, oif: null, mark: 0, tos: 0, proto: 1, sport: 0, dport: 0 });
  return r.ok ? r.src : 0;
}

// ------------------------------------------------------------------ conntrack

export function ctIn(ct: Conntrack, p: Packet, hook: HookName, nowMs: number, untracked = false, helper?: string): CtRef {
  return ct.in(p, { hook: hook === 'OUTPUT' ? 'OUTPUT' : 'PREROUTING', nowMs, untracked, ...(helper ? { helper } : {}) });
}
export function ctView(ct: Conntrack, ref: CtRef): CtView | null {
  return ct.view(ref);
}
export function untrackedView(): CtView {
  return { state: 'UNTRACKED', reply: false, status: { expected: false, seenReply: false, assured: false, confirmed: false }, mark: 0, snat: false, dnat: false };
}
export function ctNeedsNat(ct: Conntrack, ref: CtRef, manip: NatManip, proto: number): boolean {
  return ct.needsNatLookup(ref, manip, proto);
}
export function ctNullBinding(ct: Conntrack, ref: CtRef, manip: NatManip): void {
  ct.setupNullBinding(ref, manip);
}
export function ctApplyNat(ct: Conntrack, ref: CtRef, p: Packet, hook: HookName): NatResult {
  return ct.applyNat(p, ref, hook);
}

/** NAT rewrites as a field → [before, after] map, addresses dotted. */
export function rewriteFields(rw: readonly NatRewrite[]): Record<string, [number | string, number | string]> {
  const out: Record<string, [number | string, number | string]> = {};
  for (const r of rw) {
    const addr = r.field === 'src' || r.field === 'dst' || r.field.endsWith('.src') || r.field.endsWith('.dst');
    out[r.field] = addr ? [formatIpv4(r.before), formatIpv4(r.after)] : [r.before, r.after];
  }
  return out;
}

/** conntrack's view of one packet, for the walk's conntrack step. */
export function ctNote(ref: CtRef): { state: string; reply: boolean; entry: string | null; reason: string | null } {
  const e = ref.entry;
  let entry: string | null = null;
  if (e) {
    const v = entryView(e);
    const t = v.orig as Record<string, unknown>;
    entry = `${v.proto} ${t.src}${t.sport !== undefined ? `:${t.sport}` : ''} → ${t.dst}${t.dport !== undefined ? `:${t.dport}` : ''}${v.state ? ` ${v.state}` : ''}`;
  }
  return { state: ref.ctinfo, reply: ref.dir === 1, entry, reason: ref.reason ?? null };
}

function routeDetail(net: HostNet, key: fib.FlowKey): { rulePriority: number | null; table: string | null; route: string | null } {
  const r = fib.fibLookup(net, key);
  const table = r.table ?? (r.ok ? r.table : undefined);
  return {
    rulePriority: r.rulePriority ?? null,
    table: table !== undefined ? cfg.tableName(net, table) : null,
    route: r.route ? formatRoute(net, r.route, true) : null,
  };
}

export function outputRouteNote(net: HostNet, p: Packet, r: OutRoute, stage: 'output' | 'reroute', at: number): WalkNote {
  const key: fib.FlowKey = { dst: p.dst, src: p.src, iif: 'lo', oif: null, mark: p.mark, tos: p.tos, proto: p.proto, sport: p.sport ?? 0, dport: p.dport ?? 0 };
  return {
    kind: 'route',
    at,
    stage,
    decision: 'output',
    dev: r.ok ? r.dev : null,
    gateway: r.ok && r.gateway ? formatIpv4(r.gateway) : null,
    src: r.ok ? formatIpv4(r.src) : null,
    ...routeDetail(net, key),
    reason: r.ok ? null : r.errno,
  };
}

export function inputRouteNote(net: HostNet, p: Packet, iif: string, d: InRoute, at: number): WalkNote {
  const key: fib.FlowKey = { dst: p.dst, src: p.src, iif, oif: null, mark: p.mark, tos: p.tos, proto: p.proto, sport: p.sport ?? 0, dport: p.dport ?? 0 };
  const detail = iif === 'lo' ? { rulePriority: null, table: null, route: null } : routeDetail(net, key);
  return {
    kind: 'route',
    at,
    stage: 'input',
    decision: d.kind,
    dev: d.kind === 'forward' ? d.dev : d.kind === 'local' ? 'lo' : null,
    gateway: d.kind === 'forward' && d.gateway ? formatIpv4(d.gateway) : null,
    src: null,
    ...detail,
    reason: d.kind === 'error' ? d.reason : null,
  };
}
/**
 * nf_confirm: the connection's helper, the sequence shift, then
 * confirmation; false: dropped. What a NAT helper rewrote (nf_nat_ftp's
 * address in the payload, seqadj's sequence numbers) is noted on the
 * record as a NAT step after the last event.
 */
export function ctConfirm(ct: Conntrack, ref: CtRef, p: Packet, nowMs: number, loopback: boolean, rec: PacketRecord, hook: HookName): boolean {
  const before = { len: p.len, data_len: p.payload.length, seq: p.tcp?.seq, ack: p.tcp?.ack };
  const ok = ct.confirmPacket(p, ref, nowMs, loopback, rec.origin === 'local');
  const after = { len: p.len, data_len: p.payload.length, seq: p.tcp?.seq, ack: p.tcp?.ack };
  const fields: Record<string, [number, number]> = {};
  for (const k of ['len', 'data_len', 'seq', 'ack'] as const) {
    const a = before[k];
    const b = after[k];
    if (a !== undefined && b !== undefined && a !== b) fields[k] = [a, b];
  }
  if (Object.keys(fields).length) rec.notes.push({ kind: 'nat', at: rec.events.length, hook, fields });
  return ok;
}
/** Why nf_confirm dropped the packet it was just given. */
export function ctConfirmDropNote(ct: Conntrack): string {
  return `dropped by conntrack at confirmation: ${ct.lastConfirmDrop ?? 'its tuple clashes with an existing connection'}`;
}
export function ctDiscard(ct: Conntrack, ref: CtRef): void {
  ct.discard(ref);
}
export function ctList(ct: Conntrack, nowMs?: number): unknown[] {
  return ct.list(nowMs);
}
export function ctSetClosing(ct: Conntrack, ref: CtRef, nowMs: number): void {
  ct.setClosing(ref, nowMs);
}
/** -m connlimit's count for this packet (nf_conncount), with the rule's lists kept per rule. */
export function connCount(host: Host, rule: Rule, key: number, p: Packet, ref: CtRef | null): number {
  const data = host.ruleState(rule, 'connlimit', () => new ConncountData());
  const world = host.world;
  return conncount(data, key, host.ct, { ref, tuple: packetTuple(p) }, world.nowMs, {
    epoch: world.processWakeups,
    skipped: () => world.timingFinding(host.name, 'connlimit count across a process wakeup', `a -m connlimit rule met a packet whose connection had just closed in the same jiffy as its last count, with the work of a process (such as a listener's close()) in between: nf_conncount collects closed connections at most once per jiffy (4 ms), so whether the kernel still counts it — or counts 0 and drops the packet — depends on how long that process took; the engine keeps the count`),
  });
}

export function ctRelated(ct: Conntrack, ref: CtRef | null): CtRef | null {
  return ref ? ct.attachRelated(ref) : null;
}

// ------------------------------------------------------------------ targets

export function markOptions(o: unknown): { value: number; mask: number } {
  const m = o as MarkOptions;
  return { value: m.value >>> 0, mask: m.mask >>> 0 };
}

export function connmark(ct: Conntrack, ref: CtRef, p: Packet, o: unknown): void {
  const e = ref.entry;
  if (!e) return;
  const c = o as ConnmarkOptions;
  // xt_CONNMARK connmark_tg_shift (no shift)
  if (c.mode === 'set') e.mark = ((e.mark & ~c.ctmask) ^ c.ctmark) >>> 0;
  else if (c.mode === 'save') e.mark = ((e.mark & ~c.ctmask) ^ (p.mark & c.nfmask)) >>> 0;
  else p.mark = ((p.mark & ~c.nfmask) ^ (e.mark & c.ctmask)) >>> 0;
  void ct;
}

export function ttlOptions(o: unknown): { mode: 'set' | 'inc' | 'dec'; value: number } {
  const t = o as TtlOptions;
  return { mode: t.mode ?? 'set', value: t.value };
}

export function tosAfter(name: string, o: unknown, tos: number): number {
  if (name === 'DSCP') {
    const d = o as { dscp: number };
    return ((tos & 0x03) | (d.dscp << 2)) & 0xff;
  }
  const t = o as { value: number; mask: number };
  return ((tos & ~t.mask) ^ t.value) & 0xff;
}

export function ctNotrack(o: unknown): boolean {
  return (o as CtOptions).notrack === true;
}

export function ctHelperName(o: unknown): string | null {
  return (o as CtOptions).helper;
}

/** ftp and tftp are; the kernel's other helpers attach but do nothing here. */
export function helperModelled(name: string): boolean {
  return conntrackHelper(name) !== null;
}

export function rejectWith(o: unknown): string {
  return (o as RejectOptions).with ?? 'icmp-port-unreachable';
}

function toCtRange(r: { minIp: number; maxIp: number; minPort: number; maxPort: number; hasIps: boolean; hasPorts: boolean } | null | undefined, random = false, persistent = false): CtNatRange {
  const out: CtNatRange = {};
  if (r?.hasIps) {
    out.minAddr = r.minIp;
    out.maxAddr = r.maxIp;
  }
  if (r?.hasPorts) {
    out.minPort = r.minPort;
    out.maxPort = r.maxPort;
  }
  if (random) out.random = true;
  if (persistent) out.persistent = true;
  return out;
}

/**
 * Sets up the NAT binding a nat-table target asks for. False when the target
 * returns NF_DROP instead: MASQUERADE finding no source address on the
 * output device or anywhere in the namespace (nf_nat_masquerade_ipv4, "ate my
 * IP address", e.g. a bridged packet on an address-less bridge, d1-0743) and
 * REDIRECT in PREROUTING on a device without an address (nf_nat_redirect_ipv4).
 */
export function natTarget(host: Host, ref: CtRef, name: string, o: unknown, p: Packet, env: TargetEnv): boolean {
  switch (name) {
    case 'DNAT':
    case 'SNAT': {
      const d = o as DnatOptions;
      host.ct.setupNat(ref, name === 'DNAT' ? 'DST' : 'SRC', toCtRange(d.ranges[0], d.random, d.persistent));
      return true;
    }
    case 'MASQUERADE': {
      const m = o as MasqueradeOptions;
      const out = env.outIf ?? '';
      const gw = outputRoute(host.net, p, null);
      const src = fib.selectSourceAddress(host.net, out, gw.ok && gw.gateway ? gw.gateway : p.dst, 'global');
      if (src === 0) return false;
      const r = toCtRange(m.range, m.random);
      r.minAddr = src;
      r.maxAddr = src;
      host.ct.setupNat(ref, 'SRC', r);
      return true;
    }
    case 'REDIRECT': {
      const m = o as MasqueradeOptions;
      let dst = 0x7f000001;
      if (env.hook === 'PREROUTING' && env.inIf) {
        const a = host.net.addresses.find((x) => x.iface === env.inIf);
        dst = a ? a.addr : 0;
      }
      if (dst === 0) return false;
      const r = toCtRange(m.range, m.random);
      r.minAddr = dst;
      r.maxAddr = dst;
      host.ct.setupNat(ref, 'DST', r);
      return true;
    }
    case 'NETMAP': {
      const n = o as NetmapOptions;
      const manip: NatManip = env.hook === 'PREROUTING' || env.hook === 'OUTPUT' ? 'DST' : 'SRC';
      const old = manip === 'DST' ? p.dst : p.src;
      const a = (((old & ~n.mask) | (n.addr & n.mask)) >>> 0) as Ipv4;
      host.ct.setupNat(ref, manip, { minAddr: a, maxAddr: a });
      return true;
    }
  }
  return true;
}

// ------------------------------------------------------------------ text

function macHeader(world: World, host: string, e: RecordedEvent): MacHeader | null {
  if (!e.in) return null;
  if (e.in === 'lo') return LOOPBACK_MAC_HEADER;
  const dst = e.dstMac ?? world.macs.get(`${host}:${e.in}`);
  if (!e.srcMac || !dst) return null;
  return { src: e.srcMac, dst, ethertype: 0x0800 };
}

const normalizers = new WeakMap<World, ReturnType<typeof createTraceNormalizer>>();

function normalizer(world: World): ReturnType<typeof createTraceNormalizer> {
  let n = normalizers.get(world);
  if (!n) {
    n = createTraceNormalizer();
    for (const r of world.records)
      for (const e of r.events) {
        const p = e.packet;
        if (p.tcp && p.tcp.flags & TCP_SYN) n.addIsn(p.tcp.seq);
        const inner = p.icmp?.inner;
        if (inner?.tcp && inner.tcp.flags & TCP_SYN) n.addIsn(inner.tcp.seq);
      }
    normalizers.set(world, n);
  }
  return n;
}

export function traceLine(world: World, rec: PacketRecord, e: RecordedEvent): string {
  const line = formatTraceLine({
    table: e.table,
    chain: e.chain,
    type: e.type,
    rulenum: e.rulenum,
    inIface: e.in,
    outIface: e.out,
    physIn: e.physin,
    physOut: e.physout,
    macHeader: macHeader(world, rec.host, e),
    packet: e.packet,
    mark: e.packet.mark,
    uid: e.uid,
    gid: e.uid,
  });
  return normalizeLineText(line, normalizer(world), seqSpace(e.packet));
}

/** The sequence space of the TCP header a line prints: the packet's own, or the one an ICMP error quotes. */
export function seqSpace(p: Packet): SeqSpace {
  const tcp = p.proto === IPPROTO_TCP ? p : p.icmp?.inner;
  return tcp?.craftedSeq ? 'crafted' : 'socket';
}

/** A kernel-printed line normalised like the oracle's (IP ids renumbered, SEQ/ACK relative). */
export function normalizeLine(world: World, line: string, space: SeqSpace = 'crafted'): string {
  return normalizeLineText(line, normalizer(world), space);
}

export function logLine(host: Host, t: TargetInstance, p: Packet, env: TargetEnv): string {
  const o = t.options as LogOptions;
  const last = env.rec.events[env.rec.events.length - 1];
  const e = { in: env.inIf, srcMac: last?.srcMac ?? null, dstMac: last?.dstMac ?? null } as RecordedEvent;
  const line = formatLogLine(o.prefix, o, {
    inIface: env.inIf,
    outIface: env.outIf,
    // br_netfilter's bridge ports print in LOG lines as in TRACE lines
    physIn: env.meta.physIn ?? null,
    physOut: env.meta.physOut ?? null,
    macHeader: macHeader(host.world, host.name, e),
    packet: p,
    mark: p.mark,
    uid: env.meta.uid,
    gid: env.meta.uid,
  });
  return line;
}

// ------------------------------------------------------------------ counters

/** Each chain's place in its table (the order iptables-save prints them), per table object. */
const chainOrder = new WeakMap<object, Map<object, number>>();

/**
 * Where a counted entry stands in iptables-save order — table, chain, rule —
 * found from the chain it was counted in: a 50,000-rule ruleset is not
 * indexed for a step that touched ten rules. Tables come in TABLES order.
 */
function placeCounter(h: Host, obj: object, table: TableName, chain: { name: string }): { k: number[]; key: ipt.CounterKey } | null {
  const t = h.rules.tables[table];
  let order = chainOrder.get(t);
  // a chain added or removed since (the table object of a case being set up changes in place)
  if (!order || order.size !== t.chains.size) {
    order = new Map();
    let i = 0;
    for (const c of t.chains.values()) order.set(c, i++);
    chainOrder.set(t, order);
  }
  const c = t.chains.get(chain.name);
  const ci = c ? order.get(c) : undefined;
  if (!c || ci === undefined) return null;
  const ti = TABLES.indexOf(table);
  // a user chain's end (the implicit RETURN) has a counter in the kernel that iptables never shows
  if (obj === c) return c.builtin ? { k: [ti, ci, -1], key: { table, chain: c.name, rule: 'policy', key: c } } : null;
  const ri = c.rules.indexOf(obj as Rule);
  return ri < 0 ? null : { k: [ti, ci, ri], key: { table, chain: c.name, rule: ri + 1, key: obj } };
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** Each counter key's position in iptables-save order, per ruleset generation. */
const counterOrder = new WeakMap<object, { generation: number; index: Map<object, { k: number; key: ipt.CounterKey }> }>();

function counterIndex(h: Host): Map<object, { k: number; key: ipt.CounterKey }> {
  const gen = h.rules.generation ?? 0;
  let c = counterOrder.get(h.rules);
  if (!c || c.generation !== gen) {
    const index = new Map<object, { k: number; key: ipt.CounterKey }>();
    ipt.counterKeys(h.rules).forEach((key, k) => index.set(key.key, { k, key }));
    counterOrder.set(h.rules, (c = { generation: gen, index }));
  }
  return c.index;
}

/**
 * What the step added to each counter, in iptables-save order: only the
 * entries the step touched (Host.stepCounters) are looked at.
 */
export function counterDeltas(world: World) {
  const out: { host: string; table: string; chain: string; rule: number | 'policy'; packets: number; bytes: number }[] = [];
  for (const h of world.hostList) {
    if (h.stepCounters.size === 0) continue;
    const touched: { k: number[]; key: ipt.CounterKey; before: { packets: number; bytes: number } }[] = [];
    let index: Map<object, { k: number; key: ipt.CounterKey }> | null = null;
    for (const [obj, before] of h.stepCounters) {
      if (before.at) {
        const placed = placeCounter(h, obj, before.at.table, before.at.chain);
        if (placed) touched.push({ ...placed, before });
        continue;
      }
      // an entry counted without its chain: the whole ruleset's index
      const at = (index ??= counterIndex(h)).get(obj);
      if (at) touched.push({ k: [at.k], key: at.key, before });
    }
    touched.sort((a, b) => compareKeys(a.k, b.k));
    for (const { key, before } of touched) {
      const now = h.counters.get(key.key);
      if (!now) continue;
      const dp = now.packets - before.packets;
      if (dp === 0) continue;
      out.push({ host: h.name, table: key.table, chain: key.chain, rule: key.rule, packets: dp, bytes: now.bytes - before.bytes });
    }
  }
  return out;
}

export type { Rule };

/** `ip route show table all` and `ip rule show` as iproute2 prints them, for the host panels. */
export function formatAllRoutes(net: HostNet): string {
  return formatRoutes(net, 'all');
}
export function formatFibRules(net: HostNet): string {
  return formatRules(net);
}

/**
 * xt_TCPMSS: lower the MSS option of a SYN to --set-mss, or to the path MTU
 * (the smaller of the route's and the reverse route's MTU) minus 40. Only
 * lowers, never raises (tcpmss_mangle_packet).
 */
export function tcpmss(host: Host, o: unknown, p: Packet, env: TargetEnv): void {
  const t = p.tcp;
  if (!t || !(t.flags & TCP_SYN)) return;
  const opt = o as { mss: number | null };
  let newMss: number;
  if (opt.mss !== null) newMss = opt.mss;
  else {
    // dst_mtu(skb_dst(skb)): the route's mtu metric when the route to the destination leaves by outIf (x5 runs: 1280 → MSS 1240)
    const fwd = fib.outputRoute(host.net, { src: 0, dst: p.dst, oif: null, mark: 0, tos: 0, proto: 0, sport: 0, dport: 0 });
    const out = env.outIf ? (fwd.ok && fwd.dev === env.outIf && fwd.route?.mtu) || linkMtu(host.net, env.outIf) : routeMtu(host.net, p.dst);
    newMss = Math.min(out, routeMtu(host.net, p.src)) - 40;
  }
  const hex = t.options;
  for (let i = 0; i + 2 <= hex.length; ) {
    const kind = parseInt(hex.slice(i, i + 2), 16);
    if (kind === 0) break;
    if (kind === 1) {
      i += 2;
      continue;
    }
    const len = parseInt(hex.slice(i + 2, i + 4), 16);
    if (!(len >= 2)) break;
    if (kind === 2 && len === 4) {
      const old = parseInt(hex.slice(i + 4, i + 8), 16);
      if (old > newMss) t.options = hex.slice(0, i + 4) + newMss.toString(16).toUpperCase().padStart(4, '0') + hex.slice(i + 8);
      return;
    }
    i += len * 2;
  }
}

/** tunl0 exists once the ipip module is loaded: the first IP-in-IP packet brings it up, with the host's defaults. */
export function ensureTunnelDevice(net: HostNet): void {
  if (cfg.findLink(net, 'tunl0')) return;
  cfg.addLink(net, 'tunl0', 'dummy', '00:00:00:00:00:00');
  cfg.setLinkUp(net, 'tunl0', true);
}

/** IPVS as `ipvsadm -Ln` / `-Lnc` print it plus each scheduler's state, for the app's panels. */
export function ipvsSnapshot(ipvs: IpvsState, nowMs: number): { list: string; connections: string; schedulers: { service: string; view: unknown }[] } {
  return {
    list: formatList(ipvs, { numeric: true }),
    connections: formatConnections(ipvs, nowMs, { numeric: true }),
    schedulers: ipvs.services.map((svc) => ({ service: `${svc.fwmark ? 'FWM' : svc.protocol.toUpperCase()} ${svc.fwmark ? svc.fwmark : `${formatIpv4(svc.addr)}:${svc.port}`} ${svc.scheduler}`, view: describeScheduler(ipvs, svc) })),
  };
}
