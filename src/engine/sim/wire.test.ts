// pattern: Imperative Shell
// wire.ts against the packets Linux 6.18 generated in the oracle cases. Each
// expectation quotes the kernel's TRACE line it comes from; the sweep at the
// end checks every SYN, SYN-ACK and reset of all 53 cases.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../net/addr';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, TCP_ACK, TCP_RST, TCP_SYN, type Packet } from '../net/packet';
import { parseTraceLine } from '../output/parse-trace-line';
import {
  acceptSynAck,
  connectSyn,
  createIpIdAllocator,
  echoReplyPacket,
  establishedSegment,
  icmpErrorPacket,
  ipIdFor,
  parseTcpOptions,
  resetReply,
  synAck,
  tcpAdvMss,
  tcpRcvWscale,
  udpIpLength,
  udpLength,
  wireEstablished,
  type TcpSegment,
  type TcpWireState,
} from './wire';

/** The packet of one kernel TRACE line. */
function kernel(line: string): Packet {
  const parsed = parseTraceLine(line);
  if (!parsed) throw new Error(`unparsable fixture line: ${line}`);
  return parsed.packet;
}

function expectSegment(seg: TcpSegment, line: string): void {
  const k = kernel(line);
  expect({ ...seg.tcp, len: seg.len }).toEqual({ ...k.tcp!, len: k.len });
}

const ip = (s: string): number => parseIpv4(s)!;

/**
 * Both ends of a fresh connection over a route of `mtu` bytes, established
 * as the socket model does it: the client on the SYN-ACK, the listener's
 * child on the third ACK (its MSS towards the client: 1448).
 */
function handshake(mtu: number): { syn: TcpSegment; synAck: TcpSegment; client: TcpWireState; server: TcpWireState } {
  const c = connectSyn(mtu);
  const sv = synAck(mtu, c.segment.tcp.options);
  const client = acceptSynAck(c.state, sv.segment.tcp.options);
  wireEstablished(sv.state, 1, Math.min(mtu, 65535) - 52);
  return { syn: c.segment, synAck: sv.segment, client, server: sv.state };
}

