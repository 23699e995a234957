// pattern: Imperative Shell
// The counters the console prints are the kernel's, as of the step on screen
// (e2e/counters.spec.ts checks the graph's boxes and the rule lists).
// Each gallery scenario is an oracle case whose kernel result records, per
// traffic step, the iptables counter deltas that step caused
// (shared/oracle/FORMAT.md §2.1 `counters`). At the last step of traffic
// step n the console's `iptables-save -c` (answered as of the step on
// screen) must show, for every rule and policy of every table it prints,
// the sum of the kernel's deltas of steps 1..n; and inside a step a rule
// counts only the packets that have passed it so far.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, type Page } from '@playwright/test';
import { waitForWalk } from './helpers';
import type { Case } from '../src/engine/scenario/case';

const ORACLE = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'src', 'engine', '__fixtures__', 'oracle');
const GROUP = 4;
const GALLERY = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'src', 'gallery', 'scenarios');

interface KernelCounter {
  host: string;
  table: string;
  chain: string;
  rule: number | 'policy';
  packets: number;
  bytes: number;
}

/** The gallery scenarios that ran on the kernel, with each step's counter deltas. */
const CASES = readdirSync(GALLERY)
  .filter((f) => f.endsWith('.json') && readdirSync(ORACLE).includes(f.replace('.json', '.kernel.json')))
  .map((f) => ({
    scenario: JSON.parse(readFileSync(join(GALLERY, f), 'utf8')) as Case,
    steps: (JSON.parse(readFileSync(join(ORACLE, f.replace('.json', '.kernel.json')), 'utf8')) as { steps: { n: number; counters: KernelCounter[] }[] }).steps,
  }));

/** `iptables-save -c` as a map `table chain rule|policy` → `packets:bytes`, and the tables it printed. */
function parseSave(text: string): { counters: Map<string, string>; tables: Set<string> } {
  const counters = new Map<string, string>();
  const tables = new Set<string>();
  const numbers = new Map<string, number>();
  let table = '';
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^\*(\w+)/.exec(line))) tables.add((table = m[1]!));
    else if ((m = /^:(\S+) \S+ \[(\d+):(\d+)\]/.exec(line))) counters.set(`${table} ${m[1]} policy`, `${m[2]}:${m[3]}`);
    else if ((m = /^\[(\d+):(\d+)\] -A (\S+)/.exec(line))) {
      const chain = `${table} ${m[3]}`;
      const n = (numbers.get(chain) ?? 0) + 1;
      numbers.set(chain, n);
      counters.set(`${chain} ${n}`, `${m[1]}:${m[2]}`);
    }
  }
  return { counters, tables };
}

async function consoleRun(page: Page, host: string, text: string): Promise<string> {
  const region = page.getByRole('region', { name: 'Console' });
  await region.getByLabel('Console host').selectOption(host);
  const blocks = region.locator('pre[data-console-output]');
  // every answer ends with its "as of step N; nothing changed" line; an empty output (no table loaded) has no block
  const answers = region.getByText(/; nothing changed$/);
  const before = await blocks.count();
  const answered = await answers.count();
  const input = region.getByRole('textbox', { name: 'Command' });
  await input.fill(text);
  await input.press('Enter');
  await expect(answers).toHaveCount(answered + 1);
  return (await blocks.count()) > before ? ((await blocks.nth(before).textContent()) ?? '') : '';
}

/**
 * The same as consoleRun on each host in turn, done in the page: the host is
 * chosen in the console's select and the command typed into its input (as
 * input events, then Enter), and each answer is waited for a frame at a
 * time. One round trip for all the hosts rather than eight per host; typing
 * with real keys into the console is e2e/console.spec.ts's.
 */
async function consoleRunOnEach(page: Page, hosts: string[], text: string): Promise<string[]> {
  const region = page.getByRole('region', { name: 'Console' });
  const select = await region.getByLabel('Console host').elementHandle();
  const input = await region.getByRole('textbox', { name: 'Command' }).elementHandle();
  return region.evaluate(
    async (root, { select, input, hosts, text }) => {
      const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
      const until = async (ok: () => boolean, what: string) => {
        const end = performance.now() + 20_000;
        while (!ok()) {
          if (performance.now() > end) throw new Error(`the console never ${what}`);
          await frame();
        }
      };
      // a value set as the browser sets it when the user picks or types, so React sees the change
      const set = (el: HTMLInputElement | HTMLSelectElement, value: string, event: string) => {
        Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el) as object, 'value')!.set!.call(el, value);
        el.dispatchEvent(new Event(event, { bubbles: true }));
      };
      const blocks = () => root.querySelectorAll('pre[data-console-output]');
      const answers = () => [...root.querySelectorAll('*')].filter((e) => e.children.length === 0 && /; nothing changed$/.test(e.textContent ?? '')).length;
      const out: string[] = [];
      for (const host of hosts) {
        set(select as HTMLSelectElement, host, 'change');
        await until(() => (input as HTMLInputElement).closest('div')?.textContent?.includes(`root@${host}:~#`) ?? false, `showed ${host}'s prompt`);
        set(input as HTMLInputElement, text, 'input');
        await until(() => (input as HTMLInputElement).value === text, 'took the typed command');
        await frame();
        const before = blocks().length;
        const answered = answers();
        input!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
        await until(() => answers() === answered + 1, `answered ${text} on ${host}`);
        out.push(blocks().length > before ? (blocks()[before]!.textContent ?? '') : '');
      }
      return out;
    },
    { select, input, hosts, text },
  );
}

