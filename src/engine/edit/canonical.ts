// pattern: Functional Core
// A host's configuration written back as the commands that rebuild it on a
// fresh host — `ip link`/`ip addr`/`ip route`/`ip rule`/`ip neigh`,
// `sysctl -w` and one iptables-restore block — so an edited scenario stays
// an oracle case file anyone can run on a real kernel, and forms, console
// and imports all end in the same canonical form (and undo is a list of
// scenarios).

import { tcCommands } from '../tc/canonical';
import { formatIpv4, parseIpv4 } from '../net/addr';
import { devconfDefault, GLOBAL_SYSCTL_DEFAULTS, NEIGH_DEFAULTS, type HostNet } from '../net/config';
import { formatRoutes } from '../net/ip-route';
import { formatRules } from '../net/ip-rule';
import { importIpOutput } from '../net/ip-import';
import { saveRulesetSliced } from '../iptables/save';
import { drain, type Sliced } from '../text/slices';
import { TABLES } from '../netfilter/hooks';
import type { Ruleset } from '../iptables/ruleset';
import type { SetupCommand } from '../scenario/types';
import type { IpvsState } from '../ipvs/types';
import { DEFAULT_IPVS_SYSCTL } from '../ipvs/types';
import { formatSave } from '../ipvs/ipvsadm-print';
import { tunnelCreateCommand } from '../net/tunnel';

/** The oracle harness accepts sysctls under these prefixes only (lib/caseload.py). */
const CASE_SYSCTL = /^net[./](ipv4|netfilter)[./]/;

function linkCommands(net: HostNet, linkNames: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const l of net.links) {
    if (l.name === 'lo') continue;
    // links the scenario joins (veth ends) exist before setup; the rest were created by commands
    if (linkNames.has(l.name)) continue;
    if (l.tunnel) out.push(tunnelCreateCommand(l.name, l.tunnel.mode === 'vxlan' && l.macSet ? l.mac : null, l.tunnel));
    // a pair made here is written once, from its first end, so `ip link set END netns NS` finds it again
    else if (l.peer !== undefined && net.links.some((p) => p.name === l.peer && !linkNames.has(p.name))) {
      if (l.ifindex < net.links.find((p) => p.name === l.peer)!.ifindex) out.push(`ip link add ${l.name} type veth peer name ${l.peer}`);
    } else out.push(`ip link add ${l.name} type ${l.kind === 'veth' ? 'dummy' : l.kind}`);
  }
  for (const l of net.links) {
    if (l.name === 'lo') continue;
    if (l.mtu !== 1500) out.push(`ip link set dev ${l.name} mtu ${l.mtu}`);
    if (l.gsoMaxSegs !== undefined && l.gsoMaxSegs !== 65535) out.push(`ip link set dev ${l.name} gso_max_segs ${l.gsoMaxSegs}`);
    if (l.group) out.push(`ip link set dev ${l.name} group ${l.group}`);
    if (l.master) out.push(`ip link set ${l.name} master ${l.master}`);
    const createdUp = linkNames.has(l.name);
    if (l.up !== createdUp) out.push(`ip link set ${l.name} ${l.up ? 'up' : 'down'}`);
  }
  return out;
}

function addressCommands(net: HostNet): string[] {
  return net.addresses
    .filter((a) => !(a.iface === 'lo' && a.addr === 0x7f000001 && a.prefixLen === 8))
    .map((a) => {
      const w = [`ip addr add ${formatIpv4(a.addr)}/${a.prefixLen}`];
      if (a.broadcast) w.push(`brd ${formatIpv4(a.broadcast)}`);
      if (a.scope !== 'global') w.push(`scope ${a.scope}`);
      w.push(`dev ${a.iface}`);
      if (a.label && a.label !== a.iface) w.push(`label ${a.label}`);
      if (a.noPrefixRoute) w.push('noprefixroute');
      return w.join(' ');
    });
}

/** Routes and rules the kernel does not make by itself, through the `ip ... show` importer. */
function routeAndRuleCommands(net: HostNet): string[] {
  const out: string[] = [];
  for (const [text, kind] of [
    [formatRoutes(net, 'all'), 'route'],
    [formatRules(net), 'rule'],
  ] as const) {
    const r = importIpOutput(text, kind);
    for (const c of r.value?.commands ?? []) {
      // addresses are written above, from the model itself
      if (/^ip (addr|address|a|link|l) /.test(c.text)) continue;
      out.push(c.text);
    }
  }
  return out;
}

/**
 * The sysctls a case's setup writes for this host, in the order it writes
 * them: those away from a new namespace's defaults, ip_forward first and
 * without the ones writing it sets by itself (as the kernel does).
 */
