// pattern: Imperative Shell
// The counters the page shows are the kernel's (issue 12): after each traffic
// step of an oracle case, every flow-graph box and every rule list of every
// host shows what iptables-legacy counted on the real kernel up to that step
// (the recorded per-step deltas, summed), and in the middle of a step a chain
// shows only the packets that have passed it so far. Values are read from
// the DOM, as the reader sees them; the walk log is used only to find which
// walk index ends which traffic step.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { index, waitForWalk } from './helpers';

const ORACLE = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'src', 'engine', '__fixtures__', 'oracle');

interface Counter {
  packets: number;
  bytes: number;
}

interface KernelEvent {
  table: string;
  chain: string;
  type: 'rule' | 'return' | 'policy';
  rulenum: number;
  rule?: string;
}

interface KernelResult {
  steps: { n: number; counters: { host: string; table: string; chain: string; rule: number | 'policy'; packets: number; bytes: number }[] }[];
  packets: { id: number; step: number; host: string; headers: { len: number }; events: KernelEvent[] }[];
  rulesets: Record<string, Record<string, Record<string, { policy: string | null; rules: { num: number }[] }>>>;
}

/** A case file and the result the real kernel recorded for it (`NAME.json` beside `NAME.kernel.json`). */
function oracle(name: string): { scenario: { name: string; hosts: { name: string }[] }; kernel: KernelResult } {
  return {
    scenario: JSON.parse(readFileSync(join(ORACLE, `${name}.json`), 'utf8')) as { name: string; hosts: { name: string }[] },
    kernel: JSON.parse(readFileSync(join(ORACLE, `${name}.kernel.json`), 'utf8')) as KernelResult,
  };
}

/** Counters keyed `host table chain rule` (rule: a number or 'policy'). */
type Counters = Map<string, Counter>;
const key = (host: string, table: string, chain: string, rule: number | 'policy') => `${host} ${table} ${chain} ${rule}`;

function add(into: Counters, k: string, packets: number, bytes: number): void {
  const c = into.get(k) ?? { packets: 0, bytes: 0 };
  into.set(k, { packets: c.packets + packets, bytes: c.bytes + bytes });
}

/** The kernel's counters after traffic step `n`: the recorded deltas of steps 1…n. */
function kernelAfter(kernel: KernelResult, n: number): Counters {
  const out: Counters = new Map();
  for (const s of kernel.steps) if (s.n <= n) for (const c of s.counters) add(out, key(c.host, c.table, c.chain, c.rule), c.packets, c.bytes);
  return out;
}

/**
 * What one traced packet adds to its host's counters: a rule that matched
 * (an explicit RETURN rule too) counts at its number, a built-in chain's end
 * at the policy; the implicit return of a user chain counts nowhere.
 */
function countPacket(into: Counters, p: KernelResult['packets'][number]): void {
  for (const e of p.events) {
    if (e.type === 'policy') add(into, key(p.host, e.table, e.chain, 'policy'), 1, p.headers.len);
    else if (e.type === 'rule' || e.rule !== undefined) add(into, key(p.host, e.table, e.chain, e.rulenum), 1, p.headers.len);
  }
}

const get = (c: Counters, k: string): Counter => c.get(k) ?? { packets: 0, bytes: 0 };

/** The sizes as the page words them: exact below 1 KiB (all these cases), then KiB. */
function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The words under a box: its rule count, the packets its rules counted, a policy other than ACCEPT. */
function boxText(kernel: KernelResult, counters: Counters, host: string, table: string, chain: string): string {
  const set = kernel.rulesets[host]?.[table]?.[chain];
  const rules = set?.rules ?? [];
  let packets = 0;
  let bytes = 0;
  for (const r of rules) {
    const c = get(counters, key(host, table, chain, r.num));
    packets += c.packets;
    bytes += c.bytes;
  }
  const counted = packets > 0 ? ` · ${packets} ${packets === 1 ? 'pkt' : 'pkts'}, ${bytesText(bytes)}` : '';
  const policy = set?.policy && set.policy !== 'ACCEPT' ? ` · policy ${set.policy}` : '';
  return `${rules.length} ${rules.length === 1 ? 'rule' : 'rules'}${counted}${policy}`;
}

