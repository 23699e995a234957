// pattern: Imperative Shell
// What the address bar's links (app/share/links.ts) remember between one
// event and the next, kept per app in a store like the rest of its state:
// which link's scenario is shown (so the hash keeps its s= only while that
// scenario is on screen), the replacement waiting for the user's choice,
// and the mirror's pending write to the address bar.

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Case } from '../../engine/scenario/case';
import type { ScenarioSource } from './walk-store';

export interface OpenOptions {
  step?: number | undefined;
  packet?: number | undefined;
  lang?: 'en' | 'zh' | undefined;
  from: ScenarioSource;
  /** a saved version brought back: written over that version rather than as a new one */
  adopt?: string | undefined;
  /** the user chose to drop unsaved changes that could not be kept aside */
  discard?: boolean | undefined;
  /** the s= of the link being opened */
  linkS?: string | undefined;
  /** the lesson a link names (format 2): shown beside its walk */
  lesson?: string | undefined;
}

export interface LinkState {
  /** the s= value of the link whose scenario is shown, and that scenario (by identity) */
  applied: { s: string; scenario: Case } | null;
  /** what waits for the user's choice after a refused replacement */
  pending: { scenario: Case; opts: OpenOptions } | null;
  /** the mirror's write to the address bar, due after a pause (a window timer id) */
  mirrorTimer: number | undefined;
}

export function createLinkStore(): StoreApi<LinkState> {
  return createStore<LinkState>()(() => ({ applied: null, pending: null, mirrorTimer: undefined }));
}
