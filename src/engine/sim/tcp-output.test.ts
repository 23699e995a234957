// pattern: Imperative Shell
// Segment sizes and GSO packets as Linux 6.18 sends them (fixtures p80-p87).

import { describe, expect, it } from 'vitest';
import { ackReceived, createSender, cwndQuota, mtuReduced, nextSkbLength, packetsInFlight, retransmitWhole, skbSent, tcpMssForPmtu, type TcpSender } from './tcp-output';

/** Send `len` bytes the way tcp_write_xmit does with no ACK in between; returns the skb lengths. */
function burst(s: TcpSender, len: number): number[] {
  const out: number[] = [];
  let seq = 1;
  for (;;) {
    const n = nextSkbLength(s, len - (seq - 1));
    if (!n) return out;
    skbSent(s, seq, n);
    seq += n;
    out.push(n);
  }
}

describe('segment size (tcp_mtu_to_mss)', () => {
  it('is the path MTU minus 40, minus 12 with timestamps', () => {
    expect(tcpMssForPmtu(1500, 1460, true)).toBe(1448);
    expect(tcpMssForPmtu(1500, 1460, false)).toBe(1460);
    expect(tcpMssForPmtu(65536, 65495, true)).toBe(65483);
  });
  it('never exceeds the MSS the peer announced (a clamped SYN, p81 and p87)', () => {
    expect(tcpMssForPmtu(1500, 1452, true)).toBe(1440);
    expect(tcpMssForPmtu(1500, 536, true)).toBe(524);
    expect(tcpMssForPmtu(1400, 1460, true)).toBe(1348);
  });
});

describe('GSO packets of one send() (tcp_write_xmit, tcp_cwnd_test)', () => {
  it('sends up to five full segments as one packet', () => {
    expect(burst(createSender(1448, 1500), 1200)).toEqual([1200]);
    expect(burst(createSender(1448, 1500), 7240)).toEqual([7240]);
  });
  it('cuts at half the initial window: 7241 → 7240 + 1, 9000 → 7240 + 1760', () => {
    expect(burst(createSender(1448, 1500), 7241)).toEqual([7240, 1]);
    expect(burst(createSender(1448, 1500), 9000)).toEqual([7240, 1760]);
  });
  it('stops when ten segments are in flight: the rest waits for ACKs', () => {
    const s = createSender(1448, 1500);
    expect(burst(s, 20000)).toEqual([7240, 7240]);
    expect(packetsInFlight(s)).toBe(10);
    expect(cwndQuota(s)).toBe(0);
  });
  it('with 524-byte segments five make 2620 bytes (p87)', () => {
    expect(burst(createSender(524, 1500), 3000)).toEqual([2620, 380]);
  });
  it('an ACK frees the skbs it covers and grows the window in slow start', () => {
    const s = createSender(1448, 1500);
    burst(s, 14480);
    ackReceived(s, 7241);
    expect({ inFlight: packetsInFlight(s), cwnd: s.cwnd, una: s.sndUna }).toEqual({ inFlight: 5, cwnd: 15, una: 7241 });
    ackReceived(s, 7241);
    expect(s.cwnd).toBe(15);
  });
});

describe('path MTU drop (tcp_v4_mtu_reduced, tcp_simple_retransmit)', () => {
  it('shrinks the MSS and marks every skb with a larger segment lost', () => {
    const s = createSender(1448, 1500);
    burst(s, 3000);
    const lost = mtuReduced(s, 1400, 1460, true);
    expect(s.mssCache).toBe(1348);
    expect(lost.map((k) => k.len)).toEqual([3000]);
    expect(packetsInFlight(s)).toBe(0);
  });
  it('resends a lost skb whole, now counted in 1348-byte segments (p82: one LEN=3052 packet)', () => {
    const s = createSender(1448, 1500);
    burst(s, 3000);
    const [skb] = mtuReduced(s, 1400, 1460, true);
    expect(retransmitWhole(s, skb!)).toBe(true);
    expect({ pcount: skb!.pcount, segSize: skb!.segSize, lost: skb!.lost }).toEqual({ pcount: 3, segSize: 1348, lost: false });
  });
  it('leaves skbs whose segments already fit', () => {
    const s = createSender(1448, 1500);
    burst(s, 1000);
    expect(mtuReduced(s, 1400, 1460, true)).toEqual([]);
    expect(s.mssCache).toBe(1348);
  });
  it('ignores an MTU that is not lower than the one in use', () => {
    const s = createSender(1448, 1500);
    burst(s, 3000);
    expect(mtuReduced(s, 1500, 1460, true)).toEqual([]);
    expect(s.mssCache).toBe(1448);
  });
  it('cannot resend whole what no longer fits the congestion window', () => {
    const s = createSender(1448, 1500);
    burst(s, 14480);
    const lost = mtuReduced(s, 1400, 1460, true);
    expect(retransmitWhole(s, lost[0]!)).toBe(true);
    // 6 segments of 1348 in flight again, 4 left for 7240 bytes
    expect(retransmitWhole(s, lost[1]!)).toBe(false);
  });
});
