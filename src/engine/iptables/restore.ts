// pattern: Functional Core
// iptables-restore (1.8.9, legacy): `*table` ... `COMMIT` blocks, `:CHAIN
// POLICY [p:b]` lines, rule lines parsed like iptables arguments, `#`
// comments. Each table block commits atomically: a block that fails changes
// nothing, blocks committed before it stay (the real tool exits there).
// Messages: iptables/iptables-restore.c — "line N failed" for refusals at
// commit or by libiptc, parser errors followed by "Error occurred at line: N".
// Lines are tokenised without regexes (the 50,000-rule budget is ~250 ms).

import type { Diagnostic, Parsed, Span } from '../text/diagnostics';
import { splitWords } from '../text/shlex';
import type { Word } from '../text/shlex';
import type { TableName } from '../netfilter/hooks';
import { TABLES, isBuiltinChain } from '../netfilter/hooks';
import type { Counters, Rule } from './types';
import type { IptablesCommand, ParseOptions } from './command';
import { applyCommand, errorDiagnostics, IPTABLES_VERSION, parseIptablesArgs } from './command';
import type { Ruleset, RulesetError } from './ruleset';
import { addChain, checkEntry, cloneTable, refusalError, createTable, flushChain, setPolicy, touchTable, validateTable } from './ruleset';

const PROG = 'iptables-restore';

export type RestoreOp =
  | { kind: 'chain'; name: string; policy: string; counters: Counters | null; line: number; span: Span }
  | { kind: 'command'; cmd: IptablesCommand; line: number; span: Span };

export interface RestoreBlock {
  table: TableName;
  line: number;
  span: Span;
  ops: RestoreOp[];
  /** line number of COMMIT */
  commitLine: number;
  commitSpan: Span;
}

export interface RestoreBatch {
  noflush: boolean;
  counters: boolean;
  /** complete blocks in order; parsing stops at the first error like the real tool */
  blocks: RestoreBlock[];
  /** the parse error that stopped the input, with its line (blocks after it are absent) */
  error: { line: number; diagnostics: Diagnostic[] } | null;
}

function d(span: Span, message: string, code: string): Diagnostic {
  return { from: span.from, to: span.to, severity: 'error', message, source: PROG, code };
}

/** Fast path of splitWords for lines without quotes or backslashes (null: use splitWords). */
function tokenize(line: string, base: number): Word[] | null {
  const words: Word[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    let c = line.charCodeAt(i);
    while (i < n && (c === 32 || c === 9 || c === 13)) c = line.charCodeAt(++i);
    if (i >= n) break;
    const s = i;
    while (i < n && c !== 32 && c !== 9 && c !== 13) {
      if (c === 34 || c === 39 || c === 92) return null;
      c = line.charCodeAt(++i);
    }
    words.push({ text: line.slice(s, i), from: base + s, to: base + i, quoted: false });
  }
  return words;
}

function parseCounters(text: string): Counters | null {
  if (text.length < 5 || text[0] !== '[' || text[text.length - 1] !== ']') return null;
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  const p = text.slice(1, colon);
  const b = text.slice(colon + 1, -1);
  if (!/^\d+$/.test(p) || !/^\d+$/.test(b)) return null;
  return { packets: Number(p), bytes: Number(b) };
}

/**
 * Parses iptables-restore input.
 * @example parseRestore('*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n', {noflush: false, counters: false})
 */
