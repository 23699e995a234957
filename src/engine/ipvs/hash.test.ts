// hash_32 and the 64-bit kernel's hsiphash, checked against SPEC.md
// Appendix A (worked numbers).

import { describe, expect, it } from 'vitest';
import { hash32, hsiphash32, MH_HASH1, MH_HASH2 } from './hash';
import { sipHash } from '../net/siphash';

describe('hash_32', () => {
  it('puts 192.0.2.1 in sh bucket 50', () => {
    expect(hash32(0xc0000201, 8)).toBe(50);
  });
  it('puts 198.51.100.10 with source port 1024 in bucket 242 (sh-port)', () => {
    expect(hash32((0xc633640a + 1024) >>> 0, 8)).toBe(242);
  });
});

describe('hsiphash', () => {
  it('is the kernel hsiphash (SipHash-1-3) for v=0 with the mh key', () => {
    expect(sipHash(1, 3, 2654435761n, 2654435761n, [0, 0, 0, 0])).toBe(0x5c3613531d5a77c2n);
    expect(hsiphash32(0, MH_HASH1)).toBe(0x1d5a77c2);
  });
  it('gives the mh permutation of 10.19.0.1:80 and the slot of 192.0.2.1', () => {
    const v = (80 + 0x0a130001) >>> 0;
    expect(hsiphash32(v, MH_HASH1)).toBe(759155403);
    expect(hsiphash32(v, MH_HASH1) % 4093).toBe(2135);
    expect((hsiphash32(v, MH_HASH2) % 4092) + 1).toBe(1990);
    expect(hsiphash32(0xc0000201, MH_HASH1)).toBe(2458426504);
    expect(hsiphash32(0xc0000201, MH_HASH1) % 4093).toBe(2891);
  });
});
