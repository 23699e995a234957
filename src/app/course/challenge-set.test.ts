// An instructor's challenge set, read from a link: order and seeds kept,
// a bad or unknown item named by position and text, the rest still there.

import { describe, expect, it } from 'vitest';
import { challengeSetText, MAX_SET, readChallengeSet, withDefaultSeed } from './challenge-set';

const known = new Set(['ssh-only', 'block-ping', 'chains-forward']);

describe('readChallengeSet', () => {
  it('keeps the instructor\'s order and seeds', () => {
    expect(readChallengeSet('chains-forward,ssh-only:3, block-ping', known)).toEqual({
      items: [
        { id: 'chains-forward', seed: null },
        { id: 'ssh-only', seed: 3 },
        { id: 'block-ping', seed: null },
      ],
      problems: [],
    });
  });

  it('names an unknown id and a malformed item, and still opens the rest', () => {
    const r = readChallengeSet('ssh-only,no-such,Bad_Id!,block-ping:99999999999', known);
    expect(r.items).toEqual([{ id: 'ssh-only', seed: null }]);
    expect(r.problems.map((p) => [p.at, p.kind, p.message])).toEqual([
      [2, 'unknown', 'item 2 “no-such”: there is no such challenge'],
      [3, 'syntax', 'item 3 “Bad_Id!”: expected a challenge id (a-z, 0-9, -) with an optional :SEED (a whole number up to 4294967295)'],
      [4, 'syntax', 'item 4 “block-ping:99999999999”: expected a challenge id (a-z, 0-9, -) with an optional :SEED (a whole number up to 4294967295)'],
    ]);
  });

  it('drops a repeated item, and caps the set at MAX_SET', () => {
    expect(readChallengeSet('ssh-only,ssh-only,ssh-only:1', known).items).toEqual([
      { id: 'ssh-only', seed: null },
      { id: 'ssh-only', seed: 1 },
    ]);
    const long = Array.from({ length: MAX_SET + 5 }, (_, k) => `c${k}`).join(',');
    const r = readChallengeSet(long);
    expect(r.items).toHaveLength(MAX_SET);
    expect(r.problems).toHaveLength(1);
  });

  it('writes the canonical text back, and gives the link\'s seed to items without one', () => {
    expect(challengeSetText(readChallengeSet('ssh-only:3,block-ping').items)).toBe('ssh-only:3,block-ping');
    expect(withDefaultSeed('ssh-only:3,block-ping,bad!', 7)).toBe('ssh-only:3,block-ping:7,bad!');
    expect(withDefaultSeed('ssh-only', null)).toBe('ssh-only');
  });
});
