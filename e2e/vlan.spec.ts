// pattern: Imperative Shell
// A VLAN interface made by the form and by the console: the topology shows
// it under its real device, labelled modelled from kernel source, `ip link
// show` names its real device, and a ping between the two VLAN devices
// arrives on the VLAN device (the tag on the wire picks it).

import { test, expect, type Page } from '@playwright/test';
import { waitForWalk } from './helpers';
import type { Case } from '../src/engine/scenario/case';

const trunk: Case = {
  name: 'vlan-e2e',
  hosts: [
    // a route for 10.0.10.2 before the VLAN exists (a step without packets would leave nothing to walk); eth0.10's own route, metric 0, wins once it exists
    { name: 'a', setup: ['ip addr add 192.0.2.1/24 dev eth0', 'ip route add 10.0.10.0/24 dev eth0 metric 100'] },
    { name: 'b', setup: ['ip addr add 192.0.2.2/24 dev eth0'] },
  ],
  links: [['a:eth0', 'b:eth0']],
  steps: [
    { from: 'a', ping: '192.0.2.2' },
    { from: 'a', ping: '10.0.10.2' },
  ],
} as Case;

async function typeCommand(page: Page, text: string): Promise<void> {
  const input = page.getByRole('region', { name: 'Console' }).getByRole('textbox', { name: 'Command' });
  await input.fill(text);
  await input.press('Enter');
  await expect(input).toHaveValue('');
}

/** Where the walk's packets arrived, as host:iface. */
function arrivals(page: Page): Promise<string[]> {
  return page.evaluate(() => window.__packetwalk!.log!.packets.filter((p) => p.origin === 'ingress').map((p) => `${p.host}:${p.in}`));
}

test('a VLAN interface made by the form on one host and by the console on the other carries the ping', async ({ page }) => {
  await page.goto('/');
  await waitForWalk(page);
  await page.evaluate((c) => window.__packetwalk!.load(c), trunk);
  await waitForWalk(page);

  // the form, on host a
  const config = page.getByRole('region', { name: 'Configuration' });
  await config.getByLabel('Configure host').selectOption('a');
  await config.getByRole('button', { name: 'Interfaces', exact: true }).click();
  const form = config.getByTestId('vlan-form');
  await expect(form).toContainText('Modelled from kernel source');
  await form.getByLabel('On device').selectOption('eth0');
  await form.getByLabel('VLAN id').fill('10');
  await form.getByLabel('Address (optional)').fill('10.0.10.1/24');
  await expect(form.locator('output')).toHaveText('ip link add link eth0 name eth0.10 type vlan id 10\nip link set eth0.10 up\nip addr add 10.0.10.1/24 dev eth0.10');
  await form.getByRole('button', { name: 'Add VLAN interface' }).click();
  await expect(form).toContainText('Applied 3 commands on a.');
  await waitForWalk(page);
  const vlanA = page.locator('[data-host="a"] [data-vlan="10"]');
  await expect(vlanA).toContainText('eth0.10');
  await expect(vlanA).toContainText('10.0.10.1/24');
  await expect(vlanA).toHaveAttribute('title', /Modelled from kernel source/);

  // the console, on host b
  const consoleRegion = page.getByRole('region', { name: 'Console' });
  await consoleRegion.getByLabel('Console host').selectOption('b');
  await typeCommand(page, 'ip link add link eth0 name eth0.10 type vlan id 10');
  await typeCommand(page, 'ip link set eth0.10 up');
  await typeCommand(page, 'ip addr add 10.0.10.2/24 dev eth0.10');
  await waitForWalk(page);
  await expect(page.locator('[data-host="b"] [data-vlan="10"]')).toContainText('10.0.10.2/24');
  await typeCommand(page, 'ip link show eth0.10');
  await expect(consoleRegion.locator('pre[data-console-output]').last()).toContainText('eth0.10@eth0: <BROADCAST,MULTICAST,UP,LOWER_UP>');

  // untagged, the first ping arrives on eth0; over VLAN 10 the second and its reply arrive on the VLAN devices
  await expect.poll(() => arrivals(page)).toEqual(['b:eth0', 'a:eth0', 'b:eth0.10', 'a:eth0.10']);

  // a VLAN id the kernel refuses: the console shows 8021q's message and keeps what was typed
  const input = consoleRegion.getByRole('textbox', { name: 'Command' });
  await input.fill('ip link add link eth0 name eth0.4095 type vlan id 4095');
  await input.press('Enter');
  await expect(consoleRegion).toContainText('Error: 8021q: Invalid VLAN id.');
  await expect(input).toHaveValue('ip link add link eth0 name eth0.4095 type vlan id 4095');
});

for (const [lang, locale, words] of [
  ['en', 'en-US', { gallery: 'Gallery', open: 'Open', label: 'Modelled from kernel source' }],
  ['zh', 'zh-CN', { gallery: '示例库', open: '打开', label: '依据内核源码建模' }],
] as const) {
  test.describe(`the VLAN lesson in ${lang}`, () => {
    test.use({ locale });
    test('says it is modelled from kernel source, and the router shows its VLAN devices', async ({ page }) => {
      await page.goto('/');
      await waitForWalk(page);
      await page.getByRole('button', { name: words.gallery, exact: true }).click();
      await page.locator('[data-gallery="vlan-interface"]').getByRole('button', { name: words.open }).click();
      await waitForWalk(page);
      await expect(page.locator('[data-lesson="vlan-interface"] [data-testid="lesson-provenance"]')).toContainText(words.label);
      await expect(page.locator('[data-host="router"] [data-vlan="10"]')).toContainText('eth0.10');
      await expect(page.locator('[data-host="router"] [data-vlan="20"]')).toContainText('10.0.20.1/24');
    });
  });
}
