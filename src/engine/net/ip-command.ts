// pattern: Functional Core
// `ip [-4] link|address|route|rule|neigh ...` as iproute2 6.1 parses it
// (ip/ip.c, iplink.c, ipaddress.c, iproute.c, iprule.c, ipneigh.c), applied
// to a HostNet with the kernel's answers, and `ip route show` / `ip rule
// show` printed byte for byte like 6.1 (see the GENERATED transcript in
// corpus/iproute2/commands/cheatsheet-route-rule.transcript.txt).
//
// iproute2 matches objects and most verbs by unique-prefix-in-table-order
// (`matches()`: "r" is route because route comes before rule), but many
// keywords with strcmp; each keyword below uses what 6.1 uses.
//
// Message catalogue (iproute2 / kernel texts):
//   Object "x" is unknown, try "ip help".                      ip.c
//   Command "x" is unknown, try "ip route help".               iproute.c
//   Command line is not complete. Try option "help"            NEXT_ARG
//   Error: either "to" is duplicate, or "x" is a garbage.      duparg2
//   Error: argument "x" is wrong: "table" value is invalid     invarg
//   Error: any valid prefix is expected rather than "x".       get_prefix
//   Error: inet address is expected rather than "x".           get_addr
//   Cannot find device "eth9"                                  nodev
//   Not enough information: "dev" argument is required.        ipaddress.c
//   Device and destination are required arguments.             ipneigh.c
//   Flush requires arguments.                                  iproute.c / ipaddress.c
//   RTNETLINK answers: File exists | No such process | No such file or directory
//   Error: Nexthop has invalid gateway.                        fib_semantics.c
//   Error: Invalid prefix for given prefix length.             fib_trie.c
//   Error: ipv4: FIB table does not exist.                     fib_frontend.c (dump)

import type { Diagnostic, Parsed, Span } from '../text/diagnostics';
import type { Word } from '../text/shlex';
import { splitWords } from '../text/shlex';
import type { Ipv4, Prefix } from './addr';
import { formatIpv4, maskLength, parseIpv4, prefixMask } from './addr';
import type { FibRule, HostNet, LinkKind, Nexthop, NudState, PortRange, Route, RouteScope, RouteType, RuleAction } from './config';
import {
  RT_PROTOS,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  addAddress,
  addLink,
  bridgeMtuAutoAdjust,
  deleteAddress,
  deleteLink,
  emptyRule,
  findLink,
  insertRoute,
  setLinkUp,
  tableName,
} from './config';
import { fibLookup } from './fib';

const SOURCE = 'ip';

export type IpObject = 'link' | 'address' | 'route' | 'rule' | 'neigh';

interface IpBase {
  span: Span;
  /** `-4` was given (error texts then say "inet" instead of "any valid") */
  inet: boolean;
  verbSpan: Span;
}

export interface WordRef extends Span {
  text: string;
}

export interface IpLinkCommand extends IpBase {
  object: 'link';
  verb: 'add' | 'set' | 'delete' | 'show';
  dev: WordRef | null;
  kind: WordRef | null;
  peer: WordRef | null;
  up: boolean | null;
  mtu: number | null;
  address: string | null;
  master: WordRef | null;
  nomaster: boolean;
  /** gso_max_segs N */
  gsoMaxSegs: number | null;
  /** group N (IFLA_GROUP); /etc/iproute2/group names only 0, `default` */
  group: number | null;
}

export interface IpAddrCommand extends IpBase {
  object: 'address';
  verb: 'add' | 'change' | 'replace' | 'delete' | 'flush' | 'show';
  local: { addr: Ipv4; prefixLen: number | null; span: Span } | null;
  dev: WordRef | null;
  /** '+' computes it, '-' clears it */
  broadcast: Ipv4 | '+' | '-' | null;
  scope: RouteScope | null;
  label: string | null;
  noPrefixRoute: boolean;
}

export interface NexthopSpec {
  gateway: Ipv4;
  gatewaySpan: Span | null;
  dev: WordRef | null;
  weight: number;
  onlink: boolean;
  /** `realms [FROM/]TO` of a `nexthop` (its RTA_FLOW), 0 when absent */
  realms: number;
}

export interface IpRouteCommand extends IpBase {
  object: 'route';
  verb: 'add' | 'change' | 'replace' | 'prepend' | 'append' | 'test' | 'delete' | 'show' | 'flush' | 'get';
  type: RouteType | null;
  /** the prefix as typed (host bits kept, so the kernel's complaint can be reproduced) */
  dst: Prefix | null;
  dstSpan: Span | null;
  tos: number;
  /** table word, resolved through rt_tables when applied ('all' for show) */
  table: WordRef | null;
  proto: string | null;
  scope: RouteScope | null;
  metric: number | null;
  prefsrc: Ipv4;
  /** `mtu [lock] N` (RTAX_MTU), null when absent */
  mtu: number | null;
  mtuLock: boolean;
  /** `realm TO` / `realms FROM/TO` (RTA_FLOW: FROM << 16 | TO), 0 when absent */
  realms: number;
  realmsSpan: Span | null;
  /** first entry holds a plain `via`/`dev`; more than one, or `nexthop` used, is multipath */
  nexthops: NexthopSpec[];
  multipath: boolean;
  /** route get: `from`, `iif`, `mark`, `ipproto`, `sport`, `dport` */
  from: Ipv4;
  iif: WordRef | null;
  mark: number;
  ipproto: number;
  sport: number;
  dport: number;
}

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

export interface IpNeighCommand extends IpBase {
  object: 'neigh';
  verb: 'add' | 'change' | 'replace' | 'delete' | 'flush' | 'show';
  addr: Ipv4 | null;
  addrSpan: Span | null;
  lladdr: string | null;
  dev: WordRef | null;
  state: NudState | null;
}

export type IpCommand = IpLinkCommand | IpAddrCommand | IpRouteCommand | IpRuleCommand | IpNeighCommand;

/** iproute2's matches(): `word` is a prefix of `full` (the empty word matches anything). */
function matches(word: string, full: string): boolean {
  return full.startsWith(word);
}

function error(span: Span, message: string, code: string, expected?: string): Diagnostic {
  const d: Diagnostic = { from: span.from, to: span.to, severity: 'error', message, source: SOURCE, code };
  if (expected !== undefined) d.expected = expected;
  return d;
}

/** ip.c's cmds[] order: the first entry the word is a prefix of wins. */
const OBJECTS: readonly [string, IpObject | null][] = [
  ['address', 'address'],
  ['addrlabel', null],
  ['maddress', null],
  ['route', 'route'],
  ['rule', 'rule'],
  ['neighbor', 'neigh'],
  ['neighbour', 'neigh'],
  ['ntable', null],
  ['ntbl', null],
  ['link', 'link'],
  ['l2tp', null],
  ['fou', null],
  ['ila', null],
  ['macsec', null],
  ['tunnel', null],
  ['tunl', null],
  ['tuntap', null],
  ['tap', null],
  ['token', null],
  ['tcpmetrics', null],
  ['tcp_metrics', null],
  ['monitor', null],
  ['xfrm', null],
  ['mroute', null],
  ['mrule', null],
  ['netns', null],
  ['netconf', null],
  ['vrf', null],
  ['sr', null],
  ['nexthop', null],
  ['mptcp', null],
  ['ioam', null],
  ['stats', null],
  ['help', null],
];

const HELP_NAME: Readonly<Record<IpObject, string>> = {
  link: 'ip link',
  address: 'ip address',
  route: 'ip route',
  rule: 'ip rule',
  neigh: 'ip neigh',
};

