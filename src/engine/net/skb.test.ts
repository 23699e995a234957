import { describe, expect, it } from 'vitest';
import type { Packet } from './packet';
import { TCP_SKB_HEAD_TRUESIZE, skbLinearize, skbTruesize } from './skb';

function data(n: number): Packet {
  return { src: 1, dst: 2, proto: 6, ttl: 64, tos: 0, len: 52 + n, ipid: 1, df: true, mark: 0, payload: 'x'.repeat(n) };
}

describe('skb_linearize of a TCP data skb (ftp helper, case r13)', () => {
  it('a received skb counts the kmalloc bucket of its new head', () => {
    // 2125 bytes: SKB_DATA_ALIGN(256 + 2125 + 128) = 2560, + 320 shared info → kmalloc-4k
    const p = data(2125);
    expect(skbTruesize(p)).toBe(2125 + TCP_SKB_HEAD_TRUESIZE);
    skbLinearize(p, false);
    expect(p.linear).toBe(true);
    expect(skbTruesize(p)).toBe(2125 + 832 + 4096 - 576);
    // 100 bytes: 512 + 320 → kmalloc-1k; 7000 bytes: 7424 + 320 → kmalloc-8k
    const small = data(100);
    skbLinearize(small, false);
    expect(skbTruesize(small)).toBe(100 + 832 + 1024 - 576);
    const big = data(7000);
    skbLinearize(big, false);
    expect(skbTruesize(big)).toBe(7000 + 832 + 8192 - 576);
  });

  it('happens once: a linear skb stays as it is', () => {
    const p = data(2125);
    skbLinearize(p, false);
    const once = skbTruesize(p);
    skbLinearize(p, false);
    expect(skbTruesize(p)).toBe(once);
  });

  it("the sender's own skb becomes linear without a new truesize; an skb without payload is already linear", () => {
    const own = data(2125);
    skbLinearize(own, true);
    expect(own.linear).toBe(true);
    expect(skbTruesize(own)).toBe(2125 + TCP_SKB_HEAD_TRUESIZE);
    skbLinearize(own, false);
    expect(skbTruesize(own)).toBe(2125 + TCP_SKB_HEAD_TRUESIZE);
    const ack = data(0);
    skbLinearize(ack, false);
    expect(ack.linear).toBeUndefined();
    expect(skbTruesize(ack)).toBe(TCP_SKB_HEAD_TRUESIZE);
  });
});
