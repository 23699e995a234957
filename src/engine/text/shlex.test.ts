import { describe, expect, it } from 'vitest';
import { splitWords } from './shlex';

describe('splitWords', () => {
  it('splits plain words on blanks and keeps their offsets, shifted by base', () => {
    expect(splitWords(' ip  route\tadd\r\n10.0.0.0/24 ', 100).words).toEqual([
      { text: 'ip', from: 101, to: 103, quoted: false },
      { text: 'route', from: 105, to: 110, quoted: false },
      { text: 'add', from: 111, to: 114, quoted: false },
      { text: '10.0.0.0/24', from: 116, to: 127, quoted: false },
    ]);
  });

  it('removes quotes and backslashes that start after plain characters of the same word', () => {
    const r = splitWords(`ab'c d'e x"y\\"z" p\\ q last`);
    expect(r.diagnostics).toEqual([]);
    expect(r.words.map((w) => [w.text, w.quoted, w.from, w.to])).toEqual([
      ['abc de', true, 0, 8],
      ['xy"z', true, 9, 16],
      ['p q', false, 17, 21],
      ['last', false, 22, 26],
    ]);
  });

  it('reports an unterminated quote with its span', () => {
    const r = splitWords(`dev 'eth0`, 10);
    expect(r.words.map((w) => w.text)).toEqual(['dev', 'eth0']);
    expect(r.diagnostics).toMatchObject([{ from: 14, to: 19, code: 'shell/unterminated-quote' }]);
  });
});
