// pattern: Imperative Shell
// A tunnel made by hand: one end by the Interfaces form, the other by the
// console, as the notes type it (`ip tunnel add tun0 mode gre remote …
// local …`). The walk then shows the inner packet leaving by tun0, its outer
// GRE packet's own walk, and the inner packet received again with IN=tun0;
// `ip tunnel show` prints the tunnel; the topology draws it over the wire;
// the walk says GRE is modelled from kernel source, in English and Chinese.

import { test, expect, type Page } from '@playwright/test';
import { markWalk, waitForWalk } from './helpers';
import type { Case } from '../src/engine/scenario/case';

const twoSites: Case = {
  name: 'two-sites',
  hosts: [
    { name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0'] },
    { name: 'b', setup: ['ip addr add 10.0.0.2/24 dev eth0'] },
  ],
  links: [['a:eth0', 'b:eth0']],
  // the underlay ping walks from the start; the one to the tunnel's far end only once the tunnel is there
  steps: [{ from: 'a', ping: '10.0.0.2' }, { from: 'a', ping: '172.16.0.2' }],
} as unknown as Case;

async function run(page: Page, text: string): Promise<void> {
  const input = page.getByRole('region', { name: 'Console' }).getByRole('textbox', { name: 'Command' });
  await input.fill(text);
  await input.press('Enter');
  await expect(input).toHaveValue('');
}

test('a GRE tunnel made by form on one end and by console on the other carries the ping', async ({ page }) => {
  await page.goto('/');
  await waitForWalk(page);
  await page.evaluate((c) => window.__packetwalk!.load(c), twoSites);
  await waitForWalk(page);

  // end a: the Interfaces form
  const config = page.getByRole('region', { name: 'Configuration' });
  await config.getByLabel('Configure host').selectOption('a');
  await config.getByRole('button', { name: 'Interfaces', exact: true }).click();
  const form = config.getByTestId('tunnel-form');
  await form.getByLabel('Kind').selectOption('gre');
  await form.getByLabel('Remote').fill('10.0.0.2');
  await form.getByLabel('Local').fill('10.0.0.1');
  await form.getByLabel('Address on it').fill('172.16.0.1/30');
  await expect(form).toContainText('ip tunnel add tun0 mode gre remote 10.0.0.2 local 10.0.0.1');
  await expect(form).toContainText('modelled from kernel source');
  let walked = await markWalk(page);
  await form.getByRole('button', { name: 'Apply' }).click();
  await walked();
  await expect(config.getByRole('list', { name: 'Interfaces of a' })).toContainText('172.16.0.1/30');

  // end b: the console
  const consoleRegion = page.getByRole('region', { name: 'Console' });
  await consoleRegion.getByLabel('Console host').selectOption('b');
  for (const c of ['ip tunnel add tun0 mode gre remote 10.0.0.1 local 10.0.0.2', 'ip link set tun0 up']) await run(page, c);
  walked = await markWalk(page);
  await run(page, 'ip addr add 172.16.0.2/30 dev tun0');
  await walked();
  await run(page, 'ip tunnel show');
  await expect(consoleRegion.locator('pre[data-console-output]').last()).toHaveText('tun0: gre/ip remote 10.0.0.1 local 10.0.0.2 ttl inherit');

  // the walk: inner out by tun0, the outer GRE packet, the inner one in by tun0, and the reply
  const walk = await page.evaluate(() => {
    const log = window.__packetwalk!.log!;
    return {
      packets: log.packets.map((p) => ({ host: p.host, in: p.in, proto: log.steps[p.firstStep]!.headers.proto })),
      tunnelSteps: log.steps.flatMap((s, i) => (s.kind === 'note' && s.note.kind === 'tunnel' ? [{ i, action: s.note.action, host: s.host }] : [])),
      result: log.scenarioSteps[1]?.result,
    };
  });
  expect(walk.result).toMatchObject({ result: 'reply' });
  expect(walk.packets).toContainEqual({ host: 'a', in: null, proto: 47 });
  expect(walk.packets).toContainEqual({ host: 'b', in: 'tun0', proto: 'icmp' });
  expect(walk.tunnelSteps.map((s) => `${s.host}:${s.action}`).slice(0, 2)).toEqual(['a:encapsulate', 'b:decapsulate']);

  // the topology draws the tunnel over the wire
  await expect(page.locator('[data-tunnel="tun0 GRE"]')).toHaveCount(1);

  // the encapsulation step says what it is, and that GRE is modelled, in both languages
  await page.evaluate((i) => window.__packetwalk!.stepTo(i), walk.tunnelSteps[0]!.i);
  await expect(page.locator('main')).toContainText('tun0 encapsulates it: outer packet 10.0.0.1 → 10.0.0.2 GRE (modelled from kernel source)');
  await page.getByLabel('Language').selectOption('zh');
  await expect(page.locator('main')).toContainText('tun0 封装：外层数据包 10.0.0.1 → 10.0.0.2 GRE（依据内核源码建模）');
});
