// pattern: Functional Core
// `iptables ...` command lines → IptablesCommand, the way iptables 1.8.9
// (legacy) reads them: getopt_long over the base options plus the options of
// every loaded extension (newest first, unique prefixes accepted, exact
// names win), `!` as a word of its own, `-p tcp` loading the tcp match on
// the first option nobody else knows. Parsing stops at the first error like
// iptables does (it exits), so a diagnostic always names the word at fault.
// Messages: iptables/xshared.c, libxtables/xtables.c, extensions/*.c.

import type { Diagnostic, Parsed, Span } from '../text/diagnostics';
import { splitWords } from '../text/shlex';
import type { Word } from '../text/shlex';
import { GETOPT, OptionScanner } from '../text/option-scanner';
import type { TableName } from '../netfilter/hooks';
import { TABLES } from '../netfilter/hooks';
import { prefixMask } from '../net/addr';
import type { Counters, MatchInstance, Rule, TargetInstance } from './types';
import type { ErrorSink, ExtensionParser, MatchSpec, OptionSpec, RuleHead, TargetSpec } from './modules/module';
import { getMatch, KNOWN_UNMODELLED_MATCHES, protoMatchName } from './modules/index';
import { getTarget, KNOWN_UNMODELLED_TARGETS, VERDICTS } from './targets/index';
import { parseProto } from './proto';
import { scanUnsigned, utf8Len } from './restore-args';

export const IPTABLES_VERSION = 'v1.8.9 (legacy)';

export type CommandKind =
  | 'append'
  | 'delete'
  | 'check'
  | 'insert'
  | 'replace'
  | 'list'
  | 'list-rules'
  | 'flush'
  | 'zero'
  | 'new-chain'
  | 'delete-chain'
  | 'rename-chain'
  | 'policy';

export interface IptablesCommand {
  kind: CommandKind;
  table: TableName;
  chain: string | null;
  /** -I n (default 1), -R n, -D n; null when not given */
  ruleNum: number | null;
  /** -A/-I/-R/-D/-C: the rule, expanded over comma-separated -s/-d lists */
  rules: Rule[];
  /** -E: the new chain name */
  newName: string | null;
  /** -P: the policy word as typed */
  policy: string | null;
  /** -c PKTS BYTES */
  counters: Counters | null;
  span: Span;
  chainSpan: Span | null;
  /** span of the -j/-g argument, for "Couldn't load target" */
  targetSpan: Span | null;
}

export interface ParseOptions {
  /** 'iptables' or 'iptables-restore': the program name errors start with */
  program: string;
  /** restore mode: the table comes from `*table`, -t is refused */
  restoreTable?: TableName;
  /**
   * iptables-restore: chain names declared with `:NAME` lines so far; `-j NAME`
   * jumps to such a chain even when a target extension has that name.
   */
  announced?: ReadonlySet<string>;
  /**
   * Names seen before (chains, targets, interfaces): a parsed rule keeps
   * these strings instead of its own copies, so a 50,000-line restore does
   * not keep 50,000 copies of "INPUT" alive.
   */
  intern?: Map<string, string>;
}

interface BaseOpt {
  name: string;
  short: string;
  /** 0 none, 1 required, 2 optional */
  arg: 0 | 1 | 2;
}

