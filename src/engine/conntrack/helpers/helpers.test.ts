// pattern: Functional Core
// Conntrack helpers seen from a router's conntrack table: the tftp and ftp
// helpers announce expectations, the expected connection is RELATED, and
// NAT of the master is carried over (nf_nat_follow_master) and into the FTP
// payload (nf_nat_ftp, with the sequence shift a length change leaves).
// Kernel cases: p70, p71 (tftp); p72-p74 (ftp).

import { describe, expect, it } from 'vitest';
import { formatIpv4, parseIpv4 } from '../../net/addr';
import type { Packet } from '../../net/packet';
import { clonePacket, IPPROTO_TCP, IPPROTO_UDP, TCP_ACK, TCP_PSH, TCP_SYN } from '../../net/packet';
import { ConntrackTable } from '../table';
import type { CtRef, NatRange } from '../types';

const ip = (s: string): number => parseIpv4(s)!;

function udp(src: string, sport: number, dst: string, dport: number, data: string): Packet {
  return { src: ip(src), dst: ip(dst), proto: IPPROTO_UDP, ttl: 64, tos: 0, len: 28 + data.length, ipid: 0, df: true, mark: 0, sport, dport, payload: data };
}

function tcp(src: string, sport: number, dst: string, dport: number, flags: number, seq: number, ack: number, data = ''): Packet {
  const syn = (flags & TCP_SYN) !== 0;
  return {
    src: ip(src),
    dst: ip(dst),
    proto: IPPROTO_TCP,
    ttl: 64,
    tos: 0,
    len: (syn ? 60 : 52) + data.length,
    ipid: 0,
    df: true,
    mark: 0,
    sport,
    dport,
    tcp: { seq, ack, flags, window: syn ? 64240 : 63, urgp: 0, options: syn ? '020405B40402080A00000000000000000103030A' : '0101080A0000000000000000' },
    payload: data,
  };
}

interface Hop {
  ref: CtRef;
  /** the packet as it leaves the router */
  out: Packet;
  /** the nat chains it traversed */
  natChains: string[];
  accepted: boolean;
}

/** PREROUTING -> POSTROUTING through a router, `nat` playing the nat chains, `helper` the raw table's CT --helper. */
function forward(ct: ConntrackTable, p: Packet, nowMs: number, opts: { helper?: string; snat?: NatRange; dnat?: NatRange } = {}): Hop {
  const out = clonePacket(p);
  const ref = ct.in(out, { hook: 'PREROUTING', nowMs, ...(opts.helper ? { helper: opts.helper } : {}) });
  const natChains: string[] = [];
  if (ct.needsNatLookup(ref, 'DST')) {
    natChains.push('PREROUTING');
    if (opts.dnat) ct.setupNat(ref, 'DST', opts.dnat);
    else ct.setupNullBinding(ref, 'DST');
  }
  ct.applyNat(out, ref, 'PREROUTING');
  if (ct.needsNatLookup(ref, 'SRC')) {
    natChains.push('POSTROUTING');
    if (opts.snat) ct.setupNat(ref, 'SRC', opts.snat);
    else ct.setupNullBinding(ref, 'SRC');
  }
  ct.applyNat(out, ref, 'POSTROUTING');
  const accepted = ct.confirmPacket(out, ref, nowMs);
  return { ref, out, natChains, accepted };
}

const RRQ = '\u0000\u0001boot.img\u0000octet\u0000';
const DATA1 = '\u0000\u0003\u0000\u0001BOOT';
const PUBLIC: NatRange = { minAddr: ip('192.0.2.1'), maxAddr: ip('192.0.2.1') };

