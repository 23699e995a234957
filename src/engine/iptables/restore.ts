// pattern: Functional Core
// iptables-restore (1.8.9, legacy), line by line as iptables/iptables-restore.c
// reads it: fgets buffers of at most 10239 bytes; a buffer starting with a
// newline or `#` is skipped; exactly "COMMIT\n" inside a table commits it;
// `*` outside a table opens one (strtok'd name), `:` inside a table declares
// a chain (strtok'd name, policy, counters); anything else inside a table is
// an iptables command line (restore-args.ts cuts it into arguments), and
// anything else outside a table fails. Each table block commits atomically:
// a block that fails changes nothing, blocks committed before it stay (the
// real tool exits there).
//
// Messages are iptables-restore's own, line numbers included (recorded in
// real-messages.test.ts and restore-real.test.ts). Where the real tool only
// says "iptables-restore: line N failed" (libiptc refused the line, or the
// kernel refused the table at COMMIT) the engine adds the reason on the
// lines below: the errno text `iptables` prints for the same refusal, and
// the kernel's dmesg line.

import type { Diagnostic, Parsed, Span } from '../text/diagnostics';
import type { Word } from '../text/shlex';
import type { TableName } from '../netfilter/hooks';
import { TABLES, isBuiltinChain } from '../netfilter/hooks';
import type { Counters, Rule } from './types';
import type { IptablesCommand, ParseOptions } from './command';
import { IPTABLES_VERSION, parseIptablesArgs } from './command';
import { applyCommand } from './apply';
import type { Ruleset, RulesetError, Table } from './ruleset';
import { addChain, cloneTable, createTable, flushChain, setPolicy, touchTable } from './ruleset';
import { LINE_MAX_BYTES, restoreArgs, ruleCounters, scanUnsigned, strtok, utf8Len } from './restore-args';
import { translateTable } from './translate';

const PROG = 'iptables-restore';
const PREFIX = `${PROG} ${IPTABLES_VERSION}: `;

export type RestoreStep =
  /** `*table`: iptc_init, then (without --noflush) flush every chain and delete the user chains */
  | { kind: 'table'; table: TableName; line: number; span: Span }
  /** `:chain policy [p:b]`; policy null when the line ends before it (the parse error follows) */
  | { kind: 'chain'; name: string; policy: string | null; counters: Counters | null; line: number; span: Span }
  | { kind: 'command'; cmd: IptablesCommand; line: number; span: Span }
  | { kind: 'commit'; line: number; span: Span };

export interface RestoreBatch {
  noflush: boolean;
  counters: boolean;
  /** what iptables-restore does, in input order, up to the first parse error */
  steps: RestoreStep[];
  /**
   * The parse error that ends the input. The real tool reaches it only when
   * every step before it succeeded, so applyRestore reports an earlier
   * failure instead when there is one.
   */
  error: { line: number; diagnostics: Diagnostic[] } | null;
}

function d(span: Span, message: string, code: string): Diagnostic {
  return { from: span.from, to: span.to, severity: 'error', message, source: PROG, code };
}

/** xtables_error(PARAMETER_PROBLEM, ...): exit 2, with the line that was being read. */
function paramProblem(span: Span, line: number, message: string, code: string): Diagnostic {
  return d(span, `${PREFIX}${message}\nError occurred at line: ${line}`, code);
}

/** parse_counters: sscanf(s, "[%llu:%llu]") must convert both numbers (the closing `]` is not checked). */
function policyCounters(s: string): Counters | null {
  if (s[0] !== '[') return null;
  const colon = s.indexOf(':', 1);
  if (colon < 0) return null;
  const p = scanUnsigned(s.slice(1, colon));
  // %llu stops at the first non-digit: "[1x:2]" fails at the literal ':' after "1"
  if (p === null || !/^[ \t\n\r\v\f]*\+?\d+$/.test(s.slice(1, colon))) return null;
  const b = scanUnsigned(s.slice(colon + 1));
  if (b === null) return null;
  return { packets: p, bytes: b };
}

function byteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) n += utf8Len(s.charCodeAt(i));
  return n;
}

/**
 * The next fgets buffer of text from pos: up to and including '\n', at most
 * LINE_MAX_BYTES bytes (a longer line is read in pieces, each counted as a line).
 */
function nextBuffer(text: string, pos: number): number {
  let end = text.indexOf('\n', pos);
  end = end < 0 ? text.length : end + 1;
  if (end - pos <= LINE_MAX_BYTES / 3) return end;
  let bytes = 0;
  for (let i = pos; i < end; i++) {
    const b = utf8Len(text.charCodeAt(i));
    if (bytes + b > LINE_MAX_BYTES) return i;
    bytes += b;
  }
  return end;
}

/**
 * Parses iptables-restore input.
 * @example parseRestore('*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n', {noflush: false, counters: false})
 */
export function parseRestore(text: string, opts: { noflush: boolean; counters: boolean }): Parsed<RestoreBatch> {
  const batch: RestoreBatch = { noflush: opts.noflush, counters: opts.counters, steps: [], error: null };
  let table: TableName | null = null;
  const intern = new Map<string, string>();
  const announced = new Set<string>();
  let argOpts: ParseOptions = { program: PROG, intern, announced };
  let lineNo = 0;
  let pos = 0;
  const n = text.length;
  const stop = (line: number, diagnostics: Diagnostic[]): Parsed<RestoreBatch> => {
    batch.error = { line, diagnostics };
    return { value: batch, diagnostics };
  };
  for (let guard = 0; pos < n && guard <= n; guard++) {
    const end = nextBuffer(text, pos);
    const buf = text.slice(pos, end);
    const base = pos;
    pos = end;
    lineNo++;
    const body = buf.charCodeAt(buf.length - 1) === 10 ? buf.slice(0, -1) : buf;
    const lineSpan: Span = { from: base, to: base + body.length };
    const c0 = buf.charCodeAt(0);
    if (c0 === 10 /* \n */ || c0 === 35 /* # */) continue;
    if (table && buf === 'COMMIT\n') {
      batch.steps.push({ kind: 'commit', line: lineNo, span: lineSpan });
      table = null;
      continue;
    }
    if (!table && c0 === 42 /* * */) {
      const tok = strtok(buf, 1, ' \t\n');
      if (!tok) return stop(lineNo, [paramProblem(lineSpan, lineNo, `${PROG}: line ${lineNo} table name invalid`, 'iptables-restore/bad-table')]);
      const span: Span = { from: base + tok.start, to: base + tok.start + tok.token.length };
      if (!(TABLES as readonly string[]).includes(tok.token))
        return stop(lineNo, [paramProblem(span, lineNo, `${PROG}: unable to initialize table '${tok.token}'`, 'iptables-restore/unknown-table')]);
      table = tok.token as TableName;
      batch.steps.push({ kind: 'table', table, line: lineNo, span: lineSpan });
      argOpts = { program: PROG, restoreTable: table, intern, announced };
      continue;
    }
    if (table && c0 === 58 /* : */) {
      const chainTok = strtok(buf, 1, ' \t\n');
      if (!chainTok) return stop(lineNo, [paramProblem(lineSpan, lineNo, `${PROG}: line ${lineNo} chain name invalid`, 'iptables-restore/bad-chain')]);
      const name = chainTok.token;
      const nameSpan: Span = { from: base + chainTok.start, to: base + chainTok.start + name.length };
      if (byteLength(name) > 28) return stop(lineNo, [paramProblem(nameSpan, lineNo, `Invalid chain name \`${name}' (28 chars max)`, 'iptables-restore/bad-chain')]);
      const policyTok = strtok(buf, chainTok.next, ' \t\n');
      if (!policyTok) {
        // the chain is created before the policy is looked at
        batch.steps.push({ kind: 'chain', name, policy: null, counters: null, line: lineNo, span: lineSpan });
        return stop(lineNo, [paramProblem(lineSpan, lineNo, `${PROG}: line ${lineNo} policy invalid`, 'iptables-restore/no-policy')]);
      }
      let counters: Counters | null = null;
      if (policyTok.token !== '-' && opts.counters) {
        const ctrTok = strtok(buf, policyTok.next, ' \t\n');
        counters = ctrTok ? policyCounters(ctrTok.token) : null;
        if (!counters) {
          batch.steps.push({ kind: 'chain', name, policy: null, counters: null, line: lineNo, span: lineSpan });
          const at = ctrTok ? { from: base + ctrTok.start, to: base + ctrTok.start + ctrTok.token.length } : lineSpan;
          return stop(lineNo, [paramProblem(at, lineNo, `invalid policy counters for chain '${name}'`, 'iptables-restore/bad-counters')]);
        }
      }
      batch.steps.push({ kind: 'chain', name, policy: policyTok.token, counters, line: lineNo, span: lineSpan });
      announced.add(name);
      continue;
    }
    if (!table) return stop(lineNo, [d(lineSpan, `${PROG}: line ${lineNo} failed\nreason: the line is not inside a *table ... COMMIT block`, 'iptables-restore/outside-table')]);
    // a rule line: [packets:bytes] prefix, then the arguments after "iptables-restore -t TABLE"
    let start = 0;
    const prefix: Word[] = [];
    const rc = ruleCounters(buf);
    if (rc && 'error' in rc) return stop(lineNo, [paramProblem(lineSpan, lineNo, `Bad line ${lineNo}: ${rc.error}`, 'iptables-restore/bad-counters')]);
    if (rc) {
      start = rc.rest;
      if (opts.counters) {
        const at: Span = { from: base, to: base + rc.rest };
        prefix.push({ text: '--set-counters', ...at, quoted: false }, { text: rc.pcnt, ...at, quoted: false }, { text: rc.bcnt, ...at, quoted: false });
      }
    }
    const args = restoreArgs(buf.slice(start), base + start, 3 + prefix.length);
    if (args.error) return stop(lineNo, [paramProblem(args.error.span, lineNo, args.error.message, 'iptables-restore/bad-line')]);
    const words = prefix.length ? prefix.concat(args.words) : args.words;
    const parsed = parseIptablesArgs(words, 0, argOpts, lineSpan);
    if (!parsed.value) return stop(lineNo, parsed.diagnostics.map((x) => ({ ...x, source: PROG, message: `${x.message}\nError occurred at line: ${lineNo}` })));
    batch.steps.push({ kind: 'command', cmd: parsed.value, line: lineNo, span: lineSpan });
  }
  if (table) {
    const at: Span = { from: n, to: n };
    return stop(lineNo + 1, [d(at, `${PROG}: COMMIT expected at line ${lineNo + 1}`, 'iptables-restore/no-commit')]);
  }
  return { value: batch, diagnostics: [] };
}

