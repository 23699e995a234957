// pattern: Functional Core
// What the rule form may offer, read from the engine's own registries of
// match and target extensions: the same option lists the command parser
// accepts, so the form never offers an option the extension does not have,
// nor a target in a table or chain the kernel would refuse it in.

import { MATCHES } from '../../engine/iptables/modules';
import { TARGETS } from '../../engine/iptables/targets';
import { BUILTIN_CHAINS, TABLES, type TableName } from '../../engine/netfilter/hooks';

export interface OptionDescription {
  /** without the leading `--` */
  name: string;
  /** takes an argument */
  arg: boolean;
  /** takes a second word too (`--tcp-flags MASK COMP`) */
  arg2: boolean;
  /** may be negated with `!` */
  invert: boolean;
}

export interface ExtensionDescription {
  name: string;
  options: OptionDescription[];
  /** the protocol the rule must name with `-p` (xt_match .proto), as a number */
  proto: number | null;
  /** the only table the kernel allows it in */
  table: TableName | null;
  /** built-in chains (hooks) the kernel allows it from; null: all */
  hooks: string[] | null;
}

function describeOptions(options: readonly { name: string; arg: boolean; arg2?: boolean; invert?: boolean }[]): OptionDescription[] {
  return options.map((o) => ({ name: o.name, arg: o.arg, arg2: o.arg2 === true, invert: o.invert !== false }));
}

/**
 * Extension names are ASCII (lower case for matches, upper case for
 * targets), so code-unit order is alphabetical, the same in every locale.
 * localeCompare would build the browser's collator on first use: ~40 ms on
 * a phone while this chunk loads, for the same order.
 */
const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

const matchList: ExtensionDescription[] = [...MATCHES.values()]
  .map((m) => ({ name: m.name, options: describeOptions(m.options), proto: m.proto ?? null, table: m.table ?? null, hooks: m.hooks ? [...m.hooks] : null }))
  .sort(byName);

const targetList: ExtensionDescription[] = [...TARGETS.values()]
  .map((t) => ({ name: t.name, options: describeOptions(t.options), proto: null, table: t.table ?? null, hooks: t.hooks ? [...t.hooks] : null }))
  .sort(byName);

/** The verdicts ip_tables itself knows. */
export const VERDICT_TARGETS = ['ACCEPT', 'DROP', 'RETURN', 'QUEUE'] as const;

export { TABLES };

export function builtinChains(table: TableName): readonly string[] {
  return BUILTIN_CHAINS[table];
}

export function describeMatch(name: string): ExtensionDescription | undefined {
  return matchList.find((m) => m.name === name);
}

export function describeTarget(name: string): ExtensionDescription | undefined {
  return targetList.find((t) => t.name === name);
}

/**
 * Whether an extension fits a table and chain. A user chain can be jumped to
 * from any built-in chain, so only the table is checked there (the kernel
 * checks the hooks when the rule that jumps is added).
 */
function fits(e: ExtensionDescription, table: TableName, chain: string): boolean {
  if (e.table && e.table !== table) return false;
  if (e.hooks && (BUILTIN_CHAINS[table] as readonly string[]).includes(chain) && !e.hooks.includes(chain)) return false;
  return true;
}

/** Matches usable in `table`/`chain` (protocol matches too: the form adds `-p` for them). */
export function matchesFor(table: TableName, chain: string): ExtensionDescription[] {
  return matchList.filter((m) => fits(m, table, chain));
}

/** Extension targets usable in `table`/`chain`. */
export function targetsFor(table: TableName, chain: string): ExtensionDescription[] {
  return targetList.filter((t) => fits(t, table, chain));
}

/** Every match and target the engine models (for counts and tests). */
export function allExtensions(): { matches: readonly ExtensionDescription[]; targets: readonly ExtensionDescription[] } {
  return { matches: matchList, targets: targetList };
}

const PROTO_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 33: 'dccp', 50: 'esp', 51: 'ah', 108: 'ipcomp', 132: 'sctp' };

/** The `-p` word a match needs (tcp for `-m tcp`), or null. */
export function protoWord(e: ExtensionDescription): string | null {
  return e.proto === null ? null : (PROTO_NAMES[e.proto] ?? String(e.proto));
}