describe('tftp helper (nf_conntrack_tftp.c, nf_nat_tftp.c)', () => {
  it('a read request makes the server answer from any port RELATED, and conntrack -L shows helper=tftp', () => {
    const ct = new ConntrackTable();
    forward(ct, udp('10.20.0.50', 2001, '192.0.2.69', 69, RRQ), 0, { helper: 'tftp' });
    expect(ct.list()[0]!.reply.helper).toBe('tftp');
    expect(ct.expectations().map((e) => `${formatIpv4(e.tuple.src)}:* -> ${formatIpv4(e.tuple.dst)}:${e.tuple.dport}`)).toEqual(['192.0.2.69:* -> 10.20.0.50:2001']);

    const answer = forward(ct, udp('192.0.2.69', 51000, '10.20.0.50', 2001, DATA1), 1000);
    expect(answer.ref.ctinfo).toBe('RELATED');
    expect(ct.view(answer.ref)?.state).toBe('RELATED');
    expect(ct.view(answer.ref)?.masterHelper).toBe('tftp');
    // no NAT on the master, none on the expectation: the nat chains see the new connection
    expect(answer.natChains).toEqual(['PREROUTING', 'POSTROUTING']);
    expect(ct.expectations()).toHaveLength(0);
  });

  it('the expectation is used once: another port afterwards is a NEW connection', () => {
    const ct = new ConntrackTable();
    forward(ct, udp('10.20.0.50', 2001, '192.0.2.69', 69, RRQ), 0, { helper: 'tftp' });
    forward(ct, udp('192.0.2.69', 51000, '10.20.0.50', 2001, DATA1), 1000);
    const late = forward(ct, udp('192.0.2.69', 51001, '10.20.0.50', 2001, DATA1), 2000);
    expect(late.ref.ctinfo).toBe('NEW');
    expect(ct.view(late.ref)?.masterHelper).toBeNull();
  });

  it('through SNAT the answer to the public address is NATed back to the client, without the nat chains', () => {
    const ct = new ConntrackTable();
    const rrq = forward(ct, udp('10.20.0.50', 2001, '192.0.2.69', 69, RRQ), 0, { helper: 'tftp', snat: PUBLIC });
    expect(formatIpv4(rrq.out.src)).toBe('192.0.2.1');
    const answer = forward(ct, udp('192.0.2.69', 51000, '192.0.2.1', 2001, DATA1), 1000);
    expect(answer.ref.ctinfo).toBe('RELATED');
    expect(answer.natChains).toEqual([]);
    expect(`${formatIpv4(answer.out.dst)}:${answer.out.dport}`).toBe('10.20.0.50:2001');
    expect(ct.list().find((e) => e.orig.src === '192.0.2.69')?.reply).toEqual({ src: '10.20.0.50', dst: '192.0.2.69', sport: 2001, dport: 51000 });
  });

  it('only read and write requests are followed; without CT --helper nothing is', () => {
    const ct = new ConntrackTable();
    forward(ct, udp('10.20.0.50', 2001, '192.0.2.69', 69, '\u0000\u0004\u0000\u0001'), 0, { helper: 'tftp' });
    forward(ct, udp('10.20.0.50', 2002, '192.0.2.69', 69, RRQ), 0);
    expect(ct.expectations()).toHaveLength(0);
    expect(ct.list().map((e) => e.reply.helper ?? null)).toEqual(['tftp', null]);
  });
});

/** An FTP control connection from client:cport to server:21 through the router, ISNs 0. */
function control(ct: ConntrackTable, client: string, cport: number, server: string, opts: { snat?: NatRange; dnat?: NatRange; to?: string } = {}): void {
  const to = opts.to ?? server;
  forward(ct, tcp(client, cport, to, 21, TCP_SYN, 0, 0), 0, { helper: 'ftp', ...opts });
  const reply = ct.list()[0]!.reply;
  forward(ct, tcp(reply.src, 21, reply.dst, (reply as { dport: number }).dport, TCP_SYN | TCP_ACK, 0, 1), 1);
  forward(ct, tcp(client, cport, to, 21, TCP_ACK, 1, 1), 2);
}

