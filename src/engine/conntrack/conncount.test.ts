// pattern: Functional Core
// nf_conncount as -m connlimit uses it: which connections a rule's list
// counts, and when a packet adds its own. Kernel cases: p75, p76, p77.

import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../net/addr';
import type { Packet } from '../net/packet';
import { clonePacket, IPPROTO_TCP, IPPROTO_UDP, TCP_ACK, TCP_RST, TCP_SYN } from '../net/packet';
import { conncount, ConncountData, jiffiesAt } from './conncount';
import { ConntrackTable } from './table';
import { packetTuple } from './tuple';
import type { CtRef } from './types';

const ip = (s: string): number => parseIpv4(s)!;
const CLIENT = ip('10.1.0.10');

function tcp(sport: number, flags: number, seq: number, ack: number, reply = false): Packet {
  const syn = (flags & TCP_SYN) !== 0;
  const a = ip('10.1.0.10');
  const b = ip('10.1.0.1');
  return {
    src: reply ? b : a,
    dst: reply ? a : b,
    proto: IPPROTO_TCP,
    ttl: 64,
    tos: 0,
    len: syn ? 60 : 52,
    ipid: 0,
    df: true,
    mark: 0,
    sport: reply ? 80 : sport,
    dport: reply ? sport : 80,
    tcp: { seq, ack, flags, window: syn ? 64240 : 63, urgp: 0, options: syn ? '020405B40402080A00000000000000000103030A' : '0101080A0000000000000000' },
    payload: '',
  };
}

function udp(sport: number, reply = false): Packet {
  const a = ip('10.9.0.2');
  const b = ip('203.0.113.53');
  return { src: reply ? b : a, dst: reply ? a : b, proto: IPPROTO_UDP, ttl: 64, tos: 0, len: 33, ipid: 0, df: true, mark: 0, sport: reply ? 53 : sport, dport: reply ? sport : 53, payload: 'hello' };
}

/**
 * A server's INPUT with one connlimit rule counting by `key`: conntrack at
 * PREROUTING, the count in filter INPUT, confirmation after it.
 */
class Server {
  readonly ct = new ConntrackTable();
  readonly data = new ConncountData();
  count(p: Packet, nowMs: number, key: number = CLIENT): number {
    const packet = clonePacket(p);
    const ref: CtRef = this.ct.in(packet, { hook: 'PREROUTING', nowMs });
    const n = conncount(this.data, key, this.ct, { ref, tuple: packetTuple(packet) }, nowMs);
    this.ct.confirmPacket(packet, ref, nowMs);
    return n;
  }
  /** a whole connection that stays open: SYN, SYN-ACK (not counted here), ACK */
  open(sport: number, nowMs: number): number[] {
    const counts = [this.count(tcp(sport, TCP_SYN, 0, 0), nowMs)];
    this.ct.in(tcp(sport, TCP_SYN | TCP_ACK, 0, 1, true), { hook: 'OUTPUT', nowMs });
    counts.push(this.count(tcp(sport, TCP_ACK, 1, 1), nowMs));
    return counts;
  }
}

describe('nf_conncount (-m connlimit)', () => {
  it('a connection counts from its first packet, and its later packets do not add it again', () => {
    const s = new Server();
    expect(s.open(40001, 0)).toEqual([1, 1]);
    expect(s.open(40002, 1000)).toEqual([2, 2]);
    expect(s.count(tcp(40001, TCP_ACK, 1, 1), 2000)).toBe(2);
  });

  it('a connection reset (CLOSE) stops counting from its own RST on', () => {
    const s = new Server();
    s.open(40001, 0);
    s.open(40002, 1000);
    expect(s.count(tcp(40002, TCP_RST | TCP_ACK, 1, 1), 2000)).toBe(1);
    expect(s.open(40003, 3000)).toEqual([2, 2]);
  });

  it('closed connections are collected at most once per jiffy (4 ms at HZ=250)', () => {
    expect(jiffiesAt(3)).toBe(0);
    expect(jiffiesAt(4)).toBe(1);
    const s = new Server();
    s.open(40001, 0);
    s.open(40002, 1000);
    // the ACK at 2000 ms collected the list; the RST in the same jiffy does not collect again
    expect(s.count(tcp(40001, TCP_ACK, 1, 1), 2000)).toBe(2);
    expect(s.count(tcp(40002, TCP_RST | TCP_ACK, 1, 1), 2001)).toBe(2);
    expect(s.count(tcp(40001, TCP_ACK, 1, 1), 2010)).toBe(1);
  });

  it('the count of a list whose last connection just closed is 0 (xt_connlimit hotdrops the packet)', () => {
    const s = new Server();
    s.open(40001, 0);
    expect(s.count(tcp(40001, TCP_RST | TCP_ACK, 1, 1), 1000)).toBe(0);
  });

  it('a connection not yet ASSURED is added by any of its packets, replies included (case p76)', () => {
    const router = new ConntrackTable();
    const data = new ConncountData();
    const pass = (p: Packet, now: number, key: number): number => {
      const packet = clonePacket(p);
      const ref = router.in(packet, { hook: 'PREROUTING', nowMs: now });
      const n = conncount(data, key, router, { ref, tuple: packetTuple(packet) }, now);
      router.confirmPacket(packet, ref, now);
      return n;
    };
    const client = ip('10.9.0.2');
    expect(pass(udp(40001), 0, ip('203.0.113.53'))).toBe(1);
    expect(pass(udp(40001, true), 1, client)).toBe(1);
    pass(udp(40002), 1000, ip('203.0.113.53'));
    // the first reply of 40002: confirmed, not ASSURED, so counted under the client's key too
    expect(pass(udp(40002, true), 1001, client)).toBe(2);
  });
});
