// pattern: Functional Core
// The expectation table (nf_conntrack_expect.c): how expectations match,
// get used up, make room for each other and die with their master.

import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../net/addr';
import { IPPROTO_TCP, IPPROTO_UDP } from '../net/packet';
import type { CtExpect } from './expect';
import { ExpectTable, expectMatches, NF_CT_EXPECT_PERMANENT } from './expect';
import type { CtTuple } from './types';

const ip = (s: string): number => parseIpv4(s)!;

function exp(masterId: number, src: string, dst: string, dport: number, extra: Partial<CtExpect> = {}): CtExpect {
  return {
    tuple: { src: ip(src), dst: ip(dst), proto: IPPROTO_UDP, sport: 0, dport },
    anySrcPort: true,
    masterId,
    helper: 'tftp',
    class: 0,
    dir: 0,
    savedAddr: 0,
    savedPort: 0,
    natFollowMaster: false,
    flags: 0,
    timeoutAt: 300_000,
    zone: 0,
    ...extra,
  };
}

function tuple(src: string, sport: number, dst: string, dport: number, proto = IPPROTO_UDP): CtTuple {
  return { src: ip(src), dst: ip(dst), proto, sport, dport };
}

const alive = (): boolean => true;

describe('expectation matching (nf_ct_tuple_mask_cmp)', () => {
  it('an expectation with a wildcard source port matches any source port, nothing else', () => {
    const e = exp(1, '192.0.2.69', '192.0.2.1', 2001);
    expect(expectMatches(e, tuple('192.0.2.69', 51000, '192.0.2.1', 2001), 0)).toBe(true);
    expect(expectMatches(e, tuple('192.0.2.69', 7, '192.0.2.1', 2001), 0)).toBe(true);
    expect(expectMatches(e, tuple('192.0.2.70', 51000, '192.0.2.1', 2001), 0)).toBe(false);
    expect(expectMatches(e, tuple('192.0.2.69', 51000, '192.0.2.1', 2002), 0)).toBe(false);
    expect(expectMatches(e, tuple('192.0.2.69', 51000, '192.0.2.1', 2001, IPPROTO_TCP), 0)).toBe(false);
    expect(expectMatches(e, tuple('192.0.2.69', 51000, '192.0.2.1', 2001), 1)).toBe(false);
  });
});

describe('ExpectTable', () => {
  it('a connection uses up its expectation: the next one with the same tuple finds none', () => {
    const t = new ExpectTable();
    expect(t.insert(exp(1, '192.0.2.69', '192.0.2.1', 2001), 1, 0)).toBe(0);
    expect(t.take(tuple('192.0.2.69', 51000, '192.0.2.1', 2001), 0, 10, alive)?.masterId).toBe(1);
    expect(t.take(tuple('192.0.2.69', 51001, '192.0.2.1', 2001), 0, 20, alive)).toBeNull();
  });

  it('a permanent expectation stays after use', () => {
    const t = new ExpectTable();
    t.insert(exp(1, '192.0.2.69', '192.0.2.1', 2001, { flags: NF_CT_EXPECT_PERMANENT }), 1, 0);
    expect(t.take(tuple('192.0.2.69', 51000, '192.0.2.1', 2001), 0, 10, alive)).not.toBeNull();
    expect(t.take(tuple('192.0.2.69', 51001, '192.0.2.1', 2001), 0, 20, alive)).not.toBeNull();
  });

  it('a master over max_expected loses its oldest expectation (evict_oldest_expect)', () => {
    const t = new ExpectTable();
    t.insert(exp(1, '192.0.2.69', '192.0.2.1', 2001), 1, 0);
    expect(t.insert(exp(1, '192.0.2.69', '192.0.2.1', 2002), 1, 0)).toBe(0);
    expect(t.all().map((e) => e.tuple.dport)).toEqual([2002]);
  });

  it('the same expectation again replaces the old one; another master asking for it is refused (EBUSY)', () => {
    const t = new ExpectTable();
    t.insert(exp(1, '192.0.2.69', '192.0.2.1', 2001, { timeoutAt: 100 }), 2, 0);
    expect(t.insert(exp(1, '192.0.2.69', '192.0.2.1', 2001, { timeoutAt: 500 }), 2, 0)).toBe(0);
    expect(t.all().map((e) => e.timeoutAt)).toEqual([500]);
    expect(t.insert(exp(2, '192.0.2.69', '192.0.2.1', 2001), 2, 0)).toBe('EBUSY');
  });

  it('expectations time out and die with their master', () => {
    const t = new ExpectTable();
    t.insert(exp(1, '192.0.2.69', '192.0.2.1', 2001, { timeoutAt: 1000 }), 1, 0);
    t.insert(exp(2, '192.0.2.69', '192.0.2.1', 2002), 1, 0);
    expect(t.take(tuple('192.0.2.69', 1, '192.0.2.1', 2001), 0, 1000, alive)).toBeNull();
    t.removeForMaster(2);
    expect(t.size).toBe(0);
  });

  it('an expectation whose master is not confirmed (or gone) is not used', () => {
    const t = new ExpectTable();
    t.insert(exp(1, '192.0.2.69', '192.0.2.1', 2001), 1, 0);
    expect(t.take(tuple('192.0.2.69', 51000, '192.0.2.1', 2001), 0, 10, () => false)).toBeNull();
  });
});
