// The course against the real kernel: every challenge the kernel can run
// (seed 0, reference solution applied) is a recorded oracle case, generated
// from the catalog by scripts/course-oracle.ts. The engine's run of each is
// identical to the kernel's at `full`, and the case files are exactly what
// the catalog generates now, so a changed challenge cannot keep a stale recording.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCase } from '../engine/run-case';
import { compareResults } from '../engine/conformance/compare';
import { CHALLENGES } from './catalog';
import { oracleCase } from './oracle-case';

const dir = join(__dirname, '__fixtures__', 'oracle');
const kernelChallenges = CHALLENGES.map((c) => c.build(0)).filter((c) => c.kernel);

describe('the course’s oracle cases', () => {
  it('has a recorded case for every challenge the kernel can run, and no other', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.kernel.json'));
    expect(files.sort()).toEqual(kernelChallenges.map((c) => `course-${c.id}.kernel.json`).sort());
    expect(kernelChallenges.length).toBeGreaterThanOrEqual(25);
  });

  it.each(kernelChallenges.map((c) => [c.id, c] as const))('%s: the case is what the catalog generates, and the engine walks it as the kernel did (full)', (id, c) => {
    const file = join(dir, `course-${id}.json`);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    expect(stored).toEqual(oracleCase(c));
    expect(existsSync(file.replace(/\.json$/, '.kernel.json'))).toBe(true);
    const kernel = JSON.parse(readFileSync(file.replace(/\.json$/, '.kernel.json'), 'utf8'));
    expect(kernel.warnings ?? []).toEqual([]);
    const r = runCase(stored);
    expect(r.ok, r.ok ? '' : r.errors.join('; ')).toBe(true);
    if (!r.ok) return;
    expect(compareResults(kernel, r.result, 'full', 5)).toEqual([]);
  });
});
