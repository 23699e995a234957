// pattern: Imperative Shell
// The current host's conntrack table as of this step (engine lab/inspect.ts:
// the packet's own entry as the latest conntrack step left it, unconfirmed
// until nf_conntrack_confirm), one row per entry with its original and reply
// tuples, state, timeout and mark. The packet's entry is marked, and in it
// the tuple of the direction this packet travels: a reply shows REPLY.
// What conntrack said about the packet (the note) comes from the walk log,
// so it changes in the click's frame; the table follows with the inspection.

import { memo } from 'react';
import type { CtTupleView } from '../../engine/conntrack/types';
import type { StepInspection } from '../../worker/protocol';
import { currentStep } from '../state/walk-store';
import { latestNote, wordText } from '../shell/derive';
import { Empty, Panel } from './Panel';
import { useT, type T } from '../i18n/lang';
import { useStepPanelsInspection } from './useStepPanelsInspection';
import { usePanelStep } from './usePanelStep';

/** A tuple as a reader scans it: `src:sport → dst:dport`, ICMP with its type, code and id. */
export function tupleText(t: CtTupleView): string {
  if ('sport' in t) return `${t.src}:${t.sport} → ${t.dst}:${t.dport}`;
  if ('type' in t) return `${t.src} → ${t.dst} type=${t.type} code=${t.code} id=${t.id}`;
  return `${t.src} → ${t.dst}`;
}

export const ConntrackPanel = memo(function ConntrackPanel() {
  const { log, index, walk } = usePanelStep();
  const step = currentStep(log, index);
  const { current, shown } = useStepPanelsInspection(walk, index);
  const t = useT();
  if (!log || !step) {
    return (
      <Panel title={t('panel.conntrack')} className="min-h-[10rem]">
        <Empty>{t('common.noPacket')}</Empty>
      </Panel>
    );
  }
  const active = log.hosts.find((h) => h.name === step.host)?.conntrackActive ?? false;
  const note = latestNote(log, index, 'conntrack');
  const ins = current ?? shown;
  return (
    <Panel title={t('panel.conntrack')} className="min-h-[10rem]">
      <p className="text-sm text-slate-700">
        <span className="font-mono">conntrack -L</span> {t('ct.asOf', { host: step.host })}
      </p>
      {note && (
        <p className="mt-1 text-base">
          {t('ct.thisPacket')} <strong>{note.state}</strong>
          {note.reason && <span> ({wordText(t, 'reason.', note.reason)})</span>}
        </p>
      )}
      {!active && <p className="mt-1 text-sm text-slate-700">{t('ct.inactive', { host: step.host })}</p>}
      {active && ins && <Table t={t} ins={ins} stale={current === null} />}
    </Panel>
  );
});

const Table = memo(function Table({ t, ins, stale }: { t: T; ins: StepInspection; stale: boolean }) {
  const ct = ins.conntrack;
  if (!ct) return null;
  const dir = ct.packet?.direction ?? null;
  return (
    <div className={stale ? 'opacity-50' : undefined} aria-busy={stale}>
      <p className="mt-1 text-sm font-semibold" data-direction={dir ?? 'none'}>
        {dir === 'reply' ? t('ct.direction.reply') : dir === 'original' ? t('ct.direction.original') : t('ct.direction.none')}
      </p>
      {ct.entries.length > 0 ? (
        <div className="mt-2 overflow-x-auto">
          <table className="w-full border-collapse text-left font-mono text-sm">
            <thead>
              <tr className="font-sans text-slate-700">
                <th scope="col" className="px-1 font-semibold">
                  {t('ct.col.original')}
                </th>
                <th scope="col" className="px-1 font-semibold">
                  {t('ct.col.reply')}
                </th>
                <th scope="col" className="px-1 font-semibold">
                  {t('ct.col.state')}
                </th>
                <th scope="col" className="px-1 font-semibold">
                  {t('ct.col.timeout')}
                </th>
                <th scope="col" className="px-1 font-semibold">
                  {t('ct.col.mark')}
                </th>
              </tr>
            </thead>
            <tbody>
              {ct.entries.map((e) => {
                const mine = ct.packet !== null && ct.packet.entryId === e.id;
                const cell = (d: 'original' | 'reply', tuple: CtTupleView) => {
                  const here = mine && dir === d;
                  return (
                    <td className={`px-1 align-top ${here ? 'bg-amber-200 font-semibold' : ''}`} data-this-packet={here || undefined}>
                      {tupleText(tuple)}
                      {here && <span className="ml-1 font-sans text-xs">({t('ct.thisDirection')})</span>}
                    </td>
                  );
                };
                const state = [e.entry.proto, e.entry.state, ...(e.entry.flags ?? []).map((f) => `[${f}]`), e.unconfirmed ? `(${t('ct.unconfirmed')})` : ''].filter(Boolean).join(' ');
                return (
                  <tr key={e.id} className={`border-t border-slate-200 ${mine ? 'bg-amber-50 ring-1 ring-amber-500' : ''}`} aria-current={mine ? 'true' : undefined} title={e.line}>
                    {cell('original', e.entry.orig)}
                    {cell('reply', e.entry.reply)}
                    <td className="px-1 align-top">{state}</td>
                    <td className="px-1 align-top tabular-nums">{e.timeout}</td>
                    <td className="px-1 align-top">0x{(e.entry.mark ?? 0).toString(16)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="mt-2 text-sm text-slate-700">{t('ct.empty')}</p>
      )}
    </div>
  );
});
