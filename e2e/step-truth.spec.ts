// pattern: Imperative Shell
// Step truth on the graph (issue 12): a packet's end is drawn on the box
// where it happened, with the reason (a drop after routing on the routing
// decision, not on mangle PREROUTING); a NAT that conntrack applies from an
// existing binding is not drawn as the nat table running; the reader steps
// by event, chain, hook, host or packet, and the scrubber shows the hosts;
// presenter mode at 1280×720 gives the graph most of the screen.

import { test, expect, type Page } from '@playwright/test';
import { index, waitForWalk } from './helpers';

const graph = (page: Page, lang: 'en' | 'zh' = 'en') => page.getByRole('region', { name: lang === 'en' ? 'Flow graph' : '流程图', exact: true });
const topology = (page: Page, lang: 'en' | 'zh' = 'en') => page.getByRole('region', { name: lang === 'en' ? 'Topology' : '拓扑', exact: true });

async function openGallery(page: Page, id: string, lang: 'en' | 'zh' = 'en'): Promise<void> {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(`/#lang=${lang}`);
  await waitForWalk(page);
  await page.evaluate(async (id) => {
    const hook = window.__packetwalk!;
    const entry = (await hook.gallery()).entries.find((e) => e.id === id);
    if (!entry) throw new Error(`no gallery entry ${id}`);
    await hook.load(entry.scenario);
  }, id);
  await waitForWalk(page);
}

/** The first step index where `pred` holds, from the page's walk log. */
async function stepWhere(page: Page, pred: string): Promise<number> {
  return page.evaluate((src) => {
    const f = new Function('s', 'i', 'steps', `return ${src}`) as (s: unknown, i: number, steps: unknown[]) => boolean;
    const steps = window.__packetwalk!.log!.steps;
    return steps.findIndex((s, i) => f(s, i, steps));
  }, pred);
}

async function goTo(page: Page, i: number): Promise<void> {
  await page.evaluate((i) => window.__packetwalk!.stepTo(i), i);
  await expect.poll(() => index(page)).toBe(i);
}

test.describe('fate markers', () => {
  const DROPS = [
    { id: 'g14-rp-filter', reason: 'route.reverse_path_filter', en: '✕ routing: reverse path filter', zh: '✕ 路由：反向路径过滤（rp_filter）' },
    { id: 'g15-forwarding-disabled', reason: 'route.forwarding_disabled', en: '✕ routing: forwarding disabled', zh: '✕ 路由：转发未开启' },
  ] as const;
  for (const drop of DROPS) {
    for (const lang of ['en', 'zh'] as const) {
      test(`a drop after routing shows its fate at the routing decision: ${drop.id} (${lang})`, async ({ page }) => {
        await openGallery(page, drop.id, lang);
        const end = await stepWhere(page, `s.kind === 'end' && s.reason === '${drop.reason}'`);
        expect(end).toBeGreaterThan(0);
        // one step before the end, no marker anywhere yet
        await goTo(page, end - 1);
        await expect(graph(page, lang).getByTestId('fate-marker')).toHaveCount(0);
        await expect(topology(page, lang).getByTestId('topo-fate')).toHaveCount(0);
        await goTo(page, end);
        const markers = graph(page, lang).getByTestId('fate-marker');
        await expect(markers).toHaveCount(1);
        const routing = graph(page, lang).locator('[data-node="routing-input"]');
        await expect(routing).toHaveAttribute('aria-current', 'step');
        await expect(routing.getByTestId('fate-marker')).toHaveAttribute('data-fate', drop.reason);
        await expect(routing.getByTestId('fate-marker')).toContainText(drop[lang]);
        await expect(routing.getByTestId('fate-marker')).toBeInViewport();
        // not where the last TRACE line was
        await expect(graph(page, lang).locator('[data-node="mangle PREROUTING"]').getByTestId('fate-marker')).toHaveCount(0);
        // the marker is part of the box's description for a screen reader
        const described = await routing.evaluate((el) => (el.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' '));
        expect(described).toContain(lang === 'en' ? 'ended here' : '在此结束');

        // the topology marks the same end on the host, at the interface the packet came in on, with the same words
        const { host, iface } = await page.evaluate((i) => {
          const steps = window.__packetwalk!.log!.steps;
          const at = steps[i]!;
          const ingress = steps.slice(0, i).findLast((s) => s.kind === 'ingress' && s.packet === at.packet && s.host === at.host);
          return { host: at.host, iface: ingress?.kind === 'ingress' ? ingress.iface : null };
        }, end);
        expect(iface).not.toBeNull();
        const box = topology(page, lang).locator(`[data-host="${host}"]`);
        const mark = topology(page, lang).getByTestId('topo-fate');
        await expect(mark).toHaveCount(1);
        await expect(box.getByTestId('topo-fate')).toHaveAttribute('data-fate', drop.reason);
        await expect(box.getByTestId('topo-fate')).toHaveAttribute('data-iface', iface!);
        await expect(box.getByTestId('topo-fate')).toContainText(drop[lang]);
        await expect(box.getByTestId('topo-fate-iface')).toHaveCount(1);
        const topoDescribed = await box.evaluate((el) => (el.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' '));
        expect(topoDescribed).toContain(iface!);
        // and it goes when the reader steps back before the end
        await goTo(page, end - 1);
        await expect(mark).toHaveCount(0);
      });
    }
  }

  test('a rule’s drop is marked on its chain, a delivery on the local process, a send on the wire', async ({ page }) => {
    await openGallery(page, 'g03-block-ping');
    const drop = await stepWhere(page, "s.kind === 'end' && s.reason === 'rule-drop'");
    await goTo(page, drop);
    await expect(graph(page).locator('[data-node="filter INPUT"]').getByTestId('fate-marker')).toHaveText(/^✕ dropped by a rule/);
    const delivered = await stepWhere(page, "s.kind === 'end' && s.reason === 'delivered'");
    await goTo(page, delivered);
    await expect(graph(page).locator('[data-node="local-process"]').getByTestId('fate-marker')).toHaveText(/^✓ delivered to a socket/);
    const sent = await stepWhere(page, "s.kind === 'end' && s.reason === 'sent'");
    await goTo(page, sent);
    await expect(graph(page).locator('[data-node="iface-out"]').getByTestId('fate-marker')).toHaveText(/^✓ sent on the wire/);
  });
});

