// pattern: Functional Core
// The two hash functions IPVS schedulers use, written from their
// definitions: hash_32() of include/linux/hash.h (sh, dh) and the 64-bit
// kernel's hsiphash(), i.e. SipHash-1-3 with a 2x64-bit key (lib/siphash.c),
// used by mh. SipHash needs 64-bit words, so it runs on BigInt; mh calls it
// a handful of times per table build and once per scheduling decision.

const GOLDEN_RATIO_32 = 0x61c88647;

/** hash_32(val, bits): multiply by GOLDEN_RATIO_32 modulo 2^32, keep the top `bits` bits. */
export function hash32(val: number, bits: number): number {
  return Math.imul(val >>> 0, GOLDEN_RATIO_32) >>> (32 - bits);
}

const M64 = (1n << 64n) - 1n;

function rotl(x: bigint, b: bigint): bigint {
  return ((x << b) | (x >> (64n - b))) & M64;
}

/**
 * Generic SipHash-c-d over `bytes` with key (k0, k1), returning the 64-bit
 * value. hsiphash on 64-bit kernels is sipHash(1, 3, ...).
 */
export function sipHash(cRounds: number, dRounds: number, k0: bigint, k1: bigint, bytes: readonly number[]): bigint {
  let v0 = 0x736f6d6570736575n ^ k0;
  let v1 = 0x646f72616e646f6dn ^ k1;
  let v2 = 0x6c7967656e657261n ^ k0;
  let v3 = 0x7465646279746573n ^ k1;
  const round = (): void => {
    v0 = (v0 + v1) & M64;
    v1 = rotl(v1, 13n);
    v1 ^= v0;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & M64;
    v3 = rotl(v3, 16n);
    v3 ^= v2;
    v0 = (v0 + v3) & M64;
    v3 = rotl(v3, 21n);
    v3 ^= v0;
    v2 = (v2 + v1) & M64;
    v1 = rotl(v1, 17n);
    v1 ^= v2;
    v2 = rotl(v2, 32n);
  };
  const len = bytes.length;
  const full = len - (len % 8);
  for (let i = 0; i < full; i += 8) {
    let m = 0n;
    for (let j = 7; j >= 0; j--) m = (m << 8n) | BigInt(bytes[i + j]! & 255);
    v3 ^= m;
    for (let r = 0; r < cRounds; r++) round();
    v0 ^= m;
  }
  let b = BigInt(len & 255) << 56n;
  for (let j = len - 1; j >= full; j--) b |= BigInt(bytes[j]! & 255) << BigInt((j - full) * 8);
  v3 ^= b;
  for (let r = 0; r < cRounds; r++) round();
  v0 ^= b;
  v2 ^= 0xffn;
  for (let r = 0; r < dRounds; r++) round();
  return (v0 ^ v1 ^ v2 ^ v3) & M64;
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
