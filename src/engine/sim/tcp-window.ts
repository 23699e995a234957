// pattern: Functional Core
// The receive window of a Linux 6.18 TCP socket: what it puts into the
// WINDOW= field of every segment after the handshake, and how that grows as
// data arrives. The mechanism is the kernel's (net/ipv4/tcp_input.c,
// tcp_output.c): rcv_ssthresh grows by tcp_grow_window() for each data skb,
// window_clamp follows the payload/truesize ratio of received skbs
// (tcp_measure_rcv_mss → tcp_set_window_clamp), the offered window is
// min(free space, rcv_ssthresh) rounded up to the scale unit
// (__tcp_select_window) and never shrinks (tcp_select_window).
//
// The numbers were checked against the socket's own view (TCP_INFO
// rcv_ssthresh, TCP_WINDOW_CLAMP, SO_MEMINFO rmem_alloc) on this kernel for
// payloads of 1 to 7241 bytes, and against the WINDOW= of every segment of
// fixtures p80-p87.

import { TCP_SKB_HEAD_TRUESIZE } from '../net/skb';

/** TCP_RMEM_TO_WIN_SCALE: scaling_ratio is a fraction of 256 */
const TCP_RMEM_TO_WIN_SCALE = 8;
/** TCP_DEFAULT_SCALING_RATIO: a new socket assumes half of its buffer will hold payload */
export const TCP_DEFAULT_SCALING_RATIO = 128;
/** net.ipv4.tcp_rmem[1]: sk_rcvbuf of a new socket (131072; the case format cannot change it) */
export const TCP_RMEM_DEFAULT = 131072;
/**
 * skb->truesize of a TCP data skb minus its payload: the head that
 * tcp_stream_alloc_skb() allocates (MAX_TCP_HEADER, sk_buff, shared info)
 * on this kernel build (net/skb.ts). The payload sits in page fragments and
 * is charged byte for byte. Measured: SO_MEMINFO rmem_alloc of an unread skb
 * is payload + 832 for 1, 100, 536, 1200, 1448, 2000, 3000, 5000 and 7240
 * bytes, on veth and on lo (the skb crosses both unchanged).
 */
export { TCP_SKB_HEAD_TRUESIZE };
/** net.ipv4.tcp_rmem[2] */
const TCP_RMEM_MAX = 6291456;
/** TCP_MSS_DEFAULT / TCP_MIN_MSS: bounds of the first rcv_mss guess */
const TCP_MSS_DEFAULT = 536;
const TCP_MIN_MSS = 88;
/** tcp_event_data_recv grows the window only for skbs of at least 128 bytes */
const TCP_GROW_MIN_LEN = 128;
/** TCP_MAX_QUICKACKS */
const TCP_MAX_QUICKACKS = 16;

/** The receive-side fields of struct tcp_sock / inet_connection_sock that decide WINDOW=. */
export interface TcpRcvWindow {
  /** sk_rcvbuf */
  rcvbuf: number;
  /** tp->scaling_ratio: payload per 256 bytes of truesize */
  scalingRatio: number;
  /** tp->window_clamp: the largest window we will ever offer */
  windowClamp: number;
  /** tp->rcv_ssthresh: the window we allow ourselves to offer for now */
  rcvSsthresh: number;
  /** tp->rcv_wnd: the window last offered, in bytes (unscaled) */
  rcvWnd: number;
  /** tp->rcv_wup: rcv_nxt when rcv_wnd was offered */
  rcvWup: number;
  /** icsk_ack.rcv_mss: our guess of the peer's segment size */
  rcvMss: number;
  /** tp->advmss: our MSS net of the timestamp option */
  advmss: number;
  /** sk_rmem_alloc: truesize of the skbs received and not read yet */
  rmemAlloc: number;
  /** tp->rx_opt.rcv_wscale, 0 when window scaling is off */
  rcvWscale: number;
  /** net.ipv4.tcp_app_win */
  appWin: number;
  /** tp->tcp_header_len: 20, or 32 with timestamps */
  headerLen: number;
  /** the delayed-ACK engine (icsk_ack) */
  ack: DelayedAck;
}

