// pattern: Imperative Shell
// The walk and step the panels show, one frame behind the flow graph. A
// step or a new walk is painted by the flow graph and the playback bar in
// the frame after the click (or the worker's answer); everything else on
// the page (step panels, topology, chain rules, event list, TRACE lines)
// follows once that frame is on screen. useDeferredValue alone did not
// hold them back: React starts the background render in a task of its own
// at once, and the browser ran it before rendering the frame, so the
// panels' work made the graph's frame late (issue 11: a step's frame and
// an edit's painted walk carried it). Here the panels' copy of the state
// is brought up to date in a task queued from the next animation frame,
// which runs when that frame's rendering is done; several changes before
// then are caught up at once, so a held arrow key renders the panels only
// for the step on screen. The walk, its id, the index and the view's
// choices change together, so a panel never pairs a new walk with an old
// step.

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { WalkLog } from '../../engine/walk-log';
import type { Stores, WalkState } from './walk-store';

export interface PaintedStep {
  log: WalkLog | null;
  walk: WalkState['walk'];
  index: number;
  /** the host chosen to be shown (view.host), null: follow the packet */
  host: string | null;
  /** the chain chosen in the flow graph (view.chain) */
  chain: string | null;
}

/** How long a hidden page (which paints no frames) waits before the panels catch up anyway. */
const HIDDEN_FALLBACK_MS = 100;

/**
 * Run `f` once the next frame has been rendered: in a task queued from that
 * frame's requestAnimationFrame callback (the rendering update follows the
 * callbacks, the queued task runs after it). Without animation frames (a
 * hidden page, no DOM), after a short timer.
 */
export function afterNextPaint(f: () => void): void {
  if (typeof requestAnimationFrame !== 'function' || typeof MessageChannel !== 'function') {
    setTimeout(f, 0);
    return;
  }
  let ran = false;
  const run = () => {
    if (ran) return;
    ran = true;
    clearTimeout(timer);
    f();
  };
  const timer = setTimeout(run, HIDDEN_FALLBACK_MS);
  requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      run();
    };
    ch.port2.postMessage(null);
  });
}

function current(stores: Stores): PaintedStep {
  const w = stores.walk.getState();
  const v = stores.view.getState();
  return { log: w.log, walk: w.walk, index: stores.playback.getState().index, host: v.host, chain: v.chain };
}

/**
 * A store that follows the walk, playback and view stores' shown step,
 * caught up by `schedule` (afterNextPaint in the page; tests run it by hand).
 */
export function createPaintedStore(stores: Stores, schedule: (f: () => void) => void = afterNextPaint): StoreApi<PaintedStep> {
  const store = createStore<PaintedStep>()(() => current(stores));
  let due = false;
  const catchUp = () => {
    due = false;
    const next = current(stores);
    const shown = store.getState();
    if (next.log !== shown.log || next.walk !== shown.walk || next.index !== shown.index || next.host !== shown.host || next.chain !== shown.chain) store.setState(next);
  };
  const later = () => {
    if (due) return;
    due = true;
    schedule(catchUp);
  };
  stores.walk.subscribe((s, p) => (s.log !== p.log || s.walk !== p.walk) && later());
  stores.playback.subscribe((s, p) => s.index !== p.index && later());
  stores.view.subscribe((s, p) => (s.host !== p.host || s.chain !== p.chain) && later());
  return store;
}

const painted = new WeakMap<Stores, StoreApi<PaintedStep>>();

/** The painted-step store of these stores, made on first use. */
export function paintedStore(stores: Stores): StoreApi<PaintedStep> {
  let s = painted.get(stores);
  if (!s) painted.set(stores, (s = createPaintedStore(stores)));
  return s;
}

export const selectPaintedLog = (s: PaintedStep) => s.log;
export const selectPaintedWalk = (s: PaintedStep) => s.walk;
export const selectPaintedIndex = (s: PaintedStep) => s.index;
export const selectPaintedHost = (s: PaintedStep) => s.host;
export const selectPaintedChain = (s: PaintedStep) => s.chain;
