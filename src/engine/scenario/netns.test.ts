// Namespaces inside a host: the `ip netns` commands a learner types become
// the form the kernel case ns-01 records (one more host and a veth link), and
// that walks exactly as the kernel did.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';
import { compareResults } from '../conformance/compare';
import { expandNetns, hostScript } from './netns';
import { readCase } from './case-file';
import { scenarioToCase } from '../edit/scenario-edit';
import { World } from '../sim/world';

const dir = join(__dirname, '..', '__fixtures__', 'oracle');
const load = (f: string): Record<string, unknown> => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>;

/** ns-01 as the notes teach it: the namespace made on web with ip netns. */
function ns01AsTyped(): Record<string, unknown> {
  const c = load('ns-01-namespace-veth-to-host.json');
  return {
    ...c,
    hosts: [
      (c.hosts as unknown[])[0],
      {
        name: 'web',
        setup: [
          'ip addr add 192.168.50.1/24 dev eth0',
          'ip netns add app',
          'ip link add veth0 type veth peer name veth1',
          'ip link set veth1 netns app',
          'ip addr add 10.200.0.1/30 dev veth0',
          'ip link set veth0 up',
          'sysctl -w net.ipv4.ip_forward=1',
          'ip netns exec app ip addr add 10.200.0.2/30 dev veth1',
          'ip netns exec app ip link set veth1 up',
          'ip netns exec app ip route add default via 10.200.0.1',
          'ip netns exec app iptables -A INPUT -p tcp --dport 23 -j REJECT --reject-with tcp-reset',
        ],
      },
    ],
    links: [['client:eth0', 'web:eth0']],
  };
}

function problem(setup: string[]): { message: string; span: string } {
  const cmdIndex = setup.length - 1;
  const r = expandNetns({ name: 'n', hosts: [{ name: 'web', setup }] });
  expect(r.problems).toHaveLength(1);
  const p = r.problems[0]!;
  expect(p.command).toBe(cmdIndex);
  return { message: p.diagnostic.message, span: setup[cmdIndex]!.slice(p.diagnostic.from, p.diagnostic.to) };
}

