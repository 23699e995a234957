// `npx packetwalk ipvs CASE.json`: runs an IPVS golden case and prints
// {expect, expect_final} as JSON; a bad case exits 1 with a clear message.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'packetwalk.mjs'), ...args], { encoding: 'utf8', cwd: root });
const fixture = (name: string) => join(root, 'src', 'engine', '__fixtures__', 'ipvs', name);

describe('packetwalk ipvs', () => {
  it('prints the expect and expect_final of a case', () => {
    const r = run('ipvs', fixture('wrr-5-3-1.json'));
    expect(r.status).toBe(0);
    const want = JSON.parse(readFileSync(fixture('wrr-5-3-1.json'), 'utf8')) as { expect: unknown; expect_final: unknown };
    expect(JSON.parse(r.stdout)).toEqual({ expect: want.expect, expect_final: want.expect_final });
  });

  it('exits 1 naming the file and the broken field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-'));
    const f = join(dir, 'bad.json');
    writeFileSync(f, JSON.stringify({ service: { proto: 'tcp', vip: '10.0.0.1', vport: 80, scheduler: 'rr' }, servers: [{ addr: 'x', port: 80, weight: 1, mode: 'masq' }], events: [] }));
    const r = run('ipvs', f);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`packetwalk ipvs: ${f}: servers[0].addr must be an IPv4 address`);
  });

  it('exits 1 on a file that is not JSON, and 2 without a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-'));
    const f = join(dir, 'x.json');
    writeFileSync(f, '{');
    expect(run('ipvs', f).status).toBe(1);
    const u = run('ipvs');
    expect(u.status).toBe(2);
    expect(u.stderr).toContain('packetwalk ipvs CASE.json');
  });
});
