// pattern: Imperative Shell
// What every part of the app benchmark does to a page: a fresh browser
// context, a recorder of the main thread's long tasks from the first script
// on, the time stamp of the user's input, and the end of the frame in which a
// new walk is painted (the flow graph's `data-walk-run`,
// src/app/shell/GraphArea.tsx).

import type { Browser, Page } from '@playwright/test';
import type { TestHook } from '../src/app/shell/test-hook';

declare global {
  interface Window {
    __packetwalk?: TestHook;
  }
}

/** The page-side instruments, installed before the app's own scripts run. */
interface Instruments {
  /** durations of the long tasks since the last takeLongTasks */
  __longtasks: number[];
  /** every long task: start and duration, ms (performance.now's clock) */
  __longtaskLog: { start: number; duration: number }[];
  /** the input the benchmark is about to give, and the event time stamp of it once the page saw it */
  __action: { armed: { type: 'click' | 'keydown'; key?: string } | null; at: number };
  /**
   * Run `f` in a task queued from a requestAnimationFrame callback: right
   * after that frame's rendering (style, layout, paint) is done, before any
   * task the page queued for after it.
   */
  __afterRender: (f: () => void) => void;
  /** the run id in the flow graph's data-walk-run, -1 before the first walk */
  __walkRun: () => number;
  /**
   * Resolves when the frame that shows the walk of a run after `after` has
   * been rendered, or with what the page said instead: a diagnostic or the
   * notice of a stopped engine.
   */
  __nextWalkPainted: (after: number) => Promise<number | { failed: string }>;
  __painted?: Promise<number | { failed: string }>;
}

/** A page in a context of its own (its own saved scenario), with the instruments installed. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  // tsx compiles this file with esbuild's keepNames, which wraps the functions handed to
  // page.evaluate in a __name(...) helper that exists only in Node; give the page a no-op one
  await page.addInitScript('globalThis.__name = (f) => f');
  await page.addInitScript(() => {
    const w = window as unknown as Instruments;
    w.__longtasks = [];
    w.__longtaskLog = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) {
        w.__longtasks.push(e.duration);
        w.__longtaskLog.push({ start: e.startTime, duration: e.duration });
      }
    }).observe({ type: 'longtask', buffered: true });

    w.__action = { armed: null, at: 0 };
    // capture at the window: the first listener of all, before the app's own handlers run
    for (const type of ['click', 'keydown'] as const) {
      window.addEventListener(
        type,
        (e) => {
          const armed = w.__action.armed;
          if (!armed || armed.type !== type || !e.isTrusted) return;
          if (armed.key !== undefined && (e as KeyboardEvent).key !== armed.key) return;
          w.__action = { armed: null, at: e.timeStamp };
        },
        true,
      );
    }

    w.__afterRender = (f) => {
      // user-blocking: ahead of the page's own tasks queued earlier for after the frame (its
      // panels catch up then, src/app/state/painted-step.ts), which are not the frame's work
      const s = (globalThis as unknown as { scheduler?: { postTask(f: () => void, o: { priority: string }): Promise<unknown> } }).scheduler;
      if (s) return void s.postTask(f, { priority: 'user-blocking' });
      const ch = new MessageChannel();
      ch.port1.onmessage = () => f();
      ch.port2.postMessage(null);
    };
    w.__walkRun = () => Number(document.querySelector('[data-walk-run]')?.getAttribute('data-walk-run') ?? -1);
    const FAILURE = '[data-testid="engine-restarted"], [data-testid="diagnostic-message"]';
    w.__nextWalkPainted = (after) =>
      new Promise((resolve) => {
        // The commit that draws the walk sets data-walk-run; the next animation frame is the one whose
        // rendering update paints that DOM. A task queued from its rAF callback runs once that update
        // (style, layout, paint) is done: that moment is the walk on screen. (Waiting for a second
        // animation frame instead added a whole frame, ~16.7 ms at 60 Hz, to every figure.)
        const painted = () => requestAnimationFrame(() => w.__afterRender(() => resolve(performance.now())));
        if (w.__walkRun() > after) return painted();
        const watch = new MutationObserver((records) => {
          for (const r of records)
            for (const n of r.addedNodes) {
              const failure = n instanceof Element ? (n.matches(FAILURE) ? n : n.querySelector(FAILURE)) : null;
              if (failure) {
                watch.disconnect();
                return resolve({ failed: failure.textContent ?? '' });
              }
            }
          if (w.__walkRun() <= after) return;
          watch.disconnect();
          painted();
        });
        watch.observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-walk-run'] });
      });
  });
  return page;
}

/**
 * Count React's commits and the components each rendered, in
 * `window.__work` (bench/step-work.ts, bench/edit-trace.ts). React reports
 * commits to `__REACT_DEVTOOLS_GLOBAL_HOOK__` in production builds too; the
 * hook installed here only counts them. A component rendered in a commit
 * when its fiber is new or did work (React's PerformedWork flag); subtrees
 * whose children React kept as they were are not visited.
 */
