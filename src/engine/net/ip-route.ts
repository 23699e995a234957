// pattern: Functional Core
// `ip route add|change|replace|prepend|append|test|delete|show|flush|get`
// as iproute2 6.1's iproute.c parses it, the kernel's checks when a route is
// added or deleted (fib_semantics.c, fib_trie.c), and `ip route show`
// printed byte for byte like 6.1 (see the GENERATED transcript in
// corpus/iproute2/commands/cheatsheet-route-rule.transcript.txt).

import type { Diagnostic, Span } from '../text/diagnostics';
import type { Word } from '../text/shlex';
import type { Ipv4, Prefix } from './addr';
import { formatIpv4, prefixMask } from './addr';
import type { HostNet, Nexthop, Route, RouteScope, RouteType } from './config';
import { RT_TABLE_LOCAL, RT_TABLE_MAIN, emptyRule, findLink, insertRoute, tableName } from './config';
import { fibLookup } from './fib';
import type { BaseFields, Cursor, IpBase, WordRef } from './ip-args';
import { addrArg, kernelError, matches, noDevice, parseU32, prefixArg, ref } from './ip-args';
import { dsfieldName, formatRealms, IPPROTOS, parseDsfield, parseRealms, parseScope, protoName, resolveTable, routeType } from './rt-names';

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

/** The verbs do_iproute() tests, in its order; [word, verb, exact?]. */
export const ROUTE_VERBS: readonly [string, string, boolean][] = [
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
];

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
    c.fail(kw, 'Error: nexthop needs "via" or "dev".', 'ip/empty-nexthop');
  }
  return nh;
}

/** What the words of a route set besides the command's fields. */
interface RouteWords {
  /** show, flush and get: the words select routes or describe a lookup */
  listing: boolean;
  /** the nexthop a plain `via`, `dev` or `onlink` describes */
  single: NexthopSpec;
  singleUsed: boolean;
  /** `cache`/`cached` was given (a flush of the cache needs no other argument) */
  cache: boolean;
}

export function parseRoute(c: Cursor, b: BaseFields, verb: IpRouteCommand['verb']): IpRouteCommand {
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
  const s: RouteWords = {
    listing: verb === 'show' || verb === 'flush' || verb === 'get',
    single: { gateway: 0, gatewaySpan: null, dev: null, weight: 1, onlink: false, realms: 0 },
    singleUsed: false,
    cache: false,
  };
  while (!c.done && !c.failed) {
    const w = c.take();
    if (!earlyKeyword(c, cmd, s, w, b.inet) && !lateKeyword(c, cmd, s, w, b.inet)) destination(c, cmd, w, b.inet);
  }
  if (s.singleUsed) {
    if (cmd.multipath) cmd.nexthops.unshift(s.single);
    else cmd.nexthops.push(s.single);
  }
  if (c.failed) return cmd;
  if ((verb === 'add' || verb === 'change' || verb === 'replace' || verb === 'prepend' || verb === 'append' || verb === 'test' || verb === 'delete' || verb === 'get') && cmd.dst === null) {
    c.fail(b.span, verb === 'get' ? 'need at least a destination address' : 'Error: destination prefix is required.', 'ip/missing-prefix', 'PREFIX or default');
  }
  if (verb === 'flush' && !s.cache && cmd.table === null && cmd.nexthops.length === 0 && cmd.dst === null && cmd.proto === null && cmd.type === null) {
    c.fail(b.verbSpan, 'Flush requires arguments.', 'ip/flush-arguments');
  }
  return cmd;
}

/**
 * The keywords iproute.c tests before `onlink`, in its order (the order
 * matters: "to" is a prefix of "tos"); false when `w` is none of them.
 */
