#!/usr/bin/env node
// pattern: Imperative Shell
/**
 * `npm run lighthouse [-- --runs N] [--save DIR] [--port P]`: Lighthouse 12.8.2
 * (mobile preset, its default) with Debian's Chromium against `vite preview`
 * of the production build, N times (default 1). One run's score moves by a
 * few points with whatever else the machine is doing, so with N > 1 it prints
 * each run, then the median and the worst of every score and metric, with
 * the load average before and after (a note quoting them can tell a quiet
 * machine from a busy one). Exits non-zero when the median performance is
 * < 0.95 or the median accessibility < 1.00, naming what cost the points.
 * `--save DIR` keeps each run's JSON report (`lighthouse-K.json`) for its
 * diagnostics: render-blocking resources, main-thread work, the LCP element,
 * long tasks. Builds first when dist/ is missing or older than the sources,
 * and always stops the server it started.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const HOST = '127.0.0.1';
const CHROME_FLAGS = '--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync';
const TARGETS = { performance: 0.95, accessibility: 1.0 };
// Lighthouse's metric audits, in the order its report lists them; numericValue is ms (CLS: unitless).
const METRICS = [
  ['first-contentful-paint', 'FCP'],
  ['largest-contentful-paint', 'LCP'],
  ['total-blocking-time', 'TBT'],
  ['cumulative-layout-shift', 'CLS'],
  ['speed-index', 'SI'],
];

function option(name, fallback) {
  const k = process.argv.indexOf(name);
  if (k === -1) return fallback;
  const value = process.argv[k + 1];
  if (value === undefined || value.startsWith('--')) {
    console.error(`${name} needs a value`);
    process.exit(2);
  }
  return value;
}
const RUNS = Number(option('--runs', '1'));
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error('--runs takes a whole number ≥ 1');
  process.exit(2);
}
const SAVE = option('--save', null);
// 4173 is also where the browser tests start (or reuse) a preview server: on a shared machine pick another.
const PORT = Number(option('--port', '4173'));
const URL_ = `http://${HOST}:${PORT}/`;

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const showMetric = (id, v) => (id === 'cumulative-layout-shift' ? v.toFixed(3) : `${Math.round(v)} ms`);

/** One run's numbers: scores by category, metrics by audit id. */
function summarise(report) {
  const scores = Object.fromEntries(Object.keys(TARGETS).map((id) => [id, report.categories[id]?.score ?? NaN]));
  const metrics = Object.fromEntries(METRICS.map(([id]) => [id, report.audits[id]?.numericValue ?? NaN]));
  return { scores, metrics };
}

/** What cost a category its points in one report, as `audit: score (value)` lines. */
function losses(report, id) {
  const out = [];
  for (const ref of report.categories[id]?.auditRefs ?? []) {
    const audit = report.audits[ref.id];
    if (ref.weight > 0 && audit && audit.score !== null && audit.score < 1) {
      out.push(`  ${ref.id}: ${audit.score}${audit.displayValue ? ` (${audit.displayValue})` : ''}`);
    }
  }
  return out;
}

function newestMtime(path, depth = 0) {
  if (!existsSync(path) || depth > 12) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry), depth + 1));
  return newest;
}

function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', options.capture ? 'pipe' : 'inherit', 'inherit'], env: { ...process.env, ...options.env } });
    let out = '';
    if (options.capture) child.stdout.on('data', (d) => (out += d));
    child.on('error', (e) => resolve({ code: null, out, error: e.message }));
    child.on('close', (code) => resolve({ code, out }));
  });
}