export function parseRestore(text: string, opts: { noflush: boolean; counters: boolean }): Parsed<RestoreBatch> {
  const batch: RestoreBatch = { noflush: opts.noflush, counters: opts.counters, blocks: [], error: null };
  let block: RestoreBlock | null = null;
  const intern = new Map<string, string>();
  let argOpts: ParseOptions = { program: PROG, intern };
  let lineNo = 0;
  let pos = 0;
  const n = text.length;
  const stop = (line: number, diagnostics: Diagnostic[]): Parsed<RestoreBatch> => {
    batch.error = { line, diagnostics };
    return { value: batch, diagnostics };
  };
  for (let guard = 0; pos <= n && guard <= n + 1; guard++) {
    if (pos === n) break;
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    const line = text.slice(pos, end);
    const base = pos;
    pos = end + 1;
    lineNo++;
    const lineSpan: Span = { from: base, to: base + line.length };
    const c0 = line.charCodeAt(0);
    if (line.length === 0 || c0 === 35 /* # */) continue;
    if (c0 === 32 || c0 === 9 || c0 === 13) {
      let blank = true;
      for (let i = 1; i < line.length && blank; i++) {
        const c = line.charCodeAt(i);
        if (c !== 32 && c !== 9 && c !== 13) blank = false;
      }
      if (blank) continue;
    }
    if (c0 === 42 /* * */) {
      if (block) return stop(lineNo, [d(lineSpan, `${PROG}: line ${lineNo} failed`, 'iptables-restore/nested-table')]);
      const name = line.slice(1).trim().split(/[ \t]/)[0] ?? '';
      if (!(TABLES as readonly string[]).includes(name))
        return stop(lineNo, [d(lineSpan, `${PROG} ${IPTABLES_VERSION}: can't initialize iptables table \`${name}': Table does not exist (do you need to insmod?)`, 'iptables-restore/unknown-table')]);
      block = { table: name as TableName, line: lineNo, span: lineSpan, ops: [], commitLine: 0, commitSpan: lineSpan };
      argOpts = { program: PROG, restoreTable: block.table, intern };
      continue;
    }
    // the real parser compares the whole line with "COMMIT\n": "COMMIT " is not a commit
    if (line === 'COMMIT' || line === 'COMMIT\r') {
      if (!block) return stop(lineNo, [d(lineSpan, `${PROG}: line ${lineNo} failed`, 'iptables-restore/commit-outside-table')]);
      block.commitLine = lineNo;
      block.commitSpan = lineSpan;
      batch.blocks.push(block);
      block = null;
      continue;
    }
    if (!block) return stop(lineNo, [d(lineSpan, `${PROG}: line ${lineNo} failed`, 'iptables-restore/outside-table')]);
    if (c0 === 58 /* : */) {
      const parts = line.slice(1).split(/[ \t]+/).filter((x) => x.length > 0);
      const name = parts[0] ?? '';
      const policy = parts[1];
      if (name.length === 0 || name.length > 28)
        return stop(lineNo, [d(lineSpan, `${PROG} ${IPTABLES_VERSION}: Invalid chain name \`${name}' (28 chars max)`, 'iptables-restore/bad-chain')]);
      if (policy === undefined) return stop(lineNo, [d(lineSpan, `${PROG}: line ${lineNo} failed`, 'iptables-restore/no-policy')]);
      let counters: Counters | null = null;
      if (parts[2] !== undefined) {
        counters = parseCounters(parts[2]);
        if (!counters) return stop(lineNo, [d(lineSpan, `${PROG} ${IPTABLES_VERSION}: invalid policy counters for chain '${name}'`, 'iptables-restore/bad-counters')]);
      }
      block.ops.push({ kind: 'chain', name, policy, counters, line: lineNo, span: lineSpan });
      continue;
    }
    let words = tokenize(line, base);
    if (!words) {
      const split = splitWords(line, base, PROG);
      if (split.diagnostics.length) return stop(lineNo, split.diagnostics);
      words = split.words;
    }
    let start = 0;
    let prefixCounters: Counters | null = null;
    const w0 = words[0];
    if (w0 && w0.text.startsWith('[')) {
      prefixCounters = parseCounters(w0.text);
      if (!prefixCounters) return stop(lineNo, [d(w0, `${PROG} ${IPTABLES_VERSION}: Bad line ${lineNo}: need ]`, 'iptables-restore/bad-counters')]);
      start = 1;
    }
    const parsed = parseIptablesArgs(words, start, argOpts, lineSpan);
    if (!parsed.value) {
      const diags = parsed.diagnostics.map((x) => ({ ...x, source: PROG, message: `${x.message}\nError occurred at line: ${lineNo}` }));
      return stop(lineNo, diags);
    }
    if (prefixCounters && opts.counters && !parsed.value.counters) parsed.value.counters = prefixCounters;
    else if (!opts.counters) parsed.value.counters = null;
    block.ops.push({ kind: 'command', cmd: parsed.value, line: lineNo, span: lineSpan });
  }
  if (block) {
    const at: Span = { from: n, to: n };
    return stop(lineNo + 1, [d(at, `${PROG}: COMMIT expected at line ${lineNo + 1}`, 'iptables-restore/no-commit')]);
  }
  return { value: batch, diagnostics: [] };
}

