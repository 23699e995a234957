// pattern: Functional Core
// -m iprange (libxt_iprange revision 1, kernel xt_iprange.c).

import { formatIpv4, parseIpv4 } from '../../net/addr';
import type { Ipv4 } from '../../net/addr';
import type { MatchSpec } from './module';

export interface IpRange {
  min: Ipv4;
  max: Ipv4;
  invert: boolean;
}

export interface IprangeOptions {
  src: IpRange | null;
  dst: IpRange | null;
}

function rangeText(r: IpRange): string {
  return `${formatIpv4(r.min)}-${formatIpv4(r.max)}`;
}

function inRange(a: Ipv4, r: IpRange): boolean {
  return (a >= r.min && a <= r.max) !== r.invert;
}

export const iprange: MatchSpec<IprangeOptions> = {
  name: 'iprange',
  options: [
    { name: 'src-range', arg: true },
    { name: 'dst-range', arg: true },
  ],
  init: () => ({ src: null, dst: null }),
  parse(o, call, sink) {
    const dash = call.arg.indexOf('-');
    const a = parseIpv4(dash < 0 ? call.arg : call.arg.slice(0, dash));
    const b = dash < 0 ? a : parseIpv4(call.arg.slice(dash + 1));
    if (a === null || b === null) {
      sink.error(`iprange: Unknown address "${call.arg}"`, call.argSpan);
      return;
    }
    const r = { min: a, max: b, invert: call.invert };
    if (call.name === 'src-range') o.src = r;
    else o.dst = r;
  },
  final(o, sink) {
    if (!o.src && !o.dst) sink.error('iprange match: You must specify `--src-range\' or `--dst-range\'');
  },
  save(o) {
    const out: string[] = [];
    if (o.src) out.push(`${o.src.invert ? '! ' : ''}--src-range ${rangeText(o.src)}`);
    if (o.dst) out.push(`${o.dst.invert ? '! ' : ''}--dst-range ${rangeText(o.dst)}`);
    return out.join(' ');
  },
  match(o, p) {
    if (o.src && !inRange(p.src, o.src)) return false;
    if (o.dst && !inRange(p.dst, o.dst)) return false;
    return true;
  },
  explain(o, p) {
    const out = [];
    if (o.src) out.push({ ok: inRange(p.src, o.src), why: `source ${formatIpv4(p.src)} ${inRange(p.src, o.src) !== o.src.invert ? 'in' : 'not in'} ${rangeText(o.src)}` });
    if (o.dst) out.push({ ok: inRange(p.dst, o.dst), why: `destination ${formatIpv4(p.dst)} ${inRange(p.dst, o.dst) !== o.dst.invert ? 'in' : 'not in'} ${rangeText(o.dst)}` });
    return out;
  },
};
