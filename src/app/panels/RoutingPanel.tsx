// pattern: Imperative Shell
// The packet's latest routing decision: which `ip rule` sent the lookup to
// which table, the route that matched, and where it leads.

import { memo } from 'react';
import { useStore } from 'zustand';
import { selectIndex, selectLog } from '../state/walk-store';
import { useDeps } from '../shell/context';
import { latestNote } from '../shell/derive';
import { Empty, Panel } from './Panel';
import { useT } from '../i18n/lang';
import { wordText } from '../shell/derive';

const STAGES = { input: 'routing.stage.input', output: 'routing.stage.output', reroute: 'routing.stage.reroute' } as const;

export const RoutingPanel = memo(function RoutingPanel() {
  const { stores } = useDeps();
  const log = useStore(stores.walk, selectLog);
  const index = useStore(stores.playback, selectIndex);
  const note = log && index >= 0 ? latestNote(log, index, 'route') : null;
  const t = useT();
  return (
    <Panel title={t('panel.routing')} className="min-h-[13rem]">
      {note ? (
        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-0.5 text-base">
          <dt className="text-slate-700">{t('routing.stage')}</dt>
          <dd>{t(STAGES[note.stage])}</dd>
          <dt className="text-slate-700">{t('routing.decision')}</dt>
          <dd className={note.decision === 'error' ? 'font-semibold text-red-800' : 'font-semibold'}>{note.decision}</dd>
          {note.rulePriority !== null && (
            <>
              <dt className="text-slate-700">ip rule</dt>
              <dd className="font-mono">
                {note.rulePriority}: lookup {note.table ?? '?'}
              </dd>
            </>
          )}
          {note.route && (
            <>
              <dt className="text-slate-700">{t('routing.route')}</dt>
              <dd className="font-mono break-words">{note.route.trim()}</dd>
            </>
          )}
          {note.dev && (
            <>
              <dt className="text-slate-700">dev</dt>
              <dd className="font-mono">{note.dev}</dd>
            </>
          )}
          {note.gateway && (
            <>
              <dt className="text-slate-700">{t('routing.gateway')}</dt>
              <dd className="font-mono">{note.gateway}</dd>
            </>
          )}
          {note.src && (
            <>
              <dt className="text-slate-700">src</dt>
              <dd className="font-mono">{note.src}</dd>
            </>
          )}
          {note.reason && (
            <>
              <dt className="text-slate-700">{t('routing.reason')}</dt>
              <dd className="font-semibold text-red-800">{wordText(t, 'reason.', note.reason)}</dd>
            </>
          )}
        </dl>
      ) : (
        <Empty>{log && index >= 0 ? t('routing.none') : t('common.noPacket')}</Empty>
      )}
    </Panel>
  );
});
