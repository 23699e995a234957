// pattern: Imperative Shell
// The reader's step granularity (event, chain, hook, host, packet) and the
// collapse choice, one store per set of page stores (not a module
// singleton). It lives with the other stores because more than the playback
// bar reads it: the address bar and share links carry it (`by=hook`,
// `collapse=1`), so a shared walk steps the way its author stepped it.

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Stores } from './walk-store';
import { GRANULARITIES, type StepOptions } from '../shell/stepping';

const optionStores = new WeakMap<Stores, StoreApi<StepOptions>>();

export const DEFAULT_STEP_OPTIONS: StepOptions = { granularity: 'event', collapse: false };

/** The step granularity and collapse choice of the page whose stores these are. */
export function stepOptions(stores: Stores): StoreApi<StepOptions> {
  let s = optionStores.get(stores);
  if (!s) optionStores.set(stores, (s = createStore<StepOptions>()(() => ({ ...DEFAULT_STEP_OPTIONS }))));
  return s;
}

export function setStepOptions(stores: Stores, change: Partial<StepOptions>): void {
  const now = stepOptions(stores).getState();
  if ((change.granularity ?? now.granularity) === now.granularity && (change.collapse ?? now.collapse) === now.collapse) return;
  stepOptions(stores).setState(change);
}

/** G and Shift+G: the next or previous granularity, round the list. */
export function cycleGranularity(stores: Stores, dir: 1 | -1): void {
  const g = stepOptions(stores).getState().granularity;
  const k = GRANULARITIES.indexOf(g);
  setStepOptions(stores, { granularity: GRANULARITIES[(k + dir + GRANULARITIES.length) % GRANULARITIES.length]! });
}
