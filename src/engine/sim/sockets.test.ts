// What a local socket does with an ICMP error or a RST (REPORT.md §5.19):
// the errno a connected UDP socket reports, and when a TCP socket accepts a
// RST, answers it with a challenge ACK, or ignores it.

import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../net/addr';
import { IPPROTO_ICMP, IPPROTO_TCP, TCP_ACK, TCP_RST, TCP_SYN, type Packet } from '../net/packet';
import { runCase } from '../run-case';
import { readCase } from '../scenario/case-file';
import { icmpErrno, udpIcmpError, type TcpSock, type TcpState } from './sockets';
import { connectSyn } from './wire';
import { World } from './world';

const ip = (s: string): number => parseIpv4(s)!;

describe('a connected UDP socket without IP_RECVERR (__udp4_lib_err)', () => {
  const hard: [number, number, string][] = [
    [3, 2, 'ENOPROTOOPT'],
    [3, 3, 'ECONNREFUSED'],
    [3, 4, 'EMSGSIZE'],
    [3, 9, 'ENETUNREACH'],
    [3, 10, 'EHOSTUNREACH'],
    [3, 13, 'EHOSTUNREACH'],
    [12, 0, 'EPROTO'],
  ];
  for (const [type, code, errno] of hard) {
    it(`reports ${type}/${code} as ${errno} (cases p35, p39)`, () => expect(udpIcmpError(type, code)).toBe(errno));
  }
  const soft: [number, number, string][] = [
    [3, 0, 'net unreachable'],
    [3, 1, 'host unreachable'],
    [3, 5, 'source route failed'],
    [11, 0, 'time exceeded'],
    [4, 0, 'source quench'],
    [5, 1, 'redirect'],
  ];
  for (const [type, code, what] of soft) {
    it(`keeps waiting after ${what} (${type}/${code})`, () => expect(udpIcmpError(type, code)).toBeNull());
  }
});

describe('a TCP socket in SYN_SENT aborts on any unreachable or time exceeded (tcp_v4_err, case p34)', () => {
  const cases: [number, number, string][] = [
    [3, 0, 'ENETUNREACH'],
    [3, 1, 'EHOSTUNREACH'],
    [3, 2, 'ENOPROTOOPT'],
    [3, 3, 'ECONNREFUSED'],
    [3, 9, 'ENETUNREACH'],
    [3, 10, 'EHOSTUNREACH'],
    [3, 13, 'EHOSTUNREACH'],
    [11, 0, 'EHOSTUNREACH'],
  ];
  for (const [type, code, errno] of cases) it(`${type}/${code} → ${errno}`, () => expect(icmpErrno(type, code)).toBe(errno));
});

/** Two hosts on one link; `a` holds a connection to b:80 in `state` with rcv_nxt 1 and snd_nxt 1. */
function connection(state: TcpState): { world: World; sock: TcpSock; deliver: (seq: number, ack: number, flags: number) => void; sentByA: () => Packet[] } {
  const parsed = readCase({
    name: 'rst',
    hosts: [
      { name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0'] },
      { name: 'b', setup: ['ip addr add 10.0.0.2/24 dev eth0'] },
    ],
    links: [['a:eth0', 'b:eth0']],
  });
  const world = new World(parsed.value!);
  const a = world.hosts.get('a')!;
  const sock = a.sockets.connect(ip('10.0.0.1'), 40000, ip('10.0.0.2'), 80);
  sock.state = state;
  sock.sndNxt = 1;
  sock.rcvNxt = 1;
  sock.wire = connectSyn(1500).state;
  const deliver = (seq: number, ack: number, flags: number) => {
    const rst: Packet = {
      src: ip('10.0.0.2'),
      dst: ip('10.0.0.1'),
      proto: IPPROTO_TCP,
      ttl: 64,
      tos: 0,
      len: 40,
      ipid: 0,
      df: true,
      mark: 0,
      sport: 80,
      dport: 40000,
      tcp: { seq, ack, flags, window: 0, urgp: 0, options: '' },
      payload: '',
    };
    a.sockets.deliver(rst, world.openRecord(a, 'ingress', 'eth0', null), 'eth0');
  };
  const sentByA = () => world.records.filter((r) => r.host === 'a' && r.origin === 'local').map((r) => r.events[0]!.packet);
  return { world, sock, deliver, sentByA };
}

describe('a RST reaching a TCP socket (tcp_validate_incoming, tcp_reset)', () => {
  it('with exactly rcv_nxt it closes an established socket with ECONNRESET and nothing is sent (case p38)', () => {
    const c = connection('ESTABLISHED');
    c.deliver(1, 0, TCP_RST);
    expect(c.sock).toMatchObject({ state: 'CLOSED', error: 'ECONNRESET' });
    expect(c.sentByA()).toEqual([]);
  });

  it('in CLOSE_WAIT the error is EPIPE', () => {
    const c = connection('CLOSE_WAIT');
    c.deliver(1, 0, TCP_RST);
    expect(c.sock).toMatchObject({ state: 'CLOSED', error: 'EPIPE' });
  });

  it('elsewhere in the receive window it draws a challenge ACK and the connection lives on (RFC 5961)', () => {
    const c = connection('ESTABLISHED');
    c.deliver(101, 0, TCP_RST);
    expect(c.sock.state).toBe('ESTABLISHED');
    const sent = c.sentByA();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.tcp).toMatchObject({ flags: TCP_ACK, seq: 1, ack: 1 });
  });

  it('outside the window it is dropped without an answer', () => {
    const c = connection('ESTABLISHED');
    c.deliver(1_000_000, 0, TCP_RST);
    expect(c.sock.state).toBe('ESTABLISHED');
    expect(c.sentByA()).toEqual([]);
  });

  it('in TIME_WAIT only an exact RST counts, anything else is dropped silently', () => {
    const c = connection('TIME_WAIT');
    c.deliver(50, 0, TCP_RST);
    expect(c.sock.state).toBe('TIME_WAIT');
    expect(c.sentByA()).toEqual([]);
  });

  it('during connect() only a RST acknowledging the SYN refuses the connection (ECONNREFUSED)', () => {
    const c = connection('SYN_SENT');
    c.deliver(0, 0, TCP_RST);
    expect(c.sock.state).toBe('SYN_SENT');
    c.deliver(0, 5, TCP_RST | TCP_ACK);
    expect(c.sock.state).toBe('SYN_SENT');
    c.deliver(0, 1, TCP_RST | TCP_ACK);
    expect(c.sock).toMatchObject({ state: 'CLOSED', error: 'ECONNREFUSED' });
  });
});

