// pattern: Functional Core
// The IPv4 routing decision as net/ipv4/fib_rules.c, fib_trie.c, fib_frontend.c
// and route.c make it: fib rules by priority, longest-prefix match per
// table, input routing (local / forward / error with the ICMP the kernel
// sends), reverse-path validation (fib_validate_source), output routing with
// source address selection (inet_select_addr); route-get.ts reads it the
// way `ip route get` prints it.
//
// Hot path note: fibLookup walks the host's route array once per table it
// consults and allocates only its result object; hosts hold few routes.

import type { AddrType } from './config';
import type { Ipv4 } from './addr';
import { prefixMask } from './addr';
import type { FibRule, HostNet, IfAddr, Nexthop, Route, RouteScope, RouteType, RuleAction } from './config';
import { RT_TABLE_LOCAL, RT_TABLE_MAIN, SCOPE_VALUE, findLink } from './config';
import { multipathHashL3, selectMultipath } from './multipath-hash';
import { findException } from './fnhe';
import { acceptLocal, forwarding, routeLocalnet, rpFilter, sendRedirects, sharedMedia, srcValidMark, sysctlNumber } from './sysctl';

export interface FlowKey {
  dst: Ipv4;
  /** 0 = unspecified */
  src: Ipv4;
  /** input interface; 'lo' for locally generated lookups (flowi4_iif = LOOPBACK_IFINDEX) */
  iif: string | null;
  oif: string | null;
  mark: number;
  tos: number;
  proto: number;
  sport: number;
  dport: number;
}

export type FibErrno = 'ENETUNREACH' | 'EHOSTUNREACH' | 'EACCES' | 'EINVAL';

export interface FibOk {
  ok: true;
  type: RouteType;
  /** the table the route was found in, as the kernel reports it (main while local is merged into it) */
  table: number;
  dev: string | null;
  /** 0 when on-link */
  gateway: Ipv4;
  /** the route's `src`, 0 when none */
  prefsrc: Ipv4;
  route: Route;
  nexthop: Nexthop | null;
  rulePriority: number;
  /** res->tclassid: the realms of the fib rule that decided (0 without custom rules) */
  ruleTclassid: number;
}

export interface FibErr {
  ok: false;
  errno: FibErrno;
  table?: number;
  /** set when a rule action (not a route) produced the error */
  ruleAction?: RuleAction;
  route?: Route;
  rulePriority?: number;
}

export type FibResult = FibOk | FibErr;

const LIMITED_BROADCAST = 0xffffffff;
/** IPTOS_RT_MASK: the TOS bits routing compares (route.c, fib_dscp_masked_match) */
const RT_TOS_MASK = 0x1c;

function isMulticast(a: Ipv4): boolean {
  return a >>> 28 === 0xe;
}
function isZeronet(a: Ipv4): boolean {
  return a >>> 24 === 0;
}
function isLoopback(a: Ipv4): boolean {
  return a >>> 24 === 127;
}
function isLocalMulticast(a: Ipv4): boolean {
  return a >>> 8 === 0xe00000;
}

/** fib_props[type].error: route types that end the lookup with an error */
function routeTypeErrno(type: RouteType): FibErrno | 'EAGAIN' | null {
  switch (type) {
    case 'blackhole':
      return 'EINVAL';
    case 'unreachable':
      return 'EHOSTUNREACH';
    case 'prohibit':
      return 'EACCES';
    case 'throw':
      return 'EAGAIN';
    default:
      return null;
  }
}

function nexthopUsable(nh: Nexthop, oif: string | null): boolean {
  return !nh.dead && (oif === null || nh.dev === oif);
}

interface TableHit {
  route: Route;
  nh: number;
}

/**
 * fib_table_lookup: the longest matching prefix whose alias passes the TOS
 * and nexthop checks (an alias that fails is skipped and shorter prefixes
 * are tried, as the trie backtracks). `merged` looks at main and local
 * together, as the kernel does before the first custom rule.
 */
