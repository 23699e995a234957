// pattern: Functional Core
// What `tc qdisc` and `tc class` share (tc/tc.c, tc/tc_util.c): the word
// cursor, NEXT_ARG's complaint, handles (get_qdisc_handle, get_tc_classid)
// and the options' numbers with the messages tc prints for bad ones. Every
// diagnostic points at the word it is about.

import type { Diagnostic, Span } from '../text/diagnostics';
import type { Word } from '../text/shlex';
import { GETOPT, OptionScanner } from '../text/option-scanner';
import { handle, TC_H_ROOT, type Handle } from './types';
import { parseRate, parseSize, parseTime } from './units';

export const SOURCE = 'tc';

export class TcCursor extends OptionScanner {
  constructor(words: readonly Word[], start: number, diagnostics: Diagnostic[]) {
    super(words, start, SOURCE, GETOPT, diagnostics);
  }
  /** NEXT_ARG(): the argument a keyword needs */
  arg(keyword: Word, expected: string): Word | null {
    return this.argument(null) ?? this.missingArgument(keyword, 'Command line is not complete. Try option "help"', 'tc/incomplete', expected);
  }
  /** duparg */
  duparg(keyword: string, w: Word): void {
    this.fail(w, `Error: duplicate "${keyword}": "${w.text}" is the second value.`, 'tc/duplicate-argument');
  }
  /** tc's "Illegal value" message of a qdisc's option parser: `pfifo: Illegal value for "limit": "x"` */
  illegal(kind: string, option: string, w: Word, expected: string): void {
    this.fail(w, `${kind}: Illegal value for "${option}": "${w.text}"`, 'tc/illegal-value', expected);
  }
  /** the words after a keyword that tc does not know at this place */
  garbage(w: Word, expected: string): void {
    this.fail(w, `What is "${w.text}"? Try "tc ${expected} help".`, 'tc/garbage', expected);
  }
  rate(kind: string, option: string, w: Word): number | null {
    const r = parseRate(w.text);
    if (r === null) this.illegal(kind, option, w, 'a rate such as 1mbit or 500kbit');
    return r;
  }
  size(kind: string, option: string, w: Word): number | null {
    const r = parseSize(w.text);
    if (r === null) this.illegal(kind, option, w, 'a size in bytes such as 1500 or 10kb');
    return r;
  }
  time(kind: string, option: string, w: Word): number | null {
    const r = parseTime(w.text);
    if (r === null) this.illegal(kind, option, w, 'a time such as 50ms');
    return r;
  }
}

/** get_qdisc_handle: `MAJ:` (hex), minor empty or 0 */
export function parseQdiscHandle(text: string): Handle | null {
  const m = /^([0-9a-fA-F]{1,4})(?::(0*))?$/.exec(text);
  if (!m || (m[2] === undefined && !text.endsWith(':') && text.includes(':'))) return null;
  return handle(parseInt(m[1]!, 16), 0);
}

/** get_tc_classid: `root`, `none`, `MAJ:MIN` or `:MIN`, hex */
export function parseClassid(text: string): Handle | null {
  if (text === 'root') return TC_H_ROOT;
  const m = /^([0-9a-fA-F]{0,4}):([0-9a-fA-F]{0,4})$/.exec(text);
  if (!m) return null;
  return handle(m[1] ? parseInt(m[1], 16) : 0, m[2] ? parseInt(m[2], 16) : 0);
}

/** A failure the kernel (or tc after asking it) reports about the whole command. */
export function kernelError(span: Span, message: string, code: string): Diagnostic {
  return { from: span.from, to: span.to, severity: 'error', message, source: SOURCE, code };
}
