// pattern: Functional Core
// The scenarios this browser keeps: the last few versions, each a document
// with a revision number, in a store passed in (IndexedDB in the app,
// localStorage when IndexedDB is unavailable, memory in tests).
//
// Rules that keep the user's work:
//  - A save never deletes what was saved before: a failed write leaves the
//    previous revision (and every older version) as it was.
//  - Whatever replaces the scenario from outside (a link, the gallery, an
//    imported case file, an older version) gets its own document, so the work
//    it replaces stays behind as a version to restore. Before that, unsaved
//    work is saved; when that fails the replacement is refused and the caller
//    offers download / discard / cancel.
//  - A scenario that came from outside and was not changed is nobody's work:
//    the next replacement overwrites its document, so opening many links
//    never pushes the real work out of the last few versions.
//  - A document is written only over the revision this tab last saw
//    (compare-and-set inside the store's transaction): when another tab saved
//    it meanwhile, this tab is told and saves nothing until the user chooses
//    to load the newer work or keep this tab's as a separate copy.

import { classifyStorageError, stringBytes, type StorageProblem } from './storage-problem';
import type { Case } from '../../engine/scenario/case';
import { checkCase } from '../../share/case-shape';
import { fingerprintText } from '../../share/fingerprint';

export type VersionOrigin = 'edit' | 'link' | 'gallery' | 'course' | 'file' | 'fork' | 'legacy' | 'rescue';

export interface VersionMeta {
  /** the document */
  id: string;
  rev: number;
  /** ms since the epoch */
  savedAt: number;
  /** the scenario's name, for the list of versions */
  name: string;
  /** length of the stored JSON text */
  chars: number;
  origin: VersionOrigin;
  /** fingerprint of the scenario as stored */
  fp: string;
  /** fingerprint of the scenario as it came from outside (a link, the gallery, a file); equal to fp while unchanged */
  originFp: string | null;
  /** the tab that wrote this revision */
  tab: string;
}

export type PutOutcome = { ok: true } | { ok: false; conflict: VersionMeta };

/** Where versions live. Every method may throw the browser's storage errors. */
export interface VaultBackend {
  readonly kind: 'indexeddb' | 'localStorage' | 'memory';
  /** how many documents to keep */
  readonly keep: number;
  /** newest first */
  list(): Promise<VersionMeta[]>;
  read(id: string): Promise<string | null>;
  /**
   * Atomically: when `expectRev` is a number, the stored revision of meta.id
   * must be that number (or the document must be gone); when null, the
   * document must not exist. Then write the meta and text and drop the
   * oldest documents beyond `keep` (never meta.id).
   */
  put(meta: VersionMeta, text: string, expectRev: number | null): Promise<PutOutcome>;
  remove(id: string): Promise<void>;
  /** the browser's whole allowance for this store in bytes, when it says */
  quotaBytes(): Promise<number | null>;
}

/** FNV-1a of the JSON text with its length: enough to tell "unchanged". */
export function fingerprint(scenario: unknown): string {
  return fingerprintText(JSON.stringify(scenario) ?? '');
}

export { fingerprintText };

export type SaveOutcome = { ok: true; meta: VersionMeta | null } | { ok: false; problem: StorageProblem; chars: number } | { ok: false; conflict: VersionMeta };

export type Loaded = { scenario: Case; meta: VersionMeta; problem: null } | { scenario: null; meta: VersionMeta | null; problem: string | null };

export type ReplaceOutcome =
  /** the incoming scenario is the tab's document now; `previous` is the version that holds the replaced work (null: it was nobody's work) */
  | { ok: true; previous: string | null; saved: SaveOutcome }
  /** the replaced work could not be saved: nothing was changed */
  | { ok: false; problem: StorageProblem };

/** The document a tab is editing: what it last wrote or read. */
interface Doc {
  id: string;
  rev: number;
  fp: string;
  originFp: string | null;
  origin: VersionOrigin;
}

export interface Vault {
  readonly backend: VaultBackend;
  readonly tab: string;
  /** the newest version, as the app starts */
  loadLatest(): Promise<Loaded>;
  /** the autosave: write `scenario` as the next revision of this tab's document; `known`: its JSON text and fingerprint, already made (by the worker) */
  save(scenario: Case, known?: { text: string; fp: string }): Promise<SaveOutcome>;
  /**
   * `incoming` replaces `current` (see the header). `adopt` writes it over
   * that version instead of a new document (a version brought back);
   * `discardCurrent` is the user's choice to drop unsaved work that cannot be saved.
   */
  replace(current: Case, incoming: Case, origin: VersionOrigin, opts?: ReplaceOptions): Promise<ReplaceOutcome>;
  /** read one version */
  read(id: string): Promise<Loaded>;
  versions(): Promise<VersionMeta[]>;
  /** another tab wrote `meta`; returns the conflict when it is this tab's document */
  noticeForeignSave(meta: VersionMeta): VersionMeta | null;
  /** the newer revision another tab wrote of this tab's document, if any */
  readonly conflict: VersionMeta | null;
  /** give up this tab's changes: take the newer revision */
  takeNewer(): Promise<Loaded>;
  /** keep this tab's scenario as a document of its own (and edit that one from now on) */
  fork(scenario: Case, origin?: VersionOrigin): Promise<SaveOutcome>;
  /** drop a version (to make room); never the one this tab edits */
  remove(id: string): Promise<boolean>;
  /** what this tab's document is, for tests and the versions list */
  readonly current: { id: string; rev: number } | null;
}

