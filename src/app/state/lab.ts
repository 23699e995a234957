// pattern: Imperative Shell
// The page's side of the lab the worker keeps (worker/protocol.ts): which
// lab holds the scenario on screen, its version and undo state, and the
// case file the page keeps of it for saving, sharing and the forms that
// still read the case. The worker is the authority: after an edit the page
// knows only the new version; the case catches up a moment later (a
// snapshot, which the worker makes between other requests), so a
// 50,000-rule edit never waits for the 50,000-rule case text. Until it has,
// the edits since are in the client's journal (unsavedChanges): a page
// closed meanwhile leaves them for the next start (state/persistence.ts).
// A scenario set from outside (a link, a file, the gallery, a test) is
// given to the lab before anything else runs on it.

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EngineClient, LabChange } from '../../worker/client';
import { EngineFailure, isEngineFailure } from '../../worker/failure';
import type { ExportKind, ExportResult, SerializedCase, UndoState } from '../../worker/protocol';
import type { Case } from '../../engine/scenario/case';

export interface LabState {
  /** the worker's lab; null until the first scenario is opened */
  id: number | null;
  version: number;
  canUndo: boolean;
  canRedo: boolean;
  past: number;
  future: number;
  /** the case object the lab holds (traffic aside); another one in the scenario store is a scenario set from outside */
  synced: Case | null;
  /** the lab's version `synced` is of */
  syncedVersion: number;
  /** the lab changed since `synced` was made: a snapshot is due */
  stale: boolean;
  /** the case the worker refused to open, with its messages */
  refused: string[] | null;
  /** the one opening or replacing in flight, which every other request waits for */
  syncing: Promise<number | null> | null;
  snapshotTimer: ReturnType<typeof setTimeout> | null;
  /** the refreshCase in flight, which another waits for */
  refreshing: Promise<Case> | null;
}

export function createLabStore(): StoreApi<LabState> {
  return createStore<LabState>()(() => ({ id: null, version: 0, canUndo: false, canRedo: false, past: 0, future: 0, synced: null, syncedVersion: 0, stale: false, refused: null, syncing: null, snapshotTimer: null, refreshing: null }));
}

/** The JSON text and fingerprint of one scenario object, made by the worker (the autosave saves it as it is). */
export interface SerializedText {
  of: Case;
  text: string;
  fp: string;
}

/** The parts of the scenario store the lab follows (walk-store.ts Stores has them). */
export interface LabStores {
  lab: StoreApi<LabState>;
  scenario: StoreApi<{ scenario: Case; setScenario(s: Case): void; serialized: SerializedText | null }>;
}

/** The undo fields of an answer, without whatever else it carries. */
export function undoState(s: UndoState): UndoState {
  return { version: s.version, canUndo: s.canUndo, canRedo: s.canRedo, past: s.past, future: s.future };
}

/** The lab's answer to `ensureLab`, and the export of a host, as the forms show it. */
export async function exportFrom(stores: LabStores, client: EngineClient, host: string | null, what: ExportKind): Promise<ExportResult> {
  const lab = await ensureLab(stores, client);
  if (lab === null) return { ok: false, diagnostics: (stores.lab.getState().refused ?? []).map((message) => ({ from: 0, to: 0, line: 1, column: 1, severity: 'error', source: 'case', message })) };
  return client.export(lab, host, what);
}

/** The same configuration, whatever the traffic: `{...case, steps}` keeps every other field's object. */
export function sameConfig(a: Case | null, b: Case): boolean {
  if (a === b) return true;
  if (!a) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof Case)[]);
  for (const k of keys) if (k !== 'steps' && a[k] !== b[k]) return false;
  return true;
}

/**
 * The lab holding what the scenario store shows: opened the first time,
 * replaced when the scenario was set from outside since. null when the
 * worker refused the scenario (`refused` says why).
 */
export function ensureLab(stores: LabStores, client: EngineClient): Promise<number | null> {
  const s = stores.lab.getState();
  if (s.syncing) return s.syncing.then(() => ensureLab(stores, client));
  const scenario = stores.scenario.getState().scenario;
  if (s.id !== null && sameConfig(s.synced, scenario)) return Promise.resolve(s.id);
  if (s.id === null && s.refused && s.synced === scenario) return Promise.resolve(null);
  const syncing = (async () => {
    try {
      if (s.id === null) {
        const r = await client.open(scenario);
        if (!r.ok) {
          stores.lab.setState({ refused: r.errors, synced: scenario });
          return null;
        }
        stores.lab.setState({ id: r.lab, ...undoState(r), synced: scenario, syncedVersion: r.version, stale: false, refused: null });
        return r.lab;
      }
      const r = await client.replace(s.id, scenario);
      if (!r.ok) {
        stores.lab.setState({ refused: r.errors, synced: scenario });
        return null;
      }
      stores.lab.setState({ ...undoState(r), synced: scenario, syncedVersion: r.version, stale: false, refused: null });
      return s.id;
    } finally {
      stores.lab.setState({ syncing: null });
    }
  })();
  stores.lab.setState({ syncing });
  return syncing;
}

/** The lab changed in the worker (an edit, undo, redo): note its state and fetch the case soon. */
export function labChanged(stores: LabStores, client: EngineClient, state: UndoState, delayMs = 400): void {
  stores.lab.setState({ ...undoState(state), stale: true });
  scheduleSnapshot(stores, client, delayMs);
}

function scheduleSnapshot(stores: LabStores, client: EngineClient, delayMs: number): void {
  const t = stores.lab.getState().snapshotTimer;
  if (t) clearTimeout(t);
  // one try: a snapshot the next change overtakes is that change's to ask for again (labChanged); one that
  // fails (a worker restarting) leaves the case stale, which the next change, or hiding the page, catches up
  stores.lab.setState({ snapshotTimer: setTimeout(() => void refreshCase(stores, client, 1).catch(() => undefined), delayMs) });
}

