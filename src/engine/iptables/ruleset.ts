// pattern: Functional Core
// The in-memory tables of one host and the operations iptables performs on
// them, with libiptc's and the kernel's refusals. Operations mutate the
// Ruleset they are given (a host owns exactly one) and return an error
// instead of throwing; a refused change leaves the table as it was.
// Error texts: libiptc TC_STRERROR table, else strerror(errno) — which is
// why -X says "Directory not empty." (ENOTEMPTY) and loops say
// "Too many levels of symbolic links." (ELOOP from the kernel at commit).

import type { TableName } from '../netfilter/hooks';
import { BUILTIN_CHAINS, TABLES } from '../netfilter/hooks';
import type { Counters, Rule } from './types';
import { getMatch } from './modules/index';
import { getTarget } from './targets/index';
import { checkEntry as kernelCheckEntry, entryError, translateTable } from './translate';

export type Policy = 'ACCEPT' | 'DROP';

export interface Chain {
  name: string;
  builtin: boolean;
  /** null for user chains */
  policy: Policy | null;
  policyCounters: Counters;
  rules: Rule[];
  /** per rule, same index as rules */
  counters: Counters[];
}

export interface Table {
  name: TableName;
  /** creation order: built-in chains first (BUILTIN_CHAINS order), then user chains */
  chains: Map<string, Chain>;
}

export interface Ruleset {
  tables: Record<TableName, Table>;
  /**
   * Tables in the order the kernel registered them in this namespace;
   * iptables-save (legacy) prints them newest first.
   */
  loaded: TableName[];
  /**
   * Bumped by every change made through this module, so compiled views of
   * the chains (compiled-chain.ts) know when to rebuild.
   */
  generation?: number;
}

export interface RulesetError {
  /** the text iptables prints, e.g. "iptables: No chain/target/match by that name." */
  message: string;
  code: string;
  /** the kernel's dmesg line for EINVAL refusals */
  kernelLog?: string;
  /** what the engine knows about the cause (the loop's chains, the rule), for the reason line */
  detail?: string;
}

export const MSG_NO_CHAIN = 'No chain/target/match by that name.';
export const MSG_EINVAL = "Invalid argument. Run `dmesg' for more information.";

function err(message: string, code: string, kernelLog?: string): RulesetError {
  const e: RulesetError = { message: `iptables: ${message}`, code };
  if (kernelLog) e.kernelLog = kernelLog;
  return e;
}

function newChain(name: string, builtin: boolean): Chain {
  return { name, builtin, policy: builtin ? 'ACCEPT' : null, policyCounters: { packets: 0, bytes: 0 }, rules: [], counters: [] };
}

export function createTable(name: TableName): Table {
  const chains = new Map<string, Chain>();
  for (const c of BUILTIN_CHAINS[name]) chains.set(c, newChain(c, true));
  return { name, chains };
}

/**
 * All five tables exist, empty, policies ACCEPT (the oracle harness
 * instantiates them). `loaded` sets the registration order; pass [] to
 * start like a fresh namespace where tables appear on first use.
 */
export function createRuleset(opts: { loaded?: readonly TableName[] } = {}): Ruleset {
  const tables = {} as Record<TableName, Table>;
  for (const t of TABLES) tables[t] = createTable(t);
  return { tables, loaded: [...(opts.loaded ?? TABLES)] };
}

/** Marks a table as registered (first use in a namespace). */
export function touchTable(rs: Ruleset, table: TableName): void {
  rs.generation = (rs.generation ?? 0) + 1;
  if (!rs.loaded.includes(table)) rs.loaded.push(table);
}

/** A copy whose chains and rule arrays can change without touching `t` (rules are shared). */
export function cloneTable(t: Table): Table {
  const chains = new Map<string, Chain>();
  for (const [n, c] of t.chains) chains.set(n, { ...c, policyCounters: { ...c.policyCounters }, rules: c.rules.slice(), counters: c.counters.map((x) => ({ ...x })) });
  return { name: t.name, chains };
}

function getChain(rs: Ruleset, table: TableName, chain: string): Chain | null {
  return rs.tables[table].chains.get(chain) ?? null;
}

