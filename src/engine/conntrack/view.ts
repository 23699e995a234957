// pattern: Functional Core
// `conntrack -L` as the oracle records it (FORMAT.md §2.1 CT, parsed by
// shared/oracle/lib/analysis.py parse_conntrack): timeouts and use counts
// dropped, flags sorted, mark/zone only when non-zero, and the list sorted
// by each entry's canonical JSON text (Python's json.dumps(sort_keys=True)).

import { formatIpv4 } from '../net/addr';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../net/packet';
import type { CtEntry, CtEntryView, CtTuple, CtTupleView } from './types';
import { IPS_ASSURED, IPS_SEEN_REPLY, TCP_CONNTRACK_NAMES } from './types';
import { icmpCode, icmpType } from './tuple';

/** The protocol word conntrack-tools prints first on each line. */
export function protoName(proto: number): string {
  if (proto === IPPROTO_TCP) return 'tcp';
  if (proto === IPPROTO_UDP) return 'udp';
  if (proto === IPPROTO_ICMP) return 'icmp';
  return 'unknown';
}

export function tupleView(t: CtTuple): CtTupleView {
  const src = formatIpv4(t.src);
  const dst = formatIpv4(t.dst);
  if (t.proto === IPPROTO_TCP || t.proto === IPPROTO_UDP) return { src, dst, sport: t.sport, dport: t.dport };
  if (t.proto === IPPROTO_ICMP) return { src, dst, type: icmpType(t), code: icmpCode(t), id: t.sport };
  return { src, dst };
}

export function entryView(e: CtEntry): CtEntryView {
  const v: CtEntryView = { proto: protoName(e.tuple[0].proto), orig: tupleView(e.tuple[0]), reply: tupleView(e.tuple[1]) };
  // `helper=NAME` comes after the reply tuple on the line, so the oracle files it there
  if (e.helper) v.reply.helper = e.helper;
  if (e.tcp) v.state = TCP_CONNTRACK_NAMES[e.tcp.state] ?? 'NONE';
  const flags: string[] = [];
  if (e.status & IPS_ASSURED) flags.push('ASSURED');
  if (!(e.status & IPS_SEEN_REPLY)) flags.push('UNREPLIED');
  if (flags.length > 0) v.flags = flags.sort();
  if (e.mark !== 0) v.mark = e.mark;
  if (e.zone !== 0) v.zone = e.zone;
  if (e.acct) {
    Object.assign(v.orig, e.acct[0]);
    Object.assign(v.reply, e.acct[1]);
  }
  return v;
}

/** Python's json.dumps(value, sort_keys=True) for the plain data an entry view holds. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return '[' + value.map(pythonJson).join(', ') + ']';
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ': ' + pythonJson(obj[k])).join(', ') + '}';
}

/**
 * One entry as the page's conntrack panel lists it: the oracle's view of it,
 * the seconds it has left, and the line `conntrack -L` prints for it.
 */
export interface CtListRow {
  /** the entry's id (stable while it lives): what a conntrack note names */
  id: number;
  entry: CtEntryView;
  /** seconds until it times out (nf_ct_expires / HZ) */
  timeout: number;
  line: string;
}

function tupleText(t: CtTupleView): string {
  const parts = [`src=${t.src}`, `dst=${t.dst}`];
  if ('sport' in t) parts.push(`sport=${t.sport}`, `dport=${t.dport}`);
  if ('type' in t) parts.push(`type=${t.type}`, `code=${t.code}`, `id=${t.id}`);
  if (t.packets !== undefined) parts.push(`packets=${t.packets}`, `bytes=${t.bytes ?? 0}`);
  return parts.join(' ');
}

/**
 * The line conntrack-tools prints for an entry (libnetfilter_conntrack's
 * default output): protocol name and number, seconds left, the TCP state,
 * the original tuple, [UNREPLIED], the reply tuple, [ASSURED], the mark,
 * the zone and the helper when set. The real line ends with `use=N`, the
 * entry's reference count, which the engine does not keep.
 */
export function conntrackLine(e: CtEntry, v: CtEntryView, timeout: number): string {
  const flags = v.flags ?? [];
  const parts = [v.proto.padEnd(8), String(e.tuple[0].proto), String(timeout)];
  if (v.state) parts.push(v.state);
  parts.push(tupleText(v.orig));
  if (flags.includes('UNREPLIED')) parts.push('[UNREPLIED]');
  parts.push(tupleText(v.reply));
  if (flags.includes('ASSURED')) parts.push('[ASSURED]');
  parts.push(`mark=${v.mark ?? 0}`);
  if (v.zone) parts.push(`zone=${v.zone}`);
  if (v.reply.helper) parts.push(`helper=${v.reply.helper}`);
  return parts.join(' ');
}

export function listRow(e: CtEntry, nowMs: number): CtListRow {
  const entry = entryView(e);
  const timeout = Math.max(0, Math.floor((e.timeoutAt - nowMs) / 1000));
  return { id: e.id, entry, timeout, line: conntrackLine(e, entry, timeout) };
}

export function compareEntryViews(a: CtEntryView, b: CtEntryView): number {
  const ka = pythonJson(a);
  const kb = pythonJson(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