describe('TCP handshake on veth (MTU 1500)', () => {
  // case 01, packets 1, 3, 5, 6
  const SYN =
    'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=10.0.0.2 DST=10.0.0.1 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=1 DF PROTO=TCP SPT=40001 DPT=22 SEQ=0 ACK=0 WINDOW=64240 RES=0x00 SYN URGP=0 OPT (020405B40402080A00000000000000000103030A) UID=0 GID=0';
  const SYN_ACK =
    'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=10.0.0.1 DST=10.0.0.2 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=0 DF PROTO=TCP SPT=22 DPT=40001 SEQ=0 ACK=1 WINDOW=65160 RES=0x00 ACK SYN URGP=0 OPT (020405B40402080A00000000000000000103030A)';
  const ACK =
    'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=10.0.0.2 DST=10.0.0.1 LEN=52 TOS=0x00 PREC=0x00 TTL=64 ID=2 DF PROTO=TCP SPT=40001 DPT=22 SEQ=1 ACK=1 WINDOW=63 RES=0x00 ACK URGP=0 OPT (0101080A0000000000000000) UID=0 GID=0';
  const RST =
    'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=10.0.0.2 DST=10.0.0.1 LEN=52 TOS=0x00 PREC=0x00 TTL=64 ID=3 DF PROTO=TCP SPT=40001 DPT=22 SEQ=1 ACK=1 WINDOW=63 RES=0x00 ACK RST URGP=0 OPT (0101080A0000000000000000) UID=0 GID=0';

  it('advertises MSS 1460 and window scale 10 (tcp_rmem[2] = 32 MiB)', () => {
    expect(tcpAdvMss(1500)).toBe(1460);
    expect(tcpRcvWscale()).toBe(10);
    expect(tcpRcvWscale(6 * 1024 * 1024)).toBe(7);
  });
  it('connect() sends SYN WINDOW=64240 with MSS, SACK, timestamps, wscale', () => expectSegment(handshake(1500).syn, SYN));
  it('the listener answers SYN,ACK WINDOW=65160 (45 × 1448) and ID 0', () => {
    expectSegment(handshake(1500).synAck, SYN_ACK);
    expect(ipIdFor('syn-ack', createIpIdAllocator())).toBe(kernel(SYN_ACK).ipid);
  });
  it('the third packet is a bare ACK, WINDOW=63: rcv_ssthresh 64088 rounded up to 63·1024', () =>
    expectSegment(establishedSegment(handshake(1500).client, 'ack', 1, 1), ACK));
  it('close() with SO_LINGER 0 sends RST,ACK with the same window and timestamps', () => {
    const { client } = handshake(1500);
    establishedSegment(client, 'ack', 1, 1);
    expectSegment(establishedSegment(client, 'rst', 1, 1), RST);
  });
  it('the accepted socket says 64: the rest of the 65160 it offered in its SYN-ACK, rounded up', () => {
    // case 03 packet 9: the server's ACK of 12 bytes
    expectSegment(
      establishedSegment(handshake(1500).server, 'ack', 1, 13),
      'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=10.0.0.1 DST=10.0.0.2 LEN=52 TOS=0x00 PREC=0x00 TTL=64 ID=4 DF PROTO=TCP SPT=22 DPT=40001 SEQ=1 ACK=13 WINDOW=64 RES=0x00 ACK URGP=0 OPT (0101080A0000000000000000) UID=0 GID=0',
    );
  });
  it('data goes out as PSH,ACK with LEN = 52 + data (case 03 packets 6 and 10)', () => {
    const { client, server } = handshake(1500);
    establishedSegment(client, 'ack', 1, 1);
    expectSegment(
      establishedSegment(client, 'data', 1, 1, 12),
      'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=10.0.0.2 DST=10.0.0.1 LEN=64 TOS=0x00 PREC=0x00 TTL=64 ID=3 DF PROTO=TCP SPT=40001 DPT=22 SEQ=1 ACK=1 WINDOW=63 RES=0x00 ACK PSH URGP=0 OPT (0101080A0000000000000000) UID=0 GID=0',
    );
    expect(establishedSegment(server, 'data', 1, 13, 12).dataLen).toBe(12);
  });
  it('a FIN close: FIN,ACK from both ends and a last ACK (case 52 packets 20, 25, 28)', () => {
    const { client, server } = handshake(1500);
    expectSegment(
      establishedSegment(client, 'fin', 6, 6),
      'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=192.168.1.10 DST=198.51.100.20 LEN=52 TOS=0x00 PREC=0x00 TTL=64 ID=7 DF PROTO=TCP SPT=40001 DPT=80 SEQ=6 ACK=6 WINDOW=63 RES=0x00 ACK FIN URGP=0 OPT (0101080A0000000000000000) UID=0 GID=0',
    );
    expectSegment(
      establishedSegment(server, 'fin', 6, 7),
      'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=198.51.100.20 DST=192.168.1.10 LEN=52 TOS=0x00 PREC=0x00 TTL=64 ID=8 DF PROTO=TCP SPT=80 DPT=40001 SEQ=6 ACK=7 WINDOW=64 RES=0x00 ACK FIN URGP=0 OPT (0101080A0000000000000000) UID=0 GID=0',
    );
    expect(establishedSegment(client, 'ack', 7, 7).tcp).toMatchObject({ seq: 7, ack: 7, flags: TCP_ACK, window: 63 });
  });
});

describe('TCP on lo (MTU 65536)', () => {
  // case 14, packets 5, 7, 9
  const client = connectSyn(65536);
  const server = synAck(65536, client.segment.tcp.options);
  it('SYN: MSS 65495, WINDOW=65495', () =>
    expectSegment(
      client.segment,
      'TRACE: raw:OUTPUT:policy:1 IN= OUT=lo SRC=127.0.0.1 DST=127.0.0.1 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=3 DF PROTO=TCP SPT=40002 DPT=8080 SEQ=0 ACK=0 WINDOW=65495 RES=0x00 SYN URGP=0 OPT (0204FFD70402080A00000000000000000103030A) UID=0 GID=0',
    ));
  it('SYN,ACK: WINDOW=65483 (65495 − 12 for timestamps)', () =>
    expectSegment(
      server.segment,
      'TRACE: raw:OUTPUT:policy:1 IN= OUT=lo SRC=127.0.0.1 DST=127.0.0.1 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=0 DF PROTO=TCP SPT=8080 DPT=40002 SEQ=0 ACK=1 WINDOW=65483 RES=0x00 ACK SYN URGP=0 OPT (0204FFD70402080A00000000000000000103030A)',
    ));
  it('both ends scale to 64 afterwards: on lo no segment is reserved (advmss 65483 > half the space)', () => {
    const lo = handshake(65536);
    expect(lo.client.rcv.windowClamp).toBe(65536);
    expect(establishedSegment(lo.client, 'ack', 1, 1).tcp.window).toBe(64);
    expect(establishedSegment(lo.server, 'ack', 1, 6).tcp.window).toBe(64);
  });
  it('a SYN redirected to lo keeps the MSS and window of its original route (case 15 packets 1, 3)', () => {
    const syn = connectSyn(1500); // route at connect() time: eth0
    expect(syn.segment.tcp.window).toBe(64240);
    expect(synAck(65536, syn.segment.tcp.options).segment.tcp).toMatchObject({ window: 65483, options: '0204FFD70402080A00000000000000000103030A' });
  });
});

