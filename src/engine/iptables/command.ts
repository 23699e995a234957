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
import type { TableName } from '../netfilter/hooks';
import { TABLES } from '../netfilter/hooks';
import { parseIpv4, prefixMask } from '../net/addr';
import type { Counters, MatchInstance, Rule, TargetInstance } from './types';
import type { ErrorSink, ExtensionParser, MatchSpec, OptionSpec, RuleHead, TargetSpec } from './modules/module';
import { getMatch, KNOWN_UNMODELLED_MATCHES, protoMatchName } from './modules/index';
import { getTarget, KNOWN_UNMODELLED_TARGETS, VERDICTS } from './targets/index';
import { parseProto } from './proto';
import type { Ruleset, RulesetError } from './ruleset';
import {
  MSG_NO_CHAIN, addChain, appendRule, checkRule, deleteChain, deleteRuleNum, deleteRuleSpec, flushChain,
  insertRule, renameChain, replaceRule, setPolicy, touchTable, zeroCounters,
} from './ruleset';

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
  spec: ExtensionParser<any>;
  options: any;
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
  const diagnostics: Diagnostic[] = [];
  const prefix = `${opts.program} ${IPTABLES_VERSION}: `;
  const fail = (message: string, at: Span, code: string, prefixed = true, expected?: string): never => {
    diagnostics.push(diag(at.from, at.to, prefixed ? prefix + message : message, code, expected));
    throw new Stop();
  };
  try {
    return { value: parseInner(words, start, opts, span, fail), diagnostics };
  } catch (e) {
    if (e instanceof Stop) return { value: null, diagnostics };
    throw e;
  }
}

type Fail = (message: string, at: Span, code: string, prefixed?: boolean, expected?: string) => never;

