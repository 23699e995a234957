// pattern: Functional Core
// Import what real machines print: `ip route show [table T|all]`, `ip rule
// show`, `ip [-4] [-o] addr show` and `ip [-o] link show` output, turned into
// the `ip` commands that rebuild the same state on a fresh host (links, then
// addresses, then routes, then rules), plus the lines deliberately left out.
//
// Why commands and not HostNet mutations: every imported object then goes
// through the same parser and kernel checks as a typed command (ip-command.ts),
// so an import can never create a state a user could not have typed, and a
// failure carries the kernel's own message.
//
// What the kernel creates by itself is skipped, because adding the address
// recreates it (fib_add_ifaddr in net/ipv4/fib_frontend.c): `proto kernel`
// prefix routes, table-local `local`/`broadcast` entries, the three default
// rules (fib4_rules_init). A paste of routes only, with no `inet` lines, still
// needs those addresses: they are implied from the `src` of the kernel routes.
//
// Formats accepted (old iproute2 included, see corpus/iproute2/README.md):
// double spaces and trailing spaces, `linkdown`/`dead`/`onlink` flags,
// multipath `nexthop` lines starting with a TAB, `cache` lines, `expires`,
// IPv6 lines (skipped), `PRIO:<TAB>selector action` rule lines, `ip -o`
// one-line output (`\` joins what would be separate lines), shell prompt
// lines (`$ ip route show table 10` sets the table of the lines below).
//
// Two passes: this file reads the lines into records (ip-import-records.ts),
// ip-import-rebuild.ts turns the records into the ordered commands.

import type { Diagnostic, Parsed, Span } from '../text/diagnostics';
import type { Ipv4 } from './addr';
import { formatIpv4 } from './addr';
import type { HostNet, LinkKind } from './config';
import { RT_PROTOS, findLink } from './config';
import type { IpAddrCommand } from './ip-addr';
import { applyIpCommand, execIpCommand, parseIpCommand } from './ip-command';
import { parseU32 } from './ip-args';
import {
  CommandBuilder, DEFAULT_RULES, diag, mapDiagnostic, maskedPrefix, splitLines, tokens,
  type AddrRec, type Collected, type ImportResult, type ImportSkip, type Line, type LinkRec, type RouteRec, type RuleRec, type Tok,
} from './ip-import-records';
import { rebuild } from './ip-import-rebuild';

export type ImportKind = 'route' | 'rule' | 'addr' | 'link' | 'auto';

export interface ImportOptions {
  /** the table the routes were listed from (`ip route show table T`) when the text does not say */
  table?: string;
}

interface PendingRoute {
  line: number;
  span: Span;
  header: Tok[];
  nexthops: Tok[][];
  nexthopLines: number[];
  cache: boolean;
  table: string | null;
}

type Section = 'route' | 'rule' | 'iface' | 'ipv6' | null;

const ROUTE_TYPES = new Set(['unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat']);

// Maps, not object literals: every word of every route line is looked up, and a
// keyed load of a word sliced from the text is slow in V8 (issue 10); a Map also
// keeps Object.prototype names ("constructor") from reading as flags.

/** route flags iproute2 prints that are state, not configuration (RTNH_F_*, RTM_F_*) */
const ROUTE_STATE_FLAGS: ReadonlyMap<string, string> = new Map(Object.entries({
  linkdown: 'the device has no carrier (RTNH_F_LINKDOWN); carrier is not modelled',
  dead: 'the nexthop device was down (RTNH_F_DEAD); restored only if the link output says it is down',
  pervasive: 'RTNH_F_PERVASIVE is not modelled',
  offload: 'hardware offload is not modelled',
  trap: 'hardware offload is not modelled',
  rt_offload: 'hardware offload is not modelled',
  rt_trap: 'hardware offload is not modelled',
  rt_offload_failed: 'hardware offload is not modelled',
  notify: 'RTM_F_NOTIFY is not modelled',
  unresolved: 'unresolved nexthop groups are not modelled',
}));

