// pattern: Imperative Shell
// What the app must say about keeping the scenario: a save the browser
// refused (why, in the user's words, with the case file to download and,
// when storage is full, the saved versions to make room), another tab's
// newer save of the same scenario (load it, or keep this tab's as a copy),
// and a save that could not be read at start. The list of saved versions
// lets the user open any of the last few.

import { memo, useId, useState } from 'react';
import { useStore } from 'zustand';
import { selectNotice, selectScenario } from '../state/walk-store';
import { createPersistStore, persistenceOf, formatSize, type PersistState } from '../state/persistence';
import type { VersionMeta } from '../state/vault';
import { useT } from '../i18n/lang';
import type { MessageKey } from '../i18n/i18n';
import { openScenario } from '../share/links';
import { loadScenario } from '../state/walk-store';
import { translateNotice } from './notices';
import { useDeps } from './context';
import { downloadScenario } from './download';

const btn = 'rounded border border-slate-500 bg-white px-3 py-1 text-sm font-medium text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700';

const selectProblem = (s: PersistState) => s.problem;
const selectConflict = (s: PersistState) => s.conflict;
const selectVersions = (s: PersistState) => s.versions;
const selectCurrent = (s: PersistState) => s.current;

/** The persistence store, or a fixed empty one for apps started without it (tests). */
function usePersist<T>(select: (s: PersistState) => T): T {
  const { stores } = useDeps();
  const p = persistenceOf(stores);
  // an app started without saving (tests) reads a store of its own that says so
  const [none] = useState(() => createPersistStore(null));
  return useStore(p?.store ?? none, select);
}

const ORIGIN_KEY: Record<VersionMeta['origin'], MessageKey> = {
  edit: 'persist.origin.edit',
  link: 'persist.origin.link',
  gallery: 'persist.origin.gallery',
  course: 'persist.origin.course',
  file: 'persist.origin.file',
  fork: 'persist.origin.fork',
  legacy: 'persist.origin.legacy',
  rescue: 'persist.origin.rescue',
};

const when = (ms: number, lang: string) => new Date(ms).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'short', timeStyle: 'medium' });

/** The last few scenarios kept in this browser, each to open or delete. */
export const SavedVersions = memo(function SavedVersions({ open: startOpen = false }: { open?: boolean }) {
  const { stores, client } = useDeps();
  const t = useT();
  const versions = usePersist(selectVersions);
  const current = usePersist(selectCurrent);
  const p = persistenceOf(stores);
  const id = useId();
  if (!p?.vault) return null;
  const openVersion = async (v: VersionMeta) => {
    const r = await p.read(v.id);
    if (r.scenario) await openScenario(stores, client, r.scenario, { from: 'version', adopt: v.id });
  };
  return (
    <details open={startOpen} className="w-full text-sm" data-testid="saved-versions" onToggle={(e) => e.currentTarget.open && void p.refresh()}>
      <summary className="cursor-pointer font-medium text-slate-900">{t('persist.versions', { n: versions.length })}</summary>
      <p id={id} className="mt-1 text-slate-700">
        {versions.length ? t('persist.versionsHelp', { n: p.vault.backend.keep }) : t('persist.noVersions')}
      </p>
      <ul aria-describedby={id} className="mt-1 flex flex-col gap-1">
        {versions.map((v) => (
          <li key={v.id} className="flex flex-wrap items-center gap-2 rounded border border-slate-300 bg-white px-2 py-1">
            <span className="min-w-0 flex-1">
              {t('persist.version', { name: v.name || '—', time: when(v.savedAt, t.lang), size: formatSize(v.chars) })} · {t(ORIGIN_KEY[v.origin])}
              {v.id === current ? ` · ${t('persist.thisTab')}` : ''}
            </span>
            {v.id !== current && (
              <>
                <button type="button" className={btn} aria-label={`${t('persist.open')}: ${v.name}, ${when(v.savedAt, t.lang)}`} onClick={() => void openVersion(v)}>
                  {t('persist.open')}
                </button>
                <button type="button" className={btn} aria-label={`${t('persist.delete')}: ${v.name}, ${when(v.savedAt, t.lang)}`} onClick={() => void p.remove(v.id)}>
                  {t('persist.delete')}
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
    </details>
  );
});

/** The keeping of the scenario, when there is something to say about it. */
export const PersistNotice = memo(function PersistNotice() {
  const { stores, client } = useDeps();
  const t = useT();
  const notice = useStore(stores.scenario, selectNotice);
  const scenario = useStore(stores.scenario, selectScenario);
  const problem = usePersist(selectProblem);
  const conflict = usePersist(selectConflict);
  const [downloaded, setDownloaded] = useState<string | null>(null);
  if (!notice) return null;
  const p = persistenceOf(stores);
  const takeNewer = async () => {
    const s = await p?.takeNewer();
    if (s) await loadScenario(stores, client, s);
  };
  const unsaved = problem !== null || (typeof notice !== 'string' && notice.key === 'persist.unavailable');
  return (
    <div role="status" data-testid="persist-notice" data-problem={conflict ? 'conflict' : (problem?.kind ?? '')} className="flex flex-col gap-2 rounded-lg border border-amber-700 bg-amber-50 px-4 py-2 text-amber-950">
      <p>{translateNotice(t, notice)}</p>
      {(unsaved || conflict) && (
        <div className="flex flex-wrap items-center gap-2">
          {conflict && (
            <>
              <button type="button" className={btn} onClick={() => void takeNewer()}>
                {t('persist.takeNewer')}
              </button>
              <button type="button" className={btn} onClick={() => void p?.fork()}>
                {t('persist.fork')}
              </button>
            </>
          )}
          {unsaved && (
            <button type="button" className={btn} onClick={() => setDownloaded(downloadScenario(scenario))}>
              {t('persist.download')}
            </button>
          )}
          <span className="text-sm">{downloaded ? t('refuse.downloaded', { file: downloaded }) : ''}</span>
        </div>
      )}
      {problem?.kind === 'quota' && <SavedVersions open />}
    </div>
  );
});