function parseInner(words: readonly Word[], start: number, opts: ParseOptions, span: Span, fail: Fail): IptablesCommand {
  let kind = null as CommandKind | null;
  let table: TableName = opts.restoreTable ?? 'filter';
  let tableSet = false;
  let chain: string | null = null;
  let chainSpan: Span | null = null;
  let ruleNum: number | null = null;
  let newName: string | null = null;
  let policy: string | null = null;
  let counters: Counters | null = null;
  let invert = false;
  let invertSpan: Span | null = null;
  const seenOpts = new Map<string, Span>();
  let src = null as { text: string; invert: boolean; span: Span } | null;
  let dst = null as { text: string; invert: boolean; span: Span } | null;
  let proto = null as { num: number; invert: boolean; span: Span } | null;
  let inIface = null as { name: string; invert: boolean } | null;
  let outIface = null as { name: string; invert: boolean } | null;
  let fragment = null as { invert: boolean } | null;
  let protoUsed = false;
  let target = null as { name: string; span: Span; goto: boolean; loaded: Loaded | null } | null;
  const loaded: Loaded[] = [];
  const matches: Loaded[] = [];

  const n = words.length;
  let k = start;

  const peekFree = (): Word | null => {
    const w = words[k];
    if (!w || w.text.startsWith('-') || w.text.startsWith('!')) return null;
    return w;
  };

  const setOpt = (c: string, at: Span, inv: boolean): void => {
    if (seenOpts.has(c)) fail(`multiple -${c} flags not allowed`, at, 'iptables/duplicate-option');
    if (inv && !'sdpiof'.includes(c)) fail(`cannot have ! before -${c}`, at, 'iptables/bad-negation');
    seenOpts.set(c, at);
  };

  const setCommand = (c: string, at: Span): void => {
    if (invert) fail("unexpected '!' flag", invertSpan ?? at, 'iptables/bad-negation');
    if (kind !== null) fail(`Cannot use -${c} with -${CMD_CHAR[kind]}\n`, at, 'iptables/two-commands');
    kind = COMMANDS[c]!;
  };

  const parseRuleNum = (w: Word): number => {
    const v = /^\d+$/.test(w.text) ? Number(w.text) : NaN;
    if (!(v >= 1 && v <= 0x7fffffff)) fail(`Invalid rule number \`${w.text}'`, w, 'iptables/bad-rule-number');
    return v;
  };

  const loadMatch = (name: string, at: Span): Loaded => {
    const spec = getMatch(name);
    if (!spec) {
      if (KNOWN_UNMODELLED_MATCHES.has(name)) fail(`not modelled yet: -m ${name}`, at, 'iptables/not-modelled', false);
      fail(`Couldn't load match \`${name}':No such file or directory`, at, 'iptables/unknown-match');
    }
    const l: Loaded = { spec: spec!, options: spec!.init(), isTarget: false, span: at };
    loaded.unshift(l);
    matches.push(l);
    return l;
  };

  /** getopt_long's lookup over base + extension options; exact beats prefix. */
  const lookupLong = (name: string): { base?: BaseOpt; ext?: Loaded; opt?: OptionSpec } | 'ambiguous' | null => {
    const exact = BASE_BY_NAME.get(name);
    if (exact) return { base: exact };
    for (const l of loaded) for (const o of l.spec.options) if (o.name === name) return { ext: l, opt: o };
    const hits: { base?: BaseOpt; ext?: Loaded; opt?: OptionSpec; label: string }[] = [];
    for (const b of BASE) if (b.name.startsWith(name)) hits.push({ base: b, label: b.name });
    for (const l of loaded) for (const o of l.spec.options) if (o.name.startsWith(name)) hits.push({ ext: l, opt: o, label: o.name });
    if (hits.length === 0) return null;
    // --src and --source are one option to getopt (same val): not ambiguous
    const distinct = new Set(hits.map((h) => (h.base ? `b:${h.base.short}` : `e:${h.label}:${loaded.indexOf(h.ext!)}`)));
    if (distinct.size > 1) return 'ambiguous';
    return hits[0]!;
  };

  const takeArg = (w: Word, inline: string | null, label: string): Word => {
    if (inline !== null) return { text: inline, from: w.to - inline.length, to: w.to, quoted: w.quoted };
    const next = words[k];
    if (!next) fail(`option "${label}" requires an argument`, w, 'iptables/missing-argument', true, 'an argument');
    k++;
    return next!;
  };

  const handleBase = (b: BaseOpt, w: Word, arg: Word | null): void => {
    const c = b.short;
    const inv = invert;
    const at: Span = { from: w.from, to: arg ? arg.to : w.to };
    switch (c) {
      case 'A':
      case 'C':
      case 'N':
      case 'E':
      case 'P':
      case 'D':
      case 'I':
      case 'R': {
        setCommand(c, w);
        chain = arg!.text;
        chainSpan = arg!;
        if (c === 'N') checkNewChainName(arg!, fail);
        if (c === 'D' || c === 'I' || c === 'R') {
          const nw = peekFree();
          if (nw) {
            k++;
            ruleNum = parseRuleNum(nw);
          } else if (c === 'R') fail('-R requires a rule number', w, 'iptables/missing-rule-number', true, 'a rule number');
        }
        if (c === 'E') {
          const nw = peekFree();
          if (!nw) fail('-E requires old-chain-name and new-chain-name', w, 'iptables/missing-argument', true, 'a new chain name');
          k++;
          newName = nw!.text;
          checkNewChainName(nw!, fail);
        }
        if (c === 'P') {
          const nw = peekFree();
          if (!nw) fail('-P requires a chain and a policy', w, 'iptables/missing-argument', true, 'ACCEPT or DROP');
          k++;
          policy = nw!.text;
        }
        break;
      }
      case 'L':
      case 'S':
      case 'F':
      case 'Z':
      case 'X': {
        setCommand(c, w);
        const cw = arg ?? peekFree();
        if (cw) {
          if (!arg) k++;
          chain = cw.text;
          chainSpan = cw;
          if (c === 'L' || c === 'S' || c === 'Z') {
            const nw = peekFree();
            if (nw) {
              k++;
              ruleNum = parseRuleNum(nw);
            }
          }
        }
        break;
      }
      case 's':
      case 'd':
        setOpt(c, at, inv);
        if (c === 's') src = { text: arg!.text, invert: inv, span: arg! };
        else dst = { text: arg!.text, invert: inv, span: arg! };
        break;
      case 'p': {
        setOpt(c, at, inv);
        const t = arg!.text.toLowerCase();
        const num = parseProto(t);
        if (num === null) fail(`unknown protocol "${arg!.text}" specified`, arg!, 'iptables/unknown-protocol');
        if (num === 0 && inv) fail('rule would never match protocol', at, 'iptables/never-matches');
        proto = { num: num!, invert: inv, span: at };
        break;
      }
      case 'i':
      case 'o': {
        setOpt(c, at, inv);
        const name = arg!.text;
        if (name.length === 0) fail('Empty interface is likely to be undesired', arg!, 'iptables/bad-interface');
        if (name.length > 15) fail(`interface name \`${name}' must be shorter than IFNAMSIZ (15)`, arg!, 'iptables/bad-interface');
        if (c === 'i') inIface = { name, invert: inv };
        else outIface = { name, invert: inv };
        break;
      }
      case 'f':
        setOpt(c, at, inv);
        fragment = { invert: inv };
        break;
      case 'j':
      case 'g': {
        setOpt('j', at, inv);
        const name = arg!.text;
        let l: Loaded | null = null;
        if (!VERDICTS.has(name)) {
          const spec = getTarget(name);
          if (spec) {
            l = { spec, options: spec.init(), isTarget: true, span: arg! };
            loaded.unshift(l);
          } else if (KNOWN_UNMODELLED_TARGETS.has(name)) fail(`not modelled yet: -j ${name}`, arg!, 'iptables/not-modelled', false);
          else if (name.length > 28) fail(`Invalid target name \`${name}' (28 chars max)`, arg!, 'iptables/bad-target');
        }
        target = { name, span: arg!, goto: c === 'g', loaded: l };
        break;
      }
      case 'm': {
        if (inv) fail('unexpected ! flag before --match', at, 'iptables/bad-negation');
        loadMatch(arg!.text, arg!);
        break;
      }
      case 't': {
        if (inv) fail('unexpected ! flag before --table', at, 'iptables/bad-negation');
        if (opts.restoreTable) fail(`The -t option cannot be used in ${opts.program}.\n`, at, 'iptables/table-in-restore');
        if (tableSet) fail('multiple -t flags not allowed', at, 'iptables/duplicate-option');
        if (!(TABLES as readonly string[]).includes(arg!.text))
          fail(`can't initialize iptables table \`${arg!.text}': Table does not exist (do you need to insmod?)`, arg!, 'iptables/unknown-table', true, TABLES.join(', '));
        table = arg!.text as TableName;
        tableSet = true;
        break;
      }
      case 'c': {
        setOpt(c, at, inv);
        const p = arg!.text;
        let b: string | null = null;
        const comma = p.indexOf(',');
        let ptext = p;
        if (comma >= 0) {
          ptext = p.slice(0, comma);
          b = p.slice(comma + 1);
        } else {
          const nw = peekFree();
          if (!nw) fail('-c requires packet and byte counter', w, 'iptables/missing-argument');
          k++;
          b = nw!.text;
        }
        if (!/^\d+$/.test(ptext)) fail('-c packet counter not numeric', arg!, 'iptables/bad-counter');
        if (!/^\d+$/.test(b!)) fail('-c byte counter not numeric', arg!, 'iptables/bad-counter');
        counters = { packets: Number(ptext), bytes: Number(b) };
        break;
      }
      case '6':
        fail('This is the IPv4 version of iptables.', w, 'iptables/ipv6');
        break;
      case 'V':
      case 'h':
        fail(`not modelled yet: ${w.text}`, w, 'iptables/not-modelled', false);
        break;
      default:
        // -n -v -x -w -W -M --line-numbers -4 -b: display and locking options without effect here
        break;
    }
    invert = false;
  };

  const handleExt = (l: Loaded, o: OptionSpec, w: Word, arg: Word | null, arg2: Word | null): void => {
    if (invert && o.invert === false) fail(`${l.spec.name}: option "--${o.name}" cannot be inverted.\n`, invertSpan ?? w, 'iptables/bad-negation');
    const sink: ErrorSink = {
      error: (message, at, code) => fail(message, at ?? arg ?? w, code ?? 'iptables/bad-value'),
    };
    const argText = arg2 ? `${arg!.text} ${arg2.text}` : arg ? arg.text : '';
    const argSpan: Span = arg ? { from: arg.from, to: (arg2 ?? arg).to } : w;
    l.spec.parse(l.options, { name: o.name, arg: argText, invert, span: w, argSpan }, sink);
    invert = false;
  };

  const guard = n + 4;
  for (let steps = 0; k < n && steps < guard * 4; steps++) {
    const w = words[k++]!;
    const t = w.text;
    if (t === '!') {
      if (invert) fail('multiple consecutive ! not allowed', w, 'iptables/bad-negation');
      invert = true;
      invertSpan = w;
      continue;
    }
    if (t === '--') {
      const rest = words[k];
      if (rest) fail(`Bad argument \`${rest.text}'`, rest, 'iptables/bad-argument', false);
      break;
    }
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const name = eq < 0 ? t.slice(2) : t.slice(2, eq);
      const inline = eq < 0 ? null : t.slice(eq + 1);
      let hit = lookupLong(name);
      if (hit === null && proto && !protoUsed && !proto.invert) {
        const pm = protoMatchName(proto.num);
        if (pm) {
          protoUsed = true;
          loadMatch(pm, w);
          hit = lookupLong(name);
        }
      }
      if (hit === 'ambiguous') fail(`option '${t}' is ambiguous`, w, 'iptables/ambiguous-option');
      if (hit === null) fail(`unknown option "${t}"`, w, 'iptables/unknown-option');
      const h = hit as { base?: BaseOpt; ext?: Loaded; opt?: OptionSpec };
      if (h.base) {
        let arg: Word | null = null;
        if (h.base.arg === 1) arg = takeArg(w, inline, t);
        else if (h.base.arg === 2 && inline !== null) arg = takeArg(w, inline, t);
        handleBase(h.base, w, arg);
      } else {
        const o = h.opt!;
        let arg: Word | null = null;
        let arg2: Word | null = null;
        if (o.arg) arg = takeArg(w, inline, `--${o.name}`);
        if (o.arg2) {
          arg2 = peekFree();
          if (!arg2) fail(`--${o.name} requires two args.`, w, 'iptables/missing-argument');
          k++;
        }
        handleExt(h.ext!, o, w, arg, arg2);
      }
      continue;
    }
    if (t.startsWith('-') && t.length > 1) {
      for (let i = 1; i < t.length; i++) {
        const b = SHORT.get(t[i]!);
        if (!b) {
          if (proto && !protoUsed && !proto.invert && protoMatchName(proto.num)) {
            // getopt's "invalid option" still gets the protocol match loaded first (command_default)
            protoUsed = true;
            loadMatch(protoMatchName(proto.num)!, w);
          }
          fail(`unknown option "${t}"`, w, 'iptables/unknown-option');
        }
        const rest = t.slice(i + 1);
        if (b!.arg === 0) {
          handleBase(b!, w, null);
          continue;
        }
        if (rest.length > 0) {
          handleBase(b!, w, { text: rest, from: w.from + i + 1, to: w.to, quoted: w.quoted });
        } else if (b!.arg === 1) {
          handleBase(b!, w, takeArg(w, null, `-${b!.short}`));
        } else handleBase(b!, w, null);
        break;
      }
      continue;
    }
    fail(`Bad argument \`${t}'`, w, 'iptables/bad-argument', false);
  }

  if (invert) fail('nothing appropriate following !', invertSpan ?? span, 'iptables/bad-negation');
  if (kind === null) fail('no command specified', span, 'iptables/no-command', true, '-A, -I, -D, -N, -P, ...');
  const cmdKind = kind as CommandKind;

  const ruleCmd = RULE_COMMANDS.has(cmdKind) && !(cmdKind === 'delete' && ruleNum !== null);
  if (!ruleCmd) {
    for (const [c, at] of seenOpts) if (c !== 'c' || cmdKind !== 'policy') fail(`Illegal option \`-${c}' with this command\n`, at, 'iptables/illegal-option');
    if (matches.length > 0) fail(`Illegal option \`-m' with this command\n`, matches[0]!.span, 'iptables/illegal-option');
  }

  const rules: Rule[] = [];
  let targetSpan: Span | null = null;
  if (ruleCmd) {
    const p = proto as { num: number; invert: boolean; span: Span } | null;
    const head: RuleHead = { proto: p ? p.num : 0, protoInvert: p ? p.invert : false };
    for (const m of matches) runFinal(m, head, fail);
    const tg = target as { name: string; span: Span; goto: boolean; loaded: Loaded | null } | null;
    if (tg?.loaded) runFinal(tg.loaded, head, fail);
    const srcs = src ? parseAddrList(src as { text: string; span: Span }, fail) : [null];
    const dsts = dst ? parseAddrList(dst as { text: string; span: Span }, fail) : [null];
    const matchInstances: MatchInstance[] = matches.map((m) => ({ module: m.spec.name, options: m.options, span: m.span }));
    let targetInst: TargetInstance | null = null;
    if (tg) {
      targetSpan = tg.span;
      const kindOf = tg.name === 'RETURN' ? 'return' : VERDICTS.has(tg.name) ? 'verdict' : tg.loaded ? 'extension' : 'chain';
      targetInst = { name: tg.name, kind: kindOf, options: tg.loaded ? tg.loaded.options : null, span: tg.span };
    }
    const ii = inIface as { name: string; invert: boolean } | null;
    const oi = outIface as { name: string; invert: boolean } | null;
    for (const s of srcs) {
      for (const d of dsts) {
        const r: Rule = { matches: matchInstances, target: targetInst, goto: tg ? tg.goto : false, span };
        if (s && (s.mask !== 0 || (src as { invert: boolean } | null)?.invert)) r.src = { addr: s.addr, mask: s.mask, invert: (src as unknown as { invert: boolean }).invert };
        if (d && (d.mask !== 0 || (dst as { invert: boolean } | null)?.invert)) r.dst = { addr: d.addr, mask: d.mask, invert: (dst as unknown as { invert: boolean }).invert };
        // `-i +` matches every interface: iptables stores an empty mask and prints nothing
        if (ii && !(ii.name === '+' && !ii.invert)) r.inIface = { ...ii };
        if (oi && !(oi.name === '+' && !oi.invert)) r.outIface = { ...oi };
        if (p && (p.num !== 0 || p.invert)) r.proto = { num: p.num, invert: p.invert };
        if (fragment) r.fragment = { ...(fragment as { invert: boolean }) };
        rules.push(r);
      }
    }
  }
  if (cmdKind === 'insert' && ruleNum === null) ruleNum = 1;
  return { kind: cmdKind, table, chain, ruleNum, rules, newName, policy, counters, span, chainSpan, targetSpan };
}

