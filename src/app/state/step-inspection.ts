// pattern: Imperative Shell
// The page's side of step inspection (worker `inspect`, engine
// lab/inspect.ts): the packet at one step layer by layer and the host's
// tables as of it, fetched from the worker for the step on screen. Stepping
// with a held arrow key moves through dozens of steps a second, so a
// follower keeps one request per viewer: a step change supersedes the
// previous request (dropped unseen while it waits; a young running one is
// left to finish and its answer dropped, which is cheaper than the worker
// restart that aborting it would cost), and every answer is cached per
// walk and step, so stepping back is instant and asks nothing.

import type { EngineClient } from '../../worker/client';
import { isEngineFailure, type EngineFailureKind } from '../../worker/failure';
import type { StepInspection } from '../../worker/protocol';

/** A walk as the worker names it: the page's lab and walk ids (walk-store.ts `WalkState.walk`). */
export interface WalkRef {
  lab: number;
  walk: number;
}

/** What a viewer shows for its step; `walk` and `step` say which, since the answer may lag the step on screen. */
export type InspectionView =
  /** no walk, or no step (the index before the first) */
  | { status: 'idle' }
  | { status: 'loading'; walk: WalkRef; step: number }
  /** `inspection` null: the walk has no such step */
  | { status: 'ready'; walk: WalkRef; step: number; inspection: StepInspection | null }
  /** `gone`: the worker keeps the walk no longer (a newer walk replaced it) */
  | { status: 'failed'; walk: WalkRef; step: number; failure: EngineFailureKind };

/**
 * Answers already given, per walk and step, shared by every viewer of one
 * client. Bounded: an inspection holds the host's conntrack table, and a
 * long walk has hundreds of thousands of steps.
 */
export interface InspectionCache {
  get(walk: WalkRef, step: number): StepInspection | null | undefined;
  put(walk: WalkRef, step: number, inspection: StepInspection | null): void;
}

/** The cache keeps this many answers; the oldest asked for goes first. */
export const INSPECTION_CACHE_SIZE = 256;

export function createInspectionCache(limit = INSPECTION_CACHE_SIZE): InspectionCache {
  const entries = new Map<string, StepInspection | null>();
  const key = (w: WalkRef, step: number) => `${w.lab}:${w.walk}:${step}`;
  return {
    get(walk, step) {
      const k = key(walk, step);
      if (!entries.has(k)) return undefined;
      const v = entries.get(k)!;
      // a Map iterates in insertion order: put it back last, so the least recently asked goes first
      entries.delete(k);
      entries.set(k, v);
      return v;
    },
    put(walk, step, inspection) {
      const k = key(walk, step);
      entries.delete(k);
      entries.set(k, inspection);
      while (entries.size > limit) entries.delete(entries.keys().next().value!);
    },
  };
}

const caches = new WeakMap<EngineClient, InspectionCache>();

/** The cache of one client's answers (walk ids are the client's own, never reused). */
export function inspectionCacheOf(client: EngineClient): InspectionCache {
  let c = caches.get(client);
  if (!c) caches.set(client, (c = createInspectionCache()));
  return c;
}

export interface StepInspectionFollower {
  /** show this step of this walk (null, or a step below 0: nothing); a step already shown asks nothing */
  show(walk: WalkRef | null, step: number): void;
  /** the viewer is gone: no more views; an answer still on its way only fills the cache */
  stop(): void;
}

let followers = 0;

/**
 * One viewer's requests: `onView` hears the view of the latest step asked
 * for, never an older step's answer that arrives late.
 *
 * @example
 * const f = followStepInspection(client, inspectionCacheOf(client), setView);
 * f.show({ lab: 1, walk: 3 }, 17);
 */
export function followStepInspection(client: EngineClient, cache: InspectionCache, onView: (v: InspectionView) => void): StepInspectionFollower {
  // one supersede key per viewer: two panels on different steps must not cancel each other
  const supersede = `inspect ${++followers}`;
  let target: { walk: WalkRef; step: number } | null = null;
  let stopped = false;
  const isTarget = (walk: WalkRef, step: number) => !stopped && target !== null && target.walk.lab === walk.lab && target.walk.walk === walk.walk && target.step === step;

  return {
    show(walk, step) {
      if (stopped) return;
      if (walk === null || step < 0) {
        if (target === null) return;
        target = null;
        onView({ status: 'idle' });
        return;
      }
      if (isTarget(walk, step)) return;
      const at = { walk: { lab: walk.lab, walk: walk.walk }, step };
      target = at;
      const cached = cache.get(at.walk, step);
      if (cached !== undefined) {
        onView({ status: 'ready', ...at, inspection: cached });
        return;
      }
      onView({ status: 'loading', ...at });
      client.inspect(walk.lab, walk.walk, step, { supersede }).then(
        (inspection) => {
          cache.put(at.walk, step, inspection);
          if (isTarget(at.walk, step)) onView({ status: 'ready', ...at, inspection });
        },
        (e: unknown) => {
          // a newer step superseded it: that step's own view is on its way
          if (isEngineFailure(e) && e.kind === 'cancelled') return;
          if (isTarget(at.walk, step)) onView({ status: 'failed', ...at, failure: isEngineFailure(e) ? e.kind : 'internal' });
        },
      );
    },
    stop() {
      stopped = true;
      target = null;
    },
  };
}