describe('ftp helper (nf_conntrack_ftp.c)', () => {
  it('does not read the first segment of a direction, only a segment that starts a new line', () => {
    const ct = new ConntrackTable();
    control(ct, '192.168.7.10', 40001, '203.0.113.20');
    forward(ct, tcp('192.168.7.10', 40001, '203.0.113.20', 21, TCP_ACK | TCP_PSH, 1, 1, 'PORT 192,168,7,10,156,64\r\n'), 3);
    expect(ct.expectations()).toHaveLength(0);
    forward(ct, tcp('192.168.7.10', 40001, '203.0.113.20', 21, TCP_ACK | TCP_PSH, 27, 1, 'PORT 192,168,7,10,156,65\r\n'), 4);
    expect(ct.expectations().map((e) => `${formatIpv4(e.tuple.src)} -> ${formatIpv4(e.tuple.dst)}:${e.tuple.dport}`)).toEqual(['203.0.113.20 -> 192.168.7.10:40001']);
  });

  it('an active-mode data connection from the server is RELATED', () => {
    const ct = new ConntrackTable();
    control(ct, '192.168.7.10', 40001, '203.0.113.20');
    forward(ct, tcp('192.168.7.10', 40001, '203.0.113.20', 21, TCP_ACK, 1, 1, 'NOOP\r\n'), 3);
    forward(ct, tcp('192.168.7.10', 40001, '203.0.113.20', 21, TCP_ACK | TCP_PSH, 7, 1, 'PORT 192,168,7,10,156,64\r\n'), 4);
    const data = forward(ct, tcp('203.0.113.20', 20, '192.168.7.10', 40000, TCP_SYN, 0, 0), 1000);
    expect(data.ref.ctinfo).toBe('RELATED');
    expect(ct.view(data.ref)?.masterHelper).toBe('ftp');
  });

  it('a 227 reply (passive mode) makes the client connection to the named port RELATED', () => {
    const ct = new ConntrackTable();
    control(ct, '198.51.100.10', 40001, '203.0.113.20');
    forward(ct, tcp('203.0.113.20', 21, '198.51.100.10', 40001, TCP_ACK, 1, 1, '220 ready\r\n'), 3);
    forward(ct, tcp('203.0.113.20', 21, '198.51.100.10', 40001, TCP_ACK | TCP_PSH, 12, 1, '227 Entering Passive Mode (203,0,113,20,195,80)\r\n'), 4);
    const data = forward(ct, tcp('198.51.100.10', 40002, '203.0.113.20', 50000, TCP_SYN, 0, 0), 1000);
    expect(data.ref.ctinfo).toBe('RELATED');
  });

  it('reads EPRT and the 229 reply too', () => {
    const ct = new ConntrackTable();
    control(ct, '192.168.7.10', 40001, '203.0.113.20');
    forward(ct, tcp('192.168.7.10', 40001, '203.0.113.20', 21, TCP_ACK, 1, 1, 'NOOP\r\n'), 3);
    forward(ct, tcp('192.168.7.10', 40001, '203.0.113.20', 21, TCP_ACK | TCP_PSH, 7, 1, 'EPRT |1|192.168.7.10|40007|\r\n'), 4);
    expect(ct.expectations().map((e) => e.tuple.dport)).toEqual([40007]);
    forward(ct, tcp('203.0.113.20', 21, '192.168.7.10', 40001, TCP_ACK, 1, 36, 'OK\r\n'), 5);
    forward(ct, tcp('203.0.113.20', 21, '192.168.7.10', 40001, TCP_ACK | TCP_PSH, 5, 36, '229 Entering Extended Passive Mode (|||50001|)\r\n'), 6);
    // max_expected is 1: the newer expectation replaced the EPRT one
    expect(ct.expectations().map((e) => `${formatIpv4(e.tuple.dst)}:${e.tuple.dport}`)).toEqual(['203.0.113.20:50001']);
  });

  it('a PORT naming another host is not followed; a command cut short is dropped', () => {
    const ct = new ConntrackTable();
    control(ct, '192.168.7.10', 40001, '203.0.113.20');
    forward(ct, tcp('192.168.7.10', 40001, '203.0.113.20', 21, TCP_ACK, 1, 1, 'NOOP\r\n'), 3);
    const other = forward(ct, tcp('192.168.7.10', 40001, '203.0.113.20', 21, TCP_ACK | TCP_PSH, 7, 1, 'PORT 10,0,0,99,156,64\r\n'), 4);
    expect(other.accepted).toBe(true);
    expect(ct.expectations()).toHaveLength(0);
    const cut = forward(ct, tcp('192.168.7.10', 40001, '203.0.113.20', 21, TCP_ACK | TCP_PSH, 30, 1, 'PORT 192,168'), 5);
    expect(cut.accepted).toBe(false);
    expect(ct.lastConfirmDrop).toContain("partial matching of `PORT'");
  });
});