/** route attributes with one argument that PacketWalk does not model */
const ROUTE_DROPPED_ARGS: ReadonlyMap<string, string> = new Map(Object.entries({
  expires: 'route expiry is not modelled; imported as permanent',
  error: 'route error codes are printed for IPv6 only',
  pref: 'router preference is IPv6 only',
  advmss: 'route advmss is not modelled',
  hoplimit: 'route hoplimit is not modelled',
  rtt: 'route TCP metrics are not modelled',
  rttvar: 'route TCP metrics are not modelled',
  reordering: 'route TCP metrics are not modelled',
  window: 'route TCP metrics are not modelled',
  cwnd: 'route TCP metrics are not modelled',
  initcwnd: 'route TCP metrics are not modelled',
  initrwnd: 'route TCP metrics are not modelled',
  ssthresh: 'route TCP metrics are not modelled',
  rto_min: 'route TCP metrics are not modelled',
  quickack: 'route TCP metrics are not modelled',
  congctl: 'route TCP metrics are not modelled',
  features: 'route features are not modelled',
  fastopen_no_cookie: 'route TCP metrics are not modelled',
  nhid: 'nexthop objects are not modelled; the nexthop printed inline is imported',
  uid: 'route lookup output (ip route get): the uid is not part of a route',
  from: 'a source selector is printed by ip route get / the routing cache only',
  iif: 'an input interface is printed by ip route get / the routing cache only',
  mark: 'a mark is printed by ip route get only',
}));

const RT_PROTO_NAMES: ReadonlySet<string> = new Set(Object.values(RT_PROTOS));

const ADDR_STATE_FLAGS = new Set(['secondary', 'primary', 'temporary', 'dynamic', 'deprecated', 'tentative', 'dadfailed', 'home', 'nodad', 'mngtmpaddr', 'autojoin', 'optimistic', 'stable-privacy', 'permanent']);

const LINK_DETAIL_KINDS: Readonly<Record<string, LinkKind>> = { veth: 'veth', bridge: 'bridge', dummy: 'dummy' };

const MAC = /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/;

function isRulePrio(t: Tok | undefined): boolean {
  return t !== undefined && /^\d+:$/.test(t.text);
}

function tableKey(word: string): number | string {
  if (word === 'local') return 255;
  if (word === 'main') return 254;
  if (word === 'default') return 253;
  const n = parseU32(word);
  return n ?? word;
}

// ---------------------------------------------------------------------------
// the importer

/** The first pass: each line read by the section it belongs to, its records collected. */
class Importer implements Collected {
  readonly diagnostics: Diagnostic[] = [];
  readonly skipped: ImportSkip[] = [];
  readonly links: LinkRec[] = [];
  readonly addrs: AddrRec[] = [];
  readonly routes: RouteRec[] = [];
  readonly rules: RuleRec[] = [];
  readonly tableNames = new Map<string, Span>();
  private section: Section;
  private routeTable: string | null;
  private current: LinkRec | null = null;
  private pending: PendingRoute | null = null;
  ruleSpan: Span | null = null;

  constructor(
    readonly text: string,
    readonly kind: ImportKind,
    options: ImportOptions,
  ) {
    this.section = kind === 'route' ? 'route' : kind === 'rule' ? 'rule' : kind === 'addr' || kind === 'link' ? 'iface' : null;
    this.routeTable = options.table !== undefined && options.table !== 'main' && options.table !== 'all' ? options.table : null;
  }

  skip(line: number, reason: string): void {
    this.skipped.push({ line, reason });
  }

  run(): void {
    const lines = splitLines(this.text);
    for (const line of lines) this.line(line);
    this.flushRoute();
  }

  private line(line: Line): void {
    const text = this.text;
    const first = text.charCodeAt(line.from);
    const toks = tokens(text, line.from, line.to);
    if (toks.length === 0) {
      this.flushRoute();
      this.skip(line.no, 'blank line');
      return;
    }
    const head = toks[0]!;
    if (head.text.startsWith('#') || head.text.startsWith('$')) {
      this.flushRoute();
      this.prompt(line, toks);
      return;
    }
    const indented = first === 32 || first === 9;
    if (indented && (head.text === 'nexthop' || head.text === 'cache')) {
      this.routeContinuation(line, toks);
      return;
    }
    this.flushRoute();
    if (this.section === 'ipv6') {
      this.skip(line.no, 'IPv6 output (the prompt above says -6); PacketWalk models IPv4 only');
      return;
    }
    const ruleLine = isRulePrio(head) && (toks[1]?.text === 'from' || toks[1]?.text === 'not');
    const ifaceHeader = isRulePrio(head) && !ruleLine && toks.length >= 2;
    if (this.kind !== 'auto') {
      const wanted = this.kind;
      const ok =
        wanted === 'rule' ? ruleLine : wanted === 'route' ? !indented && !isRulePrio(head) : indented || ifaceHeader;
      if (!ok) {
        const what = wanted === 'rule' ? 'an `ip rule show` line (PRIO: from ...)' : wanted === 'route' ? 'an `ip route show` line' : 'an `ip addr`/`ip link` line (N: NAME: <FLAGS> ... or an indented detail line)';
        this.diagnostics.push(diag(line, `not ${what}`, 'import/unexpected-line', 'error', what));
        return;
      }
    }
    if (ruleLine) this.ruleLine(line, toks);
    else if (ifaceHeader) this.ifaceSegments(line);
    else if (indented) this.ifaceDetail(line, toks);
    else this.routeLine(line, toks);
  }

