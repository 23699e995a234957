// pattern: Functional Core
// `ip rule add|delete|flush|show` as iproute2 6.1's iprule.c parses it, the
// kernel's fib rules (fib_rules.c: default priorities, EEXIST, backward
// goto), and `ip rule show` printed like 6.1.

import type { Diagnostic } from '../text/diagnostics';
import type { Word } from '../text/shlex';
import type { Prefix } from './addr';
import { formatIpv4 } from './addr';
import type { FibRule, HostNet, PortRange, RuleAction } from './config';
import { RT_TABLE_MAIN, emptyRule, findLink, tableName } from './config';
import type { BaseFields, Cursor, IpBase, WordRef } from './ip-args';
import { kernelError, matches, parsePortRange, parseU32, prefixArg, ref, validIfname } from './ip-args';
import { dsfieldName, formatRealms, ipprotoName, IPPROTOS, parseDsfield, parseRealms, resolveTable } from './rt-names';

export interface IpRuleCommand extends IpBase {
  object: 'rule';
  verb: 'add' | 'delete' | 'flush' | 'show';
  not: boolean;
  from: Prefix | null;
  to: Prefix | null;
  priority: number | null;
  tos: number | null;
  fwmark: number | null;
  fwmask: number | null;
  iif: string | null;
  oif: string | null;
  ipproto: number | null;
  sport: PortRange | null;
  dport: PortRange | null;
  uidrange: PortRange | null;
  table: WordRef | null;
  action: RuleAction | null;
  goto: number | null;
  suppressPrefixLength: number | null;
  /** `realms [FROM/]TO` (FRA_FLOW) */
  realms: number | null;
}

/** The verbs do_iprule() tests, in its order; [word, verb, exact?]. */
export const RULE_VERBS: readonly [string, string, boolean][] = [
  ['list', 'show', false],
  ['lst', 'show', false],
  ['show', 'show', false],
  ['save', '', false],
  ['restore', '', false],
  ['add', 'add', false],
  ['delete', 'delete', false],
  ['flush', 'flush', false],
];

export function parseRule(c: Cursor, b: BaseFields, verb: IpRuleCommand['verb']): IpRuleCommand {
  const cmd: IpRuleCommand = {
    span: b.span,
    inet: b.inet,
    verbSpan: b.verbSpan,
    object: 'rule',
    verb,
    not: false,
    from: null,
    to: null,
    priority: null,
    tos: null,
    fwmark: null,
    fwmask: null,
    iif: null,
    oif: null,
    ipproto: null,
    sport: null,
    dport: null,
    uidrange: null,
    table: null,
    action: null,
    goto: null,
    suppressPrefixLength: null,
    realms: null,
  };
  while (!c.done && !c.failed) {
    const w = c.take();
    const t = w.text;
    if (t === 'not') cmd.not = true;
    else if (t === 'from' || t === 'to') {
      const a = c.arg(w, 'a prefix or all');
      if (!a) break;
      const p = prefixArg(c, a, b.inet);
      if (p) {
        if (t === 'from') cmd.from = p;
        else cmd.to = p;
      }
    } else if (t === 'preference' || t === 'order' || t === 'priority' || t === 'pref' || t === 'prio') {
      const a = c.arg(w, 'a priority');
      if (!a) break;
      const n = parseU32(a.text);
      if (n === null) c.invarg(a, 'preference value is invalid');
      else cmd.priority = n;
    } else if (t === 'tos' || (matches(t, 'dsfield') && t !== '')) {
      const a = c.arg(w, 'a TOS value');
      if (!a) break;
      const v = parseDsfield(a.text);
      if (v === null) c.invarg(a, 'TOS value is invalid');
      else cmd.tos = v;
    } else if (t === 'fwmark') {
      const a = c.arg(w, 'MARK[/MASK]');
      if (!a) break;
      const [markText, maskText] = a.text.split('/', 2) as [string, string | undefined];
      const mark = parseU32(markText);
      if (mark === null) {
        c.invarg(a, 'fwmark value is invalid');
        break;
      }
      cmd.fwmark = mark;
      if (maskText !== undefined) {
        const mask = parseU32(maskText);
        if (mask === null) c.invarg(a, 'fwmask value is invalid');
        else cmd.fwmask = mask;
      }
    } else if ((matches(t, 'table') && t !== '') || t === 'lookup') {
      const a = c.arg(w, 'a table name or id');
      if (!a) break;
      cmd.table = ref(a);
    } else if (matches(t, 'realms') && t !== '') {
      const a = c.arg(w, 'a realm');
      if (!a) break;
      const v = parseRealms(a.text);
      if (v === null) c.invarg(a, 'invalid realms');
      else cmd.realms = v;
    } else if ((matches(t, 'suppress_prefixlength') && t !== '') || t === 'sup_pl') {
      const a = c.arg(w, 'a prefix length');
      if (!a) break;
      const n = parseU32(a.text);
      if (n === null) c.invarg(a, 'suppress_prefixlength value is invalid');
      else cmd.suppressPrefixLength = n;
    } else if (t === 'dev' || t === 'iif') {
      // iprule.c: check_ifname, as for a new device's name
      const a = c.arg(w, 'an interface name');
      if (a && !validIfname(a.text)) c.invarg(a, '"iif"/"dev" not a valid ifname');
      else if (a) cmd.iif = a.text;
    } else if (t === 'oif') {
      const a = c.arg(w, 'an interface name');
      if (a && !validIfname(a.text)) c.invarg(a, '"oif" not a valid ifname');
      else if (a) cmd.oif = a.text;
    } else if (t === 'ipproto') {
      const a = c.arg(w, 'a protocol');
      if (!a) break;
      const p = IPPROTOS[a.text] ?? parseU32(a.text);
      if (p === null || p === undefined || p > 255) c.invarg(a, 'Invalid "ipproto" value');
      else cmd.ipproto = p;
    } else if (t === 'uidrange') {
      const a = c.arg(w, 'UID-UID');
      if (!a) break;
      const m = /^(\d+)-(\d+)$/.exec(a.text);
      if (!m) c.invarg(a, 'invalid UID range');
      else cmd.uidrange = { start: Number(m[1]), end: Number(m[2]) };
    } else if (t === 'sport' || t === 'dport') {
      const a = c.arg(w, 'PORT[-PORT]');
      if (!a) break;
      const r = parsePortRange(a.text);
      if (r === null) c.invarg(a, 'invalid port range');
      else if (t === 'sport') cmd.sport = r;
      else cmd.dport = r;
    } else {
      let a: Word | null = w;
      if (t === 'type') a = c.arg(w, 'a rule type');
      if (!a) break;
      if (matches(a.text, 'goto') && a.text !== '') {
        const g = c.arg(a, 'a target priority');
        if (!g) break;
        const n = parseU32(g.text);
        if (n === null) c.invarg(g, 'invalid target');
        else {
          cmd.action = 'goto';
          cmd.goto = n;
        }
      } else if (matches(a.text, 'nop') && a.text !== '') cmd.action = 'nop';
      else if (a.text === 'blackhole' || a.text === 'unreachable' || a.text === 'prohibit') cmd.action = a.text;
      else if (a.text === 'unicast') cmd.action = 'lookup';
      else c.invarg(a, 'Failed to parse rule type');
    }
  }
  return cmd;
}

