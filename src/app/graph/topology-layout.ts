// pattern: Functional Core
// The scenario's hosts, links and switches placed in columns by distance from
// the first host (breadth-first), so a client → router → server chain reads
// left to right, and the path the packet dot takes when a packet crosses a
// wire (through the switch when there is one).

import type { FateReason, WalkLog } from '../../engine/walk-log';
import type { Point } from './flow-layout';

export interface TopoNodeSpec {
  /** 'host:NAME' or 'switch:NAME' */
  id: string;
  kind: 'host' | 'switch';
  name: string;
  /** a namespace inside this host (`ip netns add`): drawn inside its box, below its interfaces */
  in?: string;
  /** interfaces other than lo, with their addresses; a VLAN device right after its real device */
  interfaces: { name: string; addrs: string[]; vlan?: { parent: string; id: number } }[];
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface TopoEdgeSpec {
  id: string;
  source: string;
  target: string;
  /** 'eth0 — eth1': the interfaces at each end */
  label: string;
  points: Point[];
  /** a tunnel drawn over the underlay between its two ends ('tun0 GRE'); absent for a wire */
  tunnel?: string;
}

export interface TopoLayout {
  nodes: TopoNodeSpec[];
  edges: TopoEdgeSpec[];
}

export const HOST_W = 250;
const HOST_HEAD = 50;
const IFACE_LINE = 26;
const SWITCH_W = 130;
const SWITCH_H = 44;
const COL = 340;
const GAP_Y = 40;
/** a namespace's margin inside its host's box */
const NS_PAD = 14;

const hostId = (name: string) => `host:${name}`;
const switchId = (name: string) => `switch:${name}`;
const portHost = (port: string) => port.slice(0, port.indexOf(':'));
const portIface = (port: string) => port.slice(port.indexOf(':') + 1);

/** A host's interfaces in ifindex order, except that each VLAN device follows its real device (and that device's earlier VLANs). */
function vlansUnderParents<I extends { name: string; vlan?: { parent: string } }>(ifaces: I[]): I[] {
  const out: I[] = [];
  const place = (i: I) => {
    out.push(i);
    for (const v of ifaces) if (v.vlan?.parent === i.name) place(v);
  };
  for (const i of ifaces) if (!i.vlan || !ifaces.some((p) => p.name === i.vlan!.parent)) place(i);
  return out;
}

export function topologyLayout(log: WalkLog | null): TopoLayout {
  if (!log) return { nodes: [], edges: [] };
  const specs = new Map<string, Omit<TopoNodeSpec, 'x' | 'y'>>();
  for (const h of log.hosts) {
    const interfaces = vlansUnderParents(h.interfaces.filter((i) => i.name !== 'lo')).map((i) => ({ name: i.name, addrs: i.addrs, ...(i.vlan ? { vlan: { parent: i.vlan.parent, id: i.vlan.id } } : {}) }));
    const inside = h.in !== undefined && log.hosts.some((p) => p.name === h.in && p.in === undefined);
    const w = inside ? HOST_W - 2 * NS_PAD : HOST_W;
    specs.set(hostId(h.name), { id: hostId(h.name), kind: 'host', name: h.name, ...(inside ? { in: h.in } : {}), interfaces, w, h: HOST_HEAD + Math.max(1, interfaces.length) * IFACE_LINE + 12 });
  }
  // a host's own box grows to hold its namespaces, which are not placed in columns of their own
  const namespaces = [...specs.values()].filter((s) => s.in !== undefined);
  for (const ns of namespaces) specs.get(hostId(ns.in!))!.h += ns.h + NS_PAD;
  for (const ns of namespaces) specs.delete(ns.id);
  const placed = (id: string): string => {
    const ns = namespaces.find((n) => n.id === id);
    return ns ? hostId(ns.in!) : id;
  };
  for (const s of log.switches) specs.set(switchId(s.name), { id: switchId(s.name), kind: 'switch', name: s.name, interfaces: [], w: SWITCH_W, h: SWITCH_H });

  const wires: { a: string; b: string; label: string }[] = [];
  for (const [a, b] of log.links) {
    if (!specs.has(placed(hostId(portHost(a)))) || !specs.has(placed(hostId(portHost(b))))) continue;
    wires.push({ a: hostId(portHost(a)), b: hostId(portHost(b)), label: `${portIface(a)} — ${portIface(b)}` });
  }
  for (const s of log.switches) {
    for (const p of s.ports) {
      if (specs.has(placed(hostId(portHost(p))))) wires.push({ a: switchId(s.name), b: hostId(portHost(p)), label: portIface(p) });
    }
  }
  const adj = new Map<string, string[]>();
  for (const { a: wa, b: wb } of wires) {
    // a namespace's wires count as its host's when the columns are made
    const w = { a: placed(wa), b: placed(wb) };
    if (w.a === w.b) continue;
    adj.set(w.a, [...(adj.get(w.a) ?? []), w.b]);
    adj.set(w.b, [...(adj.get(w.b) ?? []), w.a]);
  }

  // breadth-first columns; unconnected parts follow in later columns
  const column = new Map<string, number>();
  const order: string[] = [];
  let base = 0;
  for (const start of specs.keys()) {
    if (column.has(start)) continue;
    column.set(start, base);
    const queue = [start];
    let deepest = base;
    for (let qi = 0; qi < queue.length; qi++) {
      const n = queue[qi]!;
      order.push(n);
      for (const m of adj.get(n) ?? []) {
        if (column.has(m)) continue;
        const c = column.get(n)! + 1;
        column.set(m, c);
        deepest = Math.max(deepest, c);
        queue.push(m);
      }
    }
    base = deepest + 1;
  }

  const cols = new Map<number, string[]>();
  for (const id of order) cols.set(column.get(id)!, [...(cols.get(column.get(id)!) ?? []), id]);
  const colHeight = (ids: string[]) => ids.reduce((s, id) => s + specs.get(id)!.h, 0) + GAP_Y * (ids.length - 1);
  const tallest = Math.max(0, ...[...cols.values()].map(colHeight));
  const nodes: TopoNodeSpec[] = [];
  for (const [c, ids] of cols) {
    let y = (tallest - colHeight(ids)) / 2;
    for (const id of ids) {
      const s = specs.get(id)!;
      nodes.push({ ...s, x: c * COL + (HOST_W - s.w) / 2, y });
      y += s.h + GAP_Y;
    }
  }
  // each namespace at the bottom of its host's box, in the order they were made; drawn after its host, so over it
  for (const ns of namespaces) {
    const host = nodes.find((n) => n.id === hostId(ns.in!))!;
    const below = nodes.filter((n) => n.in === ns.in);
    const y = below.length ? Math.max(...below.map((n) => n.y + n.h)) + NS_PAD : host.y + host.h - namespaces.filter((n) => n.in === ns.in).reduce((s, n) => s + n.h + NS_PAD, 0);
    nodes.push({ ...ns, x: host.x + NS_PAD, y });
    column.set(ns.id, column.get(host.id)!);
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges: TopoEdgeSpec[] = wires.map((w, k) => {
    // draw left to right so the edge reads in the same direction as the columns
    const [s, t] = column.get(w.a)! <= column.get(w.b)! ? [w.a, w.b] : [w.b, w.a];
    return { id: `wire-${k}`, source: s, target: t, label: w.label, points: [centre(byId.get(s)!), centre(byId.get(t)!)] };
  });
  return { nodes, edges: [...edges, ...tunnelEdges(log, byId, column)] };
}

/**
 * A tunnel between two hosts of the scenario: from the host whose tunnel
 * device names a remote to the host that has that address, drawn as a path
 * above both (over the underlay wires, whatever routers lie between), once
 * per pair and mode.
 */
function tunnelEdges(log: WalkLog, byId: Map<string, TopoNodeSpec>, column: Map<string, number>): TopoEdgeSpec[] {
  const owner = new Map<string, string>();
  for (const h of log.hosts) for (const i of h.interfaces) for (const a of i.addrs) owner.set(a.slice(0, a.indexOf('/')), hostId(h.name));
  const out: TopoEdgeSpec[] = [];
  const seen = new Set<string>();
  const top = Math.min(...[...byId.values()].map((n) => n.y));
  for (const h of log.hosts) {
    for (const i of h.interfaces) {
      const t = i.tunnel;
      const far = t ? owner.get(t.remote) : undefined;
      if (!t || !far || far === hostId(h.name)) continue;
      const [s, d] = (column.get(hostId(h.name)) ?? 0) <= (column.get(far) ?? 0) ? [hostId(h.name), far] : [far, hostId(h.name)];
      const key = `${s}|${d}|${t.mode}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const a = byId.get(s);
      const b = byId.get(d);
      if (!a || !b) continue;
      const lift = top - 40 - 24 * out.length;
      out.push({ id: `tunnel-${out.length}`, source: s, target: d, label: `${i.name} ${t.mode.toUpperCase()}`, tunnel: `${i.name} ${t.mode.toUpperCase()}`, points: [perch(a), { x: perch(a).x, y: lift }, { x: perch(b).x, y: lift }, perch(b)] });
    }
  }
  return out;
}

export function centre(n: { x: number; y: number; w: number; h: number }): Point {
  return { x: n.x + n.w / 2, y: n.y + n.h / 2 };
}

/** Where the dot rests on a host: the middle of its top edge, clear of the name and addresses. */
export function perch(n: { x: number; y: number; w: number; h: number }): Point {
  return { x: n.x + n.w / 2, y: n.y };
}

/** The host the packet is on at `index`. */
export function hostAt(log: WalkLog | null, index: number): string | null {
  return (log && index >= 0 ? log.steps[index]?.host : undefined) ?? null;
}

/** Where the walk on screen ended: the host, the interface the packet was at, and why (the end step's reason). */
export interface TopoFate {
  host: string;
  /** the device it was to leave by for the wire, else the one it came in on, else the one its route chose; null when none is known */
  iface: string | null;
  reason: FateReason;
}

/**
 * The fate of the packet on screen, as the topology draws it: only at the
 * step where its walk on a host ends (the step the flow graph marks), so
 * stepping shows it once the packet gets there and not before. The interface
 * comes from the packet's earlier steps on that host: a send names the
 * device it left by; a drop the device it arrived on, or for a packet the
 * host made itself the device its route chose.
 */
export function fateAt(log: WalkLog | null, index: number): TopoFate | null {
  const end = log && index >= 0 ? log.steps[index] : undefined;
  if (!end || end.kind !== 'end') return null;
  let inDev: string | null = null;
  let outDev: string | null = null;
  for (let k = index - 1; k >= 0; k--) {
    const s = log!.steps[k]!;
    // another packet's steps may lie between this one's (an ICMP error it caused): pass over them
    if (s.packet !== end.packet || s.host !== end.host) continue;
    if (s.kind === 'end' || s.kind === 'originate') break;
    if (s.kind === 'ingress') {
      inDev ??= s.iface;
      break;
    }
    if (s.kind === 'rule') {
      outDev ??= s.out || null;
      inDev ??= s.in || null;
    } else if (s.kind === 'note' && s.note.kind === 'route') outDev ??= s.note.dev;
  }
  const iface = end.reason === 'sent' ? (outDev ?? inDev) : (inDev ?? outDev);
  return { host: end.host, iface, reason: end.reason };
}

/**
 * The points the dot passes through between two steps on the topology: along
 * the wire (via the switch) when the later step is a packet arriving from
 * another host, else a jump to the current host.
 */
export function topologyDotPath(layout: TopoLayout, log: WalkLog | null, from: number, to: number): Point[] {
  const host = hostAt(log, to);
  const at = host ? layout.nodes.find((n) => n.id === hostId(host)) : undefined;
  if (!at) return [];
  const end = perch(at);
  if (Math.abs(to - from) !== 1) return [end];
  const later = log!.steps[Math.max(from, to)];
  if (!later || later.kind !== 'ingress' || !later.from || later.from.host === later.host) return [end];
  const src = layout.nodes.find((n) => n.id === hostId(later.from!.host));
  const dst = layout.nodes.find((n) => n.id === hostId(later.host));
  if (!src || !dst) return [end];
  const path = [perch(src), centre(src), ...viaSwitch(layout, src.id, dst.id), centre(dst), perch(dst)];
  return to > from ? path : path.reverse();
}

function viaSwitch(layout: TopoLayout, a: string, b: string): Point[] {
  const direct = layout.edges.some((e) => (e.source === a && e.target === b) || (e.source === b && e.target === a));
  if (direct) return [];
  const ends = (n: string) => new Set(layout.edges.flatMap((e) => (e.source === n ? [e.target] : e.target === n ? [e.source] : [])));
  const na = ends(a);
  for (const s of ends(b)) {
    const sw = layout.nodes.find((n) => n.id === s && n.kind === 'switch');
    if (sw && na.has(s)) return [centre(sw)];
  }
  return [];
}