const flowGraph = (page: Page) => page.getByRole('region', { name: 'Flow graph', exact: true });

async function load(page: Page, c: { name: string }): Promise<void> {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto('/');
  await waitForWalk(page);
  await page.evaluate((x) => window.__packetwalk!.load(x as never), c);
  await waitForWalk(page);
  expect(await page.evaluate(() => window.__packetwalk!.log!.scenario)).toBe(c.name);
}

/** Walk indices that end each traffic step, from the walk log the page shows. */
async function trafficSteps(page: Page): Promise<{ n: number; firstStep: number; lastStep: number }[]> {
  return page.evaluate(() => window.__packetwalk!.log!.scenarioSteps.map((s) => ({ n: s.n, firstStep: s.firstStep, lastStep: s.lastStep })));
}

async function goTo(page: Page, i: number): Promise<void> {
  await page.evaluate((x) => window.__packetwalk!.stepTo(x), i);
  await expect.poll(() => index(page)).toBe(i);
}

async function showHost(page: Page, host: string): Promise<void> {
  const button = page.getByRole('group', { name: 'Show host', exact: true }).getByRole('button', { name: host, exact: true });
  await button.click();
  await expect(button).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('[data-shown-host]')).toHaveAttribute('data-shown-host', host);
}

/** Every table×chain box of the graph on screen, with the words under it ('filter FORWARD' → '2 rules · 5 pkts, 283 B'). */
// a box's first description is its counters; a box where a packet ended is also described by its fate marker
async function boxesShown(page: Page): Promise<Map<string, string>> {
  const rows = await flowGraph(page)
    .locator('button[data-node][aria-describedby]')
    .evaluateAll((els) => els.map((el) => [el.getAttribute('aria-label') ?? '', document.getElementById((el.getAttribute('aria-describedby') ?? '').split(' ')[0] ?? '')?.textContent ?? ''] as const));
  return new Map(rows);
}

/** The built-in chains the kernel had on this host, as 'TABLE CHAIN'. */
function builtins(kernel: KernelResult, host: string): string[] {
  return Object.entries(kernel.rulesets[host] ?? {}).flatMap(([table, chains]) =>
    Object.entries(chains)
      .filter(([, c]) => c.policy !== null)
      .map(([chain]) => `${table} ${chain}`),
  );
}

/** Boxes of every host show the kernel's counters after every traffic step. */
async function checkBoxes(page: Page, name: string, kernel: KernelResult, hosts: string[]): Promise<void> {
  const steps = await trafficSteps(page);
  expect(steps.map((s) => s.n)).toEqual(kernel.steps.map((s) => s.n));
  for (const host of hosts) {
    await showHost(page, host);
    for (const s of steps) {
      await goTo(page, s.lastStep);
      const counters = kernelAfter(kernel, s.n);
      const expected = new Map(
        builtins(kernel, host).map((ref) => {
          const [table, chain] = ref.split(' ') as [string, string];
          return [ref, boxText(kernel, counters, host, table, chain)];
        }),
      );
      const want = [...expected].map(([ref, text]) => `${ref}: ${text}`).sort();
      // the graph repaints from its store a frame after the step: poll until the boxes say this step
      await expect
        .poll(async () => [...(await boxesShown(page))].map(([ref, text]) => `${ref}: ${text}`).sort(), { message: `${name}, traffic step ${s.n}, host ${host}: box counters` })
        .toEqual(want);
    }
  }
}

