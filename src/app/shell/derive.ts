// pattern: Functional Core
// Read-only views over a WalkLog for the panels: what to print for a step,
// which note is the packet's latest, how `conntrack -L` prints an entry.
// Nothing here decides how Linux treats a packet; the engine already did, and
// these functions only find and word what it recorded. Per-log tables are
// computed once and cached by log identity, so stepping costs O(1).

import type { HeaderView } from '../../engine/sim/header-view';
import type { Verdict, WalkNote } from '../../engine/sim/record';
import type { FateReason, PacketView, WalkLog, WalkStep } from '../../engine/walk-log';
import { en } from '../i18n/en';
import type { MessageKey } from '../i18n/i18n';
import { tEn, type T } from '../i18n/t';

export interface EventRow {
  i: number;
  packet: number;
  host: string;
  /** PREROUTING, INPUT, …, or 'routing' / '' for steps outside the hooks */
  hook: string;
  tableChain: string;
  rule: string;
  /** the filterable outcome: a rule's target, a note's kind, an end's disposition */
  verdict: string;
  what: string;
}

export interface LogIndex {
  rows: EventRow[];
  /** steps whose (packet, hook) differs from the previous rule step: the scrubber's ticks */
  hookEntries: number[];
  /** for each step, the index in log.traceLog of the latest TRACE line at or before it (-1: none) */
  traceAt: Int32Array;
  packetsById: Map<number, PacketView>;
  hosts: string[];
  hooks: string[];
  verdicts: string[];
}

const cache = new WeakMap<WalkLog, LogIndex>();

export function indexLog(log: WalkLog): LogIndex {
  const hit = cache.get(log);
  if (hit) return hit;
  const b = indexBuilder(log);
  b.run(log.steps.length);
  return b.finish();
}

/** The scrubber is never wider than this many pixels' worth of distinct tick positions. */
export const MAX_TICKS = 600;

/**
 * The scrubber's ticks, at most one per 1/max of its track: 10,000 traffic
 * steps enter 20,000 hooks, and laying out a span for each froze the page for
 * a second, though ticks closer than a pixel cannot be told apart.
 */
export function thinTicks(ticks: readonly number[], steps: number, max = MAX_TICKS): number[] {
  if (ticks.length <= max || steps < 2) return [...ticks];
  const out: number[] = [];
  let last = -1;
  for (const t of ticks) {
    const bucket = Math.floor((t / (steps - 1)) * max);
    if (bucket !== last) out.push(t);
    last = bucket;
  }
  return out;
}

/** Lets the browser run input and paint between slices of long work. */
export const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Whether rowsIn(log, t) answers from its cache (no work). */
export function hasRowsIn(log: WalkLog, t: T): boolean {
  return t.lang === 'en' ? cache.has(log) : (translatedRows.get(log)?.has(t.lang) ?? false);
}

/** Steps indexed per slice by indexLogInSlices: about 10 ms of work. */
export const INDEX_SLICE = 10_000;

/**
 * indexLog (and, for another language, rowsIn) done a slice at a time with
 * `pause()` between the slices, so a log of 300,000 steps (the work budget's
 * largest) is indexed without one long task before it is shown. Afterwards
 * both answer from their caches at once.
 */
export async function indexLogInSlices(log: WalkLog, t: T, pause: () => Promise<void>): Promise<void> {
  if (!cache.has(log)) {
    const b = indexBuilder(log);
    for (let at = 0; at < log.steps.length; at += INDEX_SLICE) {
      if (at > 0) await pause();
      b.run(Math.min(log.steps.length, at + INDEX_SLICE));
    }
    b.finish();
  }
  if (t.lang === 'en' || translatedRows.get(log)?.has(t.lang)) return;
  const rows: EventRow[] = new Array(log.steps.length);
  for (let at = 0; at < log.steps.length; at += INDEX_SLICE) {
    await pause();
    const end = Math.min(log.steps.length, at + INDEX_SLICE);
    for (let i = at; i < end; i++) rows[i] = eventRow(log.steps[i]!, t);
  }
  let m = translatedRows.get(log);
  if (!m) translatedRows.set(log, (m = new Map()));
  m.set(t.lang, rows);
}

