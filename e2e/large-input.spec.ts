// pattern: Imperative Shell
// Large inputs as a user meets them: a kube-proxy dump pasted into Import is
// kept aside (counted, not laid out in the text box) and imported; its
// thousands of chains are chosen through a searchable list instead of a
// select; and a long import can be stopped, changing nothing. (How long
// each takes is measured by `npm run bench:app -- --extras`, never asserted here.)

import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { kubeProxyCase } from '../src/scenarios/kube-proxy';
import { markWalk, waitForWalk } from './helpers';

/** kube-proxy's nat table for this many Services (15 lines, 4 chains each). */
function kubeSave(services: number): string {
  const node = (kubeProxyCase('iptables', services).hosts as { name: string; setup: unknown[] }[]).find((h) => h.name === 'node')!;
  return (node.setup.find((c) => typeof c === 'object') as { 'iptables-restore': string })['iptables-restore'];
}

async function paste(page: Page, text: string): Promise<void> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  const imp = page.getByRole('region', { name: 'Import' });
  await imp.getByLabel('Into host').selectOption('router');
  await imp.getByRole('textbox', { name: 'Text to import' }).focus();
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.keyboard.press('Control+V');
}

test.describe('large inputs', () => {
  test('a small paste goes into the box at the caret, as one edit that undo takes back, without the clipboard-read permission', async ({ page }) => {
    // as a user's browser: the page may write the clipboard, and is never granted reading it
    await page.context().grantPermissions(['clipboard-write']);
    await page.goto('/');
    await waitForWalk(page);
    const box = page.getByRole('region', { name: 'Import' }).getByRole('textbox', { name: 'Text to import' });
    await box.fill('*filter\nCOMMIT\n');
    await box.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(8, 8));
    await page.evaluate(() => navigator.clipboard.writeText('-A INPUT -i lo -j ACCEPT\n'));
    await page.keyboard.press('Control+V');
    await expect(box).toHaveValue('*filter\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n');
    await expect(box).toHaveJSProperty('selectionStart', 33);
    await page.keyboard.press('Control+Z');
    await expect(box).toHaveValue('*filter\nCOMMIT\n');
  });

  test('a large paste keeps what was typed around the caret', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    const box = page.getByRole('region', { name: 'Import' }).getByRole('textbox', { name: 'Text to import' });
    await box.fill('# before\n\n# after\n');
    await box.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(9, 9));
    await paste(page, kubeSave(400));
    // the dump's 6,016 lines, the two typed around it, and the empty line it was pasted at the start of
    await expect(page.getByRole('region', { name: 'Import' })).toContainText('Pasted text: 6,019 lines ready (too large to show here).');
  });

  test('a pasted kube-proxy dump is kept aside, imported, and its 1,600 chains are found by typing', async ({ page }) => {
    test.setTimeout(90_000);
    await page.goto('/');
    await waitForWalk(page);
    const text = kubeSave(400);
    await paste(page, text);
    const imp = page.getByRole('region', { name: 'Import' });
    await expect(imp).toContainText('Pasted text: 6,016 lines ready (too large to show here).');
    await expect(imp.getByRole('textbox', { name: 'Text to import' })).toHaveCount(0);
    await expect(imp.getByLabel('Format')).toContainText('detect: iptables-save output');

    const walked = await markWalk(page);
    await imp.getByRole('button', { name: 'Import', exact: true }).click();
    await walked();
    await expect(imp.getByRole('status').filter({ hasText: 'Imported' })).toContainText('Imported 6,016 lines into router');

    const config = page.getByRole('region', { name: 'Configuration' });
    await config.getByLabel('iptables table', { exact: true }).selectOption('nat');
    const chain = config.getByRole('combobox', { name: 'iptables chain' });
    await expect(chain).toHaveValue(/^PREROUTING \(1 rule/);
    await chain.fill('kube-svc');
    const list = config.getByRole('listbox');
    await expect(list.getByRole('option')).toHaveCount(50);
    await expect(list).toContainText('First 50 of 400 matches: type more to narrow.');
    const axe = await new AxeBuilder({ page }).include('[role="combobox"]').include('[role="listbox"]').analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await chain.fill('KUBE-SERVICES');
    await expect(list.getByRole('option').first()).toHaveText(/^KUBE-SERVICES \(400 rules\)$/);
    await chain.press('Enter');
    await expect(chain).toHaveValue('KUBE-SERVICES (400 rules)');
    await expect(config.getByRole('list', { name: 'Rules of nat KUBE-SERVICES' })).toContainText('-j KUBE-SVC-');

    // the rule builder's target list holds the 1,600 chains too: a combobox, reached by keyboard
    const target = config.getByRole('combobox', { name: 'Target' });
    await target.fill('KUBE-MARK-MASQ');
    await target.press('ArrowDown');
    await target.press('Enter');
    await expect(target).toHaveValue('KUBE-MARK-MASQ');
    await expect(config.locator('output').filter({ hasText: '-j KUBE-MARK-MASQ' })).toHaveText('iptables -t nat -A KUBE-SERVICES -j KUBE-MARK-MASQ');
  });

  test('a long import can be stopped, and nothing changes', async ({ page }) => {
    test.setTimeout(90_000);
    await page.goto('/');
    await waitForWalk(page);
    const before = await page.evaluate(() => JSON.stringify(window.__packetwalk!.scenario));
    await paste(page, kubeSave(3340));
    const imp = page.getByRole('region', { name: 'Import' });
    await expect(imp).toContainText('Pasted text: 50,116 lines ready');
    await imp.getByRole('button', { name: 'Import', exact: true }).click();
    await imp.getByRole('button', { name: 'Stop the import' }).click();
    await expect(imp.getByRole('status')).toContainText('The import was stopped; nothing changed.');
    expect(await page.evaluate(() => JSON.stringify(window.__packetwalk!.scenario))).toBe(before);
    // the engine that replaced the stopped one answers
    const walked = await markWalk(page);
    await page.getByRole('button', { name: 'Replace traffic' }).click();
    await walked();
    await expect(page.getByTestId('engine-restarted')).toHaveCount(0);
  });
});