/** A chain's rule list (opened from its box) shows each rule's and the policy's kernel counters after every traffic step. */
async function checkRuleLists(page: Page, name: string, kernel: KernelResult, host: string, chains: string[]): Promise<void> {
  const steps = await trafficSteps(page);
  await showHost(page, host);
  for (const ref of chains) {
    const [table, chain] = ref.split(' ') as [string, string];
    await flowGraph(page).getByRole('button', { name: ref, exact: true }).click();
    const list = page.getByRole('region', { name: `Rules of ${ref}`, exact: true });
    await expect(list).toBeVisible();
    const set = kernel.rulesets[host]![table]![chain]!;
    for (const s of steps) {
      await goTo(page, s.lastStep);
      const counters = kernelAfter(kernel, s.n);
      for (const r of set.rules) {
        const c = get(counters, key(host, table, chain, r.num));
        await expect(list.locator(`[data-rule="${r.num}"] > span:last-child`), `${name}, traffic step ${s.n}, ${host} ${ref} rule ${r.num}`).toHaveText(`${c.packets} · ${bytesText(c.bytes)}`);
      }
      const policy = get(counters, key(host, table, chain, 'policy'));
      await expect(list.locator('[data-rule="end"] > span:last-child'), `${name}, traffic step ${s.n}, ${host} ${ref} policy`).toHaveText(`${policy.packets} pkts`);
    }
  }
}

/**
 * User chains have no box: their rules are listed while the packet is in
 * them. At the last walk index of each traffic step where a rule of the
 * chain decides on `host`, nothing later in that step counts there, so the
 * list shows the kernel's counters after the step.
 */
async function checkUserChains(page: Page, name: string, kernel: KernelResult, host: string, chains: string[]): Promise<void> {
  const steps = await trafficSteps(page);
  await showHost(page, host);
  const follow = page.getByRole('button', { name: "Follow the packet's chain", exact: true });
  if (await follow.isVisible()) await follow.click();
  let checked = 0;
  for (const ref of chains) {
    const [table, chain] = ref.split(' ') as [string, string];
    const set = kernel.rulesets[host]![table]![chain]!;
    for (const s of steps) {
      const at = await page.evaluate(
        ({ host, table, chain, first, last }) => {
          const steps = window.__packetwalk!.log!.steps;
          for (let i = last; i >= first; i--) {
            const x = steps[i]!;
            if (x.kind === 'rule' && x.host === host && x.table === table && x.chain === chain && x.rule !== null) return i;
          }
          return -1;
        },
        { host, table, chain, first: s.firstStep, last: s.lastStep },
      );
      if (at < 0) continue;
      await goTo(page, at);
      const list = page.getByRole('region', { name: `Rules of ${ref}`, exact: true });
      await expect(list).toBeVisible();
      const counters = kernelAfter(kernel, s.n);
      for (const r of set.rules) {
        const c = get(counters, key(host, table, chain, r.num));
        await expect(list.locator(`[data-rule="${r.num}"] > span:last-child`), `${name}, traffic step ${s.n}, ${host} ${ref} rule ${r.num}`).toHaveText(`${c.packets} · ${bytesText(c.bytes)}`);
      }
      checked++;
    }
  }
  expect(checked, `${name}: user chains listed at some step`).toBeGreaterThan(0);
}

/**
 * In the middle of traffic step `n`, once the first packet of that step that
 * a rule of `ref` counted on `host` has finished, the box shows the counters
 * up to the step before plus that packet alone — fewer than the step's end.
 */
