// pattern: Imperative Shell
// The receive window against what Linux 6.18 reported for real sockets:
// TCP_INFO rcv_ssthresh, TCP_WINDOW_CLAMP and SO_MEMINFO rmem_alloc of a
// listener's accepted socket after one skb of N bytes (veth, MTU 1500,
// timestamps), and the WINDOW= fields of fixtures p80, p83, p84 and p85.

import { describe, expect, it } from 'vitest';
import {
  createRcvWindow,
  tcpAckNow,
  tcpAckSent,
  tcpDataQueued,
  tcpDataSent,
  tcpReadAckDue,
  tcpDataRead,
  tcpEstablished,
  tcpSelectWindow,
  tcpWindowUpdateDue,
  TCP_SKB_HEAD_TRUESIZE,
  type TcpRcvWindow,
} from './tcp-window';

/** The accepted socket of a listener on veth: SYN-ACK window 65160, wscale 10, timestamps. */
function listenerSide(appWin = 31): TcpRcvWindow {
  const w = createRcvWindow({ rcvWnd: 65160, rcvWscale: 10, advmss: 1460, appWin });
  tcpEstablished(w, { timestamps: true, wscaleOk: true, rcvNxt: 1, mssCache: 1448 });
  return w;
}

/** The connecting socket: SYN window 64240, wscale 10, timestamps; its third ACK offered 63·1024. */
function clientSide(): TcpRcvWindow {
  const w = createRcvWindow({ rcvWnd: 64240, rcvWscale: 10, advmss: 1460 });
  tcpEstablished(w, { timestamps: true, wscaleOk: true, rcvNxt: 1, mssCache: 1448 });
  return w;
}

describe('after the handshake (tcp_init_buffer_space)', () => {
  it('reserves one segment: window_clamp and rcv_ssthresh 65536 − 1448 = 64088', () => {
    const w = listenerSide();
    expect({ clamp: w.windowClamp, ssthresh: w.rcvSsthresh, advmss: w.advmss, rcvMss: w.rcvMss }).toEqual({ clamp: 64088, ssthresh: 64088, advmss: 1448, rcvMss: 536 });
  });
  it('reserves nothing with tcp_app_win=0: the clamp is the full space, 65536', () => {
    const w = listenerSide(0);
    expect({ clamp: w.windowClamp, ssthresh: w.rcvSsthresh }).toEqual({ clamp: 65536, ssthresh: 65160 });
  });
  it('reserves nothing on lo, where advmss (65483) exceeds half the space', () => {
    const w = createRcvWindow({ rcvWnd: 65483, rcvWscale: 10, advmss: 65495 });
    tcpEstablished(w, { timestamps: true, wscaleOk: true, rcvNxt: 1, mssCache: 65483 });
    expect(w.windowClamp).toBe(65536);
  });
  it('caps the clamp at 65535 when the peer did not scale windows', () => {
    const w = createRcvWindow({ rcvWnd: 64240, rcvWscale: 10, advmss: 1460 });
    tcpEstablished(w, { timestamps: true, wscaleOk: false, rcvNxt: 1, mssCache: 1448 });
    expect({ wscale: w.rcvWscale, clamp: w.windowClamp }).toEqual({ wscale: 0, clamp: 64088 });
  });
});

describe('the window never shrinks (tcp_select_window)', () => {
  it('the client offers 63: 64088 rounded up to the 1024 unit, more than the 64240 of its SYN', () => {
    expect(tcpSelectWindow(clientSide(), 1)).toBe(63);
  });
  it('the listener offers 64 after 1 byte: what is left of its 65160 (65159) rounds up to 64·1024', () => {
    const w = listenerSide();
    tcpDataQueued(w, 1);
    expect(tcpSelectWindow(w, 2)).toBe(64);
    expect(w.rcvWnd).toBe(65536);
  });
});