function tableLookup(net: HostNet, table: number, merged: boolean, key: FlowKey): TableHit | null {
  const routes = net.routes;
  const tos = key.tos & RT_TOS_MASK;
  let best: Route | null = null;
  let bestNh = -1;
  let bestLen = -1;
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i]!;
    if (r.table !== table && !(merged && (r.table === RT_TABLE_LOCAL || r.table === RT_TABLE_MAIN))) continue;
    const len = r.dst.len;
    if (len <= bestLen) continue;
    if (((key.dst & prefixMask(len)) >>> 0) !== r.dst.addr) continue;
    if (r.tos !== 0 && r.tos !== tos) continue;
    if (r.nexthops.length === 0 || routeTypeErrno(r.type) !== null) {
      best = r;
      bestNh = -1;
      bestLen = len;
      continue;
    }
    let nh = -1;
    for (let j = 0; j < r.nexthops.length; j++) {
      if (nexthopUsable(r.nexthops[j]!, key.oif)) {
        nh = j;
        break;
      }
    }
    if (nh < 0) continue;
    best = r;
    bestNh = nh;
    bestLen = len;
  }
  return best === null ? null : { route: best, nh: bestNh };
}

/** fib_rule_match: whether a rule's selector takes this flow (`not` applied). */
export function ruleMatches(rule: FibRule, key: FlowKey): boolean {
  let m = true;
  if (rule.iif !== null && rule.iif !== key.iif) m = false;
  else if (rule.oif !== null && rule.oif !== key.oif) m = false;
  else if (rule.fwmark !== null && ((rule.fwmark ^ key.mark) & rule.fwmask) !== 0) m = false;
  else if (rule.from !== null && ((key.src ^ rule.from.addr) & prefixMask(rule.from.len)) !== 0) m = false;
  else if (rule.to !== null && ((key.dst ^ rule.to.addr) & prefixMask(rule.to.len)) !== 0) m = false;
  else if (rule.tos !== 0 && rule.tos !== (key.tos & RT_TOS_MASK)) m = false;
  else if (rule.ipproto !== null && rule.ipproto !== key.proto) m = false;
  else if (rule.sport !== null && (key.sport < rule.sport.start || key.sport > rule.sport.end)) m = false;
  else if (rule.dport !== null && (key.dport < rule.dport.start || key.dport > rule.dport.end)) m = false;
  // flowi_uid: the simulator's sockets and forwarded packets are root (uid 0)
  else if (rule.uidrange !== null && rule.uidrange.start > 0) m = false;
  return rule.not ? !m : m;
}

/**
 * Choose among a multipath route's live nexthops (fib_select_multipath, L3
 * hash). An output lookup hands its flow over, and a source address it
 * already has makes nexthops with that nh_saddr (inet_select_addr on the
 * nexthop's device and gateway) preferred; input lookups pass none
 * (ip_mkroute_input).
 */
function selectPath(net: HostNet, route: Route, first: number, key: FlowKey, hashSrc: Ipv4, hashDst: Ipv4): number {
  const nhs = route.nexthops;
  if (nhs.length < 2 || key.oif !== null) return first;
  const weights: number[] = [];
  for (const nh of nhs) weights.push(nh.dead ? 0 : nh.weight);
  const seed = sysctlNumber(net, 'net.ipv4.fib_multipath_hash_seed');
  const saddr = key.iif === 'lo' ? key.src : 0;
  const matches = saddr === 0 ? null : nhs.map((nh) => selectSourceAddress(net, nh.dev, nh.gateway, route.scope) === saddr);
  return selectMultipath(multipathHashL3(hashSrc, hashDst, seed), weights, matches);
}

function ok(net: HostNet, hit: TableHit, table: number, rulePriority: number, key: FlowKey, hashSrc: Ipv4, hashDst: Ipv4, ruleTclassid = 0): FibOk {
  const route = hit.route;
  const nhIndex = hit.nh < 0 ? -1 : selectPath(net, route, hit.nh, key, hashSrc, hashDst);
  const nh = nhIndex < 0 ? null : route.nexthops[nhIndex]!;
  return {
    ok: true,
    type: route.type,
    table,
    dev: nh ? nh.dev : null,
    gateway: nh ? nh.gateway : 0,
    prefsrc: route.prefsrc,
    route,
    nexthop: nh,
    rulePriority,
    ruleTclassid,
  };
}

// ---------------------------------------------------------------- route realms (CONFIG_IP_ROUTE_CLASSID)

/** set_class_tag: each 16-bit half of the route's tclassid still 0 takes that half of `tag`. */
function setClassTag(tclassid: number, tag: number): number {
  let t = tclassid >>> 0;
  if (!(t & 0xffff)) t = (t | (tag & 0xffff)) >>> 0;
  if (!(t & 0xffff0000)) t = (t | (tag & 0xffff0000)) >>> 0;
  return t;
}

/**
 * dst.tclassid as rt_set_nexthop sets it: the nexthop's realms, then what the
 * fib rule's realms and the source's tag (itag, input routes) fill in.
 */
