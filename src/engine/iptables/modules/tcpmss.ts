// pattern: Functional Core
// -m tcpmss (libxt_tcpmss, kernel xt_tcpmss.c): the MSS option of a TCP
// segment within a range. A segment without an MSS option matches only
// when the rule is inverted, as in the kernel.

import { IPPROTO_TCP } from '../../net/packet';
import type { Packet } from '../../net/packet';
import type { MatchSpec } from './module';
import { parseUIntRange } from './header';

export interface TcpmssMatchOptions {
  min: number;
  max: number;
  invert: boolean;
  set: boolean;
}

/** The MSS value in the TCP options hex string, null when there is none. */
export function tcpMss(p: Packet): number | null {
  const hex = p.tcp ? p.tcp.options : '';
  const n = hex.length >> 1;
  const at = (i: number): number => parseInt(hex.substr(i * 2, 2), 16);
  let i = 0;
  for (let guard = 0; i < n && guard < 40; guard++) {
    const kind = at(i);
    if (kind === 0) return null;
    if (kind === 1) {
      i++;
      continue;
    }
    const len = at(i + 1);
    if (!(len >= 2)) return null;
    if (kind === 2 && len === 4 && i + 4 <= n) return (at(i + 2) << 8) | at(i + 3);
    i += len;
  }
  return null;
}

function text(o: TcpmssMatchOptions): string {
  return `${o.invert ? '! ' : ''}--mss ${o.min === o.max ? o.min : `${o.min}:${o.max}`}`;
}

function holds(o: TcpmssMatchOptions, p: Packet): boolean {
  const mss = tcpMss(p);
  return mss === null ? o.invert : (mss >= o.min && mss <= o.max) !== o.invert;
}

export const tcpmss: MatchSpec<TcpmssMatchOptions> = {
  name: 'tcpmss',
  proto: IPPROTO_TCP,
  options: [{ name: 'mss', arg: true }],
  init: () => ({ min: 0, max: 0xffff, invert: false, set: false }),
  parse(o, call, sink) {
    const r = parseUIntRange(call.arg, 0xffff);
    if (!r || r[0] > r[1]) {
      sink.error('tcpmss: bad value for option "--mss", or out of range (0-65535).', call.argSpan);
      return;
    }
    Object.assign(o, { min: r[0], max: r[1], invert: call.invert, set: true });
  },
  final(o, sink) {
    if (!o.set) sink.error('tcpmss: option "--mss" must be specified');
  },
  save: text,
  match: holds,
  explain: (o, p) => [{ ok: holds(o, p), why: `${text(o)}: ${tcpMss(p) === null ? 'segment has no MSS option' : `MSS is ${tcpMss(p)}`}` }],
};
