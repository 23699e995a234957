// pattern: Functional Core
// -m hashlimit (libxt_hashlimit revision 3, kernel xt_hashlimit.c): a token
// bucket per flow, the flow being the packet's (masked) addresses and ports
// as --hashlimit-mode selects. Parsing and the save text follow libxt's
// rate/byte arithmetic exactly (the save text is recomputed from the kernel
// values, which is why `60/min` saves as `1/sec` with an explicit expire);
// evaluation follows the kernel's credit arithmetic at HZ 250.
//
// Difference from the kernel: the kernel shares one table between all rules
// with the same --hashlimit-name; here every rule has its own table.

import type { Packet } from '../../net/packet';
import type { MatchContext, Rule } from '../types';
import type { ErrorSink, MatchSpec, OptionCall } from './module';
import { parseUInt } from './module';
import { ipTotalLength } from './header';

const HZ = 250;
const SCALE = 1000000; // XT_HASHLIMIT_SCALE_v2
const U32_MAX = 0xffffffff;
const BYTE_SHIFT_MUL = 16; // << XT_HASHLIMIT_BYTE_SHIFT (4)
const BURST_MAX = 1000000;
const BYTE_EXPIRE = 15;
const BYTE_EXPIRE_BURST = 60;
const GC_INTERVAL = 1000;

// modes as in xt_hashlimit.h
const HASH_DIP = 1;
const HASH_DPT = 2;
const HASH_SIP = 4;
const HASH_SPT = 8;

export interface HashlimitOptions {
  name: string;
  /** --hashlimit-above (XT_HASHLIMIT_INVERT) */
  above: boolean;
  /** byte-based rate (`kb/s` etc.) */
  bytes: boolean;
  /** packet mode: time per packet × 10^6; byte mode: libxt's cost value */
  avg: number;
  burst: number;
  /** HASH_* bits */
  mode: number;
  size: number;
  max: number;
  gcInterval: number;
  /** ms; filled by final() from the rate unit unless given */
  expire: number;
  srcmask: number;
  dstmask: number;
  rateMatch: boolean;
  interval: number;
  // parse-time bookkeeping (libxt's udata and xflags)
  mult: number;
  given: string[];
}

function costToBytes(cost: number): number {
  return ((cost ? Math.floor(U32_MAX / cost) : U32_MAX) - 1) * BYTE_SHIFT_MUL;
}

function bytesToCost(bytes: number): number {
  const r = Math.floor(bytes / BYTE_SHIFT_MUL) % 0x100000000;
  return Math.floor(U32_MAX / (r + 1));
}

function factor(c: string | undefined): number {
  return c === 'm' ? 1024 * 1024 : c === 'k' ? 1024 : 1;
}

/** atoll: optional sign, leading digits. */
function leadingInt(s: string): number {
  let i = 0;
  while (s[i] === ' ') i++;
  let v = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** parse_bytes: `N[k|m]b/s`; null when the text is not a byte rate. */
function parseBytes(text: string, call: OptionCall, sink: ErrorSink): number | null | 'error' {
  const at = text.indexOf('b/s');
  if (at <= 0) return null;
  const r = leadingInt(text);
  if (r === 0) return null;
  const tmp = r * factor(text[at - 1]);
  const cost = bytesToCost(tmp);
  if (cost === 0) {
    sink.error(`Rate too high "${text}"`, call.argSpan);
    return 'error';
  }
  return cost;
}

/** parse_rate: `N[/second|/minute|/hour|/day]` (unit prefixes, any case). */
function parseRate(text: string): { avg: number; mult: number } | null | 'too-fast' {
  let mult = 1;
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const unit = text.slice(slash + 1).toLowerCase();
    if (unit.length === 0) return null;
    if ('second'.startsWith(unit)) mult = 1;
    else if ('minute'.startsWith(unit)) mult = 60;
    else if ('hour'.startsWith(unit)) mult = 3600;
    else if ('day'.startsWith(unit)) mult = 86400;
    else return null;
  }
  const r = leadingInt(text);
  if (r === 0) return null;
  const avg = Math.floor((SCALE * mult) / r);
  return avg === 0 ? 'too-fast' : { avg, mult };
}

