// Every share link format ever released keeps opening: the stored links of
// each version (src/share/__fixtures__/links-v<N>.txt) decode to exactly the
// state they decoded to when they were made. Those files are append-only.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_SHARE_VERSIONS, decodeShare, crc32 } from './link';
import { DICTIONARY_V1_TEXT } from './dictionary-v1';

const dir = join(__dirname, '__fixtures__');
// pinned when format 1 was released; a change here breaks every link made with codec d
const DICTIONARY_V1_BYTES = 2895;
const DICTIONARY_V1_CRC = '12e90e86';

function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

interface Entry {
  title: string;
  expect: string[];
  link: string;
}

function entries(file: string): Entry[] {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  const out: Entry[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('## ')) continue;
    const expectLine = lines[i + 1] ?? '';
    expect(expectLine.startsWith('expect '), `${file}:${i + 2} must be an expect line`).toBe(true);
    out.push({ title: lines[i]!.slice(3), expect: expectLine.split(' ').slice(1), link: lines[i + 2] ?? '' });
  }
  return out;
}

const files = readdirSync(dir).filter((f) => /^links-v\d+\.txt$/.test(f));

describe('stored links of every released format', () => {
  it('has a links file for every version the decoder table knows', () => {
    for (const v of SUPPORTED_SHARE_VERSIONS) expect(files).toContain(`links-v${v}.txt`);
  });

  describe.each(files)('%s', (file) => {
    const list = entries(file);
    it('holds links', () => expect(list.length).toBeGreaterThanOrEqual(5));
    it.each(list.map((e) => [e.title, e] as const))('%s', (_title, e) => {
      const r = decodeShare(e.link);
      if (e.expect[0] === 'error') {
        expect(r.ok ? 'ok' : r.error.kind).toBe(e.expect[1]);
        return;
      }
      expect(r.ok ? null : r.error).toBeNull();
      if (!r.ok) return;
      const [, name, hash, ...extras] = e.expect;
      expect(r.state.scenario.name).toBe(name);
      expect(fnv1a(JSON.stringify(r.state))).toBe(hash);
      for (const x of extras) {
        const [k, v] = x.split('=') as [string, string];
        if (k === 'step') expect(r.step).toBe(Number(v));
        if (k === 'lang') expect(r.lang).toBe(v);
        if (k === 'packet') expect(r.state.packet).toBe(Number(v));
        if (k === 'lesson') expect(r.state.lesson).toBe(v);
      }
    });
  });
});

describe('the preset dictionary of codec d, format 1', () => {
  it('is frozen: links made with it inflate only with these exact bytes', () => {
    const bytes = new TextEncoder().encode(DICTIONARY_V1_TEXT);
    expect(bytes.length).toBe(DICTIONARY_V1_BYTES);
    expect(crc32(bytes).toString(16)).toBe(DICTIONARY_V1_CRC);
  });
});
