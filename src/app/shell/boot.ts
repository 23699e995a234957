// pattern: Imperative Shell
// Start-up: the stores hold the scenario saved in this browser (or the
// built-in one), the engine runs in a module worker, and the scenario's own
// steps are simulated at once so the first screen already shows a walk —
// unless the address bar holds a share link, whose scenario is shown instead,
// or the last visit never finished walking it (see walk-guard.ts).
// Every scenario change is saved again shortly after it happens
// (state/persistence.ts: IndexedDB, else localStorage, with the last few
// versions); opening the saved scenario is why start-up waits a moment.

import { BUILT_IN } from '../../scenarios/built-in';
import { createStores } from '../state/walk-store';
import { startPersistence } from '../state/persistence';
import { keepLesson } from '../state/lesson-keep';
import { refreshCase, replayChanges, serializeCase, unsavedChanges } from '../state/lab';
import type { KeyValueStore } from '../state/autosave';
import { initLang } from '../i18n/lang';
import { readHash } from '../share/hash';
import { startLinks } from '../share/links';
import type { AppDeps } from './context';
import { startEngine } from './engine';

function browserStorage(): KeyValueStore | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export async function boot(): Promise<AppDeps> {
  // the language first, so the very first paint already speaks it
  initLang(readHash(window.location.hash).lang);
  // the worker loads while the saved scenario is read; the crash guard reads what the last
  // visit left (a walk that never finished) before anything is walked
  const guard = startEngine(browserStorage());
  const client = guard.client;
  // edits a closed page left unsaved (its case behind its lab) are made again in the worker
  const restored = await startPersistence([BUILT_IN], (base, changes) => replayChanges(client, base, changes));
  const stores = createStores(restored.scenario ?? BUILT_IN);
  if (restored.notice) stores.scenario.setState({ notice: restored.notice });
  restored.attach(stores, {
    unsaved: () => unsavedChanges(stores, client),
    catchUp: () => refreshCase(stores, client),
    serialize: (scenario) => serializeCase(stores, client, scenario),
  });
  // the lesson open beside the saved scenario comes back with it
  keepLesson(stores, browserStorage());
  // a link in the address bar replaces the saved scenario; otherwise the saved one is simulated
  startLinks(stores, client);
  return { stores, client, guard };
}
