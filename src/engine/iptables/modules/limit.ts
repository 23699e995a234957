// pattern: Functional Core
// -m limit (libxt_limit, kernel xt_limit.c): a token bucket counted in the
// kernel's own units, so the Nth packet is accepted or not exactly when the
// real kernel would (HZ 250 as in Debian's kernels).

import type { MatchSpec } from './module';
import { parseUInt } from './module';

export const XT_LIMIT_SCALE = 10000;
const HZ = 250;
// MAX_CPJ = 0xFFFFFFFF / (HZ*60*60*24) = 198; CREDITS_PER_JIFFY = largest power of 2 below it
const CREDITS_PER_JIFFY = 128;

export interface LimitOptions {
  /** seconds per packet × XT_LIMIT_SCALE (struct xt_rateinfo.avg) */
  avg: number;
  burst: number;
}

interface Bucket {
  prevJiffies: number;
  credit: number;
  creditCap: number;
  cost: number;
}

function user2credits(user: number): number {
  // same u32 overflow guard as the kernel
  if (user > Math.floor(0xffffffff / (HZ * CREDITS_PER_JIFFY))) return (Math.floor(user / XT_LIMIT_SCALE) * HZ * CREDITS_PER_JIFFY) >>> 0;
  return Math.floor((user * HZ * CREDITS_PER_JIFFY) / XT_LIMIT_SCALE) >>> 0;
}

const RATES: readonly [string, number][] = [
  ['day', XT_LIMIT_SCALE * 24 * 60 * 60],
  ['hour', XT_LIMIT_SCALE * 60 * 60],
  ['min', XT_LIMIT_SCALE * 60],
  ['sec', XT_LIMIT_SCALE],
];

/** libxt_limit print_rate: the largest unit that still prints a whole number. */
export function rateText(avg: number): string {
  let i = 1;
  for (; i < RATES.length; i++) {
    const mult = RATES[i]![1];
    if (avg > mult || Math.floor(mult / avg) < mult % avg) break;
  }
  const [name, mult] = RATES[i - 1]!;
  return `${Math.floor(mult / avg)}/${name}`;
}

/** libxt_limit parse_rate; null when invalid. */
export function parseRate(text: string): number | null | 'too-fast' {
  const slash = text.indexOf('/');
  let mult = 1;
  const num = slash < 0 ? text : text.slice(0, slash);
  if (slash >= 0) {
    const unit = text.slice(slash + 1).toLowerCase();
    if (unit.length === 0) return null;
    if ('second'.startsWith(unit)) mult = 1;
    else if ('minute'.startsWith(unit)) mult = 60;
    else if ('hour'.startsWith(unit)) mult = 3600;
    else if ('day'.startsWith(unit)) mult = 86400;
    else return null;
  }
  const r = parseUInt(num, false);
  if (r === null || r === 0) return null;
  const v = Math.floor((XT_LIMIT_SCALE * mult) / r);
  return v === 0 ? 'too-fast' : v;
}

/** r->avg * r->burst as the kernel computes it: a u32 product, which wraps. */
function avgTimesBurst(o: LimitOptions): number {
  return Math.imul(o.avg, o.burst) >>> 0;
}

function bucket(o: LimitOptions, nowJ: number): Bucket {
  const credit = user2credits(avgTimesBurst(o));
  return { prevJiffies: nowJ, credit, creditCap: credit, cost: user2credits(o.avg) };
}

export const limit: MatchSpec<LimitOptions> = {
  name: 'limit',
  options: [
    { name: 'limit', arg: true, invert: false },
    { name: 'limit-burst', arg: true, invert: false },
  ],
  init: () => ({ avg: Math.floor(XT_LIMIT_SCALE * 3600 / 3), burst: 5 }),
  parse(o, call, sink) {
    if (call.name === 'limit') {
      const v = parseRate(call.arg);
      if (v === 'too-fast') sink.error(`Rate too fast "${call.arg}"`, call.argSpan);
      else if (v === null) sink.error(`bad rate "${call.arg}"'`, call.argSpan);
      else o.avg = v;
    } else {
      const b = parseUInt(call.arg, false);
      if (b === null || b > 10000) {
        sink.error(`limit: bad value for option "--limit-burst", or out of range (0-10000).`, call.argSpan);
        return;
      }
      o.burst = b;
    }
  },
  save: (o) => `--limit ${rateText(o.avg)}${o.burst !== 5 ? ` --limit-burst ${o.burst}` : ''}`,
  // limit_mt_check: a burst of 0, or one whose credits wrapped below a single packet's cost
  // (--limit 1/day --limit-burst 2), is ERANGE
  check(o) {
    if (o.burst !== 0 && user2credits(avgTimesBurst(o)) >= user2credits(o.avg)) return null;
    return { errno: 'ERANGE', log: `xt_limit: Overflow, try lower: ${o.avg}/${o.burst}` };
  },
  match(o, _p, ctx, rule) {
    const now = Math.floor((ctx.nowMs * HZ) / 1000);
    const b = ctx.ruleState(rule, 'limit', () => bucket(o, now));
    b.credit += (now - b.prevJiffies) * CREDITS_PER_JIFFY;
    b.prevJiffies = now;
    if (b.credit > b.creditCap) b.credit = b.creditCap;
    if (b.credit >= b.cost) {
      b.credit -= b.cost;
      return true;
    }
    return false;
  },
  explain(o, p, ctx, rule) {
    // explain must not consume a token: look at the bucket without charging it
    const now = Math.floor((ctx.nowMs * HZ) / 1000);
    const b = ctx.ruleState(rule, 'limit', () => bucket(o, now));
    const credit = Math.min(b.creditCap, b.credit + (now - b.prevJiffies) * CREDITS_PER_JIFFY);
    const ok = credit >= b.cost;
    return [{ ok, why: `--limit ${rateText(o.avg)} burst ${o.burst}: ${Math.floor(credit / Math.max(b.cost, 1))} token(s) left` }];
  },
};
