// pattern: Functional Core
// Expectations (net/netfilter/nf_conntrack_expect.c): a helper watching a
// master connection announces a connection it expects (the TFTP server's
// answer from a new port, the FTP data connection a PORT command or a 227
// reply names). The first packet whose tuple matches an expectation creates
// a conntrack that is RELATED (IPS_EXPECTED), knows its master, and may be
// NATed like the master (nf_nat_follow_master). Plain data, so a table
// snapshot can carry it.

import type { CtDir, CtTuple } from './types';
import { tupleEqual } from './tuple';

/** NF_CT_EXPECT_PERMANENT: the expectation stays after a connection used it. */
export const NF_CT_EXPECT_PERMANENT = 1 << 0;

/**
 * One expectation (struct nf_conntrack_expect). The mask of the kernel's
 * tuple is reduced to what the IPv4 helpers use: the source port may be a
 * wildcard (nf_ct_expect_init with src port NULL); addresses, protocol and
 * destination port always have to match.
 */
export interface CtExpect {
  /** the connection that will come, in its original direction */
  tuple: CtTuple;
  /** the source port is a wildcard (mask.src.u.all == 0) */
  anySrcPort: boolean;
  /** the master's id (exp->master) */
  masterId: number;
  /** the master's helper, whose expect policy limits how many it may have */
  helper: string;
  /** expectation class (NF_CT_EXPECT_CLASS_DEFAULT for ftp and tftp) */
  class: number;
  /** exp->dir: the master's direction the expected connection runs in (for NAT) */
  dir: CtDir;
  /** exp->saved_addr / saved_proto: where NAT sends the expected connection */
  savedAddr: number;
  savedPort: number;
  /** exp->expectfn == nf_nat_follow_master */
  natFollowMaster: boolean;
  flags: number;
  /** absolute expiry in simulated ms (policy timeout from creation) */
  timeoutAt: number;
  zone: number;
}

/** nf_ct_tuple_mask_cmp with the expectation's mask. */
export function expectMatches(exp: CtExpect, t: CtTuple, zone: number): boolean {
  const e = exp.tuple;
  if (exp.zone !== zone) return false;
  if (e.src !== t.src || e.dst !== t.dst || e.proto !== t.proto || e.dport !== t.dport) return false;
  return exp.anySrcPort || e.sport === t.sport;
}

/** expect_matches: the same tuple and the same mask. */
function sameExpectation(a: CtExpect, b: CtExpect): boolean {
  return a.anySrcPort === b.anySrcPort && a.zone === b.zone && (a.anySrcPort ? a.tuple.src === b.tuple.src && a.tuple.dst === b.tuple.dst && a.tuple.proto === b.tuple.proto && a.tuple.dport === b.tuple.dport : tupleEqual(a.tuple, b.tuple));
}

/**
 * expect_clash: the tuples agree on every field both masks cover, so one
 * packet could match either.
 */
function clash(a: CtExpect, b: CtExpect): boolean {
  if (a.zone !== b.zone) return false;
  const x = a.tuple;
  const y = b.tuple;
  if (x.src !== y.src || x.dst !== y.dst || x.proto !== y.proto || x.dport !== y.dport) return false;
  return a.anySrcPort || b.anySrcPort || x.sport === y.sport;
}

/** What nf_ct_expect_related returns: 0 or the negative errno the kernel gives. */
export type ExpectResult = 0 | 'EALREADY' | 'EBUSY' | 'EMFILE' | 'ESHUTDOWN';

/**
 * The expectations of one network namespace, oldest first (the order
 * evict_oldest_expect relies on).
 */
export class ExpectTable {
  private list: CtExpect[] = [];

  get size(): number {
    return this.list.length;
  }

  all(nowMs?: number): readonly CtExpect[] {
    if (nowMs !== undefined) this.expire(nowMs);
    return this.list;
  }

  /** nf_ct_expectation_timed_out: expired expectations are gone. */
  expire(nowMs: number): void {
    if (this.list.some((e) => e.timeoutAt <= nowMs)) this.list = this.list.filter((e) => e.timeoutAt > nowMs);
  }

  /**
   * __nf_ct_expect_check + nf_ct_expect_insert. `maxExpected` is the
   * helper's expect_policy[class].max_expected; when the master already has
   * that many, its oldest one is evicted to make room (evict_oldest_expect).
   */
  insert(exp: CtExpect, maxExpected: number, nowMs: number): ExpectResult {
    this.expire(nowMs);
    for (const i of [...this.list]) {
      if (i.masterId === exp.masterId && sameExpectation(i, exp)) {
        if (i.class !== exp.class) return 'EALREADY';
        this.unlink(i);
        break;
      }
      if (clash(i, exp)) return 'EBUSY';
    }
    if (maxExpected > 0) {
      const mine = this.list.filter((i) => i.masterId === exp.masterId && i.class === exp.class);
      if (mine.length >= maxExpected) this.unlink(mine[0]!);
    }
    this.list.push(exp);
    return 0;
  }

  /**
   * nf_ct_find_expectation for a connection being created: the first live
   * expectation its tuple matches, whose master is still confirmed and
   * alive. A used expectation is unlinked unless it is permanent.
   */
  take(t: CtTuple, zone: number, nowMs: number, masterAlive: (id: number) => boolean): CtExpect | null {
    this.expire(nowMs);
    for (const e of this.list) {
      if (!expectMatches(e, t, zone)) continue;
      if (!masterAlive(e.masterId)) return null;
      if (!(e.flags & NF_CT_EXPECT_PERMANENT)) this.unlink(e);
      return e;
    }
    return null;
  }

  /** nf_ct_remove_expectations: the master is gone, so are its expectations. */
  removeForMaster(masterId: number): void {
    if (this.list.some((e) => e.masterId === masterId)) this.list = this.list.filter((e) => e.masterId !== masterId);
  }

  unlink(e: CtExpect): void {
    const i = this.list.indexOf(e);
    if (i >= 0) this.list.splice(i, 1);
  }

  clear(): void {
    this.list = [];
  }

  toJSON(): CtExpect[] {
    return JSON.parse(JSON.stringify(this.list)) as CtExpect[];
  }

  static fromJSON(list: readonly CtExpect[]): ExpectTable {
    const t = new ExpectTable();
    t.list = JSON.parse(JSON.stringify(list)) as CtExpect[];
    return t;
  }
}
