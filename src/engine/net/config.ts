// pattern: Functional Core
// One host's network configuration as plain, JSON-serialisable data: links,
// IPv4 addresses, FIB tables, fib rules, neighbours, sysctls and rt_tables
// names. The helpers here mutate a HostNet in place the way the kernel's own
// netlink handlers do (devinet.c, fib_frontend.c, fib_trie.c), so `ip`
// commands (ip-command.ts) stay thin parsers.
//
// Why routes are one sorted array per host rather than a trie: hosts in the
// simulator carry tens of routes, not a BGP table, and a flat array in the
// kernel's dump order makes `ip route show` a simple walk.

import type { BridgeVlan } from './bridge-vlan';
import type { Ipv4, Prefix } from './addr';
import type { FibException } from './fnhe';
import type { TcDevice } from './tc-types';
import { prefixMask } from './addr';
import { DEVCONF_DEFAULTS, GLOBAL_SYSCTL_DEFAULTS, devconfDefault } from '../../vocabulary/sysctl';

/** the namespace defaults live in the shared vocabulary (the page's sysctl form offers them) */
import type { TunnelMode, TunnelParams } from './tunnel-params';

export { DEVCONF_DEFAULTS, GLOBAL_SYSCTL_DEFAULTS, devconfDefault };

export type LinkKind = 'loopback' | 'veth' | 'bridge' | 'dummy' | 'vlan' | TunnelMode;

/** An 802.1Q/802.1ad sub-interface's own fields (struct vlan_dev_priv; net/vlan.ts). */
export interface VlanInfo {
  /** real_dev: the device whose frames carry the tag */
  parent: string;
  /** vlan_id, 0-4094 */
  id: number;
  /** vlan_proto as iproute2 names it */
  protocol: '802.1Q' | '802.1ad';
}

export interface Link {
  name: string;
  ifindex: number;
  kind: LinkKind;
  mac: string;
  /** administratively up (IFF_UP) */
  up: boolean;
  mtu: number;
  /** bridge this link is a port of, or null */
  master: string | null;
  /** the other end of a veth pair made in this host (`type veth peer name …`); absent for a case link's end, whose peer is in another host */
  peer?: string;
  /** IFLA_GSO_MAX_SEGS (`ip link set ... gso_max_segs N`); absent: 65535. At 1 TCP sends one segment per skb */
  gsoMaxSegs?: number;
  /** dev->group (`ip link set ... group N`, IFLA_GROUP) that -m devgroup compares; absent: 0, "default" */
  group?: number;
  /**
   * when it became a port of `master` (increasing per host): a bridge floods
   * to its ports newest first (br_add_if puts a new port at the head of
   * br->port_list)
   */
  masterSeq?: number;
  /**
   * the address was given (`address X`, NET_ADDR_SET); a bridge without one
   * takes the lowest address of its ports (br_stp_recalculate_bridge_id)
   */
  macSet?: boolean;
  /**
   * it was up once: dev_activate attached its qdisc (noqueue for veths and
   * bridges), which stays when it goes down; a device never up shows `noop`
   */
  everUp?: boolean;
  /**
   * a bridge whose MTU was set with `ip link set BR mtu N`
   * (BROPT_MTU_SET_BY_USER): it no longer follows its ports' MTUs
   */
  mtuSet?: boolean;
  /** a VLAN sub-interface (kind 'vlan'): its parent, id and protocol */
  vlan?: VlanInfo;
  /** a GRE, IPIP or VXLAN device's tunnel parameters (net/tunnel.ts) */
  tunnel?: TunnelParams;
  /** a bridge's `vlan_filtering 1` and `vlan_default_pvid N` (net/bridge-vlan.ts) */
  vlanFiltering?: boolean;
  vlanDefaultPvid?: number;
  /** the VLANs of a port of a filtering bridge, or of the bridge itself (`bridge vlan`, net/bridge-vlan.ts) */
  bridgeVlans?: BridgeVlan[];
  /** its qdiscs and classes (`tc`, engine/tc); absent: the default root qdisc only */
  tc?: TcDevice;
}

