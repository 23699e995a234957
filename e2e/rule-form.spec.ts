// pattern: Imperative Shell
// The rule form: a port match is one action — choose the protocol, fill in
// the port — and the command is what one types (`-p tcp --dport 80`, the
// tcp match implied as iptables implies it). An error the engine finds in
// what a field wrote is shown on that field (aria-invalid, the message next
// to it), counted once, with no caret column under the generated command.

import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { markWalk, waitForWalk } from './helpers';

async function forwardBuilder(page: Page) {
  await page.goto('/');
  await waitForWalk(page);
  const config = page.getByRole('region', { name: 'Configuration' });
  await expect(config).toBeVisible();
  await config.getByLabel('iptables table', { exact: true }).selectOption('filter');
  await config.getByLabel('iptables chain', { exact: true }).selectOption('FORWARD');
  return config;
}

test.describe('the rule form', () => {
  test('a port match in one action: protocol and port, the match implied', async ({ page }) => {
    const config = await forwardBuilder(page);
    await expect(config.getByLabel('Destination port', { exact: true })).toHaveCount(0);
    await config.getByLabel('Protocol (-p)', { exact: true }).selectOption('tcp');
    await config.getByLabel('Destination port', { exact: true }).fill('80');
    await config.getByLabel('Position').selectOption('insert');
    await config.getByLabel('Target', { exact: true }).selectOption('DROP');
    await expect(config.locator('output').filter({ hasText: '-j DROP' })).toHaveText('iptables -I FORWARD 1 -p tcp --dport 80 -j DROP');

    const walked = await markWalk(page);
    await config.getByRole('button', { name: 'Add rule' }).click();
    await walked();
    // iptables lists the match it loaded for the port
    await expect(config.getByRole('list', { name: 'Rules of filter FORWARD' }).locator('li code').first()).toHaveText('-p tcp -m tcp --dport 80 -j DROP');
  });

  test('a bad port is shown on its field, once, and no caret column under the command', async ({ page }) => {
    const config = await forwardBuilder(page);
    await config.getByLabel('Protocol (-p)', { exact: true }).selectOption('udp');
    const dport = config.getByLabel('Destination port', { exact: true });
    await dport.fill('99999');
    const before = await page.evaluate(() => window.__packetwalk!.undo);
    await config.getByRole('button', { name: 'Add rule' }).click();

    const message = "iptables v1.8.9 (legacy): invalid port/service `99999' specified";
    await expect(dport).toHaveAttribute('aria-invalid', 'true');
    const described = await dport.getAttribute('aria-describedby');
    expect(described).toBeTruthy();
    await expect(page.locator(`[id="${described}"]`)).toHaveText(message);
    // once: next to the field, not again in the command's block; the block counts it as one
    await expect(config.getByText(message, { exact: true })).toHaveCount(1);
    await expect(config.getByTestId('errors-on-fields')).toHaveText('The rule was not added: 1 error.');
    await expect(config.getByTestId('diagnostic-message')).toHaveCount(0);
    await expect(config.locator('pre[aria-hidden="true"]').filter({ hasText: '^' })).toHaveCount(0);
    expect(await page.evaluate(() => window.__packetwalk!.undo)).toEqual(before);

    const results = await new AxeBuilder({ page }).include('#editor').analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

    // fixing the field clears its error
    await dport.fill('53');
    await expect(dport).not.toHaveAttribute('aria-invalid', 'true');
    await expect(config.getByText(message, { exact: true })).toHaveCount(0);
  });
});
