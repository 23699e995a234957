// pattern: Imperative Shell
// The e2e tests' window into the app: the walk log being shown, the playback
// index, and a way to load a whole case. Getters read the stores, so the
// values are current whenever a test reads them.

import type { WalkLog } from '../../engine/walk-log';
import { loadScenario, type SimStatus, type UiState } from '../state/walk-store';
import { langStore, type Lang } from '../i18n/lang';
import type { GalleryEntry } from '../../gallery';
import type { AppDeps } from './context';
import { setResponseProbeForTests, setWatchdogForTests } from './engine';

export interface TestHook {
  readonly log: WalkLog | null;
  readonly index: number;
  readonly status: SimStatus;
  readonly errors: string[];
  /** added for issue 6: the scenario object shown, the language, and the app's modes */
  readonly scenario: Record<string, unknown>;
  readonly lang: Lang;
  readonly ui: Readonly<UiState>;
  /** simulate a case object (oracle format) as the app's scenario; resolves when the answer is shown */
  load(caseObject: Record<string, unknown>): Promise<void>;
  /** added for issue 6: the gallery's entries (loads the gallery chunk), for tests that check its texts on screen */
  gallery(): Promise<{ entries: readonly GalleryEntry[]; todo: readonly { id: string; title: { en: string; zh: string } }[] }>;
  /** run a case in the worker without showing it: keeps the worker busy for responsiveness tests */
  simulateInBackground(caseObject: Record<string, unknown>): Promise<void>;
  /** the worker's watchdog for walks, in ms (null: the real budget), until the page reloads */
  watchdog(ms: number | null): void;
  /**
   * Added for issue 11 (bench:app): the bytes of walk data the page received
   * from the worker for the last walk, every message of that request (the
   * slices and the answer) counted as the UTF-8 length of its JSON — an
   * estimate of what the structured clone carried. Null before a walk
   * arrives. Sized only when asked, so the measuring is not in the timings.
   */
  walkTransferBytes(): number | null;
}

declare global {
  interface Window {
    __packetwalk?: TestHook;
  }
}

/** The messages of the last request whose answer carried a walk log (one request is in the worker at a time). */
function walkTransferProbe() {
  let pending: { id: unknown; messages: unknown[] } | null = null;
  let lastWalk: unknown[] | null = null;
  const carriesWalk = (m: unknown) => {
    const r = (m as { type?: unknown; result?: unknown }).type === 'success' ? (m as { result: unknown }).result : null;
    return typeof r === 'object' && r !== null && 'log' in r;
  };
  return {
    onMessage(m: unknown): void {
      const id = (m as { requestId?: unknown }).requestId;
      const into = pending !== null && pending.id === id ? pending : (pending = { id, messages: [] });
      into.messages.push(m);
      if (carriesWalk(m)) lastWalk = into.messages;
      // an answer ends its request: keep nothing of those that carried no walk
      if ((m as { type?: unknown }).type !== 'part') pending = null;
    },
    bytes(): number | null {
      if (!lastWalk) return null;
      const utf8 = new TextEncoder();
      return lastWalk.reduce<number>((n, m) => n + utf8.encode(JSON.stringify(m)).length, 0);
    },
  };
}

export function installTestHook({ stores, client }: AppDeps): void {
  const transfer = walkTransferProbe();
  setResponseProbeForTests(transfer.onMessage);
  window.__packetwalk = {
    get log() {
      return stores.walk.getState().log;
    },
    get index() {
      return stores.playback.getState().index;
    },
    get status() {
      return stores.walk.getState().status;
    },
    get errors() {
      return stores.walk.getState().errors;
    },
    get scenario() {
      return stores.scenario.getState().scenario;
    },
    get lang() {
      return langStore.getState().lang;
    },
    get ui() {
      return stores.ui.getState();
    },
    load: (caseObject) => loadScenario(stores, client, caseObject),
    gallery: async () => {
      const g = await import('../../gallery');
      return { entries: g.GALLERY, todo: g.GALLERY_TODO };
    },
    simulateInBackground: async (caseObject) => {
      await client.simulate(caseObject);
    },
    watchdog: (ms) => setWatchdogForTests(ms),
    walkTransferBytes: () => transfer.bytes(),
  };
}
