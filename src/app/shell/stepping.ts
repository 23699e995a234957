// pattern: Functional Core
// Step granularity: which steps of a walk one press of → or ← lands on when
// the reader steps by event, by chain, by hook, by host or by packet, with
// runs of empty chains and the transmit step right before a packet's end on
// the wire optionally left out; and the scrubber's packet and host bands.
// Everything is read from the engine's walk log; the stops of a log are
// computed once per granularity and kept by the log's identity.

import type { WalkLog, WalkStep } from '../../engine/walk-log';

export const GRANULARITIES = ['event', 'chain', 'hook', 'host', 'packet'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export interface StepOptions {
  granularity: Granularity;
  /** leave out runs of chains without rules (but their last) and a transmit followed by the end on the wire */
  collapse: boolean;
}

/**
 * The group a step belongs to at a granularity: a press lands on the first
 * step of the next group. A chain is one table's chain of one packet (a jump
 * to a user chain is a chain of its own); a hook is every box of one packet
 * between entering the hook and leaving it (conntrack, the tables, a NAT
 * that conntrack applies); steps outside the hooks (routing, forward,
 * delivery, the wire) are groups of their own box.
 */
function groupKey(s: WalkStep, g: Granularity): string {
  switch (g) {
    case 'event':
      return String(s.i);
    case 'chain':
      return s.kind === 'rule' ? `${s.packet}|${s.table}|${s.chain}` : `${s.packet}|${s.node}`;
    case 'hook':
      return `${s.packet}|${stepHook(s) ?? s.node}`;
    case 'host':
      return s.host;
    case 'packet':
      return String(s.packet);
  }
}

/** The netfilter hook a step happens in, null outside the hooks. */
export function stepHook(s: WalkStep): string | null {
  if (s.kind === 'rule') return s.hook;
  if (s.kind !== 'note') return null;
  const n = s.note;
  return n.kind === 'conntrack' || n.kind === 'nat' || n.kind === 'ipvs' ? n.hook : null;
}

/** The chains without rules, per host: 'router filter INPUT'. */
function emptyChains(log: WalkLog): Set<string> {
  const out = new Set<string>();
  for (const h of log.hosts) for (const [table, chains] of Object.entries(h.tables)) for (const c of chains) if (c.ruleCount === 0) out.add(`${h.name} ${table} ${c.name}`);
  return out;
}

/**
 * Steps the collapse leaves out: in a run of two or more consecutive chains
 * without rules (one packet), all but the last; a transmit note directly
 * followed by the packet's end on the wire (the end says the same, with its
 * fate).
 */
export function collapsedSteps(log: WalkLog): Uint8Array {
  const skip = new Uint8Array(log.steps.length);
  const empty = emptyChains(log);
  const isEmpty = (s: WalkStep | undefined) => s !== undefined && s.kind === 'rule' && empty.has(`${s.host} ${s.table} ${s.chain}`);
  const steps = log.steps;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    const next = steps[i + 1];
    if (isEmpty(s) && isEmpty(next) && next!.packet === s.packet) skip[i] = 1;
    if (s.kind === 'note' && s.note.kind === 'transmit' && next?.kind === 'end' && next.packet === s.packet && next.node === 'iface-out') skip[i] = 1;
  }
  return skip;
}

const cache = new WeakMap<WalkLog, Map<string, Int32Array>>();

/**
 * The step indexes a press lands on, ascending.
 *
 * @example
 * const at = stops(log, { granularity: 'hook', collapse: false });
 * stepTo(stores, nextStop(at, index, log.steps.length));
 */
export function stops(log: WalkLog, opts: StepOptions): Int32Array {
  const key = `${opts.granularity}${opts.collapse ? '+' : ''}`;
  let m = cache.get(log);
  if (!m) cache.set(log, (m = new Map()));
  const hit = m.get(key);
  if (hit) return hit;
  const skip = opts.collapse ? collapsedSteps(log) : null;
  const out: number[] = [];
  let last: string | null = null;
  // the group whose stop is still to be placed (its first steps were all collapsed)
  let pending = false;
  for (let i = 0; i < log.steps.length; i++) {
    const k = groupKey(log.steps[i]!, opts.granularity);
    if (k !== last) pending = true;
    last = k;
    if (pending && !skip?.[i]) {
      out.push(i);
      pending = false;
    }
  }
  const at = Int32Array.from(out);
  m.set(key, at);
  return at;
}

/** The first stop after `index`; the walk's last step when no stop is left, so the end is always reachable. */
export function nextStop(at: Int32Array, index: number, n: number): number {
  let lo = 0;
  let hi = at.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at[mid]! <= index) lo = mid + 1;
    else hi = mid;
  }
  return lo < at.length ? at[lo]! : Math.max(index, n - 1);
}

/** The last stop before `index`; the first step when none is. */
export function prevStop(at: Int32Array, index: number): number {
  let lo = 0;
  let hi = at.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at[mid]! < index) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? at[lo - 1]! : Math.min(index, 0);
}

export interface HostBand {
  host: string;
  from: number;
  to: number;
}

/** The scrubber has room for about this many host bands; narrower runs are left to their neighbours. */
export const MAX_BANDS = 300;

/**
 * The runs of consecutive steps on one host, for the scrubber's host band.
 * Runs narrower than 1/max of the track are dropped, so a walk of thousands
 * of packets draws a few hundred spans, not one per packet.
 */
export function hostBands(log: WalkLog, max = MAX_BANDS): HostBand[] {
  const out: HostBand[] = [];
  const steps = log.steps;
  const min = steps.length / max;
  let from = 0;
  for (let i = 1; i <= steps.length; i++) {
    if (i < steps.length && steps[i]!.host === steps[from]!.host) continue;
    if (i - from >= min || steps.length <= max) out.push({ host: steps[from]!.host, from, to: i - 1 });
    from = i;
  }
  return out;
}

/** The first step of each packet: the scrubber's packet ticks. */
export function packetStarts(log: WalkLog): number[] {
  return log.packets.map((p) => p.firstStep).sort((a, b) => a - b);
}
