// pattern: Imperative Shell
// The step panels say what is true at the current step (issue 12): the TTL
// changes at the forward step, IPVS DR changes the destination MAC only, TUN
// shows the inner header, and the conntrack panel marks a reply's direction.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { index, waitForWalk } from './helpers';

const scenario = (name: string) => JSON.parse(readFileSync(join(fileURLToPath(new URL('.', import.meta.url)), '..', 'src', 'scenarios', 'ipvs', name), 'utf8')) as unknown;

async function goTo(page: Page, step: number): Promise<void> {
  await page.getByRole('slider', { name: 'Step' }).fill(String(step));
  await expect.poll(() => index(page)).toBe(step);
  // the layers come from the worker: wait for this step's answer
  await expect(page.getByRole('region', { name: 'Packet headers' }).locator(`[data-step="${step}"]`)).toHaveCount(1);
}

async function load(page: Page, c: unknown): Promise<void> {
  await page.goto('/');
  await waitForWalk(page);
  await page.evaluate((x) => window.__packetwalk!.load(x as never), c);
  await waitForWalk(page);
}

test.describe('step inspector', () => {
  test('the TTL goes 64 → 63 at the forward step, and not at the step before it', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    const fwd = await page.evaluate(() => window.__packetwalk!.log!.steps.findIndex((s) => s.kind === 'note' && s.note.kind === 'ttl' && s.node === 'forward-decision'));
    expect(fwd).toBeGreaterThan(0);
    const headers = page.getByRole('region', { name: 'Packet headers' });
    await goTo(page, fwd - 1);
    await expect(headers.locator('[data-path="ip.ttl"]')).toHaveCount(1);
    await expect(headers.locator('[data-path="ip.ttl"][data-changed]')).toHaveCount(0);
    await goTo(page, fwd);
    const ttl = headers.locator('[data-path="ip.ttl"][data-changed] dd');
    await expect(ttl).toHaveText(/64\s*→?\s*(changed to)?\s*63/);
    await expect(headers).toContainText('ip_forward decrements TTL');
  });

  test('IPVS DR changes the destination MAC only', async ({ page }) => {
    await load(page, scenario('dr.json'));
    const xmit = await page.evaluate(() => {
      const log = window.__packetwalk!.log!;
      const dr = log.steps.find((s) => s.kind === 'note' && s.note.kind === 'ipvs' && s.note.action === 'xmit' && s.note.method === 'route');
      return dr ? log.steps.findIndex((s, i) => i > log.steps.indexOf(dr) && s.packet === dr.packet && s.kind === 'note' && s.note.kind === 'transmit') : -1;
    });
    expect(xmit).toBeGreaterThan(0);
    await goTo(page, xmit);
    const headers = page.getByRole('region', { name: 'Packet headers' });
    await expect(headers.locator('[data-reason="xmit.ipvs-dr-mac-only"]')).toContainText('IPVS DR rewrites the destination MAC only');
    await expect(headers.locator('[data-path="ethernet.dst"][data-changed]')).toHaveCount(1);
    await expect(headers.locator('[data-changed][data-path^="ip."]')).toHaveCount(0);
    await expect(headers.locator('[data-changed][data-path^="l4."]')).toHaveCount(0);
  });

  test('IPVS TUN shows the outer header and the inner packet', async ({ page }) => {
    await load(page, scenario('tun.json'));
    const xmit = await page.evaluate(() => {
      const log = window.__packetwalk!.log!;
      const tun = log.steps.find((s) => s.kind === 'note' && s.note.kind === 'ipvs' && s.note.action === 'xmit' && s.note.method === 'tunnel');
      return tun ? log.steps.findIndex((s, i) => i > log.steps.indexOf(tun) && s.packet === tun.packet && s.kind === 'note' && s.note.kind === 'transmit') : -1;
    });
    expect(xmit).toBeGreaterThan(0);
    await goTo(page, xmit);
    const headers = page.getByRole('region', { name: 'Packet headers' });
    await expect(headers.getByRole('region', { name: 'Outer IP (IP-in-IP)' })).toContainText('4');
    await expect(headers.getByRole('region', { name: 'Inner IP' })).toBeVisible();
    await expect(headers.getByRole('region', { name: 'Inner TCP' })).toBeVisible();
  });

  test('the conntrack panel marks a reply packet’s direction as REPLY', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    const reply = await page.evaluate(() => window.__packetwalk!.log!.steps.findIndex((s) => s.kind === 'note' && s.note.kind === 'conntrack' && s.note.reply));
    expect(reply).toBeGreaterThan(0);
    await goTo(page, reply);
    const ct = page.getByRole('region', { name: 'Conntrack table' });
    await expect(ct.locator('[data-direction="reply"]')).toContainText('REPLY direction');
    const mine = ct.locator('tr[aria-current="true"] td[data-this-packet]');
    await expect(mine).toHaveCount(1);
    // the reply column is the second
    expect(await mine.evaluate((td) => (td as HTMLTableCellElement).cellIndex)).toBe(1);
  });

  test('the routing panel prints the whole ip rule that chose the table', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    const route = await page.evaluate(() => window.__packetwalk!.log!.steps.findIndex((s) => s.kind === 'note' && s.note.kind === 'route' && s.note.rule !== null));
    expect(route).toBeGreaterThanOrEqual(0);
    const rule = await page.evaluate((i) => {
      const s = window.__packetwalk!.log!.steps[i]!;
      return s.kind === 'note' && s.note.kind === 'route' ? s.note.rule! : '';
    }, route);
    await goTo(page, route);
    await expect(page.getByRole('region', { name: 'Routing decision' })).toContainText(rule.replace('\t', ' '));
    await expect(page.getByRole('region', { name: 'Neighbours (ip neigh show) as of this step' })).toBeVisible();
  });
});