test.describe('NAT from an existing binding', () => {
  test('is drawn as conntrack applying the binding, not as the nat table running', async ({ page }) => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto('/');
    await waitForWalk(page);
    const fresh = await stepWhere(page, "s.kind === 'note' && s.note.kind === 'nat' && s.note.binding === 'new'");
    const existing = await stepWhere(page, "s.kind === 'note' && s.note.kind === 'nat' && s.note.binding === 'existing'");
    expect(fresh).toBeGreaterThan(0);
    expect(existing).toBeGreaterThan(fresh);
    const node = await page.evaluate((i) => window.__packetwalk!.log!.steps[i]!.node, existing);
    expect(node).toMatch(/^nat /);

    // the first packet: the nat table ran (DNAT), the box is lit as the packet's place
    await goTo(page, fresh);
    const freshBox = graph(page).locator('[aria-current="step"]');
    await expect(freshBox).toContainText('packet here');
    await expect(freshBox).not.toHaveAttribute('data-conntrack-nat', /.*/);

    await goTo(page, existing);
    const box = graph(page).locator(`[data-node="${node}"]`);
    await expect(box).toHaveAttribute('data-conntrack-nat', 'existing');
    await expect(box).toContainText('conntrack NAT');
    await expect(box).toContainText('existing binding · table skipped');
    await expect(box).not.toContainText('packet here');
    // its rule count is not shown: the rules did not run
    await expect(box).not.toContainText(/\d+ rules?\b/);
    const described = await box.evaluate((el) => (el.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' '));
    expect(described).toContain('the nat table’s rules did not run');
  });
});

test.describe('step granularity', () => {
  test('steps by packet, hook and chain from the control, G cycles, collapse skips the transmit before a send', async ({ page }) => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto('/');
    await waitForWalk(page);
    const steps = await page.evaluate(() => window.__packetwalk!.log!.steps.map((s) => ({ packet: s.packet, host: s.host, kind: s.kind, node: s.node, transmit: s.kind === 'note' && s.note.kind === 'transmit' })));
    const stepBy = page.getByLabel('Step by', { exact: true });
    const forward = page.getByRole('button', { name: 'Step forward' });
    const back = page.getByRole('button', { name: 'Step back' });

    await stepBy.selectOption('packet');
    const starts = [...new Set(steps.map((s) => s.packet))].map((p) => steps.findIndex((s) => s.packet === p));
    await forward.click();
    await expect.poll(() => index(page)).toBe(starts[1]);
    await forward.click();
    await expect.poll(() => index(page)).toBe(starts[2]);
    await back.click();
    await expect.poll(() => index(page)).toBe(starts[1]);

    // by host: the next step on another host
    await stepBy.selectOption('host');
    const at = await index(page);
    const nextHost = steps.findIndex((s, i) => i > at && s.host !== steps[at]!.host);
    await forward.click();
    await expect.poll(() => index(page)).toBe(nextHost);

    // G cycles event → chain → hook → host → packet → event, from the keyboard
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await stepBy.selectOption('event');
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('g');
    await expect(stepBy).toHaveValue('chain');
    await page.keyboard.press('g');
    await expect(stepBy).toHaveValue('hook');
    await page.keyboard.press('Shift+G');
    await expect(stepBy).toHaveValue('chain');

    // by hook with → : from the first step in a hook, the next stop is in another hook or box
    await page.keyboard.press('g');
    await goTo(page, 0);
    const visited: number[] = [];
    for (let k = 0; k < 6; k++) {
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => index(page)).toBeGreaterThan(visited.at(-1) ?? 0);
      visited.push(await index(page));
    }
    expect(visited.length).toBe(6);
    expect(visited.every((i, k) => k === 0 || i - visited[k - 1]! >= 1)).toBe(true);
    expect(visited.some((i, k) => i - (k === 0 ? 0 : visited[k - 1]!) > 1), 'a hook groups several steps').toBe(true);

    // collapse: by event, the transmit note before an end on the wire is skipped
    await stepBy.selectOption('event');
    await page.getByLabel('Collapse empty chains').check();
    const transmit = steps.findIndex((s, i) => s.transmit && steps[i + 1]?.kind === 'end' && steps[i + 1]!.node === 'iface-out');
    expect(transmit).toBeGreaterThan(0);
    await goTo(page, transmit - 1);
    await forward.click();
    await expect.poll(() => index(page)).toBe(transmit + 1);
  });

  test('the scrubber shows the hosts along the walk and where each packet starts', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    const bands = page.getByTestId('scrub-hosts').locator('[data-host]');
    expect(await bands.count()).toBeGreaterThan(3);
    const hosts = await bands.evaluateAll((els) => els.map((e) => e.getAttribute('data-host')));
    expect(hosts[0]).toBe('client');
    expect(hosts).toContain('router');
    expect(hosts).toContain('web');
    const packets = await page.evaluate(() => window.__packetwalk!.log!.packets.length);
    expect(await page.locator('[data-packet-start]').count()).toBe(packets);
  });
});

