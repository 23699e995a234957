// pattern: Imperative Shell
// `npm run difftest -- --count N --seed S [--level walk|full] [options]`:
// generates N cases (src/difftest), runs each on this machine's real kernel
// (scripts/oracle-run, cached by content hash in .difftest/kernel) and on the
// engine, judges them with shared/oracle/compare at both levels, and prints
// the pass rates, the divergences grouped by first differing field, and the
// coverage of every feature. Divergences are then shrunk (one per class, or
// all) to small cases; --record writes those into the conformance fixtures.
//
// Options:
//   --from I            first case index (default 0)
//   --only I,J,...      just these case indices
//   --shrink class|all|none   what to minimise (default class)
//   --shrink-budget N   kernel+engine runs per minimisation (default 120)
//   --record            record minimised cases (twice on the kernel, byte-identical) as fixtures
//   --recheck           run the kernel again for divergent cases; a changed result marks the case
//                       as not reproducible (excluded from the rate, listed)
//   --no-kernel         use cached kernel results only (cases without one are skipped)
//   --json              print the report as JSON instead of tables

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { generateCase, caseKey } from '../src/difftest/generate';
import type { CaseJson } from '../src/difftest/case-json';
import { caseFeatures, featureUniverse, UNCOVERABLE } from '../src/difftest/coverage';
import { divergenceClass } from '../src/difftest/divergence';
import { shrink } from '../src/difftest/shrink';
import { withoutTimers } from '../src/difftest/condition';
import { pendingTimers } from '../src/engine/sim/pending-timers';
import { runCase } from '../src/engine/run-case';
import { notModelled } from '../src/engine/not-modelled';

const root = join(import.meta.dirname, '..');
const shared = process.env.PACKETWALK_SHARED ?? join(root, '..', 'shared');
const cacheDir = join(root, '.difftest');
const fixtures = join(root, 'src', 'engine', '__fixtures__', 'oracle');

// ------------------------------------------------------------------ arguments

const argv = process.argv.slice(2);
function opt(name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}
const flag = (name: string) => argv.includes(`--${name}`);
const count = Number(opt('count') ?? 100);
const seed = Number(opt('seed') ?? 1);
const level = (opt('level') ?? 'walk') as 'walk' | 'full';
const from = Number(opt('from') ?? 0);
const only = opt('only')?.split(',').map(Number);
const shrinkMode = (opt('shrink') ?? 'class') as 'class' | 'all' | 'none';
const shrinkBudget = Number(opt('shrink-budget') ?? 120);
const record = flag('record');
const recheck = flag('recheck');
const noKernel = flag('no-kernel');
const asJson = flag('json');
if (!['walk', 'full'].includes(level) || !Number.isFinite(count) || !Number.isFinite(seed)) {
  console.error('usage: npm run difftest -- --count N --seed S [--level walk|full] [--from I] [--only I,J] [--shrink class|all|none] [--record] [--recheck] [--no-kernel] [--json]');
  process.exit(2);
}
if (!existsSync(join(shared, 'oracle', 'run-case'))) {
  console.error(`difftest: ${shared}/oracle not found (set PACKETWALK_SHARED): the kernel oracle is needed`);
  process.exit(2);
}
for (const d of ['kernel', 'cases', 'engine', 'divergent', 'min']) mkdirSync(join(cacheDir, d), { recursive: true });

const log = (s: string) => {
  if (!asJson) process.stderr.write(`${s}\n`);
};

// ------------------------------------------------------------------ kernel

interface KernelRun {
  ok: boolean;
  path?: string;
  message?: string;
  ms: number;
  cached: boolean;
}

function hashOf(c: CaseJson): string {
  return createHash('sha256').update(caseKey(c)).digest('hex').slice(0, 20);
}

