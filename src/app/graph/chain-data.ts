// pattern: Functional Core
// What the graph and the rule list read out of a WalkLog: a chain's size and
// counters as of a step on one host, the rule the current step is on, the
// clause lines that say why earlier rules did not match, and the window of
// rows a virtualised list draws. The rules themselves come from the worker a
// page at a time (ChainRules).

import type { ChainView, RuleExplanation, WalkLog, WalkStep } from '../../engine/walk-log';
import type { ChainPage } from '../../engine/lab/views';

export interface ChainSummary {
  rules: number;
  /** packets and bytes counted by the chain's rules */
  packets: number;
  bytes: number;
  /** built-in chains only */
  policy: string | null;
  policyPackets: number;
}

/** Split 'filter FORWARD' (or a user chain: 'nat DOCKER') into table and chain. */
export function parseChainRef(ref: string): { table: string; chain: string } | null {
  const sp = ref.indexOf(' ');
  if (sp <= 0 || sp === ref.length - 1) return null;
  return { table: ref.slice(0, sp), chain: ref.slice(sp + 1) };
}

/** A chain as the walk log lists it (built-in chains and those the walk entered): its size and policy, no rules. */
export function findChain(log: WalkLog | null, host: string, ref: string): ChainView | null {
  const r = parseChainRef(ref);
  if (!log || !r) return null;
  const h = log.hosts.find((x) => x.name === host);
  return h?.tables[r.table]?.find((c) => c.name === r.chain) ?? null;
}

/**
 * Rule count and counters of every chain of a host the log lists, keyed
 * 'TABLE CHAIN', the counters as the walk had left them after step `asOf`
 * (the whole walk when omitted). A rule step is one packet counted at its
 * rule (with its text), or at the policy (without); the worker's chain pages
 * count the same way (engine/lab/views.ts).
 */
export function chainSummaries(log: WalkLog | null, host: string, asOf = Number.MAX_SAFE_INTEGER): Map<string, ChainSummary> {
  const out = new Map<string, ChainSummary>();
  const h = log?.hosts.find((x) => x.name === host);
  if (!log || !h) return out;
  for (const [table, chains] of Object.entries(h.tables)) {
    for (const c of chains) out.set(`${table} ${c.name}`, { rules: c.ruleCount, packets: 0, bytes: 0, policy: c.policy, policyPackets: 0 });
  }
  for (const c of countedSteps(log, host)) {
    if (c.i > asOf) break;
    const sum = out.get(c.chain);
    if (!sum) continue;
    if (c.policy) sum.policyPackets++;
    else {
      sum.packets++;
      sum.bytes += c.len;
    }
  }
  return out;
}

interface Counted {
  i: number;
  /** 'TABLE CHAIN' */
  chain: string;
  /** counted at the policy, not at a rule */
  policy: boolean;
  len: number;
}

const counted = new WeakMap<WalkLog, Map<string, Counted[]>>();

/** The steps that count a packet on a host, in step order: found once per log and host, since every step asks. */
function countedSteps(log: WalkLog, host: string): Counted[] {
  let byHost = counted.get(log);
  if (!byHost) counted.set(log, (byHost = new Map()));
  let out = byHost.get(host);
  if (!out) {
    out = [];
    for (let i = 0; i < log.steps.length; i++) {
      const s = log.steps[i]!;
      if (s.kind !== 'rule' || s.host !== host) continue;
      if (s.rule !== null) out.push({ i, chain: `${s.table} ${s.chain}`, policy: false, len: s.headers.len });
      else if (s.type === 'policy') out.push({ i, chain: `${s.table} ${s.chain}`, policy: true, len: s.headers.len });
    }
    byHost.set(host, out);
  }
  return out;
}

/**
 * Whether a chain's counters differ between steps `a` and `b` of a walk:
 * some step between them (after the earlier, up to the later) counted a
 * packet in that chain on that host, at a rule or at its policy — the steps
 * chainSummaries and the worker's chain pages count. When none did, a page
 * of the chain as of one step is the page as of the other.
 */
