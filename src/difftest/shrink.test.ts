// Shrinking keeps what the divergence needs and cuts the rest.

import { describe, expect, it } from 'vitest';
import type { CaseJson } from './case-json';
import { clauses, reductions, shrink } from './shrink';

const big: CaseJson = {
  name: 'big',
  hosts: [
    { name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0', 'iptables -A INPUT -p tcp -m tcp --dport 22 -m comment --comment "ssh in" -j REJECT --reject-with tcp-reset', 'iptables -A INPUT -p udp -j ACCEPT'] },
    { name: 'b', setup: ['ip addr add 10.0.0.2/24 dev eth0', { 'iptables-restore': '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.1 -j DROP\n-A INPUT -p icmp -j ACCEPT\nCOMMIT\n', noflush: true }] },
    { name: 'c', setup: ['ip addr add 10.0.0.3/24 dev eth0'] },
  ],
  switches: [{ name: 's', ports: ['a:eth0', 'b:eth0', 'c:eth0'] }],
  listeners: [{ host: 'a', proto: 'tcp', port: 22 }],
  steps: [
    { from: 'b', tcp: '10.0.0.1:22', data: 'hi', close: 'fin' },
    { from: 'c', ping: '10.0.0.1' },
  ],
};

/** "diverges" while host a still has a REJECT rule with --dport 22 and some step goes to a */
async function needsReject(c: CaseJson): Promise<boolean> {
  const a = c.hosts.find((h) => h.name === 'a');
  const rule = a?.setup.some((s) => typeof s === 'string' && s.includes('REJECT') && s.includes('--dport 22'));
  return Boolean(rule) && c.steps.some((s) => (s.tcp ?? s.ping ?? '').startsWith('10.0.0.1'));
}

describe('shrink', () => {
  it('cuts hosts, steps, listeners, setup lines and rule clauses the divergence does not need', async () => {
    const r = await shrink(big, needsReject);
    // host a with its rule, and one sender of a step to it
    expect(r.case.hosts.map((h) => h.name)).toContain('a');
    expect(r.case.hosts).toHaveLength(2);
    expect(r.case.hosts[0]!.setup).toHaveLength(1);
    const rule = r.case.hosts[0]!.setup[0] as string;
    expect(rule).toContain('--dport 22');
    expect(rule).toContain('REJECT');
    expect(rule).not.toContain('comment');
    expect(r.case.listeners).toEqual([]);
    expect(r.case.steps).toHaveLength(1);
    expect(await needsReject(r.case)).toBe(true);
  });

  it('stops at the budget of predicate calls', async () => {
    let calls = 0;
    const r = await shrink(big, async () => (calls++, false), 5);
    expect(calls).toBe(5);
    expect(r.calls).toBe(5);
    expect(r.case).toEqual(big);
  });

  it('offers one-cut candidates that leave the original untouched', () => {
    const before = JSON.stringify(big);
    const all = [...reductions(big)];
    expect(all.length).toBeGreaterThan(15);
    expect(all.some((c) => c.what === 'drop host c')).toBe(true);
    expect(all.some((c) => /line \d+$/.test(c.what))).toBe(true);
    expect(JSON.stringify(big)).toBe(before);
  });
});

describe('clauses', () => {
  it('splits a rule at its options, keeping ! with the option it negates', () => {
    expect(clauses(['-A', 'INPUT', '!', '-s', '10.0.0.1', '-p', 'tcp', '-m', 'tcp', '--dport', '22', '-j', 'LOG', '--log-prefix', 'x y'])).toEqual([
      ['-A', 'INPUT'], ['!', '-s', '10.0.0.1'], ['-p', 'tcp'], ['-m', 'tcp'], ['--dport', '22'], ['-j', 'LOG'], ['--log-prefix', 'x y'],
    ]);
  });
});
