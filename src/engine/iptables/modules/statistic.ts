// pattern: Functional Core
// -m statistic (libxt_statistic, kernel xt_statistic.c). nth keeps one
// counter per rule that only packets reaching the rule advance; random
// compares 31 random bits with round(p × 2^31) like the kernel.

import type { MatchSpec } from './module';
import { parseUInt } from './module';

export interface StatisticOptions {
  mode: 'random' | 'nth' | null;
  /** 31-bit fixed point: lround(p × 0x80000000) */
  probability: number;
  /** kernel value: --every N is stored as N-1 */
  every: number;
  packet: number;
  invert: boolean;
  sawEvery: boolean;
  sawPacket: boolean;
  sawProbability: boolean;
}

export const statistic: MatchSpec<StatisticOptions> = {
  name: 'statistic',
  options: [
    { name: 'mode', arg: true, invert: false },
    { name: 'probability', arg: true },
    { name: 'every', arg: true },
    { name: 'packet', arg: true, invert: false },
  ],
  init: () => ({ mode: null, probability: 0, every: 0, packet: 0, invert: false, sawEvery: false, sawPacket: false, sawProbability: false }),
  parse(o, call, sink) {
    switch (call.name) {
      case 'mode':
        if (call.arg !== 'random' && call.arg !== 'nth') {
          sink.error(`Bad mode "${call.arg}"`, call.argSpan);
          return;
        }
        o.mode = call.arg;
        return;
      case 'probability': {
        const v = Number(call.arg);
        if (call.arg.trim() === '' || !Number.isFinite(v) || v < 0 || v > 1) {
          sink.error('--probability must be between 0 and 1', call.argSpan);
          return;
        }
        o.probability = Math.round(0x80000000 * v);
        o.invert = o.invert || call.invert;
        o.sawProbability = true;
        return;
      }
      case 'every': {
        const v = parseUInt(call.arg, false);
        if (v === null || v < 1 || v > 0xffffffff) {
          sink.error('statistic: bad value for option "--every", or out of range.', call.argSpan);
          return;
        }
        o.every = v - 1;
        o.invert = o.invert || call.invert;
        o.sawEvery = true;
        return;
      }
      case 'packet': {
        const v = parseUInt(call.arg, false);
        if (v === null || v > 0xffffffff) {
          sink.error('statistic: bad value for option "--packet", or out of range.', call.argSpan);
          return;
        }
        o.packet = v;
        o.sawPacket = true;
      }
    }
  },
  final(o, sink) {
    if (!o.mode) {
      sink.error('statistic: option "--mode" must be specified');
      return;
    }
    if (o.mode === 'random' && (o.sawEvery || o.sawPacket)) sink.error('--every and --packet can only be used with --mode nth');
    if (o.mode === 'nth' && o.sawProbability) sink.error('--probability can only be used with --mode random');
    if (o.mode === 'nth' && !o.sawEvery) sink.error('--every must be specified for --mode nth');
    // iptables 1.8.9 (legacy) refuses --every without --packet (checked on the real binary)
    if (o.mode === 'nth' && o.sawEvery && !o.sawPacket) sink.error('statistic: option "--every" also requires "--packet".');
    if (o.mode === 'nth' && o.sawPacket && o.packet > o.every) sink.error('the --packet p must be 0 <= p <= n-1');
    if (o.mode === 'random' && !o.sawProbability) sink.error('--probability must be specified for --mode random');
  },
  save(o) {
    const bang = o.invert ? ' !' : '';
    if (o.mode === 'random') return `--mode random${bang} --probability ${(o.probability / 0x80000000).toFixed(11)}`;
    return `--mode nth${bang} --every ${o.every + 1} --packet ${o.packet}`;
  },
  match(o, _p, ctx, rule) {
    let ret = o.invert;
    if (o.mode === 'random') {
      if (Math.floor(ctx.random() * 0x80000000) < o.probability) ret = !ret;
      return ret;
    }
    // xt_statistic: the counter starts at every-packet (libxt_statistic's
    // final check) and the rule matches when it wraps to 0, so `--every 3
    // --packet 0` matches the 1st, 4th, ... packet (oracle case 40).
    const c = ctx.ruleState(rule, 'statistic-nth', () => ({ count: o.every - o.packet }));
    c.count = c.count === o.every ? 0 : c.count + 1;
    if (c.count === 0) ret = !ret;
    return ret;
  },
  explain(o, _p, ctx, rule) {
    if (o.mode === 'random') return [{ ok: true, why: `random with probability ${(o.probability / 0x80000000).toFixed(4)} (decided when the rule runs)` }];
    const c = ctx.ruleState(rule, 'statistic-nth', () => ({ count: o.every - o.packet }));
    const next = c.count === o.every ? 0 : c.count + 1;
    const pos = (next + o.packet) % (o.every + 1);
    return [{ ok: (next === 0) !== o.invert, why: `nth: every ${o.every + 1}, packet ${o.packet}; this is packet ${pos} of the cycle` }];
  },
};
