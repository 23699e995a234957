// pattern: Functional Core
// The text Linux prints for a packet: the iptables TRACE line and the LOG
// target line, byte for byte. Both come out of net/netfilter/nf_log_syslog.c
// (nf_log_ip_packet → nf_log_dump_packet_common, dump_mac_header,
// dump_ipv4_packet); TRACE is the same logger called by ip_tables.c
// trace_packet() with the prefix "TRACE: table:chain:type:rulenum " and
// logflags NF_LOG_DEFAULT_MASK (TCP sequence, TCP options, IP options, UID),
// while LOG passes only the flags its rule asked for.
//
// The formatter prints exactly the values it is given. The oracle normalises
// IP ids, TCP SEQ/ACK and TCP timestamps (FORMAT.md §2.3); the engine hands
// over values already normalised that way. The kernel's trailing space is
// dropped like the oracle does.
//
// Checked against every TRACE line and LOG line of the 53 kernel results
// (trace-line.test.ts), including the odd ones: the truncated garbage quote of
// case 44, PHYSIN/PHYSOUT of br_netfilter (case 53), MARK (cases 28-32, 42).

import { formatIpv4 } from '../net/addr';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, type Packet } from '../net/packet';

/** include/uapi/linux/netfilter/nf_log.h */
export const NF_LOG_TCPSEQ = 0x01;
export const NF_LOG_TCPOPT = 0x02;
export const NF_LOG_IPOPT = 0x04;
export const NF_LOG_UID = 0x08;
export const NF_LOG_MACDECODE = 0x20;
/** the flags ip_tables' trace_loginfo uses for TRACE */
export const NF_LOG_DEFAULT_MASK = NF_LOG_TCPSEQ | NF_LOG_TCPOPT | NF_LOG_IPOPT | NF_LOG_UID;

const IPPROTO_UDPLITE = 136;
const IPPROTO_AH = 51;
const IPPROTO_ESP = 50;

/** TcpHeader.flags bits above the flags byte: AE (RFC 9768) and the three reserved bits. */
export const TCP_AE = 0x100;
const TCP_RESERVED_SHIFT = 9;

/** The link-layer header nf_log prints as MAC=dst:src:type (raw bytes, dst first). */
export interface MacHeader {
  /** 'aa:bb:cc:dd:ee:ff', lowercase */
  src: string;
  dst: string;
  /** 0x0800 for IPv4 */
  ethertype: number;
}

/** Everything nf_log reads for one IPv4 packet at one hook. */
export interface PacketLogInput {
  /** IN= device name; null when the hook has no input device (OUTPUT, POSTROUTING of local packets) */
  inIface: string | null;
  outIface: string | null;
  /** br_netfilter bridge ports; printed only when they differ from IN=/OUT= */
  physIn: string | null;
  physOut: string | null;
  /**
   * The frame's link-layer header, printed only when `inIface` is set.
   * For `lo` the kernel prints an all-zero Ethernet header with type 0x0800:
   * pass { src: '00:00:00:00:00:00', dst: '00:00:00:00:00:00', ethertype: 0x0800 }
   * (LOOPBACK_MAC_HEADER). null on a device without a link-layer header
   * (tun, wireguard): the kernel then prints "MAC= ".
   */
  macHeader: MacHeader | null;
  packet: Packet;
  /** skb->mark; MARK=0x.. is printed when non-zero */
  mark: number;
  /**
   * fsuid/fsgid of the process owning the packet's socket, null when the
   * packet has no socket with a file (forwarded, kernel-generated, incoming
   * before early demux). The caller decides; see REPORT.md §5.13.
   */
  uid: number | null;
  gid: number | null;
}

export type TraceType = 'rule' | 'return' | 'policy';

export interface TraceLineInput extends PacketLogInput {
  table: string;
  chain: string;
  type: TraceType;
  rulenum: number;
}

/** LOG target options (xt_LOG: --log-level, --log-tcp-sequence, ...). */
export interface LogOptions {
  tcpSequence?: boolean;
  tcpOptions?: boolean;
  ipOptions?: boolean;
  uid?: boolean;
  macDecode?: boolean;
  /** syslog level; it goes to the printk level, not into the text */
  level?: number;
}

export const LOOPBACK_MAC_HEADER: MacHeader = {
  src: '00:00:00:00:00:00',
  dst: '00:00:00:00:00:00',
  ethertype: 0x0800,
};

