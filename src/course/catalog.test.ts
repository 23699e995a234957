// The catalog as the page and the CLI rely on it: unique ids, both
// languages everywhere, start cases the engine opens, goals that point at
// existing probes and hosts, and seeds that vary a challenge but repeat exactly.

import { describe, expect, it } from 'vitest';
import { Lab } from '../engine/lab/lab';
import { CHALLENGES, UNITS, challengeInstance, findChallenge } from './catalog';
import type { ChallengeInstance, Goal, Text } from './types';

function texts(c: ChallengeInstance): Text[] {
  return [c.title, c.task, ...c.hints, ...c.probes.map((p) => p.label), ...c.wrong.map((w) => w.mistake), ...(c.choices ?? []).map((x) => x.label)];
}

function probesNamed(g: Goal): number[] {
  if ('probe' in g) return [g.probe];
  if ('pick' in g) return [g.pick.probe];
  if (g.kind === 'answer') return ['probe' in g.question ? g.question.probe : g.question.pick.probe];
  return [];
}

describe('the challenge catalog', () => {
  it('has at least 30 challenges with unique ids, in the notes’ unit order', () => {
    expect(CHALLENGES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CHALLENGES.map((c) => c.id)).size).toBe(CHALLENGES.length);
    const units = CHALLENGES.map((c) => UNITS.indexOf(c.unit));
    expect(units).toEqual([...units].sort((a, b) => a - b));
  });

  it('covers every unit of the course', () => {
    expect(new Set(CHALLENGES.map((c) => c.unit))).toEqual(new Set(UNITS));
  });

  it.each(CHALLENGES.map((c) => [c.id, c] as const))('%s: texts in English and Chinese, a start the engine opens, goals on existing probes', (_id, ch) => {
    const c = ch.build(0);
    for (const x of texts(c)) {
      expect(x.en.trim()).not.toBe('');
      expect(x.zh.trim()).not.toBe('');
      // a name (an interface, a host, a state, a table and chain) reads the same in both; anything longer is translated
      if (x.zh === x.en) expect(x.en.length, x.en).toBeLessThanOrEqual(20);
      else expect(x.zh, x.en).toMatch(/[\u4e00-\u9fff]/);
    }
    const lab = Lab.open(c.start);
    expect(lab.ok, lab.ok ? '' : lab.errors.join('; ')).toBe(true);
    expect(c.start.steps).toEqual(c.probes.map((p) => p.step));
    expect(c.start.hosts.map((h) => h.name)).toContain(c.host);
    for (const g of c.goals) for (const n of probesNamed(g)) expect(n >= 1 && n <= c.probes.length, `${g.kind} names probe ${n}`).toBe(true);
    for (const w of c.wrong) expect(w.fails >= 0 && w.fails < c.goals.length).toBe(true);
    if (c.tools.programs.length === 0) expect(c.choices?.length ?? 0).toBeGreaterThanOrEqual(2);
  });

  it('makes the same instance from the same seed, and other numbers from another seed', () => {
    const varied = CHALLENGES.filter((c) => JSON.stringify(c.build(1).start) !== JSON.stringify(c.build(2).start));
    expect(varied.length).toBeGreaterThanOrEqual(CHALLENGES.length - 2);
    for (const c of CHALLENGES) expect(c.build(5)).toEqual(c.build(5));
  });

  it('finds a challenge by id and refuses an unknown one', () => {
    expect(findChallenge('ssh-only')?.level).toBe('easy');
    expect(challengeInstance('no-such-challenge')).toBeUndefined();
    expect(challengeInstance('ssh-only', 3)?.seed).toBe(3);
  });
});
