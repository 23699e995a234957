// pattern: Functional Core
// Opening a link or a gallery scenario replaces the scenario the app keeps in
// this browser. The user's own work is copied aside first, under its own key,
// so "Restore my previous work" can bring it back. A scenario that itself
// came from a link or the gallery and was not changed since is not "work":
// opening a second link must not push the real work out of the backup.

import { decodeSave, encodeSave, type KeyValueStore } from './autosave';

export const BACKUP_KEY = 'packetwalk.scenario.backup.v1';
/** fingerprint of the last scenario that came from outside (a link or the gallery) */
export const ORIGIN_KEY = 'packetwalk.scenario.origin.v1';

/** FNV-1a of the JSON text with its length: enough to tell "unchanged since opened". */
export function fingerprint(scenario: unknown): string {
  const text = JSON.stringify(scenario) ?? '';
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${text.length}:${h.toString(16)}`;
}

function get(storage: KeyValueStore | null, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function set(storage: KeyValueStore | null, key: string, value: string): boolean {
  try {
    storage?.setItem(key, value);
    return storage !== null;
  } catch {
    return false;
  }
}

/**
 * Keep `current` aside before `incoming` replaces it. Returns whether a
 * backup is there to restore afterwards. `pristine` lists scenarios that are
 * nobody's work (the built-in one).
 */
export function backupBeforeReplace(storage: KeyValueStore | null, current: Record<string, unknown>, incoming: Record<string, unknown>, pristine: readonly unknown[] = []): boolean {
  const mine = fingerprint(current);
  const theirs = fingerprint(incoming);
  const isWork = mine !== theirs && mine !== get(storage, ORIGIN_KEY) && !pristine.some((p) => fingerprint(p) === mine);
  if (isWork) set(storage, BACKUP_KEY, encodeSave(current));
  set(storage, ORIGIN_KEY, theirs);
  return readBackup(storage) !== null;
}

export function readBackup(storage: KeyValueStore | null): Record<string, unknown> | null {
  return decodeSave(get(storage, BACKUP_KEY)).scenario;
}

export function dropBackup(storage: KeyValueStore | null): void {
  try {
    storage?.removeItem(BACKUP_KEY);
    storage?.removeItem(ORIGIN_KEY);
  } catch {
    /* nothing to drop */
  }
}
