// pattern: Imperative Shell
// A network namespace made by the console and by the form: `ip netns add`,
// a veth pair moved into it, `ip netns exec` inside it. The topology draws the
// namespace inside its host, `ip netns list` prints what ip prints, and the
// client's ping crosses the host into the namespace's own stack.

import { test, expect, type Page } from '@playwright/test';
import { waitForWalk } from './helpers';
import type { Case } from '../src/engine/scenario/case';

/** ns-01's client and web, before web has its namespace. */
const start: Case = {
  name: 'netns-e2e',
  hosts: [
    { name: 'client', setup: ['ip addr add 192.168.50.10/24 dev eth0', 'ip route add 10.200.0.0/30 via 192.168.50.1'] },
    { name: 'web', setup: ['ip addr add 192.168.50.1/24 dev eth0', 'sysctl -w net.ipv4.ip_forward=1'] },
  ],
  links: [['client:eth0', 'web:eth0']],
  steps: [{ from: 'client', ping: '10.200.0.2' }],
};

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

async function open(page: Page): Promise<void> {
  await page.goto('/');
  await waitForWalk(page);
  await page.evaluate((c) => window.__packetwalk!.load(c), start);
  await waitForWalk(page);
}

test('a namespace made in the console is drawn inside its host and the ping reaches its own stack', async ({ page }) => {
  await open(page);
  const consoleRegion = page.getByRole('region', { name: 'Console' });
  await consoleRegion.getByLabel('Console host').selectOption('web');
  for (const t of [
    'ip netns add app',
    'ip link add veth0 type veth peer name veth1',
    'ip link set veth1 netns app',
    'ip addr add 10.200.0.1/30 dev veth0',
    'ip link set veth0 up',
    'ip netns exec app ip addr add 10.200.0.2/30 dev veth1',
    'ip netns exec app ip link set veth1 up',
    'ip netns exec app ip route add default via 10.200.0.1',
  ])
    await typeCommand(page, t);
  await waitForWalk(page);
  await expect(page.locator('[data-host="app"][data-netns-in="web"]')).toContainText('namespace in web');
  await expect.poll(() => arrivals(page)).toEqual(['web:eth0', 'app:veth1', 'web:veth0', 'client:eth0']);
  await typeCommand(page, 'ip netns list');
  await expect(consoleRegion.locator('pre[data-console-output]').last()).toHaveText('app (id: 0)');

  // a namespace web does not have: iproute2's message, and the line stays to be corrected
  const input = consoleRegion.getByRole('textbox', { name: 'Command' });
  await input.fill('ip netns exec nosuch ip addr show');
  await input.press('Enter');
  await expect(consoleRegion).toContainText('Cannot open network namespace "nosuch": No such file or directory');
  await expect(input).toHaveValue('ip netns exec nosuch ip addr show');
});

for (const [lang, locale, words] of [
  ['en', 'en-US', { config: 'Configuration', host: 'Configure host', interfaces: 'Interfaces', add: 'Add namespace', inside: 'namespace in web' }],
  ['zh', 'zh-CN', { config: '配置', host: '要配置的主机', interfaces: '网卡', add: '添加命名空间', inside: 'web 内的命名空间' }],
] as const) {
  test.describe(`the namespace form in ${lang}`, () => {
    test.use({ locale });
    test('adds a namespace inside the host, joined by a veth pair, and the ping reaches it', async ({ page }) => {
      await open(page);
      const config = page.getByRole('region', { name: words.config, exact: true });
      await config.getByLabel(words.host).selectOption('web');
      await config.getByRole('button', { name: words.interfaces, exact: true }).click();
      const form = config.getByTestId('netns-form');
      await expect(form.locator('output')).toContainText('ip netns add app\nip link add veth0 type veth peer name veth1\nip link set veth1 netns app');
      await form.getByRole('button', { name: words.add }).click();
      await waitForWalk(page);
      await expect(page.locator('[data-host="app"][data-netns-in="web"]')).toContainText(words.inside);
      await expect.poll(() => arrivals(page)).toEqual(['web:eth0', 'app:veth1', 'web:veth0', 'client:eth0']);
    });
  });
}
