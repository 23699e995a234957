// pattern: Functional Core
// How iptables-restore 1.8.9 cuts a rule line into arguments
// (iptables/xshared.c add_param_to_argv, tokenize_rule_counters, add_argv).
// It is not a shell: only double quotes group, a backslash escapes the next
// character only inside double quotes (outside it is an ordinary character),
// single quotes are ordinary characters, a closing quote ends the argument
// (`ab"cd"ef` is `abcd` then `ef`), and only space, tab and newline separate
// arguments (a carriage return is part of the word). An unterminated quote
// runs to the end of the buffer, newline included. Each argument is limited
// to 1023 bytes and a line to 254 arguments counting the three iptables-restore
// adds in front (program name, -t, table).

import type { Span } from '../text/diagnostics';
import type { Word } from '../text/shlex';

/** xshared.h MAX_ARGC: add_argv fails once argc + 1 reaches it. */
export const MAX_ARGC = 255;
/** struct xt_param_buf: one argument is at most 1023 bytes. */
export const PARAM_MAX_BYTES = 1023;
/** iptables-restore reads with fgets(buffer, 10240): longer lines arrive in pieces. */
export const LINE_MAX_BYTES = 10239;

export type ArgsResult = { words: Word[]; error: null } | { words: Word[]; error: { message: string; span: Span } };

/** UTF-8 length of the character at text[i] (a surrogate pair counts 4 on its high half, 0 on its low). */
export function utf8Len(c: number): number {
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c >= 0xd800 && c <= 0xdbff) return 4;
  if (c >= 0xdc00 && c <= 0xdfff) return 0;
  return 3;
}

/**
 * Splits `buf` (one fgets buffer: a line with its newline, or without one at
 * the end of the input) into arguments. `base` is the offset of buf in the
 * whole text; `argc0` how many arguments iptables-restore has already put in
 * front (3, or 6 with `--counters` and a `[p:b]` prefix).
 */
export function restoreArgs(buf: string, base: number, argc0: number): ArgsResult {
  if (buf.indexOf('"') < 0) return plainArgs(buf, base, argc0);
  const words: Word[] = [];
  const n = buf.length;
  let quoteOpen = false;
  let escaped = false;
  let quoted = false;
  let text = '';
  let bytes = 0;
  let start = -1;
  let argc = argc0;
  const push = (end: number, q: boolean): ArgsResult | null => {
    if (argc + 1 >= MAX_ARGC) return { words, error: { message: 'Parser cannot handle more arguments', span: { from: base + start, to: base + end } } };
    words.push({ text, from: base + start, to: base + end, quoted: q });
    argc++;
    text = '';
    bytes = 0;
    start = -1;
    return null;
  };
  const add = (i: number): ArgsResult | null => {
    if (start < 0) start = i;
    text += buf[i]!;
    bytes += utf8Len(buf.charCodeAt(i));
    if (bytes > PARAM_MAX_BYTES) return { words, error: { message: 'Parameter too long!', span: { from: base + start, to: base + i + 1 } } };
    return null;
  };
  for (let i = 0; i < n; i++) {
    const c = buf.charCodeAt(i);
    if (quoteOpen) {
      if (escaped) {
        escaped = false;
        const e = add(i);
        if (e) return e;
        continue;
      }
      if (c === 92 /* \ */) {
        escaped = true;
        continue;
      }
      if (c !== 34 /* " */) {
        const e = add(i);
        if (e) return e;
        continue;
      }
      quoteOpen = false;
    } else if (c === 34) {
      if (start < 0) start = i;
      quoteOpen = true;
      quoted = true;
      continue;
    }
    // a closing quote ends the argument, even an empty one (`""`)
    if (c === 34) {
      if (start < 0) start = i;
      const e = push(i + 1, quoted);
      if (e) return e;
      quoted = false;
      continue;
    }
    if (c === 32 || c === 9 || c === 10) {
      if (text.length === 0) continue;
      const e = push(i, quoted);
      if (e) return e;
      quoted = false;
      continue;
    }
    const e = add(i);
    if (e) return e;
  }
  // the last argument of a buffer without a newline (or inside an unterminated quote) is stored unquoted
  if (text.length > 0) {
    const e = push(n, false);
    if (e) return e;
  }
  return { words, error: null };
}

/** restoreArgs for a buffer without `"`: no quoting, no escapes (the 50,000-rule load path). */
function plainArgs(buf: string, base: number, argc0: number): ArgsResult {
  const words: Word[] = [];
  const n = buf.length;
  let argc = argc0;
  let i = 0;
  while (i < n) {
    let c = buf.charCodeAt(i);
    while (i < n && (c === 32 || c === 9 || c === 10)) c = buf.charCodeAt(++i);
    if (i >= n) break;
    const s = i;
    while (i < n && c !== 32 && c !== 9 && c !== 10) c = buf.charCodeAt(++i);
    if (i - s > PARAM_MAX_BYTES / 3) {
      let bytes = 0;
      for (let j = s; j < i; j++) {
        bytes += utf8Len(buf.charCodeAt(j));
        if (bytes > PARAM_MAX_BYTES) return { words, error: { message: 'Parameter too long!', span: { from: base + s, to: base + j + 1 } } };
      }
    }
    if (argc + 1 >= MAX_ARGC) return { words, error: { message: 'Parser cannot handle more arguments', span: { from: base + s, to: base + i } } };
    words.push({ text: buf.slice(s, i), from: base + s, to: base + i, quoted: false });
    argc++;
  }
  return { words, error: null };
}

/**
 * tokenize_rule_counters: a line starting with `[` carries `[packets:bytes]`.
 * Returns the two strtok tokens and where the rule starts (after the first
 * `]`), or the error iptables-restore prints.
 */
export function ruleCounters(buf: string): { pcnt: string; bcnt: string; rest: number } | { error: string } | null {
  if (buf.charCodeAt(0) !== 91 /* [ */) return null;
  const close = buf.indexOf(']');
  if (close < 0) return { error: 'need ]' };
  // strtok(buffer+1, ":") then strtok(NULL, "]") over the whole remaining buffer
  const a = strtok(buf, 1, ':');
  if (!a) return { error: 'need :' };
  const b = strtok(buf, a.next, ']');
  if (!b) return { error: 'need ]' };
  return { pcnt: a.token, bcnt: b.token, rest: close + 1 };
}

/**
 * strtok(3) over buf from `from` with one-character-set `delims`: skips
 * leading delimiters, returns the token and where the next call starts.
 */
export function strtok(buf: string, from: number, delims: string): { token: string; start: number; next: number } | null {
  let i = from;
  const n = buf.length;
  while (i < n && delims.includes(buf[i]!)) i++;
  if (i >= n) return null;
  const start = i;
  while (i < n && !delims.includes(buf[i]!)) i++;
  return { token: buf.slice(start, i), start, next: i < n ? i + 1 : n };
}

/** sscanf("%llu"): leading white space, digits; null when there are none. */
export function scanUnsigned(text: string): number | null {
  let i = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r' || text[i] === '\v' || text[i] === '\f')) i++;
  if (text[i] === '+') i++;
  const s = i;
  let v = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    i++;
  }
  return i === s ? null : v;
}
