// pattern: Functional Core
// What both passes of an `ip ... show` import (ip-import.ts) share: the
// words and lines of the pasted text, the `ip` commands built word by word
// with where each word came from, the records the first pass collects, and
// the result the second pass (ip-import-rebuild.ts) makes of them.

import type { Diagnostic, Parsed, Span } from '../text/diagnostics';
import type { Word } from '../text/shlex';
import type { Ipv4 } from './addr';
import { prefixMask } from './addr';
import type { LinkKind } from './config';
import type { IpCommand } from './ip-command';
import { parseIpCommand, parseIpWords } from './ip-command';
import type { IpRouteCommand } from './ip-route';
import type { IpRuleCommand } from './ip-rule';

const SOURCE = 'ip-import';

export interface ImportCommand {
  /** an `ip` command line, words separated by single spaces */
  text: string;
  /** the lines of the import text it comes from */
  span: Span;
  /** per space-separated word of `text`: the import text it was copied from, null when synthesised */
  origins: (Span | null)[];
}

export interface ImportSkip {
  /** 1-based line of the import text */
  line: number;
  reason: string;
}

export interface ImportResult {
  /** in an order that applies cleanly to a fresh host */
  commands: ImportCommand[];
  skipped: ImportSkip[];
  /** rt_tables names the commands use (other than local/main/default); applyImport assigns ids */
  tables: { name: string; span: Span }[];
  /** devices the commands use but do not create: a routes-only paste needs a host that has them */
  devices: string[];
}

export interface Tok extends Span {
  text: string;
}

export interface Line extends Span {
  no: number;
}

// ---------------------------------------------------------------------------
// words and lines

export function tokens(text: string, from: number, to: number): Tok[] {
  const out: Tok[] = [];
  let i = from;
  for (; i < to; ) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    const start = i;
    for (; i < to; i++) {
      const d = text.charCodeAt(i);
      if (d === 32 || d === 9 || d === 13) break;
    }
    out.push({ text: text.slice(start, i), from: start, to: i });
  }
  return out;
}

export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (let no = 1; start <= text.length; no++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const to = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    lines.push({ no, from: start, to });
    start = end + 1;
  }
  // a final newline does not start another line
  if (lines.length > 1 && text.endsWith('\n')) lines.pop();
  return lines;
}

export function diag(span: Span, message: string, code: string, severity: Diagnostic['severity'] = 'error', expected?: string): Diagnostic {
  const d: Diagnostic = { from: span.from, to: span.to, severity, message, source: SOURCE, code };
  if (expected !== undefined) d.expected = expected;
  return d;
}

/** a word splitWords would return as it is: not empty, no blank, quote or backslash */
function plainWord(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 39 || c === 34 || c === 92) return false;
  }
  return true;
}

export class CommandBuilder {
  readonly words: string[] = [];
  readonly origins: (Span | null)[] = [];
  /** the words with their offsets in the command text, as parseIpCommand would split it */
  readonly split: Word[] = [];
  /** false once a word would split differently: the text is then parsed from scratch */
  plain = true;
  private length = 0;
  add(text: string, origin: Span | null = null): this {
    const from = this.words.length === 0 ? 0 : this.length + 1;
    this.length = from + text.length;
    this.words.push(text);
    this.split.push({ text, from, to: this.length, quoted: false });
    if (this.plain && !plainWord(text)) this.plain = false;
    this.origins.push(origin === null ? null : { from: origin.from, to: origin.to });
    return this;
  }
  /** parseIpCommand(command.text) without splitting the text again */
  parse(command: ImportCommand): Parsed<IpCommand> {
    return this.plain ? parseIpWords(this.split, [], 0, command.text.length) : parseIpCommand(command.text);
  }
  tok(t: Tok): this {
    return this.add(t.text, t);
  }
  build(span: Span): ImportCommand {
    return { text: this.words.join(' '), span: { from: span.from, to: span.to }, origins: this.origins };
  }
}

/** Where word `at` (an offset into command.text) came from in the import text. */
export function originOf(command: ImportCommand, at: number): Span {
  let offset = 0;
  const words = command.text.split(' ');
  for (let i = 0; i < words.length; i++) {
    const end = offset + words[i]!.length;
    if (at >= offset && at <= end) return command.origins[i] ?? command.span;
    offset = end + 1;
  }
  return command.span;
}

export function mapDiagnostic(command: ImportCommand, d: Diagnostic): Diagnostic {
  // a span over the whole command (the kernel's answers) belongs to the whole source
  const whole = d.from <= 0 && d.to >= command.text.length;
  const at = whole ? command.span : originOf(command, d.from);
  return { ...d, from: at.from, to: at.to };
}

// ---------------------------------------------------------------------------
// records of the first pass

export interface LinkRec {
  name: string;
  nameTok: Tok;
  line: number;
  span: Span;
  /** null when the text does not say (ip -o addr): imported as up */
  up: boolean | null;
  loopback: boolean;
  mtu: Tok | null;
  master: Tok | null;
  mac: Tok | null;
  kind: LinkKind | null;
  /** `group N` when not `default` (-m devgroup reads it) */
  group?: Tok;
}

export interface AddrRec {
  line: number;
  dev: string;
  addr: Ipv4;
  len: number;
  broadcast: Ipv4;
  noPrefixRoute: boolean;
  /** IFA_RT_PRIORITY (`metric N` on the inet line), 0 when none */
  metric: number;
  /** true when implied by a kernel route of a routes-only paste */
  implied: boolean;
  command: ImportCommand | null;
  /** prefix route the kernel made for a peer address or a metric, added explicitly */
  extraRoute: { command: ImportCommand; dst: Ipv4; len: number } | null;
}

export interface RouteRec {
  line: number;
  span: Span;
  command: ImportCommand;
  cmd: IpRouteCommand;
  table: number | string;
  hasGateway: boolean;
}

export interface RuleRec {
  line: number;
  span: Span;
  command: ImportCommand;
  cmd: IpRuleCommand;
  defaultOf: 'local' | 'main' | 'default' | null;
}

export const DEFAULT_RULES: readonly [number, 'local' | 'main' | 'default'][] = [
  [0, 'local'],
  [32766, 'main'],
  [32767, 'default'],
];

export function maskedPrefix(addr: Ipv4, len: number): Ipv4 {
  return (addr & prefixMask(len)) >>> 0;
}

/** What the first pass collected, for the second. */
export interface Collected {
  readonly diagnostics: Diagnostic[];
  readonly skipped: ImportSkip[];
  readonly links: LinkRec[];
  readonly addrs: AddrRec[];
  readonly routes: RouteRec[];
  readonly rules: RuleRec[];
  readonly tableNames: Map<string, Span>;
  /** the span of the `ip rule show` lines, null when there were none */
  readonly ruleSpan: Span | null;
  skip(line: number, reason: string): void;
}