function indexBuilder(log: WalkLog): { run(until: number): void; finish(): LogIndex } {
  const rows: EventRow[] = new Array(log.steps.length);
  const hookEntries: number[] = [];
  const traceAt = new Int32Array(log.steps.length);
  let trace = -1;
  let lastHookKey = '';
  const hosts = new Set<string>();
  const hooks = new Set<string>();
  const verdicts = new Set<string>();
  let i = 0;
  const run = (until: number) => {
    for (; i < until; i++) {
      const s = log.steps[i]!;
      if (s.kind === 'rule') {
        trace++;
        const key = `${s.packet} ${s.hook}`;
        if (key !== lastHookKey) hookEntries.push(i);
        lastHookKey = key;
      }
      traceAt[i] = trace;
      const row = eventRow(s);
      rows[i] = row;
      hosts.add(row.host);
      if (row.hook) hooks.add(row.hook);
      verdicts.add(row.verdict);
    }
  };
  const finish = () => {
    const hookOrder = ['PREROUTING', 'routing', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];
    const out: LogIndex = {
      rows,
      hookEntries,
      traceAt,
      packetsById: new Map(log.packets.map((p) => [p.id, p])),
      hosts: log.hosts.map((h) => h.name).filter((h) => hosts.has(h)),
      hooks: hookOrder.filter((h) => hooks.has(h)),
      verdicts: [...verdicts].sort(),
    };
    cache.set(log, out);
    return out;
  };
  return { run, finish };
}

function fieldsText(fields: Record<string, [number | string, number | string]>): string {
  return Object.entries(fields)
    .map(([k, [a, b]]) => `${k} ${a} → ${b}`)
    .join(', ');
}

/** The translation of `prefix + word` when the dictionaries have one, else the word as the kernel spells it. */
export function wordText(t: T, prefix: string, word: string): string {
  const key = `${prefix}${word}`;
  return key in en ? t(key as MessageKey) : word.replace(/_/g, ' ');
}

const ARP_NOTE_KEYS = { request: 'note.arpRequest', queued: 'note.arpQueued', reply: 'note.arpReply', failed: 'note.arpFailed' } as const;

export function noteText(n: WalkNote, t: T = tEn): string {
  switch (n.kind) {
    case 'route': {
      if (n.decision === 'error') return t('note.routeError', { stage: n.stage, reason: wordText(t, 'reason.', n.reason ?? 'error') });
      const via = [n.dev ? `dev ${n.dev}` : '', n.gateway ? `via ${n.gateway}` : ''].filter(Boolean).join(' ');
      return t('note.route', { stage: n.stage, decision: n.decision, via: via ? ` ${via}` : '', table: n.table ? t('note.routeTable', { table: n.table }) : '' });
    }
    case 'conntrack':
      return t('note.conntrack', { state: n.state, reason: n.reason ? ` (${wordText(t, 'reason.', n.reason)})` : '' });
    case 'nat':
      return t('note.nat', { fields: fieldsText(n.fields) });
    case 'ttl':
      return t('note.ttl', { from: n.from, to: n.to });
    case 'ipvs':
      if (n.action === 'xmit') return t('note.ipvsXmit', { service: n.service ?? '', how: n.scheduled ? t('note.ipvsScheduled') : t('note.ipvsConnection'), server: n.server ?? '', method: n.method ?? '' });
      if (n.action === 'snat') return t('note.ipvsSnat', { server: n.server ?? '' });
      return t('note.ipvsOther', { action: n.action, reason: n.reason ? ` (${n.reason})` : '' });
    case 'tunnel': {
      const provenance = n.modelled ? t('note.tunnelModelled') : '';
      if (n.action === 'drop') return t('note.tunnelDrop', { dev: n.dev, reason: n.reason ?? '' }) + provenance;
      const outer = n.outer ? `${n.outer.src} → ${n.outer.dst} ${n.outer.carrier}` : '';
      return t(n.action === 'encapsulate' ? 'note.tunnelEncap' : 'note.tunnelDecap', { dev: n.dev, outer }) + provenance;
    }
    case 'deliver':
      return t('note.deliver', { to: n.to });
    case 'qdisc': {
      const secs = (ms: number) => String(Number((ms / 1000).toFixed(3)));
      const args = { qdisc: n.qdisc, dev: n.dev, at: secs(n.arrivedMs) };
      if (n.leftMs === null) return t('note.qdiscDrop', { ...args, why: t(n.why === 'burst' ? 'note.qdiscWhy.burst' : 'note.qdiscWhy.limit') });
      if (n.leftMs === n.arrivedMs) return t('note.qdiscNow', args);
      return t('note.qdiscHeld', { ...args, left: secs(n.leftMs), wait: secs(n.leftMs - n.arrivedMs) });
    }
    case 'transmit':
      return t('note.transmit', { iface: n.iface, port: n.port ? t('note.port', { port: n.port }) : '' });
    case 'arp':
      return t(ARP_NOTE_KEYS[n.op], { dev: n.dev, target: n.target, lladdr: n.lladdr ?? '', sender: n.sender ?? '' });
  }
}

