// pattern: Imperative Shell
// `npm run bench:app [-- --json] [-- --no-build]`: how the built app responds
// in Debian's Chromium, measured, never asserted (a timed assertion broke CI
// on a loaded machine; the figures go into notes and reviews instead).
//
//   step paint, 10k rules: with 10,000 rules in the router's filter FORWARD
//     chain and the worker busy simulating that ruleset again and again, the
//     time from a click on Step forward to the second animation frame after
//     it (the frame the change is painted in has then been produced); the
//     median of 10 clicks, and how many clicks overlapped a simulation.
//   first walk: from navigation to the default scenario's walk on screen.
//   attacks: issue 10's inputs, each opened as a user would — a share link of
//     30 chains each jumping twice to the next, a link of a 3,000-deep chain
//     of jumps, a case file of 10,000 traffic steps imported: the time from
//     opening to the budget's message (or, for the deep chain, which the
//     kernel walks to its end, to the walk on screen) and the longest
//     main-thread task meanwhile (targets: 10 s, 200 ms).
//   large input: the main thread's long tasks (PerformanceObserver
//     'longtask') while 50,000 lines of kube-proxy iptables-save are pasted
//     into Import, imported, and while one of the 13,000 chains they create
//     is chosen in Configuration: the longest task and how many exceeded
//     200 ms (target: none).
//
// It builds with `vite build --mode e2e` into dist-e2e/ (unless --no-build), serves it with
// `vite preview` on a free port, and drives the page through its test hook.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { kubeProxyCase } from '../src/scenarios/kube-proxy';
import { encodeShare } from '../src/share/link';
import type { ShareCase } from '../src/share/schema';
import { deepChainCase, fanOutCase, manyStepsCase } from './robustness';
import type { TestHook } from '../src/app/shell/test-hook';

declare global {
  interface Window {
    __packetwalk?: TestHook;
  }
}

const RULES = 10_000;
const CHROMIUM = '/usr/bin/chromium';
const root = join(import.meta.dirname, '..');
const json = process.argv.includes('--json');
const log = (s: string) => {
  if (!json) console.log(s);
};

function bigCase(): Record<string, unknown> {
  const base = JSON.parse(readFileSync(join(root, 'src/scenarios/port-forward.json'), 'utf8')) as {
    hosts: { name: string; setup: unknown[] }[];
  } & Record<string, unknown>;
  const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]'];
  // None of these match the client's traffic, so every packet is checked against all of them.
  for (let i = 0; i < RULES; i++) {
    lines.push(`-A FORWARD -s 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32 -p tcp --dport ${1024 + (i % 60000)} -j DROP`);
  }
  lines.push(
    '-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A FORWARD -i eth0 -o eth1 -p tcp -d 192.168.1.100 --dport 80 -m conntrack --ctstate NEW -j ACCEPT',
    '-A FORWARD -i eth1 -o eth0 -j ACCEPT',
    'COMMIT',
    '',
  );
  const keep = (c: unknown) => typeof c !== 'string' || (!c.startsWith('iptables -A FORWARD') && !c.startsWith('iptables -P FORWARD'));
  const hosts = base.hosts.map((h) =>
    h.name !== 'router' ? h : { ...h, setup: [...h.setup.filter(keep), { 'iptables-restore': lines.join('\n'), noflush: true }] },
  );
  return { ...base, name: 'port-forward-10k', hosts, steps: [{ from: 'client', tcp: '203.0.113.1:8080' }] };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForServer(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`vite preview did not answer at ${url}`);
}

/** kube-proxy's nat table for this many Services: 15 lines and 4 chains each. */
function kubeSave(services: number): string {
  const node = (kubeProxyCase('iptables', services).hosts as { name: string; setup: unknown[] }[]).find((h) => h.name === 'node')!;
  const block = node.setup.find((c): c is { 'iptables-restore': string } => typeof c === 'object' && c !== null && 'iptables-restore' in c)!;
  return block['iptables-restore'];
}