/** How often refreshCase asks again for a snapshot the lab's changes kept overtaking. */
const SNAPSHOT_TRIES = 3;

/**
 * Bring the page's case up to the lab's version (now, not in idle time:
 * before a lab-wide change is made to it, before it is shared or saved by
 * hand). The traffic stays the page's own. The worker makes the snapshot
 * between other requests and drops it when the lab changes first
 * (`cancelled`): then it is asked for again, of the newer version.
 */
export function refreshCase(stores: LabStores, client: EngineClient, tries = SNAPSHOT_TRIES): Promise<Case> {
  const s = stores.lab.getState();
  if (s.snapshotTimer) clearTimeout(s.snapshotTimer);
  stores.lab.setState({ snapshotTimer: null });
  // one snapshot at a time (a newer one would make the worker drop the older): the second caller waits, then looks again
  if (s.refreshing) {
    const again = () => refreshCase(stores, client, tries);
    return s.refreshing.then(again, again);
  }
  const refreshing = (async () => {
    try {
      for (let tried = 1; ; tried++) {
        const got = await snapshotOnce(stores, client);
        if (got !== null) return got;
        // never the stale case as if it were the lab's: a lab-wide change made to it would undo the edits
        if (tried >= tries) throw new EngineFailure('cancelled', 'the lab kept changing while its snapshot was made');
      }
    } finally {
      stores.lab.setState({ refreshing: null });
    }
  })();
  stores.lab.setState({ refreshing });
  return refreshing;
}

/** One snapshot of the lab as it stands; null when the lab changed before it came. */
async function snapshotOnce(stores: LabStores, client: EngineClient): Promise<Case | null> {
  const s = stores.lab.getState();
  const current = stores.scenario.getState().scenario;
  if (!s.stale || s.id === null) return current;
  const version = s.version;
  const steps = current.steps;
  let snap: SerializedCase;
  try {
    snap = await client.snapshot(s.id, steps ?? null);
  } catch (e) {
    if (isEngineFailure(e) && e.kind === 'cancelled') return null;
    throw e;
  }
  const now = stores.lab.getState();
  if (now.version !== version) return null;
  if (!now.stale) return stores.scenario.getState().scenario;
  const shown = stores.scenario.getState().scenario;
  // the traffic changed while the worker wrote the case: the case is the page's, its text is not
  const next = shown.steps === steps ? snap.case : { ...snap.case, steps: shown.steps };
  stores.lab.setState({ synced: next, syncedVersion: version, stale: false });
  stores.scenario.setState({ serialized: next === snap.case ? { of: next, text: snap.text, fp: snap.fp } : null });
  stores.scenario.getState().setScenario(next);
  return next;
}

/**
 * The worker's text and fingerprint of `scenario`, when it is the case of
 * the lab's last snapshot with other traffic (a Send packet changes only
 * `steps`): a 50,000-rule case is then never stringified and hashed on the
 * page's thread to be saved. Null otherwise: the worker writes a case in its
 * own canonical form, so a case the user brought in is saved as it came.
 */
export async function serializeCase(stores: LabStores, client: EngineClient, scenario: Case): Promise<{ text: string; fp: string } | null> {
  const s = stores.lab.getState();
  const made = stores.scenario.getState().serialized?.of;
  if (s.id === null || s.stale || !made || s.synced !== made || !sameExceptTraffic(made, scenario)) return null;
  const version = s.version;
  try {
    const snap = await client.snapshot(s.id, scenario.steps ?? null);
    const now = stores.lab.getState();
    return now.version === version && !now.stale ? { text: snap.text, fp: snap.fp } : null;
  } catch {
    return null;
  }
}

/** Every field but `steps` is the same object (the page keeps them when it changes traffic). */
function sameExceptTraffic(a: Case, b: Case): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  keys.delete('steps');
  for (const k of keys) if ((a as unknown as Record<string, unknown>)[k] !== (b as unknown as Record<string, unknown>)[k]) return false;
  return true;
}

/**
 * The changes the page's case does not have yet: the lab's edits since the
 * case was last brought up to it (client journal), for a page that closes
 * before its snapshot came. [] when the case is up to date; null when the
 * journal cannot say (the case the page has is then the best there is).
 */
export function unsavedChanges(stores: LabStores, client: EngineClient): LabChange[] | null {
  const s = stores.lab.getState();
  if (!s.stale || s.id === null) return [];
  return client.changesSince(s.id, s.syncedVersion);
}

/**
 * The case `base` with `changes` made to it, in a lab of its own that is
 * closed again: how a page that closed with edits its case did not have yet
 * gets them back at the next start. null when the worker refuses any of it.
 */
export async function replayChanges(client: EngineClient, base: Case, changes: readonly LabChange[]): Promise<Case | null> {
  const o = await client.open(base);
  if (!o.ok) return null;
  try {
    for (const c of changes) {
      if (c.type === 'edit') {
        if (!(await client.edit(o.lab, c.host, c.texts, c.mode)).ok) return null;
      } else if (!(await (c.type === 'undo' ? client.undo(o.lab) : client.redo(o.lab))).moved) return null;
    }
    const steps = base.steps;
    return (await client.snapshot(o.lab, steps ?? null)).case;
  } finally {
    void client.close(o.lab).catch(() => undefined);
  }
}

export const selectCanUndo = (s: LabState) => s.canUndo;
export const selectCanRedo = (s: LabState) => s.canRedo;
export const selectLabVersion = (s: LabState) => s.version;
export const selectSynced = (s: LabState) => s.synced;
export const selectPast = (s: LabState) => s.past;
export const selectFuture = (s: LabState) => s.future;