const RATES: readonly [string, number][] = [
  ['day', SCALE * 86400],
  ['hour', SCALE * 3600],
  ['min', SCALE * 60],
  ['sec', SCALE],
];

/** print_rate: text and the expire (ms) that goes without saying. */
function rateText(period: number): [string, number] {
  if (period === 0) return ['inf', 0];
  let i = 1;
  for (; i < RATES.length; i++) {
    const m = RATES[i]![1];
    if (period > m || Math.floor(m / period) < m % period) break;
  }
  const [name, m] = RATES[i - 1]!;
  return [`${Math.floor(m / period)}/${name}`, (m / SCALE) * 1000];
}

const UNITS: readonly [string, number][] = [
  ['m', 1024 * 1024],
  ['k', 1024],
  ['', 1],
];

/** print_bytes: `Nkb/s` and, with a burst, `--hashlimit-burst Nkb`. */
function bytesText(avg: number, burst: number): [string, number] {
  let r = costToBytes(avg);
  let i = 0;
  for (; i < UNITS.length - 1; i++) {
    const t = UNITS[i]![1];
    if (r >= t && bytesToCost(r - (r % t)) === avg) break;
  }
  let s = `${Math.floor(r / UNITS[i]![1])}${UNITS[i]![0]}b/s`;
  if (burst === 0) return [s, BYTE_EXPIRE * 1000];
  r *= burst;
  i = 0;
  for (; i < UNITS.length - 1; i++) if (r >= UNITS[i]![1]) break;
  s += ` --hashlimit-burst ${Math.floor(r / UNITS[i]![1])}${UNITS[i]![0]}b`;
  return [s, BYTE_EXPIRE_BURST * 1000];
}

function modeText(mode: number): string {
  const out: string[] = [];
  if (mode & HASH_SIP) out.push('srcip');
  if (mode & HASH_SPT) out.push('srcport');
  if (mode & HASH_DIP) out.push('dstip');
  if (mode & HASH_DPT) out.push('dstport');
  return out.join(',');
}

function hashlimitSave(o: HashlimitOptions): string {
  let s = o.above ? '--hashlimit-above ' : '--hashlimit-upto ';
  let quantum: number;
  if (o.bytes) {
    const [t, q] = bytesText(o.avg, o.burst);
    s += t;
    quantum = q;
  } else {
    const [t, q] = rateText(o.avg);
    s += `${t} --hashlimit-burst ${o.burst}`;
    quantum = q;
  }
  if (o.mode) s += ` --hashlimit-mode ${modeText(o.mode)}`;
  s += ` --hashlimit-name ${o.name}`;
  if (o.size) s += ` --hashlimit-htable-size ${o.size}`;
  if (o.max) s += ` --hashlimit-htable-max ${o.max}`;
  if (o.gcInterval !== GC_INTERVAL) s += ` --hashlimit-htable-gcinterval ${o.gcInterval}`;
  if (o.expire !== quantum) s += ` --hashlimit-htable-expire ${o.expire}`;
  if (o.srcmask !== 32) s += ` --hashlimit-srcmask ${o.srcmask}`;
  if (o.dstmask !== 32) s += ` --hashlimit-dstmask ${o.dstmask}`;
  if (o.rateMatch) {
    s += ' --hashlimit-rate-match';
    if (o.interval !== 1) s += ` --hashlimit-rate-interval ${o.interval}`;
  }
  return s;
}

function bad(call: OptionCall, sink: ErrorSink): void {
  sink.error(`hashlimit: Bad value for "--${call.name}" option: "${call.arg}"`, call.argSpan);
}

function u32(call: OptionCall, sink: ErrorSink): number | null {
  const v = parseUInt(call.arg);
  if (v === null || v > U32_MAX) {
    sink.error(`hashlimit: bad value for option "--${call.name}", or out of range (0-4294967295).`, call.argSpan);
    return null;
  }
  return v;
}

// ---------------------------------------------------------------- evaluation

