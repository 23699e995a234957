// pattern: Functional Core
// -j CT --helper in a host's walk: a modelled helper shows in conntrack -L;
// one the simulation does not model is attached too, and the walk says so.

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';

function run(helper: string, proto: 'tcp' | 'udp', port: number) {
  const r = runCase({
    name: 'ct-helper',
    hosts: [
      { name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0', `iptables -t raw -A OUTPUT -p ${proto} --dport ${port} -j CT --helper ${helper}`] },
      { name: 'b', setup: ['ip addr add 10.0.0.2/24 dev eth0'] },
    ],
    links: [['a:eth0', 'b:eth0']],
    listeners: [{ host: 'b', proto, port }],
    steps: [proto === 'tcp' ? { from: 'a', tcp: `10.0.0.2:${port}` } : { from: 'a', udp: `10.0.0.2:${port}` }],
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.world;
}

describe('CT --helper in the walk', () => {
  it('attaches the helper to the connection the packet creates', () => {
    const w = run('tftp', 'udp', 69);
    const ct = w.stepOutcomes[0]!.conntrack.a as { reply: { helper?: string } }[];
    expect(ct.map((e) => e.reply.helper)).toEqual(['tftp']);
    expect(w.records[0]!.note).toBeUndefined();
  });

  it('labels a helper the simulation does not model', () => {
    const w = run('irc', 'tcp', 6667);
    const ct = w.stepOutcomes[0]!.conntrack.a as { reply: { helper?: string } }[];
    expect(ct.map((e) => e.reply.helper)).toEqual(['irc']);
    expect(w.records[0]!.note).toMatch(/^not modelled: the irc conntrack helper/);
  });
});
