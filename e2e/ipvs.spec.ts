// pattern: Imperative Shell
// IPVS as a user meets it: a virtual service and three real servers made by
// form on a director; rr picks the servers in the kernel's list order (the
// last added first, SPEC.md §6), wrr with weights runs its first round in
// list order and then the weighted cycle (§8); the IPVS panel shows the
// chosen server and fills its connection table; the kube-proxy view shows
// the same connection in iptables mode and in IPVS mode; axe finds nothing.

import { test, expect, type Locator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { markWalk, waitForWalk } from './helpers';
import { labCase } from '../src/app/ipvs/lab-case';

const CONNECTIONS = 9;
const SVC = '-t 10.0.0.100:80';

/** The servers IPVS scheduled new connections to, in walk order, as ".13". */
async function picks(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    window.__packetwalk!.log!.steps.flatMap((s) => (s.kind === 'note' && s.note.kind === 'ipvs' && s.note.action === 'xmit' && s.note.scheduled ? [s.note.server!.replace('192.168.1.', '.').replace(':80', '')] : [])),
  );
}

async function applyAndWait(page: Page, button: Locator): Promise<void> {
  const walked = await markWalk(page);
  await button.click();
  await walked();
}

async function openIpvsSection(page: Page): Promise<Locator> {
  const config = page.getByRole('region', { name: 'Configuration' });
  await config.scrollIntoViewIfNeeded();
  await config.getByRole('combobox').first().selectOption('director');
  await config.getByRole('group', { name: /section/i }).getByRole('button', { name: 'IPVS', exact: true }).click();
  await expect(config.getByRole('group', { name: 'Virtual service (ipvsadm -A / -E)' })).toBeVisible();
  return config;
}

/** Jump to a step with the playback scrubber (-1: the last step). */
async function stepTo(page: Page, index: number): Promise<void> {
  const last = await page.evaluate(() => window.__packetwalk!.log!.steps.length - 1);
  const to = index < 0 ? last : index;
  await page.locator('main input[type="range"]').first().fill(String(to));
  await expect.poll(() => page.evaluate(() => window.__packetwalk!.index)).toBe(to);
}

