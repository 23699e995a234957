// pattern: Functional Core
// Typed views of a lab for the page, which renders them and never parses
// the engine's text back: a chain's rules a page at a time with the counters
// as they stood at a step of a walk, and a host's configuration (interfaces,
// routes, fib rules, neighbours, sysctls, IPVS services, chains).

import type { TableName } from '../netfilter/hooks';
import { TABLES } from '../netfilter/hooks';
import type { HostConfig } from '../sim/host-config';
import type { WalkLog } from '../walk-log';
import { ruleText } from '../sim/iptables-adapter';
import { chainsInSaveOrder } from '../iptables/save';
import { formatIpv4, formatPrefix } from '../net/addr';
import { formatRoute, tablesInDumpOrder } from '../net/ip-route';
import { formatRuleSelector } from '../net/ip-rule';
import { sysctlDefault } from '../../vocabulary/sysctl';
import { setSysctls } from '../edit/canonical';
import { serviceDests } from '../ipvs/state';
import { DEFAULT_IPVS_SYSCTL, IP_VS_SVC_F_PERSISTENT, IP_VS_SVC_F_SCHED1, IP_VS_SVC_F_SCHED2, IP_VS_SVC_F_SCHED3 } from '../ipvs/types';
import { schedFlagNames } from '../../vocabulary/ipvs';

export interface Counters {
  packets: number;
  bytes: number;
}

export interface RuleRow {
  /** 1-based, as `iptables -L --line-numbers` counts */
  num: number;
  /** the rule as iptables-save prints it */
  text: string;
  /** the rule's words after `-A CHAIN`: what `iptables -I CHAIN N` takes to put it back */
  spec: string;
  /** the match modules in order (`tcp`, `conntrack`, `comment` …) */
  matches: string[];
  /** the target's name (`ACCEPT`, `DNAT`, a user chain), null for a rule without one */
  target: string | null;
  /** `-g`: a goto, not a jump */
  goto: boolean;
  counters: Counters;
}

export interface ChainPage {
  table: TableName;
  chain: string;
  /** null for a user chain */
  policy: string | null;
  /** the policy's counters (built-in chains), as of the step */
  policyCounters: Counters;
  /** how many rules the chain has; `rules` holds rows `from`… of them */
  total: number;
  from: number;
  rules: RuleRow[];
}

/**
 * Counters of one chain as a walk had left them after step `asOf` (an index
 * of log.steps; -1: before the walk). Every rule the kernel counts a packet
 * at is a step of the walk (its TRACE line), so counting those steps counts
 * as ipt_do_table does: the matched rule's packets and the packet's length
 * in bytes, the policy's at a built-in chain's end. The lab's tests hold
 * this to the engine's own counters for every case.
 */
export function countersAsOf(log: WalkLog, host: string, table: string, chain: string, asOf: number): { rules: Map<number, Counters>; policy: Counters } {
  const rules = new Map<number, Counters>();
  const policy: Counters = { packets: 0, bytes: 0 };
  const last = Math.min(asOf, log.steps.length - 1);
  for (let i = 0; i <= last; i++) {
    const s = log.steps[i]!;
    if (s.kind !== 'rule' || s.host !== host || s.table !== table || s.chain !== chain) continue;
    // a matched rule has its text, whatever TRACE calls it (a RETURN rule is "return"; an unconditional
    // last rule of a built-in chain is "policy", REPORT.md); without one, "policy" is the chain's policy
    if (s.rule === null) {
      if (s.type !== 'policy') continue;
      policy.packets++;
      policy.bytes += s.headers.len;
    } else {
      let c = rules.get(s.rulenum);
      if (!c) rules.set(s.rulenum, (c = { packets: 0, bytes: 0 }));
      c.packets++;
      c.bytes += s.headers.len;
    }
  }
  return { rules, policy };
}

