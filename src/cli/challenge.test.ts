// `npx packetwalk challenge` as a user runs it: the solution bot's JSON, a
// solution file checked against a challenge, the start case, and clear
// messages with line and column for what cannot run.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHALLENGES } from '../course/catalog';

const root = join(__dirname, '..', '..');
const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'packetwalk.mjs'), 'challenge', ...args], { encoding: 'utf8', cwd: root });

function file(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'pw-')), 'solution.txt');
  writeFileSync(f, text);
  return f;
}

const SSH = '# host server\niptables -A INPUT -i lo -j ACCEPT\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -P INPUT DROP\n';

describe('packetwalk challenge', () => {
  it('--all --json prints one object per challenge, each passing the bot', () => {
    const r = run('--all', '--json');
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows.map((x) => x.id)).toEqual(CHALLENGES.map((c) => c.id));
    for (const x of rows) {
      expect(Object.keys(x)).toEqual(['id', 'title_en', 'title_zh', 'goals', 'reference_passes', 'wrong_solutions_fail']);
      expect(x).toMatchObject({ reference_passes: true, wrong_solutions_fail: true });
      expect(x.goals).toBeGreaterThan(0);
    }
  }, 120_000);

  it('--check prints each goal with whether it is met and why', () => {
    const r = run('ssh-only', '--check', file(SSH));
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.id).toBe('ssh-only');
    expect(out.passed).toBe(true);
    expect(out.goals.map((g: { goal: string }) => g.goal)).toEqual(['outcome(probe 1, established)', 'dropped(probe 2 request, at: server filter INPUT policy)', 'outcome(probe 3, reply)', 'commands ≤ 4']);
    expect(out.goals[1].why).toMatch(/^probe 2 request ends where the goal says \(step \d+ on server: dropped by filter:INPUT policy 3\)$/);
  });

  it('--check names the failing goal of a wrong solution, in Chinese with --lang zh', () => {
    const r = run('ssh-only', '--check', file('# host server\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -P INPUT DROP\n'), '--seed', '4', '--lang', 'zh');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.passed).toBe(false);
    expect(out.goals[2]).toMatchObject({ goal: 'outcome(probe 3, reply)', met: false });
    expect(out.goals[2].why).toContain('而不是 reply');
  });

  it('--start prints the start case, seeded', () => {
    const a = JSON.parse(run('shadowed-rule', '--start', '--seed', '1').stdout);
    const b = JSON.parse(run('shadowed-rule', '--start', '--seed', '2').stdout);
    expect(a.name).toBe('shadowed-rule');
    expect(a.hosts.map((h: { name: string }) => h.name)).toEqual(['admin', 'guest', 'server']);
    expect(a).not.toEqual(b);
    expect(JSON.parse(run('shadowed-rule', '--start', '--seed', '1').stdout)).toEqual(a);
  });

  it('says which line and column of the file a tool refused', () => {
    const r = run('ssh-only', '--check', file('# host server\n\n  iptables -A INPUT -p tcpp -j ACCEPT\n'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/solution\.txt:3:24: server: iptables v1\.8\.9 \(legacy\): unknown protocol "tcpp" specified/);
  });

  it('refuses an unknown host, a tool the challenge does not allow, an unknown id and an unreadable file', () => {
    expect(run('ssh-only', '--check', file('# host web\n')).stderr).toMatch(/:1:8: no host named web \(hosts: client, server\)/);
    expect(run('ssh-only', '--check', file('ip route add default via 10.0.0.1\n')).stderr).toMatch(/:1:1: ip: not allowed here \(this challenge allows iptables\)/);
    const unknown = run('no-such', '--start');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('no challenge named "no-such"');
    const missing = run('ssh-only', '--check', '/nonexistent/solution.txt');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('/nonexistent/solution.txt: ENOENT');
  });

  it('exits 2 with the usage on bad arguments', () => {
    for (const args of [[], ['ssh-only'], ['ssh-only', '--start', '--seed', 'x'], ['--all', 'ssh-only'], ['ssh-only', '--check']]) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('usage:');
    }
  });
});