/** rt_scope_t names as iproute2 prints them (etc/iproute2/rt_scopes). */
export type RouteScope = 'global' | 'site' | 'link' | 'host' | 'nowhere';

export const SCOPE_VALUE: Readonly<Record<RouteScope, number>> = {
  global: 0,
  site: 200,
  link: 253,
  host: 254,
  nowhere: 255,
};

export interface IfAddr {
  iface: string;
  /** ifa_local */
  addr: Ipv4;
  prefixLen: number;
  /** explicit broadcast address (`brd`), 0 when none was given */
  broadcast: Ipv4;
  scope: RouteScope;
  label: string;
  /** IFA_F_SECONDARY: another address of the same subnet was there first */
  secondary: boolean;
  /** IFA_F_NOPREFIXROUTE */
  noPrefixRoute: boolean;
}

export type RouteType =
  | 'unicast'
  | 'local'
  | 'broadcast'
  | 'anycast'
  | 'multicast'
  | 'blackhole'
  | 'unreachable'
  | 'prohibit'
  | 'throw'
  | 'nat';

/** An address's route type as inet_addr_type names it (RTN_*), in the words -m addrtype takes. */
export type AddrType =
  | 'UNSPEC'
  | 'UNICAST'
  | 'LOCAL'
  | 'BROADCAST'
  | 'ANYCAST'
  | 'MULTICAST'
  | 'BLACKHOLE'
  | 'UNREACHABLE'
  | 'PROHIBIT'
  | 'THROW'
  | 'NAT'
  | 'XRESOLVE';

export interface Nexthop {
  /** 0 when the destination is on-link */
  gateway: Ipv4;
  /** null only for routes without a device (blackhole, unreachable, ...) */
  dev: string | null;
  /** rtnh_hops + 1, 1 for single-path routes */
  weight: number;
  onlink: boolean;
  /** RTNH_F_DEAD: its device went down while other nexthops stayed up */
  dead: boolean;
  /** nh_tclassid (`realm`/`realms`, RTA_FLOW): FROM << 16 | TO; absent: 0 */
  realm?: number;
}

export interface Route {
  /** table id (255 local, 254 main, 253 default, 1..2^32-1) */
  table: number;
  type: RouteType;
  dst: Prefix;
  /** TOS / DSCP selector, 0 for any */
  tos: number;
  /** fib_priority, printed as `metric` */
  metric: number;
  /** protocol name from rt_protos ('kernel', 'boot', 'static', ...) or a number as text */
  proto: string;
  scope: RouteScope;
  /** preferred source, 0 when none */
  prefsrc: Ipv4;
  /** empty for routes without a nexthop (blackhole, unreachable, prohibit, throw) */
  nexthops: Nexthop[];
  /** printed in the `nexthop ...` multipath form (RTA_MULTIPATH) */
  multipath: boolean;
  /** RTAX_MTU (`mtu N`): the path MTU of this route instead of the device's; absent or 0 when unset */
  mtu?: number;
  /** `mtu lock N`: no path MTU discovery (no DF, no learning) */
  mtuLock?: boolean;
}

export type RuleAction = 'lookup' | 'goto' | 'nop' | 'blackhole' | 'unreachable' | 'prohibit';

export interface PortRange {
  start: number;
  end: number;
}

export interface FibRule {
  priority: number;
  /** FIB_RULE_INVERT */
  not: boolean;
  /** null = `from all` */
  from: Prefix | null;
  to: Prefix | null;
  iif: string | null;
  oif: string | null;
  /** null when no fwmark selector */
  fwmark: number | null;
  fwmask: number;
  tos: number;
  ipproto: number | null;
  sport: PortRange | null;
  dport: PortRange | null;
  /** uidrange; routed packets and our sockets count as uid 0 */
  uidrange: PortRange | null;
  action: RuleAction;
  /** table for `lookup` */
  table: number;
  /** target priority for `goto` */
  goto: number | null;
  /** suppress_prefixlength, -1 when unset */
  suppressPrefixLength: number;
  /** `realms [FROM/]TO` (FRA_FLOW, fib4_rule tclassid); absent: 0 */
  tclassid?: number;
}

