// pattern: Functional Core
// Typed views of a lab for the page, which renders them and never parses
// the engine's text back: a chain's rules a page at a time with the counters
// as they stood at a step of a walk, and a host's configuration (interfaces,
// routes, fib rules, neighbours, sysctls, IPVS services, chains).

import type { TableName } from '../netfilter/hooks';
import { TABLES } from '../netfilter/hooks';
import type { HostConfig } from '../sim/host-config';
import type { WalkLog } from '../walk-log';
import { ruleText } from '../sim/adapters';
import { formatIpv4, formatPrefix } from '../net/addr';
import { formatRoute, formatRules } from '../net/ip-command';
import { DEVCONF_DEFAULTS, GLOBAL_SYSCTL_DEFAULTS } from '../net/config';
import { serviceDests } from '../ipvs/state';
import { IP_VS_SVC_F_PERSISTENT } from '../ipvs/types';

export interface Counters {
  packets: number;
  bytes: number;
}

export interface RuleRow {
  /** 1-based, as `iptables -L --line-numbers` counts */
  num: number;
  /** the rule as iptables-save prints it */
  text: string;
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
    rows.push({
      num: i + 1,
      text: ruleText(config.rules, table, chain, r),
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
  /** the line `ip route show table all` prints for it */
  text: string;
}

export interface FibRuleView {
  priority: number;
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
  addr: string;
  port: number;
  weight: number;
  method: string;
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
  persistent: number | null;
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
  /** only what differs from a new namespace's defaults, and the forwarding switches */
  sysctls: SysctlView[];
  ipvs: VirtualServiceView[];
  /** table → its chains (built-in first), for tables the host has loaded */
  chains: Partial<Record<TableName, ChainListEntry[]>>;
  rtTables: Record<string, number>;
}

function sysctlDefault(key: string): string | null {
  const conf = /^net\.ipv4\.conf\.[^.]+\.(.+)$/.exec(key);
  return (conf ? DEVCONF_DEFAULTS[conf[1]!] : GLOBAL_SYSCTL_DEFAULTS[key]) ?? null;
}

export function hostConfigView(host: string, config: HostConfig): HostConfigView {
  const { net, rules, ipvs } = config;
  const tableNames = new Map(Object.entries(net.rtTables).map(([name, id]) => [id, name]));
  const ruleLines = formatRules(net).split('\n').filter((l) => l.length > 0);
  const chains: HostConfigView['chains'] = {};
  for (const t of TABLES) {
    if (!rules.loaded.includes(t)) continue;
    chains[t] = [...rules.tables[t].chains.values()].map((c) => ({ name: c.name, policy: c.builtin ? c.policy : null, rules: c.rules.length }));
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
    routes: net.routes.map((r) => ({ table: r.table, tableName: tableNames.get(r.table) ?? null, type: r.type, dst: formatPrefix(r.dst), text: formatRoute(net, r, true) })),
    fibRules: net.rules.map((r, i) => ({ priority: r.priority, text: ruleLines[i] ?? '' })),
    neighbours: net.neighbours.map((n) => ({ iface: n.iface, addr: formatIpv4(n.addr), lladdr: n.lladdr, state: n.state })),
    sysctls: Object.entries(net.sysctl)
      .map(([key, value]) => ({ key, value, defaultValue: sysctlDefault(key) }))
      .filter((s) => s.defaultValue !== s.value || /forwarding$|ip_forward$/.test(s.key)),
    ipvs: ipvs.services.map((svc) => {
      const head = svc.fwmark ? `FWM ${svc.fwmark}` : `${svc.protocol.toUpperCase()} ${formatIpv4(svc.addr)}:${svc.port}`;
      return {
        name: head,
        protocol: svc.protocol,
        addr: svc.fwmark ? null : formatIpv4(svc.addr),
        port: svc.fwmark ? null : svc.port,
        fwmark: svc.fwmark || null,
        scheduler: svc.scheduler,
        persistent: svc.flags & IP_VS_SVC_F_PERSISTENT ? svc.timeout : null,
        servers: serviceDests(ipvs, svc).map((d) => ({ addr: formatIpv4(d.addr), port: d.port, weight: d.weight, method: d.method, activeConns: d.activeConns, inactConns: d.inactConns })),
      };
    }),
    chains,
    rtTables: { ...net.rtTables },
  };
}
