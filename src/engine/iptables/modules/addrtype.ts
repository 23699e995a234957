// pattern: Functional Core
// -m addrtype (libxt_addrtype revision 1, kernel xt_addrtype.c): the route
// type of the source/destination address in this host's tables.

import type { AddrType } from '../../net/config';
import type { MatchSpec } from './module';

export const ADDR_TYPES: readonly AddrType[] = [
  'UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST',
  'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE',
];

export interface AddrtypeOptions {
  /** bit i = ADDR_TYPES[i]; 0 = not given */
  src: number;
  dst: number;
  srcInvert: boolean;
  dstInvert: boolean;
  limitIfaceIn: boolean;
  limitIfaceOut: boolean;
}

function typesText(bits: number): string {
  const out: string[] = [];
  for (let i = 0; i < ADDR_TYPES.length; i++) if (bits & (1 << i)) out.push(ADDR_TYPES[i]!);
  return out.join(',');
}

function typeBit(t: AddrType): number {
  return 1 << ADDR_TYPES.indexOf(t);
}

export const addrtype: MatchSpec<AddrtypeOptions> = {
  name: 'addrtype',
  options: [
    { name: 'src-type', arg: true },
    { name: 'dst-type', arg: true },
    { name: 'limit-iface-in', arg: false, invert: false },
    { name: 'limit-iface-out', arg: false, invert: false },
  ],
  init: () => ({ src: 0, dst: 0, srcInvert: false, dstInvert: false, limitIfaceIn: false, limitIfaceOut: false }),
  parse(o, call, sink) {
    if (call.name === 'limit-iface-in' || call.name === 'limit-iface-out') {
      if (call.name === 'limit-iface-in') o.limitIfaceIn = true;
      else o.limitIfaceOut = true;
      if (o.limitIfaceIn && o.limitIfaceOut)
        sink.error('addrtype: you can\'t specify both --limit-iface-in and --limit-iface-out', call.span);
      return;
    }
    let bits = 0;
    for (const part of call.arg.split(',')) {
      const i = ADDR_TYPES.indexOf(part.toUpperCase() as AddrType);
      if (i < 0) {
        sink.error(`addrtype: invalid address type \`${part}'`, call.argSpan);
        return;
      }
      bits |= 1 << i;
    }
    if (call.name === 'src-type') {
      o.src = bits;
      o.srcInvert = call.invert;
    } else {
      o.dst = bits;
      o.dstInvert = call.invert;
    }
  },
  final(o, sink) {
    if (!o.src && !o.dst) sink.error('addrtype: you must specify --src-type or --dst-type');
  },
  save(o) {
    const out: string[] = [];
    if (o.src) out.push(`${o.srcInvert ? '! ' : ''}--src-type ${typesText(o.src)}`);
    if (o.dst) out.push(`${o.dstInvert ? '! ' : ''}--dst-type ${typesText(o.dst)}`);
    if (o.limitIfaceIn) out.push('--limit-iface-in');
    if (o.limitIfaceOut) out.push('--limit-iface-out');
    return out.join(' ');
  },
  match(o, p, ctx) {
    const dev = o.limitIfaceIn ? ctx.inIface : o.limitIfaceOut ? ctx.outIface : null;
    if (o.src && ((typeBit(ctx.addrType(p.src, dev)) & o.src) !== 0) === o.srcInvert) return false;
    if (o.dst && ((typeBit(ctx.addrType(p.dst, dev)) & o.dst) !== 0) === o.dstInvert) return false;
    return true;
  },
  explain(o, p, ctx) {
    const dev = o.limitIfaceIn ? ctx.inIface : o.limitIfaceOut ? ctx.outIface : null;
    const out = [];
    if (o.src) {
      const t = ctx.addrType(p.src, dev);
      out.push({ ok: ((typeBit(t) & o.src) !== 0) !== o.srcInvert, why: `${o.srcInvert ? '! ' : ''}--src-type ${typesText(o.src)}: source is ${t}` });
    }
    if (o.dst) {
      const t = ctx.addrType(p.dst, dev);
      out.push({ ok: ((typeBit(t) & o.dst) !== 0) !== o.dstInvert, why: `${o.dstInvert ? '! ' : ''}--dst-type ${typesText(o.dst)}: destination is ${t}` });
    }
    return out;
  },
};