const BASE: readonly BaseOpt[] = [
  { name: 'append', short: 'A', arg: 1 },
  { name: 'delete', short: 'D', arg: 1 },
  { name: 'check', short: 'C', arg: 1 },
  { name: 'insert', short: 'I', arg: 1 },
  { name: 'replace', short: 'R', arg: 1 },
  { name: 'list', short: 'L', arg: 2 },
  { name: 'list-rules', short: 'S', arg: 2 },
  { name: 'flush', short: 'F', arg: 2 },
  { name: 'zero', short: 'Z', arg: 2 },
  { name: 'new-chain', short: 'N', arg: 1 },
  { name: 'delete-chain', short: 'X', arg: 2 },
  { name: 'rename-chain', short: 'E', arg: 1 },
  { name: 'policy', short: 'P', arg: 1 },
  { name: 'source', short: 's', arg: 1 },
  { name: 'destination', short: 'd', arg: 1 },
  { name: 'src', short: 's', arg: 1 },
  { name: 'dst', short: 'd', arg: 1 },
  { name: 'protocol', short: 'p', arg: 1 },
  { name: 'in-interface', short: 'i', arg: 1 },
  { name: 'jump', short: 'j', arg: 1 },
  { name: 'table', short: 't', arg: 1 },
  { name: 'match', short: 'm', arg: 1 },
  { name: 'numeric', short: 'n', arg: 0 },
  { name: 'out-interface', short: 'o', arg: 1 },
  { name: 'verbose', short: 'v', arg: 0 },
  { name: 'wait', short: 'w', arg: 2 },
  { name: 'wait-interval', short: 'W', arg: 1 },
  { name: 'exact', short: 'x', arg: 0 },
  { name: 'fragments', short: 'f', arg: 0 },
  { name: 'version', short: 'V', arg: 0 },
  { name: 'help', short: 'h', arg: 2 },
  { name: 'line-numbers', short: '0', arg: 0 },
  { name: 'modprobe', short: 'M', arg: 1 },
  { name: 'set-counters', short: 'c', arg: 1 },
  { name: 'goto', short: 'g', arg: 1 },
  { name: 'ipv4', short: '4', arg: 0 },
  { name: 'ipv6', short: '6', arg: 0 },
];

const BASE_BY_NAME = new Map<string, BaseOpt>(BASE.map((b) => [b.name, b]));
const SHORT = new Map<string, BaseOpt>();
for (const o of BASE) if (!SHORT.has(o.short) && o.short !== '0') SHORT.set(o.short, o);
SHORT.set('b', { name: 'b', short: 'b', arg: 0 });

const COMMANDS: Readonly<Record<string, CommandKind>> = {
  A: 'append', D: 'delete', C: 'check', I: 'insert', R: 'replace', L: 'list', S: 'list-rules',
  F: 'flush', Z: 'zero', N: 'new-chain', X: 'delete-chain', E: 'rename-chain', P: 'policy',
};
const CMD_CHAR: Readonly<Record<CommandKind, string>> = {
  append: 'A', delete: 'D', check: 'C', insert: 'I', replace: 'R', list: 'L', 'list-rules': 'S',
  flush: 'F', zero: 'Z', 'new-chain': 'N', 'delete-chain': 'X', 'rename-chain': 'E', policy: 'P',
};
const RULE_COMMANDS: ReadonlySet<CommandKind> = new Set(['append', 'delete', 'check', 'insert', 'replace']);

/** One loaded extension instance during parsing. */
interface Loaded {
  spec: ExtensionParser<unknown>;
  options: unknown;
  isTarget: boolean;
  span: Span;
}

class Stop extends Error {}

/**
 * Parses one `iptables ...` command line.
 * @example parseIptablesCommand('iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.1')
 */
export function parseIptablesCommand(text: string, base = 0): Parsed<IptablesCommand> {
  const split = splitWords(text, base, 'iptables');
  if (split.diagnostics.length > 0) return { value: null, diagnostics: split.diagnostics };
  const words = split.words;
  const first = words[0];
  if (!first) {
    return { value: null, diagnostics: [diag(base, base + text.length, 'empty command: expected `iptables ...\'', 'iptables/empty')] };
  }
  if (first.text !== 'iptables' && first.text !== 'iptables-legacy') {
    return { value: null, diagnostics: [diag(first.from, first.to, `not an iptables command: \`${first.text}'`, 'iptables/not-iptables', 'iptables')] };
  }
  return parseIptablesArgs(words, 1, { program: 'iptables' }, { from: first.from, to: words[words.length - 1]!.to });
}

function diag(from: number, to: number, message: string, code: string, expected?: string): Diagnostic {
  const d: Diagnostic = { from, to, severity: 'error', message, source: 'iptables', code };
  if (expected) d.expected = expected;
  return d;
}

/**
 * The argument parser shared by `iptables` and `iptables-restore` lines.
 * `words[start..]` are the arguments after the program name.
 */
export function parseIptablesArgs(words: readonly Word[], start: number, opts: ParseOptions, span: Span): Parsed<IptablesCommand> {
  const p = new ArgParser(words, start, opts, span);
  try {
    return { value: p.run(), diagnostics: p.diagnostics };
  } catch (e) {
    if (e instanceof Stop) return { value: null, diagnostics: p.diagnostics };
    throw e;
  }
}

