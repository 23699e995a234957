// SipHash-c-d checked against the reference implementation's test vector.

import { describe, expect, it } from 'vitest';
import { sipHash } from './siphash';

describe('SipHash', () => {
  it('matches the SipHash-2-4 reference vector (key 00..0f, message 00..0e)', () => {
    let k0 = 0n;
    let k1 = 0n;
    for (let i = 7; i >= 0; i--) {
      k0 = (k0 << 8n) | BigInt(i);
      k1 = (k1 << 8n) | BigInt(i + 8);
    }
    const msg = Array.from({ length: 15 }, (_, i) => i);
    expect(sipHash(2, 4, k0, k1, msg)).toBe(0xa129ca6149be45e5n);
  });
});
