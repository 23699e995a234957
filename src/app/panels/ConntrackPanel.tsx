// pattern: Imperative Shell
// The current host's conntrack table as `conntrack -L` prints it at this
// step (before the packet was confirmed, or after), with the current packet's
// entry marked and what conntrack said about the packet. The lines and which
// entry is the packet's are the engine's (the conntrack note names its entry).

import { memo } from 'react';
import { useStore } from 'zustand';
import { currentStep, selectIndex, selectLog } from '../state/walk-store';
import { useDeps } from '../shell/context';
import { latestNote } from '../shell/derive';
import { Empty, Panel } from './Panel';
import { useT } from '../i18n/lang';
import { wordText } from '../shell/derive';

export const ConntrackPanel = memo(function ConntrackPanel() {
  const { stores } = useDeps();
  const log = useStore(stores.walk, selectLog);
  const index = useStore(stores.playback, selectIndex);
  const step = currentStep(log, index);
  const t = useT();
  if (!log || !step) {
    return (
      <Panel title={t('panel.conntrack')} className="min-h-[10rem]">
        <Empty>{t('common.noPacket')}</Empty>
      </Panel>
    );
  }
  const active = log.hosts.find((h) => h.name === step.host)?.conntrackActive ?? false;
  const packet = log.packets.find((p) => p.id === step.packet);
  const passed = step.kind === 'end' || (step.kind === 'note' && (step.note.kind === 'deliver' || step.note.kind === 'transmit'));
  const entries = (passed ? packet?.conntrackAfter : packet?.conntrackBefore) ?? [];
  const note = latestNote(log, index, 'conntrack');
  return (
    <Panel title={t('panel.conntrack')} className="min-h-[10rem]">
      <p className="text-sm text-slate-700">
        <span className="font-mono">conntrack -L</span> {passed ? t('ct.after', { host: step.host }) : t('ct.before', { host: step.host })}
      </p>
      {note && (
        <p className="mt-1 text-base">
          {t('ct.thisPacket')} <strong>{note.state}</strong>
          {note.entry && <span className="font-mono"> · {note.entry}</span>}
          {note.reason && <span> ({wordText(t, 'reason.', note.reason)})</span>}
        </p>
      )}
      {!active && <p className="mt-1 text-sm text-slate-700">{t('ct.inactive', { host: step.host })}</p>}
      {entries.length > 0 ? (
        <ul className="mt-2 flex flex-col gap-1 font-mono text-sm">
          {entries.map((e) => {
            const mine = note !== null && note.entryId === e.id;
            return (
              <li key={e.id} className={`rounded px-1 break-words ${mine ? 'bg-amber-100 ring-1 ring-amber-500' : ''}`} aria-current={mine ? 'true' : undefined}>
                {e.line}
              </li>
            );
          })}
        </ul>
      ) : (
        active && <p className="mt-2 text-sm text-slate-700">{t('ct.empty')}</p>
      )}
    </Panel>
  );
});
