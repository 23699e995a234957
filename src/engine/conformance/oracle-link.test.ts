// pattern: Functional Core
// The oracle's link from a received packet to its sender's (analysis.py
// fingerprint): NAT-able fields may differ, content may not (case p72).

import { describe, expect, it } from 'vitest';
import type { Packet } from '../net/packet';
import { clonePacket, IPPROTO_TCP, TCP_ACK, TCP_PSH } from '../net/packet';
import type { PacketRecord, RecordedEvent } from '../sim/record';
import { oracleFingerprint, oracleSource } from './oracle-link';

const seg: Packet = {
  src: 0xc0a8070a,
  dst: 0xcb007114,
  proto: IPPROTO_TCP,
  ttl: 64,
  tos: 0,
  len: 78,
  ipid: 7,
  df: true,
  mark: 0,
  sport: 40001,
  dport: 21,
  tcp: { seq: 525, ack: 1, flags: TCP_ACK | TCP_PSH, window: 64, urgp: 0, options: '0101080A0000000000000000' },
  payload: 'PORT 192,168,7,10,156,64\r\n',
};

function rec(p: Packet, from: PacketRecord | null = null): PacketRecord {
  return { events: [{ packet: p } as RecordedEvent], fromPacket: from } as PacketRecord;
}

describe('oracle packet links', () => {
  it('ignore what NAT and routing change: addresses, ports, TTL', () => {
    const wire = clonePacket(seg);
    Object.assign(wire, { src: 0xcb007101, sport: 40099, ttl: 63 });
    expect(oracleFingerprint(wire)).toBe(oracleFingerprint(seg));
    const sent = rec(seg);
    expect(oracleSource(rec(wire, sent))).toBe(sent);
  });

  it('do not survive a payload or sequence number a helper changed after the last TRACE line', () => {
    const sent = rec(seg);
    const mangled = clonePacket(seg);
    mangled.payload = 'PORT 203,0,113,1,156,64\r\n';
    mangled.len = 77;
    expect(oracleSource(rec(mangled, sent))).toBeNull();
    const shifted = clonePacket(seg);
    shifted.tcp!.seq = 524;
    expect(oracleSource(rec(shifted, sent))).toBeNull();
  });
});
