// pattern: Functional Core
// Shell-like word splitting (what the oracle's harness does with shlex.split)
// that keeps each word's span in the original text, so a parser can point at
// the exact characters the user typed.

import type { Diagnostic, Span } from './diagnostics';

export interface Word extends Span {
  /** the word after quote removal */
  text: string;
  /** true if any part of the word was quoted (so `"!"` is not negation) */
  quoted: boolean;
}

export interface SplitResult {
  words: Word[];
  diagnostics: Diagnostic[];
}

/**
 * Split `input` like POSIX sh (single quotes, double quotes with \\ \" \$ \`
 * escapes, backslash outside quotes). `base` is added to every offset so a
 * line of a larger text keeps its document offsets.
 */
export function splitWords(input: string, base = 0, source = 'shell'): SplitResult {
  const words: Word[] = [];
  const diagnostics: Diagnostic[] = [];
  let i = 0;
  const n = input.length;
  while (i < n) {
    const c = input[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    // most words have no quote or backslash: one slice instead of a string
    // built a character at a time (issue 10: 32,000-line imports)
    let j = i;
    for (; j < n; j++) {
      const d = input.charCodeAt(j);
      if (d === 32 || d === 9 || d === 10 || d === 13 || d === 39 || d === 34 || d === 92) break;
    }
    if (j === n || input.charCodeAt(j) === 32 || input.charCodeAt(j) === 9 || input.charCodeAt(j) === 10 || input.charCodeAt(j) === 13) {
      words.push({ text: input.slice(start, j), from: base + start, to: base + j, quoted: false });
      i = j;
      continue;
    }
    let text = '';
    let quoted = false;
    while (i < n) {
      const ch = input[i]!;
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') break;
      if (ch === "'") {
        quoted = true;
        const close = input.indexOf("'", i + 1);
        if (close < 0) {
          diagnostics.push({
            from: base + i,
            to: base + n,
            severity: 'error',
            message: 'unterminated single quote',
            source,
            code: 'shell/unterminated-quote',
            expected: "a closing '",
          });
          text += input.slice(i + 1);
          i = n;
          break;
        }
        text += input.slice(i + 1, close);
        i = close + 1;
      } else if (ch === '"') {
        quoted = true;
        i++;
        let closed = false;
        while (i < n) {
          const d = input[i]!;
          if (d === '"') {
            closed = true;
            i++;
            break;
          }
          if (d === '\\' && i + 1 < n && '\\"$`\n'.includes(input[i + 1]!)) {
            text += input[i + 1]!;
            i += 2;
            continue;
          }
          text += d;
          i++;
        }
        if (!closed) {
          diagnostics.push({
            from: base + start,
            to: base + n,
            severity: 'error',
            message: 'unterminated double quote',
            source,
            code: 'shell/unterminated-quote',
            expected: 'a closing "',
          });
        }
      } else if (ch === '\\') {
        if (i + 1 < n) {
          text += input[i + 1]!;
          i += 2;
        } else {
          i++;
        }
      } else {
        text += ch;
        i++;
      }
    }
    words.push({ text, from: base + start, to: base + i, quoted });
  }
  return { words, diagnostics };
}