export function setSysctls(net: HostNet): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  const ifaces = net.links.map((l) => l.name);
  for (const [k, v] of Object.entries(net.sysctl)) {
    if (!CASE_SYSCTL.test(k)) continue;
    const global = GLOBAL_SYSCTL_DEFAULTS[k];
    let dflt = global;
    if (dflt === undefined) {
      const m = /^net\.ipv4\.conf\.([^.]+)\.(.+)$/.exec(k);
      if (m && (m[1] === 'all' || m[1] === 'default' || ifaces.includes(m[1]!))) dflt = devconfDefault(m[1]!, m[2]!);
      const n = /^net\.ipv4\.neigh\.([^.]+)\.(.+)$/.exec(k);
      if (n && (n[1] === 'default' || ifaces.includes(n[1]!))) dflt = NEIGH_DEFAULTS[n[2]!];
    }
    if (dflt !== undefined && dflt === v) continue;
    out.push({ key: k, value: v });
  }
  // ip_forward first: writing it sets every interface's forwarding, as in the kernel,
  // so per-interface forwarding lines that merely repeat it are left out
  const isForward = (s: { key: string }) => Number(s.key.endsWith('.ip_forward'));
  out.sort((a, b) => isForward(b) - isForward(a));
  const fwd = net.sysctl['net.ipv4.ip_forward'];
  if (!out.some((s) => s.key.endsWith('.ip_forward'))) return out;
  // it also sets conf.all.accept_redirects to the opposite (inet_forward_change)
  const impliedRedirects = fwd === '1' ? '0' : '1';
  return out.filter((s) => !((/\.conf\.[^.]+\.forwarding$/.test(s.key) && s.value === fwd) || (s.key === 'net.ipv4.conf.all.accept_redirects' && s.value === impliedRedirects)));
}

function sysctlCommands(net: HostNet): string[] {
  return setSysctls(net).map((s) => `sysctl -w ${s.key}=${s.value}`);
}

function neighbourCommands(net: HostNet): string[] {
  return net.neighbours
    .filter((n) => n.lladdr !== null)
    .map((n) => `ip neigh add ${formatIpv4(n.addr)} lladdr ${n.lladdr} dev ${n.iface} nud ${n.state}`);
}

/**
 * The tables commands loaded, oldest first, so that restoring the text
 * registers them in the same order again (iptables-save prints newest first)
 * and an exported iptables-save stays byte-identical; tables that only ever
 * held empty ACCEPT chains are left out unless a command loaded them.
 */
export function iptablesRestoreText(rs: Ruleset): string | null {
  return drain(iptablesRestoreTextSliced(rs));
}

/** iptablesRestoreText, pausing between slices of rules (text/slices.ts). */
export function* iptablesRestoreTextSliced(rs: Ruleset): Sliced<string | null> {
  const used = rs.loaded.filter((t) => TABLES.includes(t));
  for (const t of TABLES) {
    if (!used.includes(t) && [...rs.tables[t].chains.values()].some((c) => !c.builtin || c.rules.length > 0 || c.policy === 'DROP')) used.push(t);
  }
  if (!used.length) return null;
  const copy: Ruleset = { tables: rs.tables, loaded: [...used].reverse() };
  return yield* saveRulesetSliced(copy, { counters: false });
}

/** `ipvsadm -S` leaves thresholds out (SPEC.md §9.3); the canonical form keeps them. */
function thresholds(ipvs: IpvsState, line: string): string {
  const m = / -r (\d+\.\d+\.\d+\.\d+):(\d+)/.exec(line);
  if (!m) return '';
  const addr = parseIpv4(m[1]!);
  const d = Object.values(ipvs.dests).find((x) => x.available && x.addr === addr && x.port === Number(m[2]) && line.includes(serviceWord(ipvs, x.serviceId)));
  if (!d || (!d.uThreshold && !d.lThreshold)) return '';
  return ` -x ${d.uThreshold} -y ${d.lThreshold}`;
}

function serviceWord(ipvs: IpvsState, id: number): string {
  const svc = ipvs.services.find((s) => s.id === id);
  if (!svc) return '\u0000';
  return svc.fwmark ? `-f ${svc.fwmark} ` : `${formatIpv4(svc.addr)}:${svc.port} `;
}

/** IPVS services as `ipvsadm -Sn` writes them, and the net.ipv4.vs sysctls that differ from the defaults. */
function ipvsCommands(ipvs: IpvsState | undefined): string[] {
  if (!ipvs) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(ipvs.sysctl)) {
    if (DEFAULT_IPVS_SYSCTL[k as keyof typeof DEFAULT_IPVS_SYSCTL] !== v) out.push(`sysctl -w net.ipv4.vs.${k}=${v}`);
  }
  if (ipvs.services.length) {
    // -Sn lists real servers in kernel order, and `ipvsadm -a` inserts at the head
    // (SPEC.md: the reversed server list): add them back in reverse to keep the order
    let servers: string[] = [];
    const flush = () => {
      out.push(...servers.reverse());
      servers = [];
    };
    for (const raw of formatSave(ipvs, { numeric: true, nosort: true }).split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      if (line.startsWith('-a ')) servers.push(`ipvsadm ${line}${thresholds(ipvs, line)}`);
      else {
        flush();
        out.push(`ipvsadm ${line}`);
      }
    }
    flush();
  }
  return out;
}

/** The setup commands that rebuild `net` + `rs` (+ IPVS) on a fresh host whose scenario links are `linkNames`. */
export function canonicalSetup(net: HostNet, rs: Ruleset, linkNames: ReadonlySet<string>, ipvs?: IpvsState): SetupCommand[] {
  return drain(canonicalSetupSliced(net, rs, linkNames, ipvs));
}

/** canonicalSetup, pausing between slices of the iptables rules (text/slices.ts). */
export function* canonicalSetupSliced(net: HostNet, rs: Ruleset, linkNames: ReadonlySet<string>, ipvs?: IpvsState): Sliced<SetupCommand[]> {
  const setup: SetupCommand[] = [...linkCommands(net, linkNames), ...addressCommands(net), ...sysctlCommands(net), ...routeAndRuleCommands(net), ...neighbourCommands(net), ...net.links.flatMap(tcCommands), ...ipvsCommands(ipvs)];
  const ipt = yield* iptablesRestoreTextSliced(rs);
  if (ipt) setup.push({ 'iptables-restore': ipt, noflush: false });
  return setup;
}