/** One `-s`/`-d` argument as typed, expanded at the end. */
interface AddrArg {
  text: string;
  invert: boolean;
  span: Span;
}

/** -s -d -p -i -o -f -j -c as bits, for "multiple -x flags" and "Illegal option". */
const OPT_BITS = 'sdpiofjc';

/**
 * getopt over one command line, the words read by the shared
 * OptionScanner. A class rather than closures: restore runs this once per
 * rule line (50,000 times for a big dump), and per-call closures dominated
 * the allocation profile.
 */
class ArgParser implements ErrorSink {
  private readonly s: OptionScanner;
  private readonly prefix: string;
  private kind: CommandKind | null = null;
  private table: TableName;
  private tableSet = false;
  private chain: string | null = null;
  private chainSpan: Span | null = null;
  private ruleNum: number | null = null;
  private newName: string | null = null;
  private policy: string | null = null;
  private counters: Counters | null = null;
  private invert = false;
  private invertSpan: Span | null = null;
  /** OPT_BITS seen so far, with their spans in seenSpans (same order as bits were set) */
  private seenBits = 0;
  private seenList: [string, Span][] | null = null;
  private src: AddrArg | null = null;
  private dst: AddrArg | null = null;
  private proto: { num: number; invert: boolean; span: Span } | null = null;
  private inIface: { name: string; invert: boolean } | null = null;
  private outIface: { name: string; invert: boolean } | null = null;
  private fragment: { invert: boolean } | null = null;
  private protoUsed = false;
  private target: { name: string; span: Span; goto: boolean; loaded: Loaded | null } | null = null;
  /** loaded extensions, newest first (getopt sees the newest options first) */
  private loaded: Loaded[] = [];
  private matches: Loaded[] = [];
  /** where an extension's sink.error() points when it names no span */
  private errorAt: Span;
  private errorCode = 'iptables/bad-value';

  constructor(
    words: readonly Word[],
    start: number,
    private readonly opts: ParseOptions,
    private readonly span: Span,
  ) {
    this.s = new OptionScanner(words, start, 'iptables', GETOPT);
    this.prefix = `${opts.program} ${IPTABLES_VERSION}: `;
    this.table = opts.restoreTable ?? 'filter';
    this.errorAt = span;
  }

  private name(text: string): string {
    const m = this.opts.intern;
    if (!m) return text;
    const seen = m.get(text);
    if (seen !== undefined) return seen;
    if (m.size < 65536) m.set(text, text);
    return text;
  }

  get diagnostics(): Diagnostic[] {
    return this.s.diagnostics;
  }

  fail(message: string, at: Span, code: string, prefixed = true, expected?: string): never {
    this.s.fail(at, prefixed ? this.prefix + message : message, code, expected);
    throw new Stop();
  }

  /** ErrorSink for extensions: libxtables' xtables_error(PARAMETER_PROBLEM, ...) exits. */
  error(message: string, at?: Span, code?: string): void {
    this.fail(message, at ?? this.errorAt, code ?? this.errorCode);
  }

  private setOpt(c: string, at: Span, inv: boolean): void {
    const bit = 1 << OPT_BITS.indexOf(c);
    if (this.seenBits & bit) this.fail(`multiple -${c} flags not allowed`, at, 'iptables/duplicate-option');
    if (inv && c !== 's' && c !== 'd' && c !== 'p' && c !== 'i' && c !== 'o' && c !== 'f') this.fail(`cannot have ! before -${c}`, at, 'iptables/bad-negation');
    this.seenBits |= bit;
    (this.seenList ??= []).push([c, at]);
  }

  private setCommand(c: string, at: Span): void {
    if (this.invert) this.fail("unexpected '!' flag", this.invertSpan ?? at, 'iptables/bad-negation');
    if (this.kind !== null) this.fail(`Cannot use -${c} with -${CMD_CHAR[this.kind]}\n`, at, 'iptables/two-commands');
    this.kind = COMMANDS[c]!;
  }

  private parseRuleNum(w: Word): number {
    const t = w.text;
    let v = t.length > 0 && t.length <= 10 ? 0 : NaN;
    for (let i = 0; i < t.length && v === v; i++) {
      const c = t.charCodeAt(i);
      v = c >= 48 && c <= 57 ? v * 10 + (c - 48) : NaN;
    }
    if (!(v >= 1 && v <= 0x7fffffff)) this.fail(`Invalid rule number \`${t}'`, w, 'iptables/bad-rule-number');
    return v;
  }