function reachable() {
  return new Promise((resolve) => {
    const req = request(URL_, { method: 'GET', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

const builtAt = newestMtime(join(root, 'dist', 'index.html'));
const sourcesAt = Math.max(newestMtime(join(root, 'src')), newestMtime(join(root, 'index.html')), newestMtime(join(root, 'public')), newestMtime(join(root, 'vite.config.ts')));
if (builtAt < sourcesAt) {
  console.log(builtAt === 0 ? 'no build yet: running vite build' : 'dist/ is older than the sources: running vite build');
  const b = await run(bin('vite'), ['build']);
  if (b.code !== 0) {
    console.error('vite build failed');
    process.exit(1);
  }
}

if (await reachable()) {
  console.error(`something already answers on ${URL_}; stop it first so Lighthouse measures this build`);
  process.exit(1);
}

// Own process group, so stopping it also stops anything it started.
const server = spawn(bin('vite'), ['preview', '--host', HOST, '--port', String(PORT), '--strictPort'], { cwd: root, stdio: 'ignore', detached: true });
const stopServer = () => {
  try {
    process.kill(-server.pid, 'SIGTERM');
  } catch {
    // already gone
  }
};
process.on('SIGINT', () => {
  stopServer();
  process.exit(130);
});

let exitCode = 0;
try {
  let up = false;
  for (let k = 0; k < 100 && !up; k++) {
    up = await reachable();
    if (!up) await new Promise((r) => setTimeout(r, 100));
  }
  if (!up) throw new Error(`vite preview did not answer on ${URL_}`);
  if (SAVE !== null) mkdirSync(SAVE, { recursive: true });

  const runs = [];
  for (let k = 1; k <= RUNS; k++) {
    const before = loadavg();
    const lh = await run(
      bin('lighthouse'),
      [URL_, '--quiet', '--output=json', '--output-path=stdout', '--only-categories=performance,accessibility', `--chrome-flags=${CHROME_FLAGS}`],
      { capture: true, env: { CHROME_PATH: process.env.CHROME_PATH ?? '/usr/bin/chromium' } },
    );
    if (lh.code !== 0) throw new Error(`lighthouse exited with ${lh.code}${lh.error ? ` (${lh.error})` : ''}`);
    const report = JSON.parse(lh.out);
    if (SAVE !== null) writeFileSync(join(SAVE, `lighthouse-${k}.json`), lh.out);
    const one = { ...summarise(report), report, load: `${before} → ${loadavg()}` };
    runs.push(one);
    const scores = Object.entries(one.scores).map(([id, v]) => `${id} ${v.toFixed(2)}`).join(', ');
    const metrics = METRICS.map(([id, name]) => `${name} ${showMetric(id, one.metrics[id])}`).join(', ');
    console.log(`${RUNS > 1 ? `run ${k}/${RUNS}: ` : ''}${scores}; ${metrics}; load ${one.load}`);
  }

  // Higher scores are better, lower metrics are better: the worst is the min of one and the max of the other.
  const pick = (values, lowerIsBetter) => ({ median: median(values), worst: lowerIsBetter ? Math.max(...values) : Math.min(...values) });
  if (RUNS > 1) console.log(`over ${RUNS} runs (median / worst):`);
  const metricLine = METRICS.map(([id, name]) => {
    const m = pick(runs.map((r) => r.metrics[id]), true);
    return RUNS > 1 ? `${name} ${showMetric(id, m.median)} / ${showMetric(id, m.worst)}` : `${name} ${showMetric(id, m.median)}`;
  }).join(', ');
  console.log(metricLine);
  for (const [id, target] of Object.entries(TARGETS)) {
    const s = pick(runs.map((r) => r.scores[id]), false);
    console.log(RUNS > 1 ? `${id}: ${s.median.toFixed(2)} / ${s.worst.toFixed(2)}` : `${id}: ${s.median.toFixed(2)}`);
    if (!(s.median >= target)) {
      exitCode = 1;
      console.error(`  below ${target.toFixed(2)}`);
      // Name what cost the points in the run nearest the median, so the fix can start from there.
      const near = runs.reduce((a, b) => (Math.abs(b.scores[id] - s.median) < Math.abs(a.scores[id] - s.median) ? b : a));
      for (const line of losses(near.report, id)) console.error(line);
    }
  }
} catch (e) {
  console.error(e.message);
  exitCode = 1;
} finally {
  stopServer();
}
process.exit(exitCode);
