// pattern: Imperative Shell
// One host's netfilter flow graph (React Flow). The nodes array depends only
// on the log and the host, so stepping never hands React Flow new nodes (a
// new node object is measured again: a forced layout per node). What a step
// changes — the current and selected boxes, the chains' counters as of the
// step — comes from a tiny per-graph store that each node reads with its own
// selector, so only the boxes whose answer changes re-render.

import '@xyflow/react/dist/style.css';
import './graph.css';
import { createContext, memo, useCallback, useContext, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { MarkerType, ReactFlow, ViewportPortal, type Node, type NodeProps } from '@xyflow/react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/shallow';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { FateReason, WalkLog } from '../../engine/walk-log';
import type { HookName } from '../../engine/netfilter/hooks';
import { currentNode, dotPath, flowNode, layoutFor, type FlowLayout, type FlowNodeSpec } from './flow-layout';
import { useIpvsT, type IpvsKey } from '../ipvs/t';
import { chainSummaries, formatBytes, formatCount, type ChainSummary } from './chain-data';
import { useT, type T } from '../i18n/lang';
import { en } from '../i18n/en';
import type { MessageKey } from '../i18n/i18n';
import { fateGood, fateMarker, fateText, isConntrackNat } from '../shell/derive';
import { FitOnResize, FollowCurrent, HiddenHandles, PacketDot, RouteEdge, ZoomControls, type RouteEdgeType } from './graph-parts';

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
  /** presenter mode: dim every box outside the current hook */
  spotlight?: boolean;
  /** scroll the page (and the phone's sideways scroller) to the current box at each step, not only pan the graph */
  followPage?: boolean;
  /** a new value asks to bring the current box into view again (the Follow packet button) */
  followToken?: number;
  /**
   * the smallest zoom the view may take (a box's name at 19 units reads at
   * 19 × zoom px): below it the drawing is not fitted whole, and the graph
   * pans to keep the current box in view (the kube-proxy comparison's small box)
   */
  readableZoom?: number;
}

interface Marks {
  current: string | null;
  selected: string | null;
  /** presenter mode: the hook the packet is in; boxes outside it are dimmed */
  spotlight?: string | null;
  /** each chain's size and counters as of the step on screen, keyed 'TABLE CHAIN' */
  counters: Map<string, ChainSummary>;
  /** at a packet's end step: the box of its fate and why (WalkStep.node and reason of the end step) */
  fate: { node: string; reason: FateReason } | null;
  /** a nat box where conntrack applied an existing binding: the packet is there, the table's rules did not run */
  conntrackNat: string | null;
}

/** A point node's words in the reader's language (table nodes are kernel words and stay). */
export function pointWords(spec: FlowNodeSpec, t: T): { label: string; hint: string | null; name: string } {
  const lk = `graph.node.${spec.id}`;
  const hk = `graph.hint.${spec.id}`;
  const label = lk in en ? t(lk as MessageKey) : spec.label;
  const hint = hk in en ? t(hk as MessageKey) : spec.hint;
  return { label, hint, name: hint ? t('graph.nodeWithHint', { label, hint }) : label };
}

function useDimmed(hook: string | null, id: string): boolean {
  const ctx = useContext(Ctx)!;
  return useStore(ctx.marks, (s) => s.spotlight != null && s.current !== id && s.spotlight !== hook);
}

interface GraphContext {
  marks: StoreApi<Marks>;
  select: (chain: string) => void;
}

const Ctx = createContext<GraphContext | null>(null);

type TableNodeType = Node<{ spec: FlowNodeSpec }, 'table'>;
type PointNodeType = Node<{ spec: FlowNodeSpec }, 'point'>;
type IpvsNodeType = Node<{ spec: FlowNodeSpec; services: number }, 'ipvs'>;
type EdgeLabelNodeType = Node<{ label: IpvsKey }, 'edgeLabel'>;
type BandNodeType = Node<{ hook: HookName; direction: 'down' | 'up' }, 'band'>;

const TABLE_ACCENT: Record<string, string> = {
  raw: 'border-l-slate-500',
  mangle: 'border-l-violet-600',
  nat: 'border-l-sky-600',
  filter: 'border-l-emerald-600',
  security: 'border-l-amber-500',
};

