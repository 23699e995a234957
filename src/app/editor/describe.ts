// pattern: Functional Core
// What the rule form may offer, read from the engine's catalog of match and
// target extensions (the worker's `extensions`): the same option lists the
// command parser accepts, so the form never offers an option the extension
// does not have, nor a target in a table or chain the kernel would refuse
// it in.

import type { ExtensionCatalog, ExtensionDescription } from '../../worker/protocol';
import { BUILTIN_CHAINS, isBuiltinChain, type TableName } from '../../vocabulary/netfilter';

export type { ExtensionCatalog, ExtensionDescription };
export { TABLES, VERDICT_TARGETS } from '../../vocabulary/netfilter';

export function builtinChains(table: TableName): readonly string[] {
  return BUILTIN_CHAINS[table];
}

export function describeMatch(catalog: ExtensionCatalog | null, name: string): ExtensionDescription | undefined {
  return catalog?.matches.find((m) => m.name === name);
}

export function describeTarget(catalog: ExtensionCatalog | null, name: string): ExtensionDescription | undefined {
  return catalog?.targets.find((t) => t.name === name);
}

/**
 * Whether an extension fits a table and chain. A user chain can be jumped to
 * from any built-in chain, so only the table is checked there (the kernel
 * checks the hooks when the rule that jumps is added).
 */
function fits(e: ExtensionDescription, table: TableName, chain: string): boolean {
  if (e.table && e.table !== table) return false;
  if (e.hooks && isBuiltinChain(table, chain) && !e.hooks.includes(chain)) return false;
  return true;
}

/** Matches usable in `table`/`chain` (protocol matches too: the form adds `-p` for them). */
export function matchesFor(catalog: ExtensionCatalog | null, table: TableName, chain: string): ExtensionDescription[] {
  return (catalog?.matches ?? []).filter((m) => fits(m, table, chain));
}

/** Extension targets usable in `table`/`chain`. */
export function targetsFor(catalog: ExtensionCatalog | null, table: TableName, chain: string): ExtensionDescription[] {
  return (catalog?.targets ?? []).filter((t) => fits(t, table, chain));
}

const PROTO_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 33: 'dccp', 50: 'esp', 51: 'ah', 108: 'ipcomp', 132: 'sctp' };

/** The `-p` word a match needs (tcp for `-m tcp`), or null. */
export function protoWord(e: ExtensionDescription): string | null {
  return e.proto === null ? null : (PROTO_NAMES[e.proto] ?? String(e.proto));
}

/** Does option `opt` of match or target `ext` take an argument? (the command builder's question) */
export function takesArg(catalog: ExtensionCatalog | null, ext: string, opt: string): boolean | undefined {
  return (describeMatch(catalog, ext) ?? describeTarget(catalog, ext))?.options.find((o) => o.name === opt)?.arg;
}
