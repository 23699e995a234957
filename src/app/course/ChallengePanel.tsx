// pattern: Imperative Shell
// A challenge's page beside the walk: the task, the tools and the command
// budget, the probes and goals, hints one at a time, Check (each goal met or
// not with its why, and a button to the walk step that decided it), the
// reference solution on request, and the seed of the variant shown.

import { useId, useState } from 'react';
import { useStore } from 'zustand';
import { useDeps } from '../shell/context';
import { stepTo } from '../state/walk-store';
import { useT } from '../i18n/lang';
import { checkChallenge, closeChallenge, courseStore, openChallenge, revealHint, revealSolution, showCourse } from './course-store';

const btn = 'rounded border border-slate-500 bg-white px-2 py-0.5 text-sm font-medium text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700 disabled:text-slate-600';
const primary = 'rounded border border-blue-800 bg-blue-700 px-3 py-1 text-sm font-semibold text-white hover:bg-blue-800 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700 disabled:bg-slate-500';

function Variant({ id, seed }: { id: string; seed: number }) {
  const { stores, client } = useDeps();
  const t = useT();
  const [value, setValue] = useState(String(seed));
  const n = Number(value);
  const valid = /^\d{1,10}$/.test(value) && Number.isSafeInteger(n) && n <= 0xffffffff;
  return (
    <form
      className="flex flex-wrap items-center gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) void openChallenge(stores, client, id, n);
      }}
    >
      <label className="text-sm text-slate-800">
        {t('course.variant')}{' '}
        <input className="w-28 rounded border border-slate-500 px-1 font-mono" inputMode="numeric" value={value} onChange={(e) => setValue(e.target.value)} />
      </label>
      <button type="submit" className={btn} disabled={!valid || n === seed}>
        {t('course.openVariant')}
      </button>
    </form>
  );
}