/** struct inet_connection_sock icsk_ack, as far as the oracle's flows reach it. */
export interface DelayedAck {
  /** ICSK_ACK_SCHED: data arrived that no ACK has covered yet */
  scheduled: boolean;
  /** ICSK_ACK_PUSHED / ICSK_ACK_PUSHED2 */
  pushed: boolean;
  pushed2: boolean;
  /** icsk_ack.quick: ACKs still to send at once */
  quick: number;
  /** icsk_ack.ato != 0: data has been received (the delayed-ACK engine is running) */
  started: boolean;
  /** inet_csk_in_pingpong_mode(): we answered received data quickly, so ACKs wait for our next data */
  pingpong: boolean;
  /** icsk_ack.last_seg_size */
  lastSegSize: number;
}

/** tcp_win_from_space(): the part of `space` bytes of buffer that may be offered as window. */
export function tcpWinFromSpace(ratio: number, space: number): number {
  return Math.floor((space * ratio) / (1 << TCP_RMEM_TO_WIN_SCALE));
}

/** tcp_full_space() */
export function tcpFullSpace(w: TcpRcvWindow): number {
  return tcpWinFromSpace(w.scalingRatio, w.rcvbuf);
}

/** tcp_space(): what is left of the buffer (the backlog is empty whenever the engine asks) */
export function tcpSpace(w: TcpRcvWindow): number {
  return tcpWinFromSpace(w.scalingRatio, w.rcvbuf - w.rmemAlloc);
}

export interface RcvWindowInit {
  /** the window of our SYN or SYN-ACK (rcv_wnd, and the first rcv_ssthresh) */
  rcvWnd: number;
  rcvWscale: number;
  /** tp->advmss before the timestamp option is taken off */
  advmss: number;
  rcvbuf?: number;
  appWin?: number;
}

/**
 * The receive side as tcp_connect_init() / tcp_openreq_init_rwin() leave it:
 * tcp_select_initial_window() set the clamp to the largest scaled window.
 */
export function createRcvWindow(init: RcvWindowInit): TcpRcvWindow {
  return {
    rcvbuf: init.rcvbuf ?? TCP_RMEM_DEFAULT,
    scalingRatio: TCP_DEFAULT_SCALING_RATIO,
    windowClamp: 65535 * 2 ** init.rcvWscale,
    rcvSsthresh: init.rcvWnd,
    rcvWnd: init.rcvWnd,
    rcvWup: 0,
    rcvMss: TCP_MSS_DEFAULT,
    advmss: init.advmss,
    rmemAlloc: 0,
    rcvWscale: init.rcvWscale,
    appWin: init.appWin ?? 31,
    headerLen: 20,
    ack: { scheduled: false, pushed: false, pushed2: false, quick: 0, started: false, pingpong: false, lastSegSize: 0 },
  };
}

/**
 * The handshake is over (tcp_finish_connect / SYN_RECV → ESTABLISHED):
 * timestamps cost 12 bytes of advmss, a peer without window scaling caps
 * the clamp at 65535, and tcp_init_buffer_space() reserves part of the full
 * space for the application (tcp_app_win) and one segment. rcv_wup is the
 * sequence number after the peer's SYN. tcp_initialize_rcv_mss() guesses 536.
 * Evidence: TCP_WINDOW_CLAMP 64088 = 65536 − 1448 and rcv_ssthresh 64088 on
 * both ends of a veth connection; 65536 on lo (advmss 65483 leaves no room
 * for a reservation).
 */