/** A chain's counters as of the step: compared field by field, so a step that counts nothing in this chain leaves its box alone. */
function useCounters(id: string): ChainSummary | null {
  const ctx = useContext(Ctx)!;
  return useStore(ctx.marks, useShallow((s) => s.counters.get(id) ?? null));
}

function useMark(id: string): { current: boolean; selected: boolean } {
  const ctx = useContext(Ctx)!;
  const current = useStore(ctx.marks, (s) => s.current === id);
  const selected = useStore(ctx.marks, (s) => s.selected === id);
  return { current, selected };
}

/** The fate of the packet whose walk ends in this box at the step on screen, or null. */
function useFate(id: string): FateReason | null {
  const ctx = useContext(Ctx)!;
  return useStore(ctx.marks, (s) => (s.fate?.node === id ? s.fate.reason : null));
}

function useConntrackNat(id: string): boolean {
  const ctx = useContext(Ctx)!;
  return useStore(ctx.marks, (s) => s.conntrackNat === id);
}

/**
 * Where the packet's walk ended and why, over the box's top edge in place of
 * "packet here": a ✓ for a socket or the wire, a ✕ for every drop.
 */
function FateBadge({ reason, id, centred }: { reason: FateReason; id: string; centred: boolean }) {
  const t = useT();
  const good = fateGood(reason);
  return (
    <span
      id={id}
      data-testid="fate-marker"
      data-fate={reason}
      className={[
        'absolute -top-4 z-10 rounded border-2 px-1.5 text-[14px] leading-5 font-bold whitespace-nowrap',
        centred ? 'left-1/2 -translate-x-1/2' : 'right-2',
        good ? 'border-emerald-800 bg-emerald-700 text-white' : 'border-red-900 bg-red-700 text-white',
      ].join(' ')}
    >
      <span aria-hidden="true">{fateMarker(reason, t)}</span>
      <span className="sr-only">{t('fate.where', { reason: fateText(reason, t) })}</span>
    </span>
  );
}

const TableNode = memo(function TableNode({ data }: NodeProps<TableNodeType>) {
  const { spec } = data;
  const ctx = useContext(Ctx)!;
  const { current, selected } = useMark(spec.id);
  const summary = useCounters(spec.id);
  const dimmed = useDimmed(spec.hook, spec.id);
  const fate = useFate(spec.id);
  const ctNat = useConntrackNat(spec.id);
  const t = useT();
  const descId = useId();
  const fateId = useId();
  const rules = summary?.rules ?? 0;
  const counted = summary && summary.packets > 0 ? ` · ${t(summary.packets === 1 ? 'graph.pkt' : 'graph.pkts', { n: formatCount(summary.packets) })}, ${formatBytes(summary.bytes)}` : '';
  const policy = summary?.policy && summary.policy !== 'ACCEPT' ? summary.policy : null;
  return (
    <>
      <HiddenHandles />
      <button
        type="button"
        aria-label={spec.name}
        aria-describedby={fate ? `${descId} ${fateId}` : descId}
        aria-current={current ? 'step' : undefined}
        aria-pressed={selected}
        data-node={spec.id}
        data-conntrack-nat={ctNat ? 'existing' : undefined}
        onClick={() => ctx.select(spec.id)}
        className={[
          'nopan pointer-events-auto relative flex h-full w-full cursor-pointer flex-col justify-center rounded-lg border-2 border-l-[10px] px-2.5 text-left leading-tight',
          'focus-visible:outline-4 focus-visible:outline-offset-4 focus-visible:outline-blue-700',
          // dimmed by colour, not opacity: the text keeps its contrast (WCAG 1.4.3 holds for every box)
          dimmed ? 'spotlight-dim grayscale bg-slate-200! border-slate-400!' : '',
          TABLE_ACCENT[spec.table ?? ''] ?? '',
          ctNat
            ? 'border-dashed border-teal-800 bg-teal-50 shadow-[0_0_0_5px_rgba(15,118,110,0.55)]'
            : current
            ? 'border-orange-700 bg-orange-50 shadow-[0_0_0_5px_rgba(234,88,12,0.85)]'
            : selected
              ? 'border-blue-800 bg-blue-50'
              : rules > 0
                ? 'border-slate-700 bg-white'
                : 'border-slate-300 bg-white',
        ].join(' ')}
      >
        {fate ? (
          <FateBadge reason={fate} id={fateId} centred={false} />
        ) : ctNat ? (
          <span className="absolute -top-3.5 right-2 rounded bg-teal-800 px-1.5 text-[14px] leading-5 font-bold whitespace-nowrap text-white">{t('natx.badge')}</span>
        ) : current ? (
          <span className="absolute -top-3.5 right-2 rounded bg-orange-700 px-1.5 text-[14px] leading-5 font-bold text-white">{t('graph.packetHere')}</span>
        ) : null}
        <span className="flex items-baseline justify-between gap-2">
          {/* 19 px: the longest name, "mangle POSTROUTING" in bold, fits the box's 270 units with its stripe and padding */}
          <span className={`text-[19px] ${current || rules > 0 ? 'font-bold' : 'font-semibold'} whitespace-nowrap text-slate-900`} data-fit>
            {spec.label}
          </span>
          {policy ? <span className="rounded border border-red-800 px-1 text-[13px] font-bold text-red-800">{policy}</span> : null}
        </span>
        {ctNat ? (
          <span id={descId} className="truncate text-[14px] font-semibold text-teal-900" data-fit>
            <span aria-hidden="true">{t('natx.line')}</span>
            <span className="sr-only">{t('natx.describe')}</span>
          </span>
        ) : (
          <span id={descId} className={`truncate text-[15px] ${rules > 0 ? 'text-slate-800' : 'text-slate-600'}`} data-fit>
            {t(rules === 1 ? 'graph.rule' : 'graph.rules', { n: formatCount(rules) })}
            {counted}
            {policy ? <span className="sr-only"> · {t('graph.policy', { policy })}</span> : null}
          </span>
        )}
      </button>
    </>
  );
});

