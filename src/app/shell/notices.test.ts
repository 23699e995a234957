// Engine failures reach the screen only as translated sentences: every
// failure's English sentence is recognised and worded in both languages.

import { describe, expect, it } from 'vitest';
import { EngineFailure, type EngineFailureKind } from '../../worker/failure';
import { loadLang } from '../i18n/i18n';
import { tFor } from '../i18n/t';
import { translateNotice } from './notices';

const KINDS: EngineFailureKind[] = ['timeout', 'crashed', 'cancelled', 'stack-overflow', 'out-of-memory', 'protocol', 'internal'];

describe('engine failures on screen', () => {
  it('are the same sentence in the English strings as the failure’s own', () => {
    for (const kind of KINDS) {
      const f = new EngineFailure(kind, 'RangeError: Maximum call stack size exceeded', 10);
      expect(translateNotice(tFor('en'), f.message), kind).toBe(f.message);
    }
  });
  it('are worded in Chinese, without the worker’s raw text', async () => {
    await loadLang('zh');
    for (const kind of KINDS) {
      const f = new EngineFailure(kind, 'RangeError: Maximum call stack size exceeded', 10);
      const zh = translateNotice(tFor('zh'), f.message);
      expect(zh, kind).not.toBe(f.message);
      expect(zh).not.toMatch(/Maximum call stack|[⟦⟧]/);
    }
    expect(translateNotice(tFor('zh'), new EngineFailure('timeout', '', 10).message)).toContain('10 秒');
  });
});
