// pattern: Imperative Shell
// Start-up: the stores hold the built-in scenario, the engine runs in a
// module worker, and the scenario's own steps are simulated at once so the
// first screen already shows a walk.

import builtIn from '../../scenarios/port-forward.json';
import { createEngineClient } from '../../worker/client';
import { createStores, simulate } from '../state/walk-store';
import type { AppDeps } from './context';

export function boot(): AppDeps {
  const stores = createStores(builtIn as Record<string, unknown>);
  const worker = new Worker(new URL('../../worker/engine.worker.ts', import.meta.url), { type: 'module' });
  const client = createEngineClient(worker);
  void simulate(stores, client);
  return { stores, client };
}
