// pattern: Functional Core
// The two hash functions IPVS schedulers use, written from their
// definitions: hash_32() of include/linux/hash.h (sh, dh) and the 64-bit
// kernel's hsiphash(), i.e. SipHash-1-3 with a 2x64-bit key (lib/siphash.c,
// net/siphash.ts), used by mh. mh calls it a handful of times per table
// build and once per scheduling decision.

import { sipHash } from '../net/siphash';

const GOLDEN_RATIO_32 = 0x61c88647;

/** hash_32(val, bits): multiply by GOLDEN_RATIO_32 modulo 2^32, keep the top `bits` bits. */
export function hash32(val: number, bits: number): number {
  return Math.imul(val >>> 0, GOLDEN_RATIO_32) >>> (32 - bits);
}

/** The four bytes of a u32 in little-endian order, as the kernel hashes `&v` on x86-64. */
function le32(v: number): number[] {
  const x = v >>> 0;
  return [x & 255, (x >>> 8) & 255, (x >>> 16) & 255, (x >>> 24) & 255];
}

/** hsiphash(&v, 4, key) on a 64-bit kernel, truncated to u32 as ip_vs_mh_hashkey returns it. */
export function hsiphash32(v: number, key: readonly [bigint, bigint]): number {
  return Number(sipHash(1, 3, key[0], key[1], le32(v)) & 0xffffffffn);
}

/** ip_vs_mh.c's fixed keys (not random, so results match across machines). */
export const MH_HASH1: readonly [bigint, bigint] = [2654435761n, 2654435761n];
export const MH_HASH2: readonly [bigint, bigint] = [2654446892n, 2654446892n];
