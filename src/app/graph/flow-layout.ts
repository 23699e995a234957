// pattern: Functional Core
// The fixed geometry of one host's netfilter flow graph, shaped like the
// classic packet-flow diagram: the packet enters at the top left, walks down
// PREROUTING, is routed either along the top (FORWARD) or down into the host
// (INPUT, local process), comes back up through OUTPUT and leaves upward
// through POSTROUTING at the top right. Each hook is a band whose tables are
// stacked in the order the kernel runs them, so the graph never grows with
// the ruleset: it shows chains, not rules.
//
// Node ids are WalkLog's GraphNode ids, so a step's `node` names the box it
// lights. Edges are orthogonal polylines computed here, so the drawn edge
// and the packet dot's path are the same points.

import type { GraphNode, WalkLog, WalkStep } from '../../engine/walk-log';
import { HOOK_TABLES, type HookName, type TableName } from '../../vocabulary/netfilter';

export interface Point {
  x: number;
  y: number;
}

/** 'ipvs': IPVS's own hook functions (LOCAL_IN 99, FORWARD 100), drawn only on hosts with virtual services */
export type FlowNodeKind = 'table' | 'point' | 'ipvs';

export interface FlowNodeSpec {
  id: GraphNode;
  kind: FlowNodeKind;
  /** what the box says; for table nodes also its accessible name: 'nat PREROUTING' */
  label: string;
  /** a second line for point nodes ("TTL − 1") */
  hint: string | null;
  /** accessible name: 'nat PREROUTING', 'routing decision (input)' */
  name: string;
  hook: HookName | null;
  table: TableName | null;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface BandSpec {
  hook: HookName;
  /** the way the packet moves through the band's tables */
  direction: 'down' | 'up';
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface EdgeSpec {
  id: string;
  source: GraphNode;
  target: GraphNode;
  points: Point[];
  /** a path no chain takes: IPVS sending the packet on through LOCAL_OUT; drawn dashed, labelled with this message key */
  label?: string;
}

export interface FlowLayout {
  /** drawn with IPVS's hooks (for hosts that have virtual services) */
  ipvs: boolean;
  /** drawn with the qdiscs (for hosts where tc set one): egress after POSTROUTING, ingress before PREROUTING */
  tc: boolean;
  nodes: FlowNodeSpec[];
  bands: BandSpec[];
  edges: EdgeSpec[];
  width: number;
  height: number;
}

// Flow-space sizes. fitView scales them; they are large so that text stays
// readable once scaled down on a laptop and reads from the back of a room.
export const TABLE_W = 270;
export const TABLE_H = 60;
export const POINT_W = 200;
export const POINT_H = 48;
const ROW = 76;
const COL = 350;
const BAND_HEAD = 44;
const BAND_PAD = 14;
/** how far left of a column its incoming edges turn */
const GUTTER = 40;
/** top of the first row of the top lane (forwarding path) */
const TOP = BAND_HEAD + BAND_PAD;
/**
 * Top of the first row of the bottom lane (the host's own traffic): below the
 * deepest top-lane band (FORWARD ends at row 3.6, one row lower with IPVS's
 * FORWARD hook) plus the next band's title.
 */
const bottomOf = (ipvs: boolean) => TOP + (ipvs ? 4.6 : 3.6) * ROW + TABLE_H + 2 * BAND_PAD + BAND_HEAD + 36;

type Lane = 'top' | 'bottom';

interface Slot {
  id: GraphNode;
  col: number;
  lane: Lane;
  row: number;
  hint?: string;
  label?: string;
}

const tableSlots = (hook: HookName, col: number, lane: Lane, firstRow: number, dir: 'down' | 'up', ipvs: boolean): Slot[] => {
  const order: GraphNode[] = [];
  for (const t of HOOK_TABLES[hook]) order.push(`${t} ${hook}` as GraphNode);
  // conntrack sits between raw and mangle (priority -200), where the kernel runs it
  if (hook === 'PREROUTING') order.splice(1, 0, 'conntrack-in');
  if (hook === 'OUTPUT') order.splice(1, 0, 'conntrack-out');
  // IPVS's LOCAL_IN hook (priority 99) runs after security INPUT (50) and before nat INPUT (100);
  // its FORWARD hook (100) after security FORWARD (50)
  if (ipvs && hook === 'INPUT') order.splice(order.indexOf('nat INPUT'), 0, 'ipvs-in');
  if (ipvs && hook === 'FORWARD') order.push('ipvs-out');
  return order.map((id, k) => ({ id, col, lane, row: dir === 'down' ? firstRow + k : firstRow - k }));
};

/** Where each node sits: column, lane and row; bands list their tables in kernel order. */
const slots = (ipvs: boolean, tc: boolean): Slot[] => [
  { id: 'iface-in', col: 0, lane: 'top', row: 0, label: 'interface in' },
  // sch_handle_ingress runs in __netif_receive_skb_core, before ip_rcv's PREROUTING
  ...(tc ? [{ id: 'tc-ingress', col: 0, lane: 'top', row: 1.2, label: 'tc ingress', hint: 'qdisc' } satisfies Slot] : []),
  ...tableSlots('PREROUTING', 1, 'top', 0, 'down', ipvs),
  { id: 'routing-input', col: 2, lane: 'top', row: 3, label: 'routing decision', hint: 'input' },
  ...tableSlots('INPUT', 2, 'bottom', 0, 'down', ipvs),
  { id: 'forward-decision', col: 3, lane: 'top', row: 0, label: 'forward', hint: 'TTL − 1' },
  // bands below a point node start 0.6 rows lower, leaving room for their title
  ...tableSlots('FORWARD', 3, 'top', 1.6, 'down', ipvs),
  { id: 'local-process', col: 3, lane: 'bottom', row: 3, label: 'local process' },
  { id: 'routing-output', col: 3, lane: 'bottom', row: 5, label: 'routing decision', hint: 'output' },
  ...tableSlots('OUTPUT', 4, 'bottom', 5, 'up', ipvs),
  { id: 'reroute', col: 4, lane: 'top', row: 3.7, label: 'reroute check' },
  ...tableSlots('POSTROUTING', 4, 'top', 2.6, 'up', ipvs),
  // __dev_queue_xmit: the root qdisc takes the frame after POSTROUTING, the device after it
  ...(tc
    ? [{ id: 'tc-egress', col: 4, lane: 'top', row: 0, label: 'tc egress', hint: 'root qdisc' } satisfies Slot, { id: 'iface-out', col: 5, lane: 'top', row: 0, label: 'interface out' } satisfies Slot]
    : [{ id: 'iface-out', col: 4, lane: 'top', row: 0, label: 'interface out' } satisfies Slot]),
];

const BAND_DIRECTION: Record<HookName, 'down' | 'up'> = {
  PREROUTING: 'down',
  INPUT: 'down',
  FORWARD: 'down',
  OUTPUT: 'up',
  POSTROUTING: 'up',
};

/** The paths a packet can take between adjacent boxes, in flow order. */
function links(slotList: Slot[]): [GraphNode, GraphNode][] {
  const chain = (...ids: GraphNode[]) => ids.slice(1).map((id, k) => [ids[k]!, id] as [GraphNode, GraphNode]);
  const hook = (h: HookName): GraphNode[] => slotList.filter((s) => hookOf(s.id) === h).map((s) => s.id);
  const tc = slotList.some((s) => s.id === 'tc-egress');
  return [
    ...chain('iface-in', ...(tc ? ['tc-ingress' as const] : []), ...hook('PREROUTING'), 'routing-input'),
    ...chain('routing-input', ...hook('INPUT'), 'local-process'),
    ...chain('routing-input', 'forward-decision', ...hook('FORWARD'), 'mangle POSTROUTING'),
    ...chain('local-process', 'routing-output', ...hook('OUTPUT'), 'reroute', 'mangle POSTROUTING'),
    ...chain('mangle POSTROUTING', 'nat POSTROUTING', ...(tc ? ['tc-egress' as const] : []), 'iface-out'),
  ];
}

const IPVS_NAMES: Partial<Record<GraphNode, { hint: string; name: string }>> = {
  'ipvs-in': { hint: 'LOCAL_IN', name: 'IPVS LOCAL_IN' },
  'ipvs-out': { hint: 'FORWARD', name: 'IPVS FORWARD' },
};

function hookOf(id: GraphNode): HookName | null {
  if (id === 'ipvs-in') return 'INPUT';
  if (id === 'ipvs-out') return 'FORWARD';
  if (id === 'conntrack-in') return 'PREROUTING';
  if (id === 'conntrack-out') return 'OUTPUT';
  const sp = id.indexOf(' ');
  return sp < 0 ? null : (id.slice(sp + 1) as HookName);
}

function rect(s: Slot, bottom: number): { x: number; y: number; w: number; h: number } {
  const table = s.id.includes(' ') || s.id in IPVS_NAMES;
  const w = table ? TABLE_W : POINT_W;
  const h = table ? TABLE_H : POINT_H;
  const x = s.col * COL + (TABLE_W - w) / 2;
  const y = (s.lane === 'top' ? TOP : bottom) + s.row * ROW + (TABLE_H - h) / 2;
  return { x, y, w, h };
}

const center = (n: { x: number; y: number; w: number; h: number }): Point => ({ x: n.x + n.w / 2, y: n.y + n.h / 2 });

/**
 * Where the dot rests on a box: on its left edge, over the table's colour
 * stripe, so it never hides the box's name.
 */
export const restPoint = (n: { x: number; y: number; w: number; h: number }): Point => ({ x: n.x + 4, y: n.y + n.h / 2 });

/**
 * An orthogonal route from one box's border to the next: straight when they
 * share a column, otherwise out of the right side, along the gutter between
 * columns, and into the left side.
 */
export function route(a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }): Point[] {
  const ca = center(a);
  const cb = center(b);
  if (Math.abs(ca.x - cb.x) < 1) {
    return cb.y > ca.y
      ? [{ x: ca.x, y: a.y + a.h }, { x: cb.x, y: b.y }]
      : [{ x: ca.x, y: a.y }, { x: cb.x, y: b.y + b.h }];
  }
  const start = { x: a.x + a.w, y: ca.y };
  const end = { x: b.x, y: cb.y };
  if (Math.abs(start.y - end.y) < 1) return [start, end];
  // turn in the gap before the target's column (outside its band), so edges
  // that merge into one box share their last stretch instead of crossing
  const gx = Math.floor((end.x + 1) / COL) * COL - GUTTER;
  return [start, { x: gx, y: start.y }, { x: gx, y: end.y }, end];
}

/**
 * IPVS takes the packet at LOCAL_IN and sends it on through LOCAL_OUT
 * (OUTPUT, then POSTROUTING), never FORWARD. The arrow leaves the IPVS box to
 * the left, runs under the host's own traffic and enters raw OUTPUT from
 * below, so it crosses no box.
 */
function reinjectRoute(from: { x: number; y: number; w: number; h: number }, to: { x: number; y: number; w: number; h: number }, below: number): Point[] {
  const y = from.y + from.h / 2;
  const gx = from.x - GUTTER;
  const tx = to.x + to.w / 2;
  return [
    { x: from.x, y },
    { x: gx, y },
    { x: gx, y: below },
    { x: tx, y: below },
    { x: tx, y: to.y + to.h },
  ];
}

function build(ipvs: boolean, tc = false): FlowLayout {
  const slotList = slots(ipvs, tc);
  const bottom = bottomOf(ipvs);
  const nodes: FlowNodeSpec[] = slotList.map((s) => {
    const r = rect(s, bottom);
    const table = s.id.includes(' ');
    const hook = hookOf(s.id);
    const named = IPVS_NAMES[s.id];
    if (named) return { id: s.id, kind: 'ipvs', label: 'IPVS', hint: named.hint, name: named.name, hook, table: null, ...r };
    const label = s.label ?? (table ? s.id : 'conntrack');
    const hint = s.hint ?? (table ? null : hook);
    return {
      id: s.id,
      kind: table ? 'table' : 'point',
      label,
      hint,
      name: table ? s.id : hint ? `${label} (${hint})` : label,
      hook,
      table: table ? (s.id.slice(0, s.id.indexOf(' ')) as TableName) : null,
      ...r,
    };
  });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const bands: BandSpec[] = (Object.keys(BAND_DIRECTION) as HookName[]).map((hook) => {
    const members = nodes.filter((n) => n.hook === hook);
    const x0 = Math.min(...members.map((n) => n.x + n.w / 2)) - TABLE_W / 2 - BAND_PAD;
    const y0 = Math.min(...members.map((n) => n.y)) - BAND_PAD - BAND_HEAD;
    const y1 = Math.max(...members.map((n) => n.y + n.h)) + BAND_PAD;
    return { hook, direction: BAND_DIRECTION[hook], x: x0, y: y0, w: TABLE_W + 2 * BAND_PAD, h: y1 - y0 };
  });
  const edges: EdgeSpec[] = links(slotList).map(([s, t]) => ({ id: `${s}→${t}`, source: s, target: t, points: route(byId.get(s)!, byId.get(t)!) }));
  if (ipvs) {
    const below = Math.max(...bands.map((b) => b.y + b.h), ...nodes.map((n) => n.y + n.h)) + 36;
    edges.push({ id: 'ipvs-in→raw OUTPUT', source: 'ipvs-in', target: 'raw OUTPUT', points: reinjectRoute(byId.get('ipvs-in')!, byId.get('raw OUTPUT')!, below), label: 'ipvs.graph.reinject' });
  }
  const width = Math.max(...nodes.map((n) => n.x + n.w), ...bands.map((b) => b.x + b.w));
  const height = Math.max(...nodes.map((n) => n.y + n.h), ...bands.map((b) => b.y + b.h), ...edges.filter((e) => e.label).flatMap((e) => e.points.map((p) => p.y + 30)));
  return { ipvs, tc, nodes, bands, edges, width, height };
}

/** The one layout every host shares (the hooks and tables are the same on every Linux host). */
export const FLOW_LAYOUT: FlowLayout = build(false);
/** The same, with IPVS's LOCAL_IN and FORWARD hooks: for hosts that have virtual services. */
export const FLOW_LAYOUT_IPVS: FlowLayout = build(true);
/** With the egress and ingress qdiscs, for hosts where tc set one. */
export const FLOW_LAYOUT_TC: FlowLayout = build(false, true);
export const FLOW_LAYOUT_IPVS_TC: FlowLayout = build(true, true);

/** The layout of `host` in this walk: with IPVS's boxes only where it has virtual services. */
export function layoutFor(log: WalkLog | null, host: string): FlowLayout {
  const h = log?.hosts.find((x) => x.name === host);
  const ipvs = h !== undefined && h.ipvs !== null && h.ipvs !== undefined;
  if (h?.tc) return ipvs ? FLOW_LAYOUT_IPVS_TC : FLOW_LAYOUT_TC;
  return ipvs ? FLOW_LAYOUT_IPVS : FLOW_LAYOUT;
}

interface LayoutIndex {
  nodes: ReadonlyMap<string, FlowNodeSpec>;
  out: ReadonlyMap<string, EdgeSpec[]>;
}

const indexes = new WeakMap<FlowLayout, LayoutIndex>();

function indexOf(layout: FlowLayout): LayoutIndex {
  const hit = indexes.get(layout);
  if (hit) return hit;
  const out = new Map<string, EdgeSpec[]>();
  for (const e of layout.edges) out.set(e.source, [...(out.get(e.source) ?? []), e]);
  const ix = { nodes: new Map(layout.nodes.map((n) => [n.id, n])), out };
  indexes.set(layout, ix);
  return ix;
}

export function flowNode(id: string, layout: FlowLayout = FLOW_LAYOUT): FlowNodeSpec | undefined {
  return indexOf(layout).nodes.get(id);
}

/**
 * The graph node the packet is on at `index`, if that step happens on `host`
 * and the layout has its box. The engine says which box a step lights
 * (WalkStep.node; the parts of IPVS's transmit light the IPVS box).
 */
export function currentNode(log: WalkLog | null, index: number, host: string, layout: FlowLayout = FLOW_LAYOUT): GraphNode | null {
  const step = log && index >= 0 ? log.steps[index] : undefined;
  if (!step || step.host !== host) return null;
  return indexOf(layout).nodes.has(step.node) ? step.node : null;
}

/**
 * The edges from one node to another along the flow, shortest first (the walk
 * skips boxes it has nothing to do in, e.g. conntrack on a host without
 * conntrack). Null when no forward path exists. A path never runs through the
 * local process: a packet ends or starts there, it does not pass it.
 */
export function pathBetween(from: GraphNode, to: GraphNode, layout: FlowLayout = FLOW_LAYOUT): EdgeSpec[] | null {
  if (from === to) return [];
  const outEdges = indexOf(layout).out;
  const prev = new Map<string, EdgeSpec>();
  const seen = new Set<string>([from]);
  const queue: string[] = [from];
  // the graph has ~30 nodes: the queue is bounded by that
  for (let qi = 0; qi < queue.length; qi++) {
    const n = queue[qi]!;
    if (qi > 0 && n === 'local-process') continue;
    for (const e of outEdges.get(n) ?? []) {
      if (seen.has(e.target)) continue;
      seen.add(e.target);
      prev.set(e.target, e);
      if (e.target === to) {
        const path: EdgeSpec[] = [];
        for (let cur: string = to; cur !== from; ) {
          const edge = prev.get(cur)!;
          path.unshift(edge);
          cur = edge.source;
        }
        return path;
      }
      queue.push(e.target);
    }
  }
  return null;
}

/**
 * The points the packet dot passes through when the view moves from step
 * `from` to step `to` on `host`: centre of the old box, along the edges, centre
 * of the new box. One point means "jump" (another packet, another host, a
 * leap of more than one step, or no path); stepping back retraces the path.
 */
export function dotPath(log: WalkLog | null, from: number, to: number, host: string, layout: FlowLayout = FLOW_LAYOUT): Point[] {
  const target = currentNode(log, to, host, layout);
  if (!target) return [];
  const nodes = indexOf(layout).nodes;
  const end = restPoint(nodes.get(target)!);
  const a = log!.steps[from];
  const b = log!.steps[to]!;
  const source = currentNode(log, from, host, layout);
  if (!a || !source || Math.abs(to - from) !== 1 || !samePacket(a, b)) return [end];
  const back = to < from;
  const edges = back ? pathBetween(target, source, layout) : pathBetween(source, target, layout);
  if (!edges) return [end];
  const pts: Point[] = [restPoint(nodes.get(back ? target : source)!)];
  // between boxes the dot follows the arrows; it only stops at the last box
  for (let k = 0; k < edges.length; k++) {
    const e = edges[k]!;
    pts.push(...e.points);
    if (k === edges.length - 1) pts.push(restPoint(nodes.get(e.target)!));
  }
  if (back) pts.reverse();
  return dedupe(pts);
}

const samePacket = (a: WalkStep, b: WalkStep) => a.packet === b.packet && a.host === b.host;

function dedupe(pts: Point[]): Point[] {
  return pts.filter((p, i) => i === 0 || p.x !== pts[i - 1]!.x || p.y !== pts[i - 1]!.y);
}

/** Keyframe times (0..1) proportional to distance, so the dot moves at a steady speed. */
export function keyframeTimes(pts: Point[]): number[] {
  const d: number[] = [0];
  for (let i = 1; i < pts.length; i++) d.push(d[i - 1]! + Math.hypot(pts[i]!.x - pts[i - 1]!.x, pts[i]!.y - pts[i - 1]!.y));
  const total = d[d.length - 1]!;
  return d.map((x) => (total > 0 ? x / total : 0));
}

/** SVG path data for a polyline. */
export function polylinePath(pts: Point[]): string {
  return pts.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' ');
}