export async function countReactWork(page: Page): Promise<void> {
  await page.addInitScript(() => {
    interface Fiber {
      tag: number;
      type: unknown;
      elementType: unknown;
      flags: number;
      child: Fiber | null;
      sibling: Fiber | null;
      alternate: Fiber | null;
    }
    const w = window as unknown as { __work: { commits: number; rendered: Map<string, number>; tops: string[][]; at: number[]; counts: number[] } };
    w.__work = { commits: 0, rendered: new Map(), tops: [], at: [], counts: [] };
    let count = 0;
    let tops: string[] = [];
    const nameOf = (f: Fiber): string | null => {
      // function, class, forwardRef, memo, simple memo components
      if (![0, 1, 11, 14, 15].includes(f.tag)) return null;
      const t = (f.tag === 14 ? (f.elementType as { type?: unknown }).type ?? f.type : f.type) as { displayName?: string; name?: string; render?: { name?: string } } | null;
      if (!t) return '?';
      return t.displayName ?? t.name ?? t.render?.name ?? '?';
    };
    const visit = (f: Fiber | null, inRendered: boolean) => {
      for (let c = f; c; c = c.sibling) {
        const fresh = c.alternate === null;
        let rendered = inRendered;
        if (fresh || (c.flags & 1) === 1) {
          const n = nameOf(c);
          if (n !== null) {
            w.__work.rendered.set(n || '(anonymous)', (w.__work.rendered.get(n || '(anonymous)') ?? 0) + 1);
            count++;
            if (!inRendered) tops.push(n);
            rendered = true;
          }
        }
        // children React kept as they were did not render
        if (fresh || c.child !== c.alternate!.child) visit(c.child, rendered);
      }
    };
    (window as unknown as { __REACT_DEVTOOLS_GLOBAL_HOOK__: unknown }).__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
      supportsFiber: true,
      renderers: new Map(),
      inject: () => 1,
      checkDCE: () => undefined,
      onScheduleFiberRoot: () => undefined,
      onCommitFiberUnmount: () => undefined,
      onPostCommitFiberRoot: () => undefined,
      onCommitFiberRoot: (_id: number, root: { current: Fiber }) => {
        w.__work.commits++;
        w.__work.at.push(performance.now());
        tops = [];
        count = 0;
        const cur = root.current;
        if (cur.alternate === null || cur.child !== cur.alternate.child) visit(cur.child, false);
        w.__work.tops.push(tops);
        w.__work.counts.push(count);
      },
    };
  });
}

export const readyOn = (page: Page) =>
  page.waitForFunction(() => window.__packetwalk?.status === 'ready' && (window.__packetwalk.log?.steps.length ?? 0) > 0, null, { timeout: 120_000 });

export interface LongTasks {
  /** the longest main-thread task, ms */
  max_ms: number;
  over_200ms: number;
  count: number;
}

/** Long tasks recorded since the last call. */
export async function takeLongTasks(page: Page): Promise<LongTasks> {
  const d = await page.evaluate(() => {
    const w = window as unknown as Instruments;
    const got = w.__longtasks;
    w.__longtasks = [];
    return got;
  });
  return { max_ms: Math.round(Math.max(0, ...d)), over_200ms: d.filter((x) => x > 200).length, count: d.length };
}

/** Every long task since the page opened: [start, duration] on performance.now's clock. */
export function longTaskLog(page: Page): Promise<{ start: number; duration: number }[]> {
  return page.evaluate(() => (window as unknown as Instruments).__longtaskLog);
}

export const pageNow = (page: Page) => page.evaluate(() => performance.now());

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no new walk painted within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * Time one user action to the walk it causes: from the event's time stamp
 * (the trusted click or key the browser delivered) to the end of the
 * rendering of the frame that paints the commit in which the flow graph took
 * the new walk's run id, in ms.
 */
export async function actionToWalkPainted(page: Page, input: { type: 'click' | 'keydown'; key?: string }, act: () => Promise<void>, what: string): Promise<number> {
  await page.evaluate((input) => {
    const w = window as unknown as Instruments;
    w.__action = { armed: input, at: 0 };
    w.__painted = w.__nextWalkPainted(w.__walkRun());
  }, input);
  await act();
  const paintedAt = await within(
    page.evaluate(() => (window as unknown as Instruments).__painted!),
    300_000,
    what,
  );
  if (typeof paintedAt !== 'number') throw new Error(`${what}: no new walk; the page said: ${paintedAt.failed}`);
  const at = await page.evaluate(() => (window as unknown as Instruments).__action.at);
  if (at === 0) throw new Error(`${what}: the page never received the ${input.type}`);
  return paintedAt - at;
}

/** The nearest-rank percentile: the smallest sample with at least p of all samples at or below it. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) throw new Error('no samples');
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(p * s.length) - 1)]!;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