/** Verb tables in the order each do_ip*() tests them; [word, verb, exact?]. */
const VERBS: Readonly<Record<IpObject, readonly [string, string, boolean][]>> = {
  route: [
    ['add', 'add', false],
    ['change', 'change', false],
    ['chg', 'change', true],
    ['replace', 'replace', false],
    ['prepend', 'prepend', false],
    ['append', 'append', false],
    ['test', 'test', false],
    ['delete', 'delete', false],
    ['list', 'show', false],
    ['show', 'show', false],
    ['lst', 'show', false],
    ['get', 'get', false],
    ['flush', 'flush', false],
  ],
  address: [
    ['add', 'add', false],
    ['change', 'change', false],
    ['chg', 'change', true],
    ['replace', 'replace', false],
    ['delete', 'delete', false],
    ['list', 'show', false],
    ['show', 'show', false],
    ['lst', 'show', false],
    ['flush', 'flush', false],
  ],
  rule: [
    ['list', 'show', false],
    ['lst', 'show', false],
    ['show', 'show', false],
    ['save', '', false],
    ['restore', '', false],
    ['add', 'add', false],
    ['delete', 'delete', false],
    ['flush', 'flush', false],
  ],
  neigh: [
    ['add', 'add', false],
    ['change', 'change', false],
    ['chg', 'change', true],
    ['replace', 'replace', false],
    ['delete', 'delete', false],
    ['list', 'show', false],
    ['show', 'show', false],
    ['lst', 'show', false],
    ['flush', 'flush', false],
  ],
  link: [
    ['add', 'add', false],
    ['set', 'set', false],
    ['delete', 'delete', false],
    ['show', 'show', false],
    ['lst', 'show', false],
    ['list', 'show', false],
  ],
};

const ROUTE_TYPES: readonly RouteType[] = ['unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat'];

/** rtnl_rtntype_a2n (exact names; `brd` is broadcast) */
function routeType(word: string): RouteType | null {
  if (word === 'brd') return 'broadcast';
  return (ROUTE_TYPES as readonly string[]).includes(word) ? (word as RouteType) : null;
}

const SCOPES: Readonly<Record<string, RouteScope>> = {
  global: 'global',
  universe: 'global',
  site: 'site',
  link: 'link',
  host: 'host',
  nowhere: 'nowhere',
};

const SCOPE_NUMBERS: Readonly<Record<number, RouteScope>> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };

function parseScope(word: string): RouteScope | null {
  const named = SCOPES[word];
  if (named) return named;
  const n = parseU32(word);
  return n === null ? null : (SCOPE_NUMBERS[n] ?? null);
}

/** get_u32 with base 0: decimal, 0x hex or leading-0 octal. */
/** /etc/iproute2/rt_realms of iproute2 6.1 names only realm 0. */
const REALM_NAMES: Readonly<Record<number, string>> = { 0: 'cosmos' };

/** rtnl_rtrealm_a2n: a realm name or a number in any base. */
function parseRealm(text: string): number | null {
  if (text === 'cosmos') return 0;
  return parseU32(text);
}

/** get_rt_realms_or_raw: `TO` or `FROM/TO` (either side may be empty) into FROM << 16 | TO. */
export function parseRealms(text: string): number | null {
  const slash = text.indexOf('/');
  let from = 0;
  let rest = text;
  if (slash >= 0) {
    const f = parseRealm(text.slice(0, slash));
    if (f === null) return null;
    from = f;
    rest = text.slice(slash + 1);
  }
  const to = rest === '' ? 0 : parseRealm(rest);
  if (to === null) return null;
  return (((from << 16) >>> 0) | to) >>> 0;
}

/** print_rta_flow: `realm TO` or `realms FROM/TO`, names from rt_realms. */
export function formatRealms(flow: number): string {
  const to = flow & 0xffff;
  const from = flow >>> 16;
  const name = (n: number): string => REALM_NAMES[n] ?? String(n);
  return from ? `realms ${name(from)}/${name(to)}` : `realm ${name(to)}`;
}

const HEX_U32 = /^0[xX][0-9a-fA-F]+$/;
const OCTAL_U32 = /^0[0-7]+$/;
const DECIMAL_U32 = /^\d+$/;

export function parseU32(word: string): number | null {
  let n: number;
  if (HEX_U32.test(word)) n = parseInt(word.slice(2), 16);
  else if (OCTAL_U32.test(word)) n = parseInt(word.slice(1), 8);
  else if (DECIMAL_U32.test(word)) n = Number(word);
  else return null;
  return n <= 0xffffffff ? n : null;
}

/** rt_dsfield names of iproute2 6.1's etc file */
const DSFIELD: Readonly<Record<number, string>> = {
  0x28: 'AF11',
  0x30: 'AF12',
  0x38: 'AF13',
  0x48: 'AF21',
  0x50: 'AF22',
  0x58: 'AF23',
  0x68: 'AF31',
  0x70: 'AF32',
  0x78: 'AF33',
  0x88: 'AF41',
  0x90: 'AF42',
  0x98: 'AF43',
  0x20: 'CS1',
  0x40: 'CS2',
  0x60: 'CS3',
  0x80: 'CS4',
  0xa0: 'CS5',
  0xc0: 'CS6',
  0xe0: 'CS7',
  0xb8: 'EF',
};

function parseDsfield(word: string): number | null {
  for (const [k, v] of Object.entries(DSFIELD)) if (v === word) return Number(k);
  if (word === 'default') return 0;
  const n = /^(0[xX])?[0-9a-fA-F]+$/.test(word) ? parseInt(word.replace(/^0[xX]/, ''), 16) : NaN;
  return Number.isNaN(n) || n > 255 ? null : n;
}

function dsfieldName(tos: number): string {
  return DSFIELD[tos] ?? `0x${tos.toString(16).padStart(2, '0')}`;
}

const RT_PROTO_NAMES: ReadonlySet<string> = new Set(Object.values(RT_PROTOS));

function protoName(word: string): string | null {
  const n = parseU32(word);
  if (n !== null) return n <= 255 ? (RT_PROTOS[n] ?? String(n)) : null;
  return RT_PROTO_NAMES.has(word) ? word : null;
}

const IPPROTOS: Readonly<Record<string, number>> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, sctp: 132 };

function ipprotoName(p: number): string {
  for (const [k, v] of Object.entries(IPPROTOS)) if (v === p) return k;
  return String(p);
}

const NUD_STATES: readonly NudState[] = ['permanent', 'noarp', 'reachable', 'stale', 'delay', 'probe', 'failed', 'incomplete', 'none'];

const MAC = /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/;

function normaliseMac(text: string): string {
  return text
    .split(':')
    .map((p) => p.toLowerCase().padStart(2, '0'))
    .join(':');
}

/** get_prefix_1 for IPv4: ADDR[/LEN], LEN may be a dotted mask; default/all/any is 0/0. */
function parsePrefix(word: string): Prefix | null {
  if (word === 'default' || word === 'all' || word === 'any') return { addr: 0, len: 0 };
  const slash = word.indexOf('/');
  const a = parseIpv4Loose(slash < 0 ? word : word.slice(0, slash));
  if (a === null) return null;
  if (slash < 0) return { addr: a, len: 32 };
  const lenText = word.slice(slash + 1);
  if (/^\d{1,2}$/.test(lenText)) {
    const len = Number(lenText);
    return len <= 32 ? { addr: a, len } : null;
  }
  const m = parseIpv4(lenText);
  if (m === null) return null;
  const len = maskLength(m);
  return len < 0 ? null : { addr: a, len };
}

/** inet_pton plus iproute2's short forms ("10" is 10.0.0.0, "10.1" is 10.1.0.0) */
function parseIpv4Loose(text: string): Ipv4 | null {
  const full = parseIpv4(text);
  if (full !== null) return full;
  if (!/^\d{1,3}(\.\d{1,3}){0,2}$/.test(text)) return null;
  const parts = text.split('.').map(Number);
  if (parts.some((p) => p > 255)) return null;
  while (parts.length < 4) parts.push(0);
  return parseIpv4(parts.join('.'));
}

function parsePortRange(word: string): PortRange | null {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(word);
  if (!m) return null;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535) return null;
  return { start, end };
}

