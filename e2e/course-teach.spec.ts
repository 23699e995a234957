// pattern: Imperative Shell
// The course as an instructor uses it, and what survives a reload: presenter
// mode reveals a challenge's reference solution a command at a time (the walk
// and the goals follow each line; reveal= in the address bar keeps it over a
// refresh), a link opens the course restricted to a set of challenges (an
// unknown id named, the rest opened) and is made from the list, each unit
// starts with its explanation and a walk to watch, the commands counted stay
// the same after a reload, and a student's result code is checked (a changed
// one refused). English and Chinese; axe finds nothing.

import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { waitForWalk } from './helpers';

async function violations(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).analyze();
  return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

const hash = (page: Page) => page.evaluate(() => window.location.hash);

async function openCourse(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation').getByRole('button', { name, exact: true }).click();
  await expect(page.getByTestId('course').locator('[data-challenge]').first()).toBeVisible();
}

/** Run console commands on a host, each answered before the next. */
async function typeCommands(page: Page, host: string, lines: readonly string[]): Promise<void> {
  const consoleRegion = page.getByRole('region', { name: 'Console' });
  await consoleRegion.getByLabel('Console host').selectOption(host);
  const input = consoleRegion.getByRole('textbox', { name: 'Command' });
  for (const line of lines) {
    await input.fill(line);
    await input.press('Enter');
    await expect(input).toHaveValue('');
  }
}

test.describe('presenter mode for a challenge', () => {
  test('reveals the solution a command at a time with the goals after each; reveal all, a refresh keeps it, hide; axe clean', async ({ page }) => {
    test.setTimeout(90_000);
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto('/#challenge=ssh-only');
    await waitForWalk(page);
    await expect(page.locator('[data-challenge-open="ssh-only"]')).toBeVisible();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('p');
    const reveal = page.getByTestId('challenge-reveal');
    await expect(reveal).toBeVisible();
    await expect(reveal.getByTestId('reveal-count')).toHaveText('The reference solution is hidden.');
    const goals = reveal.getByTestId('reveal-goals');

    // N reveals the first command: it is applied, the walk is walked again and the goals are read off it
    await page.keyboard.press('n');
    await expect(reveal.getByTestId('revealed').locator('li')).toHaveCount(1);
    await expect(reveal.getByTestId('reveal-count')).toHaveText(/^1 of (\d+) solution lines shown$/);
    const total = Number(/of (\d+)/.exec((await reveal.getByTestId('reveal-count').textContent())!)![1]);
    expect(total).toBeGreaterThan(1);
    await expect(goals.locator('[data-passed]')).toHaveAttribute('data-passed', 'false');
    await expect(goals.locator('[data-goal-met="false"]').first()).toBeVisible();
    await expect.poll(() => hash(page)).toContain('challenge=ssh-only&seed=0&reveal=1');
    await waitForWalk(page);

    // the button does the same as the key
    await reveal.getByRole('button', { name: 'Reveal the next command (N)' }).click();
    await expect(reveal.getByTestId('revealed').locator('li')).toHaveCount(2);
    await expect.poll(() => hash(page)).toContain('reveal=2');

    await reveal.getByRole('button', { name: 'Reveal all' }).click();
    await expect(reveal.getByTestId('reveal-count')).toHaveText(`${total} of ${total} solution lines shown`);
    await expect(goals.locator('[data-passed]')).toHaveAttribute('data-passed', 'true');
    await expect(goals.locator('[data-goal-met="false"]')).toHaveCount(0);
    await expect(reveal.getByRole('button', { name: 'Reveal the next command (N)' })).toBeDisabled();
    await expect.poll(() => hash(page)).toContain(`reveal=${total}`);
    await page.waitForLoadState('networkidle');
    expect(await violations(page)).toEqual([]);

    // a refresh opens presenter mode at the same line, with the goals checked again
    await page.reload();
    await waitForWalk(page);
    await expect(page.locator('html')).toHaveClass(/presenter/);
    await expect(reveal.getByTestId('revealed').locator('li')).toHaveCount(total);
    await expect(goals.locator('[data-passed]')).toHaveAttribute('data-passed', 'true');

    await reveal.getByRole('button', { name: 'Hide the solution' }).click();
    await expect(reveal.getByTestId('revealed')).toHaveCount(0);
    await expect(reveal.getByTestId('reveal-count')).toHaveText(`0 of ${total} solution lines shown`);
    await expect(goals.locator('[data-passed]')).toHaveAttribute('data-passed', 'false');
    await expect.poll(() => hash(page)).toContain('reveal=0');

    // leaving presenter mode leaves the reveal out of the link
    await page.keyboard.press('Escape');
    await expect(page.locator('html')).not.toHaveClass(/presenter/);
    await expect.poll(() => hash(page)).not.toContain('reveal=');
  });

  test('in Chinese, a predict-the-path challenge reveals its answer; axe clean', async ({ page }) => {
    test.setTimeout(60_000);
    await page.goto('/#challenge=chains-forward&reveal=1&lang=zh');
    await waitForWalk(page);
    const reveal = page.getByTestId('challenge-reveal');
    await expect(reveal.getByTestId('revealed').locator('li')).toHaveCount(1);
    await expect(reveal.getByTestId('revealed')).toContainText('答案：');
    await expect(reveal.getByTestId('reveal-goals').locator('[data-passed]')).toHaveAttribute('data-passed', 'true');
    await expect(reveal.getByRole('button', { name: '隐藏参考答案' })).toBeEnabled();
    await page.waitForLoadState('networkidle');
    expect(await violations(page)).toEqual([]);
  });
});

