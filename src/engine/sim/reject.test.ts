// REJECT's answers in a whole network (REPORT.md §5.17): what the RST or
// ICMP error of a connection's first packet goes through on the rejecting
// host and what the client sees. Small inline networks; the oracle fixtures
// p33-p49 hold the kernel's full results.

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';

type Pkt = {
  host: string;
  origin: string;
  headers: { src: string; dst: string; proto: string; sport?: number; dport?: number; flags?: string; type?: number; inner?: { dst: string; dport?: number } };
  wire_headers?: { src: string; sport?: number; inner?: { dst: string; dport?: number } };
  events: { table: string; chain: string; target: string | null }[];
};

function run(c: object): { packets: Pkt[]; results: Record<string, unknown>[] } {
  const r = runCase(c);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const res = r.result as { packets: Pkt[]; steps: { result: Record<string, unknown> }[] };
  return { packets: res.packets, results: res.steps.map((s) => s.result) };
}

const portForward = (reject: string) => ({
  name: 'reject-through-dnat',
  hosts: [
    { name: 'client', setup: ['ip addr add 203.0.113.50/24 dev eth0'] },
    {
      name: 'gw',
      setup: [
        'ip addr add 203.0.113.1/24 dev wan0',
        'ip addr add 192.168.50.1/24 dev lan0',
        'sysctl -w net.ipv4.ip_forward=1',
        'iptables -t nat -A PREROUTING -i wan0 -p tcp --dport 2222 -j DNAT --to-destination 192.168.50.10:22',
        `iptables -A FORWARD -p tcp -j REJECT --reject-with ${reject}`,
      ],
    },
    { name: 'nas', setup: ['ip addr add 192.168.50.10/24 dev eth0', 'ip route add default via 192.168.50.1'] },
  ],
  links: [['client:eth0', 'gw:wan0'], ['gw:lan0', 'nas:eth0']],
  steps: [{ from: 'client', tcp: '203.0.113.1:2222' }],
});

const chains = (p: Pkt) => p.events.map((e) => `${e.table}:${e.chain}`);

describe('REJECT on the first packet of a DNATed connection', () => {
  it('the RST traverses nat POSTROUTING and leaves from the address the client connected to: ECONNREFUSED', () => {
    const { packets, results } = run(portForward('tcp-reset'));
    const rst = packets.find((p) => p.host === 'gw' && p.origin === 'local')!;
    expect(rst.headers).toMatchObject({ src: '192.168.50.10', sport: 22, flags: 'ACK,RST' });
    expect(chains(rst)).toContain('nat:POSTROUTING');
    expect(rst.wire_headers).toMatchObject({ src: '203.0.113.1', sport: 2222 });
    expect(results[0]).toEqual({ connect: 'ECONNREFUSED' });
  });

  it('an ICMP error skips every nat chain but quotes the header the client sent: EHOSTUNREACH', () => {
    const { packets, results } = run(portForward('icmp-host-prohibited'));
    const err = packets.find((p) => p.host === 'gw' && p.origin === 'local')!;
    expect(chains(err).some((c) => c.startsWith('nat:'))).toBe(false);
    expect(err.headers.inner).toMatchObject({ dst: '192.168.50.10', dport: 22 });
    expect(err.wire_headers!.inner).toMatchObject({ dst: '203.0.113.1', dport: 2222 });
    expect(results[0]).toEqual({ connect: 'EHOSTUNREACH' });
  });
});

