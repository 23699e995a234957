// pattern: Imperative Shell
// `npx tsx bench/edit-trace.ts [--scenario default|kube50k] [--port N] [--chrome-trace FILE]`:
// where the time of one rule edit goes, for working on issue 11's edit →
// paint figure. It drives the e2e build (dist-e2e, built by bench:app) as
// the benchmark does — rules appended to filter FORWARD by the Configuration
// form and by the Console — and prints, per edit, every message between page
// and worker (request type, when it was posted, when its answer came, how
// long the worker held it) and the marks of the page's side: the input
// event, the walk stored, the walk painted, and the load-independent counts
// of what came before the paint: the worker's answers, React's commits and
// the components they rendered. With --chrome-trace it also
// writes a Chrome trace of the edits (chrome://tracing, Perfetto).

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { defaultPlan, kube50kPlan } from './app-scenario';
import { actionToWalkPainted, countReactWork, newPage, readyOn } from './app-page';

const args = process.argv.slice(2);
const opt = (k: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
const scenario = opt('--scenario') ?? 'default';
const port = Number(opt('--port') ?? 4186);
const chromeTrace = opt('--chrome-trace');
const cpuProfile = opt('--cpu-profile');
const dist = opt('--dist') ?? 'dist-e2e';
const EDITS = Number(opt('--edits') ?? 8);
const root = join(import.meta.dirname, '..');

interface Msg {
  dir: 'req' | 'res';
  type: string;
  id: number;
  t: number;
}

async function main(): Promise<void> {
  const server = spawn('npx', ['vite', 'preview', '--outDir', dist, '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { cwd: root, stdio: 'ignore', detached: true });
  try {
    for (let until = Date.now() + 30_000; ; ) {
      const up = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false);
      if (up) break;
      if (Date.now() > until) throw new Error(`vite preview did not answer on port ${port}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
    const page = await newPage(browser);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.addInitScript(() => {
      const w = window as unknown as { __msgs: Msg[]; __types: Map<number, string> };
      w.__msgs = [];
      w.__types = new Map();
      const Real = window.Worker;
      window.Worker = class extends Real {
        constructor(url: string | URL, o?: WorkerOptions) {
          super(url, o);
          this.addEventListener('message', (e: MessageEvent) => {
            const d = e.data as { requestId: number };
            w.__msgs.push({ dir: 'res', type: w.__types.get(d.requestId) ?? '?', id: d.requestId, t: performance.now() });
          });
        }
        override postMessage(m: unknown, o?: unknown): void {
          const d = m as { type: string; requestId: number };
          w.__types.set(d.requestId, d.type);
          w.__msgs.push({ dir: 'req', type: d.type, id: d.requestId, t: performance.now() });
          super.postMessage(m, o as StructuredSerializeOptions);
        }
      };
    });
    await countReactWork(page);
    await page.goto(`http://127.0.0.1:${port}/`);
    await readyOn(page);
    const plan = scenario === 'kube50k' ? kube50kPlan() : defaultPlan(root);
    if (scenario === 'kube50k') {
      const imp = page.getByRole('region', { name: 'Import' });
      await imp.getByLabel('Into host').selectOption('router');
      await imp.getByRole('textbox', { name: 'Text to import' }).focus();
      await page.evaluate((t) => navigator.clipboard.writeText(t), plan.importText);
      await page.keyboard.press('Control+V');
      await page.waitForTimeout(3000);
      await actionToWalkPainted(page, { type: 'click' }, () => imp.getByRole('button', { name: 'Import', exact: true }).click(), 'import');
    }
    const config = page.getByRole('region', { name: 'Configuration' });
    const command = page.getByRole('region', { name: 'Console' }).getByRole('textbox', { name: 'Command' });
    const cdp = chromeTrace ? await page.context().newCDPSession(page) : null;
    const chunks: unknown[] = [];
    if (cdp) {
      cdp.on('Tracing.dataCollected', (e: { value: unknown[] }) => void chunks.push(...e.value));
      await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,blink.user_timing,toplevel,disabled-by-default-devtools.timeline.frame', transferMode: 'ReportEvents' });
    }
    const prof = cpuProfile ? await page.context().newCDPSession(page) : null;
    if (prof) {
      await prof.send('Profiler.enable');
      await prof.send('Profiler.setSamplingInterval', { interval: 200 });
      await prof.send('Profiler.start');
    }
    const totals = { commits: 0, rendered: 0, answered: 0 };
    for (let k = 0; k < EDITS; k++) {
      const source = `198.51.100.${k + 1}`;
      await page.waitForTimeout(300);
      const before = await page.evaluate(() => {
        const w = window as unknown as { __msgs: Msg[]; __work: { commits: number; rendered: Map<string, number>; tops: string[][]; at: number[]; counts: number[] } };
        w.__work = { commits: 0, rendered: new Map(), tops: [], at: [], counts: [] };
        return w.__msgs.length;
      });
      let ms: number;
      const byForm = k % 2 === 0;
      if (byForm) {
        const choose = async (label: string, value: string) => {
          const el = config.getByLabel(label, { exact: true });
          if ((await el.evaluate((e) => e.tagName)) === 'SELECT') await el.selectOption(value);
          else {
            await el.fill(value);
            await config.getByRole('option', { name: new RegExp(`^${value}\\b`) }).first().click();
          }
        };
        await choose('iptables table', 'filter');
        await choose('iptables chain', 'FORWARD');
        await config.getByLabel('Position').selectOption('append');
        await config.getByLabel('Source (-s)', { exact: true }).fill(source);
        await choose('Target', 'DROP');
        await config.locator('output').filter({ hasText: `iptables -A FORWARD -s ${source} -j DROP` }).waitFor({ timeout: 30_000 });
        ms = await actionToWalkPainted(page, { type: 'click' }, () => config.getByRole('button', { name: 'Add rule' }).click(), 'form');
      } else {
        await command.fill(`iptables -A FORWARD -s ${source}/32 -j DROP`);
        ms = await actionToWalkPainted(page, { type: 'keydown', key: 'Enter' }, () => command.press('Enter'), 'console');
      }
      await page.waitForTimeout(250);
      const { msgs, at, commitsAt, counts } = await page.evaluate((n) => {
        const w = window as unknown as { __msgs: Msg[]; __action: { at: number }; __work: { at: number[]; counts: number[] } };
        return { msgs: w.__msgs.slice(n), at: w.__action.at, commitsAt: w.__work.at, counts: w.__work.counts };
      }, before);
      // load-independent: what happened between the input and the end of the frame that shows the walk
      const inTime = commitsAt.filter((t) => t <= at + ms).length;
      const answered = msgs.filter((m) => m.dir === 'res' && m.t <= at + ms).length;
      totals.commits += inTime;
      totals.rendered += counts.slice(0, inTime).reduce((a, b) => a + b, 0);
      totals.answered += answered;
      console.log(`edit ${k + 1} by ${byForm ? 'form' : 'console'}: ${ms.toFixed(1)} ms to painted; before it: ${answered} answers from the worker, ${inTime} React commits rendering ${counts.slice(0, inTime).reduce((a, b) => a + b, 0)} components`);
      const open = new Map<number, Msg>();
      for (const m of msgs) {
        if (m.dir === 'req') open.set(m.id, m);
        else {
          const q = open.get(m.id);
          console.log(`   ${m.type.padEnd(10)} posted +${q ? (q.t - at).toFixed(1) : '?'} answered +${(m.t - at).toFixed(1)} (${q ? (m.t - q.t).toFixed(1) : '?'} ms)`);
          open.delete(m.id);
        }
      }
      for (const q of open.values()) console.log(`   ${q.type.padEnd(10)} posted +${(q.t - at).toFixed(1)} not answered yet`);
    }
    console.log(`per edit, before the walk's frame ended: ${(totals.answered / EDITS).toFixed(1)} worker answers, ${(totals.commits / EDITS).toFixed(1)} React commits, ${(totals.rendered / EDITS).toFixed(1)} components rendered`);
    if (prof && cpuProfile) {
      const { profile } = await prof.send('Profiler.stop');
      writeFileSync(cpuProfile, JSON.stringify(profile));
      console.log(`cpu profile: ${cpuProfile}`);
    }
    if (cdp && chromeTrace) {
      const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
      await cdp.send('Tracing.end');
      await done;
      writeFileSync(chromeTrace, JSON.stringify({ traceEvents: chunks }));
      console.log(`trace: ${chromeTrace}`);
    }
    await browser.close();
  } finally {
    if (server.pid) process.kill(-server.pid);
  }
}

await main();