export function tcpEstablished(w: TcpRcvWindow, opts: { timestamps: boolean; wscaleOk: boolean; rcvNxt: number; mssCache: number }): void {
  if (opts.timestamps) {
    w.advmss -= 12;
    w.headerLen = 32;
  }
  if (!opts.wscaleOk) {
    w.rcvWscale = 0;
    w.windowClamp = Math.min(w.windowClamp, 65535);
  }
  w.rcvWup = opts.rcvNxt;
  const maxwin = tcpFullSpace(w);
  if (w.windowClamp >= maxwin) {
    w.windowClamp = maxwin;
    if (w.appWin && maxwin > 4 * w.advmss) w.windowClamp = Math.max(maxwin - Math.floor(maxwin / 2 ** w.appWin), 4 * w.advmss);
  }
  if (w.appWin && w.windowClamp > 2 * w.advmss && w.windowClamp + w.advmss > maxwin) {
    w.windowClamp = Math.max(2 * w.advmss, maxwin - w.advmss);
  }
  w.rcvSsthresh = Math.min(w.rcvSsthresh, w.windowClamp);
  let hint = Math.min(w.advmss, opts.mssCache, Math.floor(w.rcvWnd / 2), TCP_MSS_DEFAULT);
  hint = Math.max(hint, TCP_MIN_MSS);
  w.rcvMss = hint;
}

/** tcp_set_window_clamp(): a larger clamp lets rcv_ssthresh catch up with rcv_wnd, a smaller one cuts it. */
function setWindowClamp(w: TcpRcvWindow, val: number): void {
  const old = w.windowClamp;
  if (val === old) return;
  w.windowClamp = val;
  if (val < old) w.rcvSsthresh = Math.min(w.rcvSsthresh, val);
  else w.rcvSsthresh = Math.max(Math.min(w.rcvWnd, val), w.rcvSsthresh);
}

/**
 * One data skb was queued (tcp_queue_rcv, then tcp_event_data_recv):
 * `len` payload bytes, `gsoSize` the segment size of a GSO skb (0 for a
 * single segment), `psh` its PSH flag. Returns the skb's truesize, charged
 * to rmem_alloc until the application reads it.
 *
 * tcp_measure_rcv_mss(): a segment at least as large as rcv_mss (and not
 * equal to it) re-measures scaling_ratio = len·256/truesize and moves the
 * clamp to tcp_win_from_space(rcvbuf). tcp_grow_window(): rcv_ssthresh
 * grows by max(2·advmss, 2·len), bounded by min(clamp, free space), and
 * asks for a quick ACK. The truesize test of Check #2 always passes here:
 * the payload lives in page fragments, so truesize_adjust() leaves exactly
 * the payload. The first data of a connection starts quick-ACK mode
 * (tcp_incr_quickack: rcv_wnd / (2·rcv_mss) ACKs, at most 16).
 * Evidence (veth, timestamps, server side, rcv_wnd 65160): 1200 bytes →
 * clamp 77312 (ratio 151), rcv_ssthresh 68056, WINDOW=67; 537 bytes → ratio
 * 100 cuts clamp and rcv_ssthresh to 51200; 100 bytes → nothing changes.
 */
export function tcpDataQueued(w: TcpRcvWindow, len: number, gsoSize = 0, psh = true, skb: { truesize?: number; linear?: boolean } = {}): number {
  const truesize = skb.truesize ?? len + TCP_SKB_HEAD_TRUESIZE;
  w.rmemAlloc += truesize;
  const a = w.ack;
  a.scheduled = true;
  measureRcvMss(w, len, gsoSize, psh, truesize);
  if (!a.started) {
    incrQuickack(w);
    a.started = true;
  }
  if (len >= TCP_GROW_MIN_LEN) {
    const room = Math.min(w.windowClamp, tcpSpace(w)) - w.rcvSsthresh;
    if (room > 0) {
      // truesize_adjust(): an skb whose payload is all in page fragments counts its payload only;
      // a linear one (net/skb.ts) its whole truesize, which Check #2 may find too fat
      const counted = skb.linear ? truesize : len;
      const incr = tcpWinFromSpace(w.scalingRatio, counted) <= len ? 2 * w.advmss : growWindowSlow(w, len, counted);
      if (incr) {
        w.rcvSsthresh += Math.min(room, Math.max(incr, 2 * len));
        // icsk_ack.quick |= 1: a bit, not a count (2 quick ACKs become 3)
        a.quick |= 1;
      }
    }
  }
  return truesize;
}

