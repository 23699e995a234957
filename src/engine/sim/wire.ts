// pattern: Functional Core
// The header values Linux 6.18 puts into the packets it generates: TCP
// options, lengths and windows (the receive window itself lives in
// tcp-window.ts), IP ids, the TOS/TTL/length of ICMP errors and echo
// replies, UDP lengths. Derived from the kernel results in
// shared/oracle/cases/*.kernel.json and fixtures p80-p87 (the case/packet
// that shows each value is named next to it) and from the kernel code that
// produces them (net/ipv4/tcp_output.c, tcp_ipv4.c, icmp.c, include/net/ip.h,
// net/ipv4/netfilter/nf_reject_ipv4.c).
//
// Values are given as the oracle normalises them (FORMAT.md §2.3): sequence
// numbers relative to the connection's ISN (the caller passes snd_nxt/rcv_nxt
// relative to the ISNs, both ISNs being 0) and TCP timestamp values zero.

import { clonePacket, IPPROTO_ICMP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type Packet, type TcpHeader } from '../net/packet';
import type { Ipv4 } from '../net/addr';
import { createRcvWindow, tcpAckSent, tcpEstablished, tcpSelectWindow, type TcpRcvWindow } from './tcp-window';
import { tcpMssForPmtu } from './tcp-output';

// ---------------------------------------------------------------- TCP

/** IPV4_MAX_PMTU: the MSS derived from a route never exceeds 65535 - 40 */
const IPV4_MAX_PMTU = 65535;
/** net.ipv4.route.min_adv_mss */
const IP_RT_MIN_ADVMSS = 256;
/** TCPOLEN_TSTAMP_ALIGNED: the timestamp option costs 12 bytes of every segment */
const TCPOLEN_TSTAMP_ALIGNED = 12;
/** U16_MAX: what an unscaled window field can hold */
const MAX_TCP_WINDOW = 65535;
/** TCP_MSS_DEFAULT: the MSS assumed for a peer whose SYN had no MSS option */
const TCP_MSS_DEFAULT = 536;
const TCP_MAX_WSCALE = 14;

/**
 * tcp_rmem[2] default of Linux 6.18 (32 MiB). It alone decides the window
 * scale a socket offers: ilog2(32 MiB) - 15 = 10, the `0103030A` ending every
 * SYN's options in all 53 cases (older kernels had 6 MiB → 7, `01030307`).
 */
export const TCP_RMEM_MAX_DEFAULT = 32 * 1024 * 1024;
/**
 * tcp_full_space() of a fresh socket: tcp_rmem[1] (131072) at the default
 * 50 % window/buffer ratio. The first window is this, rounded down to a
 * multiple of the MSS and capped at 65535.
 */
const TCP_INITIAL_SPACE = 65536;

/**
 * The MSS a socket advertises for a route (ipv4_default_advmss):
 * route MTU minus IP and TCP headers, at most 65495.
 * Evidence: `0204 05B4` (1460) on veth with MTU 1500 in every SYN,
 * `0204 FFD7` (65495) on lo with MTU 65536 (cases 14, 15).
 */
export function tcpAdvMss(routeMtu: number): number {
  return Math.max(Math.min(routeMtu, IPV4_MAX_PMTU) - 40, IP_RT_MIN_ADVMSS);
}

/** The shift a socket offers in its window-scale option (tcp_select_initial_window). */
export function tcpRcvWscale(tcpRmemMax: number = TCP_RMEM_MAX_DEFAULT): number {
  // net.core.rmem_max (212992) and the 64 KiB first window are always smaller
  const space = Math.max(tcpRmemMax, 212992, TCP_INITIAL_SPACE);
  return Math.min(Math.max(Math.floor(Math.log2(space)) - 15, 0), TCP_MAX_WSCALE);
}

