// pattern: Imperative Shell
// 802.1Q VLAN sub-interfaces on the wire: tagged frames between hosts, the
// receive side's choice of VLAN device, per-VLAN addresses, routes and
// iptables interfaces. Modelled from kernel source (this machine's kernel
// has no 8021q, so no oracle case can record these): each expectation
// names the source it follows.

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';
import type { World } from './world';

type Pkt = {
  host: string;
  origin: string;
  in: string | null;
  out: string | null;
  headers: { src: string; dst: string; type?: number };
  events: { chain: string; in: string | null; out: string | null; target: string | null; type: string }[];
  disposition: { verdict: string; received_by?: { host: string; iface: string }[] };
};

function run(c: Record<string, unknown>): { world: World; packets: Pkt[] } {
  const r = runCase({ name: 'vlan-test', ...c });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return { world: r.world, packets: (r.result as { packets: Pkt[] }).packets };
}

/** Two hosts on a veth that is a trunk: VLAN 10 on both, and `extra` on each. */
const trunk = (a: string[], b: string[], steps: unknown[]) => ({
  hosts: [
    { name: 'a', setup: ['ip link add link eth0 name eth0.10 type vlan id 10', 'ip link set eth0.10 up', 'ip addr add 10.10.0.1/24 dev eth0.10', ...a] },
    { name: 'b', setup: ['ip link add eth0.10 link eth0 type vlan id 10 protocol 802.1Q', 'ip link set eth0.10 up', 'ip addr add 10.10.0.2/24 dev eth0.10', ...b] },
  ],
  links: [['a:eth0', 'b:eth0']],
  steps,
});

describe('a VLAN device sends tagged frames and receives its own tag', () => {
  it('a ping over VLAN 10 leaves by eth0.10 and arrives on eth0.10 (vlan_dev_hard_start_xmit tags, vlan_do_receive untags)', () => {
    const { packets, world } = run(trunk([], [], [{ from: 'a', ping: '10.10.0.2' }]));
    const req = packets.find((p) => p.host === 'a' && p.origin === 'local')!;
    expect(req.out).toBe('eth0.10');
    expect(req.disposition.received_by).toEqual([{ host: 'b', iface: 'eth0.10', packet: expect.any(Number) }]);
    const reply = packets.find((p) => p.host === 'b' && p.origin === 'local')!;
    expect(reply.headers.type).toBe(0);
    expect(reply.disposition.received_by?.[0]?.iface).toBe('eth0.10');
    // the tag on the wire: the sender's frame out and the receiver's frame in carry VLAN 10
    const sent = world.records.find((r) => r.host === 'a' && r.origin === 'local')!;
    expect(sent.frameOut).toMatchObject({ dev: 'eth0.10', vlan: { vid: 10, prio: 0, protocol: '802.1Q' } });
    const got = world.records.find((r) => r.host === 'b' && r.origin === 'ingress')!;
    expect(got.frameIn?.vlan).toEqual({ vid: 10, prio: 0, protocol: '802.1Q' });
  });

  it('a host without a VLAN device of that id drops the tagged frame (__netif_receive_skb_core: PACKET_OTHERHOST)', () => {
    // b has VLAN 20 only: a's ARP request for 10.10.0.2, tagged 10, is dropped, so the ping never leaves a
    const { packets } = run({
      hosts: [
        { name: 'a', setup: ['ip link add link eth0 name eth0.10 type vlan id 10', 'ip link set eth0.10 up', 'ip addr add 10.10.0.1/24 dev eth0.10'] },
        { name: 'b', setup: ['ip addr add 10.10.0.2/24 dev eth0', 'ip link add link eth0 name eth0.20 type vlan id 20', 'ip link set eth0.20 up', 'ip addr add 10.20.0.2/24 dev eth0.20'] },
      ],
      links: [['a:eth0', 'b:eth0']],
      steps: [{ from: 'a', ping: '10.10.0.2' }],
    });
    expect(packets.filter((p) => p.host === 'b')).toEqual([]);
    expect(packets[0]!.disposition.received_by ?? []).toEqual([]);
  });

  it('untagged frames still reach the real device beside its VLANs', () => {
    const { packets } = run(trunk(['ip addr add 192.0.2.1/24 dev eth0'], ['ip addr add 192.0.2.2/24 dev eth0'], [{ from: 'a', ping: '192.0.2.2' }]));
    const req = packets.find((p) => p.host === 'b' && p.origin === 'ingress')!;
    expect(req.in).toBe('eth0');
  });

  it('a VLAN device that is down drops what arrives for it (vlan_do_receive frees the skb)', () => {
    const { packets } = run(trunk([], ['ip neigh add 10.10.0.1 lladdr 02:00:00:00:01:01 dev eth0.10', 'ip link set eth0.10 down'], [{ from: 'a', ping: '10.10.0.2' }]));
    expect(packets.filter((p) => p.host === 'b')).toEqual([]);
  });

  it('iptables -i eth0.10 matches the VLAN device, not the real one', () => {
    const { packets } = run(trunk([], ['iptables -A INPUT -i eth0.10 -p icmp -j DROP', 'iptables -A INPUT -i eth0 -p icmp -j ACCEPT'], [{ from: 'a', ping: '10.10.0.2' }]));
    const req = packets.find((p) => p.host === 'b' && p.origin === 'ingress')!;
    expect(req.in).toBe('eth0.10');
    expect(req.events.find((e) => e.chain === 'INPUT' && e.type === 'rule')).toMatchObject({ in: 'eth0.10', target: 'DROP' });
    expect(req.disposition.verdict).toBe('drop');
  });

  it('per-VLAN routes: a route via the VLAN device takes its traffic there, tagged', () => {
    const { packets } = run(trunk(['ip route add 203.0.113.0/24 via 10.10.0.2 dev eth0.10'], ['sysctl -w net.ipv4.ip_forward=1', 'ip addr add 203.0.113.1/32 dev lo'], [{ from: 'a', ping: '203.0.113.1' }]));
    const req = packets.find((p) => p.host === 'a' && p.origin === 'local')!;
    expect(req.out).toBe('eth0.10');
    expect(packets.find((p) => p.host === 'b' && p.origin === 'ingress')!.in).toBe('eth0.10');
  });

  it('a VLAN on a bridge port is taken before the bridge sees the frame (vlan_do_receive runs before the rx_handler)', () => {
    const { packets } = run({
      hosts: [
        { name: 'a', setup: ['ip link add link eth0 name eth0.10 type vlan id 10', 'ip link set eth0.10 up', 'ip addr add 10.10.0.1/24 dev eth0.10'] },
        { name: 'sw', setup: ['ip link add br0 type bridge', 'ip link set eth0 master br0', 'ip link set eth1 master br0', 'ip link set br0 up'] },
        { name: 'b', setup: ['ip link add link eth0 name eth0.10 type vlan id 10', 'ip link set eth0.10 up', 'ip addr add 10.10.0.2/24 dev eth0.10'] },
      ],
      links: [['a:eth0', 'sw:eth0'], ['sw:eth1', 'b:eth0']],
      steps: [{ from: 'a', ping: '10.10.0.2' }],
    });
    // sw has no VLAN devices: the bridge forwards the tagged frames, and br_netfilter lets them by (no FORWARD walk)
    expect(packets.filter((p) => p.host === 'sw')).toEqual([]);
    expect(packets.find((p) => p.host === 'b' && p.origin === 'ingress')!.in).toBe('eth0.10');
  });
});
