// pattern: Imperative Shell
// The walk's picture: the topology (click a host to see its graph), the flow
// graph of the host being shown with a host switcher, and the rules of the
// chosen chain. The graph components are loaded lazily into boxes of fixed
// size, so nothing on the page moves when they arrive.
//
// A step is painted by the flow graph in the frame of the click; the
// topology and the rule list below it follow once that frame is on screen
// (state/painted-step.ts), in a background render (useDeferredValue), so
// they never make that frame late.

import { lazy, memo, startTransition, Suspense, useCallback, useDeferredValue, useEffect, useId, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { useStore } from 'zustand';
import {
  chooseChain,
  currentStep,
  selectChosenHost,
  selectIndex,
  selectLog,
  selectViewChain,
  shownHost,
  showHost,
} from '../state/walk-store';
import { paintedStore, selectPaintedChain, selectPaintedHost, selectPaintedIndex, selectPaintedLog, selectPaintedWalk } from '../state/painted-step';
import type { TableName } from '../../engine/netfilter/hooks';
import { useDeps } from './context';
import { selectHostNames } from './derive-scenario';
import { packetChain } from './derive';
import { useT } from '../i18n/lang';
import type { MessageKey } from '../i18n/i18n';

const loadFlowGraph = () => import('../graph/FlowGraph');
const FlowGraph = lazy(() => loadFlowGraph().then((m) => ({ default: m.FlowGraph })));
// memo: their views re-render in a step's first commit with the deferred (previous) props, which must cost nothing
const Topology = lazy(() => import('../graph/Topology').then((m) => ({ default: memo(m.Topology) })));
const ChainRules = lazy(() => import('../graph/ChainRules').then((m) => ({ default: memo(m.ChainRules) })));

/**
 * The graph components fill their parent (React Flow fits the drawing to it),
 * so these boxes set the size, before and after the lazy chunks arrive:
 * nothing shifts when they do.
 */
const FLOW_BOX = 'h-[clamp(420px,68vh,860px)]';
const TOPOLOGY_BOX = 'h-[clamp(200px,26vh,320px)]';
const RULES_BOX = 'h-[clamp(280px,42vh,560px)]';

const FRAME = 'w-full overflow-hidden rounded-lg border border-slate-300 bg-white';

/**
 * True once the flow graph's chunk is here and the page has had an idle
 * moment after it: the topology's React Flow (its mount, measuring and fit)
 * then starts in tasks of its own instead of adding to the flow graph's,
 * which on a phone's start made one long task of the two.
 */
function useAfterFlowGraph(): boolean {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    if (ready) return;
    let gone = false;
    let idle: number | undefined;
    void loadFlowGraph().then(() => {
      if (gone) return;
      const go = () => startTransition(() => setReady(true));
      // Safari has no requestIdleCallback; a timer is the next task there
      idle = typeof window.requestIdleCallback === 'function' ? window.requestIdleCallback(go, { timeout: 1000 }) : window.setTimeout(go, 50);
    });
    return () => {
      gone = true;
      if (idle === undefined) return;
      if (typeof window.cancelIdleCallback === 'function') window.cancelIdleCallback(idle);
      else window.clearTimeout(idle);
    };
  }, [ready]);
  return ready;
}

function Loading({ what }: { what: MessageKey }) {
  const t = useT();
  return (
    <div className="flex h-full w-full items-center justify-center">
      <p className="text-sm text-slate-700">{t(what)}</p>
    </div>
  );
}

const tab =
  'rounded border px-3 py-1 text-sm font-medium focus:outline-2 focus:outline-offset-2 focus:outline-blue-700 aria-pressed:border-blue-800 aria-pressed:bg-blue-700 aria-pressed:text-white border-slate-400 bg-white text-slate-900 hover:bg-slate-100 aria-pressed:hover:bg-blue-800';

