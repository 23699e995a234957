// pattern: Functional Core
// The one option scanner of the engine's command parsers (iptables, ip and
// ipvsadm): it walks the words splitWords made, says what each one is —
// `--name[=value]`, a cluster of short options `-abc`, a lone `!`, the
// `--` that ends the options, or an operand — and hands out the arguments
// options take, so every parser points its diagnostics at the characters
// the user typed. What the options mean, and the tool's own messages, stay
// with each parser: iptables reads its words like getopt_long, ipvsadm like
// popt, and ip has keywords rather than options but takes their arguments
// (NEXT_ARG) and reports their absence through the same calls.
//
// A scanner reads one command line. It keeps the token it just read in its
// own fields instead of returning an object per word: iptables-restore
// scans 50,000 rule lines, and the parsers once spent their time
// allocating (issue 10).

import type { Diagnostic, Span } from './diagnostics';
import type { Word } from './shlex';

export type TokenKind = 'long' | 'short' | 'negation' | 'end' | 'operand';

/** How a tool tells options from operands where the tools disagree. */
export interface ScanStyle {
  /** a lone `!` is a token of its own (iptables' negation); otherwise it is an operand */
  negation: boolean;
  /** a lone `--` ends the options (getopt); otherwise it is the short option `-` */
  endOfOptions: boolean;
  /** a word that was quoted and starts with a single `-` is an operand, not short options */
  quotedShortIsOperand: boolean;
}

/** getopt's reading, iptables' (a quoted `"-p"` is still -p: the shell removed the quotes). */
export const GETOPT: ScanStyle = { negation: true, endOfOptions: true, quotedShortIsOperand: false };

/**
 * A cursor over one command line's words that classifies them as options.
 *
 * @example
 * const s = new OptionScanner(splitWords('-p tcp --dport=22 ! -s 10.0.0.1').words, 0, 'iptables', GETOPT);
 * s.next(); // 'short' (letters: s.word.text from index 1); s.argument(null)?.text === 'tcp'
 * s.next(); // 'long', s.name === 'dport', s.inline spans "22"
 * s.next(); // 'negation'
 */
export class OptionScanner {
  /** the index of the next word to read */
  k: number;
  /** set by fail(): the line is refused */
  failed = false;
  /** what next() read */
  kind: TokenKind = 'operand';
  /** the word next() read */
  word: Word | null = null;
  /** 'long': the name between `--` and `=`; else '' (a short token's letters are word.text from index 1) */
  name = '';
  /** 'long' with `=`: the text after it, spanning exactly those characters; else null */
  inline: Word | null = null;

  constructor(
    readonly words: readonly Word[],
    start: number,
    /** the Diagnostic.source of what this scanner reports */
    readonly source: string,
    readonly style: ScanStyle = GETOPT,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    this.k = start;
  }

  get done(): boolean {
    return this.k >= this.words.length;
  }

  /** The next word, not consumed. */
  peek(): Word | undefined {
    return this.words[this.k];
  }

  /** The next word, consumed; call only when !done. */
  take(): Word {
    return this.words[this.k++]!;
  }

  /** Reads the next word (there must be one) and says what it is; its parts are in word, name and inline. */
  next(): TokenKind {
    const w = this.words[this.k++]!;
    const t = w.text;
    this.word = w;
    this.inline = null;
    this.name = '';
    const style = this.style;
    const c0 = t.charCodeAt(0);
    if (c0 === 33 /* ! */ && t.length === 1 && style.negation) return (this.kind = 'negation');
    if (c0 !== 45 /* - */ || t.length < 2) return (this.kind = 'operand');
    if (t.charCodeAt(1) === 45) {
      if (t.length > 2) {
        const eq = t.indexOf('=');
        if (eq < 0) this.name = t.slice(2);
        else {
          this.name = t.slice(2, eq);
          const value = t.slice(eq + 1);
          this.inline = { text: value, from: w.to - value.length, to: w.to, quoted: w.quoted };
        }
        return (this.kind = 'long');
      }
      if (style.endOfOptions) return (this.kind = 'end');
    }
    if (w.quoted && style.quotedShortIsOperand) return (this.kind = 'operand');
    return (this.kind = 'short');
  }

  /**
   * The rest of a short-option cluster after its letter at `index` (1 is
   * the first letter: `-pudp` gives "udp" for index 1), spanning those
   * characters; null when the letter ends the word.
   */
  clusterRest(w: Word, index: number): Word | null {
    if (index + 1 >= w.text.length) return null;
    return { text: w.text.slice(index + 1), from: w.from + index + 1, to: w.to, quoted: w.quoted };
  }

  /**
   * The argument of the option just read: its inline part when it has one,
   * else the next word, whatever it looks like (getopt's required
   * argument); null, consuming nothing, when the words have run out.
   */
  argument(inline: Word | null): Word | null {
    if (inline !== null) return inline;
    const w = this.words[this.k];
    if (w === undefined) return null;
    this.k++;
    return w;
  }

  /**
   * The next word when it is no option — it does not start with `-`, nor
   * with `!` where that negates — consumed; else null. What an option
   * with an optional separate argument takes (`iptables -L [chain]`,
   * `ipvsadm -p [timeout]`).
   */
  operand(): Word | null {
    const w = this.words[this.k];
    if (w === undefined) return null;
    const c = w.text.charCodeAt(0);
    if (c === 45 /* - */ || (c === 33 /* ! */ && this.style.negation)) return null;
    this.k++;
    return w;
  }

  /** Reports an error at `at`, in the tool's own words: the line is refused. */
  fail(at: Span, message: string, code: string, expected?: string): void {
    const d: Diagnostic = { from: at.from, to: at.to, severity: 'error', message, source: this.source, code };
    if (expected !== undefined) d.expected = expected;
    this.diagnostics.push(d);
    this.failed = true;
  }

  /**
   * An option's argument is missing: `message` (the tool's "requires an
   * argument") reported at the option. Returns null, so a parser can write
   * `s.argument(inline) ?? s.missingArgument(option, ...)`.
   */
  missingArgument(option: Span, message: string, code: string, expected?: string): null {
    this.fail(option, message, code, expected);
    return null;
  }
}
