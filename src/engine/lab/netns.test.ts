// `ip netns …` typed in a host's console: the namespace built command by
// command walks as the kernel did in ns-01; `ip netns list` prints what ip
// prints; refusals carry iproute2's words on the word at fault.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab } from './lab';
import { runCase } from '../run-case';
import { compareResults } from '../conformance/compare';

const dir = join(__dirname, '..', '__fixtures__', 'oracle');
const ns01 = JSON.parse(readFileSync(join(dir, 'ns-01-namespace-veth-to-host.json'), 'utf8')) as { hosts: { name: string; setup: string[] }[]; steps: unknown[]; listeners: unknown[] };
const kernel = JSON.parse(readFileSync(join(dir, 'ns-01-namespace-veth-to-host.kernel.json'), 'utf8')) as Record<string, unknown>;

/** client and web of ns-01, web without its namespace yet. */
function open(): Lab {
  const r = Lab.open({ name: 'ns-01-namespace-veth-to-host', hosts: [ns01.hosts[0], { name: 'web', setup: ['ip addr add 192.168.50.1/24 dev eth0', 'sysctl -w net.ipv4.ip_forward=1'] }], links: [['client:eth0', 'web:eth0']] });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.lab;
}

const TYPED = [
  'ip netns add app',
  'ip link add veth0 type veth peer name veth1',
  'ip link set veth1 netns app',
  'ip addr add 10.200.0.1/30 dev veth0',
  'ip link set veth0 up',
  'ip netns exec app ip addr add 10.200.0.2/30 dev veth1',
  'ip netns exec app ip link set veth1 up',
  'ip netns exec app ip route add default via 10.200.0.1',
  'ip netns exec app iptables -A INPUT -p tcp --dport 23 -j REJECT --reject-with tcp-reset',
];

describe('ip netns in the console', () => {
  it('builds ns-01 command by command, and the walk is the kernel\'s at level full', () => {
    const lab = open();
    for (const t of TYPED) {
      const r = lab.edit('web', t);
      expect(r.ok, `${t}: ${JSON.stringify(r.diagnostics)}`).toBe(true);
    }
    expect(lab.hostNames()).toEqual(['client', 'web', 'app']);
    const snap = lab.snapshot();
    expect(snap.hosts.find((h) => h.name === 'app')?.in).toBe('web');
    const r = runCase({ ...snap, listeners: ns01.listeners, steps: ns01.steps });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(compareResults(kernel, r.result, 'full', 5)).toEqual([]);
  });

  it('lists the namespaces newest first, with the peer id of one a veth reaches', () => {
    const lab = open();
    for (const t of ['ip netns add app', 'ip netns add db', 'ip link add veth0 type veth peer name veth1', 'ip link set veth1 netns db']) expect(lab.edit('web', t).ok).toBe(true);
    expect(lab.query('web', 'ip netns list', null, -1)).toEqual({ stdout: 'db (id: 0)\napp\n', stderr: '', exit: 0 });
    expect(lab.query('web', 'ip netns', null, -1)?.stdout).toBe('db (id: 0)\napp\n');
    expect(lab.query('client', 'ip netns list', null, -1)?.stdout).toBe('');
  });

  it('reads a namespace with ip netns exec', () => {
    const lab = open();
    for (const t of TYPED) lab.edit('web', t);
    expect(lab.query('web', 'ip netns exec app ip route show', null, -1)?.stdout).toBe(lab.query('app', 'ip route show', null, -1)?.stdout);
    expect(lab.query('web', 'ip netns exec app ip route show', null, -1)?.stdout).toContain('default via 10.200.0.1 dev veth1');
  });

  it('undoes ip netns add as one version', () => {
    const lab = open();
    lab.edit('web', 'ip netns add app');
    expect(lab.hostNames()).toContain('app');
    lab.undo();
    expect(lab.hostNames()).not.toContain('app');
  });

  it('ip netns del takes the namespace and its veth pair away', () => {
    const lab = open();
    for (const t of TYPED) lab.edit('web', t);
    expect(lab.edit('web', 'ip netns del app').ok).toBe(true);
    expect(lab.hostNames()).toEqual(['client', 'web']);
    expect(lab.config('web')!.net.links.map((l) => l.name)).not.toContain('veth0');
  });

  it.each([
    ['ip netns exec nosuch ip a', 'Cannot open network namespace "nosuch": No such file or directory', 'nosuch'],
    ['  ip link set veth1 netns nosuch', 'Error: argument "nosuch" is wrong: Invalid "netns" value', 'nosuch'],
    ['ip netns add a/b', 'Invalid netns name "a/b"', 'a/b'],
    ['ip netns del nosuch', 'Cannot remove namespace file "/run/netns/nosuch": No such file or directory', 'nosuch'],
  ])('refuses %j and changes nothing', (text, message, word) => {
    const lab = open();
    const before = lab.version;
    const r = lab.edit('web', text);
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]!.message).toBe(message);
    expect(text.slice(r.diagnostics[0]!.from, r.diagnostics[0]!.to)).toBe(word);
    expect(lab.version).toBe(before);
  });

  it('refuses a device the host does not have, on the device', () => {
    const lab = open();
    lab.edit('web', 'ip netns add app');
    const r = lab.edit('web', 'ip link set dev veth9 netns app');
    expect(r.ok ? null : r.diagnostics[0]!.message).toBe('Cannot find device "veth9"');
  });

  it('shows a command\'s own refusal inside the namespace at its place in the whole line', () => {
    const lab = open();
    lab.edit('web', 'ip netns add app');
    const text = 'ip netns exec app ip route add default via 10.9.9.9';
    const r = lab.edit('web', text);
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]!.from).toBeGreaterThanOrEqual(text.indexOf('ip route'));
  });
});

describe('ip netns commands among others in one edit (the namespace form)', () => {
  it('run in order and end as one version', () => {
    const lab = open();
    const before = lab.version;
    const r = lab.editAll('web', TYPED);
    expect(r.ok).toBe(true);
    expect(lab.hostNames()).toEqual(['client', 'web', 'app']);
    expect(lab.past).toBe(1);
    lab.undo();
    expect(lab.hostNames()).toEqual(['client', 'web']);
    expect(lab.version).toBeGreaterThan(before);
  });

  it('change nothing when one is refused, and say which', () => {
    const lab = open();
    const before = lab.version;
    const r = lab.editAll('web', ['ip netns add app', 'ip link set veth9 netns app']);
    expect(r.ok).toBe(false);
    expect(r.ok ? null : 'index' in r ? r.index : null).toBe(1);
    expect(lab.hostNames()).toEqual(['client', 'web']);
    expect(lab.version).toBe(before);
  });
});

describe('the setup export of a host with a namespace', () => {
  it('writes the namespace back as ip netns commands on its host', () => {
    const lab = open();
    lab.editAll('web', TYPED);
    const r = lab.exportText('web', 'setup');
    expect(r.ok ? r.text.split('\n').slice(0, 3) : null).toEqual(['ip netns add app', 'ip link add veth0 type veth peer name veth1', 'ip link set veth1 netns app']);
    expect(r.ok ? r.text : '').toContain('ip netns exec app iptables-restore');
    expect(lab.exportText('nosuch', 'setup').ok).toBe(false);
  });
});
