// pattern: Imperative Shell
// The page's engine: a module worker behind the cancellable client (with its
// watchdog), wrapped by the crash guard. Each restart of the worker is told
// to the user through the guard's store.

import { budgetFor, createEngineClient } from '../../worker/client';
import type { KeyValueStore } from '../state/autosave';
import { guardWalks, noteRestart, type WalkGuard } from './walk-guard';

/** A fresh engine worker (the first one, and one after each restart). */
export function spawnEngineWorker(): Worker {
  return new Worker(new URL('../../worker/engine.worker.ts', import.meta.url), { type: 'module' });
}

let watchdogForTests: number | null = null;

/**
 * For the browser tests, through the test hook only: a watchdog of `ms` for
 * walks (null: the real budget), so that a walk of a second is a runaway
 * walk whatever the engine's own work budget allows.
 */
export function setWatchdogForTests(ms: number | null): void {
  watchdogForTests = ms;
}

let responseProbeForTests: ((message: unknown) => void) | null = null;

/** For the e2e build's test hook only: sees every message of the worker (bench:app sizes the walk's transfer with it). */
export function setResponseProbeForTests(probe: ((message: unknown) => void) | null): void {
  responseProbeForTests = probe;
}

export function startEngine(storage: KeyValueStore | null): WalkGuard {
  // the client restarts workers only once requests run, by then the guard exists
  const told: { guard?: WalkGuard } = {};
  const inner = createEngineClient(spawnEngineWorker, {
    budgetMs: (r) => (watchdogForTests !== null && r.type === 'send' ? watchdogForTests : budgetFor(r)),
    onRestart: (r) => told.guard && noteRestart(told.guard, r),
    // only the e2e build has the probe; elsewhere this is dead code, removed
    ...(import.meta.env.MODE === 'e2e' ? { onResponse: (m: unknown) => responseProbeForTests?.(m) } : {}),
  });
  told.guard = guardWalks(inner, storage);
  return told.guard;
}