/** True when the rule's target jumps to another chain (-j CHAIN or -g CHAIN). */
function jumpTarget(rule: Rule): string | null {
  return rule.target && rule.target.kind === 'chain' ? rule.target.name : null;
}

/**
 * The kernel's per-entry checks for a rule nobody reaches yet (hook mask 0):
 * table, protocol and the extension's checkentry. Returns the dmesg line.
 */
export function checkEntry(table: TableName, rule: Rule): string | null {
  return kernelCheckEntry(table, rule, 0)?.log ?? null;
}

/** A kernel refusal of one entry: the errno decides iptables' message, the log is dmesg's line. */
export interface EntryRefusal {
  errno: 'EINVAL' | 'ENOENT';
  log: string;
}

/** The error iptables reports for a refused entry. */
export function refusalError(r: EntryRefusal): RulesetError {
  return r.errno === 'ENOENT' ? err(MSG_NO_CHAIN, 'iptables/no-such-object', r.log) : err(MSG_EINVAL, 'iptables/invalid', r.log);
}

function hasHookLimits(rule: Rule): boolean {
  if (rule.target?.kind === 'chain') return true;
  if (rule.target?.kind === 'extension' && getTarget(rule.target.name)?.hooks) return true;
  for (const m of rule.matches) if (getMatch(m.module)?.hooks) return true;
  return false;
}

/** The kernel's checks of a whole table at commit (translate.ts): loops, then every entry. */
export function validateTable(t: Table): RulesetError | null {
  return translateTable(t);
}

/** Rule identity for -D by spec and -C: same selectors, matches and target (iptables compares the entry bytes). */
export function sameRule(a: Rule, b: Rule): boolean {
  const sel = (x: unknown, y: unknown): boolean => JSON.stringify(x ?? null) === JSON.stringify(y ?? null);
  if (!sel(a.src, b.src) || !sel(a.dst, b.dst) || !sel(a.inIface, b.inIface) || !sel(a.outIface, b.outIface)) return false;
  if (!sel(a.proto, b.proto) || !sel(a.fragment, b.fragment) || a.goto !== b.goto) return false;
  if (a.matches.length !== b.matches.length) return false;
  for (let i = 0; i < a.matches.length; i++) {
    const x = a.matches[i]!;
    const y = b.matches[i]!;
    if (x.module !== y.module || JSON.stringify(x.options) !== JSON.stringify(y.options)) return false;
  }
  if (!a.target || !b.target) return a.target === b.target;
  return a.target.name === b.target.name && JSON.stringify(a.target.options ?? null) === JSON.stringify(b.target.options ?? null);
}

/**
 * Inserts at 0-based index, validating like a table commit (translate.ts):
 * a rule that jumps or uses a hook-limited extension makes the kernel look at
 * the whole table again (loops first); any other rule only needs its own
 * checks. `kernel` false defers the checks to a later commit (iptables-restore).
 */
function placeRule(rs: Ruleset, table: TableName, c: Chain, index: number, rule: Rule, counters: Counters | null, replace: boolean, kernel: boolean): RulesetError | null {
  const j = jumpTarget(rule);
  if (j && !rs.tables[table].chains.has(j)) return err(MSG_NO_CHAIN, 'iptables/no-chain');
  const old = replace ? c.rules[index]! : null;
  const before = { rules: c.rules, counters: c.counters };
  const cnt = counters ? { ...counters } : { packets: 0, bytes: 0 };
  // new arrays, never changed in place: what is known about a chain's rules is kept by array (a lab's versions share them)
  c.rules = [...before.rules.slice(0, index), rule, ...before.rules.slice(replace ? index + 1 : index)];
  c.counters = [...before.counters.slice(0, index), cnt, ...before.counters.slice(replace ? index + 1 : index)];
  if (!kernel) return null;
  let e: RulesetError | null = null;
  if (hasHookLimits(rule) || (old && hasHookLimits(old))) e = validateTable(rs.tables[table]);
  else {
    const bad = kernelCheckEntry(table, rule, 0);
    if (bad) e = entryError(bad);
  }
  if (e) {
    c.rules = before.rules;
    c.counters = before.counters;
  }
  return e;
}

