// pattern: Imperative Shell
// A walk the engine's work budget ended early (WalkLog.stopped): which
// budget ran out and where, in the reader's language, and a way to the last
// step walked. The walk up to there is the log shown, so playback, the graph
// and the panels step through it as through any other walk.

import { memo } from 'react';
import { useStore } from 'zustand';
import { selectLog, stepTo } from '../state/walk-store';
import { useT } from '../i18n/lang';
import { useDeps } from './context';
import { budgetStopWords } from './budget-stop';

const btn = 'rounded border border-slate-500 bg-white px-3 py-1 text-sm font-medium text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700';

export const BudgetNotice = memo(function BudgetNotice() {
  const { stores } = useDeps();
  const t = useT();
  const log = useStore(stores.walk, selectLog);
  const stop = log?.stopped ?? null;
  if (!log || !stop) return null;
  const words = budgetStopWords(stop, t);
  return (
    <section role="status" aria-label={t('budget.title')} data-testid="budget-stop" className="flex flex-col gap-1 rounded-lg border-2 border-amber-700 bg-amber-50 px-4 py-3 text-amber-950">
      <p className="font-semibold">{words.what}</p>
      <p>{words.where}</p>
      <p className="text-sm">{words.kept}</p>
      {log.steps.length > 0 && (
        <div>
          <button type="button" className={btn} onClick={() => stepTo(stores, log.steps.length - 1)}>
            {t('budget.goto')}
          </button>
        </div>
      )}
    </section>
  );
});
