// pattern: Imperative Shell
// Pieces both diagrams share: the packet dot, an edge drawn along
// precomputed points, invisible handles React Flow needs to attach edges, and
// refitting when the container changes size (laptop ↔ projector).

import { memo, useEffect, useLayoutEffect, useRef, useSyncExternalStore } from 'react';
import { BaseEdge, Handle, Panel, Position, useReactFlow, useStore as useFlowStore, type Edge, type EdgeProps, type ReactFlowState } from '@xyflow/react';
import { keyframeTimes, polylinePath, type Point } from './flow-layout';
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
function useReducedMotion(): boolean {
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
export function FitOnResize({ padding, maxZoom, drawing }: { padding: number; maxZoom?: number; drawing?: unknown }) {
  const size = useFlowStore(sizeSelector);
  const { fitView } = useReactFlow();
  useEffect(() => {
    const t = setTimeout(() => void fitView(maxZoom === undefined ? { padding } : { padding, maxZoom }), 50);
    return () => clearTimeout(t);
  }, [size, fitView, padding, maxZoom, drawing]);
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