/**
 * The TRACE line the kernel prints (dmesg) for one rule/return/policy event.
 *
 * @example
 * formatTraceLine({ table: 'raw', chain: 'OUTPUT', type: 'policy', rulenum: 1, inIface: null,
 *   outIface: 'eth0', physIn: null, physOut: null, macHeader: null, packet, mark: 0, uid: 0, gid: 0 })
 * // 'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=10.0.0.2 DST=10.0.0.1 LEN=60 ... UID=0 GID=0'
 */
export function formatTraceLine(e: TraceLineInput): string {
  const prefix = `TRACE: ${e.table}:${e.chain}:${e.type}:${e.rulenum} `;
  return packetLine(prefix, NF_LOG_DEFAULT_MASK, e);
}

/** The LOG target's line: `prefix` is --log-prefix exactly as given (no space added). */
export function formatLogLine(prefix: string, opts: LogOptions, input: PacketLogInput): string {
  return packetLine(prefix, logFlags(opts), input);
}

export function logFlags(opts: LogOptions): number {
  return (
    (opts.tcpSequence ? NF_LOG_TCPSEQ : 0) |
    (opts.tcpOptions ? NF_LOG_TCPOPT : 0) |
    (opts.ipOptions ? NF_LOG_IPOPT : 0) |
    (opts.uid ? NF_LOG_UID : 0) |
    (opts.macDecode ? NF_LOG_MACDECODE : 0)
  );
}

function packetLine(prefix: string, flags: number, e: PacketLogInput): string {
  // nf_log_dump_packet_common
  let s = `${prefix}IN=${e.inIface ?? ''} OUT=${e.outIface ?? ''} `;
  if (e.physIn !== null && e.physIn !== e.inIface) s += `PHYSIN=${e.physIn} `;
  if (e.physOut !== null && e.physOut !== e.outIface) s += `PHYSOUT=${e.physOut} `;
  if (e.inIface !== null) s += macText(flags, e.inIface, e.macHeader);
  let tail = '';
  if (flags & NF_LOG_UID && e.uid !== null) tail += `UID=${e.uid} GID=${e.gid ?? e.uid} `;
  if (e.mark !== 0) tail += `MARK=0x${(e.mark >>> 0).toString(16)} `;
  s += ipv4Text(e.packet, e.packet.len, flags, true, tail);
  // the oracle (and so the engine's output) drops the kernel's trailing space
  return s.endsWith(' ') ? s.slice(0, -1) : s;
}

function macText(flags: number, inIface: string, mac: MacHeader | null): string {
  // dump_mac_header: MACDECODE only decodes Ethernet devices; lo is ARPHRD_LOOPBACK
  if (flags & NF_LOG_MACDECODE && inIface !== 'lo') {
    if (mac === null) return '';
    return `MACSRC=${mac.src} MACDST=${mac.dst} MACPROTO=${hex4(mac.ethertype)} `;
  }
  if (mac === null) return 'MAC= ';
  return `MAC=${mac.dst}:${mac.src}:${hex2(mac.ethertype >>> 8)}:${hex2(mac.ethertype & 255)} `;
}

/**
 * dump_ipv4_packet for a structured packet. `avail` is how many bytes of the
 * datagram exist from its IP header on (skb->len - iphoff): the whole `len`
 * for the packet itself, the quoted part for the packet inside an ICMP error.
 * `tail` (UID=, MARK=) is appended only when the dump runs to its end: an
 * INCOMPLETE or truncated TCP/UDP header makes dump_ipv4_packet return before
 * printing them.
 */
function ipv4Text(p: Packet, avail: number, flags: number, top: boolean, tail: string): string {
  if (avail < 20) return 'TRUNCATED';
  let s =
    `SRC=${formatIpv4(p.src)} DST=${formatIpv4(p.dst)} ` +
    `LEN=${p.len} TOS=0x${hex2u(p.tos & 0x1e)} PREC=0x${hex2u(p.tos & 0xe0)} TTL=${p.ttl} ID=${p.ipid} `;
  if (p.df) s += 'DF ';
  const l4avail = avail - 20;
  switch (p.proto) {
    case IPPROTO_TCP: {
      s += 'PROTO=TCP ';
      const t = p.tcp;
      if (!t || l4avail < 20) return s + `INCOMPLETE [${Math.max(l4avail, 0)} bytes] `;
      s += tcpText(p.sport ?? 0, p.dport ?? 0, t.seq, t.ack, t.window, t.flags, t.urgp, flags);
      if (flags & NF_LOG_TCPOPT && t.options.length > 0) {
        if (l4avail < 20 + t.options.length / 2) return s + 'OPT (TRUNCATED)';
        s += `OPT (${t.options.toUpperCase()}) `;
      }
      return s + tail;
    }
    case IPPROTO_UDP:
    case IPPROTO_UDPLITE: {
      s += p.proto === IPPROTO_UDP ? 'PROTO=UDP ' : 'PROTO=UDPLITE ';
      if (l4avail < 8) return s + `INCOMPLETE [${Math.max(l4avail, 0)} bytes] `;
      // the UDP header's own length field: 8 + data (a quoted datagram keeps the original)
      return s + `SPT=${p.sport ?? 0} DPT=${p.dport ?? 0} LEN=${p.len - 20} ` + tail;
    }
    case IPPROTO_ICMP:
      return s + icmpText(p, l4avail, flags, top) + tail;
    default:
      return s + otherProtoText(p.proto, p.payload, 0, p.payload.length) + tail;
  }
}