class Cursor {
  i = 0;
  failed = false;
  constructor(
    readonly words: Word[],
    readonly diagnostics: Diagnostic[],
    readonly end: number,
  ) {}
  get done(): boolean {
    return this.i >= this.words.length;
  }
  peek(): Word | undefined {
    return this.words[this.i];
  }
  take(): Word {
    return this.words[this.i++]!;
  }
  /** NEXT_ARG(): the argument a keyword needs */
  arg(keyword: Word, expected: string): Word | null {
    const w = this.words[this.i];
    if (!w) {
      this.fail(error({ from: keyword.from, to: keyword.to }, 'Command line is not complete. Try option "help"', 'ip/incomplete', expected));
      return null;
    }
    this.i++;
    return w;
  }
  fail(d: Diagnostic): void {
    this.diagnostics.push(d);
    this.failed = true;
  }
  invarg(w: Word, what: string): void {
    this.fail(error(w, `Error: argument "${w.text}" is wrong: ${what}`, 'ip/invalid-argument'));
  }
  duparg(keyword: string, w: Word): void {
    this.fail(error(w, `Error: either "${keyword}" is duplicate, or "${w.text}" is a garbage.`, 'ip/duplicate-argument'));
  }
}

function ref(w: Word): WordRef {
  return { text: w.text, from: w.from, to: w.to };
}

function familyName(inet: boolean): string {
  return inet ? 'inet' : 'any valid';
}

function prefixArg(c: Cursor, w: Word, inet: boolean): Prefix | null {
  const p = parsePrefix(w.text);
  if (p === null) c.fail(error(w, `Error: ${familyName(inet)} prefix is expected rather than "${w.text}".`, 'ip/invalid-prefix', 'an IPv4 prefix'));
  return p;
}

function addrArg(c: Cursor, w: Word, inet: boolean): Ipv4 | null {
  const a = parseIpv4Loose(w.text);
  if (a === null) c.fail(error(w, `Error: ${familyName(inet)} address is expected rather than "${w.text}".`, 'ip/invalid-address', 'an IPv4 address'));
  return a;
}

/**
 * Parse one `ip` command line. Returns null as value when iproute2 would
 * refuse it before talking to the kernel.
 *
 * @example parseIpCommand('ip ro add default via 10.0.0.1')
 */
export function parseIpCommand(text: string, base = 0): Parsed<IpCommand> {
  const split = splitWords(text, base, SOURCE);
  return parseIpWords(split.words, split.diagnostics, base, base + text.length);
}

/**
 * parseIpCommand on a line already split into words (offsets from `base`, the
 * line ending at `end`), with the splitter's diagnostics: the importer builds
 * its commands word by word and need not split them again (issue 10).
 */
export function parseIpWords(words: Word[], diagnostics: Diagnostic[], base: number, end: number): Parsed<IpCommand> {
  const c = new Cursor(words, diagnostics, end);
  if (diagnostics.length > 0) c.failed = true;
  const whole: Span = { from: words[0]?.from ?? base, to: words[words.length - 1]?.to ?? end };
  if (c.done || c.peek()!.text !== 'ip') {
    c.fail(error(c.peek() ?? { from: base, to: end }, 'expected an `ip` command', 'ip/not-ip', 'ip'));
    return { value: null, diagnostics };
  }
  c.take();
  let inet = false;
  while (!c.done && c.peek()!.text.startsWith('-')) {
    const opt = c.take();
    if (opt.text === '-4') inet = true;
    else if (opt.text === '-6' || opt.text === '-0') c.fail(error(opt, `Option "${opt.text}" is not supported here (IPv4 only)`, 'ip/unsupported-family'));
    else if (opt.text === '-j' || opt.text === '-json' || opt.text === '-d' || opt.text === '-details' || opt.text === '-s') continue;
    else c.fail(error(opt, `Option "${opt.text}" is unknown, try "ip -help".`, 'ip/unknown-option'));
  }
  if (c.done) {
    c.fail(error({ from: whole.to, to: whole.to }, 'Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }', 'ip/no-object', 'link, address, route, rule or neigh'));
    return { value: null, diagnostics };
  }
  const objWord = c.take();
  const entry = OBJECTS.find(([name]) => matches(objWord.text, name));
  if (!entry || entry[1] === null) {
    if (entry && entry[0] === 'netns') c.fail(error(objWord, 'ip netns is not allowed in a case', 'ip/netns'));
    else c.fail(error(objWord, `Object "${objWord.text}" is unknown, try "ip help".`, 'ip/unknown-object', 'link, address, route, rule or neigh'));
    return { value: null, diagnostics };
  }
  const object = entry[1];
  let verb: string;
  let verbSpan: Span;
  if (c.done) {
    verb = 'show';
    verbSpan = { from: objWord.to, to: objWord.to };
  } else {
    const vw = c.take();
    verbSpan = vw;
    const hit = VERBS[object].find(([name, , exact]) => (exact ? vw.text === name : matches(vw.text, name)));
    if (!hit || hit[1] === '') {
      c.fail(error(vw, `Command "${vw.text}" is unknown, try "${HELP_NAME[object]} help".`, 'ip/unknown-command'));
      return { value: null, diagnostics };
    }
    verb = hit[1];
  }
  const b = { span: whole, inet, verbSpan };
  let cmd: IpCommand | null;
  switch (object) {
    case 'link':
      cmd = parseLink(c, b, verb as IpLinkCommand['verb']);
      break;
    case 'address':
      cmd = parseAddr(c, b, verb as IpAddrCommand['verb']);
      break;
    case 'route':
      cmd = parseRoute(c, b, verb as IpRouteCommand['verb']);
      break;
    case 'rule':
      cmd = parseRule(c, b, verb as IpRuleCommand['verb']);
      break;
    case 'neigh':
      cmd = parseNeigh(c, b, verb as IpNeighCommand['verb']);
      break;
  }
  return { value: c.failed ? null : cmd, diagnostics };
}

type BaseFields = Pick<IpBase, 'span' | 'inet' | 'verbSpan'>;

/** IFNAMSIZ: 16 bytes with the terminating NUL, so a name has at most 15 (UTF-8) bytes. */
const IFNAMSIZ = 16;

function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

/** iproute2's check_ifname: not empty, shorter than IFNAMSIZ, no '/' and no white space. */
function validIfname(name: string): boolean {
  return name !== '' && utf8Length(name) < IFNAMSIZ && !/[/\s]/.test(name);
}

/**
 * A device name given after `name` is checked by iproute2 (check_ifname,
 * "Error: argument "…" is wrong: "name" not a valid ifname"); one given
 * without it (`ip link add NAME …`, `peer NAME`) reaches the kernel, whose
 * IFLA_IFNAME policy refuses more than 15 bytes (checked in a scratch
 * namespace on this machine's kernel).
 */
function checkNewName(c: Cursor, w: Word, named: boolean): void {
  if (named) {
    if (!validIfname(w.text)) c.invarg(w, '"name" not a valid ifname');
  } else if (utf8Length(w.text) >= IFNAMSIZ) c.fail(error(w, 'Error: Attribute failed policy validation.', 'ip/ifname-too-long'));
}

