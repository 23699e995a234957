// Both languages are complete: the same keys, the same placeholders, and
// kernel words left untranslated.

import { describe, expect, it } from 'vitest';
import { en } from './en';
import { zh } from './zh';
import { detectLang, translate } from './i18n';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('UI strings', () => {
  it('have the same keys in English and Chinese', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  });
  it('keep every placeholder in both languages', () => {
    for (const k of Object.keys(en) as (keyof typeof en)[]) expect(placeholders(zh[k]), k).toEqual(placeholders(en[k]));
  });
  it('keep kernel and tool words as they are in Chinese', () => {
    const words = ['PREROUTING', 'POSTROUTING', 'INPUT', 'OUTPUT', 'FORWARD', 'DNAT', 'SNAT', 'MASQUERADE', 'conntrack', 'iptables', 'ipvsadm', 'TRACE'];
    for (const k of Object.keys(en) as (keyof typeof en)[]) for (const w of words) if (en[k].includes(w)) expect(zh[k], `${k} keeps ${w}`).toContain(w);
  });
  it('never translate to an empty string, and a missing key is visible', () => {
    for (const v of Object.values(zh)) expect(v.trim()).not.toBe('');
    expect(translate('en', 'nope' as keyof typeof en)).toBe('⟦nope⟧');
  });
  it('chooses Chinese for zh browsers and English otherwise', () => {
    expect(detectLang(['zh-CN', 'en'])).toBe('zh');
    expect(detectLang(['fr-FR', 'en-GB'])).toBe('en');
    expect(detectLang(['de'])).toBe('en');
  });
});
