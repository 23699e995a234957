// pattern: Imperative Shell
// The e2e tests' window into the app: the walk log being shown, the playback
// index, and a way to load a whole case. Getters read the stores, so the
// values are current whenever a test reads them.

import type { WalkLog } from '../../engine/walk-log';
import type { Case } from '../../engine/scenario/case';
import { checkCase } from '../../share/case-shape';
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
  readonly scenario: Case;
  readonly lang: Lang;
  readonly ui: Readonly<UiState>;
  /** simulate a case object (oracle format) as the app's scenario; resolves when the answer is shown */
  load(caseObject: Case): Promise<void>;
  /** added for issue 6: the gallery's entries (loads the gallery chunk), for tests that check its texts on screen */
  gallery(): Promise<{ entries: readonly GalleryEntry[]; todo: readonly { id: string; title: { en: string; zh: string } }[] }>;
  /** run a case in the worker without showing it: keeps the worker busy for responsiveness tests */
  simulateInBackground(caseObject: Case): Promise<void>;
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

/** The messages that carried the last walk: the send's answer and the pages of steps fetched after it. */
function walkTransferProbe() {
  let lastWalk: unknown[] | null = null;
  const resultOf = (m: unknown) => ((m as { type?: unknown }).type === 'success' ? (m as { result: unknown }).result : null);
  // a walk is the send's answer (result.log, its first page of steps) and the event pages asked for after it
  const carriesWalk = (m: unknown) => {
    const r = resultOf(m);
    return typeof r === 'object' && r !== null && 'log' in r;
  };
  const isEventPage = (m: unknown) => {
    const r = resultOf(m);
    return Array.isArray(r) && r.length > 0 && typeof r[0] === 'object' && r[0] !== null && 'kind' in r[0] && 'headers' in r[0];
  };
  return {
    onMessage(m: unknown): void {
      if (carriesWalk(m)) lastWalk = [m];
      else if (isEventPage(m) && lastWalk) lastWalk.push(m);
    },
    bytes(): number | null {
      if (!lastWalk) return null;
      const utf8 = new TextEncoder();
      return lastWalk.reduce<number>((n, m) => n + utf8.encode(JSON.stringify(m)).length, 0);
    },
  };
}

/** What a test hands over crossed a page boundary like any file: its shape is checked first. */
function checked(caseObject: Case): Case {
  const r = checkCase(caseObject);
  if (!r.ok) throw new Error(`not a case: ${r.message}`);
  return r.value;
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
    load: (caseObject) => loadScenario(stores, client, checked(caseObject)),
    gallery: async () => {
      const g = await import('../../gallery');
      return { entries: g.GALLERY, todo: g.GALLERY_TODO };
    },
    simulateInBackground: async (caseObject) => {
      const o = await client.open(checked(caseObject));
      if (!o.ok) return;
      await client.send(o.lab, null, false);
      await client.close(o.lab);
    },
    watchdog: (ms) => setWatchdogForTests(ms),
    walkTransferBytes: () => transfer.bytes(),
  };
}