export function applyRule(net: HostNet, cmd: IpRuleCommand): Diagnostic[] {
  if (cmd.verb === 'show') return [];
  let table: number | null = null;
  if (cmd.table !== null) {
    table = resolveTable(net, cmd.table.text);
    if (table === null) return [kernelError(cmd.table, `Error: argument "${cmd.table.text}" is wrong: invalid table ID`, 'ip/invalid-table')];
  }
  if (cmd.verb === 'flush') {
    net.rules = net.rules.filter((r) => r.priority === 0);
    net.customRules = true;
    return [];
  }
  if (cmd.verb === 'delete') {
    const idx = net.rules.findIndex((r) => ruleMatchesDelete(r, cmd, table));
    if (idx < 0) return [kernelError(cmd.span, 'RTNETLINK answers: No such file or directory', 'ip/no-rule')];
    net.rules.splice(idx, 1);
    net.customRules = true;
    return [];
  }
  const rule = emptyRule();
  rule.not = cmd.not;
  // the kernel keeps host bits of a rule's prefix (matching masks them) and prints them back
  rule.from = cmd.from && cmd.from.len > 0 ? { addr: cmd.from.addr, len: cmd.from.len } : null;
  rule.to = cmd.to && cmd.to.len > 0 ? { addr: cmd.to.addr, len: cmd.to.len } : null;
  rule.iif = cmd.iif;
  rule.oif = cmd.oif;
  rule.fwmark = cmd.fwmark ?? (cmd.fwmask !== null ? 0 : null);
  rule.fwmask = cmd.fwmask ?? 0xffffffff;
  rule.tos = cmd.tos ?? 0;
  rule.ipproto = cmd.ipproto;
  rule.sport = cmd.sport;
  rule.dport = cmd.dport;
  rule.uidrange = cmd.uidrange;
  rule.action = cmd.action ?? 'lookup';
  rule.table = rule.action === 'lookup' ? (table ?? RT_TABLE_MAIN) : 0;
  rule.goto = cmd.goto;
  rule.suppressPrefixLength = cmd.suppressPrefixLength ?? -1;
  if (cmd.realms) rule.tclassid = cmd.realms;
  // fib4_rule_default_pref: one below the second rule's priority
  rule.priority = cmd.priority ?? defaultPriority(net);
  if (rule.action === 'goto' && (rule.goto === null || rule.goto <= rule.priority)) {
    return [kernelError(cmd.span, 'Error: Backward goto not supported.', 'ip/backward-goto')];
  }
  if (net.rules.some((r) => sameRule(r, rule))) return [kernelError(cmd.span, 'RTNETLINK answers: File exists', 'ip/exists')];
  let at = net.rules.length;
  for (let i = 0; i < net.rules.length; i++) {
    if (net.rules[i]!.priority > rule.priority) {
      at = i;
      break;
    }
  }
  net.rules.splice(at, 0, rule);
  net.customRules = true;
  return [];
}