  private loadMatch(name: string, at: Span): Loaded {
    const spec = getMatch(name);
    if (!spec) {
      if (KNOWN_UNMODELLED_MATCHES.has(name)) this.fail(`not modelled yet: -m ${name}`, at, 'iptables/not-modelled', false);
      this.fail(`Couldn't load match \`${name}':No such file or directory`, at, 'iptables/unknown-match');
    }
    const l: Loaded = { spec: spec!, options: spec!.init(), isTarget: false, span: at };
    this.loaded.unshift(l);
    this.matches.push(l);
    return l;
  }

  /** getopt_long's lookup over base + extension options; exact beats prefix. */
  private lookupLong(name: string): LongHit | 'ambiguous' | null {
    const exact = BASE_BY_NAME.get(name);
    if (exact) return { base: exact };
    const loaded = this.loaded;
    for (let i = 0; i < loaded.length; i++) {
      const l = loaded[i]!;
      const os = l.spec.options;
      for (let j = 0; j < os.length; j++) if (os[j]!.name === name) return { ext: l, opt: os[j]! };
    }
    let hit: LongHit | null = null;
    let hitKey = '';
    for (const b of BASE) {
      if (!b.name.startsWith(name)) continue;
      // --src and --source are one option to getopt (same val): not ambiguous
      const key = `b:${b.short}`;
      if (hit && hitKey !== key) return 'ambiguous';
      hit = { base: b };
      hitKey = key;
    }
    for (let i = 0; i < loaded.length; i++) {
      const l = loaded[i]!;
      for (const o of l.spec.options) {
        if (!o.name.startsWith(name)) continue;
        const key = `e:${o.name}:${i}`;
        if (hit && hitKey !== key) return 'ambiguous';
        hit = { ext: l, opt: o };
        hitKey = key;
      }
    }
    return hit;
  }

  private takeArg(w: Word, inline: Word | null, label: string): Word {
    const a = this.s.argument(inline);
    if (a !== null) return a;
    this.s.missingArgument(w, `${this.prefix}option "${label}" requires an argument`, 'iptables/missing-argument', 'an argument');
    throw new Stop();
  }

  private handleBase(b: BaseOpt, w: Word, arg: Word | null): void {
    if (COMMANDS[b.short] !== undefined) this.commandOption(b.short, w, arg);
    else this.ruleOption(b.short, w, arg);
    this.invert = false;
  }

  /** -A -C -D -I -R -N -E -P -L -S -F -Z -X: the command, its chain and what follows it. */
  private commandOption(c: string, w: Word, arg: Word | null): void {
    switch (c) {
      case 'A':
      case 'C':
      case 'N':
      case 'E':
      case 'P':
      case 'D':
      case 'I':
      case 'R': {
        this.setCommand(c, w);
        this.chain = this.name(arg!.text);
        this.chainSpan = arg!;
        if (c === 'N') checkNewChainName(arg!, this);
        if (c === 'D' || c === 'I' || c === 'R') {
          const nw = this.s.operand();
          if (nw) this.ruleNum = this.parseRuleNum(nw);
          else if (c === 'R') this.fail('-R requires a rule number', w, 'iptables/missing-rule-number', true, 'a rule number');
        }
        if (c === 'E') {
          const nw = this.s.operand();
          if (!nw) this.fail('-E requires old-chain-name and new-chain-name', w, 'iptables/missing-argument', true, 'a new chain name');
          this.newName = nw!.text;
          checkNewChainName(nw!, this);
        }
        if (c === 'P') {
          const nw = this.s.operand();
          if (!nw) this.fail('-P requires a chain and a policy', w, 'iptables/missing-argument', true, 'ACCEPT or DROP');
          this.policy = nw!.text;
        }
        break;
      }
      case 'L':
      case 'S':
      case 'F':
      case 'Z':
      case 'X': {
        this.setCommand(c, w);
        const cw = arg ?? this.s.operand();
        if (cw) {
          this.chain = cw.text;
          this.chainSpan = cw;
          if (c === 'L' || c === 'S' || c === 'Z') {
            const nw = this.s.operand();
            if (nw) this.ruleNum = this.parseRuleNum(nw);
          }
        }
        break;
      }
    }
  }