describe('an ICMP error about a SYN/ACK of a half-open connection (tcp_req_err, case p43)', () => {
  function halfOpen(type: number, code: number): TcpState {
    const c = connection('SYN_RECV');
    const a = c.world.hosts.get('a')!;
    const synAck: Packet = {
      src: ip('10.0.0.1'), dst: ip('10.0.0.2'), proto: IPPROTO_TCP, ttl: 63, tos: 0, len: 60, ipid: 0, df: true, mark: 0,
      sport: 40000, dport: 80, tcp: { seq: 0, ack: 1, flags: TCP_SYN | TCP_ACK, window: 65160, urgp: 0, options: '' }, payload: '',
    };
    const err: Packet = {
      src: ip('10.0.0.2'), dst: ip('10.0.0.1'), proto: IPPROTO_ICMP, ttl: 64, tos: 0xc0, len: 88, ipid: 7, df: false, mark: 0,
      icmp: { type, code, inner: synAck }, payload: '',
    };
    a.sockets.deliver(err, c.world.openRecord(a, 'ingress', 'eth0', null), 'eth0');
    return c.sock.state;
  }
  it('host unreachable, net unreachable and time exceeded drop it', () => {
    expect(halfOpen(3, 1)).toBe('CLOSED');
    expect(halfOpen(3, 0)).toBe('CLOSED');
    expect(halfOpen(11, 0)).toBe('CLOSED');
  });
  it('admin prohibited and port unreachable leave it waiting for the ACK', () => {
    expect(halfOpen(3, 13)).toBe('SYN_RECV');
    expect(halfOpen(3, 3)).toBe('SYN_RECV');
  });
});

describe('a UDP listener whose echo cannot be sent', () => {
  it('reports send_error with the errno only, as the harness agent does (difftest seed 1 case 258)', () => {
    const r = runCase({
      name: 'echo-no-route',
      hosts: [
        { name: 'a', setup: ['ip addr add 10.20.1.10/24 dev eth0', 'ip route add default via 10.20.1.1'] },
        { name: 'r', setup: ['ip addr add 10.20.1.1/24 dev eth0', 'ip addr add 10.20.2.1/24 dev eth1', 'sysctl -w net.ipv4.ip_forward=1'] },
        // no route back to 10.20.1.0/24: the echo's sendmsg() fails
        { name: 'b', setup: ['ip addr add 10.20.2.20/24 dev eth0'] },
      ],
      links: [
        ['a:eth0', 'r:eth0'],
        ['r:eth1', 'b:eth0'],
      ],
      listeners: [{ host: 'b', proto: 'udp', port: 53 }],
      steps: [{ from: 'a', udp: '10.20.2.20:53' }],
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const step = (r.result as { steps: { listener_events: Record<string, unknown>[] }[] }).steps[0]!;
    expect(step.listener_events[1]).toEqual({ host: 'b', event: 'send_error', proto: 'udp', error: 'ENETUNREACH' });
  });
});

describe('a listening socket (tcp_rcv_state_process, TCP_LISTEN)', () => {
  const answers = (flags: string, dport = 80): string[] => {
    const r = runCase({
      name: 'listen',
      hosts: [
        { name: 'a', setup: ['ip addr add 10.0.0.2/24 dev eth0'] },
        { name: 'b', setup: ['ip addr add 10.0.0.1/24 dev eth0'] },
      ],
      links: [['a:eth0', 'b:eth0']],
      listeners: [{ host: 'b', proto: 'tcp', port: 80 }],
      steps: [{ from: 'a', packet: { proto: 'tcp', dst: '10.0.0.1', dport, flags } }],
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const ps = (r.result as { packets: { host: string; origin: string; headers: { flags: string } }[] }).packets;
    return ps.filter((p) => p.host === 'b' && p.origin === 'local').map((p) => p.headers.flags);
  };
  it('answers a SYN with a SYN/ACK and an ACK with a RST', () => {
    expect(answers('S')).toEqual(['SYN,ACK']);
    expect(answers('A')).toEqual(['RST']);
  });
  it('drops a segment with no flag, a lone FIN or a SYN+FIN without an answer (case q107)', () => {
    expect(answers('')).toEqual([]);
    expect(answers('F')).toEqual([]);
    expect(answers('SF')).toEqual([]);
  });
  it('while a closed port answers the same segments with a RST', () => {
    expect(answers('', 81)).toEqual(['ACK,RST']);
    expect(answers('SF', 81)).toEqual(['ACK,RST']);
  });
});
