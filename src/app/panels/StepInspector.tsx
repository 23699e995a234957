// pattern: Imperative Shell
// The step inspector: the packet at the current step, layer by layer
// (Ethernet, outer and inner IP for IP-in-IP, IP, TCP/UDP/ICMP with an ICMP
// error's quoted header, skb and conntrack marks), each changed field as
// before → after, and one sentence of the kernel's reasoning for the step.
//
// The step's place comes from the walk log in the background render right
// after the click's commit (usePanelStep: the click paints the flow graph
// first); the layers come from the worker's step inspection, which arrives a
// moment later (at once for a step already seen). Until it does, the previous
// step's layers stay, dimmed and marked busy, so the panel keeps its shape.

import { memo } from 'react';
import type { StepInspection } from '../../worker/protocol';
import { currentStep } from '../state/walk-store';
import { nodeName } from '../shell/derive';
import { useT, type T } from '../i18n/lang';
import { Empty, Panel } from './Panel';
import { fieldLabel, inspectorLayers, layerTitle, reasonText, valueText, type Layer } from './inspector-rows';
import { useStepPanelsInspection } from './useStepPanelsInspection';
import { usePanelStep } from './usePanelStep';

export const StepInspector = memo(function StepInspector() {
  const { log, index, walk } = usePanelStep();
  const step = currentStep(log, index);
  const { current, shown, status } = useStepPanelsInspection(walk, index);
  const t = useT();
  if (!step) {
    return (
      <Panel title={t('panel.headers')} className="min-h-[21rem]">
        <Empty>{t('common.noPacket')}</Empty>
      </Panel>
    );
  }
  const changes = current ? current.changes.length : 0;
  return (
    <Panel title={t('panel.headers')} className="min-h-[21rem]">
      <div className="flex flex-col gap-2" aria-busy={current === null && status === 'loading'} data-step={current?.step}>
        <p className="text-sm text-slate-700">
          {t('headers.where', { i: index + 1, host: step.host, node: nodeName(t, step.node) })}
          {changes > 0 && <span className="ml-2 font-semibold text-amber-900">{changes === 1 ? t('headers.oneChanged') : t('headers.nChanged', { n: changes })}</span>}
        </p>
        {status === 'failed' && current === null ? (
          <p className="text-sm text-red-800">{t('inspect.failed')}</p>
        ) : shown ? (
          <Inspection t={t} ins={current ?? shown} stale={current === null} />
        ) : (
          <Empty>{t('inspect.loading')}</Empty>
        )}
      </div>
    </Panel>
  );
});

/** Keyed on nothing but the inspection: a stepped-back-to step is the cached object, so memo skips the re-render. */
const Inspection = memo(function Inspection({ t, ins, stale }: { t: T; ins: StepInspection; stale: boolean }) {
  const layers = inspectorLayers(ins);
  return (
    <div className={stale ? 'opacity-50' : undefined}>
      <p className="mb-2 rounded bg-slate-100 px-2 py-1 text-sm text-slate-900" data-reason={ins.reason ?? ''}>
        <strong>{t('inspect.why')}:</strong> {reasonText(t, ins.reason, ins.changes.length > 0)}
      </p>
      <div className="flex flex-col gap-2">
        {layers.map((l) => (
          <LayerView key={l.id} t={t} layer={l} />
        ))}
      </div>
    </div>
  );
});

function LayerView({ t, layer }: { t: T; layer: Layer }) {
  const title = layerTitle(t, layer);
  return (
    <section aria-label={title} data-layer={layer.id}>
      <h3 className="text-sm font-semibold text-slate-800">{title}</h3>
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-0.5 text-base">
        {layer.rows.map((r) => (
          <div key={r.path} className={`contents ${r.changed ? 'font-semibold' : ''}`} data-path={r.path} data-changed={r.changed || undefined}>
            <dt className="text-slate-700">{fieldLabel(t, layer.id, r.field)}</dt>
            <dd className="font-mono break-all text-slate-900">
              {r.changed ? (
                <mark className="rounded bg-amber-100 px-1 text-slate-900 ring-1 ring-amber-500">
                  <del className="text-slate-700">{valueText(r.field, r.before, t)}</del>
                  <span aria-hidden="true"> → </span>
                  <span className="sr-only"> {t('headers.changedTo')} </span>
                  <ins className="no-underline">{valueText(r.field, r.after, t)}</ins>
                </mark>
              ) : (
                valueText(r.field, r.after, t)
              )}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
