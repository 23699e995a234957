// pattern: Imperative Shell
// Keeping the scenario in this browser: the vault (state/vault.ts) on
// IndexedDB, or on localStorage where IndexedDB cannot be opened, saved a
// moment after each change; what went wrong said in the user's words and
// language; other tabs heard (BroadcastChannel, else storage events), so a
// tab whose document another tab saved meanwhile writes nothing until the
// user chooses. Scenarios saved by earlier versions of the app (one
// localStorage key and its backup) move into the vault on first start. A
// page that goes away leaves what it could not finish saving in
// localStorage (RESCUE_KEY): its case and, when the case is behind the
// worker's lab, the edits since, which the next start makes again.

import { createStore, type StoreApi } from 'zustand/vanilla';
import { AUTOSAVE_KEY, decodeSave, type KeyValueStore } from './autosave';
import type { Notice, Stores } from './walk-store';
import { createVault, decodeVersion, fingerprint, isVersionMeta, type Loaded, type ReplaceOptions, type ReplaceOutcome, type SaveOutcome, type Vault, type VersionMeta, type VersionOrigin } from './vault';
import { createKvBackend } from './vault-kv';
import { createIdbBackend, openDatabase } from './vault-idb';
import type { StorageProblem } from './storage-problem';
import type { MessageKey } from '../i18n/i18n';
import type { LabChange } from '../../worker/client';
import type { Case } from '../../engine/scenario/case';

const SAVE_DELAY_MS = 400;
const OPEN_TIMEOUT_MS = 3000;
const CHANNEL = 'packetwalk.vault';
/** the storage-event fallback of the channel */
const PING_KEY = 'packetwalk.vault.ping';
/** the last edit of a tab that closed while its IndexedDB write may not have finished */
export const RESCUE_KEY = 'packetwalk.vault.rescue';
/** where earlier versions kept the work a link replaced (next to AUTOSAVE_KEY) */
const LEGACY_BACKUP_KEY = 'packetwalk.scenario.backup.v1';
const LEGACY_ORIGIN_KEY = 'packetwalk.scenario.origin.v1';

export interface PersistState {
  /** where versions are kept; 'none': nowhere (the browser refuses all storage) */
  backend: 'indexeddb' | 'localStorage' | 'memory' | 'none';
  /** the last save's failure, until a save succeeds */
  problem: (StorageProblem & { chars: number }) | null;
  /** another tab saved this tab's document meanwhile */
  conflict: VersionMeta | null;
  /** newest first */
  versions: VersionMeta[];
  /** the version this tab edits */
  current: string | null;
}

export interface Persistence {
  readonly vault: Vault | null;
  readonly store: StoreApi<PersistState>;
  /** save now whatever waits for the autosave's delay */
  flush(): Promise<void>;
  /** see Vault.replace; without storage the replaced work is kept in memory for this tab */
  replace(incoming: Case, origin: VersionOrigin, opts?: ReplaceOptions): Promise<ReplaceOutcome>;
  read(id: string): Promise<{ scenario: Case | null; problem: string | null }>;
  takeNewer(): Promise<Case | null>;
  fork(): Promise<void>;
  remove(id: string): Promise<void>;
  refresh(): Promise<void>;
}

const registry = new WeakMap<Stores, Persistence>();

export function persistenceOf(stores: Stores): Persistence | null {
  return registry.get(stores) ?? null;
}

/** the id of the in-memory copy kept when the browser keeps nothing */
export const MEMORY_BACKUP_ID = 'memory';

function localStorageOrNull(): KeyValueStore | null {
  try {
    const s = window.localStorage;
    // Safari's private mode of old hands out a storage that throws on every write
    return s;
  } catch {
    return null;
  }
}