const PointNode = memo(function PointNode({ data }: NodeProps<PointNodeType>) {
  const { spec } = data;
  const { current } = useMark(spec.id);
  const dimmed = useDimmed(spec.hook, spec.id);
  const fate = useFate(spec.id);
  const fateId = useId();
  const words = pointWords(spec, useT());
  return (
    <>
      <HiddenHandles />
      <div
        role="group"
        aria-label={words.name}
        aria-describedby={fate ? fateId : undefined}
        aria-current={current ? 'step' : undefined}
        data-node={spec.id}
        className={[
          'relative flex h-full w-full flex-col items-center justify-center rounded-full border-2 px-3 text-center leading-tight',
          dimmed ? 'spotlight-dim grayscale bg-slate-200! border-slate-400!' : '',
          current ? 'border-orange-700 bg-orange-50 shadow-[0_0_0_5px_rgba(234,88,12,0.85)]' : 'border-slate-500 bg-slate-100',
        ].join(' ')}
      >
        {fate ? <FateBadge reason={fate} id={fateId} centred /> : null}
        <span className={`max-w-full truncate text-[18px] text-slate-900 ${current ? 'font-bold' : 'font-medium'}`} data-fit>
          {current ? '● ' : ''}
          {words.label}
        </span>
        {words.hint ? (
          <span className="max-w-full truncate text-[14px] text-slate-700" data-fit>
            {words.hint}
          </span>
        ) : null}
      </div>
    </>
  );
});

/** IPVS's hook function: not a chain (it has no rules), so a named group, not a button. */
const IpvsNode = memo(function IpvsNode({ data }: NodeProps<IpvsNodeType>) {
  const { spec, services } = data;
  const { current } = useMark(spec.id);
  const fate = useFate(spec.id);
  const fateId = useId();
  const t = useIpvsT();
  return (
    <>
      <HiddenHandles />
      <div
        role="group"
        aria-label={spec.name}
        aria-describedby={fate ? fateId : undefined}
        aria-current={current ? 'step' : undefined}
        data-node={spec.id}
        className={[
          'relative flex h-full w-full flex-col justify-center rounded-lg border-2 border-l-[10px] border-l-teal-700 px-3 leading-tight',
          current ? 'border-orange-700 bg-orange-50 shadow-[0_0_0_5px_rgba(234,88,12,0.85)]' : 'border-teal-800 bg-teal-50',
        ].join(' ')}
      >
        {fate ? <FateBadge reason={fate} id={fateId} centred={false} /> : current ? <span className="absolute -top-3.5 right-2 rounded bg-orange-700 px-1.5 text-[14px] leading-5 font-bold text-white">{t('ipvs.graph.here')}</span> : null}
        <span className="text-[21px] font-bold whitespace-nowrap text-slate-900">
          {spec.label} <span className="font-semibold text-teal-900">{spec.hint}</span>
        </span>
        <span className="text-[15px] whitespace-nowrap text-slate-800">{spec.id === 'ipvs-in' ? (services === 1 ? t('ipvs.graph.service') : t('ipvs.graph.services', { n: services })) : t('ipvs.graph.replies')}</span>
      </div>
    </>
  );
});