export interface ReplaceOptions {
  adopt?: string | undefined;
  discardCurrent?: boolean | undefined;
}

export interface VaultOptions {
  tab: string;
  newId?: () => string;
  now?: () => number;
  /** scenarios that are nobody's work (the built-in one) */
  pristine?: readonly unknown[];
}

function randomId(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

const nameOf = (s: Case) => s.name.slice(0, 200);

/** Read a stored text back into a scenario, or say why it cannot be used. */
export function decodeVersion(text: string | null): { scenario: Case; problem: null } | { scenario: null; problem: string | null } {
  if (text === null) return { scenario: null, problem: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { scenario: null, problem: 'The scenario saved in this browser is not valid JSON; it was ignored.' };
  }
  const checked = checkCase(parsed);
  if (!checked.ok) return { scenario: null, problem: `The scenario saved in this browser is damaged (${checked.message}); it was ignored.` };
  return { scenario: checked.value, problem: null };
}

export function createVault(backend: VaultBackend, opts: VaultOptions): Vault {
  const newId = opts.newId ?? randomId;
  const now = opts.now ?? Date.now;
  // hashed when first asked (the first save), not while the page starts: the built-in scenario's
  // JSON is long and the hash's loop runs cold then, a long task on a phone
  let pristineFps: Set<string> | null = null;
  const isPristine = (fp: string): boolean => (pristineFps ??= new Set((opts.pristine ?? []).map(fingerprint))).has(fp);
  let doc: Doc | null = null;
  // the last scenario that came from outside: it is nobody's work even when storage refused to keep it
  let fromOutside: string | null = null;
  let conflict: VersionMeta | null = null;
  // one write at a time, in the order asked: revisions must follow each other
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  };

  const adoptMeta = (m: VersionMeta): void => {
    doc = { id: m.id, rev: m.rev, fp: m.fp, originFp: m.originFp, origin: m.origin };
  };

  async function write(d: { id: string; rev: number; origin: VersionOrigin; originFp: string | null }, scenario: Case, expectRev: number | null, known?: { text: string; fp: string }): Promise<SaveOutcome> {
    const text = known?.text ?? JSON.stringify(scenario);
    const meta: VersionMeta = { id: d.id, rev: d.rev, savedAt: now(), name: nameOf(scenario), chars: text.length, origin: d.origin, fp: known?.fp ?? fingerprintText(text), originFp: d.originFp, tab: opts.tab };
    try {
      const r = await backend.put(meta, text, expectRev);
      if (!r.ok) return { ok: false, conflict: r.conflict };
    } catch (e) {
      let quota: number | null = null;
      try {
        quota = await backend.quotaBytes();
      } catch {
        /* the estimate is only a hint */
      }
      return { ok: false, problem: classifyStorageError(e, stringBytes(text), quota), chars: text.length };
    }
    adoptMeta(meta);
    return { ok: true, meta };
  }

  /** a new document for `scenario` */
  const writeNew = (scenario: Case, origin: VersionOrigin, originFp: string | null) => write({ id: newId(), rev: 1, origin, originFp }, scenario, null);

  async function saveNow(scenario: Case, known?: { text: string; fp: string }): Promise<SaveOutcome> {
    if (conflict) return { ok: false, conflict };
    const text = known?.text ?? JSON.stringify(scenario);
    const fp = known?.fp ?? fingerprintText(text);
    if (doc && doc.fp === fp) return { ok: true, meta: null };
    if (!doc) {
      // nothing saved yet: the built-in scenario as it ships is not worth a version
      if (isPristine(fp)) return { ok: true, meta: null };
      return write({ id: newId(), rev: 1, origin: 'edit', originFp: null }, scenario, null, { text, fp });
    }
    const r = await write({ id: doc.id, rev: doc.rev + 1, origin: doc.origin, originFp: doc.originFp }, scenario, doc.rev, { text, fp });
    if (!r.ok && 'conflict' in r) conflict = r.conflict;
    return r;
  }

  const isWork = (fp: string): boolean => !isPristine(fp) && fp !== fromOutside && !(doc && doc.originFp === fp);

  return {
    backend,
    tab: opts.tab,
    get conflict() {
      return conflict;
    },
    get current() {
      return doc ? { id: doc.id, rev: doc.rev } : null;
    },

    loadLatest: () =>
      serial(async () => {
        const metas = await backend.list();
        const newest = metas[0];
        if (!newest) return { scenario: null, meta: null, problem: null };
        const d = decodeVersion(await backend.read(newest.id));
        if (!d.scenario) return { scenario: null, meta: newest, problem: d.problem ?? 'The scenario saved in this browser is damaged (it is missing); it was ignored.' };
        adoptMeta(newest);
        return { scenario: d.scenario, meta: newest, problem: null };
      }),

    save: (scenario, known) => serial(() => saveNow(scenario, known)),

    replace: (current, incoming, origin, { adopt, discardCurrent = false } = {}) =>
      serial(async (): Promise<ReplaceOutcome> => {
        const curFp = fingerprint(current);
        const curIsWork = isWork(curFp);
        let previous: string | null = null;
        if (discardCurrent) {
          // what was saved of it stays a version; the unsaved part is given up
          previous = doc && doc.fp !== doc.originFp ? doc.id : null;
          doc = null;
        } else if (curIsWork) {
          // the work must be in the store, as it is now, before anything replaces it
          let r: SaveOutcome;
          if (conflict) {
            r = await writeNew(current, 'fork', null);
            if (r.ok) conflict = null;
          } else r = await saveNow(current);
          if (!r.ok) return { ok: false, problem: 'problem' in r ? r.problem : { kind: 'failed', detail: 'another tab saved this scenario meanwhile' } };
          previous = doc?.id ?? null;
          doc = null;
        }
        conflict = null;
        const inFp = fingerprint(incoming);
        fromOutside = inFp;
        if (adopt !== undefined) {
          const metas = await backend.list().catch(() => [] as VersionMeta[]);
          const m = metas.find((x) => x.id === adopt);
          if (m) {
            // a version brought back is the newest again, with what it was
            const saved = await write({ id: m.id, rev: m.rev + 1, origin: m.origin, originFp: m.originFp }, incoming, m.rev);
            // not written: the next save tries again over the version as it is
            if (!saved.ok) adoptMeta(m);
            return { ok: true, previous, saved };
          }
        }
        // a document that was nobody's work is overwritten; otherwise a new one
        const reuse: Doc | null = doc && !curIsWork && doc.fp === curFp ? doc : null;
        const saved = reuse ? await write({ id: reuse.id, rev: reuse.rev + 1, origin, originFp: inFp }, incoming, reuse.rev) : await writeNew(incoming, origin, inFp);
        if (!saved.ok && 'conflict' in saved) {
          // someone else owns that document now: keep theirs, start ours anew
          const again = await writeNew(incoming, origin, inFp);
          return { ok: true, previous, saved: again };
        }
        if (!saved.ok) {
          // not saved: this tab has no document until a save succeeds, so the replaced work stays the newest version
          doc = null;
        }
        return { ok: true, previous, saved };
      }),

    read: (id) =>
      serial(async () => {
        const metas = await backend.list();
        const meta = metas.find((m) => m.id === id) ?? null;
        const d = decodeVersion(await backend.read(id));
        return d.scenario && meta ? { scenario: d.scenario, meta, problem: null } : { scenario: null, meta, problem: d.problem ?? 'That saved version is gone.' };
      }),

    versions: () => serial(() => backend.list()),

    noticeForeignSave(meta) {
      if (meta.tab === opts.tab || !doc || meta.id !== doc.id || meta.rev <= doc.rev) return null;
      if (!conflict || meta.rev > conflict.rev) conflict = meta;
      return conflict;
    },

    takeNewer: () =>
      serial(async (): Promise<Loaded> => {
        const id = conflict?.id ?? doc?.id;
        if (!id) return { scenario: null, meta: null, problem: null };
        const metas = await backend.list();
        const meta = metas.find((m) => m.id === id) ?? null;
        const d = decodeVersion(await backend.read(id));
        if (!d.scenario || !meta) return { scenario: null, meta, problem: d.problem ?? 'That saved version is gone.' };
        adoptMeta(meta);
        conflict = null;
        return { scenario: d.scenario, meta, problem: null };
      }),

    fork: (scenario, origin = 'fork') =>
      serial(async () => {
        const r = await writeNew(scenario, origin, null);
        if (r.ok) conflict = null;
        return r;
      }),

    remove: (id) =>
      serial(async () => {
        if (doc?.id === id) return false;
        await backend.remove(id);
        return true;
      }),
  };
}

/** Keep the newest `keep` of `metas` (newest first), never `pin`; the ids to drop. */
export function pruneIds(metas: readonly VersionMeta[], keep: number, pin: string): string[] {
  const sorted = [...metas].sort(byNewest);
  const kept = new Set<string>([pin]);
  for (const m of sorted) if (kept.size < keep && m.id !== pin) kept.add(m.id);
  return sorted.filter((m) => !kept.has(m.id)).map((m) => m.id);
}

export const byNewest = (a: VersionMeta, b: VersionMeta): number => b.savedAt - a.savedAt || b.rev - a.rev;

/** A stored meta record, checked (it comes from storage that anything could have written). */
export function isVersionMeta(x: unknown): x is VersionMeta {
  if (typeof x !== 'object' || x === null) return false;
  // a record from storage, its fields still unchecked: that is what this function checks
  const m = x as Record<string, unknown>;
  return typeof m.id === 'string' && typeof m.rev === 'number' && typeof m.savedAt === 'number' && typeof m.name === 'string' && typeof m.chars === 'number' && typeof m.origin === 'string' && typeof m.fp === 'string' && (m.originFp === null || typeof m.originFp === 'string') && typeof m.tab === 'string';
}