  /** Every base option that is no command: the rule's ip part, -j/-g, -m, -t, -c, and those without effect. */
  private ruleOption(c: string, w: Word, arg: Word | null): void {
    const inv = this.invert;
    const at: Span = arg ? { from: w.from, to: arg.to } : w;
    switch (c) {
      case 's':
      case 'd':
        this.setOpt(c, at, inv);
        if (c === 's') this.src = { text: arg!.text, invert: inv, span: arg! };
        else this.dst = { text: arg!.text, invert: inv, span: arg! };
        break;
      case 'p': {
        this.setOpt(c, at, inv);
        const num = parseProto(arg!.text.toLowerCase());
        if (num === null) this.fail(`unknown protocol "${arg!.text}" specified`, arg!, 'iptables/unknown-protocol');
        if (num === 0 && inv) this.fail('rule would never match protocol', at, 'iptables/never-matches');
        this.proto = { num: num!, invert: inv, span: at };
        break;
      }
      case 'i':
      case 'o': {
        this.setOpt(c, at, inv);
        const name = arg!.text;
        if (name.length === 0) this.fail('Empty interface is likely to be undesired', arg!, 'iptables/bad-interface');
        if (name.length > 15) this.fail(`interface name \`${name}' must be shorter than IFNAMSIZ (15)`, arg!, 'iptables/bad-interface');
        if (c === 'i') this.inIface = { name: this.name(name), invert: inv };
        else this.outIface = { name: this.name(name), invert: inv };
        break;
      }
      case 'f':
        this.setOpt(c, at, inv);
        this.fragment = { invert: inv };
        break;
      case 'j':
      case 'g': {
        this.setOpt('j', at, inv);
        const name = arg!.text;
        checkTargetName(arg!, this);
        let l: Loaded | null = null;
        // -g only records the name (cs->jumpto): it never loads a target extension; nor does -j
        // load one for a chain iptables-restore has seen declared (xtables_announce_chain)
        if (c === 'j' && !VERDICTS.has(name) && !this.opts.announced?.has(name)) {
          const spec = getTarget(name);
          if (spec) {
            l = { spec, options: spec.init(), isTarget: true, span: arg! };
            this.loaded.unshift(l);
          } else if (KNOWN_UNMODELLED_TARGETS.has(name)) this.fail(`not modelled yet: -j ${name}`, arg!, 'iptables/not-modelled', false);
        }
        this.target = { name: l ? l.spec.name : this.name(name), span: arg!, goto: c === 'g', loaded: l };
        break;
      }
      case 'm':
        if (inv) this.fail('unexpected ! flag before --match', at, 'iptables/bad-negation');
        this.loadMatch(arg!.text, arg!);
        break;
      case 't': {
        if (inv) this.fail('unexpected ! flag before --table', at, 'iptables/bad-negation');
        if (this.opts.restoreTable) this.fail(`The -t option cannot be used in ${this.opts.program}.\n`, at, 'iptables/table-in-restore');
        if (this.tableSet) this.fail('multiple -t flags not allowed', at, 'iptables/duplicate-option');
        if (!(TABLES as readonly string[]).includes(arg!.text))
          this.fail(`can't initialize iptables table \`${arg!.text}': Table does not exist (do you need to insmod?)`, arg!, 'iptables/unknown-table', true, TABLES.join(', '));
        this.table = arg!.text as TableName;
        this.tableSet = true;
        break;
      }
      case 'c': {
        this.setOpt(c, at, inv);
        // do_parse: the byte counter follows a ',' (searched from the 2nd character) or is the next
        // argument; both are read with sscanf("%llu"), so "7x" is 7
        const p = arg!.text;
        const comma = p.indexOf(',', 1);
        let b: string;
        let bSpan: Span = arg!;
        if (comma >= 0) b = p.slice(comma + 1);
        else {
          const nw = this.s.operand();
          if (!nw) this.fail('-c requires packet and byte counter', w, 'iptables/missing-argument');
          b = nw!.text;
          bSpan = nw!;
        }
        const packets = scanUnsigned(p);
        if (packets === null) this.fail('-c packet counter not numeric', arg!, 'iptables/bad-counter');
        const bytes = scanUnsigned(b);
        if (bytes === null) this.fail('-c byte counter not numeric', bSpan, 'iptables/bad-counter');
        this.counters = { packets: packets!, bytes: bytes! };
        break;
      }
      case '6':
        this.fail('This is the IPv4 version of iptables.', w, 'iptables/ipv6');
        break;
      case 'V':
      case 'h':
        this.fail(`not modelled yet: ${w.text}`, w, 'iptables/not-modelled', false);
        break;
      default:
        // -n -v -x -w -W -M --line-numbers -4 -b: display and locking options without effect here
        break;
    }
  }