async function checkWithinStep(page: Page, name: string, kernel: KernelResult, host: string, ref: string, n: number): Promise<void> {
  const [table, chain] = ref.split(' ') as [string, string];
  const rules = kernel.rulesets[host]![table]![chain]!.rules;
  const counts = (p: KernelResult['packets'][number]) => p.host === host && p.events.some((e) => e.table === table && e.chain === chain && e.type !== 'policy');
  const inStep = kernel.packets.filter((p) => p.step === n && counts(p));
  expect(inStep.length, `${name}: step ${n} has several packets counted in ${host} ${ref}`).toBeGreaterThan(1);
  const first = inStep[0]!;
  const sofar = kernelAfter(kernel, n - 1);
  countPacket(sofar, first);
  const atEnd = kernelAfter(kernel, n);

  // where that packet's walk ends on the page: the same packet, host and traffic step in the walk log
  const last = await page.evaluate(
    ({ id, host, step }) => {
      const p = window.__packetwalk!.log!.packets.find((x) => x.id === id);
      return p && p.host === host && p.step === step ? p.lastStep : -1;
    },
    { id: first.id, host, step: n },
  );
  expect(last, `${name}: packet ${first.id} on ${host} in step ${n} is in the walk`).toBeGreaterThanOrEqual(0);
  const steps = await trafficSteps(page);
  expect(last).toBeLessThan(steps.find((s) => s.n === n)!.lastStep);

  await showHost(page, host);
  await goTo(page, last);
  const expected = boxText(kernel, sofar, host, table, chain);
  expect(expected, 'the middle of the step differs from its end').not.toBe(boxText(kernel, atEnd, host, table, chain));
  const box = flowGraph(page).getByRole('button', { name: ref, exact: true });
  const described = await box.getAttribute('aria-describedby');
  await expect(page.locator(`[id="${described}"]`), `${name}, within step ${n}, ${host} ${ref}`).toHaveText(expected);

  // and its rules list says the same, rule by rule
  await box.click();
  const list = page.getByRole('region', { name: `Rules of ${ref}`, exact: true });
  for (const r of rules) {
    const c = get(sofar, key(host, table, chain, r.num));
    await expect(list.locator(`[data-rule="${r.num}"] > span:last-child`), `${name}, within step ${n}, ${host} ${ref} rule ${r.num}`).toHaveText(`${c.packets} · ${bytesText(c.bytes)}`);
  }
}

test.describe('chain counters are the kernel’s, as of the step', () => {
  test.describe.configure({ timeout: 180_000 });

  test('DNAT port forward (19): the router’s boxes and FORWARD/PREROUTING rules after the step, and halfway through it', async ({ page }) => {
    const { scenario, kernel } = oracle('19-dnat-port-forward');
    await load(page, scenario);
    await checkBoxes(page, scenario.name, kernel, scenario.hosts.map((h) => h.name));
    await checkRuleLists(page, scenario.name, kernel, 'router', ['filter FORWARD', 'nat PREROUTING', 'nat POSTROUTING']);
    await checkWithinStep(page, scenario.name, kernel, 'router', 'filter FORWARD', 1);
  });

  test('nested user chains (10): four traffic steps, jumps and drops counted step by step', async ({ page }) => {
    const { scenario, kernel } = oracle('10-nested-user-chains');
    await load(page, scenario);
    await checkBoxes(page, scenario.name, kernel, scenario.hosts.map((h) => h.name));
    await checkRuleLists(page, scenario.name, kernel, 'server', ['filter INPUT', 'filter OUTPUT']);
    await checkUserChains(page, scenario.name, kernel, 'server', ['filter LEVEL1', 'filter LEVEL2', 'filter LEVEL3']);
  });

  test('REJECT variants (02): the rejecting rules and the replies they cause, step by step', async ({ page }) => {
    const { scenario, kernel } = oracle('02-input-reject-variants');
    await load(page, scenario);
    await checkBoxes(page, scenario.name, kernel, scenario.hosts.map((h) => h.name));
    await checkRuleLists(page, scenario.name, kernel, 'server', ['filter INPUT', 'filter OUTPUT']);
    await checkRuleLists(page, scenario.name, kernel, 'client', ['filter INPUT']);
  });

  test('conntrack ESTABLISHED (11): replies counted by the ESTABLISHED rule, a NEW SYN dropped by the policy, and mid-connection counts', async ({ page }) => {
    const { scenario, kernel } = oracle('11-conntrack-established');
    await load(page, scenario);
    await checkBoxes(page, scenario.name, kernel, scenario.hosts.map((h) => h.name));
    await checkRuleLists(page, scenario.name, kernel, 'server', ['filter INPUT', 'nat PREROUTING', 'nat OUTPUT']);
    await checkWithinStep(page, scenario.name, kernel, 'server', 'filter INPUT', 2);
  });
});