describe('SYN-ACK to a SYN without options (case 46 packet 11)', () => {
  it('answers with the MSS option only, window rounded to 1460, LEN=44', () =>
    expectSegment(
      synAck(1500, '').segment,
      'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=10.0.0.1 DST=10.0.0.66 LEN=44 TOS=0x00 PREC=0x00 TTL=64 ID=0 DF PROTO=TCP SPT=80 DPT=40004 SEQ=0 ACK=1 WINDOW=64240 RES=0x00 ACK SYN URGP=0 OPT (020405B4)',
    ));
  it('its later segments carry an unscaled window and no timestamps', () => {
    const s = synAck(1500, '').state;
    wireEstablished(s, 1, 536);
    expect(establishedSegment(s, 'ack', 1, 1)).toMatchObject({ len: 40, tcp: { window: 64240, options: '' } });
  });
});

describe('resets for segments nobody takes', () => {
  it('closed port: ACK,RST SEQ=0 ACK=seq+1 WINDOW=0 LEN=40 ID=0 (case 01 packet 13)', () => {
    const syn = kernel(
      'TRACE: raw:PREROUTING:policy:1 IN=eth0 OUT= MAC=02:00:00:00:01:01:02:00:00:00:02:01:08:00 SRC=10.0.0.2 DST=10.0.0.1 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=5 DF PROTO=TCP SPT=40003 DPT=80 SEQ=0 ACK=0 WINDOW=64240 RES=0x00 SYN URGP=0 OPT (020405B40402080A00000000000000000103030A)',
    );
    const line =
      'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=10.0.0.1 DST=10.0.0.2 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=0 DF PROTO=TCP SPT=80 DPT=40003 SEQ=0 ACK=1 WINDOW=0 RES=0x00 ACK RST URGP=0';
    expectSegment(resetReply(syn.tcp!, 0), line);
    expect(ipIdFor('tcp-reset', createIpIdAllocator())).toBe(0);
  });
  it('a segment with ACK: RST only, SEQ = its ACK (case 46 packet 7: a stray SYN,ACK)', () => {
    const synack = kernel(
      'TRACE: raw:PREROUTING:policy:1 IN=eth0 OUT= MAC=02:00:00:00:02:01:02:00:00:00:01:01:08:00 SRC=10.0.0.66 DST=10.0.0.1 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=3 DF PROTO=TCP SPT=40003 DPT=80 SEQ=0 ACK=100 WINDOW=8192 RES=0x00 ACK SYN URGP=0',
    );
    expect(resetReply(synack.tcp!, 0)).toEqual({ tcp: { seq: 100, ack: 0, flags: TCP_RST, window: 0, urgp: 0, options: '' }, dataLen: 0, len: 40 });
  });
  it('counts data and FIN in the ACK of a reset', () => {
    expect(resetReply({ seq: 10, ack: 0, flags: 0x01, window: 1, urgp: 0, options: '' }, 5).tcp.ack).toBe(16);
  });
});

describe('IP ids', () => {
  it('fresh ids for socket, ICMP and unconnected UDP packets; 0 for SYN-ACK and resets; the given id for raw', () => {
    const ids = createIpIdAllocator();
    expect([ipIdFor('socket', ids), ipIdFor('icmp', ids), ipIdFor('udp-unconnected', ids)]).toEqual([1, 2, 3]);
    expect([ipIdFor('syn-ack', ids), ipIdFor('tcp-reset', ids), ipIdFor('raw', ids, 1007)]).toEqual([0, 0, 1007]);
    expect(ipIdFor('socket', ids)).toBe(4);
  });
});

