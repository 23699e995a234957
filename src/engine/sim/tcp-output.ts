// pattern: Functional Core
// How a Linux 6.18 TCP sender cuts one send() into the packets the TRACE
// shows: the segment size (tcp_sync_mss, bounded by half the largest window
// the peer offered), the skbs tcp_sendmsg() builds (size_goal) and marks
// with PSH (tcp_mark_push at the end of the call, or forced_push when more
// than half a window went out unmarked), and the GSO packets tcp_write_xmit()
// hands to the device (veth and lo keep GSO, so one skb is one traced packet
// of up to several segments), cut to the congestion window and held back by
// the peer's receive window. Also what a path-MTU drop makes it resend
// (tcp_v4_mtu_reduced → tcp_simple_retransmit).
//
// Evidence (fixtures p80-p89 and scratch runs, each recorded twice): with an
// MSS of 1448 a send of 7240 bytes is one packet LEN=7292, 7241 bytes are
// 7240 + 1, 14480 bytes 7240 + 7240 — at most half the initial congestion
// window per packet (tcp_cwnd_test: "at least 2 GSO packets in flight"). On
// lo the segment is half the peer's window: 40000 bytes leave as 32741 (no
// PSH: a full skb pushed alone) + 7259 (PSH), 65483 bytes as 32741 + 32741
// (PSH, forced) + 1 (PSH). Every packet of more than one segment carries PSH
// (MTU 1500, 9000, 12000); the caller adds that. Past ten segments the
// sender waits for ACKs it processes in release_sock(), where the listener
// may or may not run first: the windows that follow differ between runs
// (20000 bytes at MSS 1448: WINDOW=95 or 96), so such sends are labelled not
// modelled by the caller.

/** TCP_INIT_CWND */
export const TCP_INIT_CWND = 10;
/** TCP_MIN_SND_MSS (net.ipv4.tcp_min_snd_mss default) */
const TCP_MIN_SND_MSS = 48;
/** TCPOLEN_TSTAMP_ALIGNED */
const TCPOLEN_TSTAMP_ALIGNED = 12;
/** TCP_MSS_DEFAULT */
const TCP_MSS_DEFAULT = 536;
/** sk_gso_max_size of veth and lo (GSO_LEGACY_MAX_SIZE) */
const GSO_MAX_SIZE = 65536;
/** GSO_MAX_SEGS: a device's gso_max_segs unless set lower */
const GSO_MAX_SEGS = 65535;

/**
 * tcp_mtu_to_mss(): the payload of a full segment on a path of `pmtu`
 * bytes, no larger than the MSS the peer announced (`peerMss`, 536 when its
 * SYN had no MSS option), minus the timestamp option when in use.
 * Evidence: 1448 on veth; 1348 after learning a 1400-byte path or when the
 * peer announces 1360 (fixture p82).
 */
export function tcpMssForPmtu(pmtu: number, peerMss: number, timestamps: boolean): number {
  let mss = pmtu - 40;
  if (mss > peerMss) mss = peerMss;
  if (mss < TCP_MIN_SND_MSS) mss = TCP_MIN_SND_MSS;
  return mss - (timestamps ? TCPOLEN_TSTAMP_ALIGNED : 0);
}

/** tcp_bound_to_half_wnd(): nothing larger than half the largest window the peer offered. */
export function boundToHalfWindow(maxWindow: number, size: number, headerLen: number): number {
  const cutoff = maxWindow > TCP_MSS_DEFAULT ? maxWindow >> 1 : maxWindow;
  if (cutoff && size > cutoff) return Math.max(cutoff, 68 - headerLen);
  return size;
}

/** One skb of the write/retransmit queue: `len` bytes from `seq`. */
export interface TcpSkb {
  seq: number;
  len: number;
  /** TCPHDR_PSH in its control block */
  psh: boolean;
  /** segments it counts for (tcp_skb_pcount) at the MSS it was last sent with */
  pcount: number;
  /** that MSS: the GSO segment size when pcount > 1 */
  segSize: number;
  /** marked lost by tcp_simple_retransmit, waiting to go out again */
  lost: boolean;
  /** TCPHDR_FIN: tcp_send_fin put the FIN on this unsent skb (the tail of the write queue) */
  fin?: boolean;
}

/** The send side of a connection. */
export interface TcpSender {
  /** tp->mss_cache: full segment payload */
  mssCache: number;
  /** the path MTU mss_cache was computed for (icsk_pmtu_cookie) */
  pmtu: number;
  /** rx_opt.mss_clamp: the MSS option of the peer's SYN */
  peerMss: number;
  timestamps: boolean;
  /** the peer's window scale, applied to the window of its ACKs */
  sndWscale: number;
  /** tp->max_window: the largest window the peer offered */
  maxWindow: number;
  /** tp->snd_wnd: the window the peer offers now (bytes) */
  sndWnd: number;
  /** tp->pushed_seq: the end of the last data marked with PSH */
  pushedSeq: number;
  /** snd_cwnd, in segments */
  cwnd: number;
  /** skbs given to send() and not transmitted yet (the write queue) */
  queue: TcpSkb[];
  /** skbs sent and not yet acknowledged, in sequence order */
  rtx: TcpSkb[];
  /** snd_una */
  sndUna: number;
  /** sk_gso_max_segs: the most segments one skb may carry (the device's gso_max_segs, at least 1) */
  gsoMaxSegs: number;
}