function runFinal(l: Loaded, head: RuleHead, fail: Fail): void {
  if (!l.spec.final) return;
  l.spec.final(l.options, { error: (message, at, code) => fail(message, at ?? l.span, code ?? 'iptables/bad-value') }, head);
}

function checkNewChainName(w: Word, fail: Fail): void {
  const name = w.text;
  if (name.length > 28) fail(`chain name \`${name}' too long (must be under 29 chars)`, w, 'iptables/bad-chain-name');
  if (name.startsWith('-') || name.startsWith('!')) fail("chain name not allowed to start with `-'\n", w, 'iptables/bad-chain-name');
  if (VERDICTS.has(name) || getTarget(name) || KNOWN_UNMODELLED_TARGETS.has(name)) fail('chain name may not clash with target name\n', w, 'iptables/bad-chain-name');
}

interface AddrMask {
  addr: number;
  mask: number;
}

/** xtables_ipparse_multiple: `a[/m][,b[/m]...]`; host names are not resolved here. */
function parseAddrList(sel: { text: string; span: Span }, fail: Fail): AddrMask[] {
  const out: AddrMask[] = [];
  for (const part of sel.text.split(',')) {
    const slash = part.indexOf('/');
    const host = slash < 0 ? part : part.slice(0, slash);
    let mask = 0xffffffff;
    if (slash >= 0) {
      const m = part.slice(slash + 1);
      if (m.includes('.')) {
        const dm = parseIpv4(m);
        if (dm === null) fail(`invalid mask \`${m}' specified`, sel.span, 'iptables/bad-mask');
        mask = dm!;
      } else {
        const len = /^\d{1,2}$/.test(m) ? Number(m) : -1;
        if (len < 0 || len > 32) fail(`invalid mask \`${m}' specified`, sel.span, 'iptables/bad-mask');
        mask = prefixMask(len);
      }
    }
    let a = parseIpv4(host);
    if (a === null && /^\d+$/.test(host) && Number(host) <= 0xffffffff) a = Number(host) >>> 0;
    if (a === null) {
      fail(`host/network \`${host}' not found`, sel.span, 'iptables/host-not-found', true, 'a dotted-quad address (host names are not resolved in the simulator)');
    }
    out.push({ addr: (a! & mask) >>> 0, mask: mask >>> 0 });
  }
  return out;
}

