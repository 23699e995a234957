// pattern: Functional Core
// Bob Jenkins' lookup3 hash as include/linux/jhash.h has it, for the kernel
// hashes whose result a user can see: xt_cluster (which node takes a
// connection) and xt_HMARK (the mark). 32-bit words in host (x86,
// little-endian) order; an IPv4 address read straight from a header is the
// byte-swapped value of its dotted form (wireWord).

import type { Ipv4 } from './addr';

/** JHASH_INITVAL */
const JHASH_INITVAL = 0xdeadbeef;

function rol32(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** __jhash_final(a, b, c), returning c. */
function jhashFinal(a: number, b: number, c: number): number {
  c = (c ^ b) >>> 0; c = (c - rol32(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol32(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol32(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rol32(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rol32(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rol32(b, 24)) >>> 0;
  return c;
}

/** __jhash_nwords: the three words plus the initial value, then the final mix. */
function jhashNwords(a: number, b: number, c: number, initval: number): number {
  return jhashFinal((a + initval) >>> 0, (b + initval) >>> 0, (c + initval) >>> 0);
}

/** jhash_3words(a, b, c, initval) */
export function jhash3words(a: number, b: number, c: number, initval: number): number {
  return jhashNwords(a >>> 0, b >>> 0, c >>> 0, (initval + JHASH_INITVAL + (3 << 2)) >>> 0);
}

/** jhash_1word(a, initval) */
export function jhash1word(a: number, initval: number): number {
  return jhashNwords(a >>> 0, 0, 0, (initval + JHASH_INITVAL + (1 << 2)) >>> 0);
}

/** reciprocal_scale(val, n): (u64)val * n >> 32, a value in [0, n). */
export function reciprocalScale(val: number, n: number): number {
  return Number((BigInt(val >>> 0) * BigInt(n >>> 0)) >> 32n);
}

/** An IPv4 address as the u32 a little-endian CPU loads from network byte order (a __be32 used as a number). */
export function wireWord(addr: Ipv4): number {
  return (((addr & 0xff) << 24) | (((addr >>> 8) & 0xff) << 16) | (((addr >>> 16) & 0xff) << 8) | (addr >>> 24)) >>> 0;
}
