// pattern: Functional Core
// SipHash-c-d as lib/siphash.c computes it, for the kernel hashes whose
// result a user can see: the multipath route hash (SipHash-2-4,
// multipath-hash.ts) and IPVS mh's hsiphash (SipHash-1-3, ipvs/hash.ts).
// SipHash needs 64-bit words, so it runs on BigInt.

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