test.describe('console counters as of the step', () => {
  test('every gallery scenario the kernel ran is compared', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
  });

  // a few scenarios per test, in one page each: the groups run side by side
  for (let g = 0; g < CASES.length; g += GROUP) {
    const group = CASES.slice(g, g + GROUP);
    test(`${group.map((c) => c.scenario.name).join(', ')}: at the end of each traffic step, iptables-save -c shows the kernel’s counters summed up to that step`, async ({ page }) => {
    test.setTimeout(150_000);
    await page.goto('/');
    await waitForWalk(page);
    let compared = 0;
    // a scenario that never runs iptables loads no table in the engine (tables load on first use), so its console
    // prints none; the kernel's harness loaded them, so it recorded their policies' counters all the same
    const usesIptables = (c: (typeof CASES)[number]) => c.scenario.hosts.some((h) => JSON.stringify(h.setup ?? []).includes('iptables'));
    for (const c of group) {
      await page.evaluate((s) => window.__packetwalk!.load(s), c.scenario);
      await waitForWalk(page);
      const sum = new Map<string, [number, number]>();
      for (const step of c.steps) {
        for (const x of step.counters) {
          const key = `${x.host} ${x.table} ${x.chain} ${x.rule}`;
          const [p, b] = sum.get(key) ?? [0, 0];
          sum.set(key, [p + x.packets, b + x.bytes]);
        }
        const last = await page.evaluate((n) => window.__packetwalk!.log!.scenarioSteps[n - 1]!.lastStep, step.n);
        await page.evaluate((i) => window.__packetwalk!.stepTo(i), last);
        const hosts = c.scenario.hosts.map((h) => h.name);
        const saved = await consoleRunOnEach(page, hosts, 'iptables-save -c');
        for (const [k, host] of hosts.entries()) {
          const shown = parseSave(saved[k]!);
          const where = `${c.scenario.name} step ${step.n} ${host}`;
          if (!usesIptables(c)) expect([...shown.tables], `${where}: no table was ever loaded`).toEqual([]);
          const want = new Map<string, string>();
          for (const [key, [p, b]] of sum) {
            const [h, table, chain, rule] = key.split(' ') as [string, string, string, string];
            if (h !== host) continue;
            // a table with rules is loaded, so iptables-save prints it; a table never loaded has only policies
            if (rule !== 'policy') expect(shown.tables, `${where}: table ${table}`).toContain(table);
            if (shown.tables.has(table)) want.set(`${table} ${chain} ${rule}`, `${p}:${b}`);
          }
          for (const [key, v] of shown.counters) expect(v, `${where}: ${key}`).toBe(want.get(key) ?? '0:0');
          for (const key of want.keys()) expect(shown.counters.has(key), `${where}: ${key} listed`).toBe(true);
          compared += shown.counters.size;
        }
      }
    }
    const withRules = group.filter(usesIptables).length;
    if (withRules > 0) expect(compared).toBeGreaterThan(withRules * 4);
    else expect(compared).toBe(0);
  });
  }

  test('inside a step a rule counts only the packets that have passed it so far', async ({ page }) => {
    await page.goto('/');
    await waitForWalk(page);
    // the built-in port forward: the router's FORWARD rule 1 (ESTABLISHED,RELATED) is passed by every packet after the SYN
    const hits = await page.evaluate(() =>
      window.__packetwalk!.log!.steps.filter((s) => s.kind === 'rule' && s.host === 'router' && s.table === 'filter' && s.chain === 'FORWARD' && s.rulenum === 1).map((s) => s.i),
    );
    expect(hits.length).toBeGreaterThanOrEqual(3);
    const counted = async (index: number) => {
      await page.evaluate((i) => window.__packetwalk!.stepTo(i), index);
      const line = (await consoleRun(page, 'router', 'iptables -L FORWARD -v -x -n --line-numbers')).split('\n').find((l) => /^1\s/.test(l)) ?? '';
      return Number(line.split(/\s+/)[1]);
    };
    expect(await counted(hits[0]! - 1)).toBe(0);
    expect(await counted(hits[0]!)).toBe(1);
    expect(await counted(hits[2]! - 1)).toBe(2);
    expect(await counted(hits[2]!)).toBe(3);
  });
});