export const TopologyView = memo(function TopologyView() {
  const { stores } = useDeps();
  // all of what it shows deferred together, so a background render never pairs a new walk with an old step
  const painted = paintedStore(stores);
  const log = useDeferredValue(useStore(painted, selectPaintedLog));
  const index = useDeferredValue(useStore(painted, selectPaintedIndex));
  const chosen = useDeferredValue(useStore(painted, selectPaintedHost));
  const id = useId();
  const onSelectHost = useCallback((h: string) => showHost(stores, h), [stores]);
  const drawn = useAfterFlowGraph();
  const t = useT();
  return (
    <section aria-labelledby={id} className="flex flex-col gap-1">
      <div className="flex flex-wrap items-baseline gap-2">
        <h2 id={id} className="text-base font-semibold text-slate-900">
          {t('panel.topology')}
        </h2>
        <p className="text-sm text-slate-700">{t('topo.help')}</p>
      </div>
      <div className={`${TOPOLOGY_BOX} ${FRAME}`}>
        {log && drawn ? (
          <Suspense fallback={<Loading what="loading.topology" />}>
            <Topology log={log} index={index} selected={shownHost(log, index, chosen)} onSelectHost={onSelectHost} />
          </Suspense>
        ) : (
          <Loading what={log ? 'loading.topology' : 'loading.scenario'} />
        )}
      </div>
    </section>
  );
});

/** PNG and SVG of the drawn graph (the export code and html-to-image load on first use). */
function ExportButtons({ box, host }: { box: RefObject<HTMLDivElement | null>; host: string | null }) {
  const t = useT();
  const { stores } = useDeps();
  const [state, setState] = useState<'' | 'busy' | 'done' | 'failed'>('');
  const run = async (format: 'png' | 'svg') => {
    const el = box.current;
    if (!el) return;
    setState('busy');
    try {
      const { exportGraph } = await import('./export-graph');
      const scenario = stores.scenario.getState().scenario;
      const name = typeof scenario.name === 'string' ? scenario.name : 'scenario';
      await exportGraph(el, format, `packetwalk-${name}-${host ?? 'graph'}-step${stores.playback.getState().index + 1}`);
      setState('done');
    } catch {
      setState('failed');
    }
  };
  const btn = 'rounded border border-slate-400 bg-white px-2 py-0.5 text-sm text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700';
  return (
    <span className="flex items-center gap-1" role="group" aria-label={t('graph.export')}>
      <button type="button" className={btn} disabled={state === 'busy'} onClick={() => void run('png')}>
        {t('graph.exportPng')}
      </button>
      <button type="button" className={btn} disabled={state === 'busy'} onClick={() => void run('svg')}>
        {t('graph.exportSvg')}
      </button>
      <span role="status" className="text-sm text-slate-700">
        {state === 'busy' ? t('graph.exporting') : state === 'failed' ? t('graph.exportFailed') : ''}
      </span>
    </span>
  );
}

/**
 * `fill`: the graph takes the height its parent gives it (presenter mode's
 * full-screen graph) instead of the fixed box of the walk screen.
 */