export function routeClassid(res: FibOk, itag = 0): number {
  return setClassTag(setClassTag(res.nexthop?.realm ?? 0, res.ruleTclassid), itag);
}

/** fib_combine_itag: the reverse route's realm as the source half, or the rule's realms swapped. */
function combineItag(res: FibOk): number {
  let itag = ((res.nexthop?.realm ?? 0) << 16) >>> 0;
  const rtag = res.ruleTclassid;
  if (itag === 0) itag = (rtag << 16) >>> 0;
  return (itag | (rtag >>> 16)) >>> 0;
}

/**
 * The routes the kernel caches per nexthop (nhc_rth_input, nhc_pcpu_rth_output,
 * or the slots of a nexthop exception): a cached route keeps the tclassid it
 * was made with, so when fib rules with different realms lead to one nexthop
 * the first lookup decides for the later ones (case q81: the router's own
 * ping through the WAN nexthop caches realm 20, an echo reply from the LAN
 * address, whose rule says realms 1/0, then gets 20 too). Only that rule
 * half can differ: the nexthop's realm is fixed and routes with a source tag
 * are not cached. The cache is emptied by every configuration command
 * (rt_cache_flush) and, per nexthop, by a new exception (update_or_create_fnhe).
 */
interface RouteCacheSlots {
  exceptions: number;
  output?: number;
  input?: number;
}

const routeCaches = new WeakMap<HostNet, WeakMap<object, RouteCacheSlots>>();

/** rt_cache_flush: a configuration change makes every cached route invalid. */
export function flushRouteCache(net: HostNet): void {
  routeCaches.delete(net);
}

function cachedClassid(net: HostNet, key: object, slot: 'output' | 'input', fresh: number): number {
  let m = routeCaches.get(net);
  if (!m) routeCaches.set(net, (m = new WeakMap()));
  const exceptions = net.exceptions?.length ?? 0;
  let s = m.get(key);
  if (!s || s.exceptions !== exceptions) m.set(key, (s = { exceptions }));
  if (s[slot] === undefined) s[slot] = fresh;
  return s[slot]!;
}

/** net->ipv4.fib_num_tclassid_users: nexthops and fib rules that carry realms. */
export function tclassidUsers(net: HostNet): boolean {
  return net.routes.some((r) => r.nexthops.some((nh) => nh.realm)) || net.rules.some((r) => r.tclassid);
}

const MAX_RULE_STEPS = 100000;

/**
 * fib_lookup: rules by ascending priority (or main only while no custom
 * rule exists), each `lookup` consulting one table; a table without a match
 * or a `throw` route continues with the next rule; route types blackhole /
 * unreachable / prohibit and rule actions end the lookup with an error;
 * nothing found is ENETUNREACH.
 *
 * @example fibLookup(net, { dst, src: 0, iif: 'eth0', oif: null, mark: 0, tos: 0, proto: 6, sport: 40001, dport: 80 })
 */
export function fibLookup(net: HostNet, key: FlowKey, hashSrc: Ipv4 = key.src, hashDst: Ipv4 = key.dst): FibResult {
  if (!net.customRules) {
    const hit = tableLookup(net, RT_TABLE_MAIN, true, key);
    if (hit === null) return { ok: false, errno: 'ENETUNREACH' };
    const e = routeTypeErrno(hit.route.type);
    if (e === 'EAGAIN') return { ok: false, errno: 'ENETUNREACH', table: RT_TABLE_MAIN };
    if (e !== null) return { ok: false, errno: e, table: RT_TABLE_MAIN, route: hit.route, rulePriority: 32766 };
    return ok(net, hit, RT_TABLE_MAIN, 32766, key, hashSrc, hashDst);
  }
  const rules = net.rules;
  let i = 0;
  let steps = 0;
  while (i < rules.length && steps++ < MAX_RULE_STEPS) {
    const rule = rules[i]!;
    if (!ruleMatches(rule, key)) {
      i++;
      continue;
    }
    switch (rule.action) {
      case 'nop':
        i++;
        continue;
      case 'goto': {
        const target = rule.goto === null ? -1 : rules.findIndex((r) => r.priority === rule.goto);
        // an unresolved goto is skipped; backward jumps cannot be configured
        i = target > i ? target : i + 1;
        continue;
      }
      case 'blackhole':
        return { ok: false, errno: 'EINVAL', ruleAction: 'blackhole', rulePriority: rule.priority };
      case 'unreachable':
        return { ok: false, errno: 'ENETUNREACH', ruleAction: 'unreachable', rulePriority: rule.priority };
      case 'prohibit':
        return { ok: false, errno: 'EACCES', ruleAction: 'prohibit', rulePriority: rule.priority };
      case 'lookup': {
        const hit = net.tables.includes(rule.table) ? tableLookup(net, rule.table, false, key) : null;
        if (hit !== null) {
          const e = routeTypeErrno(hit.route.type);
          if (e === null) {
            if (rule.suppressPrefixLength < 0 || hit.route.dst.len > rule.suppressPrefixLength) {
              return ok(net, hit, rule.table, rule.priority, key, hashSrc, hashDst, rule.tclassid ?? 0);
            }
          } else if (e !== 'EAGAIN') {
            return { ok: false, errno: e, table: rule.table, route: hit.route, rulePriority: rule.priority };
          }
        }
        i++;
        continue;
      }
    }
  }
  return { ok: false, errno: 'ENETUNREACH' };
}

