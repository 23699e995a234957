// pattern: Imperative Shell
// The packet as it is at the current step; fields this step changed (NAT,
// TTL, mark) are marked with their value before → after.

import { memo } from 'react';
import { useStore } from 'zustand';
import type { HeaderView } from '../../engine/sim/header-view';
import { currentStep, selectIndex, selectLog } from '../state/walk-store';
import { useDeps } from '../shell/context';
import { HEADER_FIELDS, HEADER_LABELS, fieldText, headersSummary } from '../shell/derive';
import { Empty, Panel } from './Panel';

/** Fields always shown, so the panel keeps its shape from step to step; the rest only when present. */
const ALWAYS = new Set(['src', 'dst', 'proto', 'ttl', 'tos', 'mark', 'len']);

export const HeadersPanel = memo(function HeadersPanel() {
  const { stores } = useDeps();
  const log = useStore(stores.walk, selectLog);
  const index = useStore(stores.playback, selectIndex);
  const step = currentStep(log, index);
  return (
    <Panel title="Packet headers" className="min-h-[21rem]">
      {step ? <Headers headers={step.headers} changed={step.changed} where={`step ${index + 1}, ${step.host}, ${step.node}`} /> : <Empty>No packet yet.</Empty>}
    </Panel>
  );
});

function Headers({ headers, changed, where }: { headers: HeaderView; changed: Record<string, [unknown, unknown]>; where: string }) {
  const h = headers as unknown as Record<string, unknown>;
  const fields = HEADER_FIELDS.filter((f) => ALWAYS.has(f) || h[f] !== undefined || f in changed);
  const changes = Object.keys(changed).length;
  return (
    <div className="flex flex-col gap-2">
      <p className="text-sm text-slate-700">
        {where}
        {changes > 0 && <span className="ml-2 font-semibold text-amber-900">{changes === 1 ? '1 field changed' : `${changes} fields changed`}</span>}
      </p>
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-0.5 text-base">
        {fields.map((f) => {
          const c = changed[f];
          return (
            <div key={f} className={`contents ${c ? 'font-semibold' : ''}`}>
              <dt className="text-slate-700">{HEADER_LABELS[f]}</dt>
              <dd className="font-mono text-slate-900">
                {c ? (
                  <mark className="rounded bg-amber-100 px-1 text-slate-900 ring-1 ring-amber-500">
                    <del className="text-slate-700">{fieldText(f, c[0])}</del>
                    <span aria-hidden="true"> → </span>
                    <span className="sr-only"> changed to </span>
                    <ins className="no-underline">{fieldText(f, c[1])}</ins>
                  </mark>
                ) : (
                  fieldText(f, h[f])
                )}
              </dd>
            </div>
          );
        })}
        {headers.inner && (
          <div className="contents">
            <dt className="text-slate-700">quoted packet</dt>
            <dd className="font-mono text-slate-900">{headersSummary(headers.inner)}</dd>
          </div>
        )}
      </dl>
    </div>
  );
}