/** How a packet's walk ended, in words; English is the engine's own wording. */
export function dispositionWords(d: Verdict | null, t: T): string {
  if (!d) return t('disp.unknown');
  switch (d.verdict) {
    case 'drop':
      return t('disp.drop', { where: `${d.at.table}:${d.at.chain}`, type: d.at.type, num: d.at.rulenum });
    case 'reject':
      return t('disp.reject', { with: d.with, where: `${d.at.table}:${d.at.chain}`, num: d.at.rulenum });
    case 'queue':
      return t('disp.queue', { where: `${d.at.table}:${d.at.chain}` });
    case 'sent':
      return t('disp.sent', { iface: d.iface, port: d.port ? t('note.port', { port: d.port }) : '' });
    case 'local':
      return t('disp.local', { host: d.host });
    case 'no_further_hook':
      return t('disp.noFurtherHook', { reason: wordText(t, 'reason.', d.reason) });
    case 'unknown':
      return t('disp.noVerdict');
    case 'vanished_after_output':
    case 'vanished_after_forward':
      return t('disp.vanished', { where: `${d.at.table}:${d.at.chain}` });
  }
}

/**
 * A flow-graph node as readers call it: a table×chain stays as the kernel
 * names it ('nat PREROUTING'); the other boxes get their label and hint in
 * the reader's language ('routing decision (input)', '路由决策（输入）').
 */
export function nodeName(t: T, node: string): string {
  const label = `graph.node.${node}`;
  if (!(label in en)) return node;
  const hint = `graph.hint.${node}`;
  return hint in en ? t('graph.nodeWithHint', { label: t(label as MessageKey), hint: t(hint as MessageKey) }) : t(label as MessageKey);
}

/** The end step's summary in the reader's language (the engine writes English). */
export function endSummary(s: Extract<WalkStep, { kind: 'end' }>, t: T): string {
  return t.lang === 'en' ? s.summary : dispositionWords(s.disposition, t);
}

function noteHook(n: WalkNote): string {
  switch (n.kind) {
    case 'route':
      return 'routing';
    case 'conntrack':
    case 'nat':
      return n.hook;
    default:
      return '';
  }
}

/**
 * One row of the event list. `verdict` is the filter value (kernel targets,
 * note kinds, dispositions: the same in every language); the texts are in
 * the language of `t`.
 */
export function eventRow(s: WalkStep, t: T = tEn): EventRow {
  const base = { i: s.i, packet: s.packet, host: s.host };
  switch (s.kind) {
    case 'ingress':
      return { ...base, hook: '', tableChain: '', rule: '', verdict: 'arrive', what: s.from ? t('event.arrivesFrom', { iface: s.iface, host: s.from.host }) : t('event.arrives', { iface: s.iface }) };
    case 'originate':
      return { ...base, hook: '', tableChain: '', rule: '', verdict: 'originate', what: t('event.originate', { by: s.by }) };
    case 'rule': {
      const verdict = s.target ?? (s.type === 'return' ? 'RETURN' : 'no target');
      const shown = s.target ?? (s.type === 'return' ? 'RETURN' : t('verdict.no target'));
      const where = s.type === 'policy' ? t('event.policy') : s.type === 'return' ? t('event.return', { n: s.rulenum }) : t('event.rule', { n: s.rulenum });
      return {
        ...base,
        hook: s.hook,
        tableChain: `${s.table}:${s.chain}`,
        rule: s.rule ? t('event.ruleText', { where, rule: s.rule }) : where,
        verdict,
        what: s.type === 'policy' ? t('event.chainPolicy', { verdict: shown }) : s.goto ? t('event.goto', { verdict: shown }) : shown,
      };
    }
    case 'note':
      return {
        ...base,
        hook: noteHook(s.note),
        tableChain: s.note.kind === 'nat' ? `nat:${s.note.hook}` : '',
        rule: '',
        verdict: s.note.kind,
        what: noteText(s.note, t),
      };
    case 'end':
      return { ...base, hook: '', tableChain: '', rule: '', verdict: s.disposition?.verdict ?? 'unknown', what: endSummary(s, t) };
  }
}

const translatedRows = new WeakMap<WalkLog, Map<string, EventRow[]>>();

/** The event rows in the reader's language, computed once per log and language. */
export function rowsIn(log: WalkLog, t: T): EventRow[] {
  if (t.lang === 'en') return indexLog(log).rows;
  let m = translatedRows.get(log);
  if (!m) translatedRows.set(log, (m = new Map()));
  let rows = m.get(t.lang);
  if (!rows) {
    rows = log.steps.map((s) => eventRow(s, t));
    m.set(t.lang, rows);
  }
  return rows;
}

