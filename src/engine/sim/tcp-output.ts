// pattern: Functional Core
// How a Linux 6.18 TCP sender cuts one send() into the packets the TRACE
// shows: the segment size (tcp_sync_mss / tcp_current_mss), the GSO skbs
// tcp_write_xmit() hands to the device (veth and lo keep GSO, so one skb is
// one traced packet of up to several segments), and what a path-MTU drop
// makes it retransmit (tcp_v4_mtu_reduced → tcp_simple_retransmit).
//
// Evidence (fixtures p80-p87, each recorded twice): with an MSS of
// 1448 a send of 7240 bytes is one packet LEN=7292, 7241 bytes are 7240 + 1,
// 14480 bytes are 7240 + 7240 — at most half the initial congestion window
// (tcp_cwnd_test: "at least 2 GSO packets in flight") per skb, every skb
// with PSH. Past ten segments the sender waits for ACKs it processes in
// release_sock(), where the listener may or may not run first: the windows
// that follow differ between runs (20000 bytes: WINDOW=95 or 96), so such
// sends are labelled not modelled.

/** TCP_INIT_CWND */
export const TCP_INIT_CWND = 10;
/** TCP_MIN_SND_MSS (net.ipv4.tcp_min_snd_mss default) */
const TCP_MIN_SND_MSS = 48;
/** TCPOLEN_TSTAMP_ALIGNED */
const TCPOLEN_TSTAMP_ALIGNED = 12;

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

/** One skb of the write/retransmit queue: `len` bytes from `seq`. */
export interface TcpSkb {
  seq: number;
  len: number;
  /** segments it counts for (tcp_skb_pcount) at the MSS it was last sent with */
  pcount: number;
  /** that MSS: the GSO segment size when pcount > 1 */
  segSize: number;
  /** marked lost by tcp_simple_retransmit, waiting to go out again */
  lost: boolean;
}

/** The congestion state that decides how much one tcp_write_xmit() may send. */
export interface TcpSender {
  /** tp->mss_cache: full segment payload */
  mssCache: number;
  /** the path MTU mss_cache was computed for (icsk_pmtu_cookie) */
  pmtu: number;
  /** snd_cwnd, in segments */
  cwnd: number;
  /** skbs sent and not yet acknowledged, in sequence order */
  rtx: TcpSkb[];
  /** snd_una */
  sndUna: number;
}

export function createSender(mssCache: number, pmtu: number): TcpSender {
  return { mssCache, pmtu, cwnd: TCP_INIT_CWND, rtx: [], sndUna: 1 };
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

/**
 * The payload of the next skb tcp_write_xmit() sends from `pending` unsent
 * bytes: a whole number of segments up to the cwnd quota, or the rest; 0
 * when the congestion window is full.
 */
export function nextSkbLength(s: TcpSender, pending: number): number {
  const quota = cwndQuota(s);
  if (quota === 0 || pending <= 0) return 0;
  return Math.min(pending, quota * s.mssCache);
}

/** Record a transmitted skb. */
export function skbSent(s: TcpSender, seq: number, len: number): TcpSkb {
  const skb: TcpSkb = { seq, len, pcount: pcount(len, s.mssCache), segSize: s.mssCache, lost: false };
  s.rtx.push(skb);
  return skb;
}

/**
 * tcp_ack() for a cumulative ACK of `ack`: fully acknowledged skbs leave the
 * queue; in slow start the window grows by the segments acknowledged.
 */
export function ackReceived(s: TcpSender, ack: number): void {
  if (ack - s.sndUna <= 0) return;
  let acked = 0;
  while (s.rtx.length && s.rtx[0]!.seq + s.rtx[0]!.len <= ack) acked += s.rtx.shift()!.pcount;
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
export function mtuReduced(s: TcpSender, mtu: number, peerMss: number, timestamps: boolean): TcpSkb[] {
  if (s.pmtu <= mtu) return [];
  s.pmtu = mtu;
  s.mssCache = tcpMssForPmtu(mtu, peerMss, timestamps);
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
