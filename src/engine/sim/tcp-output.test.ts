// pattern: Imperative Shell
// Segment sizes and GSO packets as Linux 6.18 sends them (fixtures p80-p88).

import { describe, expect, it } from 'vitest';
import {
  ackReceived,
  createSender,
  cwndQuota,
  mtuReduced,
  nextTransmit,
  packetsInFlight,
  queueSkb,
  retransmitWhole,
  sizeGoal,
  tcpMssForPmtu,
  type TcpSender,
} from './tcp-output';

/** A sender on veth (MTU 1500, timestamps) whose peer offered 65160 in its SYN-ACK. */
function veth(peerMss = 1460): TcpSender {
  return createSender({ pmtu: 1500, peerMss, timestamps: true, sndWscale: 10, peerWindow: 65160 });
}

/** The connecting side on lo: the listener's SYN-ACK offered 65483. */
function loClient(): TcpSender {
  return createSender({ pmtu: 65536, peerMss: 65495, timestamps: true, sndWscale: 10, peerWindow: 65483 });
}

/**
 * One send() of `len` bytes with no ACK arriving meanwhile: tcp_sendmsg's
 * skbs and tcp_write_xmit's packets, as "length" or "length PSH".
 */
function send(s: TcpSender, len: number): string[] {
  const out: string[] = [];
  const goal = sizeGoal(s);
  for (let seq = 1; seq <= len; ) {
    const n = Math.min(goal, len - seq + 1);
    const push = queueSkb(s, seq, n, seq + n - 1 === len);
    if (push !== 'none') {
      for (;;) {
        const skb = nextTransmit(s);
        if (!skb) break;
        out.push(skb.psh ? `${skb.len} PSH` : `${skb.len}`);
        if (push === 'one') break;
      }
    }
    seq += n;
  }
  return out;
}

describe('segment size (tcp_sync_mss)', () => {
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
  it('is at most half the largest window the peer offered: 32741 on lo (SYN-ACK 65483)', () => {
    expect(veth().mssCache).toBe(1448);
    expect(loClient().mssCache).toBe(32741);
  });
  it('grows with a larger window in an ACK: the listener on lo moves from 65495 (SYN) to 65536 (64 scaled)', () => {
    const s = createSender({ pmtu: 65536, peerMss: 65495, timestamps: true, sndWscale: 10, peerWindow: 65495 });
    expect(s.mssCache).toBe(32747);
    ackReceived(s, 1, 64);
    expect({ maxWindow: s.maxWindow, mss: s.mssCache }).toEqual({ maxWindow: 65536, mss: 32768 });
  });
});

