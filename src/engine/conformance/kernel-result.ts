// pattern: Functional Core
// The engine's run as the oracle's result format (shared/oracle/FORMAT.md §2),
// so `compare` can judge it against the real kernel and the app can read the
// same log it animates.

import type { World } from '../sim/world';
import type { PacketRecord, Receiver, RecordedEvent, Verdict } from '../sim/record';
import { oracleSeesLink, visibleReceivers } from './harness-link';
import { oracleRecords } from './oracle-records';
import { oracleResponses, type OracleResponse } from './oracle-response';
import { eventName } from '../sim/record';
import { headerDiff, type HeaderView } from '../sim/header-view';
import { rulesetJson } from '../sim/iptables-adapter';
import { normalizeLine, traceLine } from '../sim/log-lines';


type Obj = Record<string, unknown>;

function eventJson(e: RecordedEvent, prev: RecordedEvent | null): Obj {
  const o: Obj = {
    table: e.table,
    chain: e.chain,
    hook: e.hook,
    type: e.type,
    rulenum: e.rulenum,
    target: e.target,
    in: e.in,
    out: e.out,
  };
  if (e.ruleText !== null) o.rule = e.ruleText;
  if (e.goto) o.goto = true;
  if (e.physin) o.physin = e.physin;
  if (e.physout) o.physout = e.physout;
  // events of one unchanged packet share their header view (sim/record.ts): nothing to compare
  if (prev && prev.hdr !== e.hdr) {
    const ch = headerDiff(prev.hdr, e.hdr);
    if (Object.keys(ch).length) o.changed = ch;
  }
  return o;
}

function dispositionJson(r: PacketRecord, receivers: Receiver[], response: OracleResponse | null): Obj {
  const d: Verdict | null = r.disposition;
  let o: Obj;
  if (!d) {
    const last = r.events[r.events.length - 1];
    o = { verdict: 'unknown', ...(last ? { at: { table: last.table, chain: last.chain, type: last.type, rulenum: last.rulenum } } : {}) };
  } else {
    o = { ...d };
  }
  if (d?.verdict === 'sent') {
    o.received_by = receivers.map((x) => ({ host: x.host, iface: x.iface, packet: x.packet.id }));
  }
  // the answer the oracle names, found as analysis.py finds it (oracle-response.ts)
  if (response) {
    const resp: Obj = { packet: response.packet.id, kind: response.kind };
    if (response.kind === 'icmp') {
      resp.type = response.type;
      resp.code = response.code;
    }
    o.response = resp;
  }
  return o;
}

/** The sender the oracle attributes `r` to (harness-link.ts), null when it cannot see one. */
function oracleSender(world: World, r: PacketRecord): PacketRecord | null {
  const from = r.fromPacket;
  if (!from) return null;
  const x = from.receivedBy.find((y) => y.packet === r);
  return x && oracleSeesLink(world, from, x) ? from : null;
}

function packetJson(world: World, r: PacketRecord, response: OracleResponse | null): Obj {
  const receivers = visibleReceivers(world, r);
  const evs: Obj[] = [];
  const rewrites: Obj[] = [];
  let prev: RecordedEvent | null = null;
  for (const e of r.events) {
    const j = eventJson(e, prev);
    if (prev && j.changed) {
      const fields: Obj = {};
      for (const [k, v] of Object.entries(j.changed as Obj)) fields[k] = [(prev.hdr as unknown as Obj)[k] ?? null, v];
      rewrites.push({ after: eventName(prev), before: eventName(e), fields });
    }
    evs.push(j);
    prev = e;
  }
  const first = r.events[0];
  const last = r.events[r.events.length - 1];
  const out: Obj = {
    id: r.id,
    step: r.step,
    host: r.host,
    origin: r.origin,
    in: first ? first.in : r.in,
    out: last && (last.hook === 'POSTROUTING' || last.hook === 'FORWARD' || last.hook === 'OUTPUT') ? last.out : null,
    headers: first ? first.hdr : null,
    events: evs,
    from_packet: oracleSender(world, r)?.id ?? null,
  };
  const recv = receivers[0];
  if (recv && recv.packet.events[0] && last) {
    const wire: HeaderView = recv.packet.events[0].hdr;
    out.wire_headers = wire;
    const ch = headerDiff(last.hdr, wire);
    delete ch.ttl;
    if (Object.keys(ch).length) {
      const fields: Obj = {};
      for (const [k, v] of Object.entries(ch)) fields[k] = [(last.hdr as unknown as Obj)[k] ?? null, v];
      rewrites.push({ after: eventName(last), before: 'wire', fields });
    }
  }
  out.rewrites = rewrites;
  if (r.route) out.route = r.route;
  out.disposition = dispositionJson(r, receivers, response);
  return out;
}

/**
 * The oracle's packet order (shared/oracle/lib/analysis.py order()): a
 * topological order of each host's own sequence plus sender → receiver
 * edges, ties broken by step, then by when a packet became ready, then by
 * host and position. Packet ids are renumbered in that order.
 */
