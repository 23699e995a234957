// pattern: Imperative Shell
// Pieces both diagrams share: the packet dot, an edge drawn along
// precomputed points, invisible handles React Flow needs to attach edges, and
// refitting when the container changes size (laptop ↔ projector), and
// following the current box.

import { memo, useEffect, useLayoutEffect, useRef, useSyncExternalStore } from 'react';
import { BaseEdge, Handle, Panel, Position, useReactFlow, useStore as useFlowStore, type Edge, type EdgeProps, type ReactFlowState } from '@xyflow/react';
import { keyframeTimes, polylinePath, type Point } from './flow-layout';
import { onPane, panToShow, scrollDelta, withBadge, type Rect } from './follow';
import { animate } from 'motion/mini';
import { useT } from '../i18n/lang';

const DOT_R = 15;

const REDUCE = '(prefers-reduced-motion: reduce)';
function subscribeReduced(changed: () => void): () => void {
  const q = window.matchMedia(REDUCE);
  q.addEventListener('change', changed);
  return () => q.removeEventListener('change', changed);
}

/** The reader asked for reduced motion (followed while the page is open); never on a server render. */
export function useReducedMotion(): boolean {
  return useSyncExternalStore(
    subscribeReduced,
    () => window.matchMedia(REDUCE).matches,
    () => false,
  );
}

const at = (p: Point) => `translate(${p.x - DOT_R}px, ${p.y - DOT_R}px)`;

/**
 * The packet. Rendered inside React Flow's viewport (flow coordinates); each
 * new `points` starts a fresh run along them, and with
 * prefers-reduced-motion it is placed at the end point at once. The run is
 * motion's mini `animate`, which plays a Web Animation of `transform`: the
 * compositor moves the dot, so a step costs the page no script per frame and
 * no repaint of the graph under it (motion's React component ran script on
 * every frame).
 */
export const PacketDot = memo(function PacketDot({ points, durationMs }: { points: Point[]; durationMs: number }) {
  const dot = useRef<HTMLDivElement>(null);
  const reduce = useReducedMotion();
  const end = points[points.length - 1];
  const moving = points.length > 1 && !reduce && durationMs > 0;
  useLayoutEffect(() => {
    const el = dot.current;
    // jsdom-like environments have no Web Animations: the dot then rests at its end point
    if (!el || !moving || typeof el.animate !== 'function') return;
    const times = keyframeTimes(points);
    const run = animate(el, { transform: points.map(at) }, { duration: durationMs / 1000, ease: 'linear', times });
    return () => run.cancel();
  }, [points, durationMs, moving]);
  if (!end) return null;
  return (
    <div
      ref={dot}
      aria-hidden="true"
      data-testid="packet-dot"
      data-moving={moving ? 'true' : 'false'}
      className="pointer-events-none absolute top-0 left-0 rounded-full border-4 border-white bg-orange-600 shadow-[0_0_0_3px_rgba(124,45,18,0.9)]"
      // where the dot rests once its run ends (the run itself overrides transform while it plays)
      style={{ width: DOT_R * 2, height: DOT_R * 2, zIndex: 1000, transform: at(end) }}
    />
  );
});

/** `label` is a message key (the only labelled edge is IPVS's) */
export type RouteEdgeType = Edge<{ points: Point[]; lit?: boolean; label?: string }, 'route'>;

/**
 * An edge along the layout's own points, so the dot follows exactly what is
 * drawn. A labelled edge (IPVS sending the packet on) is dashed; its label is
 * a node of its own (FlowGraph), so fitting the view keeps it in sight.
 */
export const RouteEdge = memo(function RouteEdge({ data, markerEnd }: EdgeProps<RouteEdgeType>) {
  if (!data) return null;
  const style = data.label ? { stroke: '#0f766e', strokeWidth: 3, strokeDasharray: '10 6' } : { stroke: '#475569', strokeWidth: 2.5 };
  return <BaseEdge path={polylinePath(data.points)} markerEnd={markerEnd} style={style} />;
});

/** React Flow attaches edges to handles; ours are drawn from the layout, so the handles stay invisible. */
export function HiddenHandles() {
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} className="!pointer-events-none !opacity-0" />
      <Handle type="source" position={Position.Right} isConnectable={false} className="!pointer-events-none !opacity-0" />
    </>
  );
}

const sizeSelector = (s: ReactFlowState) => `${Math.round(s.width)}x${Math.round(s.height)}`;

/** fitView runs once on mount; refit when the pane is resized so the whole diagram stays in view. */
/** `drawing` changes when the diagram itself does (a host with IPVS has a taller graph): refit then too. */
/** `minZoom`: never smaller than this (the rest of the drawing is then panned to); `onFit` is told after each fit. */
export function FitOnResize({ padding, maxZoom, minZoom, drawing, onFit }: { padding: number; maxZoom?: number; minZoom?: number; drawing?: unknown; onFit?: () => void }) {
  const size = useFlowStore(sizeSelector);
  const { fitView } = useReactFlow();
  const fitted = useRef(onFit);
  useLayoutEffect(() => {
    fitted.current = onFit;
  }, [onFit]);
  useEffect(() => {
    const t = setTimeout(() => {
      void fitView({ padding, ...(maxZoom === undefined ? {} : { maxZoom }), ...(minZoom === undefined ? {} : { minZoom }) }).then(() => fitted.current?.());
    }, 50);
    return () => clearTimeout(t);
  }, [size, fitView, padding, maxZoom, minZoom, drawing]);
  return null;
}