  /** `$ ip -4 route show table 10` or `# ip -4 a s`: a comment that may say what follows */
  private prompt(line: Line, toks: Tok[]): void {
    const words = toks.map((t) => t.text);
    if (words[0] === '#' || words[0] === '$') words.shift();
    else words[0] = words[0]!.slice(1);
    if (words[0] === '') words.shift();
    if (words[0] === 'sudo') words.shift();
    if (words[0] !== 'ip') {
      this.skip(line.no, 'comment');
      return;
    }
    let v6 = false;
    let i = 1;
    for (; i < words.length && words[i]!.startsWith('-'); i++) if (words[i] === '-6') v6 = true;
    const obj = words[i] ?? '';
    let section: Section = null;
    if (obj === '' || 'address'.startsWith(obj) || 'link'.startsWith(obj)) section = 'iface';
    if (obj !== '' && 'route'.startsWith(obj)) section = 'route';
    else if (obj.length >= 2 && 'rule'.startsWith(obj)) section = 'rule';
    this.section = v6 ? 'ipv6' : section;
    this.routeTable = null;
    const t = words.indexOf('table');
    const tableWord = t > 0 ? words[t + 1] : undefined;
    if (section === 'route' && tableWord !== undefined && tableWord !== 'all' && tableWord !== 'main') this.routeTable = tableWord;
    this.current = null;
    this.skip(line.no, `shell prompt: ${words.join(' ')}`);
  }

  // -------------------------------------------------------------------------
  // routes

  private routeLine(line: Line, toks: Tok[]): void {
    let dstIdx = 0;
    if (ROUTE_TYPES.has(toks[0]!.text)) dstIdx = 1;
    const dst = toks[dstIdx];
    if (dst === undefined) {
      this.diagnostics.push(diag(toks[0]!, `a route needs a destination after "${toks[0]!.text}"`, 'import/missing-prefix', 'error', 'PREFIX or default'));
      return;
    }
    const viaIdx = toks.findIndex((t) => t.text === 'via');
    const via = viaIdx >= 0 ? toks[viaIdx + 1] : undefined;
    if (dst.text.includes(':') || (via !== undefined && (via.text.includes(':') || via.text === 'inet6'))) {
      if (!dst.text.includes(':') && via?.text === 'inet6') {
        this.diagnostics.push(diag(via, 'IPv4 routes with an IPv6 gateway (RFC 5549) are not supported', 'import/unsupported', 'error', 'an IPv4 gateway'));
        return;
      }
      this.skip(line.no, 'IPv6 route; PacketWalk models IPv4 only');
      return;
    }
    this.pending = { line: line.no, span: { from: line.from, to: line.to }, header: toks, nexthops: [], nexthopLines: [], cache: false, table: this.routeTable };
  }

  private routeContinuation(line: Line, toks: Tok[]): void {
    const p = this.pending;
    if (toks[0]!.text === 'cache') {
      if (p) p.cache = true;
      this.skip(line.no, 'routing cache annotation (ip route get / ip route show cache), not a route');
      return;
    }
    if (!p) {
      this.diagnostics.push(diag(toks[0]!, 'a `nexthop` line needs the multipath route line above it', 'import/orphan-nexthop', 'error', 'a route line before the nexthop lines'));
      return;
    }
    p.nexthops.push(toks);
    p.nexthopLines.push(line.no);
    p.span = { from: p.span.from, to: line.to };
  }

