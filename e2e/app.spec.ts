// pattern: Imperative Shell
// The app as a learner uses it: the built-in walk on load, a packet sent, step
// through the walk and watch the flow graph follow it, step back, keys only,
// and no accessibility violations.

import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { index, markWalk, sendTcpConnect, waitForWalk } from './helpers';

/**
 * Runs in the page: waits until step `i` is shown, then names the node the
 * Flow graph region marks with aria-current="step" — its accessible name for a
 * table×chain node (`nat PREROUTING`), else its node id (`routing-input`).
 */
async function readHighlight(i: number): Promise<{ host: string | null; count: number; node: string | null }> {
  for (let k = 0; k < 300 && window.__packetwalk?.index !== i; k++) await new Promise((r) => requestAnimationFrame(r));
  // the step is in the store; the graph draws it in the render that follows (two frames: React's commit, then paint)
  for (let k = 0; k < 2; k++) await new Promise((r) => requestAnimationFrame(r));
  const region = [...document.querySelectorAll('section[aria-labelledby]')].find((s) => document.getElementById(s.getAttribute('aria-labelledby')!)?.textContent?.trim() === 'Flow graph');
  const marked = region ? [...region.querySelectorAll('[aria-current="step"]')] : [];
  const el = marked[0];
  let node: string | null = null;
  if (el) {
    const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim();
    node = /^(raw|mangle|nat|filter|security) (PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING)$/.test(name) ? name : (el.getAttribute('data-node') ?? el.closest('[data-id]')?.getAttribute('data-id') ?? name);
  }
  return { host: region?.querySelector('[data-shown-host]')?.getAttribute('data-shown-host') ?? null, count: marked.length, node };
}

async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