test.describe('a link to a set of challenges', () => {
  test('opens the course with only that set, in its order and seeds; an unknown id is named and the rest opens', async ({ page }) => {
    await page.goto('/#course=set:ssh-only:3,no-such,block-ping&seed=5');
    const set = page.getByTestId('course-set');
    await expect(set.locator('[data-challenge]')).toHaveCount(2);
    expect(await set.locator('[data-challenge]').evaluateAll((els) => els.map((e) => e.getAttribute('data-challenge')))).toEqual(['ssh-only', 'block-ping']);
    await expect(set.getByTestId('set-problems')).toContainText('Item 2: there is no challenge “no-such”.');
    await expect(set.getByTestId('set-score')).toHaveText('0 of 2 challenges in this set passed');
    await expect(page.getByTestId('course').locator('[data-unit-intro]')).toHaveCount(0);
    await page.waitForLoadState('networkidle');
    expect(await violations(page)).toEqual([]);

    // the link's seed= goes to those without their own
    await set.locator('[data-challenge="block-ping"]').getByRole('button').click();
    await expect(page.locator('[data-challenge-open="block-ping"]')).toBeVisible();
    await waitForWalk(page);
    await expect(page.getByTestId('challenge').getByLabel('Variant (seed)')).toHaveValue('5');
    await expect.poll(() => hash(page)).toContain('course=set:ssh-only:3,no-such:5,block-ping:5');

    // solved, it counts for the set
    await typeCommands(page, 'server', ['iptables -A INPUT -p icmp --icmp-type echo-request -j DROP']);
    await page.getByTestId('challenge').getByRole('button', { name: 'Check', exact: true }).click();
    await expect(page.getByTestId('check-result').locator('[data-passed]')).toHaveAttribute('data-passed', 'true');
    await openCourse(page, 'Course');
    await expect(set.getByTestId('set-score')).toHaveText('1 of 2 challenges in this set passed');
    await expect(set.locator('[data-challenge="block-ping"] [data-progress="passed"]')).toBeVisible();

    await set.getByRole('button', { name: 'Show the whole course' }).click();
    await expect(page.getByTestId('course-score')).toBeVisible();
    await expect.poll(() => hash(page)).not.toContain('course=');
  });

  test('is made in the list: picked in order, with a seed for all; in Chinese the problems are in Chinese', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    await openCourse(page, 'Course');
    const course = page.getByTestId('course');
    await course.getByRole('button', { name: 'Make a link to a set of challenges' }).click();
    await course.getByRole('checkbox', { name: /^Put in the set: .*/ }).first().waitFor();
    await course.locator('[data-challenge="ssh-only"]').getByRole('checkbox').check();
    await course.locator('[data-challenge="block-ping"]').getByRole('checkbox').check();
    await course.getByTestId('set-maker').getByLabel('Seed for all (optional)').fill('4');
    const link = await course.getByTestId('set-link').inputValue();
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#course=set:ssh-only,block-ping&seed=4$/);
    await page.waitForLoadState('networkidle');
    expect(await violations(page)).toEqual([]);

    await page.goto(`${link.replace('#', '#lang=zh&').replace('block-ping', 'block-ping,x_y')}`);
    const set = page.getByTestId('course-set');
    await expect(set.locator('[data-challenge]')).toHaveCount(2);
    await expect(set.getByTestId('set-problems')).toContainText('第 3 项：“x_y”不是挑战 ID');
    await expect(set.getByTestId('set-score')).toHaveText('本组已通过 0 / 2 个挑战');
    await expect(set.locator('[data-challenge="ssh-only"]')).toContainText('种子 4');
  });
});

