// pattern: Imperative Shell
// Presenter mode by keyboard: P enters (large type, forms gone, the current
// hook spotlighted, a QR code of the step's link), → and ← step, Esc and P
// leave. The embed mode of course pages shows a read-only walk. axe finds
// nothing in either.

import { readFileSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { waitForWalk } from './helpers';

const index = (page: Page) => page.evaluate(() => window.__packetwalk!.index);

async function axe(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).analyze();
  return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

test.describe('presenter mode', () => {
  test('P enters, → ← step, Esc leaves, P toggles; the hook is spotlighted and the QR code follows the step', async ({ page }) => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto('/');
    await waitForWalk(page);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('p');
    await expect(page.getByRole('button', { name: 'Leave presenter mode (Esc)' })).toBeVisible();
    await expect(page.locator('html')).toHaveClass(/presenter/);
    // editors and forms are gone
    await expect(page.getByRole('button', { name: 'Send another' })).toHaveCount(0);
    await expect(page.getByRole('region', { name: 'Edit the scenario' })).toHaveCount(0);
    // larger type than the normal 16 px
    expect(await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize))).toBeGreaterThan(16);

    const graph = page.getByRole('region', { name: 'Flow graph', exact: true });
    await expect(graph.locator('[aria-current="step"]')).toHaveCount(1);
    await expect(graph.locator('.spotlight-dim').first()).toBeVisible();
    const qr = page.getByTestId('presenter-qr');
    await expect(qr).toBeVisible();
    const qrBefore = await qr.locator('path').getAttribute('d');

    expect(await index(page)).toBe(0);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => index(page)).toBe(2);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => index(page)).toBe(1);
    await expect(page.getByTestId('presenter-step')).toHaveText(/^Step 2 \/ \d+$/);
    await expect.poll(() => qr.locator('path').getAttribute('d')).not.toBe(qrBefore);

    await page.keyboard.press('Escape');
    await expect(page.getByRole('button', { name: 'Send another' })).toBeVisible();
    await expect(page.locator('html')).not.toHaveClass(/presenter/);
    expect(await index(page)).toBe(1);

    await page.keyboard.press('P');
    await expect(page.getByRole('button', { name: 'Leave presenter mode (Esc)' })).toBeVisible();
    await page.keyboard.press('p');
    await expect(page.getByRole('button', { name: 'Send another' })).toBeVisible();

    // typing a p into a field is typing, not a mode switch
    await page.getByLabel('Destination', { exact: true }).press('p');
    await expect(page.getByRole('button', { name: 'Presenter mode' })).toBeVisible();
  });

  test('axe finds no violations in presenter mode, in English and Chinese', async ({ page }) => {
    test.setTimeout(60_000);
    await page.goto('/');
    await waitForWalk(page);
    await page.getByRole('button', { name: 'Presenter mode' }).click();
    await expect(page.getByTestId('presenter-qr')).toBeVisible();
    await page.waitForLoadState('networkidle');
    expect(await axe(page)).toEqual([]);
    await page.getByLabel('Language').selectOption('zh');
    await expect(page.getByRole('button', { name: '退出演示模式（Esc）' })).toBeVisible();
    expect(await axe(page)).toEqual([]);
  });
});

test.describe('graph export', () => {
  test('the Flow graph region exports the drawn graph as PNG and as SVG', async ({ page }) => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto('/');
    await waitForWalk(page);
    const graph = page.getByRole('region', { name: 'Flow graph', exact: true });
    await expect(graph.getByRole('button', { name: 'nat PREROUTING', exact: true })).toBeVisible();

    const [png] = await Promise.all([page.waitForEvent('download'), graph.getByRole('button', { name: 'PNG', exact: true }).click()]);
    expect(png.suggestedFilename()).toBe('packetwalk-port-forward-client-step1.png');
    const pngBytes = readFileSync((await png.path())!);
    expect(pngBytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    // twice the pixels of a graph over 1,000 flow units wide
    expect(pngBytes.readUInt32BE(16)).toBeGreaterThan(2000);

    const [svg] = await Promise.all([page.waitForEvent('download'), graph.getByRole('button', { name: 'SVG', exact: true }).click()]);
    expect(svg.suggestedFilename()).toBe('packetwalk-port-forward-client-step1.svg');
    const svgText = readFileSync((await svg.path())!, 'utf8');
    expect(svgText).toContain('<svg');
    expect(svgText).toContain('nat PREROUTING');
  });
});

test.describe('embed mode', () => {
  test('shows a read-only walk: graph, playback and headers, no editor, no form; axe is clean', async ({ page }) => {
    test.setTimeout(60_000);
    await page.goto('/#embed=1');
    await waitForWalk(page);
    await expect(page.getByRole('region', { name: 'Flow graph', exact: true })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Packet headers' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Step forward' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Send another' })).toHaveCount(0);
    await expect(page.getByRole('region', { name: 'Edit the scenario' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Share' })).toHaveCount(0);
    await page.keyboard.press('p');
    await expect(page.locator('html')).not.toHaveClass(/presenter/);
    await page.getByRole('button', { name: 'Step forward' }).click();
    await expect.poll(() => index(page)).toBe(1);
    await expect(page.getByRole('link', { name: 'Open in PacketWalk' })).toHaveAttribute('href', /^http:\/\/127\.0\.0\.1:\d+\/#(?!.*embed)/);
    await page.waitForLoadState('networkidle');
    expect(await axe(page)).toEqual([]);
  });
});