function parseLink(c: Cursor, b: BaseFields, verb: IpLinkCommand['verb']): IpLinkCommand {
  const cmd: IpLinkCommand = { span: b.span, inet: b.inet, verbSpan: b.verbSpan, object: 'link', verb, dev: null, kind: null, peer: null, up: null, mtu: null, address: null, master: null, nomaster: false, gsoMaxSegs: null, group: null };
  while (!c.done && !c.failed) {
    const w = c.take();
    const t = w.text;
    if (t === 'up') cmd.up = true;
    else if (t === 'down') cmd.up = false;
    else if (t === 'name') {
      const a = c.arg(w, 'a device name');
      if (a) checkNewName(c, a, true);
      if (a) cmd.dev = ref(a);
    } else if (matches(t, 'address') && t !== '') {
      const a = c.arg(w, 'a link-layer address');
      if (!a) break;
      if (!MAC.test(a.text)) c.fail(error(a, `"${a.text}" is invalid lladdr.`, 'ip/invalid-lladdr'));
      else cmd.address = normaliseMac(a.text);
    } else if (t === 'mtu') {
      const a = c.arg(w, 'an MTU');
      if (!a) break;
      const n = parseU32(a.text);
      if (n === null || n > 0x7fffffff) c.invarg(a, 'Invalid "mtu" value');
      else cmd.mtu = n;
    } else if (t === 'gso_max_segs') {
      const a = c.arg(w, 'a number of segments');
      if (!a) break;
      const n = parseU32(a.text);
      // GSO_MAX_SEGS
      if (n === null || n > 65535) c.invarg(a, 'Invalid "gso_max_segs" value');
      else cmd.gsoMaxSegs = n;
    } else if (t === 'group') {
      const a = c.arg(w, 'a group');
      if (!a) break;
      // rtnl_group_a2n: a name from /etc/iproute2/group, else get_u32 (any base)
      const n = a.text === 'default' ? 0 : parseU32(a.text);
      if (cmd.group !== null) c.duparg('group', a);
      else if (n === null) c.invarg(a, 'Invalid "group" value');
      else cmd.group = n;
    } else if (t === 'master') {
      const a = c.arg(w, 'a bridge name');
      if (a) cmd.master = ref(a);
    } else if (t === 'nomaster') cmd.nomaster = true;
    else if (matches(t, 'type') && t !== '') {
      const a = c.arg(w, 'bridge, dummy or veth');
      if (!a) break;
      cmd.kind = ref(a);
      // `type veth peer [name] NAME`: the remaining words belong to the type
      while (!c.done && !c.failed) {
        const x = c.take();
        if (x.text === 'peer') {
          const n = c.arg(x, 'a peer name');
          if (!n) break;
          if (n.text === 'name') {
            const m = c.arg(n, 'a peer name');
            if (m) checkNewName(c, m, true);
            if (m) cmd.peer = ref(m);
          } else {
            checkNewName(c, n, false);
            cmd.peer = ref(n);
          }
        } else c.fail(error(x, `Garbage instead of arguments "${x.text} ...". Try "ip link help".`, 'ip/garbage'));
      }
    } else {
      let d: Word | null = w;
      if (t === 'dev') d = c.arg(w, 'a device name');
      if (!d) break;
      if (cmd.dev) c.duparg('dev', d);
      else {
        if (verb === 'add') checkNewName(c, d, false);
        cmd.dev = ref(d);
      }
    }
  }
  if (!c.failed && (verb === 'set' || verb === 'delete' || verb === 'add') && !cmd.dev) {
    c.fail(error(b.verbSpan, 'Not enough information: "dev" argument is required.', 'ip/missing-dev', 'a device name'));
  }
  return cmd;
}

function parseAddr(c: Cursor, b: BaseFields, verb: IpAddrCommand['verb']): IpAddrCommand {
  const cmd: IpAddrCommand = { span: b.span, inet: b.inet, verbSpan: b.verbSpan, object: 'address', verb, local: null, dev: null, broadcast: null, scope: null, label: null, noPrefixRoute: false };
  const listing = verb === 'show' || verb === 'flush';
  while (!c.done && !c.failed) {
    const w = c.take();
    const t = w.text;
    if (listing) {
      if (t === 'dev') {
        const a = c.arg(w, 'a device name');
        if (a) cmd.dev = ref(a);
      } else if (t === 'scope' || t === 'label' || t === 'to' || t === 'type') {
        c.arg(w, 'a value');
      } else if (t === 'primary' || t === 'secondary' || t === 'up' || t === 'permanent' || t === 'dynamic') {
        continue;
      } else if (!cmd.dev) cmd.dev = ref(w);
      else c.duparg('dev', w);
      continue;
    }
    if (t === 'peer' || t === 'remote') {
      c.fail(error(w, 'peer addresses are not supported', 'ip/unsupported'));
    } else if ((matches(t, 'broadcast') && t !== '') || t === 'brd') {
      const a = c.arg(w, '+, - or an address');
      if (!a) break;
      if (cmd.broadcast !== null) c.duparg('broadcast', a);
      else if (a.text === '+') cmd.broadcast = '+';
      else if (a.text === '-') cmd.broadcast = '-';
      else {
        const v = addrArg(c, a, b.inet);
        if (v !== null) cmd.broadcast = v;
      }
    } else if (t === 'label') {
      const a = c.arg(w, 'a label');
      if (a) cmd.label = a.text;
    } else if (t === 'valid_lft' || t === 'preferred_lft') {
      c.arg(w, 'a lifetime');
    } else if ((matches(t, 'metric') || matches(t, 'priority') || matches(t, 'preference')) && t !== '') {
      c.arg(w, 'a metric');
    } else if (matches(t, 'scope') && t !== '') {
      const a = c.arg(w, 'global, link, host or a number');
      if (!a) break;
      const s = parseScope(a.text);
      if (s === null) c.invarg(a, 'invalid scope value.');
      else cmd.scope = s;
    } else if (t === 'dev') {
      const a = c.arg(w, 'a device name');
      if (a) cmd.dev = ref(a);
    } else if (t === 'noprefixroute') cmd.noPrefixRoute = true;
    else if (t === 'nodad' || t === 'home' || t === 'mngtmpaddr' || t === 'optimistic' || t === 'autojoin') continue;
    else {
      let a: Word | null = w;
      if (t === 'local') a = c.arg(w, 'an address');
      if (!a) break;
      if (cmd.local) {
        c.duparg('local', a);
        break;
      }
      const p = parsePrefix(a.text);
      if (p === null || a.text === 'default' || a.text === 'all' || a.text === 'any') {
        c.fail(error(a, `Error: ${familyName(b.inet)} prefix is expected rather than "${a.text}".`, 'ip/invalid-prefix', 'ADDR/LEN'));
        break;
      }
      cmd.local = { addr: p.addr, prefixLen: a.text.includes('/') ? p.len : null, span: { from: a.from, to: a.to } };
    }
  }
  if (c.failed) return cmd;
  if (!listing && !cmd.dev) {
    c.fail(error(b.span, 'Not enough information: "dev" argument is required.', 'ip/missing-dev', 'dev IFNAME'));
  } else if (!listing && !cmd.local) {
    c.fail(error(b.span, 'Not enough information: "local" argument is required.', 'ip/missing-local', 'ADDR/LEN'));
  } else if (verb === 'flush' && !cmd.dev) {
    c.fail(error(b.verbSpan, 'Flush requires arguments.', 'ip/flush-arguments'));
  } else if (cmd.label !== null && cmd.dev && !cmd.label.startsWith(cmd.dev.text)) {
    c.fail(error(cmd.dev, `"dev" (${cmd.dev.text}) must match "label" (${cmd.label}).`, 'ip/label'));
  }
  return cmd;
}

function parseNexthop(c: Cursor, kw: Word, inet: boolean): NexthopSpec {
  const nh: NexthopSpec = { gateway: 0, gatewaySpan: null, dev: null, weight: 1, onlink: false, realms: 0 };
  while (!c.done && !c.failed) {
    const w = c.peek()!;
    const t = w.text;
    if (t === 'via') {
      c.take();
      const a = c.arg(w, 'a gateway address');
      if (!a) break;
      const v = addrArg(c, a, inet);
      if (v !== null) {
        nh.gateway = v;
        nh.gatewaySpan = { from: a.from, to: a.to };
      }
    } else if (t === 'dev') {
      c.take();
      const a = c.arg(w, 'a device name');
      if (a) nh.dev = ref(a);
    } else if (matches(t, 'weight') && t !== '') {
      c.take();
      const a = c.arg(w, 'a weight 1..256');
      if (!a) break;
      const n = parseU32(a.text);
      if (n === null || n < 1 || n > 256) c.invarg(a, '"weight" is invalid');
      else nh.weight = n;
    } else if (matches(t, 'onlink') && t !== '') {
      c.take();
      nh.onlink = true;
    } else if (matches(t, 'realms') && t.length >= 3) {
      c.take();
      const a = c.arg(w, 'a realm');
      if (!a) break;
      const v = parseRealms(a.text);
      if (v === null) c.invarg(a, '"realm" value is invalid');
      else nh.realms = v;
    } else break;
  }
  if (!c.failed && nh.gateway === 0 && nh.dev === null) {
    c.fail(error(kw, 'Error: nexthop needs "via" or "dev".', 'ip/empty-nexthop'));
  }
  return nh;
}

