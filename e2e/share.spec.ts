// pattern: Imperative Shell
// Share links in the browser: Share → the link opens the same scenario,
// packet and step in a fresh browser; every stored link of every released
// format opens; broken links of each kind show the message, run nothing and
// leave the saved work as it was; the user's work replaced by a link can be
// restored; step and lang typed into the address bar move the walk.

import { readFileSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import { encodePayloadV1 } from '../src/share/link';
import { waitForWalk } from './helpers';
import { savedScenario, savedVersions } from './vault';

const builtIn = JSON.parse(readFileSync(new URL('../src/scenarios/port-forward.json', import.meta.url), 'utf8')) as Record<string, unknown> & { hosts: unknown[] };

/** What earlier versions saved; the app moves it into IndexedDB at start. */
const AUTOSAVE_KEY = 'packetwalk.scenario.v1';

/** The user's own work, as the autosave keeps it: the built-in scenario renamed, with one more rule. */
const MINE = {
  ...builtIn,
  name: 'my-own-work',
  hosts: (builtIn.hosts as { name: string; setup: unknown[] }[]).map((h) => (h.name === 'router' ? { ...h, setup: [...h.setup, 'iptables -A FORWARD -p udp -j DROP'] } : h)),
};
const MINE_SAVED = JSON.stringify({ version: 1, savedAt: '2025-01-01T00:00:00.000Z', scenario: MINE });

async function state(page: Page) {
  return page.evaluate(() => {
    const w = window.__packetwalk!;
    const step = w.log?.steps[w.index];
    return { scenario: w.scenario, index: w.index, packet: step?.packet ?? null, lang: w.lang, steps: w.log?.steps.length ?? 0 };
  });
}

/** Open a hash as a fresh page load (not a same-document hash change). */
async function load(page: Page, hash: string): Promise<void> {
  await page.goto('about:blank');
  await page.goto(`/#${hash}`);
}

async function withSavedWork(page: Page): Promise<void> {
  await page.goto('/');
  await page.evaluate(([k, v]) => localStorage.setItem(k!, v!), [AUTOSAVE_KEY, MINE_SAVED]);
}

const savedWork = (page: Page) => savedScenario(page);

test.describe('share links', () => {
  test('Share → the link opens the same scenario, packet and step in a fresh browser', async ({ page, browser, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto('/');
    await waitForWalk(page);
    // move into the second packet of the walk, so packet and step both mean something
    const target = await page.evaluate(() => window.__packetwalk!.log!.packets[1]!.firstStep + 2);
    await page.getByRole('slider', { name: 'Step' }).fill(String(target));
    await expect.poll(() => page.evaluate(() => window.__packetwalk!.index)).toBe(target);
    const before = await state(page);

    await page.getByRole('button', { name: 'Share' }).click();
    const panel = page.getByRole('region', { name: 'Share this walk' });
    const field = panel.getByRole('textbox', { name: 'Link' });
    await expect(field).toHaveValue(/#s=1\.d\./);
    const link = await field.inputValue();
    expect(link).toContain(`&step=${target}`);
    expect(link).toContain('&lang=en');
    await expect(panel.getByRole('status')).toHaveText('Copied to the clipboard.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);

    const fresh = await browser.newContext();
    const other = await fresh.newPage();
    await other.goto(link);
    await waitForWalk(other);
    await expect.poll(() => other.evaluate(() => window.__packetwalk!.index)).toBe(target);
    const after = await state(other);
    expect(after).toEqual(before);
    await expect(other.getByRole('status').filter({ hasText: 'Opened the scenario from the link.' })).toBeVisible();
    await fresh.close();
  });

  test('the Share button reports the default scenario’s link at no more than 1,000 characters, in the green', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    await page.getByRole('button', { name: 'Share' }).click();
    const meter = page.getByTestId('share-length');
    await expect(meter).toContainText('Link length:');
    const length = Number(await meter.getAttribute('data-length'));
    expect(length).toBeGreaterThan(100);
    expect(length).toBeLessThanOrEqual(1000);
    expect(await meter.getAttribute('data-size')).toBe('ok');
    expect((await page.getByRole('textbox', { name: 'Link' }).inputValue()).length).toBe(length);
  });

  test('every stored link of every released format opens', async ({ page }) => {
    test.setTimeout(90_000);
    const lines = readFileSync(new URL('../src/share/__fixtures__/links-v1.txt', import.meta.url), 'utf8').split('\n');
    let opened = 0;
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.startsWith('## ')) continue;
      const [, verdict, ...rest] = lines[i + 1]!.split(' ');
      const link = lines[i + 2]!;
      await load(page, link);
      if (verdict === 'error') {
        await expect(page.getByTestId('link-error'), lines[i]!).toHaveAttribute('data-kind', rest[0]!);
        continue;
      }
      await waitForWalk(page);
      const [name, , ...extras] = rest;
      await expect.poll(() => page.evaluate(() => window.__packetwalk!.scenario.name), lines[i]!).toBe(name);
      for (const x of extras) {
        const [k, v] = x.split('=') as [string, string];
        if (k === 'step') await expect.poll(() => page.evaluate(() => window.__packetwalk!.index), lines[i]!).toBe(Number(v));
        if (k === 'lang') expect(await page.evaluate(() => document.documentElement.lang), lines[i]!).toBe(v === 'zh' ? 'zh-CN' : 'en');
      }
      opened++;
    }
    expect(opened).toBeGreaterThanOrEqual(8);
  });

  test('broken links of each kind show the message, run nothing and keep the saved work', async ({ page }) => {
    test.setTimeout(90_000);
    const valid = `s=1.d.${encodePayloadV1(JSON.stringify({ c: builtIn }), 'd')}`;
    const kinds: [string, string][] = [
      ['truncated', valid.slice(0, Math.floor(valid.length * 0.6))],
      ['corrupt', valid.slice(0, 40) + (valid[40] === 'A' ? 'B' : 'A') + valid.slice(41)],
      ['too-large', `s=1.z.${encodePayloadV1(JSON.stringify({ c: { ...builtIn, description: 'x'.repeat(3_000_000) } }), 'z')}`],
      ['unsupported-version', 's=9.d.AAAA'],
      ['invalid', `s=1.d.${encodePayloadV1(JSON.stringify({ c: { name: 42, hosts: 'all of them' } }), 'd')}`],
      ['hostile', `s=1.d.${encodePayloadV1(JSON.stringify({ c: { ...builtIn, name: '<script>alert(1)</script>' } }), 'd')}`],
      ['hostile', `s=1.d.${encodePayloadV1('{"c":' + JSON.stringify(builtIn).replace('{', '{"__proto__":{"polluted":1},') + '}', 'd')}`],
    ];
    await withSavedWork(page);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    for (const [kind, hash] of kinds) {
      await load(page, `${hash}&step=3&lang=en`);
      const alert = page.getByTestId('link-error');
      await expect(alert, kind).toHaveAttribute('data-kind', kind);
      await expect(alert).toContainText('Nothing was changed');
      await waitForWalk(page);
      // the saved work is what is shown, and what is saved
      expect(await page.evaluate(() => window.__packetwalk!.scenario.name), kind).toBe('my-own-work');
      expect(await savedWork(page), kind).toEqual(MINE);
      expect(await page.evaluate(() => (Object.prototype as Record<string, unknown>)['polluted'])).toBeUndefined();
    }
    expect(requests.filter((u) => !u.startsWith('http://127.0.0.1'))).toEqual([]);

    // in Chinese the message is the Chinese one, and a hash change (not a reload) is refused the same way
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.evaluate((h) => (window.location.hash = h), `${kinds[0]![1]}&lang=zh`);
    await expect(page.getByTestId('link-error')).toContainText('这个链接不完整');
    expect(await savedWork(page)).toEqual(MINE);
  });

  test('a link replaces the saved work, which is kept aside and comes back with “Restore my previous work”', async ({ page }) => {
    await withSavedWork(page);
    const link = `s=1.d.${encodePayloadV1(JSON.stringify({ c: builtIn }), 'd')}&step=5`;
    await load(page, link);
    await waitForWalk(page);
    await expect.poll(() => page.evaluate(() => window.__packetwalk!.index)).toBe(5);
    expect(await page.evaluate(() => window.__packetwalk!.scenario.name)).toBe('port-forward');
    // the link's scenario is the newest save; the work stays as the version before it
    await expect.poll(() => savedVersions(page).then((v) => v.map((x) => x.name))).toEqual(['port-forward', 'my-own-work']);
    expect((await savedVersions(page))[1]!.scenario).toEqual(MINE);

    await page.getByRole('button', { name: 'Restore my previous work' }).click();
    await expect.poll(() => page.evaluate(() => window.__packetwalk!.scenario.name)).toBe('my-own-work');
    await expect(page.getByRole('status').filter({ hasText: 'Your previous work is back.' })).toBeVisible();
    await expect.poll(() => savedWork(page).then((s) => s?.name)).toBe('my-own-work');
    // and a reload opens it
    await page.reload();
    await waitForWalk(page);
    expect(await page.evaluate(() => window.__packetwalk!.scenario.name)).toBe('my-own-work');
  });

  test('step and lang typed into the address bar move the walk and switch the language', async ({ page }) => {
    const link = `s=1.d.${encodePayloadV1(JSON.stringify({ c: builtIn }), 'd')}`;
    await load(page, `${link}&step=3&lang=en`);
    await waitForWalk(page);
    await expect.poll(() => page.evaluate(() => window.__packetwalk!.index)).toBe(3);
    await page.evaluate((h) => (window.location.hash = h), `${link}&step=12&lang=zh`);
    await expect.poll(() => page.evaluate(() => window.__packetwalk!.index)).toBe(12);
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await expect(page.getByRole('button', { name: '前进一步' })).toBeVisible();
    // the same scenario was not opened again: nothing was kept aside for it
    expect(await page.evaluate(() => window.__packetwalk!.ui.linkNotice?.kind)).toBe('opened');
    // stepping writes the step back into the address bar
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.evaluate(() => window.location.hash)).toContain('step=13');
    expect(await page.evaluate(() => window.location.hash)).toContain('lang=zh');
  });

  test('how the author steps (G: by chain, hook…; collapse) travels in the link and the address bar', async ({ page, browser }) => {
    await page.goto('/');
    await waitForWalk(page);
    const stepBy = page.getByRole('combobox', { name: 'Step by' });
    await expect(stepBy).toHaveValue('event');
    // G twice: by chain, then by hook; the address bar follows
    await page.locator('body').press('g');
    await page.locator('body').press('g');
    await expect(stepBy).toHaveValue('hook');
    await page.getByRole('checkbox', { name: 'Collapse empty chains' }).check();
    await expect.poll(() => page.evaluate(() => window.location.hash)).toMatch(/by=hook&collapse=1/);

    await page.getByRole('button', { name: 'Share' }).click();
    const field = page.getByRole('region', { name: 'Share this walk' }).getByRole('textbox', { name: 'Link' });
    await expect(field).toHaveValue(/&by=hook&collapse=1$/);
    const link = await field.inputValue();

    const fresh = await browser.newContext();
    const other = await fresh.newPage();
    await other.goto(link);
    await waitForWalk(other);
    await expect(other.getByRole('combobox', { name: 'Step by' })).toHaveValue('hook');
    await expect(other.getByRole('checkbox', { name: 'Collapse empty chains' })).toBeChecked();
    // a hand-edited by= switches it back without reloading the scenario
    await other.evaluate(() => (window.location.hash = window.location.hash.replace('by=hook', 'by=packet')));
    await expect(other.getByRole('combobox', { name: 'Step by' })).toHaveValue('packet');
    await fresh.close();
  });
});