/** A labelled edge's words, as a node so that fitting the view keeps them (and the edge under them) in sight. */
const EdgeLabelNode = memo(function EdgeLabelNode({ data }: NodeProps<EdgeLabelNodeType>) {
  const t = useIpvsT();
  return (
    <div aria-hidden="true" className="flex h-full w-full items-start justify-center">
      <span className="rounded bg-white/90 px-2 text-[18px] font-semibold whitespace-nowrap text-teal-900">{t(data.label)}</span>
    </div>
  );
});

const BandNode = memo(function BandNode({ data }: NodeProps<BandNodeType>) {
  const dimmed = useDimmed(data.hook, `band ${data.hook}`);
  return (
    <div aria-hidden="true" className={`h-full w-full rounded-xl border-2 ${dimmed ? 'spotlight-dim border-slate-400 bg-slate-300' : 'border-slate-300 bg-slate-50/80'}`}>
      <div className="px-3 pt-2 text-[20px] font-bold tracking-wide text-slate-800">
        {data.hook} <span className="text-slate-600">{data.direction === 'down' ? '↓' : '↑'}</span>
      </div>
    </div>
  );
});

// Module-level so React Flow never sees new component types (error002).
const nodeTypes = { table: TableNode, point: PointNode, band: BandNode, ipvs: IpvsNode, edgeLabel: EdgeLabelNode };
const edgeTypes = { route: RouteEdge };

function buildEdges(layout: FlowLayout): RouteEdgeType[] {
  return layout.edges.map((e) => ({
    id: e.id,
    source: e.source,
    target: e.target,
    type: 'route',
    data: e.label ? { points: e.points, label: e.label } : { points: e.points },
    markerEnd: { type: MarkerType.ArrowClosed, color: e.label ? '#0f766e' : '#475569', width: 18, height: 18 },
    zIndex: 1,
    selectable: false,
    focusable: false,
    // the boxes carry the names; the arrows are drawing only
    domAttributes: { 'aria-hidden': true },
  }));
}

// React Flow labels nodes "node" for its own keyboard model, which is off here.
const PLAIN: Node['domAttributes'] = { 'aria-roledescription': undefined } as Node['domAttributes'];

