// pattern: Functional Core
// The match and target extensions as plain data for the page's rule form:
// each one's options exactly as its parser declares them (whether they take
// an argument, a second word, `!`), the protocol it needs and the table and
// hooks the kernel allows it in. The form offers only what the command
// parser accepts, and it gets this from the worker, since the registries
// themselves are engine code the page does not load.

import type { HookName, TableName } from '../netfilter/hooks';
import { MATCHES } from './modules';
import { TARGETS } from './targets';
import type { OptionSpec } from './modules/module';

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
  hooks: HookName[] | null;
}

export interface ExtensionCatalog {
  /** by name */
  matches: ExtensionDescription[];
  targets: ExtensionDescription[];
}

function describeOptions(options: readonly OptionSpec[]): OptionDescription[] {
  return options.map((o) => ({ name: o.name, arg: o.arg, arg2: o.arg2 === true, invert: o.invert !== false }));
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Every match and target the engine models, sorted by name. */
export function extensionCatalog(): ExtensionCatalog {
  return {
    matches: [...MATCHES.values()].map((m) => ({ name: m.name, options: describeOptions(m.options), proto: m.proto ?? null, table: m.table ?? null, hooks: m.hooks ? [...m.hooks] : null })).sort(byName),
    targets: [...TARGETS.values()].map((t) => ({ name: t.name, options: describeOptions(t.options), proto: null, table: t.table ?? null, hooks: t.hooks ? [...t.hooks] : null })).sort(byName),
  };
}