function parseRoute(c: Cursor, b: BaseFields, verb: IpRouteCommand['verb']): IpRouteCommand {
  // b's fields spelled out, not spread: V8 built the spread literal ~12x slower, the
  // bulk of a 32,000-line `ip route show` import (issue 10)
  const cmd: IpRouteCommand = {
    span: b.span,
    inet: b.inet,
    verbSpan: b.verbSpan,
    object: 'route',
    verb,
    type: null,
    dst: null,
    dstSpan: null,
    tos: 0,
    table: null,
    proto: null,
    scope: null,
    metric: null,
    prefsrc: 0,
    mtu: null,
    mtuLock: false,
    realms: 0,
    realmsSpan: null,
    nexthops: [],
    multipath: false,
    from: 0,
    iif: null,
    mark: 0,
    ipproto: 0,
    sport: 0,
    dport: 0,
  };
  const single: NexthopSpec = { gateway: 0, gatewaySpan: null, dev: null, weight: 1, onlink: false, realms: 0 };
  let singleUsed = false;
  let cache = false;
  const listing = verb === 'show' || verb === 'flush' || verb === 'get';
  while (!c.done && !c.failed) {
    const w = c.take();
    const t = w.text;
    if (t === 'src') {
      const a = c.arg(w, 'a source address');
      if (!a) break;
      const v = addrArg(c, a, b.inet);
      if (v !== null) cmd.prefsrc = v;
    } else if (t === 'via') {
      const a = c.arg(w, 'a gateway address');
      if (!a) break;
      if (single.gateway !== 0) {
        c.duparg('via', a);
        break;
      }
      const v = addrArg(c, a, b.inet);
      if (v !== null) {
        single.gateway = v;
        single.gatewaySpan = { from: a.from, to: a.to };
        singleUsed = true;
      }
    } else if (t === 'from' && listing) {
      const a = c.arg(w, 'a source address');
      if (!a) break;
      const p = prefixArg(c, a, b.inet);
      if (p) cmd.from = p.addr;
    } else if (t === 'iif' && listing) {
      const a = c.arg(w, 'an input interface');
      if (a) cmd.iif = ref(a);
    } else if (t === 'mark' && listing) {
      const a = c.arg(w, 'a mark');
      if (!a) break;
      const n = parseU32(a.text);
      if (n === null) c.invarg(a, 'invalid mark value');
      else cmd.mark = n;
    } else if (verb === 'get' && (t === 'ipproto' || t === 'sport' || t === 'dport')) {
      const a = c.arg(w, t === 'ipproto' ? 'a protocol' : 'a port');
      if (!a) break;
      const n = t === 'ipproto' ? (IPPROTOS[a.text] ?? parseU32(a.text)) : parseU32(a.text);
      if (n === null || n === undefined || n > (t === 'ipproto' ? 255 : 65535)) c.invarg(a, `invalid ${t}`);
      else if (t === 'ipproto') cmd.ipproto = n;
      else if (t === 'sport') cmd.sport = n;
      else cmd.dport = n;
    } else if ((matches(t, 'tos') || matches(t, 'dsfield')) && t !== '') {
      const a = c.arg(w, 'a TOS value');
      if (!a) break;
      const v = parseDsfield(a.text);
      if (v === null) c.invarg(a, '"tos" value is invalid');
      else cmd.tos = v;
    } else if (((matches(t, 'metric') || matches(t, 'priority')) && t !== '') || t === 'preference') {
      const a = c.arg(w, 'a metric');
      if (!a) break;
      const n = parseU32(a.text);
      if (n === null) c.invarg(a, '"metric" value is invalid');
      else cmd.metric = n;
    } else if (t === 'scope') {
      const a = c.arg(w, 'global, link, host or a number');
      if (!a) break;
      const s = parseScope(a.text);
      if (s === null) c.invarg(a, 'invalid "scope" value');
      else cmd.scope = s;
    } else if (matches(t, 'mtu') && t.length >= 2) {
      let a = c.arg(w, 'an MTU');
      if (!a) break;
      if (a.text === 'lock') {
        cmd.mtuLock = true;
        a = c.arg(w, 'an MTU');
        if (!a) break;
      }
      const n = parseU32(a.text);
      if (n === null) c.invarg(a, '"mtu" value is invalid');
      else cmd.mtu = n;
    } else if (matches(t, 'onlink') && t.length >= 2) {
      single.onlink = true;
      singleUsed = true;
    } else if (matches(t, 'realms') && t.length >= 3 && !listing) {
      // iproute.c tries "reordering" first, so "re" is not a realm
      const a = c.arg(w, 'a realm');
      if (!a) break;
      const v = parseRealms(a.text);
      if (v === null) c.invarg(a, '"realm" value is invalid');
      else {
        cmd.realms = v;
        cmd.realmsSpan = { from: a.from, to: a.to };
      }
    } else if (t === 'nexthop') {
      cmd.multipath = true;
      cmd.nexthops.push(parseNexthop(c, w, b.inet));
    } else if (matches(t, 'protocol') && t.length >= 2) {
      const a = c.arg(w, 'a protocol name or number');
      if (!a) break;
      const p = protoName(a.text);
      if (p === null) c.invarg(a, '"protocol" value is invalid');
      else cmd.proto = p;
    } else if (matches(t, 'table') && t.length >= 2) {
      const a = c.arg(w, 'a table name or id');
      if (a) cmd.table = ref(a);
    } else if (t === 'dev' || t === 'oif') {
      const a = c.arg(w, 'a device name');
      if (!a) break;
      if (single.dev) {
        c.duparg('dev', a);
        break;
      }
      single.dev = ref(a);
      singleUsed = true;
    } else if (listing && (t === 'root' || t === 'match' || t === 'exact' || t === 'cache' || t === 'cached' || t === 'all')) {
      if (t === 'cache' || t === 'cached') cache = true;
      continue;
    } else {
      let a: Word | null = w;
      if (t === 'to') a = c.arg(w, 'a prefix');
      if (!a) break;
      const ty = a.text.length > 0 && (a.text[0]! < '0' || a.text[0]! > '9') ? routeType(a.text) : null;
      if (ty !== null) {
        cmd.type = ty;
        a = c.arg(a, 'a prefix');
        if (!a) break;
      }
      if (cmd.dstSpan !== null) {
        c.duparg('to', a);
        break;
      }
      const p = prefixArg(c, a, b.inet);
      if (p) {
        cmd.dst = p;
        cmd.dstSpan = { from: a.from, to: a.to };
      }
    }
  }
  if (singleUsed) {
    if (cmd.multipath) cmd.nexthops.unshift(single);
    else cmd.nexthops.push(single);
  }
  if (c.failed) return cmd;
  if ((verb === 'add' || verb === 'change' || verb === 'replace' || verb === 'prepend' || verb === 'append' || verb === 'test' || verb === 'delete' || verb === 'get') && cmd.dst === null) {
    c.fail(error(b.span, verb === 'get' ? 'need at least a destination address' : 'Error: destination prefix is required.', 'ip/missing-prefix', 'PREFIX or default'));
  }
  if (verb === 'flush' && !cache && cmd.table === null && cmd.nexthops.length === 0 && cmd.dst === null && cmd.proto === null && cmd.type === null) {
    c.fail(error(b.verbSpan, 'Flush requires arguments.', 'ip/flush-arguments'));
  }
  return cmd;
}

