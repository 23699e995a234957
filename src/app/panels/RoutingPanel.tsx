// pattern: Imperative Shell
// The packet's latest routing decision: which `ip rule` sent the lookup to
// which table (the whole rule as `ip rule show` prints it, selector
// included), the route that matched, where it leads, and the neighbour
// table as of the step (from the step inspection), where the next hop's MAC
// comes from.

import { memo } from 'react';
import type { NeighRow } from '../../engine/lab/inspect';
import { latestNote } from '../shell/derive';
import { Empty, Panel } from './Panel';
import { useT } from '../i18n/lang';
import { wordText } from '../shell/derive';
import { useStepPanelsInspection } from './useStepPanelsInspection';
import { usePanelStep } from './usePanelStep';
import type { T } from '../i18n/lang';

const STAGES = { input: 'routing.stage.input', output: 'routing.stage.output', reroute: 'routing.stage.reroute' } as const;

export const RoutingPanel = memo(function RoutingPanel() {
  const { log, index, walk } = usePanelStep();
  const note = log && index >= 0 ? latestNote(log, index, 'route') : null;
  const t = useT();
  const { current, shown } = useStepPanelsInspection(walk, index);
  const ins = current ?? shown;
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
              <dd className="font-mono break-words whitespace-pre-wrap">{note.rule ? note.rule.replace('\t', ' ') : `${note.rulePriority}: lookup ${note.table ?? '?'}`}</dd>
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
      {log && index >= 0 && ins && <Neighbours t={t} rows={ins.neighbours} stale={current === null} />}
    </Panel>
  );
});

/** `ip neigh show` as of the step: the learned entries with their NUD state. */
const Neighbours = memo(function Neighbours({ t, rows, stale }: { t: T; rows: NeighRow[]; stale: boolean }) {
  return (
    <section aria-label={t('routing.neighbours')} className={`mt-3 ${stale ? 'opacity-50' : ''}`} aria-busy={stale}>
      <h3 className="text-sm font-semibold text-slate-800">{t('routing.neighbours')}</h3>
      {rows.length > 0 ? (
        <ul className="font-mono text-sm">
          {rows.map((r) => (
            <li key={`${r.dev} ${r.addr}`}>
              {r.addr} dev {r.dev}
              {r.lladdr ? ` lladdr ${r.lladdr}` : ''} {r.state}
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-slate-700">{t('routing.noNeighbours')}</p>
      )}
    </section>
  );
});
