// pattern: Functional Core
// -m tcp / -m udp (libxt_tcp, libxt_udp; kernel xt_tcpudp.c). Loaded
// implicitly by `-p tcp --dport 80`; iptables-save then prints `-m tcp`.

import { IPPROTO_TCP, IPPROTO_UDP } from '../../net/packet';
import type { Packet } from '../../net/packet';
import type { ClauseResult } from '../types';
import type { ErrorSink, MatchSpec, OptionCall } from './module';
import { parsePortRange, parseUInt } from './module';

export interface PortRange {
  min: number;
  max: number;
  invert: boolean;
}

export interface TcpOptions {
  sport: PortRange | null;
  dport: PortRange | null;
  /** --tcp-flags MASK COMP (--syn is FIN,SYN,RST,ACK SYN) */
  flags: { mask: number; cmp: number; invert: boolean } | null;
  /** --tcp-option N */
  option: { kind: number; invert: boolean } | null;
}

export interface UdpOptions {
  sport: PortRange | null;
  dport: PortRange | null;
}

/** libxt_tcp's tcp_flag_names: no ECE or CWR, so --tcp-flags never looks at them (iptables 1.8.9 refuses the names) */
const FLAG_NAMES: readonly [string, number][] = [
  ['FIN', 0x01],
  ['SYN', 0x02],
  ['RST', 0x04],
  ['PSH', 0x08],
  ['ACK', 0x10],
  ['URG', 0x20],
  ['ALL', 0x3f],
  ['NONE', 0],
];

function parseFlags(text: string, sink: ErrorSink, call: OptionCall): number {
  let v = 0;
  for (const part of text.split(',')) {
    const hit = FLAG_NAMES.find(([n]) => n === part.toUpperCase());
    if (!hit) {
      sink.error(`Unknown TCP flag \`${part}'`, call.argSpan);
      return 0;
    }
    v |= hit[1];
  }
  return v;
}

/** print_tcpf: lowest bit first, NONE for zero. */
export function tcpFlagsSave(flags: number): string {
  if (flags === 0) return 'NONE';
  const out: string[] = [];
  for (let i = 0; i < 6; i++) {
    const f = FLAG_NAMES[i]!;
    if (flags & f[1]) out.push(f[0]);
  }
  return out.join(',');
}

function portText(r: PortRange): string {
  return r.min === r.max ? `${r.min}` : `${r.min}:${r.max}`;
}

function savePort(name: string, r: PortRange | null, out: string[]): void {
  if (!r || (r.min === 0 && r.max === 65535 && !r.invert)) return;
  out.push(`${r.invert ? '! ' : ''}--${name} ${portText(r)}`);
}

function inRange(v: number | undefined, r: PortRange): boolean {
  const p = v ?? 0;
  return (p >= r.min && p <= r.max) !== r.invert;
}

function portClause(name: string, v: number | undefined, r: PortRange): ClauseResult {
  const ok = inRange(v, r);
  const want = `${r.invert ? '! ' : ''}--${name} ${portText(r)}`;
  return { ok, why: ok ? `${want} = ${v ?? 0}` : `${want} ≠ ${v ?? 0}` };
}

function parsePortOption(o: { sport: PortRange | null; dport: PortRange | null }, call: OptionCall, sink: ErrorSink, ext: string): boolean {
  const key = call.name === 'sport' || call.name === 'source-port' ? 'sport' : call.name === 'dport' || call.name === 'destination-port' ? 'dport' : null;
  if (!key) return false;
  if (o[key]) {
    sink.error(`${ext}: option "--${call.name}" can only be used once.`, call.span);
    return true;
  }
  const r = parsePortRange(call.arg, sink, call.argSpan, ext);
  if (r) o[key] = { min: r[0], max: r[1], invert: call.invert };
  return true;
}

/** Reads the TCP option kinds out of the hex string the Packet carries. */
function hasTcpOption(hexOptions: string, kind: number): boolean {
  let i = 0;
  const n = hexOptions.length / 2;
  for (let guard = 0; i < n && guard < 64; guard++) {
    const k = parseInt(hexOptions.substr(i * 2, 2), 16);
    if (k === kind) return true;
    if (k === 0) return false;
    if (k === 1) {
      i++;
      continue;
    }
    const len = parseInt(hexOptions.substr(i * 2 + 2, 2), 16);
    if (!(len >= 2)) return false;
    i += len;
  }
  return false;
}

