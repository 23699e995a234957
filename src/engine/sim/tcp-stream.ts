// pattern: Functional Core
// The data path of an established TCP socket, in the order Linux 6.18 runs
// it on the oracle's single CPU:
//   send():  tcp_sendmsg copies the data, tcp_write_xmit sends GSO skbs of
//            at most half the congestion window; each transmit runs the
//            receivers' softirq before the next skb (World.drainFrames), so
//            the peer's ACK reaches us while we own the socket and waits in
//            the backlog until release_sock() — then a deferred path-MTU
//            drop (tcp_release_cb → tcp_v4_mtu_reduced) resends lost skbs.
//   receive: the skb is queued (rmem_alloc grows by its truesize), the
//            receive window grows (tcp-window.ts), an ACK goes out at once
//            (quick-ACK mode: the first data of a connection), and the reader
//            is woken; it runs only after the softirq and the sender's
//            system call, then reads everything queued in one recv().
// The socket model (sockets.ts) owns the connection state; this module
// owns what is queued in each direction.

import { TCP_ACK, TCP_FIN, TCP_PSH, type Packet } from '../net/packet';
import type { Host } from './host';
import type { PacketRecord } from './record';
import type { TcpSock } from './sockets';
import { hostPathMtu, learnRoutePmtu } from './pmtu';
import { ackReceived, createSender, mtuReduced, nextTransmit, queueSkb, transmitFailed, retransmitWhole, sizeGoal, type PushAction, type TcpSender, type TcpSkb } from './tcp-output';
import { tcpAckNow, tcpDataQueued, tcpDataRead, tcpDataSent, tcpReadAckDue } from './tcp-window';

/** TCP_MSS_DEFAULT: what a peer whose SYN had no MSS option gets */
const TCP_MSS_DEFAULT = 536;

export interface TcpStream {
  /** a system call holds the socket (sock_owned_by_user): segments for it go to the backlog */
  userOwned: boolean;
  backlog: { pkt: Packet; rec: PacketRecord }[];
  /** received and not yet read by the application */
  unread: string;
  /** their truesize, charged to rmem_alloc */
  unreadTruesize: number;
  /** the reading process has been woken and will run */
  readScheduled: boolean;
  /** set once the connection is established */
  sender: TcpSender | null;
  /** the window of the peer's SYN (a listener's child: tp->max_window starts there) */
  peerSynWindow: number;
  /** every byte handed to send(), from sequence number 1 (for retransmission) */
  sendBuf: string;
  /** TCP_MTU_REDUCED_DEFERRED: ICMP frag-needed arrived while the socket was owned, handled in release_sock */
  mtuReducedDeferred: boolean;
}

export function createTcpStream(peerSynWindow = 0): TcpStream {
  return { userOwned: false, backlog: [], unread: '', unreadTruesize: 0, readScheduled: false, sender: null, peerSynWindow, sendBuf: '', mtuReducedDeferred: false };
}

/**
 * The handshake completed: the send side starts with the MSS for our path,
 * the peer's MSS option and window scale, the window of its SYN or
 * SYN-ACK as the largest window seen so far, and the device's gso_max_segs.
 */
export function tcpStartSender(s: TcpSock, peerSyn: { mss: number | null; wscale: number | null }, peerWindow: number): void {
  s.stream.sender = createSender({
    pmtu: s.routeMtu,
    peerMss: peerSyn.mss ?? TCP_MSS_DEFAULT,
    timestamps: s.wire?.timestamps ?? false,
    sndWscale: s.wire?.wscaleOk ? peerSyn.wscale ?? 0 : 0,
    peerWindow,
    gsoMaxSegs: s.gsoMaxSegs,
  });
}

/**
 * Transmit one skb (PSH,ACK or ACK), a GSO skb when it holds more than one
 * segment. In process context the receivers' softirq runs before we go on
 * (`drain`).
 */
