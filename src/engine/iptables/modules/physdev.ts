// pattern: Functional Core
// -m physdev (libxt_physdev, kernel xt_physdev.c): the bridge ports of a
// bridged packet (br_netfilter), with '+' wildcards like -i/-o.

import type { MatchSpec } from './module';

export interface PhysdevOptions {
  in: { name: string; invert: boolean } | null;
  out: { name: string; invert: boolean } | null;
  isIn: { invert: boolean } | null;
  isOut: { invert: boolean } | null;
  isBridged: { invert: boolean } | null;
}

export function ifaceMatches(pattern: string, name: string | null): boolean {
  if (name === null) return false;
  if (pattern.endsWith('+')) return name.startsWith(pattern.slice(0, -1));
  return name === pattern;
}

function evaluate(o: PhysdevOptions, physIn: string | null, physOut: string | null): [boolean, string][] {
  const out: [boolean, string][] = [];
  const bridged = physIn !== null || physOut !== null;
  if (o.isIn) out.push([(physIn !== null) !== o.isIn.invert, `--physdev-is-in: ${physIn ?? 'not bridged in'}`]);
  if (o.in) out.push([ifaceMatches(o.in.name, physIn) !== o.in.invert, `--physdev-in ${o.in.name} vs ${physIn ?? 'none'}`]);
  if (o.isOut) out.push([(physOut !== null) !== o.isOut.invert, `--physdev-is-out: ${physOut ?? 'not bridged out'}`]);
  if (o.out) out.push([ifaceMatches(o.out.name, physOut) !== o.out.invert, `--physdev-out ${o.out.name} vs ${physOut ?? 'none'}`]);
  if (o.isBridged) out.push([(physOut !== null) !== o.isBridged.invert, `--physdev-is-bridged: ${bridged ? 'bridged' : 'not bridged'}`]);
  return out;
}

export const physdev: MatchSpec<PhysdevOptions> = {
  name: 'physdev',
  options: [
    { name: 'physdev-in', arg: true },
    { name: 'physdev-out', arg: true },
    { name: 'physdev-is-in', arg: false },
    { name: 'physdev-is-out', arg: false },
    { name: 'physdev-is-bridged', arg: false },
  ],
  init: () => ({ in: null, out: null, isIn: null, isOut: null, isBridged: null }),
  parse(o, call, sink) {
    switch (call.name) {
      case 'physdev-in':
      case 'physdev-out':
        if (call.arg.length > 15) {
          sink.error(`interface name \`${call.arg}' must be shorter than IFNAMSIZ (15)`, call.argSpan);
          return;
        }
        o[call.name === 'physdev-in' ? 'in' : 'out'] = { name: call.arg, invert: call.invert };
        return;
      case 'physdev-is-in':
        o.isIn = { invert: call.invert };
        return;
      case 'physdev-is-out':
        o.isOut = { invert: call.invert };
        return;
      case 'physdev-is-bridged':
        o.isBridged = { invert: call.invert };
    }
  },
  final(o, sink) {
    if (!o.in && !o.out && !o.isIn && !o.isOut && !o.isBridged) sink.error('PHYSDEV: no physdev option specified');
  },
  save(o) {
    const out: string[] = [];
    const b = (x: { invert: boolean }): string => (x.invert ? '! ' : '');
    if (o.isIn) out.push(`${b(o.isIn)}--physdev-is-in`);
    if (o.in) out.push(`${b(o.in)}--physdev-in ${o.in.name}`);
    if (o.isOut) out.push(`${b(o.isOut)}--physdev-is-out`);
    if (o.out) out.push(`${b(o.out)}--physdev-out ${o.out.name}`);
    if (o.isBridged) out.push(`${b(o.isBridged)}--physdev-is-bridged`);
    return out.join(' ');
  },
  match(o, _p, ctx) {
    // a packet that never crossed a bridge only matches when every clause is inverted (kernel: !skb->nf_bridge)
    for (const [ok] of evaluate(o, ctx.physIn, ctx.physOut)) if (!ok) return false;
    return true;
  },
  explain: (o, _p, ctx) => evaluate(o, ctx.physIn, ctx.physOut).map(([ok, why]) => ({ ok, why })),
};