export type { TargetSpec, MatchSpec };

// ---------------------------------------------------------------------------
// Applying a parsed command to a host's Ruleset.

/**
 * Runs the command against `rs` like iptables would (one table commit per
 * command). Returns the diagnostics iptables would print; empty on success.
 */
export function applyIptablesCommand(rs: Ruleset, cmd: IptablesCommand, program = 'iptables'): Diagnostic[] {
  const e = applyCommand(rs, cmd);
  return e ? errorDiagnostics(e, cmd, program) : [];
}

/** Turns a RulesetError into diagnostics pointing at the command. */
export function errorDiagnostics(e: RulesetError, cmd: IptablesCommand, program = 'iptables', at?: Span): Diagnostic[] {
  const span = at ?? (e.code === 'iptables/no-chain' && cmd.chainSpan ? cmd.chainSpan : cmd.span);
  const message = program === 'iptables' ? e.message : e.message.replace(/^iptables:/, `${program}:`);
  const out: Diagnostic[] = [{ from: span.from, to: span.to, severity: 'error', message, source: program, code: e.code }];
  if (e.kernelLog) out.push({ from: span.from, to: span.to, severity: 'info', message: `dmesg: ${e.kernelLog}`, source: 'kernel', code: 'kernel/log' });
  return out;
}