function addrScopeFits(a: IfAddr, scope: number): boolean {
  // inet_select_addr: min(ifa_scope, RT_SCOPE_LINK) > scope → skip
  const s = Math.min(SCOPE_VALUE[a.scope], SCOPE_VALUE.link);
  return s <= scope;
}

/**
 * inet_select_addr: a primary address of `dev` in the same subnet as `dst`,
 * else its first primary address within `scope`, else the first address of
 * any device whose scope is neither link nor narrower than `scope`. 0 when
 * there is none.
 */
export function selectSourceAddress(net: HostNet, dev: string | null, dst: Ipv4, scope: RouteScope): Ipv4 {
  const limit = SCOPE_VALUE[scope];
  let addr = 0;
  if (dev !== null) {
    for (const a of net.addresses) {
      if (a.iface !== dev || a.secondary || !addrScopeFits(a, limit)) continue;
      if (dst === 0 || ((a.addr ^ dst) & prefixMask(a.prefixLen)) === 0) return a.addr;
      if (addr === 0) addr = a.addr;
    }
    if (addr !== 0) return addr;
  }
  for (const link of net.links) {
    for (const a of net.addresses) {
      if (a.iface !== link.name || a.secondary) continue;
      if (a.scope !== 'link' && SCOPE_VALUE[a.scope] <= limit) return a.addr;
    }
  }
  return 0;
}

/** An address configured on some interface (inet_lookup_ifaddr). */
export function isLocalAddress(net: HostNet, addr: Ipv4): boolean {
  const list = net.addresses;
  for (let i = 0; i < list.length; i++) if (list[i]!.addr === addr) return true;
  return false;
}

const ADDR_TYPE: Readonly<Record<RouteType, AddrType>> = {
  unicast: 'UNICAST',
  local: 'LOCAL',
  broadcast: 'BROADCAST',
  anycast: 'ANYCAST',
  multicast: 'MULTICAST',
  blackhole: 'BLACKHOLE',
  unreachable: 'UNREACHABLE',
  prohibit: 'PROHIBIT',
  throw: 'THROW',
  nat: 'NAT',
};

/**
 * inet_dev_addr_type (what -m addrtype asks): the type of the route for
 * `addr` in table local (main+local while merged), UNICAST when none; with
 * `iface` set, only a route through that device counts.
 */
export function addrType(net: HostNet, addr: Ipv4, iface: string | null): AddrType {
  if (isZeronet(addr) || addr === LIMITED_BROADCAST) return 'BROADCAST';
  if (isMulticast(addr)) return 'MULTICAST';
  const key: FlowKey = { dst: addr, src: 0, iif: null, oif: null, mark: 0, tos: 0, proto: 0, sport: 0, dport: 0 };
  const hit = tableLookup(net, RT_TABLE_LOCAL, !net.customRules, key);
  if (hit === null || routeTypeErrno(hit.route.type) !== null) return 'UNICAST';
  if (iface !== null && hit.route.nexthops[0]?.dev !== iface) return 'UNICAST';
  return ADDR_TYPE[hit.route.type];
}

function isLocalSource(net: HostNet, addr: Ipv4): boolean {
  return isLocalAddress(net, addr) || addrType(net, addr, null) === 'LOCAL';
}

function nexthopScope(nh: Nexthop): RouteScope {
  return nh.gateway !== 0 ? 'link' : 'host';
}

/**
 * fib_validate_source: -1 for a martian / reverse-path failure, 1 when the
 * source is reachable on-link through `iif` (used for redirects), else 0.
 * `oif` is the output device of the forward route (null for local input).
 */