function buildBands(layout: FlowLayout): BandNodeType[] {
  return layout.bands.map((b) => ({
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
}

/** Edges and bands depend only on the layout: built once per layout, so React Flow never sees new arrays. */
const drawn = new WeakMap<FlowLayout, { edges: RouteEdgeType[]; bands: BandNodeType[] }>();
function drawnOf(layout: FlowLayout) {
  let d = drawn.get(layout);
  if (!d) drawn.set(layout, (d = { edges: buildEdges(layout), bands: buildBands(layout) }));
  return d;
}

/** The graph's nodes: nothing in them depends on the step, so stepping never replaces one. */
export function buildNodes(layout: FlowLayout, services: number): Node[] {
  const boxes = layout.nodes.map((spec): TableNodeType | PointNodeType | IpvsNodeType => {
    const common = { id: spec.id, position: { x: spec.x, y: spec.y }, width: spec.w, height: spec.h, zIndex: 2, selectable: false, draggable: false, focusable: false, domAttributes: PLAIN };
    if (spec.kind === 'table') return { ...common, type: 'table', data: { spec } };
    if (spec.kind === 'ipvs') return { ...common, type: 'ipvs', data: { spec, services } };
    return { ...common, type: 'point', data: { spec } };
  });
  return [...drawnOf(layout).bands, ...boxes, ...edgeLabels(layout)];
}

const LABEL_W = 440;
const LABEL_H = 44;

/** Labels sit over the middle of their edge's lowest stretch, the box reaching just below the line. */
function edgeLabels(layout: FlowLayout): EdgeLabelNodeType[] {
  return layout.edges.flatMap((e) => {
    if (!e.label) return [];
    const y = Math.max(...e.points.map((p) => p.y));
    const low = e.points.filter((p) => p.y === y);
    const x = (Math.min(...low.map((p) => p.x)) + Math.max(...low.map((p) => p.x))) / 2;
    return [{ id: `label ${e.id}`, type: 'edgeLabel', position: { x: x - LABEL_W / 2, y: y - LABEL_H + 12 }, width: LABEL_W, height: LABEL_H, data: { label: e.label as IpvsKey }, zIndex: 1, selectable: false, draggable: false, focusable: false, domAttributes: PLAIN }];
  });
}

const FIT_PADDING = 0.03;
// one object for every render: React Flow copies a changed prop into its store, waking its subscribers
const FIT_VIEW = { padding: FIT_PADDING };

/**
 * The netfilter flow graph of `host`, lit at step `index` of `log`.
 *
 * @example
 * <FlowGraph log={log} index={index} host="router" onSelectChain={(c) => view.setState({ chain: c })} />
 */
export function FlowGraph({ log, index, host, onSelectChain, selectedChain = null, animationMs = 450, spotlight = false, followPage = false, followToken = 0, readableZoom }: FlowGraphProps) {
  const layout = layoutFor(log, host);
  const current = currentNode(log, index, host, layout);
  const t = useT();
  // presenter mode: the hook of the current box ('' for a box outside the hooks: only it stays lit)
  const lit = spotlight && current ? (layout.nodes.find((n) => n.id === current)?.hook ?? '') : null;
  // counters as of the step on screen, not the walk's end
  const counters = useMemo(() => chainSummaries(log, host, index), [log, host, index]);
  const step = current ? log.steps[index] : undefined;
  const fateReason = step?.kind === 'end' ? step.reason : null;
  const conntrackNat = current && isConntrackNat(step) ? current : null;
  const fate = useMemo(() => (current && fateReason ? { node: current, reason: fateReason } : null), [current, fateReason]);
  // seeded with the first answer, so the first paint (and a server render) is already marked
  const [marks] = useState(() => createStore<Marks>()(() => ({ current, selected: selectedChain, spotlight: lit, counters, fate, conntrackNat })));
  const onSelect = useRef(onSelectChain);
  useLayoutEffect(() => {
    onSelect.current = onSelectChain;
  }, [onSelectChain]);
  const ctx = useMemo<GraphContext>(() => ({ marks, select: (c) => onSelect.current?.(c) }), [marks]);

  const services = log.hosts.find((h) => h.name === host)?.ipvs?.schedulers.length ?? 0;
  const nodes = useMemo(() => buildNodes(layout, services), [layout, services]);
  useLayoutEffect(() => {
    marks.setState({ current, selected: selectedChain, spotlight: lit, counters, fate, conntrackNat });
  }, [marks, current, selectedChain, lit, counters, fate, conntrackNat]);

  // where the dot comes from: the step shown before this one (React's
  // "information from previous renders" pattern, no effect needed)
  const [shown, setShown] = useState({ log, host, index, from: index });
  if (shown.log !== log || shown.host !== host || shown.index !== index) {
    setShown({ log, host, index, from: shown.log === log && shown.host === host ? shown.index : index });
  }
  const points = useMemo(() => dotPath(log, shown.from, index, host, layout), [log, shown.from, index, host, layout]);
  const fitOptions = useMemo(() => (readableZoom === undefined ? FIT_VIEW : { padding: FIT_PADDING, minZoom: readableZoom }), [readableZoom]);
  // each fit of the view (first paint, resize) lets the graph pan to the current box again
  const [fits, setFits] = useState(0);
  const onFit = useCallback(() => setFits((n) => n + 1), []);

  return (
    <Ctx.Provider value={ctx}>
      <div className="packetwalk-flow h-full min-h-[360px] w-full overflow-hidden bg-white" data-host={host}>
        <ReactFlow
          aria-label={t('graph.ariaFlow', { host })}
          nodes={nodes}
          edges={drawnOf(layout).edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          fitView
          fitViewOptions={fitOptions}
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
          <FitOnResize padding={FIT_PADDING} drawing={layout} {...(readableZoom === undefined ? {} : { minZoom: readableZoom })} onFit={onFit} />
          <FollowCurrent target={current ? (flowNode(current, layout) ?? null) : null} token={`${index} ${followToken}`} walk={log} page={followPage} refit={fits} />
          <ViewportPortal>
            <PacketDot points={points} durationMs={animationMs} />
          </ViewportPortal>
        </ReactFlow>
      </div>
    </Ctx.Provider>
  );
}
