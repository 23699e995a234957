// pattern: Functional Core
// The packet walk's view of a host's routing and devices (net/fib.ts,
// net/config.ts): the output and input route decisions in the shape the
// walk uses, the route facts a step needs (MTU, gso_max_segs, address
// types, the ICMP error source), the route notes of the walk log, and the
// host panels' `ip route show table all` / `ip rule show`.

import type { Ipv4 } from '../net/addr';
import { formatIpv4 } from '../net/addr';
import { IPPROTO_TCP, type Packet } from '../net/packet';
import * as cfg from '../net/config';
import * as fib from '../net/fib';
import { routeGetView, type RouteGetQuery } from '../net/route-get';
import * as sysctl from '../net/sysctl';
import { formatRoute, formatRoutes } from '../net/ip-route';
import { formatRules, formatRuleSelector } from '../net/ip-rule';
import type { AddrType } from '../net/config';
import type { WalkNote } from './record';

export type HostNet = cfg.HostNet;

export function createHostNet(links: { name: string; mac: string }[], rtTables: Record<string, number>): HostNet {
  const net = cfg.createHostNet(links);
  cfg.addRtTables(net, rtTables);
  return net;
}

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
  const q: RouteGetQuery = { dst: p.dst, src: p.src, iif, mark: p.mark, tos: p.tos };
  if (p.proto === IPPROTO_TCP || p.proto === 17) {
    q.proto = p.proto;
    q.sport = p.sport ?? 0;
    q.dport = p.dport ?? 0;
  }
  return routeGetView(net, q) as unknown as Record<string, unknown>;
}

export function addrType(net: HostNet, addr: Ipv4, iface: string | null): AddrType {
  return fib.addrType(net, addr, iface);
}

export function isBroadcastOrMulticast(net: HostNet, addr: Ipv4): boolean {
  const t = fib.addrType(net, addr, null);
  return t === 'BROADCAST' || t === 'MULTICAST';
}

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

/** MTU of a link (ip link set dev X mtu N), 1500 when unknown */
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

function routeDetail(net: HostNet, key: fib.FlowKey): { rulePriority: number | null; rule: string | null; table: string | null; route: string | null } {
  const r = fib.fibLookup(net, key);
  const table = r.table ?? (r.ok ? r.table : undefined);
  // the first rule of that priority that takes the flow is the one fib_rules_lookup stopped at
  const rule = r.rulePriority === undefined ? undefined : net.rules.find((x) => x.priority === r.rulePriority && fib.ruleMatches(x, key));
  return {
    rulePriority: r.rulePriority ?? null,
    rule: rule ? `${rule.priority}:\t${formatRuleSelector(net, rule)}` : null,
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
  const detail = iif === 'lo' ? { rulePriority: null, rule: null, table: null, route: null } : routeDetail(net, key);
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

/** `ip route show table all` and `ip rule show` as iproute2 prints them, for the host panels. */
export function formatAllRoutes(net: HostNet): string {
  return formatRoutes(net, 'all');
}

export function formatFibRules(net: HostNet): string {
  return formatRules(net);
}

/** tunl0 exists once the ipip module is loaded: the first IP-in-IP packet brings it up, with the host's defaults. */
export function ensureTunnelDevice(net: HostNet): void {
  if (cfg.findLink(net, 'tunl0')) return;
  cfg.addLink(net, 'tunl0', 'dummy', '00:00:00:00:00:00');
  cfg.setLinkUp(net, 'tunl0', true);
}
