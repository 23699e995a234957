// pattern: Imperative Shell
// Start-up: the stores hold the scenario saved in this browser (or the
// built-in one), the engine runs in a module worker, and the scenario's own
// steps are simulated at once so the first screen already shows a walk —
// unless the address bar holds a share link, whose scenario is shown instead,
// or the last visit never finished walking it (see walk-guard.ts).
// Every scenario change is saved again shortly after it happens.

import builtIn from '../../scenarios/port-forward.json';
import { createStores, type Stores } from '../state/walk-store';
import { loadSaved, save, type KeyValueStore } from '../state/autosave';
import { initLang } from '../i18n/lang';
import { readHash } from '../share/hash';
import { startLinks } from '../share/links';
import type { AppDeps } from './context';
import { startEngine } from './engine';

const SAVE_DELAY_MS = 400;

function browserStorage(): KeyValueStore | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** Save the scenario a moment after each change (a burst of edits is one write). */
function keepSaved(stores: Stores, storage: KeyValueStore | null): void {
  let timer: number | undefined;
  stores.scenario.subscribe((s, prev) => {
    if (s.scenario === prev.scenario) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      timer = undefined;
      const problem = save(storage, stores.scenario.getState().scenario);
      if (problem !== stores.scenario.getState().notice) stores.scenario.setState({ notice: problem });
    }, SAVE_DELAY_MS);
  });
  // a reload right after an edit must not lose it
  window.addEventListener('pagehide', () => {
    if (timer === undefined) return;
    window.clearTimeout(timer);
    save(storage, stores.scenario.getState().scenario);
  });
}

export function boot(): AppDeps {
  const storage = browserStorage();
  // the language first, so the very first paint already speaks it
  initLang(readHash(window.location.hash).lang);
  const restored = loadSaved(storage);
  const stores = createStores(restored.scenario ?? (builtIn as Record<string, unknown>));
  if (restored.problem) stores.scenario.setState({ notice: restored.problem });
  keepSaved(stores, storage);
  // the crash guard reads what the last visit left before anything is walked
  const guard = startEngine(storage);
  const client = guard.client;
  // a link in the address bar replaces the saved scenario; otherwise the saved one is simulated
  startLinks(stores, client);
  return { stores, client, guard };
}
