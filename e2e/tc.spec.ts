// pattern: Imperative Shell
// A tbf qdisc made by the qdisc form, changed by the console (`tc qdisc
// replace`), printed by `tc qdisc show`, and drawn by the walk as the
// "tc egress" box on that host — in English and in Chinese. A rate tc
// cannot read is shown on the rate field, and the form is axe clean.

import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { markWalk, waitForWalk } from './helpers';
import type { Case } from '../src/engine/scenario/case';

const pair: Case = {
  name: 'tc-e2e',
  hosts: [
    { name: 'a', setup: ['ip addr add 10.0.1.1/24 dev eth0'] },
    { name: 'b', setup: ['ip addr add 10.0.1.2/24 dev eth0'] },
  ],
  links: [['a:eth0', 'b:eth0']],
  steps: [{ from: 'a', ping: '10.0.1.2' }],
} as Case;

const WORDS = {
  en: { config: 'Configuration', host: 'Configure host', interfaces: 'Interfaces', device: 'Device', rate: 'Rate', burst: 'Burst (bytes)', limit: 'Limit (bytes)', apply: 'Apply', applied: 'Applied on a.', refused: 'The command was not applied: 1 error.', console: 'Console', consoleHost: 'Console host', command: 'Command', graph: 'Flow graph', box: 'tc egress' },
  zh: { config: '配置', host: '要配置的主机', interfaces: '网卡', device: '设备', rate: '速率', burst: '突发（字节）', limit: '上限（字节）', apply: '应用', applied: '已在 a 上应用。', refused: '命令未执行：1 个错误。', console: '控制台', consoleHost: '控制台所在主机', command: '命令', graph: '流程图', box: 'tc 出口' },
} as const;

async function typeCommand(page: Page, words: (typeof WORDS)['en' | 'zh'], text: string): Promise<void> {
  const input = page.getByRole('region', { name: words.console, exact: true }).getByRole('textbox', { name: words.command, exact: true });
  await input.fill(text);
  await input.press('Enter');
  await expect(input).toHaveValue('');
}

for (const [lang, locale] of [
  ['en', 'en-US'],
  ['zh', 'zh-CN'],
] as const) {
  test.describe(`tc in ${lang}`, () => {
    test.use({ locale });
    test('a tbf made by the form, replaced by the console, shown by tc and drawn as the egress box', async ({ page }) => {
      const w = WORDS[lang];
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await page.goto('/');
      await waitForWalk(page);
      await page.evaluate((c) => window.__packetwalk!.load(c), pair);
      await waitForWalk(page);

      // no qdisc yet: the graph has no tc box
      const box = page.getByRole('region', { name: w.graph, exact: true }).locator('[data-node="tc-egress"]');
      await expect(page.getByRole('region', { name: w.graph, exact: true }).locator('[data-node="iface-out"]')).toHaveCount(1);
      await expect(box).toHaveCount(0);

      const config = page.getByRole('region', { name: w.config, exact: true });
      await config.getByLabel(w.host, { exact: true }).selectOption('a');
      await config.getByRole('button', { name: w.interfaces, exact: true }).click();
      const form = config.getByTestId('qdisc-form');
      await form.getByLabel(w.device, { exact: true }).selectOption('eth0');
      const rate = form.getByLabel(w.rate, { exact: true });

      // a rate tc cannot read: tc's message on the rate field, the count under the command, nothing applied
      await rate.fill('fast');
      await form.getByLabel(w.burst, { exact: true }).fill('10kb');
      await form.getByLabel(w.limit, { exact: true }).fill('30000');
      await form.getByRole('button', { name: w.apply, exact: true }).click();
      await expect(rate).toHaveAttribute('aria-invalid', 'true');
      await expect(form.getByTestId('field-error')).toContainText('rate');
      await expect(form.getByTestId('errors-on-fields')).toHaveText(w.refused);
      const axe = await new AxeBuilder({ page }).include('[data-testid="qdisc-form"]').analyze();
      expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

      await rate.fill('1mbit');
      await expect(rate).not.toHaveAttribute('aria-invalid', 'true');
      await expect(form.locator('output')).toHaveText('tc qdisc add dev eth0 root tbf rate 1mbit burst 10kb limit 30000');
      const walked = await markWalk(page);
      await form.getByRole('button', { name: w.apply, exact: true }).click();
      await expect(form).toContainText(w.applied);
      await walked();

      // the console changes it, and tc shows the change
      const consoleRegion = page.getByRole('region', { name: w.console, exact: true });
      await consoleRegion.getByLabel(w.consoleHost, { exact: true }).selectOption('a');
      await typeCommand(page, w, 'tc qdisc replace dev eth0 root tbf rate 2mbit burst 10kb latency 50ms');
      await waitForWalk(page);
      await typeCommand(page, w, 'tc qdisc show dev eth0');
      await expect(consoleRegion.locator('pre[data-console-output]').last()).toContainText(/qdisc tbf \w+: root refcnt \d+ rate 2Mbit burst 10Kb/);

      // the walk's first step is on a: its graph has the root qdisc's box after POSTROUTING
      await expect(box).toContainText(w.box);
    });
  });
}