/**
 * The window in a SYN or SYN-ACK: the initial space rounded down to a whole
 * number of segments. `mss` is the advertised MSS minus 12 when timestamps
 * are in use (known only when answering a SYN).
 * Evidence: SYN 64240 = 44 × 1460 (all connect() SYNs on veth);
 * SYN-ACK 65160 = 45 × 1448 (timestamps on, e.g. case 01 packet 3);
 * SYN-ACK 64240 = 44 × 1460 to a SYN without options (case 46 packet 11);
 * lo: SYN 65495 (case 14 packet 5), SYN-ACK 65483 = 65495 − 12 (case 14 packet 7).
 */
export function tcpInitialWindow(mss: number): number {
  let space = TCP_INITIAL_SPACE;
  if (space > mss) space -= space % mss;
  return Math.min(space, MAX_TCP_WINDOW);
}

/** The options of a SYN as Linux sends or reads them. */
export interface TcpSynOptions {
  /** MSS option value, null when absent */
  mss: number | null;
  sackPermitted: boolean;
  timestamps: boolean;
  /** window-scale shift, null when absent */
  wscale: number | null;
}

/** Read kinds 2, 3, 4, 8 out of an options hex string (the form Packet carries). */
export function parseTcpOptions(hex: string): TcpSynOptions {
  const o: TcpSynOptions = { mss: null, sackPermitted: false, timestamps: false, wscale: null };
  const n = hex.length >> 1;
  const at = (i: number): number => parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  for (let i = 0; i < n; ) {
    const kind = at(i);
    if (kind === 0) break;
    if (kind === 1) {
      i++;
      continue;
    }
    const len = i + 1 < n ? at(i + 1) : 0;
    if (len < 2 || i + len > n) break;
    if (kind === 2 && len === 4) o.mss = (at(i + 2) << 8) | at(i + 3);
    else if (kind === 3 && len === 3) o.wscale = at(i + 2);
    else if (kind === 4 && len === 2) o.sackPermitted = true;
    else if (kind === 8 && len === 10) o.timestamps = true;
    i += len;
  }
  return o;
}

/**
 * Options in tcp_options_write() order: MSS; SACK-permitted folded into the
 * timestamp option's padding (`0402080A`) or padded alone (`01010402`);
 * timestamps (values zero, as normalised); window scale `010303xx`.
 */
export function tcpSynOptionsHex(o: TcpSynOptions): string {
  let s = '';
  if (o.mss !== null) s += '0204' + hex4(o.mss);
  if (o.timestamps) s += (o.sackPermitted ? '0402' : '0101') + '080A0000000000000000';
  else if (o.sackPermitted) s += '01010402';
  if (o.wscale !== null) s += '010303' + hex2(o.wscale);
  return s;
}

/** Timestamp option of every segment after the handshake: `0101080A` + zeroed values. */
export const TCP_TIMESTAMP_OPTION = '0101080A0000000000000000';

/**
 * What one end of a connection keeps to build its segments. The socket
 * model stores it per socket (from connectSyn/synAck, then
 * acceptSynAck on the connecting side and wireEstablished on the listening side).
 */
export interface TcpWireState {
  /** our MSS option (route MTU − 40) */
  advmss: number;
  /** our window-scale shift */
  rcvWscale: number;
  /** both sides sent a window-scale option, so windows after the handshake are scaled */
  wscaleOk: boolean;
  /** both sides sent timestamps, so every later segment carries TCP_TIMESTAMP_OPTION */
  timestamps: boolean;
  /** the receive window: what every segment after the handshake offers (tcp-window.ts) */
  rcv: TcpRcvWindow;
}

/** The header fields of one generated segment; `len` is the IP total length. */
export interface TcpSegment {
  tcp: TcpHeader;
  /** payload bytes (the HDR `data_len`) */
  dataLen: number;
  /** IP total length: 20 + 20 + options + data */
  len: number;
}

export interface TcpSysctls {
  /** net.ipv4.tcp_rmem[2] */
  tcpRmemMax?: number;
  /** net.ipv4.tcp_timestamps (default 1) */
  timestamps?: boolean;
  /** net.ipv4.tcp_sack (default 1) */
  sack?: boolean;
  /** net.ipv4.tcp_window_scaling (default 1) */
  windowScaling?: boolean;
  /** net.ipv4.tcp_app_win (default 31) */
  appWin?: number;
}