/**
 * __tcp_grow_window(): an skb that takes more buffer than it carries may
 * still grow the window while rcv_ssthresh is small next to tcp_rmem[2]:
 * halve both until the skb's share fits its payload.
 */
function growWindowSlow(w: TcpRcvWindow, len: number, truesize: number): number {
  let share = tcpWinFromSpace(w.scalingRatio, truesize) >> 1;
  let window = tcpWinFromSpace(w.scalingRatio, TCP_RMEM_MAX) >> 1;
  while (w.rcvSsthresh <= window) {
    if (share <= len) return 2 * w.rcvMss;
    share >>= 1;
    window >>= 1;
  }
  return 0;
}

function measureRcvMss(w: TcpRcvWindow, len: number, gsoSize: number, psh: boolean, truesize: number): void {
  const a = w.ack;
  const lss = a.lastSegSize;
  a.lastSegSize = 0;
  const seg = gsoSize || len;
  if (seg >= w.rcvMss) {
    if (seg !== w.rcvMss) {
      const ratio = Math.floor((len * 256) / truesize) || 1;
      if (ratio !== w.scalingRatio) {
        w.scalingRatio = ratio;
        setWindowClamp(w, tcpWinFromSpace(ratio, w.rcvbuf));
        if (w.windowClamp < w.rcvSsthresh) w.rcvSsthresh = w.windowClamp;
      }
    }
    w.rcvMss = Math.min(seg, w.advmss);
    // a full segment with PSH probably ends a write: ACK when the reader drains it
    if (psh) a.pushed = true;
    return;
  }
  // a smaller segment: with its header, is it plausibly full-sized (TCP_REMNANT = FIN|URG|SYN|PSH)?
  const withHeader = seg + w.headerLen;
  if (withHeader >= TCP_MSS_DEFAULT + 20 || (withHeader >= TCP_MIN_MSS + 20 && !psh)) {
    a.lastSegSize = seg;
    if (seg === lss) {
      w.rcvMss = seg;
      return;
    }
  }
  if (a.pushed) a.pushed2 = true;
  a.pushed = true;
}

/** tcp_incr_quickack(): quick-ACK the next rcv_wnd / (2·rcv_mss) segments (at least 2, at most 16). */
function incrQuickack(w: TcpRcvWindow): void {
  let n = Math.floor(w.rcvWnd / (2 * w.rcvMss));
  if (n === 0) n = 2;
  n = Math.min(n, TCP_MAX_QUICKACKS);
  if (n > w.ack.quick) w.ack.quick = n;
}

/**
 * __tcp_ack_snd_check(): ACK now when more than one full segment is
 * unacknowledged and the window would not shrink, or in quick-ACK mode
 * (quick ACKs left and not ping-pong); otherwise the ACK is delayed — it
 * rides on our next segment or goes out when the reader drains the queue.
 */
export function tcpAckNow(w: TcpRcvWindow, rcvNxt: number): boolean {
  if (rcvNxt - w.rcvWup > w.rcvMss && tcpSelectWindowRaw(w) >= w.rcvWnd) return true;
  return w.ack.quick > 0 && !w.ack.pingpong;
}

/** A segment carrying our ACK left (tcp_event_ack_sent → tcp_dec_quickack_mode): the pending ACK is done. */
export function tcpAckSent(w: TcpRcvWindow): void {
  const a = w.ack;
  if (a.quick && a.scheduled) a.quick--;
  a.scheduled = false;
  a.pushed = false;
  a.pushed2 = false;
}

/**
 * We sent data (tcp_event_data_sent): an answer within the delayed-ACK
 * timeout of the last data received (always, within one oracle step) makes
 * the connection interactive (ping-pong), so later ACKs wait for our data.
 */
