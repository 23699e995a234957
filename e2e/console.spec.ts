// pattern: Imperative Shell
// The console reads as well as writes: read-only commands print what the
// real tools print (the texts recorded from iptables 1.8.9 and iproute2 6.1
// in src/engine/lab/__fixtures__/readonly, see record.py there) and change
// nothing — the lab's version and undo stack and the step on screen stay.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, type Page } from '@playwright/test';
import { waitForWalk } from './helpers';
import type { Case } from '../src/engine/scenario/case';

const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'src', 'engine', 'lab', '__fixtures__', 'readonly');
const routerCase = JSON.parse(readFileSync(join(FIXTURES, 'router.json'), 'utf8')) as Case;

/** What the real tool printed for `command` on router (golden file sections are `### host: command`). */
function recorded(command: string): string {
  const text = readFileSync(join(FIXTURES, 'router.golden.txt'), 'utf8');
  const section = text.split(/^### /m).find((s) => s.startsWith(`router: ${command}\n`))!;
  return section.slice(section.indexOf('\n') + 1).replace(/pwro-/g, '').replace(/\n$/, '');
}

async function run(page: Page, text: string): Promise<void> {
  const input = page.getByRole('region', { name: 'Console' }).getByRole('textbox', { name: 'Command' });
  await input.fill(text);
  await input.press('Enter');
  await expect(input).toHaveValue('');
}

test.describe('console read-only commands', () => {
  test('print the real tools’ output and change nothing', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    await page.evaluate((c) => window.__packetwalk!.load(c), routerCase);
    await waitForWalk(page);
    const region = page.getByRole('region', { name: 'Console' });
    await region.getByLabel('Console host').selectOption('router');
    // the hint names every tool the console reads with (its exact words are held by src/engine/lab/readonly-complete.test.ts)
    for (const tool of ['iptables -L/-S', 'iptables-save [-c]', 'ip addr|link|route|rule|neigh', 'ip route get', 'ip netns list', 'ipvsadm -Ln', 'sysctl NAME', 'sysctl -a', 'conntrack -L', 'ss -tuln|-tan|-s', 'bridge link|fdb|vlan', 'tc [-s] qdisc', 'ifconfig [-a]', 'route -n', 'arp -n', 'netstat -tuln|-tan|-rn|-i', 'help'])
      await expect(region, tool).toContainText(tool);

    await page.evaluate(() => window.__packetwalk!.stepTo(3));
    const before = await page.evaluate(() => ({ index: window.__packetwalk!.index, undo: window.__packetwalk!.undo, log: window.__packetwalk!.log }));
    await page.evaluate(() => {
      (window as unknown as { __log: unknown }).__log = window.__packetwalk!.log;
    });

    const blocks = region.locator('pre[data-console-output]');
    const commands = ['iptables -L', 'iptables -t nat -L -n -v', 'iptables -S FORWARD', 'ip addr', 'ip route get 8.8.8.8 from 10.0.1.5 iif eth0', 'ip rule', 'sysctl net.ipv4.ip_forward'];
    for (const [k, c] of commands.entries()) {
      await run(page, c);
      await expect(blocks).toHaveCount(k + 1);
      expect(await blocks.nth(k).textContent()).toBe(recorded(c));
    }
    await expect(region).toContainText('as of step 4; nothing changed');

    const after = await page.evaluate(() => ({ index: window.__packetwalk!.index, undo: window.__packetwalk!.undo, same: window.__packetwalk!.log === (window as unknown as { __log: unknown }).__log }));
    expect(after.index).toBe(before.index);
    expect(after.undo).toEqual(before.undo);
    expect(after.same).toBe(true);
  });

  test('Tab completes chain names and a typo gets a suggestion', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    await page.evaluate((c) => window.__packetwalk!.load(c), routerCase);
    await waitForWalk(page);
    const region = page.getByRole('region', { name: 'Console' });
    await region.getByLabel('Console host').selectOption('router');
    const input = region.getByRole('textbox', { name: 'Command' });
    await input.fill('iptables -L LOG');
    await input.press('Tab');
    await expect(input).toHaveValue('iptables -L LOGDROP ');
    await run(page, 'iptabels -L');
    await expect(region.locator('pre[data-console-output]').last()).toHaveText('iptabels: command not found; did you mean iptables?');
  });
});
