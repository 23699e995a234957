// pattern: Imperative Shell
// The e2e tests' window into the app: the walk log being shown, the playback
// index, and a way to load a whole case. Getters read the stores, so the
// values are current whenever a test reads them.

import type { WalkLog } from '../../engine/walk-log';
import { loadScenario, type SimStatus } from '../state/walk-store';
import type { AppDeps } from './context';

export interface TestHook {
  readonly log: WalkLog | null;
  readonly index: number;
  readonly status: SimStatus;
  readonly errors: string[];
  /** simulate a case object (oracle format) as the app's scenario; resolves when the answer is shown */
  load(caseObject: Record<string, unknown>): Promise<void>;
  /** run a case in the worker without showing it: keeps the worker busy for responsiveness tests */
  simulateInBackground(caseObject: Record<string, unknown>): Promise<void>;
}

declare global {
  interface Window {
    __packetwalk?: TestHook;
  }
}

export function installTestHook({ stores, client }: AppDeps): void {
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
    load: (caseObject) => loadScenario(stores, client, caseObject),
    simulateInBackground: async (caseObject) => {
      await client.simulate(caseObject);
    },
  };
}
