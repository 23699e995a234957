// pattern: Imperative Shell
// The engine cannot hold the page hostage: a walk that runs past the
// watchdog's budget (chains that each jump twice to the next, 2^22 rule
// visits; the test shortens the watchdog from 10 s to 0.3 s through the test
// hook, so the walk outlasts it whatever the engine's own work budget
// allows) is stopped, the page says so in the reader's language and answers
// clicks all along; the scenario is kept, and a reload does not run its
// traffic again but offers to send it step by step or discard it.

import { test, expect } from '@playwright/test';
import { waitForWalk } from './helpers';
import type { Case } from '../src/engine/scenario/case';

function fanOut(depth: number): Case {
  const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
  for (let i = 1; i <= depth; i++) lines.push(`:c${i} - [0:0]`);
  lines.push('-A OUTPUT -j c1');
  for (let i = 1; i < depth; i++) lines.push(`-A c${i} -j c${i + 1}`, `-A c${i} -j c${i + 1}`);
  lines.push('COMMIT', '');
  return {
    name: 'fan-out',
    hosts: [
      { name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0', { 'iptables-restore': lines.join('\n') }] },
      { name: 'b', setup: ['ip addr add 10.0.0.2/24 dev eth0'] },
    ],
    links: [['a:eth0', 'b:eth0']],
    steps: [{ from: 'a', ping: '10.0.0.2' }],
  };
}

test.describe('the engine worker', () => {
  test('a runaway walk is stopped by the watchdog, the page answers throughout, and a reload does not run it again', async ({ page }) => {
    test.setTimeout(90_000);
    await page.goto('/');
    await waitForWalk(page);
    await page.evaluate(() => window.__packetwalk!.watchdog(300));
    void page.evaluate((c) => window.__packetwalk!.load(c), fanOut(22));
    // the page answers while the worker is busy (with something that needs no engine)
    await page.getByLabel('Language').selectOption('zh');
    await expect(page.getByRole('button', { name: '分享' })).toBeVisible();

    const restarted = page.getByTestId('engine-restarted');
    await expect(restarted).toContainText(/引擎模拟数据包路径已超过 [\d.]+ 秒，因此被停止/, { timeout: 30_000 });
    await expect(page.getByRole('alert').filter({ hasText: '引擎处理此任务超过 0.3 秒，已被停止；场景保持不变。' })).toBeVisible();
    expect(await page.evaluate(() => window.__packetwalk!.status)).toBe('error');
    // the scenario is kept
    expect(await page.evaluate(() => (window.__packetwalk!.scenario as { name: string }).name)).toBe('fan-out');

    // the worker that replaced the stopped one answers
    await page.evaluate(() => window.__packetwalk!.watchdog(null));
    await page.evaluate((c) => window.__packetwalk!.simulateInBackground(c), { ...fanOut(2), name: 'small' });
    await page.getByLabel('语言').selectOption('en');
    await page.reload();
    const held = page.getByTestId('walk-held');
    await expect(held).toContainText('The last visit did not finish walking this scenario');
    await waitForWalk(page).catch(() => undefined);
    await expect.poll(() => page.evaluate(() => window.__packetwalk!.status)).toBe('ready');
    // hosts and rules are shown, no traffic was sent
    expect(await page.evaluate(() => window.__packetwalk!.log!.packets.length)).toBe(0);
    await expect(held.getByRole('button', { name: 'Send step 1 of 1' })).toBeVisible();

    await held.getByRole('button', { name: 'Discard this scenario' }).click();
    await waitForWalk(page);
    await expect(held).toHaveCount(0);
    expect(await page.evaluate(() => (window.__packetwalk!.scenario as { name: string }).name)).not.toBe('fan-out');
    await page.reload();
    await waitForWalk(page);
    await expect(page.getByTestId('walk-held')).toHaveCount(0);
  });
});