  /** keep what `ip route add` understands, report what it does not */
  private routeWords(toks: Tok[], b: CommandBuilder, inNexthop: boolean): boolean {
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      const w = t.text;
      const state = ROUTE_STATE_FLAGS.get(w);
      if (state !== undefined) {
        // `dead` is reproduced when the link output says the device is down
        this.diagnostics.push(diag(t, `"${w}" not imported: ${state}`, 'import/state-flag', 'info'));
        continue;
      }
      if (w === 'mtu' && !inNexthop && toks[i + 1]) {
        // RTAX_MTU is modelled (path MTU, DF, TCP MSS): kept as `mtu [lock] N`
        b.tok(t);
        if (toks[i + 1]!.text === 'lock' && toks[i + 2]) b.tok(toks[++i]!);
        b.tok(toks[++i]!);
        continue;
      }
      const dropped = ROUTE_DROPPED_ARGS.get(w);
      if (dropped !== undefined) {
        let n = 1;
        if (toks[i + 1]?.text === 'lock') n = 2;
        const last = toks[Math.min(i + n, toks.length - 1)]!;
        this.diagnostics.push(diag({ from: t.from, to: last.to }, `"${w}" not imported: ${dropped}`, 'import/not-modelled', 'warning'));
        i += n;
        continue;
      }
      if (w === 'encap' || w === 'ttl-propagate' || w === 'nhid-group') {
        this.diagnostics.push(diag(t, `"${w}" routes are not supported`, 'import/unsupported', 'error'));
        return false;
      }
      if (w === 'via' && toks[i + 1]?.text === 'inet') {
        // 6.1 prints the family when it differs from the route's; for IPv4 it is redundant
        b.tok(t);
        i++;
        continue;
      }
      if ((w === 'proto' || w === 'protocol') && i + 1 < toks.length) {
        const a = toks[i + 1]!;
        const n = parseU32(a.text);
        const known = n !== null ? n <= 255 : RT_PROTO_NAMES.has(a.text);
        if (!known) {
          this.diagnostics.push(diag(a, `protocol "${a.text}" is not in iproute2 6.1's rt_protos; imported as proto boot`, 'import/unknown-proto', 'warning', 'an rt_protos name or a number 0..255'));
          i++;
          continue;
        }
      }
      if (inNexthop && w === 'nexthop') {
        this.diagnostics.push(diag(t, 'one nexthop per line is expected', 'import/unexpected-word', 'error', 'via, dev, weight or onlink'));
        return false;
      }
      b.tok(t);
    }
    return true;
  }

  private flushRoute(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    if (p.cache) {
      this.skip(p.line, 'routing cache entry (ip route get / ip route show cache), not a route');
      for (const n of p.nexthopLines) this.skip(n, 'nexthop of a routing cache entry, not a route');
      return;
    }
    const before = this.diagnostics.length;
    const failed = (): void => {
      // the error sits on one line of a multipath route: each of its other lines says it was not imported either
      const errors = this.diagnostics.slice(before).filter((d) => d.severity === 'error');
      for (const toks of [p.header, ...p.nexthops]) {
        const first = toks[0]!;
        const last = toks[toks.length - 1]!;
        if (!errors.some((d) => d.from >= first.from && d.from <= last.to)) {
          this.diagnostics.push(diag(first, 'this multipath route is not imported: one of its lines is wrong', 'import/bad-multipath', 'error'));
        }
      }
    };
    const b = new CommandBuilder().add('ip').add('route').add('add');
    if (!this.routeWords(p.header, b, false)) return failed();
    for (let i = 0; i < p.nexthops.length; i++) {
      const nh = p.nexthops[i]!;
      b.tok(nh[0]!);
      if (!this.routeWords(nh.slice(1), b, true)) return failed();
    }
    const tableIdx = p.header.findIndex((t) => t.text === 'table');
    let table: number | string = 254;
    if (tableIdx >= 0 && p.header[tableIdx + 1]) table = tableKey(p.header[tableIdx + 1]!.text);
    else if (p.table !== null) {
      b.add('table').add(p.table);
      table = tableKey(p.table);
    } else if (ROUTE_TYPES.has(p.header[0]!.text) && ['local', 'broadcast', 'anycast', 'nat'].includes(p.header[0]!.text)) table = 255;
    const command = b.build(p.span);
    const parsed = b.parse(command);
    const cmd = parsed.value;
    if (!cmd || cmd.object !== 'route' || parsed.diagnostics.length > 0) {
      for (const d of parsed.diagnostics) this.diagnostics.push(mapDiagnostic(command, d));
      return failed();
    }
    if (typeof table === 'string') this.useTable(table, tableIdx >= 0 ? p.header[tableIdx + 1]! : p.span);
    this.routes.push({ line: p.line, span: p.span, command, cmd, table, hasGateway: cmd.nexthops.some((nh) => nh.gateway !== 0) });
  }

  private useTable(name: string, span: Span): void {
    if (!this.tableNames.has(name)) this.tableNames.set(name, { from: span.from, to: span.to });
  }

  // -------------------------------------------------------------------------
  // rules

  private ruleLine(line: Line, toks: Tok[]): void {
    const prioTok = toks[0]!;
    const prio = prioTok.text.slice(0, -1);
    const b = new CommandBuilder().add('ip').add('rule').add('add').add('priority').add(prio, { from: prioTok.from, to: prioTok.to - 1 });
    const rest = toks.slice(1);
    let tableName: Tok | null = null;
    for (let i = 0; i < rest.length; i++) {
      const t = rest[i]!;
      const w = t.text;
      if ((w === 'from' || w === 'to') && rest[i + 1]?.text.includes(':')) {
        this.skip(line.no, 'IPv6 rule; PacketWalk models IPv4 only');
        return;
      }
      if (w === 'l3mdev' || w === '[l3mdev-table]') {
        this.diagnostics.push(diag(t, 'l3mdev (VRF) rules are not supported', 'import/unsupported', 'error'));
        return;
      }
      if (w === 'suppress_ifgroup' || w === 'map-to' || w === 'nat' || w === 'tun_id' || w === 'sup_group') {
        this.diagnostics.push(diag(t, `rule selector/action "${w}" is not supported`, 'import/unsupported', 'error'));
        return;
      }
      if (w === '[detached]' || w === '[unresolved]') continue;
      if (w === 'proto' || w === 'protocol') {
        const last = rest[i + 1] ?? t;
        this.diagnostics.push(diag({ from: t.from, to: last.to }, 'rule protocol is not modelled', 'import/not-modelled', 'warning'));
        i++;
        continue;
      }
      if (w === 'uidrange') {
        this.diagnostics.push(diag(t, 'uidrange: PacketWalk treats every packet as uid 0, so this rule only matches ranges that start at 0', 'import/partial', 'warning'));
      }
      if ((w === 'lookup' || w === 'table') && rest[i + 1]) {
        const name = rest[i + 1]!;
        if (typeof tableKey(name.text) === 'string') tableName = name;
      }
      b.tok(t);
    }
    const span = { from: line.from, to: line.to };
    const command = b.build(span);
    const parsed = b.parse(command);
    const cmd = parsed.value;
    if (!cmd || cmd.object !== 'rule' || parsed.diagnostics.length > 0) {
      for (const d of parsed.diagnostics) this.diagnostics.push(mapDiagnostic(command, d));
      return;
    }
    if (tableName) this.useTable(tableName.text, tableName);
    this.ruleSpan = this.ruleSpan ? { from: this.ruleSpan.from, to: line.to } : span;
    let defaultOf: RuleRec['defaultOf'] = null;
    const selector = rest.map((t) => t.text).join(' ');
    for (const [p, t] of DEFAULT_RULES) {
      if (cmd.priority === p && selector === `from all lookup ${t}`) defaultOf = t;
    }
    this.rules.push({ line: line.no, span, command, cmd, defaultOf });
  }

  // -------------------------------------------------------------------------
  // interfaces (ip addr / ip link)

  /** `ip -o` joins an interface's lines with `\`: each segment is handled as its own line */
  private ifaceSegments(line: Line): void {
    const text = this.text;
    let from = line.from;
    for (let guard = 0; guard <= line.to - line.from; guard++) {
      const slash = text.indexOf('\\', from);
      const to = slash < 0 || slash >= line.to ? line.to : slash;
      const toks = tokens(text, from, to);
      const seg: Line = { no: line.no, from, to };
      if (from === line.from) this.ifaceHeader(seg, toks);
      else if (toks.length > 0) this.ifaceDetail(seg, toks);
      if (to === line.to) break;
      from = to + 1;
    }
  }

  private ifaceHeader(line: Line, toks: Tok[]): void {
    const nameTok = toks[1];
    if (nameTok === undefined) {
      // `1: \…`: an `ip -o` line whose first segment ends after the index
      this.diagnostics.push(diag(toks[0]!, `expected an interface name and ":" after "${toks[0]!.text}"`, 'import/bad-header', 'error', 'NAME: <FLAGS> mtu N ...'));
      this.current = null;
      return;
    }
    const oneLineAddr = !nameTok.text.endsWith(':') && (toks[2]?.text === 'inet' || toks[2]?.text === 'inet6');
    let raw = nameTok.text.endsWith(':') ? nameTok.text.slice(0, -1) : nameTok.text;
    const at = raw.indexOf('@');
    if (at >= 0) raw = raw.slice(0, at);
    if (raw === '' || (!oneLineAddr && !nameTok.text.endsWith(':'))) {
      this.diagnostics.push(diag(nameTok, `expected an interface name and ":" after "${toks[0]!.text}"`, 'import/bad-header', 'error', 'NAME: <FLAGS> mtu N ...'));
      this.current = null;
      return;
    }
    const name: Tok = { text: raw, from: nameTok.from, to: nameTok.from + raw.length };
    let rec = this.links.find((l) => l.name === raw);
    if (rec && !oneLineAddr) this.skip(line.no, `${raw} is listed again: its first header line is imported`);
    if (!rec) {
      rec = { name: raw, nameTok: name, line: line.no, span: { from: line.from, to: line.to }, up: null, loopback: raw === 'lo', mtu: null, master: null, mac: null, kind: null };
      this.links.push(rec);
    }
    this.current = rec;
    if (oneLineAddr) {
      this.ifaceDetail(line, toks.slice(2));
      return;
    }
    if (at >= 0) {
      const suffix = nameTok.text.slice(at, -1);
      this.diagnostics.push(
        diag({ from: nameTok.from + at, to: nameTok.to - 1 }, `"${suffix}": the parent/peer relation (VLAN, veth peer in another namespace) is not modelled; imported as a separate link`, 'import/not-modelled', 'info'),
      );
    }
    for (let i = 2; i < toks.length; i++) {
      const t = toks[i]!;
      const w = t.text;
      if (w.startsWith('<') && w.endsWith('>')) {
        const flags = w.slice(1, -1).split(',');
        rec.up = flags.includes('UP');
        if (flags.includes('LOOPBACK')) rec.loopback = true;
        if (flags.includes('NO-CARRIER')) this.diagnostics.push(diag(t, 'NO-CARRIER: carrier is not modelled; the link is imported with its carrier up', 'import/not-modelled', 'info'));
      } else if (w === 'mtu' && toks[i + 1]) {
        const a = toks[++i]!;
        const n = parseU32(a.text);
        if (n === null || n < 68 || n > 0x7fffffff) this.diagnostics.push(diag(a, `Error: argument "${a.text}" is wrong: Invalid "mtu" value`, 'import/bad-mtu', 'error', 'an MTU'));
        else rec.mtu = a;
      } else if (w === 'master' && toks[i + 1]) rec.master = toks[++i]!;
      else if (w === 'group' && toks[i + 1]) {
        const g = toks[++i]!;
        if (g.text !== 'default') rec.group = g;
      } else if (w === 'qdisc' || w === 'state' || w === 'mode' || w === 'qlen' || w === 'link-netnsid' || w === 'alias' || w === 'netns' || w === 'portid' || w === 'link-netns') i++;
    }
  }

  private ifaceDetail(line: Line, toks: Tok[]): void {
    const head = toks[0]!;
    const w = head.text;
    if (w === 'inet6') {
      this.skip(line.no, 'IPv6 address; PacketWalk models IPv4 only');
      return;
    }
    if (w === 'valid_lft' || w === 'preferred_lft') {
      this.skip(line.no, 'address lifetimes: addresses are imported as permanent');
      return;
    }
    const link = this.current;
    if (!link) {
      this.diagnostics.push(diag(head, `"${w}" line without an interface header line above it`, 'import/orphan-detail', 'error', 'N: NAME: <FLAGS> ... before it'));
      return;
    }
    if (w === 'inet') {
      this.inetLine(line, toks, link);
      return;
    }
    if (w.startsWith('link/')) {
      if (w === 'link/loopback') link.loopback = true;
      const mac = toks[1];
      if (link.loopback || link.name === 'lo') this.skip(line.no, 'a fresh host already has lo');
      else if (w !== 'link/ether' || !mac) this.skip(line.no, `${w}: no link-layer address to import`);
      else if (link.mac !== null) this.skip(line.no, 'a second link-layer line: the first one is imported');
      else {
        if (MAC.test(mac.text)) link.mac = mac;
        else this.diagnostics.push(diag(mac, `"${mac.text}" is not a link-layer address (anonymised?); a generated one is used`, 'import/bad-lladdr', 'warning', 'xx:xx:xx:xx:xx:xx'));
      }
      return;
    }
    const kind = LINK_DETAIL_KINDS[w];
    if (kind !== undefined) {
      link.kind = kind;
      this.skip(line.no, `link details: type ${w}`);
      return;
    }
    if (w === 'altname') this.skip(line.no, 'alternative interface names are not modelled');
    else if (w === 'RX:' || w === 'TX:' || /^\d+$/.test(w)) this.skip(line.no, 'interface statistics');
    else this.skip(line.no, `"${w} ..." details are not modelled (a ${w} link is imported as a veth)`);
  }

  private inetLine(line: Line, toks: Tok[], link: LinkRec): void {
    const local = toks[1];
    if (!local) {
      this.diagnostics.push(diag(toks[0]!, 'an inet line needs an address', 'import/missing-address', 'error', 'ADDR/LEN'));
      return;
    }
    if (!/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(local.text)) {
      this.diagnostics.push(diag(local, `Error: inet prefix is expected rather than "${local.text}".`, 'import/bad-address', 'error', 'ADDR/LEN'));
      return;
    }
    const b = new CommandBuilder().add('ip').add('address').add('add');
    let brd: Tok | null = null;
    let scope: Tok | null = null;
    let peer: Tok | null = null;
    let metric: Tok | null = null;
    let noprefixroute: Tok | null = null;
    let label: Tok | null = null;
    for (let i = 2; i < toks.length; i++) {
      const t = toks[i]!;
      const w = t.text;
      if ((w === 'brd' || w === 'peer' || w === 'scope' || w === 'metric' || w === 'proto' || w === 'any') && toks[i + 1]) {
        const a = toks[++i]!;
        if (w === 'brd') brd = a;
        else if (w === 'peer') peer = a;
        else if (w === 'scope') scope = a;
        else if (w === 'metric') metric = a;
      } else if (w === 'noprefixroute') noprefixroute = t;
      else if (ADDR_STATE_FLAGS.has(w)) continue;
      else if (i === toks.length - 1) label = t;
      else {
        this.diagnostics.push(diag(t, `unexpected "${w}" in an inet line`, 'import/unexpected-word', 'error', 'brd, scope, secondary, noprefixroute, valid_lft or the label'));
        return;
      }
    }
    let addrText = local.text;
    let extra: { dst: Ipv4; len: number } | null = null;
    if (peer !== null) {
      // IFA_ADDRESS != IFA_LOCAL: the kernel's prefix route is the peer's prefix
      const p = parseIpCommand(`ip address add ${peer.text} dev x`).value as IpAddrCommand | null;
      const l = parseIpCommand(`ip address add ${local.text} dev x`).value as IpAddrCommand | null;
      if (!p?.local || !l?.local || l.local.prefixLen !== null) {
        this.diagnostics.push(diag(p?.local ? local : peer, 'expected ADDR peer PEER/LEN', 'import/bad-peer', 'error', 'ADDR peer PEER/LEN'));
        return;
      }
      const len = p.local.prefixLen ?? 32;
      const pfx = maskedPrefix(p.local.addr, len);
      if (maskedPrefix(l.local.addr, len) === pfx && len < 32) addrText = `${local.text}/${len}`;
      else extra = { dst: pfx, len };
      this.diagnostics.push(diag(peer, 'peer addresses are not modelled: imported as the local address plus the prefix route the kernel makes for the peer', 'import/not-modelled', 'warning'));
    }
    b.add(addrText, peer !== null ? { from: local.from, to: peer.to } : local);
    if (brd) b.add('brd').tok(brd);
    if (scope) b.add('scope').tok(scope);
    if (label && !label.text.startsWith(link.name)) {
      this.diagnostics.push(diag(label, `"dev" (${link.name}) must match "label" (${label.text}).`, 'import/label', 'error', `${link.name} or ${link.name}:NAME`));
      return;
    }
    if (label && label.text !== link.name) b.add('label').tok(label);
    let metricValue = 0;
    if (metric) {
      const n = parseU32(metric.text);
      if (n === null) {
        this.diagnostics.push(diag(metric, `Error: argument "${metric.text}" is wrong: "metric" value is invalid`, 'import/bad-metric', 'error', 'a number'));
        return;
      }
      metricValue = n;
    }
    const explicitPrefixRoute = metricValue !== 0 || extra !== null;
    if (noprefixroute) b.tok(noprefixroute);
    else if (explicitPrefixRoute) b.add('noprefixroute', metric ?? peer);
    b.add('dev').add(link.name, link.nameTok);
    const span = { from: line.from, to: line.to };
    const command = b.build(span);
    const parsed = b.parse(command);
    const cmd = parsed.value;
    if (!cmd || cmd.object !== 'address' || !cmd.local || parsed.diagnostics.length > 0) {
      let here = false;
      for (const d of parsed.diagnostics) {
        const m = mapDiagnostic(command, d);
        // `dev` comes from the header line: the inet line must still say it was refused
        if (m.from >= line.from && m.to <= line.to) this.diagnostics.push(m);
        else if (!here) this.diagnostics.push({ ...m, from: local.from, to: local.to });
        here = true;
      }
      return;
    }
    const len = cmd.local.prefixLen ?? 32;
    const addr = cmd.local.addr;
    if (link.name === 'lo' && addr === 0x7f000001 && len === 8) {
      this.skip(line.no, 'a fresh host already has 127.0.0.1/8 on lo');
      return;
    }
    if (metricValue !== 0 && extra === null) {
      this.diagnostics.push(diag(metric!, 'address metrics (IFA_RT_PRIORITY) are not modelled: imported with noprefixroute plus the prefix route the kernel makes with this metric', 'import/not-modelled', 'warning'));
      extra = { dst: maskedPrefix(addr, len), len };
    }
    const rec: AddrRec = {
      line: line.no,
      dev: link.name,
      addr,
      len,
      broadcast: typeof cmd.broadcast === 'number' ? cmd.broadcast : 0,
      noPrefixRoute: cmd.noPrefixRoute,
      metric: metricValue,
      implied: false,
      command,
      extraRoute: null,
    };
    if (extra !== null && !(noprefixroute && peer === null)) {
      const rb = new CommandBuilder().add('ip').add('route').add('add').add(extra.len === 32 ? formatIpv4(extra.dst) : `${formatIpv4(extra.dst)}/${extra.len}`, peer ?? local);
      rb.add('dev').add(link.name, link.nameTok).add('proto').add('kernel').add('scope').add(scope?.text === 'host' ? 'host' : 'link').add('src').add(formatIpv4(addr), local);
      if (metricValue !== 0) rb.add('metric').tok(metric!);
      rec.extraRoute = { command: rb.build(span), dst: extra.dst, len: extra.len };
    }
    this.addrs.push(rec);
  }

}

