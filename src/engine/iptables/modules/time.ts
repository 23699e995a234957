// pattern: Functional Core
// -m time (libxt_time, kernel xt_time.c) and -m quota (libxt_quota,
// xt_quota.c): matches that depend on the clock or on what passed before.
//
// The wall clock: the engine does not know the date the kernel runs at, so
// it states one. A run starts (nowMs 0) at WALL_CLOCK_START, Sunday
// 2025-11-30 00:00:00 UTC, the day Linux 6.18 (the oracle's kernel) was
// released: no machine runs that kernel earlier, so a condition that holds
// at every instant from then on (a --datestart before it, all weekdays, the
// whole day) evaluates on the engine as on any kernel. Conditions whose
// answer changes with the date or the time of day are evaluated against
// this clock and named by timeDependsOnClock(), which the not-modelled
// registry reports. The simulated kernel's timezone is UTC, so --kerneltz
// changes nothing.

import type { ClauseResult, MatchContext, Rule } from '../types';
import { ipTotalLength } from './header';
import type { ErrorSink, MatchSpec, OptionCall } from './module';
import { parseUInt } from './module';

const not = (invert: boolean): string => (invert ? '! ' : '');

// ---------------------------------------------------------------- time

export const XT_TIME_ALL_MONTHDAYS = 0xfffffffe;
export const XT_TIME_ALL_WEEKDAYS = 0xfe;
const XT_TIME_MAX_DAYTIME = 24 * 60 * 60 - 1;
/** the kernel struct keeps dates in 32 bits; INT_MAX is "no end" */
const DATE_STOP_DEFAULT = 0x7fffffff;

export interface TimeOptions {
  /** seconds since the epoch, UTC */
  dateStart: number;
  dateStop: number;
  /** seconds since midnight */
  daytimeStart: number;
  daytimeStop: number;
  /** bit n: day n of the month (1..31) */
  monthdays: number;
  /** bit n: weekday n, 1 Monday .. 7 Sunday */
  weekdays: number;
  kerneltz: boolean;
  contiguous: boolean;
}

/** The simulated wall clock at nowMs 0, in seconds since the epoch (see the header). */
export const WALL_CLOCK_START = Math.floor(Date.UTC(2025, 10, 30) / 1000);

const WEEK_DAYS = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function dateError(call: OptionCall, sink: ErrorSink): null {
  sink.error(`Invalid date "${call.arg}" specified. Should be YYYY[-MM[-DD[Thh[:mm[:ss]]]]]`, call.argSpan);
  return null;
}

/** time_parse_date: YYYY[-MM[-DD[Thh[:mm[:ss]]]]], read as UTC. */
function parseDate(call: OptionCall, sink: ErrorSink): number | null {
  const t = call.arg;
  const seps = ['-', '-', 'T', ':', ':', ''];
  const limits = [[1970, 2038], [0, 12], [0, 31], [0, 23], [0, 59], [0, 59]];
  const v = [1970, 1, 1, 0, 0, 0];
  let pos = 0;
  for (let i = 0; i < 6; i++) {
    let end = pos;
    while (end < t.length && t.charCodeAt(end) >= 48 && t.charCodeAt(end) <= 57) end++;
    const n = end === pos ? 0 : Number(t.slice(pos, end));
    const lim = limits[i]!;
    const atEnd = end === t.length;
    if ((!atEnd && t[end] !== seps[i]) || n < lim[0]! || n > lim[1]!) return dateError(call, sink);
    v[i] = n;
    if (atEnd) break;
    pos = end + 1;
    if (i === 5) return dateError(call, sink);
  }
  // mktime normalises month 0 / day 0 the same way Date.UTC does
  return Math.floor(Date.UTC(v[0]!, v[1]! - 1, v[2]!, v[3]!, v[4]!, v[5]!) / 1000);
}