function tcpText(sport: number, dport: number, seq: number, ack: number, window: number, f: number, urgp: number, flags: number): string {
  // nf_log_dump_tcp_header
  let s = `SPT=${sport} DPT=${dport} `;
  if (flags & NF_LOG_TCPSEQ) s += `SEQ=${seq >>> 0} ACK=${ack >>> 0} `;
  s += `WINDOW=${window} RES=0x${hex2(((f >>> TCP_RESERVED_SHIFT) & 7) << 3)} `;
  if (f & TCP_AE) s += 'AE ';
  if (f & 0x80) s += 'CWR ';
  if (f & 0x40) s += 'ECE ';
  if (f & 0x20) s += 'URG ';
  if (f & 0x10) s += 'ACK ';
  if (f & 0x08) s += 'PSH ';
  if (f & 0x04) s += 'RST ';
  if (f & 0x02) s += 'SYN ';
  if (f & 0x01) s += 'FIN ';
  return s + `URGP=${urgp} `;
}

/** required_len[] of dump_ipv4_packet: bytes from the ICMP header on that a type needs */
function icmpRequiredLen(type: number): number {
  switch (type) {
    case 0:
    case 8:
      return 4;
    case 3:
    case 4:
    case 5:
    case 11:
    case 12:
      return 28;
    case 13:
    case 14:
      return 20;
    case 17:
    case 18:
      return 12;
    default:
      return 0;
  }
}

function icmpText(p: Packet, l4avail: number, flags: number, top: boolean): string {
  let s = 'PROTO=ICMP ';
  const ic = p.icmp;
  if (!ic || l4avail < 8) return s + `INCOMPLETE [${Math.max(l4avail, 0)} bytes] `;
  s += `TYPE=${ic.type} CODE=${ic.code} `;
  const req = ic.type <= 18 ? icmpRequiredLen(ic.type) : 0;
  if (req && l4avail < req) return s + `INCOMPLETE [${l4avail} bytes] `;
  switch (ic.type) {
    case 0:
    case 8:
      return s + `ID=${ic.id ?? 0} SEQ=${ic.seq ?? 0} `;
    case 12:
      // the pointer is the first byte of the 32-bit field after the checksum
      return s + `PARAMETER=${(ic.gateway ?? 0) >>> 24} `;
    case 5:
    case 3:
    case 4:
    case 11:
      if (ic.type === 5) s += `GATEWAY=${formatIpv4(ic.gateway ?? 0)} `;
      if (top) {
        // nf_log recurses once, into whatever bytes follow the ICMP header
        const quoted = l4avail - 8;
        const inner = ic.inner ? ipv4Text(ic.inner, quoted, flags, false, '') : rawIpv4Text(p.payload, flags);
        s += `[${inner}] `;
      }
      // frag.mtu sits where an echo's sequence number is
      if (ic.type === 3 && ic.code === 4) s += `MTU=${ic.seq ?? 0} `;
      return s;
    default:
      return s;
  }
}

function otherProtoText(proto: number, bytes: string, off: number, end: number): string {
  if (proto === IPPROTO_AH) {
    if (end - off < 12) return `PROTO=AH INCOMPLETE [${end - off} bytes] `;
    return `PROTO=AH SPI=0x${u32(bytes, off + 4).toString(16)} `;
  }
  if (proto === IPPROTO_ESP) {
    if (end - off < 8) return `PROTO=ESP INCOMPLETE [${end - off} bytes] `;
    return `PROTO=ESP SPI=0x${u32(bytes, off).toString(16)} `;
  }
  return `PROTO=${proto} `;
}

/**
 * dump_ipv4_packet over raw bytes (latin1 string): used for the quoted part
 * of an ICMP error the engine only has as data, e.g. a hand-made ICMP error
 * whose "quote" is arbitrary text (case 44). Only ever the inner level, so it
 * never recurses and never prints UID/MARK.
 */
