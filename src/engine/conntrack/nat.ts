// pattern: Functional Core
// NAT bindings as net/netfilter/nf_nat_core.c makes them: nf_nat_setup_info
// turns the connection's reply tuple into the inverse of the translated
// original tuple (get_unique_tuple picks one no other connection uses), and
// nf_nat_packet / nf_nat_icmp_reply_translation rewrite each later packet
// from the two tuples alone. The port search uses a random start exactly
// where the kernel calls get_random_u16(); the caller supplies the generator
// so runs are reproducible.

import type { Packet } from '../net/packet';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../net/packet';
import type { CtDir, CtEntry, CtTuple, NatManip, NatRange, NatRewrite } from './types';
import {
  IPS_CONFIRMED,
  IPS_DST_NAT,
  IPS_DST_NAT_DONE,
  IPS_NAT_DONE_MASK,
  IPS_NAT_MASK,
  IPS_SRC_NAT,
  IPS_SRC_NAT_DONE,
} from './types';
import { cloneTuple, icmpHasId, ICMP_REDIRECT, invertTuple, tupleEqual } from './tuple';

/** NF_NAT_MAX_ATTEMPTS */
const NAT_MAX_ATTEMPTS = 128;

/** What NAT needs to know about the rest of the table. */
export interface NatEnv {
  /** nf_conntrack_tuple_taken: does a confirmed entry other than `ignored` use `tuple` in either direction? */
  taken(tuple: CtTuple, zone: number, ignored: CtEntry): boolean;
  /** confirmed entries with a SRC binding whose original source is tuple's (nf_nat_bysource), newest first */
  bySource(tuple: CtTuple, zone: number): Iterable<CtEntry>;
  /** get_random_u16() */
  random16(): number;
  /** a port (or ICMP id) was picked from a random start: no run of the kernel can be predicted to agree */
  portDrawn?(draw: NatPortDraw): void;
}

/** One port search nf_nat_l4proto_unique_tuple began at a random offset. */
export interface NatPortDraw {
  /** the tuple it settled on (the translated original direction) */
  tuple: CtTuple;
  manip: NatManip;
  /** the range searched: min .. min + size - 1 */
  min: number;
  size: number;
  /** --random / --random-fully asked for it (the rule itself is labelled then) */
  requested: boolean;
}

export function natDoneBit(manip: NatManip): number {
  return manip === 'SRC' ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE;
}

/** nf_nat_initialized() */
export function natInitialized(entry: CtEntry, manip: NatManip): boolean {
  return (entry.status & natDoneBit(manip)) !== 0;
}

function hasMapIps(r: NatRange): boolean {
  return r.minAddr !== undefined;
}

function protoSpecified(r: NatRange): boolean {
  return r.minPort !== undefined;
}

function randomAll(r: NatRange): boolean {
  return r.random === true || r.randomFully === true;
}

function rangeAddrs(r: NatRange): [number, number] {
  const min = (r.minAddr ?? 0) >>> 0;
  const max = (r.maxAddr ?? r.minAddr ?? 0) >>> 0;
  return [min, max];
}

function rangePorts(r: NatRange): [number, number] {
  const min = r.minPort ?? 0;
  const max = r.maxPort ?? min;
  return [min, max];
}

/** l4proto_in_range */
function l4InRange(t: CtTuple, manip: NatManip, r: NatRange): boolean {
  const [min, max] = rangePorts(r);
  if (t.proto === IPPROTO_ICMP) return t.sport >= min && t.sport <= max;
  if (t.proto === IPPROTO_TCP || t.proto === IPPROTO_UDP) {
    const port = manip === 'SRC' ? t.sport : t.dport;
    return port >= min && port <= max;
  }
  return true;
}

/** nf_in_range: would source-mapping to this tuple satisfy the range? */
function inRange(t: CtTuple, r: NatRange): boolean {
  if (hasMapIps(r)) {
    const [min, max] = rangeAddrs(r);
    if (t.src < min || t.src > max) return false;
  }
  if (!protoSpecified(r)) return true;
  return l4InRange(t, 'SRC', r);
}