export function countedBetween(log: WalkLog, host: string, table: string, chain: string, a: number, b: number): boolean {
  const last = Math.min(Math.max(a, b), log.steps.length - 1);
  for (let i = Math.max(Math.min(a, b) + 1, 0); i <= last; i++) {
    const s = log.steps[i]!;
    if (s.kind === 'rule' && s.host === host && s.table === table && s.chain === chain && (s.rule !== null || s.type === 'policy')) return true;
  }
  return false;
}

/**
 * A newer page of the same rows with the older page's objects wherever
 * nothing changed (a rule's text, target and counters; the policy's
 * counters), so a list memoised by row re-renders only the rows the step
 * counted.
 */
export function sharePage(older: ChainPage | null | undefined, newer: ChainPage | null): ChainPage | null {
  if (!older || !newer || older.from !== newer.from) return newer;
  const same = (x: { packets: number; bytes: number }, y: { packets: number; bytes: number }) => x.packets === y.packets && x.bytes === y.bytes;
  const rules = newer.rules.map((r, k) => {
    const o = older.rules[k];
    return o && o.num === r.num && o.text === r.text && o.target === r.target && o.goto === r.goto && same(o.counters, r.counters) ? o : r;
  });
  const policyCounters = same(older.policyCounters, newer.policyCounters) ? older.policyCounters : newer.policyCounters;
  return { ...newer, rules, policyCounters };
}

/** iptables -L -v style sizes: 60, 1500, 12K, 3M. */
export function formatCount(n: number): string {
  if (n < 100_000) return String(n);
  if (n < 10_000_000) return `${Math.round(n / 1000)}K`;
  return `${Math.round(n / 1_000_000)}M`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** The rule step the list should mark, when the current step is in this chain on this host. */
export function ruleStepIn(step: WalkStep | null | undefined, host: string, ref: string): Extract<WalkStep, { kind: 'rule' }> | null {
  if (!step || step.kind !== 'rule' || step.host !== host) return null;
  return `${step.table} ${step.chain}` === ref ? step : null;
}

/**
 * Which row the step lights: a rule number, or 'policy' when the chain's end
 * decided (the policy of a built-in chain, the implicit return of a user one).
 */
export function markedRow(step: Extract<WalkStep, { kind: 'rule' }> | null): number | 'policy' | null {
  if (!step) return null;
  if (step.type === 'policy' || (step.type === 'return' && step.rule === null)) return 'policy';
  return step.rulenum;
}

/** The rule text without the `-A CHAIN` every row would repeat. */
export function ruleBody(text: string, chain: string): string {
  const prefix = `-A ${chain} `;
  return text.startsWith(prefix) ? text.slice(prefix.length) : text;
}

/**
 * The lines a row shows under its rule: for a rule the packet passed, each
 * clause that failed ("✗ --dport 22 ≠ 8080"); for the rule that matched,
 * each clause that held.
 */
export function clauseLines(ex: RuleExplanation | undefined, words: { matched: string; notMatched: string } = { matched: 'matched', notMatched: 'did not match' }): string[] {
  if (!ex) return [];
  const pick = ex.matched ? ex.clauses.filter((c) => c.ok) : ex.clauses.filter((c) => !c.ok);
  const mark = ex.matched ? '✓' : '✗';
  const lines = pick.map((c) => `${mark} ${c.why ?? (c.ok ? words.matched : words.notMatched)}`);
  if (!ex.matched && lines.length === 0) lines.push(`✗ ${words.notMatched}`);
  return lines;
}

/**
 * The rows of a fixed-row-height list to draw for a scroll position, with
 * `overscan` spare rows on each side so fast scrolling shows no gaps.
 */
export function windowRange(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 6): { first: number; last: number } {
  if (count <= 0 || rowHeight <= 0) return { first: 0, last: -1 };
  const top = Math.max(0, scrollTop);
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(count - 1, Math.ceil((top + Math.max(0, viewport)) / rowHeight) + overscan - 1);
  return { first, last: Math.max(first - 1, last) };
}

/** The scrollTop that brings row `i` into view, or the current one if it is already visible. */
export function scrollToRow(i: number, scrollTop: number, viewport: number, rowHeight: number): number {
  const top = i * rowHeight;
  const bottom = top + rowHeight;
  if (top >= scrollTop && bottom <= scrollTop + viewport) return scrollTop;
  // centre the row: what came before it is what the reader wants to see next
  return Math.max(0, Math.round(top - (viewport - rowHeight) / 2));
}