function validateSource(net: HostNet, src: Ipv4, dst: Ipv4, tos: number, oif: string | null, iif: string, mark: number, tag?: { itag: number }): number {
  const rpf = rpFilter(net, iif);
  if (rpf === 0 && !tclassidUsers(net) && (oif !== iif || !sendRedirects(net, iif))) {
    if (acceptLocal(net, iif)) return 0;
    if (!net.customLocalRoutes && !net.customRules) return isLocalAddress(net, src) ? -1 : 0;
  }
  const key: FlowKey = {
    dst: src,
    src: dst,
    iif: oif ?? 'lo',
    oif: null,
    mark: srcValidMark(net, iif) ? mark : 0,
    tos,
    proto: 0,
    sport: 0,
    dport: 0,
  };
  const res = fibLookup(net, key);
  if (!res.ok) return rpf ? -1 : 0;
  if (res.type !== 'unicast' && !(res.type === 'local' && acceptLocal(net, iif))) return -1;
  if (tag) tag.itag = combineItag(res);
  const devMatch = res.route.nexthops.some((nh) => nh.dev === iif) || (res.type === 'local' && iif === 'lo');
  if (devMatch) return res.nexthop && nexthopScope(res.nexthop) === 'host' ? 1 : 0;
  if (!net.addresses.some((a) => a.iface === iif)) return rpf ? -1 : 0;
  if (rpf === 1) return -1;
  const second = fibLookup(net, { ...key, oif: iif });
  if (second.ok && second.type === 'unicast' && second.nexthop) return nexthopScope(second.nexthop) === 'host' ? 1 : 0;
  return 0;
}

/**
 * The FIB lookup ipt_rpfilter makes for a packet's source (rpfilter_lookup_reverse):
 * iif lo, no oif, no ports, the caller's mark and TOS. The route type and the
 * devices of all its nexthops (fib_info_nh_uses_dev), null when the lookup fails.
 */
export function reversePathLookup(net: HostNet, flow: { dst: Ipv4; src: Ipv4; mark: number; tos: number }): { type: RouteType; devs: string[] } | null {
  const key: FlowKey = { dst: flow.dst, src: flow.src, iif: 'lo', oif: null, mark: flow.mark, tos: flow.tos, proto: 0, sport: 0, dport: 0 };
  const res = fibLookup(net, key);
  if (!res.ok) return null;
  const devs: string[] = [];
  for (const nh of res.route.nexthops) if (nh.dev !== null) devs.push(nh.dev);
  return { type: res.type, devs };
}

/** The header fields input routing reads; a Packet satisfies it. */
export interface InputPacket {
  src: Ipv4;
  dst: Ipv4;
  tos: number;
  mark: number;
  proto: number;
  sport?: number;
  dport?: number;
  /** ICMP errors: multipath hashes the quoted header's addresses (ip_multipath_l3_keys) */
  icmp?: { type: number; inner?: { src: Ipv4; dst: Ipv4 } };
}

export type InputRouteReason =
  | 'martian_source'
  | 'martian_destination'
  | 'reverse_path_filter'
  | 'forwarding_disabled'
  | 'no_route'
  | 'blackhole_route'
  | 'unreachable_route'
  | 'prohibit_route'
  | 'blackhole_rule'
  | 'unreachable_rule'
  | 'prohibit_rule'
  | 'no_device';

export type InputRouteResult =
  | {
      kind: 'local';
      type: 'local' | 'broadcast' | 'multicast';
      /** reported table id (0 when no lookup was needed, e.g. 255.255.255.255) */
      table: number;
      route: Route | null;
      /** dst.tclassid: for local delivery the source's tag only (ip_route_input_slow) */
      classid: number;
    }
  | {
      kind: 'forward';
      type: 'unicast';
      table: number;
      dev: string;
      gateway: Ipv4;
      route: Route;
      /** ip_forward sends an ICMP redirect before FORWARD (IPSKB_DOREDIRECT) */
      redirect: boolean;
      /** the better first hop the redirect names: the gateway, or the destination itself */
      redirectGateway: Ipv4;
      /** dst.tclassid (routeClassid with the source's tag) */
      classid: number;
    }
  | {
      kind: 'error';
      errno: FibErrno;
      reason: InputRouteReason;
      /** ICMP destination unreachable the kernel sends (ip_error), null when silent */
      icmp: { type: number; code: number } | null;
      table?: number;
    };