function transmitSkb(host: Host, s: TcpSock, skb: TcpSkb, drain: boolean): boolean {
  const st = s.stream;
  const data = st.sendBuf.slice(skb.seq - 1, skb.seq - 1 + skb.len);
  const gsoSize = skb.pcount > 1 ? skb.segSize : 0;
  // PSH: the end of a send() or a forced push — and every GSO skb of several segments (observed on
  // veth at MTU 1500, 9000 and 12000; a full single-segment skb pushed alone has none: lo, MTU 20000)
  const psh = skb.psh || skb.pcount > 1;
  const pkt = host.world.wire.tcpSegment(host, s, (psh ? TCP_PSH | TCP_ACK : TCP_ACK) | (skb.fin ? TCP_FIN : 0), data, { seq: skb.seq, gsoSize });
  if (s.wire) tcpDataSent(s.wire.rcv);
  const sent = host.sockets.xmit(s, pkt);
  if (drain) host.world.drainFrames();
  return sent;
}

/** tcp_write_xmit: send from the write queue what the congestion window allows (one skb for tcp_push_one). */
function writeXmit(host: Host, s: TcpSock, push: PushAction, drain: boolean): void {
  const sender = s.stream.sender;
  if (!sender || push === 'none') return;
  for (;;) {
    const skb = nextTransmit(sender);
    if (!skb) return;
    const before = s.sndNxt;
    s.sndNxt = skb.seq + skb.len + (skb.fin ? 1 : 0);
    if (!transmitSkb(host, s, skb, drain)) {
      // tcp_transmit_skb failed (a netfilter drop in OUTPUT or POSTROUTING is -EPERM): tcp_write_xmit
      // stops, and the skb stays first in the write queue, not sent: snd_nxt stays, so a RST that
      // closes the socket carries the old sequence number (difftest seed 2 case 233)
      s.sndNxt = before;
      transmitFailed(sender, skb);
      return;
    }
    if (push === 'one') return;
  }
}

/**
 * tcp_send_fin with data still unsent in the write queue (its first
 * transmission was dropped in this host's OUTPUT): the FIN goes on the tail
 * skb, which is pushed again: data, PSH and FIN in one segment (difftest
 * seed 2 case 753). False when the queue is empty: the FIN is a segment of
 * its own.
 */
export function tcpQueueFin(host: Host, s: TcpSock): boolean {
  const sender = s.stream.sender;
  const tail = sender?.queue.at(-1);
  if (!sender || !tail) return false;
  tail.fin = true;
  writeXmit(host, s, 'all', false);
  return true;
}

/**
 * send(): tcp_sendmsg_locked copies the data into skbs of size_goal and
 * pushes them as it goes, then the socket is released. `process` handles a
 * segment taken from the backlog (the socket's normal receive path).
 */
export function tcpSendmsg(host: Host, s: TcpSock, data: string, process: (pkt: Packet, rec: PacketRecord) => void): void {
  const st = s.stream;
  const sender = st.sender;
  if (!sender || !data) return;
  st.userOwned = true;
  let seq = 1 + st.sendBuf.length;
  st.sendBuf += data;
  const end = seq + data.length;
  const goal = sizeGoal(sender);
  while (seq < end) {
    const n = Math.min(goal, end - seq);
    writeXmit(host, s, queueSkb(sender, seq, n, seq + n === end), true);
    seq += n;
  }
  if (data.length > 65535) {
    host.world.warn(
      `not modelled: a send() of ${data.length} bytes; the oracle's reader takes at most 65535 bytes per recv() and the sender's skbs change size as ACKs arrive (x4 runs on lo: 100000 bytes)`,
    );
  } else if (sender.queue.length) {
    host.world.warn(
      `not modelled: a send() of more than ten segments (${data.length} bytes at MSS ${sender.mssCache}): the rest waits for ACKs handled in release_sock, where the reader may run first, so the windows that follow depend on scheduling`,
    );
  }
  tcpRelease(host, s, process);
}

/**
 * release_sock(): the backlog first (__release_sock, in process context:
 * what it transmits is received at once), then tcp_release_cb — a deferred
 * MTU reduction resends the lost skbs, each received before the next goes
 * out (x7 runs: the peer ACKs the first resent skb before the second
 * leaves); ACKs that arrive meanwhile are processed before the socket is
 * let go.
 */
export function tcpRelease(host: Host, s: TcpSock, process: (pkt: Packet, rec: PacketRecord) => void): void {
  const st = s.stream;
  const drainBacklog = (): void => {
    while (st.backlog.length) {
      const b = st.backlog.shift()!;
      process(b.pkt, b.rec);
    }
  };
  drainBacklog();
  if (st.mtuReducedDeferred) {
    st.mtuReducedDeferred = false;
    tcpMtuReduced(host, s, true);
    drainBacklog();
  }
  st.userOwned = false;
  host.world.drainFrames();
}

