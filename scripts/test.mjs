#!/usr/bin/env node
// pattern: Imperative Shell
/**
 * `npm test`: the unit tests (vitest), then the browser tests (vite build --mode e2e +
 * Playwright against Debian's Chromium, with a Chinese font installed when fontconfig
 * has none), then one closing line
 * `tests: N passed, N failed, N skipped` summed over both, which CI reads.
 *
 * The counts come from the runners' JSON reports, not from their console
 * output, so colours, TTY detection and reporter changes cannot skew them.
 * A runner that could not run, or that exited non-zero without reporting a
 * failed test (a crash, an unhandled error, a file that failed to load),
 * counts as one failure: the closing line must never say "0 failed" for a
 * run that exits non-zero.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const reportsDir = join(root, 'reports');
const unitReport = join(reportsDir, 'unit.json');
const e2eReport = join(reportsDir, 'e2e.json');
const chromium = '/usr/bin/chromium';

const MINUTE = 60_000;

// Clean logs under CI=true with no TTY: vitest prints ANSI colours unless told not to.
const env = { ...process.env, NO_COLOR: '1' };
delete env.FORCE_COLOR;

/** Children run in their own process group so a timeout can end the whole tree. */
const running = new Set();

function run(command, args, { timeoutMs, extraEnv = {} }) {
  return new Promise((resolve) => {
    const childEnv = { ...env, ...extraEnv };
    // `undefined` in extraEnv removes a variable rather than setting it to "undefined".
    for (const [name, value] of Object.entries(extraEnv)) if (value === undefined) delete childEnv[name];
    const child = spawn(command, args, {
      cwd: root,
      env: childEnv,
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
    });
    running.add(child);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`\n${command} ${args.join(' ')}: no result after ${timeoutMs / MINUTE} min, stopping it`);
      killGroup(child, 'SIGTERM');
      setTimeout(() => killGroup(child, 'SIGKILL'), 10_000).unref();
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code: null, error: error.message, timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, timedOut });
    });
  });
}

function killGroup(child, signal) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of running) killGroup(child, signal);
    process.exit(130);
  });
}