test.describe('the units', () => {
  test('each starts with its explanation and a walk to watch, with the lesson beside it; in both languages', async ({ page }) => {
    await page.goto('/#lang=zh');
    await waitForWalk(page);
    await openCourse(page, '课程');
    const intros = page.getByTestId('course').locator('[data-unit-intro]');
    await expect(intros).toHaveCount(8);
    await expect(intros.filter({ hasText: 'ESTABLISHED,RELATED' })).toHaveAttribute('data-unit-intro', 'conntrack');
    await page.getByLabel('语言').selectOption('en');
    const nat = page.locator('[data-unit-intro="nat"]');
    await expect(nat).toContainText('DNAT in PREROUTING');
    await nat.getByRole('button', { name: /^Watch it in a walk ?: NAT: SNAT, MASQUERADE, DNAT$/ }).click();
    await expect(page.locator('[data-lesson="g09-dnat-then-routing"]')).toBeVisible();
    await waitForWalk(page);
    await expect(page.getByTestId('course')).toHaveCount(0);
  });
});

test.describe('what a reload keeps, and result codes', () => {
  test('the commands counted stay the same after a reload; the result code is copied, checked, and refused when changed', async ({ page }) => {
    test.setTimeout(90_000);
    await page.goto('/#challenge=block-ping');
    await waitForWalk(page);
    await expect(page.locator('[data-challenge-open="block-ping"]')).toBeVisible();
    // a read-only command counts nothing; a rule added and undone counts nothing either
    await typeCommands(page, 'server', ['iptables -L INPUT', 'iptables -A INPUT -p icmp --icmp-type echo-request -j DROP']);
    const panel = page.getByTestId('challenge');
    const result = panel.getByTestId('check-result');
    await panel.getByRole('button', { name: 'Check', exact: true }).click();
    await expect(result.locator('[data-passed]')).toHaveAttribute('data-passed', 'true');
    await expect(result).toContainText('Edit commands counted: 1');
    const code = await result.getByTestId('result-code').textContent();

    // the autosave has the rule; then reload
    await page.waitForTimeout(1500);
    await page.reload();
    await waitForWalk(page);
    await expect(page.locator('[data-challenge-open="block-ping"]')).toBeVisible();
    await panel.getByRole('button', { name: 'Check', exact: true }).click();
    await expect(result.locator('[data-passed]')).toHaveAttribute('data-passed', 'true');
    await expect(result).toContainText('Edit commands counted: 1');
    await expect(result.getByTestId('result-code')).toHaveText(code!);

    // one more edit after the reload counts on top of the one before it
    await typeCommands(page, 'server', ['iptables -A INPUT -p tcp --dport 23 -j DROP']);
    await panel.getByRole('button', { name: 'Check', exact: true }).click();
    await expect(result).toContainText('Edit commands counted: 2');

    await openCourse(page, 'Course');
    const course = page.getByTestId('course');
    await course.getByText('Result codes: hand in your results, or check a student’s').click();
    await course.getByRole('button', { name: 'Copy my result code' }).click();
    const mine = await course.getByTestId('student-code').inputValue();
    expect(mine).toMatch(/^pw1\.block-ping_0_P_1_[0-9a-z]{12}~[0-9a-z]{8}$/);
    await course.getByTestId('verify-input').fill(mine);
    await course.getByRole('button', { name: 'Check the code' }).click();
    const verdict = course.getByTestId('verify-result');
    await expect(verdict.locator('[data-verified]')).toHaveAttribute('data-verified', 'true');
    await expect(verdict.locator('[data-proves="block-ping"]')).toContainText(code!);
    await page.waitForLoadState('networkidle');
    expect(await violations(page)).toEqual([]);

    await course.getByTestId('verify-input').fill(mine.replace('_0_P_', '_1_P_'));
    await course.getByRole('button', { name: 'Check the code' }).click();
    await expect(verdict.locator('[data-verified]')).toHaveText('Refused: the checksum does not match. The code was changed after it was made, or mistyped.');
    await expect(verdict.locator('[data-proves]')).toHaveCount(0);
  });
});
