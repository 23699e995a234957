// pattern: Imperative Shell
// The app in both languages: chosen from the browser, switched in the
// header and kept, with no missing translation (⟦key⟧) anywhere — the walk,
// the editor's every section, the gallery, presenter mode — and, in
// Chinese, none of the app's English labels left; kernel words (table and
// chain names) stay. axe finds nothing in either language.

import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { waitForWalk } from './helpers';

/** The app's own English labels: none may be left on a Chinese screen. */
const ENGLISH_LABELS = [
  'Send a packet', 'Send packet', 'Send another', 'Replace traffic', 'Traffic sent', 'From host', 'Destination port', 'Step forward', 'Step back', 'Flow graph', 'Follow packet',
  'Packet headers', 'Routing decision', 'Conntrack table', 'Event list', 'Trace log', 'Chain rules', 'packet here', 'Edit the scenario',
  'Presenter mode', 'No packet yet', 'Loading', 'Configuration', 'Console', 'Undo', 'Redo', 'Equivalent command', 'Add rule', 'Match module',
  'Import', 'Export', 'Choose a file', 'Verdict / what happened', 'Previous page', 'Copy trace log', 'Look here', 'Key moments', 'Restore my previous work',
  'rules', 'interface in', 'local process', 'routing decision', 'Zoom in', 'Select a host', 'Hosts & links', 'Listeners', 'Sysctls',
];

async function problems(page: Page, lang: 'en' | 'zh'): Promise<string[]> {
  return page.evaluate(
    ([labels, zh]) => {
      const main = document.querySelector('main')?.innerText ?? '';
      const header = document.querySelector('header')?.innerText ?? '';
      const text = `${header}\n${main}`;
      const out: string[] = [];
      const missing = text.match(/⟦[^⟧]*⟧/g);
      if (missing) out.push(...missing);
      // names screen readers read out count as text too
      for (const el of document.querySelectorAll('[aria-label],[title],[placeholder]')) {
        for (const a of ['aria-label', 'title', 'placeholder']) {
          const v = el.getAttribute(a);
          if (v && v.includes('⟦')) out.push(`${a}=${v}`);
        }
      }
      // a file name (router.iptables-save.rules) is not a label
      if (zh) for (const l of labels as string[]) if (new RegExp(`(^|[^A-Za-z._-])${l}([^A-Za-z._-]|$)`).test(text)) out.push(`English left: ${l}`);
      return out;
    },
    [ENGLISH_LABELS, lang === 'zh'] as const,
  );
}

async function axe(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).analyze();
  return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

for (const lang of ['en', 'zh'] as const) {
  test.describe(`the app in ${lang}`, () => {
    test.use({ locale: lang === 'zh' ? 'zh-CN' : 'en-US' });

    test('chosen from the browser; every screen is translated, the editor included', async ({ page }) => {
      test.setTimeout(90_000);
      await page.goto('/');
      await waitForWalk(page);
      await expect(page.locator('html')).toHaveAttribute('lang', lang === 'zh' ? 'zh-CN' : 'en');
      const graph = page.getByRole('region', { name: lang === 'zh' ? '流程图' : 'Flow graph', exact: true });
      // kernel words stay: the table×chain boxes keep their names in both languages
      await expect(graph.getByRole('button', { name: 'nat PREROUTING', exact: true })).toBeVisible();
      // walk a little, so notes, rules and conntrack entries are on screen
      for (let i = 0; i < 14; i++) await page.keyboard.press('ArrowRight');
      await expect(page.getByRole('region', { name: lang === 'zh' ? '链中的规则' : 'Chain rules' }).locator('[data-rule]').first()).toBeVisible();
      expect(await problems(page, lang)).toEqual([]);

      // the editor: every configuration section, the console, import and export
      const editor = page.getByRole('region', { name: lang === 'zh' ? '编辑场景' : 'Edit the scenario', exact: true });
      await editor.scrollIntoViewIfNeeded();
      const config = page.getByRole('region', { name: lang === 'zh' ? '配置' : 'Configuration', exact: true });
      await expect(config).toBeVisible();
      const sections = lang === 'zh' ? ['iptables', '网卡', '路由', 'IP 规则', 'sysctl', '监听端口', '主机与链路'] : ['iptables', 'Interfaces', 'Routes', 'IP rules', 'Sysctls', 'Listeners', 'Hosts & links'];
      for (const s of sections) {
        await config.getByRole('button', { name: s, exact: true }).click();
        await page.waitForTimeout(150);
        expect(await problems(page, lang), s).toEqual([]);
      }
      const exp = page.getByRole('region', { name: lang === 'zh' ? '导出' : 'Export', exact: true });
      await exp.getByRole('button', { name: 'iptables-save' }).click();
      await expect(exp.locator('pre')).toContainText('*filter');
      expect(await problems(page, lang)).toEqual([]);
    });

    test('presenter mode and the gallery are translated too', async ({ page }) => {
      await page.goto('/');
      await waitForWalk(page);
      await page.getByRole('button', { name: lang === 'zh' ? '示例库' : 'Gallery', exact: true }).click();
      await expect(page.locator('[data-gallery]').first()).toBeVisible();
      expect(await problems(page, lang)).toEqual([]);
      await page.getByRole('button', { name: lang === 'zh' ? '返回走查' : 'Back to the walk' }).click();
      await page.keyboard.press('p');
      await expect(page.getByTestId('presenter-qr')).toBeVisible();
      await page.keyboard.press('ArrowRight');
      expect(await problems(page, lang)).toEqual([]);
    });

    // the English screen gets the same check in app.spec.ts
    if (lang === 'zh') {
      test('axe finds no violations', async ({ page }) => {
        test.setTimeout(60_000);
        await page.goto('/');
        await waitForWalk(page);
        await page.keyboard.press('ArrowRight');
        await page.waitForLoadState('networkidle');
        expect(await axe(page)).toEqual([]);
      });
    }
  });
}

test('the Language select switches the app, and the choice is kept in this browser and in the link', async ({ page }) => {
  await page.goto('/');
  await waitForWalk(page);
  await expect(page.getByRole('button', { name: 'Step forward' })).toBeVisible();
  await page.getByLabel('Language').selectOption('zh');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('button', { name: '前进一步' })).toBeVisible();
  await expect(page.getByRole('region', { name: '流程图', exact: true })).toBeVisible();
  await expect.poll(() => page.evaluate(() => window.location.hash)).toContain('lang=zh');
  expect(await page.evaluate(() => localStorage.getItem('packetwalk.lang'))).toBe('zh');
  await page.goto('/');
  await waitForWalk(page);
  await expect(page.getByLabel('语言')).toHaveValue('zh');
  // a link's lang wins over the kept choice
  await page.goto('about:blank');
  await page.goto('/#lang=en');
  await waitForWalk(page);
  await expect(page.getByRole('button', { name: 'Step forward' })).toBeVisible();
});
