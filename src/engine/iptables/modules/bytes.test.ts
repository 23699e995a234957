// pattern: Imperative Shell
// The bytes -m string and -m u32 read: an ICMP error carries its quote.

import { describe, expect, it } from 'vitest';
import type { Packet } from '../../net/packet';
import { parseIpv4 } from '../../net/addr';
import { packetBytes } from './bytes';
import { stringFound } from './string';

const udp: Packet = {
  src: parseIpv4('10.0.0.2')!, dst: parseIpv4('10.0.0.1')!, proto: 17, ttl: 64, tos: 0, len: 33, ipid: 7, df: true, mark: 0,
  sport: 40001, dport: 53, payload: 'hello',
};

/** A port unreachable quoting `p` in `quote` bytes, as icmp_send builds it. */
function icmpErrorPacket(p: Packet, type: number, code: number, src: number, _o: unknown, quote = Math.min(p.len, 548)): Packet {
  return { src, dst: p.src, proto: 1, ttl: 64, tos: 0xc0, len: 28 + quote, ipid: 1, df: false, mark: 0, icmp: { type, code, inner: p }, payload: '' };
}

describe('packetBytes', () => {
  it('lays out an ICMP error as its header followed by the quoted datagram with its payload', () => {
    const err = icmpErrorPacket(udp, 3, 3, udp.dst, { ipid: 1 });
    const b = packetBytes(err);
    expect(b.length).toBe(err.len);
    expect(b.length).toBe(20 + 8 + 33);
    // the quoted IP header starts after the ICMP header: version/IHL, then its protocol and ports
    expect(b[28]).toBe(0x45);
    expect(b[28 + 9]).toBe(17);
    expect((b[48]! << 8) | b[49]!).toBe(40001);
    expect(String.fromCharCode(...b.subarray(56))).toBe('hello');
  });
  it('lets -m string find a pattern in the quoted payload (case d2-0141: "ello" in a port unreachable)', () => {
    const err = icmpErrorPacket(udp, 3, 3, udp.dst, { ipid: 1 });
    const o = { pattern: 'ello', algo: 'bm' as const, from: 0, to: 65535, icase: false, invert: false, hex: false };
    expect(stringFound(o, packetBytes(err))).toBe(true);
    expect(stringFound(o, packetBytes({ ...err, icmp: { type: 3, code: 3 } }))).toBe(false);
  });
  it('cuts the quote where the error is cut (576 bytes at most)', () => {
    const big = { ...udp, len: 1028, payload: 'x'.repeat(1000) };
    const err = icmpErrorPacket(big, 3, 3, big.dst, { ipid: 1 });
    expect(packetBytes(err).length).toBe(576);
  });
});
