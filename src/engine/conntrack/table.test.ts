// pattern: Functional Core
// Connection tracking, one behaviour per test, with the kernel case that
// shows it. Packets are built by hand; the walker is modelled by `forward`
// (PREROUTING -> FORWARD -> POSTROUTING) with NAT decisions passed in.

import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../net/addr';
import type { Packet } from '../net/packet';
import { clonePacket, IPPROTO_ICMP, IPPROTO_UDP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../net/packet';
import { ConntrackTable } from './table';
import type { CtRef, NatRange } from './types';
import { pythonJson } from './view';

const ip = (s: string): number => parseIpv4(s)!;

const SYN_OPTS = '020405B40402080A00000000000000000103030A';
const TS_OPTS = '0101080A0000000000000000';

function tcp(
  src: string,
  sport: number,
  dst: string,
  dport: number,
  flags: number,
  seq = 0,
  ack = 0,
  data = '',
  window = 64240,
): Packet {
  return {
    src: ip(src),
    dst: ip(dst),
    proto: 6,
    ttl: 64,
    tos: 0,
    len: 52 + data.length,
    ipid: 0,
    df: true,
    mark: 0,
    sport,
    dport,
    tcp: { seq, ack, flags, window, urgp: 0, options: flags & TCP_SYN ? SYN_OPTS : TS_OPTS },
    payload: data,
  };
}

function udp(src: string, sport: number, dst: string, dport: number, data = 'hello'): Packet {
  return { src: ip(src), dst: ip(dst), proto: IPPROTO_UDP, ttl: 64, tos: 0, len: 28 + data.length, ipid: 0, df: true, mark: 0, sport, dport, payload: data };
}

function icmp(src: string, dst: string, type: number, code: number, extra: { id?: number; inner?: Packet } = {}): Packet {
  return {
    src: ip(src),
    dst: ip(dst),
    proto: IPPROTO_ICMP,
    ttl: 64,
    tos: 0,
    len: 84,
    ipid: 0,
    df: true,
    mark: 0,
    icmp: { type, code, ...extra },
    payload: '',
  };
}

interface Hop {
  ref: CtRef;
  packet: Packet;
}

/** A router's walk of one packet; `dnat`/`snat` play the nat chains for a connection's first packet. */
function forward(
  ct: ConntrackTable,
  p: Packet,
  nowMs: number,
  nat: { dnat?: NatRange; snat?: NatRange } = {},
  dropInForward = false,
): Hop {
  const packet = clonePacket(p);
  const ref = ct.in(packet, { hook: 'PREROUTING', nowMs });
  if (ct.needsNatLookup(ref, 'DST')) {
    if (nat.dnat) ct.setupNat(ref, 'DST', nat.dnat);
    else ct.setupNullBinding(ref, 'DST');
  }
  ct.applyNat(packet, ref, 'PREROUTING');
  if (dropInForward) {
    ct.discard(ref);
    return { ref, packet };
  }
  if (ct.needsNatLookup(ref, 'SRC')) {
    if (nat.snat) ct.setupNat(ref, 'SRC', nat.snat);
    else ct.setupNullBinding(ref, 'SRC');
  }
  ct.applyNat(packet, ref, 'POSTROUTING');
  ct.confirm(ref);
  return { ref, packet };
}

/** A locally generated packet: OUTPUT -> POSTROUTING. */
function send(ct: ConntrackTable, p: Packet, nowMs: number, snat?: NatRange): Hop {
  const packet = clonePacket(p);
  const ref = ct.in(packet, { hook: 'OUTPUT', nowMs });
  if (ct.needsNatLookup(ref, 'DST')) ct.setupNullBinding(ref, 'DST');
  ct.applyNat(packet, ref, 'OUTPUT');
  if (ct.needsNatLookup(ref, 'SRC')) {
    if (snat) ct.setupNat(ref, 'SRC', snat);
    else ct.setupNullBinding(ref, 'SRC');
  }
  ct.applyNat(packet, ref, 'POSTROUTING');
  ct.confirm(ref);
  return { ref, packet };
}

/** A three-way handshake through a router, ISNs 1000 (client) and 5000 (server). */
function handshake(ct: ConntrackTable, c: string, cport: number, s: string, sport: number, now = 0): Hop[] {
  return [
    forward(ct, tcp(c, cport, s, sport, TCP_SYN, 1000, 0), now),
    forward(ct, tcp(s, sport, c, cport, TCP_SYN | TCP_ACK, 5000, 1001, '', 65160), now + 1),
    forward(ct, tcp(c, cport, s, sport, TCP_ACK, 1001, 5001, '', 63), now + 2),
  ];
}

describe('TCP state machine (nf_conntrack_proto_tcp.c)', () => {
  it('a handshake goes SYN_SENT [UNREPLIED] -> SYN_RECV -> ESTABLISHED [ASSURED]', () => {
    const ct = new ConntrackTable();
    const syn = forward(ct, tcp('192.168.1.10', 40001, '198.51.100.20', 80, TCP_SYN, 1000), 0);
    expect(syn.ref.ctinfo).toBe('NEW');
    expect(ct.list()).toEqual([
      {
        proto: 'tcp',
        state: 'SYN_SENT',
        flags: ['UNREPLIED'],
        orig: { src: '192.168.1.10', dst: '198.51.100.20', sport: 40001, dport: 80 },
        reply: { src: '198.51.100.20', dst: '192.168.1.10', sport: 80, dport: 40001 },
      },
    ]);
    const synack = forward(ct, tcp('198.51.100.20', 80, '192.168.1.10', 40001, TCP_SYN | TCP_ACK, 5000, 1001, '', 65160), 1);
    expect(synack.ref.ctinfo).toBe('ESTABLISHED_REPLY');
    expect(ct.list()[0]).toMatchObject({ state: 'SYN_RECV' });
    expect(ct.list()[0]!.flags).toBeUndefined();
    const ack = forward(ct, tcp('192.168.1.10', 40001, '198.51.100.20', 80, TCP_ACK, 1001, 5001, '', 63), 2);
    expect(ack.ref.ctinfo).toBe('ESTABLISHED');
    expect(ct.list()[0]).toMatchObject({ state: 'ESTABLISHED', flags: ['ASSURED'] });
  });

  it('a FIN close from the client ends in TIME_WAIT (case 52)', () => {
    const ct = new ConntrackTable();
    handshake(ct, '192.168.1.10', 40001, '198.51.100.20', 80);
    const c = '192.168.1.10';
    const s = '198.51.100.20';
    forward(ct, tcp(c, 40001, s, 80, TCP_ACK | TCP_PSH, 1001, 5001, 'GET /', 63), 3);
    forward(ct, tcp(s, 80, c, 40001, TCP_ACK, 5001, 1006, '', 64), 4);
    forward(ct, tcp(s, 80, c, 40001, TCP_ACK | TCP_PSH, 5001, 1006, 'GET /', 64), 5);
    forward(ct, tcp(c, 40001, s, 80, TCP_ACK, 1006, 5006, '', 63), 6);
    forward(ct, tcp(c, 40001, s, 80, TCP_ACK | TCP_FIN, 1006, 5006, '', 63), 7);
    expect(ct.list()[0]!.state).toBe('FIN_WAIT');
    forward(ct, tcp(s, 80, c, 40001, TCP_ACK | TCP_FIN, 5006, 1007, '', 64), 8);
    expect(ct.list()[0]!.state).toBe('LAST_ACK');
    forward(ct, tcp(c, 40001, s, 80, TCP_ACK, 1007, 5007, '', 63), 9);
    expect(ct.list()).toEqual([
      {
        flags: ['ASSURED'],
        orig: { dport: 80, dst: '198.51.100.20', sport: 40001, src: '192.168.1.10' },
        proto: 'tcp',
        reply: { dport: 40001, dst: '192.168.1.10', sport: 80, src: '198.51.100.20' },
        state: 'TIME_WAIT',
      },
    ]);
  });

  it('a RST close leaves the entry in CLOSE for 10 s, then conntrack -L no longer lists it', () => {
    const ct = new ConntrackTable();
    handshake(ct, '10.0.0.2', 40002, '10.0.0.1', 80);
    forward(ct, tcp('10.0.0.2', 40002, '10.0.0.1', 80, TCP_ACK | TCP_RST, 1001, 5001, '', 63), 1000);
    expect(ct.list(1500)).toMatchObject([{ state: 'CLOSE', flags: ['ASSURED'] }]);
    expect(ct.list(11_001)).toEqual([]);
  });

  it('a RST answering the SYN deletes the entry at once (case 12 step 4)', () => {
    const ct = new ConntrackTable();
    const syn = forward(ct, tcp('10.0.0.2', 40004, '10.0.0.1', 80, TCP_SYN, 5000), 0);
    expect(syn.ref.ctinfo).toBe('NEW');
    expect(ct.size).toBe(1);
    const rst = forward(ct, tcp('10.0.0.1', 80, '10.0.0.2', 40004, TCP_RST | TCP_ACK, 0, 5001, '', 0), 1);
    expect(rst.ref.ctinfo).toBe('ESTABLISHED_REPLY');
    expect(ct.list()).toEqual([]);
  });

  describe('odd first packets with nf_conntrack_tcp_loose=1 (case 12, case 46)', () => {
    const cases: [string, number, string][] = [
      ['a stray SYN/ACK', TCP_SYN | TCP_ACK, 'INVALID'],
      ['a stray FIN', TCP_FIN, 'INVALID'],
      ['an XMAS scan (FIN,PSH,URG)', TCP_FIN | TCP_PSH | TCP_URG, 'INVALID'],
      ['a NULL scan (no flags)', 0, 'INVALID'],
      ['SYN,FIN', TCP_SYN | TCP_FIN, 'INVALID'],
      ['a stray ACK (picked up)', TCP_ACK, 'NEW'],
      ['a plain SYN', TCP_SYN, 'NEW'],
    ];
    for (const [what, flags, ctinfo] of cases) {
      it(`${what} is ${ctinfo}`, () => {
        const ct = new ConntrackTable();
        const ref = ct.in(tcp('10.0.0.2', 40001, '10.0.0.1', 80, flags, 5000, flags & TCP_ACK ? 7000 : 0), {
          hook: 'PREROUTING',
          nowMs: 0,
        });
        expect(ref.ctinfo).toBe(ctinfo);
        expect(ref.entry === null).toBe(ctinfo === 'INVALID');
        // INVALID packets skip the nat chains (REPORT.md §5 item 2).
        expect(ct.needsNatLookup(ref, 'DST')).toBe(ctinfo === 'NEW');
      });
    }

    it('a stray ACK is INVALID with nf_conntrack_tcp_loose=0', () => {
      const ct = new ConntrackTable({ tcpLoose: 0 });
      const ref = ct.in(tcp('10.0.0.2', 40003, '10.0.0.1', 80, TCP_ACK, 5000, 9000), { hook: 'PREROUTING', nowMs: 0 });
      expect(ref).toMatchObject({ ctinfo: 'INVALID', reason: 'invalid new' });
    });

    it('the kernel message for a bad flag combination is kept for the UI', () => {
      const ct = new ConntrackTable();
      const ref = ct.in(tcp('10.0.0.2', 40002, '10.0.0.1', 80, TCP_FIN, 5000), { hook: 'PREROUTING', nowMs: 0 });
      expect(ref.reason).toBe('invalid tcp flag combination');
    });
  });

  it('a picked-up connection is ESTABLISHED [UNREPLIED] and becomes ASSURED after a reply', () => {
    const ct = new ConntrackTable();
    forward(ct, tcp('10.0.0.2', 40003, '10.0.0.1', 80, TCP_ACK, 5000, 9000), 0);
    expect(ct.list()[0]).toMatchObject({ state: 'ESTABLISHED', flags: ['UNREPLIED'] });
    forward(ct, tcp('10.0.0.1', 80, '10.0.0.2', 40003, TCP_ACK, 9000, 5000), 1);
    forward(ct, tcp('10.0.0.2', 40003, '10.0.0.1', 80, TCP_ACK, 5000, 9000), 2);
    expect(ct.list()[0]).toMatchObject({ state: 'ESTABLISHED', flags: ['ASSURED'] });
  });

  it('an ACK before the SYN/ACK is INVALID in SYN_SENT', () => {
    const ct = new ConntrackTable();
    forward(ct, tcp('10.0.0.2', 40001, '10.0.0.1', 80, TCP_SYN, 1000), 0);
    const ref = ct.in(tcp('10.0.0.2', 40001, '10.0.0.1', 80, TCP_ACK, 1001, 1), { hook: 'PREROUTING', nowMs: 1 });
    expect(ref.ctinfo).toBe('INVALID');
    expect(ct.list()[0]!.state).toBe('SYN_SENT');
  });

  it('a RST with a sequence number below what the peer acknowledged is INVALID ("invalid rst")', () => {
    const ct = new ConntrackTable();
    handshake(ct, '10.0.0.2', 40001, '10.0.0.1', 80);
    forward(ct, tcp('10.0.0.2', 40001, '10.0.0.1', 80, TCP_ACK | TCP_PSH, 1001, 5001, 'hello', 63), 3);
    forward(ct, tcp('10.0.0.1', 80, '10.0.0.2', 40001, TCP_ACK, 5001, 1006, '', 64), 4);
    const ref = ct.in(tcp('10.0.0.2', 40001, '10.0.0.1', 80, TCP_RST, 1001, 0), { hook: 'PREROUTING', nowMs: 5 });
    expect(ref).toMatchObject({ ctinfo: 'INVALID', reason: 'invalid rst' });
    expect(ct.list()[0]!.state).toBe('ESTABLISHED');
  });

  it('a SYN reusing a tuple closed by RST replaces the old entry (-NF_REPEAT)', () => {
    const ct = new ConntrackTable();
    handshake(ct, '10.0.0.2', 40001, '10.0.0.1', 80);
    forward(ct, tcp('10.0.0.2', 40001, '10.0.0.1', 80, TCP_RST | TCP_ACK, 1001, 5001, '', 63), 3);
    const again = forward(ct, tcp('10.0.0.2', 40001, '10.0.0.1', 80, TCP_SYN, 90000), 4);
    expect(again.ref.ctinfo).toBe('NEW');
    expect(ct.list()).toMatchObject([{ state: 'SYN_SENT', flags: ['UNREPLIED'] }]);
  });
});

describe('confirmation', () => {
  it('a NEW packet dropped before POSTROUTING leaves no entry (case 11 step 3, REPORT §5.12)', () => {
    const ct = new ConntrackTable();
    const dropped = forward(ct, udp('192.168.1.10', 40001, '198.51.100.20', 53), 0, {}, true);
    expect(dropped.ref.ctinfo).toBe('NEW');
    expect(ct.list()).toEqual([]);
    // and the next packet of that flow is NEW again, not ESTABLISHED
    const again = forward(ct, udp('192.168.1.10', 40001, '198.51.100.20', 53), 1);
    expect(again.ref.ctinfo).toBe('NEW');
    expect(ct.size).toBe(1);
  });

  it('an original-direction packet before any reply is still NEW, and skips nat once bound', () => {
    const ct = new ConntrackTable();
    forward(ct, udp('192.168.1.10', 40001, '198.51.100.20', 53), 0);
    const second = forward(ct, udp('192.168.1.10', 40001, '198.51.100.20', 53), 1);
    expect(second.ref.ctinfo).toBe('NEW');
    expect(ct.needsNatLookup(second.ref, 'DST')).toBe(false);
  });
});

describe('UDP (nf_conntrack_proto_udp.c)', () => {
  it('is UNREPLIED until a reply, then has no flags, and ASSURED only after 2 s of two-way traffic (case 22, case 44)', () => {
    const ct = new ConntrackTable();
    forward(ct, udp('10.1.1.50', 33333, '198.51.100.53', 53), 0);
    expect(ct.list()[0]).toMatchObject({ flags: ['UNREPLIED'] });
    expect(ct.list()[0]!.state).toBeUndefined();
    forward(ct, udp('198.51.100.53', 53, '10.1.1.50', 33333), 10);
    expect(ct.list()[0]!.flags).toBeUndefined();
    forward(ct, udp('10.1.1.50', 33333, '198.51.100.53', 53), 1500);
    expect(ct.list()[0]!.flags).toBeUndefined();
    forward(ct, udp('198.51.100.53', 53, '10.1.1.50', 33333), 2500);
    expect(ct.list()[0]!.flags).toEqual(['ASSURED']);
  });

  it('times out after 30 s without a reply', () => {
    const ct = new ConntrackTable();
    forward(ct, udp('10.1.1.50', 33333, '198.51.100.53', 53), 0);
    expect(ct.list(29_999)).toHaveLength(1);
    expect(ct.list(30_000)).toEqual([]);
  });
});

describe('ICMP (nf_conntrack_proto_icmp.c)', () => {
  it('an echo request opens an entry; the reply is ESTABLISHED_REPLY and leaves no flags (case 25)', () => {
    const ct = new ConntrackTable();
    const req = forward(ct, icmp('192.168.1.10', '198.51.100.20', 8, 0, { id: 1001 }), 0);
    expect(req.ref.ctinfo).toBe('NEW');
    const rep = forward(ct, icmp('198.51.100.20', '192.168.1.10', 0, 0, { id: 1001 }), 1);
    expect(rep.ref.ctinfo).toBe('ESTABLISHED_REPLY');
    expect(ct.list()).toEqual([
      {
        orig: { code: 0, dst: '198.51.100.20', id: 1001, src: '192.168.1.10', type: 8 },
        proto: 'icmp',
        reply: { code: 0, dst: '192.168.1.10', id: 1001, src: '198.51.100.20', type: 0 },
      },
    ]);
  });

  it('an echo reply nobody asked for is INVALID', () => {
    const ct = new ConntrackTable();
    const ref = ct.in(icmp('198.51.100.20', '192.168.1.10', 0, 0, { id: 7 }), { hook: 'PREROUTING', nowMs: 0 });
    expect(ref.ctinfo).toBe('INVALID');
  });

  it('an error quoting a tracked flow is RELATED in the reply direction (case 44 step 1)', () => {
    const ct = new ConntrackTable();
    const out = forward(ct, udp('192.168.1.10', 40001, '198.51.100.20', 5060, 'INVITE'), 0);
    const err = icmp('198.51.100.20', '192.168.1.10', 3, 3, { inner: out.packet });
    const ref = ct.in(err, { hook: 'PREROUTING', nowMs: 1 });
    expect(ref.ctinfo).toBe('RELATED_REPLY');
    expect(ref.entry).toBe(out.ref.entry);
    expect(ct.view(ref)).toMatchObject({ state: 'RELATED', reply: true });
    // RELATED errors never traverse nat chains and do not make the flow replied
    expect(ct.needsNatLookup(ref, 'DST')).toBe(false);
    expect(ct.list()[0]!.flags).toEqual(['UNREPLIED']);
  });

  it('an error quoting nothing known is INVALID, so --ctstate RELATED does not pass it (case 44 step 2)', () => {
    const ct = new ConntrackTable();
    forward(ct, udp('192.168.1.10', 40001, '198.51.100.20', 5060, 'INVITE'), 0);
    const garbage: Packet = { ...udp('111.102.32.97', 0, '110.121.116.104', 0), proto: 116 };
    delete garbage.sport;
    delete garbage.dport;
    const ref = ct.in(icmp('198.51.100.20', '192.168.1.10', 3, 3, { inner: garbage }), { hook: 'PREROUTING', nowMs: 1 });
    expect(ref.ctinfo).toBe('INVALID');
    expect(ct.view(ref)!.state).toBe('INVALID');
  });

  it('an error whose outer destination is not the flow endpoint is INVALID', () => {
    const ct = new ConntrackTable();
    const out = forward(ct, udp('192.168.1.10', 40001, '198.51.100.20', 5060), 0);
    const ref = ct.in(icmp('198.51.100.20', '192.168.1.99', 3, 3, { inner: out.packet }), { hook: 'PREROUTING', nowMs: 1 });
    expect(ref.ctinfo).toBe('INVALID');
  });
});

describe('NOTRACK (case 27, h09)', () => {
  it('an untracked packet gets UNTRACKED and no entry; the reply then opens an entry the other way round', () => {
    const ct = new ConntrackTable();
    const out = ct.in(udp('198.51.100.10', 40003, '198.51.100.1', 5353), { hook: 'PREROUTING', nowMs: 0, untracked: true });
    expect(out).toMatchObject({ ctinfo: 'UNTRACKED', entry: null });
    expect(ct.view(out)!.state).toBe('UNTRACKED');
    expect(ct.needsNatLookup(out, 'DST')).toBe(false);
    expect(ct.list()).toEqual([]);
    const back = send(ct, udp('198.51.100.1', 5353, '198.51.100.10', 40003), 1);
    expect(back.ref.ctinfo).toBe('NEW');
    expect(ct.list()).toMatchObject([{ orig: { src: '198.51.100.1', sport: 5353 }, flags: ['UNREPLIED'] }]);
  });
});

describe('NAT bindings (nf_nat_core.c)', () => {
  const masq = (addr: string): NatRange => ({ minAddr: ip(addr), maxAddr: ip(addr) });

  it('DNAT rewrites the destination on the way in and the source of replies on the way out (case 19)', () => {
    const ct = new ConntrackTable();
    const dnat: NatRange = { minAddr: ip('192.168.10.10'), maxAddr: ip('192.168.10.10'), minPort: 80, maxPort: 80 };
    const syn = forward(ct, tcp('198.51.100.10', 40001, '198.51.100.1', 8080, TCP_SYN, 1000), 0, { dnat });
    expect([syn.packet.dst, syn.packet.dport]).toEqual([ip('192.168.10.10'), 80]);
    expect(ct.view(syn.ref)).toMatchObject({ dnat: true, snat: false });
    const pre = clonePacket(tcp('192.168.10.10', 80, '198.51.100.10', 40001, TCP_SYN | TCP_ACK, 5000, 1001));
    const ref = ct.in(pre, { hook: 'PREROUTING', nowMs: 1 });
    expect(ct.applyNat(pre, ref, 'PREROUTING').rewrites).toEqual([]);
    expect(ct.applyNat(pre, ref, 'POSTROUTING').rewrites).toEqual([
      { field: 'src', before: ip('192.168.10.10'), after: ip('198.51.100.1') },
      { field: 'sport', before: 80, after: 8080 },
    ]);
  });

  it('MASQUERADE keeps the source port when it is free (case 22)', () => {
    const ct = new ConntrackTable();
    const out = forward(ct, udp('10.1.1.50', 33333, '198.51.100.53', 53), 0, { snat: masq('198.51.100.1') });
    expect([out.packet.src, out.packet.sport]).toEqual([ip('198.51.100.1'), 33333]);
    expect(ct.list()[0]!.reply).toEqual({ src: '198.51.100.53', dst: '198.51.100.1', sport: 53, dport: 33333 });
  });

  it('two clients behind MASQUERADE with the same source port: the second gets another port from 1024-65535', () => {
    const ct = new ConntrackTable({}, { seed: 42 });
    const a = forward(ct, tcp('192.168.1.10', 40000, '198.51.100.20', 80, TCP_SYN, 1000), 0, { snat: masq('198.51.100.1') });
    const b = forward(ct, tcp('192.168.1.11', 40000, '198.51.100.20', 80, TCP_SYN, 1000), 1, { snat: masq('198.51.100.1') });
    expect(a.packet.sport).toBe(40000);
    expect(b.packet.src).toBe(ip('198.51.100.1'));
    expect(b.packet.sport).not.toBe(40000);
    expect(b.packet.sport!).toBeGreaterThanOrEqual(1024);
    expect(b.packet.sport!).toBeLessThanOrEqual(65535);
    // The reply to the remapped port reaches the second client, port restored.
    const reply = forward(ct, tcp('198.51.100.20', 80, '198.51.100.1', b.packet.sport!, TCP_SYN | TCP_ACK, 5000, 1001), 2);
    expect(reply.ref.entry).toBe(b.ref.entry);
    expect([reply.packet.dst, reply.packet.dport]).toEqual([ip('192.168.1.11'), 40000]);
    // Reproducible: the same seed picks the same port.
    const again = new ConntrackTable({}, { seed: 42 });
    forward(again, tcp('192.168.1.10', 40000, '198.51.100.20', 80, TCP_SYN, 1000), 0, { snat: masq('198.51.100.1') });
    const b2 = forward(again, tcp('192.168.1.11', 40000, '198.51.100.20', 80, TCP_SYN, 1000), 1, { snat: masq('198.51.100.1') });
    expect(b2.packet.sport).toBe(b.packet.sport);
  });

  it('a privileged source port that clashes is remapped below 512 (the kernel keeps credentials ports low)', () => {
    const ct = new ConntrackTable();
    forward(ct, udp('192.168.1.10', 123, '198.51.100.20', 123), 0, { snat: masq('198.51.100.1') });
    const b = forward(ct, udp('192.168.1.11', 123, '198.51.100.20', 123), 1, { snat: masq('198.51.100.1') });
    expect(b.packet.sport!).toBeGreaterThanOrEqual(1);
    expect(b.packet.sport!).toBeLessThanOrEqual(511);
    expect(b.packet.sport).not.toBe(123);
  });

  it('a source already mapped keeps its public port towards other servers (find_appropriate_src)', () => {
    const ct = new ConntrackTable({}, { seed: 7 });
    forward(ct, udp('192.168.1.10', 5000, '198.51.100.20', 53), 0, { snat: masq('198.51.100.1') });
    const b = forward(ct, udp('192.168.1.11', 5000, '198.51.100.20', 53), 1, { snat: masq('198.51.100.1') });
    const moved = b.packet.sport!;
    expect(moved).not.toBe(5000);
    const c = forward(ct, udp('192.168.1.11', 5000, '198.51.100.99', 53), 2, { snat: masq('198.51.100.1') });
    expect(c.packet.sport).toBe(moved);
  });

  it("the router's own connection clashing with a NATed one gets a new port from the null binding", () => {
    const ct = new ConntrackTable();
    forward(ct, tcp('192.168.1.10', 40000, '198.51.100.20', 80, TCP_SYN, 1000), 0, { snat: masq('198.51.100.1') });
    const own = send(ct, tcp('198.51.100.1', 40000, '198.51.100.20', 80, TCP_SYN, 1000), 1);
    expect(own.packet.src).toBe(ip('198.51.100.1'));
    expect(own.packet.sport).not.toBe(40000);
    expect(ct.list()).toHaveLength(2);
  });

  it('SNAT --to-source with a port range picks inside the range', () => {
    const ct = new ConntrackTable();
    const range: NatRange = { minAddr: ip('198.51.100.1'), maxAddr: ip('198.51.100.1'), minPort: 2000, maxPort: 2010 };
    const a = forward(ct, udp('192.168.1.10', 40000, '198.51.100.20', 53), 0, { snat: range });
    const b = forward(ct, udp('192.168.1.11', 40000, '198.51.100.20', 53), 1, { snat: range });
    for (const p of [a.packet, b.packet]) {
      expect(p.sport!).toBeGreaterThanOrEqual(2000);
      expect(p.sport!).toBeLessThanOrEqual(2010);
    }
    expect(a.packet.sport).not.toBe(b.packet.sport);
  });

  it('records every port it picked from a random start, and none it kept or had no choice about (d2-0147)', () => {
    const ct = new ConntrackTable();
    const range = (lo: number, hi: number, extra: Partial<NatRange> = {}): NatRange => ({ minAddr: ip('198.51.100.1'), maxAddr: ip('198.51.100.1'), minPort: lo, maxPort: hi, ...extra });
    // in range and free: kept
    forward(ct, udp('192.168.1.10', 2005, '198.51.100.20', 53), 0, { snat: range(2000, 2010) });
    // a range of one port: no choice
    forward(ct, udp('192.168.1.11', 40000, '198.51.100.20', 53), 1, { snat: range(3000, 3000) });
    expect(ct.natPortDraws).toEqual([]);
    // out of range: searched from get_random_u16()
    const b = forward(ct, udp('192.168.1.12', 40000, '198.51.100.20', 53), 2, { snat: range(2000, 2010) });
    expect(ct.natPortDraws).toEqual([{ tuple: { src: ip('198.51.100.1'), dst: ip('198.51.100.20'), proto: 17, sport: b.packet.sport, dport: 53 }, manip: 'SRC', min: 2000, size: 11, requested: false }]);
    // --random asks for it: recorded as requested
    forward(ct, udp('192.168.1.13', 2001, '198.51.100.20', 53), 3, { snat: range(2000, 2010, { random: true }) });
    expect(ct.natPortDraws.map((d) => d.requested)).toEqual([false, true]);
    // DNAT to a port range without --random starts at the range's first port: no draw
    forward(ct, tcp('198.51.100.30', 40001, '198.51.100.1', 8080, TCP_SYN, 1), 4, { dnat: { minAddr: ip('192.168.1.50'), maxAddr: ip('192.168.1.50'), minPort: 80, maxPort: 90 } });
    expect(ct.natPortDraws).toHaveLength(2);
    // two ports, one taken: every start ends on the other one (fixture p01), nothing to record
    const two = new ConntrackTable();
    forward(two, udp('192.168.1.10', 40000, '198.51.100.20', 53), 0, { snat: range(40000, 40001) });
    const moved = forward(two, udp('192.168.1.11', 40000, '198.51.100.20', 53), 1, { snat: range(40000, 40001) });
    expect(moved.packet.sport).toBe(40001);
    expect(two.natPortDraws).toEqual([]);
  });

  it('the reply of a SNATed flow has its destination restored at PREROUTING (case 21)', () => {
    const ct = new ConntrackTable();
    forward(ct, icmp('192.168.1.10', '198.51.100.20', 8, 0, { id: 1001 }), 0, { snat: masq('198.51.100.1') });
    const p = icmp('198.51.100.20', '198.51.100.1', 0, 0, { id: 1001 });
    const ref = ct.in(p, { hook: 'PREROUTING', nowMs: 1 });
    expect(ct.applyNat(p, ref, 'PREROUTING').rewrites).toEqual([
      { field: 'dst', before: ip('198.51.100.1'), after: ip('192.168.1.10') },
    ]);
  });

  it('an ICMP error for a DNATed flow has the quoted and the outer header translated (h20)', () => {
    const ct = new ConntrackTable();
    const dnat: NatRange = { minAddr: ip('192.168.10.10'), maxAddr: ip('192.168.10.10'), minPort: 53, maxPort: 53 };
    const q = forward(ct, udp('198.51.100.10', 40003, '198.51.100.1', 5353), 0, { dnat });
    const err = icmp('192.168.10.10', '198.51.100.10', 3, 3, { inner: q.packet });
    const ref = ct.in(err, { hook: 'PREROUTING', nowMs: 1 });
    expect(ref.ctinfo).toBe('RELATED_REPLY');
    expect(ct.applyNat(err, ref, 'PREROUTING').rewrites).toEqual([]);
    const res = ct.applyNat(err, ref, 'POSTROUTING');
    expect(res.verdict).toBe('ACCEPT');
    expect(res.rewrites).toEqual([
      { field: 'inner.dst', before: ip('192.168.10.10'), after: ip('198.51.100.1') },
      { field: 'inner.dport', before: 53, after: 5353 },
      { field: 'src', before: ip('192.168.10.10'), after: ip('198.51.100.1') },
    ]);
    expect(err.icmp!.inner!.dport).toBe(5353);
  });

  it('nat chains are consulted once per manip type and only for the first packet (REPORT §5.2)', () => {
    const ct = new ConntrackTable();
    const [syn, synack, ack] = handshake(ct, '10.0.0.2', 40001, '10.0.0.1', 80);
    expect(ct.needsNatLookup(syn!.ref, 'DST')).toBe(false); // bound during its own walk
    expect(ct.needsNatLookup(synack!.ref, 'DST')).toBe(false);
    expect(ct.needsNatLookup(ack!.ref, 'SRC')).toBe(false);
  });
});

describe('views for matches and CONNMARK', () => {
  it('view() reads state, direction and status live from the entry; mark writes through (CONNMARK)', () => {
    const ct = new ConntrackTable();
    const p = tcp('192.168.1.10', 40001, '198.51.100.20', 22, TCP_SYN, 1000);
    const ref = ct.in(p, { hook: 'PREROUTING', nowMs: 0 });
    const v = ct.view(ref)!;
    expect(v).toMatchObject({ state: 'NEW', reply: false, mark: 0, tcpState: 'SYN_SENT' });
    expect(v.status.confirmed).toBe(false);
    v.mark = 0x22;
    expect(ref.entry!.mark).toBe(0x22);
    ct.setupNullBinding(ref, 'DST');
    ct.setupNullBinding(ref, 'SRC');
    ct.confirm(ref);
    expect(v.status.confirmed).toBe(true);
    expect(ct.list()[0]!.mark).toBe(34);
    expect(v.orig).toMatchObject({ src: ip('192.168.1.10'), dport: 22, proto: 6 });
  });

  it('attachRelated gives a REJECT tcp-reset the conntrack of the rejected packet, reply direction', () => {
    const ct = new ConntrackTable();
    const syn = ct.in(tcp('192.168.1.10', 40001, '198.51.100.20', 25, TCP_SYN, 1000), { hook: 'PREROUTING', nowMs: 0 });
    const rst = ct.attachRelated(syn)!;
    expect(rst).toMatchObject({ ctinfo: 'RELATED_REPLY', dir: 1, entry: syn.entry });
    expect(ct.confirm(rst)).toBe(true);
    expect(ct.list()).toEqual([]); // only the original direction inserts
    expect(ct.attachRelated({ entry: null, dir: 0, ctinfo: 'INVALID' })).toBeNull();
  });
});

describe('listing and snapshots', () => {
  it('sorts like the oracle: by the canonical JSON text of each entry', () => {
    const ct = new ConntrackTable();
    forward(ct, udp('10.0.0.9', 1, '10.0.0.1', 53), 0);
    forward(ct, icmp('10.0.0.2', '10.0.0.1', 8, 0, { id: 5 }), 0);
    handshake(ct, '10.0.0.3', 40001, '10.0.0.1', 80);
    const keys = ct.list().map(pythonJson);
    expect([...keys].sort()).toEqual(keys);
    // ASSURED < UNREPLIED, then icmp's "code" < udp's "dport" (checked with Python's json.dumps)
    expect(ct.list().map((e) => e.proto)).toEqual(['tcp', 'icmp', 'udp']);
  });

  it('pythonJson matches json.dumps(sort_keys=True)', () => {
    expect(pythonJson({ proto: 'tcp', flags: ['ASSURED'], orig: { src: 'a', dport: 1 } })).toBe(
      '{"flags": ["ASSURED"], "orig": {"dport": 1, "src": "a"}, "proto": "tcp"}',
    );
  });

  it('toJSON/fromJSON round-trips through JSON text and the restored table keeps tracking', () => {
    const ct = new ConntrackTable({ tcpLoose: 0 }, { seed: 9 });
    const dnat: NatRange = { minAddr: ip('192.168.10.10'), maxAddr: ip('192.168.10.10'), minPort: 80, maxPort: 80 };
    forward(ct, tcp('198.51.100.10', 40001, '198.51.100.1', 8080, TCP_SYN, 1000), 0, { dnat });
    const restored = ConntrackTable.fromJSON(JSON.parse(JSON.stringify(ct.toJSON())));
    expect(restored.list()).toEqual(ct.list());
    expect(restored.sysctl.tcpLoose).toBe(0);
    const synack = forward(restored, tcp('192.168.10.10', 80, '198.51.100.10', 40001, TCP_SYN | TCP_ACK, 5000, 1001), 1);
    expect(synack.ref.ctinfo).toBe('ESTABLISHED_REPLY');
    expect([synack.packet.src, synack.packet.sport]).toEqual([ip('198.51.100.1'), 8080]);
    expect(ct.list()[0]!.state).toBe('SYN_SENT'); // the original is untouched
  });
});

describe('answers attached to the connection they refuse (nf_ct_attach, REPORT.md §5.17)', () => {
  /** A SYN DNATed in PREROUTING and REJECTed in FORWARD: its connection never reaches confirmation. */
  function rejectedSyn(ct: ConntrackTable): Hop {
    return forward(ct, tcp('203.0.113.50', 40002, '203.0.113.1', 2222, TCP_SYN), 0, { dnat: { minAddr: ip('192.168.50.10'), maxAddr: ip('192.168.50.10'), minPort: 22, maxPort: 22 } }, true);
  }

  it('the answer carries the connection as RELATED in the reply direction, also before confirmation', () => {
    const ct = new ConntrackTable();
    const syn = rejectedSyn(ct);
    const rst = ct.attachRelated(syn.ref)!;
    expect(rst).toMatchObject({ entry: syn.ref.entry, dir: 1, ctinfo: 'RELATED_REPLY' });
    expect(ct.view(rst)).toMatchObject({ state: 'RELATED', reply: true });
    expect(ct.list()).toEqual([]);
  });

  it('a RST traverses nat POSTROUTING (no source binding yet) and leaves from the public address (case p33)', () => {
    const ct = new ConntrackTable();
    const syn = rejectedSyn(ct);
    const rst = ct.attachRelated(syn.ref)!;
    expect(ct.needsNatLookup(rst, 'SRC', 6)).toBe(true);
    expect(ct.needsNatLookup(rst, 'DST', 6)).toBe(false);
    ct.setupNullBinding(rst, 'SRC');
    const p = tcp('192.168.50.10', 22, '203.0.113.50', 40002, TCP_RST | TCP_ACK, 0, 1);
    ct.applyNat(p, rst, 'POSTROUTING');
    expect([p.src, p.sport]).toEqual([ip('203.0.113.1'), 2222]);
    // the answer goes the reply way: confirming it inserts nothing
    expect(ct.confirm(rst)).toBe(true);
    expect(ct.list()).toEqual([]);
  });

  it('an ICMP error skips the nat chain but its quoted header and source are translated back (case p34)', () => {
    const ct = new ConntrackTable();
    const syn = rejectedSyn(ct);
    const err = ct.attachRelated(syn.ref)!;
    expect(ct.needsNatLookup(err, 'SRC', IPPROTO_ICMP)).toBe(false);
    // built by the router from the DNATed SYN, with the address routing picks as its source
    const p = icmp('198.51.100.1', '203.0.113.50', 3, 10, { inner: syn.packet });
    ct.applyNat(p, err, 'POSTROUTING');
    expect(p.src).toBe(ip('203.0.113.1'));
    expect(p.icmp!.inner).toMatchObject({ dst: ip('203.0.113.1'), dport: 2222 });
  });

  it('a redirect attached to a connection without both bindings is dropped (case p40)', () => {
    const ct = new ConntrackTable();
    const ping = forward(ct, icmp('192.168.5.50', '10.50.0.1', 8, 0, { id: 1001 }), 0, {}, true);
    const redirect = ct.attachRelated(ping.ref)!;
    const p = icmp('192.168.5.1', '192.168.5.50', 5, 1, { inner: ping.packet });
    expect(ct.applyNat(p, redirect, 'OUTPUT').verdict).toBe('DROP');
  });

  it('nothing is attached to a packet conntrack never saw', () => {
    const ct = new ConntrackTable();
    expect(ct.attachRelated({ entry: null, dir: 0, ctinfo: 'UNTRACKED' })).toBeNull();
  });

  it('REJECT\'s RST on an established connection sets it to CLOSE (nf_ct_set_closing, case p38)', () => {
    const ct = new ConntrackTable();
    const [, , ack] = handshake(ct, '172.16.1.10', 40002, '172.16.2.20', 5432);
    ct.setClosing(ack!.ref, 10);
    expect(ct.list()[0]!.state).toBe('CLOSE');
  });
});