export interface SenderInit {
  pmtu: number;
  peerMss: number;
  timestamps: boolean;
  sndWscale: number;
  /** the window of the peer's SYN or SYN-ACK (never scaled) */
  peerWindow: number;
  /** gso_max_segs of the route's device (65535 unless `ip link set ... gso_max_segs N`) */
  gsoMaxSegs?: number;
}

export function createSender(init: SenderInit): TcpSender {
  const s: TcpSender = {
    mssCache: 0,
    pmtu: init.pmtu,
    peerMss: init.peerMss,
    timestamps: init.timestamps,
    sndWscale: init.sndWscale,
    maxWindow: init.peerWindow,
    sndWnd: init.peerWindow,
    pushedSeq: 1,
    cwnd: TCP_INIT_CWND,
    queue: [],
    rtx: [],
    sndUna: 1,
    gsoMaxSegs: Math.max(1, init.gsoMaxSegs ?? GSO_MAX_SEGS),
  };
  syncMss(s);
  return s;
}

/** tcp_sync_mss(): the segment size for the path MTU, bounded by half the peer's largest window. */
function syncMss(s: TcpSender): void {
  s.mssCache = boundToHalfWindow(s.maxWindow, tcpMssForPmtu(s.pmtu, s.peerMss, s.timestamps), headerLen(s));
}

function headerLen(s: TcpSender): number {
  return 20 + (s.timestamps ? TCPOLEN_TSTAMP_ALIGNED : 0);
}

/**
 * tcp_xmit_size_goal(): how many bytes tcp_sendmsg() puts into one skb —
 * whole segments, at most sk_gso_max_segs of them. A device set to
 * gso_max_segs 1 makes every skb one segment (fixtures p72-p74: a
 * 550-byte write at MSS 524 leaves as 524 bytes, then 26 with PSH).
 */
export function sizeGoal(s: TcpSender): number {
  const goal = boundToHalfWindow(s.maxWindow, GSO_MAX_SIZE, headerLen(s));
  return Math.max(Math.min(Math.floor(goal / s.mssCache), s.gsoMaxSegs) * s.mssCache, s.mssCache);
}

export function pcount(len: number, mss: number): number {
  return Math.max(1, Math.ceil(len / mss));
}

/** tcp_packets_in_flight(): segments sent, not acknowledged and not marked lost */
export function packetsInFlight(s: TcpSender): number {
  let n = 0;
  for (const skb of s.rtx) if (!skb.lost) n += skb.pcount;
  return n;
}

/**
 * tcp_cwnd_test(): how many segments the next skb may carry — never more
 * than half the window, so that at least two GSO packets are in flight.
 */
export function cwndQuota(s: TcpSender): number {
  const inFlight = packetsInFlight(s);
  if (inFlight >= s.cwnd) return 0;
  return Math.min(Math.max(s.cwnd >> 1, 1), s.cwnd - inFlight);
}

/** What tcp_sendmsg() asks of tcp_write_xmit() after queueing an skb. */
export type PushAction = 'one' | 'all' | 'none';

/**
 * One step of tcp_sendmsg_locked(): queue the skb of `len` bytes from `seq`
 * (at most sizeGoal(); `last` when the call's data ends with it) and say
 * which push follows. A full skb is pushed alone (tcp_push_one, without PSH)
 * when it is the head of the write queue, unless more than half a window
 * went out since the last PSH (forced_push: PSH and a full push); the last
 * skb gets PSH (tcp_push → tcp_mark_push).
 */
export function queueSkb(s: TcpSender, seq: number, len: number, last: boolean): PushAction {
  const skb: TcpSkb = { seq, len, psh: false, pcount: 0, segSize: 0, lost: false };
  s.queue.push(skb);
  const end = seq + len;
  if (last) {
    skb.psh = true;
    s.pushedSeq = end;
    return 'all';
  }
  if (len < sizeGoal(s)) return 'none';
  if (end - (s.pushedSeq + (s.maxWindow >> 1)) > 0) {
    skb.psh = true;
    s.pushedSeq = end;
    return 'all';
  }
  return s.queue[0] === skb ? 'one' : 'none';
}

/**
 * The next packet tcp_write_xmit() transmits from the head of the write
 * queue: the whole skb, or as many full segments as the congestion window
 * allows (tso_fragment; both parts keep PSH — every part of a split send
 * carries it in the traces). Null when the queue is empty or the window full.
 */
