// pattern: Functional Core
// What the kernel checks when a table is committed (IPT_SO_SET_REPLACE →
// net/ipv4/netfilter/ip_tables.c translate_table), in its order:
//  1. mark_source_chains walks from every hook entry and refuses a loop
//     (ELOOP, nothing in dmesg); it also gives each rule the set of hooks
//     it can be reached from (e->comefrom; 0 for a chain nobody reaches);
//  2. find_check_entry then checks every rule in the table's memory order —
//     the built-in chains in hook order, then the user chains sorted by name
//     (libiptc keeps them so) — each match with xt_check_match (table, hooks,
//     protocol, then the extension's checkentry), then the target with
//     xt_check_target. The first refusal is EINVAL with one dmesg line.
// Recorded on kernel 6.18: restore-real.test.ts ("kernel refusals at COMMIT").

import type { HookName, TableName } from '../netfilter/hooks';
import { BUILTIN_CHAINS, HOOKS } from '../netfilter/hooks';
import type { Rule } from './types';
import type { Chain, RulesetError, Table } from './ruleset';
import { getMatch } from './modules/index';
import { getTarget } from './targets/index';
import type { CheckRefusal } from './modules/module';

export const HOOK_BIT: Readonly<Record<HookName, number>> = { PREROUTING: 1, INPUT: 2, FORWARD: 4, OUTPUT: 8, POSTROUTING: 16 };

const MSG_EINVAL = "iptables: Invalid argument. Run `dmesg' for more information.";
/** What iptables prints for each errno a checkentry returns (libiptc's strerror table). */
const ERRNO_TEXT: Readonly<Record<EntryRefusal['errno'], string>> = {
  EINVAL: MSG_EINVAL,
  ENOENT: 'iptables: No chain/target/match by that name.',
  ERANGE: 'iptables: Numerical result out of range.',
};
const ERRNO_CODE: Readonly<Record<EntryRefusal['errno'], string>> = {
  EINVAL: 'iptables/invalid',
  ENOENT: 'iptables/no-such-extension',
  ERANGE: 'iptables/out-of-range',
};

/** find_check_entry's refusal: the errno and the dmesg line (null: nothing logged). */
export type EntryRefusal = CheckRefusal;

function refusal(r: string | CheckRefusal | null | undefined): EntryRefusal | null {
  if (!r) return null;
  return typeof r === 'string' ? { errno: 'EINVAL', log: r } : r;
}

/** The RulesetError of an entry refusal. */
export function entryError(r: EntryRefusal, detail?: string): RulesetError {
  const e: RulesetError = { message: ERRNO_TEXT[r.errno], code: ERRNO_CODE[r.errno] };
  if (r.log) e.kernelLog = r.log;
  if (detail) e.detail = detail;
  return e;
}

/** textify_hooks: "PREROUTING/INPUT". */
export function hooksText(mask: number): string {
  return HOOKS.filter((h) => mask & HOOK_BIT[h]).join('/');
}

function hookMaskOf(hooks: readonly HookName[]): number {
  let m = 0;
  for (const h of hooks) m |= HOOK_BIT[h];
  return m;
}

function jumpTarget(rule: Rule): string | null {
  return rule.target && rule.target.kind === 'chain' ? rule.target.name : null;
}

/**
 * mark_source_chains: the hooks each chain is reached from, or the first
 * loop found (as the chain path that closes it, e.g. INPUT → A → B → A).
 * Iterative, so a 10,000-chain-deep table cannot overflow the stack.
 */