describe('REJECT of a bridged packet (br_netfilter)', () => {
  const bridge = (addressed: boolean) => ({
    name: 'reject-on-bridge',
    hosts: [
      { name: 'left', setup: ['ip addr add 10.40.0.1/24 dev eth0'] },
      {
        name: 'fw',
        setup: [
          'ip link add br0 type bridge',
          'ip link set eth0 master br0',
          'ip link set eth1 master br0',
          'ip link set br0 up',
          ...(addressed ? ['ip addr add 10.40.0.254/24 dev br0'] : []),
          'iptables -A FORWARD -p tcp --dport 23 -j REJECT --reject-with tcp-reset',
        ],
      },
      { name: 'right', setup: ['ip addr add 10.40.0.2/24 dev eth0'] },
    ],
    links: [['left:eth0', 'fw:eth0'], ['fw:eth1', 'right:eth0']],
    steps: [{ from: 'left', tcp: '10.40.0.2:23' }],
  });

  it('without a route back (no address on the bridge) no RST is sent and the client times out (case p48)', () => {
    const { packets, results } = run(bridge(false));
    expect(packets.filter((p) => p.headers.flags === 'ACK,RST')).toEqual([]);
    expect(results[0]).toEqual({ connect: 'timeout' });
  });

  it('with one, the RST leaves by the incoming port without passing any hook on the bridge host (case p49)', () => {
    const { packets, results } = run(bridge(true));
    expect(packets.filter((p) => p.host === 'fw' && p.origin === 'local')).toEqual([]);
    const rst = packets.find((p) => p.host === 'left' && p.headers.flags === 'ACK,RST')!;
    expect(rst.headers).toMatchObject({ src: '10.40.0.2', sport: 23, dst: '10.40.0.1' });
    expect(results[0]).toEqual({ connect: 'ECONNREFUSED' });
  });

  it('a confirmed connection still goes to CLOSE: nf_ct_set_closing comes before the bridge path (case r11)', () => {
    const r = runCase({
      name: 'reject-synack-from-bridge-port',
      hosts: [
        { name: 'cli', setup: ['ip addr add 203.0.113.10/24 dev eth0', 'ip route add default via 203.0.113.1'] },
        {
          name: 'r',
          setup: [
            'ip link add br0 type bridge',
            'ip link set eth1 master br0',
            'ip link set br0 up',
            'ip addr add 10.0.0.1/24 dev br0',
            'ip addr add 203.0.113.1/24 dev eth0',
            'sysctl -w net.ipv4.ip_forward=1',
            'iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP',
            'iptables -A FORWARD -i br0 -p tcp --tcp-flags SYN,ACK SYN,ACK -j REJECT --reject-with tcp-reset',
          ],
        },
        { name: 'srv', setup: ['ip addr add 10.0.0.2/24 dev eth0', 'ip route add default via 10.0.0.1', 'sysctl -w net.ipv4.tcp_synack_retries=0'] },
      ],
      links: [['cli:eth0', 'r:eth0'], ['r:eth1', 'srv:eth0']],
      listeners: [{ host: 'srv', proto: 'tcp', port: 80 }],
      steps: [{ from: 'cli', tcp: '10.0.0.2:80' }],
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const res = r.result as { packets: Pkt[]; conntrack: Record<string, { state?: string }[]> };
    // the SYN/ACK was rejected on r, and its RST reached srv without a hook on r
    expect(res.packets.filter((p) => p.host === 'r' && p.origin === 'local')).toEqual([]);
    expect(res.packets.some((p) => p.host === 'srv' && p.headers.flags === 'RST')).toBe(true);
    expect(res.conntrack.r!.map((e) => e.state)).toEqual(['CLOSE']);
  });
});

describe('REJECT of a packet the ICMP socket sends', () => {
  it('an echo reply rejected in OUTPUT gets no ICMP error: the socket is still held (icmp_xmit_lock, case q106)', () => {
    const { packets } = run({
      name: 'reject-echo-reply',
      hosts: [
        { name: 'a', setup: ['ip addr add 10.0.0.2/24 dev eth0'] },
        { name: 'b', setup: ['ip addr add 10.0.0.1/24 dev eth0', 'iptables -A OUTPUT -j REJECT --reject-with icmp-host-unreachable'] },
      ],
      links: [['a:eth0', 'b:eth0']],
      listeners: [{ host: 'b', proto: 'udp', port: 53 }],
      steps: [{ from: 'a', ping: '10.0.0.1' }, { from: 'a', udp: '10.0.0.1:53', data: 'q' }],
    });
    const fromB = packets.filter((p) => p.host === 'b' && p.origin === 'local').map((p) => `${p.headers.proto}${p.headers.type !== undefined ? `/${p.headers.type}` : ''}`);
    // echo reply (no error for it), the listener's UDP answer, and the error for that one
    expect(fromB).toEqual(['icmp/0', 'udp', 'icmp/3']);
  });
});
