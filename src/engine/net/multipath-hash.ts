// pattern: Functional Core
// The kernel's L3 multipath hash (fib_multipath_hash_policy=0), reimplemented
// from the description of net/ipv4/route.c fib_multipath_hash(),
// include/net/ip_fib.h fib_multipath_hash_from_keys() and
// net/core/flow_dissector.c __flow_hash_from_keys():
//
//   * a struct flow_keys is zeroed and only addrs.v4addrs.{src,dst} set
//     (addr_type IPv4);
//   * __flow_hash_consistentify swaps src/dst when dst < src, comparing the
//     big-endian words as native (little-endian, x86) integers;
//   * SipHash-2-4 runs over the struct from `basic` (offset 8) for
//     sizeof(flow_keys) - 8 - sizeof(addrs) + 8 = 48 bytes: 36 zero bytes,
//     saddr, daddr, 4 zero bytes (the rest of the addrs union);
//   * the key is (seed << 32 | seed) twice, seed = fib_multipath_hash_seed
//     (a random value when the sysctl is 0 — not predictable, we use 0);
//   * the low 32 bits (0 becomes 1) are shifted right once, and the first
//     nexthop whose upper bound (fib_rebalance) is >= the hash wins.
//
// Oracle case 39 (seed 4242, four sources over two equal nexthops) is
// reproduced exactly, which checks the layout assumptions above.
// BigInt is used because SipHash is 64-bit; it only runs for multipath routes.


import { sipHash } from './siphash';

/** SipHash-2-4 of `data` with the 128-bit key (k0, k1), as lib/siphash.c. */
export function siphash24(data: Uint8Array, k0: bigint, k1: bigint): bigint {
  return sipHash(2, 4, k0, k1, Array.from(data));
}

function byteswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

const KEYS_OFFSET_OF_ADDRS = 36;
const HASHED_LENGTH = 48;

/**
 * fib_multipath_hash() for policy 0 (L3: source and destination address),
 * already shifted right by one like the kernel's return value.
 */
export function multipathHashL3(saddr: number, daddr: number, seed: number): number {
  let src = saddr >>> 0;
  let dst = daddr >>> 0;
  if (byteswap32(dst) < byteswap32(src)) {
    const t = src;
    src = dst;
    dst = t;
  }
  const data = new Uint8Array(HASHED_LENGTH);
  const o = KEYS_OFFSET_OF_ADDRS;
  data[o] = src >>> 24;
  data[o + 1] = (src >>> 16) & 255;
  data[o + 2] = (src >>> 8) & 255;
  data[o + 3] = src & 255;
  data[o + 4] = dst >>> 24;
  data[o + 5] = (dst >>> 16) & 255;
  data[o + 6] = (dst >>> 8) & 255;
  data[o + 7] = dst & 255;
  const s = BigInt(seed >>> 0);
  const k = (s << 32n) | s;
  let h = Number(siphash24(data, k, k) & 0xffffffffn);
  if (h === 0) h = 1;
  return h >>> 1;
}

/**
 * fib_rebalance + fib_select_multipath: index of the nexthop for `hash`
 * among nexthops with these weights (dead ones get weight 0 and are skipped).
 *
 * `sourceMatches` (an output lookup with a source address, kernel 6.16+):
 * for each nexthop, is its own source address (nh_saddr) that one? Each
 * live nexthop then scores 2 for the source and 1 for being in the hash's
 * range (its upper bound at or above the hash, so every nexthop from the
 * hashed one on); the first best wins. A socket thus keeps to the nexthop
 * its source address belongs to (case q100: seed 15 hashes 10.1.0.1 onto
 * the second of three nexthops, the kernel takes the third, on 10.1.0.1's
 * device).
 */
export function selectMultipath(hash: number, weights: readonly number[], sourceMatches: readonly boolean[] | null = null): number {
  let total = 0;
  for (const w of weights) total += w;
  if (total <= 0) return 0;
  let w = 0;
  let best = -1;
  let bestScore = -1;
  for (let i = 0; i < weights.length; i++) {
    const wi = weights[i]!;
    if (wi <= 0) continue;
    w += wi;
    // DIV_ROUND_CLOSEST_ULL((u64)w << 31, total) - 1
    const upper = Math.floor((w * 2147483648 + total / 2) / total) - 1;
    const score = (sourceMatches?.[i] ? 2 : 0) + (hash <= upper ? 1 : 0);
    if (score > bestScore) {
      best = i;
      bestScore = score;
      if (score === 3 || (sourceMatches === null && score === 1)) return i;
    }
  }
  return best < 0 ? 0 : best;
}
