// pattern: Imperative Shell
// The packet as it is at the current step; fields this step changed (NAT,
// TTL, mark) are marked with their value before → after.

import { memo } from 'react';
import { useStore } from 'zustand';
import type { HeaderView } from '../../engine/sim/header-view';
import { currentStep, selectIndex, selectLog } from '../state/walk-store';
import { useDeps } from '../shell/context';
import { HEADER_FIELDS, HEADER_LABEL_KEYS, fieldText, headersSummary, nodeName } from '../shell/derive';
import { useT, type T } from '../i18n/lang';
import { Empty, Panel } from './Panel';

/** Fields always shown, so the panel keeps its shape from step to step; the rest only when present. */
const ALWAYS = new Set(['src', 'dst', 'proto', 'ttl', 'tos', 'mark', 'len']);

export const HeadersPanel = memo(function HeadersPanel() {
  const { stores } = useDeps();
  const log = useStore(stores.walk, selectLog);
  const index = useStore(stores.playback, selectIndex);
  const step = currentStep(log, index);
  const t = useT();
  return (
    <Panel title={t('panel.headers')} className="min-h-[21rem]">
      {step ? <Headers t={t} headers={step.headers} changed={step.changed} where={t('headers.where', { i: index + 1, host: step.host, node: nodeName(t, step.node) })} /> : <Empty>{t('common.noPacket')}</Empty>}
    </Panel>
  );
});

function Headers({ t, headers, changed, where }: { t: T; headers: HeaderView; changed: Record<string, [unknown, unknown]>; where: string }) {
  const h = headers as unknown as Record<string, unknown>;
  const fields = HEADER_FIELDS.filter((f) => ALWAYS.has(f) || h[f] !== undefined || f in changed);
  const changes = Object.keys(changed).length;
  return (
    <div className="flex flex-col gap-2">
      <p className="text-sm text-slate-700">
        {where}
        {changes > 0 && <span className="ml-2 font-semibold text-amber-900">{changes === 1 ? t('headers.oneChanged') : t('headers.nChanged', { n: changes })}</span>}
      </p>
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-0.5 text-base">
        {fields.map((f) => {
          const c = changed[f];
          return (
            <div key={f} className={`contents ${c ? 'font-semibold' : ''}`}>
              <dt className="text-slate-700">{t(HEADER_LABEL_KEYS[f])}</dt>
              <dd className="font-mono text-slate-900">
                {c ? (
                  <mark className="rounded bg-amber-100 px-1 text-slate-900 ring-1 ring-amber-500">
                    <del className="text-slate-700">{fieldText(f, c[0], t)}</del>
                    <span aria-hidden="true"> → </span>
                    <span className="sr-only"> {t('headers.changedTo')} </span>
                    <ins className="no-underline">{fieldText(f, c[1], t)}</ins>
                  </mark>
                ) : (
                  fieldText(f, h[f], t)
                )}
              </dd>
            </div>
          );
        })}
        {headers.inner && (
          <div className="contents">
            <dt className="text-slate-700">{t('headers.quoted')}</dt>
            <dd className="font-mono text-slate-900">{headersSummary(headers.inner)}</dd>
          </div>
        )}
      </dl>
    </div>
  );
}
