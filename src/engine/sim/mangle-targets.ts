// pattern: Functional Core
// What the mangle-style targets do to a packet, after the kernel:
//  - MARK, CONNMARK (net/netfilter/xt_mark.c, xt_connmark.c): the packet's
//    and the connection's mark, masked;
//  - TTL (net/netfilter/xt_HL.c), TOS and DSCP (xt_DSCP.c);
//  - TCPMSS (net/netfilter/xt_TCPMSS.c): lower the MSS option of a SYN;
//  - ECN (net/ipv4/netfilter/ipt_ECN.c): set the IP ECN field and the TCP
//    ECE/CWR bits (--ecn-tcp-remove clears both);
//  - TCPOPTSTRIP (net/netfilter/xt_TCPOPTSTRIP.c): overwrite the chosen TCP
//    options with NOPs, so the header keeps its length (LEN= does not change,
//    TRACE shows 01 bytes in OPT (...)) and the endpoints never see them;
//  - HMARK (net/netfilter/xt_HMARK.c): the mark from a hash of the
//    addresses, ports and protocol (of the packet, of the quoted packet of an
//    ICMP error, or of the conntrack tuples with --hmark-tuple ct).

import { IPPROTO_ICMP, IPPROTO_TCP, TCP_CWR, TCP_ECE, TCP_SYN, type Packet } from '../net/packet';
import { prefixMask } from '../net/addr';
import { jhash3words, reciprocalScale } from '../net/jhash';
import type { CtView } from '../conntrack/types';
import type { ConnmarkOptions, EcnTargetOptions, HmarkOptions, MarkOptions, TcpoptstripOptions, TtlOptions } from '../iptables/targets';
import * as fib from '../net/fib';
import type { CtRef } from './conntrack-adapter';
import type { Host } from './host';
import { linkMtu, routeMtu } from './route-adapter';
import type { TargetEnv } from './targets';

/** ipt_ECN: --ecn-ip-ect sets the IP ECN field; --ecn-tcp-ece/cwr (both 0 for --ecn-tcp-remove) the TCP bits. */
export function ecnTarget(o: EcnTargetOptions, p: Packet): void {
  if (o.ipEct !== null && (p.tos & 3) !== (o.ipEct & 3)) p.tos = (p.tos & ~3) | (o.ipEct & 3);
  if ((o.ece !== null || o.cwr !== null) && p.proto === IPPROTO_TCP && p.tcp) {
    let f = p.tcp.flags;
    if (o.ece !== null) f = o.ece ? f | TCP_ECE : f & ~TCP_ECE;
    if (o.cwr !== null) f = o.cwr ? f | TCP_CWR : f & ~TCP_CWR;
    p.tcp.flags = f;
  }
}

/**
 * tcpoptstrip_mangle_packet: walk the options (kind 0 and 1 are one byte,
 * so is an option whose length byte is 0; the last byte is never a start),
 * and replace every option of a listed kind with NOPs of its length.
 */
export function tcpoptstrip(o: TcpoptstripOptions, p: Packet): void {
  const t = p.tcp;
  if (!t || !t.options || !o.kinds.length) return;
  const bytes: number[] = [];
  for (let i = 0; i < t.options.length; i += 2) bytes.push(parseInt(t.options.slice(i, i + 2), 16));
  const strip = new Set(o.kinds);
  let changed = false;
  for (let i = 0; i < bytes.length - 1; ) {
    const kind = bytes[i]!;
    const optl = kind <= 1 || bytes[i + 1] === 0 ? 1 : bytes[i + 1]!;
    if (i + optl > bytes.length) break;
    if (strip.has(kind)) {
      for (let j = 0; j < optl; j++) bytes[i + j] = 1;
      changed = true;
    }
    i += optl;
  }
  if (changed) t.options = bytes.map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
}

/** The hash tuple of xt_HMARK (struct hmark_tuple), addresses as host-order numbers. */
interface HmarkTuple {
  src: number;
  dst: number;
  /** uports: the two port halves, or an SPI, as one 32-bit value (0 when none) */
  ports: number;
  proto: number;
}

/** ICMP errors quote the packet they answer (get_inner_hdr) */
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);

/** hmark_swap_ports: mask and set the ports as one word, then put the larger port in the high half. */
function swapPorts(value: number, o: HmarkOptions): number {
  const mask = o.spiMask ?? (((o.sportMask ?? 0) << 16) | (o.dportMask ?? 0));
  const set = o.spi ?? (((o.sport ?? 0) << 16) | (o.dport ?? 0));
  const hp = ((value & mask) | set) >>> 0;
  const src = hp >>> 16;
  const dst = hp & 0xffff;
  return (dst > src ? (dst << 16) | src : (src << 16) | dst) >>> 0;
}

/** proto_ports_offset: where the 32 bits hashed as ports start (-1: none) */
function portsWord(p: Packet): number | null {
  switch (p.proto) {
    case IPPROTO_TCP:
    case 17: // UDP
    case 33: // DCCP
    case 132: // SCTP
    case 136: // UDP-Lite
      return (((p.sport ?? 0) << 16) | (p.dport ?? 0)) >>> 0;
    case 50: // ESP: the SPI
    case 51: {
      // AH: the SPI after next header, length and reserved
      const off = p.proto === 50 ? 0 : 4;
      if (p.payload.length < off + 4) return null;
      let v = 0;
      for (let i = 0; i < 4; i++) v = (v << 8) | (p.payload.charCodeAt(off + i) & 0xff);
      return v >>> 0;
    }
    default:
      return null;
  }
}