function usedTuple(t: CtTuple, entry: CtEntry, env: NatEnv): boolean {
  const reply = invertTuple(t);
  if (!reply) return false;
  return env.taken(reply, entry.zone, entry);
}

/** find_appropriate_src: reuse the mapping this source already has (same src ip, port, proto). */
function findAppropriateSrc(orig: CtTuple, entry: CtEntry, r: NatRange, env: NatEnv): CtTuple | null {
  for (const other of env.bySource(orig, entry.zone)) {
    if (other === entry) continue;
    const result = invertTuple(other.tuple[1]);
    if (!result) continue;
    result.dst = orig.dst;
    result.dport = orig.dport;
    if (inRange(result, r)) return result;
  }
  return null;
}

function rol32(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** jhash2() of include/linux/jhash.h, 32-bit words in host (little-endian) order. */
export function jhash2(words: readonly number[], initval: number): number {
  let a = (0xdeadbeef + (words.length << 2) + initval) >>> 0;
  let b = a;
  let c = a;
  let i = 0;
  let len = words.length;
  while (len > 3) {
    a = (a + words[i]!) >>> 0;
    b = (b + words[i + 1]!) >>> 0;
    c = (c + words[i + 2]!) >>> 0;
    // __jhash_mix
    a = (a - c) >>> 0; a = (a ^ rol32(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol32(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol32(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rol32(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rol32(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rol32(b, 4)) >>> 0; b = (b + a) >>> 0;
    len -= 3;
    i += 3;
  }
  if (len === 0) return c;
  if (len >= 3) c = (c + words[i + 2]!) >>> 0;
  if (len >= 2) b = (b + words[i + 1]!) >>> 0;
  a = (a + words[i]!) >>> 0;
  // __jhash_final
  c = (c ^ b) >>> 0; c = (c - rol32(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol32(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol32(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol32(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol32(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 24)) >>> 0;
  return c;
}

/** An IPv4 address as the u32 a little-endian CPU reads from network byte order. */
function wireWord(addr: number): number {
  return (((addr & 0xff) << 24) | ((addr >>> 8) & 0xff) << 16 | ((addr >>> 16) & 0xff) << 8 | (addr >>> 24)) >>> 0;
}

/** reciprocal_scale(): (u64)val * n >> 32 without losing bits to floating point. */
function reciprocalScale(val: number, n: number): number {
  return Number((BigInt(val >>> 0) * BigInt(n >>> 0)) >> 32n);
}

/**
 * find_best_ips_proto: a hash of source and destination chooses the address
 * in a multi-address range, so a client keeps its public address.
 */
function findBestIps(t: CtTuple, r: NatRange, manip: NatManip, zone: number): void {
  if (!hasMapIps(r)) return;
  const [min, max] = rangeAddrs(r);
  if (min === max) {
    if (manip === 'SRC') t.src = min;
    else t.dst = min;
    return;
  }
  const initval = r.persistent ? 0 : (wireWord(t.dst) ^ zone) >>> 0;
  const j = jhash2([wireWord(t.src), 0, 0, 0], initval);
  const dist = (max - min + 1) >>> 0;
  const addr = (min + reciprocalScale(j, dist === 0 ? 0x100000000 - 1 : dist)) >>> 0;
  if (manip === 'SRC') t.src = addr;
  else t.dst = addr;
}

/** nf_nat_l4proto_unique_tuple: search the port (or ICMP id) range from a random start. */
function l4protoUniqueTuple(t: CtTuple, r: NatRange, manip: NatManip, entry: CtEntry, env: NatEnv): void {
  let min: number;
  let size: number;
  let key: 'sport' | 'dport';
  if (t.proto === IPPROTO_ICMP) {
    key = 'sport';
    if (!protoSpecified(r)) {
      min = 0;
      size = 65536;
    } else {
      const [lo, hi] = rangePorts(r);
      min = lo;
      size = hi - lo + 1;
    }
  } else if (t.proto === IPPROTO_TCP || t.proto === IPPROTO_UDP) {
    key = manip === 'SRC' ? 'sport' : 'dport';
    if (!protoSpecified(r)) {
      if (manip === 'DST') return;
      const port = t[key];
      if (port < 1024) {
        // Loose convention: below 512 is credential passing.
        if (port < 512) {
          min = 1;
          size = 511;
        } else {
          min = 600;
          size = 1023 - 600 + 1;
        }
      } else {
        min = 1024;
        size = 65535 - 1024 + 1;
      }
    } else {
      let [lo, hi] = rangePorts(r);
      if (hi < lo) [lo, hi] = [hi, lo];
      min = lo;
      size = hi - lo + 1;
    }
  } else {
    return;
  }

  const random = randomAll(r) || manip !== 'DST';
  let off = random ? env.random16() & 0xffff : 0;
  let attempts = Math.min(size, NAT_MAX_ATTEMPTS);
  // Bounded like the kernel: each round halves the window until it is < 16.
  search: for (let round = 0; round < 32; round++) {
    for (let i = 0; i < attempts; i++) {
      t[key] = min + (off % size);
      off = (off + 1) & 0xffff;
      if (!usedTuple(t, entry, env)) break search;
    }
    if (attempts >= size || attempts < 16) break;
    attempts = attempts >>> 1;
    off = env.random16() & 0xffff;
  }
  // the start only matters with two free ports or more to land on (d2-0147: 13 free ports, d2-0605:
  // 871); with one or none every start ends alike (p01, p26: one port of two taken, then both)
  if (random && env.portDrawn && (size > NAT_MAX_ATTEMPTS || freePorts(t, key, min, size, entry, env) > 1)) {
    env.portDrawn({ tuple: cloneTuple(t), manip, min, size, requested: randomAll(r) });
  }
}

/** How many ports of min .. min + size - 1 would give `t` a tuple no other connection uses. */
function freePorts(t: CtTuple, key: 'sport' | 'dport', min: number, size: number, entry: CtEntry, env: NatEnv): number {
  const probe = cloneTuple(t);
  let free = 0;
  for (let i = 0; i < size; i++) {
    probe[key] = min + i;
    if (!usedTuple(probe, entry, env)) free++;
  }
  return free;
}

/** get_unique_tuple */
export function getUniqueTuple(orig: CtTuple, r: NatRange, entry: CtEntry, manip: NatManip, env: NatEnv): CtTuple {
  if (manip === 'SRC' && !randomAll(r)) {
    if (inRange(orig, r)) {
      if (!usedTuple(orig, entry, env)) return cloneTuple(orig);
    } else {
      const found = findAppropriateSrc(orig, entry, r, env);
      if (found && !usedTuple(found, entry, env)) return found;
    }
  }
  const t = cloneTuple(orig);
  findBestIps(t, r, manip, entry.zone);
  if (!randomAll(r)) {
    if (protoSpecified(r)) {
      const [lo, hi] = rangePorts(r);
      if (l4InRange(t, manip, r) && (lo === hi || !usedTuple(t, entry, env))) return t;
    } else if (!usedTuple(t, entry, env)) {
      return t;
    }
  }
  l4protoUniqueTuple(t, r, manip, entry, env);
  return t;
}

/**
 * nf_nat_setup_info: bind `manip` for an unconfirmed entry. Returns true
 * when the tuple actually changed (the entry then has IPS_SRC_NAT or
 * IPS_DST_NAT, which is what --ctstate SNAT/DNAT tests).
 */
export function setupInfo(entry: CtEntry, r: NatRange, manip: NatManip, env: NatEnv): boolean {
  if (entry.status & IPS_CONFIRMED) return false;
  if (natInitialized(entry, manip)) return false;
  const curr = invertTuple(entry.tuple[1]);
  let changed = false;
  if (curr) {
    const next = getUniqueTuple(curr, r, entry, manip, env);
    if (!tupleEqual(next, curr)) {
      const reply = invertTuple(next);
      if (reply) {
        entry.tuple[1] = reply;
        entry.status |= manip === 'SRC' ? IPS_SRC_NAT : IPS_DST_NAT;
        changed = true;
      }
    }
  }
  entry.status |= natDoneBit(manip);
  return changed;
}

/**
 * nf_nat_alloc_null_binding: "no NAT" is itself a binding to the current
 * address. It still goes through get_unique_tuple, so a clash can move the
 * source port even without a NAT rule.
 */
export function nullBindingRange(entry: CtEntry, manip: NatManip): NatRange {
  const reply = entry.tuple[1];
  const addr = manip === 'SRC' ? reply.dst : reply.src;
  return { minAddr: addr, maxAddr: addr };
}

/** HOOK2MANIP */
export function manipForHook(hook: string): NatManip | null {
  if (hook === 'POSTROUTING' || hook === 'INPUT') return 'SRC';
  if (hook === 'PREROUTING' || hook === 'OUTPUT') return 'DST';
  return null;
}

function statusBit(manip: NatManip, dir: CtDir): number {
  let bit = manip === 'SRC' ? IPS_SRC_NAT : IPS_DST_NAT;
  if (dir === 1) bit ^= IPS_NAT_MASK;
  return bit;
}

/** nf_nat_ipv4_manip_pkt: make the packet's src (SRC) or dst (DST) side look like `target`. */
function manipPacket(p: Packet, target: CtTuple, manip: NatManip, prefix: string, out: NatRewrite[]): void {
  if (manip === 'SRC') {
    if (p.src !== target.src) {
      out.push({ field: prefix + 'src', before: p.src, after: target.src });
      p.src = target.src;
    }
  } else if (p.dst !== target.dst) {
    out.push({ field: prefix + 'dst', before: p.dst, after: target.dst });
    p.dst = target.dst;
  }
  if (p.proto === IPPROTO_TCP || p.proto === IPPROTO_UDP) {
    if (target.proto !== p.proto) return;
    if (manip === 'SRC') {
      if (p.sport !== undefined && p.sport !== target.sport) {
        out.push({ field: prefix + 'sport', before: p.sport, after: target.sport });
        p.sport = target.sport;
      }
    } else if (p.dport !== undefined && p.dport !== target.dport) {
      out.push({ field: prefix + 'dport', before: p.dport, after: target.dport });
      p.dport = target.dport;
    }
  } else if (p.proto === IPPROTO_ICMP && p.icmp && target.proto === IPPROTO_ICMP && icmpHasId(p.icmp.type)) {
    // icmp_manip_pkt: only query types carry an id; the id lives in src.u.icmp.id for both manips.
    const before = p.icmp.id ?? 0;
    if (before !== target.sport) {
      out.push({ field: prefix + 'id', before, after: target.sport });
      p.icmp.id = target.sport;
    }
  }
}

/**
 * nf_nat_packet: rewrite a packet of a tracked connection at a NAT hook.
 * DST manip at PREROUTING/OUTPUT, SRC manip at POSTROUTING/INPUT, the
 * inverse for the reply direction.
 */
export function natPacket(p: Packet, entry: CtEntry, dir: CtDir, manip: NatManip, out: NatRewrite[]): void {
  if (!(entry.status & statusBit(manip, dir))) return;
  const target = invertTuple(entry.tuple[dir === 0 ? 1 : 0]);
  if (!target) return;
  manipPacket(p, target, manip, '', out);
}

/**
 * nf_nat_icmp_reply_translation: an ICMP error RELATED to a NATed
 * connection gets the quoted packet translated (with the opposite manip)
 * and then the outer header, so both match what the peer sent.
 * Returns false where the kernel drops the packet.
 */
export function natIcmpReplyTranslation(
  p: Packet,
  entry: CtEntry,
  dir: CtDir,
  manip: NatManip,
  out: NatRewrite[],
): boolean {
  const icmp = p.icmp;
  if (!icmp) return true;
  if (icmp.type === ICMP_REDIRECT) {
    // Redirects are only passed for connections NAT left untouched.
    if ((entry.status & IPS_NAT_DONE_MASK) !== IPS_NAT_DONE_MASK) return false;
    if (entry.status & IPS_NAT_MASK) return false;
  }
  if (!(entry.status & statusBit(manip, dir))) return true;
  const other = entry.tuple[dir === 0 ? 1 : 0];
  if (icmp.inner) manipPacket(icmp.inner, other, manip === 'SRC' ? 'DST' : 'SRC', 'inner.', out);
  const target = invertTuple(other);
  if (!target) return true;
  target.proto = IPPROTO_ICMP;
  manipPacket(p, target, manip, '', out);
  return true;
}
