// pattern: Imperative Shell
// Every gallery scenario opens from the Gallery view and walks to its end,
// in English and in Chinese: its lesson is shown, each "look here" note is
// reached by its jump button and shown large at its step, and no text on
// the way is a missing translation (⟦key⟧).

import { readdirSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import type { GalleryEntry } from '../src/gallery';
import { waitForWalk } from './helpers';

/**
 * How many scenarios there can be: one file each (entries not yet in the
 * gallery are simply not there when a test looks). Tests take groups of the
 * gallery's entries by position, so a new entry is walked without a change here.
 */
const FILES = readdirSync(new URL('../src/gallery/scenarios/', import.meta.url))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -5))
  .sort();
const GROUP = 4;

/** The gallery's texts, from the app itself. */
async function gallery(page: Page) {
  return page.evaluate(() => window.__packetwalk!.gallery());
}

const WORDS = {
  en: { gallery: 'Gallery', open: 'Open', lookHere: 'Look here', coming: 'coming with IPVS' },
  zh: { gallery: '示例库', open: '打开', lookHere: '请看这里', coming: '随 IPVS 推出' },
} as const;

/**
 * Runs in the page: step forward with the → key to the last step, checking
 * the page text for a missing translation every 40 steps and at the end.
 * Returns the steps walked and the first ⟦…⟧ seen.
 */
async function walkToEnd(): Promise<{ walked: number; last: number; n: number; missing: string | null }> {
  const w = window.__packetwalk!;
  const n = w.log!.steps.length;
  const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
  const missing = () => /⟦[^⟧]*⟧/.exec(document.querySelector('main')?.textContent ?? '')?.[0] ?? null;
  let walked = 0;
  for (let guard = 0; w.index < n - 1 && guard < n + 10; guard++) {
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    walked++;
    if (walked % 40 === 0) {
      await frame();
      const m = missing();
      if (m) return { walked, last: w.index, n, missing: m };
    }
  }
  await frame();
  await frame();
  return { walked, last: w.index, n, missing: missing() };
}

async function openGallery(page: Page, lang: 'en' | 'zh'): Promise<void> {
  await page.getByRole('button', { name: WORDS[lang].gallery, exact: true }).click();
  await expect(page.getByRole('region', { name: WORDS[lang].gallery, exact: true })).toBeVisible();
}

for (const lang of ['en', 'zh'] as const) {
  test.describe(`the gallery in ${lang}`, () => {
    test.use({ locale: lang === 'zh' ? 'zh-CN' : 'en-US' });

    test('lists every scenario, and the IPVS ones as coming', async ({ page }) => {
      await page.goto('/');
      await waitForWalk(page);
      await openGallery(page, lang);
      const view = page.getByRole('region', { name: WORDS[lang].gallery, exact: true });
      const { entries, todo } = await gallery(page);
      expect(entries.length).toBeGreaterThanOrEqual(15);
      for (const e of entries) expect(FILES, `${e.id} has its scenario file`).toContain(e.id);
      for (const e of entries) {
        const card = view.locator(`[data-gallery="${e.id}"]`);
        await expect(card.getByRole('heading', { name: e.title[lang] })).toBeVisible();
        await expect(card).toContainText(e.summary[lang]);
      }
      for (const e of todo) {
        const card = view.locator(`[data-gallery-todo="${e.id}"]`);
        await expect(card).toContainText(e.title[lang]);
        await expect(card).toContainText(WORDS[lang].coming);
        await expect(card.getByRole('button')).toHaveCount(0);
      }
      expect(await view.textContent()).not.toMatch(/⟦/);
    });

    // a few scenarios per test, in one page: the app is loaded once for each group
    for (let g = 0; g < FILES.length; g += GROUP) {
      test(`scenarios ${g + 1}–${g + GROUP}: each opens and shows its notes at their steps${lang === 'en' ? ', and walks to the end' : ''}`, async ({ page }) => {
        test.setTimeout(90_000);
        await page.emulateMedia({ reducedMotion: 'reduce' });
        await page.goto('/');
        await waitForWalk(page);
        const group: GalleryEntry[] = [...(await gallery(page)).entries].sort((a, b) => a.id.localeCompare(b.id)).slice(g, g + GROUP);
        for (const entry of group) {
          const id = entry.id;
          await openGallery(page, lang);
          await page.locator(`[data-gallery="${entry.id}"]`).getByRole('button', { name: new RegExp(`^${WORDS[lang].open}`) }).click();
          await expect.poll(() => page.evaluate(() => window.__packetwalk!.scenario.name)).toBe(entry.id);
          await waitForWalk(page);
          const lesson = page.locator(`[data-lesson="${entry.id}"]`);
          await expect(lesson).toContainText(entry.explanation[lang]);

          // each note: its jump button goes to its step, where the note is shown large
          const buttons = lesson.getByRole('listitem').getByRole('button');
          await expect(buttons).toHaveCount(entry.lookHere.length);
          for (let k = 0; k < entry.lookHere.length; k++) {
            await expect(buttons.nth(k), `${id}: note ${k + 1} resolves in the walk`).toBeEnabled();
            await buttons.nth(k).click();
            const now = page.getByTestId('look-here-now');
            await expect(now).toContainText(WORDS[lang].lookHere);
            await expect(now).toContainText(entry.lookHere[k]!.text[lang]);
            await expect(buttons.nth(k)).toHaveAttribute('aria-current', 'step');
          }

          // the walk itself does not depend on the language: it is walked to the end once, in English
          if (lang === 'zh') continue;
          await page.evaluate(() => {
            (document.activeElement as HTMLElement | null)?.blur();
          });
          // from the first step, the whole walk
          await page.keyboard.press('Home');
          await expect.poll(() => page.evaluate(() => window.__packetwalk!.index)).toBe(0);
          const r = await page.evaluate(walkToEnd);
          expect(r.missing, id).toBeNull();
          expect(r.last, id).toBe(r.n - 1);
          expect(r.walked, id).toBe(r.n - 1);
        }
        expect(await page.locator('html').getAttribute('lang')).toBe(lang === 'zh' ? 'zh-CN' : 'en');
      });
    }
  });
}