function addrMask(prefix: number | null): number {
  return prefix === null ? 0 : prefixMask(prefix) >>> 0;
}

/** hmark_pkt_set_htuple_ipv4 */
function packetTuple(o: HmarkOptions, p: Packet): HmarkTuple {
  let ip = p;
  if (p.proto === IPPROTO_ICMP && p.icmp && ICMP_ERRORS.has(p.icmp.type) && p.icmp.inner) ip = p.icmp.inner;
  const t: HmarkTuple = { src: (ip.src & addrMask(o.srcPrefix)) >>> 0, dst: (ip.dst & addrMask(o.dstPrefix)) >>> 0, ports: 0, proto: ip.proto };
  if (t.proto === IPPROTO_ICMP) return t;
  const w = portsWord(ip);
  if (w !== null) t.ports = swapPorts(w, o);
  return t;
}

/** hmark_ct_set_htuple: the original source and the reply source (the translated destination). */
function ctTuple(o: HmarkOptions, ct: CtView): HmarkTuple | null {
  const orig = ct.orig;
  const reply = ct.replyTuple;
  if (!orig || !reply) return null;
  const t: HmarkTuple = { src: (orig.src & addrMask(o.srcPrefix)) >>> 0, dst: (reply.src & addrMask(o.dstPrefix)) >>> 0, ports: 0, proto: orig.proto };
  if (t.proto !== IPPROTO_ICMP) t.ports = swapPorts((((orig.sport ?? 0) << 16) | (reply.sport ?? 0)) >>> 0, o);
  return t;
}

/**
 * hmark_tg_v4: the new skb->mark, or null when HMARK leaves the mark alone
 * (--hmark-tuple ct on a packet without a conntrack entry).
 */
export function hmarkValue(o: HmarkOptions, p: Packet, ct: CtView | null): number | null {
  const t = o.ct ? (ct ? ctTuple(o, ct) : null) : packetTuple(o, p);
  if (!t) return null;
  // hmark_hash: endian independent, smaller address first
  const a = Math.min(t.src, t.dst);
  const b = Math.max(t.src, t.dst);
  let hash = jhash3words(a, b, t.ports, o.rnd ?? 0);
  hash = (hash ^ (t.proto & (o.protoMask ?? 0))) >>> 0;
  return (reciprocalScale(hash, o.mod ?? 1) + (o.offset ?? 0)) >>> 0;
}

export function markOptions(o: unknown): { value: number; mask: number } {
  const m = o as MarkOptions;
  return { value: m.value >>> 0, mask: m.mask >>> 0 };
}

export function connmark(ref: CtRef, p: Packet, o: unknown): void {
  const e = ref.entry;
  if (!e) return;
  const c = o as ConnmarkOptions;
  // xt_CONNMARK connmark_tg_shift (no shift)
  if (c.mode === 'set') e.mark = ((e.mark & ~c.ctmask) ^ c.ctmark) >>> 0;
  else if (c.mode === 'save') e.mark = ((e.mark & ~c.ctmask) ^ (p.mark & c.nfmask)) >>> 0;
  else p.mark = ((p.mark & ~c.nfmask) ^ (e.mark & c.ctmask)) >>> 0;
}

export function ttlOptions(o: unknown): { mode: 'set' | 'inc' | 'dec'; value: number } {
  const t = o as TtlOptions;
  return { mode: t.mode ?? 'set', value: t.value };
}

export function tosAfter(name: string, o: unknown, tos: number): number {
  if (name === 'DSCP') {
    const d = o as { dscp: number };
    return ((tos & 0x03) | (d.dscp << 2)) & 0xff;
  }
  const t = o as { value: number; mask: number };
  return ((tos & ~t.mask) ^ t.value) & 0xff;
}

/**
 * xt_TCPMSS: lower the MSS option of a SYN to --set-mss, or to the path MTU
 * (the smaller of the route's and the reverse route's MTU) minus 40. Only
 * lowers, never raises (tcpmss_mangle_packet).
 */
export function tcpmss(host: Host, o: unknown, p: Packet, env: TargetEnv): void {
  const t = p.tcp;
  if (!t || !(t.flags & TCP_SYN)) return;
  const opt = o as { mss: number | null };
  let newMss: number;
  if (opt.mss !== null) newMss = opt.mss;
  else {
    // dst_mtu(skb_dst(skb)): the route's mtu metric when the route to the destination leaves by outIf (x5 runs: 1280 → MSS 1240)
    const fwd = fib.outputRoute(host.net, { src: 0, dst: p.dst, oif: null, mark: 0, tos: 0, proto: 0, sport: 0, dport: 0 });
    const out = env.outIf ? (fwd.ok && fwd.dev === env.outIf && fwd.route?.mtu) || linkMtu(host.net, env.outIf) : routeMtu(host.net, p.dst);
    newMss = Math.min(out, routeMtu(host.net, p.src)) - 40;
  }
  const hex = t.options;
  for (let i = 0; i + 2 <= hex.length; ) {
    const kind = parseInt(hex.slice(i, i + 2), 16);
    if (kind === 0) break;
    if (kind === 1) {
      i += 2;
      continue;
    }
    const len = parseInt(hex.slice(i + 2, i + 4), 16);
    if (!(len >= 2)) break;
    if (kind === 2 && len === 4) {
      const old = parseInt(hex.slice(i + 4, i + 8), 16);
      if (old > newMss) t.options = hex.slice(0, i + 4) + newMss.toString(16).toUpperCase().padStart(4, '0') + hex.slice(i + 8);
      return;
    }
    i += len * 2;
  }
}
