// pattern: Imperative Shell
// The app benchmark's further measurements (`npm run bench:app -- --extras`),
// from before issue 11's figures and from the tests that used to assert
// times: the first walk, a step's paint with 10,000 rules and the worker
// busy, issue 10's attack inputs (and a zip-bomb link), the long tasks of a
// 50,000-line paste, its import and the choice of one of its 13,000 chains,
// and the frames painted while the 5,668-line corpus dump imports.
// app.bench.ts's header defines each figure.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { kubeProxyCase } from '../src/scenarios/kube-proxy';
import { encodePayloadV1, encodeShare } from '../src/share/link';
import type { Case } from '../src/engine/scenario/case';
import { sharedPath } from '../src/test-support/shared-dir';
import { deepChainCase, fanOutCase, manyStepsCase } from './robustness';
import { median, newPage, readyOn, takeLongTasks, type LongTasks } from './app-page';

const RULES = 10_000;

function bigCase(root: string): Case {
  const base = JSON.parse(readFileSync(join(root, 'src/scenarios/port-forward.json'), 'utf8')) as Case;
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
    h.name !== 'router' ? h : { ...h, setup: [...(h.setup ?? []).filter(keep), { 'iptables-restore': lines.join('\n'), noflush: true }] },
  );
  return { ...base, name: 'port-forward-10k', hosts, steps: [{ from: 'client', tcp: '203.0.113.1:8080' }] };
}

/** kube-proxy's nat table for this many Services: 15 lines and 4 chains each. */
function kubeSave(services: number): string {
  const node = kubeProxyCase('iptables', services).hosts.find((h) => h.name === 'node')!;
  const block = (node.setup ?? []).find((c) => typeof c === 'object')!;
  if (typeof block === 'string') throw new Error('the node has no iptables-restore block');
  return block['iptables-restore'];
}

export interface AttackTiming {
  case: string;
  /** the budget's message, or the walk on screen */
  outcome: string;
  /** from opening the input to the outcome on screen */
  ms: number;
  longest_task_ms: number;
  over_200ms: number;
}

