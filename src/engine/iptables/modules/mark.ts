// pattern: Functional Core
// -m mark (xt_mark: skb->mark) and -m connmark (xt_connmark: ct->mark):
// (mark & mask) == value, printed 0x-hex with the mask only when not ~0.

import type { MatchSpec } from './module';
import type { CtView } from '../../conntrack/types';
import { hex, parseMarkMask } from './module';

export interface MarkMatchOptions {
  value: number;
  mask: number;
  invert: boolean;
  set: boolean;
}

function markText(o: MarkMatchOptions): string {
  return o.mask === 0xffffffff ? hex(o.value) : `${hex(o.value)}/${hex(o.mask)}`;
}

/**
 * connmark_mt returns false, inverted or not, when nf_ct_get finds no
 * connection: in the raw table (before conntrack), for INVALID and for
 * untracked packets (case q40, difftest seed 1 case 33).
 */
function tracked(ct: CtView | null): boolean {
  return ct !== null && ct.state !== 'INVALID' && ct.state !== 'UNTRACKED';
}

function makeMark(name: 'mark' | 'connmark'): MatchSpec<MarkMatchOptions> {
  const read = (mark: number | undefined): number => (mark ?? 0) >>> 0;
  return {
    name,
    needsConntrack: name === 'connmark',
    options: [{ name: 'mark', arg: true }],
    init: () => ({ value: 0, mask: 0xffffffff, invert: false, set: false }),
    parse(o, call, sink) {
      const m = parseMarkMask(call.arg);
      if (!m) {
        sink.error(`${name}: bad value for option "--mark", or out of range.`, call.argSpan);
        return;
      }
      o.value = m.value;
      o.mask = m.mask;
      o.invert = call.invert;
      o.set = true;
    },
    final(o, sink) {
      if (!o.set) sink.error(`${name}: option "--mark" must be specified`);
    },
    save: (o) => `${o.invert ? '! ' : ''}--mark ${markText(o)}`,
    match(o, p, ctx) {
      if (name === 'connmark' && !tracked(ctx.ct)) return false;
      const v = name === 'mark' ? read(p.mark) : read(ctx.ct?.mark);
      return (((v & o.mask) >>> 0) === o.value) !== o.invert;
    },
    explain(o, p, ctx) {
      if (name === 'connmark' && !tracked(ctx.ct)) {
        return [{ ok: false, why: `${o.invert ? '! ' : ''}--mark ${markText(o)}: the packet has no connection (${ctx.ct?.state ?? 'conntrack has not seen it yet'}), connmark never matches then` }];
      }
      const v = name === 'mark' ? read(p.mark) : read(ctx.ct?.mark);
      const ok = (((v & o.mask) >>> 0) === o.value) !== o.invert;
      return [{ ok, why: `${o.invert ? '! ' : ''}--mark ${markText(o)}: ${name === 'mark' ? 'packet' : 'connection'} mark is ${hex(v)}` }];
    },
  };
}

export const mark = makeMark('mark');
export const connmark = makeMark('connmark');