export function markSourceChains(t: Table): { masks: Map<string, number>; loop: string[] | null } {
  const masks = new Map<string, number>();
  for (const hook of BUILTIN_CHAINS[t.name]) {
    const bit = HOOK_BIT[hook];
    // stack of [chain, next rule index]; onPath mirrors the stack's chains
    const stack: [Chain, number][] = [];
    const onPath = new Set<string>();
    const enter = (name: string): string[] | null => {
      if (onPath.has(name)) return [...stack.map(([c]) => c.name), name];
      const c = t.chains.get(name);
      if (!c) return null;
      const prev = masks.get(name) ?? 0;
      // already walked from this hook: nothing new below it (a loop there would have been found)
      if (prev & bit) return null;
      masks.set(name, prev | bit);
      stack.push([c, 0]);
      onPath.add(name);
      return null;
    };
    let loop = enter(hook);
    for (let guard = 0; stack.length > 0 && !loop && guard < 50_000_000; guard++) {
      const top = stack[stack.length - 1]!;
      const [c, i] = top;
      if (i >= c.rules.length) {
        stack.pop();
        onPath.delete(c.name);
        continue;
      }
      top[1] = i + 1;
      const j = jumpTarget(c.rules[i]!);
      if (j) loop = enter(j);
    }
    if (loop) return { masks, loop };
  }
  return { masks, loop: null };
}

/**
 * find_check_entry for one rule reached from the hooks in `mask`: the first
 * refusal (errno and dmesg line), null when the kernel accepts the rule.
 */
export function checkEntry(table: TableName, rule: Rule, mask: number): EntryRefusal | null {
  const einval = (log: string): EntryRefusal => ({ errno: 'EINVAL', log });
  for (const m of rule.matches) {
    const spec = getMatch(m.module);
    if (!spec) continue;
    if (spec.table && spec.table !== table) return einval(`x_tables: ip_tables: ${spec.name} match: only valid in ${spec.table} table, not ${table}`);
    if (spec.hooks) {
      const allowed = hookMaskOf(spec.hooks);
      if (mask & ~allowed) return einval(`x_tables: ip_tables: ${spec.name} match: used from hooks ${hooksText(mask)}, but only valid from ${hooksText(allowed)}`);
    }
    if (spec.proto !== undefined && (!rule.proto || rule.proto.num !== spec.proto || rule.proto.invert))
      return einval(`x_tables: ip_tables: ${spec.name} match: only valid for protocol ${spec.proto}`);
    const c = refusal(spec.check?.(m.options, rule, table));
    if (c) return c;
  }
  const t = rule.target;
  if (t && t.kind === 'extension') {
    const spec = getTarget(t.name);
    if (spec) {
      if (spec.table && spec.table !== table) return einval(`x_tables: ip_tables: ${spec.name} target: only valid in ${spec.table} table, not ${table}`);
      if (spec.hooks) {
        const allowed = hookMaskOf(spec.hooks);
        if (mask & ~allowed) return einval(`x_tables: ip_tables: ${spec.name} target: used from hooks ${hooksText(mask)}, but only usable from ${hooksText(allowed)}`);
      }
      const c = refusal(spec.check?.(t.options, rule, table));
      if (c) return c;
    }
  }
  return null;
}

/** The chains in the table's memory order: built-in ones in hook order, then user chains by name. */
export function chainsInKernelOrder(t: Table): Chain[] {
  const builtin: Chain[] = [];
  const user: Chain[] = [];
  for (const c of t.chains.values()) (c.builtin ? builtin : user).push(c);
  user.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return builtin.concat(user);
}

/** translate_table: null when the kernel takes the table, else its refusal. */
export function translateTable(t: Table): RulesetError | null {
  const { masks, loop } = markSourceChains(t);
  if (loop) return { message: 'iptables: Too many levels of symbolic links.', code: 'iptables/loop', detail: `the jumps loop: ${loop.join(' → ')}` };
  for (const c of chainsInKernelOrder(t)) {
    const mask = masks.get(c.name) ?? 0;
    for (let i = 0; i < c.rules.length; i++) {
      const r = c.rules[i]!;
      const j = jumpTarget(r);
      if (j && !t.chains.has(j)) return { message: 'iptables: No chain/target/match by that name.', code: 'iptables/no-chain', detail: `${c.name} rule ${i + 1} jumps to ${j}` };
      const bad = checkEntry(t.name, r, mask);
      if (bad) return entryError(bad, `${c.name} rule ${i + 1}`);
    }
  }
  return null;
}
