// pattern: Imperative Shell
// The scenario editor, loaded lazily below the walk: undo/redo of every
// edit (buttons and Ctrl+Z / Ctrl+Shift+Z), the console, the forms, import
// and export. Every edit is a new scenario; the walk is simulated again.

import { memo, startTransition, useEffect, useId, useState } from 'react';
import { useStore } from 'zustand';
import { BUILT_IN } from '../../scenarios/built-in';
import { useDeps } from '../shell/context';
import { selectNotice } from '../state/walk-store';
import { selectCanRedo, selectCanUndo, selectFuture, selectPast } from '../state/lab';
import { Console } from './Console';
import { Configuration } from './Configuration';
import { ExportPanel } from './ExportPanel';
import { ImportPanel } from './ImportPanel';
import { commit, redoEdit, undoEdit, type EditorSession } from './session';
import { btnCls, useSession } from './ui';
import { useT } from '../i18n/lang';
import { translateNotice } from '../shell/notices';
import { SavedVersions } from '../shell/PersistNotice';

/** Text fields keep Ctrl+Z for their own typing. */
function typingIn(t: EventTarget | null): boolean {
  return t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || (t instanceof HTMLElement && t.isContentEditable);
}

export function handleUndoKey(session: EditorSession, e: KeyboardEvent): boolean {
  if (!(e.ctrlKey || e.metaKey) || e.altKey || typingIn(e.target)) return false;
  const k = e.key.toLowerCase();
  if (k === 'z' && !e.shiftKey) void undoEdit(session);
  else if ((k === 'z' && e.shiftKey) || k === 'y') void redoEdit(session);
  else return false;
  e.preventDefault();
  return true;
}

const UndoBar = memo(function UndoBar() {
  const session = useSession();
  const { stores } = useDeps();
  const canUndo = useStore(stores.lab, selectCanUndo);
  const canRedo = useStore(stores.lab, selectCanRedo);
  const past = useStore(stores.lab, selectPast);
  const future = useStore(stores.lab, selectFuture);
  const notice = useStore(stores.scenario, selectNotice);
  const t = useT();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => void handleUndoKey(session, e);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [session]);
  return (
    <div className="flex flex-wrap items-center gap-2">
      <button type="button" className={btnCls} disabled={!canUndo} aria-keyshortcuts="Control+Z" onClick={() => void undoEdit(session)}>
        {t('editor.undo')}
      </button>
      <button type="button" className={btnCls} disabled={!canRedo} aria-keyshortcuts="Control+Shift+Z" onClick={() => void redoEdit(session)}>
        {t('editor.redo')}
      </button>
      <span className="text-sm text-slate-700" data-testid="history-count">
        {t(past === 1 ? 'editor.historyOne' : 'editor.history', { past, future })}
      </span>
      <button type="button" className={`${btnCls} ml-auto`} onClick={() => void commit(session, structuredClone(BUILT_IN))}>
        {t('editor.reset')}
      </button>
      <p role="status" className={`w-full text-sm ${notice ? 'font-medium text-amber-900' : 'text-slate-700'}`}>
        {notice ? translateNotice(t, notice) : t('editor.saved')}
      </p>
      <SavedVersions />
    </div>
  );
});

/**
 * False until the page has had an idle moment after the editor's first
 * commit: import and export then mount in a commit of their own, so the
 * page's start has two shorter tasks instead of one long one.
 */
function useIdleAfterMount(): boolean {
  const [idle, setIdle] = useState(false);
  useEffect(() => {
    if (idle) return;
    const go = () => startTransition(() => setIdle(true));
    // Safari has no requestIdleCallback; a timer is the next task there
    if (typeof window.requestIdleCallback === 'function') {
      const h = window.requestIdleCallback(go, { timeout: 1000 });
      return () => window.cancelIdleCallback(h);
    }
    const h = window.setTimeout(go, 50);
    return () => window.clearTimeout(h);
  }, [idle]);
  return idle;
}

export default function Editor() {
  const id = useId();
  const t = useT();
  const later = useIdleAfterMount();
  return (
    <section aria-labelledby={id} id="editor" className="flex scroll-mt-24 flex-col gap-3 rounded-lg border border-slate-300 bg-slate-100 p-3">
      <div className="flex flex-col gap-1">
        <h2 id={id} className="text-lg font-semibold text-slate-900">
          {t('editor.title')}
        </h2>
        <p className="text-sm text-slate-700">{t('editor.intro')}</p>
      </div>
      <UndoBar />
      <div className="grid gap-3 xl:grid-cols-[minmax(0,5fr)_minmax(0,7fr)]">
        <Console />
        <Configuration />
      </div>
      <div className="grid gap-3 xl:grid-cols-2">
        {later ? (
          <>
            <ImportPanel />
            <ExportPanel />
          </>
        ) : (
          <div className="min-h-[20rem] xl:col-span-2" />
        )}
      </div>
    </section>
  );
}
