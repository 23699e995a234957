// Seeded variants: the same seed gives the same numbers on every run, seed 0
// the canonical ones, and other seeds spread over the choices.

import { describe, expect, it } from 'vitest';
import { isSeed, variant } from './seed';

const draw = (seed: number) => {
  const v = variant(seed);
  return [v.pick(['a', 'b', 'c', 'd']), v.int(10, 99), v.distinct(3, 1, 5), v.shuffle([1, 2, 3, 4, 5])];
};

describe('variant', () => {
  it('repeats exactly for one seed', () => {
    expect(draw(12345)).toEqual(draw(12345));
  });

  it('is canonical at seed 0: first choices, lowest numbers, nothing shuffled', () => {
    expect(draw(0)).toEqual(['a', 10, [1, 2, 3], [1, 2, 3, 4, 5]]);
  });

  it('spreads other seeds over every choice, and keeps distinct numbers distinct and in range', () => {
    const picks = new Set<string>();
    for (let s = 1; s <= 200; s++) {
      const [p, n, d] = draw(s) as [string, number, number[]];
      picks.add(p);
      expect(n >= 10 && n <= 99).toBe(true);
      expect(new Set(d).size).toBe(3);
      expect(d.every((x) => x >= 1 && x <= 5)).toBe(true);
    }
    expect(picks).toEqual(new Set(['a', 'b', 'c', 'd']));
  });

  it('refuses to draw more distinct numbers than the range holds', () => {
    expect(() => variant(3).distinct(4, 1, 3)).toThrow(RangeError);
  });
});

describe('isSeed', () => {
  it('takes whole numbers a link can carry', () => {
    expect([0, 7, 0xffffffff].every(isSeed)).toBe(true);
    expect([-1, 1.5, 2 ** 32, Number.NaN].some(isSeed)).toBe(false);
  });
});
