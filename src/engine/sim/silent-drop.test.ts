// Packets that disappear with no TRACE line saying why: the disposition the
// oracle infers from the hook of their last event (REPORT.md §6, FORMAT.md
// DISPOSITION), here for a match that hotdrops.

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';

type Pkt = { host: string; origin: string; headers: { flags?: string }; disposition: Record<string, unknown> };

function packets(c: object): Pkt[] {
  const r = runCase(c);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return (r.result as { packets: Pkt[] }).packets;
}

describe('a packet a match hotdrops', () => {
  it('inside a user chain its fate is unknown: the last TRACE line is the jump (analysis.py is_terminal, case r18)', () => {
    const ps = packets({
      name: 'hotdrop-in-chain',
      hosts: [
        { name: 'cli', setup: ['ip addr add 10.0.0.2/24 dev eth0'] },
        { name: 'srv', setup: ['ip addr add 10.0.0.1/24 dev eth0', 'iptables -N CHK', 'iptables -A INPUT -p tcp --dport 80 -j CHK', 'iptables -A CHK -m connlimit --connlimit-upto 5 -j ACCEPT'] },
      ],
      links: [['cli:eth0', 'srv:eth0']],
      listeners: [{ host: 'srv', proto: 'tcp', port: 80 }],
      steps: [{ from: 'cli', tcp: '10.0.0.1:80', data: 'hello' }],
    });
    const rst = ps.find((p) => p.host === 'srv' && p.headers.flags === 'ACK,RST')!;
    expect(rst.disposition).toEqual({ verdict: 'unknown', at: { table: 'filter', chain: 'INPUT', type: 'rule', rulenum: 1 } });
  });
  it('in mangle POSTROUTING "vanished after OUTPUT": connlimit counts 0 for the RST of a connection it just closed (case q103)', () => {
    const ps = packets({
      name: 'hotdrop',
      hosts: [
        { name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0', 'iptables -t mangle -A POSTROUTING -p tcp -m connlimit --connlimit-upto 0 -j ACCEPT'] },
        { name: 'b', setup: ['ip addr add 10.0.0.2/24 dev eth0'] },
      ],
      links: [['a:eth0', 'b:eth0']],
      listeners: [{ host: 'b', proto: 'tcp', port: 22 }],
      steps: [{ from: 'a', tcp: '10.0.0.2:22' }],
    });
    const rst = ps.find((p) => p.host === 'a' && p.headers.flags === 'ACK,RST')!;
    expect(rst.disposition).toEqual({ verdict: 'vanished_after_output', at: { table: 'security', chain: 'OUTPUT', type: 'policy', rulenum: 1 } });
  });
});
