// pattern: Imperative Shell
// Issue 10's attack inputs in the page. The engine's work budget
// (src/engine/sim/budget.ts) ends a runaway walk with what it walked so far:
// the page says which budget ran out and where, in the reader's language,
// keeps the walk up to there steppable, answers clicks while the worker is
// busy, and does not hold the scenario back on the next visit (the walk
// finished, with a stop; src/app/shell/walk-guard.ts). A 3,000-deep chain
// of jumps is a walk the kernel finishes, so the page shows it whole.
// No timing is asserted: bench/app.bench.ts measures these same inputs.

import { test, expect, type Page } from '@playwright/test';
import { deepChainCase, fanOutCase, manyStepsCase } from '../bench/robustness';
import { encodeShare } from '../src/share/link';
import type { Case } from '../src/engine/scenario/case';

const shown = (page: Page) =>
  page.evaluate(() => {
    const w = window.__packetwalk!;
    return { status: w.status, name: w.scenario['name'], steps: w.log?.steps.length ?? 0, index: w.index, stopped: w.log?.stopped ?? null };
  });

/** While the worker runs the walk, the header's Language select still switches the page. */
async function answersAClick(page: Page): Promise<void> {
  await page.getByLabel('Language').selectOption('zh');
  await expect(page.getByRole('button', { name: '分享' })).toBeVisible();
  await page.getByLabel('语言').selectOption('en');
  await expect(page.getByRole('button', { name: 'Share' })).toBeVisible();
}

/** The walk up to the stop can be stepped through: forward, back, and to where it stopped. */
async function stepsThrough(page: Page, notice: ReturnType<Page['getByTestId']>): Promise<void> {
  const { steps } = await shown(page);
  expect(steps).toBeGreaterThan(1);
  await page.getByRole('button', { name: 'Step forward' }).click();
  await expect.poll(() => page.evaluate(() => window.__packetwalk!.index)).toBe(1);
  await notice.getByRole('button', { name: 'Go to where it stopped' }).click();
  await expect.poll(() => page.evaluate(() => window.__packetwalk!.index)).toBe(steps - 1);
  await page.getByRole('button', { name: 'Step back' }).click();
  await expect.poll(() => page.evaluate(() => window.__packetwalk!.index)).toBe(steps - 2);
}

test.describe('the work budget in the page', () => {
  test('a link of 30 chains each jumping twice to the next ends with the budget message, steppable, and is not held on reload', async ({ page }) => {
    test.setTimeout(120_000);
    const hash = encodeShare({ scenario: fanOutCase(30) as Case });
    await page.goto('/');
    await expect.poll(() => page.evaluate(() => window.__packetwalk?.status)).toBe('ready');
    await page.goto(`/#${hash}`);
    await answersAClick(page);

    const notice = page.getByTestId('budget-stop');
    await expect(notice).toContainText('The simulation stopped: more than 300,000 TRACE events.', { timeout: 60_000 });
    await expect(notice).toContainText(/It ran out in step 1, packet \d+, on host b, in filter INPUT, chain C\d+\./);
    await expect(notice).toContainText('Everything walked until then is kept: you can step through it.');
    const s = await shown(page);
    expect(s).toMatchObject({ status: 'ready', name: 'attack', stopped: { budget: 'events', host: 'b', table: 'filter', hook: 'INPUT' } });
    await stepsThrough(page, notice);

    await page.getByLabel('Language').selectOption('zh');
    await expect(notice).toContainText('模拟已停止：TRACE 事件超过 300,000 个。');
    await expect(notice).toContainText(/在第 1 步、第 \d+ 个数据包、主机 b 的 filter INPUT、链 C\d+ 中耗尽。/);

    // the walk finished (with a stop): the next visit walks it again rather than holding its traffic back
    await page.reload();
    await expect(page.getByTestId('budget-stop')).toContainText('模拟已停止', { timeout: 60_000 });
    await expect(page.getByTestId('walk-held')).toHaveCount(0);
    expect((await shown(page)).name).toBe('attack');
  });

  test('a 3,000-deep chain of jumps is walked to its end, as the kernel does', async ({ page }) => {
    test.setTimeout(120_000);
    await page.goto('/');
    await expect.poll(() => page.evaluate(() => window.__packetwalk?.status)).toBe('ready');
    await page.goto(`/#${encodeShare({ scenario: deepChainCase(3000) as Case })}`);
    await answersAClick(page);
    await expect.poll(async () => (await shown(page)).name, { timeout: 60_000 }).toBe('attack');
    await expect.poll(async () => (await shown(page)).status, { timeout: 60_000 }).toBe('ready');
    const s = await shown(page);
    expect(s.stopped).toBeNull();
    await expect(page.getByTestId('budget-stop')).toHaveCount(0);
    // the packet went down all 3,000 chains and came back up to INPUT, whose policy accepted it
    const deepest = await page.evaluate(() => window.__packetwalk!.log!.steps.some((x) => x.kind === 'rule' && x.chain === 'C2999'));
    expect(deepest).toBe(true);
    expect(await page.evaluate(() => window.__packetwalk!.errors)).toEqual([]);
  });

  test('a case file of 10,000 traffic steps ends with the budget message and stays steppable', async ({ page }) => {
    test.setTimeout(120_000);
    await page.goto('/');
    await expect.poll(() => page.evaluate(() => window.__packetwalk?.status)).toBe('ready');
    const imp = page.getByRole('region', { name: 'Import' });
    await imp.getByLabel('Choose a file').setInputFiles({ name: 'steps.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(manyStepsCase(10_000)), 'utf8') });
    await expect(imp.getByTestId('scenario-file')).toContainText('“attack”, 2 hosts');
    await imp.getByRole('button', { name: 'Open this scenario' }).click();
    await answersAClick(page);

    const notice = page.getByTestId('budget-stop');
    await expect(notice).toContainText('The simulation stopped: more than 2,500 traffic steps.', { timeout: 60_000 });
    await expect(notice).toContainText('It ran out in step 2,501.');
    expect(await shown(page)).toMatchObject({ status: 'ready', name: 'attack', stopped: { budget: 'steps', step: 2501 } });
    await stepsThrough(page, notice);
  });
});
