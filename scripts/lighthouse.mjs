#!/usr/bin/env node
// pattern: Imperative Shell
/**
 * `npm run lighthouse`: Lighthouse 12.8.2 (mobile preset, its default) with
 * Debian's Chromium against `vite preview` of the production build. Prints
 * `performance: 0.xx` and `accessibility: 0.xx`; exits non-zero when
 * performance < 0.95 or accessibility < 1.00. Builds first when dist/ is
 * missing or older than the sources, and always stops the server it started.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const HOST = '127.0.0.1';
const PORT = 4173;
const URL_ = `http://${HOST}:${PORT}/`;
const CHROME_FLAGS = '--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync';
const TARGETS = { performance: 0.95, accessibility: 1.0 };

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

  const lh = await run(
    bin('lighthouse'),
    [URL_, '--quiet', '--output=json', '--output-path=stdout', '--only-categories=performance,accessibility', `--chrome-flags=${CHROME_FLAGS}`],
    { capture: true, env: { CHROME_PATH: process.env.CHROME_PATH ?? '/usr/bin/chromium' } },
  );
  if (lh.code !== 0) throw new Error(`lighthouse exited with ${lh.code}${lh.error ? ` (${lh.error})` : ''}`);
  const report = JSON.parse(lh.out);
  for (const [id, target] of Object.entries(TARGETS)) {
    const score = report.categories[id]?.score;
    console.log(`${id}: ${typeof score === 'number' ? score.toFixed(2) : 'n/a'}`);
    if (typeof score !== 'number' || score < target) {
      exitCode = 1;
      console.error(`  below ${target.toFixed(2)}`);
      // Name what cost the points, so the fix can start from here.
      for (const ref of report.categories[id]?.auditRefs ?? []) {
        const audit = report.audits[ref.id];
        if (ref.weight > 0 && audit && audit.score !== null && audit.score < 1) {
          console.error(`  ${ref.id}: ${audit.score}${audit.displayValue ? ` (${audit.displayValue})` : ''}`);
        }
      }
    }
  }
  const m = (id) => report.audits[id]?.displayValue ?? 'n/a';
  console.log(`  FCP ${m('first-contentful-paint')}, LCP ${m('largest-contentful-paint')}, TBT ${m('total-blocking-time')}, CLS ${m('cumulative-layout-shift')}`);
} catch (e) {
  console.error(e.message);
  exitCode = 1;
} finally {
  stopServer();
}
process.exit(exitCode);