export function appendRule(rs: Ruleset, table: TableName, chain: string, rule: Rule, counters: Counters | null = null, kernel = true): RulesetError | null {
  touchTable(rs, table);
  const c = getChain(rs, table, chain);
  if (!c) return err(MSG_NO_CHAIN, 'iptables/no-chain');
  return placeRule(rs, table, c, c.rules.length, rule, counters, false, kernel);
}

/** -I chain num (1-based). */
export function insertRule(rs: Ruleset, table: TableName, chain: string, num: number, rule: Rule, counters: Counters | null = null, kernel = true): RulesetError | null {
  touchTable(rs, table);
  const c = getChain(rs, table, chain);
  if (!c) return err(MSG_NO_CHAIN, 'iptables/no-chain');
  if (num < 1 || num > c.rules.length + 1) return err('Index of insertion too big.', 'iptables/index-too-big');
  return placeRule(rs, table, c, num - 1, rule, counters, false, kernel);
}

export function replaceRule(rs: Ruleset, table: TableName, chain: string, num: number, rule: Rule, counters: Counters | null = null, kernel = true): RulesetError | null {
  touchTable(rs, table);
  const c = getChain(rs, table, chain);
  if (!c) return err(MSG_NO_CHAIN, 'iptables/no-chain');
  if (num < 1 || num > c.rules.length) return err('Index of replacement too big.', 'iptables/index-too-big');
  return placeRule(rs, table, c, num - 1, rule, counters, true, kernel);
}

export function deleteRuleNum(rs: Ruleset, table: TableName, chain: string, num: number): RulesetError | null {
  touchTable(rs, table);
  const c = getChain(rs, table, chain);
  if (!c) return err(MSG_NO_CHAIN, 'iptables/no-chain');
  if (num < 1 || num > c.rules.length) return err('Index of deletion too big.', 'iptables/index-too-big');
  removeAt(c, num - 1);
  return null;
}

/** The chain without rule `i`, in new arrays (see placeRule). */
function removeAt(c: Chain, i: number): void {
  c.rules = [...c.rules.slice(0, i), ...c.rules.slice(i + 1)];
  c.counters = [...c.counters.slice(0, i), ...c.counters.slice(i + 1)];
}

export function findRule(c: Chain, rule: Rule): number {
  for (let i = 0; i < c.rules.length; i++) if (sameRule(c.rules[i]!, rule)) return i;
  return -1;
}

export function deleteRuleSpec(rs: Ruleset, table: TableName, chain: string, rule: Rule): RulesetError | null {
  touchTable(rs, table);
  const c = getChain(rs, table, chain);
  if (!c) return err(MSG_NO_CHAIN, 'iptables/no-chain');
  const i = findRule(c, rule);
  if (i < 0) return err('Bad rule (does a matching rule exist in that chain?).', 'iptables/no-such-rule');
  removeAt(c, i);
  return null;
}

export function checkRule(rs: Ruleset, table: TableName, chain: string, rule: Rule): RulesetError | null {
  const c = getChain(rs, table, chain);
  if (!c) return err(MSG_NO_CHAIN, 'iptables/no-chain');
  return findRule(c, rule) < 0 ? err('Bad rule (does a matching rule exist in that chain?).', 'iptables/no-such-rule') : null;
}

export function addChain(rs: Ruleset, table: TableName, chain: string): RulesetError | null {
  touchTable(rs, table);
  const t = rs.tables[table];
  if (t.chains.has(chain)) return err('Chain already exists.', 'iptables/chain-exists');
  t.chains.set(chain, newChain(chain, false));
  return null;
}

function referenced(t: Table, chain: string): boolean {
  for (const c of t.chains.values()) for (const r of c.rules) if (jumpTarget(r) === chain) return true;
  return false;
}

