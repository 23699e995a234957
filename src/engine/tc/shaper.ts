// pattern: Functional Core
// The deterministic clock of a device's egress qdisc: given the frames that
// reached it (when, how long), when each one leaves or that it was dropped,
// and the counters `tc -s qdisc show` prints at any moment. Times are
// nanoseconds from the walk's start (a case's step N begins at N−1 s).
//
// pfifo on these devices (veths) never holds a frame: the device takes
// every frame the moment it is queued. tbf (net/sched/sch_tbf.c) and htb
// (sch_htb.c) are token buckets:
// - tbf: the bucket holds `burst` bytes' worth of time and refills at
//   `rate`; the head frame leaves when the bucket holds its whole cost
//   (tbf_dequeue: toks − len ≥ 0), otherwise a watchdog fires when it will.
//   The queue is a bfifo of `limit` bytes: a frame that would overflow it is
//   dropped (after POSTROUTING counted it). A frame longer than the burst
//   can never leave and is dropped at once.
// - htb: a class sends while its tokens are not negative, so a frame may
//   take the bucket below zero (htb_charge_class then htb_class_mode, no
//   hysteresis); below zero the class waits until the bucket is back at
//   zero. Each change into "cannot send" counts an overlimit. A frame goes
//   to the class a u32 filter chose, else to the default class, else to the
//   direct queue, sent at once. Each leaf class has its own bucket and
//   queue; borrowing from a parent class is not modelled: a leaf is shaped
//   by its own rate and ceil.
// Overlimits of tbf: each dequeue that finds the head over the limit counts
// one; after a frame leaves with others behind it, two such attempts are
// made (the recorded runs show it, timeline.golden.txt: dequeue_skb's bulk
// attempt and __qdisc_run's next qdisc_restart).

import { lenToNs, ticksToNs } from './units';
import { TX_QUEUE_LEN, type HtbClass, type QdiscOptions } from './types';

export interface Arrival {
  /** ns */
  at: number;
  /** bytes on the device (qdisc_pkt_len: the frame with its Ethernet header) */
  len: number;
  /** the htb class a filter chose (absent: none did) */
  cls?: number;
}

export type Fate = { kind: 'sent'; at: number } | { kind: 'dropped'; at: number; why: 'limit' | 'burst' };

export interface Shaped {
  fates: Fate[];
  /** times (ns) an overlimit was counted */
  overlimits: number[];
  /** frames the htb direct queue sent */
  direct: number;
}

/** The leaf's queue limit of an htb class with no qdisc of its own: a pfifo of tx_queue_len. */
export interface HtbLeaf {
  cls: HtbClass;
  limit: number;
}

export function shape(options: QdiscOptions, arrivals: readonly Arrival[], leaves: readonly HtbLeaf[] = []): Shaped {
  switch (options.kind) {
    case 'tbf':
      return shapeTbf(options.rate, ticksToNs(options.bufferTicks), options.limit, arrivals);
    case 'htb': {
      // htb_classify: a filter's class when it is a leaf, else the default class, else the direct queue
      const leafOf = (a: Arrival): HtbLeaf | undefined =>
        (a.cls !== undefined ? leaves.find((l) => l.cls.classid === a.cls) : undefined) ?? leaves.find((l) => (l.cls.classid & 0xffff) === options.defaultClass);
      const fates: Fate[] = arrivals.map((a) => ({ kind: 'sent', at: a.at }));
      const overlimits: number[] = [];
      let direct = 0;
      arrivals.forEach((a) => {
        if (!leafOf(a)) direct++;
      });
      for (const leaf of leaves) {
        const mine = arrivals.flatMap((a, i) => (leafOf(a) === leaf ? [i] : []));
        if (!mine.length) continue;
        const s = shapeHtb(leaf, mine.map((i) => arrivals[i]!));
        mine.forEach((i, k) => (fates[i] = s.fates[k]!));
        overlimits.push(...s.overlimits);
      }
      overlimits.sort((x, y) => x - y);
      return { fates, overlimits, direct };
    }
    default:
      return { fates: arrivals.map((a) => ({ kind: 'sent', at: a.at })), overlimits: [], direct: 0 };
  }
}