function segment(seq: number, ack: number, flags: number, window: number, options: string, dataLen: number): TcpSegment {
  return {
    tcp: { seq: seq >>> 0, ack: ack >>> 0, flags, window, urgp: 0, options },
    dataLen,
    len: 40 + options.length / 2 + dataLen,
  };
}

/**
 * The SYN of connect(). `routeMtu` is the path MTU of the route chosen at
 * connect() time — the original output route: a nat OUTPUT REDIRECT to lo
 * does not change it (case 15: the redirected SYN still says MSS 1460,
 * 64240); a path MTU learned from ICMP frag-needed lowers it (p82: MSS 1360,
 * WINDOW=65280 = 48 × 1360).
 * Evidence: every connect() SYN in the cases: LEN=60 WINDOW=64240
 * OPT (020405B40402080A00000000000000000103030A), ID from the socket.
 */
export function connectSyn(routeMtu: number, sysctls: TcpSysctls = {}): { segment: TcpSegment; state: TcpWireState } {
  const advmss = tcpAdvMss(routeMtu);
  const ws = sysctls.windowScaling !== false;
  const ts = sysctls.timestamps !== false;
  const rcvWscale = ws ? tcpRcvWscale(sysctls.tcpRmemMax) : 0;
  // tcp_connect_init: no timestamp deduction yet, the peer's answer is unknown
  const rcvWnd = tcpInitialWindow(advmss);
  const options = tcpSynOptionsHex({ mss: advmss, sackPermitted: sysctls.sack !== false, timestamps: ts, wscale: ws ? rcvWscale : null });
  return {
    segment: segment(0, 0, TCP_SYN, rcvWnd, options, 0),
    state: { advmss, rcvWscale, wscaleOk: false, timestamps: false, rcv: createRcvWindow({ rcvWnd, rcvWscale, advmss, appWin: sysctls.appWin ?? 31 }) },
  };
}

/**
 * The listener's SYN-ACK to a SYN with `peerSynOptions` (hex). Options echo
 * only what the peer offered; the window is rounded to the MSS net of
 * timestamps. `routeMtu` is the path MTU of the route back to the peer.
 * Evidence: case 01 packet 3 (65160, all options), case 46 packet 11 (a
 * crafted SYN without options: LEN=44 WINDOW=64240 OPT (020405B4)), lo in
 * cases 14/15 (65483, MSS 65495). IP id 0 (see ipIdFor 'syn-ack').
 */
export function synAck(routeMtu: number, peerSynOptions: string, peerSeq = 0, sysctls: TcpSysctls = {}): { segment: TcpSegment; state: TcpWireState } {
  const peer = parseTcpOptions(peerSynOptions);
  const advmss = tcpAdvMss(routeMtu);
  const timestamps = peer.timestamps && sysctls.timestamps !== false;
  const wscaleOk = peer.wscale !== null && sysctls.windowScaling !== false;
  const rcvWscale = wscaleOk ? tcpRcvWscale(sysctls.tcpRmemMax) : 0;
  const rcvWnd = tcpInitialWindow(advmss - (timestamps ? TCPOLEN_TSTAMP_ALIGNED : 0));
  const options = tcpSynOptionsHex({
    mss: advmss,
    sackPermitted: peer.sackPermitted && sysctls.sack !== false,
    timestamps,
    wscale: wscaleOk ? rcvWscale : null,
  });
  return {
    segment: segment(0, peerSeq + 1, TCP_SYN | TCP_ACK, rcvWnd, options, 0),
    state: { advmss, rcvWscale, wscaleOk, timestamps, rcv: createRcvWindow({ rcvWnd, rcvWscale, advmss, appWin: sysctls.appWin ?? 31 }) },
  };
}

/**
 * The handshake completed on this end: rcv_nxt is `rcvNxt` (1, relative to
 * the peer's ISN), `mssCache` our segment size towards the peer. Sets up the
 * receive window as tcp_init_buffer_space() does.
 */