/** Rows `from` to `from + count` of a chain, with counters as of step `asOf` of `log` (none: all zero). */
export function chainPage(config: HostConfig, table: TableName, chain: string, from: number, count: number, counted: { log: WalkLog; host: string; asOf: number } | null): ChainPage | null {
  const c = config.rules.tables[table]?.chains.get(chain);
  if (!c) return null;
  const counters = counted ? countersAsOf(counted.log, counted.host, table, chain, counted.asOf) : { rules: new Map<number, Counters>(), policy: { packets: 0, bytes: 0 } };
  const start = Math.max(0, Math.min(from, c.rules.length));
  const end = Math.min(c.rules.length, start + Math.max(0, count));
  const rows: RuleRow[] = [];
  for (let i = start; i < end; i++) {
    const r = c.rules[i]!;
    const text = ruleText(config.rules, table, chain, r);
    rows.push({
      num: i + 1,
      text,
      spec: text.slice(`-A ${chain} `.length),
      matches: r.matches.map((m) => m.module),
      target: r.target ? r.target.name : null,
      goto: r.goto,
      counters: counters.rules.get(i + 1) ?? { packets: 0, bytes: 0 },
    });
  }
  return { table, chain, policy: c.builtin ? c.policy : null, policyCounters: counters.policy, total: c.rules.length, from: start, rules: rows };
}

export interface InterfaceView {
  name: string;
  kind: string;
  mac: string;
  up: boolean;
  mtu: number;
  master: string | null;
  /** `10.0.0.1/24`, primaries first, as `ip addr` lists them */
  addrs: string[];
}

export interface RouteView {
  /** table id and, when rt_tables names it, its name */
  table: number;
  tableName: string | null;
  type: string;
  dst: string;
  /** who installed it (`proto kernel`: the kernel's own, for an address; `boot`: `ip route add`) */
  proto: string;
  /** what `ip route show table all` prints for it, without the trailing space (a multipath route's nexthops on lines of their own) */
  text: string;
}

export interface FibRuleView {
  priority: number;
  /** the selector and action as `ip rule show` prints them after the priority (`from all lookup main`): what `ip rule del priority N` takes */
  selector: string;
  /** the line `ip rule show` prints, selector and action: `32765: from 192.168.2.0/24 lookup custom` */
  text: string;
}

export interface NeighbourView {
  iface: string;
  addr: string;
  lladdr: string | null;
  state: string;
}

export interface SysctlView {
  key: string;
  value: string;
  /** the value a new network namespace has, when the engine knows it */
  defaultValue: string | null;
}

export interface RealServerView {
  /** the engine's id of the server: stable while it exists */
  id: number;
  addr: string;
  port: number;
  weight: number;
  /** `masq`, `route` (gatewaying, DR) or `tunnel` */
  method: string;
  /** -x and -y: connection thresholds, 0 for none */
  uThreshold: number;
  lThreshold: number;
  activeConns: number;
  inactConns: number;
}

export interface VirtualServiceView {
  /** `TCP 10.96.0.10:80` or `FWM 1`, as ipvsadm -Ln heads it */
  name: string;
  protocol: string;
  addr: string | null;
  port: number | null;
  fwmark: number | null;
  scheduler: string;
  /** the `-b` scheduler flags set, by ipvsadm's names (`sh-fallback`, `flag-3`) */
  schedFlags: string[];
  /** the persistence timeout in seconds (`-p`), null when not persistent */
  persistent: number | null;
  /** the persistence netmask (`-M`), null when not persistent */
  netmask: string | null;
  /** in the kernel's list order (`ipvsadm -a` inserts at the head) */
  servers: RealServerView[];
}

export interface ChainListEntry {
  name: string;
  policy: string | null;
  rules: number;
}

export interface HostConfigView {
  host: string;
  interfaces: InterfaceView[];
  routes: RouteView[];
  fibRules: FibRuleView[];
  neighbours: NeighbourView[];
  /** what the host's setup writes: what differs from a new namespace's defaults, ip_forward first, without what writing it implies */
  sysctls: SysctlView[];
  ipvs: VirtualServiceView[];
  /** net.ipv4.vs.* that differ from their defaults (keys in full) */
  ipvsSysctls: SysctlView[];
  /** table → its chains as iptables-save lists them (built-in first, then user chains by name), for tables the host has loaded */
  chains: Partial<Record<TableName, ChainListEntry[]>>;
  rtTables: Record<string, number>;
}

