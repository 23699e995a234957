// pattern: Imperative Shell
// The vault's store in IndexedDB: room for large scenarios (a 26,000-line
// import is ~2.8 million characters, more than localStorage holds) and real
// transactions, so the revision check, the write and the pruning of old
// versions happen together or not at all. Two object stores: `meta` (small
// records, listed often) and `text` (the scenario's JSON, read only to open
// it). A thin hand-written wrapper: the one transaction that matters reads,
// checks and writes across both stores, which key-value helpers such as
// idb-keyval do not offer.

import { byNewest, isVersionMeta, pruneIds, type PutOutcome, type VaultBackend, type VersionMeta } from './vault';

export const IDB_NAME = 'packetwalk';
const IDB_VERSION = 1;
const META = 'meta';
const TEXT = 'text';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new DOMException('IndexedDB request failed', 'UnknownError'));
  });
}

/** Resolves when the transaction committed; rejects with its error when it aborted (quota errors arrive here). */
function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new DOMException('IndexedDB transaction aborted', 'AbortError'));
    tx.onerror = (e) => e.preventDefault();
  });
}

export function openDatabase(factory: IDBFactory, name = IDB_NAME): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    let r: IDBOpenDBRequest;
    try {
      r = factory.open(name, IDB_VERSION);
    } catch (e) {
      reject(e);
      return;
    }
    r.onupgradeneeded = () => {
      const db = r.result;
      if (!db.objectStoreNames.contains(META)) db.createObjectStore(META, { keyPath: 'id' });
      if (!db.objectStoreNames.contains(TEXT)) db.createObjectStore(TEXT);
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new DOMException('IndexedDB cannot be opened', 'UnknownError'));
    r.onblocked = () => reject(new DOMException('IndexedDB is blocked by another tab of an older version', 'InvalidStateError'));
  });
}

export function createIdbBackend(db: IDBDatabase, opts: { keep?: number; quotaBytes?: () => Promise<number | null> } = {}): VaultBackend {
  const keep = opts.keep ?? 5;
  const listIn = async (store: IDBObjectStore): Promise<VersionMeta[]> => ((await request(store.getAll())) as unknown[]).filter(isVersionMeta).sort(byNewest);
  return {
    kind: 'indexeddb',
    keep,
    list: async () => {
      const tx = db.transaction(META, 'readonly');
      const out = await listIn(tx.objectStore(META));
      return out;
    },
    read: async (id) => {
      const tx = db.transaction(TEXT, 'readonly');
      const v = (await request(tx.objectStore(TEXT).get(id))) as unknown;
      return typeof v === 'string' ? v : null;
    },
    put: async (meta, text, expectRev) => {
      const tx = db.transaction([META, TEXT], 'readwrite');
      const committed = done(tx);
      let outcome: PutOutcome = { ok: true };
      try {
        const metas = tx.objectStore(META);
        const texts = tx.objectStore(TEXT);
        const stored = (await request(metas.get(meta.id))) as unknown;
        if (isVersionMeta(stored) && (expectRev === null || stored.rev !== expectRev)) {
          outcome = { ok: false, conflict: stored };
        } else {
          texts.put(text, meta.id);
          metas.put(meta);
          const all = [meta, ...(await listIn(metas)).filter((m) => m.id !== meta.id)];
          for (const id of pruneIds(all, keep, meta.id)) {
            metas.delete(id);
            texts.delete(id);
          }
        }
      } catch (e) {
        // a synchronous refusal (a full disk, a stubbed quota) aborts the whole transaction
        try {
          tx.abort();
        } catch {
          /* already finished */
        }
        await committed.catch(() => undefined);
        throw e;
      }
      await committed;
      return outcome;
    },
    remove: async (id) => {
      const tx = db.transaction([META, TEXT], 'readwrite');
      const committed = done(tx);
      tx.objectStore(META).delete(id);
      tx.objectStore(TEXT).delete(id);
      await committed;
    },
    quotaBytes: opts.quotaBytes ?? (async () => null),
  };
}