test.describe('IPVS', () => {
  test('a service and three real servers by form: rr, then wrr with weights, and the IPVS panel', async ({ page }) => {
    test.setTimeout(90_000);
    await page.goto('/');
    await waitForWalk(page);
    await page.evaluate((c) => window.__packetwalk!.load(c), labCase(CONNECTIONS));
    await waitForWalk(page);
    // no virtual service yet: no IPVS region
    await expect(page.getByRole('region', { name: 'IPVS', exact: true })).toHaveCount(0);

    const config = await openIpvsSection(page);
    const service = config.getByRole('group', { name: 'Virtual service (ipvsadm -A / -E)' });
    await service.getByLabel('Virtual address:port').fill('10.0.0.100:80');
    await service.getByLabel('Scheduler').selectOption('rr');
    await expect(service.locator('output')).toHaveText('ipvsadm -A -t 10.0.0.100:80 -s rr');
    await applyAndWait(page, service.getByRole('button', { name: 'Add service' }));

    const server = config.getByRole('group', { name: 'Real server (ipvsadm -a / -e)' });
    for (const n of [11, 12, 13]) {
      await server.getByLabel('Real server address:port').fill(`192.168.1.${n}:80`);
      await server.getByLabel('Forwarding method').selectOption('-m');
      await expect(server.locator('output')).toHaveText(`ipvsadm -a -t 10.0.0.100:80 -r 192.168.1.${n}:80 -m -w 1`);
      await applyAndWait(page, server.getByRole('button', { name: 'Add real server' }));
    }
    await expect(config.getByRole('list', { name: `Real servers of ${SVC}` }).locator('code')).toHaveText([/192\.168\.1\.13:80/, /192\.168\.1\.12:80/, /192\.168\.1\.11:80/]);

    // rr: the kernel list is last-added first, and rr walks it from the head
    expect(await picks(page)).toEqual(['.13', '.12', '.11', '.13', '.12', '.11', '.13', '.12', '.11']);

    // the IPVS panel at the first scheduling step: the chosen server, marked
    const ipvs = page.getByRole('region', { name: 'IPVS', exact: true });
    await expect(ipvs).toBeVisible();
    const first = await page.evaluate(() => window.__packetwalk!.log!.steps.find((s) => s.kind === 'note' && s.note.kind === 'ipvs' && s.note.action === 'xmit')!.i);
    await stepTo(page, first);
    await expect(ipvs.getByTestId('ipvs-note')).toContainText('scheduled → 192.168.1.13:80 (masq)');
    // this kernel has no IPVS: the panel says where its behaviour comes from
    await expect(ipvs.getByTestId('ipvs-provenance')).toContainText('Modelled from kernel source');
    await expect(ipvs.locator('pre [data-chosen="true"]')).toContainText('192.168.1.13:80');
    const conns = ipvs.getByRole('region', { name: 'Connection table (ipvsadm -Lnc)' });
    await expect(conns.locator('tbody tr')).toHaveCount(1);
    await expect(page.getByRole('region', { name: 'Flow graph', exact: true }).getByRole('group', { name: 'IPVS LOCAL_IN' })).toHaveAttribute('aria-current', 'step');
    // a step back: the connection table is the one the packet found (empty)
    await stepTo(page, first - 1);
    await expect(conns).toContainText('No connections yet.');
    // the end of the walk: every connection is in the table
    await stepTo(page, -1);
    await expect(conns.locator('tbody tr')).toHaveCount(CONNECTIONS);

    // wrr with weights 1, 2, 3
    await config.getByRole('button', { name: `Edit service ${SVC}` }).click();
    await service.getByLabel('Scheduler').selectOption('wrr');
    await expect(service.locator('output')).toHaveText('ipvsadm -E -t 10.0.0.100:80 -s wrr');
    await applyAndWait(page, service.getByRole('button', { name: 'Save service' }));
    for (const [n, w] of [[11, 1], [12, 2], [13, 3]] as const) {
      await config.getByRole('button', { name: `Edit real server 192.168.1.${n}:80 of ${SVC}` }).click();
      await server.getByLabel('Weight (-w)').fill(String(w));
      await expect(server.locator('output')).toHaveText(`ipvsadm -e -t 10.0.0.100:80 -r 192.168.1.${n}:80 -m -w ${w}`);
      await applyAndWait(page, server.getByRole('button', { name: 'Save real server' }));
    }
    // first round at cw = 1 visits each server once in list order, then cw = 3, 2, 1
    expect(await picks(page)).toEqual(['.13', '.12', '.11', '.13', '.13', '.12', '.13', '.12', '.11']);
    await stepTo(page, -1);
    await expect(ipvs.getByRole('table', { name: `Scheduler state of TCP 10.0.0.100:80 wrr` })).toBeVisible();
    await expect(ipvs).toContainText('Current weight cw =');
    await expect(conns.locator('tbody tr')).toHaveCount(CONNECTIONS);

    const axe = await new AxeBuilder({ page }).include('[data-ipvs-host]').include('#editor').analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);
  });

  test('the kube-proxy view: the same connection in iptables mode and in IPVS mode, and the rules each examines', async ({ page }) => {
    // the view's scaling runs (up to 10,000 services in the worker) and axe over its
    // lists took 23 s at load 13 and passed 60 s at load 17 on this 2-core machine
    test.setTimeout(120_000);
    await page.goto('/');
    await waitForWalk(page);
    await page.getByRole('button', { name: 'kube-proxy: iptables vs IPVS' }).click();
    const view = page.getByRole('region', { name: 'kube-proxy: iptables mode vs IPVS mode' });
    await expect(view).toBeVisible();

    const iptables = view.getByRole('list', { name: 'Walk on the node in iptables mode' });
    const ipvs = view.getByRole('list', { name: 'Walk on the node in IPVS mode' });
    await expect(iptables).toContainText('KUBE-SERVICES', { timeout: 20_000 });
    await expect(iptables).toContainText(/KUBE-SVC-\w+/);
    await expect(iptables).toContainText(/KUBE-SEP-\w+/);
    await expect(iptables).toContainText('filter FORWARD');
    await expect(ipvs).toContainText('filter INPUT', { timeout: 20_000 });
    await expect(ipvs).toContainText('IPVS LOCAL_IN');
    await expect(ipvs).not.toContainText('FORWARD');

    // switching mode: aria-pressed, and the flow graph of the node in that mode
    const iptMode = view.getByRole('button', { name: 'iptables mode', exact: true });
    const vsMode = view.getByRole('button', { name: 'IPVS mode', exact: true });
    await expect(iptMode).toHaveAttribute('aria-pressed', 'true');
    await expect(vsMode).toHaveAttribute('aria-pressed', 'false');
    await vsMode.click();
    await expect(vsMode).toHaveAttribute('aria-pressed', 'true');
    await expect(iptMode).toHaveAttribute('aria-pressed', 'false');
    await expect(view.getByRole('group', { name: 'IPVS LOCAL_IN' })).toBeVisible();

    // both walks step together
    const next = view.getByRole('button', { name: 'Next step in both walks' });
    for (let i = 0; i < 4; i++) await next.click();
    await expect(iptables.locator('[aria-current="step"]')).toContainText('5');
    await expect(ipvs.locator('[aria-current="step"]')).toContainText('5');
    await iptMode.click();
    await expect(view.getByRole('group', { name: 'IPVS LOCAL_IN' })).toHaveCount(0);

    // the engine's numbers: 1, 100 and 1,000 Services first, 10,000 measured after
    await view.getByRole('button', { name: 'Show the numbers as a table' }).click();
    const table = view.getByRole('table');
    const row = (n: string) => table.getByRole('row', { name: new RegExp(`^${n} `) });
    await expect(row('1,000')).not.toContainText('measuring', { timeout: 30_000 });
    const cells = async (n: string) => (await row(n).getByRole('cell').allTextContents()).map((x) => Number(x.replace(/,/g, '')));
    const [ipt1000, vs1000] = await cells('1,000');
    const [ipt1, vs1] = await cells('1');
    expect(ipt1000!).toBeGreaterThan(1000);
    expect(vs1000!).toBe(vs1!);
    expect(ipt1000!).toBeGreaterThan(ipt1!);
    await expect(view.getByRole('img', { name: 'iptables rules examined per new connection' })).toBeVisible();

    const axe = await new AxeBuilder({ page }).include('#kube-proxy-view').analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes)`)).toEqual([]);
  });
});
