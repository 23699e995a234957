// pattern: Imperative Shell
// What the app keeps in this browser, read the way the app stores it
// (src/app/state/vault-idb.ts: IndexedDB `packetwalk`, stores `meta` and
// `text`), so tests check the saved work itself rather than the screen.

import type { Page } from '@playwright/test';

export interface SavedVersion {
  id: string;
  rev: number;
  savedAt: number;
  name: string;
  origin: string;
  tab: string;
  scenario: Record<string, unknown> | null;
}

/** Every saved version, newest first, with its scenario. */
export function savedVersions(page: Page): Promise<SavedVersion[]> {
  return page.evaluate(
    () =>
      new Promise<SavedVersion[]>((resolve, reject) => {
        const open = indexedDB.open('packetwalk');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('meta')) {
            db.close();
            resolve([]);
            return;
          }
          const tx = db.transaction(['meta', 'text'], 'readonly');
          const metas = tx.objectStore('meta').getAll();
          const texts = tx.objectStore('text').getAll();
          const keys = tx.objectStore('text').getAllKeys();
          tx.oncomplete = () => {
            db.close();
            const byId = new Map((keys.result as string[]).map((k, i) => [k, (texts.result as string[])[i]!]));
            const out = (metas.result as Omit<SavedVersion, 'scenario'>[]).map((m) => {
              const text = byId.get(m.id);
              return { id: m.id, rev: m.rev, savedAt: m.savedAt, name: m.name, origin: m.origin, tab: m.tab, scenario: text ? (JSON.parse(text) as Record<string, unknown>) : null };
            });
            resolve(out.sort((a, b) => b.savedAt - a.savedAt || b.rev - a.rev));
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

/** The scenario a reload would open: the newest saved version. */
export async function savedScenario(page: Page): Promise<Record<string, unknown> | null> {
  return (await savedVersions(page))[0]?.scenario ?? null;
}

/** Overwrite the newest version's stored text (to test damaged data). */
export function damageNewest(page: Page, text: string): Promise<void> {
  return page.evaluate(
    (t) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('packetwalk');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['meta', 'text'], 'readwrite');
          const req = tx.objectStore('meta').getAll();
          req.onsuccess = () => {
            const newest = (req.result as { id: string; savedAt: number }[]).sort((a, b) => b.savedAt - a.savedAt)[0];
            if (newest) tx.objectStore('text').put(t, newest.id);
          };
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    text,
  );
}