/** The packet's latest note of a kind at or before step i (same packet only). */
export function latestNote<K extends WalkNote['kind']>(log: WalkLog, i: number, kind: K): Extract<WalkNote, { kind: K }> | null {
  const step = log.steps[i];
  if (!step) return null;
  const first = indexLog(log).packetsById.get(step.packet)?.firstStep ?? 0;
  for (let j = i; j >= first; j--) {
    const s = log.steps[j]!;
    if (s.packet !== step.packet) break;
    if (s.kind === 'note' && s.note.kind === kind) return s.note as Extract<WalkNote, { kind: K }>;
  }
  return null;
}

/**
 * The chain whose rules to list while following the walk: the chain of the
 * packet's latest rule step on `host`, so the list stays put between the
 * notes that separate two chains.
 */
export function packetChain(log: WalkLog, i: number, host: string): string | null {
  const step = log.steps[i];
  if (!step || step.host !== host) return null;
  const first = indexLog(log).packetsById.get(step.packet)?.firstStep ?? 0;
  for (let j = i; j >= first; j--) {
    const s = log.steps[j]!;
    if (s.packet !== step.packet) break;
    if (s.kind === 'rule') return `${s.table} ${s.chain}`;
  }
  return null;
}

// ---------------------------------------------------------------- headers

export const HEADER_FIELDS = ['src', 'dst', 'proto', 'sport', 'dport', 'flags', 'ttl', 'tos', 'mark', 'len', 'data_len', 'type', 'code', 'id', 'seq'] as const;

export const HEADER_LABEL_KEYS: Record<(typeof HEADER_FIELDS)[number], MessageKey> = {
  src: 'hdr.src',
  dst: 'hdr.dst',
  proto: 'hdr.proto',
  sport: 'hdr.sport',
  dport: 'hdr.dport',
  flags: 'hdr.flags',
  ttl: 'hdr.ttl',
  tos: 'hdr.tos',
  mark: 'hdr.mark',
  len: 'hdr.len',
  data_len: 'hdr.data_len',
  type: 'hdr.type',
  code: 'hdr.code',
  id: 'hdr.id',
  seq: 'hdr.seq',
};

export const HEADER_LABELS: Record<(typeof HEADER_FIELDS)[number], string> = {
  src: 'source',
  dst: 'destination',
  proto: 'protocol',
  sport: 'source port',
  dport: 'destination port',
  flags: 'TCP flags',
  ttl: 'TTL',
  tos: 'TOS',
  mark: 'mark',
  len: 'length',
  data_len: 'payload',
  type: 'ICMP type',
  code: 'ICMP code',
  id: 'ICMP id',
  seq: 'ICMP seq',
};

/** tos and mark are printed as the kernel does (hex), the rest as they are. */
export function fieldText(field: string, v: unknown, t: T = tEn): string {
  if (v === undefined || v === null) return field === 'tos' || field === 'mark' ? '0x0' : '—';
  if ((field === 'tos' || field === 'mark') && typeof v === 'number') return `0x${v.toString(16)}`;
  if (field === 'flags' && v === '') return t('hdr.noFlags');
  return String(v);
}

export function headersSummary(h: HeaderView): string {
  const ports = h.sport !== undefined ? [`:${h.sport}`, `:${h.dport}`] : ['', ''];
  return `${h.proto} ${h.src}${ports[0]} → ${h.dst}${ports[1]}`;
}

// ---------------------------------------------------------------- fates

/** A walk that ended well: handed to a socket or put on the wire. */
export function fateGood(reason: FateReason): boolean {
  return reason === 'delivered' || reason === 'sent';
}

/**
 * Why a packet's walk on a host ended (the end step's reason), in the
 * reader's language: the marker drawn on the box of its fate.
 */
export function fateText(reason: FateReason, t: T = tEn): string {
  const dot = reason.indexOf('.');
  if (dot > 0) {
    const family = reason.slice(0, dot);
    const why = reason.slice(dot + 1);
    if (family === 'dropped') return wordText(t, 'fate.dropped.', why);
    if (family === 'route' || family === 'forward' || family === 'ipvs') return t(`fate.${family}`, { reason: wordText(t, 'reason.', why) });
  }
  const key = `fate.${reason}`;
  return key in en ? t(key as MessageKey) : reason;
}

/** The marker's words: ✓ or ✕ and the reason. */
export function fateMarker(reason: FateReason, t: T = tEn): string {
  return t(fateGood(reason) ? 'fate.ok' : 'fate.bad', { reason: fateText(reason, t) });
}

/** A NAT note of a connection whose binding already existed: conntrack applied it, the nat table never ran. */
export function isConntrackNat(s: WalkStep | undefined): boolean {
  return s?.kind === 'note' && s.note.kind === 'nat' && s.note.binding === 'existing';
}