export type NudState = 'permanent' | 'noarp' | 'reachable' | 'stale' | 'delay' | 'probe' | 'failed' | 'incomplete' | 'none';

export interface Neighbour {
  iface: string;
  addr: Ipv4;
  /** null for entries without a link-layer address (incomplete/failed) */
  lladdr: string | null;
  state: NudState;
}

export interface HostNet {
  /** in ifindex order */
  links: Link[];
  /** per device: primaries (by scope) then secondaries, like in_dev->ifa_list */
  addresses: IfAddr[];
  /** every table's routes, each table in fib_trie dump order (see routeOrder) */
  routes: Route[];
  /** FIB tables that exist, in creation order (a dump of a missing table fails) */
  tables: number[];
  /** ascending priority; equal priorities in insertion order */
  rules: FibRule[];
  /**
   * net->ipv4.fib_has_custom_rules: until a rule is added or deleted the
   * kernel keeps table local merged into main and looks up main only, which
   * is why `ip route get` reports local routes as `table main` (oracle
   * cases 14, 38) until a case adds a rule (case 42 reports `table local`).
   */
  customRules: boolean;
  /** net->ipv4.fib_has_custom_local_routes (a user added a `local` route) */
  customLocalRoutes: boolean;
  neighbours: Neighbour[];
  /** nexthop exceptions learned from ICMP redirects (fnhe.ts); absent until the first one */
  exceptions?: FibException[];
  /** full sysctl keys ('net.ipv4.conf.eth0.rp_filter') to their text value */
  sysctl: Record<string, string>;
  /** rt_tables names to ids: local, main, default plus the case's names */
  rtTables: Record<string, number>;
  nextIfindex: number;
}

export const RT_TABLE_UNSPEC = 0;
export const RT_TABLE_DEFAULT = 253;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;

/** etc/iproute2/rt_protos of iproute2 6.1 */
export const RT_PROTOS: Readonly<Record<number, string>> = {
  0: 'unspec',
  1: 'redirect',
  2: 'kernel',
  3: 'boot',
  4: 'static',
  8: 'gated',
  9: 'ra',
  10: 'mrt',
  11: 'zebra',
  12: 'bird',
  13: 'dnrouted',
  14: 'xorp',
  15: 'ntk',
  16: 'dhcp',
  18: 'keepalived',
  42: 'babel',
  84: 'ovn',
  99: 'openr',
  186: 'bgp',
  187: 'isis',
  188: 'ospf',
  189: 'rip',
  192: 'eigrp',
};

/**
 * Per-device neighbour (ARP) parameters, net.ipv4.neigh.IFACE.* and
 * net.ipv4.neigh.default.*, as `sysctl` prints them in a new namespace of
 * Linux 6.18 (arp_tbl's parms: times in USER_HZ ticks unless named _ms).
 * A new device copies the current net.ipv4.neigh.default values.
 */
export const NEIGH_DEFAULTS: Readonly<Record<string, string>> = {
  anycast_delay: '100',
  app_solicit: '0',
  base_reachable_time_ms: '30000',
  delay_first_probe_time: '5',
  gc_stale_time: '60',
  interval_probe_time_ms: '5000',
  locktime: '100',
  mcast_resolicit: '0',
  mcast_solicit: '3',
  proxy_delay: '80',
  proxy_qlen: '64',
  retrans_time_ms: '1000',
  ucast_solicit: '3',
  unres_qlen: '101',
  unres_qlen_bytes: '212992',
};

export function neighKey(iface: string, key: string): string {
  return `net.ipv4.neigh.${iface}.${key}`;
}

function addNeighConf(net: HostNet, iface: string, from: string | null): void {
  for (const key of Object.keys(NEIGH_DEFAULTS)) {
    const inherited = from === null ? undefined : net.sysctl[neighKey(from, key)];
    net.sysctl[neighKey(iface, key)] = inherited ?? NEIGH_DEFAULTS[key]!;
  }
}

