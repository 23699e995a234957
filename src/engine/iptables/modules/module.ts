// pattern: Functional Core
// The contract every match and target extension implements, shaped after
// libxtables' guided option parser (struct xt_option_entry + x6_parse +
// x6_fcheck): the command parser owns getopt, an extension only sees the
// options it declared, one call at a time, and reports problems through a
// sink instead of throwing, so one bad option never hides the next one.

import type { Span } from '../../text/diagnostics';
import type { HookName, TableName } from '../../netfilter/hooks';
import type { MatchModule, Rule } from '../types';

/** One long option an extension declares (`--dport`), like struct option. */
export interface OptionSpec {
  /** without the leading `--` */
  name: string;
  /** true: takes an argument (getopt required_argument) */
  arg: boolean;
  /** takes a second word too (`--tcp-flags MASK COMP`); arg is then "a b" */
  arg2?: boolean;
  /** false when iptables refuses `! --name` ("cannot be inverted") */
  invert?: boolean;
}

/** One occurrence of a declared option on the command line. */
export interface OptionCall {
  name: string;
  /** the argument ('' for options without one) */
  arg: string;
  invert: boolean;
  /** the `--name` word */
  span: Span;
  /** the argument word (the option word when there is none) */
  argSpan: Span;
}

/**
 * Where extensions report problems. `message` is the text after iptables'
 * "iptables v1.8.9 (legacy): " prefix (xtables_error PARAMETER_PROBLEM).
 */
export interface ErrorSink {
  error(message: string, span?: Span, code?: string): void;
}

/** What the IP part of the rule says, for checks that depend on it. */
export interface RuleHead {
  /** protocol number, 0 for any */
  proto: number;
  protoInvert: boolean;
}

/** A checkentry refusal with its errno and dmesg line (null: the kernel logs nothing). */
export interface CheckRefusal {
  errno: 'EINVAL' | 'ENOENT' | 'ERANGE';
  log: string | null;
}

/** Shared by matches and targets: parsing, final checks, kernel checks. */
export interface ExtensionParser<O> {
  name: string;
  options: readonly OptionSpec[];
  /** a fresh options object, filled in by parse() */
  init(): O;
  parse(o: O, call: OptionCall, sink: ErrorSink): void;
  /** x6_fcheck: mandatory options, combinations; runs after all options */
  final?(o: O, sink: ErrorSink, head: RuleHead): void;
  /** hooks the kernel allows (xt_match/xt_target .hooks); absent: all */
  hooks?: readonly HookName[];
  /** the only table the kernel allows (.table); absent: any */
  table?: TableName;
  /**
   * checkentry: a kernel log line (dmesg) when the kernel refuses the rule
   * with EINVAL, a CheckRefusal for another errno or no log line, null when fine.
   * `table` is par->table, for extensions whose checkentry limits the tables itself.
   */
  check?(o: O, rule: Rule, table: TableName): string | CheckRefusal | null;
  /** 'partial': parsed and saved, evaluated conservatively (explain says so) */
  modelled?: 'full' | 'partial';
}

export interface MatchSpec<O = unknown> extends MatchModule<O>, ExtensionParser<O> {
  /** xt_match .proto: the rule must say `-p` this protocol, not inverted */
  proto?: number;
}

export interface TargetSpec<O = unknown> extends ExtensionParser<O> {
  /** the text after `-j NAME` in iptables-save output, '' for none */
  save(o: O): string;
  /**
   * The target's checkentry takes a conntrack reference (nf_ct_netns_get),
   * which switches connection tracking on in the namespace (REPORT.md §5.1).
   */
  needsConntrack?: boolean;
  /** when that depends on the options (CT --notrack does not): overrides needsConntrack */
  needsConntrackFor?(o: O): boolean;
}

// ---------------------------------------------------------------------------
// Helpers the extensions share. None allocate per packet.

/** strtoul-like: a whole decimal (or 0x hex when allowed) number, or null. */
export function parseUInt(text: string, hex = true): number | null {
  if (text.length === 0) return null;
  let v = 0;
  if (hex && text.length > 2 && text[0] === '0' && (text[1] === 'x' || text[1] === 'X')) {
    for (let i = 2; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      else return null;
      v = v * 16 + d;
      if (v > 0xffffffffffff) return null;
    }
    return v;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    v = v * 10 + (c - 48);
    if (v > 0xffffffffffff) return null;
  }
  return v;
}

