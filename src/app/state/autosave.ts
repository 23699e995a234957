// pattern: Functional Core
// The single-key save format earlier versions of the app wrote to
// localStorage (state/persistence.ts moves such a save into the vault; a
// file in that format still opens). What comes back is checked before use: a
// corrupt, foreign or older save is ignored with a message, never a crash.

import type { Case } from '../../engine/scenario/case';
import { checkCase } from '../../share/case-shape';

export const AUTOSAVE_KEY = 'packetwalk.scenario.v1';
const VERSION = 1;

/** The part of Storage used here (window.localStorage in the app). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type Restored = { scenario: Case; problem: null } | { scenario: null; problem: string | null };

/** A save's outer record, still unchecked: only its `version` and `scenario` are read. */
const isRecord = (v: unknown): v is { version?: unknown; scenario?: unknown } => typeof v === 'object' && v !== null && !Array.isArray(v);

export function encodeSave(scenario: Case, savedAt = new Date()): string {
  return JSON.stringify({ version: VERSION, savedAt: savedAt.toISOString(), scenario });
}

/** The scenario in a saved text; null scenario and null problem: nothing was saved. */
export function decodeSave(text: string | null): Restored {
  if (text === null) return { scenario: null, problem: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { scenario: null, problem: 'The scenario saved in this browser is not valid JSON; it was ignored.' };
  }
  if (!isRecord(parsed) || parsed.version !== VERSION) return { scenario: null, problem: 'The scenario saved in this browser is from another version of PacketWalk; it was ignored.' };
  const checked = checkCase(parsed.scenario);
  if (!checked.ok) return { scenario: null, problem: `The scenario saved in this browser is damaged (${checked.message}); it was ignored.` };
  return { scenario: checked.value, problem: null };
}
