// pattern: Functional Core
// tc's numbers as iproute2 6.1 reads and prints them (tc/tc_util.c,
// tc/tc_core.c): rates (get_rate64, print_rate), sizes (get_size,
// print_size), times (get_time, print_time), and the psched ticks a
// token bucket's buffer travels in between tc and the kernel. The tick is
// what /proc/net/psched says on this machine (000003e8 00000040 000f4240
// 3b9aca00): 1000/64 ticks per microsecond, and the kernel's ticks are 64 ns
// (PSCHED_SHIFT 6). Going through ticks is why `burst 2000` at 256kbit
// reads back as 1999b (writes.golden.txt).

/** TIME_UNITS_PER_SEC: tc's times are microseconds */
export const USEC_PER_SEC = 1_000_000;
/** tick_in_usec from /proc/net/psched (t2us / us2t) */
const TICKS_PER_USEC = 1000 / 64;
/** PSCHED_TICKS2NS: a kernel tick is 1 << PSCHED_SHIFT nanoseconds */
const NS_PER_TICK = 64;

const RATE_UNITS: [string, number][] = [
  ['bit', 1], ['kibit', 1024], ['kbit', 1000], ['mibit', 1024 ** 2], ['mbit', 1e6], ['gibit', 1024 ** 3], ['gbit', 1e9], ['tibit', 1024 ** 4], ['tbit', 1e12],
  ['bps', 8], ['kibps', 8 * 1024], ['kbps', 8000], ['mibps', 8 * 1024 ** 2], ['mbps', 8e6], ['gibps', 8 * 1024 ** 3], ['gbps', 8e9], ['tibps', 8 * 1024 ** 4], ['tbps', 8e12],
];

const SIZE_UNITS: [string, number][] = [
  ['', 1], ['b', 1], ['kbit', 1024 / 8], ['k', 1024], ['kb', 1024], ['mbit', 1024 * 1024 / 8], ['m', 1024 * 1024], ['mb', 1024 * 1024], ['gbit', 1024 ** 3 / 8], ['g', 1024 ** 3], ['gb', 1024 ** 3],
];

const TIME_UNITS: [string, number][] = [
  ['s', USEC_PER_SEC], ['sec', USEC_PER_SEC], ['secs', USEC_PER_SEC],
  ['ms', 1000], ['msec', 1000], ['msecs', 1000],
  ['us', 1], ['usec', 1], ['usecs', 1], ['', 1],
];

const NUMBER = /^(\d+(?:\.\d*)?|\.\d+)(.*)$/;

/** get_rate64: bytes per second, or null (a bare number is bits per second, as tc 6.1 reads it) */
export function parseRate(text: string): number | null {
  const m = NUMBER.exec(text);
  if (!m) return null;
  const unit = m[2]!.toLowerCase();
  const u = unit === '' ? 1 : RATE_UNITS.find(([n]) => n === unit)?.[1];
  if (u === undefined) return null;
  const bytes = Math.floor((Number(m[1]) * u) / 8);
  return bytes > 0 ? bytes : null;
}

/** get_size: bytes, or null */
export function parseSize(text: string): number | null {
  const m = NUMBER.exec(text);
  if (!m) return null;
  const u = SIZE_UNITS.find(([n]) => n === m[2]!.toLowerCase())?.[1];
  if (u === undefined) return null;
  const n = Math.floor(Number(m[1]) * u);
  return n <= 0xffffffff ? n : null;
}

/** get_time: microseconds, or null */
export function parseTime(text: string): number | null {
  const m = NUMBER.exec(text);
  if (!m) return null;
  const u = TIME_UNITS.find(([n]) => n === m[2]!.toLowerCase())?.[1];
  return u === undefined ? null : Math.floor(Number(m[1]) * u);
}

/** C's %g with its default precision of 6 */
function g(x: number): string {
  return String(Number(x.toPrecision(6)));
}

/** print_rate: bits per second in 1000s, staying in a unit while the rate is not a whole number of the next */
export function formatRate(bytesPerSec: number): string {
  const units = ['', 'K', 'M', 'G', 'T'];
  let rate = bytesPerSec * 8;
  let i = 0;
  for (; i < units.length - 1; i++) {
    if (rate < 1000) break;
    if (rate % 1000 !== 0 && rate < 1000 * 1000) break;
    rate = Math.floor(rate / 1000);
  }
  return `${rate.toFixed(0)}${units[i]}bit`;
}

/** print_size */
export function formatSize(bytes: number): string {
  const mb = 1024 * 1024;
  if (bytes >= mb && Math.abs(mb * Math.round(bytes / mb) - bytes) < 1024) return `${g(Math.round(bytes / mb))}Mb`;
  if (bytes >= 1024 && Math.abs(1024 * Math.round(bytes / 1024) - bytes) < 16) return `${g(Math.round(bytes / 1024))}Kb`;
  return `${bytes >>> 0}b`;
}

/** print_time (microseconds) */
export function formatTime(usec: number): string {
  const t = Math.floor(usec) >>> 0;
  if (t >= USEC_PER_SEC) return `${g(t / USEC_PER_SEC)}s`;
  if (t >= 1000) return `${g(t / 1000)}ms`;
  return `${t}us`;
}

/** tc_calc_xmittime: the ticks `size` bytes take at `rate` bytes/s (truncated, as tc_core_time2tick is) */
export function xmitTicks(rate: number, size: number): number {
  return Math.floor(((USEC_PER_SEC * size) / rate) * TICKS_PER_USEC);
}

/** tc_calc_xmitsize: the bytes `ticks` carry at `rate`, as tc prints a burst back */
export function xmitSize(rate: number, ticks: number): number {
  return Math.floor((rate * (ticks / TICKS_PER_USEC)) / USEC_PER_SEC);
}

/** tc_core_tick2time */
export function ticksToUsec(ticks: number): number {
  return ticks / TICKS_PER_USEC;
}

/** PSCHED_TICKS2NS: what the kernel keeps as the bucket's depth */
export function ticksToNs(ticks: number): number {
  return ticks * NS_PER_TICK;
}

/** psched_l2t_ns: the nanoseconds `len` bytes cost at `rate` bytes/s */
export function lenToNs(rate: number, len: number): number {
  return Math.floor((len * 1e9) / rate);
}