  private handleExt(l: Loaded, o: OptionSpec, w: Word, arg: Word | null, arg2: Word | null): void {
    if (this.invert && o.invert === false) this.fail(`${l.spec.name}: option "--${o.name}" cannot be inverted.\n`, this.invertSpan ?? w, 'iptables/bad-negation');
    const argText = arg2 ? `${arg!.text} ${arg2.text}` : arg ? arg.text : '';
    const argSpan: Span = arg ? (arg2 ? { from: arg.from, to: arg2.to } : arg) : w;
    this.errorAt = arg ?? w;
    this.errorCode = 'iptables/bad-value';
    l.spec.parse(l.options, { name: o.name, arg: argText, invert: this.invert, span: w, argSpan }, this);
    this.invert = false;
  }

  /** The protocol match `-p` names, loaded on the first option nobody knows. */
  private loadProtoMatch(w: Word): boolean {
    const p = this.proto;
    if (!p || this.protoUsed || p.invert) return false;
    const pm = protoMatchName(p.num);
    if (!pm) return false;
    this.protoUsed = true;
    this.loadMatch(pm, w);
    return true;
  }

  private longOption(w: Word, name: string, inline: Word | null): void {
    const t = w.text;
    let hit = this.lookupLong(name);
    if (hit === null && this.loadProtoMatch(w)) hit = this.lookupLong(name);
    if (hit === 'ambiguous') this.fail(`option '${t}' is ambiguous`, w, 'iptables/ambiguous-option');
    if (hit === null) this.fail(`unknown option "${t}"`, w, 'iptables/unknown-option');
    const h = hit as LongHit;
    if (h.base) {
      let arg: Word | null = null;
      if (h.base.arg === 1) arg = this.takeArg(w, inline, t);
      else if (h.base.arg === 2 && inline !== null) arg = this.takeArg(w, inline, t);
      this.handleBase(h.base, w, arg);
      return;
    }
    const o = h.opt!;
    let arg: Word | null = null;
    let arg2: Word | null = null;
    if (o.arg) arg = this.takeArg(w, inline, `--${o.name}`);
    if (o.arg2) {
      arg2 = this.s.operand();
      if (!arg2) this.fail(`--${o.name} requires two args.`, w, 'iptables/missing-argument');
    }
    this.handleExt(h.ext!, o, w, arg, arg2);
  }

  private shortOptions(w: Word): void {
    const t = w.text;
    for (let i = 1; i < t.length; i++) {
      const b = SHORT.get(t[i]!);
      if (!b) {
        // getopt's "invalid option" still gets the protocol match loaded first (command_default)
        this.loadProtoMatch(w);
        this.fail(`unknown option "${t}"`, w, 'iptables/unknown-option');
      }
      if (b!.arg === 0) {
        this.handleBase(b!, w, null);
        continue;
      }
      const rest = this.s.clusterRest(w, i);
      if (rest !== null) this.handleBase(b!, w, rest);
      else if (b!.arg === 1) this.handleBase(b!, w, this.takeArg(w, null, `-${b!.short}`));
      else this.handleBase(b!, w, null);
      return;
    }
  }

  run(): IptablesCommand {
    const s = this.s;
    const guard = (s.words.length + 4) * 4;
    scan: for (let steps = 0; !s.done && steps < guard; steps++) {
      const kind = s.next();
      const w = s.word!;
      switch (kind) {
        case 'negation':
          if (this.invert) this.fail('multiple consecutive ! not allowed', w, 'iptables/bad-negation');
          this.invert = true;
          this.invertSpan = w;
          break;
        case 'end': {
          const rest = s.peek();
          if (rest) this.fail(`Bad argument \`${rest.text}'`, rest, 'iptables/bad-argument', false);
          break scan;
        }
        case 'long':
          this.longOption(w, s.name, s.inline);
          break;
        case 'short':
          this.shortOptions(w);
          break;
        case 'operand':
          this.fail(`Bad argument \`${w.text}'`, w, 'iptables/bad-argument', false);
      }
    }
    return this.finish();
  }