function runProcess(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: root });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => p.kill('SIGTERM'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

async function kernel(c: CaseJson, fresh = false): Promise<KernelRun> {
  const key = hashOf(c);
  const out = join(cacheDir, 'kernel', `${key}.kernel.json`);
  const refused = join(cacheDir, 'kernel', `${key}.refused.txt`);
  if (!fresh && existsSync(out)) return { ok: true, path: out, ms: 0, cached: true };
  if (!fresh && existsSync(refused)) return { ok: false, message: readFileSync(refused, 'utf8'), ms: 0, cached: true };
  if (noKernel) return { ok: false, message: 'no cached kernel result (--no-kernel)', ms: 0, cached: true };
  const file = join(cacheDir, 'cases', `${key}.json`);
  writeFileSync(file, JSON.stringify(c, null, 1));
  const t0 = Date.now();
  const r = await runProcess(join(root, 'scripts', 'oracle-run'), [file], 180_000);
  const ms = Date.now() - t0;
  if (r.code === 0 && r.stdout.trim().startsWith('{')) {
    const target = fresh ? join(cacheDir, 'kernel', `${key}.again.kernel.json`) : out;
    writeFileSync(target, r.stdout);
    return { ok: true, path: target, ms, cached: false };
  }
  const message = (r.stderr.trim() || `exit ${r.code}`).split('\n').slice(-3).join(' | ');
  // a case the harness refuses is a fact about the case, worth caching; a crash of the harness is not
  if (/setup command failed|CaseError|not allowed|invalid|agent failed/i.test(message) && !fresh) writeFileSync(refused, message);
  return { ok: false, message, ms, cached: false };
}

// ------------------------------------------------------------------ compare (shared/oracle/compare, one process)

class Judge {
  private p: ChildProcessWithoutNullStreams;
  private waiting: ((line: string) => void)[] = [];
  constructor() {
    this.p = spawn('python3', [join(root, 'scripts', 'compare-many.py')], { env: { ...process.env, PACKETWALK_SHARED: shared } });
    createInterface({ input: this.p.stdout }).on('line', (line) => this.waiting.shift()?.(line));
    this.p.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  }
  judge(kernelPath: string, enginePath: string): Promise<{ walk: string[]; full: string[] }> {
    return new Promise((resolve, reject) => {
      this.waiting.push((line) => {
        const r = JSON.parse(line) as { walk?: string[]; full?: string[]; error?: string };
        if (r.error) reject(new Error(r.error));
        else resolve({ walk: r.walk ?? [], full: r.full ?? [] });
      });
      this.p.stdin.write(`${JSON.stringify({ kernel: kernelPath, engine: enginePath, max: 8 })}\n`);
    });
  }
  close(): void {
    this.p.stdin.end();
  }
}

// ------------------------------------------------------------------ one case

interface Outcome {
  index: number;
  name: string;
  intent: string[];
  features: string[];
  status: 'judged' | 'kernel-refused' | 'both-refused' | 'engine-refused' | 'engine-crashed' | 'not-reproducible' | 'harness-failed' | 'skipped';
  walk: string[];
  full: string[];
  classWalk?: string;
  classFull?: string;
  kernelMs: number;
  engineMs: number;
  message?: string;
  /** the engine's "not modelled" findings for the case */
  labels?: string[];
}

function engine(c: CaseJson): { ok: true; result: unknown; ms: number; labels: string[] } | { ok: false; message: string; crashed: boolean; ms: number } {
  const t0 = performance.now();
  try {
    const r = runCase(c);
    const ms = performance.now() - t0;
    if (!r.ok) return { ok: false, message: r.errors.slice(0, 3).join(' | '), crashed: false, ms };
    // what the engine says it does not model in this case (the CLI's "not modelled: …" lines)
    const labels = [...new Set(notModelled(r.world.scenario, r.world).map((f) => f.subject))];
    return { ok: true, result: r.result, ms, labels };
  } catch (e) {
    return { ok: false, message: `${(e as Error).message}`.slice(0, 300), crashed: true, ms: performance.now() - t0 };
  }
}

async function judgeCase(judge: Judge, c: CaseJson, fresh = false): Promise<Omit<Outcome, 'index' | 'name' | 'intent' | 'features'>> {
  const k = await kernel(c, fresh);
  const e = engine(c);
  const base = { kernelMs: k.ms, engineMs: e.ms, walk: [] as string[], full: [] as string[] };
  if (!k.ok) {
    if (k.message?.startsWith('no cached kernel')) return { ...base, status: 'skipped', message: k.message };
    // the harness's own step program failed (e.g. its probe socket for a hand-made packet to a
    // destination without a route): the oracle has no result for this case, nothing to judge
    if (/agent failed|Traceback|Error: |AttributeError/.test(k.message ?? '') && !/setup command failed/.test(k.message ?? '')) return { ...base, status: 'harness-failed', message: k.message };
    if (!e.ok) return { ...base, status: 'both-refused', message: k.message };
    // the kernel refuses a setup the engine takes: a divergence of its own
    const d = [`.setup: kernel refused (${k.message}) != simulator accepted`];
    return { ...base, status: 'kernel-refused', walk: d, full: d, classWalk: 'setup: the engine accepts what the kernel refuses', classFull: 'setup: the engine accepts what the kernel refuses', message: k.message };
  }
  if (!e.ok) {
    const d = [`.setup: kernel accepted != simulator ${e.crashed ? 'crashed' : 'refused'} (${e.message})`];
    const cls = e.crashed ? `engine crashed: ${e.message.slice(0, 80)}` : 'setup: the engine refuses what the kernel runs';
    return { ...base, status: e.crashed ? 'engine-crashed' : 'engine-refused', walk: d, full: d, classWalk: cls, classFull: cls, message: e.message };
  }
  const enginePath = join(cacheDir, 'engine', `${hashOf(c)}.engine.json`);
  writeFileSync(enginePath, JSON.stringify(e.result));
  const d = await judge.judge(k.path!, enginePath);
  return { ...base, status: 'judged', walk: d.walk, full: d.full, classWalk: divergenceClass(d.walk), classFull: divergenceClass(d.full), labels: e.labels };
}

// ------------------------------------------------------------------ main

const t0 = Date.now();
const judge = new Judge();
const indices = only ?? Array.from({ length: count }, (_, i) => from + i);
const outcomes: Outcome[] = [];
const cases = new Map<number, CaseJson>();
let done = 0;
/**
 * A generated case, made deterministic where a kernel timer would send
 * something after its step (src/difftest/condition.ts): the engine's
 * pending timers name the hosts and interfaces.
 */
function conditionedCase(seed: number, index: number): ReturnType<typeof generateCase> {
  const g = generateCase(seed, index);
  try {
    const r = runCase(g.case);
    if (!r.ok) return g;
    return { ...g, case: withoutTimers(g.case, pendingTimers(r.world)) };
  } catch {
    return g;
  }
}

for (const index of indices) {
  const g = conditionedCase(seed, index);
  cases.set(index, g.case);
  const r = await judgeCase(judge, g.case);
  let o: Outcome = { index, name: g.case.name, intent: g.intent, features: [...caseFeatures(g.case)], ...r };
  const diverges = o.status !== 'both-refused' && o.status !== 'skipped' && (o.walk.length > 0 || o.full.length > 0);
  if (diverges && recheck && o.status === 'judged') {
    const again = await kernel(g.case, true);
    const first = JSON.parse(readFileSync(join(cacheDir, 'kernel', `${hashOf(g.case)}.kernel.json`), 'utf8')) as Record<string, unknown>;
    const second = again.ok ? (JSON.parse(readFileSync(again.path!, 'utf8')) as Record<string, unknown>) : null;
    if (!second || JSON.stringify({ ...first, case: '' }) !== JSON.stringify({ ...second, case: '' })) o = { ...o, status: 'not-reproducible' };
  }
  outcomes.push(o);
  if (diverges) writeFileSync(join(cacheDir, 'divergent', `${o.name}.json`), JSON.stringify(g.case, null, 1));
  done++;
  if (done % 10 === 0 || done === indices.length) {
    const judged = outcomes.filter((x) => x.status !== 'both-refused' && x.status !== 'skipped' && x.status !== 'not-reproducible');
    const okW = judged.filter((x) => x.walk.length === 0).length;
    const okF = judged.filter((x) => x.full.length === 0).length;
    log(`[${done}/${indices.length}] walk ${okW}/${judged.length}, full ${okF}/${judged.length} identical (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
}

// ------------------------------------------------------------------ report

const judged = outcomes.filter((o) => o.status !== 'both-refused' && o.status !== 'skipped' && o.status !== 'not-reproducible' && o.status !== 'harness-failed');
const pass = (o: Outcome, l: 'walk' | 'full') => (l === 'walk' ? o.walk : o.full).length === 0;
const rate = (l: 'walk' | 'full') => (judged.length ? (100 * judged.filter((o) => pass(o, l)).length) / judged.length : 0);
const classes = new Map<string, Outcome[]>();
for (const o of judged) {
  if (pass(o, level)) continue;
  const c = (level === 'walk' ? o.classWalk : o.classFull) ?? 'unknown';
  classes.set(c, [...(classes.get(c) ?? []), o]);
}
const universe = featureUniverse();
const coverage = new Map<string, { cases: number; passed: number }>();
for (const f of universe) coverage.set(f, { cases: 0, passed: 0 });
for (const o of judged) {
  for (const f of o.features) {
    const c = coverage.get(f) ?? { cases: 0, passed: 0 };
    c.cases++;
    if (pass(o, level)) c.passed++;
    coverage.set(f, c);
  }
}
const wallS = (Date.now() - t0) / 1000;
const kernelS = outcomes.reduce((s, o) => s + o.kernelMs, 0) / 1000;
const engineS = outcomes.reduce((s, o) => s + o.engineMs, 0) / 1000;
const report = {
  seed,
  count: indices.length,
  level,
  judged: judged.length,
  walk: { identical: judged.filter((o) => pass(o, 'walk')).length, rate: Number(rate('walk').toFixed(2)) },
  full: { identical: judged.filter((o) => pass(o, 'full')).length, rate: Number(rate('full').toFixed(2)) },
  excluded: {
    bothRefused: outcomes.filter((o) => o.status === 'both-refused').map((o) => `${o.name}: ${o.message}`),
    notReproducible: outcomes.filter((o) => o.status === 'not-reproducible').map((o) => o.name),
    harnessFailed: outcomes.filter((o) => o.status === 'harness-failed').map((o) => `${o.name}: ${(o.message ?? '').slice(-120)}`),
    skipped: outcomes.filter((o) => o.status === 'skipped').length,
  },
  // a divergence the engine announced ("not modelled: …") is labelled; one it did not is silent
  silent: {
    walk: judged.filter((o) => !pass(o, 'walk') && !(o.labels ?? []).length).length,
    full: judged.filter((o) => !pass(o, 'full') && !(o.labels ?? []).length).length,
  },
  silentCases: {
    walk: judged.filter((o) => !pass(o, 'walk') && !(o.labels ?? []).length).map((o) => `${o.name}: ${o.classWalk}`),
    full: judged.filter((o) => !pass(o, 'full') && !(o.labels ?? []).length).map((o) => `${o.name}: ${o.classFull}`),
  },
  labelledCases: judged.filter((o) => (o.labels ?? []).length).length,
  labelCounts: Object.fromEntries(
    [...judged.flatMap((o) => o.labels ?? []).reduce((m, l) => m.set(l, (m.get(l) ?? 0) + 1), new Map<string, number>())].sort((a, b) => b[1] - a[1]),
  ),
  divergences: [...classes.entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([cls, os]) => ({
      class: cls,
      cases: os.length,
      labelled: os.filter((o) => (o.labels ?? []).length).length,
      labels: [...new Set(os.flatMap((o) => o.labels ?? []))].slice(0, 4),
      examples: os.slice(0, 6).map((o) => o.name),
    })),
  coverage: [...coverage.entries()].map(([feature, c]) => ({ feature, ...c })),
  seconds: { wall: Number(wallS.toFixed(1)), kernel: Number(kernelS.toFixed(1)), engine: Number(engineS.toFixed(1)) },
  minimised: [] as { class: string; from: string; file: string; calls: number; steps: number; recorded?: string }[],
};

function printReport(): void {
  if (asJson) {
    console.log(JSON.stringify(report, null, 1));
    return;
  }
  const pct = (x: number) => `${x.toFixed(1)} %`;
  console.log(`\ndifftest seed ${seed}, ${indices.length} cases (${judged.length} judged), level ${level}`);
  console.log(`  walk: ${report.walk.identical}/${judged.length} identical (${pct(rate('walk'))})`);
  console.log(`  full: ${report.full.identical}/${judged.length} identical (${pct(rate('full'))})`);
  console.log(`  engine said "not modelled" in ${report.labelledCases} judged cases; divergences it did not announce: walk ${report.silent.walk}, full ${report.silent.full}`);
  if (report.labelledCases) console.log(`    labels: ${Object.entries(report.labelCounts).map(([l, n]) => `${l} ${n}`).join(', ')}`);
  if (report.excluded.bothRefused.length) console.log(`  refused by both kernel and engine (generator slips, not judged): ${report.excluded.bothRefused.length}`);
  if (report.excluded.harnessFailed.length) console.log(`  the oracle's harness could not run (not judged): ${report.excluded.harnessFailed.join('; ')}`);
  if (report.excluded.notReproducible.length) console.log(`  not reproducible on the kernel (not judged): ${report.excluded.notReproducible.join(', ')}`);
  console.log(`  time: ${wallS.toFixed(0)} s wall, kernel ${kernelS.toFixed(0)} s, engine ${engineS.toFixed(1)} s`);
  console.log(`\ndivergences at ${level}, by first differing field:`);
  if (!report.divergences.length) console.log('  none');
  for (const d of report.divergences) {
    console.log(`  ${String(d.cases).padStart(4)}  ${d.class}\n        e.g. ${d.examples.join(' ')}`);
    if (d.labelled) console.log(`        ${d.labelled} labelled not modelled: ${d.labels.join('; ')}`);
  }
  console.log(`\ncoverage at ${level} (cases containing the feature, identical among them):`);
  const rows = report.coverage.filter((c) => c.cases > 0).sort((a, b) => a.feature.localeCompare(b.feature));
  for (const c of rows) console.log(`  ${c.feature.padEnd(48)} ${String(c.cases).padStart(5)} ${String(c.passed).padStart(5)}  ${pct((100 * c.passed) / c.cases)}`);
  const missing = report.coverage.filter((c) => c.cases === 0 && !(c.feature in UNCOVERABLE)).map((c) => c.feature);
  console.log(`\nnot covered (the generator never produced them): ${missing.length ? missing.join(', ') : 'none'}`);
  console.log('not coverable on the oracle:');
  for (const [f, why] of Object.entries(UNCOVERABLE)) console.log(`  ${f}: ${why}`);
  if (report.minimised.length) {
    console.log('\nminimised:');
    for (const m of report.minimised) console.log(`  ${m.class}\n    ${m.from} → ${m.file} (${m.steps} cuts, ${m.calls} runs)${m.recorded ? `, recorded as ${m.recorded}` : ''}`);
  }
}

// ------------------------------------------------------------------ shrinking and recording

async function stillSame(c: CaseJson, cls: string): Promise<boolean> {
  const r = await judgeCase(judge, c);
  if (r.status === 'both-refused' || r.status === 'skipped') return false;
  const diffs = level === 'walk' ? r.walk : r.full;
  if (!diffs.length) return false;
  const got = (level === 'walk' ? r.classWalk : r.classFull) ?? '';
  return got === cls;
}

function slug(cls: string): string {
  const words = cls
    .replace(/kernel|engine|simulator|missing|packets_by_host|steps/g, ' ')
    .toLowerCase()
    .match(/[a-z0-9]+/g) ?? ['divergence'];
  return words.slice(-4).join('-').slice(0, 40);
}

async function recordFixture(c: CaseJson, name: string): Promise<string | null> {
  const named = { ...c, name };
  const file = join(cacheDir, 'min', `${name}.json`);
  writeFileSync(file, `${JSON.stringify(named, null, 1)}\n`);
  const a = await runProcess(join(root, 'scripts', 'oracle-run'), [file], 180_000);
  const b = await runProcess(join(root, 'scripts', 'oracle-run'), [file], 180_000);
  if (a.code !== 0 || b.code !== 0) {
    log(`  ${name}: the kernel refused the minimised case on recording`);
    return null;
  }
  if (a.stdout !== b.stdout) {
    log(`  ${name}: two kernel runs differ: not recorded (not reproducible)`);
    return null;
  }
  writeFileSync(join(fixtures, `${name}.json`), `${JSON.stringify(named, null, 1)}\n`);
  writeFileSync(join(fixtures, `${name}.kernel.json`), a.stdout);
  // a recorded case the engine does not match yet joins the list of known failures, with its class
  const knownPath = join(root, 'src', 'engine', 'conformance', 'known-failing.json');
  const known = JSON.parse(readFileSync(knownPath, 'utf8')) as Record<'walk' | 'full', Record<string, string>>;
  const e = engine(named);
  const kernelPath = join(fixtures, `${name}.kernel.json`);
  let diffs = { walk: ['engine refused'], full: ['engine refused'] };
  if (e.ok) {
    const p = join(cacheDir, 'engine', `${name}.engine.json`);
    writeFileSync(p, JSON.stringify(e.result));
    diffs = await judge.judge(kernelPath, p);
  }
  for (const l of ['walk', 'full'] as const) {
    if (diffs[l].length) known[l][name] = divergenceClass(diffs[l]);
  }
  writeFileSync(knownPath, `${JSON.stringify(known, null, 2)}\n`);
  return name;
}

if (shrinkMode !== 'none' && classes.size) {
  for (const [cls, os] of classes) {
    const targets = shrinkMode === 'all' ? os : [os.reduce((a, b) => (JSON.stringify(cases.get(a.index)).length <= JSON.stringify(cases.get(b.index)).length ? a : b))];
    for (const o of targets) {
      if (o.status !== 'judged' && o.status !== 'engine-refused' && o.status !== 'engine-crashed' && o.status !== 'kernel-refused') continue;
      log(`shrinking ${o.name} (${cls})`);
      const res = await shrink(cases.get(o.index)!, (c) => stillSame(c, cls), shrinkBudget);
      const file = join(cacheDir, 'min', `${o.name}.min.json`);
      writeFileSync(file, `${JSON.stringify({ ...res.case, description: `minimised from ${o.name}: ${cls}` }, null, 1)}\n`);
      const entry: (typeof report.minimised)[number] = { class: cls, from: o.name, file, calls: res.calls, steps: res.steps.length };
      if (record && o.status === 'judged') {
        const name = `${o.name}-${slug(cls)}`.replace(/-+$/, '');
        const rec = await recordFixture({ ...res.case, description: `Found by npm run difftest (seed ${seed}, case ${o.index}) and minimised: ${cls}` }, name);
        if (rec) entry.recorded = rec;
      }
      report.minimised.push(entry);
    }
  }
}

judge.close();
writeFileSync(join(cacheDir, `report-s${seed}-n${indices.length}-${level}.json`), JSON.stringify(report, null, 1));
printReport();
process.exitCode = 0;
