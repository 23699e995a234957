// pattern: Imperative Shell
// One host's netfilter flow graph (React Flow). The nodes array depends only
// on the log and the host, so stepping never hands React Flow new nodes: the
// current and selected boxes come from a tiny per-graph store that each node
// reads with a boolean selector, and only the two boxes whose answer changes
// re-render.

import '@xyflow/react/dist/style.css';
import './graph.css';
import { createContext, memo, useContext, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { MarkerType, ReactFlow, ViewportPortal, type Node, type NodeProps } from '@xyflow/react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { WalkLog } from '../../engine/walk-log';
import type { HookName } from '../../engine/netfilter/hooks';
import { FLOW_LAYOUT, currentNode, dotPath, type FlowNodeSpec } from './flow-layout';
import { chainSummaries, formatBytes, plural, type ChainSummary } from './chain-data';
import { FitOnResize, HiddenHandles, PacketDot, RouteEdge, ZoomControls, type RouteEdgeType } from './graph-parts';

export interface FlowGraphProps {
  log: WalkLog;
  index: number;
  host: string;
  /** called with 'filter INPUT' when a table×chain box is clicked or activated with Enter/Space */
  onSelectChain?: (chain: string) => void;
  /** the chain whose rules are listed elsewhere: its box is marked as pressed */
  selectedChain?: string | null;
  /** how long the dot takes from one box to the next; 0 jumps */
  animationMs?: number;
}

interface Marks {
  current: string | null;
  selected: string | null;
}

interface GraphContext {
  marks: StoreApi<Marks>;
  select: (chain: string) => void;
}

const Ctx = createContext<GraphContext | null>(null);

type TableNodeType = Node<{ spec: FlowNodeSpec; summary: ChainSummary | null }, 'table'>;
type PointNodeType = Node<{ spec: FlowNodeSpec }, 'point'>;
type BandNodeType = Node<{ hook: HookName; direction: 'down' | 'up' }, 'band'>;

const TABLE_ACCENT: Record<string, string> = {
  raw: 'border-l-slate-500',
  mangle: 'border-l-violet-600',
  nat: 'border-l-sky-600',
  filter: 'border-l-emerald-600',
  security: 'border-l-amber-500',
};

function useMark(id: string): { current: boolean; selected: boolean } {
  const ctx = useContext(Ctx)!;
  const current = useStore(ctx.marks, (s) => s.current === id);
  const selected = useStore(ctx.marks, (s) => s.selected === id);
  return { current, selected };
}

const TableNode = memo(function TableNode({ data }: NodeProps<TableNodeType>) {
  const { spec, summary } = data;
  const ctx = useContext(Ctx)!;
  const { current, selected } = useMark(spec.id);
  const descId = useId();
  const rules = summary?.rules ?? 0;
  const counted = summary && summary.packets > 0 ? ` · ${plural(summary.packets, 'pkt')}, ${formatBytes(summary.bytes)}` : '';
  const policy = summary?.policy && summary.policy !== 'ACCEPT' ? summary.policy : null;
  return (
    <>
      <HiddenHandles />
      <button
        type="button"
        aria-label={spec.name}
        aria-describedby={descId}
        aria-current={current ? 'step' : undefined}
        aria-pressed={selected}
        data-node={spec.id}
        onClick={() => ctx.select(spec.id)}
        className={[
          'nopan pointer-events-auto relative flex h-full w-full cursor-pointer flex-col justify-center rounded-lg border-2 border-l-[10px] px-3 text-left leading-tight',
          'focus-visible:outline-4 focus-visible:outline-offset-4 focus-visible:outline-blue-700',
          TABLE_ACCENT[spec.table ?? ''] ?? '',
          current
            ? 'border-orange-700 bg-orange-50 shadow-[0_0_0_5px_rgba(234,88,12,0.85)]'
            : selected
              ? 'border-blue-800 bg-blue-50'
              : rules > 0
                ? 'border-slate-700 bg-white'
                : 'border-slate-300 bg-white',
        ].join(' ')}
      >
        {current ? <span className="absolute -top-3.5 right-2 rounded bg-orange-700 px-1.5 text-[14px] leading-5 font-bold text-white">packet here</span> : null}
        <span className="flex items-baseline justify-between gap-2">
          <span className={`text-[21px] ${current || rules > 0 ? 'font-bold' : 'font-semibold'} whitespace-nowrap text-slate-900`}>{spec.label}</span>
          {policy ? <span className="rounded border border-red-800 px-1 text-[13px] font-bold text-red-800">{policy}</span> : null}
        </span>
        <span id={descId} className={`text-[15px] whitespace-nowrap ${rules > 0 ? 'text-slate-800' : 'text-slate-600'}`}>
          {plural(rules, 'rule')}
          {counted}
          {policy ? <span className="sr-only"> · policy {policy}</span> : null}
        </span>
      </button>
    </>
  );
});

const PointNode = memo(function PointNode({ data }: NodeProps<PointNodeType>) {
  const { spec } = data;
  const { current } = useMark(spec.id);
  return (
    <>
      <HiddenHandles />
      <div
        role="group"
        aria-label={spec.name}
        aria-current={current ? 'step' : undefined}
        data-node={spec.id}
        className={[
          'flex h-full w-full flex-col items-center justify-center rounded-full border-2 px-3 text-center leading-tight',
          current ? 'border-orange-700 bg-orange-50 shadow-[0_0_0_5px_rgba(234,88,12,0.85)]' : 'border-slate-500 bg-slate-100',
        ].join(' ')}
      >
        <span className={`text-[18px] whitespace-nowrap text-slate-900 ${current ? 'font-bold' : 'font-medium'}`}>
          {current ? '● ' : ''}
          {spec.label}
        </span>
        {spec.hint ? <span className="text-[14px] text-slate-700">{spec.hint}</span> : null}
      </div>
    </>
  );
});

const BandNode = memo(function BandNode({ data }: NodeProps<BandNodeType>) {
  return (
    <div aria-hidden="true" className="h-full w-full rounded-xl border-2 border-slate-300 bg-slate-50/80">
      <div className="px-3 pt-2 text-[20px] font-bold tracking-wide text-slate-800">
        {data.hook} <span className="text-slate-600">{data.direction === 'down' ? '↓' : '↑'}</span>
      </div>
    </div>
  );
});

// Module-level so React Flow never sees new component types (error002).
const nodeTypes = { table: TableNode, point: PointNode, band: BandNode };
const edgeTypes = { route: RouteEdge };

const EDGES: RouteEdgeType[] = FLOW_LAYOUT.edges.map((e) => ({
  id: e.id,
  source: e.source,
  target: e.target,
  type: 'route',
  data: { points: e.points },
  markerEnd: { type: MarkerType.ArrowClosed, color: '#475569', width: 18, height: 18 },
  zIndex: 1,
  selectable: false,
  focusable: false,
  // the boxes carry the names; the arrows are drawing only
  domAttributes: { 'aria-hidden': true },
}));

// React Flow labels nodes "node" for its own keyboard model, which is off here.
const PLAIN: Node['domAttributes'] = { 'aria-roledescription': undefined } as Node['domAttributes'];

const BANDS: BandNodeType[] = FLOW_LAYOUT.bands.map((b) => ({
  id: `band ${b.hook}`,
  type: 'band',
  position: { x: b.x, y: b.y },
  width: b.w,
  height: b.h,
  data: { hook: b.hook, direction: b.direction },
  zIndex: 0,
  selectable: false,
  draggable: false,
  focusable: false,
  domAttributes: PLAIN,
}));

function buildNodes(summaries: Map<string, ChainSummary>): Node[] {
  const boxes = FLOW_LAYOUT.nodes.map((spec): TableNodeType | PointNodeType =>
    spec.kind === 'table'
      ? { id: spec.id, type: 'table', position: { x: spec.x, y: spec.y }, width: spec.w, height: spec.h, data: { spec, summary: summaries.get(spec.id) ?? null }, zIndex: 2, selectable: false, draggable: false, focusable: false, domAttributes: PLAIN }
      : { id: spec.id, type: 'point', position: { x: spec.x, y: spec.y }, width: spec.w, height: spec.h, data: { spec }, zIndex: 2, selectable: false, draggable: false, focusable: false, domAttributes: PLAIN },
  );
  return [...BANDS, ...boxes];
}

const FIT_PADDING = 0.03;

/**
 * The netfilter flow graph of `host`, lit at step `index` of `log`.
 *
 * @example
 * <FlowGraph log={log} index={index} host="router" onSelectChain={(c) => view.setState({ chain: c })} />
 */
export function FlowGraph({ log, index, host, onSelectChain, selectedChain = null, animationMs = 450 }: FlowGraphProps) {
  const current = currentNode(log, index, host);
  // seeded with the first answer, so the first paint (and a server render) is already marked
  const [marks] = useState(() => createStore<Marks>()(() => ({ current, selected: selectedChain })));
  const onSelect = useRef(onSelectChain);
  useLayoutEffect(() => {
    onSelect.current = onSelectChain;
  }, [onSelectChain]);
  const ctx = useMemo<GraphContext>(() => ({ marks, select: (c) => onSelect.current?.(c) }), [marks]);

  const nodes = useMemo(() => buildNodes(chainSummaries(log, host)), [log, host]);
  useLayoutEffect(() => {
    marks.setState({ current, selected: selectedChain });
  }, [marks, current, selectedChain]);

  // where the dot comes from: the step shown before this one (React's
  // "information from previous renders" pattern, no effect needed)
  const [shown, setShown] = useState({ log, host, index, from: index });
  if (shown.log !== log || shown.host !== host || shown.index !== index) {
    setShown({ log, host, index, from: shown.log === log && shown.host === host ? shown.index : index });
  }
  const points = useMemo(() => dotPath(log, shown.from, index, host), [log, shown.from, index, host]);

  return (
    <Ctx.Provider value={ctx}>
      <div className="packetwalk-flow h-full min-h-[360px] w-full overflow-hidden bg-white" data-host={host}>
        <ReactFlow
          aria-label={`Netfilter flow graph of ${host}`}
          nodes={nodes}
          edges={EDGES}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          fitView
          fitViewOptions={{ padding: FIT_PADDING }}
          minZoom={0.15}
          maxZoom={2.5}
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
          <ZoomControls padding={FIT_PADDING} />
          <FitOnResize padding={FIT_PADDING} />
          <ViewportPortal>
            <PacketDot key={`${host}:${index}`} points={points} durationMs={animationMs} />
          </ViewportPortal>
        </ReactFlow>
      </div>
    </Ctx.Provider>
  );
}