export function causalOrder(records: PacketRecord[], hostOrder: string[], fromOf: (r: PacketRecord) => PacketRecord | null = (r) => r.fromPacket): PacketRecord[] {
  const perHost = new Map<string, PacketRecord[]>();
  for (const r of records) {
    let l = perHost.get(r.host);
    if (!l) perHost.set(r.host, (l = []));
    l.push(r);
  }
  const seq = new Map<PacketRecord, number>();
  const indeg = new Map<PacketRecord, number>();
  const succ = new Map<PacketRecord, PacketRecord[]>();
  for (const r of records) {
    indeg.set(r, 0);
    succ.set(r, []);
  }
  for (const l of perHost.values()) {
    l.forEach((r, i) => seq.set(r, i));
    for (let i = 1; i < l.length; i++) {
      succ.get(l[i - 1]!)!.push(l[i]!);
      indeg.set(l[i]!, indeg.get(l[i]!)! + 1);
    }
  }
  for (const r of records) {
    const from = fromOf(r);
    if (from && succ.has(from)) {
      succ.get(from)!.push(r);
      indeg.set(r, indeg.get(r)! + 1);
    }
  }
  const hidx = new Map(hostOrder.map((h, i) => [h, i]));
  type Item = [number, number, number, number, PacketRecord];
  const heap: Item[] = [];
  let tick = 0;
  const less = (a: Item, b: Item) => {
    for (let i = 0; i < 4; i++) if (a[i] !== b[i]) return (a[i] as number) < (b[i] as number);
    return false;
  };
  const push = (r: PacketRecord) => {
    heap.push([r.step, tick++, hidx.get(r.host) ?? 0, seq.get(r) ?? 0, r]);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const pop = (): PacketRecord => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const rr = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
        if (rr < heap.length && less(heap[rr]!, heap[m]!)) m = rr;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top[4];
  };
  for (const h of hostOrder) for (const r of perHost.get(h) ?? []) if (indeg.get(r) === 0) push(r);
  const out: PacketRecord[] = [];
  while (heap.length) {
    const r = pop();
    out.push(r);
    for (const s of succ.get(r)!) {
      const d = indeg.get(s)! - 1;
      indeg.set(s, d);
      if (d === 0) push(s);
    }
  }
  return out.length === records.length ? out : records;
}

export function kernelResult(world: World): Obj {
  // a packet that never met a hook (e.g. lost before its first event) is not in the kernel's trace;
  // the oracle does not see some packets and cuts some in two (oracle-records.ts)
  const oracle = oracleRecords(world, world.records.filter((r) => r.events.length > 0));
  const traced = causalOrder(oracle.records, world.hostList.map((h) => h.name), (r) => oracleSender(world, r));
  traced.forEach((r, i) => (r.id = i + 1));
  const responses = oracleResponses(oracle.records);
  const hosts: Obj = {};
  for (const h of world.hostList) {
    const ifs: Obj = {};
    for (const [k, mac] of [...world.macs.entries()].sort()) {
      const [hn, ifn] = k.split(':') as [string, string];
      if (hn === h.name) ifs[ifn] = { mac };
    }
    hosts[h.name] = { interfaces: ifs };
  }
  // TRACE lines first: the oracle renumbers IP ids in trace order, then LOG lines reuse the numbering
  const traceLog = traced.flatMap((r) => r.events.map((e) => ({ packet: r.id, host: r.host, line: traceLine(world, r, e) })));
  const steps = world.stepOutcomes.map((s) => {
    const action: Obj = { ...s.step };
    delete action.timeout;
    return {
      n: s.n,
      action,
      result: s.result,
      listener_events: s.listenerEvents,
      packets: s.packets.filter((p) => p.events.length > 0 && !p.untraced).flatMap((p) => oracle.piecesOf(p).map((x) => x.id)),
      conntrack: s.conntrack,
      counters: s.counters,
      log_target_lines: s.logLines.map((l, i) => normalizeLine(world, l, s.logSeqSpaces[i])),
    };
  });
  const last = world.stepOutcomes[world.stepOutcomes.length - 1];
  return {
    format: 'nfo-kernel/1',
    case: world.scenario.name,
    mechanism: 'packetwalk engine',
    hosts,
    steps,
    packets: traced.map((r) => packetJson(world, r, responses.get(r) ?? null)),
    trace_log: traceLog,
    conntrack: last ? last.conntrack : {},
    rulesets: Object.fromEntries(world.hostList.map((h) => [h.name, rulesetJson(h.rules, h.counters)])),
    warnings: [...world.warnings].sort(),
  };
}

/** Canonical JSON like the oracle's: keys sorted. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v), null, 1);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o: Obj = {};
    for (const k of Object.keys(v as Obj).sort()) o[k] = sortKeys((v as Obj)[k]);
    return o;
  }
  return v;
}