describe('data arriving (tcp_measure_rcv_mss, tcp_grow_window)', () => {
  it('a linearized skb (ftp helper) counts its whole head: 2125 bytes drop the ratio to 83 and WINDOW= keeps 62, not 68 (case r13)', () => {
    const plain = listenerSide();
    tcpDataQueued(plain, 2125, 1448);
    expect(tcpSelectWindow(plain, 2126)).toBe(68);
    const w = listenerSide();
    expect(tcpDataQueued(w, 2125, 1448, true, { truesize: 6477, linear: true })).toBe(6477);
    expect(w.scalingRatio).toBe(83);
    expect(w.windowClamp).toBe(42496);
    expect(w.rcvSsthresh).toBe(42496);
    // the new window is smaller than what is left of the old offer (65160 − 2125), which stays
    expect(tcpSelectWindow(w, 2126)).toBe(62);
  });
  it('charges payload + 832 bytes of truesize until the data is read', () => {
    const w = listenerSide();
    expect(tcpDataQueued(w, 1200)).toBe(1200 + TCP_SKB_HEAD_TRUESIZE);
    expect(w.rmemAlloc).toBe(2032);
    tcpDataRead(w, 2032);
    expect(w.rmemAlloc).toBe(0);
  });
  it('1200 bytes: ratio 151, clamp 77312, rcv_ssthresh 65160 + 2·1448 = 68056, WINDOW=67', () => {
    const w = listenerSide();
    tcpDataQueued(w, 1200);
    expect({ ratio: w.scalingRatio, clamp: w.windowClamp, ssthresh: w.rcvSsthresh, rcvMss: w.rcvMss }).toEqual({ ratio: 151, clamp: 77312, ssthresh: 68056, rcvMss: 1200 });
    expect(tcpSelectWindow(w, 1201)).toBe(67);
  });
  it('the client grows from the 64512 it offered: WINDOW=66 after a 1200-byte echo', () => {
    const w = clientSide();
    expect(tcpSelectWindow(w, 1)).toBe(63);
    tcpDataQueued(w, 1200);
    expect(w.rcvSsthresh).toBe(64512 + 2896);
    expect(tcpSelectWindow(w, 1201)).toBe(66);
  });
  it('100 bytes change nothing: smaller than the 536-byte MSS guess, and no room to grow', () => {
    const w = listenerSide();
    tcpDataQueued(w, 100);
    expect({ ratio: w.scalingRatio, clamp: w.windowClamp, ssthresh: w.rcvSsthresh }).toEqual({ ratio: 128, clamp: 64088, ssthresh: 64088 });
  });
  it('537 bytes re-measure the ratio (537·256/1369 = 100) and cut clamp and rcv_ssthresh to 51200', () => {
    const w = listenerSide();
    tcpDataQueued(w, 537);
    expect({ ratio: w.scalingRatio, clamp: w.windowClamp, ssthresh: w.rcvSsthresh }).toEqual({ ratio: 100, clamp: 51200, ssthresh: 51200 });
    // the offer still does not shrink below what is left of 65160
    expect(tcpSelectWindow(w, 538)).toBe(64);
  });
  it('grows by twice the payload when that is more than 2·advmss: 2000 → 69160, 7240 → 79640', () => {
    const a = listenerSide();
    tcpDataQueued(a, 2000, 1448);
    expect({ clamp: a.windowClamp, ssthresh: a.rcvSsthresh }).toEqual({ clamp: 92160, ssthresh: 69160 });
    const b = listenerSide();
    tcpDataQueued(b, 7240, 1448);
    expect({ clamp: b.windowClamp, ssthresh: b.rcvSsthresh }).toEqual({ clamp: 117248, ssthresh: 79640 });
    expect(tcpSelectWindow(b, 7241)).toBe(78);
  });
  it('a second GSO skb of the same segment size keeps the ratio; unread data limits the room (p85: 78 then 92)', () => {
    const w = listenerSide();
    tcpDataQueued(w, 7240, 1448);
    expect(tcpSelectWindow(w, 7241)).toBe(78);
    tcpDataQueued(w, 7240, 1448);
    expect(w.scalingRatio).toBe(229);
    expect(w.rcvSsthresh).toBe(79640 + 14480);
    expect(tcpSelectWindow(w, 14481)).toBe(92);
  });
  it('skbs under 128 bytes never grow the window (p83: a 60-byte tail leaves 78)', () => {
    const w = listenerSide();
    tcpDataQueued(w, 7240, 1448);
    tcpSelectWindow(w, 7241);
    const before = w.rcvSsthresh;
    tcpDataQueued(w, 60);
    expect(w.rcvSsthresh).toBe(before);
    expect(tcpSelectWindow(w, 7301)).toBe(78);
  });
  it('on lo the step is 2·65483, so rcv_ssthresh jumps to the free space: 75 after 1200 bytes, 96 after 30000 unread', () => {
    const lo = (): TcpRcvWindow => {
      const w = createRcvWindow({ rcvWnd: 65483, rcvWscale: 10, advmss: 65495 });
      tcpEstablished(w, { timestamps: true, wscaleOk: true, rcvNxt: 1, mssCache: 65483 });
      return w;
    };
    const a = lo();
    tcpDataQueued(a, 1200);
    expect(tcpSelectWindow(a, 1201)).toBe(75);
    const b = lo();
    tcpDataQueued(b, 30000);
    expect(b.scalingRatio).toBe(249);
    expect(tcpSelectWindow(b, 30001)).toBe(96);
  });
});

describe('without window scaling (p83, web2)', () => {
  it('offers whole multiples of rcv_mss, capped at 65535 in the header', () => {
    const w = createRcvWindow({ rcvWnd: 65160, rcvWscale: 0, advmss: 1460 });
    tcpEstablished(w, { timestamps: true, wscaleOk: false, rcvNxt: 1, mssCache: 1448 });
    tcpDataQueued(w, 1200);
    expect(tcpSelectWindow(w, 1201)).toBe(65535);
    // rcv_ssthresh 68056 rounded down to 1200-byte segments
    expect(w.rcvWnd).toBe(67200);
  });
  it('the connecting side keeps its 64240 until the window can grow', () => {
    const w = createRcvWindow({ rcvWnd: 64240, rcvWscale: 10, advmss: 1460 });
    tcpEstablished(w, { timestamps: true, wscaleOk: false, rcvNxt: 1, mssCache: 1448 });
    expect(tcpSelectWindow(w, 1)).toBe(64240);
  });
});

