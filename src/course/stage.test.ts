// Presenter mode reveals the reference solution a line at a time: the start
// with no line shown does not pass, every stage opens as a case, and the
// stage with every line shown passes all goals, for every challenge.

import { describe, expect, it } from 'vitest';
import { Lab } from '../engine/lab/lab';
import { CHALLENGES, challengeInstance } from './catalog';
import { checkLab } from './check';
import { challengeStage, solutionLines } from './stage';
import type { ChallengeInstance } from './types';

function goalsAt(c: ChallengeInstance, k: number) {
  const stage = challengeStage(c, k);
  const opened = Lab.open(stage.case);
  if (!opened.ok) throw new Error(opened.errors.join('; '));
  return { stage, check: checkLab(c, opened.lab, { commands: stage.commands, answer: stage.answer }) };
}

describe('challengeStage', () => {
  it('shows the solution one line at a time, with the commands applied to the start', () => {
    const c = challengeInstance('ssh-only', 0)!;
    const lines = solutionLines(c);
    expect(lines.length).toBeGreaterThan(1);
    const first = challengeStage(c, 1);
    expect(first.shown).toEqual([lines[0]]);
    expect(first.total).toBe(lines.length);
    expect(first.commands).toBe(1);
    // the case holds the command: the stage's setup differs from the start's
    expect(JSON.stringify(first.case.hosts)).not.toBe(JSON.stringify(challengeStage(c, 0).case.hosts));
    expect(first.case.steps).toEqual(c.start.steps);
  });

  it('clamps k to the solution: below 0 is the start, past the end is the whole solution', () => {
    const c = challengeInstance('block-ping', 0)!;
    expect(challengeStage(c, -3).shown).toEqual([]);
    expect(challengeStage(c, 99).shown).toEqual(solutionLines(c));
  });

  it('a predict-the-path challenge reveals its answer as its one line', () => {
    const c = challengeInstance('chains-forward', 0)!;
    expect(solutionLines(c)).toHaveLength(1);
    expect(challengeStage(c, 0).answer).toBeNull();
    const s = challengeStage(c, 1);
    expect(s.answer).toBe(solutionLines(c)[0]!.text);
    expect(s.commands).toBe(0);
  });

  it('for every challenge: nothing revealed does not pass, everything revealed passes every goal', () => {
    expect(CHALLENGES.length).toBeGreaterThanOrEqual(30);
    for (const entry of CHALLENGES) {
      const c = entry.build(0);
      const total = solutionLines(c).length;
      expect(goalsAt(c, 0).check.passed, `${c.id} at its start`).toBe(false);
      const all = goalsAt(c, total).check;
      expect(all.goals.filter((g) => !g.met).map((g) => `${c.id}: ${g.text}: ${g.why.en}`)).toEqual([]);
    }
  });
});
