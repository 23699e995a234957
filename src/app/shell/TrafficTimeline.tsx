// pattern: Imperative Shell
// The traffic the walk holds, one line per traffic step, under the packet
// form: after "Send another" the earlier connections are still there, with
// the state they left, and this list says so — what each sent, what came of
// it, which real server IPVS chose. A line's button goes to its first step;
// the line of the step on screen is marked.

import { memo, useId, useMemo } from 'react';
import { useStore } from 'zustand';
import { selectLog, stepTo } from '../state/walk-store';
import { useT } from '../i18n/lang';
import { useDeps } from './context';
import { rowAt, trafficRows } from './traffic-rows';

const btn =
  'rounded border border-slate-500 bg-white px-2 py-0.5 font-mono text-sm font-medium text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700 aria-[current=step]:border-blue-800 aria-[current=step]:bg-blue-100';

export const TrafficTimeline = memo(function TrafficTimeline() {
  const { stores } = useDeps();
  const t = useT();
  const id = useId();
  const log = useStore(stores.walk, selectLog);
  const rows = useMemo(() => (log ? trafficRows(log) : []), [log]);
  // the list renders again when the step moves to another traffic step, not at every step
  const current = useStore(stores.playback, (s) => rowAt(rows, s.index));
  return (
    // the heading sits beside the list, so the list costs the graph below it as few lines as it has rows
    <section aria-labelledby={id} className="mt-1 flex flex-wrap items-baseline gap-x-3 border-t border-slate-200 pt-1">
      <h2 id={id} className="text-sm font-semibold text-slate-900">
        {t('traffic.title')}
      </h2>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-700">{t('traffic.empty')}</p>
      ) : (
        <ol className="flex max-h-48 min-w-0 flex-1 flex-col gap-1 overflow-y-auto" data-testid="traffic-timeline">
          {rows.map((r) => (
            <li key={r.n} className="flex flex-wrap items-baseline gap-x-2 text-sm text-slate-900" data-traffic={r.n} data-server={r.servers.join(' ')}>
              <button type="button" className={btn} aria-label={t('traffic.go', { n: r.n })} aria-current={current === r.n ? 'step' : undefined} onClick={() => stepTo(stores, r.firstStep)}>
                #{r.n}
              </button>
              <span className="font-mono">{r.action}</span>
              {r.local && <span className="font-mono text-slate-700">({r.local})</span>}
              <span>{t(r.outcome.key, r.outcome.params)}</span>
              {r.servers.map((s) => (
                <span key={s} className="rounded bg-amber-100 px-1 font-mono text-amber-950">
                  {t('traffic.ipvs', { server: s })}
                </span>
              ))}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
});
