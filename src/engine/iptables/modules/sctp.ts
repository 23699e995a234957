// pattern: Functional Core
// -m sctp (libxt_sctp, kernel xt_sctp.c): ports like tcp, plus
// --chunk-types all|any|only over the packet's chunks. The Packet model
// carries SCTP ports but no chunk list, so a --chunk-types clause never
// holds (explain says why); ports are evaluated for real.

import type { Packet } from '../../net/packet';
import type { ClauseResult } from '../types';
import type { ErrorSink, MatchSpec, OptionCall } from './module';
import { parsePortRange, parseUInt } from './module';

export const IPPROTO_SCTP = 132;

export interface SctpPorts {
  min: number;
  max: number;
  invert: boolean;
}

export interface SctpChunk {
  type: number;
  /** flag letters as typed after `:` (uppercase: must be set, lowercase: must be clear) */
  flags: string;
}

export interface SctpOptions {
  sport: SctpPorts | null;
  dport: SctpPorts | null;
  chunks: { match: 'all' | 'any' | 'only'; list: SctpChunk[]; invert: boolean } | null;
}

/** libxt_sctp's sctp_chunk_names, with the flag letters each type allows. */
const CHUNK_TYPES: readonly [string, number, string][] = [
  ['DATA', 0, 'IUBE'], ['INIT', 1, ''], ['INIT_ACK', 2, ''], ['SACK', 3, ''], ['HEARTBEAT', 4, ''],
  ['HEARTBEAT_ACK', 5, ''], ['ABORT', 6, 'T'], ['SHUTDOWN', 7, ''], ['SHUTDOWN_ACK', 8, ''], ['ERROR', 9, ''],
  ['COOKIE_ECHO', 10, ''], ['COOKIE_ACK', 11, ''], ['ECN_ECNE', 12, ''], ['ECN_CWR', 13, ''],
  ['SHUTDOWN_COMPLETE', 14, 'T'], ['I_DATA', 64, 'IUBE'], ['ASCONF', 193, ''], ['ASCONF_ACK', 128, ''],
  ['FORWARD_TSN', 192, ''], ['RE_CONFIG', 130, ''], ['PAD', 132, ''], ['I_FORWARD_TSN', 194, ''],
];

const not = (invert: boolean): string => (invert ? '! ' : '');

function chunkName(type: number): string {
  const hit = CHUNK_TYPES.find((c) => c[1] === type);
  return hit ? hit[0] : `0x${type.toString(16).padStart(2, '0')}`;
}

function parseChunks(call: OptionCall, sink: ErrorSink): SctpOptions['chunks'] {
  const [how, list] = call.arg.split(' ');
  if (how !== 'all' && how !== 'any' && how !== 'only') {
    sink.error(`sctp: Unknown chunk match type "${how ?? ''}"`, call.argSpan);
    return null;
  }
  const chunks: SctpChunk[] = [];
  if (list !== 'NONE' && list !== 'ALL') {
    for (const part of (list ?? '').split(',')) {
      const colon = part.indexOf(':');
      const name = colon < 0 ? part : part.slice(0, colon);
      const flags = colon < 0 ? '' : part.slice(colon + 1);
      const hit = CHUNK_TYPES.find((c) => c[0] === name.toUpperCase());
      const type = hit ? hit[1] : parseUInt(name);
      if (type === null || type > 255) {
        sink.error(`Unknown sctp chunk \`${name}'`, call.argSpan);
        return null;
      }
      const allowed = hit ? hit[2] : '';
      for (const f of flags) {
        if (!allowed.includes(f.toUpperCase())) {
          sink.error(`Invalid flags for chunk type ${type}`, call.argSpan);
          return null;
        }
      }
      chunks.push({ type, flags });
    }
  } else if (list === 'ALL') for (let t = 0; t < 256; t++) chunks.push({ type: t, flags: '' });
  chunks.sort((a, b) => a.type - b.type);
  return { match: how, list: chunks, invert: call.invert };
}

/** print_chunk_flags: letters in the chunk type's own order, case from the rule. */
function flagsText(c: SctpChunk): string {
  if (!c.flags) return '';
  const hit = CHUNK_TYPES.find((t) => t[1] === c.type);
  const order = hit ? hit[2] : '';
  let s = '';
  for (const letter of order) {
    if (c.flags.includes(letter)) s += letter;
    else if (c.flags.includes(letter.toLowerCase())) s += letter.toLowerCase();
  }
  return `:${s}`;
}

function portText(flag: string, r: SctpPorts): string {
  return `${not(r.invert)}--${flag} ${r.min === r.max ? r.min : `${r.min}:${r.max}`}`;
}

function portHolds(v: number | undefined, r: SctpPorts): boolean {
  const p = v ?? 0;
  return (p >= r.min && p <= r.max) !== r.invert;
}

function sctpClauses(o: SctpOptions, p: Packet): ClauseResult[] {
  const out: ClauseResult[] = [];
  if (o.sport) out.push({ ok: portHolds(p.sport, o.sport), why: `${portText('sport', o.sport)}: packet has ${p.sport ?? 0}` });
  if (o.dport) out.push({ ok: portHolds(p.dport, o.dport), why: `${portText('dport', o.dport)}: packet has ${p.dport ?? 0}` });
  if (o.chunks) out.push({ ok: false, why: '--chunk-types: SCTP chunks are not modelled, the clause never holds' });
  return out;
}

export const sctp: MatchSpec<SctpOptions> = {
  name: 'sctp',
  proto: IPPROTO_SCTP,
  modelled: 'partial',
  options: [
    { name: 'source-port', arg: true },
    { name: 'sport', arg: true },
    { name: 'destination-port', arg: true },
    { name: 'dport', arg: true },
    { name: 'chunk-types', arg: true, arg2: true },
  ],
  init: () => ({ sport: null, dport: null, chunks: null }),
  parse(o, call, sink) {
    if (call.name === 'chunk-types') {
      if (o.chunks) {
        sink.error('sctp: Only one "--chunk-types" option allowed', call.span);
        return;
      }
      o.chunks = parseChunks(call, sink);
      return;
    }
    const key = call.name === 'sport' || call.name === 'source-port' ? 'sport' : 'dport';
    if (o[key]) {
      sink.error(`sctp: Only one "--${key === 'sport' ? 'source-port' : 'destination-port'}" option allowed`, call.span);
      return;
    }
    const r = parsePortRange(call.arg, sink, call.argSpan, 'sctp');
    if (r) o[key] = { min: r[0], max: r[1], invert: call.invert };
  },
  save(o) {
    const out: string[] = [];
    if (o.sport) out.push(portText('sport', o.sport));
    if (o.dport) out.push(portText('dport', o.dport));
    if (o.chunks) {
      const list = o.chunks.list.length === 0 ? 'NONE' : o.chunks.list.map((c) => chunkName(c.type) + flagsText(c)).join(',');
      out.push(`${not(o.chunks.invert)}--chunk-types ${o.chunks.match} ${list}`);
    }
    return out.join(' ');
  },
  match(o, p) {
    if (o.sport && !portHolds(p.sport, o.sport)) return false;
    if (o.dport && !portHolds(p.dport, o.dport)) return false;
    return o.chunks === null;
  },
  explain: sctpClauses,
};
