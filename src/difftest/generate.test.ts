// The scenario generator: valid case files the engine takes as written,
// the same case for the same (seed, index), and variety across the grammar.

import { describe, expect, it } from 'vitest';
import { generateCase, harnessMacs } from './generate';
import { caseFeatures } from './coverage';
import { readCase } from '../engine/scenario/case-file';
import { World } from '../engine/sim/world';

const HOST_RE = /^[a-z][a-z0-9_]{0,14}$/;
const IF_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,14}$/;
const SAMPLE = Array.from({ length: 120 }, (_, i) => i);

describe('generateCase', () => {
  it('gives the same case for the same seed and index, whatever was generated before', () => {
    const a = generateCase(7, 42);
    for (let i = 0; i < 5; i++) generateCase(7, i);
    const b = generateCase(7, 42);
    expect(JSON.stringify(b)).toEqual(JSON.stringify(a));
  });

  it('gives different cases for different indices and seeds', () => {
    const cases = new Set([0, 1, 2, 3, 4].map((i) => JSON.stringify(generateCase(1, i).case.hosts)));
    expect(cases.size).toBe(5);
    expect(JSON.stringify(generateCase(2, 0).case.hosts)).not.toEqual(JSON.stringify(generateCase(1, 0).case.hosts));
  });

  it.each(SAMPLE)('case %i is a valid oracle case file (FORMAT.md §1)', (i) => {
    const c = generateCase(11, i).case;
    expect(c.name).toBe(`d11-${String(i).padStart(4, '0')}`);
    const names = c.hosts.map((h) => h.name);
    expect(names.every((n) => HOST_RE.test(n))).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    const endpoints = [...(c.links ?? []).flat(), ...(c.switches ?? []).flatMap((s) => s.ports)];
    // each endpoint once, each on a known host, interface names as the harness allows
    expect(new Set(endpoints).size).toBe(endpoints.length);
    for (const ep of endpoints) {
      const [h, i2] = ep.split(':') as [string, string];
      expect(names).toContain(h);
      expect(IF_RE.test(i2) && i2 !== 'lo').toBe(true);
    }
    for (const l of c.listeners ?? []) expect(names).toContain(l.host);
    expect(c.steps.length).toBeGreaterThan(0);
    for (const s of c.steps) expect(names).toContain(s.from);
    // a source NAT port range the connection's port is outside of is searched from a random start
    expect(JSON.stringify(c)).not.toMatch(/-j (MASQUERADE --to-ports|SNAT --to-source [\d.]+:)\d+-\d+/);
    for (const h of c.hosts) {
      for (const cmd of h.setup) {
        if (typeof cmd !== 'string') continue;
        expect(cmd).not.toMatch(/\bnetns\b/);
        if (cmd.startsWith('sysctl')) expect(cmd).toMatch(/^sysctl -w net\.(ipv4|netfilter)\./);
        else expect(cmd).toMatch(/^(ip|iptables) /);
        // the oracle cannot read back a rule with neither match nor target ("[0:0] -A INPUT")
        expect(cmd).not.toMatch(/^iptables (-t \S+ )?-[AI] \S+( \d+)?$/);
      }
    }
  });

  it.each(SAMPLE)('case %i is accepted by the engine without an error', (i) => {
    const parsed = readCase(generateCase(11, i).case);
    expect(parsed.diagnostics).toEqual([]);
    const world = new World(parsed.value!);
    const errors = world.diagnostics.flatMap((d) => d.diagnostics.filter((x) => x.severity === 'error').map((x) => `${d.host}[${d.command}]: ${x.message}`));
    expect(errors).toEqual([]);
  });

  it('covers the grammar over a few hundred cases: every archetype, step kind and the common matches and targets', () => {
    const seen = new Set<string>();
    const intents = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const g = generateCase(3, i);
      for (const f of caseFeatures(g.case)) seen.add(f);
      for (const x of g.intent) intents.add(x);
    }
    for (const a of ['pair', 'soho', 'router', 'chain', 'lan', 'bridge', 'single', 'twolegs', 'ecmp']) expect(intents).toContain(a);
    for (const f of [
      'step:ping', 'step:tcp', 'step:udp', 'step:packet', 'step:tcp close fin', 'step:repeated flow',
      'match:conntrack', 'match:tcp', 'match:multiport', 'match:owner', 'match:physdev', 'match:recent', 'match:connlimit',
      'target:DNAT', 'target:SNAT', 'target:MASQUERADE', 'target:REDIRECT', 'target:NETMAP', 'target:REJECT', 'target:LOG',
      'target:MARK', 'target:CONNMARK', 'target:CT', 'target:NOTRACK', 'target:TCPMSS', 'target:TTL', 'target:TOS', 'target:DSCP',
      'target:RETURN', 'target:goto-user-chain', 'route-type:unreachable', 'route-type:blackhole', 'route-type:prohibit',
      'rule-selector:fwmark', 'rule-selector:from', 'link:bridge', 'addr:on-bridge', 'setup:iptables-restore',
      'sysctl:ip_forward=1', 'topology:switch',
    ]) expect(seen, f).toContain(f);
  });
});

describe('harnessMacs', () => {
  it('numbers interfaces per host in link order, then switch order (FORMAT.md §1.1)', () => {
    const m = harnessMacs({ name: 'x', hosts: [{ name: 'a', setup: [] }, { name: 'b', setup: [] }], links: [['a:eth0', 'b:eth0']], switches: [{ name: 's', ports: ['b:eth1', 'a:eth1'] }], steps: [] });
    expect(Object.fromEntries(m)).toEqual({ 'a:eth0': '02:00:00:00:01:01', 'b:eth0': '02:00:00:00:02:01', 'b:eth1': '02:00:00:00:02:02', 'a:eth1': '02:00:00:00:01:02' });
  });
});
