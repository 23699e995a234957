// pattern: Functional Core
// -m u32 (libxt_u32, kernel xt_u32.c): up to 10 tests joined by &&, each a
// location (start, then &mask, <<n, >>n, @pointer) compared with up to 10
// values or ranges. Evaluated on the rebuilt skb bytes (IP header first).

import type { MatchSpec } from './module';
import { packetBytes } from './bytes';

export type U32Op = '&' | '<<' | '>>' | '@';

export interface U32Test {
  /** location[0].number, then (op, number) pairs */
  start: number;
  ops: { op: U32Op; num: number }[];
  values: [number, number][];
}

export interface U32Options {
  tests: U32Test[];
  invert: boolean;
  set: boolean;
}

const MAXSIZE = 10;

function h(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** strtoul(base 0) on a slice; returns [value, next index] or null. */
function readNumber(s: string, i: number): [number, number] | null {
  let j = i;
  while (j < s.length && (s[j] === ' ' || s[j] === '\t')) j++;
  let base = 10;
  if (s[j] === '0' && (s[j + 1] === 'x' || s[j + 1] === 'X')) {
    base = 16;
    j += 2;
  } else if (s[j] === '0') base = 8;
  const start = j;
  let v = 0;
  for (; j < s.length; j++) {
    const d = parseInt(s[j]!, base);
    if (Number.isNaN(d)) break;
    v = v * base + d;
  }
  if (j === start && base !== 8) return null;
  if (v > 0xffffffff) return null;
  while (j < s.length && (s[j] === ' ' || s[j] === '\t')) j++;
  return [v >>> 0, j];
}

/** Parses the u32 grammar; returns an error text on failure. */
export function parseU32(text: string): U32Test[] | string {
  const tests: U32Test[] = [];
  let i = 0;
  for (let guard = 0; guard < MAXSIZE + 1; guard++) {
    if (tests.length >= MAXSIZE) return `u32: too many "&&"s in argument ${tests.length}`;
    const first = readNumber(text, i);
    if (!first) return `u32: at char ${i}: expected number`;
    const t: U32Test = { start: first[0], ops: [], values: [] };
    i = first[1];
    for (let g = 0; g <= MAXSIZE; g++) {
      const c = text[i];
      let op: U32Op | null = null;
      if (c === '&' && text[i + 1] !== '&') op = '&';
      else if (c === '<' && text[i + 1] === '<') op = '<<';
      else if (c === '>' && text[i + 1] === '>') op = '>>';
      else if (c === '@') op = '@';
      if (!op) break;
      if (t.ops.length + 1 >= MAXSIZE) return `u32: at char ${i}: too many operators`;
      i += op.length;
      const n = readNumber(text, i);
      if (!n) return `u32: at char ${i}: expected number`;
      t.ops.push({ op, num: n[0] });
      i = n[1];
    }
    if (text[i] !== '=') return `u32: at char ${i}: expected "="`;
    i++;
    for (let g = 0; g <= MAXSIZE; g++) {
      if (t.values.length >= MAXSIZE) return `u32: at char ${i}: too many values`;
      const a = readNumber(text, i);
      if (!a) return `u32: at char ${i}: expected number`;
      i = a[1];
      let b = a[0];
      if (text[i] === ':') {
        const r = readNumber(text, i + 1);
        if (!r) return `u32: at char ${i + 1}: expected number`;
        b = r[0];
        i = r[1];
      }
      t.values.push([a[0], b]);
      if (text[i] !== ',') break;
      i++;
    }
    tests.push(t);
    if (i >= text.length) return tests;
    if (text[i] === '&' && text[i + 1] === '&') {
      i += 2;
      continue;
    }
    return `u32: at char ${i}: expected "&&"`;
  }
  return 'u32: too many tests';
}

function read32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** xt_u32's u32_match_it: every test must hold. */
export function u32Holds(tests: readonly U32Test[], b: Uint8Array): boolean {
  const len = b.length;
  for (const t of tests) {
    let at = 0;
    let pos = t.start;
    if (len < 4 || pos > len - 4) return false;
    let val = read32(b, pos);
    for (const { op, num } of t.ops) {
      if (op === '&') val = (val & num) >>> 0;
      else if (op === '<<') val = num >= 32 ? 0 : (val << num) >>> 0;
      else if (op === '>>') val = num >= 32 ? 0 : val >>> num;
      else {
        if (at + val > 0xffffffff) return false;
        at += val;
        pos = num;
        if (len < at + 4 || pos > len - at - 4) return false;
        val = read32(b, at + pos);
      }
    }
    let hit = false;
    for (const [lo, hi] of t.values) {
      if (lo <= val && val <= hi) {
        hit = true;
        break;
      }
    }
    if (!hit) return false;
  }
  return true;
}

export function u32Text(tests: readonly U32Test[]): string {
  return tests
    .map((t) => h(t.start) + t.ops.map(({ op, num }) => op + h(num)).join('') + '=' + t.values.map(([a, b]) => (a === b ? h(a) : `${h(a)}:${h(b)}`)).join(','))
    .join('&&');
}

export const u32: MatchSpec<U32Options> = {
  name: 'u32',
  options: [{ name: 'u32', arg: true }],
  init: () => ({ tests: [], invert: false, set: false }),
  parse(o, call, sink) {
    const r = parseU32(call.arg);
    if (typeof r === 'string') {
      sink.error(r, call.argSpan);
      return;
    }
    o.tests = r;
    o.invert = call.invert;
    o.set = true;
  },
  final(o, sink) {
    if (!o.set) sink.error('u32: option "--u32" must be specified');
  },
  save: (o) => `${o.invert ? '! ' : ''}--u32 "${u32Text(o.tests)}"`,
  match: (o, p) => u32Holds(o.tests, packetBytes(p)) !== o.invert,
  explain(o, p) {
    const b = packetBytes(p);
    return o.tests.map((t) => {
      const ok = u32Holds([t], b);
      return { ok: ok !== o.invert, why: `${u32Text([t])} ${ok ? 'holds' : 'fails'}` };
    });
  },
};