export function nextTransmit(s: TcpSender): TcpSkb | null {
  const head = s.queue[0];
  if (!head) return null;
  const quota = cwndQuota(s);
  if (quota === 0) return null;
  // tcp_snd_wnd_test: the first segment must fit the peer's receive window
  if (head.seq + Math.min(head.len, s.mssCache) - (s.sndUna + s.sndWnd) > 0) return null;
  // tcp_mss_split_point(): no more segments than the congestion window and sk_gso_max_segs allow
  const limit = Math.min(quota, s.gsoMaxSegs) * s.mssCache;
  growSkb(s, head, limit - head.len);
  let skb = head;
  if (head.len > limit) {
    skb = { ...head, len: limit, fin: false };
    head.seq += limit;
    head.len -= limit;
  } else s.queue.shift();
  skb.pcount = pcount(skb.len, s.mssCache);
  skb.segSize = s.mssCache;
  s.rtx.push(skb);
  return skb;
}

/** An skb tcp_transmit_skb could not send goes back to the head of the write queue, unsent. */
export function transmitFailed(s: TcpSender, skb: TcpSkb): void {
  const i = s.rtx.lastIndexOf(skb);
  if (i >= 0) s.rtx.splice(i, 1);
  const head = s.queue[0];
  // nextTransmit split it off the head: join them again
  if (head && head !== skb && head.seq === skb.seq + skb.len) {
    head.seq = skb.seq;
    head.len += skb.len;
  } else s.queue.unshift(skb);
}

/**
 * tcp_grow_skb(): before sending the head skb, tcp_write_xmit pulls into it
 * up to `amount` bytes of the skbs queued behind it; an skb it empties
 * gives its flags (PSH) to the head (tcp_eat_one_skb). Seen when a send()
 * waited for the peer's window: lo, 100000 bytes → 32741, 32741, 34518.
 */
function growSkb(s: TcpSender, head: TcpSkb, amount: number): void {
  while (amount > 0 && s.queue.length > 1) {
    const next = s.queue[1]!;
    const n = Math.min(amount, next.len);
    head.len += n;
    next.seq += n;
    next.len -= n;
    amount -= n;
    if (next.len > 0) return;
    head.psh = head.psh || next.psh;
    head.fin = head.fin || next.fin;
    s.queue.splice(1, 1);
  }
}

/**
 * tcp_ack() for an ACK of `ack` carrying `window` (the header field):
 * fully acknowledged skbs leave the queue; in slow start the congestion
 * window grows by the segments acknowledged; a larger offered window
 * raises max_window and with it the segment size bound (tcp_ack_update_window).
 */
export function ackReceived(s: TcpSender, ack: number, window: number): void {
  const nwin = window * 2 ** s.sndWscale;
  s.sndWnd = nwin;
  if (nwin > s.maxWindow) {
    s.maxWindow = nwin;
    syncMss(s);
  }
  if (ack - s.sndUna <= 0) return;
  let acked = 0;
  while (s.rtx.length && s.rtx[0]!.seq + s.rtx[0]!.len - ack <= 0) acked += s.rtx.shift()!.pcount;
  s.sndUna = ack;
  s.cwnd += acked;
}

/**
 * tcp_v4_mtu_reduced(): the path MTU fell to `mtu`. If it is below the one
 * the MSS was computed for, the MSS shrinks (tcp_sync_mss) and every skb
 * with a segment larger than the new MSS is marked lost
 * (tcp_simple_retransmit); the caller resends them, in order, each as one
 * GSO skb of the new segment size (__tcp_retransmit_skb keeps an skb whole
 * while the window allows: fixture p82, LEN=3052 twice, the second a GSO
 * skb of 1348-byte segments). Returns the skbs to resend.
 */
export function mtuReduced(s: TcpSender, mtu: number): TcpSkb[] {
  if (s.pmtu <= mtu) return [];
  s.pmtu = mtu;
  syncMss(s);
  const lost: TcpSkb[] = [];
  for (const skb of s.rtx) {
    // tcp_skb_seglen(): the GSO segment size, or the length of a single segment
    const seglen = skb.pcount > 1 ? skb.segSize : skb.len;
    if (seglen > s.mssCache) {
      skb.lost = true;
      lost.push(skb);
    }
  }
  return lost;
}

/**
 * Resending a lost skb (__tcp_retransmit_skb): it goes out whole when the
 * congestion window has room for all its segments at the new MSS. Returns
 * false when it would have to be split (tcp_fragment), which is not modelled.
 */
export function retransmitWhole(s: TcpSender, skb: TcpSkb): boolean {
  const segs = s.cwnd - packetsInFlight(s);
  if (segs * s.mssCache < skb.len) return false;
  skb.lost = false;
  skb.pcount = pcount(skb.len, s.mssCache);
  skb.segSize = s.mssCache;
  return true;
}
