// pattern: Functional Core
// -m dccp (libxt_dccp, kernel xt_dccp.c): ports like tcp, plus the packet
// type and DCCP options. The Packet model carries DCCP ports only, so
// --dccp-types and --dccp-option never hold (explain says why).

import type { Packet } from '../../net/packet';
import type { ClauseResult } from '../types';
import type { MatchSpec } from './module';
import { parsePortRange, parseUInt } from './module';

export const IPPROTO_DCCP = 33;

/** libxt_dccp's dccp_pkt_types, indexed by type number. */
const DCCP_TYPES = ['REQUEST', 'RESPONSE', 'DATA', 'ACK', 'DATAACK', 'CLOSEREQ', 'CLOSE', 'RESET', 'SYNC', 'SYNCACK', 'INVALID'];

interface Ports {
  min: number;
  max: number;
  invert: boolean;
}

export interface DccpOptions {
  sport: Ports | null;
  dport: Ports | null;
  /** bit n: DCCP packet type n */
  types: { mask: number; invert: boolean } | null;
  option: { kind: number; invert: boolean } | null;
}

const not = (invert: boolean): string => (invert ? '! ' : '');

function portText(flag: string, r: Ports): string {
  return `${not(r.invert)}--${flag} ${r.min === r.max ? r.min : `${r.min}:${r.max}`}`;
}

function portHolds(v: number | undefined, r: Ports): boolean {
  const p = v ?? 0;
  return (p >= r.min && p <= r.max) !== r.invert;
}

function clauses(o: DccpOptions, p: Packet): ClauseResult[] {
  const out: ClauseResult[] = [];
  if (o.sport) out.push({ ok: portHolds(p.sport, o.sport), why: `${portText('sport', o.sport)}: packet has ${p.sport ?? 0}` });
  if (o.dport) out.push({ ok: portHolds(p.dport, o.dport), why: `${portText('dport', o.dport)}: packet has ${p.dport ?? 0}` });
  if (o.types) out.push({ ok: false, why: '--dccp-types: DCCP packet types are not modelled, the clause never holds' });
  if (o.option) out.push({ ok: false, why: '--dccp-option: DCCP options are not modelled, the clause never holds' });
  return out;
}

export const dccp: MatchSpec<DccpOptions> = {
  name: 'dccp',
  proto: IPPROTO_DCCP,
  modelled: 'partial',
  options: [
    { name: 'source-port', arg: true },
    { name: 'sport', arg: true },
    { name: 'destination-port', arg: true },
    { name: 'dport', arg: true },
    { name: 'dccp-types', arg: true },
    { name: 'dccp-option', arg: true },
  ],
  init: () => ({ sport: null, dport: null, types: null, option: null }),
  parse(o, call, sink) {
    switch (call.name) {
      case 'dccp-types': {
        let mask = 0;
        for (const t of call.arg.split(',')) {
          const i = DCCP_TYPES.indexOf(t.toUpperCase());
          if (i < 0) {
            sink.error(`Unknown DCCP type \`${t}'`, call.argSpan);
            return;
          }
          mask |= 1 << i;
        }
        o.types = { mask, invert: call.invert };
        return;
      }
      case 'dccp-option': {
        const v = parseUInt(call.arg);
        if (v === null || v < 1 || v > 255) {
          sink.error('dccp: bad value for option "--dccp-option", or out of range (1-255).', call.argSpan);
          return;
        }
        o.option = { kind: v, invert: call.invert };
        return;
      }
      default: {
        const key = call.name === 'sport' || call.name === 'source-port' ? 'sport' : 'dport';
        const r = parsePortRange(call.arg, sink, call.argSpan, 'dccp');
        if (r) o[key] = { min: r[0], max: r[1], invert: call.invert };
      }
    }
  },
  save(o) {
    const out: string[] = [];
    if (o.sport) out.push(portText('sport', o.sport));
    if (o.dport) out.push(portText('dport', o.dport));
    if (o.types) {
      const names: string[] = [];
      for (let i = 0; i < DCCP_TYPES.length; i++) if (o.types.mask & (1 << i)) names.push(DCCP_TYPES[i]!);
      out.push(`${not(o.types.invert)}--dccp-types ${names.join(',')}`);
    }
    if (o.option) out.push(`${not(o.option.invert)}--dccp-option ${o.option.kind}`);
    return out.join(' ');
  },
  match(o, p) {
    if (o.sport && !portHolds(p.sport, o.sport)) return false;
    if (o.dport && !portHolds(p.dport, o.dport)) return false;
    return o.types === null && o.option === null;
  },
  explain: clauses,
};
