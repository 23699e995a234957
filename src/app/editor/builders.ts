// pattern: Functional Core
// Forms to commands: every form in the Configuration region builds the one
// command a user would type on a real machine, shown live under the form
// and applied through the same engine path as the console. The builders do
// not judge values (the engine does, with the real tool's message); they
// only put the words in the order the tools expect and quote what a shell
// would split.

import type { TableName } from '../../vocabulary/netfilter';

export type { TableName };

/** A word as a shell would need it: quoted when it has spaces, quotes or shell characters. */
export function shellWord(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./^-]+$/.test(s)) return s;
  return `"${s.replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
}

const trimmed = (s: string | undefined) => (s ?? '').trim();

// ---------------------------------------------------------------- iptables

export interface OptionValue {
  /** without `--` */
  name: string;
  arg: string;
  /** the second word of a two-word option (`--tcp-flags MASK COMP`) */
  arg2?: string;
  invert: boolean;
}

export interface ExtensionUse {
  name: string;
  options: OptionValue[];
}

export interface RuleForm {
  table: TableName;
  chain: string;
  /** append, or insert at `rulenum` (1-based) */
  position: 'append' | 'insert';
  rulenum: string;
  proto: string;
  protoInvert: boolean;
  src: string;
  srcInvert: boolean;
  dst: string;
  dstInvert: boolean;
  inIface: string;
  inInvert: boolean;
  outIface: string;
  outInvert: boolean;
  /** --sport / --dport of the protocol's own match (PORT_PROTOCOLS), written after `-p PROTO` as one types it */
  sport: string;
  sportInvert: boolean;
  dport: string;
  dportInvert: boolean;
  matches: ExtensionUse[];
  /** -j or -g */
  jump: 'jump' | 'goto';
  /** '' for a rule without a target */
  target: string;
  targetOptions: OptionValue[];
}

/**
 * The protocols whose match of the same name has --sport and --dport.
 * iptables loads that match by itself when one of its options follows
 * `-p PROTO` (iptables(8): "-p … the match of the protocol is loaded
 * implicitly"; xtables.c load_proto), so `-p tcp --dport 80` is a whole
 * rule and iptables-save prints it as `-p tcp -m tcp --dport 80`.
 */
export const PORT_PROTOCOLS: readonly string[] = ['tcp', 'udp', 'sctp', 'dccp'];

export function emptyRuleForm(table: TableName = 'filter', chain = 'INPUT'): RuleForm {
  return {
    table,
    chain,
    position: 'append',
    rulenum: '1',
    proto: '',
    protoInvert: false,
    src: '',
    srcInvert: false,
    dst: '',
    dstInvert: false,
    inIface: '',
    inInvert: false,
    outIface: '',
    outInvert: false,
    sport: '',
    sportInvert: false,
    dport: '',
    dportInvert: false,
    matches: [],
    jump: 'jump',
    target: 'ACCEPT',
    targetOptions: [],
  };
}

/**
 * The form field a word of a built command came from: a selector
 * (`proto`, `src`, `dst`, `in`, `out`, `sport`, `dport`, `rulenum`,
 * `target`), an option of the k-th match (`match.K.NAME`) or of the target
 * (`target.NAME`). An error the engine reports on those characters is
 * shown on that field.
 */
export type RuleField = string;

export interface Word {
  text: string;
  field?: RuleField;
}

/** Where a field's words sit in a command: [from, to) character offsets. */
export interface FieldSpan {
  field: RuleField;
  from: number;
  to: number;
}

function optionWords(o: OptionValue, takesArg: boolean | undefined, field: RuleField): Word[] {
  const w: Word[] = (o.invert ? ['!', `--${o.name}`] : [`--${o.name}`]).map((text) => ({ text, field }));
  if (takesArg === false) return w;
  // arguments keep their spaces: `--log-prefix "dropped: "` means the space
  if (o.arg !== '' || takesArg) w.push({ text: shellWord(o.arg), field });
  if (o.arg2 !== undefined) w.push({ text: shellWord(o.arg2), field });
  return w;
}

/** The port options of the form, as the protocol's match takes them. */
function portOptions(f: RuleForm): { option: OptionValue; field: RuleField }[] {
  if (!PORT_PROTOCOLS.includes(trimmed(f.proto)) || f.protoInvert) return [];
  const out: { option: OptionValue; field: RuleField }[] = [];
  if (trimmed(f.sport) !== '') out.push({ option: { name: 'sport', arg: trimmed(f.sport), invert: f.sportInvert }, field: 'sport' });
  if (trimmed(f.dport) !== '') out.push({ option: { name: 'dport', arg: trimmed(f.dport), invert: f.dportInvert }, field: 'dport' });
  return out;
}

function specWords(f: RuleForm, takesArg: (ext: string, opt: string) => boolean | undefined): Word[] {
  const w: Word[] = [];
  const sel = (flag: string, value: string, invert: boolean, field: RuleField) => {
    if (trimmed(value) === '') return;
    if (invert) w.push({ text: '!', field });
    w.push({ text: flag, field }, { text: shellWord(trimmed(value)), field });
  };
  sel('-p', f.proto, f.protoInvert, 'proto');
  sel('-s', f.src, f.srcInvert, 'src');
  sel('-d', f.dst, f.dstInvert, 'dst');
  sel('-i', f.inIface, f.inInvert, 'in');
  sel('-o', f.outIface, f.outInvert, 'out');
  const ports = portOptions(f);
  // with the protocol's match added by hand as well, the ports go into it rather than into a second one
  const explicit = f.matches.findIndex((m) => m.name === trimmed(f.proto));
  if (explicit < 0) for (const p of ports) w.push(...optionWords(p.option, true, p.field));
  f.matches.forEach((m, k) => {
    w.push({ text: '-m' }, { text: m.name });
    if (k === explicit) for (const p of ports) w.push(...optionWords(p.option, true, p.field));
    for (const o of m.options) w.push(...optionWords(o, takesArg(m.name, o.name), `match.${k}.${o.name}`));
  });
  if (trimmed(f.target) !== '') {
    w.push({ text: f.jump === 'goto' ? '-g' : '-j', field: 'target' }, { text: trimmed(f.target), field: 'target' });
    for (const o of f.targetOptions) w.push(...optionWords(o, takesArg(trimmed(f.target), o.name), `target.${o.name}`));
  }
  return w;
}

/**
 * The words after `-A CHAIN` (or `-I CHAIN N`): the rule as one would type
 * it, in the order the form lists it. `takesArg(ext, opt)` says whether an
 * option has an argument (from the registries); unknown: written when
 * filled in.
 */
export function ruleSpec(f: RuleForm, takesArg: (ext: string, opt: string) => boolean | undefined = () => undefined): string {
  return specWords(f, takesArg)
    .map((w) => w.text)
    .join(' ');
}

const tableWords = (table: TableName) => (table === 'filter' ? [] : ['-t', table]);

/** The command and where each field's words are in it, so the engine's diagnostics can be shown on the fields. */
export function ruleCommandSpans(f: RuleForm, takesArg: (ext: string, opt: string) => boolean | undefined = () => undefined): { command: string; spans: FieldSpan[] } {
  const head: Word[] = ['iptables', ...tableWords(f.table)].map((text) => ({ text }));
  const where: Word[] = f.position === 'insert' ? [{ text: '-I' }, { text: f.chain }, { text: trimmed(f.rulenum) || '1', field: 'rulenum' }] : [{ text: '-A' }, { text: f.chain }];
  const words = [...head, ...where, ...specWords(f, takesArg)];
  return joinWords(words);
}

/** The command the words make, and where each field's words sit in it (a field's adjacent words share one span). */
export function joinWords(words: readonly Word[]): { command: string; spans: FieldSpan[] } {
  const spans: FieldSpan[] = [];
  let at = 0;
  for (const w of words) {
    const last = spans[spans.length - 1];
    if (w.field !== undefined) {
      if (last && last.field === w.field && last.to === at - 1) last.to = at + w.text.length;
      else spans.push({ field: w.field, from: at, to: at + w.text.length });
    }
    at += w.text.length + 1;
  }
  return { command: words.map((w) => w.text).join(' '), spans };
}

export function ruleCommand(f: RuleForm, takesArg?: (ext: string, opt: string) => boolean | undefined): string {
  return ruleCommandSpans(f, takesArg).command;
}

/** The field whose words hold the characters a diagnostic is about, or null (the whole command, a word of no field). */
export function fieldOf(spans: readonly FieldSpan[], d: { from: number; to: number }): RuleField | null {
  const hit = spans.find((s) => d.from >= s.from && d.to <= s.to && d.to > d.from);
  return hit ? hit.field : null;
}

export type ChainOp = 'new' | 'rename' | 'delete' | 'flush' | 'policy' | 'zero';

/** -N, -E, -X, -F, -P, -Z on one chain; `arg` is the new name or the policy. */
export function chainCommand(op: ChainOp, table: TableName, chain: string, arg = ''): string {
  const t = tableWords(table);
  const c = shellWord(trimmed(chain));
  switch (op) {
    case 'new':
      return ['iptables', ...t, '-N', c].join(' ');
    case 'rename':
      return ['iptables', ...t, '-E', c, shellWord(trimmed(arg))].join(' ');
    case 'delete':
      return ['iptables', ...t, '-X', c].join(' ');
    case 'flush':
      return ['iptables', ...t, '-F', c].join(' ');
    case 'zero':
      return ['iptables', ...t, '-Z', c].join(' ');
    case 'policy':
      return ['iptables', ...t, '-P', c, trimmed(arg) || 'ACCEPT'].join(' ');
  }
}

export function deleteRuleCommand(table: TableName, chain: string, rulenum: number): string {
  return ['iptables', ...tableWords(table), '-D', chain, String(rulenum)].join(' ');
}

/**
 * Moving rule `from` to position `to` (both 1-based, `to` counted in the
 * final chain): iptables has no move, so it is a delete and an insert, as
 * one would do by hand. `spec` is the rule as iptables-save prints it after
 * `-A CHAIN`.
 */
export function moveRuleCommands(table: TableName, chain: string, from: number, to: number, spec: string): string[] {
  if (from === to) return [];
  return [deleteRuleCommand(table, chain, from), ['iptables', ...tableWords(table), '-I', chain, String(to), spec].join(' ')];
}

// ---------------------------------------------------------------- ip

export interface AddrForm {
  op: 'add' | 'del';
  /** ADDR/PREFIX */
  address: string;
  dev: string;
  broadcast?: string;
  scope?: string;
}

export function ipAddrCommand(f: AddrForm): string {
  const w = ['ip', 'addr', f.op, trimmed(f.address)];
  if (trimmed(f.broadcast)) w.push('brd', trimmed(f.broadcast));
  if (trimmed(f.scope)) w.push('scope', trimmed(f.scope));
  w.push('dev', trimmed(f.dev));
  return w.join(' ');
}

export interface LinkForm {
  dev: string;
  state: '' | 'up' | 'down';
  mtu: string;
}

export function ipLinkCommand(f: LinkForm): string {
  const w = ['ip', 'link', 'set', 'dev', trimmed(f.dev)];
  if (f.state) w.push(f.state);
  if (trimmed(f.mtu)) w.push('mtu', trimmed(f.mtu));
  return w.join(' ');
}

export const ROUTE_TYPES = ['unicast', 'blackhole', 'unreachable', 'prohibit', 'local', 'throw'] as const;
export type RouteType = (typeof ROUTE_TYPES)[number];

export interface RouteForm {
  op: 'add' | 'del' | 'replace';
  type: RouteType;
  /** PREFIX or `default` */
  dst: string;
  via: string;
  dev: string;
  src: string;
  metric: string;
  /** '' or `main`: the main table */
  table: string;
  scope: string;
}

export function emptyRouteForm(): RouteForm {
  return { op: 'add', type: 'unicast', dst: '', via: '', dev: '', src: '', metric: '', table: '', scope: '' };
}

export function ipRouteCommand(f: RouteForm): string {
  const w = ['ip', 'route', f.op];
  if (f.type !== 'unicast') w.push(f.type);
  w.push(trimmed(f.dst) || 'default');
  // only unicast and local routes have a gateway or a device of their own
  if (f.type === 'unicast' && trimmed(f.via)) w.push('via', trimmed(f.via));
  if ((f.type === 'unicast' || f.type === 'local') && trimmed(f.dev)) w.push('dev', trimmed(f.dev));
  if (trimmed(f.src)) w.push('src', trimmed(f.src));
  if (trimmed(f.metric)) w.push('metric', trimmed(f.metric));
  if (trimmed(f.scope)) w.push('scope', trimmed(f.scope));
  if (trimmed(f.table) && trimmed(f.table) !== 'main') w.push('table', trimmed(f.table));
  return w.join(' ');
}

export const RULE_ACTIONS = ['lookup', 'blackhole', 'unreachable', 'prohibit', 'goto', 'nop'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

export interface IpRuleForm {
  op: 'add' | 'del';
  priority: string;
  not: boolean;
  from: string;
  to: string;
  iif: string;
  oif: string;
  fwmark: string;
  mask: string;
  tos: string;
  ipproto: string;
  sport: string;
  dport: string;
  action: RuleAction;
  /** table for lookup, priority for goto */
  table: string;
}

export function emptyIpRuleForm(): IpRuleForm {
  return { op: 'add', priority: '', not: false, from: '', to: '', iif: '', oif: '', fwmark: '', mask: '', tos: '', ipproto: '', sport: '', dport: '', action: 'lookup', table: 'main' };
}

export function ipRuleCommand(f: IpRuleForm): string {
  const w = ['ip', 'rule', f.op];
  if (trimmed(f.priority)) w.push('priority', trimmed(f.priority));
  if (f.not) w.push('not');
  const pairs: [string, string][] = [
    ['from', f.from],
    ['to', f.to],
    ['iif', f.iif],
    ['oif', f.oif],
  ];
  for (const [k, v] of pairs) if (trimmed(v)) w.push(k, trimmed(v));
  if (trimmed(f.fwmark)) w.push('fwmark', trimmed(f.mask) ? `${trimmed(f.fwmark)}/${trimmed(f.mask)}` : trimmed(f.fwmark));
  for (const [k, v] of [
    ['tos', f.tos],
    ['ipproto', f.ipproto],
    ['sport', f.sport],
    ['dport', f.dport],
  ] as const)
    if (trimmed(v)) w.push(k, trimmed(v));
  if (f.action === 'lookup') w.push('lookup', trimmed(f.table) || 'main');
  else if (f.action === 'goto') w.push('goto', trimmed(f.table));
  else w.push(f.action);
  return w.join(' ');
}

/**
 * `ip rule del` for a rule of `ip rule show`: the selector and action as
 * printed ("from all lookup main"), with the priority, so exactly that rule
 * goes.
 */
export function ipRuleDeleteCommand(priority: number, selector: string): string {
  return `ip rule del priority ${priority} ${selector}`;
}

/** `ip route del` for a route as `ip route show` prints it: the route's own words (a multipath route's nexthops too) select it. */
export function ipRouteDeleteCommand(shown: string): string | null {
  const t = shown.trim().replace(/\s+/g, ' ');
  return t ? `ip route del ${t}` : null;
}

export function sysctlCommand(key: string, value: string): string {
  return `sysctl -w ${trimmed(key)}=${trimmed(value)}`;
}