function tabId(): string {
  const c = globalThis.crypto as Crypto | undefined;
  return c && typeof c.randomUUID === 'function' ? c.randomUUID() : `tab-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new DOMException('IndexedDB did not open in time', 'TimeoutError')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

async function quotaFromEstimate(): Promise<number | null> {
  const est = await navigator.storage?.estimate?.();
  return typeof est?.quota === 'number' ? est.quota : null;
}

/** IndexedDB, else localStorage, else nothing. */
async function openVault(pristine: readonly unknown[]): Promise<Vault | null> {
  const tab = tabId();
  try {
    if (typeof indexedDB !== 'undefined') {
      const db = await withTimeout(openDatabase(indexedDB), OPEN_TIMEOUT_MS);
      return createVault(createIdbBackend(db, { keep: 5, quotaBytes: quotaFromEstimate }), { tab, pristine });
    }
  } catch {
    /* private modes refuse IndexedDB: localStorage may still work */
  }
  const ls = localStorageOrNull();
  if (!ls) return null;
  return createVault(createKvBackend(ls, { keep: 2 }), { tab, pristine });
}

/** Move what earlier versions kept in localStorage into the vault (once: the keys go when moved). */
async function migrateLegacy(vault: Vault): Promise<Notice | null> {
  const ls = localStorageOrNull();
  if (!ls) return null;
  let saved: string | null;
  let backup: string | null;
  try {
    saved = ls.getItem(AUTOSAVE_KEY);
    backup = ls.getItem(LEGACY_BACKUP_KEY);
  } catch {
    return null;
  }
  if (saved === null && backup === null) return null;
  const b = decodeSave(backup).scenario;
  if (b && !(await vault.fork(b, 'legacy')).ok) return null;
  const s = decodeSave(saved);
  if (s.scenario && !(await vault.fork(s.scenario, 'legacy')).ok) return null;
  try {
    ls.removeItem(AUTOSAVE_KEY);
    ls.removeItem(LEGACY_BACKUP_KEY);
    ls.removeItem(LEGACY_ORIGIN_KEY);
  } catch {
    /* moved; the keys are read again next time, harmlessly */
  }
  return s.problem;
}

/**
 * A tab that closed before its IndexedDB write finished left its last edit
 * here; one that closed before its case caught up with its lab left that
 * case and the edits made since (`changes`), which `replay` makes again.
 */
async function recoverRescue(vault: Vault, loaded: Loaded, replay: Replay | undefined): Promise<Case | null> {
  const ls = localStorageOrNull();
  let raw: string | null = null;
  try {
    raw = ls?.getItem(RESCUE_KEY) ?? null;
    if (raw !== null) ls?.removeItem(RESCUE_KEY);
  } catch {
    return null;
  }
  if (raw === null) return null;
  let r: { id?: unknown; rev?: unknown; text?: unknown; changes?: unknown };
  try {
    r = JSON.parse(raw) as typeof r;
  } catch {
    return null;
  }
  if (typeof r.text !== 'string') return null;
  const d = decodeVersion(r.text);
  if (!d.scenario) return null;
  if (Array.isArray(r.changes) && r.changes.length && replay) d.scenario = (await replay(d.scenario, r.changes as LabChange[]).catch(() => null)) ?? d.scenario;
  if (loaded.meta && loaded.meta.fp === fingerprint(d.scenario)) return null;
  // the write landed elsewhere or never started: the rescued edit is the newest work of its document when nothing came after it
  if (loaded.meta && loaded.meta.id === r.id && loaded.meta.rev === r.rev) {
    const s = await vault.save(d.scenario);
    return s.ok ? d.scenario : null;
  }
  await vault.fork(d.scenario, 'rescue');
  return null;
}

/**
 * The lab's side of saving: after an edit the page's case lags the worker's
 * lab until a snapshot brings it up (state/lab.ts), so a page closed in
 * between must leave the edits themselves behind.
 */
export interface LabSaving {
  /** the changes the page's case does not have yet ([] when it is up to date, null when they cannot be told) */
  unsaved(): LabChange[] | null;
  /** bring the page's case up to the lab now (the page is being hidden) */
  catchUp(): Promise<unknown>;
  /** the worker's text and fingerprint of `scenario` when it is the lab's case with other traffic, else null */
  serialize?(scenario: Case): Promise<{ text: string; fp: string } | null>;
}

/** Make `changes` to `base` (in a lab of its own): the edits a closed page left behind. */
export type Replay = (base: Case, changes: readonly LabChange[]) => Promise<Case | null>;

export interface PersistenceStart {
  /** the scenario to start with, or null for the built-in one */
  scenario: Case | null;
  notice: Notice | null;
  /** begin saving `stores`' scenario and listening to other tabs */
  attach(stores: Stores, lab?: LabSaving): Persistence;
}

/** Open the vault and read the newest version (the app's first scenario). */
export async function startPersistence(pristine: readonly unknown[], replay?: Replay): Promise<PersistenceStart> {
  const vault = await openVault(pristine);
  let notice: Notice | null = null;
  let scenario: Case | null = null;
  if (vault) {
    try {
      notice = await migrateLegacy(vault);
      const loaded = await vault.loadLatest();
      scenario = loaded.scenario;
      if (loaded.problem) notice = loaded.problem;
      scenario = (await recoverRescue(vault, loaded, replay)) ?? scenario;
    } catch {
      notice = 'This browser does not allow reading saved data; the built-in scenario is shown.';
    }
  } else {
    notice = { key: 'persist.unavailable' };
  }
  return { scenario, notice, attach: (stores, lab) => attachPersistence(stores, vault, lab) };
}

const clock = (ms: number) => {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};

export const formatSize = (chars: number): string => (chars >= 1_000_000 ? `${(chars / 1_000_000).toFixed(1)} M` : chars >= 1000 ? `${Math.round(chars / 1000)} k` : String(chars));

const PROBLEM_KEY = { quota: 'persist.quota', 'too-large': 'persist.too-large', unavailable: 'persist.unavailable', failed: 'persist.failed' } as const satisfies Record<StorageProblem['kind'], MessageKey>;

/** What the user is told about a save. */
export function saveNotice(r: SaveOutcome): Notice | null {
  if (r.ok) return null;
  if ('conflict' in r) return { key: 'persist.conflict', params: { time: clock(r.conflict.savedAt) } };
  return { key: PROBLEM_KEY[r.problem.kind], params: { size: formatSize(r.chars), detail: r.problem.detail } };
}

/** The state of the saving of one app's scenario (no vault: nothing is saved, and the store says so). */
export function createPersistStore(vault: Vault | null): StoreApi<PersistState> {
  return createStore<PersistState>()(() => ({ backend: vault ? vault.backend.kind : 'none', problem: null, conflict: null, versions: [], current: vault?.current?.id ?? null }));
}

function attachPersistence(stores: Stores, vault: Vault | null, lab: LabSaving | undefined): Persistence {
  const store = createPersistStore(vault);
  let memoryBackup: Case | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight = 0;

  const post = openChannel((meta) => {
    if (!vault) return;
    const c = vault.noticeForeignSave(meta);
    if (c) {
      store.setState({ conflict: c });
      stores.scenario.setState({ notice: saveNotice({ ok: false, conflict: c }) });
    }
    void refresh();
  });

  async function refresh(): Promise<void> {
    if (!vault) return;
    try {
      store.setState({ versions: await vault.versions(), current: vault.current?.id ?? null, conflict: vault.conflict });
    } catch {
      /* the list is a convenience */
    }
  }

  function report(r: SaveOutcome): void {
    if (r.ok && r.meta) post(r.meta);
    store.setState({ problem: !r.ok && 'problem' in r ? { ...r.problem, chars: r.chars } : null, conflict: vault?.conflict ?? null });
    const notice = saveNotice(r);
    const before = stores.scenario.getState().notice;
    // a successful save that wrote nothing keeps what the start said (a damaged save ignored)
    if (r.ok && !r.meta) {
      if (before !== null && typeof before !== 'string' && before.key.startsWith('persist.')) stores.scenario.setState({ notice: null });
    } else if (JSON.stringify(notice) !== JSON.stringify(before)) stores.scenario.setState({ notice });
    if (!r.ok || r.meta) void refresh();
  }

  async function saveNow(): Promise<void> {
    timer = undefined;
    if (!vault) return;
    inFlight++;
    try {
      const { scenario, serialized } = stores.scenario.getState();
      // the worker's text of this very object (or of the lab's case with this traffic): no 6 MB JSON.stringify and hash on the page's thread
      const known = serialized?.of === scenario ? { text: serialized.text, fp: serialized.fp } : ((await lab?.serialize?.(scenario)) ?? undefined);
      report(await vault.save(scenario, known));
    } finally {
      inFlight--;
    }
  }

  stores.scenario.subscribe((s, prev) => {
    if (s.scenario === prev.scenario || !vault) return;
    clearTimeout(timer);
    timer = setTimeout(() => void saveNow(), SAVE_DELAY_MS);
  });

  // a reload right after an edit must not lose it: IndexedDB may not finish while the page goes away, localStorage does;
  // and an edit the page's case does not have yet (its snapshot not come) is left as the edit itself, made again at the next start
  const rescue = () => {
    const changes = lab?.unsaved() ?? [];
    const behind = changes !== null && changes.length > 0;
    if (!vault || (timer === undefined && inFlight === 0 && !behind)) return;
    const pending = timer !== undefined;
    clearTimeout(timer);
    if (vault.backend.kind === 'indexeddb' || behind) {
      try {
        const cur = vault.current;
        localStorage.setItem(RESCUE_KEY, JSON.stringify({ id: cur?.id ?? null, rev: cur?.rev ?? null, text: JSON.stringify(stores.scenario.getState().scenario), ...(behind ? { changes } : {}) }));
      } catch {
        /* too large for localStorage: the IndexedDB write below is the only chance */
      }
    }
    if (pending) void saveNow();
  };
  window.addEventListener('pagehide', rescue);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'hidden') return;
    if (timer !== undefined) {
      clearTimeout(timer);
      void saveNow();
    }
    // a hidden page may never be shown again: its case catches up with the lab now, and is saved at once
    if (lab && lab.unsaved()?.length) void lab.catchUp().then(() => p.flush(), () => undefined);
  });

  const p: Persistence = {
    vault,
    store,
    flush: async () => {
      if (timer !== undefined) {
        clearTimeout(timer);
        await saveNow();
      }
    },
    replace: async (incoming, origin, opts) => {
      const current = stores.scenario.getState().scenario;
      clearTimeout(timer);
      timer = undefined;
      if (!vault) {
        // nothing is kept by this browser: the tab itself holds the replaced work
        if (!opts?.discardCurrent && fingerprint(current) !== fingerprint(incoming)) memoryBackup = current;
        return { ok: true, previous: memoryBackup ? MEMORY_BACKUP_ID : null, saved: { ok: true, meta: null } };
      }
      const r = await vault.replace(current, incoming, origin, opts);
      if (r.ok) report(r.saved);
      else void refresh();
      return r;
    },
    read: async (id) => {
      if (id === MEMORY_BACKUP_ID) return memoryBackup ? { scenario: memoryBackup, meta: null, problem: null } : { scenario: null, meta: null, problem: null };
      if (!vault) return { scenario: null, meta: null, problem: null };
      return vault.read(id);
    },
    takeNewer: async () => {
      if (!vault) return null;
      const l = await vault.takeNewer();
      store.setState({ conflict: vault.conflict });
      if (l.scenario) stores.scenario.setState({ notice: null });
      void refresh();
      return l.scenario;
    },
    fork: async () => {
      if (!vault) return;
      clearTimeout(timer);
      timer = undefined;
      report(await vault.fork(stores.scenario.getState().scenario));
    },
    remove: async (id) => {
      if (!vault) return;
      await vault.remove(id).catch(() => false);
      await refresh();
      // room was made: try the save that did not fit
      if (store.getState().problem) await saveNow();
    },
    refresh,
  };
  registry.set(stores, p);
  void refresh();
  return p;
}

/** Tell other tabs of a save; `hear` gets theirs. */
function openChannel(hear: (meta: VersionMeta) => void): (meta: VersionMeta) => void {
  if (typeof BroadcastChannel !== 'undefined') {
    const ch = new BroadcastChannel(CHANNEL);
    ch.onmessage = (e: MessageEvent) => {
      const d = e.data as { type?: unknown; meta?: unknown } | null;
      if (d?.type === 'saved' && isVersionMeta(d.meta)) hear(d.meta);
    };
    return (meta) => ch.postMessage({ type: 'saved', meta });
  }
  window.addEventListener('storage', (e) => {
    if (e.key !== PING_KEY || !e.newValue) return;
    try {
      const m: unknown = JSON.parse(e.newValue);
      if (isVersionMeta(m)) hear(m);
    } catch {
      /* not ours */
    }
  });
  return (meta) => {
    try {
      localStorage.setItem(PING_KEY, JSON.stringify(meta));
    } catch {
      /* the other tabs learn at their next save, from the revision check */
    }
  };
}