export function confKey(iface: string, key: string): string {
  return `net.ipv4.conf.${iface}.${key}`;
}

function addDevconf(net: HostNet, iface: string, from: string | null): void {
  for (const key of Object.keys(DEVCONF_DEFAULTS)) {
    const inherited = from === null ? undefined : net.sysctl[confKey(from, key)];
    net.sysctl[confKey(iface, key)] = inherited ?? devconfDefault(iface, key)!;
  }
}

function removeDevconf(net: HostNet, iface: string): void {
  const prefix = `net.ipv4.conf.${iface}.`;
  const neigh = `net.ipv4.neigh.${iface}.`;
  net.sysctl = Object.fromEntries(Object.entries(net.sysctl).filter(([key]) => !key.startsWith(prefix) && !key.startsWith(neigh)));
}

/**
 * A new namespace as the oracle harness leaves it: `lo` up with 127.0.0.1/8,
 * every link interface up (ifindex 2, 3, ... in the given order), the three
 * default fib rules, namespace sysctl defaults.
 *
 * @example
 * const net = createHostNet([{ name: 'eth0', mac: '02:00:00:00:01:01' }]);
 */
export function createHostNet(links: { name: string; mac: string }[]): HostNet {
  const net: HostNet = {
    links: [],
    addresses: [],
    routes: [],
    tables: [],
    rules: [
      defaultRule(0, RT_TABLE_LOCAL),
      defaultRule(32766, RT_TABLE_MAIN),
      defaultRule(32767, RT_TABLE_DEFAULT),
    ],
    customRules: false,
    customLocalRoutes: false,
    neighbours: [],
    sysctl: { ...GLOBAL_SYSCTL_DEFAULTS },
    rtTables: { local: RT_TABLE_LOCAL, main: RT_TABLE_MAIN, default: RT_TABLE_DEFAULT },
    nextIfindex: 1,
  };
  addDevconf(net, 'all', null);
  addDevconf(net, 'default', null);
  addNeighConf(net, 'default', null);
  addLink(net, 'lo', 'loopback', '00:00:00:00:00:00');
  addAddress(net, { iface: 'lo', addr: 0x7f000001, prefixLen: 8, broadcast: 0, scope: 'host', label: 'lo', secondary: false, noPrefixRoute: false });
  setLinkUp(net, 'lo', true);
  for (const l of links) {
    addLink(net, l.name, 'veth', l.mac);
    setLinkUp(net, l.name, true);
  }
  return net;
}

function defaultRule(priority: number, table: number): FibRule {
  return {
    priority,
    not: false,
    from: null,
    to: null,
    iif: null,
    oif: null,
    fwmark: null,
    fwmask: 0xffffffff,
    tos: 0,
    ipproto: null,
    sport: null,
    dport: null,
    uidrange: null,
    action: 'lookup',
    table,
    goto: null,
    suppressPrefixLength: -1,
  };
}

export function emptyRule(): FibRule {
  return defaultRule(0, RT_TABLE_MAIN);
}

export function findLink(net: HostNet, name: string): Link | undefined {
  const links = net.links;
  for (let i = 0; i < links.length; i++) {
    if (links[i]!.name === name) return links[i];
  }
  return undefined;
}

/** Add a link (down, like `ip link add`). Returns false if the name is taken. */
export function addLink(net: HostNet, name: string, kind: LinkKind, mac: string): boolean {
  if (findLink(net, name)) return false;
  net.links.push({
    name,
    ifindex: net.nextIfindex++,
    kind,
    mac,
    up: false,
    mtu: kind === 'loopback' ? 65536 : 1500,
    master: null,
  });
  addDevconf(net, name, 'default');
  addNeighConf(net, name, 'default');
  // A new device inherits the current forwarding setting (inet_forward_change
  // only touches existing devices; devinet_init_net copies conf.default).
  return true;
}