/** "line N failed" with the reason on the following lines (see the file comment). */
function lineFailed(span: Span, line: number, e: RulesetError, atCommit: boolean): Diagnostic[] {
  const errno = e.message.replace(/^iptables: /, '');
  let message = `${PROG}: line ${line} failed\nreason: ${atCommit ? 'the kernel refused the table: ' : ''}${errno}`;
  if (e.detail) message += ` (${e.detail})`;
  if (e.kernelLog) message += `\ndmesg: ${e.kernelLog}`;
  return [d(span, message, e.code)];
}

/**
 * Applies the batch step by step like iptables-restore: per table block it
 * works on a copy of the table and swaps it in at COMMIT, after the kernel's
 * checks of the whole table (translate.ts). Returns the first failure, or
 * the batch's parse error when every step before it succeeded.
 */
export function applyRestore(rs: Ruleset, batch: RestoreBatch): Diagnostic[] {
  let name: TableName | null = null;
  let t: Table | null = null;
  let work: Ruleset | null = null;
  for (const step of batch.steps) {
    if (step.kind === 'table') {
      name = step.table;
      touchTable(rs, name);
      work = { tables: { ...rs.tables }, loaded: rs.loaded };
      t = batch.noflush ? cloneTable(rs.tables[name]) : createTable(name);
      if (!batch.noflush) {
        // a flushed table keeps its built-in policies and counters until a `:` line sets them
        for (const c of t.chains.values()) {
          const old = rs.tables[name].chains.get(c.name);
          if (old) {
            c.policy = old.policy;
            c.policyCounters = { ...old.policyCounters };
          }
        }
      }
      work.tables[name] = t;
      continue;
    }
    if (!name || !t || !work) continue;
    if (step.kind === 'chain') {
      if (!isBuiltinChain(name, step.name)) {
        if (batch.noflush && t.chains.has(step.name)) flushChain(work, name, step.name);
        // libiptc's iptc_create_chain also refuses the names of the standard verdicts
        else if (step.name === 'ACCEPT' || step.name === 'DROP' || step.name === 'QUEUE' || step.name === 'RETURN' || addChain(work, name, step.name))
          return [paramProblem(step.span, step.line, `error creating chain '${step.name}':File exists`, 'iptables-restore/chain-exists')];
      }
      if (step.policy !== null && step.policy !== '-') {
        const e = setPolicy(work, name, step.name, step.policy, batch.counters ? step.counters : null);
        if (e) {
          const why = e.code === 'iptables/not-builtin' ? 'Bad built-in chain name' : 'Bad policy name';
          return [d(step.span, `${PREFIX}Can't set policy \`${step.policy}' on \`${step.name}' line ${step.line}: ${why}`, e.code)];
        }
      }
      continue;
    }
    if (step.kind === 'command') {
      const cmd = step.cmd;
      if (cmd.kind === 'append' || cmd.kind === 'insert' || cmd.kind === 'replace' || cmd.kind === 'delete') {
        const r = missingJump(cmd, t.chains);
        if (r) {
          const at = cmd.targetSpan ?? step.span;
          const msg = r.goto ? `goto '${r.target!.name}' is not a chain` : `Couldn't load target \`${r.target!.name}':No such file or directory\n`;
          return [d(at, `${PREFIX}${msg}\nError occurred at line: ${step.line}`, 'iptables/unknown-target')];
        }
      }
      // the kernel sees the table only at COMMIT (TC_COMMIT), so -A/-I/-R defer its checks there
      const e = cmd.kind === 'append' ? appendDeferred(work, cmd) : applyCommand(work, cmd, { deferKernel: true });
      if (e) return lineFailed(step.span, step.line, e, false);
      continue;
    }
    // COMMIT
    const e = translateTable(t);
    if (e) return lineFailed(step.span, step.line, e, true);
    rs.tables[name] = t;
    rs.generation = (rs.generation ?? 0) + 1;
    name = null;
    t = null;
    work = null;
  }
  return batch.error ? batch.error.diagnostics : [];
}

/** The first rule of cmd that jumps or goes to a chain the table does not have. */
function missingJump(cmd: IptablesCommand, chains: ReadonlyMap<string, unknown>): Rule | null {
  for (let i = 0; i < cmd.rules.length; i++) {
    const r = cmd.rules[i]!;
    if (r.target && (r.target.kind === 'chain' || r.goto) && !chains.has(r.target.name)) return r;
  }
  return null;
}

/**
 * -A inside a restore block: libiptc only needs the chain; the kernel checks
 * come at COMMIT. The block works on a table of its own (a new one, or a
 * copy with new arrays for --noflush), so pushing here never changes arrays
 * a committed table holds (ruleset.ts placeRule says why that matters).
 */
function appendDeferred(rs: Ruleset, cmd: IptablesCommand): RulesetError | null {
  const c = rs.tables[cmd.table].chains.get(cmd.chain!);
  if (!c) return { message: 'iptables: No chain/target/match by that name.', code: 'iptables/no-chain' };
  for (const r of cmd.rules) {
    c.rules.push(r);
    c.counters.push(cmd.counters ? { ...cmd.counters } : { packets: 0, bytes: 0 });
  }
  return null;
}
