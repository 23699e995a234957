// pattern: Functional Core
// The oracle's HDR object (FORMAT.md §2.2): the header fields a learner and
// the comparison look at. Built from a Packet at every traced event so the
// event log can say which fields a table changed.

import { formatIpv4 } from '../net/addr';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, tcpFlagsText, type Packet } from '../net/packet';

export interface HeaderView {
  src: string;
  dst: string;
  proto: string | number;
  ttl: number;
  len: number;
  tos?: number;
  mark?: number;
  sport?: number;
  dport?: number;
  flags?: string;
  data_len?: number;
  type?: number;
  code?: number;
  id?: number;
  seq?: number;
  inner?: HeaderView;
}

const PROTO_NAMES: Record<number, string> = { [IPPROTO_ICMP]: 'icmp', [IPPROTO_TCP]: 'tcp', [IPPROTO_UDP]: 'udp' };

export function headerView(p: Packet, inner = false): HeaderView {
  const h: HeaderView = {
    src: formatIpv4(p.src),
    dst: formatIpv4(p.dst),
    proto: PROTO_NAMES[p.proto] ?? p.proto,
    ttl: p.ttl,
    len: p.len,
  };
  if (p.tos) h.tos = p.tos;
  if (p.proto === IPPROTO_TCP || p.proto === IPPROTO_UDP) {
    h.sport = p.sport ?? 0;
    h.dport = p.dport ?? 0;
    if (p.proto === IPPROTO_TCP && p.tcp) {
      h.flags = tcpFlagsText(p.tcp.flags);
      if (!inner && p.payload.length > 0) h.data_len = p.payload.length;
    }
  } else if (p.proto === IPPROTO_ICMP && p.icmp) {
    h.type = p.icmp.type;
    h.code = p.icmp.code;
    if (p.icmp.type === 0 || p.icmp.type === 8) {
      h.id = p.icmp.id ?? 0;
      h.seq = p.icmp.seq ?? 0;
    } else if (!inner && [3, 4, 5, 11, 12].includes(p.icmp.type)) {
      if (p.icmp.inner) h.inner = headerView(p.icmp.inner, true);
      else if (p.payload.length >= 20) h.inner = quotedView(p.payload);
    }
  }
  if (!inner && p.mark) h.mark = p.mark;
  return h;
}

/** Fields of b that differ from a, ignoring lengths and flags (as the oracle does). */
export function headerDiff(a: HeaderView, b: HeaderView): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of [...keys].sort()) {
    if (k === 'len' || k === 'flags' || k === 'data_len') continue;
    const av = (a as unknown as Record<string, unknown>)[k];
    const bv = (b as unknown as Record<string, unknown>)[k];
    if (JSON.stringify(av) !== JSON.stringify(bv)) out[k] = bv ?? null;
  }
  return out;
}

/**
 * A hand-made ICMP error carries raw bytes instead of a quoted packet
 * (oracle case 44): read the IPv4 header out of them the way the kernel's
 * logger and the oracle do.
 */
function quotedView(bytes: string): HeaderView {
  const b = (i: number) => bytes.charCodeAt(i) & 0xff;
  const ip = (i: number) => `${b(i)}.${b(i + 1)}.${b(i + 2)}.${b(i + 3)}`;
  const proto = b(9);
  const h: HeaderView = {
    src: ip(12),
    dst: ip(16),
    proto: PROTO_NAMES[proto] ?? proto,
    ttl: b(8),
    len: (b(2) << 8) | b(3),
  };
  if (b(1)) h.tos = b(1);
  const ihl = (b(0) & 0x0f) * 4;
  const frag = ((b(6) << 8) | b(7)) & 0x1fff;
  if (frag) return h;
  if ((proto === IPPROTO_TCP || proto === IPPROTO_UDP) && bytes.length >= ihl + 4) {
    h.sport = (b(ihl) << 8) | b(ihl + 1);
    h.dport = (b(ihl + 2) << 8) | b(ihl + 3);
    if (proto === IPPROTO_TCP && bytes.length >= ihl + 14) h.flags = tcpFlagsText(b(ihl + 13));
  } else if (proto === IPPROTO_ICMP && bytes.length >= ihl + 4) {
    h.type = b(ihl);
    h.code = b(ihl + 1);
    if ((h.type === 0 || h.type === 8) && bytes.length >= ihl + 8) {
      h.id = (b(ihl + 4) << 8) | b(ihl + 5);
      h.seq = (b(ihl + 6) << 8) | b(ihl + 7);
    }
  }
  return h;
}
