// pattern: Functional Core
// Connection counting for -m connlimit (net/netfilter/nf_conncount.c of
// Linux 6.18 with the 2025/26 fixes: the sk_buff API and "only skip the
// tracking if it is fully assured"). Each rule keeps, per key (the masked
// address and the zone), a list of the original tuples of connections it
// has counted. A packet of a connection that is not ASSURED yet (its first
// packets, both ways: the first UDP reply, the SYN-ACK) is added unless the
// list already holds it, after a garbage collection that drops tuples no
// longer in the conntrack table and TCP connections in TIME_WAIT or CLOSE;
// a packet of an ASSURED connection adds nothing and only collects garbage.
// Collection runs at most once per jiffy and list (HZ=250 here: 4 ms), so
// packets of one burst see the count the burst started with (cases p75-p77;
// the reply-direction counts of p76).

import type { CtRef, CtTuple } from './types';
import { IPS_ASSURED, IPS_CONFIRMED, TCP_CONNTRACK_CLOSE, TCP_CONNTRACK_TIME_WAIT } from './types';
import { IPPROTO_TCP } from '../net/packet';
import type { ConntrackTable } from './table';
import { cloneTuple, tupleEqual } from './tuple';

/** CONFIG_HZ of the oracle's kernel */
export const HZ = 250;
/** CONNCOUNT_GC_MAX_COLLECT */
const GC_MAX_COLLECT = 64;

export function jiffiesAt(nowMs: number): number {
  return Math.floor((nowMs * HZ) / 1000);
}

/** struct nf_conncount_tuple */
interface CountedConn {
  tuple: CtTuple;
  zone: number;
}

/** struct nf_conncount_list */
export interface ConncountList {
  conns: CountedConn[];
  lastGc: number;
  lastGcCount: number;
  /** ConncountTiming.epoch when the last collection ran */
  lastGcEpoch?: number;
}

/**
 * Where real time matters: `epoch` counts the process wakeups of the run so
 * far. Packets of one softirq burst share a jiffy on the kernel, but packets
 * on either side of a process's work (a listener's close() on EOF) are
 * separated by however long that process took, and may or may not share
 * one. `skipped` is told when a collection that would have dropped a closed
 * connection is skipped for the same jiffy across such a wakeup: on the
 * kernel the count (and a connlimit hotdrop) then depends on timing
 * (difftest seed 2 case 175).
 */
export interface ConncountTiming {
  epoch: number;
  skipped(): void;
}

/** struct nf_conncount_data: one rule's lists, by key. */
export class ConncountData {
  readonly lists = new Map<string, ConncountList>();
}

/** What the match knows about the packet: its conntrack and its own tuple. */
export interface ConncountPacket {
  ref: CtRef | null;
  /** the packet's tuple, for a packet without a conntrack (INVALID, untracked) */
  tuple: CtTuple;
}

function alreadyClosed(table: ConntrackTable, t: CtTuple, zone: number, nowMs: number): 'gone' | 'closed' | 'live' {
  const hit = table.lookup(t, zone, nowMs);
  if (!hit) return 'gone';
  const e = hit.entry;
  if (e.tuple[0].proto === IPPROTO_TCP && e.tcp && (e.tcp.state === TCP_CONNTRACK_TIME_WAIT || e.tcp.state === TCP_CONNTRACK_CLOSE)) return 'closed';
  return 'live';
}

/**
 * nf_conncount_gc_list: drop what is gone or closed, at most once per jiffy.
 * A tuple not in the table is evicted at once: on the simulation's one CPU
 * every tuple was added by "this cpu" (find_or_evict).
 */
