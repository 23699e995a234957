// The app opens what it writes: case files (with or without a byte-order
// mark), saves of earlier versions and share links are scenarios; other JSON
// is refused with a reason nobody has to squint at; everything else is
// iptables/ip text as before.

import { describe, expect, it } from 'vitest';
import { readScenarioFile } from './scenario-file';
import { escapeInvisible, stripBom } from './visible-text';
import { classifyStorageError } from './storage-problem';

const scenario = { name: 'lab', hosts: [{ name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0'] }] };

describe('readScenarioFile', () => {
  it('reads a case file, with or without a UTF-8 byte-order mark and indentation', () => {
    for (const text of [JSON.stringify(scenario), `\uFEFF${JSON.stringify(scenario, null, 2)}\n`, `\n  ${JSON.stringify(scenario)}`]) {
      expect(readScenarioFile(text)).toEqual({ kind: 'case', scenario });
    }
  });

  it('reads a save of an earlier PacketWalk', () => {
    expect(readScenarioFile(JSON.stringify({ version: 1, savedAt: '2025-01-01T00:00:00Z', scenario }))).toEqual({ kind: 'save', scenario });
  });

  it('recognises a pasted share link, with or without the page address', () => {
    expect(readScenarioFile('https://example.org/packetwalk/#s=1.d.abc&step=3\n')).toEqual({ kind: 'link', hash: '#s=1.d.abc&step=3' });
    expect(readScenarioFile('#s=1.z.xyz')).toEqual({ kind: 'link', hash: '#s=1.z.xyz' });
  });

  it('leaves iptables-save and ip show text to the importers, without a BOM', () => {
    expect(readScenarioFile('\uFEFF*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n')).toEqual({ kind: 'text', text: '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n' });
    expect(readScenarioFile('default via 10.0.0.1 dev eth0\n').kind).toBe('text');
  });

  it('refuses other JSON with the reason, and never with an invisible character in it', () => {
    const cases: [string, RegExp][] = [
      ['{"name":', /not valid JSON/],
      ['[1,2]', /not an object/],
      ['{"name":"x","hosts":[]}', /hosts: expected a list of at least one host/],
      [JSON.stringify({ format: 'nfo-kernel/1', case: '01-x', hosts: {}, packets: [] }), /kernel result \(01-x\.kernel\.json\)/],
      [JSON.stringify({ version: 7, scenario }), /another version/],
      ['\uFEFF\uFEFF{"a":1}', /not valid JSON .*\\u\{FEFF\}/],
      [JSON.stringify({ name: 'x\u200B', hosts: [{ name: 'a\u0000', setup: 'no' }] }), /hosts\[0\]\.setup: expected a list of commands/],
    ];
    for (const [text, why] of cases) {
      const r = readScenarioFile(text);
      expect(r.kind, text).toBe('refused');
      const message = r.kind === 'refused' ? r.why : '';
      expect(message, text).toMatch(why);
      expect(message, text).not.toMatch(/[\p{Cc}\u200B-\u200F\u2028\u2029\uFEFF]/u);
    }
  });
});

describe('escapeInvisible', () => {
  it('shows controls, format characters and odd spaces as their code', () => {
    expect(escapeInvisible('a\uFEFFb\n\tc\u200Bd\u00A0e f')).toBe('a\\u{FEFF}b\\u{A}\\u{9}c\\u{200B}d\\u{A0}e f');
    expect(escapeInvisible('中文 ok 🙂')).toBe('中文 ok 🙂');
    expect(escapeInvisible('\uD800x')).toBe('\\u{D800}x');
  });
  it('stripBom removes one leading mark only', () => {
    expect(stripBom('\uFEFF\uFEFFx')).toBe('\uFEFFx');
    expect(stripBom('x\uFEFF')).toBe('x\uFEFF');
  });
});

describe('classifyStorageError', () => {
  it('tells a full store from a scenario too large for it, from storage switched off', () => {
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    expect(classifyStorageError(quota, 1_000, 10_000_000).kind).toBe('quota');
    expect(classifyStorageError(quota, 20_000_000, 10_000_000).kind).toBe('too-large');
    expect(classifyStorageError(quota, 20_000_000, null).kind).toBe('quota');
    expect(classifyStorageError({ name: 'NS_ERROR_DOM_QUOTA_REACHED', code: 1014 }, 1, null).kind).toBe('quota');
    expect(classifyStorageError(new DOMException('The operation is insecure.', 'SecurityError'), 1, null)).toEqual({ kind: 'unavailable', detail: 'SecurityError: The operation is insecure.' });
    expect(classifyStorageError(new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError'), 1, null).kind).toBe('unavailable');
    expect(classifyStorageError(new TypeError('bad\u0000thing'), 1, null)).toEqual({ kind: 'failed', detail: 'TypeError: bad\\u{0}thing' });
  });
});
