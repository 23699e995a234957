// pattern: Imperative Shell
// The crash guard's state (app/shell/walk-guard.ts): the traffic it holds
// back after a walk that never answered, and the worker's last restart for
// the notice. A store per guard, made here with the app's other stores.

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EngineRestart } from '../../worker/client';

export interface HeldWalk {
  /** the scenario's traffic steps, as JSON: another traffic (a packet sent) ends the hold */
  steps: string;
  total: number;
  /** how many of them are sent now */
  sent: number;
}

export interface GuardState {
  held: HeldWalk | null;
  /** the last time the worker was stopped and started again, for the notice */
  restart: EngineRestart | null;
}

export function createGuardStore(): StoreApi<GuardState> {
  return createStore<GuardState>()(() => ({ held: null, restart: null }));
}
