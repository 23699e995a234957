// pattern: Imperative Shell
// `npm run bench:app [-- --json] [-- --no-build] [-- --extras | --attacks-only] [-- --scenario NAME]`:
// how the built app responds in Debian's Chromium, measured, never asserted
// (timed assertions broke CI on a loaded machine; the figures go into notes
// and reviews instead).
//
// Issue 11's figures (the default run). `--json` prints exactly one line on
// stdout, `{"default": M, "kube50k": M}`; progress, the samples and the checks
// go to stderr. Each scenario runs in a fresh browser context on the default
// scenario (port-forward: client, router, web):
//   default  the router's own ruleset as iptables-save prints it (the engine's
//            export of the default scenario, 5 rules) is imported again;
//   kube50k  the router becomes a kube-proxy node: a generated iptables-save
//            dump of exactly 50,000 rules (src/scenarios/kube-proxy-dump.ts:
//            KUBE-SERVICES → KUBE-SVC-* with statistic → KUBE-SEP-* DNAT and
//            KUBE-MARK-MASQ, NodePorts via KUBE-NODEPORTS/KUBE-EXT-*,
//            KUBE-POSTROUTING MASQUERADE, filter KUBE-FORWARD etc., shaped like
//            the dumps in shared/corpus/iptables-save); its probed NodePort
//            30080 DNATs to the web server.
// M = {import_ms, edit_to_paint_ms {p50, p95}, send_to_first_step_ms {p50, p95},
//      step_paint_ms {p50, p95}, longest_task_ms, heap_mb, walk_transfer_bytes}:
//   import_ms         the dump is pasted (clipboard, Ctrl+V) into Import for
//                     host router; from the click on Import to the walk
//                     painted after it. Whether the progress bar
//                     (progress[aria-label="Import progress"]) was shown is
//                     checked and reported in the human output
//                     (progress_shown), not in the JSON line.
//   edit_to_paint_ms  20 rules appended to the router's filter FORWARD
//                     (-s 198.51.100.k/32 -j DROP), alternately by the
//                     Configuration form's rule builder (from the click on Add
//                     rule) and typed into the Console (from the Enter key),
//                     each to the walk painted after it.
//   send_to_first_step_ms  10 clicks on Replace traffic (the packet form:
//                     client, TCP connect to 203.0.113.1:8080, or :30080 for
//                     kube50k; only this packet, from empty state, as the
//                     earlier Send packet did), each to the walk painted at
//                     its first step.
//   step_paint_ms     30 clicks on Step forward from the last walk's first step
//                     (into nat KUBE-SERVICES for kube50k): the main-thread
//                     work each costs, the click's handling plus the rendering
//                     of the frame that paints it, without the wait for that
//                     frame — what a 60 Hz frame's 16 ms budget is about. The
//                     panels beside the graph (inspector, rules, events) follow
//                     once that frame is painted (src/app/state/painted-step.ts):
//                     the time from the click to the end of the frame after,
//                     which shows them (never under one frame), is in the human
//                     output; bench/step-work.ts gives their work.
//   longest_task_ms   the longest main-thread task (PerformanceObserver
//                     'longtask') from the paste to the last step; the browser
//                     reports only tasks over 50 ms, so 0 means none over 50.
//   heap_mb           the page's JS heap (main page only, not the worker): CDP
//                     Performance.getMetrics JSHeapUsedSize after a forced
//                     garbage collection (HeapProfiler.collectGarbage), MiB;
//                     the human output also gives it before the collection.
//   walk_transfer_bytes  the walk data the page received from the worker for
//                     the last send: every message of that request (the slices
//                     of the walk log and the answer), as the UTF-8 length of
//                     its JSON (an estimate of what the structured clone
//                     carried), counted by the e2e test hook's probe at the
//                     client's one entry point for messages
//                     (src/worker/client.ts onResponse).
// "Painted": the flow graph's frame takes the new walk's run id in
// data-walk-run in the commit that draws it; the next animation frame is the
// one whose rendering paints that commit, and the time is taken when that
// frame's rendering (style, layout, paint) is done: in a task queued from its
// requestAnimationFrame callback, which runs right after the rendering update
// (as step_paint_ms's frame below). Earlier versions took the time at
// the second animation frame after the commit, which added up to a whole frame
// (~16.7 ms at 60 Hz) of waiting after the paint into every figure. A user
// action's time is the event's own time stamp (a trusted click or keydown,
// seen first by a capturing listener on window). The user pauses 300 ms
// between actions (not measured). p50/p95 are nearest-rank percentiles.
// Targets (issue 11), at kube50k: edit and send p50 ≤ 150 ms, step paint p95
// ≤ 16 ms, no task over 50 ms, heap ≤ 300 MB, import ≤ 2 s with progress; at
// default, edit → paint ≤ 30 ms.
// `--scenario default|kube50k` runs only that one (the JSON line then has only
// its key: for working on it, not the issue's figures).
//
// The further measurements (`--extras`; `--attacks-only` for the attacks
// alone), with `--json` one JSON line of their own instead of the above:
//   first walk: from navigation to the default scenario's walk on screen.
//   attacks: issue 10's inputs, each opened as a user would — a share link of
//     30 chains each jumping twice to the next, a link of a 3,000-deep chain
//     of jumps, a link whose 64 KB of data inflate to 64 MB (the decoder's cap
//     stops it), a case file of 10,000 traffic steps imported: the time from
//     opening to the budget's message (for the deep chain, which the kernel
//     walks to its end, to the walk on screen; for the zip bomb, to the
//     link's error) and the longest main-thread task meanwhile (targets:
//     10 s, 200 ms).
//   step paint, 10k rules: with 10,000 rules in the router's filter FORWARD
//     chain and the worker busy simulating that ruleset again and again, the
//     time from a click on Step forward to the second animation frame after
//     it; the median of 10 clicks, and how many clicks overlapped a simulation
//     (target ≤ 50 ms; this was a timed e2e test).
//   large input: the main thread's long tasks while 50,000 lines of
//     kube-proxy's nat table (src/scenarios/kube-proxy.ts) are pasted into
//     Import, imported, and while one of the 13,000 chains they create is
//     chosen in Configuration: the longest task and how many exceeded 200 ms
//     (target: none).
//   corpus import: the 5,668-line netnetwork-tum-chair dump of
//     shared/corpus (when present) imported from a file: the gaps between
//     animation frames until the new walk (median target < 50 ms; this was a
//     timed e2e test).
//
// It builds with `vite build --mode e2e` into dist-e2e/ (unless --no-build, or
// `--dist DIR`, which serves an e2e build made elsewhere: for an A/B of two
// builds at the same load),
// serves it with `vite preview` on a free port, and drives the page through
// its test hook (src/app/shell/test-hook.ts).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { extras } from './app-extras';
import { defaultPlan, kube50kPlan, measureApp, type AppDetails, type AppFigures, type Plan } from './app-scenario';

