// pattern: Imperative Shell
// `npx tsx bench/step-work.ts [--scenario default|kube50k] [--steps N] [--dist DIR] [--port N] [--cpu-profile FILE]`:
// what one step change costs the page, counted in work a loaded machine does
// not inflate, for working on issue 11's step-paint figure: the React commits
// a click on Step forward causes (until the page is quiet again, deferred
// renders included), the components each commit rendered, the DOM mutation
// records by kind and place, the layouts and style recalculations (CDP
// Performance metrics), and, from a CPU profile of the steps, the functions
// and components where the main thread's time went (`--callers f,g`: who
// calls those; `--under f`: the self time inside f). bench:app gives the
// wall-clock figure; this says why.
//
// The components are named only in a build whose names survive: build one
// with `npx vite build --mode e2e --outDir dist-prof --minify false` and pass
// `--dist dist-prof` (dist-e2e's minified names print as they are). React
// reports commits to `__REACT_DEVTOOLS_GLOBAL_HOOK__` in production builds
// too; the hook installed here only counts them. A component rendered in a
// commit when its fiber is new or did work (React's PerformedWork flag);
// subtrees whose children React kept as they were are not visited.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { defaultPlan, kube50kPlan } from './app-scenario';
import { countReactWork, newPage, readyOn } from './app-page';

