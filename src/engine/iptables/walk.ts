// pattern: Functional Core
// ipt_do_table for one table at one hook, with the kernel's TRACE labelling.
//
// Labels (net/ipv4/netfilter/ip_tables.c, get_chainname_rulenum; REPORT.md
// §5.6, oracle cases 08, 09, 10, 50): only entries that match are traced; the
// rule number is the entry's position in its chain; a built-in chain's policy
// is entry N+1 and prints `policy`; falling off a user chain is its tail entry
// N+1 and prints `return`; any *unconditional* rule whose target is a plain
// verdict (ACCEPT, DROP, QUEUE, RETURN) prints `policy`/`return` with its own
// number, because to the kernel it looks exactly like a chain tail.
// RETURN with an empty jump stack (the chain was entered by -g from the
// built-in chain) continues at the built-in chain's policy (the "underflow").
// The walk is a loop with an explicit jump stack, as in the kernel, so a
// 3,000-deep chain of jumps costs no JavaScript stack; like the kernel's
// jumpstack it holds at most `stacksize` entries (one per user chain, since
// translate_table counts the chains' ERROR heads), and a jump beyond that
// drops the packet (ipt_do_table: "stackidx >= private->stacksize").

import type { Packet } from '../net/packet';
import type { MatchContext, Rule, TargetInstance } from './types';
import type { HookName, TableName } from '../netfilter/hooks';
import { ruleMatches } from './rule-match';
import { compiledFor, nextCandidate } from './compiled-chain';

export interface ChainLike {
  name: string;
  /** built-in chains only */
  policy: 'ACCEPT' | 'DROP' | null;
  rules: Rule[];
}

export interface TableLike {
  chain(name: string): ChainLike | undefined;
  /** changes whenever any chain of the ruleset changed (for compiled views) */
  generation: number;
  /** xt_table_info.stacksize: how many jumps may be on the stack (absent: unbounded) */
  readonly stacksize?: number;
}

export type TraceType = 'rule' | 'return' | 'policy';

export interface NfEvent {
  table: TableName;
  chain: string;
  hook: HookName;
  type: TraceType;
  rulenum: number;
  target: string | null;
  goto: boolean;
  /** the matched rule; null for a policy or an implicit return */
  rule: Rule | null;
}

/** What a target extension did with the packet. */
export type TargetResult =
  | { verdict: 'continue' }
  | { verdict: 'accept' }
  | { verdict: 'drop' }
  | { verdict: 'stolen' }
  | { verdict: 'queue' };

export type TableVerdict = 'accept' | 'drop' | 'queue' | 'stolen';

export interface WalkHooks {
  /** every traced entry, in kernel order, before its target runs */
  trace(ev: NfEvent): void;
  /** ADD_COUNTER on the matched entry (rule, or the chain's policy when rule is null) */
  count(table: TableName, chain: ChainLike, rule: Rule | null, bytes: number): void;
  /** run a target extension (LOG, MARK, DNAT, REJECT, ...) */
  target(target: TargetInstance, rule: Rule, packet: Packet): TargetResult;
  /**
   * How many rules the kernel examined (a linear first-match scan looks at
   * every rule until one matches): for "rules evaluated per packet" figures,
   * and the run's work budget (which may end the run here by throwing).
   */
  examined?(n: number, chain: string): void;
}

/** Bound on entries visited for one packet in one table: a safety net, since jump loops are refused at load time. */
export const MAX_ENTRIES_PER_TABLE = 5_000_000;

export function isUnconditional(rule: Rule): boolean {
  return (
    rule.src === undefined &&
    rule.dst === undefined &&
    rule.inIface === undefined &&
    rule.outIface === undefined &&
    rule.proto === undefined &&
    rule.fragment === undefined &&
    rule.matches.length === 0
  );
}

function labelFor(rule: Rule, builtin: boolean): TraceType {
  const t = rule.target;
  if (t && (t.kind === 'verdict' || t.kind === 'return') && isUnconditional(rule)) {
    return builtin ? 'policy' : 'return';
  }
  return 'rule';
}

interface Frame {
  chain: ChainLike;
  next: number;
}

export function runTable(
  tableName: TableName,
  table: TableLike,
  hook: HookName,
  packet: Packet,
  ctx: MatchContext,
  hooks: WalkHooks,
): TableVerdict {
  const base = table.chain(hook);
  if (!base) return 'accept';
  let chain: ChainLike = base;
  let i = 0;
  const stack: Frame[] = [];
  let budget = MAX_ENTRIES_PER_TABLE;
  const gen = table.generation;
  const stacksize = table.stacksize ?? Infinity;
  for (;;) {
    if (--budget < 0) return 'drop';
    const rules = chain.rules;
    const from = i;
    i = nextCandidate(compiledFor(chain, gen), i, packet);
    if (hooks.examined) hooks.examined(Math.min(i + 1, rules.length) - from + (i >= rules.length ? 1 : 0), chain.name);
    if (i >= rules.length) {
      const builtin = chain === base;
      hooks.count(tableName, chain, null, packet.len);
      if (builtin) {
        const policy = chain.policy ?? 'ACCEPT';
        hooks.trace({ table: tableName, chain: chain.name, hook, type: 'policy', rulenum: rules.length + 1, target: policy, goto: false, rule: null });
        return policy === 'DROP' ? 'drop' : 'accept';
      }
      hooks.trace({ table: tableName, chain: chain.name, hook, type: 'return', rulenum: rules.length + 1, target: 'RETURN', goto: false, rule: null });
      const f = stack.pop();
      if (f) {
        chain = f.chain;
        i = f.next;
      } else {
        chain = base;
        i = base.rules.length;
      }
      continue;
    }
    const rule = rules[i]!;
    ctx.chain = chain.name;
    if (!ruleMatches(rule, packet, ctx)) {
      // a match set par->hotdrop: ipt_do_table stops and drops, with no TRACE line for the rule
      if (ctx.hotdrop) return 'drop';
      i++;
      continue;
    }
    hooks.count(tableName, chain, rule, packet.len);
    const t = rule.target;
    hooks.trace({
      table: tableName,
      chain: chain.name,
      hook,
      type: labelFor(rule, chain === base),
      rulenum: i + 1,
      target: t ? t.name : null,
      goto: rule.goto,
      rule,
    });
    if (!t) {
      i++;
      continue;
    }
    switch (t.kind) {
      case 'verdict':
        if (t.name === 'ACCEPT') return 'accept';
        if (t.name === 'DROP') return 'drop';
        return 'queue';
      case 'return': {
        const f = stack.pop();
        if (f) {
          chain = f.chain;
          i = f.next;
        } else {
          chain = base;
          i = base.rules.length;
        }
        continue;
      }
      case 'chain': {
        const next = table.chain(t.name);
        if (!next) return 'drop';
        if (!rule.goto) {
          if (stack.length >= stacksize) return 'drop';
          stack.push({ chain, next: i + 1 });
        }
        chain = next;
        i = 0;
        continue;
      }
      case 'extension': {
        const r = hooks.target(t, rule, packet);
        switch (r.verdict) {
          case 'continue':
            i++;
            continue;
          case 'accept':
            return 'accept';
          case 'drop':
            return 'drop';
          case 'queue':
            return 'queue';
          case 'stolen':
            return 'stolen';
        }
      }
    }
  }
}
