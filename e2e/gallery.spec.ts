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
 * Runs in the page, on the lesson: for each note in turn, its jump button is
 * enabled and is what a pointer at its centre hits; a click on it shows the
 * note large ("Look here" and its text) and marks the button as the current
 * step. Returns 'ok' or what went wrong, per note. In-page, so a note costs
 * frames rather than a handful of protocol round trips (the clicks a user
 * makes on the lesson are exercised by e2e/course.spec.ts and e2e/lessons.spec.ts).
 * The focus is left on no button, so the playback keys reach the page after.
 */
async function reachNotes(lesson: Element, { lookHere, texts }: { lookHere: string; texts: string[] }): Promise<string[]> {
  // whitespace runs count as one space, as Playwright's toContainText compares
  const squash = (t: string | null | undefined) => (t ?? '').replace(/\s+/g, ' ').trim();
  const until = async (ok: () => boolean) => {
    const end = performance.now() + 20_000;
    while (!ok()) {
      if (performance.now() > end) return false;
      await new Promise((r) => requestAnimationFrame(() => r(null)));
    }
    return true;
  };
  const buttons = () => [...lesson.querySelectorAll('li button')] as HTMLButtonElement[];
  const out: string[] = [];
  for (let k = 0; k < texts.length; k++) {
    const button = buttons()[k];
    if (!button) {
      out.push(`note ${k + 1}: no jump button`);
      continue;
    }
    if (!(await until(() => !button.disabled && button.getAttribute('aria-disabled') !== 'true'))) {
      out.push(`note ${k + 1}: its button stays disabled (the note resolves to no step of the walk)`);
      continue;
    }
    button.scrollIntoView({ block: 'center', inline: 'center' });
    const r = button.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (!hit || !button.contains(hit)) {
      out.push(`note ${k + 1}: its button is covered by ${hit?.tagName ?? 'nothing'}`);
      continue;
    }
    button.click();
    const now = () => squash(document.querySelector('[data-testid="look-here-now"]')?.textContent);
    const want = squash(texts[k]);
    const shown = await until(() => now().includes(lookHere) && now().includes(want) && buttons()[k]?.getAttribute('aria-current') === 'step');
    out.push(shown ? 'ok' : `note ${k + 1}: shown "${now().slice(0, 200)}", button aria-current=${buttons()[k]?.getAttribute('aria-current') ?? 'none'}`);
  }
  (document.activeElement as HTMLElement | null)?.blur();
  return out;
}

/**
 * Runs in the page after Home: step forward with the → key to the last step,
 * checking the page text for a missing translation every 40 steps and at
 * the end. Returns the step Home showed, the steps walked and the first ⟦…⟧ seen.
 */
async function walkToEnd(): Promise<{ first: number; walked: number; last: number; n: number; missing: string | null }> {
  const w = window.__packetwalk!;
  const n = w.log!.steps.length;
  const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
  const missing = () => /⟦[^⟧]*⟧/.exec(document.querySelector('main')?.textContent ?? '')?.[0] ?? null;
  // the key was handled before the press returned; a few frames' grace all the same
  for (let k = 0; k < 10 && w.index !== 0; k++) await frame();
  const first = w.index;
  let walked = 0;
  for (let guard = 0; w.index < n - 1 && guard < n + 10; guard++) {
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    walked++;
    if (walked % 40 === 0) {
      await frame();
      const m = missing();
      if (m) return { first, walked, last: w.index, n, missing: m };
    }
  }
  await frame();
  await frame();
  return { first, walked, last: w.index, n, missing: missing() };
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
      test(`scenarios ${g + 1}–${g + GROUP}: each opens, shows its notes at their steps, and walks to the end`, async ({ page }) => {
        test.setTimeout(90_000);
        await page.emulateMedia({ reducedMotion: 'reduce' });
        await page.goto('/');
        await waitForWalk(page);
        const group: GalleryEntry[] = [...(await gallery(page)).entries].sort((a, b) => a.id.localeCompare(b.id)).slice(g, g + GROUP);
        for (const entry of group) {
          const id = entry.id;
          await openGallery(page, lang);
          await page.locator(`[data-gallery="${entry.id}"]`).getByRole('button', { name: new RegExp(`^${WORDS[lang].open}`) }).click();
          await page.waitForFunction((want) => window.__packetwalk!.scenario.name === want, entry.id, { timeout: 20_000 });
          await waitForWalk(page);
          const lesson = page.locator(`[data-lesson="${entry.id}"]`);
          await expect(lesson).toContainText(entry.explanation[lang]);

          // each note: its jump button goes to its step, where the note is shown large
          const buttons = lesson.getByRole('listitem').getByRole('button');
          await expect(buttons).toHaveCount(entry.lookHere.length);
          const notes = await lesson.evaluate(reachNotes, { lookHere: WORDS[lang].lookHere, texts: entry.lookHere.map((n) => n.text[lang]) });
          expect(notes, `${id}: every note is reached by its jump button and shown large at its step`).toEqual(entry.lookHere.map(() => 'ok'));

          // from the first step, the whole walk
          await page.keyboard.press('Home');
          const r = await page.evaluate(walkToEnd);
          expect(r.first, `${id}: Home goes to the first step`).toBe(0);
          expect(r.missing, id).toBeNull();
          expect(r.last, id).toBe(r.n - 1);
          expect(r.walked, id).toBe(r.n - 1);
        }
        expect(await page.locator('html').getAttribute('lang')).toBe(lang === 'zh' ? 'zh-CN' : 'en');
      });
    }
  });
}
