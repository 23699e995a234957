// pattern: Functional Core
// The datagram as the kernel's skb holds it at an iptables hook: IP header,
// transport header, payload. -m string and -m u32 read these bytes; the
// Packet model only keeps fields, so they are rebuilt here on demand. An
// ICMP error carries the datagram it quotes (icmp_send copies the offending
// IP header and as much of its payload as fits), and a pattern in the quoted
// payload is found there too (difftest seed 2 case 141, fixture q101).

import type { Packet } from '../../net/packet';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, l4HeaderLength } from '../../net/packet';

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}
function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

/** IP header (20 bytes, no options) + L4 header + payload or quoted datagram; checksums left 0. */
export function packetBytes(p: Packet): Uint8Array {
  const l4 = l4HeaderLength(p);
  const quoted = quotedBytes(p, l4);
  const total = 20 + l4 + (quoted ? quoted.length : p.payload.length);
  const b = new Uint8Array(total);
  b[0] = 0x45;
  b[1] = p.tos & 0xff;
  put16(b, 2, p.len > 0 ? p.len : total);
  put16(b, 4, p.ipid);
  put16(b, 6, p.df ? 0x4000 : 0);
  b[8] = p.ttl & 0xff;
  b[9] = p.proto & 0xff;
  put32(b, 12, p.src);
  put32(b, 16, p.dst);
  const o = 20;
  if (p.proto === IPPROTO_TCP) {
    put16(b, o, p.sport ?? 0);
    put16(b, o + 2, p.dport ?? 0);
    const t = p.tcp;
    put32(b, o + 4, t ? t.seq : 0);
    put32(b, o + 8, t ? t.ack : 0);
    b[o + 12] = (l4 / 4) << 4;
    b[o + 13] = t ? t.flags & 0xff : 0;
    put16(b, o + 14, t ? t.window : 0);
    put16(b, o + 18, t ? t.urgp : 0);
    if (t) for (let i = 0; i * 2 < t.options.length; i++) b[o + 20 + i] = parseInt(t.options.substr(i * 2, 2), 16) || 0;
  } else if (p.proto === IPPROTO_UDP) {
    put16(b, o, p.sport ?? 0);
    put16(b, o + 2, p.dport ?? 0);
    put16(b, o + 4, 8 + p.payload.length);
  } else if (p.proto === IPPROTO_ICMP && p.icmp) {
    b[o] = p.icmp.type;
    b[o + 1] = p.icmp.code;
    if (p.icmp.id !== undefined) put16(b, o + 4, p.icmp.id);
    if (p.icmp.seq !== undefined) put16(b, o + 6, p.icmp.seq);
    if (p.icmp.gateway !== undefined) put32(b, o + 4, p.icmp.gateway);
  }
  const d = 20 + l4;
  if (quoted) b.set(quoted, d);
  else for (let i = 0; i < p.payload.length; i++) b[d + i] = p.payload.charCodeAt(i) & 0xff;
  return b;
}

/** An ICMP error's body: the quoted datagram, cut where the error's IP length ends. */
function quotedBytes(p: Packet, l4: number): Uint8Array | null {
  const inner = p.proto === IPPROTO_ICMP && p.payload.length === 0 ? p.icmp?.inner : undefined;
  if (!inner) return null;
  const all = packetBytes(inner);
  return p.len > 0 ? all.subarray(0, Math.max(0, Math.min(all.length, p.len - 20 - l4))) : all;
}
