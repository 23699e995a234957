// pattern: Functional Core
// Judges an engine result against a kernel result at the oracle's two levels
// (shared/oracle/COMPARE.md): `walk` is what a learner sees — per host, its
// packets in order with interfaces, the routing-relevant headers, every TRACE
// event and the disposition, plus what each step's programs saw; `full` adds
// lengths, per-event in/out/changed/rule text, wire headers, rewrites, route
// lookups, conntrack, counters, LOG lines, the TRACE text and the rulesets.
// Packet ids are ignored: links between packets are compared by host/iface.

type Obj = Record<string, unknown>;
export type Level = 'walk' | 'full';

const WALK_HDR = ['src', 'dst', 'proto', 'sport', 'dport', 'flags', 'type', 'code', 'id', 'seq', 'ttl', 'mark'];
const FULL_HDR = [...WALK_HDR, 'len', 'data_len', 'tos'];
const WALK_EVENT = ['table', 'chain', 'hook', 'type', 'rulenum', 'target', 'goto'];
const FULL_EVENT = [...WALK_EVENT, 'in', 'out', 'changed', 'rule'];

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pick(d: unknown, keys: string[]): unknown {
  if (!isObj(d)) return d;
  const out: Obj = {};
  for (const k of keys) {
    const v = d[k];
    if (k in d && v !== null && v !== undefined && v !== false) out[k] = v;
  }
  return out;
}

function headers(h: unknown, full: boolean): unknown {
  if (!isObj(h)) return h;
  const out = pick(h, full ? FULL_HDR : WALK_HDR) as Obj;
  if ('inner' in h) out.inner = headers(h.inner, full);
  return out;
}

function disposition(d: unknown): unknown {
  if (!isObj(d)) return d;
  const out: Obj = {};
  for (const k of ['verdict', 'at', 'with', 'reason', 'iface', 'port', 'host']) if (k in d) out[k] = d[k];
  if (Array.isArray(d.received_by)) {
    out.received_by = (d.received_by as Obj[])
      .map((r) => [r.host, r.iface] as [unknown, unknown])
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  if ('response' in d) out.response = pick(d.response, ['kind', 'type', 'code']);
  return out;
}

function packetView(p: Obj, full: boolean): Obj {
  const v: Obj = {
    origin: p.origin,
    in: p.in,
    out: p.out,
    headers: headers(p.headers, full),
    events: ((p.events as Obj[] | undefined) ?? []).map((e) => pick(e, full ? FULL_EVENT : WALK_EVENT)),
    disposition: disposition(p.disposition),
  };
  if (full) {
    v.wire_headers = headers(p.wire_headers, full);
    v.rewrites = ((p.rewrites as Obj[] | undefined) ?? []).map((r) => ({ after: r.after, before: r.before, fields: r.fields }));
    v.route = p.route;
  }
  return v;
}

function stepView(s: Obj, full: boolean): Obj {
  const v: Obj = {
    result: s.result,
    listener_events: ((s.listener_events as Obj[] | undefined) ?? []).map((e) =>
      pick(e, ['host', 'event', 'proto', 'listen_port', 'local', 'peer', 'data']),
    ),
  };
  if (full) {
    v.conntrack = s.conntrack ?? {};
    v.counters = ((s.counters as Obj[] | undefined) ?? []).map((c) => canonical(c)).sort();
    v.log_target_lines = s.log_target_lines ?? [];
  }
  return v;
}

export function view(result: Obj, level: Level): Obj {
  const full = level === 'full';
  const byHost: Record<string, Obj[]> = {};
  for (const p of (result.packets as Obj[] | undefined) ?? []) {
    const h = String(p.host);
    (byHost[h] ??= []).push(packetView(p, full));
  }
  const v: Obj = {
    packets_by_host: byHost,
    steps: ((result.steps as Obj[] | undefined) ?? []).map((s) => stepView(s, full)),
  };
  if (full) {
    v.trace_log = ((result.trace_log as Obj[] | undefined) ?? []).map((t) => [t.host, t.line]);
    v.conntrack = result.conntrack ?? {};
    v.rulesets = result.rulesets ?? {};
  }
  return v;
}

function canonical(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObj(v)) {
    const o: Obj = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k]);
    return o;
  }
  return v;
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

function diff(a: unknown, b: unknown, path: string, out: string[], limit: number): void {
  if (out.length >= limit) return;
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      if (!(k in b)) out.push(`${path}.${k}: missing in simulator (kernel: ${short(a[k])})`);
      else if (!(k in a)) out.push(`${path}.${k}: not in kernel result (simulator: ${short(b[k])})`);
      else diff(a[k], b[k], `${path}.${k}`, out, limit);
      if (out.length >= limit) return;
    }
  } else if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      diff(a[i], b[i], `${path}[${i}]`, out, limit);
      if (out.length >= limit) return;
    }
    if (a.length !== b.length) out.push(`${path}: kernel has ${a.length} items, simulator ${b.length}`);
  } else if (canonical(a) !== canonical(b)) {
    out.push(`${path}: kernel ${short(a)} != sim ${short(b)}`);
  }
}

/** The differences between a kernel result and an engine result at a level (empty: identical). */
export function compareResults(kernel: Obj, sim: Obj, level: Level, limit = 20): string[] {
  const out: string[] = [];
  diff(view(kernel, level), view(sim, level), '', out, limit);
  return out;
}