function describeExit(result) {
  if (result.error !== undefined) return `could not start (${result.error})`;
  if (result.timedOut) return 'timed out';
  if (result.signal) return `was killed by ${result.signal}`;
  return `exited with code ${result.code}`;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function banner(title) {
  console.log(`\n=== ${title} ===`);
}

/** @returns {{ passed: number, failed: number, skipped: number, problems: string[] }} */
async function unitTests() {
  banner('unit tests: vitest');
  const started = Date.now();
  const result = await run(
    bin('vitest'),
    ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${unitReport}`],
    { timeoutMs: 10 * MINUTE },
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const report = readJson(unitReport);
  const problems = [];
  if (report === undefined) {
    problems.push(`vitest ${describeExit(result)} and wrote no report (${unitReport})`);
    return { passed: 0, failed: 1, skipped: 0, problems, seconds };
  }
  const files = Array.isArray(report.testResults) ? report.testResults : [];
  // A file that fails to import has status "failed" but no failed test in it.
  const brokenFiles = files.filter(
    (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((t) => t.status === 'failed'),
  );
  for (const file of brokenFiles) {
    problems.push(`${file.name}: could not run: ${String(file.message ?? '').split('\n')[0]}`);
  }
  const passed = report.numPassedTests ?? 0;
  let failed = (report.numFailedTests ?? 0) + brokenFiles.length;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  if (result.code !== 0 && failed === 0) {
    problems.push(`vitest ${describeExit(result)} though no test failed`);
    failed = 1;
  }
  return { passed, failed, skipped, problems, seconds };
}

async function ensureChromium() {
  if (existsSync(chromium)) return undefined;
  console.log(`chromium not found at ${chromium}: installing Debian's chromium with apt-get (needs root)`);
  const aptEnv = { DEBIAN_FRONTEND: 'noninteractive' };
  const update = await run('apt-get', ['update'], { timeoutMs: 5 * MINUTE, extraEnv: aptEnv });
  if (update.code !== 0) return `apt-get update ${describeExit(update)}`;
  const install = await run('apt-get', ['install', '-y', 'chromium'], {
    timeoutMs: 10 * MINUTE,
    extraEnv: aptEnv,
  });
  if (install.code !== 0) return `apt-get install chromium ${describeExit(install)}`;
  if (!existsSync(chromium)) return `apt-get installed chromium but ${chromium} is still missing`;
  return undefined;
}

/**
 * The families app.css names for Chinese on Linux are Noto Sans CJK SC
 * (Debian's fonts-noto-cjk) and WenQuanYi Micro Hei (fonts-wqy-microhei).
 * Without one, Chromium draws the Chinese UI as empty boxes and a screenshot
 * of it shows nothing real: when fontconfig knows no font for Chinese, one
 * is installed with apt-get (needs root), saying so. A font that cannot be
 * installed is a warning, not a failed run: the tests read text, not glyphs.
 */
function chineseFonts() {
  const r = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return r.stdout.trim();
}

async function ensureCjkFont() {
  const found = chineseFonts();
  if (found === null) {
    console.log('fc-list not found: cannot tell whether a Chinese font is installed; the Chinese UI may render as boxes');
    return;
  }
  if (found !== '') return;
  const aptEnv = { DEBIAN_FRONTEND: 'noninteractive' };
  for (const pkg of ['fonts-noto-cjk', 'fonts-wqy-microhei']) {
    console.log(`no Chinese font (fc-list :lang=zh is empty): installing Debian's ${pkg} with apt-get (needs root), so the Chinese UI renders with real glyphs`);
    let install = await run('apt-get', ['install', '-y', '--no-install-recommends', pkg], { timeoutMs: 10 * MINUTE, extraEnv: aptEnv });
    if (install.code !== 0) {
      // the package lists may be missing or stale (a fresh container)
      const update = await run('apt-get', ['update'], { timeoutMs: 5 * MINUTE, extraEnv: aptEnv });
      if (update.code === 0) install = await run('apt-get', ['install', '-y', '--no-install-recommends', pkg], { timeoutMs: 10 * MINUTE, extraEnv: aptEnv });
    }
    if (install.code === 0 && chineseFonts()) return;
    console.log(`apt-get install ${pkg} ${describeExit(install)}`);
  }
  console.log('warning: no Chinese font could be installed; screenshots of the Chinese UI will show boxes');
}

async function browserTests() {
  banner('browser tests: vite build + playwright');
  const started = Date.now();
  const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);
  const notRun = (problem) => ({ passed: 0, failed: 1, skipped: 0, problems: [problem], seconds: elapsed() });

  const chromiumProblem = await ensureChromium();
  if (chromiumProblem !== undefined) return notRun(`browser tests not run: ${chromiumProblem}`);
  await ensureCjkFont();

  // --mode e2e: the build with the tests' window.__packetwalk hook (a plain build refuses to contain it),
  // in its own folder so dist/ never holds it
  const build = await run(bin('vite'), ['build', '--mode', 'e2e', '--outDir', 'dist-e2e', '--emptyOutDir'], { timeoutMs: 5 * MINUTE });
  if (build.code !== 0) return notRun(`browser tests not run: vite build ${describeExit(build)}`);

  const result = await run(bin('playwright'), ['test', '--reporter=list,json'], {
    // a little above playwright.config.ts's globalTimeout, so Playwright reports first
    timeoutMs: 13 * MINUTE,
    // Playwright sets FORCE_COLOR for its web server, and Node warns when both are set;
    // without a TTY Playwright prints no colours anyway.
    extraEnv: { PLAYWRIGHT_JSON_OUTPUT_FILE: e2eReport, NO_COLOR: undefined },
  });
  const report = readJson(e2eReport);
  if (report === undefined) {
    return notRun(`playwright ${describeExit(result)} and wrote no report (${e2eReport})`);
  }
  const stats = report.stats ?? {};
  const problems = [];
  // A flaky test passed on a retry; a skipped one proved nothing.
  const passed = (stats.expected ?? 0) + (stats.flaky ?? 0);
  let failed = stats.unexpected ?? 0;
  const skipped = stats.skipped ?? 0;
  // Global errors (web server did not start, no tests found, config error) have no test to blame.
  for (const error of report.errors ?? []) {
    problems.push(`playwright: ${String(error.message ?? '').split('\n')[0]}`);
  }
  if (failed === 0 && (problems.length > 0 || result.code !== 0)) {
    if (problems.length === 0) problems.push(`playwright ${describeExit(result)} though no test failed`);
    failed = 1;
  }
  return { passed, failed, skipped, problems, seconds: elapsed() };
}

mkdirSync(reportsDir, { recursive: true });
// A stale report from an earlier run must never be counted as this run's.
rmSync(unitReport, { force: true });
rmSync(e2eReport, { force: true });

const unit = await unitTests();
const e2e = await browserTests();

banner('summary');
for (const [name, part] of [
  ['unit tests (vitest)', unit],
  ['browser tests (playwright)', e2e],
]) {
  console.log(`${name}: passed ${part.passed}, failed ${part.failed}, skipped ${part.skipped} (${part.seconds} s)`);
  for (const problem of part.problems) console.log(`  ${problem}`);
}
const passed = unit.passed + e2e.passed;
const failed = unit.failed + e2e.failed;
// Skipped tests proved nothing where they ran (no ../shared, say): the closing line says how many.
const skipped = unit.skipped + e2e.skipped;
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 ? 1 : 0;
