// pattern: Functional Core
// Tuples: extraction from a packet (nf_ct_get_tuple and the l4 pkt_to_tuple
// callbacks), inversion (nf_ct_invert_tuple) and hashing. Lookup hashes are
// plain 32-bit integer mixes so that a lookup allocates nothing.

import type { Packet } from '../net/packet';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../net/packet';
import type { CtTuple } from './types';

export const ICMP_ECHOREPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_SOURCE_QUENCH = 4;
export const ICMP_REDIRECT = 5;
export const ICMP_ECHO = 8;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP_PARAMETERPROB = 12;
export const ICMP_TIMESTAMP = 13;
export const ICMP_TIMESTAMPREPLY = 14;
export const ICMP_INFO_REQUEST = 15;
export const ICMP_INFO_REPLY = 16;
export const ICMP_ADDRESS = 17;
export const ICMP_ADDRESSREPLY = 18;
/** NR_ICMP_TYPES: higher types are INVALID (nf_conntrack_icmpv4_error) */
export const NR_ICMP_TYPES = 18;

/** icmp_is_err(): the types whose payload quotes another packet. */
export function icmpIsError(type: number): boolean {
  return (
    type === ICMP_DEST_UNREACH ||
    type === ICMP_SOURCE_QUENCH ||
    type === ICMP_REDIRECT ||
    type === ICMP_TIME_EXCEEDED ||
    type === ICMP_PARAMETERPROB
  );
}

/** Query/response pairs conntrack can invert (invmap in nf_conntrack_proto_icmp.c); -1: cannot. */
export function icmpInvertType(type: number): number {
  switch (type) {
    case ICMP_ECHO:
      return ICMP_ECHOREPLY;
    case ICMP_ECHOREPLY:
      return ICMP_ECHO;
    case ICMP_TIMESTAMP:
      return ICMP_TIMESTAMPREPLY;
    case ICMP_TIMESTAMPREPLY:
      return ICMP_TIMESTAMP;
    case ICMP_INFO_REQUEST:
      return ICMP_INFO_REPLY;
    case ICMP_INFO_REPLY:
      return ICMP_INFO_REQUEST;
    case ICMP_ADDRESS:
      return ICMP_ADDRESSREPLY;
    case ICMP_ADDRESSREPLY:
      return ICMP_ADDRESS;
    default:
      return -1;
  }
}

/** valid_new[] of nf_conntrack_icmp_packet: only requests may open a conntrack. */
export function icmpValidNew(type: number): boolean {
  return type === ICMP_ECHO || type === ICMP_TIMESTAMP || type === ICMP_INFO_REQUEST || type === ICMP_ADDRESS;
}

/** Whether the ICMP type carries an echo-style identifier NAT may rewrite (icmp_manip_pkt). */
export function icmpHasId(type: number): boolean {
  return icmpInvertType(type) >= 0;
}

export function icmpType(t: CtTuple): number {
  return t.dport >>> 8;
}

export function icmpCode(t: CtTuple): number {
  return t.dport & 0xff;
}

/** The tuple of a packet as it is on the wire now (original direction of a would-be new conntrack). */
export function packetTuple(p: Packet): CtTuple {
  const t: CtTuple = { src: p.src >>> 0, dst: p.dst >>> 0, proto: p.proto, sport: 0, dport: 0 };
  fillL4(p, t);
  return t;
}

/** Same as packetTuple but into an existing object, so the hot path allocates nothing. */
export function fillPacketTuple(p: Packet, t: CtTuple): CtTuple {
  t.src = p.src >>> 0;
  t.dst = p.dst >>> 0;
  t.proto = p.proto;
  t.sport = 0;
  t.dport = 0;
  fillL4(p, t);
  return t;
}

function fillL4(p: Packet, t: CtTuple): void {
  if (p.proto === IPPROTO_TCP || p.proto === IPPROTO_UDP) {
    t.sport = (p.sport ?? 0) & 0xffff;
    t.dport = (p.dport ?? 0) & 0xffff;
  } else if (p.proto === IPPROTO_ICMP && p.icmp) {
    t.sport = (p.icmp.id ?? 0) & 0xffff;
    t.dport = ((p.icmp.type & 0xff) << 8) | (p.icmp.code & 0xff);
  }
}

/** nf_ct_invert_tuple; null when the l4 protocol cannot invert it (e.g. an ICMP type outside invmap). */
export function invertTuple(t: CtTuple): CtTuple | null {
  if (t.proto === IPPROTO_ICMP) {
    const inv = icmpInvertType(icmpType(t));
    if (inv < 0) return null;
    return { src: t.dst, dst: t.src, proto: t.proto, sport: t.sport, dport: (inv << 8) | icmpCode(t) };
  }
  if (t.proto === IPPROTO_TCP || t.proto === IPPROTO_UDP) {
    return { src: t.dst, dst: t.src, proto: t.proto, sport: t.dport, dport: t.sport };
  }
  return { src: t.dst, dst: t.src, proto: t.proto, sport: 0, dport: 0 };
}

export function tupleEqual(a: CtTuple, b: CtTuple): boolean {
  return a.src === b.src && a.dst === b.dst && a.proto === b.proto && a.sport === b.sport && a.dport === b.dport;
}

export function cloneTuple(t: CtTuple): CtTuple {
  return { src: t.src, dst: t.dst, proto: t.proto, sport: t.sport, dport: t.dport };
}

/** A 32-bit mix of the tuple and zone (murmur3-style finaliser per word). */
export function tupleHash(t: CtTuple, zone: number): number {
  let h = 0x9e3779b9 ^ zone;
  h = mix(h, t.src);
  h = mix(h, t.dst);
  h = mix(h, (t.sport << 16) | t.dport);
  h = mix(h, t.proto);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}