function inputError(net: HostNet, iif: string, errno: FibErrno, reason: InputRouteReason, table?: number): InputRouteResult {
  let icmp: { type: number; code: number } | null = null;
  // ip_error: nothing is sent from an interface that does not forward
  if (forwarding(net, iif)) {
    if (errno === 'EHOSTUNREACH') icmp = { type: 3, code: 1 };
    else if (errno === 'ENETUNREACH') icmp = { type: 3, code: 0 };
    else if (errno === 'EACCES') icmp = { type: 3, code: 13 };
  }
  const r: InputRouteResult = { kind: 'error', errno, reason, icmp };
  if (table !== undefined) r.table = table;
  return r;
}

function lookupErrorReason(res: FibErr): InputRouteReason {
  if (res.ruleAction === 'blackhole') return 'blackhole_rule';
  if (res.ruleAction === 'unreachable') return 'unreachable_rule';
  if (res.ruleAction === 'prohibit') return 'prohibit_rule';
  if (res.route) {
    if (res.route.type === 'blackhole') return 'blackhole_route';
    if (res.route.type === 'unreachable') return 'unreachable_route';
    if (res.route.type === 'prohibit') return 'prohibit_route';
  }
  return 'no_route';
}

/** inet_addr_onlink: both addresses inside one subnet of `dev` */
function addrsOnlink(net: HostNet, dev: string, a: Ipv4, b: Ipv4): boolean {
  for (const ifa of net.addresses) {
    if (ifa.iface !== dev) continue;
    const m = prefixMask(ifa.prefixLen);
    if (((a ^ ifa.addr) & m) === 0 && (b === 0 || ((b ^ ifa.addr) & m) === 0)) return true;
  }
  return false;
}

/**
 * ip_route_input_slow for a packet received on `iif`, with its headers
 * after PREROUTING (DNAT applied, mark set). Outcomes and errors follow
 * REPORT.md §5 item 11: ip_forward=0 → silent EHOSTUNREACH; no route → ICMP
 * 3/0; unreachable → 3/1; prohibit → 3/13; blackhole and martians silent.
 * Packets received on `lo` reuse their output route in the kernel and should
 * not be routed here.
 */
