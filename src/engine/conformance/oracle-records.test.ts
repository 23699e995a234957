// pattern: Imperative Shell
// The oracle cuts a packet in two where its analysis cannot continue it
// (oracle-records.ts): after an unconditional RETURN in a built-in chain,
// printed as a policy line. The engine's own records stay whole for the
// app; only the oracle-format result shows the pieces (case q45).

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';

type Pkt = { id: number; host: string; origin: string; from_packet: number | null; events: { table: string; chain: string; type: string; rulenum: number }[]; disposition: Record<string, unknown> };

function run(serverRules: string[]) {
  const r = runCase({
    name: 'split',
    hosts: [
      { name: 'client', setup: ['ip addr add 10.0.0.2/24 dev eth0'] },
      { name: 'server', setup: ['ip addr add 10.0.0.1/24 dev eth0', ...serverRules] },
    ],
    links: [['client:eth0', 'server:eth0']],
    steps: [{ from: 'client', ping: '10.0.0.1' }],
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const res = r.result as { packets: Pkt[]; steps: { packets: number[] }[] };
  const names = (p: Pkt) => p.events.map((e) => `${e.table}:${e.chain}:${e.type}:${e.rulenum}`);
  return { res, world: r.world, server: res.packets.filter((p) => p.host === 'server'), names };
}

describe('the oracle cuts a packet', () => {
  it('after a RETURN in a built-in chain printed as policy: the first piece reached no further hook, the second has no sender', () => {
    const { server, names, res } = run(['iptables -t mangle -A PREROUTING -j RETURN']);
    const [a, b] = server;
    expect(names(a!)).toEqual(['raw:PREROUTING:policy:1', 'mangle:PREROUTING:policy:1']);
    expect(a!.disposition).toEqual({ verdict: 'no_further_hook', reason: 'unknown' });
    expect(a!.from_packet).not.toBeNull();
    expect(names(b!)[0]).toBe('mangle:PREROUTING:policy:2');
    expect(b!).toMatchObject({ origin: 'ingress', from_packet: null, disposition: { verdict: 'local', host: 'server' } });
    expect(res.steps[0]!.packets).toEqual(res.packets.map((p) => p.id));
  });

  it('in OUTPUT: the first piece vanished after OUTPUT, the second is the one sent', () => {
    const { server } = run(['iptables -t mangle -A OUTPUT -j RETURN']);
    const reply = server.filter((p) => p.origin === 'local');
    expect(reply.map((p) => p.disposition.verdict)).toEqual(['vanished_after_output', 'sent']);
  });

  it('not after a RETURN that has a match: that prints as a rule', () => {
    const { server } = run(['iptables -t mangle -A PREROUTING -p icmp -j RETURN']);
    expect(server).toHaveLength(2);
  });

  it('leaves the engine\'s own records whole', () => {
    const { world } = run(['iptables -t mangle -A PREROUTING -j RETURN']);
    expect(world.records.filter((r) => r.host === 'server')).toHaveLength(2);
  });
});

describe('with options.conntrack "on" the oracle does not see', () => {
  function result(serverRules: string[], step: Record<string, unknown>) {
    const r = runCase({
      name: 'ct-on',
      options: { conntrack: 'on' },
      hosts: [
        { name: 'client', setup: ['ip addr add 10.0.0.2/24 dev eth0'] },
        { name: 'server', setup: ['ip addr add 10.0.0.1/24 dev eth0', ...serverRules] },
      ],
      links: [['client:eth0', 'server:eth0']],
      steps: [{ from: 'client', ...step }],
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    return { res: r.result as { packets: (Pkt & { headers: { proto: string } })[] }, world: r.world };
  }

  it('an answer tied to the offending packet\'s connection: no server record, no response, a client record from no one', () => {
    const { res, world } = result(['iptables -A INPUT -p tcp -j REJECT --reject-with icmp-host-prohibited'], { tcp: '10.0.0.1:80' });
    const server = res.packets.filter((p) => p.host === 'server');
    expect(server.map((p) => p.origin)).toEqual(['ingress']);
    expect(server[0]!.disposition).not.toHaveProperty('response');
    const icmp = res.packets.find((p) => p.host === 'client' && p.headers.proto === 'icmp')!;
    expect(icmp.from_packet).toBeNull();
    // the engine's own records keep the answer, for the app
    expect(world.records.some((r) => r.host === 'server' && r.origin === 'local')).toBe(true);
  });

  it('but a UDP port unreachable, made after the stack reset the conntrack', () => {
    const { res } = result([], { udp: '10.0.0.1:53' });
    expect(res.packets.filter((p) => p.host === 'server').map((p) => p.origin)).toEqual(['ingress', 'local']);
  });
});