export function tcpDataSent(w: TcpRcvWindow): void {
  if (w.ack.started) w.ack.pingpong = true;
}

/**
 * tcp_cleanup_rbuf() after a read of `copied` bytes: a delayed ACK goes out
 * now if more than one segment is unacknowledged, or if the reader emptied
 * the queue after a pushed segment (PUSHED2, or PUSHED outside ping-pong);
 * failing that, a window update if the read opened the window wide.
 */
export function tcpReadAckDue(w: TcpRcvWindow, rcvNxt: number, copied: number): boolean {
  const a = w.ack;
  if (a.scheduled) {
    if (rcvNxt - w.rcvWup > w.rcvMss) return true;
    if (copied > 0 && (a.pushed2 || (a.pushed && !a.pingpong)) && w.rmemAlloc === 0) return true;
  }
  return copied > 0 && tcpWindowUpdateDue(w, rcvNxt);
}

/** The application read skbs of `truesize` bytes in total (tcp_recvmsg → skb freed). */
export function tcpDataRead(w: TcpRcvWindow, truesize: number): void {
  w.rmemAlloc = Math.max(0, w.rmemAlloc - truesize);
}

/** tcp_receive_window(): what is left of the window we offered last. */
export function tcpReceiveWindow(w: TcpRcvWindow, rcvNxt: number): number {
  return Math.max(0, w.rcvWup + w.rcvWnd - rcvNxt);
}

/**
 * __tcp_select_window(): the window we could offer now. With window scaling:
 * min(free space, rcv_ssthresh) rounded up to the scale unit; a nearly full
 * buffer offers its rounded-down free space, or 0. Without: a whole number
 * of rcv_mss, keeping the current offer while it is within one segment.
 */
export function tcpSelectWindowRaw(w: TcpRcvWindow): number {
  let mss = w.rcvMss;
  let free = tcpSpace(w);
  const allowed = tcpFullSpace(w);
  const full = Math.min(w.windowClamp, allowed);
  if (mss > full) {
    mss = full;
    if (mss <= 0) return 0;
  }
  const unit = 2 ** w.rcvWscale;
  if (free < Math.floor(full / 2)) {
    free = Math.floor(free / unit) * unit;
    if (free < Math.floor(allowed / 16) || free < mss) return 0;
  }
  if (free > w.rcvSsthresh) free = w.rcvSsthresh;
  if (w.rcvWscale) return Math.ceil(free / unit) * unit;
  let window = w.rcvWnd;
  if (window <= free - mss || window > free) window = Math.floor(free / mss) * mss;
  else if (mss === full && free > window + Math.floor(full / 2)) window = free;
  return window;
}

/**
 * tcp_select_window(): the WINDOW= field of a segment other than SYN/SYN-ACK
 * sent when `rcvNxt` is the next byte expected. The offer never shrinks: a
 * smaller new window keeps the rest of the old one, rounded up to the scale
 * unit (why the listener says 64, not 63, after the handshake: 65160 − data
 * is still more than 63·1024). Records the offer (rcv_wnd, rcv_wup).
 */
export function tcpSelectWindow(w: TcpRcvWindow, rcvNxt: number): number {
  const cur = tcpReceiveWindow(w, rcvNxt);
  let win = tcpSelectWindowRaw(w);
  const unit = 2 ** w.rcvWscale;
  if (win < cur) win = Math.ceil(cur / unit) * unit;
  w.rcvWnd = win;
  w.rcvWup = rcvNxt;
  return Math.floor(Math.min(win, 65535 * unit) / unit);
}

/**
 * tcp_cleanup_rbuf() after a read: an ACK goes out at once if the window
 * still on offer is at most half the clamp and the read at least doubled it.
 */
export function tcpWindowUpdateDue(w: TcpRcvWindow, rcvNxt: number): boolean {
  const now = tcpReceiveWindow(w, rcvNxt);
  if (2 * now > w.windowClamp) return false;
  const next = tcpSelectWindowRaw(w);
  return next !== 0 && next >= 2 * now;
}
