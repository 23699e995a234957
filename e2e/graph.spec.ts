// pattern: Imperative Shell
// The flow graph, topology and rule list in the real app: the graph is drawn
// (boxes with real size, a pixel baseline), the highlight walks the boxes in
// the engine's order, the dot moves (or jumps for reduced motion), chains
// open their rules with the reasons earlier rules did not match, and a
// 10,000-rule chain is listed through a window.

import { test, expect, type Page } from '@playwright/test';
import { index, sendTcpConnect, waitForWalk } from './helpers';

const TABLE_CHAINS = [
  'raw PREROUTING', 'mangle PREROUTING', 'nat PREROUTING',
  'mangle INPUT', 'filter INPUT', 'security INPUT', 'nat INPUT',
  'mangle FORWARD', 'filter FORWARD', 'security FORWARD',
  'raw OUTPUT', 'mangle OUTPUT', 'nat OUTPUT', 'filter OUTPUT', 'security OUTPUT',
  'mangle POSTROUTING', 'nat POSTROUTING',
];

const flowGraph = (page: Page) => page.getByRole('region', { name: 'Flow graph', exact: true });

/** Centre a region in the window, clear of the app's sticky playback bar, before clicking in it. */
async function centre(page: Page, region: string): Promise<void> {
  await page.getByRole('region', { name: region, exact: true }).evaluate((el) => el.scrollIntoView({ block: 'center' }));
}

async function sendConnect(page: Page): Promise<void> {
  await page.goto('/');
  await waitForWalk(page);
  await sendTcpConnect(page, 'client', '203.0.113.1', '8080');
}

/** The first step index where `pred` holds, from the page's walk log. */
async function stepWhere(page: Page, pred: string): Promise<number> {
  return page.evaluate((src) => {
    const f = new Function('s', `return ${src}`) as (s: unknown) => boolean;
    return window.__packetwalk!.log!.steps.findIndex((s) => f(s));
  }, pred);
}

async function goTo(page: Page, i: number): Promise<void> {
  await page.getByRole('slider', { name: 'Step' }).fill(String(i));
  await expect.poll(() => index(page)).toBe(i);
}

