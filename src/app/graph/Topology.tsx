// pattern: Imperative Shell
// The scenario's network: hosts (with interfaces and addresses), wires and
// switches. The host the packet is on is lit; when a step is a packet
// arriving from another host, the dot travels the wire. Clicking a host (or
// Enter on it) asks for that host's flow graph. At the step where a walk
// ends, the host carries the same fate marker as the flow graph's box, and the
// interface the packet was at is marked.

import '@xyflow/react/dist/style.css';
import './graph.css';
import { createContext, memo, useContext, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { ReactFlow, ViewportPortal, type Node, type NodeProps } from '@xyflow/react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { WalkLog } from '../../engine/walk-log';
import { fateAt, hostAt, topologyDotPath, topologyLayout, type TopoFate, type TopoNodeSpec } from './topology-layout';
import { FitOnResize, HiddenHandles, PacketDot, RouteEdge, type RouteEdgeType } from './graph-parts';
import { useT } from '../i18n/lang';
import { fateGood, fateMarker, fateText } from '../shell/derive';

export interface TopologyProps {
  log: WalkLog;
  index: number;
  /** the host whose flow graph is shown */
  selected: string | null;
  onSelectHost?: (host: string) => void;
  animationMs?: number;
}

interface Marks {
  current: string | null;
  selected: string | null;
  /** at a walk's end step: where and why it ended */
  fate: TopoFate | null;
}

const Ctx = createContext<{ marks: StoreApi<Marks>; select: (host: string) => void } | null>(null);

type HostNodeType = Node<{ spec: TopoNodeSpec }, 'host'>;
type SwitchNodeType = Node<{ spec: TopoNodeSpec }, 'switch'>;

const HostNode = memo(function HostNode({ data }: NodeProps<HostNodeType>) {
  const { spec } = data;
  const ctx = useContext(Ctx)!;
  const current = useStore(ctx.marks, (s) => s.current === spec.name);
  const selected = useStore(ctx.marks, (s) => s.selected === spec.name);
  const fate = useStore(ctx.marks, (s) => (s.fate?.host === spec.name ? s.fate : null));
  const fateId = useId();
  const t = useT();
  const good = fate ? fateGood(fate.reason) : false;
  const fateIface = (name: string) => (fate?.iface === name ? (good ? 'bg-emerald-100 text-emerald-950' : 'bg-red-100 text-red-950') : '');
  const ifaceMark = (name: string) =>
    fate?.iface === name ? (
      <span data-testid="topo-fate-iface" title={t('fate.iface')} className={`pr-1 font-sans font-bold ${good ? 'text-emerald-800' : 'text-red-800'}`}>
        {good ? '✓' : '✕'}
      </span>
    ) : null;
  return (
    <>
      <HiddenHandles />
      <button
        type="button"
        aria-label={t('topo.host', { name: spec.name })}
        aria-current={current ? 'step' : undefined}
        aria-pressed={selected}
        aria-describedby={fate ? fateId : undefined}
        data-host={spec.name}
        data-netns-in={spec.in}
        onClick={() => ctx.select(spec.name)}
        className={[
          'nopan pointer-events-auto relative flex h-full w-full cursor-pointer flex-col rounded-lg border-2 px-3 py-2 text-left leading-tight',
          'focus-visible:outline-4 focus-visible:outline-offset-4 focus-visible:outline-blue-700',
          spec.in !== undefined ? 'border-dashed' : '',
          current ? 'border-orange-700 bg-orange-50 shadow-[0_0_0_5px_rgba(234,88,12,0.85)]' : selected ? 'border-blue-800 bg-blue-50' : 'border-slate-600 bg-white',
        ].join(' ')}
      >
        <span className="flex items-baseline justify-between gap-2 pb-1">
          <span className="text-[20px] font-bold text-slate-900">
            {spec.name}
            {spec.in !== undefined && <span className="pl-2 text-[13px] font-semibold text-teal-900">{t('topo.netns', { host: spec.in })}</span>}
          </span>
          {current ? <span className="rounded bg-orange-700 px-1.5 text-[13px] font-bold text-white">● {t('topo.here')}</span> : selected ? <span className="text-[13px] font-semibold text-blue-900">{t('topo.shown')}</span> : null}
        </span>
        {spec.interfaces.map((i) =>
          i.vlan ? (
            <span key={i.name} className={`truncate pl-4 font-mono text-[14px] text-slate-800 ${fateIface(i.name)}`} data-vlan={i.vlan.id} title={t('vlan.provenance')}>
              ↳ {ifaceMark(i.name)}
              {i.name} <span className="font-sans text-[13px] text-violet-900">{t('topo.vlan', { id: i.vlan.id })}</span> {i.addrs.join(' ') || t('topo.noAddress')}
            </span>
          ) : (
            <span key={i.name} className={`truncate font-mono text-[14px] text-slate-800 ${fateIface(i.name)}`}>
              {ifaceMark(i.name)}
              {i.name} {i.addrs.join(' ') || t('topo.noAddress')}
            </span>
          ),
        )}
        {fate ? (
          // on the bottom edge: the dot rests on the top edge's middle
          <span
            id={fateId}
            data-testid="topo-fate"
            data-fate={fate.reason}
            data-iface={fate.iface ?? undefined}
            className={[
              'absolute -bottom-3.5 left-1/2 z-10 -translate-x-1/2 rounded border-2 px-1.5 text-[14px] leading-5 font-bold whitespace-nowrap',
              good ? 'border-emerald-800 bg-emerald-700 text-white' : 'border-red-900 bg-red-700 text-white',
            ].join(' ')}
          >
            <span aria-hidden="true">{fateMarker(fate.reason, t)}</span>
            <span className="sr-only">{fate.iface ? t('fate.whereIface', { iface: fate.iface, reason: fateText(fate.reason, t) }) : t('fate.where', { reason: fateText(fate.reason, t) })}</span>
          </span>
        ) : null}
      </button>
    </>
  );
});

const SwitchNode = memo(function SwitchNode({ data }: NodeProps<SwitchNodeType>) {
  const t = useT();
  return (
    <>
      <HiddenHandles />
      <div role="group" aria-label={t('topo.switch', { name: data.spec.name })} className="flex h-full w-full items-center justify-center rounded-md border-2 border-slate-600 bg-slate-200 text-[15px] font-semibold text-slate-900">
        ⇄ {data.spec.name}
      </div>
    </>
  );
});

const nodeTypes = { host: HostNode, switch: SwitchNode };
const edgeTypes = { route: RouteEdge };
const PLAIN = { 'aria-roledescription': undefined } as Node['domAttributes'];
// one object for every render: React Flow copies a changed prop into its store, waking its subscribers
const FIT_VIEW = { padding: 0.08, maxZoom: 1.2 };

/**
 * @example
 * <Topology log={log} index={index} selected={host} onSelectHost={(h) => view.setState({ host: h })} />
 */
export function Topology({ log, index, selected, onSelectHost, animationMs = 600 }: TopologyProps) {
  const t = useT();
  const current = hostAt(log, index);
  const fate = useMemo(() => fateAt(log, index), [log, index]);
  const [marks] = useState(() => createStore<Marks>()(() => ({ current, selected, fate })));
  const onSelect = useRef(onSelectHost);
  useLayoutEffect(() => {
    onSelect.current = onSelectHost;
  }, [onSelectHost]);
  const ctx = useMemo(() => ({ marks, select: (h: string) => onSelect.current?.(h) }), [marks]);

  const layout = useMemo(() => topologyLayout(log), [log]);
  const nodes = useMemo<Node[]>(
    () =>
      layout.nodes.map((spec) => ({
        id: spec.id,
        type: spec.kind,
        position: { x: spec.x, y: spec.y },
        width: spec.w,
        height: spec.h,
        data: { spec },
        selectable: false,
        draggable: false,
        focusable: false,
        domAttributes: PLAIN,
      })),
    [layout],
  );
  const edges = useMemo<RouteEdgeType[]>(
    () =>
      layout.edges.map((e) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        type: 'route',
        // a tunnel is drawn dashed (a labelled route edge) over the wires it rides on
        data: e.tunnel ? { points: e.points, label: e.tunnel } : { points: e.points },
        selectable: false,
        focusable: false,
        domAttributes: e.tunnel ? { 'aria-hidden': true, 'data-tunnel': e.tunnel } : { 'aria-hidden': true },
      })),
    [layout],
  );

  useLayoutEffect(() => {
    marks.setState({ current, selected, fate });
  }, [marks, current, selected, fate]);

  const [shown, setShown] = useState({ log, index, from: index });
  if (shown.log !== log || shown.index !== index) setShown({ log, index, from: shown.log === log ? shown.index : index });
  const points = useMemo(() => topologyDotPath(layout, log, shown.from, index), [layout, log, shown.from, index]);

  return (
    <Ctx.Provider value={ctx}>
      <div className="packetwalk-flow h-full min-h-[120px] w-full overflow-hidden bg-white">
        <ReactFlow
          aria-label={t('topo.aria')}
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          fitView
          fitViewOptions={FIT_VIEW}
          minZoom={0.2}
          maxZoom={2}
          nodesDraggable={false}
          nodesConnectable={false}
          nodesFocusable={false}
          edgesFocusable={false}
          elementsSelectable={false}
          disableKeyboardA11y
          zoomOnScroll={false}
          zoomOnDoubleClick={false}
          preventScrolling={false}
          panOnScroll={false}
        >
          <FitOnResize padding={0.08} maxZoom={1.2} />
          <ViewportPortal>
            <PacketDot points={points} durationMs={animationMs} />
          </ViewportPortal>
        </ReactFlow>
      </div>
    </Ctx.Provider>
  );
}
