// pattern: Functional Core
// One IPv4 datagram as the engine moves it: every field a match, a target,
// conntrack, routing or the TRACE line formatter reads. Plain data: a packet
// is copied (clonePacket) whenever a host hands it on, so event logs can keep
// snapshots without aliasing.

import type { Ipv4 } from './addr';
import type { TunnelHeader } from './tunnel-params';

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPIP = 4;
export const IPPROTO_GRE = 47;

/** TCP flag bits as in the TCP header's flags byte. */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

export interface TcpHeader {
  seq: number;
  ack: number;
  /** flag bits, TCP_* above */
  flags: number;
  window: number;
  urgp: number;
  /** TCP options as an uppercase hex string without spaces ('' for none) */
  options: string;
}

export interface IcmpHeader {
  type: number;
  code: number;
  /** echo request/reply only */
  id?: number;
  seq?: number;
  /** ICMP errors: the quoted datagram (its IP header and first 8 bytes of L4) */
  inner?: Packet;
  /** redirect: gateway address */
  gateway?: Ipv4;
}

export interface Packet {
  src: Ipv4;
  dst: Ipv4;
  /** IP protocol number */
  proto: number;
  ttl: number;
  /** the whole TOS byte (DSCP+ECN), as TRACE prints TOS=0x.. and PREC=0x.. from it */
  tos: number;
  /** IP total length */
  len: number;
  /** IP identification */
  ipid: number;
  df: boolean;
  /** skb->mark, host-local: cleared when the packet crosses a link */
  mark: number;
  /** tcp/udp ports */
  sport?: number;
  dport?: number;
  tcp?: TcpHeader;
  icmp?: IcmpHeader;
  /** application payload bytes (TCP data, UDP data, ICMP echo data), latin1 */
  payload: string;
  /** the encapsulated datagram: IP-in-IP (proto 4: IPVS tunnel mode, an ipip tunnel), GRE (47), VXLAN (UDP) */
  encap?: Packet;
  /** the header between the outer IP header and `encap` for GRE and VXLAN (net/tunnel-params.ts) */
  tunnel?: TunnelHeader;
  /**
   * A TCP GSO skb (skb_shinfo(skb)->gso_size): the segment size when the
   * packet carries more than one segment. veth and lo pass such skbs whole,
   * so TRACE shows one packet of the total length (REPORT.md §5.19).
   */
  gsoSize?: number;
  /**
   * The payload is in the skb's linear head (skb_linearize ran on the way,
   * net/skb.ts); absent: in page fragments, as a TCP sender builds it.
   */
  linear?: boolean;
  /** skb->truesize once a linearize made it count a bigger head; absent: payload + the small head */
  truesize?: number;
  /**
   * SEQ/ACK come from a hand-made packet (a `packet` step), or answer one:
   * the oracle relates them to the nearest ISN of the case. Absent: a
   * socket's numbers, already relative to its connection's ISN 0.
   */
  craftedSeq?: boolean;
}

export function clonePacket(p: Packet): Packet {
  const c: Packet = { ...p };
  if (p.tcp) c.tcp = { ...p.tcp };
  if (p.icmp) {
    c.icmp = { ...p.icmp };
    if (p.icmp.inner) c.icmp.inner = clonePacket(p.icmp.inner);
  }
  if (p.encap) c.encap = clonePacket(p.encap);
  return c;
}

/** Length of the transport header (without payload) the packet carries. */
export function l4HeaderLength(p: Packet): number {
  if (p.proto === IPPROTO_TCP) return 20 + (p.tcp ? p.tcp.options.length / 2 : 0);
  if (p.proto === IPPROTO_UDP) return 8;
  if (p.proto === IPPROTO_ICMP) return 8;
  return 0;
}

const FLAG_NAMES: [number, string][] = [
  [TCP_FIN, 'FIN'],
  [TCP_SYN, 'SYN'],
  [TCP_RST, 'RST'],
  [TCP_PSH, 'PSH'],
  [TCP_ACK, 'ACK'],
  [TCP_URG, 'URG'],
  [TCP_ECE, 'ECE'],
  [TCP_CWR, 'CWR'],
];

/**
 * Flags as the oracle's HDR `flags` field spells them: names joined by ','
 * in the order the oracle uses (see FORMAT.md §2.2, e.g. "SYN,ACK").
 */
export function tcpFlagsText(flags: number): string {
  const order = [TCP_SYN, TCP_ACK, TCP_FIN, TCP_RST, TCP_PSH, TCP_URG, TCP_ECE, TCP_CWR];
  const names: string[] = [];
  for (const bit of order) {
    if (flags & bit) names.push(FLAG_NAMES.find(([b]) => b === bit)![1]);
  }
  return names.join(',');
}
