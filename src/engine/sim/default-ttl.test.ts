// net.ipv4.ip_default_ttl (ip4_dst_hoplimit): the TTL of every packet a host
// originates without an IP_TTL of its own. The oracle fixture
// q11-default-ttl-every-packet-kind holds the kernel's result for the same
// network: client 100, router 200, server 30.

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';

type Pkt = { host: string; origin: string; headers: { proto: string; ttl: number; flags?: string; type?: number } };

function run(steps: object[]): { packets: Pkt[]; results: Record<string, unknown>[] } {
  const r = runCase({
    name: 'default-ttl',
    hosts: [
      { name: 'client', setup: ['ip addr add 10.11.1.10/24 dev eth0', 'ip route add default via 10.11.1.1', 'sysctl -w net.ipv4.ip_default_ttl=100'] },
      {
        name: 'router',
        setup: [
          'ip addr add 10.11.1.1/24 dev eth0',
          'ip addr add 10.11.2.1/24 dev eth1',
          'sysctl -w net.ipv4.ip_forward=1',
          'sysctl -w net.ipv4.ip_default_ttl=200',
          'iptables -A FORWARD -p tcp --dport 23 -j REJECT --reject-with tcp-reset',
          'iptables -A FORWARD -p udp --dport 24 -j REJECT --reject-with icmp-host-prohibited',
        ],
      },
      { name: 'server', setup: ['ip addr add 10.11.2.20/24 dev eth0', 'ip route add default via 10.11.2.1', 'sysctl -w net.ipv4.ip_default_ttl=30'] },
    ],
    links: [
      ['client:eth0', 'router:eth0'],
      ['router:eth1', 'server:eth0'],
    ],
    listeners: [
      { host: 'server', proto: 'tcp', port: 80 },
      { host: 'server', proto: 'udp', port: 53 },
    ],
    steps: steps.map((s) => ({ from: 'client', ...s })),
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const res = r.result as { packets: Pkt[]; steps: { result: Record<string, unknown> }[] };
  return { packets: res.packets, results: res.steps.map((s) => s.result) };
}

/** TTL of every packet `host` originated, in order */
const sent = (packets: Pkt[], host: string) => packets.filter((p) => p.host === host && p.origin === 'local').map((p) => p.headers.ttl);

describe('the TTL a host originates with', () => {
  it('is each socket owner’s default: SYN and data from the client, SYN-ACK and echo from the server', () => {
    const { packets } = run([{ tcp: '10.11.2.20:80', data: 'hi' }, { udp: '10.11.2.20:53' }, { ping: '10.11.2.20' }]);
    expect(new Set(sent(packets, 'client'))).toEqual(new Set([100]));
    expect(new Set(sent(packets, 'server'))).toEqual(new Set([30]));
  });

  it('is the kernel’s default for the RST of a closed port and the ICMP error of a closed UDP port', () => {
    const { packets } = run([{ tcp: '10.11.2.20:81' }, { udp: '10.11.2.20:54' }]);
    expect(sent(packets, 'server')).toEqual([30, 30]);
  });

  it('is the router’s default for routing errors, time exceeded, REJECT answers and echo replies', () => {
    const { packets } = run([{ ping: '192.0.2.1' }, { ping: '10.11.2.20', ttl: 1 }, { tcp: '10.11.2.20:23' }, { udp: '10.11.2.20:24' }, { ping: '10.11.1.1' }]);
    expect(sent(packets, 'router')).toEqual([200, 200, 200, 200, 200]);
  });

  it('does not touch forwarded packets, which only lose one', () => {
    const { packets } = run([{ ping: '10.11.2.20' }]);
    const atServer = packets.find((p) => p.host === 'server' && p.origin === 'ingress')!;
    expect(atServer.headers.ttl).toBe(99);
  });

  it('gives way to a step’s IP_TTL and to a crafted packet’s own TTL', () => {
    const { packets } = run([{ udp: '10.11.2.20:53', ttl: 5 }, { packet: { proto: 'udp', dst: '10.11.2.20', dport: 53 } }]);
    expect(sent(packets, 'client')).toEqual([5, 64, 100]);
  });
});