function parseRule(c: Cursor, b: BaseFields, verb: IpRuleCommand['verb']): IpRuleCommand {
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

function parseNeigh(c: Cursor, b: BaseFields, verb: IpNeighCommand['verb']): IpNeighCommand {
  const cmd: IpNeighCommand = { span: b.span, inet: b.inet, verbSpan: b.verbSpan, object: 'neigh', verb, addr: null, addrSpan: null, lladdr: null, dev: null, state: null };
  while (!c.done && !c.failed) {
    const w = c.take();
    const t = w.text;
    if (matches(t, 'lladdr') && t !== '') {
      const a = c.arg(w, 'a link-layer address');
      if (!a) break;
      if (cmd.lladdr !== null) c.duparg('lladdr', a);
      else if (!MAC.test(a.text)) c.fail(error(a, `"${a.text}" is invalid lladdr.`, 'ip/invalid-lladdr'));
      else cmd.lladdr = normaliseMac(a.text);
    } else if (t === 'nud') {
      const a = c.arg(w, 'a NUD state');
      if (!a) break;
      const s = a.text.toLowerCase() as NudState;
      if (!NUD_STATES.includes(s)) c.invarg(a, 'nud state is bad');
      else cmd.state = s;
    } else if (t === 'dev') {
      const a = c.arg(w, 'a device name');
      if (a) cmd.dev = ref(a);
    } else if ((matches(t, 'proxy') || matches(t, 'router')) && t !== '') {
      continue;
    } else {
      let a: Word | null = w;
      if (t === 'to') a = c.arg(w, 'an address');
      if (!a) break;
      if (cmd.addrSpan) {
        c.duparg('to', a);
        break;
      }
      const v = addrArg(c, a, b.inet);
      if (v !== null) {
        cmd.addr = v;
        cmd.addrSpan = { from: a.from, to: a.to };
      }
    }
  }
  if (!c.failed && verb !== 'show' && verb !== 'flush' && (cmd.dev === null || cmd.addr === null)) {
    c.fail(error(b.span, 'Device and destination are required arguments.', 'ip/neigh-arguments'));
  }
  return cmd;
}

// ---------------------------------------------------------------------------
// apply

/**
 * Parse and apply one command line: the parser's diagnostics when it is
 * refused, else the kernel's answers. What a case loader runs per setup line.
 *
 * @example execIpCommand(net, 'ip route add default via 10.0.0.1') // []
 */
export function execIpCommand(net: HostNet, text: string, base = 0): Diagnostic[] {
  const parsed = parseIpCommand(text, base);
  if (!parsed.value) return parsed.diagnostics;
  return [...parsed.diagnostics, ...applyIpCommand(net, parsed.value)];
}

function kernelError(span: Span, message: string, code: string): Diagnostic {
  return { from: span.from, to: span.to, severity: 'error', message, source: SOURCE, code };
}

function noDevice(w: WordRef): Diagnostic {
  return kernelError(w, `Cannot find device "${w.text}"`, 'ip/no-device');
}

/** rtnl_rttable_a2n: rt_tables name or a number (0 is not a table) */
export function resolveTable(net: HostNet, word: string): number | null {
  const named = net.rtTables[word];
  if (named !== undefined) return named;
  const n = parseU32(word);
  return n === null || n === 0 ? null : n;
}

/**
 * Apply a parsed command to the host as the kernel would, returning the
 * messages iproute2 prints (errors only; show/get commands change nothing).
 */
export function applyIpCommand(net: HostNet, cmd: IpCommand): Diagnostic[] {
  switch (cmd.object) {
    case 'link':
      return applyLink(net, cmd);
    case 'address':
      return applyAddr(net, cmd);
    case 'route':
      return applyRoute(net, cmd);
    case 'rule':
      return applyRule(net, cmd);
    case 'neigh':
      return applyNeigh(net, cmd);
  }
}

const LINK_KINDS: Readonly<Record<string, LinkKind>> = { bridge: 'bridge', dummy: 'dummy', veth: 'veth' };

function generatedMac(net: HostNet, ifindex: number): string {
  return `02:00:00:fe:${(net.links.length & 255).toString(16).padStart(2, '0')}:${(ifindex & 255).toString(16).padStart(2, '0')}`;
}

function applyLink(net: HostNet, cmd: IpLinkCommand): Diagnostic[] {
  const dev = cmd.dev;
  if (cmd.verb === 'show') {
    return dev && !findLink(net, dev.text) ? [kernelError(dev, `Device "${dev.text}" does not exist.`, 'ip/no-device')] : [];
  }
  if (!dev) return [];
  if (cmd.verb === 'add') {
    const kindWord = cmd.kind;
    if (!kindWord) return [kernelError(cmd.span, 'Not enough information: "type" argument is required.', 'ip/missing-type')];
    const kind = LINK_KINDS[kindWord.text];
    if (!kind) return [kernelError(kindWord, 'Error: Unknown device type.', 'ip/unknown-type')];
    if (findLink(net, dev.text) || (cmd.peer && findLink(net, cmd.peer.text))) {
      return [kernelError(dev, 'RTNETLINK answers: File exists', 'ip/exists')];
    }
    addLink(net, dev.text, kind, cmd.address ?? generatedMac(net, net.nextIfindex));
    if (cmd.address !== null) findLink(net, dev.text)!.macSet = true;
    if (kind === 'bridge') {
      // a bridge made by a case gets br_netfilter's default (FORMAT.md §1.1)
      net.sysctl['net.bridge.bridge-nf-call-iptables'] = net.sysctl['net.bridge.bridge-nf-call-iptables'] ?? '1';
    }
    if (cmd.peer) addLink(net, cmd.peer.text, 'veth', generatedMac(net, net.nextIfindex));
    const link = findLink(net, dev.text)!;
    if (cmd.mtu !== null) link.mtu = cmd.mtu;
    if (cmd.gsoMaxSegs !== null) link.gsoMaxSegs = cmd.gsoMaxSegs;
    if (cmd.group !== null) link.group = cmd.group;
    if (cmd.up) setLinkUp(net, dev.text, true);
    return [];
  }
  const link = findLink(net, dev.text);
  if (!link) return [noDevice(dev)];
  if (cmd.verb === 'delete') {
    if (link.kind === 'loopback') return [kernelError(dev, 'RTNETLINK answers: Operation not supported', 'ip/not-supported')];
    deleteLink(net, dev.text);
    return [];
  }
  if (cmd.master) {
    const master = findLink(net, cmd.master.text);
    if (!master) return [kernelError(cmd.master, `Error: argument "${cmd.master.text}" is wrong: Device does not exist`, 'ip/no-device')];
    if (master.kind !== 'bridge') return [kernelError(cmd.master, 'RTNETLINK answers: Operation not supported', 'ip/not-supported')];
    if (link.master !== master.name) link.masterSeq = Math.max(0, ...net.links.map((l) => l.masterSeq ?? 0)) + 1;
    const before = link.master;
    link.master = master.name;
    if (before !== null && before !== master.name) bridgeMtuAutoAdjust(net, before);
  }
  const left = cmd.nomaster ? link.master : null;
  if (cmd.nomaster) link.master = null;
  if (cmd.mtu !== null) {
    link.mtu = cmd.mtu;
    // br_change_mtu sets BROPT_MTU_SET_BY_USER
    if (link.kind === 'bridge') link.mtuSet = true;
  }
  // br_add_if, br_del_if and a port's NETDEV_CHANGEMTU all re-run br_mtu_auto_adjust
  if (left !== null) bridgeMtuAutoAdjust(net, left);
  if (link.master !== null && (cmd.master || cmd.mtu !== null)) bridgeMtuAutoAdjust(net, link.master);
  if (cmd.gsoMaxSegs !== null) link.gsoMaxSegs = cmd.gsoMaxSegs;
  if (cmd.group !== null) link.group = cmd.group;
  if (cmd.address !== null) {
    link.mac = cmd.address;
    link.macSet = true;
  }
  if (cmd.up !== null) setLinkUp(net, dev.text, cmd.up);
  return [];
}

function defaultAddrScope(addr: Ipv4): RouteScope {
  return addr >>> 24 === 127 ? 'host' : 'global';
}

function applyAddr(net: HostNet, cmd: IpAddrCommand): Diagnostic[] {
  const dev = cmd.dev;
  if (cmd.verb === 'show') {
    return dev && !findLink(net, dev.text) ? [kernelError(dev, `Device "${dev.text}" does not exist.`, 'ip/no-device')] : [];
  }
  if (!dev) return [];
  const link = findLink(net, dev.text);
  if (!link) return [noDevice(dev)];
  if (cmd.verb === 'flush') {
    const mine = net.addresses.filter((a) => a.iface === dev.text && !a.secondary);
    for (const a of mine) deleteAddress(net, a.iface, a.addr, a.prefixLen);
    return [];
  }
  const local = cmd.local;
  if (!local) return [];
  if (cmd.verb === 'delete') {
    if (!deleteAddress(net, dev.text, local.addr, local.prefixLen)) {
      return [kernelError(local.span, 'RTNETLINK answers: Cannot assign requested address', 'ip/no-address')];
    }
    return [];
  }
  const prefixLen = local.prefixLen ?? 32;
  let broadcast = 0;
  if (cmd.broadcast === '+') broadcast = prefixLen >= 31 ? 0 : (local.addr | ~prefixMask(prefixLen)) >>> 0;
  else if (typeof cmd.broadcast === 'number') broadcast = cmd.broadcast;
  const existing = net.addresses.find((a) => a.iface === dev.text && a.addr === local.addr && a.prefixLen === prefixLen);
  if (existing) {
    if (cmd.verb === 'add') return [kernelError(local.span, 'RTNETLINK answers: File exists', 'ip/exists')];
    deleteAddress(net, dev.text, local.addr, prefixLen);
  } else if (cmd.verb === 'change') {
    return [kernelError(local.span, 'RTNETLINK answers: No such file or directory', 'ip/no-address')];
  }
  addAddress(net, {
    iface: dev.text,
    addr: local.addr,
    prefixLen,
    broadcast,
    scope: cmd.scope ?? defaultAddrScope(local.addr),
    label: cmd.label ?? dev.text,
    secondary: false,
    noPrefixRoute: cmd.noPrefixRoute,
  });
  return [];
}

function routeTableId(net: HostNet, cmd: IpRouteCommand, out: Diagnostic[]): number | null {
  if (cmd.table === null) {
    const t = cmd.type;
    return t === 'local' || t === 'broadcast' || t === 'nat' || t === 'anycast' ? RT_TABLE_LOCAL : RT_TABLE_MAIN;
  }
  const id = resolveTable(net, cmd.table.text);
  if (id === null) out.push(kernelError(cmd.table, `Error: argument "${cmd.table.text}" is wrong: "table" value is invalid`, 'ip/invalid-table'));
  return id;
}

/**
 * fib_check_nh for a gateway: it must be reachable through a link- or
 * host-scope route (a directly connected subnet), on `dev` when given.
 */
function resolveGateway(net: HostNet, table: number, gw: Ipv4, dev: string | null): string | null {
  const key = { dst: gw, src: 0, iif: 'lo', oif: dev, mark: 0, tos: 0, proto: 0, sport: 0, dport: 0 };
  // a lookup with flowi4_scope = RT_SCOPE_LINK: only routes of scope link/host qualify
  const scoped: HostNet = { ...net, routes: net.routes.filter((r) => r.scope === 'link' || r.scope === 'host') };
  let res = net.tables.includes(table) ? fibLookup({ ...scoped, customRules: true, rules: [{ ...emptyRule(), table }] }, key) : null;
  if (!res || !res.ok) res = fibLookup(scoped, key);
  if (!res.ok || (res.type !== 'unicast' && res.type !== 'local') || res.dev === null) return null;
  return res.dev;
}

function buildRoute(net: HostNet, cmd: IpRouteCommand, table: number, out: Diagnostic[]): Route | null {
  const type = cmd.type ?? 'unicast';
  const dst = cmd.dst!;
  if (((dst.addr & ~prefixMask(dst.len)) >>> 0) !== 0) {
    out.push(kernelError(cmd.dstSpan ?? cmd.span, 'Error: Invalid prefix for given prefix length.', 'ip/invalid-prefix-length'));
    return null;
  }
  const nexthops: Nexthop[] = [];
  for (const spec of cmd.nexthops) {
    let dev: string | null = null;
    if (spec.dev) {
      const link = findLink(net, spec.dev.text);
      if (!link) {
        out.push(noDevice(spec.dev));
        return null;
      }
      dev = link.name;
    }
    if (spec.gateway !== 0 && type === 'unicast') {
      if (spec.onlink) {
        if (dev === null) {
          out.push(kernelError(spec.gatewaySpan ?? cmd.span, 'Error: Nexthop device required for onlink.', 'ip/onlink-dev'));
          return null;
        }
      } else {
        const via = resolveGateway(net, table, spec.gateway, dev);
        if (via === null) {
          out.push(kernelError(spec.gatewaySpan ?? cmd.span, 'Error: Nexthop has invalid gateway.', 'ip/invalid-gateway'));
          return null;
        }
        dev = via;
      }
    }
    if (dev !== null && type === 'unicast' && !findLink(net, dev)!.up) {
      out.push(kernelError(spec.dev ?? cmd.span, 'Error: Nexthop device is not up.', 'ip/device-down'));
      return null;
    }
    nexthops.push({ gateway: spec.gateway, dev, weight: spec.weight, onlink: spec.onlink, dead: false, ...(spec.realms ? { realm: spec.realms } : {}) });
  }
  // RTA_FLOW of the route: the nexthop's class id; for a multipath route it must be the first nexthop's (fib_get_nhs)
  if (cmd.realms !== 0 && nexthops[0]) {
    if (!cmd.multipath) nexthops[0].realm = cmd.realms;
    else if ((nexthops[0].realm ?? 0) !== cmd.realms) {
      out.push(kernelError(cmd.realmsSpan ?? cmd.span, 'Error: Nexthop class id does not match RTA_FLOW.', 'ip/realm-mismatch'));
      return null;
    }
  }
  const needsDevice = type === 'unicast' || type === 'local' || type === 'broadcast' || type === 'multicast' || type === 'anycast' || type === 'nat';
  if (needsDevice && nexthops.length === 0) {
    out.push(kernelError(cmd.span, 'Error: Device only routes require a nexthop device.', 'ip/missing-nexthop'));
    return null;
  }
  const hasGateway = nexthops.some((nh) => nh.gateway !== 0);
  let scope: RouteScope;
  if (cmd.scope !== null) scope = cmd.scope;
  else if (type === 'local' || type === 'nat') scope = 'host';
  else if (type === 'broadcast' || type === 'multicast' || type === 'anycast') scope = 'link';
  else if (type === 'unicast' && !hasGateway && !cmd.multipath) scope = 'link';
  else scope = 'global';
  if (hasGateway && scope !== 'global' && scope !== 'site') {
    out.push(kernelError(cmd.span, 'Error: Nexthop has invalid scope.', 'ip/invalid-scope'));
    return null;
  }
  if (cmd.prefsrc !== 0 && !net.addresses.some((a) => a.addr === cmd.prefsrc)) {
    out.push(kernelError(cmd.span, 'Error: Invalid prefsrc address.', 'ip/invalid-prefsrc'));
    return null;
  }
  return {
    table,
    type,
    dst: { addr: dst.addr, len: dst.len },
    tos: cmd.tos,
    metric: cmd.metric ?? 0,
    proto: cmd.proto ?? 'boot',
    scope,
    prefsrc: cmd.prefsrc,
    nexthops,
    multipath: cmd.multipath,
    ...(cmd.mtu ? { mtu: cmd.mtu, mtuLock: cmd.mtuLock } : {}),
  };
}

function applyRoute(net: HostNet, cmd: IpRouteCommand): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (cmd.verb === 'get') {
    if (cmd.iif && !findLink(net, cmd.iif.text)) out.push(noDevice(cmd.iif));
    return out;
  }
  if (cmd.verb === 'show' || cmd.verb === 'flush') {
    if (cmd.table && cmd.table.text !== 'all' && cmd.table.text !== 'cache') {
      const id = resolveTable(net, cmd.table.text);
      if (id === null) {
        return [kernelError(cmd.table, `Error: argument "${cmd.table.text}" is wrong: table id value is invalid`, 'ip/invalid-table')];
      }
      if (!net.tables.includes(id)) return [kernelError(cmd.table, 'Error: ipv4: FIB table does not exist.\nDump terminated', 'ip/no-table')];
    }
    for (const nh of cmd.nexthops) if (nh.dev && !findLink(net, nh.dev.text)) return [noDevice(nh.dev)];
    if (cmd.verb === 'flush') flushRoutes(net, cmd);
    return out;
  }
  const table = routeTableId(net, cmd, out);
  if (table === null) return out;
  if (cmd.verb === 'delete') {
    const dst = cmd.dst!;
    for (const nh of cmd.nexthops) if (nh.dev && !findLink(net, nh.dev.text)) return [noDevice(nh.dev)];
    const idx = net.routes.findIndex((r) => routeMatchesDelete(r, cmd, table, dst));
    if (idx < 0) return [kernelError(cmd.dstSpan ?? cmd.span, 'RTNETLINK answers: No such process', 'ip/no-route')];
    net.routes.splice(idx, 1);
    return [];
  }
  const route = buildRoute(net, cmd, table, out);
  if (!route) return out;
  if (cmd.verb === 'test') return out;
  const err = insertRoute(net, route, cmd.verb === 'add' ? 'add' : cmd.verb);
  if (err === 'EEXIST') out.push(kernelError(cmd.dstSpan ?? cmd.span, 'RTNETLINK answers: File exists', 'ip/exists'));
  else if (err === 'ENOENT') out.push(kernelError(cmd.dstSpan ?? cmd.span, 'RTNETLINK answers: No such file or directory', 'ip/no-route'));
  else if (route.type === 'local') net.customLocalRoutes = true;
  return out;
}

