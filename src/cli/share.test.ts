// `npx packetwalk share CASE.json` as a user runs it, through bin/.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeShare } from '../share/link';

const root = join(__dirname, '..', '..');
const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'packetwalk.mjs'), ...args], { encoding: 'utf8', cwd: root });
const PORT_FORWARD = join(root, 'src', 'scenarios', 'port-forward.json');

function tmpFile(name: string, text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'pw-share-')), name);
  writeFileSync(f, text);
  return f;
}

describe('packetwalk share', () => {
  it('prints the link path and hash that open the case', () => {
    const r = run('share', PORT_FORWARD);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const line = r.stdout.trimEnd();
    expect(line).toMatch(/^\/#s=1\.d\.[A-Za-z0-9_-]+$/);
    expect(r.stdout.endsWith('\n')).toBe(true);
    const back = decodeShare(line);
    expect(back.ok && back.state.scenario).toEqual(JSON.parse(readFileSync(PORT_FORWARD, 'utf8')));
  });

  it('puts --step and --lang into the readable part', () => {
    const r = run('share', PORT_FORWARD, '--step', '12', '--lang', 'zh');
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd()).toMatch(/&step=12&lang=zh$/);
  });

  it('exits 1 with a clear message for a file that is not JSON', () => {
    const r = run('share', tmpFile('bad.json', '{"name": "x", hosts: }'));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^packetwalk share: .*bad\.json: not JSON: /);
  });

  it('exits 1 and says where, for a case the app would refuse', () => {
    const c = JSON.parse(readFileSync(PORT_FORWARD, 'utf8'));
    c.listeners[0].port = 70000;
    const r = run('share', tmpFile('port.json', JSON.stringify(c)));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('invalid: listeners[0].port: must be ≤ 65535');
  });

  it('exits 1 for a missing file', () => {
    const r = run('share', join(tmpdir(), 'does-not-exist-packetwalk.json'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('does-not-exist-packetwalk.json');
  });

  it('exits 2 with the usage for a missing file argument or a bad option', () => {
    expect(run('share').status).toBe(2);
    const r = run('share', PORT_FORWARD, '--lang', 'fr');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('packetwalk share CASE.json');
  });
});