function sysctlDefaultOrNull(key: string): string | null {
  return sysctlDefault(key) ?? null;
}

export function hostConfigView(host: string, config: HostConfig): HostConfigView {
  const { net, rules, ipvs } = config;
  const tableNames = new Map(Object.entries(net.rtTables).map(([name, id]) => [id, name]));
  const routes: RouteView[] = [];
  for (const t of tablesInDumpOrder(net))
    for (const r of net.routes)
      if (r.table === t) routes.push({ table: r.table, tableName: tableNames.get(r.table) ?? null, type: r.type, dst: formatPrefix(r.dst), proto: r.proto, text: formatRoute(net, r, true).replace(/ +$/gm, '') });
  const chains: HostConfigView['chains'] = {};
  for (const t of TABLES) {
    if (!rules.loaded.includes(t)) continue;
    chains[t] = chainsInSaveOrder(rules, t).map((c) => ({ name: c.name, policy: c.builtin ? c.policy : null, rules: c.rules.length }));
  }
  return {
    host,
    interfaces: net.links.map((l) => ({
      name: l.name,
      kind: l.kind,
      mac: l.mac,
      up: l.up,
      mtu: l.mtu,
      master: l.master,
      addrs: net.addresses.filter((a) => a.iface === l.name).map((a) => `${formatIpv4(a.addr)}/${a.prefixLen}`),
    })),
    routes,
    fibRules: net.rules.map((r) => {
      const selector = formatRuleSelector(net, r);
      return { priority: r.priority, selector, text: `${r.priority}:\t${selector}` };
    }),
    neighbours: net.neighbours.map((n) => ({ iface: n.iface, addr: formatIpv4(n.addr), lladdr: n.lladdr, state: n.state })),
    sysctls: setSysctls(net).map(({ key, value }) => ({ key, value, defaultValue: sysctlDefaultOrNull(key) })),
    ipvs: ipvs.services.map((svc) => {
      const head = svc.fwmark ? `FWM ${svc.fwmark}` : `${svc.protocol.toUpperCase()} ${formatIpv4(svc.addr)}:${svc.port}`;
      return {
        name: head,
        protocol: svc.protocol,
        addr: svc.fwmark ? null : formatIpv4(svc.addr),
        port: svc.fwmark ? null : svc.port,
        fwmark: svc.fwmark || null,
        scheduler: svc.scheduler,
        schedFlags: schedFlagNames(svc.scheduler).filter((_, k) => svc.flags & [IP_VS_SVC_F_SCHED1, IP_VS_SVC_F_SCHED2, IP_VS_SVC_F_SCHED3][k]!),
        persistent: svc.flags & IP_VS_SVC_F_PERSISTENT ? svc.timeout : null,
        netmask: svc.flags & IP_VS_SVC_F_PERSISTENT ? formatIpv4(svc.netmask) : null,
        servers: serviceDests(ipvs, svc).map((d) => ({
          id: d.id,
          addr: formatIpv4(d.addr),
          port: d.port,
          weight: d.weight,
          method: d.method,
          uThreshold: d.uThreshold,
          lThreshold: d.lThreshold,
          activeConns: d.activeConns,
          inactConns: d.inactConns,
        })),
      };
    }),
    ipvsSysctls: Object.entries(ipvs.sysctl)
      .filter(([k, v]) => DEFAULT_IPVS_SYSCTL[k as keyof typeof DEFAULT_IPVS_SYSCTL] !== v)
      .map(([k, v]) => ({ key: `net.ipv4.vs.${k}`, value: String(v), defaultValue: String(DEFAULT_IPVS_SYSCTL[k as keyof typeof DEFAULT_IPVS_SYSCTL]) })),
    chains,
    rtTables: { ...net.rtTables },
  };
}