/** fib_table_delete: unspecified attributes match anything */
function routeMatchesDelete(r: Route, cmd: IpRouteCommand, table: number, dst: Prefix): boolean {
  if (r.table !== table || r.dst.len !== dst.len || r.dst.addr !== ((dst.addr & prefixMask(dst.len)) >>> 0) || r.tos !== cmd.tos) return false;
  if (cmd.type !== null && r.type !== cmd.type) return false;
  if (cmd.scope !== null && r.scope !== cmd.scope) return false;
  if (cmd.prefsrc !== 0 && r.prefsrc !== cmd.prefsrc) return false;
  if (cmd.proto !== null && r.proto !== cmd.proto) return false;
  if (cmd.metric !== null && cmd.metric !== 0 && r.metric !== cmd.metric) return false;
  if (cmd.metric === null && r.metric !== 0 && !routeHasLowestMetric(r, table, dst)) return false;
  for (const spec of cmd.nexthops) {
    const hit = r.nexthops.some((nh) => (spec.dev === null || nh.dev === spec.dev.text) && (spec.gateway === 0 || nh.gateway === spec.gateway));
    if (!hit) return false;
  }
  return true;
}

// Without `metric`, fib_find_alias starts at priority 0, so the first alias
// of the prefix (the lowest metric) is the candidate; any match qualifies.
function routeHasLowestMetric(_r: Route, _table: number, _dst: Prefix): boolean {
  return true;
}

