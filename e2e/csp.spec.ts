// pattern: Imperative Shell
// The built site is locked down: its Content-Security-Policy comes as a
// <meta> and (with frame-ancestors, which a meta cannot carry) as a header;
// the app does everything under it without a single violation (the walk,
// the graph and its PNG export, the Share panel, presenter mode's QR code, the kube-proxy
// view's second worker); and a script injected inline does not run.

import { test, expect, type Page } from '@playwright/test';
import { waitForWalk } from './helpers';

interface Violation {
  directive: string;
  blocked: string;
  sample: string;
}

/** Every CSP violation the page reports, from its first script on. */
async function recordViolations(page: Page): Promise<() => Promise<Violation[]>> {
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: Violation[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample }));
  });
  return () => page.evaluate(() => (window as unknown as { __violations: Violation[] }).__violations);
}

const directives = (policy: string) => new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k!, v.join(' ')]));

test.describe('content security policy', () => {
  test('the page declares a strict policy, in a meta tag and, with frame-ancestors, in a header', async ({ page }) => {
    const response = await page.goto('/');
    const header = directives(response!.headers()['content-security-policy'] ?? '');
    const meta = directives((await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '');
    for (const p of [header, meta]) {
      expect(p.get('script-src')).toBe("'self'");
      expect(p.get('worker-src')).toBe("'self'");
      expect(p.get('connect-src')).toBe("'self'");
      expect(p.get('object-src')).toBe("'none'");
      expect(p.get('base-uri')).toBe("'none'");
      expect([...p.values()].join(' ')).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    }
    expect(header.get('frame-ancestors')).toBe("'self' https:");
    expect(meta.has('frame-ancestors')).toBe(false);
  });

  test('the app works under it without one violation', async ({ page }) => {
    test.setTimeout(60_000);
    const violations = await recordViolations(page);
    await page.goto('/');
    await waitForWalk(page);
    const graph = page.getByRole('region', { name: 'Flow graph', exact: true });
    await expect(graph.getByRole('button', { name: 'nat PREROUTING', exact: true })).toBeVisible();
    for (let k = 0; k < 3; k++) await page.getByRole('button', { name: 'Step forward' }).click();
    const [png] = await Promise.all([page.waitForEvent('download'), graph.getByRole('button', { name: 'PNG', exact: true }).click()]);
    expect(png.suggestedFilename()).toMatch(/\.png$/);
    await page.getByRole('button', { name: 'Share' }).click();
    await expect(page.getByRole('region', { name: 'Share this walk' })).toBeVisible();
    await page.keyboard.press('p');
    await expect(page.getByTestId('presenter-qr')).toBeVisible();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'kube-proxy: iptables vs IPVS' }).click();
    const view = page.getByRole('region', { name: 'kube-proxy: iptables mode vs IPVS mode' });
    await expect(view.getByRole('list', { name: 'Walk on the node in iptables mode' })).toBeVisible({ timeout: 30_000 });
    expect(await violations()).toEqual([]);
  });

  test('a script injected inline is blocked and does not run', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    const outcome = await page.evaluate(
      () =>
        new Promise<{ directives: string[]; ran: boolean }>((resolve) => {
          const seen: string[] = [];
          document.addEventListener('securitypolicyviolation', (e) => seen.push(e.effectiveDirective));
          const s = document.createElement('script');
          s.textContent = 'window.__injected = true';
          document.body.append(s);
          // an inline event handler, as markup smuggled into the page would carry it
          const holder = document.createElement('div');
          holder.innerHTML = '<img src="data:," onload="window.__injected = true">';
          document.body.append(holder);
          setTimeout(() => resolve({ directives: seen, ran: (window as unknown as { __injected?: boolean }).__injected === true }), 500);
        }),
    );
    expect(outcome.ran).toBe(false);
    expect(outcome.directives).toEqual(expect.arrayContaining(['script-src-elem', 'script-src-attr']));
  });
});
