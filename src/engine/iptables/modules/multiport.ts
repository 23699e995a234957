// pattern: Functional Core
// -m multiport (libxt_multiport revision 1, kernel xt_multiport.c): up to 15
// ports, a range counting as two.

import type { ErrorSink, MatchSpec, RuleHead } from './module';
import { parsePort } from './module';

export interface MultiportOptions {
  /** which port the list applies to */
  flags: 'source' | 'destination' | 'either' | null;
  /** [min, max] pairs (a single port is min === max) */
  ranges: [number, number][];
  invert: boolean;
}

const PROTOS = new Set([6, 17, 33, 132, 136]);

function listText(o: MultiportOptions): string {
  return o.ranges.map(([a, b]) => (a === b ? `${a}` : `${a}:${b}`)).join(',');
}

function portIn(o: MultiportOptions, port: number): boolean {
  for (let i = 0; i < o.ranges.length; i++) {
    const r = o.ranges[i]!;
    if (port >= r[0] && port <= r[1]) return true;
  }
  return false;
}

export const multiport: MatchSpec<MultiportOptions> = {
  name: 'multiport',
  options: [
    { name: 'source-ports', arg: true },
    { name: 'sports', arg: true },
    { name: 'destination-ports', arg: true },
    { name: 'dports', arg: true },
    { name: 'ports', arg: true },
  ],
  init: () => ({ flags: null, ranges: [], invert: false }),
  parse(o, call, sink) {
    if (o.flags) {
      sink.error('multiport can only have one option', call.span);
      return;
    }
    o.flags = call.name.startsWith('s') ? 'source' : call.name.startsWith('d') ? 'destination' : 'either';
    o.invert = call.invert;
    let slots = 0;
    for (const part of call.arg.split(',')) {
      const colon = part.indexOf(':');
      const a = parsePort(colon < 0 ? part : part.slice(0, colon));
      const b = colon < 0 ? a : parsePort(part.slice(colon + 1));
      if (a === null || b === null) {
        sink.error(`invalid port/service \`${a === null ? part.split(':')[0] : part.slice(colon + 1)}' specified`, call.argSpan);
        return;
      }
      if (a > b) {
        sink.error('invalid portrange specified', call.argSpan);
        return;
      }
      slots += a === b ? 1 : 2;
      if (slots > 15) {
        sink.error('too many ports specified', call.argSpan);
        return;
      }
      o.ranges.push([a, b]);
    }
  },
  final(o, sink: ErrorSink, head: RuleHead) {
    if (!o.flags) {
      sink.error('multiport expects an option');
      return;
    }
    if (head.protoInvert || !PROTOS.has(head.proto))
      sink.error("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
  },
  save(o) {
    const name = o.flags === 'source' ? 'sports' : o.flags === 'destination' ? 'dports' : 'ports';
    return `${o.invert ? '! ' : ''}--${name} ${listText(o)}`;
  },
  match(o, p) {
    const s = p.sport ?? 0;
    const d = p.dport ?? 0;
    const hit = o.flags === 'source' ? portIn(o, s) : o.flags === 'destination' ? portIn(o, d) : portIn(o, s) || portIn(o, d);
    return hit !== o.invert;
  },
  explain(o, p) {
    const ok = this.match(o, p, null as never, null as never);
    const what = o.flags === 'source' ? `sport ${p.sport ?? 0}` : o.flags === 'destination' ? `dport ${p.dport ?? 0}` : `ports ${p.sport ?? 0}/${p.dport ?? 0}`;
    return [{ ok, why: `${what} ${ok !== o.invert ? 'in' : 'not in'} ${listText(o)}${o.invert ? ' (inverted)' : ''}` }];
  },
};
