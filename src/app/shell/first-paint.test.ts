// The static first screen: index.html's header is the one the app renders on
// a first visit, and its words paint only on visits that will show them.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import builtIn from '../../scenarios/port-forward.json';
import { createStores } from '../state/walk-store';
import { DepsContext, type AppDeps } from './context';
import { Header } from './Header';
import { FIRST_SCREEN_KEY, prepareFirstPaint, rememberFirstScreen, staticHeaderFits, type Visit } from './first-paint';
import type { Case } from '../../engine/scenario/case';

const indexHtml = readFileSync(new URL('../../../index.html', import.meta.url), 'utf8');

/** Markup compared as the browser lays it out: whitespace between tags and the generated label id do not matter. */
function normalise(html: string): string {
  return html
    .replace(/>\s+</g, '><')
    .replace(/ data-static-words(="")?/g, '')
    .replace(/(for|id)="[^"]*"/g, '$1="ID"')
    .trim();
}

describe('index.html’s static header', () => {
  const shell = /<header[\s\S]*<\/header>/.exec(indexHtml)?.[0] ?? '';

  it('is what the app’s Header renders on a first visit: English, the built-in scenario', () => {
    const stores = createStores(builtIn as Case);
    const deps = { stores } as unknown as AppDeps;
    const rendered = renderToStaticMarkup(createElement(DepsContext, { value: deps }, createElement(Header)));
    expect(shell).not.toBe('');
    expect(normalise(shell)).toBe(normalise(rendered));
  });

  it('marks every word a visit may not share (the scenario, the controls, the description), not the product name', () => {
    const marked = [...shell.matchAll(/<(\w+)[^>]*\sdata-static-words[\s>]/g)].map((m) => m[1]);
    expect(marked).toEqual(['p', 'nav', 'p']);
    expect(shell).toMatch(/<h1 class="[^"]*">PacketWalk<\/h1>/);
  });

  it('sits in #root, inert, so React’s first commit replaces it and nothing in it can be used before then', () => {
    expect(indexHtml).toMatch(/<div id="root">\s*<!--[\s\S]*?-->\s*<div class="[^"]*" inert>\s*<header/);
  });
});

describe('whether the static header’s words fit a visit', () => {
  const first: Visit = { hash: '', keptLang: null, languages: ['en-US', 'en'], last: null };

  it('they do on a first visit in English, and after a visit that showed them', () => {
    expect(staticHeaderFits(first)).toBe(true);
    expect(staticHeaderFits({ ...first, last: 'built-in' })).toBe(true);
    expect(staticHeaderFits({ ...first, languages: ['fr-FR'] })).toBe(true);
    expect(staticHeaderFits({ ...first, hash: '#step=4' })).toBe(true);
  });

  it('they do not when the app will speak Chinese: the link’s choice, the kept one, the browser’s', () => {
    expect(staticHeaderFits({ ...first, hash: '#lang=zh' })).toBe(false);
    expect(staticHeaderFits({ ...first, keptLang: 'zh' })).toBe(false);
    expect(staticHeaderFits({ ...first, languages: ['zh-CN', 'en'] })).toBe(false);
    // the same order as the app's own choice: a link's English wins over a Chinese browser
    expect(staticHeaderFits({ ...first, hash: '#lang=en', languages: ['zh-CN'] })).toBe(true);
  });

  it('they do not for a share link’s scenario, an embedded walk, or work shown last time', () => {
    expect(staticHeaderFits({ ...first, hash: '#s=AAAA' })).toBe(false);
    expect(staticHeaderFits({ ...first, hash: '#embed=1' })).toBe(false);
    expect(staticHeaderFits({ ...first, last: 'own' })).toBe(false);
  });
});

/** Just what prepareFirstPaint and rememberFirstScreen touch. */
function fakeWindow(opts: { hash?: string; languages?: string[]; stored?: Record<string, string>; storage?: 'ok' | 'throws' | 'full' }) {
  const stored = new Map(Object.entries(opts.stored ?? {}));
  const storage = {
    getItem: (k: string) => {
      if (opts.storage === 'throws') throw new Error('SecurityError');
      return stored.get(k) ?? null;
    },
    setItem: (k: string, v: string) => {
      if (opts.storage === 'throws' || opts.storage === 'full') throw new Error('QuotaExceededError');
      stored.set(k, v);
    },
  };
  const dataset: Record<string, string> = {};
  const win = {
    location: { hash: opts.hash ?? '' },
    navigator: { languages: opts.languages ?? ['en-US'], language: 'en-US' },
    localStorage: storage,
    document: { documentElement: { dataset } },
  } as unknown as Window;
  return { win, stored, dataset };
}

describe('before the first paint', () => {
  it('hides the words when they will change, and leaves them when they will not', () => {
    const zh = fakeWindow({ languages: ['zh-CN'] });
    prepareFirstPaint(zh.win);
    expect(zh.dataset['firstScreen']).toBe('bare');
    const en = fakeWindow({});
    prepareFirstPaint(en.win);
    expect(en.dataset['firstScreen']).toBeUndefined();
    const mine = fakeWindow({ stored: { [FIRST_SCREEN_KEY]: 'own' } });
    prepareFirstPaint(mine.win);
    expect(mine.dataset['firstScreen']).toBe('bare');
  });

  it('a browser that refuses storage still paints, as a first visit would', () => {
    const refused = fakeWindow({ storage: 'throws' });
    prepareFirstPaint(refused.win);
    expect(refused.dataset['firstScreen']).toBeUndefined();
    expect(() => rememberFirstScreen(refused.win, 'own')).not.toThrow();
  });
});

describe('the header remembers for the next visit', () => {
  it('what it showed, writing only when that changed', () => {
    const w = fakeWindow({});
    rememberFirstScreen(w.win, 'own');
    expect(w.stored.get(FIRST_SCREEN_KEY)).toBe('own');
    rememberFirstScreen(w.win, 'built-in');
    expect(w.stored.get(FIRST_SCREEN_KEY)).toBe('built-in');
  });

  it('and a full storage costs only the next first paint’s exactness', () => {
    const w = fakeWindow({ storage: 'full' });
    expect(() => rememberFirstScreen(w.win, 'own')).not.toThrow();
    expect(w.stored.has(FIRST_SCREEN_KEY)).toBe(false);
  });
});
