// pattern: Imperative Shell
// The link layer: which host and interface receive a frame, what the
// neighbour tables and forwarding databases remember across steps, and how
// a bridge with an address delivers to itself. Each scenario is a cut-down
// oracle case (named) so the expectation is the kernel's.

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';
import type { World } from './world';
import { parseIpv4 } from '../net/addr';

type Pkt = { host: string; origin: string; in: string | null; headers: { src: string; dst: string; type?: number }; disposition: { verdict: string; received_by?: { host: string; iface: string }[]; reason?: string } };

function run(c: Record<string, unknown>): { world: World; packets: Pkt[]; result: Record<string, unknown> } {
  const r = runCase({ name: 'l2-test', ...c });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return { world: r.world, packets: (r.result as { packets: Pkt[] }).packets, result: r.result };
}

const ingress = (ps: Pkt[], host: string) => ps.filter((p) => p.host === host && p.origin === 'ingress');

/** A host with two legs on one switch (p50/p51's shape); `ports` orders the switch ports. */
const twoLegs = (ports: string[]) => ({
  hosts: [
    { name: 'c', setup: ['ip addr add 10.0.0.10/24 dev eth0'] },
    { name: 'r', setup: ['ip addr add 10.0.0.1/24 dev eth0', 'ip addr add 10.0.0.2/24 dev eth1'] },
  ],
  switches: [{ name: 'lan', ports }],
  steps: [
    { from: 'c', ping: '10.0.0.1' },
    { from: 'c', ping: '10.0.0.2' },
  ],
});

describe('ARP flux on a shared segment', () => {
  it('the answer from the port the switch floods to first wins: the newest port', () => {
    expect(ingress(run(twoLegs(['c:eth0', 'r:eth0', 'r:eth1'])).packets, 'r').map((p) => p.in)).toEqual(['eth1', 'eth1']);
    expect(ingress(run(twoLegs(['c:eth0', 'r:eth1', 'r:eth0'])).packets, 'r').map((p) => p.in)).toEqual(['eth0', 'eth0']);
    expect(ingress(run(twoLegs(['r:eth0', 'r:eth1', 'c:eth0'])).packets, 'r').map((p) => p.in)).toEqual(['eth1', 'eth1']);
  });

  it('an answer that takes a longer path loses even when it is flooded first (first answer kept)', () => {
    // r:eth1 sits behind a bridging host b, so its answer needs more hops (oracle experiment before p51)
    const { packets } = run({
      hosts: [
        { name: 'c', setup: ['ip addr add 10.0.0.10/24 dev eth0'] },
        { name: 'r', setup: ['ip addr add 10.0.0.1/24 dev eth0', 'ip addr add 10.0.0.2/24 dev eth1'] },
        { name: 'b', setup: ['ip link add br0 type bridge', 'ip link set eth0 master br0', 'ip link set eth1 master br0', 'ip link set br0 up'] },
      ],
      links: [['b:eth1', 'r:eth1']],
      switches: [{ name: 'lan', ports: ['c:eth0', 'r:eth0', 'b:eth0'] }],
      steps: [{ from: 'c', ping: '10.0.0.2' }],
    });
    expect(ingress(packets, 'r').map((p) => p.in)).toEqual(['eth0']);
  });

  it('the neighbour entry persists across steps and is visible in the host table', () => {
    const { world } = run(twoLegs(['c:eth0', 'r:eth0', 'r:eth1']));
    const c = world.hosts.get('c')!;
    const e = world.l2.neigh(c).get('eth0', parseIpv4('10.0.0.1')!);
    expect(e).toMatchObject({ lladdr: world.macs.get('r:eth1'), state: 'reachable' });
    // r learned c from the requests on both legs
    const r = world.hosts.get('r')!;
    expect(world.l2.neigh(r).list().map((x) => x.iface).sort()).toEqual(['eth0', 'eth1']);
  });
});