function gcList(list: ConncountList, table: ConntrackTable, nowMs: number, timing?: ConncountTiming): void {
  const j = jiffiesAt(nowMs);
  if (j === list.lastGc) {
    if (timing && list.lastGcEpoch !== undefined && list.lastGcEpoch !== timing.epoch && list.conns.some((c) => alreadyClosed(table, c.tuple, c.zone, nowMs) !== 'live')) timing.skipped();
    return;
  }
  if (timing) list.lastGcEpoch = timing.epoch;
  let collected = 0;
  const keep: CountedConn[] = [];
  for (let i = 0; i < list.conns.length; i++) {
    const c = list.conns[i]!;
    if (collected > GC_MAX_COLLECT) {
      keep.push(...list.conns.slice(i));
      break;
    }
    const s = alreadyClosed(table, c.tuple, c.zone, nowMs);
    if (s === 'live') keep.push(c);
    else collected++;
  }
  list.conns = keep;
  list.lastGc = j;
  list.lastGcCount = list.conns.length;
}

/**
 * __nf_conncount_add: count the packet's connection in `list` unless it is
 * ASSURED (then it was counted while it was being set up) or already there.
 * Returns false for -EEXIST (nothing added, because the connection is assured).
 */
function add(list: ConncountList, table: ConntrackTable, tuple: CtTuple, zone: number, confirmed: boolean, assured: boolean, nowMs: number): boolean {
  const j = jiffiesAt(nowMs);
  if (confirmed && assured) return false;
  // a confirmed connection still in its setup is checked against the list every time (no same-jiffy shortcut)
  if (!confirmed && j === list.lastGc && list.conns.length - list.lastGcCount < GC_MAX_COLLECT) {
    list.conns.push({ tuple: cloneTuple(tuple), zone });
    return true;
  }
  let collected = 0;
  const keep: CountedConn[] = [];
  for (let i = 0; i < list.conns.length; i++) {
    const c = list.conns[i]!;
    if (collected > GC_MAX_COLLECT) {
      keep.push(...list.conns.slice(i));
      break;
    }
    const s = alreadyClosed(table, c.tuple, c.zone, nowMs);
    if (s === 'gone') {
      collected++;
      continue;
    }
    if (tupleEqual(c.tuple, tuple) && c.zone === zone) {
      // seen before (a rule without --syn sees every packet): not added twice
      keep.push(...list.conns.slice(i));
      list.conns = keep;
      return true;
    }
    if (s === 'closed') {
      collected++;
      continue;
    }
    keep.push(c);
  }
  list.conns = keep;
  list.lastGc = j;
  list.lastGcCount = list.conns.length;
  list.conns.push({ tuple: cloneTuple(tuple), zone });
  return true;
}

/**
 * count_tree: the number of connections counted under `key` once this
 * packet's connection is counted. A key seen for the first time starts a
 * list holding just this connection, whatever its state (insert_tree).
 * 0 means the list emptied (the packet's own connection just closed):
 * xt_connlimit then drops the packet (hotdrop).
 */
export function conncount(data: ConncountData, key: number, table: ConntrackTable, pkt: ConncountPacket, nowMs: number, timing?: ConncountTiming): number {
  let e = pkt.ref?.entry ?? null;
  let tuple = pkt.tuple;
  if (!e) {
    // get_ct_or_tuple_from_skb: a packet without a conntrack still counts the one its tuple names
    e = table.lookup(pkt.tuple, 0, nowMs)?.entry ?? null;
  }
  let zone = 0;
  let confirmed = false;
  let assured = false;
  if (e) {
    tuple = e.tuple[0];
    zone = e.zone;
    confirmed = (e.status & IPS_CONFIRMED) !== 0;
    assured = (e.status & IPS_ASSURED) !== 0;
  }
  const id = `${key >>> 0}/${zone}`;
  const list = data.lists.get(id);
  if (!list || list.conns.length === 0) {
    data.lists.set(id, { conns: [{ tuple: cloneTuple(tuple), zone }], lastGc: jiffiesAt(nowMs), lastGcCount: 0 });
    return 1;
  }
  if (!add(list, table, tuple, zone, confirmed, assured, nowMs)) gcList(list, table, nowMs, timing);
  return list.conns.length;
}
