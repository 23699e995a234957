// pattern: Functional Core
// The vault's store on a key-value Storage: localStorage when IndexedDB is
// not there (and a Map in tests). Each revision's text goes under its own
// key first, then the list of versions; only after both succeeded is the
// old revision's text removed. A write the browser refuses halfway therefore
// leaves the previous revision complete and still listed.

import type { KeyValueStore } from './autosave';
import { byNewest, isVersionMeta, pruneIds, type PutOutcome, type VaultBackend, type VersionMeta } from './vault';

export const KV_META_KEY = 'packetwalk.vault.v2.meta';
const textKey = (id: string, rev: number) => `packetwalk.vault.v2.text.${id}.${rev}`;

/** localStorage's allowance in most browsers: 5 million UTF-16 code units, i.e. about 10 MB. */
export const LOCAL_STORAGE_QUOTA_BYTES = 10 * 1024 * 1024;

export function createKvBackend(storage: KeyValueStore, opts: { keep?: number; kind?: 'localStorage' | 'memory'; quotaBytes?: number | null } = {}): VaultBackend {
  const keep = opts.keep ?? 2;
  const readMetas = (): VersionMeta[] => {
    const raw = storage.getItem(KV_META_KEY);
    if (raw === null) return [];
    try {
      const v: unknown = JSON.parse(raw);
      return Array.isArray(v) ? v.filter(isVersionMeta).sort(byNewest) : [];
    } catch {
      return [];
    }
  };
  return {
    kind: opts.kind ?? 'localStorage',
    keep,
    list: async () => readMetas(),
    read: async (id) => {
      const m = readMetas().find((x) => x.id === id);
      return m ? storage.getItem(textKey(m.id, m.rev)) : null;
    },
    put: async (meta, text, expectRev): Promise<PutOutcome> => {
      const metas = readMetas();
      const stored = metas.find((m) => m.id === meta.id);
      if (stored && (expectRev === null || stored.rev !== expectRev)) return { ok: false, conflict: stored };
      storage.setItem(textKey(meta.id, meta.rev), text);
      const next = [meta, ...metas.filter((m) => m.id !== meta.id)];
      const drop = pruneIds(next, keep, meta.id);
      const kept = next.filter((m) => !drop.includes(m.id));
      try {
        storage.setItem(KV_META_KEY, JSON.stringify(kept));
      } catch (e) {
        storage.removeItem(textKey(meta.id, meta.rev));
        throw e;
      }
      if (stored && stored.rev !== meta.rev) storage.removeItem(textKey(stored.id, stored.rev));
      for (const id of drop) {
        const m = next.find((x) => x.id === id);
        if (m) storage.removeItem(textKey(m.id, m.rev));
      }
      return { ok: true };
    },
    remove: async (id) => {
      const metas = readMetas();
      const m = metas.find((x) => x.id === id);
      if (!m) return;
      storage.setItem(KV_META_KEY, JSON.stringify(metas.filter((x) => x.id !== id)));
      storage.removeItem(textKey(m.id, m.rev));
    },
    quotaBytes: async () => (opts.quotaBytes === undefined ? LOCAL_STORAGE_QUOTA_BYTES : opts.quotaBytes),
  };
}
