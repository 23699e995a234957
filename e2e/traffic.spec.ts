// pattern: Imperative Shell
// Stateful traffic: "Send another" keeps the scenario's own traffic and the
// state it left (the traffic list shows every connection, the conntrack
// table the earlier entries); "Replace traffic" starts from empty state;
// several connections at once let the IPVS schedulers choose, and they
// choose the servers ../shared/ipvs/SPEC.md §6 and §8 predict; an edit's
// re-walk stays on the step the user was looking at.

import { test, expect, type Page } from '@playwright/test';
import { markWalk, waitForWalk, index } from './helpers';
import type { Case } from '../src/engine/scenario/case';

const timeline = (page: Page) => page.getByTestId('traffic-timeline');

async function servers(page: Page): Promise<string[]> {
  return timeline(page).locator('li[data-traffic]').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-server') ?? ''));
}

async function galleryCase(page: Page, id: string): Promise<Case> {
  return page.evaluate(async (id) => (await window.__packetwalk!.gallery()).entries.find((e) => e.id === id)!.scenario, id);
}

async function load(page: Page, c: Case): Promise<void> {
  await page.evaluate((c) => window.__packetwalk!.load(c), c);
  await waitForWalk(page);
}

/** Send `n` TCP connects from the client to the VIP, after the traffic already there. */
async function sendConnections(page: Page, n: number): Promise<void> {
  await page.getByLabel('Kind', { exact: true }).selectOption('tcp');
  await page.getByLabel('Destination', { exact: true }).fill('10.0.0.100');
  await page.getByLabel('Destination port', { exact: true }).fill('80');
  await page.getByLabel('Source port', { exact: true }).fill('');
  await page.getByLabel('How many', { exact: true }).fill(String(n));
  const done = await markWalk(page);
  await page.getByRole('button', { name: `Send ${n} more connections`, exact: true }).click();
  await done();
}

