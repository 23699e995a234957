// pattern: Imperative Shell
// The course as a student takes it: challenges opened from the course's
// list and from a link with a seed, solved with the rule form, a choice and
// the console, in English and in Chinese; each Check shows every goal with
// its why and a way to the walk step that decided it; progress survives a
// reload and goes out and back in as a file; axe finds nothing.

import { readFile } from 'node:fs/promises';
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { index, markWalk, waitForWalk } from './helpers';

async function openFromCourse(page: Page, id: string): Promise<void> {
  await page.getByRole('navigation').getByRole('button', { name: 'Course', exact: true }).click();
  const course = page.getByTestId('course');
  await expect(course.locator('[data-challenge]').first()).toBeVisible();
  await course.locator(`[data-challenge="${id}"]`).getByRole('button').click();
  await expect(page.locator(`[data-challenge-open="${id}"]`)).toBeVisible();
  await waitForWalk(page);
}

async function check(page: Page, name: string): Promise<void> {
  const panel = page.getByTestId('challenge');
  await panel.getByRole('button', { name, exact: true }).click();
  await expect(panel.getByTestId('check-result').locator('[data-passed]')).toBeVisible();
}

const passedMark = (page: Page) => page.getByTestId('course').locator('[data-progress="passed"]');

test.describe('the course', () => {
  test('a student completes three challenges by form, choice and console, in English and Chinese, and keeps the progress', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);

    // 1. block-ping with the rule form, in English, after a first check that fails
    await openFromCourse(page, 'block-ping');
    const panel = page.getByTestId('challenge');
    await expect(panel.getByTestId('challenge-task')).toContainText('ignore pings');
    await expect(panel).toContainText('at most 2 edit commands');
    await check(page, 'Check');
    const result = panel.getByTestId('check-result');
    await expect(result.locator('[data-passed]')).toHaveAttribute('data-passed', 'false');
    await expect(result.locator('[data-goal-met="false"]').first()).toBeVisible();
    const go = result.locator('[data-goal-met="false"]').first().getByRole('button', { name: /^Go to step \d+$/ });
    const step = Number((await go.textContent())!.replace(/\D+/g, ''));
    await go.click();
    await expect.poll(() => index(page)).toBe(step);
    await panel.getByRole('button', { name: 'Show a hint' }).click();
    await expect(panel.getByTestId('hints').locator('li')).toHaveCount(1);

    const config = page.getByRole('region', { name: 'Configuration' });
    await config.getByLabel('Configure host', { exact: true }).selectOption('server');
    await config.getByLabel('iptables table', { exact: true }).selectOption('filter');
    await config.getByLabel('iptables chain', { exact: true }).selectOption('INPUT');
    await config.getByLabel('Protocol (-p)', { exact: true }).selectOption('icmp');
    await config.getByLabel('Target', { exact: true }).selectOption('DROP');
    const walked = await markWalk(page);
    await config.getByRole('button', { name: 'Add rule' }).click();
    await walked();
    await check(page, 'Check');
    await expect(result.locator('[data-passed]')).toHaveAttribute('data-passed', 'true');
    await expect(result.locator('[data-goal-met="false"]')).toHaveCount(0);
    await expect(result).toContainText('Edit commands counted: 1');
    await expect(result.getByTestId('result-code')).toHaveText(/^block-ping-0-P-[0-9a-z]{12}$/);

    // 2. a predict-the-path challenge answered with its choices
    await openFromCourse(page, 'chains-forward');
    await panel.locator('input[type="radio"][value^="raw PREROUTING, mangle PREROUTING, nat PREROUTING, mangle FORWARD"]').check();
    await check(page, 'Check');
    await expect(result.locator('[data-passed]')).toHaveAttribute('data-passed', 'true');

    // 3. ssh-only in Chinese, a seeded variant from a link, solved in the console with the revealed solution
    await page.evaluate(() => (window.location.hash = '#challenge=ssh-only&seed=3&lang=zh'));
    await expect(page.locator('[data-challenge-open="ssh-only"]')).toBeVisible();
    await waitForWalk(page);
    await expect(panel.getByRole('heading', { level: 2 })).toContainText('挑战');
    await expect(panel.getByLabel('变体（种子）')).toHaveValue('3');
    await panel.getByRole('button', { name: '显示参考答案' }).click();
    const solution = (await panel.getByTestId('solution').textContent())!;
    const consoleRegion = page.getByRole('region', { name: '控制台' });
    const input = consoleRegion.getByRole('textbox', { name: '命令' });
    for (const line of solution.split('\n').map((l) => l.trim())) {
      const host = /^# host (\S+)/.exec(line)?.[1];
      if (host) await consoleRegion.getByLabel('控制台所在主机').selectOption(host);
      if (!line || line.startsWith('#')) continue;
      await input.fill(line);
      await input.press('Enter');
      await expect(input).toHaveValue('');
    }
    await check(page, '检查');
    await expect(result.locator('[data-passed]')).toHaveAttribute('data-passed', 'true');
    await expect(result).toContainText('所有目标均已达成');
    await expect.poll(() => page.evaluate(() => window.location.hash)).toContain('challenge=ssh-only&seed=3');

    // a reload keeps the progress, and the challenge open over the student's work
    await page.reload();
    await waitForWalk(page);
    await expect(page.locator('[data-challenge-open="ssh-only"]')).toBeVisible();
    await page.getByRole('navigation').getByRole('button', { name: '课程', exact: true }).click();
    await expect(passedMark(page)).toHaveCount(3);
    await expect(page.getByTestId('course-score')).toContainText('已通过 3 /');

    // export, forget, import: the same three results
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出进度' }).click()]);
    const exported = await readFile((await download.path())!, 'utf8');
    const file = JSON.parse(exported) as { v: number; records: { id: string; passed: boolean }[] };
    expect(file.records.map((r) => [r.id, r.passed]).sort()).toEqual([
      ['block-ping', true],
      ['chains-forward', true],
      ['ssh-only', true],
    ]);
    await page.evaluate(() => localStorage.removeItem('packetwalk.course.progress'));
    await page.reload();
    await waitForWalk(page);
    await page.getByRole('navigation').getByRole('button', { name: '课程', exact: true }).click();
    await expect(page.getByTestId('course-score')).toContainText('已通过 0 /');
    await page.getByTestId('progress-file').setInputFiles({ name: 'progress.json', mimeType: 'application/json', buffer: Buffer.from(exported) });
    await expect(page.getByTestId('course')).toContainText('已导入 3 条结果。');
    await expect(passedMark(page)).toHaveCount(3);
    const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('packetwalk.course.progress') ?? '{}') as unknown);
    expect(kept).toEqual(file);
  });

  test('a file that is not progress is refused with the reason, and nothing changes', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    await page.getByRole('navigation').getByRole('button', { name: 'Course', exact: true }).click();
    await page.getByTestId('progress-file').setInputFiles({ name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('{"v":1,"records":[{"v":1}]}') });
    await expect(page.getByTestId('course')).toContainText('This file is not PacketWalk course progress: records[0].id: expected a challenge id');
    await expect(page.getByTestId('course-score')).toContainText('0 of');
  });

  test('axe finds nothing on the course and on a checked challenge, in both languages', async ({ page }) => {
    const violations = async () => (await new AxeBuilder({ page }).analyze()).violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    for (const [lang, course, checkName] of [
      ['en', 'Course', 'Check'],
      ['zh', '课程', '检查'],
    ] as const) {
      await page.goto(`/#lang=${lang}`);
      await waitForWalk(page);
      await page.getByRole('navigation').getByRole('button', { name: course, exact: true }).click();
      await expect(page.getByTestId('course').locator('[data-challenge]').first()).toBeVisible();
      expect(await violations()).toEqual([]);
      // the course is on screen: its Open button, not the header's toggle
      await page.getByTestId('course').locator('[data-challenge="established-replies"]').getByRole('button').click();
      await expect(page.locator('[data-challenge-open="established-replies"]')).toBeVisible();
      await waitForWalk(page);
      await check(page, checkName);
      expect(await violations()).toEqual([]);
    }
  });
});