/** A segment for a socket a system call holds waits in the backlog (tcp_add_backlog). */
export function tcpBacklog(s: TcpSock, pkt: Packet, rec: PacketRecord): boolean {
  if (!s.stream.userOwned) return false;
  s.stream.backlog.push({ pkt, rec });
  return true;
}

/**
 * The ACK field of an incoming segment (tcp_ack), then tcp_data_snd_check:
 * more data may go out. In softirq context nothing is drained: the frames
 * queue behind the one being processed.
 */
export function tcpAckArrived(host: Host, s: TcpSock, ack: number, window: number): void {
  const sender = s.stream.sender;
  if (!sender) return;
  ackReceived(sender, ack, window);
  if (sender.queue.length) writeXmit(host, s, 'all', s.stream.userOwned);
}

/**
 * In-order data arrived (tcp_data_queue → tcp_event_data_recv): queue it,
 * let the window grow. Returns whether it is ACKed at once
 * (__tcp_ack_snd_check); the caller sends that ACK and wakes the reader.
 */
export function tcpDataArrived(s: TcpSock, pkt: Packet): boolean {
  const st = s.stream;
  const data = pkt.payload;
  s.rcvNxt += data.length;
  s.received += data;
  st.unread += data;
  if (!s.wire) return true;
  st.unreadTruesize += tcpDataQueued(s.wire.rcv, data.length, pkt.gsoSize ?? 0, ((pkt.tcp?.flags ?? 0) & TCP_PSH) !== 0, { ...(pkt.truesize !== undefined ? { truesize: pkt.truesize } : {}), ...(pkt.linear ? { linear: true } : {}) });
  return tcpAckNow(s.wire.rcv, s.rcvNxt);
}

/**
 * recv() of everything queued: frees the receive buffer. Returns the data
 * and whether tcp_cleanup_rbuf() sends an ACK now (a delayed one, or a
 * window update).
 */
export function tcpRecvmsg(s: TcpSock): { data: string; windowUpdate: boolean } {
  const st = s.stream;
  const data = st.unread;
  st.unread = '';
  if (!s.wire) return { data, windowUpdate: false };
  tcpDataRead(s.wire.rcv, st.unreadTruesize);
  st.unreadTruesize = 0;
  return { data, windowUpdate: tcpReadAckDue(s.wire.rcv, s.rcvNxt, data.length) };
}

/**
 * tcp_v4_err for ICMP 3/4 quoting our segment with sequence `seq`: ignored
 * unless the segment is in flight; the route exception is updated at once
 * (inet_csk_update_pmtu); the MSS shrinks and lost skbs go out again now,
 * or in release_sock when a system call holds the socket.
 */
export function tcpFragNeeded(host: Host, s: TcpSock, seq: number, mtu: number): void {
  const sender = s.stream.sender;
  if (s.state === 'CLOSED') return;
  if (sender && !(seq - sender.sndUna >= 0 && s.sndNxt - seq >= 0)) return;
  learnRoutePmtu(host, s.raddr, mtu);
  if (s.stream.userOwned) s.stream.mtuReducedDeferred = true;
  else tcpMtuReduced(host, s, false);
}

/** tcp_v4_mtu_reduced(): shrink the MSS to the route's new MTU and resend what no longer fits. */
function tcpMtuReduced(host: Host, s: TcpSock, drain: boolean): void {
  const sender = s.stream.sender;
  if (!sender || !s.wire) return;
  // dst_mtu() after the update: the exception, or the link when it is lower still
  const mtu = hostPathMtu(host, s.raddr);
  const lost = mtuReduced(sender, mtu);
  for (const skb of lost) {
    if (!retransmitWhole(sender, skb)) {
      host.world.warn(`not modelled: after a path MTU drop to ${mtu}, an skb of ${skb.len} bytes no longer fits the congestion window and would be split`);
      return;
    }
    transmitSkb(host, s, skb, drain);
  }
}

/** A delayed ACK is still owed: only the delayed-ACK timer would send it (not modelled). */
export function tcpDelayedAckPending(s: TcpSock): boolean {
  return s.state !== 'CLOSED' && s.state !== 'TIME_WAIT' && (s.wire?.rcv.ack.scheduled ?? false);
}