describe('nf_nat_ftp and the sequence shift (nf_nat_helper.c, nf_conntrack_seqadj.c)', () => {
  it('behind SNAT the PORT command names the public address; the payload and every later sequence number move', () => {
    const ct = new ConntrackTable();
    control(ct, '192.168.7.10', 40001, '203.0.113.20', { snat: PUBLIC });
    forward(ct, tcp('192.168.7.10', 40001, '203.0.113.20', 21, TCP_ACK, 1, 1, 'NOOP\r\n'), 3);
    const port = forward(ct, tcp('192.168.7.10', 40001, '203.0.113.20', 21, TCP_ACK | TCP_PSH, 7, 1, 'PORT 192,168,7,10,156,64\r\n'), 4);
    expect(port.out.payload).toBe('PORT 192,0,2,1,156,64\r\n');
    expect(port.out.len).toBe(52 + 23);
    // 26 bytes became 23: the client's later segments move back by 3, the server's ACKs forward by 3
    const fin = forward(ct, tcp('192.168.7.10', 40001, '203.0.113.20', 21, TCP_ACK, 33, 1), 5);
    expect(fin.out.tcp!.seq).toBe(30);
    const ack = forward(ct, tcp('203.0.113.20', 21, '192.0.2.1', 40001, TCP_ACK, 1, 30), 6);
    expect(ack.ref.ctinfo).toBe('ESTABLISHED_REPLY');
    expect(ack.out.tcp!.ack).toBe(33);
    // the data connection to the public address goes to the client, without the nat chains
    const data = forward(ct, tcp('203.0.113.20', 20, '192.0.2.1', 40000, TCP_SYN, 0, 0), 1000);
    expect(data.ref.ctinfo).toBe('RELATED');
    expect(data.natChains).toEqual([]);
    expect(`${formatIpv4(data.out.dst)}:${data.out.dport}`).toBe('192.168.7.10:40000');
  });

  it('behind DNAT the 227 reply names the public address and the client connection goes to the server', () => {
    const ct = new ConntrackTable();
    const dnat: NatRange = { minAddr: ip('192.168.1.10'), maxAddr: ip('192.168.1.10') };
    control(ct, '198.51.100.10', 40001, '192.168.1.10', { dnat, to: '198.51.100.1' });
    forward(ct, tcp('192.168.1.10', 21, '198.51.100.10', 40001, TCP_ACK, 1, 1, '220 ready\r\n'), 3);
    const pasv = forward(ct, tcp('192.168.1.10', 21, '198.51.100.10', 40001, TCP_ACK | TCP_PSH, 12, 1, '227 Entering Passive Mode (192,168,1,10,195,80).\r\n'), 4);
    expect(pasv.out.payload).toBe('227 Entering Passive Mode (198,51,100,1,195,80).\r\n');
    expect(formatIpv4(pasv.out.src)).toBe('198.51.100.1');
    const data = forward(ct, tcp('198.51.100.10', 40002, '198.51.100.1', 50000, TCP_SYN, 0, 0), 1000);
    expect(data.ref.ctinfo).toBe('RELATED');
    expect(`${formatIpv4(data.out.dst)}:${data.out.dport}`).toBe('192.168.1.10:50000');
  });
});