const zoomButton =
  'flex h-9 w-9 items-center justify-center border-b border-slate-400 bg-white text-xl font-bold text-slate-900 last:border-b-0 hover:bg-slate-100 focus-visible:outline-3 focus-visible:outline-offset-1 focus-visible:outline-blue-700';

/**
 * Zoom buttons in a named toolbar. React Flow's own <Controls> puts an
 * aria-label on a role-less div, which axe flags for review.
 */
export function ZoomControls({ padding }: { padding: number }) {
  const { zoomIn, zoomOut, fitView } = useReactFlow();
  const t = useT();
  return (
    <Panel position="bottom-left">
      <div role="toolbar" aria-label={t('graph.zoom')} aria-orientation="vertical" className="flex flex-col overflow-hidden rounded-md border border-slate-400 shadow-sm">
        <button type="button" className={zoomButton} aria-label={t('graph.zoomIn')} title={t('graph.zoomIn')} onClick={() => void zoomIn()}>
          +
        </button>
        <button type="button" className={zoomButton} aria-label={t('graph.zoomOut')} title={t('graph.zoomOut')} onClick={() => void zoomOut()}>
          −
        </button>
        <button type="button" className={`${zoomButton} text-base`} aria-label={t('graph.fit')} title={t('graph.fit')} onClick={() => void fitView({ padding })}>
          ⤢
        </button>
      </div>
    </Panel>
  );
}

const PAN_MS = 300;

/** The nearest ancestor that scrolls sideways (the phone's wide graph), marked data-graph-scroller. */
function sideScroller(el: HTMLElement): HTMLElement | null {
  return el.closest<HTMLElement>('[data-graph-scroller]');
}

/** The bottom of a sticky bar stuck to the top of the window (the playback bar), which hides what is under it. */
function coveredTop(): number {
  let top = 0;
  for (const bar of document.querySelectorAll<HTMLElement>('[data-sticky-bar]')) {
    if (getComputedStyle(bar).position !== 'sticky') continue;
    const r = bar.getBoundingClientRect();
    if (r.top <= 1 && r.bottom > top) top = r.bottom;
  }
  return top;
}

/**
 * Keeps the current box in view. Whenever `target` (the box the step
 * lights) or `token` changes, the graph pans to centre the box if it is out
 * of the pane (at the reader's zoom). With `page`, the phone's sideways
 * scroller and then the window scroll too, as little as needed (the whole
 * graph box when it fits in the window), below the sticky playback bar. A
 * new walk (`walk` changes) scrolls the page only down to the graph (Send
 * packet in the form above it), never up: an edit in the editor below must
 * not pull the page away from it. `refit` changes after the view
 * was fitted again (a resize): the box is panned to then, the page stays.
 * Under prefers-reduced-motion everything jumps.
 */
export function FollowCurrent({ target, token, walk, page, refit = 0 }: { target: Rect | null; token: string; walk: unknown; page: boolean; refit?: number }) {
  const { getViewport, setViewport } = useReactFlow();
  const reduce = useReducedMotion();
  const shown = useRef<unknown>(walk);
  // the page scrolls for a new step or a Follow, not when the pane is resized
  const asked = useRef<{ target: Rect | null; token: string } | null>(null);
  const width = useFlowStore((s) => s.width);
  const height = useFlowStore((s) => s.height);
  const dom = useFlowStore((s) => s.domNode);
  useEffect(() => {
    const newWalk = shown.current !== walk;
    shown.current = walk;
    // the first answer is the page's first paint, which stays where the reader is
    const moved = asked.current !== null && (asked.current.target !== target || asked.current.token !== token);
    asked.current = { target, token };
    if (!target || !dom || width === 0 || height === 0) return;
    const v = getViewport();
    const next = panToShow(withBadge(target), v, { width, height });
    if (next) void setViewport(next, { duration: reduce ? 0 : PAN_MS });
    if (!page || (!newWalk && !moved)) return;
    const behavior: ScrollBehavior = reduce ? 'instant' : 'smooth';
    const box = onPane(withBadge(target), next ?? v);
    const paneRect = dom.getBoundingClientRect();
    const side = sideScroller(dom);
    if (side) {
      const view = side.getBoundingClientRect();
      const dx = scrollDelta(paneRect.left + box.x, paneRect.left + box.x + box.w, view.left, view.right);
      if (dx !== 0) side.scrollBy({ left: dx, behavior });
    }
    const top = coveredTop();
    const dy = scrollDelta(paneRect.top + box.y, paneRect.top + box.y + box.h, top, window.innerHeight, undefined, { start: paneRect.top, end: paneRect.bottom });
    // a new walk scrolls down to the graph (Send packet in the form above it), never up (an edit in the editor below)
    if (dy !== 0 && (!newWalk || dy > 0)) window.scrollBy({ top: dy, behavior });
  }, [target, token, walk, page, dom, width, height, getViewport, setViewport, reduce, refit]);
  return null;
}