function shapeTbf(rate: number, buffer: number, limit: number, arrivals: readonly Arrival[]): Shaped {
  const fates: Fate[] = new Array<Fate>(arrivals.length);
  const overlimits: number[] = [];
  const maxSize = Math.floor((buffer * rate) / 1e9);
  let tokens = buffer;
  let tc = -Infinity;
  const queue: number[] = [];
  let backlog = 0;
  let watchdog = Infinity;
  /** one dequeue: true when the head left */
  const attempt = (now: number): boolean => {
    const i = queue[0];
    if (i === undefined) return false;
    const len = arrivals[i]!.len;
    const toks = Math.min(tokens + Math.min(now - tc, buffer), buffer) - lenToNs(rate, len);
    if (toks >= 0) {
      tokens = toks;
      tc = now;
      queue.shift();
      backlog -= len;
      fates[i] = { kind: 'sent', at: now };
      return true;
    }
    overlimits.push(now);
    watchdog = now - toks;
    return false;
  };
  /** __qdisc_run: dequeue while frames leave; a frame that left with others behind is followed by two attempts */
  const run = (now: number): void => {
    watchdog = Infinity;
    while (attempt(now)) {
      if (queue.length === 0) return;
      if (!attempt(now)) {
        attempt(now);
        return;
      }
    }
  };
  for (let k = 0; k <= arrivals.length; k++) {
    const next = k < arrivals.length ? arrivals[k]!.at : Infinity;
    while (watchdog !== Infinity && watchdog <= next) run(watchdog);
    if (k === arrivals.length) break;
    const a = arrivals[k]!;
    if (a.len > maxSize) fates[k] = { kind: 'dropped', at: a.at, why: 'burst' };
    else if (backlog + a.len > limit) fates[k] = { kind: 'dropped', at: a.at, why: 'limit' };
    else {
      queue.push(k);
      backlog += a.len;
    }
    run(a.at);
  }
  return { fates, overlimits, direct: 0 };
}

function shapeHtb(leaf: HtbLeaf, arrivals: readonly Arrival[]): Shaped {
  const { cls, limit } = leaf;
  const buffer = ticksToNs(cls.bufferTicks);
  const cbuffer = ticksToNs(cls.cbufferTicks);
  const fates: Fate[] = new Array<Fate>(arrivals.length);
  const overlimits: number[] = [];
  let tokens = buffer;
  let ctokens = cbuffer;
  let tc = -Infinity;
  let mode: 'can' | 'may' | 'cant' = 'can';
  let event = Infinity;
  const queue: number[] = [];
  /**
   * htb_class_mode on the bucket as it stands at `now` (no clamp, as the
   * kernel computes it): below zero on the ceil it cannot send, below zero
   * on the rate it may only borrow (which a class under the root cannot);
   * htb_change_class_mode counts an overlimit on the change into "cannot".
   */
  const update = (now: number): void => {
    const diff = Math.min(now - tc, 60e9);
    const ctoks = ctokens + diff;
    const toks = tokens + diff;
    const next = ctoks < 0 ? 'cant' : toks >= 0 ? 'can' : 'may';
    if (next === 'cant' && mode !== 'cant') overlimits.push(now);
    mode = next;
    event = next === 'can' ? Infinity : now + (next === 'cant' ? -ctoks : -toks);
  };
  const run = (now: number): void => {
    while (mode === 'can' && queue.length) {
      const i = queue.shift()!;
      const len = arrivals[i]!.len;
      // htb_accnt_tokens / htb_accnt_ctokens: refill up to the bucket, then pay
      const diff = Math.min(now - tc, 60e9);
      tokens = Math.min(tokens + diff, buffer) - lenToNs(cls.rate, len);
      ctokens = Math.min(ctokens + diff, cbuffer) - lenToNs(cls.ceil, len);
      tc = now;
      fates[i] = { kind: 'sent', at: now };
      update(now);
    }
  };
  for (let k = 0; k <= arrivals.length; k++) {
    const next = k < arrivals.length ? arrivals[k]!.at : Infinity;
    while (event !== Infinity && event <= next) {
      const at = event;
      update(at);
      run(at);
    }
    if (k === arrivals.length) break;
    const a = arrivals[k]!;
    if (queue.length >= limit) fates[k] = { kind: 'dropped', at: a.at, why: 'limit' };
    else queue.push(k);
    run(a.at);
  }
  return { fates, overlimits, direct: 0 };
}

/** What `tc -s` counts at `now`: frames left, dropped, in the queue; overlimits so far. */
export function statsAt(shaped: Shaped, arrivals: readonly Arrival[], now: number): { bytes: number; packets: number; dropped: number; overlimits: number; backlogBytes: number; backlogPackets: number } {
  const s = { bytes: 0, packets: 0, dropped: 0, overlimits: 0, backlogBytes: 0, backlogPackets: 0 };
  arrivals.forEach((a, i) => {
    if (a.at > now) return;
    const f = shaped.fates[i];
    if (f?.kind === 'dropped') s.dropped++;
    else if (f && f.at <= now) {
      s.packets++;
      s.bytes += a.len;
    } else {
      s.backlogPackets++;
      s.backlogBytes += a.len;
    }
  });
  s.overlimits = shaped.overlimits.filter((t) => t <= now).length;
  return s;
}

export { TX_QUEUE_LEN };