export function wireEstablished(state: TcpWireState, rcvNxt: number, mssCache: number): void {
  tcpEstablished(state.rcv, { timestamps: state.timestamps, wscaleOk: state.wscaleOk, rcvNxt, mssCache });
}

/**
 * The connecting side learns from the SYN-ACK which options both ends use,
 * and its connection is established (rcv_nxt = the peer's ISN + 1).
 */
export function acceptSynAck(state: TcpWireState, synAckOptions: string): TcpWireState {
  const peer = parseTcpOptions(synAckOptions);
  // a SYN-ACK carries window scaling / timestamps only if our SYN offered them
  const wscaleOk = peer.wscale !== null;
  const next: TcpWireState = { ...state, wscaleOk, timestamps: peer.timestamps, rcvWscale: wscaleOk ? state.rcvWscale : 0, rcv: { ...state.rcv } };
  wireEstablished(next, 1, tcpMssForPmtu(state.advmss + 40, peer.mss ?? TCP_MSS_DEFAULT, peer.timestamps));
  return next;
}

export type TcpSegmentKind =
  /** FIN,PSH,ACK with data: tcp_send_fin put the FIN on an skb still unsent (tcp-stream.ts tcpQueueFin) */
  | 'data-fin'
  /** pure ACK (third packet of the handshake, ACK of received data) */
  | 'ack'
  /** data: PSH,ACK with `dataLen` bytes (the last skb of a send(), or one forced to push) */
  | 'data'
  /** data without PSH: a full skb tcp_push_one() sends while send() goes on (x4 runs on lo: 32741 bytes, ACK only) */
  | 'data-more'
  /** shutdown()/close(): FIN,ACK */
  | 'fin'
  /** close() with SO_LINGER 0 (tcp_send_active_reset): RST,ACK with window and timestamps */
  | 'rst';

/**
 * A segment of an established connection: seq = snd_nxt, ack = rcv_nxt
 * (relative), the window tcp_select_window() offers now (which it records
 * in `state.rcv`), the timestamp option when agreed.
 * Evidence: case 03 packets 5, 6, 9, 10, 13, 14 (ACK LEN=52, PSH,ACK
 * LEN=52+data, RST,ACK LEN=52 WINDOW=63 with timestamps); case 52 packets
 * 20, 25, 28 (FIN,ACK and the last ACK); fixtures p80-p87 for windows that
 * grow with the data received.
 */
export function establishedSegment(state: TcpWireState, kind: TcpSegmentKind, sndNxt: number, rcvNxt: number, dataLen = 0): TcpSegment {
  const flags =
    kind === 'data' ? TCP_PSH | TCP_ACK : kind === 'fin' ? TCP_FIN | TCP_ACK : kind === 'data-fin' ? TCP_FIN | TCP_PSH | TCP_ACK : kind === 'rst' ? TCP_RST | TCP_ACK : TCP_ACK;
  const options = state.timestamps ? TCP_TIMESTAMP_OPTION : '';
  const withData = kind === 'data' || kind === 'data-more' || kind === 'data-fin';
  const window = tcpSelectWindow(state.rcv, rcvNxt);
  // every segment after the handshake carries our ACK (tcp_event_ack_sent)
  tcpAckSent(state.rcv);
  return segment(sndNxt, rcvNxt, flags, window, options, withData ? dataLen : 0);
}

/**
 * The RST Linux sends for a segment nothing accepts (tcp_v4_send_reset: a
 * closed port, a SYN-ACK nobody asked for) and the RST of REJECT
 * --reject-with tcp-reset (nf_reject_ip_tcphdr_put): the same rule.
 * If the segment had ACK: seq = its ack, flag RST only. Otherwise seq 0 and
 * ack = its seq + SYN + FIN + data, flags ACK,RST. Window 0, no options,
 * LEN=40, IP id 0 with DF, TTL 64.
 * Evidence: ACK,RST SEQ=0 ACK=1 WINDOW=0 LEN=40 ID=0 for a closed port
 * (case 01 packet 13) and for REJECT (case 02 packet 3, case 13 on lo);
 * RST SEQ=<their ack> ACK=0 for a stray SYN-ACK (case 23 packet 18, case 46
 * packets 7 and 13).
 */