export function deleteLink(net: HostNet, name: string): boolean {
  const link = findLink(net, name);
  if (!link) return false;
  net.addresses = net.addresses.filter((a) => a.iface !== name);
  net.routes = net.routes.filter((r) => !r.nexthops.some((nh) => nh.dev === name));
  net.neighbours = net.neighbours.filter((n) => n.iface !== name);
  for (const l of net.links) if (l.master === name) l.master = null;
  net.links = net.links.filter((l) => l !== link);
  removeDevconf(net, name);
  // br_del_if: the bridge's MTU follows the ports that remain
  if (link.master !== null) bridgeMtuAutoAdjust(net, link.master);
  return true;
}

/**
 * br_mtu_auto_adjust: after a port joins or leaves a bridge, or a port's MTU
 * changes, the bridge takes the smallest MTU of its ports (ETH_DATA_LEN when
 * it has none) — unless its own MTU was set by hand (BROPT_MTU_SET_BY_USER).
 * An MTU given when the bridge is made (`ip link add BR mtu N type bridge`)
 * does not count as set by hand: rtnl_create_link writes dev->mtu without
 * br_change_mtu, so the first port overrides it (case r10).
 */
export function bridgeMtuAutoAdjust(net: HostNet, bridge: string): void {
  const br = findLink(net, bridge);
  if (!br || br.kind !== 'bridge' || br.mtuSet) return;
  let mtu = 0;
  for (const l of net.links) if (l.master === bridge && (mtu === 0 || l.mtu < mtu)) mtu = l.mtu;
  br.mtu = mtu === 0 ? 1500 : mtu;
}

/**
 * `ip link set X up|down`. Down flushes every route whose nexthops all use the
 * device (fib_sync_down_dev + fib_flush: static routes are gone for good) and
 * marks multipath nexthops dead — except host-scope routes (`local`), whose
 * nexthop scope is RT_SCOPE_NOWHERE and which fib_sync_down_dev only kills
 * when the device is unregistered. Up re-adds the address routes
 * (fib_netdev_event NETDEV_UP → fib_add_ifaddr) and revives nexthops.
 */
export function setLinkUp(net: HostNet, name: string, up: boolean): void {
  const link = findLink(net, name);
  if (!link || link.up === up) return;
  link.up = up;
  if (up) link.everUp = true;
  if (!up) {
    net.routes = net.routes.filter((r) => {
      if (r.nexthops.length === 0 || r.scope === 'host') return true;
      let alive = 0;
      for (const nh of r.nexthops) {
        if (nh.dev === name) nh.dead = true;
        if (!nh.dead) alive++;
      }
      return alive > 0;
    });
    net.neighbours = net.neighbours.filter((n) => n.iface !== name || n.state === 'permanent' || n.state === 'noarp');
    return;
  }
  for (const r of net.routes) {
    for (const nh of r.nexthops) if (nh.dev === name) nh.dead = false;
  }
  for (const a of net.addresses) if (a.iface === name) addAddressRoutes(net, a, link);
}

export function ensureTable(net: HostNet, id: number): void {
  if (!net.tables.includes(id)) net.tables.push(id);
  // fib_new_table(local) also creates main while the two are merged
  if (id === RT_TABLE_LOCAL && !net.tables.includes(RT_TABLE_MAIN)) net.tables.push(RT_TABLE_MAIN);
}

/** fib_trie dump order within a table: key ascending, longer prefix first, TOS descending, metric ascending. */
export function routeOrder(a: Route, b: Route): number {
  if (a.dst.addr !== b.dst.addr) return a.dst.addr < b.dst.addr ? -1 : 1;
  if (a.dst.len !== b.dst.len) return b.dst.len - a.dst.len;
  if (a.tos !== b.tos) return b.tos - a.tos;
  return a.metric - b.metric;
}

function sameRouteKey(a: Route, b: Route): boolean {
  return a.table === b.table && a.dst.addr === b.dst.addr && a.dst.len === b.dst.len && a.tos === b.tos && a.metric === b.metric;
}