/** The RulesetError of the first failing step, null on success. */
export function applyCommand(rs: Ruleset, cmd: IptablesCommand): RulesetError | null {
  const t = cmd.table;
  const chain = cmd.chain;
  switch (cmd.kind) {
    case 'append':
    case 'insert':
    case 'replace': {
      // an unknown -j name is neither a chain nor an extension: libxtables' error, at parse time
      for (const r of cmd.rules) {
        if (r.target?.kind === 'chain' && !rs.tables[t].chains.has(r.target.name))
          return { message: `iptables ${IPTABLES_VERSION}: Couldn't load target \`${r.target.name}':No such file or directory`, code: 'iptables/unknown-target' };
      }
      for (let i = 0; i < cmd.rules.length; i++) {
        const r = cmd.rules[i]!;
        const e =
          cmd.kind === 'append'
            ? appendRule(rs, t, chain!, r, cmd.counters)
            : cmd.kind === 'insert'
              ? insertRule(rs, t, chain!, (cmd.ruleNum ?? 1) + i, r, cmd.counters)
              : replaceRule(rs, t, chain!, cmd.ruleNum!, r, cmd.counters);
        if (e) return e;
      }
      return null;
    }
    case 'delete':
      if (cmd.ruleNum !== null) return deleteRuleNum(rs, t, chain!, cmd.ruleNum);
      for (const r of cmd.rules) {
        if (r.target?.kind === 'chain' && !rs.tables[t].chains.has(r.target.name))
          return { message: `iptables ${IPTABLES_VERSION}: Couldn't load target \`${r.target.name}':No such file or directory`, code: 'iptables/unknown-target' };
        const e = deleteRuleSpec(rs, t, chain!, r);
        if (e) return e;
      }
      return null;
    case 'check':
      for (const r of cmd.rules) {
        const e = checkRule(rs, t, chain!, r);
        if (e) return e;
      }
      return null;
    case 'new-chain':
      return addChain(rs, t, chain!);
    case 'delete-chain':
      return deleteChain(rs, t, chain);
    case 'rename-chain':
      return renameChain(rs, t, chain!, cmd.newName!);
    case 'flush':
      return flushChain(rs, t, chain);
    case 'zero':
      return zeroCounters(rs, t, chain, cmd.ruleNum);
    case 'policy':
      return setPolicy(rs, t, chain!, cmd.policy!, cmd.counters);
    case 'list':
    case 'list-rules':
      touchTable(rs, t);
      return chain !== null && !rs.tables[t].chains.has(chain) ? { message: `iptables: ${MSG_NO_CHAIN}`, code: 'iptables/no-chain' } : null;
  }
}