  private finish(): IptablesCommand {
    const span = this.span;
    if (this.invert) this.fail('nothing appropriate following !', this.invertSpan ?? span, 'iptables/bad-negation');
    if (this.kind === null) this.fail('no command specified', span, 'iptables/no-command', true, '-A, -I, -D, -N, -P, ...');
    const cmdKind = this.kind as CommandKind;
    let ruleNum = this.ruleNum;

    const ruleCmd = RULE_COMMANDS.has(cmdKind) && !(cmdKind === 'delete' && ruleNum !== null);
    if (!ruleCmd) {
      for (const [c, at] of this.seenList ?? []) if (c !== 'c' || cmdKind !== 'policy') this.fail(`Illegal option \`-${c}' with this command\n`, at, 'iptables/illegal-option');
      if (this.matches.length > 0) this.fail(`Illegal option \`-m' with this command\n`, this.matches[0]!.span, 'iptables/illegal-option');
    }

    const rules: Rule[] = [];
    let targetSpan: Span | null = null;
    if (ruleCmd) {
      const p = this.proto;
      const head: RuleHead = { proto: p ? p.num : 0, protoInvert: p ? p.invert : false };
      for (const m of this.matches) this.runFinal(m, head);
      const tg = this.target;
      if (tg?.loaded) this.runFinal(tg.loaded, head);
      const srcs = this.src ? this.parseAddrList(this.src) : null;
      const dsts = this.dst ? this.parseAddrList(this.dst) : null;
      const matchInstances: MatchInstance[] = new Array(this.matches.length);
      for (let i = 0; i < this.matches.length; i++) {
        const m = this.matches[i]!;
        matchInstances[i] = { module: m.spec.name, options: m.options, span: spanOf(m.span) };
      }
      let targetInst: TargetInstance | null = null;
      if (tg) {
        targetSpan = spanOf(tg.span);
        const kindOf = tg.name === 'RETURN' ? 'return' : VERDICTS.has(tg.name) ? 'verdict' : tg.loaded ? 'extension' : 'chain';
        targetInst = { name: tg.name, kind: kindOf, options: tg.loaded ? tg.loaded.options : null, span: targetSpan };
      }
      const ii = this.inIface;
      const oi = this.outIface;
      const ns = srcs ? srcs.length / 2 : 1;
      const nd = dsts ? dsts.length / 2 : 1;
      for (let si = 0; si < ns; si++) {
        for (let di = 0; di < nd; di++) {
          // one literal with every field (absent ones undefined): all rules share a hidden class,
          // and none needs an out-of-object property store
          const r: Rule = {
            src: srcs && (srcs[si * 2 + 1] !== 0 || this.src!.invert) ? { addr: srcs[si * 2]!, mask: srcs[si * 2 + 1]!, invert: this.src!.invert } : undefined,
            dst: dsts && (dsts[di * 2 + 1] !== 0 || this.dst!.invert) ? { addr: dsts[di * 2]!, mask: dsts[di * 2 + 1]!, invert: this.dst!.invert } : undefined,
            // `-i +` matches every interface: iptables stores an empty mask and prints nothing
            inIface: ii && !(ii.name === '+' && !ii.invert) ? { name: ii.name, invert: ii.invert } : undefined,
            outIface: oi && !(oi.name === '+' && !oi.invert) ? { name: oi.name, invert: oi.invert } : undefined,
            proto: p && (p.num !== 0 || p.invert) ? { num: p.num, invert: p.invert } : undefined,
            fragment: this.fragment ? { invert: this.fragment.invert } : undefined,
            matches: matchInstances,
            target: targetInst,
            goto: tg ? tg.goto : false,
            span,
          };
          rules.push(r);
        }
      }
    }
    if (cmdKind === 'insert' && ruleNum === null) ruleNum = 1;
    return {
      kind: cmdKind, table: this.table, chain: this.chain, ruleNum, rules, newName: this.newName, policy: this.policy,
      counters: this.counters, span, chainSpan: this.chainSpan ? spanOf(this.chainSpan) : null, targetSpan,
    };
  }