test.describe('the flow graph', () => {
  test('is really drawn: every table×chain box has a readable size inside the viewport, and it looks as it should', async ({ page }) => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await sendConnect(page);
    const graph = flowGraph(page);
    const viewport = page.viewportSize()!;
    for (const name of TABLE_CHAINS) {
      const box = await graph.getByRole('button', { name, exact: true }).boundingBox();
      expect(box, name).not.toBeNull();
      expect(box!.width, `${name} width`).toBeGreaterThan(40);
      expect(box!.height, `${name} height`).toBeGreaterThan(20);
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.y).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
    }
    const nat = (await graph.getByRole('button', { name: 'nat PREROUTING', exact: true }).boundingBox())!;
    expect(nat.y + nat.height).toBeLessThanOrEqual(viewport.height + (await page.evaluate(() => window.scrollY)));
    // the first step is the client's own SYN leaving its local process
    await expect(graph.locator('[aria-current="step"]')).toHaveAttribute('aria-label', 'local process');
    await expect(graph).toHaveScreenshot('flow-graph-client-first-step.png', { maxDiffPixelRatio: 0.002 });
  });

  test('pinned to the router from the topology, the highlight walks the router’s boxes in the engine’s order', async ({ page }) => {
    test.setTimeout(90_000);
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await sendConnect(page);
    const topology = page.getByRole('region', { name: 'Topology', exact: true });
    await centre(page, 'Topology');
    await topology.getByRole('button', { name: 'host router', exact: true }).click();
    await expect(topology.getByRole('button', { name: 'host router', exact: true })).toHaveAttribute('aria-pressed', 'true');

    const steps = await page.evaluate(() => window.__packetwalk!.log!.steps.map((s) => ({ host: s.host, node: s.node })));
    const onRouter = steps.map((s, i) => ({ ...s, i })).filter((s) => s.host === 'router');
    expect(onRouter.length).toBeGreaterThan(10);
    // one packet's passage through the router, then the next packet's first step
    const last = Math.min(steps.length - 1, onRouter[0]!.i + 40);

    const graph = flowGraph(page);
    const current = graph.locator('[aria-current="step"]');
    const seen: string[] = [];
    const expected: string[] = [];
    const stepForward = page.getByRole('button', { name: 'Step forward' });
    for (let i = 0; i <= last; i++) {
      await expect.poll(() => index(page)).toBe(i);
      if (steps[i]!.host === 'router') {
        expected.push(steps[i]!.node);
        await expect(current).toHaveCount(1);
        seen.push(await current.evaluate((el) => el.getAttribute('data-node') ?? ''));
        // the topology lights the host the packet is on
        await expect(topology.locator('[aria-current="step"]')).toHaveAttribute('aria-label', 'host router');
      } else {
        await expect(current).toHaveCount(0);
      }
      if (i < last) await stepForward.click();
    }
    expect(seen).toEqual(expected);
    expect(seen).toContain('nat PREROUTING');
    expect(seen).toContain('filter FORWARD');
  });

  test('the packet dot travels along the edge to the next box, and jumps for reduced motion', async ({ page }) => {
    await sendConnect(page);
    const dnat = await stepWhere(page, "s.kind === 'rule' && s.target === 'DNAT'");
    expect(dnat).toBeGreaterThan(1);
    await goTo(page, dnat - 1);
    const dot = flowGraph(page).getByTestId('packet-dot');
    await expect(dot).toHaveCount(1);
    // the dot's run is a Web Animation: pause it and seek through it, so the
    // positions read do not depend on how many frames a busy machine paints
    const ys = await page.evaluate(async () => {
      const region = [...document.querySelectorAll('section')].find((s) => s.querySelector('h2')?.textContent?.trim() === 'Flow graph')!;
      const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim().startsWith('Step forward'))!;
      button.click();
      let run: Animation | undefined;
      while (!run) {
        await new Promise((r) => requestAnimationFrame(r));
        run = region.querySelector('[data-testid="packet-dot"]')?.getAnimations()[0];
      }
      run.pause();
      const duration = Number(run.effect!.getComputedTiming().duration);
      const el = region.querySelector('[data-testid="packet-dot"]')!;
      const out: number[] = [];
      for (let k = 0; k <= 10; k++) {
        run.currentTime = (duration * k) / 10;
        out.push(el.getBoundingClientRect().y);
      }
      run.finish();
      return out;
    });
    await expect(dot).toHaveAttribute('data-moving', 'true');
    // moving down the PREROUTING band towards nat PREROUTING through in-between positions, then resting on it
    expect(ys.length).toBeGreaterThan(5);
    expect(ys[ys.length - 1]!).toBeGreaterThan(ys[0]!);
    expect(new Set(ys.map((y) => Math.round(y))).size, 'positions between the boxes').toBeGreaterThan(3);
    const c = (await dot.boundingBox())!;
    const nat = (await flowGraph(page).getByRole('button', { name: 'nat PREROUTING', exact: true }).boundingBox())!;
    expect(c.y + c.height / 2).toBeGreaterThan(nat.y);
    expect(c.y + c.height / 2).toBeLessThan(nat.y + nat.height);

    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.getByRole('button', { name: 'Step back' }).click();
    await expect(dot).toHaveAttribute('data-moving', 'false');
    const d = await dot.boundingBox();
    await page.waitForTimeout(200);
    expect(await dot.boundingBox()).toEqual(d);
  });

  test('a click or Enter on a box lists that chain’s rules; earlier rules say why they did not match', async ({ page }) => {
    await sendConnect(page);
    const accept = await stepWhere(page, "s.kind === 'rule' && s.table === 'filter' && s.chain === 'FORWARD' && s.rulenum === 2");
    expect(accept).toBeGreaterThan(0);
    await goTo(page, accept);
    const rules = page.getByRole('region', { name: 'Rules of filter FORWARD', exact: true });
    await expect(rules).toBeVisible();
    const matched = rules.locator('[aria-current="step"]');
    await expect(matched).toHaveAttribute('data-rule', '2');
    // rule 1 accepts only ESTABLISHED/RELATED; the SYN is NEW
    await expect(rules.locator('[data-rule="1"]')).toContainText('✗ -m conntrack --ctstate RELATED,ESTABLISHED: packet is NEW');
    await expect(rules.locator('[data-rule="end"]')).toContainText('policy DROP');

    const graph = flowGraph(page);
    await centre(page, 'Flow graph');
    await graph.getByRole('button', { name: 'nat POSTROUTING', exact: true }).click();
    await expect(page.getByRole('region', { name: 'Rules of nat POSTROUTING', exact: true })).toContainText('MASQUERADE');

    await graph.getByRole('button', { name: 'filter INPUT', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('region', { name: 'Rules of filter INPUT', exact: true })).toBeVisible();
  });

  test('a 10,000-rule chain is listed through a window of rows, the deciding rule scrolled into view', async ({ page }) => {
    test.setTimeout(120_000);
    await page.goto('/');
    await waitForWalk(page);
    const N = 10_000;
    const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]'];
    for (let i = 0; i < N; i++) lines.push(`-A FORWARD -s 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32 -p tcp --dport ${1024 + (i % 60000)} -j DROP`);
    lines.push('-A FORWARD -i eth0 -o eth1 -p tcp -d 192.168.1.100 --dport 80 -j ACCEPT', '-A FORWARD -i eth1 -o eth0 -j ACCEPT', 'COMMIT', '');
    await page.evaluate(
      ([restore]) =>
        window.__packetwalk!.load({
          name: 'big-forward',
          hosts: [
            { name: 'client', setup: ['ip addr add 203.0.113.10/24 dev eth0'] },
            {
              name: 'router',
              setup: [
                'ip addr add 203.0.113.1/24 dev eth0',
                'ip addr add 192.168.1.1/24 dev eth1',
                'sysctl -w net.ipv4.ip_forward=1',
                'iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 192.168.1.100:80',
                { 'iptables-restore': restore, noflush: true },
              ],
            },
            { name: 'web', setup: ['ip addr add 192.168.1.100/24 dev eth0', 'ip route add default via 192.168.1.1'] },
          ],
          links: [
            ['client:eth0', 'router:eth0'],
            ['router:eth1', 'web:eth0'],
          ],
          listeners: [{ host: 'web', proto: 'tcp', port: 80 }],
          steps: [{ from: 'client', tcp: '203.0.113.1:8080' }],
        }),
      [lines.join('\n')] as const,
    );
    await waitForWalk(page);
    const accept = await stepWhere(page, `s.kind === 'rule' && s.table === 'filter' && s.chain === 'FORWARD' && s.rulenum === ${N + 1}`);
    expect(accept).toBeGreaterThan(0);
    await goTo(page, accept);

    // the graph still shows one box for the chain
    await expect(flowGraph(page).getByRole('button', { name: 'filter FORWARD', exact: true })).toContainText(`${N + 2} rules`);
    const rules = page.getByRole('region', { name: 'Rules of filter FORWARD', exact: true });
    const matched = rules.locator('[aria-current="step"]');
    await expect(matched).toHaveAttribute('data-rule', String(N + 1));
    // scrolled into the list's own viewport
    const scroller = rules.getByTestId('rule-scroller');
    const view = (await scroller.boundingBox())!;
    const row = (await matched.boundingBox())!;
    expect(row.y).toBeGreaterThanOrEqual(view.y - 1);
    expect(row.y + row.height).toBeLessThanOrEqual(view.y + view.height + 1);
    expect(await rules.getByRole('listitem').count()).toBeLessThan(60);
    // the list is as long as the chain: scrolling to the end reaches the policy row
    await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect(rules.locator('[data-rule="end"]')).toContainText('policy DROP');
    expect(await rules.getByRole('listitem').count()).toBeLessThan(60);
  });
});
