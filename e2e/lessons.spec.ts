// pattern: Imperative Shell
// Lessons travel: the gallery lesson open beside a walk survives a reload,
// is part of the Share link (format 2, src/share/link.ts), opens with that
// link in a fresh browser, and shows in the embed mode of course pages;
// every stored format-2 link opens with its lesson.

import { readFileSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import { waitForWalk } from './helpers';

const LESSON = 'g04-port-forward';

async function openLesson(page: Page, id: string): Promise<void> {
  await page.getByRole('button', { name: 'Gallery', exact: true }).click();
  await page.locator(`[data-gallery="${id}"]`).getByRole('button', { name: /^Open/ }).click();
  await expect.poll(() => page.evaluate(() => window.__packetwalk!.scenario.name)).toBe(id);
  await waitForWalk(page);
  await expect(page.locator(`[data-lesson="${id}"]`)).toBeVisible();
}

const explanation = (page: Page, id: string) => page.evaluate(async (id) => (await window.__packetwalk!.gallery()).entries.find((e) => e.id === id)!.explanation.en, id);

test.describe('lessons travel', () => {
  test('the lesson survives a reload, and closing it is kept too', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    await openLesson(page, LESSON);
    const text = await explanation(page, LESSON);
    await expect.poll(() => page.evaluate(() => localStorage.getItem('packetwalk.lesson.v1'))).toBe(JSON.stringify({ lesson: LESSON, scenario: LESSON }));
    // a reload before the autosave's delay is over still keeps the scenario (persistence.ts, pagehide)
    await page.reload();
    await waitForWalk(page);
    expect(await page.evaluate(() => window.__packetwalk!.scenario.name)).toBe(LESSON);
    await expect(page.locator(`[data-lesson="${LESSON}"]`)).toContainText(text);

    await page.getByRole('button', { name: 'Close the lesson' }).click();
    await expect(page.locator('[data-lesson]')).toHaveCount(0);
    await page.reload();
    await waitForWalk(page);
    await expect(page.locator('[data-lesson]')).toHaveCount(0);
  });

  test('Share → the link carries the lesson to a fresh browser, and to a course page’s embed', async ({ page, browser }) => {
    await page.goto('/');
    await waitForWalk(page);
    await openLesson(page, LESSON);
    await page.getByRole('button', { name: 'Share' }).click();
    const link = await page.getByRole('region', { name: 'Share this walk' }).getByRole('textbox', { name: 'Link' }).inputValue();
    expect(link).toMatch(/#s=2\.d\./);
    const text = await explanation(page, LESSON);

    const fresh = await browser.newContext();
    const other = await fresh.newPage();
    await other.goto(link);
    await waitForWalk(other);
    await expect(other.locator(`[data-lesson="${LESSON}"]`)).toContainText(text);
    expect(await other.evaluate(() => window.__packetwalk!.ui.lesson)).toBe(LESSON);

    await other.goto('about:blank');
    await other.goto(`${link}&embed=1`);
    await waitForWalk(other);
    expect(await other.evaluate(() => window.__packetwalk!.ui.embed)).toBe(true);
    const lesson = other.locator(`[data-lesson="${LESSON}"]`);
    await expect(lesson).toContainText(text);
    // the course page chose the lesson: nothing to close, nothing to edit
    await expect(lesson.getByRole('button', { name: 'Close the lesson' })).toHaveCount(0);
    await expect(other.getByRole('button', { name: 'Send another' })).toHaveCount(0);
    await fresh.close();
  });

  test('every stored link of format 2 opens, with its lesson', async ({ page }) => {
    test.setTimeout(60_000);
    const lines = readFileSync(new URL('../src/share/__fixtures__/links-v2.txt', import.meta.url), 'utf8').split('\n');
    let opened = 0;
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.startsWith('## ')) continue;
      const [, verdict, ...rest] = lines[i + 1]!.split(' ');
      await page.goto('about:blank');
      await page.goto(`/#${lines[i + 2]!}`);
      if (verdict === 'error') {
        await expect(page.getByTestId('link-error'), lines[i]!).toHaveAttribute('data-kind', rest[0]!);
        continue;
      }
      await waitForWalk(page);
      const [name, , ...extras] = rest;
      await expect.poll(() => page.evaluate(() => window.__packetwalk!.scenario.name), lines[i]!).toBe(name);
      const lesson = extras.find((x) => x.startsWith('lesson='))?.slice('lesson='.length) ?? null;
      expect(await page.evaluate(() => window.__packetwalk!.ui.lesson), lines[i]!).toBe(lesson);
      opened++;
    }
    expect(opened).toBeGreaterThanOrEqual(5);
  });
});