export const FlowGraphView = memo(function FlowGraphView({ spotlight = false, fill = false }: { spotlight?: boolean; fill?: boolean }) {
  const { stores } = useDeps();
  const log = useStore(stores.walk, selectLog);
  const index = useStore(stores.playback, selectIndex);
  const chosen = useStore(stores.view, selectChosenHost);
  const id = useId();
  const host = shownHost(log, index, chosen);
  const chain = useStore(stores.view, selectViewChain);
  const onSelectChain = useCallback((chain: string) => chooseChain(stores, chain), [stores]);
  const stepHost = currentStep(log, index)?.host;
  // From the scenario, not the walk: the buttons are there before the worker answers, so nothing moves when it does.
  const hosts = useStore(stores.scenario, selectHostNames);
  const t = useT();
  const drawing = useRef<HTMLDivElement>(null);
  // each Follow packet press asks the graph to bring the packet into view again (on a phone: scroll sideways to it)
  const [follows, setFollows] = useState(0);
  // data-walk-run: the run whose walk the graph draws, set in the commit that draws it (a new
  // log is only stored with its run's id); tests and bench:app wait on it to know a walk is shown
  useLayoutEffect(() => {
    if (log) drawing.current?.setAttribute('data-walk-run', String(stores.walk.getState().runId));
  }, [log, stores]);
  return (
    <section aria-labelledby={id} className={`flex flex-col gap-1 ${fill ? 'min-h-0 flex-1' : ''}`}>
      <div className="flex flex-wrap items-center gap-2">
        <h2 id={id} className="text-base font-semibold text-slate-900">
          {t('panel.flowGraph')}
        </h2>
        <span className="text-base text-slate-800" data-shown-host={host ?? ''}>
          {t('graph.of')} <strong>{host ?? '—'}</strong>
          {chosen !== null && stepHost !== undefined && stepHost !== chosen && <span className="text-sm text-slate-700"> {t('graph.packetOn', { host: stepHost })}</span>}
        </span>
        <ExportButtons box={drawing} host={host} />
        <div role="group" aria-label={t('graph.showHost')} className="ml-auto flex flex-wrap gap-1">
          <button type="button" className={tab} aria-pressed={chosen === null} onClick={() => {
              showHost(stores, null);
              setFollows((n) => n + 1);
            }}
          >
            {t('graph.follow')}
          </button>
          {hosts.map((h) => (
            <button key={h} type="button" className={tab} aria-pressed={chosen === h} onClick={() => showHost(stores, h)}>
              {h}
            </button>
          ))}
        </div>
      </div>
      {/* Below ~760 px the fitted graph would shrink its boxes under 24 px (too small to read or tap): scroll instead. */}
      <div className={`overflow-x-auto ${fill ? 'flex min-h-[320px] flex-1 flex-col' : ''}`} data-graph-scroller>
        <div ref={drawing} className={`${fill ? 'min-h-0 flex-1' : FLOW_BOX} ${FRAME} min-w-[760px]`}>
          {log && host ? (
            <Suspense fallback={<Loading what="loading.flowGraph" />}>
              <FlowGraph log={log} index={index} host={host} onSelectChain={onSelectChain} selectedChain={chain} spotlight={spotlight} followPage followToken={follows} />
            </Suspense>
          ) : (
            <Loading what="loading.walk" />
          )}
        </div>
      </div>
    </section>
  );
});

export const ChainRulesView = memo(function ChainRulesView() {
  const { stores, client } = useDeps();
  // all of what it shows deferred together, so a background render never pairs a new walk with an old step
  const painted = paintedStore(stores);
  const log = useDeferredValue(useStore(painted, selectPaintedLog));
  const index = useDeferredValue(useStore(painted, selectPaintedIndex));
  const chosenChain = useDeferredValue(useStore(painted, selectPaintedChain));
  const chosenHost = useDeferredValue(useStore(painted, selectPaintedHost));
  const walk = useDeferredValue(useStore(painted, selectPaintedWalk));
  const id = useId();
  const host = shownHost(log, index, chosenHost);
  const chain = chosenChain ?? (log && host ? packetChain(log, index, host) : null);
  const explain = useCallback((i: number) => (walk ? client.explain(walk.lab, walk.walk, i) : Promise.resolve([])), [client, walk]);
  const page = useCallback((table: TableName, name: string, asOf: number, from: number, count: number) => (walk && host ? client.chain(walk.lab, walk.walk, host, table, name, asOf, from, count) : Promise.resolve(null)), [client, walk, host]);
  const t = useT();
  return (
    <section aria-labelledby={id} className="flex flex-col gap-1">
      <div className="flex items-center gap-2">
        <h2 id={id} className="text-base font-semibold text-slate-900">
          {t('panel.chainRules')}
        </h2>
        {chosenChain && (
          <button type="button" className="ml-auto rounded border border-slate-400 px-2 py-0.5 text-sm hover:bg-slate-100" onClick={() => chooseChain(stores, null)}>
            {t('rules.follow')}
          </button>
        )}
      </div>
      {/* ChainRules fills its parent and windows its list to the parent's height: the box must be sized. */}
      <div className={`${RULES_BOX} ${FRAME}`}>
        {log && host && chain ? (
          <Suspense fallback={<Loading what="loading.rules" />}>
            <ChainRules log={log} index={index} host={host} chain={chain} explain={explain} page={page} />
          </Suspense>
        ) : (
          <p className="p-3 text-base text-slate-700">{t('rules.choose')}</p>
        )}
      </div>
    </section>
  );
});