describe('tcp_cleanup_rbuf window updates', () => {
  it('none after the oracle-sized exchanges: the window on offer is more than half the clamp', () => {
    const w = listenerSide();
    tcpDataQueued(w, 7240, 1448);
    tcpSelectWindow(w, 7241);
    tcpDataRead(w, 7240 + TCP_SKB_HEAD_TRUESIZE);
    expect(tcpWindowUpdateDue(w, 7241)).toBe(false);
  });
  it('one when a read reopens a window that had closed to less than half', () => {
    const w = listenerSide();
    tcpDataQueued(w, 7240, 1448);
    tcpSelectWindow(w, 7241);
    // the peer filled most of what we offered, and the reader empties the queue
    expect(tcpWindowUpdateDue(w, 7241 + 60000)).toBe(true);
  });
});

/** The listener's accepted socket on lo: SYN-ACK window 65483, advmss 65483 after timestamps. */
function loListener(): TcpRcvWindow {
  const w = createRcvWindow({ rcvWnd: 65483, rcvWscale: 10, advmss: 65495 });
  tcpEstablished(w, { timestamps: true, wscaleOk: true, rcvNxt: 1, mssCache: 32768 });
  return w;
}

describe('when data is ACKed (quick ACKs, delayed ACKs)', () => {
  it('on veth every packet of a send() is ACKed at once: the first data allows 16 quick ACKs, growing the window sets bit 0', () => {
    const w = listenerSide();
    tcpDataQueued(w, 7240, 1448);
    expect(w.ack.quick).toBe(16 | 1);
    expect(tcpAckNow(w, 7241)).toBe(true);
    tcpSelectWindow(w, 7241);
    tcpAckSent(w);
    tcpDataQueued(w, 1760, 1448);
    expect(tcpAckNow(w, 9001)).toBe(true);
  });
  it('on lo one quick ACK only (65483 / (2·32741)); the second skb waits for the reader (p88)', () => {
    const w = loListener();
    tcpDataQueued(w, 32741);
    expect(tcpAckNow(w, 32742)).toBe(true);
    tcpSelectWindow(w, 32742);
    tcpAckSent(w);
    expect(w.ack.quick).toBe(0);
    const t = tcpDataQueued(w, 7259);
    expect(tcpAckNow(w, 40001)).toBe(false);
    // the listener reads everything: a pushed segment and an empty queue → ACK now
    tcpDataRead(w, w.rmemAlloc);
    expect(tcpReadAckDue(w, 40001, 40000)).toBe(true);
    expect(t).toBe(7259 + TCP_SKB_HEAD_TRUESIZE);
  });
  it('more than one segment unacknowledged: the reader ACKs at once, with the window of the emptied buffer (p88: 32741 + 32741 + 1 bytes, WINDOW=93)', () => {
    const w = loListener();
    tcpDataQueued(w, 32741);
    tcpSelectWindow(w, 32742);
    tcpAckSent(w);
    tcpDataQueued(w, 32741);
    tcpDataQueued(w, 1);
    // the unread 65 KB leave less free space than the window on offer: no ACK from softirq
    expect(tcpAckNow(w, 65484)).toBe(false);
    tcpDataRead(w, w.rmemAlloc);
    expect(tcpReadAckDue(w, 65484, 65483)).toBe(true);
    expect(tcpSelectWindow(w, 65484)).toBe(93);
  });
  it('after answering quickly (ping-pong) received data is no longer quick-ACKed', () => {
    const w = listenerSide();
    tcpDataQueued(w, 100);
    tcpSelectWindow(w, 101);
    tcpAckSent(w);
    tcpDataSent(w);
    tcpDataQueued(w, 100);
    expect(tcpAckNow(w, 201)).toBe(false);
  });
});

describe('quick-ACK bookkeeping', () => {
  it('two quick ACKs (59740 / (2·11948)) become three once the window grows (x9 runs at MTU 12000: the third packet is still ACKed at once)', () => {
    const w = createRcvWindow({ rcvWnd: 59740, rcvWscale: 10, advmss: 11960 });
    tcpEstablished(w, { timestamps: true, wscaleOk: true, rcvNxt: 1, mssCache: 11948 });
    tcpDataQueued(w, 23896, 11948);
    expect(w.ack.quick).toBe(3);
    for (const [len, next] of [
      [23896, 47793],
      [12208, 60001],
    ] as const) {
      tcpSelectWindow(w, next - len);
      tcpAckSent(w);
      tcpDataQueued(w, len, 11948);
      expect(tcpAckNow(w, next)).toBe(true);
    }
  });
});