const CHROMIUM = '/usr/bin/chromium';
const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const json = args.includes('--json');
const only = args.includes('--scenario') ? args[args.indexOf('--scenario') + 1] : undefined;
const dist = args.includes('--dist') ? args[args.indexOf('--dist') + 1]! : undefined;
/** the human output: stdout, or stderr when stdout carries the JSON line */
const say = (s: string) => (json ? console.error(s) : console.log(s));

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

/** Issue 11's targets: the figure compared, its limit, and how the limit reads. */
const TARGETS: Record<Plan['name'], Partial<Record<string, (m: AppFigures) => [number, number, string]>>> = {
  default: { edit: (m) => [m.edit_to_paint_ms.p50, 30, '≤ 30 ms p50'] },
  kube50k: {
    import: (m) => [m.import_ms, 2000, '≤ 2,000 ms with progress'],
    edit: (m) => [m.edit_to_paint_ms.p50, 150, '≤ 150 ms p50'],
    send: (m) => [m.send_to_first_step_ms.p50, 150, '≤ 150 ms p50'],
    step: (m) => [m.step_paint_ms.p95, 16, '≤ 16 ms p95'],
    task: (m) => [m.longest_task_ms, 50, '≤ 50 ms'],
    heap: (m) => [m.heap_mb, 300, '≤ 300 MB'],
  },
};

