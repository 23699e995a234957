// The conntrack panel's rows: each entry with its id, the seconds it has
// left and the line `conntrack -L` prints (conntrack-tools' column order:
// protocol, number, timeout, state, original tuple, [UNREPLIED], reply
// tuple, [ASSURED], mark), in the oracle's order.

import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../net/addr';
import type { Packet } from '../net/packet';
import { IPPROTO_ICMP, IPPROTO_UDP } from '../net/packet';
import { ConntrackTable } from './table';

const ip = (s: string): number => parseIpv4(s)!;

function udp(src: string, sport: number, dst: string, dport: number): Packet {
  return { src: ip(src), dst: ip(dst), proto: IPPROTO_UDP, ttl: 64, tos: 0, len: 33, ipid: 0, df: true, mark: 0, sport, dport, payload: 'query' };
}

function pass(ct: ConntrackTable, p: Packet, now: number): void {
  const ref = ct.in(p, { hook: 'PREROUTING', nowMs: now });
  ct.confirmPacket(p, ref, now);
}

describe('the conntrack -L rows', () => {
  it('print each entry in conntrack’s column order, with the seconds it has left', () => {
    const ct = new ConntrackTable();
    pass(ct, udp('10.0.0.2', 40003, '10.0.0.1', 53), 0);
    const [row] = ct.rows(5_500, false);
    // nf_conntrack_udp_timeout is 30 s: 24.5 s left prints as 24
    expect(row!.timeout).toBe(24);
    expect(row!.line).toBe('udp      17 24 src=10.0.0.2 dst=10.0.0.1 sport=40003 dport=53 [UNREPLIED] src=10.0.0.1 dst=10.0.0.2 sport=53 dport=40003 mark=0');
    expect(row!.entry).toEqual(ct.list()[0]);
  });

  it('print a replied connection without [UNREPLIED], and ICMP’s type, code and id', () => {
    const ct = new ConntrackTable();
    pass(ct, udp('10.0.0.2', 40003, '10.0.0.1', 53), 0);
    pass(ct, udp('10.0.0.1', 53, '10.0.0.2', 40003), 1);
    pass(ct, udp('10.0.0.2', 40003, '10.0.0.1', 53), 2);
    const ping: Packet = { src: ip('10.0.0.2'), dst: ip('10.0.0.9'), proto: IPPROTO_ICMP, ttl: 64, tos: 0, len: 84, ipid: 0, df: true, mark: 0, icmp: { type: 8, code: 0, id: 7, seq: 1 } } as Packet;
    pass(ct, ping, 3);
    const lines = ct.rows(3, false).map((r) => r.line);
    expect(lines).toContain('icmp     1 30 src=10.0.0.2 dst=10.0.0.9 type=8 code=0 id=7 [UNREPLIED] src=10.0.0.9 dst=10.0.0.2 type=0 code=0 id=7 mark=0');
    expect(lines.find((l) => l.startsWith('udp'))).toMatch(/^udp {6}17 \d+ src=10\.0\.0\.2 dst=10\.0\.0\.1 sport=40003 dport=53 src=10\.0\.0\.1 dst=10\.0\.0\.2 sport=53 dport=40003 mark=0$/);
  });

  it('give each entry its id, and leave out what timed out when asked to reap', () => {
    const ct = new ConntrackTable();
    pass(ct, udp('10.0.0.2', 40003, '10.0.0.1', 53), 0);
    pass(ct, udp('10.0.0.2', 40004, '10.0.0.1', 53), 20_000);
    const rows = ct.rows(20_000, false);
    expect(new Set(rows.map((r) => r.id)).size).toBe(2);
    expect(ct.rows(40_000, false)).toHaveLength(2);
    expect(ct.rows(40_000, true).map((r) => r.entry.orig)).toEqual([{ src: '10.0.0.2', dst: '10.0.0.1', sport: 40004, dport: 53 }]);
  });
});
