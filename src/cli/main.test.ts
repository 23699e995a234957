// The command line as a user runs it: `npx packetwalk ...` through bin/.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'packetwalk.mjs'), ...args], { encoding: 'utf8', cwd: root });

describe('packetwalk iptables-save', () => {
  it('prints a dump back as iptables 1.8.9 saves it after iptables-restore --counters', () => {
    const r = run('iptables-save', '--counters', join(__dirname, '__fixtures__', 'iptsem-loft-rfc2544.rules'));
    expect(r.status).toBe(0);
    const want = readFileSync(join(__dirname, '__fixtures__', 'iptsem-loft-rfc2544.rules.saved'), 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('\n');
    expect(r.stdout).toBe(want);
  });

  it('adds rule counters with -c', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-'));
    const f = join(dir, 'in.rules');
    writeFileSync(f, '*filter\n:INPUT DROP [5:300]\n[7:420] -A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n');
    const r = run('iptables-save', '--counters', '-c', f);
    expect(r.stdout).toBe('*filter\n:INPUT DROP [5:300]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n[7:420] -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n');
  });

  it('exits non-zero with iptables-restore\'s message and the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-'));
    const f = join(dir, 'bad.rules');
    writeFileSync(f, '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT --bogus -j DROP\nCOMMIT\n');
    const r = run('iptables-save', f);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown option "--bogus"');
    expect(r.stderr).toContain('Error occurred at line: 4');
  });
});

describe('packetwalk trace', () => {
  it('prints the oracle result format for a case file', () => {
    const r = run('trace', join(root, 'src', 'engine', '__fixtures__', 'oracle', '05-block-ping.json'));
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { format: string; packets: unknown[]; trace_log: unknown[] };
    expect(out.format).toBe('nfo-kernel/1');
    expect(out.packets.length).toBeGreaterThan(0);
  });

  it('labels a case with VLAN devices as modelled from kernel source, on stderr', () => {
    const r = run('trace', join(root, 'src', 'gallery', 'scenarios', 'vlan-interface.json'));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'nfo-kernel/1' });
    expect(r.stderr).toContain('packetwalk: VLAN devices (router, pc10, pc20): modelled from kernel source (net/8021q)');
  });

  it('prints what is not modelled on stderr, one line each, and leaves stdout the oracle format', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-'));
    const f = join(dir, 'c.json');
    writeFileSync(
      f,
      JSON.stringify({
        name: 'labels',
        hosts: [{ name: 'a', setup: ['iptables -A INPUT -m set --match-set blocked src -j DROP', 'iptables -A OUTPUT -m cgroup --path / -j ACCEPT'] }],
        steps: [{ from: 'a', ping: '127.0.0.1' }],
      }),
    );
    const r = run('trace', f);
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { format: string }).format).toBe('nfo-kernel/1');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      'packetwalk: not modelled: -m set: ipset contents are not modelled (no set has members), so for --match-set blocked the match never holds (host a, setup[0], filter -A INPUT -m set --match-set blocked src -j DROP)',
      'packetwalk: not modelled: -m cgroup: socket cgroups are not modelled: the match never holds (host a, setup[1], filter -A OUTPUT -m cgroup --path "/" -j ACCEPT)',
    ]);
  });

  it('says on stderr that GRE/IPIP tunnels are modelled from kernel source, and nothing for VXLAN (checked on a kernel)', () => {
    const gre = run('trace', join(root, 'src', 'gallery', 'scenarios', 'gre-two-sites.json'));
    expect(gre.status).toBe(0);
    expect(gre.stderr).toBe(
      "packetwalk: GRE/IPIP tunnels (sitea:tun0 gre, siteb:tun0 gre) are modelled from kernel source (net/ipv4/ip_gre.c, ipip.c, ip_tunnel.c): this machine's kernel has neither to check them against\n",
    );
    expect(run('trace', join(root, 'src', 'engine', '__fixtures__', 'oracle', 'vxlan-p2p-ping.json')).stderr).toBe('');
  });

  it('prints nothing on stderr for a case the engine models completely', () => {
    expect(run('trace', join(root, 'src', 'engine', '__fixtures__', 'oracle', '05-block-ping.json')).stderr).toBe('');
  });

  it('refuses a case with a broken command, naming host, command and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-'));
    const f = join(dir, 'c.json');
    writeFileSync(f, JSON.stringify({ name: 'x', hosts: [{ name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth9'] }] }));
    const r = run('trace', f);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/host a setup\[0\]: line 1, column \d+: Cannot find device "eth9"/);
  });
});

describe('packetwalk trace on a case that would never end', () => {
  const twoHosts = (setup: unknown[], steps: unknown[]) => ({
    name: 'attack',
    hosts: [
      { name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0'] },
      { name: 'b', setup: ['ip addr add 10.0.0.2/24 dev eth0', ...setup] },
    ],
    links: [['a:eth0', 'b:eth0']],
    steps,
  });
  const ping = { from: 'a', ping: '10.0.0.2' };
  const file = (c: unknown) => {
    const f = join(mkdtempSync(join(tmpdir(), 'pw-')), 'c.json');
    writeFileSync(f, JSON.stringify(c));
    return f;
  };

  it('stops 30 chains that each jump twice to the next (a 2 KB case, 2^30 rule visits) with one line and exit 1', () => {
    const setup = Array.from({ length: 30 }, (_, i) => `iptables -N C${i}`);
    for (let i = 0; i < 29; i++) setup.push(`iptables -A C${i} -j C${i + 1}`, `iptables -A C${i} -j C${i + 1}`);
    setup.push('iptables -A INPUT -j C0');
    const f = file(twoHosts(setup, [ping]));
    const r = run('trace', f);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `packetwalk: ${f}: work budget exhausted: more than 300,000 TRACE events (step 1, packet 2, host b, filter INPUT chain C29); the simulation stopped there and kept what it had walked\n`,
    );
  }, 120_000);

  it('stops 10,000 traffic steps with one line and exit 1', () => {
    const f = file(twoHosts([], Array.from({ length: 10_000 }, () => ping)));
    const r = run('trace', f);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`packetwalk: ${f}: work budget exhausted: more than 2,500 traffic steps (step 2501); the simulation stopped there and kept what it had walked\n`);
  }, 120_000);

  it('walks a 3,000-deep chain of jumps like the kernel, without a stack overflow', () => {
    const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
    for (let i = 0; i < 3000; i++) lines.push(`:C${i} - [0:0]`);
    for (let i = 0; i < 2999; i++) lines.push(`-A C${i} -j C${i + 1}`);
    lines.push('-A INPUT -j C0', 'COMMIT', '');
    const f = file(twoHosts([{ 'iptables-restore': lines.join('\n') }], [ping]));
    // its trace is a few MB: more than spawnSync's default buffer
    const r = spawnSync(process.execPath, [join(root, 'bin', 'packetwalk.mjs'), 'trace', f], { encoding: 'utf8', cwd: root, maxBuffer: 256 * 1024 * 1024 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { steps: { result: unknown }[] }).steps[0]!.result).toEqual({ result: 'reply', from: '10.0.0.2' });
  }, 120_000);
});
