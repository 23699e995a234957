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

export function compareEntryViews(a: CtEntryView, b: CtEntryView): number {
  const ka = pythonJson(a);
  const kb = pythonJson(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