function flushRoutes(net: HostNet, cmd: IpRouteCommand): void {
  const tableWord = cmd.table?.text;
  const table = tableWord === undefined ? RT_TABLE_MAIN : tableWord === 'all' ? -1 : resolveTable(net, tableWord);
  if (table === null) return;
  const devs = cmd.nexthops.map((nh) => nh.dev?.text).filter((d): d is string => d !== undefined);
  net.routes = net.routes.filter((r) => {
    if (table !== -1 && r.table !== table) return true;
    if (cmd.proto !== null && r.proto !== cmd.proto) return true;
    if (cmd.type !== null && r.type !== cmd.type) return true;
    if (cmd.dst !== null && (r.dst.len < cmd.dst.len || ((r.dst.addr & prefixMask(cmd.dst.len)) >>> 0) !== cmd.dst.addr)) return true;
    if (devs.length > 0 && !r.nexthops.some((nh) => nh.dev !== null && devs.includes(nh.dev))) return true;
    return false;
  });
}

function applyRule(net: HostNet, cmd: IpRuleCommand): Diagnostic[] {
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

function applyNeigh(net: HostNet, cmd: IpNeighCommand): Diagnostic[] {
  if (cmd.verb === 'show') return [];
  const dev = cmd.dev;
  if (cmd.verb === 'flush') {
    if (dev && !findLink(net, dev.text)) return [noDevice(dev)];
    net.neighbours = net.neighbours.filter((n) => (dev !== null && n.iface !== dev.text) || n.state === 'permanent' || n.state === 'noarp');
    return [];
  }
  if (!dev || cmd.addr === null) return [];
  if (!findLink(net, dev.text)) return [noDevice(dev)];
  const idx = net.neighbours.findIndex((n) => n.iface === dev.text && n.addr === cmd.addr);
  const span = cmd.addrSpan ?? cmd.span;
  if (cmd.verb === 'delete') {
    if (idx < 0) return [kernelError(span, 'RTNETLINK answers: No such file or directory', 'ip/no-neigh')];
    net.neighbours.splice(idx, 1);
    return [];
  }
  if (idx >= 0 && cmd.verb === 'add') return [kernelError(span, 'RTNETLINK answers: File exists', 'ip/exists')];
  if (idx < 0 && cmd.verb === 'change') return [kernelError(span, 'RTNETLINK answers: No such file or directory', 'ip/no-neigh')];
  const entry = { iface: dev.text, addr: cmd.addr, lladdr: cmd.lladdr, state: cmd.state ?? 'permanent' };
  if (idx >= 0) net.neighbours[idx] = entry;
  else net.neighbours.push(entry);
  return [];
}

// ---------------------------------------------------------------------------
// show

function formatDst(p: Prefix): string {
  if (p.len === 0 && p.addr === 0) return 'default';
  return p.len === 32 ? formatIpv4(p.addr) : `${formatIpv4(p.addr)}/${p.len}`;
}

export function formatRoute(net: HostNet, r: Route, showTable: boolean): string {
  const parts: string[] = [];
  if (r.type !== 'unicast') parts.push(r.type);
  parts.push(formatDst(r.dst));
  if (r.tos) parts.push('tos', dsfieldName(r.tos));
  const single = !r.multipath ? r.nexthops[0] : undefined;
  if (single) {
    if (single.gateway) parts.push('via', formatIpv4(single.gateway));
    if (single.dev) parts.push('dev', single.dev);
  }
  if (showTable && r.table !== RT_TABLE_MAIN) parts.push('table', tableName(net, r.table));
  if (r.proto !== 'boot') parts.push('proto', r.proto);
  if (r.scope !== 'global') parts.push('scope', r.scope);
  if (r.prefsrc) parts.push('src', formatIpv4(r.prefsrc));
  if (r.metric) parts.push('metric', String(r.metric));
  if (single) {
    if (single.dead) parts.push('dead');
    if (single.onlink) parts.push('onlink');
    if (single.realm) parts.push(formatRealms(single.realm));
  }
  if (r.mtu) parts.push('mtu', ...(r.mtuLock ? ['lock'] : []), String(r.mtu));
  let line = parts.join(' ') + ' ';
  if (r.multipath) {
    for (const nh of r.nexthops) {
      line += '\n\tnexthop ';
      if (nh.gateway) line += `via ${formatIpv4(nh.gateway)} `;
      if (nh.realm) line += `${formatRealms(nh.realm)} `;
      if (nh.dev) line += `dev ${nh.dev} `;
      line += `weight ${nh.weight} `;
      if (nh.dead) line += 'dead ';
      if (nh.onlink) line += 'onlink ';
    }
  }
  return line;
}

/**
 * `ip route show [table T|all]` exactly as iproute2 6.1 prints it (trailing
 * space included); `table all` lists tables in the kernel's hash order
 * (id & 255, newest first within a bucket) and names non-main tables.
 *
 * @example formatRoutes(net) // "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1 \n"
 */
/** The route tables in the order `ip route show table all` dumps them (by id's low byte, newest first). */
export function tablesInDumpOrder(net: HostNet): number[] {
  return net.tables
    .map((id, order) => ({ id, order }))
    .sort((a, b) => (a.id & 255) - (b.id & 255) || b.order - a.order)
    .map((t) => t.id);
}

export function formatRoutes(net: HostNet, table: 'all' | number = RT_TABLE_MAIN): string {
  const tables = table === 'all' ? tablesInDumpOrder(net) : [table];
  let out = '';
  for (const t of tables) {
    for (const r of net.routes) {
      if (r.table === t) out += formatRoute(net, r, table === 'all') + '\n';
    }
  }
  return out;
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