interface LongTasks {
  /** the longest main-thread task, ms */
  max_ms: number;
  over_200ms: number;
  count: number;
}

/** Long tasks recorded by the observer the page was started with, since the last call. */
async function takeLongTasks(page: Page): Promise<LongTasks> {
  const d = await page.evaluate(() => {
    const w = window as unknown as { __longtasks: number[] };
    const got = w.__longtasks;
    w.__longtasks = [];
    return got;
  });
  return { max_ms: Math.round(Math.max(0, ...d)), over_200ms: d.filter((x) => x > 200).length, count: d.length };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  if (!process.argv.includes('--no-build')) {
    log('building (vite build)…');
    // --mode e2e: the benchmark drives the page through its test hook, which only that build has
    const b = spawnSync(join(root, 'node_modules/.bin/vite'), ['build', '--mode', 'e2e', '--outDir', 'dist-e2e', '--emptyOutDir', '--logLevel', 'warn'], { cwd: root, stdio: json ? 'ignore' : 'inherit' });
    if (b.status !== 0) throw new Error('vite build failed');
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), or run npm test once, which does`);
  const port = await freePort();
  const server = spawn(join(root, 'node_modules/.bin/vite'), ['preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--outDir', 'dist-e2e'], {
    cwd: root,
    stdio: 'ignore',
    detached: true,
  });
  const url = `http://127.0.0.1:${port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--disable-gpu', '--disable-quic'] }).catch((e: unknown) => {
    process.kill(-server.pid!, 'SIGTERM');
    throw e;
  });
  try {
    await waitForServer(url, 30_000);
    const page = await newPage(browser);
    const ready = () => readyOn(page);

    const t0 = Date.now();
    await page.goto(url);
    await ready();
    const firstWalkMs = Date.now() - t0;
    log(`first walk on screen: ${firstWalkMs} ms after navigation`);

    const attackTimes = await attacks(browser, url);
    for (const a of attackTimes) log(`${a.case}: ${a.outcome} after ${(a.ms / 1000).toFixed(1)} s; longest task ${a.longest_task_ms} ms, ${a.over_200ms} over 200 ms`);
    if (process.argv.includes('--attacks-only')) {
      if (json) console.log(JSON.stringify({ first_walk_ms: firstWalkMs, attacks: attackTimes }));
      return;
    }

    const c = bigCase();
    await page.evaluate((c) => window.__packetwalk!.load(c), c);
    await ready();
    const start = await page.evaluate(() =>
      window.__packetwalk!.log!.steps.findIndex((s) => s.kind === 'rule' && s.table === 'filter' && s.chain === 'FORWARD'),
    );
    if (start < 5) throw new Error('the 10k-rule walk has no filter FORWARD step');
    await page.getByRole('slider', { name: 'Step' }).fill(String(start - 5));
    await page.waitForTimeout(300);

    const paint = await page.evaluate(async (c) => {
      const hook = window.__packetwalk!;
      let busy = true;
      let runs = 0;
      let overlapped = 0;
      let inFlight = false;
      const loop = (async () => {
        while (busy) {
          inFlight = true;
          await hook.simulateInBackground(c);
          inFlight = false;
          runs++;
        }
      })();
      await new Promise((r) => setTimeout(r, 50));
      const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Step forward')!;
      const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
      const times: number[] = [];
      for (let k = 0; k < 10; k++) {
        const before = hook.index;
        const t = performance.now();
        button.click();
        await frame();
        await frame();
        times.push(performance.now() - t);
        if (hook.index !== before + 1) throw new Error(`step ${k} did not advance (${before} → ${hook.index})`);
        if (inFlight) overlapped++;
        await new Promise((r) => setTimeout(r, 30));
      }
      busy = false;
      await loop;
      return { times, runs, overlapped };
    }, c);
    const large = await largeInput(page, ready);
    const result = {
      ...large,
      attacks: attackTimes,
      first_walk_ms: firstWalkMs,
      step_paint_10k_median_ms: Number(median(paint.times).toFixed(1)),
      step_paint_10k_ms: paint.times.map((t) => Number(t.toFixed(1))),
      worker_simulations_during: paint.runs,
      steps_overlapping_a_simulation: paint.overlapped,
    };
    if (json) console.log(JSON.stringify(result));
    else {
      console.log(`step paint with ${RULES} FORWARD rules, worker busy: median ${result.step_paint_10k_median_ms} ms (target ≤ 50 ms)`);
      console.log(`  all: ${result.step_paint_10k_ms.join(', ')} ms; ${paint.overlapped}/10 clicks overlapped one of ${paint.runs} worker simulations`);
      const lt = (x: LongTasks) => `longest task ${x.max_ms} ms, ${x.over_200ms} over 200 ms (${x.count} long tasks)`;
      console.log(`paste ${large.paste_lines} lines into Import: ${lt(large.paste)}`);
      console.log(`import them (${(large.import_ms / 1000).toFixed(1)} s to the new walk): ${lt(large.import)}`);
      console.log(`choose one of ${large.nat_chains} nat chains in Configuration: ${lt(large.choose_chain)}`);
    }
  } finally {
    await browser.close();
    try {
      process.kill(-server.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

/** A page in a context of its own (its own saved scenario), recording its long tasks. */
async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  // tsx compiles this file with esbuild's keepNames, which wraps the functions handed to
  // page.evaluate in a __name(...) helper that exists only in Node; give the page a no-op one
  await page.addInitScript('globalThis.__name = (f) => f');
  await page.addInitScript(() => {
    const w = window as unknown as { __longtasks: number[] };
    w.__longtasks = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) w.__longtasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  return page;
}

const readyOn = (page: Page) =>
  page.waitForFunction(() => window.__packetwalk?.status === 'ready' && (window.__packetwalk.log?.steps.length ?? 0) > 0, null, { timeout: 60_000 });

interface AttackTiming {
  case: string;
  /** the budget's message, or the walk on screen */
  outcome: string;
  /** from opening the input to the outcome on screen */
  ms: number;
  longest_task_ms: number;
  over_200ms: number;
}

/** Issue 10's attack inputs, opened as a user would; what the page shows at the end is checked, its timing only measured. */
async function attacks(browser: Browser, url: string): Promise<AttackTiming[]> {
  const out: AttackTiming[] = [];
  let page: Page = undefined as unknown as Page;
  const stopShown = () => page.getByTestId('budget-stop').waitFor({ timeout: 120_000 });
  // each input in a fresh browser profile, so no saved scenario of the one before is walked
  const fresh = async () => {
    if (page !== undefined) await page.context().close();
    page = await newPage(browser);
    await page.goto(url);
    await readyOn(page);
    await page.waitForTimeout(500);
    await takeLongTasks(page);
  };
  const finish = async (name: string, t0: number, outcome: string) => {
    const ms = Date.now() - t0;
    await page.waitForTimeout(1000);
    const lt = await takeLongTasks(page);
    out.push({ case: name, outcome, ms, longest_task_ms: lt.max_ms, over_200ms: lt.over_200ms });
  };

  await fresh();
  let t0 = Date.now();
  await page.goto(`${url}#${encodeShare({ scenario: fanOutCase(30) as ShareCase })}`);
  await stopShown();
  await finish('link: 30 chains × 2 jumps', t0, (await page.getByTestId('budget-stop').locator('p').first().textContent()) ?? '');
  // the reader switches to Chinese with its 300,000 steps shown: every event row is worded again
  await takeLongTasks(page);
  t0 = Date.now();
  await page.getByLabel('Language').selectOption('zh');
  await page.getByTestId('budget-stop').getByText('模拟已停止').waitFor();
  await finish('  then switch to 简体中文', t0, (await page.getByTestId('budget-stop').locator('p').first().textContent()) ?? '');

  await fresh();
  t0 = Date.now();
  await page.goto(`${url}#${encodeShare({ scenario: deepChainCase(3000) as ShareCase })}`);
  await page.waitForFunction(() => window.__packetwalk?.scenario['name'] === 'attack' && window.__packetwalk.status === 'ready', null, { timeout: 120_000 });
  const deep = await page.evaluate(() => (window.__packetwalk!.log?.stopped ? 'stopped' : `walked to its end, ${window.__packetwalk!.log?.steps.length} steps`));
  await finish('link: 3,000-deep jump chain', t0, deep);

  await fresh();
  const imp = page.getByRole('region', { name: 'Import' });
  await imp.getByLabel('Choose a file').setInputFiles({ name: 'steps.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(manyStepsCase(10_000)), 'utf8') });
  await imp.getByRole('button', { name: 'Open this scenario' }).waitFor();
  await page.waitForTimeout(500);
  await takeLongTasks(page);
  t0 = Date.now();
  await imp.getByRole('button', { name: 'Open this scenario' }).click();
  await stopShown();
  await finish('case file: 10,000 traffic steps', t0, (await page.getByTestId('budget-stop').locator('p').first().textContent()) ?? '');
  await page.context().close();
  return out;
}

/**
 * Paste kube-proxy's 50,000-line nat table into Import as a user would (the
 * clipboard and Ctrl+V), import it into the router, then pick a chain among
 * the 13,000 it made; the long tasks of each part.
 */
async function largeInput(page: Page, ready: () => Promise<unknown>) {
  const services = 3340;
  const text = kubeSave(services);
  const lines = text.split('\n').length - 1;
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto(page.url().split('#')[0]!);
  await ready();
  const imp = page.getByRole('region', { name: 'Import' });
  await imp.getByLabel('Into host').selectOption('router');
  const box = imp.getByRole('textbox', { name: 'Text to import' });
  await box.focus();
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.waitForTimeout(500);
  await takeLongTasks(page);
  await page.keyboard.press('Control+V');
  await imp.getByText(/50,\d{3} lines/).first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1000);
  const paste = await takeLongTasks(page);

  const t0 = Date.now();
  await imp.getByRole('button', { name: 'Import', exact: true }).click();
  await imp.getByRole('status').filter({ hasText: 'Imported' }).waitFor({ timeout: 120_000 });
  await ready();
  const config = page.getByRole('region', { name: 'Configuration' });
  await config.getByLabel('iptables table', { exact: true }).selectOption('nat');
  const chain = config.getByLabel('iptables chain', { exact: true });
  await page.waitForFunction(() => {
    const el = [...document.querySelectorAll('label')].find((l) => l.textContent === 'iptables chain');
    const c = el ? document.getElementById(el.htmlFor) : null;
    return c instanceof HTMLSelectElement ? c.options.length > 1000 : c !== null && c.getAttribute('aria-expanded') !== null;
  }, null, { timeout: 120_000 });
  const importMs = Date.now() - t0;
  await page.waitForTimeout(1000);
  const imported = await takeLongTasks(page);

  // the four built-in nat chains, KUBE-MARK-MASQ, KUBE-POSTROUTING, KUBE-SERVICES, and a KUBE-SVC and three KUBE-SEP per Service
  const natChains = 7 + services * 4;
  if ((await chain.evaluate((el) => el.tagName)) === 'SELECT') {
    await chain.selectOption('KUBE-SERVICES');
  } else {
    await chain.fill('KUBE-SERVICES');
    await config.getByRole('option', { name: /^KUBE-SERVICES\b/ }).click();
  }
  await config.getByRole('list', { name: 'Rules of nat KUBE-SERVICES' }).waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1000);
  const choose = await takeLongTasks(page);
  return { paste_lines: lines, paste, import_ms: importMs, import: imported, nat_chains: natChains, choose_chain: choose };
}

await main();
