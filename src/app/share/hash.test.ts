// The readable part of a link: step, lang and embed, read the way an
// instructor types them and a chat app mangles them.

import { describe, expect, it } from 'vitest';
import { readHash, writeHash } from './hash';

describe('the hash a link carries', () => {
  it('reads s, step, lang and embed, with or without the #', () => {
    expect(readHash('#s=1.d.abc&step=14&lang=zh&embed=1')).toEqual({ s: '1.d.abc', step: 14, lang: 'zh', embed: true, by: null, collapse: false, challenge: null, seed: null, reveal: null, course: null });
    expect(readHash('step=3')).toEqual({ s: null, step: 3, lang: null, embed: false, by: null, collapse: false, challenge: null, seed: null, reveal: null, course: null });
    expect(readHash('')).toEqual({ s: null, step: null, lang: null, embed: false, by: null, collapse: false, challenge: null, seed: null, reveal: null, course: null });
  });

  it('ignores what chat apps glue on, and reads a percent-encoded =', () => {
    expect(readHash('#s=1.d.abc&step=9&lang=zh?from=singlemessage&isappinstalled=0')).toMatchObject({ s: '1.d.abc', step: 9, lang: 'zh' });
    expect(readHash('#s=1.d.abc&appinstall=0&utm_source=x&step%3D4')).toMatchObject({ s: '1.d.abc', step: 4 });
    expect(readHash('#lang=zh。')).toMatchObject({ lang: 'zh' });
  });

  it('lets a typo fall back to the default instead of refusing the link', () => {
    expect(readHash('#step=abc&lang=fr').step).toBeNull();
    expect(readHash('#step=abc&lang=fr').lang).toBeNull();
    expect(readHash('#lang=zhx').lang).toBeNull();
    expect(readHash('#step=999999999').step).toBeNull();
  });

  it('keeps the first of a repeated key, as src/share does', () => {
    expect(readHash('#step=2&step=7').step).toBe(2);
  });

  it('writes back what it reads', () => {
    const p = { s: '1.d.abc', step: 5, lang: 'en' as const, embed: true, by: 'hook' as const, collapse: true, challenge: null, seed: null, reveal: null, course: null };
    expect(writeHash(p)).toBe('s=1.d.abc&step=5&lang=en&embed=1&by=hook&collapse=1');
    expect(readHash(writeHash(p))).toEqual(p);
    expect(writeHash({ s: null, step: null, lang: null, embed: false, by: null, collapse: false, challenge: null, seed: null, reveal: null, course: null })).toBe('');
  });

  it('reads how the author stepped: by= one of event, chain, hook, host, packet, and collapse=', () => {
    expect(readHash('#step=4&by=chain').by).toBe('chain');
    expect(readHash('#by=Packet.').by).toBe('packet');
    expect(readHash('#by=host&collapse=1')).toMatchObject({ by: 'host', collapse: true });
    // by event is the default and is never written
    expect(readHash('#by=event').by).toBeNull();
    expect(writeHash({ ...readHash('#by=event'), step: 2 })).toBe('step=2');
    // a typo steps by event rather than refusing the link
    expect(readHash('#by=chians').by).toBeNull();
    expect(readHash('#collapse=0').collapse).toBe(false);
  });

  it('reads and writes presenter mode\'s reveal beside a challenge, and a course set', () => {
    expect(readHash('#challenge=ssh-only&seed=3&reveal=2')).toMatchObject({ challenge: 'ssh-only', seed: 3, reveal: 2 });
    expect(readHash('#reveal=x').reveal).toBeNull();
    expect(writeHash({ ...readHash(''), reveal: 2 })).toBe('');
    expect(writeHash({ ...readHash(''), challenge: 'a', seed: 1, reveal: 0 })).toBe('challenge=a&seed=1&reveal=0');
    expect(readHash('#course=set:a,b:4&seed=9')).toMatchObject({ course: 'a,b:4', seed: 9 });
    expect(readHash('#course%3Dset%3Aa%2Cb').course).toBe('a,b');
    expect(readHash('#course=other').course).toBeNull();
    expect(writeHash({ ...readHash(''), course: 'a:1,b:2' })).toBe('course=set:a:1,b:2');
  });

  it('reads and writes a course challenge with its seed', () => {
    expect(readHash('#challenge=ssh-only&seed=42&lang=zh')).toMatchObject({ challenge: 'ssh-only', seed: 42, lang: 'zh' });
    expect(readHash('#challenge=SSH-Only').challenge).toBe('ssh-only');
    expect(readHash('#challenge=../x').challenge).toBeNull();
    expect(readHash('#challenge=a&seed=99999999999').seed).toBeNull();
    const p = { ...readHash(''), lang: 'en' as const, challenge: 'block-ping', seed: 7 };
    expect(writeHash(p)).toBe('lang=en&challenge=block-ping&seed=7');
    expect(readHash(writeHash(p))).toEqual(p);
  });
});