test.describe('presenter mode at 1280×720', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('the graph takes most of the screen, nothing is cut off at the side, the QR code sits in a corner and Q toggles it', async ({ page }) => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto('/');
    await waitForWalk(page);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('p');
    await expect(page.locator('html')).toHaveClass(/presenter/);
    const pane = page.locator('[data-host] .react-flow').first();
    await expect(pane).toBeVisible();
    const box = (await pane.boundingBox())!;
    expect(box.height, 'graph height').toBeGreaterThan(720 * 0.55);
    expect(box.width, 'graph width').toBeGreaterThan(1280 * 0.9);
    expect(box.y + box.height).toBeLessThanOrEqual(721);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    // the QR code in the graph's lower left corner, over no box
    const qr = page.getByTestId('presenter-qr');
    await expect(qr).toBeInViewport({ ratio: 0.99 });
    const q = (await qr.boundingBox())!;
    expect(q.x).toBeLessThan(box.x + box.width / 3);
    expect(q.y + q.height).toBeGreaterThan(box.y + box.height / 2);
    const overlaps = await page.evaluate(
      ({ x, y, width, height }) =>
        [...document.querySelectorAll('[data-host] [data-node]')]
          .filter((n) => {
            const r = n.getBoundingClientRect();
            return r.right > x && r.left < x + width && r.bottom > y && r.top < y + height;
          })
          .map((n) => n.getAttribute('data-node')),
      q,
    );
    expect(overlaps).toEqual([]);
    await page.keyboard.press('q');
    await expect(qr).toHaveCount(0);
    await page.keyboard.press('q');
    await expect(page.getByTestId('presenter-qr')).toBeVisible();

    // stepping keeps the current box on screen
    for (let k = 0; k < 25; k++) {
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => index(page)).toBe(k + 1);
      await expect(page.locator('[data-host] [aria-current="step"]')).toBeInViewport({ ratio: 0.99 });
    }
  });
});

test.describe('the kube-proxy comparison at 1280×720', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('its graph keeps box names readable (11 px and up) and the box the packet is on in its pane', async ({ page }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto('/');
    await waitForWalk(page);
    await page.getByRole('button', { name: 'kube-proxy: iptables vs IPVS' }).click();
    const view = page.getByRole('region', { name: 'kube-proxy: iptables mode vs IPVS mode' });
    await expect(view.getByRole('list', { name: 'Walk on the node in iptables mode' })).toContainText('KUBE-SERVICES', { timeout: 20_000 });
    const next = view.getByRole('button', { name: 'Next step in both walks' });
    const pane = view.locator('.react-flow');
    for (let k = 0; k < 12; k++) {
      const current = view.locator('[data-host] [aria-current="step"]');
      if ((await current.count()) === 1) {
        const p = (await pane.boundingBox())!;
        const c = (await current.boundingBox())!;
        expect(c.x, `step ${k + 1}`).toBeGreaterThanOrEqual(p.x - 1);
        expect(c.y).toBeGreaterThanOrEqual(p.y - 1);
        expect(c.x + c.width).toBeLessThanOrEqual(p.x + p.width + 1);
        expect(c.y + c.height).toBeLessThanOrEqual(p.y + p.height + 1);
      }
      await next.click();
    }
    // a chain's name: 19 flow units, drawn at the view's zoom
    const name = view.locator('[data-node="filter INPUT"] [data-fit]').first();
    const px = await name.evaluate((el) => parseFloat(getComputedStyle(el).fontSize) * el.getBoundingClientRect().height / (el as HTMLElement).offsetHeight);
    expect(px).toBeGreaterThanOrEqual(11);
  });
});