function rawIpv4Text(b: string, flags: number): string {
  const len = b.length;
  if (len < 20) return 'TRUNCATED';
  const ihl = (byte(b, 0) & 15) * 4;
  const tos = byte(b, 1);
  const frag = u16(b, 6);
  const proto = byte(b, 9);
  let s =
    `SRC=${formatIpv4(u32(b, 12))} DST=${formatIpv4(u32(b, 16))} ` +
    `LEN=${u16(b, 2)} TOS=0x${hex2u(tos & 0x1e)} PREC=0x${hex2u(tos & 0xe0)} TTL=${byte(b, 8)} ID=${u16(b, 4)} `;
  if (frag & 0x8000) s += 'CE ';
  if (frag & 0x4000) s += 'DF ';
  if (frag & 0x2000) s += 'MF ';
  const fragoff = frag & 0x1fff;
  if (fragoff) s += `FRAG:${fragoff} `;
  if (flags & NF_LOG_IPOPT && ihl > 20) {
    if (len < ihl) return s + 'TRUNCATED';
    s += `OPT (${hexBytes(b, 20, ihl)}) `;
  }
  const off = ihl;
  const l4avail = len - off;
  switch (proto) {
    case IPPROTO_TCP: {
      s += 'PROTO=TCP ';
      if (fragoff) return s;
      if (l4avail < 20) return s + `INCOMPLETE [${l4avail} bytes] `;
      const b12 = byte(b, off + 12);
      const f = ((b12 & 0x0f) << 8) | byte(b, off + 13);
      s += tcpText(u16(b, off), u16(b, off + 2), u32(b, off + 4), u32(b, off + 8), u16(b, off + 14), f, u16(b, off + 18), flags);
      const doff = (b12 >>> 4) * 4;
      if (flags & NF_LOG_TCPOPT && doff > 20) {
        if (l4avail < doff) return s + 'OPT (TRUNCATED)';
        s += `OPT (${hexBytes(b, off + 20, off + doff)}) `;
      }
      return s;
    }
    case IPPROTO_UDP:
    case IPPROTO_UDPLITE:
      s += proto === IPPROTO_UDP ? 'PROTO=UDP ' : 'PROTO=UDPLITE ';
      if (fragoff) return s;
      if (l4avail < 8) return s + `INCOMPLETE [${l4avail} bytes] `;
      return s + `SPT=${u16(b, off)} DPT=${u16(b, off + 2)} LEN=${u16(b, off + 4)} `;
    case IPPROTO_ICMP: {
      s += 'PROTO=ICMP ';
      if (fragoff) return s;
      if (l4avail < 8) return s + `INCOMPLETE [${Math.max(l4avail, 0)} bytes] `;
      const type = byte(b, off);
      s += `TYPE=${type} CODE=${byte(b, off + 1)} `;
      const req = type <= 18 ? icmpRequiredLen(type) : 0;
      if (req && l4avail < req) return s + `INCOMPLETE [${l4avail} bytes] `;
      if (type === 0 || type === 8) return s + `ID=${u16(b, off + 4)} SEQ=${u16(b, off + 6)} `;
      if (type === 12) return s + `PARAMETER=${byte(b, off + 4)} `;
      if (type === 5) s += `GATEWAY=${formatIpv4(u32(b, off + 4))} `;
      if (type === 3 && byte(b, off + 1) === 4) s += `MTU=${u16(b, off + 6)} `;
      return s;
    }
    case IPPROTO_AH:
      // the kernel prints nothing at all for a non-first AH fragment
      if (fragoff) return s;
      return s + otherProtoText(proto, b, off, len);
    case IPPROTO_ESP:
      if (fragoff) return s + 'PROTO=ESP ';
      return s + otherProtoText(proto, b, off, len);
    default:
      return s + `PROTO=${proto} `;
  }
}

function byte(b: string, i: number): number {
  return b.charCodeAt(i) & 255;
}
function u16(b: string, i: number): number {
  return (byte(b, i) << 8) | byte(b, i + 1);
}
function u32(b: string, i: number): number {
  return ((byte(b, i) << 24) | (byte(b, i + 1) << 16) | (byte(b, i + 2) << 8) | byte(b, i + 3)) >>> 0;
}
function hexBytes(b: string, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += hex2u(byte(b, i));
  return s;
}
function hex2(v: number): string {
  return v < 16 ? '0' + v.toString(16) : v.toString(16);
}
function hex2u(v: number): string {
  return hex2(v).toUpperCase();
}
function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}