const args = process.argv.slice(2);
const opt = (k: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
const scenario = opt('--scenario') ?? 'default';
const port = Number(opt('--port') ?? 4187);
const dist = opt('--dist') ?? 'dist-e2e';
const STEPS = Number(opt('--steps') ?? 20);
const cpuProfile = opt('--cpu-profile');
const root = join(import.meta.dirname, '..');

interface StepWork {
  commits: number;
  rendered: Record<string, number>;
  mutations: number;
  /** per commit: the outermost components it rendered */
  tops: string[];
  /** ms after the click: the click's handler done, the next frame's start, its rendering done, each commit */
  times: { handled: number; frame: number; done: number; commits: number[] };
  /** the commits before the end of the frame that paints the step, and the components they rendered */
  inFrame: { commits: number; rendered: number };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
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
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--disable-gpu'] });
    const page = await newPage(browser);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await countReactWork(page);
    await page.goto(`http://127.0.0.1:${port}/`);
    await readyOn(page);

    if (scenario === 'kube50k') {
      const plan = kube50kPlan();
      const imp = page.getByRole('region', { name: 'Import' });
      await imp.getByLabel('Into host').selectOption('router');
      await imp.getByRole('textbox', { name: 'Text to import' }).focus();
      await page.evaluate((t) => navigator.clipboard.writeText(t), plan.importText);
      await page.keyboard.press('Control+V');
      const lines = plan.importText.split('\n').length - (plan.importText.endsWith('\n') ? 1 : 0);
      await imp.getByText(`${lines.toLocaleString('en-US')} lines`).first().waitFor({ timeout: 120_000 });
      const run = await page.evaluate(() => Number(document.querySelector('[data-walk-run]')?.getAttribute('data-walk-run') ?? -1));
      await imp.getByRole('button', { name: 'Import', exact: true }).click();
      await page.waitForFunction((r) => Number(document.querySelector('[data-walk-run]')?.getAttribute('data-walk-run') ?? -1) > r, run, { timeout: 120_000 });
    }
    const send = scenario === 'kube50k' ? kube50kPlan().send : defaultPlan(root).send;
    await page.getByLabel('From host', { exact: true }).selectOption(send.from);
    await page.getByLabel('Kind', { exact: true }).selectOption('tcp');
    await page.getByLabel('Destination', { exact: true }).fill(send.dst);
    await page.getByLabel('Destination port', { exact: true }).fill(send.dport);
    const run = await page.evaluate(() => Number(document.querySelector('[data-walk-run]')?.getAttribute('data-walk-run') ?? -1));
    await page.getByRole('button', { name: 'Replace traffic' }).click();
    await page.waitForFunction((r) => Number(document.querySelector('[data-walk-run]')?.getAttribute('data-walk-run') ?? -1) > r && window.__packetwalk?.index === 0, run, { timeout: 120_000 });
    await page.waitForTimeout(1500);

    let mutationKinds: [string, number][] = [];
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
    const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const before = await metrics();
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
    const work = await page.evaluate(async (n) => {
      const w = window as unknown as { __work: { commits: number; rendered: Map<string, number>; tops: string[][]; at: number[]; counts: number[] } };
      const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim().startsWith('Step forward'));
      if (!button) throw new Error('no Step forward button');
      const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
      const out: StepWork[] = [];
      let mutations = 0;
      const kinds = new Map<string, number>();
      const where = (n: Node | null): string => {
        const parts: string[] = [];
        for (let e = n instanceof Element ? n : (n?.parentElement ?? null); e && parts.length < 60; e = e.parentElement) {
          const label = e.getAttribute('aria-label') ?? e.getAttribute('data-testid') ?? (e.tagName === 'SECTION' ? e.getAttribute('aria-labelledby') && document.getElementById(e.getAttribute('aria-labelledby')!)?.textContent : null);
          if (label) {
            parts.push(label.slice(0, 30));
            break;
          }
        }
        return parts.join(' < ') || '?';
      };
      new MutationObserver((rs) => {
        mutations += rs.length;
        for (const r of rs) {
          const k = `${r.type}${r.attributeName ? ` ${r.attributeName}` : ''} in ${where(r.target)}`;
          kinds.set(k, (kinds.get(k) ?? 0) + 1);
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      for (let k = 0; k < n; k++) {
        await frame();
        await new Promise((r) => setTimeout(r, 300));
        w.__work = { commits: 0, rendered: new Map(), tops: [], at: [], counts: [] };
        mutations = 0;
        const t = performance.now();
        button.click();
        const handled = performance.now();
        const f = await new Promise<{ start: number; done: number }>((r) =>
          // right after the frame's rendering, ahead of the page's own after-paint tasks (app-page.ts)
          requestAnimationFrame((start) => (window as unknown as { __afterRender: (f: () => void) => void }).__afterRender(() => r({ start, done: performance.now() }))),
        );
        await frame();
        // deferred renders and effects: until quiet
        await new Promise((r) => setTimeout(r, 400));
        await frame();
        const inFrame = w.__work.at.filter((a) => a <= f.done).length;
        out.push({ inFrame: { commits: inFrame, rendered: w.__work.counts.slice(0, inFrame).reduce((a, b) => a + b, 0) }, commits: w.__work.commits, rendered: Object.fromEntries(w.__work.rendered), mutations, tops: w.__work.tops.map((x) => x.join(', ')), times: { handled: handled - t, frame: f.start - t, done: f.done - t, commits: w.__work.at.map((a) => Math.round((a - t) * 10) / 10) } });
      }
      return { out, kinds: [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 25) };
    }, STEPS).then((r) => {
      mutationKinds = r.kinds;
      return r.out;
    });
    const after = await metrics();
    const { profile } = await cdp.send('Profiler.stop');
    if (cpuProfile) writeFileSync(cpuProfile, JSON.stringify(profile));

    const avg = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10;
    console.log(`${scenario}: ${STEPS} steps from the first (build: ${dist})`);
    const per = (k: string, scale = 1) => Math.round((((after[k] ?? 0) - (before[k] ?? 0)) * scale * 100) / STEPS) / 100;
    // ThreadTime: the main thread's CPU time, which other processes on a loaded machine do not inflate as they do wall-clock time
    console.log(`  main thread per step (CDP Performance metrics): CPU ${per('ThreadTime', 1000)} ms, script ${per('ScriptDuration', 1000)} ms, layouts ${per('LayoutCount')} (${per('LayoutDuration', 1000)} ms), style recalcs ${per('RecalcStyleCount')} (${per('RecalcStyleDuration', 1000)} ms), all tasks ${per('TaskDuration', 1000)} ms`);
    console.log(`  React commits per step: mean ${avg(work.map((s) => s.commits))}; per step: ${work.map((s) => s.commits).join(' ')}`);
    console.log(`  before the end of the frame that paints the step: React commits mean ${avg(work.map((s) => s.inFrame.commits))}, components rendered mean ${avg(work.map((s) => s.inFrame.rendered))}`);
    console.log(`  components rendered per step: mean ${avg(work.map((s) => Object.values(s.rendered).reduce((a, b) => a + b, 0)))}`);
    console.log(`  DOM mutation records per step: mean ${avg(work.map((s) => s.mutations))}; per step: ${work.map((s) => s.mutations).join(' ')}`);
    for (const s of work) console.log(`    handled ${s.times.handled.toFixed(1)}, frame ${s.times.frame.toFixed(1)}, rendered ${s.times.done.toFixed(1)}; commits at ${s.times.commits.join(' ')}`);
    for (const k of [2, 3]) if (work[k]) console.log(`  step ${k + 1}'s commits, outermost components rendered:\n${work[k]!.tops.map((t, i) => `    ${i + 1}. ${t}`).join('\n')}`);
    console.log('  DOM mutation records per step, by kind and where (the nearest labelled ancestor):');
    for (const [k, v] of mutationKinds) console.log(`    ${(v / STEPS).toFixed(2).padStart(7)}  ${k}`);
    const total = new Map<string, number>();
    for (const s of work) for (const [k, v] of Object.entries(s.rendered)) total.set(k, (total.get(k) ?? 0) + v);
    console.log('  renders per step by component:');
    for (const [k, v] of [...total].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`    ${(v / STEPS).toFixed(2).padStart(7)}  ${k}`);

    // self time by function, from the samples
    const nodes = new Map<number, ProfileNode>((profile.nodes as ProfileNode[]).map((n) => [n.id, n]));
    const self = new Map<string, number>();
    const dts = profile.timeDeltas ?? [];
    let busy = 0;
    (profile.samples ?? []).forEach((id, i) => {
      const n = nodes.get(id)!;
      const dt = (dts[i + 1] ?? 0) / 1000;
      const fn = n.callFrame.functionName || '(anonymous)';
      if (fn === '(idle)' || fn === '(program)') return;
      busy += dt;
      const key = `${fn} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
      self.set(key, (self.get(key) ?? 0) + dt);
    });
    console.log(`  main thread busy (CPU profile, not idle): ${Math.round(busy)} ms over ${STEPS} steps, ${Math.round(busy / STEPS)} ms per step (includes the harness's timers)`);
    for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`    ${v.toFixed(1).padStart(8)} ms  ${k}`);
    // inclusive time of the app's components (a name starting with a capital letter, outside React's own chunk) and of React's commit phase
    const inclusive = new Map<string, number>();
    {
      const par = new Map<number, number>();
      for (const n of profile.nodes as (ProfileNode & { children?: number[] })[]) for (const c of n.children ?? []) par.set(c, n.id);
      (profile.samples ?? []).forEach((id, i) => {
        const dt = (dts[i + 1] ?? 0) / 1000;
        const seen = new Set<string>();
        for (let p: number | undefined = id; p !== undefined; p = par.get(p)) {
          const cf = nodes.get(p)!.callFrame;
          const file = cf.url.split('/').pop() ?? '';
          const fn = cf.functionName;
          const key = /^[A-Z][A-Za-z0-9]+$/.test(fn) && !file.startsWith('react-') ? fn : fn === 'commitRoot' || fn === 'flushPassiveEffects' || fn === 'performWorkOnRoot' || fn === 'flushSyncWorkAcrossRoots_impl' ? `[react ${fn}]` : null;
          if (key && !seen.has(key)) {
            seen.add(key);
            inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
          }
        }
      });
    }
    for (const under of (opt('--under') ?? '').split(',').filter(Boolean)) {
      const par = new Map<number, number>();
      for (const n of profile.nodes as (ProfileNode & { children?: number[] })[]) for (const c of n.children ?? []) par.set(c, n.id);
      const by = new Map<string, number>();
      (profile.samples ?? []).forEach((id, i) => {
        let inside = false;
        for (let p: number | undefined = id; p !== undefined && !inside; p = par.get(p)) inside = nodes.get(p)!.callFrame.functionName === under;
        if (!inside) return;
        const n = nodes.get(id)!;
        const fr = par.get(id) !== undefined ? nodes.get(par.get(id)!)! : n;
        const key = `${n.callFrame.functionName || '(anonymous)'} < ${fr.callFrame.functionName} ${fr.callFrame.url.split('/').pop()}:${fr.callFrame.lineNumber + 1}`;
        by.set(key, (by.get(key) ?? 0) + (dts[i + 1] ?? 0) / 1000);
      });
      console.log(`  self time under ${under}, per step:`);
      for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`    ${(v / STEPS).toFixed(2).padStart(8)} ms  ${k}`);
    }
    console.log('  inclusive time per step (renders of the component and all below it, per render pass):');
    for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`    ${(v / STEPS).toFixed(2).padStart(8)} ms  ${k}`);
    // where the layout reads and the browser's own calls come from: their callers, by time
    const parent = new Map<number, number>();
    for (const n of profile.nodes as (ProfileNode & { children?: number[] })[]) for (const c of n.children ?? []) parent.set(c, n.id);
    const frameName = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
    for (const what of (opt('--callers') ?? 'getBoundingClientRect,replaceState').split(',')) {
      const stacks = new Map<string, number>();
      (profile.samples ?? []).forEach((id, i) => {
        const n = nodes.get(id)!;
        if (n.callFrame.functionName !== what) return;
        const chain: string[] = [];
        for (let p = parent.get(id); p !== undefined && chain.length < 6; p = parent.get(p)) chain.push(frameName(nodes.get(p)!));
        const key = chain.join(' < ');
        stacks.set(key, (stacks.get(key) ?? 0) + (dts[i + 1] ?? 0) / 1000);
      });
      console.log(`  ${what} called from:`);
      for (const [k, v] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 5)) console.log(`    ${v.toFixed(1).padStart(8)} ms  ${k}`);
    }
    await browser.close();
  } finally {
    try {
      process.kill(-server.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

await main();