/**
 * Turn `ip route show`, `ip rule show`, `ip addr show` or `ip link show`
 * output (any iproute2 version, `-o` too, several outputs pasted one after
 * another with or without their `$ ip ...` prompt lines) into the commands
 * that rebuild it. Never throws; every line yields commands, a `skipped`
 * entry with its reason, or a diagnostic pointing at the offending words.
 *
 * @example
 * importIpOutput('default via 10.0.0.1 dev eth0 proto static metric 100\n10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.2\n')
 * // commands: ip address add 10.0.0.2/24 dev eth0, ip route add default via 10.0.0.1 dev eth0 proto static metric 100
 */
export function importIpOutput(text: string, kind: ImportKind = 'auto', options: ImportOptions = {}): Parsed<ImportResult> {
  const importer = new Importer(text, kind, options);
  importer.run();
  const value = rebuild(importer);
  return { value, diagnostics: importer.diagnostics.sort((a, b) => a.from - b.from) };
}

/** Table ids for names the import uses that the host's rt_tables lacks: free ids from 100 up, like a hand-edited rt_tables. */
function assignTables(net: HostNet, r: ImportResult, out: Diagnostic[]): void {
  const used = new Set<number>([...Object.values(net.rtTables), ...net.tables]);
  for (const c of r.commands) {
    const words = c.text.split(' ');
    for (let i = 0; i + 1 < words.length; i++) {
      if (words[i] !== 'table' && words[i] !== 'lookup') continue;
      const n = parseU32(words[i + 1]!);
      if (n !== null) used.add(n);
    }
  }
  let next = 100;
  for (const t of r.tables) {
    if (net.rtTables[t.name] !== undefined) continue;
    for (let guard = 0; guard < 0x10000 && used.has(next); guard++) next++;
    net.rtTables[t.name] = next;
    used.add(next);
    out.push(diag(t.span, `table "${t.name}" is not in rt_tables: registered as ${next}`, 'import/new-table', 'info'));
  }
}

