// pattern: Imperative Shell
// Path MTU: the forwarding test that sends ICMP 3/4 and the route exceptions
// sockets learn from it (fixtures p29, p81, p82, p86).

import { describe, expect, it } from 'vitest';
import { IPPROTO_TCP, IPPROTO_UDP, type Packet } from '../net/packet';
import { forwardMtuCheck, ipSegmentLength, learnPmtu, pathMtu, vethAccepts, type PmtuCache } from './pmtu';

function tcpPacket(dataLen: number, gsoSize?: number, df = true): Packet {
  const p: Packet = {
    src: 1,
    dst: 2,
    proto: IPPROTO_TCP,
    ttl: 64,
    tos: 0,
    len: 52 + dataLen,
    ipid: 1,
    df,
    mark: 0,
    sport: 40001,
    dport: 22,
    tcp: { seq: 1, ack: 1, flags: 0x18, window: 63, urgp: 0, options: '0101080A0000000000000000' },
    payload: 'x'.repeat(dataLen),
  };
  if (gsoSize) p.gsoSize = gsoSize;
  return p;
}

describe('ip_exceeds_mtu', () => {
  it('a 1452-byte DF segment does not fit a 1400-byte link: frag-needed', () => {
    expect(forwardMtuCheck(tcpPacket(1400), 1400)).toBe('frag-needed');
    expect(forwardMtuCheck(tcpPacket(1348), 1400)).toBe('fits');
  });
  it('a GSO packet counts by its segments: 3000 bytes of 1348-byte segments cross, of 1448 they do not', () => {
    expect(ipSegmentLength(tcpPacket(3000, 1348))).toBe(1400);
    expect(forwardMtuCheck(tcpPacket(3000, 1348), 1400)).toBe('fits');
    expect(forwardMtuCheck(tcpPacket(3000, 1448), 1400)).toBe('frag-needed');
    expect(forwardMtuCheck(tcpPacket(3000, 1448), 1500)).toBe('fits');
  });
  it('without DF the router would fragment', () => {
    expect(forwardMtuCheck(tcpPacket(1400, 0, false), 1280)).toBe('fragment');
    const udp: Packet = { ...tcpPacket(0), proto: IPPROTO_UDP, len: 1428, payload: 'u'.repeat(1400) };
    delete udp.tcp;
    expect(forwardMtuCheck(udp, 1280)).toBe('frag-needed');
  });
});

describe('route exceptions (__ip_rt_update_pmtu)', () => {
  it('lower the MTU towards one destination only', () => {
    const cache: PmtuCache = new Map();
    expect(learnPmtu(cache, 20, 1400, 1500)).toBe(1400);
    expect(pathMtu(cache, 20, 1500)).toBe(1400);
    expect(pathMtu(cache, 21, 1500)).toBe(1500);
  });
  it('never raise it, and a link MTU below the exception still wins', () => {
    const cache: PmtuCache = new Map();
    learnPmtu(cache, 20, 1400, 1500);
    expect(learnPmtu(cache, 20, 1450, 1500)).toBeNull();
    expect(learnPmtu(cache, 20, 1500, 1500)).toBeNull();
    expect(pathMtu(cache, 20, 1300)).toBe(1300);
  });
});

describe('a veth receiving from its peer (is_skb_forwardable, p84)', () => {
  it('takes IP packets up to its MTU plus 4 bytes and drops bigger ones', () => {
    const udp = (len: number): Packet => ({ ...tcpPacket(0), proto: IPPROTO_UDP, len, payload: 'u'.repeat(len - 28) });
    expect(vethAccepts(udp(1404), 1400)).toBe(true);
    expect(vethAccepts(udp(1405), 1400)).toBe(false);
    expect(vethAccepts(udp(1500), 1400)).toBe(false);
  });
  it('always takes GSO packets, whatever their segments', () => {
    expect(vethAccepts(tcpPacket(3000, 1448), 1400)).toBe(true);
    expect(vethAccepts(tcpPacket(1400), 1400)).toBe(false);
  });
});
