// Bad input never throws out of the engine and never hangs it: random and
// mutated case files (seeded, so a failure reproduces) run to completion or
// are refused with messages.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCase } from './run-case';

const dir = join(__dirname, '__fixtures__', 'oracle');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.kernel.json'))
  .slice(0, 53)
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>);

const junkWords = ['-j', '!', '--dport', '-p', 'tcp', 'ACCEPT', 'DNAT', '--to-destination', '1.2.3.4:99999', 'via', 'dev', 'eth9', '0/0', '-g', 'INPUT', 'table', '"', "'", '-m', 'u32', '--u32', '0>>22&0x3C@', '-N', 'X', '-A', 'X', '-j', 'X'];

describe('the engine on bad input', () => {
  it('never throws on mutated case files', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: cases.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...junkWords)), { maxLength: 4 }), (ci, edits) => {
        const c = structuredClone(cases[ci]!) as { hosts: { setup: unknown[] }[] };
        for (const [h, k, w] of edits) {
          const host = c.hosts[h % c.hosts.length]!;
          if (!host.setup.length) continue;
          const j = k % host.setup.length;
          const cmd = host.setup[j];
          if (typeof cmd === 'string') {
            const words = cmd.split(' ');
            words.splice(k % (words.length + 1), 0, w);
            host.setup[j] = words.join(' ');
          }
        }
        const r = runCase(c);
        if (!r.ok) expect(r.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 150, seed: 20261126 },
    );
  });

  it('refuses a jump cycle instead of looping', () => {
    const r = runCase({
      name: 'loop',
      hosts: [{ name: 'a', setup: ['iptables -N A', 'iptables -N B', 'iptables -A A -j B', 'iptables -A B -j A', 'iptables -A INPUT -j A'] }, { name: 'b', setup: [] }],
      links: [['a:eth0', 'b:eth0']],
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toMatch(/Too many levels of symbolic links/);
  });

  it('ends a forwarding loop between two routers', () => {
    const r = runCase({
      name: 'routing-loop',
      hosts: [
        { name: 'c', setup: ['ip addr add 10.1.0.2/24 dev eth0', 'ip route add default via 10.1.0.1'] },
        { name: 'a', setup: ['ip addr add 10.1.0.1/24 dev eth1', 'ip addr add 10.0.0.1/24 dev eth0', 'sysctl -w net.ipv4.ip_forward=1', 'ip route add 192.0.2.0/24 via 10.0.0.2'] },
        { name: 'b', setup: ['ip addr add 10.0.0.2/24 dev eth0', 'sysctl -w net.ipv4.ip_forward=1', 'ip route add 192.0.2.0/24 via 10.0.0.1', 'ip route add 10.1.0.0/24 via 10.0.0.1'] },
      ],
      links: [['c:eth0', 'a:eth1'], ['a:eth0', 'b:eth0']],
      steps: [{ from: 'c', ping: '192.0.2.1' }],
    });
    expect(r.ok).toBe(true);
    if (r.ok) {
      const packets = r.result.packets as { disposition: { reason?: string } }[];
      // TTL runs out after 64 hops and the last router says so
      expect(packets.some((p) => p.disposition.reason === 'ttl_exceeded')).toBe(true);
    }
  });
});