/**
 * Run an import's commands on a host through execIpCommand, in order.
 * Links the host already has are reused (their MAC and MTU set), addresses it
 * already has are kept; every other answer of iproute2 or the kernel comes
 * back with its span mapped onto the import text.
 *
 * @example
 * const r = importIpOutput(text).value!;
 * const net = createHostNet(r.devices.map((name, i) => ({ name, mac: `02:00:00:00:00:${i + 10}` })));
 * applyImport(net, r); // []
 */
export function applyImport(net: HostNet, r: ImportResult): Diagnostic[] {
  const out: Diagnostic[] = [];
  assignTables(net, r, out);
  for (const c of r.commands) {
    // parsed once: the checks below and the kernel's answers use the same command
    const parsed = parseIpCommand(c.text);
    const cmd = parsed.value;
    if (cmd && cmd.object === 'link' && cmd.verb === 'add' && cmd.dev && findLink(net, cmd.dev.text)) {
      if (cmd.address === null && cmd.mtu === null) continue;
      const set = `ip link set ${cmd.dev.text}${cmd.address !== null ? ` address ${cmd.address}` : ''}${cmd.mtu !== null ? ` mtu ${cmd.mtu}` : ''}`;
      for (const d of execIpCommand(net, set)) out.push({ ...d, from: c.span.from, to: c.span.to });
      continue;
    }
    if (cmd && cmd.object === 'address' && cmd.verb === 'add' && cmd.dev && cmd.local) {
      const dev = cmd.dev.text;
      const local = cmd.local;
      if (net.addresses.some((a) => a.iface === dev && a.addr === local.addr && a.prefixLen === (local.prefixLen ?? 32))) continue;
    }
    const answers = cmd ? [...parsed.diagnostics, ...applyIpCommand(net, cmd)] : parsed.diagnostics;
    for (const d of answers) out.push(mapDiagnostic(c, d));
  }
  return out;
}