describe('ip netns in a host', () => {
  it('becomes one more host inside it and a veth link, the form ns-01 records', () => {
    const r = expandNetns(ns01AsTyped());
    expect(r.problems).toEqual([]);
    const c = r.value as { hosts: { name: string; in?: string; setup: string[] }[]; links: string[][] };
    expect(c.hosts.map((h) => [h.name, h.in])).toEqual([['client', undefined], ['web', undefined], ['app', 'web']]);
    expect(c.links).toEqual([['client:eth0', 'web:eth0'], ['web:veth0', 'app:veth1']]);
    expect(c.hosts[2]!.setup[0]).toBe('ip link set veth1 down');
    expect(c.hosts[1]!.setup).toContain('ip link set veth0 down');
  });

  it('walks as the kernel did in ns-01, at level full', () => {
    const kernel = load('ns-01-namespace-veth-to-host.kernel.json');
    const r = runCase(ns01AsTyped());
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(compareResults(kernel, r.result, 'full', 5)).toEqual([]);
  });

  it('the recorded case with "in" on the namespace walks as the kernel did, at level full', () => {
    const c = load('ns-01-namespace-veth-to-host.json');
    const hosts = (c.hosts as Record<string, unknown>[]).map((h) => (h.name === 'app' ? { ...h, in: 'web' } : h));
    const r = runCase({ ...c, hosts });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(compareResults(load('ns-01-namespace-veth-to-host.kernel.json'), r.result, 'full', 5)).toEqual([]);
  });

  it('keeps "in" when the case is written back', () => {
    const s = readCase(ns01AsTyped()).value!;
    const c = scenarioToCase(s, new World(s));
    expect(c.hosts.find((h) => h.name === 'app')?.in).toBe('web');
    expect(c.links).toContainEqual(['web:veth0', 'app:veth1']);
  });

  it('a veth pair not yet moved is written back as a veth pair, so it can still be moved', () => {
    const s = readCase({ name: 'n', hosts: [{ name: 'web', setup: ['ip link add veth0 type veth peer name veth1'] }] }).value!;
    const c = scenarioToCase(s, new World(s));
    expect(c.hosts[0]!.setup).toEqual(['ip link add veth0 type veth peer name veth1']);
    const moved = expandNetns({ ...c, hosts: [{ ...c.hosts[0]!, setup: [...c.hosts[0]!.setup!, 'ip netns add app', 'ip link set veth1 netns app'] }] });
    expect(moved.problems).toEqual([]);
    expect((moved.value as { links: unknown }).links).toEqual([['web:veth0', 'app:veth1']]);
  });

  it('moves the end of a case link into the namespace', () => {
    const r = expandNetns({ name: 'n', hosts: [{ name: 'a', setup: [] }, { name: 'web', setup: ['ip netns add app', 'ip link set dev eth1 netns app'] }], links: [['a:eth0', 'web:eth1']] });
    expect((r.value as { links: unknown }).links).toEqual([['a:eth0', 'app:eth1']]);
  });

  it('ip netns del removes the namespace, its veth pair and what ran in it', () => {
    const typed = ns01AsTyped();
    const web = (typed.hosts as { name: string; setup: string[] }[])[1]!;
    const r = expandNetns({ ...typed, hosts: [(typed.hosts as unknown[])[0], { ...web, setup: [...web.setup, 'ip netns del app'] }], steps: [], listeners: [] });
    expect(r.problems).toEqual([]);
    const c = r.value as { hosts: { name: string; setup: string[] }[]; links: string[][] };
    expect(c.hosts.map((h) => h.name)).toEqual(['client', 'web']);
    expect(c.links).toEqual([['client:eth0', 'web:eth0']]);
    expect(c.hosts[1]!.setup.some((x) => x.includes('veth0'))).toBe(false);
  });

  it.each([
    [['ip netns exec nosuch ip a'], 'Cannot open network namespace "nosuch": No such file or directory', 'nosuch'],
    [['ip netns del nosuch'], 'Cannot remove namespace file "/run/netns/nosuch": No such file or directory', 'nosuch'],
    [['ip netns add a/b'], 'Invalid netns name "a/b"', 'a/b'],
    [['ip netns add app', 'ip netns add app'], 'Cannot create namespace file "/run/netns/app": File exists', 'app'],
    [['ip link set veth1 netns nosuch'], 'Error: argument "nosuch" is wrong: Invalid "netns" value', 'nosuch'],
    [['ip netns add app', 'ip link set veth9 netns app'], 'Cannot find device "veth9"', 'veth9'],
    [['ip netns bogus'], 'Command "bogus" is unknown, try "ip netns help".', 'bogus'],
    [['ip netns add'], 'No netns name specified', ''],
  ])('refuses %j with iproute2\'s message on the word at fault', (setup, message, span) => {
    expect(problem(setup)).toEqual({ message, span });
  });

  it('reads the problem into the case reader\'s diagnostics, with the command\'s place', () => {
    const r = readCase({ name: 'n', hosts: [{ name: 'web', setup: ['ip netns exec nosuch ip a'] }] });
    expect(r.value).toBeNull();
    expect(r.diagnostics[0]!.message).toBe('hosts[0].setup[0]: Cannot open network namespace "nosuch": No such file or directory');
  });

  it('refuses "in" naming no host, or a namespace', () => {
    const r = readCase({ name: 'n', hosts: [{ name: 'a', in: 'b' }, { name: 'c' }, { name: 'd', in: 'c' }, { name: 'e', in: 'd' }] });
    expect(r.diagnostics.map((d) => d.message)).toEqual(['hosts[0].in: unknown host "b"', 'hosts[3].in: d is itself a namespace of c']);
  });
});

describe('a host\'s setup written back with its namespaces as ip netns commands', () => {
  const withIn = (): Record<string, unknown> => {
    const c = load('ns-01-namespace-veth-to-host.json');
    return { ...c, hosts: (c.hosts as Record<string, unknown>[]).map((h) => (h.name === 'app' ? { ...h, in: 'web' } : h)) };
  };

  it('makes the namespace and its veth pair first, then runs the namespace\'s commands through ip netns exec', () => {
    const text = hostScript(withIn() as Parameters<typeof hostScript>[0], 'web');
    expect(text.split('\n').slice(0, 5)).toEqual(['ip netns add app', 'ip link add veth0 type veth peer name veth1', 'ip link set veth1 netns app', 'ip link set veth0 up', 'ip netns exec app ip link set veth1 up']);
    expect(text).toContain('ip netns exec app ip route add default via 10.200.0.1\n');
  });

  it('reads back through expandNetns to a case that walks as the kernel did in ns-01, at level full', () => {
    const c = withIn() as { hosts: { name: string; in?: string; setup: string[] }[]; links: [string, string][] };
    const script = hostScript(c, 'web').trimEnd().split('\n');
    const typed = { ...c, hosts: c.hosts.filter((h) => h.in === undefined).map((h) => (h.name === 'web' ? { name: 'web', setup: script } : h)), links: c.links.filter((l) => !l.some((e) => e.startsWith('app:'))) };
    const r = runCase(typed);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(compareResults(load('ns-01-namespace-veth-to-host.kernel.json'), r.result, 'full', 5)).toEqual([]);
  });
});
