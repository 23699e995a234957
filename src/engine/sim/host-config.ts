// pattern: Functional Core
// What a host's setup commands leave behind — its network configuration
// (links, addresses, routes, fib rules, neighbours, sysctls), its iptables
// tables and its IPVS services — apart from what packets change. A lab keeps
// one of these per host and version, so a walk starts from a copy of it
// instead of running every setup command again (50,000 rules take seconds to
// parse and milliseconds to share), and an edit copies only what it changes.
//
// Sharing rules: a walk never writes to a Ruleset (counters live in
// Host.counters), so walks share it; an edit works on a copy whose chains and
// rule arrays are new and whose Rule objects are the old ones, so a rule
// keeps its identity (and its cached text) across versions. A walk does write
// to the network configuration (ICMP-learned exceptions, tunl0 appearing with
// the first IP-in-IP packet) and to IPVS (connections, scheduler state), so
// those are copied for every walk.

import type { HostNet } from '../net/config';
import type { Ruleset } from '../iptables/ruleset';
import { cloneTable } from '../iptables/ruleset';
import type { TableName } from '../netfilter/hooks';
import type { IpvsState } from '../ipvs/types';
import { cloneIpvsState } from '../ipvs/state';

export interface HostConfig {
  readonly net: HostNet;
  readonly rules: Ruleset;
  readonly ipvs: IpvsState;
}

/** A Ruleset an edit may change without touching `rs`: tables, chains and rule arrays are new, rules are shared. */
export function copyRuleset(rs: Ruleset): Ruleset {
  const tables = {} as Ruleset['tables'];
  for (const [name, t] of Object.entries(rs.tables) as [keyof Ruleset['tables'], Ruleset['tables'][keyof Ruleset['tables']]][]) tables[name] = cloneTable(t);
  const out: Ruleset = { tables, loaded: rs.loaded.slice() };
  if (rs.generation !== undefined) out.generation = rs.generation;
  return out;
}

/**
 * A Ruleset one iptables command may change: only the chains it names are
 * copied (all of the table's when it names none: -F, -Z, -X without a
 * chain); the table's chain map is new, the other chains are shared. Adding
 * one rule to a 50,000-rule table costs one chain, not 13,000.
 */
export function copyRulesetFor(rs: Ruleset, table: TableName, chains: readonly string[] | 'all'): Ruleset {
  const t = rs.tables[table];
  const map = new Map(t.chains);
  for (const [name, c] of t.chains) {
    if (chains !== 'all' && !chains.includes(name)) continue;
    map.set(name, { ...c, policyCounters: { ...c.policyCounters }, rules: c.rules.slice(), counters: c.counters.map((x) => ({ ...x })) });
  }
  const out: Ruleset = { tables: { ...rs.tables, [table]: { name: t.name, chains: map } }, loaded: rs.loaded.slice() };
  if (rs.generation !== undefined) out.generation = rs.generation;
  return out;
}

/**
 * A deep copy of the network configuration. Routes are the one part that can
 * be large (a full BGP-fed table); they are plain data like the rest.
 */
export function copyNet(net: HostNet): HostNet {
  return structuredClone(net);
}

/** A copy an edit may change. */
export function copyConfig(c: HostConfig): HostConfig {
  return { net: copyNet(c.net), rules: copyRuleset(c.rules), ipvs: cloneIpvsState(c.ipvs) };
}

/**
 * What a walk starts from: the rules shared, the parts packets change
 * copied. The routes array itself is shared (no packet adds or removes a
 * route; `exceptions` hold what ICMP teaches) — the rest is copied.
 */
export function configForWalk(c: HostConfig): HostConfig {
  const { routes, ...rest } = c.net;
  const net = structuredClone(rest) as Omit<HostNet, 'routes'>;
  return { net: { ...net, routes }, rules: c.rules, ipvs: cloneIpvsState(c.ipvs) };
}