function earlyKeyword(c: Cursor, cmd: IpRouteCommand, s: RouteWords, w: Word, inet: boolean): boolean {
  const t = w.text;
  if (t === 'src') {
    const a = c.arg(w, 'a source address');
    if (!a) return true;
    const v = addrArg(c, a, inet);
    if (v !== null) cmd.prefsrc = v;
    return true;
  }
  if (t === 'via') {
    const a = c.arg(w, 'a gateway address');
    if (!a) return true;
    if (s.single.gateway !== 0) {
      c.duparg('via', a);
      return true;
    }
    const v = addrArg(c, a, inet);
    if (v !== null) {
      s.single.gateway = v;
      s.single.gatewaySpan = { from: a.from, to: a.to };
      s.singleUsed = true;
    }
    return true;
  }
  if (t === 'from' && s.listing) {
    const a = c.arg(w, 'a source address');
    if (!a) return true;
    const p = prefixArg(c, a, inet);
    if (p) cmd.from = p.addr;
    return true;
  }
  if (t === 'iif' && s.listing) {
    const a = c.arg(w, 'an input interface');
    if (a) cmd.iif = ref(a);
    return true;
  }
  if (t === 'mark' && s.listing) {
    const a = c.arg(w, 'a mark');
    if (!a) return true;
    const n = parseU32(a.text);
    if (n === null) c.invarg(a, 'invalid mark value');
    else cmd.mark = n;
    return true;
  }
  if (cmd.verb === 'get' && (t === 'ipproto' || t === 'sport' || t === 'dport')) {
    const a = c.arg(w, t === 'ipproto' ? 'a protocol' : 'a port');
    if (!a) return true;
    const n = t === 'ipproto' ? (IPPROTOS[a.text] ?? parseU32(a.text)) : parseU32(a.text);
    if (n === null || n === undefined || n > (t === 'ipproto' ? 255 : 65535)) c.invarg(a, `invalid ${t}`);
    else if (t === 'ipproto') cmd.ipproto = n;
    else if (t === 'sport') cmd.sport = n;
    else cmd.dport = n;
    return true;
  }
  if ((matches(t, 'tos') || matches(t, 'dsfield')) && t !== '') {
    const a = c.arg(w, 'a TOS value');
    if (!a) return true;
    const v = parseDsfield(a.text);
    if (v === null) c.invarg(a, '"tos" value is invalid');
    else cmd.tos = v;
    return true;
  }
  if (((matches(t, 'metric') || matches(t, 'priority')) && t !== '') || t === 'preference') {
    const a = c.arg(w, 'a metric');
    if (!a) return true;
    const n = parseU32(a.text);
    if (n === null) c.invarg(a, '"metric" value is invalid');
    else cmd.metric = n;
    return true;
  }
  if (t === 'scope') {
    const a = c.arg(w, 'global, link, host or a number');
    if (!a) return true;
    const scope = parseScope(a.text);
    if (scope === null) c.invarg(a, 'invalid "scope" value');
    else cmd.scope = scope;
    return true;
  }
  if (matches(t, 'mtu') && t.length >= 2) {
    let a = c.arg(w, 'an MTU');
    if (!a) return true;
    if (a.text === 'lock') {
      cmd.mtuLock = true;
      a = c.arg(w, 'an MTU');
      if (!a) return true;
    }
    const n = parseU32(a.text);
    if (n === null) c.invarg(a, '"mtu" value is invalid');
    else cmd.mtu = n;
    return true;
  }
  return false;
}