const CPJ = 549755813888n; // CREDITS_PER_JIFFY for HZ 250: the largest 2^n below 2^64 / (HZ*86400)
const CREDITS_MULT = (BigInt(HZ) * CPJ) / BigInt(SCALE); // user2credits: user * (HZ*CPJ / scale)
const CPJ_BYTES = 16777216n; // POW2_BELOW32(0xffffffff / HZ)
const BYTES_FULL = CPJ_BYTES * BigInt(HZ);

interface Entry {
  prev: number;
  credit: bigint;
  cap: bigint;
  cost: bigint;
  expiresMs: number;
  // rate-match
  rate: number;
  rburst: number;
  current: number;
  prevWindow: boolean;
}

interface Table {
  createdMs: number;
  entries: Map<string, Entry>;
}

function maskOf(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

const PORT_PROTOS = new Set([6, 17, 33, 132, 136]);

function flowKey(o: HashlimitOptions, p: Packet): string {
  const src = o.mode & HASH_SIP ? (p.src & maskOf(o.srcmask)) >>> 0 : 0;
  const dst = o.mode & HASH_DIP ? (p.dst & maskOf(o.dstmask)) >>> 0 : 0;
  const ports = PORT_PROTOS.has(p.proto);
  const sp = o.mode & HASH_SPT && ports ? p.sport ?? 0 : 0;
  const dp = o.mode & HASH_DPT && ports ? p.dport ?? 0 : 0;
  return `${src}|${dst}|${sp}|${dp}`;
}

function newEntry(o: HashlimitOptions, now: number, nowMs: number): Entry {
  const e: Entry = { prev: now, credit: 0n, cap: 0n, cost: 0n, expiresMs: nowMs + o.expire, rate: 0, rburst: 0, current: 0, prevWindow: false };
  if (o.rateMatch) {
    e.rate = o.bytes ? costToBytes(o.avg) : o.avg ? Math.floor(SCALE / o.avg) : 0;
    e.rburst = o.bytes ? (o.burst ? o.burst * e.rate : e.rate) : o.burst + e.rate;
  } else if (o.bytes) {
    e.credit = BYTES_FULL;
    e.cap = BigInt(o.burst);
    e.cost = (BigInt(o.avg) * BYTES_FULL) >> 32n;
  } else {
    e.credit = BigInt(o.avg) * BigInt(o.burst) * CREDITS_MULT;
    e.cap = e.credit;
    e.cost = BigInt(o.avg) * CREDITS_MULT;
  }
  return e;
}

function recalc(o: HashlimitOptions, e: Entry, now: number): void {
  const delta = now - e.prev;
  if (delta <= 0) return;
  if (o.rateMatch) {
    const interval = o.interval * HZ;
    if (delta < interval) return;
    e.prev = now;
    e.prevWindow = e.current * interval > delta * e.rate;
    e.current = 0;
    return;
  }
  e.prev = now;
  if (o.bytes) {
    e.credit += CPJ_BYTES * BigInt(delta);
    if (e.credit > BYTES_FULL) e.credit = BYTES_FULL;
  } else {
    e.credit += BigInt(delta) * CPJ;
    if (e.credit > e.cap) e.credit = e.cap;
  }
}

/** The flow's entry, after the table's garbage collector had its chance to drop it. */
function lookup(o: HashlimitOptions, p: Packet, ctx: MatchContext, rule: Rule): { e: Entry; fresh: boolean } {
  const nowMs = ctx.nowMs;
  const now = Math.floor((nowMs * HZ) / 1000);
  const t = ctx.ruleState<Table>(rule, 'hashlimit', () => ({ createdMs: nowMs, entries: new Map() }));
  const key = flowKey(o, p);
  let e = t.entries.get(key);
  if (e) {
    const gc = Math.max(o.gcInterval, 1);
    const firstGcAfterExpiry = t.createdMs + Math.ceil((e.expiresMs - t.createdMs) / gc) * gc;
    if (firstGcAfterExpiry <= nowMs) {
      t.entries.delete(key);
      e = undefined;
    }
  }
  if (!e) {
    e = newEntry(o, now, nowMs);
    t.entries.set(key, e);
    return { e, fresh: true };
  }
  e.expiresMs = nowMs + o.expire;
  recalc(o, e, now);
  return { e, fresh: false };
}

function charge(o: HashlimitOptions, e: Entry, p: Packet): boolean {
  if (o.rateMatch) {
    e.current += o.bytes ? ipTotalLength(p) : 1;
    return !e.prevWindow && e.current <= e.rburst ? !o.above : o.above;
  }
  let cost = e.cost;
  if (o.bytes) {
    cost = BigInt((ipTotalLength(p) >> 4) + 1) * e.cost;
    if (cost > BYTES_FULL) cost = BYTES_FULL;
    // a byte bucket refills whole from its burst allowance
    if (e.credit < cost && e.cap > 0n) {
      e.cap -= 1n;
      e.credit = BYTES_FULL;
    }
  }
  if (e.credit >= cost) {
    e.credit -= cost;
    return !o.above;
  }
  return o.above;
}

export const hashlimit: MatchSpec<HashlimitOptions> = {
  name: 'hashlimit',
  options: [
    { name: 'hashlimit-upto', arg: true },
    { name: 'hashlimit-above', arg: true },
    { name: 'hashlimit', arg: true },
    { name: 'hashlimit-srcmask', arg: true, invert: false },
    { name: 'hashlimit-dstmask', arg: true, invert: false },
    { name: 'hashlimit-burst', arg: true, invert: false },
    { name: 'hashlimit-htable-size', arg: true, invert: false },
    { name: 'hashlimit-htable-max', arg: true, invert: false },
    { name: 'hashlimit-htable-gcinterval', arg: true, invert: false },
    { name: 'hashlimit-htable-expire', arg: true, invert: false },
    { name: 'hashlimit-mode', arg: true, invert: false },
    { name: 'hashlimit-name', arg: true, invert: false },
    { name: 'hashlimit-rate-match', arg: false, invert: false },
    { name: 'hashlimit-rate-interval', arg: true, invert: false },
  ],
  init: () => ({
    name: '', above: false, bytes: false, avg: 0, burst: 5, mode: 0, size: 0, max: 0, gcInterval: GC_INTERVAL,
    expire: 0, srcmask: 32, dstmask: 32, rateMatch: false, interval: 0, mult: 1, given: [],
  }),
  parse(o, call, sink) {
    const n = call.name === 'hashlimit' ? 'hashlimit-upto' : call.name;
    if (o.given.includes(n)) {
      sink.error(`hashlimit: option "--${call.name}" can only be used once.`, call.span);
      return;
    }
    if ((n === 'hashlimit-upto' && o.given.includes('hashlimit-above')) || (n === 'hashlimit-above' && o.given.includes('hashlimit-upto'))) {
      sink.error('hashlimit: "--hashlimit-upto" and "--hashlimit-above" cannot be used together.', call.span);
      return;
    }
    o.given.push(n);
    switch (n) {
      case 'hashlimit-upto':
      case 'hashlimit-above': {
        o.above = (n === 'hashlimit-above') !== call.invert;
        const b = parseBytes(call.arg, call, sink);
        if (b === 'error') return;
        if (b !== null) {
          o.bytes = true;
          o.avg = b;
          o.mult = BYTE_EXPIRE;
          return;
        }
        const r = parseRate(call.arg);
        if (r === 'too-fast') sink.error(`Rate too fast "${call.arg}"`, call.argSpan);
        else if (r === null) bad({ ...call, name: n }, sink);
        else {
          o.avg = r.avg;
          o.mult = r.mult;
        }
        return;
      }
      case 'hashlimit-burst': {
        // xtables_strtoul with an end pointer: a k/m suffix multiplies, anything else after the digits is ignored
        let end = 0;
        while (end < call.arg.length && /[0-9a-fA-Fx]/.test(call.arg[end]!)) end++;
        let digits = call.arg.slice(0, end);
        if (!/^0x/i.test(digits)) digits = digits.replace(/[a-fA-F].*$/, '');
        const v = parseUInt(digits);
        const rest = call.arg.slice(digits.length);
        if (v === null || v < 1 || (rest === '' && v > BURST_MAX)) {
          sink.error(`hashlimit: bad value for option "--hashlimit-burst", or out of range (1-${BURST_MAX}).`, call.argSpan);
          return;
        }
        o.burst = v * factor(rest[0]);
        return;
      }
      case 'hashlimit-srcmask':
      case 'hashlimit-dstmask': {
        const v = parseUInt(call.arg, false);
        if (v === null || v > 32) {
          sink.error(`hashlimit: bad value for option "--${n}", or out of range (0-32).`, call.argSpan);
          return;
        }
        if (n === 'hashlimit-srcmask') o.srcmask = v;
        else o.dstmask = v;
        return;
      }
      case 'hashlimit-htable-size':
      case 'hashlimit-htable-max':
      case 'hashlimit-htable-gcinterval':
      case 'hashlimit-htable-expire': {
        const v = u32(call, sink);
        if (v === null) return;
        if (n === 'hashlimit-htable-size') o.size = v;
        else if (n === 'hashlimit-htable-max') o.max = v;
        else if (n === 'hashlimit-htable-gcinterval') o.gcInterval = v;
        else o.expire = v;
        return;
      }
      case 'hashlimit-mode': {
        let mode = 0;
        for (const tok of call.arg.split(/[,|]/)) {
          if (tok === '') continue;
          const bit = tok === 'dstip' ? HASH_DIP : tok === 'srcip' ? HASH_SIP : tok === 'srcport' ? HASH_SPT : tok === 'dstport' ? HASH_DPT : 0;
          if (!bit) {
            bad(call, sink);
            return;
          }
          mode |= bit;
        }
        o.mode |= mode;
        return;
      }
      case 'hashlimit-name':
        if (call.arg.length === 0 || call.arg.length > 254) {
          sink.error('hashlimit: option "--hashlimit-name" must be between 1 and 254 characters', call.argSpan);
          return;
        }
        o.name = call.arg;
        return;
      case 'hashlimit-rate-match':
        o.rateMatch = true;
        return;
      case 'hashlimit-rate-interval': {
        const v = leadingInt(call.arg);
        if (v <= 0) bad(call, sink);
        else o.interval = v;
      }
    }
  },
  final(o, sink) {
    const given = o.given;
    o.given = [];
    if (!given.includes('hashlimit-upto') && !given.includes('hashlimit-above')) {
      sink.error('You have to specify --hashlimit');
      return;
    }
    if (o.name === '') {
      sink.error('hashlimit: option "--hashlimit-name" must be specified');
      return;
    }
    if (!given.includes('hashlimit-htable-expire')) o.expire = o.mult * 1000;
    if (o.bytes) {
      let burst = 0;
      if (given.includes('hashlimit-burst')) {
        const unit = costToBytes(o.avg);
        if (o.burst < unit) {
          sink.error(`burst cannot be smaller than ${unit}b`);
          return;
        }
        burst = Math.floor(o.burst / unit) + (o.burst % unit ? 1 : 0);
        if (!given.includes('hashlimit-htable-expire')) o.expire = BYTE_EXPIRE_BURST * 1000;
      }
      o.burst = burst;
    } else if (o.burst > BURST_MAX) {
      sink.error(`bad value for option "--hashlimit-burst", or out of range (1-${BURST_MAX}).`);
      return;
    }
    if (o.rateMatch) {
      if (!o.bytes) o.avg = Math.floor(o.avg / o.mult);
      if (o.interval === 0) o.interval = o.bytes ? 1 : o.mult;
    }
    o.mult = 1;
  },
  save: hashlimitSave,
  match(o, p, ctx, rule) {
    const { e } = lookup(o, p, ctx, rule);
    return charge(o, e, p);
  },
  explain(o, p, ctx, rule) {
    // explain must not charge the bucket: look at a copy
    const { e } = lookup(o, p, ctx, rule);
    const ok = charge(o, { ...e }, p);
    const flow = flowKey(o, p).split('|');
    const left = o.rateMatch ? `${e.current} in this interval` : o.bytes ? `${e.credit} byte credits` : `${e.cost > 0n ? e.credit / e.cost : 0n} packet(s) of burst left`;
    return [{ ok, why: `${hashlimitSave(o).split(' --hashlimit-name')[0]}: flow ${flow.join('/')} has ${left} (table per rule)` }];
  },
};