/** time_parse_minutes: hh:mm[:ss]. */
function parseDaytime(call: OptionCall, sink: ErrorSink): number | null {
  const parts = call.arg.split(':');
  const ok = parts.length >= 2 && parts.length <= 3 && parts.every((x) => /^\d+$/.test(x));
  const [h, m, s] = parts.map(Number) as [number, number, number | undefined];
  if (!ok || h > 23 || m > 59 || (s ?? 0) > 59) {
    sink.error(`invalid time "${call.arg}" specified, should be hh:mm[:ss] format and within the boundaries`, call.argSpan);
    return null;
  }
  return h * 3600 + m * 60 + (s ?? 0);
}

function parseMonthdays(call: OptionCall, sink: ErrorSink): number | null {
  let mask = 0;
  for (const d of call.arg.split(',')) {
    const n = parseUInt(d.slice(0, 2));
    if (n === null || n > 31 || d.length > 2) {
      sink.error(`${d} is not a valid day for --monthdays`, call.argSpan);
      return null;
    }
    mask |= 1 << n;
  }
  return mask >>> 0;
}

function parseWeekdays(call: OptionCall, sink: ErrorSink): number | null {
  let mask = 0;
  for (const raw of call.arg.split(',')) {
    // libxt_time copies each item into a 4-byte buffer: only 3 characters count
    const d = raw.slice(0, 3);
    const n = parseUInt(d);
    if (n !== null) {
      if (n === 0) {
        sink.error('No, the week does NOT begin with Sunday.', call.argSpan);
        return null;
      }
      if (n > 7) {
        sink.error(`${d} is not a valid day specifier`, call.argSpan);
        return null;
      }
      mask |= 1 << n;
      continue;
    }
    let found = false;
    for (let i = 1; i <= 7; i++) {
      if (d.length >= 2 && WEEK_DAYS[i]!.startsWith(d.slice(0, 2))) {
        mask |= 1 << i;
        found = true;
      }
    }
    if (!found) {
      sink.error(`${d} is not a valid day specifier`, call.argSpan);
      return null;
    }
  }
  return mask;
}

const two = (n: number): string => String(n).padStart(2, '0');

function daytimeText(sec: number): string {
  return `${two(Math.floor(sec / 3600))}:${two(Math.floor(sec / 60) % 60)}:${two(sec % 60)}`;
}

