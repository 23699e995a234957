// pattern: Imperative Shell
// What the engine's keepers tell the user: a worker stopped by the watchdog
// (or dead) and started again, and a scenario whose traffic is held back
// because the last visit never finished walking it (walk-guard.ts), with
// the three ways on: step by step, all at once, or discard.

import { memo } from 'react';
import { useStore } from 'zustand';
import { useT } from '../i18n/lang';
import type { MessageKey } from '../i18n/i18n';
import type { EngineRestart } from '../../worker/client';
import { useDeps } from './context';
import { discardHeld, dismissRestart, selectHeld, selectRestart, sendAllHeld, sendNextHeldStep, type WalkGuard } from './walk-guard';

const btn = 'rounded border border-slate-500 bg-white px-3 py-1 text-sm font-medium text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700';

/** What each request was doing, for the notice (a record, so a new request type cannot go unnamed). */
const WHAT: Record<EngineRestart['request'], MessageKey> = {
  open: 'engine.what.open',
  replace: 'engine.what.replace',
  edit: 'engine.what.edit',
  undo: 'engine.what.undo',
  redo: 'engine.what.redo',
  send: 'engine.what.send',
  events: 'engine.what.events',
  explain: 'engine.what.explain',
  inspect: 'engine.what.inspect',
  chain: 'engine.what.chain',
  'host-view': 'engine.what.host-view',
  query: 'engine.what.query',
  extensions: 'engine.what.extensions',
  snapshot: 'engine.what.snapshot',
  export: 'engine.what.export',
  check: 'engine.what.check',
  close: 'engine.what.close',
  'kube-scaling': 'engine.what.kube-scaling',
  course: 'engine.what.course',
  challenge: 'engine.what.challenge',
  'challenge-check': 'engine.what.challenge-check',
  'challenge-reveal': 'engine.what.challenge-reveal',
  'challenge-stage': 'engine.what.challenge-stage',
};

export const EngineNotice = memo(function EngineNotice() {
  const { guard } = useDeps();
  return guard ? <Notices guard={guard} /> : null;
});

function Notices({ guard }: { guard: WalkGuard }) {
  const { stores, client } = useDeps();
  const t = useT();
  const held = useStore(guard.state, selectHeld);
  const restart = useStore(guard.state, selectRestart);
  const num = (n: number) => n.toLocaleString(t.lang === 'zh' ? 'zh-CN' : 'en');
  return (
    <>
      {restart && (
        <div role="alert" data-testid="engine-restarted" className="flex flex-wrap items-center gap-3 rounded-lg border-2 border-amber-700 bg-amber-50 px-4 py-2 text-amber-950">
          <p>
            {t(restart.reason === 'timeout' ? 'engine.restartedTimeout' : 'engine.restartedCrash', {
              what: t(WHAT[restart.request]),
              s: (restart.ms / 1000).toFixed(restart.ms < 10_000 ? 1 : 0),
            })}
          </p>
          <button type="button" className={btn} onClick={() => dismissRestart(guard)}>
            {t('engine.dismiss')}
          </button>
        </div>
      )}
      {held && (
        <section aria-label={t('guard.title')} data-testid="walk-held" className="flex flex-col gap-2 rounded-lg border-2 border-amber-700 bg-amber-50 px-4 py-3 text-amber-950">
          <p className="font-semibold">{t('guard.held', { n: num(held.total) })}</p>
          {held.sent > 0 && <p role="status">{t('guard.progress', { sent: num(held.sent), n: num(held.total) })}</p>}
          <div className="flex flex-wrap gap-2">
            <button type="button" className={btn} onClick={() => void sendNextHeldStep(guard, stores, client)}>
              {t('guard.next', { k: num(held.sent + 1), n: num(held.total) })}
            </button>
            <button type="button" className={btn} onClick={() => void sendAllHeld(guard, stores, client)}>
              {t('guard.all', { n: num(held.total) })}
            </button>
            <button type="button" className={btn} onClick={() => void discardHeld(guard, stores, client)}>
              {t('guard.discard')}
            </button>
          </div>
        </section>
      )}
    </>
  );
}