const UDP_SENT =
  'TRACE: raw:PREROUTING:policy:1 IN=eth0 OUT= MAC=02:00:00:00:02:01:02:00:00:00:01:01:08:00 SRC=10.0.0.2 DST=10.0.0.1 LEN=33 TOS=0x00 PREC=0x00 TTL=64 ID=2 DF PROTO=UDP SPT=40002 DPT=53 LEN=13';

describe('ICMP', () => {
  it('port unreachable quotes the whole 33-byte datagram: LEN=61, PREC=0xC0, no DF (case 02 packet 7)', () => {
    const k = kernel(
      'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=10.0.0.1 DST=10.0.0.2 LEN=61 TOS=0x00 PREC=0xC0 TTL=64 ID=3 PROTO=ICMP TYPE=3 CODE=3 [SRC=10.0.0.2 DST=10.0.0.1 LEN=33 TOS=0x00 PREC=0x00 TTL=64 ID=2 DF PROTO=UDP SPT=40002 DPT=53 LEN=13 ]',
    );
    const ours = icmpErrorPacket(kernel(UDP_SENT), 3, 3, ip('10.0.0.1'), { ipid: 3 });
    expect(ours).toEqual(k);
  });
  it('a quoted SYN keeps its options: LEN=88 (case 02 packet 11)', () => {
    const syn = kernel(
      'TRACE: raw:PREROUTING:policy:1 IN=eth0 OUT= MAC=02:00:00:00:02:01:02:00:00:00:01:01:08:00 SRC=10.0.0.2 DST=10.0.0.1 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=4 DF PROTO=TCP SPT=40003 DPT=82 SEQ=0 ACK=0 WINDOW=64240 RES=0x00 SYN URGP=0 OPT (020405B40402080A00000000000000000103030A)',
    );
    expect(icmpErrorPacket(syn, 3, 10, ip('10.0.0.1'), { ipid: 5 }).len).toBe(88);
  });
  it('time exceeded quotes the packet with TTL 1 (case 31 packet 3)', () => {
    const k = kernel(
      'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=192.168.1.1 DST=192.168.1.10 LEN=112 TOS=0x00 PREC=0xC0 TTL=64 ID=2 PROTO=ICMP TYPE=11 CODE=0 [SRC=192.168.1.10 DST=198.51.100.20 LEN=84 TOS=0x00 PREC=0x00 TTL=1 ID=1 DF PROTO=ICMP TYPE=8 CODE=0 ID=1001 SEQ=1 ]',
    );
    expect(icmpErrorPacket(k.icmp!.inner!, 11, 0, ip('192.168.1.1'), { ipid: 2 })).toEqual(k);
  });
  it('a redirect carries the gateway and quotes the decremented TTL (case 51 packet 3)', () => {
    const k = kernel(
      'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=192.168.5.1 DST=192.168.5.50 LEN=112 TOS=0x00 PREC=0xC0 TTL=64 ID=2 PROTO=ICMP TYPE=5 CODE=1 GATEWAY=192.168.5.2 [SRC=192.168.5.50 DST=10.50.0.1 LEN=84 TOS=0x00 PREC=0x00 TTL=63 ID=1 DF PROTO=ICMP TYPE=8 CODE=0 ID=1001 SEQ=1 ]',
    );
    const forwarded = { ...k.icmp!.inner! }; // as ip_forward holds it: TTL already 63
    expect(icmpErrorPacket(forwarded, 5, 1, ip('192.168.5.1'), { ipid: 2, gateway: ip('192.168.5.2') })).toEqual(k);
  });
  it('quotes at most 548 bytes, keeps TOS bits, sets the MTU of frag-needed', () => {
    const big: Packet = { ...kernel(UDP_SENT), len: 1500, tos: 0x10 };
    const err = icmpErrorPacket(big, 3, 4, ip('10.0.0.1'), { ipid: 9, mtu: 1400 });
    expect(err).toMatchObject({ len: 576, tos: 0xd0, df: false, ttl: 64, proto: IPPROTO_ICMP, icmp: { seq: 1400 } });
  });
  it('an echo reply mirrors the request, no DF (case 04 packets 1 and 3)', () => {
    const req = kernel(
      'TRACE: raw:PREROUTING:policy:1 IN=eth0 OUT= MAC=02:00:00:00:01:01:02:00:00:00:02:01:08:00 SRC=10.0.0.2 DST=10.0.0.1 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=1 DF PROTO=ICMP TYPE=8 CODE=0 ID=1001 SEQ=1',
    );
    const k = kernel(
      'TRACE: raw:OUTPUT:policy:1 IN= OUT=eth0 SRC=10.0.0.1 DST=10.0.0.2 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=2 PROTO=ICMP TYPE=0 CODE=0 ID=1001 SEQ=1',
    );
    expect(echoReplyPacket(req, 2)).toEqual(k);
  });
});

