// pattern: Functional Core
// The packet walk's view of a host's iptables tables (iptables/ruleset.ts):
// chains by name, rule text for TRACE events, counters for the step
// deltas and the final rulesets.

import type { Counters, Rule } from '../iptables/types';
import { BUILTIN_CHAINS, TABLES, type TableName } from '../netfilter/hooks';
import type { TableLike } from '../iptables/walk';
import * as rs from '../iptables/ruleset';
import { parseIptablesCommand } from '../iptables/command';
import { applyIptablesCommand } from '../iptables/apply';
import { applyRestore as applyRestoreBatch, parseRestore } from '../iptables/restore';
import { saveRule } from '../iptables/save';
import { applyIpCommand, parseIpCommand } from '../net/ip-command';
import type { HostNet } from '../net/config';
import type { Diagnostic } from '../text/diagnostics';

export type Ruleset = rs.Ruleset;

export function createRuleset(): Ruleset {
  // The oracle harness instantiates all five tables (FORMAT.md §1.1) and the
  // walk always traverses all five, but `loaded` records the order commands
  // first used each table, as on a real machine: iptables-save prints the
  // tables a user loaded, newest first, byte for byte like iptables 1.8.9.
  return rs.createRuleset({ loaded: [] });
}

/**
 * What one chain's rules use, worked out once per rules array: a lab's
 * versions share the arrays of the chains an edit did not touch, so asking
 * this of a 50,000-rule ruleset after an edit looks at one chain's rules.
 * Sound because a chain's array is never changed in place once committed
 * (iptables/ruleset.ts placeRule).
 */
interface ChainUse {
  matches: Set<string>;
  conntrack: boolean;
}

const chainUse = new WeakMap<readonly Rule[], ChainUse>();

function useOf(rules: readonly Rule[]): ChainUse {
  let u = chainUse.get(rules);
  if (!u) {
    u = { matches: new Set(), conntrack: false };
    for (const rule of rules) {
      for (const m of rule.matches) u.matches.add(m.module);
      if (!u.conntrack && rs.needsConntrack(rule)) u.conntrack = true;
    }
    chainUse.set(rules, u);
  }
  return u;
}

/** Conntrack becomes active in a namespace once any rule needs it (REPORT.md §5.1). */
export function rulesetNeedsConntrack(r: Ruleset): boolean {
  for (const t of TABLES) for (const c of r.tables[t].chains.values()) if (useOf(c.rules).conntrack) return true;
  return false;
}

/** True when some rule of any table uses `-m NAME`. */
export function usesMatch(r: Ruleset, name: string): boolean {
  for (const t of TABLES) for (const c of r.tables[t].chains.values()) if (useOf(c.rules).matches.has(name)) return true;
  return false;
}

const stackSizes = new WeakMap<rs.Table, { generation: number; size: number }>();

/**
 * translate_table's stacksize: one jumpstack slot per XT_ERROR_TARGET entry,
 * that is per user chain head plus the table's closing entry.
 */
function stacksizeOf(t: rs.Table, generation: number): number {
  let c = stackSizes.get(t);
  if (!c || c.generation !== generation) {
    let size = 1;
    for (const chain of t.chains.values()) if (!chain.builtin) size++;
    stackSizes.set(t, (c = { generation, size }));
  }
  return c.size;
}

export function tableOf(r: Ruleset, table: TableName): TableLike {
  const t = r.tables[table];
  const generation = r.generation ?? 0;
  return { chain: (name: string) => t.chains.get(name), generation, stacksize: stacksizeOf(t, generation) };
}

const textCache = new WeakMap<Rule, string>();

export function ruleText(_r: Ruleset, table: TableName, chain: string, rule: Rule): string {
  let s = textCache.get(rule);
  if (s === undefined) {
    s = saveRule(table, chain, rule);
    textCache.set(rule, s);
  }
  return s;
}

export function applyCommand(r: Ruleset, text: string): Diagnostic[] {
  const p = parseIptablesCommand(text);
  if (!p.value) return p.diagnostics;
  return [...p.diagnostics, ...applyIptablesCommand(r, p.value)];
}

export function applyRestore(r: Ruleset, text: string, noflush: boolean): Diagnostic[] {
  // chain counters in the text are kept (iptables-save prints them back); the oracle
  // harness runs restore without --counters, which changes nothing the kernel traces
  // parse errors come back from applyRestoreBatch, after any failure of an earlier line
  const p = parseRestore(text, { noflush, counters: true });
  if (!p.value) return p.diagnostics;
  return applyRestoreBatch(r, p.value);
}

export function applyIp(net: HostNet, text: string): Diagnostic[] {
  const p = parseIpCommand(text);
  if (!p.value) return p.diagnostics;
  return [...p.diagnostics, ...applyIpCommand(net, p.value)];
}

export interface CounterKey {
  table: TableName;
  chain: string;
  rule: number | 'policy';
  key: object;
}

export function counterKeys(r: Ruleset): CounterKey[] {
  const out: CounterKey[] = [];
  for (const t of TABLES) {
    for (const c of r.tables[t].chains.values()) {
      if (c.builtin) out.push({ table: t, chain: c.name, rule: 'policy', key: c });
      c.rules.forEach((rule, i) => out.push({ table: t, chain: c.name, rule: i + 1, key: rule }));
    }
  }
  return out;
}

/** One chain as a kernel result lists it (shared/oracle/FORMAT.md §2, `rulesets`). */
export interface ResultChain {
  /** null for a user-defined chain */
  policy: string | null;
  policy_counters: { packets: number; bytes: number } | null;
  rules: { num: number; rule: string; target: string | null; goto: boolean; counters: { packets: number; bytes: number } }[];
}

/** A host's rule set as a kernel result lists it: table → chain name → chain. */
export type ResultRuleset = Partial<Record<TableName, Record<string, ResultChain>>>;

export function rulesetJson(r: Ruleset, counters: Map<object, Counters>): ResultRuleset {
  const out: ResultRuleset = {};
  for (const t of TABLES) {
    const chains: Record<string, ResultChain> = {};
    for (const c of r.tables[t].chains.values()) {
      const pc = counters.get(c) ?? { packets: 0, bytes: 0 };
      chains[c.name] = {
        policy: c.builtin ? c.policy : null,
        policy_counters: c.builtin ? { packets: pc.packets, bytes: pc.bytes } : null,
        rules: c.rules.map((rule, i) => {
          const k = counters.get(rule) ?? { packets: 0, bytes: 0 };
          return {
            num: i + 1,
            rule: ruleText(r, t, c.name, rule),
            target: rule.target ? rule.target.name : null,
            goto: rule.goto,
            counters: { packets: k.packets, bytes: k.bytes },
          };
        }),
      };
    }
    if (BUILTIN_CHAINS[t].length) out[t] = chains;
  }
  return out;
}