function dateText(sec: number): string {
  const d = new Date(sec * 1000);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

function timeSave(o: TimeOptions): string {
  const out: string[] = [];
  if (o.daytimeStart !== 0 || o.daytimeStop !== XT_TIME_MAX_DAYTIME)
    out.push(`--timestart ${daytimeText(o.daytimeStart)} --timestop ${daytimeText(o.daytimeStop)}`);
  if (o.monthdays !== XT_TIME_ALL_MONTHDAYS) {
    const days: number[] = [];
    for (let i = 1; i <= 31; i++) if (o.monthdays & (1 << i)) days.push(i);
    out.push(`--monthdays ${days.join(',')}`);
  }
  if (o.weekdays !== XT_TIME_ALL_WEEKDAYS) {
    const days: string[] = [];
    for (let i = 1; i <= 7; i++) if (o.weekdays & (1 << i)) days.push(WEEK_DAYS[i]!);
    out.push(`--weekdays ${days.join(',')}`);
  }
  // time_print_date skips 0 and LONG_MAX only: on 64-bit the INT_MAX default end date is printed
  if (o.dateStart !== 0) out.push(`--datestart ${dateText(o.dateStart)}`);
  if (o.dateStop !== 0) out.push(`--datestop ${dateText(o.dateStop)}`);
  if (o.kerneltz) out.push('--kerneltz');
  if (o.contiguous) out.push('--contiguous');
  return out.join(' ');
}

/**
 * Whether the match's answer depends on when it runs, from WALL_CLOCK_START
 * up to the end of the kernel's 32-bit dates: a date window that neither
 * covers nor misses that whole span, a time of day that is not the whole
 * day, or a choice of weekdays or days of the month. null when the answer is
 * the same at every such instant, else why not.
 */
export function timeDependsOnClock(o: TimeOptions): string | null {
  const from = WALL_CLOCK_START;
  const to = DATE_STOP_DEFAULT;
  const coversAll = o.dateStart <= from && o.dateStop >= to;
  const missesAll = o.dateStop < from || o.dateStart > to || o.dateStart > o.dateStop;
  // outside the dates the match fails whatever the rest says (time_mt checks them first)
  if (missesAll) return null;
  if (!coversAll) return `the date window ${dateText(o.dateStart)} .. ${dateText(o.dateStop)} opens or closes after ${dateText(from)}`;
  // time_mt: start < stop is a window inside the day, otherwise one across midnight that misses only (stop, start)
  const wholeDay = o.daytimeStart < o.daytimeStop ? o.daytimeStart === 0 && o.daytimeStop >= XT_TIME_MAX_DAYTIME : o.daytimeStart - o.daytimeStop <= 1;
  if (!wholeDay) return `the time of day ${daytimeText(o.daytimeStart)}-${daytimeText(o.daytimeStop)} depends on the clock`;
  if (o.weekdays !== XT_TIME_ALL_WEEKDAYS) return 'the weekdays depend on the date';
  if (o.monthdays !== XT_TIME_ALL_MONTHDAYS) return 'the days of the month depend on the date';
  return null;
}

function timeClauses(o: TimeOptions, nowMs: number): ClauseResult[] {
  let stamp = WALL_CLOCK_START + Math.floor(nowMs / 1000);
  const out: ClauseResult[] = [];
  const now = dateText(stamp);
  if (stamp < o.dateStart || stamp > o.dateStop) {
    out.push({ ok: false, why: `now (${now} UTC) is outside ${dateText(o.dateStart)} .. ${dateText(o.dateStop)}` });
    return out;
  }
  const daytime = ((stamp % 86400) + 86400) % 86400;
  if (o.daytimeStart < o.daytimeStop) {
    if (daytime < o.daytimeStart || daytime > o.daytimeStop) {
      out.push({ ok: false, why: `time of day ${daytimeText(daytime)} is outside ${daytimeText(o.daytimeStart)}-${daytimeText(o.daytimeStop)}` });
      return out;
    }
  } else {
    if (daytime < o.daytimeStart && daytime > o.daytimeStop) {
      out.push({ ok: false, why: `time of day ${daytimeText(daytime)} is outside ${daytimeText(o.daytimeStart)}-${daytimeText(o.daytimeStop)} (across midnight)` });
      return out;
    }
    // --contiguous: the small hours belong to the previous day's period
    if (o.contiguous && daytime <= o.daytimeStop) stamp -= 86400;
  }
  const days = Math.floor(stamp / 86400);
  const weekday = ((((days + 3) % 7) + 7) % 7) + 1;
  if (!(o.weekdays & (1 << weekday))) {
    out.push({ ok: false, why: `${WEEK_DAYS[weekday]} is not one of the --weekdays` });
    return out;
  }
  if (o.monthdays !== XT_TIME_ALL_MONTHDAYS) {
    const mday = new Date(stamp * 1000).getUTCDate();
    if (!(o.monthdays & (1 << mday))) {
      out.push({ ok: false, why: `day ${mday} of the month is not one of the --monthdays` });
      return out;
    }
  }
  out.push({ ok: true, why: `now (${now} UTC, the simulated clock that starts at ${dateText(WALL_CLOCK_START)}) is within the time window` });
  return out;
}

export const time: MatchSpec<TimeOptions & { seen: string[] }> = {
  name: 'time',
  options: [
    { name: 'datestart', arg: true, invert: false },
    { name: 'datestop', arg: true, invert: false },
    { name: 'timestart', arg: true, invert: false },
    { name: 'timestop', arg: true, invert: false },
    { name: 'contiguous', arg: false, invert: false },
    { name: 'weekdays', arg: true },
    { name: 'monthdays', arg: true },
    { name: 'localtz', arg: false, invert: false },
    { name: 'utc', arg: false, invert: false },
    { name: 'kerneltz', arg: false, invert: false },
  ],
  init: () => ({
    dateStart: 0, dateStop: DATE_STOP_DEFAULT, daytimeStart: 0, daytimeStop: XT_TIME_MAX_DAYTIME,
    monthdays: XT_TIME_ALL_MONTHDAYS, weekdays: XT_TIME_ALL_WEEKDAYS, kerneltz: false, contiguous: false, seen: [],
  }),
  parse(o, call, sink) {
    const n = call.name;
    if (o.seen.includes(n)) {
      sink.error(`time: option "--${n}" can only be used once.`, call.span);
      return;
    }
    if ((n === 'utc' && (o.seen.includes('localtz') || o.seen.includes('kerneltz'))) || ((n === 'localtz' || n === 'kerneltz') && o.seen.includes('utc'))) {
      sink.error(`time: "--${n}" cannot be used together with "--utc".`, call.span);
      return;
    }
    o.seen.push(n);
    switch (n) {
      case 'datestart':
      case 'datestop': {
        const v = parseDate(call, sink);
        if (v !== null) o[n === 'datestart' ? 'dateStart' : 'dateStop'] = v;
        return;
      }
      case 'timestart':
      case 'timestop': {
        const v = parseDaytime(call, sink);
        if (v !== null) o[n === 'timestart' ? 'daytimeStart' : 'daytimeStop'] = v;
        return;
      }
      case 'monthdays': {
        const v = parseMonthdays(call, sink);
        if (v !== null) o.monthdays = call.invert ? (v ^ XT_TIME_ALL_MONTHDAYS) >>> 0 : v;
        return;
      }
      case 'weekdays': {
        const v = parseWeekdays(call, sink);
        if (v !== null) o.weekdays = call.invert ? v ^ XT_TIME_ALL_WEEKDAYS : v;
        return;
      }
      case 'contiguous':
        o.contiguous = true;
        return;
      case 'localtz':
      case 'kerneltz':
        o.kerneltz = true;
    }
  },
  final(o, sink) {
    // the order options came in is parse-time bookkeeping, not part of the rule (-D compares options)
    o.seen = [];
    if (o.contiguous && o.daytimeStart < o.daytimeStop) sink.error('time: --contiguous only makes sense when stoptime is smaller than starttime');
  },
  save: timeSave,
  match: (o, _p, ctx) => timeClauses(o, ctx.nowMs)[0]!.ok,
  explain: (o, _p, ctx) => timeClauses(o, ctx.nowMs),
};

// ---------------------------------------------------------------- quota

export interface QuotaOptions {
  /** bytes, a decimal u64 string (options must survive JSON) */
  quota: string;
  invert: boolean;
  set: boolean;
}

interface QuotaState {
  left: number;
}

function quotaState(o: QuotaOptions, ctx: MatchContext, rule: Rule): QuotaState {
  return ctx.ruleState(rule, 'quota', () => ({ left: Number(o.quota) }));
}

export const quota: MatchSpec<QuotaOptions> = {
  name: 'quota',
  options: [{ name: 'quota', arg: true }],
  init: () => ({ quota: '0', invert: false, set: false }),
  parse(o, call, sink) {
    if (!/^\d+$/.test(call.arg) || BigInt(call.arg) > 0xffffffffffffffffn) {
      sink.error('quota: bad value for option "--quota", or out of range (0-18446744073709551615).', call.argSpan);
      return;
    }
    Object.assign(o, { quota: BigInt(call.arg).toString(), invert: call.invert, set: true });
  },
  final(o, sink) {
    if (!o.set) sink.error('quota: option "--quota" must be specified');
  },
  save: (o) => `${not(o.invert)}--quota ${o.quota}`,
  match(o, p, ctx, rule) {
    // xt_quota: the packet's length is charged while the quota lasts; once short, it stays exhausted
    const s = quotaState(o, ctx, rule);
    const len = ipTotalLength(p);
    if (s.left >= len) {
      s.left -= len;
      return !o.invert;
    }
    s.left = 0;
    return o.invert;
  },
  explain(o, p, ctx, rule) {
    const s = quotaState(o, ctx, rule);
    const len = ipTotalLength(p);
    const ok = (s.left >= len) !== o.invert;
    return [{ ok, why: `${not(o.invert)}--quota ${o.quota}: ${s.left} byte(s) left, packet is ${len}` }];
  },
};