export default function ChallengePanel() {
  const { stores, client } = useDeps();
  const t = useT();
  const id = useId();
  const s = useStore(courseStore(stores));
  const view = s.view;
  if (!view) {
    return s.problem?.kind === 'not-found' ? (
      <p role="alert" className="rounded-lg border border-red-700 bg-red-50 px-3 py-2 text-red-900">
        {t('course.notFound', { id: s.problem.detail })}
      </p>
    ) : null;
  }
  const result = s.result;
  const met = result?.ok ? result.goals.filter((g) => g.met).length : 0;
  return (
    <section aria-labelledby={id} className="flex flex-col gap-2 rounded-lg border-2 border-blue-800 bg-white p-3" data-testid="challenge" data-challenge-open={view.id}>
      <div className="flex flex-wrap items-center gap-2">
        <h2 id={id} className="text-lg font-semibold text-slate-900">
          {t('course.challenge')}: {view.title[t.lang]}
        </h2>
        <span className="rounded bg-slate-200 px-1.5 text-xs font-medium text-slate-800">{t(`course.level.${view.level}`)}</span>
        <div className="ml-auto flex gap-2">
          <button type="button" className={btn} onClick={() => showCourse(stores)}>
            {t('course.list')}
          </button>
          <button type="button" className={btn} onClick={() => closeChallenge(stores)}>
            {t('course.close')}
          </button>
        </div>
      </div>
      <h3 className="font-semibold text-slate-900">{t('course.task')}</h3>
      <p className="text-base text-slate-900" data-testid="challenge-task">
        {view.task[t.lang]}
      </p>
      <p className="text-sm text-slate-800">
        <strong>{t('course.tools')}:</strong> {view.tools.programs.length ? view.tools.programs.join(', ') : t('course.noTools')}
        {view.tools.programs.length > 0 && <> · {view.tools.budget === null ? t('course.noBudget') : t('course.budget', { n: view.tools.budget })}</>} · {t('course.host', { host: view.host })}
      </p>
      <details>
        <summary className="cursor-pointer text-sm font-semibold text-slate-900">
          {t('course.probes')} ({view.probes.length}) · {t('course.goals')} ({view.goals.length})
        </summary>
        <ol className="ml-5 list-decimal text-sm text-slate-800">
          {view.probes.map((p, k) => (
            <li key={k}>{p[t.lang]}</li>
          ))}
        </ol>
        <ul className="ml-5 list-disc font-mono text-sm text-slate-800">
          {view.goals.map((g, k) => (
            <li key={k}>{g}</li>
          ))}
        </ul>
      </details>
      {view.choices && (
        <fieldset className="flex flex-col gap-1">
          <legend className="font-semibold text-slate-900">{t('course.answer')}</legend>
          {view.choices.map((c) => (
            <label key={c.id} className="flex items-start gap-2 text-sm text-slate-900">
              <input type="radio" name={`${id}-answer`} value={c.id} checked={s.answer === c.id} onChange={() => courseStore(stores).setState({ answer: c.id })} />
              <span>{c.label[t.lang]}</span>
            </label>
          ))}
        </fieldset>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className={primary} disabled={s.checking} onClick={() => void checkChallenge(stores, client)}>
          {s.checking ? t('course.checking') : t('course.check')}
        </button>
        <button type="button" className={btn} disabled={s.hints.length >= view.hints} onClick={() => void revealHint(stores, client)}>
          {s.hints.length >= view.hints ? t('course.noMoreHints') : t('course.hint')}
        </button>
        <button type="button" className={btn} disabled={s.solution !== null} onClick={() => void revealSolution(stores, client)}>
          {t('course.solution')}
        </button>
      </div>
      {s.hints.length > 0 && (
        <ol aria-label={t('course.hints')} className="ml-5 list-decimal text-sm text-slate-900" data-testid="hints">
          {s.hints.map((h, k) => (
            <li key={k}>{h[t.lang]}</li>
          ))}
        </ol>
      )}
      <div role="status" aria-live="polite" data-testid="check-result">
        {s.problem?.kind === 'check' && <p className="text-red-900">{t('course.checkError', { why: s.problem.detail })}</p>}
        {result?.ok && (
          <>
            <p className={`font-semibold ${result.passed ? 'text-green-900' : 'text-red-900'}`} data-passed={result.passed}>
              {result.passed ? t('course.passedAll') : t('course.notYet', { met, total: result.goals.length })}
            </p>
            <ul className="flex flex-col gap-1">
              {result.goals.map((g, k) => (
                <li key={k} className="flex flex-wrap items-center gap-2 text-sm" data-goal-met={g.met}>
                  <span className={`rounded px-1.5 text-xs font-semibold ${g.met ? 'bg-green-100 text-green-900' : 'bg-red-100 text-red-900'}`}>{g.met ? `✓ ${t('course.met')}` : `✗ ${t('course.notMet')}`}</span>
                  <code className="font-mono text-slate-900">{g.goal}</code>
                  <span className="text-slate-800">{g.why[t.lang]}</span>
                  {g.step !== null && (
                    <button type="button" className={btn} onClick={() => stepTo(stores, g.step!)}>
                      {t('course.goStep', { n: g.step })}
                    </button>
                  )}
                </li>
              ))}
            </ul>
            <p className="text-sm text-slate-800">{t('course.commandsUsed', { n: result.commands })}</p>
            {s.code && (
              <p className="text-sm text-slate-800">
                {t('course.code')}: <code className="font-mono" data-testid="result-code">{s.code}</code>
              </p>
            )}
          </>
        )}
      </div>
      {s.solution !== null && (
        <div>
          <h3 className="font-semibold text-slate-900">{t('course.solutionTitle')}</h3>
          <pre className="overflow-x-auto rounded bg-slate-100 p-2 font-mono text-sm text-slate-900" data-testid="solution">
            {s.solution}
          </pre>
        </div>
      )}
      <Variant key={`${view.id}-${view.seed}`} id={view.id} seed={view.seed} />
    </section>
  );
}