/** -X [chain]: without a name deletes every user chain (all must be empty and unreferenced from outside). */
export function deleteChain(rs: Ruleset, table: TableName, chain: string | null): RulesetError | null {
  touchTable(rs, table);
  const t = rs.tables[table];
  if (chain === null) {
    const users = [...t.chains.values()].filter((c) => !c.builtin);
    for (const c of users) if (c.rules.length) return err('Directory not empty.', 'iptables/chain-not-empty');
    for (const c of users) t.chains.delete(c.name);
    return null;
  }
  const c = t.chains.get(chain);
  if (!c) return err(MSG_NO_CHAIN, 'iptables/no-chain');
  if (c.builtin) return err(MSG_EINVAL, 'iptables/builtin-chain');
  if (referenced(t, chain)) return err('Too many links.', 'iptables/chain-referenced');
  if (c.rules.length) return err('Directory not empty.', 'iptables/chain-not-empty');
  t.chains.delete(chain);
  return null;
}

/** -E old new: keeps the chain's place; jumps to it follow the new name. */
export function renameChain(rs: Ruleset, table: TableName, from: string, to: string): RulesetError | null {
  touchTable(rs, table);
  const t = rs.tables[table];
  const c = t.chains.get(from);
  if (!c) return err(MSG_NO_CHAIN, 'iptables/no-chain');
  if (c.builtin) return err(MSG_EINVAL, 'iptables/builtin-chain');
  if (t.chains.has(to)) return err('File exists.', 'iptables/chain-exists');
  const entries = [...t.chains.entries()].map(([n, ch]): [string, Chain] => (n === from ? [to, ch] : [n, ch]));
  c.name = to;
  t.chains.clear();
  for (const [n, ch] of entries) t.chains.set(n, ch);
  for (const ch of t.chains.values()) {
    if (!ch.rules.some((r) => jumpTarget(r) === from)) continue;
    ch.rules = ch.rules.map((r) => (jumpTarget(r) === from ? { ...r, target: { ...r.target!, name: to } } : r));
  }
  return null;
}

export function flushChain(rs: Ruleset, table: TableName, chain: string | null): RulesetError | null {
  touchTable(rs, table);
  const t = rs.tables[table];
  if (chain === null) {
    for (const c of t.chains.values()) {
      c.rules = [];
      c.counters = [];
    }
    return null;
  }
  const c = t.chains.get(chain);
  if (!c) return err(MSG_NO_CHAIN, 'iptables/no-chain');
  c.rules = [];
  c.counters = [];
  return null;
}

export function zeroCounters(rs: Ruleset, table: TableName, chain: string | null, num: number | null = null): RulesetError | null {
  touchTable(rs, table);
  const t = rs.tables[table];
  const list = chain === null ? [...t.chains.values()] : [t.chains.get(chain)];
  for (const c of list) {
    if (!c) return err(MSG_NO_CHAIN, 'iptables/no-chain');
    if (num !== null) {
      if (num < 1 || num > c.rules.length) return err('Index of counter too big.', 'iptables/index-too-big');
      c.counters[num - 1] = { packets: 0, bytes: 0 };
      continue;
    }
    c.counters = c.counters.map(() => ({ packets: 0, bytes: 0 }));
    c.policyCounters = { packets: 0, bytes: 0 };
  }
  return null;
}

export function setPolicy(rs: Ruleset, table: TableName, chain: string, policy: string, counters: Counters | null = null): RulesetError | null {
  touchTable(rs, table);
  const c = rs.tables[table].chains.get(chain);
  if (!c || !c.builtin) return err('Bad built-in chain name.', 'iptables/not-builtin');
  // libiptc hands an unknown verdict to the kernel, which refuses it: iptables adds the dmesg hint
  if (policy !== 'ACCEPT' && policy !== 'DROP') return err("Bad policy name. Run `dmesg' for more information.", 'iptables/bad-policy');
  c.policy = policy;
  if (counters) c.policyCounters = { ...counters };
  return null;
}

/**
 * True when the rule needs connection tracking: conntrack/state/connmark
 * matches, NAT/CONNMARK targets, CT other than --notrack (REPORT.md §5.1).
 */
export function needsConntrack(rule: Rule): boolean {
  for (const m of rule.matches) if (getMatch(m.module)?.needsConntrack) return true;
  const t = rule.target;
  if (!t || t.kind !== 'extension') return false;
  const spec = getTarget(t.name);
  if (!spec) return false;
  return spec.needsConntrackFor ? spec.needsConntrackFor(t.options) : spec.needsConntrack === true;
}
