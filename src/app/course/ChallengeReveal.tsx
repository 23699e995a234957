// pattern: Imperative Shell
// Presenter mode's side of an open challenge: the task in large type and the
// reference solution revealed one line at a time (N or the button), each
// line applied to the challenge's start so the walk on screen is the
// solution so far, with every goal's status and why read off that walk.
// "Reveal all" and "Hide" jump to the end or back to the start; how far the
// reveal has gone is `reveal=K` in the address bar, so a refresh keeps it.

import { useEffect, useId } from 'react';
import { useStore } from 'zustand';
import { useDeps } from '../shell/context';
import { typingIn } from '../shell/Playback';
import { useT } from '../i18n/lang';
import { courseStore, presentReveal, revealNext } from './course-store';

const btn = 'rounded border-2 border-black bg-white px-3 py-1 text-base font-semibold text-black hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700 disabled:border-slate-500 disabled:text-slate-600';

/** The last line there is to reveal: `reveal=` past it shows them all. */
const ALL = 10_000;

export default function ChallengeReveal() {
  const { stores, client } = useDeps();
  const t = useT();
  const id = useId();
  const view = useStore(courseStore(stores), (s) => s.view);
  const stage = useStore(courseStore(stores), (s) => s.stage);
  const check = useStore(courseStore(stores), (s) => s.stageCheck);
  const reveal = useStore(stores.ui, (s) => s.challenge?.reveal);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey || typingIn(e.target)) return;
      if (e.key !== 'n' && e.key !== 'N') return;
      e.preventDefault();
      void revealNext(stores, client);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [stores, client]);
  if (!view) return null;
  const shown = reveal === undefined || !stage ? [] : stage.shown;
  const total = stage?.total ?? null;
  const done = total !== null && shown.length >= total;
  return (
    <section aria-labelledby={id} className="flex max-h-[45vh] flex-col gap-2 overflow-y-auto rounded-lg border-2 border-black bg-white p-3" data-testid="challenge-reveal">
      <div className="flex flex-wrap items-baseline gap-3">
        <h2 id={id} className="text-xl font-bold text-black">
          {t('course.challenge')}: {view.title[t.lang]}
        </h2>
        <p className="text-lg text-black">{view.task[t.lang]}</p>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className={btn} aria-keyshortcuts="N" disabled={done} onClick={() => void revealNext(stores, client)}>
          {t('course.reveal.next')} (N)
        </button>
        <button type="button" className={btn} disabled={done} onClick={() => void presentReveal(stores, client, ALL)}>
          {t('course.reveal.all')}
        </button>
        <button type="button" className={btn} disabled={reveal === undefined || shown.length === 0} onClick={() => void presentReveal(stores, client, 0)}>
          {t('course.reveal.hide')}
        </button>
        <p className="text-base font-semibold text-black tabular-nums" data-testid="reveal-count">
          {total === null ? t('course.reveal.none') : t('course.reveal.count', { i: shown.length, n: total })}
        </p>
      </div>
      {shown.length > 0 && (
        <ol aria-label={t('course.solutionTitle')} className="ml-6 list-decimal font-mono text-xl text-black" data-testid="revealed">
          {shown.map((l, k) => (
            <li key={k}>{l.host === null ? t('course.reveal.answer', { answer: l.text }) : `${l.host}# ${l.text}`}</li>
          ))}
        </ol>
      )}
      <div role="status" aria-live="polite" data-testid="reveal-goals">
        {check?.ok === false && <p className="text-lg text-red-900">{t('course.checkError', { why: check.error })}</p>}
        {check?.ok && (
          <>
            <p className={`text-lg font-bold ${check.passed ? 'text-green-900' : 'text-red-900'}`} data-passed={check.passed}>
              {check.passed ? t('course.passedAll') : t('course.notYet', { met: check.goals.filter((g) => g.met).length, total: check.goals.length })}
            </p>
            <ul className="flex flex-col gap-1">
              {check.goals.map((g, k) => (
                <li key={k} className="flex flex-wrap items-baseline gap-2 text-base" data-goal-met={g.met}>
                  <span className={`rounded px-1.5 font-bold ${g.met ? 'bg-green-100 text-green-900' : 'bg-red-100 text-red-900'}`}>{g.met ? `✓ ${t('course.met')}` : `✗ ${t('course.notMet')}`}</span>
                  <code className="font-mono text-black">{g.goal}</code>
                  <span className="text-black">{g.why[t.lang]}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </section>
  );
}
