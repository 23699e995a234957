// The engine against the real kernel: every oracle case in the fixtures is
// run and compared at level `walk` (what a learner sees) and `full`.
// known-failing.json lists, per level, the cases not yet identical with the
// reason (case name → why); this test fails when an unlisted case differs
// *or* a listed case now passes, so the lists only shrink.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';
import { compareResults, type Level } from './compare';

const dir = join(__dirname, '..', '__fixtures__', 'oracle');
const known = JSON.parse(readFileSync(join(__dirname, 'known-failing.json'), 'utf8')) as Record<Level, Record<string, string>>;
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.kernel.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

const runs = new Map<string, ReturnType<typeof runCase>>();

function differences(name: string, level: Level): string[] {
  const json = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
  const kernel = JSON.parse(readFileSync(join(dir, `${name}.kernel.json`), 'utf8'));
  let r = runs.get(name);
  if (!r) runs.set(name, (r = runCase(json)));
  if (!r.ok) return r.errors.map((e) => `case rejected: ${e}`);
  return compareResults(kernel, r.result, level, 5);
}

describe.each(['walk', 'full'] as const)('oracle cases at level %s', (level) => {
  it.each(cases)('%s', (name) => {
    const diffs = differences(name, level);
    if (name in known[level]) {
      expect(diffs, `${name} now passes at ${level}: remove it from known-failing.json`).not.toEqual([]);
    } else {
      expect(diffs, `${name} differs from the kernel at ${level}`).toEqual([]);
    }
  });

  it('lists only existing cases as known failures', () => {
    expect(Object.keys(known[level]).filter((n) => !cases.includes(n))).toEqual([]);
    // every listed case says why it is listed
    expect(Object.entries(known[level]).filter(([, why]) => typeof why !== 'string' || why.trim() === '')).toEqual([]);
  });
});