describe('UDP', () => {
  it('LEN=13 in the UDP header and 33 in IP for "hello" (case 02 packet 5); an empty datagram is LEN=8 (case 38)', () => {
    const k = kernel(UDP_SENT);
    expect(k.proto).toBe(IPPROTO_UDP);
    expect(udpIpLength(5)).toBe(k.len);
    expect(udpLength(5)).toBe(13);
    expect(udpLength(0)).toBe(8);
  });
});

describe('every SYN, SYN-ACK and reset of the 53 cases', () => {
  const text = readFileSync(new URL('../output/__fixtures__/kernel-trace-lines.txt', import.meta.url), 'latin1');
  const tcp = text
    .split('\n')
    .filter((l) => l.startsWith('TRACE:') && l.includes(' PROTO=TCP ') && !l.includes('['))
    .map((l) => kernel(l));
  const withOptions = (p: Packet): boolean => p.tcp!.options !== '';
  it('found them', () => expect(tcp.length).toBeGreaterThan(1500));

  it('connect() SYNs match connectSyn() for the MTU their MSS implies', () => {
    const syns = tcp.filter((p) => p.tcp!.flags === TCP_SYN && withOptions(p));
    expect(syns.length).toBeGreaterThan(100);
    for (const p of syns) {
      const mss = parseTcpOptions(p.tcp!.options).mss!;
      const seg = connectSyn(mss === 65495 ? 65536 : mss + 40).segment;
      expect({ window: seg.tcp.window, options: seg.tcp.options, len: seg.len }).toEqual({ window: p.tcp!.window, options: p.tcp!.options, len: p.len });
    }
  });

  it('SYN-ACKs match synAck() and have IP id 0', () => {
    const synacks = tcp.filter((p) => p.tcp!.flags === (TCP_SYN | TCP_ACK) && withOptions(p));
    expect(synacks.length).toBeGreaterThan(50);
    for (const p of synacks) {
      const mss = parseTcpOptions(p.tcp!.options).mss!;
      // the SYN-ACK echoes exactly the options the SYN offered
      const seg = synAck(mss === 65495 ? 65536 : mss + 40, p.tcp!.options).segment;
      expect({ window: seg.tcp.window, options: seg.tcp.options, len: seg.len, ipid: 0 }).toEqual({ window: p.tcp!.window, options: p.tcp!.options, len: p.len, ipid: p.ipid });
    }
  });

  it('every WINDOW=0 reset is LEN=40, no options, ID 0, DF', () => {
    const resets = tcp.filter((p) => p.tcp!.flags & TCP_RST && p.tcp!.window === 0);
    expect(resets.length).toBeGreaterThan(20);
    for (const p of resets) expect({ len: p.len, options: p.tcp!.options, ipid: p.ipid, df: p.df }).toEqual({ len: 40, options: '', ipid: 0, df: true });
  });

  it('every segment after a timestamped handshake has WINDOW 63 or 64 and LEN = 52 + data', () => {
    const est = tcp.filter((p) => p.tcp!.options === '0101080A0000000000000000');
    expect(est.length).toBeGreaterThan(500);
    for (const p of est) {
      expect([63, 64]).toContain(p.tcp!.window);
      expect(p.len).toBeGreaterThanOrEqual(52);
      expect(p.ipid).not.toBe(0);
    }
  });

  it('no kernel-built TCP packet is IPPROTO_TCP without a header', () => {
    expect(tcp.every((p) => p.proto === IPPROTO_TCP && p.tcp !== undefined)).toBe(true);
  });
});