/** The keywords iproute.c tests from `onlink` on, in its order; false when `w` is none of them. */
function lateKeyword(c: Cursor, cmd: IpRouteCommand, s: RouteWords, w: Word, inet: boolean): boolean {
  const t = w.text;
  if (matches(t, 'onlink') && t.length >= 2) {
    s.single.onlink = true;
    s.singleUsed = true;
    return true;
  }
  if (matches(t, 'realms') && t.length >= 3 && !s.listing) {
    // iproute.c tries "reordering" first, so "re" is not a realm
    const a = c.arg(w, 'a realm');
    if (!a) return true;
    const v = parseRealms(a.text);
    if (v === null) c.invarg(a, '"realm" value is invalid');
    else {
      cmd.realms = v;
      cmd.realmsSpan = { from: a.from, to: a.to };
    }
    return true;
  }
  if (t === 'nexthop') {
    cmd.multipath = true;
    cmd.nexthops.push(parseNexthop(c, w, inet));
    return true;
  }
  if (matches(t, 'protocol') && t.length >= 2) {
    const a = c.arg(w, 'a protocol name or number');
    if (!a) return true;
    const p = protoName(a.text);
    if (p === null) c.invarg(a, '"protocol" value is invalid');
    else cmd.proto = p;
    return true;
  }
  if (matches(t, 'table') && t.length >= 2) {
    const a = c.arg(w, 'a table name or id');
    if (a) cmd.table = ref(a);
    return true;
  }
  if (t === 'dev' || t === 'oif') {
    const a = c.arg(w, 'a device name');
    if (!a) return true;
    if (s.single.dev) {
      c.duparg('dev', a);
      return true;
    }
    s.single.dev = ref(a);
    s.singleUsed = true;
    return true;
  }
  if (s.listing && (t === 'root' || t === 'match' || t === 'exact' || t === 'cache' || t === 'cached' || t === 'all')) {
    if (t === 'cache' || t === 'cached') s.cache = true;
    return true;
  }
  return false;
}

/** NODE_SPEC: `[to] [TYPE] PREFIX`, what a word that is no keyword starts. */
function destination(c: Cursor, cmd: IpRouteCommand, w: Word, inet: boolean): void {
  const t = w.text;
  let a: Word | null = w;
  if (t === 'to') a = c.arg(w, 'a prefix');
  if (!a) return;
  const ty = a.text.length > 0 && (a.text[0]! < '0' || a.text[0]! > '9') ? routeType(a.text) : null;
  if (ty !== null) {
    cmd.type = ty;
    a = c.arg(a, 'a prefix');
    if (!a) return;
  }
  if (cmd.dstSpan !== null) {
    c.duparg('to', a);
    return;
  }
  const p = prefixArg(c, a, inet);
  if (p) {
    cmd.dst = p;
    cmd.dstSpan = { from: a.from, to: a.to };
  }
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

export function applyRoute(net: HostNet, cmd: IpRouteCommand): Diagnostic[] {
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

// ---------------------------------------------------------------------------
// show

function formatDst(p: Prefix): string {
  if (p.len === 0 && p.addr === 0) return 'default';
  return p.len === 32 ? formatIpv4(p.addr) : `${formatIpv4(p.addr)}/${p.len}`;
}

export function formatRoute(net: HostNet, r: Route, showTable: boolean, noCarrier: ReadonlySet<string> = NONE): string {
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
    // RTNH_F_LINKDOWN: the device is up without carrier (a veth whose peer is down)
    if (single.dev && noCarrier.has(single.dev)) parts.push('linkdown');
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
      if (nh.dev && noCarrier.has(nh.dev)) line += 'linkdown ';
    }
  }
  return line;
}

const NONE: ReadonlySet<string> = new Set();

/** The route tables in the order `ip route show table all` dumps them (by id's low byte, newest first). */
export function tablesInDumpOrder(net: HostNet): number[] {
  return net.tables
    .map((id, order) => ({ id, order }))
    .sort((a, b) => (a.id & 255) - (b.id & 255) || b.order - a.order)
    .map((t) => t.id);
}

/**
 * `ip route show [table T|all]` exactly as iproute2 6.1 prints it (trailing
 * space included); `table all` lists tables in the kernel's hash order
 * (id & 255, newest first within a bucket) and names non-main tables.
 *
 * @example formatRoutes(net) // "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1 \n"
 */
export function formatRoutes(net: HostNet, table: 'all' | number = RT_TABLE_MAIN, noCarrier: ReadonlySet<string> = NONE): string {
  const tables = table === 'all' ? tablesInDumpOrder(net) : [table];
  let out = '';
  for (const t of tables) {
    for (const r of net.routes) {
      if (r.table === t) out += formatRoute(net, r, table === 'all', noCarrier) + '\n';
    }
  }
  return out;
}
