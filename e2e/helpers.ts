// pattern: Imperative Shell
// Shared steps of the app's browser tests: wait for the worker's walk, read
// what the page highlights, send a packet through the form.

import { expect, type Page } from '@playwright/test';
import type { TestHook } from '../src/app/shell/test-hook';

declare global {
  interface Window {
    __packetwalk?: TestHook;
  }
}

/** Wait until the worker answered and the app shows a walk. */
export async function waitForWalk(page: Page): Promise<void> {
  await page.waitForFunction(() => window.__packetwalk?.status === 'ready' && (window.__packetwalk.log?.steps.length ?? 0) > 0, null, { timeout: 20_000 });
}

/** Wait for a walk other than the one shown now (after a packet is sent). */
export async function markWalk(page: Page): Promise<() => Promise<void>> {
  await page.evaluate(() => {
    (window as unknown as { __before: unknown }).__before = window.__packetwalk?.log;
  });
  return async () => {
    await page.waitForFunction(
      () => window.__packetwalk?.status === 'ready' && window.__packetwalk.log !== (window as unknown as { __before: unknown }).__before,
      null,
      { timeout: 20_000 },
    );
  };
}

/** One TCP connect as the whole traffic ("Replace traffic"): the walk is that connection alone, from empty state. */
export async function sendTcpConnect(page: Page, from: string, dst: string, port: string): Promise<void> {
  const done = await markWalk(page);
  await page.getByLabel('From host', { exact: true }).selectOption(from);
  await page.getByLabel('Kind', { exact: true }).selectOption('tcp');
  await page.getByLabel('Destination', { exact: true }).fill(dst);
  await page.getByLabel('Destination port', { exact: true }).fill(port);
  await page.getByRole('button', { name: 'Replace traffic' }).click();
  await done();
}

export const index = (page: Page) => page.evaluate(() => window.__packetwalk?.index ?? -2);

/**
 * The flow-graph node the page highlights: its accessible name for a
 * table×chain node (`nat PREROUTING`), otherwise the React Flow node id it
 * sits in (`routing-input`), so it compares with WalkStep.node.
 */
export async function highlightedNode(page: Page): Promise<string | null> {
  const region = page.getByRole('region', { name: 'Flow graph', exact: true });
  const current = region.locator('[aria-current="step"]');
  const count = await current.count();
  if (count === 0) return null;
  expect(count, 'one highlighted node').toBe(1);
  return current.evaluate((el) => {
    const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim();
    if (/^(raw|mangle|nat|filter|security) (PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING)$/.test(name)) return name;
    return el.getAttribute('data-node') ?? el.closest('[data-id]')?.getAttribute('data-id') ?? name;
  });
}