/** Issue 10's attack inputs, opened as a user would; what the page shows at the end is checked, its timing only measured. */
export async function attacks(browser: Browser, url: string): Promise<AttackTiming[]> {
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
  await page.goto(`${url}#${encodeShare({ scenario: fanOutCase(30) as Case })}`);
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
  await page.goto(`${url}#${encodeShare({ scenario: deepChainCase(3000) as Case })}`);
  await page.waitForFunction(() => window.__packetwalk?.scenario['name'] === 'attack' && window.__packetwalk.status === 'ready', null, { timeout: 120_000 });
  const deep = await page.evaluate(() => (window.__packetwalk!.log?.stopped ? 'stopped' : `walked to its end, ${window.__packetwalk!.log?.steps.length} steps`));
  await finish('link: 3,000-deep jump chain', t0, deep);

  // 64 MB of spaces deflate to ~64 KB: the decoder must stop at its 2 MB cap (src/share/link.test.ts checks that it does)
  const bombLink = `${url}#s=1.z.${encodePayloadV1(' '.repeat(64 * 1024 * 1024), 'z')}`;
  await fresh();
  t0 = Date.now();
  await page.goto(bombLink);
  const bomb = page.locator('[data-testid="link-error"][data-kind="too-large"]');
  await bomb.waitFor({ timeout: 120_000 });
  await finish('link: 64 MB zip bomb', t0, (await bomb.locator('p').first().textContent()) ?? 'too-large');

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
 * With 10,000 rules in the router's filter FORWARD chain and the worker busy
 * simulating that ruleset again and again: a click on Step forward to the
 * second animation frame after it, 10 clicks.
 */
async function stepPaint10k(page: Page, root: string) {
  const c = bigCase(root);
  await page.evaluate((c) => window.__packetwalk!.load(c), c);
  await readyOn(page);
  const start = await page.evaluate(() => window.__packetwalk!.log!.steps.findIndex((s) => s.kind === 'rule' && s.table === 'filter' && s.chain === 'FORWARD'));
  if (start < 5) throw new Error('the 10k-rule walk has no filter FORWARD step');
  await page.getByRole('slider', { name: 'Step' }).fill(String(start - 5));
  await page.waitForTimeout(300);
  return page.evaluate(async (c) => {
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
}

/**
 * Paste kube-proxy's 50,000-line nat table into Import as a user would (the
 * clipboard and Ctrl+V), import it into the router, then pick a chain among
 * the 13,000 it made; the long tasks of each part.
 */
async function largeInput(page: Page) {
  const services = 3340;
  const text = kubeSave(services);
  const lines = text.split('\n').length - 1;
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto(page.url().split('#')[0]!);
  await readyOn(page);
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
  await readyOn(page);
  const config = page.getByRole('region', { name: 'Configuration' });
  await config.getByLabel('iptables table', { exact: true }).selectOption('nat');
  const chain = config.getByLabel('iptables chain', { exact: true });
  await page.waitForFunction(
    () => {
      const el = [...document.querySelectorAll('label')].find((l) => l.textContent === 'iptables chain');
      const c = el ? document.getElementById(el.htmlFor) : null;
      return c instanceof HTMLSelectElement ? c.options.length > 1000 : c !== null && c.getAttribute('aria-expanded') !== null;
    },
    null,
    { timeout: 120_000 },
  );
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

/**
 * The 5,668-line corpus dump (netnetwork-tum-chair, with the censored MACs and
 * the refused --hitcount fixed) imported from a file: the gaps between the
 * animation frames painted from the click on Import to the new walk.
 */
async function corpusImportFrames(browser: Browser, url: string) {
  const file = sharedPath('corpus', 'iptables-save', 'netnetwork-tum-chair-2016-06-27.rules');
  if (!existsSync(file)) return null;
  const text = readFileSync(file, 'utf8').replaceAll('XX:XX:XX:XX:XX:XX', '02:00:00:00:00:01').replaceAll('--hitcount 41', '--hitcount 20');
  const page = await newPage(browser);
  try {
    await page.goto(url);
    await readyOn(page);
    const imp = page.getByRole('region', { name: 'Import' });
    await imp.getByLabel('Into host').selectOption('router');
    await imp.getByLabel('Choose a file').setInputFiles({ name: 'tum-chair-fixed.rules', mimeType: 'text/plain', buffer: Buffer.from(text) });
    await imp.getByText('5,668 lines ready').waitFor();
    await page.waitForTimeout(500);
    await page.evaluate(() => {
      const w = window as unknown as { __gaps: number[]; __last: number; __on: boolean; __before: unknown };
      w.__before = window.__packetwalk!.log;
      w.__gaps = [];
      w.__last = performance.now();
      w.__on = true;
      const tick = (t: number) => {
        w.__gaps.push(t - w.__last);
        w.__last = t;
        if (w.__on) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const t0 = Date.now();
    await imp.getByRole('button', { name: 'Import', exact: true }).click();
    await imp.getByRole('status').filter({ hasText: 'Imported 5,668 lines into router' }).waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => window.__packetwalk?.status === 'ready' && window.__packetwalk.log !== (window as unknown as { __before: unknown }).__before, null, { timeout: 120_000 });
    const ms = Date.now() - t0;
    const gaps = await page.evaluate(() => {
      const w = window as unknown as { __gaps: number[]; __on: boolean };
      w.__on = false;
      return w.__gaps;
    });
    return { import_ms: ms, frames: gaps.length, median_frame_ms: Number(median(gaps).toFixed(1)), longest_frame_ms: Math.round(Math.max(...gaps)) };
  } finally {
    await page.context().close();
  }
}

export async function extras(browser: Browser, url: string, root: string, opts: { attacksOnly: boolean; log: (s: string) => void }): Promise<Record<string, unknown>> {
  const { log } = opts;
  const page = await newPage(browser);
  try {
    const t0 = Date.now();
    await page.goto(url);
    await readyOn(page);
    const firstWalkMs = Date.now() - t0;
    log(`first walk on screen: ${firstWalkMs} ms after navigation`);

    const attackTimes = await attacks(browser, url);
    for (const a of attackTimes) log(`${a.case}: ${a.outcome} after ${(a.ms / 1000).toFixed(1)} s; longest task ${a.longest_task_ms} ms, ${a.over_200ms} over 200 ms`);
    if (opts.attacksOnly) return { first_walk_ms: firstWalkMs, attacks: attackTimes };

    const paint = await stepPaint10k(page, root);
    log(`step paint with ${RULES} FORWARD rules, worker busy: median ${median(paint.times).toFixed(1)} ms (target ≤ 50 ms)`);
    log(`  all: ${paint.times.map((t) => t.toFixed(1)).join(', ')} ms; ${paint.overlapped}/10 clicks overlapped one of ${paint.runs} worker simulations`);
    const large = await largeInput(page);
    const lt = (x: LongTasks) => `longest task ${x.max_ms} ms, ${x.over_200ms} over 200 ms (${x.count} long tasks)`;
    log(`paste ${large.paste_lines} lines into Import: ${lt(large.paste)}`);
    log(`import them (${(large.import_ms / 1000).toFixed(1)} s to the new walk): ${lt(large.import)}`);
    log(`choose one of ${large.nat_chains} nat chains in Configuration: ${lt(large.choose_chain)}`);
    const frames = await corpusImportFrames(browser, url);
    if (frames) log(`import the 5,668-line corpus dump: ${(frames.import_ms / 1000).toFixed(1)} s, ${frames.frames} frames, median frame ${frames.median_frame_ms} ms, longest ${frames.longest_frame_ms} ms (target: median < 50 ms)`);
    else log('import the 5,668-line corpus dump: skipped (shared corpus absent)');
    return {
      ...large,
      attacks: attackTimes,
      first_walk_ms: firstWalkMs,
      step_paint_10k_median_ms: Number(median(paint.times).toFixed(1)),
      step_paint_10k_ms: paint.times.map((t) => Number(t.toFixed(1))),
      worker_simulations_during: paint.runs,
      steps_overlapping_a_simulation: paint.overlapped,
      corpus_import_5668: frames,
    };
  } finally {
    await page.context().close();
  }
}