test.describe('the packet-walk app', () => {
  test('first load shows the built-in walk with no console errors', async ({ page }) => {
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));

    await page.goto('/');
    await waitForWalk(page);
    await expect(page.getByRole('region', { name: 'Flow graph', exact: true })).toBeVisible();
    for (const name of ['Packet headers', 'Conntrack table', 'Routing decision', 'Event list', 'Trace log', 'Topology']) {
      await expect(page.getByRole('region', { name, exact: true })).toBeVisible();
    }
    await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Trace log' })).toContainText('TRACE: raw:OUTPUT:policy:1');
    // The built-in scenario is port forwarding: its DNAT shows in the event list.
    await expect(page.getByRole('region', { name: 'Event list' })).toContainText('Packet 1 on client');
    await page.waitForLoadState('networkidle');
    expect(problems).toEqual([]);
  });

  test('Replace traffic, then Step forward through the whole walk: the graph lights each step’s node', async ({ page }) => {
    test.setTimeout(90_000);
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto('/');
    await waitForWalk(page);
    // the flow graph names the run it draws (bench:app times a walk's paint by it)
    const drawnRun = () => page.locator('[data-walk-run]').getAttribute('data-walk-run').then(Number);
    const firstRun = await drawnRun();
    await sendTcpConnect(page, 'client', '203.0.113.1', '8080');
    await expect.poll(drawnRun).toBeGreaterThan(firstRun);

    const log = await page.evaluate(() => {
      const l = window.__packetwalk!.log!;
      return { steps: l.steps.map((s) => ({ node: s.node, host: s.host })), first: l.packets[0]!.summary };
    });
    expect(log.first).toBe('tcp 203.0.113.10:40001 → 203.0.113.1:8080 [SYN]');
    expect(log.steps.length).toBeGreaterThan(20);
    // Following the walk, the graph shows the current step's host, so every step is lit.
    const expected = log.steps.map((s) => s.node);

    const stepForward = page.getByRole('button', { name: 'Step forward' });
    const seen: (string | null)[] = [];
    const check = (i: number, shown: { host: string | null; count: number; node: string | null }) => {
      expect(shown.host, `step ${i}: the graph follows the packet`).toBe(log.steps[i]!.host);
      expect(shown.count, `step ${i}: one highlighted node`).toBe(1);
      seen.push(shown.node);
    };
    // The first steps by real clicks on the button (Playwright's, with its checks that the button is
    // there to be clicked); the rest of the walk by the button's own click in the page, one round trip in all,
    // so a long walk costs milliseconds per step rather than a protocol exchange and actionability checks each.
    const byHand = 4;
    for (let i = 0; i < byHand; i++) {
      check(i, await page.evaluate(readHighlight, i));
      await stepForward.click();
    }
    // readHighlight goes into the page as it is (an evaluated expression: the page's CSP refuses new Function)
    await page.evaluate(`window.__readHighlight = ${readHighlight.toString()}`);
    const rest = await page.evaluate(
      async ({ from, to }) => {
        const readStep = (window as unknown as { __readHighlight: typeof readHighlight }).__readHighlight;
        const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Step forward')!;
        const out = [];
        for (let i = from; i < to; i++) {
          out.push(await readStep(i));
          if (i < to - 1) button.click();
        }
        return out;
      },
      { from: byHand, to: expected.length },
    );
    rest.forEach((shown, k) => check(byHand + k, shown));
    expect(seen).toEqual(expected);
  });

  test('Step back restores the previous headers', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    await sendTcpConnect(page, 'client', '203.0.113.1', '8080');
    // The router's DNAT step rewrites the destination: a step whose headers differ from the one before.
    const natStep = await page.evaluate(() => window.__packetwalk!.log!.steps.findIndex((s) => s.kind === 'note' && s.note.kind === 'nat'));
    expect(natStep).toBeGreaterThan(0);
    const headers = page.getByRole('region', { name: 'Packet headers' });
    const scrubber = page.getByRole('slider', { name: 'Step' });
    await scrubber.fill(String(natStep - 1));
    await expect.poll(() => index(page)).toBe(natStep - 1);
    // the layers arrive from the worker just after the step
    await expect(headers.locator(`[data-step="${natStep - 1}"]`)).toHaveCount(1);
    const before = await headers.innerText();
    expect(before).toContain('203.0.113.1');

    await page.getByRole('button', { name: 'Step forward' }).click();
    await expect.poll(() => index(page)).toBe(natStep);
    await expect(headers.locator(`[data-step="${natStep}"]`)).toHaveCount(1);
    const after = await headers.innerText();
    expect(after).not.toBe(before);
    expect(after).toMatch(/203\.0\.113\.1\s*→?\s*(changed to)?\s*192\.168\.1\.100/);

    await page.getByRole('button', { name: 'Step back' }).click();
    await expect.poll(() => index(page)).toBe(natStep - 1);
    await expect.poll(() => headers.innerText()).toBe(before);
  });

  test('works by keyboard alone', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    // Replace traffic: the walk is this one packet, from its first step
    const send = page.getByRole('button', { name: 'Replace traffic' });
    let reached = false;
    for (let k = 0; k < 30 && !reached; k++) {
      await page.keyboard.press('Tab');
      reached = await send.evaluate((el) => el === document.activeElement);
    }
    expect(reached, 'Tab reaches Replace traffic').toBe(true);

    const done = await markWalk(page);
    await page.keyboard.press('Enter');
    await done();
    const n = await page.evaluate(() => window.__packetwalk!.log!.steps.length);
    expect(await index(page)).toBe(0);

    await page.keyboard.press('ArrowRight');
    await expect.poll(() => index(page)).toBe(1);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => index(page)).toBe(2);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => index(page)).toBe(1);

    // Space plays even with the focus still on the Replace traffic button, and does not resend.
    await page.evaluate(() => {
      (window as unknown as { __kept: unknown }).__kept = window.__packetwalk!.log;
    });
    await page.keyboard.press(' ');
    await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
    await expect.poll(() => index(page), { timeout: 5_000 }).toBeGreaterThan(1);
    await page.keyboard.press(' ');
    await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
    expect(await page.evaluate(() => window.__packetwalk!.log === (window as unknown as { __kept: unknown }).__kept)).toBe(true);

    await page.keyboard.press('End');
    await expect.poll(() => index(page)).toBe(n - 1);
    await page.keyboard.press('Home');
    await expect.poll(() => index(page)).toBe(0);

    await page.keyboard.press('+');
    await expect(page.getByRole('group', { name: 'Speed' })).toContainText('2×');
    await page.keyboard.press('-');
    await expect(page.getByRole('group', { name: 'Speed' })).toContainText('1×');

    // Keys typed into a form field stay in the field.
    await page.getByLabel('Destination', { exact: true }).focus();
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    expect(await index(page)).toBe(0);
  });

  test('a click on an event-list row jumps to that step, and Enter on its number too', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    const list = page.getByRole('region', { name: 'Event list' });
    await list.getByRole('button', { name: 'Go to step 5', exact: true }).click();
    await expect.poll(() => index(page)).toBe(4);
    await expect(list.locator('tr[aria-current="step"]')).toContainText('5');
    await list.getByRole('button', { name: 'Go to step 7', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => index(page)).toBe(6);
    await list.getByLabel('Host').selectOption('web');
    await expect(list.locator('tbody tr').filter({ hasText: 'client' })).toHaveCount(0);
  });

  test('shows the engine’s errors and keeps the form input', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    await page.evaluate(() => window.__packetwalk!.load({ name: 'broken', hosts: [{ name: 'a', setup: ['ip addr add nonsense dev eth0'] }] }).catch(() => undefined));
    await expect(page.getByRole('alert')).toContainText('could not be simulated');
    await page.getByLabel('Destination', { exact: true }).fill('not an address');
    await page.getByRole('button', { name: 'Send another' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'IPv4' })).toBeVisible();
    await expect(page.getByLabel('Destination', { exact: true })).toHaveValue('not an address');
  });

  test('axe finds no violations on the loaded app and after sending a packet', async ({ page }) => {
    test.setTimeout(90_000);
    await page.goto('/');
    await waitForWalk(page);
    await expect(page.getByRole('region', { name: 'Flow graph', exact: true })).toBeVisible();
    await page.waitForLoadState('networkidle');
    expect(await axeViolations(page)).toEqual([]);
    await sendTcpConnect(page, 'client', '203.0.113.1', '8080');
    await page.getByRole('button', { name: 'Step forward' }).click();
    await page.waitForLoadState('networkidle');
    expect(await axeViolations(page)).toEqual([]);
  });
});