test.describe('stateful traffic', () => {
  test('Send another keeps the scenario’s traffic and its state; Replace traffic starts again', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    // the built-in scenario's own traffic: a connect through the port forward and the web server's ping
    await expect(timeline(page).locator('li[data-traffic]')).toHaveCount(2);

    const done = await markWalk(page);
    await page.getByRole('button', { name: 'Send another', exact: true }).click();
    await done();
    await expect(timeline(page).locator('li[data-traffic]')).toHaveCount(3);
    expect(await page.evaluate(() => window.__packetwalk!.scenario.steps?.length)).toBe(3);
    // the walk opens at the first step of the connection just sent, and the list marks it
    const at = await page.evaluate(() => {
      const log = window.__packetwalk!.log!;
      return { index: window.__packetwalk!.index, first: log.scenarioSteps[2]!.firstStep, step: log.steps[window.__packetwalk!.index]!.scenarioStep };
    });
    expect(at.index).toBe(at.first);
    expect(at.step).toBe(3);
    await expect(timeline(page).getByRole('button', { name: 'Go to traffic step 3' })).toHaveAttribute('aria-current', 'step');
    await expect(timeline(page).locator('li[data-traffic="3"]')).toContainText('client: tcp 203.0.113.1:8080');
    await expect(timeline(page).locator('li[data-traffic="3"]')).toContainText('(203.0.113.10:40003)');

    // on the router, the new connection's SYN finds the first connection's entry in the conntrack table
    const router = await page.evaluate(() => {
      const log = window.__packetwalk!.log!;
      const p = log.packets.find((x) => x.step === 3 && x.host === 'router')!;
      return { first: p.firstStep, before: JSON.stringify(p.conntrackBefore) };
    });
    expect(router.before).toContain('40001');
    await page.evaluate((i) => window.__packetwalk!.stepTo(i), router.first);
    await expect(page.getByRole('region', { name: 'Conntrack table', exact: true })).toContainText('40001');

    const replaced = await markWalk(page);
    await page.getByRole('button', { name: 'Replace traffic', exact: true }).click();
    await replaced();
    await expect(timeline(page).locator('li[data-traffic]')).toHaveCount(1);
    expect(await index(page)).toBe(0);
    expect(await page.evaluate(() => window.__packetwalk!.scenario.steps)).toEqual([{ from: 'client', tcp: '203.0.113.1:8080' }]);
  });

  test('N connections to an rr, wrr and wlc service go to the servers SPEC.md predicts', async ({ page }) => {
    test.setTimeout(90_000);
    await page.goto('/');
    await waitForWalk(page);

    // rr (§8): the list is in reverse order of ipvsadm -a (§6): .13 .12 .11; the three connections of the
    // scenario take one each, and the four sent after them go on round the list from where it stood
    await load(page, await galleryCase(page, 'ipvs-rr-nat'));
    await sendConnections(page, 4);
    expect(await servers(page)).toEqual(['192.168.1.13:80', '192.168.1.12:80', '192.168.1.11:80', '192.168.1.13:80', '192.168.1.12:80', '192.168.1.11:80', '192.168.1.13:80']);
    await expect(timeline(page).locator('li[data-traffic="7"]')).toContainText('IPVS → 192.168.1.13:80');

    // wrr (§8): list .12 (weight 1), .11 (weight 2); the first round visits each once (cw = 1 after the adds),
    // then cw = 2 picks .11 alone and cw = 1 both: 12 11 | 11 12 11 | 11 12 …
    await load(page, await galleryCase(page, 'ipvs-wrr-dr'));
    await sendConnections(page, 4);
    expect(await servers(page)).toEqual(['10.0.0.12:80', '10.0.0.11:80', '10.0.0.11:80', '10.0.0.12:80', '10.0.0.11:80', '10.0.0.11:80', '10.0.0.12:80']);

    // wlc (§8): list .12 (weight 3), .11 (weight 1); every connection is closed (RST) before the next, so it
    // counts as inactive (overhead 1 each); .11 takes over only when overhead(.12)·1 > overhead(.11)·3
    const wlc = structuredClone(await galleryCase(page, 'ipvs-rr-nat'));
    wlc.name = 'ipvs-wlc-nat';
    const director = wlc.hosts.find((h) => h.name === 'director')!;
    director.setup = [
      ...(director.setup ?? []).filter((s) => typeof s !== 'string' || !s.startsWith('ipvsadm')),
      'ipvsadm -A -t 10.0.0.100:80 -s wlc',
      'ipvsadm -a -t 10.0.0.100:80 -r 192.168.1.11:80 -m -w 1',
      'ipvsadm -a -t 10.0.0.100:80 -r 192.168.1.12:80 -m -w 3',
    ];
    wlc.steps = [{ from: 'client', tcp: '10.0.0.100:80' }];
    await load(page, wlc);
    await sendConnections(page, 6);
    expect(await servers(page)).toEqual(['192.168.1.12:80', '192.168.1.11:80', '192.168.1.12:80', '192.168.1.12:80', '192.168.1.12:80', '192.168.1.11:80', '192.168.1.12:80']);
  });

  test('an edit keeps the step on screen where the new walk still has it', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    // the router's filter FORWARD for the first SYN
    const at = await page.evaluate(() => {
      const log = window.__packetwalk!.log!;
      const syn = log.packets.find((p) => p.host === 'router' && p.step === 1)!;
      const i = log.steps.findIndex((s) => s.packet === syn.id && s.node === 'filter FORWARD');
      window.__packetwalk!.stepTo(i);
      return i;
    });
    expect(at).toBeGreaterThan(0);
    const region = page.getByRole('region', { name: 'Console' });
    await region.getByLabel('Console host').selectOption('router');
    const input = region.getByRole('textbox', { name: 'Command' });

    // a rule before that place adds a step: the index moves on by one, the place stays
    let done = await markWalk(page);
    await input.fill('iptables -t mangle -A PREROUTING -j MARK --set-mark 1');
    await input.press('Enter');
    await done();
    const kept = await page.evaluate(() => {
      const i = window.__packetwalk!.index;
      const s = window.__packetwalk!.log!.steps[i]!;
      return { i, host: s.host, node: s.node, scenarioStep: s.scenarioStep };
    });
    expect(kept).toEqual({ i: at + 1, host: 'router', node: 'filter FORWARD', scenarioStep: 1 });

    // a DROP at the top of FORWARD: the packet still reaches filter FORWARD, and ends there
    done = await markWalk(page);
    await input.fill('iptables -I FORWARD -j DROP');
    await input.press('Enter');
    await done();
    const dropped = await page.evaluate(() => {
      const s = window.__packetwalk!.log!.steps[window.__packetwalk!.index]!;
      return { host: s.host, node: s.node, kind: s.kind };
    });
    expect(dropped).toEqual({ host: 'router', node: 'filter FORWARD', kind: 'rule' });

    // undo walks again too, and stays there
    done = await markWalk(page);
    await page.getByRole('button', { name: 'Undo', exact: true }).first().click();
    await done();
    expect(await index(page)).toBe(at + 1);
  });
});
