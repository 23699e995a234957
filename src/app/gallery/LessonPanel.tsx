// pattern: Imperative Shell
// A gallery scenario's lesson beside the walk: its explanation, and its
// "look here" notes — each resolved to a step of the walk on screen, with a
// button to jump there. When the walk stands on a noted step, the note is
// shown large above everything else (and read out by screen readers).

import { useId, useMemo } from 'react';
import { useStore } from 'zustand';
import { GALLERY, resolveLookHere } from '../../gallery';
import { useDeps } from '../shell/context';
import { registerLessonTitles } from '../shell/notices';
import { selectIndex, selectLog, stepTo } from '../state/walk-store';
import { useT } from '../i18n/lang';

registerLessonTitles(GALLERY);

const btn = 'rounded border border-slate-500 bg-white px-2 py-0.5 text-sm font-medium text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700 disabled:text-slate-500 aria-[current=step]:border-amber-800 aria-[current=step]:bg-amber-200';

/**
 * `compact` (presenter mode): only the note of the current step, large; the room hears the rest from the presenter.
 * `embed` (a course page's walk): the whole lesson, without the button that closes it — the page chose it.
 */
export default function LessonPanel({ id: lessonId, compact = false, embed = false }: { id: string; compact?: boolean; embed?: boolean }) {
  const { stores } = useDeps();
  const t = useT();
  const id = useId();
  const log = useStore(stores.walk, selectLog);
  const index = useStore(stores.playback, selectIndex);
  const entry = GALLERY.find((e) => e.id === lessonId);
  const steps = useMemo(() => (entry && log ? entry.lookHere.map((n) => resolveLookHere(log, n)) : []), [entry, log]);
  if (!entry) return null;
  const here = entry.lookHere.filter((_, k) => steps[k] === index);
  const notesNow = (
    <div role="status" aria-live="polite" data-testid="look-here-now">
      {here.map((n, k) => (
        <p key={k} className={`look-here mt-1 rounded-lg border-l-8 border-amber-700 bg-white px-4 py-3 font-semibold text-slate-950 shadow ${compact ? 'text-2xl' : 'text-xl'}`}>
          <span className="mr-2 rounded bg-amber-700 px-2 py-0.5 text-base text-white">{t('lesson.lookHere')}</span>
          {n.text[t.lang]}
        </p>
      ))}
    </div>
  );
  if (compact) {
    return (
      <section aria-label={t('lesson.title', { title: entry.title[t.lang] })} data-lesson={entry.id}>
        {notesNow}
      </section>
    );
  }
  return (
    <section aria-labelledby={id} className="flex flex-col gap-2 rounded-lg border-2 border-amber-600 bg-amber-50 px-4 py-3" data-lesson={entry.id}>
      <div className="flex flex-wrap items-baseline gap-2">
        <h2 id={id} className="text-lg font-semibold text-slate-900">
          {t('lesson.title', { title: entry.title[t.lang] })}
        </h2>
        {!embed && (
          <button type="button" className={`${btn} ml-auto`} onClick={() => stores.ui.setState({ lesson: null })}>
            {t('lesson.close')}
          </button>
        )}
      </div>
      {entry.modelled && (
        <p className="text-sm text-slate-700" data-testid="lesson-provenance">
          {t(entry.modelled === 'vlan' ? 'vlan.provenance' : 'tunnel.modelled')}
        </p>
      )}
      <p className="max-w-[100ch] text-base leading-relaxed text-slate-900">{entry.explanation[t.lang]}</p>
      {notesNow}
      <h3 className="text-base font-semibold text-slate-900">{t('lesson.notes')}</h3>
      <ol className="flex flex-col gap-1">
        {entry.lookHere.map((n, k) => {
          const at = steps[k] ?? null;
          return (
            <li key={k} className="flex flex-wrap items-baseline gap-2 text-sm text-slate-900">
              <button type="button" className={btn} disabled={at === null} aria-current={at !== null && at === index ? 'step' : undefined} onClick={() => at !== null && stepTo(stores, at)}>
                {at === null ? t('lesson.notInWalk', { n: k + 1 }) : t('lesson.jump', { n: k + 1, step: at + 1 })}
              </button>
              <span>{n.text[t.lang]}</span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