export function resetReply(incoming: TcpHeader, incomingDataLen: number): TcpSegment {
  if (incoming.flags & TCP_ACK) return segment(incoming.ack, 0, TCP_RST, 0, '', 0);
  const ack = incoming.seq + incomingDataLen + (incoming.flags & TCP_SYN ? 1 : 0) + (incoming.flags & TCP_FIN ? 1 : 0);
  return segment(0, ack, TCP_RST | TCP_ACK, 0, '', 0);
}

// ---------------------------------------------------------------- IP id

/**
 * Who builds the IP header, which decides its id (ip_select_ident_segs):
 * a connected socket numbers its packets from its own counter; a DF packet
 * without one gets 0; everything else the hashed global generator.
 */
export type IpIdSource =
  /** a connected TCP or UDP socket (inet_daddr set): its inet_id counter */
  | 'socket'
  /** SYN-ACK (ip_build_and_send_pkt, DF, listener not connected): 0 — every SYN-ACK in the cases */
  | 'syn-ack'
  /**
   * RST/ACK from the per-namespace control socket (closed port, stray
   * segment, TIME_WAIT ACK) and REJECT's RST (nf_reject_iphdr_put sets 0):
   * 0 — cases 01, 02, 13, 23, 46
   */
  | 'tcp-reset'
  /** ICMP errors and echo replies (icmp socket, no DF): fresh id — cases 02, 04, 31, 36, 51 */
  | 'icmp'
  /** unconnected UDP (DF but ignore_df): fresh id — the UDP echo listener, case 10 packet 3 */
  | 'udp-unconnected'
  /** IP_HDRINCL raw socket: the id the sender wrote (the harness's packet and ping steps) */
  | 'raw';

export interface IpIdAllocator {
  /** a fresh non-zero id; the oracle renumbers ids by first appearance, so only distinctness matters */
  next(): number;
}

/**
 * The IP id of a generated packet. `socket`/`icmp`/`udp-unconnected` draw a
 * fresh id: per-socket counters start at random values and the global
 * generator is hashed, so in the oracle's renumbered output each such packet
 * has a new number (cases 01-53: no two packets share an id unless one is the
 * other forwarded or quoted). `given` is used for 'raw'.
 */
export function ipIdFor(source: IpIdSource, ids: IpIdAllocator, given = 0): number {
  switch (source) {
    case 'syn-ack':
    case 'tcp-reset':
      return 0;
    case 'raw':
      return given;
    case 'socket':
    case 'icmp':
    case 'udp-unconnected':
      return ids.next();
  }
}

/** A simple allocator: 1, 2, 3, ... (skipping 0, wrapping at 65535). */
export function createIpIdAllocator(start = 1): IpIdAllocator {
  let n = start - 1;
  return {
    next(): number {
      n = (n % 65535) + 1;
      return n;
    },
  };
}

/** IP_DF: TCP and UDP sockets set it (path MTU discovery); ICMP the kernel sends does not. */
export function dfFor(source: IpIdSource): boolean {
  return source !== 'icmp';
}

/** ip4_dst_hoplimit with net.ipv4.ip_default_ttl at its default */
export const IP_DEFAULT_TTL = 64;

// ---------------------------------------------------------------- ICMP

/** IPTOS_PREC_INTERNETCONTROL */
export const ICMP_ERROR_PREC = 0xc0;
/** RFC 1812 / __icmp_send: an error is at most 576 bytes */
const ICMP_ERROR_MAX = 576;

/**
 * TOS of an ICMP error: the offending packet's TOS bits (IPTOS_TOS_MASK)
 * with precedence "internetwork control". Evidence: PREC=0xC0 TOS=0x00 on
 * every ICMP error in the cases (all quote TOS 0 packets).
 */