function report(name: Plan['name'], m: AppFigures, d: AppDetails): void {
  const target = (k: string) => {
    const t = TARGETS[name][k]?.(m);
    if (!t) return '';
    const met = t[0] <= t[1] && (k !== 'import' || d.progress_shown);
    return `   target ${t[2]}: ${met ? 'met' : 'missed'}`;
  };
  const pp = (x: { p50: number; p95: number }) => `p50 ${x.p50} ms, p95 ${x.p95} ms`;
  say(`${name}: ${d.rules.toLocaleString('en-US')} rules, ${d.lines.toLocaleString('en-US')} lines imported into router`);
  say(`  import → painted walk      ${m.import_ms} ms; progress bar shown: ${d.progress_shown ? 'yes' : 'no'}${target('import')}`);
  say(`    "${d.imported}"`);
  say(`  edit → painted walk        ${pp(m.edit_to_paint_ms)}${target('edit')}`);
  say(`    form:    ${d.edits_form_ms.join(', ')} ms`);
  say(`    console: ${d.edits_console_ms.join(', ')} ms`);
  say(`  send → first step painted  ${pp(m.send_to_first_step_ms)}${target('send')}`);
  say(`    ${d.sends_ms.join(', ')} ms; the walk has ${d.walk_steps.toLocaleString('en-US')} steps`);
  say(`  step paint (main-thread work) ${pp(m.step_paint_ms)}${target('step')}`);
  say(`    click to the end of the frame after it, which shows the panels too (includes the waits for the frames): ${pp(d.step_to_frame_ms)}`);
  say(`  longest main-thread task   ${m.longest_task_ms} ms${target('task')}`);
  say(`    ${d.phases.map((p) => `${p.phase}: ${p.longest_ms} ms (${p.long_tasks} long)`).join('; ')}`);
  say(`  JS heap after GC           ${m.heap_mb} MiB (before GC ${d.heap_before_gc_mb} MiB)${target('heap')}`);
  say(`  walk transfer, last send   ${m.walk_transfer_bytes.toLocaleString('en-US')} bytes`);
}

async function main(): Promise<void> {
  if (!args.includes('--no-build') && dist === undefined) {
    say('building (vite build --mode e2e)…');
    // --mode e2e: the benchmark drives the page through its test hook, which only that build has
    const b = spawnSync(join(root, 'node_modules/.bin/vite'), ['build', '--mode', 'e2e', '--outDir', 'dist-e2e', '--emptyOutDir', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', json ? 'ignore' : 'inherit', 'inherit'] });
    if (b.status !== 0) throw new Error('vite build failed');
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), or run npm test once, which does`);
  const port = await freePort();
  const server = spawn(join(root, 'node_modules/.bin/vite'), ['preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--outDir', dist ?? 'dist-e2e'], {
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
    if (args.includes('--extras') || args.includes('--attacks-only')) {
      const r = await extras(browser, url, root, { attacksOnly: args.includes('--attacks-only'), log: say });
      if (json) console.log(JSON.stringify(r));
      return;
    }
    const plans = [defaultPlan(root), kube50kPlan()].filter((p) => only === undefined || p.name === only);
    if (plans.length === 0) throw new Error(`--scenario ${only}: there are default and kube50k`);
    const out: Partial<Record<Plan['name'], AppFigures>> = {};
    for (const plan of plans) {
      const { figures, details } = await measureApp(browser, url, plan, say);
      out[plan.name] = figures;
      report(plan.name, figures, details);
    }
    console.log(JSON.stringify(out));
  } finally {
    await browser.close();
    try {
      process.kill(-server.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

await main();
