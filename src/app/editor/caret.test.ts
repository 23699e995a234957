// The caret sits under the characters a diagnostic names, on the right line.

import { describe, expect, it } from 'vitest';
import { caretView } from './caret';

describe('caret under the offending word', () => {
  it('points at a word of a one-line command', () => {
    const text = 'iptables -A FORWARD -p tcp --dport 99999 -j ACCEPT';
    const v = caretView(text, { from: 35, to: 40 });
    expect(v).toMatchObject({ line: 1, column: 36, text });
    expect(v.caret).toBe(`${' '.repeat(35)}^^^^^`);
  });

  it('finds the line in a multi-line text and keeps tabs', () => {
    const text = '*filter\n\t-A INPUT -j NOPE\nCOMMIT\n';
    const from = text.indexOf('NOPE');
    const v = caretView(text, { from, to: from + 4 });
    expect(v).toMatchObject({ line: 2, column: 14, text: '\t-A INPUT -j NOPE' });
    expect(v.caret).toBe('\t            ^^^^');
  });

  it('draws one ^ for an empty or whole-text span, and survives offsets past the end', () => {
    expect(caretView('abc', { from: 0, to: 0 }).caret).toBe('^');
    expect(caretView('abc', { from: 10, to: 12 })).toMatchObject({ column: 4, caret: '   ^' });
    expect(caretView('ab\ncd', { from: 0, to: 5 }).caret).toBe('^^');
  });
});
