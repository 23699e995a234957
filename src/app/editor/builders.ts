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
  matches: ExtensionUse[];
  /** -j or -g */
  jump: 'jump' | 'goto';
  /** '' for a rule without a target */
  target: string;
  targetOptions: OptionValue[];
}

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
    matches: [],
    jump: 'jump',
    target: 'ACCEPT',
    targetOptions: [],
  };
}

function optionWords(o: OptionValue, takesArg: boolean | undefined): string[] {
  const w = o.invert ? ['!', `--${o.name}`] : [`--${o.name}`];
  if (takesArg === false) return w;
  // arguments keep their spaces: `--log-prefix "dropped: "` means the space
  if (o.arg !== '' || takesArg) w.push(shellWord(o.arg));
  if (o.arg2 !== undefined) w.push(shellWord(o.arg2));
  return w;
}

/**
 * The words after `-A CHAIN` (or `-I CHAIN N`): what `iptables -S` would
 * print for the rule, in the order the form lists it. `takesArg(ext, opt)`
 * says whether an option has an argument (from the registries); unknown:
 * written when filled in.
 */
export function ruleSpec(f: RuleForm, takesArg: (ext: string, opt: string) => boolean | undefined = () => undefined): string {
  const w: string[] = [];
  const sel = (flag: string, value: string, invert: boolean) => {
    if (trimmed(value) === '') return;
    if (invert) w.push('!');
    w.push(flag, shellWord(trimmed(value)));
  };
  sel('-p', f.proto, f.protoInvert);
  sel('-s', f.src, f.srcInvert);
  sel('-d', f.dst, f.dstInvert);
  sel('-i', f.inIface, f.inInvert);
  sel('-o', f.outIface, f.outInvert);
  for (const m of f.matches) {
    w.push('-m', m.name);
    for (const o of m.options) w.push(...optionWords(o, takesArg(m.name, o.name)));
  }
  if (trimmed(f.target) !== '') {
    w.push(f.jump === 'goto' ? '-g' : '-j', trimmed(f.target));
    for (const o of f.targetOptions) w.push(...optionWords(o, takesArg(trimmed(f.target), o.name)));
  }
  return w.join(' ');
}

const tableWords = (table: TableName) => (table === 'filter' ? [] : ['-t', table]);

export function ruleCommand(f: RuleForm, takesArg?: (ext: string, opt: string) => boolean | undefined): string {
  const where = f.position === 'insert' ? ['-I', f.chain, trimmed(f.rulenum) || '1'] : ['-A', f.chain];
  const spec = ruleSpec(f, takesArg);
  return ['iptables', ...tableWords(f.table), ...where, ...(spec ? [spec] : [])].join(' ');
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