/** A number in [min, max] (decimal or hex), or null. */
export function parseRange(text: string, min: number, max: number): number | null {
  const v = parseUInt(text);
  return v === null || v < min || v > max ? null : v;
}

const SERVICES: Readonly<Record<string, number>> = {
  ftp: 21, 'ftp-data': 20, ssh: 22, telnet: 23, smtp: 25, domain: 53, http: 80, www: 80,
  pop3: 110, sunrpc: 111, ntp: 123, imap: 143, imap2: 143, snmp: 161, 'snmp-trap': 162,
  bgp: 179, ldap: 389, https: 443, microsoft_ds: 445, syslog: 514, submission: 587,
  ldaps: 636, imaps: 993, pop3s: 995, openvpn: 1194, mysql: 3306, 'ms-wbt-server': 3389,
  bootps: 67, bootpc: 68, tftp: 69, 'netbios-ns': 137, 'netbios-dgm': 138,
  'netbios-ssn': 139, isakmp: 500, rsync: 873, postgresql: 5432, auth: 113, ident: 113,
  finger: 79, kerberos: 88, nntp: 119, 'microsoft-ds': 445, smtps: 465, 'x11': 6000,
  'http-alt': 8080, webcache: 8080, 'ipp': 631, 'sip': 5060, 'xmpp-client': 5222,
};

/** A port number or a service name (getservbyname); null when neither. */
export function parsePort(text: string): number | null {
  const n = parseUInt(text, false);
  if (n !== null) return n <= 65535 ? n : null;
  const s = SERVICES[text];
  return s === undefined ? null : s;
}

/**
 * `a`, `a:b`, `:b`, `a:`, `:` as libxt_tcp's parse_tcp_ports reads them.
 * Errors use xtables_parse_port's text.
 */
export function parsePortRange(
  text: string,
  sink: ErrorSink,
  span: Span,
  ext: string,
): [number, number] | null {
  const colon = text.indexOf(':');
  if (colon < 0) {
    const p = parsePort(text);
    if (p === null) {
      sink.error(`invalid port/service \`${text}' specified`, span);
      return null;
    }
    return [p, p];
  }
  const a = text.slice(0, colon);
  const b = text.slice(colon + 1);
  const lo = a === '' ? 0 : parsePort(a);
  const hi = b === '' ? 65535 : parsePort(b);
  if (lo === null || hi === null) {
    sink.error(`invalid port/service \`${lo === null ? a : b}' specified`, span);
    return null;
  }
  if (lo > hi) {
    sink.error(`${ext}: invalid portrange (min > max)`, span);
    return null;
  }
  return [lo, hi];
}

export function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

/** `value[/mask]` as xtables' XTTYPE_MARKMASK32 reads it; mask defaults to all ones. */
export function parseMarkMask(text: string): { value: number; mask: number; hasMask: boolean } | null {
  const slash = text.indexOf('/');
  const v = parseUInt(slash < 0 ? text : text.slice(0, slash));
  if (v === null || v > 0xffffffff) return null;
  if (slash < 0) return { value: v >>> 0, mask: 0xffffffff, hasMask: false };
  const m = parseUInt(text.slice(slash + 1));
  if (m === null || m > 0xffffffff) return null;
  return { value: v >>> 0, mask: m >>> 0, hasMask: true };
}

/** A rule's protocol selector in the form checks want. */
export function ruleHead(rule: Rule): RuleHead {
  return { proto: rule.proto ? rule.proto.num : 0, protoInvert: rule.proto ? rule.proto.invert : false };
}

/**
 * Prints a save argument like libxtables' xtables_save_string: bare when it
 * is only [A-Za-z0-9_-], else double-quoted with `"`, `\` and `'` escaped.
 */
export function saveString(value: string): string {
  let plain = value.length > 0;
  for (let i = 0; i < value.length && plain; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95)) plain = false;
  }
  if (plain) return value;
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '"' || ch === '\\' || ch === "'") out += '\\';
    out += ch;
  }
  return out + '"';
}