function lineFailed(span: Span, line: number, e: RulesetError | null): Diagnostic[] {
  const out: Diagnostic[] = [d(span, `${PROG}: line ${line} failed`, e?.code ?? 'iptables-restore/failed')];
  if (e) out.push({ from: span.from, to: span.to, severity: 'info', message: e.message, source: PROG, code: e.code });
  if (e?.kernelLog) out.push({ from: span.from, to: span.to, severity: 'info', message: `dmesg: ${e.kernelLog}`, source: 'kernel', code: 'kernel/log' });
  return out;
}

/**
 * Applies the batch: per block, works on a copy of the table and swaps it in
 * at COMMIT. Validation (loops, hooks) runs once per block, at COMMIT.
 */
export function applyRestore(rs: Ruleset, batch: RestoreBatch): Diagnostic[] {
  for (const b of batch.blocks) {
    touchTable(rs, b.table);
    const work: Ruleset = { tables: { ...rs.tables }, loaded: rs.loaded };
    const t = batch.noflush ? cloneTable(rs.tables[b.table]) : createTable(b.table);
    if (!batch.noflush) {
      // a flushed table keeps its built-in policies and counters until a `:` line sets them
      for (const c of t.chains.values()) {
        const old = rs.tables[b.table].chains.get(c.name);
        if (old) {
          c.policy = old.policy;
          c.policyCounters = { ...old.policyCounters };
        }
      }
    }
    work.tables[b.table] = t;
    let kernelRefusal: RulesetError | null = null;
    for (const op of b.ops) {
      if (op.kind === 'chain') {
        let e: RulesetError | null = null;
        if (isBuiltinChain(b.table, op.name)) {
          if (op.policy !== '-') e = setPolicy(work, b.table, op.name, op.policy, batch.counters ? op.counters : null);
        } else if (t.chains.has(op.name)) e = flushChain(work, b.table, op.name);
        else e = addChain(work, b.table, op.name);
        if (e) return lineFailed(op.span, op.line, e);
        continue;
      }
      const cmd = op.cmd;
      const rulesTarget = missingJump(cmd, t.chains);
      if (rulesTarget && (cmd.kind === 'append' || cmd.kind === 'insert' || cmd.kind === 'replace' || cmd.kind === 'delete')) {
        const diags = errorDiagnostics(
          { message: `${PROG} ${IPTABLES_VERSION}: Couldn't load target \`${rulesTarget.target!.name}':No such file or directory\nError occurred at line: ${op.line}`, code: 'iptables/unknown-target' },
          cmd,
          PROG,
          cmd.targetSpan ?? op.span,
        );
        return diags;
      }
      const e = cmd.kind === 'append' ? appendFast(work, cmd) : applyCommand(work, cmd);
      // the kernel sees the table only at COMMIT (TC_COMMIT), so its refusals name the COMMIT line
      if (e && e.kernelLog) {
        kernelRefusal ??= e;
        continue;
      }
      if (e) return lineFailed(op.span, op.line, e);
    }
    if (kernelRefusal) return lineFailed(b.commitSpan, b.commitLine, kernelRefusal);
    const v = validateTable(t);
    if (v) return lineFailed(b.commitSpan, b.commitLine, v);
    rs.tables[b.table] = t;
  }
  return batch.error ? batch.error.diagnostics : [];
}

/** The first rule of cmd that jumps to a chain the table does not have. */
function missingJump(cmd: IptablesCommand, chains: ReadonlyMap<string, unknown>): Rule | null {
  for (let i = 0; i < cmd.rules.length; i++) {
    const r = cmd.rules[i]!;
    if (r.target && r.target.kind === 'chain' && !chains.has(r.target.name)) return r;
  }
  return null;
}

/** -A inside a restore block: validation is deferred to COMMIT (one pass per table). */
function appendFast(rs: Ruleset, cmd: IptablesCommand): RulesetError | null {
  const c = rs.tables[cmd.table].chains.get(cmd.chain!);
  if (!c) return { message: 'iptables: No chain/target/match by that name.', code: 'iptables/no-chain' };
  for (const r of cmd.rules) {
    const refused = checkEntry(cmd.table, r);
    if (refused) return refusalError(refused);
    c.rules.push(r);
    c.counters.push(cmd.counters ? { ...cmd.counters } : { packets: 0, bytes: 0 });
  }
  return null;
}