describe('the packets of one send() (tcp_sendmsg, tcp_write_xmit)', () => {
  it('up to five full segments are one GSO packet, with PSH', () => {
    expect(send(veth(), 1200)).toEqual(['1200 PSH']);
    expect(send(veth(), 7240)).toEqual(['7240 PSH']);
  });
  it('cut at half the initial congestion window, every part with PSH: 7241 → 7240 + 1, 9000 → 7240 + 1760', () => {
    expect(send(veth(), 7241)).toEqual(['7240 PSH', '1 PSH']);
    expect(send(veth(), 9000)).toEqual(['7240 PSH', '1760 PSH']);
  });
  it('stop when ten segments are in flight: the rest waits for ACKs', () => {
    const s = veth();
    expect(send(s, 20000)).toEqual(['7240 PSH', '7240 PSH']);
    expect(packetsInFlight(s)).toBe(10);
    expect(cwndQuota(s)).toBe(0);
    expect(s.queue.map((k) => k.len)).toEqual([5520]);
  });
  it('with 524-byte segments five make 2620 bytes (p87)', () => {
    expect(send(veth(536), 3000)).toEqual(['2620 PSH', '380 PSH']);
  });
  it('on a device with gso_max_segs 1 every skb is one segment, PSH only on the last (p72: 550 bytes at MSS 524 → 524 + 26)', () => {
    const s = createSender({ pmtu: 576, peerMss: 1460, timestamps: true, sndWscale: 10, peerWindow: 65160, gsoMaxSegs: 1 });
    expect(sizeGoal(s)).toBe(524);
    expect(send(s, 550)).toEqual(['524', '26 PSH']);
  });
  it('gso_max_segs 2: skbs and packets of at most two segments', () => {
    const s = createSender({ pmtu: 1500, peerMss: 1460, timestamps: true, sndWscale: 10, peerWindow: 65160, gsoMaxSegs: 2 });
    expect(sizeGoal(s)).toBe(2896);
    expect(send(s, 5000)).toEqual(['2896', '2104 PSH']);
  });
  it('on lo skbs of 32741: the first goes alone without PSH, a later full one is forced to PSH (x4 runs, p88)', () => {
    expect(send(loClient(), 30000)).toEqual(['30000 PSH']);
    expect(send(loClient(), 40000)).toEqual(['32741', '7259 PSH']);
    expect(send(loClient(), 65483)).toEqual(['32741', '32741 PSH', '1 PSH']);
  });
  it('waits for the peer\'s receive window, then sends the rest as one grown skb (x9 runs at MTU 40000: 19974, 19974, 20052)', () => {
    const s = createSender({ pmtu: 40000, peerMss: 39960, timestamps: true, sndWscale: 10, peerWindow: 39948 });
    expect(s.mssCache).toBe(19974);
    expect(send(s, 60000)).toEqual(['19974', '19974 PSH']);
    expect(s.queue.map((k) => k.len)).toEqual([19974, 78]);
    ackReceived(s, 39949, 104);
    const skb = nextTransmit(s)!;
    expect({ len: skb.len, psh: skb.psh }).toEqual({ len: 20052, psh: true });
    expect(s.queue).toEqual([]);
  });
  it('an ACK frees the skbs it covers and grows the window in slow start', () => {
    const s = veth();
    send(s, 14480);
    ackReceived(s, 7241, 78);
    expect({ inFlight: packetsInFlight(s), cwnd: s.cwnd, una: s.sndUna }).toEqual({ inFlight: 5, cwnd: 15, una: 7241 });
    ackReceived(s, 7241, 78);
    expect(s.cwnd).toBe(15);
  });
});

describe('path MTU drop (tcp_v4_mtu_reduced, tcp_simple_retransmit)', () => {
  it('shrinks the MSS and marks every skb with a larger segment lost', () => {
    const s = veth();
    send(s, 3000);
    const lost = mtuReduced(s, 1400);
    expect(s.mssCache).toBe(1348);
    expect(lost.map((k) => k.len)).toEqual([3000]);
    expect(packetsInFlight(s)).toBe(0);
  });
  it('resends a lost skb whole, now counted in 1348-byte segments (p82: one LEN=3052 packet)', () => {
    const s = veth();
    send(s, 3000);
    const [skb] = mtuReduced(s, 1400);
    expect(retransmitWhole(s, skb!)).toBe(true);
    expect({ pcount: skb!.pcount, segSize: skb!.segSize, lost: skb!.lost, psh: skb!.psh }).toEqual({ pcount: 3, segSize: 1348, lost: false, psh: true });
  });
  it('leaves skbs whose segments already fit', () => {
    const s = veth();
    send(s, 1000);
    expect(mtuReduced(s, 1400)).toEqual([]);
    expect(s.mssCache).toBe(1348);
  });
  it('ignores an MTU that is not lower than the one in use', () => {
    const s = veth();
    send(s, 3000);
    expect(mtuReduced(s, 1500)).toEqual([]);
    expect(s.mssCache).toBe(1448);
  });
  it('cannot resend whole what no longer fits the congestion window', () => {
    const s = veth();
    send(s, 14480);
    const lost = mtuReduced(s, 1400);
    expect(retransmitWhole(s, lost[0]!)).toBe(true);
    // 6 segments of 1348 in flight again, 4 left for 7240 bytes
    expect(retransmitWhole(s, lost[1]!)).toBe(false);
  });
});