function sameNexthops(a: Route, b: Route): boolean {
  if (a.nexthops.length !== b.nexthops.length) return false;
  for (let i = 0; i < a.nexthops.length; i++) {
    const x = a.nexthops[i]!;
    const y = b.nexthops[i]!;
    if (x.gateway !== y.gateway || x.dev !== y.dev || x.weight !== y.weight) return false;
  }
  return true;
}

/** Same fib_info and type: what makes NLM_F_CREATE without EXCL still answer EEXIST. */
export function sameRoute(a: Route, b: Route): boolean {
  return (
    sameRouteKey(a, b) &&
    a.type === b.type &&
    a.proto === b.proto &&
    a.scope === b.scope &&
    a.prefsrc === b.prefsrc &&
    sameNexthops(a, b)
  );
}

export type InsertMode = 'add' | 'append' | 'prepend' | 'replace' | 'change';

/**
 * fib_table_insert with the netlink flags of each `ip route` verb:
 * add = CREATE|EXCL, append = CREATE|APPEND, prepend = CREATE,
 * replace = CREATE|REPLACE, change = REPLACE. Returns an errno name or null.
 */
export function insertRoute(net: HostNet, route: Route, mode: InsertMode): 'EEXIST' | 'ENOENT' | null {
  const routes = net.routes;
  let first = -1;
  let last = -1;
  let identical = false;
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i]!;
    if (!sameRouteKey(r, route)) continue;
    if (first < 0) first = i;
    last = i;
    if (r.type === route.type && sameRoute(r, route)) identical = true;
  }
  if (first >= 0) {
    if (mode === 'add') return 'EEXIST';
    if (mode === 'replace' || mode === 'change') {
      routes[first] = route;
      return null;
    }
    if (identical) return 'EEXIST';
    ensureTable(net, route.table);
    routes.splice(mode === 'append' ? last + 1 : first, 0, route);
    return null;
  }
  if (mode === 'change') return 'ENOENT';
  ensureTable(net, route.table);
  // insert before the first route that sorts after it, in its table's block
  let at = routes.length;
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i]!;
    if (r.table === route.table && routeOrder(r, route) > 0) {
      at = i;
      break;
    }
  }
  routes.splice(at, 0, route);
  return null;
}

function kernelRoute(table: number, type: RouteType, dst: Ipv4, len: number, iface: string, src: Ipv4, scope: RouteScope): Route {
  return {
    table,
    type,
    dst: { addr: (dst & prefixMask(len)) >>> 0, len },
    tos: 0,
    metric: 0,
    proto: 'kernel',
    scope,
    prefsrc: src,
    nexthops: [{ gateway: 0, dev: iface, weight: 1, onlink: false, dead: false }],
    multipath: false,
  };
}

function primaryFor(net: HostNet, a: IfAddr): IfAddr {
  if (!a.secondary) return a;
  const mask = prefixMask(a.prefixLen);
  for (const p of net.addresses) {
    if (p.iface === a.iface && !p.secondary && p.prefixLen === a.prefixLen && ((p.addr & mask) >>> 0) === ((a.addr & mask) >>> 0)) return p;
  }
  return a;
}

/**
 * fib_add_ifaddr: the routes the kernel adds for an address. The local /32
 * (table local) exists even while the device is down; prefix and broadcast
 * routes only while it is up. Linux 6.x adds no broadcast route for the
 * network address any more (see corpus iproute2 transcript: only
 * `broadcast 10.0.0.255`).
 */