export function inputRoute(net: HostNet, pkt: InputPacket, iif: string): InputRouteResult {
  const link = findLink(net, iif);
  if (!link) return { kind: 'error', errno: 'EINVAL', reason: 'no_device', icmp: null };
  const { src, dst } = pkt;
  if (isMulticast(dst)) {
    // ip_check_mc_rcu: every IPv4 device is in 224.0.0.1; we model no other membership
    if (dst === 0xe0000001 && !isMulticast(src) && src !== LIMITED_BROADCAST) return { kind: 'local', type: 'multicast', table: 0, route: null, classid: 0 };
    return { kind: 'error', errno: 'EINVAL', reason: 'martian_destination', icmp: null };
  }
  if (isMulticast(src) || src === LIMITED_BROADCAST) return { kind: 'error', errno: 'EINVAL', reason: 'martian_source', icmp: null };
  if (dst === LIMITED_BROADCAST || (src === 0 && dst === 0)) {
    const tag = { itag: 0 };
    if (src !== 0 && validateSource(net, src, 0, pkt.tos, null, iif, pkt.mark, tag) < 0) {
      return { kind: 'error', errno: 'EINVAL', reason: 'martian_source', icmp: null };
    }
    return { kind: 'local', type: 'broadcast', table: 0, route: null, classid: tag.itag };
  }
  if (isZeronet(src)) return { kind: 'error', errno: 'EINVAL', reason: 'martian_source', icmp: null };
  if (isZeronet(dst)) return { kind: 'error', errno: 'EINVAL', reason: 'martian_destination', icmp: null };
  if (isLoopback(dst)) {
    if (!routeLocalnet(net, iif)) return { kind: 'error', errno: 'EINVAL', reason: 'martian_destination', icmp: null };
  } else if (isLoopback(src) && !routeLocalnet(net, iif)) {
    return { kind: 'error', errno: 'EINVAL', reason: 'martian_source', icmp: null };
  }
  const key: FlowKey = {
    dst,
    src,
    iif,
    oif: null,
    mark: pkt.mark,
    tos: pkt.tos,
    proto: pkt.proto,
    sport: pkt.sport ?? 0,
    dport: pkt.dport ?? 0,
  };
  const inner = pkt.proto === 1 && pkt.icmp && isIcmpError(pkt.icmp.type) ? pkt.icmp.inner : undefined;
  const res = fibLookup(net, key, inner ? inner.src : src, inner ? inner.dst : dst);
  if (!res.ok) {
    if (!forwarding(net, iif)) return inputError(net, iif, 'EHOSTUNREACH', 'forwarding_disabled', res.table);
    return inputError(net, iif, res.errno, lookupErrorReason(res), res.table);
  }
  if (res.type === 'broadcast') {
    const tag = { itag: 0 };
    if (validateSource(net, src, 0, pkt.tos, null, iif, pkt.mark, tag) < 0) {
      return { kind: 'error', errno: 'EINVAL', reason: rpFilter(net, iif) ? 'reverse_path_filter' : 'martian_source', icmp: null };
    }
    return { kind: 'local', type: 'broadcast', table: res.table, route: res.route, classid: tag.itag };
  }
  if (res.type === 'local') {
    const tag = { itag: 0 };
    if (validateSource(net, src, dst, pkt.tos, null, iif, pkt.mark, tag) < 0) {
      return { kind: 'error', errno: 'EINVAL', reason: rpFilter(net, iif) ? 'reverse_path_filter' : 'martian_source', icmp: null };
    }
    return { kind: 'local', type: 'local', table: res.table, route: res.route, classid: tag.itag };
  }
  if (!forwarding(net, iif)) return inputError(net, iif, 'EHOSTUNREACH', 'forwarding_disabled', res.table);
  if (res.type !== 'unicast' || res.dev === null) {
    return { kind: 'error', errno: 'EINVAL', reason: 'martian_destination', icmp: null };
  }
  const tag = { itag: 0 };
  const v = validateSource(net, src, dst, pkt.tos, res.dev, iif, pkt.mark, tag);
  if (v < 0) {
    return { kind: 'error', errno: 'EINVAL', reason: rpFilter(net, iif) ? 'reverse_path_filter' : 'martian_source', icmp: null };
  }
  const redirect =
    res.dev === iif && v > 0 && sendRedirects(net, iif) && (sharedMedia(net, iif) || addrsOnlink(net, iif, src, res.gateway));
  // __mkroute_input → rt_set_nexthop: a learned redirect applies to forwarded packets too
  const gateway = findException(net, res.route, res.nexthop, dst)?.gateway ?? res.gateway;
  return {
    kind: 'forward',
    type: 'unicast',
    table: res.table,
    dev: res.dev,
    gateway,
    route: res.route,
    redirect,
    redirectGateway: gateway !== 0 ? gateway : dst,
    // __mkroute_input: cached only without a source tag (do_cache = res->fi && !itag)
    classid: tag.itag === 0 && res.nexthop ? cachedClassid(net, findException(net, res.route, res.nexthop, dst) ?? res.nexthop, 'input', routeClassid(res)) : routeClassid(res, tag.itag),
  };
}