export const tcp: MatchSpec<TcpOptions> = {
  name: 'tcp',
  proto: IPPROTO_TCP,
  options: [
    { name: 'source-port', arg: true },
    { name: 'sport', arg: true },
    { name: 'destination-port', arg: true },
    { name: 'dport', arg: true },
    { name: 'syn', arg: false },
    { name: 'tcp-flags', arg: true, arg2: true },
    { name: 'tcp-option', arg: true },
  ],
  init: () => ({ sport: null, dport: null, flags: null, option: null }),
  parse(o, call, sink) {
    if (parsePortOption(o, call, sink, 'tcp')) return;
    if (call.name === 'syn' || call.name === 'tcp-flags') {
      if (o.flags) {
        sink.error('Only one of `--syn\' or `--tcp-flags\'  allowed', call.span);
        return;
      }
      if (call.name === 'syn') {
        o.flags = { mask: 0x17, cmp: 0x02, invert: call.invert };
        return;
      }
      // --tcp-flags takes two words; the command parser hands the second in arg after a space
      const parts = call.arg.split(' ');
      if (parts.length !== 2) {
        sink.error('--tcp-flags requires two args.', call.span);
        return;
      }
      o.flags = { mask: parseFlags(parts[0]!, sink, call), cmp: parseFlags(parts[1]!, sink, call), invert: call.invert };
      return;
    }
    if (call.name === 'tcp-option') {
      const v = parseUInt(call.arg, false);
      if (v === null || v < 1 || v > 255) {
        sink.error(`tcp: Bad TCP option value "${call.arg}"`, call.argSpan);
        return;
      }
      o.option = { kind: v, invert: call.invert };
    }
  },
  save(o) {
    const out: string[] = [];
    savePort('sport', o.sport, out);
    savePort('dport', o.dport, out);
    if (o.option) out.push(`${o.option.invert ? '! ' : ''}--tcp-option ${o.option.kind}`);
    if (o.flags && (o.flags.mask !== 0 || o.flags.invert))
      out.push(`${o.flags.invert ? '! ' : ''}--tcp-flags ${tcpFlagsSave(o.flags.mask)} ${tcpFlagsSave(o.flags.cmp)}`);
    return out.join(' ');
  },
  match(o, p) {
    if (o.sport && !inRange(p.sport, o.sport)) return false;
    if (o.dport && !inRange(p.dport, o.dport)) return false;
    if (o.flags) {
      const f = p.tcp ? p.tcp.flags : 0;
      if (((f & o.flags.mask) === o.flags.cmp) === o.flags.invert) return false;
    }
    if (o.option) {
      if (hasTcpOption(p.tcp ? p.tcp.options : '', o.option.kind) === o.option.invert) return false;
    }
    return true;
  },
  explain(o, p) {
    const out: ClauseResult[] = [];
    if (o.sport) out.push(portClause('sport', p.sport, o.sport));
    if (o.dport) out.push(portClause('dport', p.dport, o.dport));
    if (o.flags) {
      const f = p.tcp ? p.tcp.flags : 0;
      const ok = ((f & o.flags.mask) === o.flags.cmp) !== o.flags.invert;
      out.push({ ok, why: `${o.flags.invert ? '! ' : ''}--tcp-flags ${tcpFlagsSave(o.flags.mask)} ${tcpFlagsSave(o.flags.cmp)}: packet has ${tcpFlagsSave(f & 0xff)}` });
    }
    if (o.option) {
      const ok = hasTcpOption(p.tcp ? p.tcp.options : '', o.option.kind) !== o.option.invert;
      out.push({ ok, why: `${o.option.invert ? '! ' : ''}--tcp-option ${o.option.kind} ${ok ? 'holds' : 'fails'}` });
    }
    return out;
  },
};

export const udp: MatchSpec<UdpOptions> = {
  name: 'udp',
  proto: IPPROTO_UDP,
  options: [
    { name: 'source-port', arg: true },
    { name: 'sport', arg: true },
    { name: 'destination-port', arg: true },
    { name: 'dport', arg: true },
  ],
  init: () => ({ sport: null, dport: null }),
  parse(o, call, sink) {
    parsePortOption(o, call, sink, 'udp');
  },
  save(o) {
    const out: string[] = [];
    savePort('sport', o.sport, out);
    savePort('dport', o.dport, out);
    return out.join(' ');
  },
  match(o, p: Packet) {
    if (o.sport && !inRange(p.sport, o.sport)) return false;
    if (o.dport && !inRange(p.dport, o.dport)) return false;
    return true;
  },
  explain(o, p) {
    const out: ClauseResult[] = [];
    if (o.sport) out.push(portClause('sport', p.sport, o.sport));
    if (o.dport) out.push(portClause('dport', p.dport, o.dport));
    return out;
  },
};
