// The solution bot: for every challenge and several seeds, the reference
// solution meets every goal and each typical wrong solution fails, with the
// goal that names its mistake among the failed ones.

import { describe, expect, it } from 'vitest';
import { CHALLENGES } from './catalog';
import { checkSolution } from './check';

const SEEDS = [0, 1, 7, 2026];

describe.each(CHALLENGES.map((c) => [c.id, c] as const))('challenge %s', (_id, challenge) => {
  it.each(SEEDS)('seed %i: the reference solution meets every goal', (seed) => {
    const c = challenge.build(seed);
    const r = checkSolution(c, c.solution);
    expect(r.ok, r.ok ? '' : JSON.stringify(r.error)).toBe(true);
    if (!r.ok) return;
    expect(r.goals.filter((g) => !g.met).map((g) => `${g.text}: ${g.why.en}`)).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it.each(SEEDS)('seed %i: each wrong solution fails with the goal that explains it', (seed) => {
    const c = challenge.build(seed);
    expect(c.wrong.length).toBeGreaterThanOrEqual(2);
    for (const w of c.wrong) {
      const r = checkSolution(c, w.text);
      expect(r.ok, `${w.mistake.en}: ${r.ok ? '' : JSON.stringify(r.error)}`).toBe(true);
      if (!r.ok) continue;
      expect(r.passed, w.mistake.en).toBe(false);
      const g = r.goals[w.fails]!;
      expect(g.met, `${w.mistake.en}: ${g.text} should fail`).toBe(false);
    }
  });
});