function defaultPriority(net: HostNet): number {
  const second = net.rules[1];
  return second && second.priority > 0 ? second.priority - 1 : 0;
}

function samePrefix(a: Prefix | null, b: Prefix | null): boolean {
  return a === null ? b === null : b !== null && a.addr === b.addr && a.len === b.len;
}

function sameRule(a: FibRule, b: FibRule): boolean {
  return (
    a.priority === b.priority &&
    a.not === b.not &&
    a.action === b.action &&
    a.table === b.table &&
    a.goto === b.goto &&
    samePrefix(a.from, b.from) &&
    samePrefix(a.to, b.to) &&
    a.iif === b.iif &&
    a.oif === b.oif &&
    a.fwmark === b.fwmark &&
    a.fwmask === b.fwmask &&
    a.tos === b.tos &&
    a.ipproto === b.ipproto &&
    a.suppressPrefixLength === b.suppressPrefixLength &&
    (a.tclassid ?? 0) === (b.tclassid ?? 0) &&
    JSON.stringify(a.sport) === JSON.stringify(b.sport) &&
    JSON.stringify(a.dport) === JSON.stringify(b.dport) &&
    JSON.stringify(a.uidrange) === JSON.stringify(b.uidrange)
  );
}

function ruleMatchesDelete(r: FibRule, cmd: IpRuleCommand, table: number | null): boolean {
  if (cmd.priority !== null && r.priority !== cmd.priority) return false;
  if (cmd.not && !r.not) return false;
  if (cmd.action !== null && r.action !== cmd.action) return false;
  if (table !== null && r.table !== table) return false;
  if (cmd.from !== null && cmd.from.len > 0 && !samePrefix(r.from, cmd.from)) return false;
  if (cmd.to !== null && cmd.to.len > 0 && !samePrefix(r.to, cmd.to)) return false;
  if (cmd.iif !== null && r.iif !== cmd.iif) return false;
  if (cmd.oif !== null && r.oif !== cmd.oif) return false;
  if (cmd.fwmark !== null && r.fwmark !== cmd.fwmark) return false;
  if (cmd.fwmask !== null && r.fwmask !== cmd.fwmask) return false;
  if (cmd.tos !== null && r.tos !== cmd.tos) return false;
  if (cmd.ipproto !== null && r.ipproto !== cmd.ipproto) return false;
  if (cmd.realms && (r.tclassid ?? 0) !== cmd.realms) return false;
  return true;
}

function formatHex(n: number): string {
  // C's %#x: 0 prints as "0"
  return n === 0 ? '0' : `0x${n.toString(16)}`;
}

function formatRulePrefix(p: Prefix): string {
  return p.len === 32 ? formatIpv4(p.addr) : `${formatIpv4(p.addr)}/${p.len}`;
}

/** `ip rule show` as iproute2 6.1 prints it ("PRIO:\tfrom all lookup local", no trailing space). */
export function formatRules(net: HostNet): string {
  let out = '';
  for (const r of net.rules) out += `${r.priority}:\t${formatRuleSelector(net, r)}\n`;
  return out;
}

/** What `ip rule show` prints after `PRIORITY:\t`: the selector and the action, which `ip rule del` takes back. */
export function formatRuleSelector(net: HostNet, r: FibRule): string {
  const parts: string[] = [];
  if (r.not) parts.push('not');
  parts.push('from', r.from ? formatRulePrefix(r.from) : 'all');
  if (r.to) parts.push('to', formatRulePrefix(r.to));
  if (r.tos) parts.push('tos', dsfieldName(r.tos));
  if (r.fwmark !== null) parts.push('fwmark', r.fwmask !== 0xffffffff ? `${formatHex(r.fwmark)}/${formatHex(r.fwmask)}` : formatHex(r.fwmark));
  if (r.iif !== null) parts.push('iif', findLink(net, r.iif) ? r.iif : `${r.iif} [detached]`);
  if (r.oif !== null) parts.push('oif', findLink(net, r.oif) ? r.oif : `${r.oif} [detached]`);
  if (r.uidrange) parts.push('uidrange', `${r.uidrange.start}-${r.uidrange.end}`);
  if (r.ipproto !== null) parts.push('ipproto', ipprotoName(r.ipproto));
  if (r.sport) parts.push('sport', r.sport.start === r.sport.end ? String(r.sport.start) : `${r.sport.start}-${r.sport.end}`);
  if (r.dport) parts.push('dport', r.dport.start === r.dport.end ? String(r.dport.start) : `${r.dport.start}-${r.dport.end}`);
  if (r.action === 'lookup') {
    parts.push('lookup', tableName(net, r.table));
    if (r.suppressPrefixLength >= 0) parts.push('suppress_prefixlength', String(r.suppressPrefixLength));
    if (r.tclassid) parts.push(formatRealms(r.tclassid).replace(/^realm /, 'realms '));
  } else if (r.action === 'goto') parts.push('goto', r.goto === null ? 'none' : String(r.goto));
  else parts.push(r.action);
  return parts.join(' ');
}