export function icmpErrorTos(offendingTos: number): number {
  return (offendingTos & 0x1e) | ICMP_ERROR_PREC;
}

/**
 * How many bytes of the offending datagram an ICMP error quotes: all of it
 * up to 576 − 20 − 8 = 548 bytes (less on a route with an MTU under 576).
 * Evidence: LEN=61 quoting a 33-byte UDP datagram (case 02 packet 7),
 * LEN=88 quoting a 60-byte SYN with options (case 02 packet 11), LEN=112
 * quoting an 84-byte echo request (cases 31, 36, 37, 51).
 */
export function icmpQuoteLength(offendingLen: number, routeMtu = 1500): number {
  const room = Math.min(routeMtu, ICMP_ERROR_MAX) - 20 - 8;
  return Math.max(0, Math.min(offendingLen, room));
}

export interface IcmpErrorOptions {
  ipid: number;
  /** type 5: the better next hop */
  gateway?: Ipv4;
  /** type 3 code 4: the next-hop MTU (carried in icmp.seq, where the kernel's frag.mtu sits) */
  mtu?: number;
  /** MTU of the route back to the offender (only matters below 576) */
  routeMtu?: number;
  ttl?: number;
}

/**
 * The ICMP error `src` sends about `offending`, which must be the packet as
 * it is at that moment: a redirect (ip_forward) and REJECT in FORWARD quote
 * it after the TTL decrement (TTL=63 in case 51 packet 3 and case 45),
 * routing errors and time exceeded before it (TTL=64 in cases 36, 37;
 * TTL=1 in case 31). Not DF, TTL 64, mark 0, IP id from the caller
 * (ipIdFor('icmp')).
 */
export function icmpErrorPacket(offending: Packet, type: number, code: number, src: Ipv4, opts: IcmpErrorOptions): Packet {
  const inner = clonePacket(offending);
  const icmp: Packet['icmp'] = { type, code, inner };
  if (opts.gateway !== undefined) icmp.gateway = opts.gateway;
  if (opts.mtu !== undefined) icmp.seq = opts.mtu;
  return {
    src,
    dst: offending.src,
    proto: IPPROTO_ICMP,
    ttl: opts.ttl ?? IP_DEFAULT_TTL,
    tos: icmpErrorTos(offending.tos),
    len: 28 + icmpQuoteLength(offending.len, opts.routeMtu),
    ipid: opts.ipid,
    df: false,
    mark: 0,
    icmp,
    payload: '',
  };
}

/**
 * The echo reply to `request` (icmp_echo → icmp_reply): same id, sequence,
 * data and length, the request's TOS, from the address it was sent to, not
 * DF, TTL 64. Evidence: case 04 packet 3 (LEN=84, ID fresh, no DF),
 * case 14 packet 3 on lo.
 */
export function echoReplyPacket(request: Packet, ipid: number, ttl = IP_DEFAULT_TTL): Packet {
  const req = request.icmp;
  const icmp: Packet['icmp'] = { type: 0, code: 0 };
  if (req?.id !== undefined) icmp.id = req.id;
  if (req?.seq !== undefined) icmp.seq = req.seq;
  return {
    src: request.dst,
    dst: request.src,
    proto: IPPROTO_ICMP,
    ttl,
    tos: request.tos,
    len: request.len,
    ipid,
    df: false,
    mark: 0,
    icmp,
    payload: request.payload,
  };
}

// ---------------------------------------------------------------- UDP

/** The UDP header's length field: 8 + data. Evidence: LEN=13 for "hello" (case 02), LEN=8 for no data (case 38). */
export function udpLength(dataLen: number): number {
  return 8 + dataLen;
}

/** IP total length of a UDP datagram: LEN=33 for 5 bytes (case 02 packet 5). */
export function udpIpLength(dataLen: number): number {
  return 28 + dataLen;
}

function hex2(v: number): string {
  return (v & 255).toString(16).toUpperCase().padStart(2, '0');
}
function hex4(v: number): string {
  return (v & 0xffff).toString(16).toUpperCase().padStart(4, '0');
}
