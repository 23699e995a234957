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
