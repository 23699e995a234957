// pattern: Imperative Shell
// The console speaks net-tools and ss, in English and in Chinese: read-only
// commands print what Debian's net-tools 2.10 and iproute2 6.1.0's ss print
// (the texts recorded in src/engine/lab/__fixtures__/nettools, see record.py
// there) and change nothing — the undo stack and the step on screen stay; a
// write (route add default gw …) shows the ip command the lab ran instead and
// why iproute2 replaced the old tool, changes the route table, and route -n
// then prints it; a refusal reads as net-tools prints it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, type Page } from '@playwright/test';
import { waitForWalk } from './helpers';
import type { Case } from '../src/engine/scenario/case';

const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'src', 'engine', 'lab', '__fixtures__', 'nettools');
const netToolsCase = JSON.parse(readFileSync(join(FIXTURES, 'nettools.json'), 'utf8')) as Case;

/** What the real tool printed (`### [STATE ]HOST: COMMAND` sections), the first section of `head` in `file`. */
function recorded(file: string, head: string): string {
  const section = readFileSync(join(FIXTURES, file), 'utf8').split(/^### /m).find((s) => s.startsWith(`${head}\n`))!;
  return section.slice(section.indexOf('\n') + 1).replace(/pwnt-/g, '').replace(/\n$/, '');
}

const WORDS = {
  en: { console: 'Console', host: 'Console host', command: 'Command', why: 'Why iproute2: route knows the main table only', translated: 'net-tools → iproute2: the lab applied', asOf: 'as of step 1; nothing changed' },
  zh: { console: '控制台', host: '控制台所在主机', command: '命令', why: '为什么用 iproute2：route 只认识 main 路由表', translated: 'net-tools → iproute2：实验环境执行了', asOf: '第 1 步时的状态；未做任何修改' },
} as const;

for (const lang of ['en', 'zh'] as const) {
  test.describe(`console net-tools in ${lang}`, () => {
    test.use({ locale: lang === 'zh' ? 'zh-CN' : 'en-US' });
    const w = WORDS[lang];

    async function run(page: Page, text: string, cleared = true): Promise<void> {
      const input = page.getByRole('region', { name: w.console, exact: true }).getByRole('textbox', { name: w.command, exact: true });
      await input.fill(text);
      await input.press('Enter');
      if (cleared) await expect(input).toHaveValue('');
    }

    test('reads as net-tools and ss print, translates a write to ip, and refuses as route does', async ({ page }) => {
      await page.goto('/');
      await waitForWalk(page);
      await page.evaluate((c) => window.__packetwalk!.load(c), netToolsCase);
      await waitForWalk(page);
      const region = page.getByRole('region', { name: w.console, exact: true });
      await expect(region).toContainText('ss -tuln|-tan|-s');
      await expect(region).toContainText('netstat -tuln|-tan|-rn|-i');

      // the walk's first step is the client's SYN: neither the router nor the server has had a packet yet
      await page.evaluate(() => window.__packetwalk!.stepTo(0));
      const before = await page.evaluate(() => ({ index: window.__packetwalk!.index, undo: window.__packetwalk!.undo }));
      const blocks = region.locator('pre[data-console-output]');
      const reads: [string, string][] = [
        ['router', 'route -n'],
        ['router', 'ifconfig eth1'],
        ['router', 'netstat -rn'],
        ['server', 'ss -tuln'],
        ['server', 'netstat -tuln'],
      ];
      for (const [k, [host, c]] of reads.entries()) {
        await region.getByLabel(w.host, { exact: true }).selectOption(host);
        await run(page, c);
        await expect(blocks).toHaveCount(k + 1);
        expect(await blocks.nth(k).textContent()).toBe(recorded('nettools.golden.txt', `start ${host}: ${c}`));
      }
      await expect(region).toContainText(w.asOf);
      const after = await page.evaluate(() => ({ index: window.__packetwalk!.index, undo: window.__packetwalk!.undo }));
      expect(after).toEqual(before);

      // a write: the translation, why, one more undo entry, and the table route -n prints
      await region.getByLabel(w.host, { exact: true }).selectOption('router');
      await run(page, 'route add default gw 10.0.2.2');
      await expect(region.locator('pre[data-console-translation]')).toHaveText('ip route add default via 10.0.2.2');
      await expect(region).toContainText(w.translated);
      await expect(region).toContainText(w.why);
      await waitForWalk(page);
      await expect.poll(() => page.evaluate(() => window.__packetwalk!.undo.past)).toBe(before.undo.past + 1);
      await run(page, 'route -n');
      await expect(blocks.last()).toHaveText(recorded('writes.golden.txt', 'router: route -n'));

      // a refusal in route's words, the line kept for fixing
      await run(page, 'route add default gw 10.9.9.9', false);
      await expect(region).toContainText('SIOCADDRT: Network is unreachable');
      await expect(region.getByRole('textbox', { name: w.command, exact: true })).toHaveValue('route add default gw 10.9.9.9');
      expect(await page.evaluate(() => window.__packetwalk!.undo.past)).toBe(before.undo.past + 1);
    });
  });
}