export function addAddressRoutes(net: HostNet, a: IfAddr, link: Link): void {
  const prim = primaryFor(net, a);
  const src = prim.addr;
  insertRoute(net, kernelRoute(RT_TABLE_LOCAL, 'local', a.addr, 32, a.iface, src, 'host'), 'append');
  if (!link.up) return;
  if (a.broadcast !== 0 && a.broadcast !== 0xffffffff) {
    insertRoute(net, kernelRoute(RT_TABLE_LOCAL, 'broadcast', a.broadcast, 32, a.iface, src, 'link'), 'append');
  }
  const mask = prefixMask(a.prefixLen);
  const prefix = (a.addr & mask) >>> 0;
  if (prefix !== 0 && !a.secondary && (prefix !== a.addr || a.prefixLen < 32)) {
    if (!a.noPrefixRoute) {
      const type: RouteType = link.kind === 'loopback' ? 'local' : 'unicast';
      const table = type === 'unicast' ? RT_TABLE_MAIN : RT_TABLE_LOCAL;
      insertRoute(net, kernelRoute(table, type, prefix, a.prefixLen, a.iface, src, type === 'local' ? 'host' : 'link'), 'append');
    }
    if (a.prefixLen < 31) {
      insertRoute(net, kernelRoute(RT_TABLE_LOCAL, 'broadcast', (prefix | ~mask) >>> 0, 32, a.iface, src, 'link'), 'append');
    }
  }
}

/** Routes fib_del_ifaddr removes when `a` goes away (proto kernel, same device). */
function removeAddressRoutes(net: HostNet, a: IfAddr): void {
  const mask = prefixMask(a.prefixLen);
  const prefix = (a.addr & mask) >>> 0;
  const brd = (prefix | ~mask) >>> 0;
  const stillLocal = net.addresses.some((o) => o !== a && o.addr === a.addr);
  const subnetKept = net.addresses.some(
    (o) => o !== a && o.iface === a.iface && o.prefixLen === a.prefixLen && ((o.addr & mask) >>> 0) === prefix,
  );
  net.routes = net.routes.filter((r) => {
    if (r.proto !== 'kernel' || r.nexthops[0]?.dev !== a.iface) return true;
    if (r.type === 'local' && r.dst.len === 32 && r.dst.addr === a.addr) return stillLocal;
    if (a.secondary) return true;
    if (r.dst.len === a.prefixLen && r.dst.addr === prefix && r.prefsrc === a.addr) return false;
    if (r.type === 'broadcast' && r.dst.len === 32 && (r.dst.addr === brd || r.dst.addr === a.broadcast)) return subnetKept;
    return true;
  });
}

/**
 * __inet_insert_ifa: an address in the subnet of an existing primary of the
 * device becomes secondary; primaries stay ahead of secondaries, ordered by
 * scope. Returns false (EEXIST) for a duplicate address/prefix on the device.
 */
export function addAddress(net: HostNet, a: IfAddr): boolean {
  const mask = prefixMask(a.prefixLen);
  let lastPrimary = -1;
  let lastOfDev = -1;
  let secondary = false;
  for (let i = 0; i < net.addresses.length; i++) {
    const o = net.addresses[i]!;
    if (o.iface !== a.iface) continue;
    lastOfDev = i;
    if (!o.secondary && SCOPE_VALUE[a.scope] <= SCOPE_VALUE[o.scope]) lastPrimary = i;
    if (o.prefixLen === a.prefixLen && ((o.addr & mask) >>> 0) === ((a.addr & mask) >>> 0)) {
      if (o.addr === a.addr) return false;
      if (!o.secondary) secondary = true;
    }
  }
  const entry: IfAddr = { ...a, secondary };
  let at: number;
  if (secondary) at = lastOfDev + 1;
  else if (lastPrimary >= 0) at = lastPrimary + 1;
  else {
    at = net.addresses.findIndex((o) => o.iface === a.iface);
    if (at < 0) at = net.addresses.length;
  }
  net.addresses.splice(at, 0, entry);
  const link = findLink(net, a.iface);
  if (link) addAddressRoutes(net, entry, link);
  return true;
}

/**
 * Remove an address. Without promote_secondaries (the default) deleting a
 * primary also deletes its secondaries, like __inet_del_ifa; with it
 * (IN_DEV_ORCONF: all or the device) the first secondary of the subnet
 * becomes the primary (case addr-02).
 */
