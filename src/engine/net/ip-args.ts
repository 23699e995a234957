// pattern: Functional Core
// What every `ip OBJECT` parser shares, as iproute2's lib/utils.c and ip.c
// provide it: the word cursor with NEXT_ARG's "Command line is not
// complete", matches() for unique-prefix keywords, get_u32, get_prefix and
// get_addr with their error texts, check_ifname, and the fields every
// parsed command carries.

import type { Diagnostic, Span } from '../text/diagnostics';
import type { Word } from '../text/shlex';
import { GETOPT, OptionScanner } from '../text/option-scanner';
import type { Ipv4, Prefix } from './addr';
import { maskLength, parseIpv4 } from './addr';
import type { PortRange } from './config';

export const SOURCE = 'ip';

export interface IpBase {
  span: Span;
  /** `-4` was given (error texts then say "inet" instead of "any valid") */
  inet: boolean;
  verbSpan: Span;
}

export interface WordRef extends Span {
  text: string;
}

export type BaseFields = Pick<IpBase, 'span' | 'inet' | 'verbSpan'>;

/** iproute2's matches(): `word` is a prefix of `full` (the empty word matches anything). */
export function matches(word: string, full: string): boolean {
  return full.startsWith(word);
}

const HEX_U32 = /^0[xX][0-9a-fA-F]+$/;
const OCTAL_U32 = /^0[0-7]+$/;
const DECIMAL_U32 = /^\d+$/;

/** get_u32 with base 0: decimal, 0x hex or leading-0 octal. */
export function parseU32(word: string): number | null {
  let n: number;
  if (HEX_U32.test(word)) n = parseInt(word.slice(2), 16);
  else if (OCTAL_U32.test(word)) n = parseInt(word.slice(1), 8);
  else if (DECIMAL_U32.test(word)) n = Number(word);
  else return null;
  return n <= 0xffffffff ? n : null;
}

export const MAC = /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/;

export function normaliseMac(text: string): string {
  return text
    .split(':')
    .map((p) => p.toLowerCase().padStart(2, '0'))
    .join(':');
}

/** get_prefix_1 for IPv4: ADDR[/LEN], LEN may be a dotted mask; default/all/any is 0/0. */
export function parsePrefix(word: string): Prefix | null {
  if (word === 'default' || word === 'all' || word === 'any') return { addr: 0, len: 0 };
  const slash = word.indexOf('/');
  const a = parseIpv4Loose(slash < 0 ? word : word.slice(0, slash));
  if (a === null) return null;
  if (slash < 0) return { addr: a, len: 32 };
  const lenText = word.slice(slash + 1);
  if (/^\d{1,2}$/.test(lenText)) {
    const len = Number(lenText);
    return len <= 32 ? { addr: a, len } : null;
  }
  const m = parseIpv4(lenText);
  if (m === null) return null;
  const len = maskLength(m);
  return len < 0 ? null : { addr: a, len };
}

/** inet_pton plus iproute2's short forms ("10" is 10.0.0.0, "10.1" is 10.1.0.0) */
export function parseIpv4Loose(text: string): Ipv4 | null {
  const full = parseIpv4(text);
  if (full !== null) return full;
  if (!/^\d{1,3}(\.\d{1,3}){0,2}$/.test(text)) return null;
  const parts = text.split('.').map(Number);
  if (parts.some((p) => p > 255)) return null;
  while (parts.length < 4) parts.push(0);
  return parseIpv4(parts.join('.'));
}

export function parsePortRange(word: string): PortRange | null {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(word);
  if (!m) return null;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535) return null;
  return { start, end };
}

/**
 * The words of one `ip` command, read with the engine's option scanner:
 * ip's keywords are words of their own, and those that take an argument
 * take it the way NEXT_ARG does, reporting its absence at the keyword.
 */
export class Cursor extends OptionScanner {
  constructor(words: readonly Word[], diagnostics: Diagnostic[]) {
    super(words, 0, SOURCE, GETOPT, diagnostics);
  }
  /** NEXT_ARG(): the argument a keyword needs */
  arg(keyword: Word, expected: string): Word | null {
    return this.argument(null) ?? this.missingArgument(keyword, 'Command line is not complete. Try option "help"', 'ip/incomplete', expected);
  }
  invarg(w: Word, what: string): void {
    this.fail(w, `Error: argument "${w.text}" is wrong: ${what}`, 'ip/invalid-argument');
  }
  duparg(keyword: string, w: Word): void {
    this.fail(w, `Error: either "${keyword}" is duplicate, or "${w.text}" is a garbage.`, 'ip/duplicate-argument');
  }
}

export function ref(w: Word): WordRef {
  return { text: w.text, from: w.from, to: w.to };
}

export function familyName(inet: boolean): string {
  return inet ? 'inet' : 'any valid';
}

export function prefixArg(c: Cursor, w: Word, inet: boolean): Prefix | null {
  const p = parsePrefix(w.text);
  if (p === null) c.fail(w, `Error: ${familyName(inet)} prefix is expected rather than "${w.text}".`, 'ip/invalid-prefix', 'an IPv4 prefix');
  return p;
}

export function addrArg(c: Cursor, w: Word, inet: boolean): Ipv4 | null {
  const a = parseIpv4Loose(w.text);
  if (a === null) c.fail(w, `Error: ${familyName(inet)} address is expected rather than "${w.text}".`, 'ip/invalid-address', 'an IPv4 address');
  return a;
}

/** IFNAMSIZ: 16 bytes with the terminating NUL, so a name has at most 15 (UTF-8) bytes. */
export const IFNAMSIZ = 16;

export function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

/** iproute2's check_ifname: not empty, shorter than IFNAMSIZ, no '/' and no white space. */
export function validIfname(name: string): boolean {
  return name !== '' && utf8Length(name) < IFNAMSIZ && !/[/\s]/.test(name);
}

/** An answer of the kernel (or of iproute2 after asking it) about an applied command. */
export function kernelError(span: Span, message: string, code: string): Diagnostic {
  return { from: span.from, to: span.to, severity: 'error', message, source: SOURCE, code };
}

export function noDevice(w: WordRef): Diagnostic {
  return kernelError(w, `Cannot find device "${w.text}"`, 'ip/no-device');
}