  private runFinal(l: Loaded, head: RuleHead): void {
    if (!l.spec.final) return;
    this.errorAt = l.span;
    this.errorCode = 'iptables/bad-value';
    l.spec.final(l.options, this, head);
  }

  /** xtables_ipparse_multiple: `a[/m][,b[/m]...]` as [addr, mask, addr, mask, ...]; host names are not resolved. */
  private parseAddrList(sel: AddrArg): number[] {
    const out: number[] = [];
    const text = sel.text;
    let from = 0;
    for (let guard = 0; guard <= text.length; guard++) {
      let to = text.indexOf(',', from);
      if (to < 0) to = text.length;
      const slash = text.indexOf('/', from);
      const hostEnd = slash >= 0 && slash < to ? slash : to;
      let mask = 0xffffffff;
      if (hostEnd < to) {
        const m = text.slice(hostEnd + 1, to);
        if (m.includes('.')) {
          const dm = dotted(m, 0, m.length);
          if (dm === null) this.fail(`invalid mask \`${m}' specified`, sel.span, 'iptables/bad-mask');
          mask = dm!;
        } else {
          const len = m.length >= 1 && m.length <= 2 ? decimal(m, 0, m.length) : -1;
          if (len < 0 || len > 32) this.fail(`invalid mask \`${m}' specified`, sel.span, 'iptables/bad-mask');
          mask = prefixMask(len);
        }
      }
      let a = dotted(text, from, hostEnd);
      if (a === null) {
        const v = decimal(text, from, hostEnd);
        if (v >= 0 && v <= 0xffffffff) a = v >>> 0;
      }
      if (a === null) {
        this.fail(`host/network \`${text.slice(from, hostEnd)}' not found`, sel.span, 'iptables/host-not-found', true, 'a dotted-quad address (host names are not resolved in the simulator)');
      }
      out.push((a! & mask) >>> 0, mask >>> 0);
      if (to >= text.length) break;
      from = to + 1;
    }
    return out;
  }
}

/**
 * A bare {from, to} for what outlives the parse: keeping the Word itself
 * would keep its text alive with every loaded rule.
 */
function spanOf(s: Span): Span {
  return { from: s.from, to: s.to };
}

interface LongHit {
  base?: BaseOpt;
  ext?: Loaded;
  opt?: OptionSpec;
}

/** Digits only in text[from, to), as a number; -1 otherwise (also for "" and > 15 digits). */
function decimal(text: string, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** parseIpv4 on text[from, to) without slicing: four dot-separated 1-3 digit octets ≤ 255. */
function dotted(text: string, from: number, to: number): number | null {
  let v = 0;
  let i = from;
  for (let part = 0; part < 4; part++) {
    let o = 0;
    let digits = 0;
    for (; i < to && digits < 4; i++, digits++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      o = o * 10 + (c - 48);
    }
    if (digits === 0 || digits > 3 || o > 255) return null;
    v = v * 256 + o;
    if (part < 3) {
      if (i >= to || text.charCodeAt(i) !== 46) return null;
      i++;
    }
  }
  return i === to ? v >>> 0 : null;
}

/** xt_parse_target, for every -j and -g name. */
function checkTargetName(w: Word, p: ArgParser): void {
  const name = w.text;
  if (name.length === 0) p.fail('Invalid target name (too short)', w, 'iptables/bad-target');
  if (byteLength(name) > 28) p.fail(`Invalid target name \`${name}' (28 chars max)`, w, 'iptables/bad-target');
  if (/[ \t\n\v\f\r]/.test(name)) p.fail(`Invalid target name \`${name}'`, w, 'iptables/bad-target');
}

function byteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) n += utf8Len(s.charCodeAt(i));
  return n;
}

function checkNewChainName(w: Word, p: ArgParser): void {
  const name = w.text;
  if (name.length > 28) p.fail(`chain name \`${name}' too long (must be under 29 chars)`, w, 'iptables/bad-chain-name');
  if (name.startsWith('-') || name.startsWith('!')) p.fail("chain name not allowed to start with `-'\n", w, 'iptables/bad-chain-name');
  if (VERDICTS.has(name) || getTarget(name) || KNOWN_UNMODELLED_TARGETS.has(name)) p.fail('chain name may not clash with target name\n', w, 'iptables/bad-chain-name');
}


export type { TargetSpec, MatchSpec };