export function deleteAddress(net: HostNet, iface: string, addr: Ipv4, prefixLen: number | null): boolean {
  const victim = net.addresses.find((o) => o.iface === iface && o.addr === addr && (prefixLen === null || o.prefixLen === prefixLen));
  if (!victim) return false;
  const promotes = ['all', iface].some((d) => (net.sysctl[confKey(d, 'promote_secondaries')] ?? '0') !== '0');
  if (!victim.secondary && promotes) {
    const mask = prefixMask(victim.prefixLen);
    const heir = net.addresses.find((o) => o.iface === iface && o.secondary && o.prefixLen === victim.prefixLen && ((o.addr & mask) >>> 0) === ((victim.addr & mask) >>> 0));
    if (heir) {
      promoteSecondary(net, victim, heir);
      return true;
    }
  }
  const doomed: IfAddr[] = [victim];
  if (!victim.secondary) {
    const mask = prefixMask(victim.prefixLen);
    for (const o of net.addresses) {
      if (o !== victim && o.iface === iface && o.secondary && o.prefixLen === victim.prefixLen && ((o.addr & mask) >>> 0) === ((victim.addr & mask) >>> 0)) {
        doomed.push(o);
      }
    }
  }
  for (let i = doomed.length - 1; i >= 0; i--) {
    const d = doomed[i]!;
    removeAddressRoutes(net, d);
    net.addresses = net.addresses.filter((o) => o !== d);
  }
  // fib_inetaddr_event, NETDEV_DOWN: the device's last address gone, fib_disable_ip flushes every route
  // through it (fib_sync_down_dev, force) and its neighbours (arp_ifdown), permanent ones too
  if (!net.addresses.some((o) => o.iface === iface)) {
    net.routes = net.routes.filter((r) => !r.nexthops.length || r.nexthops.some((n) => n.dev !== iface));
    net.neighbours = net.neighbours.filter((n) => n.iface !== iface);
  }
  return true;
}

/**
 * __inet_del_ifa with promotion: `victim`'s routes go (fib_del_ifaddr, and
 * fib_sync_down_addr flushes every route that named it as prefsrc), `heir`
 * loses IFA_F_SECONDARY and moves behind the last primary, and its routes
 * and those of the subnet's other secondaries are added again from it.
 */
function promoteSecondary(net: HostNet, victim: IfAddr, heir: IfAddr): void {
  removeAddressRoutes(net, victim);
  net.routes = net.routes.filter((r) => r.prefsrc !== victim.addr || r.proto !== 'kernel');
  net.addresses = net.addresses.filter((o) => o !== victim && o !== heir);
  heir.secondary = false;
  let at = -1;
  for (let i = 0; i < net.addresses.length; i++) if (net.addresses[i]!.iface === heir.iface && !net.addresses[i]!.secondary) at = i;
  if (at < 0) at = net.addresses.findIndex((o) => o.iface === heir.iface) - 1;
  net.addresses.splice(at < -1 ? net.addresses.length : at + 1, 0, heir);
  const link = findLink(net, heir.iface);
  if (!link) return;
  const mask = prefixMask(heir.prefixLen);
  for (const o of net.addresses) {
    if (o.iface === heir.iface && o.prefixLen === heir.prefixLen && ((o.addr & mask) >>> 0) === ((heir.addr & mask) >>> 0)) addAddressRoutes(net, o, link);
  }
}

/** rt_tables name of a table id, the number itself when it has none. */
export function tableName(net: HostNet, id: number): string {
  if (id === RT_TABLE_LOCAL) return 'local';
  if (id === RT_TABLE_MAIN) return 'main';
  if (id === RT_TABLE_DEFAULT) return 'default';
  if (id === RT_TABLE_UNSPEC) return 'unspec';
  for (const name of Object.keys(net.rtTables)) {
    if (net.rtTables[name] === id) return name;
  }
  return String(id);
}

/** Add the case's `rt_tables` names (FORMAT.md §1). */
export function addRtTables(net: HostNet, names: Record<string, number>): void {
  for (const [name, id] of Object.entries(names)) net.rtTables[name] = id;
}
