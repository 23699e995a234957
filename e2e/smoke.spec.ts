// pattern: Imperative Shell
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

test.describe('first screen @smoke', () => {
  test('loads without console errors or uncaught exceptions', async ({ page }) => {
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
    });
    page.on('pageerror', (error) => {
      problems.push(`uncaught: ${error.message}`);
    });
    page.on('requestfailed', (request) => {
      problems.push(`request failed: ${request.url()}`);
    });

    const response = await page.goto('/');
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1, name: 'PacketWalk' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Flow graph', exact: true })).toBeVisible();
    await page.waitForLoadState('networkidle');

    expect(problems).toEqual([]);
  });

  test('applies the Tailwind styles', async ({ page }) => {
    await page.goto('/');
    // bg-slate-900 on the header: without the stylesheet it would be transparent.
    const background = await page.locator('header').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(background).not.toBe('rgba(0, 0, 0, 0)');
  });

  test('has no axe violations', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    // the app, not the static first screen it replaces: axe walks the DOM over several tasks, and a
    // React commit in between (late on a loaded machine) once made it see neither page whole
    await expect(page.getByRole('region', { name: 'Flow graph', exact: true })).toBeVisible();
    const results = await new AxeBuilder({ page }).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);
  });

  test('serves robots.txt as text rather than the app shell', async ({ request }) => {
    const response = await request.get('/robots.txt');
    expect(response.ok()).toBe(true);
    expect(await response.text()).toContain('User-agent:');
  });
});
