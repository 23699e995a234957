// pattern: Imperative Shell
// The stores and the worker client reach components through one context, so
// tests can render the app with their own stores and a fake engine.

import { createContext, useContext } from 'react';
import type { EngineClient } from '../../worker/client';
import type { Stores } from '../state/walk-store';
import type { WalkGuard } from './walk-guard';

export interface AppDeps {
  stores: Stores;
  client: EngineClient;
  /** the crash guard and the worker's restarts (absent in tests that bring their own engine) */
  guard?: WalkGuard;
}

export const DepsContext = createContext<AppDeps | null>(null);

export function useDeps(): AppDeps {
  const deps = useContext(DepsContext);
  if (deps === null) throw new Error('useDeps outside <App>');
  return deps;
}