describe('no ARP answer', () => {
  it('the packet is sent, nobody receives it, and its record says why', () => {
    const { world, packets } = run({
      hosts: [{ name: 'a', setup: ['ip addr add 10.5.0.1/24 dev eth0'] }, { name: 'b', setup: ['ip addr add 10.5.0.2/24 dev eth0'] }],
      links: [['a:eth0', 'b:eth0']],
      steps: [{ from: 'a', ping: '10.5.0.99' }],
    });
    expect(packets).toHaveLength(1);
    expect(packets[0]!.disposition).toMatchObject({ verdict: 'sent', received_by: [] });
    expect(world.records[0]!.note).toMatch(/nobody answered a's ARP request for 10\.5\.0\.99 on eth0/);
  });

  it('a frame for a MAC address nobody has is flooded by the switch and taken by nobody (case p57)', () => {
    const { packets } = run({
      hosts: [
        { name: 'a', setup: ['ip addr add 10.5.0.1/24 dev eth0', 'ip neigh add 10.5.0.2 lladdr 02:00:00:00:77:01 dev eth0 nud permanent'] },
        { name: 'b', setup: ['ip addr add 10.5.0.2/24 dev eth0'] },
        { name: 'c', setup: ['ip addr add 10.5.0.3/24 dev eth0'] },
      ],
      switches: [{ name: 'sw', ports: ['a:eth0', 'b:eth0', 'c:eth0'] }],
      steps: [{ from: 'a', ping: '10.5.0.2' }],
    });
    expect(packets.map((p) => p.host)).toEqual(['a']);
  });
});

describe('a bridge with an address', () => {
  const bridged = {
    hosts: [
      { name: 'left', setup: ['ip addr add 10.30.0.1/24 dev eth0'] },
      { name: 'fw', setup: ['ip link add br0 type bridge', 'ip link set eth0 master br0', 'ip link set eth1 master br0', 'ip link set br0 up', 'ip addr add 10.30.0.254/24 dev br0'] },
      { name: 'right', setup: ['ip addr add 10.30.0.2/24 dev eth0'] },
    ],
    links: [
      ['left:eth0', 'fw:eth0'],
      ['fw:eth1', 'right:eth0'],
    ],
    steps: [
      { from: 'right', ping: '10.30.0.254' },
      { from: 'fw', ping: '10.30.0.1' },
    ],
  };

  it('delivers frames for its address up through br0, with PHYSIN= the port (br_netfilter on, case p60)', () => {
    const { world } = run(bridged);
    const rec = world.records.find((r) => r.host === 'fw' && r.origin === 'ingress')!;
    expect(rec.in).toBe('br0');
    expect(rec.events.map((e) => `${e.table}:${e.chain}:${e.physin}`)).toEqual(['raw:PREROUTING:eth1', 'mangle:PREROUTING:eth1', 'mangle:INPUT:eth1', 'filter:INPUT:eth1', 'security:INPUT:eth1']);
    expect(rec.disposition).toEqual({ verdict: 'local', host: 'fw' });
  });

  it('uses the lowest port MAC as br0\'s address', () => {
    const { world } = run(bridged);
    const fw = world.hosts.get('fw')!;
    expect(world.l2.macOf(fw, 'br0')).toBe(world.macs.get('fw:eth0'));
    const rec = world.records.find((r) => r.host === 'fw' && r.origin === 'ingress')!;
    expect(rec.events[0]!.dstMac).toBe(world.macs.get('fw:eth0'));
  });

  it('sends its own packets through br0 to the port its FDB learned; the oracle cannot see that link', () => {
    const { world, packets } = run(bridged);
    const fw = world.hosts.get('fw')!;
    expect(world.l2.fdbPort(fw, 'br0', world.macs.get('left:eth0')!)).toBe('eth0');
    const echoReply = world.records.find((r) => r.host === 'fw' && r.origin === 'local')!;
    expect(echoReply.notes.find((n) => n.kind === 'transmit')).toMatchObject({ iface: 'br0', port: 'eth1' });
    const out = world.records.filter((r) => r.host === 'fw' && r.origin === 'local');
    expect(out.every((r) => r.receivedBy.length === 1)).toBe(true);
    expect(packets.filter((p) => p.host === 'fw' && p.origin === 'local').map((p) => p.disposition.received_by)).toEqual([[], []]);
  });

  it('bridges a frame DNATed to a host behind the same bridge: no routing, no TTL change (br_nf_pre_routing_finish, case r12)', () => {
    const dnat = structuredClone(bridged);
    dnat.hosts[0]!.setup.push('ip route add default via 10.30.0.254');
    dnat.hosts[1]!.setup.push('sysctl -w net.ipv4.ip_forward=1', 'iptables -t nat -A PREROUTING -d 10.96.0.10 -p tcp -j DNAT --to-destination 10.30.0.2');
    const { world, packets } = run({ ...dnat, listeners: [{ host: 'right', proto: 'tcp', port: 80 }], steps: [{ from: 'left', tcp: '10.96.0.10:80' }] });
    const syn = world.records.find((r) => r.host === 'fw' && r.origin === 'ingress')!;
    expect(syn.events.map((e) => `${e.table}:${e.chain}:${e.in}>${e.out ?? ''}:${e.physout ?? ''}`)).toEqual([
      'raw:PREROUTING:br0>:',
      'mangle:PREROUTING:br0>:',
      'nat:PREROUTING:br0>:',
      'mangle:FORWARD:br0>br0:eth1',
      'filter:FORWARD:br0>br0:eth1',
      'security:FORWARD:br0>br0:eth1',
      'mangle:POSTROUTING:null>br0:eth1',
      'nat:POSTROUTING:null>br0:eth1',
    ]);
    // the FORWARD line's MAC= has the server's address as destination, the client's as source
    expect(syn.events[3]!.dstMac).toBe(world.macs.get('right:eth0'));
    expect(syn.disposition).toEqual({ verdict: 'sent', iface: 'br0', port: 'eth1' });
    const got = ingress(packets, 'right')[0]!.headers as { dst: string; ttl?: number };
    expect(got).toMatchObject({ dst: '10.30.0.2', ttl: 64 });
  });

  it('routes a bridged frame whose address PREROUTING changed; without forwarding it ends there (case r17)', () => {
    const { packets } = run({
      hosts: [
        { name: 'a', setup: ['ip addr add 10.0.0.2/24 dev eth0'] },
        {
          name: 'r',
          setup: ['ip link add br0 type bridge', 'ip link set eth0 master br0', 'ip link set eth1 master br0', 'ip link set br0 up', 'iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.99'],
        },
        { name: 'b', setup: ['ip addr add 10.0.0.3/24 dev eth0'] },
      ],
      links: [['a:eth0', 'r:eth0'], ['r:eth1', 'b:eth0']],
      steps: [{ from: 'a', tcp: '10.0.0.3:22' }],
    });
    const syn = ingress(packets, 'r')[0]!;
    expect(syn.disposition).toEqual({ verdict: 'no_further_hook', reason: 'forwarding_disabled' });
    expect(ingress(packets, 'b')).toEqual([]);
  });

  it('without br_netfilter the frame meets PREROUTING as an ordinary br0 packet, no PHYSIN=', () => {
    const noBrnf = structuredClone(bridged);
    noBrnf.hosts[1]!.setup.push('sysctl -w net.bridge.bridge-nf-call-iptables=0');
    const { world } = run(noBrnf);
    const rec = world.records.find((r) => r.host === 'fw' && r.origin === 'ingress')!;
    expect(rec.in).toBe('br0');
    expect(rec.events.every((e) => e.physin === null)).toBe(true);
    expect(rec.disposition).toEqual({ verdict: 'local', host: 'fw' });
  });
});

describe('broadcast and multicast destinations', () => {
  const net = (steps: Record<string, unknown>[]) =>
    run({
      hosts: [
        { name: 'pc', setup: ['ip addr add 10.5.0.1/24 dev eth0', 'ip route add default via 10.5.0.3', 'ip route add 224.0.0.0/4 dev eth0'] },
        { name: 'rtr', setup: ['ip addr add 10.5.0.3/24 dev eth0', 'ip addr add 10.6.0.1/24 dev eth1', 'sysctl -w net.ipv4.ip_forward=1'] },
        { name: 'remote', setup: ['ip addr add 10.6.0.2/24 dev eth0', 'ip route add default via 10.6.0.1'] },
      ],
      links: [['rtr:eth1', 'remote:eth0']],
      switches: [{ name: 'sw', ports: ['pc:eth0', 'rtr:eth0'] }],
      steps,
    });
  const results = (r: { result: Record<string, unknown> }) => (r.result as { steps: { result: Record<string, unknown> }[] }).steps.map((s) => s.result);

  it('the step programs cannot send to a broadcast address: no SO_BROADCAST (case p67)', () => {
    const r = net([{ from: 'pc', ping: '10.5.0.255' }, { from: 'pc', udp: '10.5.0.255:9' }, { from: 'pc', tcp: '10.5.0.255:80' }, { from: 'pc', ping: '255.255.255.255' }]);
    expect(results(r)).toEqual([
      { result: 'send_error', error: 'EACCES' },
      { result: 'send_error', error: 'EACCES' },
      { connect: 'ENETUNREACH' },
      { result: 'send_error', error: 'EACCES' },
    ]);
    expect(r.packets).toEqual([]);
  });

  it('a directed broadcast is the router\'s own broadcast, and echo requests to it are ignored (case p67)', () => {
    const r = net([{ from: 'remote', ping: '10.5.0.255' }]);
    expect(results(r)).toEqual([{ result: 'timeout' }]);
    expect(r.packets.map((p) => `${p.host}:${p.disposition.verdict}`)).toEqual(['remote:sent', 'rtr:local']);
  });

  it('labels multicast as not modelled', () => {
    const r = net([{ from: 'pc', udp: '224.0.0.251:5353' }]);
    expect((r.result as { warnings: string[] }).warnings).toEqual([expect.stringMatching(/^not modelled: multicast/)]);
  });
});