function isIcmpError(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

export interface OutputFlow {
  dst: Ipv4;
  /** 0 = let routing choose (a bound socket passes its address) */
  src: Ipv4;
  /** SO_BINDTODEVICE / IP_PKTINFO interface, null for none */
  oif: string | null;
  mark: number;
  tos: number;
  proto: number;
  sport: number;
  dport: number;
  /** FLOWI_FLAG_ANYSRC: raw IP_HDRINCL and transparent sockets may use any source */
  anySrc?: boolean;
  /** FLOWI_FLAG_KNOWN_NH: the destination is the next hop (TEE); such a route without a gateway is not cached */
  knownNh?: boolean;
}

export type OutputRouteResult =
  | {
      ok: true;
      type: 'unicast' | 'local' | 'broadcast' | 'multicast';
      /** `lo` for the host's own addresses */
      dev: string;
      gateway: Ipv4;
      /** source address the packet gets when the socket did not choose one */
      src: Ipv4;
      /** reported table id, 0 when no lookup decided */
      table: number;
      route: Route | null;
      /** dst.tclassid (routeClassid, no source tag on output) */
      classid: number;
    }
  | { ok: false; errno: FibErrno | 'ENODEV' | 'ENETDOWN'; table?: number };

/**
 * ip_route_output_key_hash_rcu for a locally generated packet: checks the
 * bound source, consults the fib rules with iif=lo, sends local destinations
 * through `lo`, and picks the source address (route `src`, else
 * inet_select_addr on the nexthop's device). With an oif and no route the
 * kernel assumes the destination is on-link.
 */
export function outputRoute(net: HostNet, flow: OutputFlow): OutputRouteResult {
  let src = flow.src;
  let dst = flow.dst;
  if (src !== 0) {
    if (isMulticast(src) || src === LIMITED_BROADCAST || isZeronet(src)) return { ok: false, errno: 'EINVAL' };
    if (!flow.anySrc && !isLocalSource(net, src)) return { ok: false, errno: 'ENETUNREACH' };
  }
  if (flow.oif !== null) {
    const link = findLink(net, flow.oif);
    if (!link) return { ok: false, errno: 'ENODEV' };
    if (!link.up) return { ok: false, errno: 'ENETDOWN' };
    if (isLocalMulticast(dst) || dst === LIMITED_BROADCAST) {
      if (src === 0) src = selectSourceAddress(net, flow.oif, 0, 'link');
      return { ok: true, type: dst === LIMITED_BROADCAST ? 'broadcast' : 'multicast', dev: flow.oif, gateway: 0, src, table: 0, route: null, classid: 0 };
    }
    if (src === 0 && isMulticast(dst)) src = selectSourceAddress(net, flow.oif, 0, 'global');
    else if (src === 0 && dst === 0) src = selectSourceAddress(net, flow.oif, 0, 'host');
  }
  if (dst === 0) {
    dst = src;
    if (dst === 0) dst = src = 0x7f000001;
    return { ok: true, type: 'local', dev: 'lo', gateway: 0, src, table: 0, route: null, classid: 0 };
  }
  const key: FlowKey = {
    dst,
    src,
    iif: 'lo',
    oif: flow.oif,
    mark: flow.mark,
    tos: flow.tos,
    proto: flow.proto,
    sport: flow.sport,
    dport: flow.dport,
  };
  let res = fibLookup(net, key);
  if (!res.ok) {
    if (flow.oif !== null) {
      if (src === 0) src = selectSourceAddress(net, flow.oif, 0, 'link');
      if (loopbackSourceOffLoopback(src, flow.oif)) return { ok: false, errno: 'EINVAL' };
      return { ok: true, type: dst === LIMITED_BROADCAST ? 'broadcast' : 'unicast', dev: flow.oif, gateway: 0, src, table: 0, route: null, classid: 0 };
    }
    const fail: OutputRouteResult = { ok: false, errno: res.errno };
    if (res.table !== undefined) fail.table = res.table;
    return fail;
  }
  if (res.type === 'local') {
    if (src === 0) src = res.prefsrc !== 0 ? res.prefsrc : dst;
    return { ok: true, type: 'local', dev: 'lo', gateway: 0, src, table: res.table, route: res.route, classid: res.nexthop ? cachedClassid(net, res.nexthop, 'output', routeClassid(res)) : routeClassid(res) };
  }
  if (src === 0) {
    src = res.prefsrc !== 0 ? res.prefsrc : selectSourceAddress(net, res.dev, res.gateway, res.route.scope);
  }
  // rt_bind_exception: a redirect learned for this destination replaces the nexthop's gateway
  const fnhe = findException(net, res.route, res.nexthop, dst);
  if (fnhe) res = { ...res, gateway: fnhe.gateway };
  let type: 'unicast' | 'local' | 'broadcast' | 'multicast';
  if (dst === LIMITED_BROADCAST || res.type === 'broadcast') type = 'broadcast';
  else if (isMulticast(dst) || res.type === 'multicast') type = 'multicast';
  else if (res.type === 'unicast') type = 'unicast';
  else return { ok: false, errno: 'EINVAL', table: res.table };
  const dev = res.dev ?? 'lo';
  // __mkroute_output: broadcast and multicast routes, and a known next hop (TEE, raw sockets) reached
  // without a gateway, are not cached
  const cacheable = res.nexthop !== null && type === 'unicast' && !(flow.knownNh && res.nexthop.gateway === 0);
  const classid = cacheable ? cachedClassid(net, fnhe ?? res.nexthop!, 'output', routeClassid(res)) : routeClassid(res);
  if (loopbackSourceOffLoopback(src, dev)) return { ok: false, errno: 'EINVAL', table: res.table };
  return { ok: true, type, dev, gateway: res.gateway, src, table: res.table, route: res.route, classid };
}

/**
 * __mkroute_output: a 127/8 source may only leave through the loopback
 * device, so e.g. the RST answering a segment sent to 127.0.0.1 from a
 * foreign address has no route and is never sent (difftest seed 2 case 528,
 * fixture q104).
 */
function loopbackSourceOffLoopback(src: Ipv4, dev: string): boolean {
  return isLoopback(src) && dev !== 'lo';
}
