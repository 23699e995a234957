// pattern: Functional Core
// Routes a person would type for a generated network: a default route via
// the local router on every end host, static routes on routers for networks
// further away; then, now and then, what people get wrong or add on purpose:
// a missing route, an unreachable/prohibit/blackhole route, a preferred
// source, a metric, a route MTU.

import { cidr, fmt } from './addr';
import type { GHost, GIface, Net } from './topology';
import type { Rng } from './rng';

export type RouteType = 'unicast' | 'unreachable' | 'prohibit' | 'blackhole' | 'throw' | 'local';

export interface RouteSpec {
  /** 'default' or a CIDR */
  dst: string;
  type: RouteType;
  via?: number;
  dev?: string;
  table?: string;
  metric?: number;
  src?: number;
  mtu?: number;
}

export function routeCommand(r: RouteSpec): string {
  const parts = ['ip route add'];
  if (r.type !== 'unicast') parts.push(r.type);
  parts.push(r.dst);
  if (r.via !== undefined) parts.push('via', fmt(r.via));
  if (r.dev !== undefined) parts.push('dev', r.dev);
  if (r.table !== undefined) parts.push('table', r.table);
  if (r.metric !== undefined) parts.push('metric', String(r.metric));
  if (r.src !== undefined) parts.push('src', fmt(r.src));
  if (r.mtu !== undefined) parts.push('mtu', String(r.mtu));
  return parts.join(' ');
}

/** Where `from` sends packets for a destination: the first hop and the interface towards it. */
export interface Hop {
  gw: GHost;
  gwAddr: number;
  iface: GIface;
}

/**
 * For every host reachable from `h`, the first hop on the way, walking
 * through forwarding hosts only (breadth first: the fewest routers).
 */
export function firstHops(net: Net, h: GHost): Map<GHost, Hop> {
  const hops = new Map<GHost, Hop>();
  const queue: GHost[] = [];
  for (const i of h.ifaces) {
    if (!i.lan) continue;
    for (const a of i.lan.attach) {
      if (a.host === h || hops.has(a.host)) continue;
      hops.set(a.host, { gw: a.host, gwAddr: a.iface.addrs.find((x) => i.lan && x.plen === i.lan.plen)?.addr ?? a.iface.addrs[0]!.addr, iface: i });
      queue.push(a.host);
    }
  }
  while (queue.length) {
    const x = queue.shift()!;
    if (!x.forwarding) continue;
    const via = hops.get(x)!;
    for (const i of x.ifaces) {
      if (!i.lan) continue;
      for (const a of i.lan.attach) {
        if (a.host === h || hops.has(a.host)) continue;
        hops.set(a.host, via);
        queue.push(a.host);
      }
    }
  }
  return hops;
}

/** The networks and service addresses `h` can reach only through a router, with the hop for each. */
export function remoteDestinations(net: Net, h: GHost): { dst: string; hop: Hop }[] {
  const hops = firstHops(net, h);
  const own = new Set(h.ifaces.map((i) => i.lan).filter((l) => l !== null));
  const out: { dst: string; hop: Hop }[] = [];
  for (const lan of net.lans) {
    if (own.has(lan)) continue;
    // reached through a router attached to it
    const attached = lan.attach.map((a) => a.host).find((x) => x.forwarding && hops.has(x));
    if (attached) out.push({ dst: cidr(lan.net, lan.plen), hop: hops.get(attached)! });
  }
  for (const o of net.hosts) {
    if (o === h) continue;
    const hop = hops.get(o);
    if (!hop) continue;
    for (const a of o.loAddrs) {
      // ECMP service addresses get their multipath route from the archetype
      if (net.flags.has('ecmp') && h.forwarding) continue;
      if (!out.some((d) => d.dst === `${fmt(a.addr)}/32`)) out.push({ dst: `${fmt(a.addr)}/32`, hop });
    }
  }
  return out;
}

/** The main-table routes of every host, with the slips people make now and then. */
export function baseRoutes(r: Rng, net: Net): Map<GHost, RouteSpec[]> {
  const all = new Map<GHost, RouteSpec[]>();
  for (const h of net.hosts) {
    const routes: RouteSpec[] = [];
    all.set(h, routes);
    if (h.localRoutesOnly) continue;
    const dests = remoteDestinations(net, h);
    const routersNear = h.ifaces.flatMap((i) => (i.lan ? i.lan.attach.filter((a) => a.host !== h && a.host.forwarding).map((a) => ({ a, i })) : []));
    // the gateway most destinations go through becomes the default route
    const count = new Map<number, number>();
    for (const d of dests) count.set(d.hop.gwAddr, (count.get(d.hop.gwAddr) ?? 0) + 1);
    let defaultGw: number | null = null;
    if (!h.forwarding && routersNear.length) {
      defaultGw = [...count.entries()].sort((x, y) => y[1] - x[1])[0]?.[0] ?? routersNear[0]!.a.iface.addrs[0]!.addr;
    } else if (h.forwarding && count.size === 1 && r.chance(0.5)) {
      defaultGw = [...count.keys()][0]!;
    }
    if (defaultGw !== null) routes.push({ dst: 'default', type: 'unicast', via: defaultGw });
    for (const d of dests) {
      if (d.hop.gwAddr === defaultGw && !r.chance(0.1)) continue;
      routes.push({ dst: d.dst, type: 'unicast', via: d.hop.gwAddr, ...(r.chance(0.2) ? { dev: d.hop.iface.name } : {}) });
    }
  }
  perturb(r, net, all);
  return all;
}

function perturb(r: Rng, net: Net, all: Map<GHost, RouteSpec[]>): void {
  const n = r.weighted([[0, 55], [1, 35], [2, 10]] as const);
  for (let k = 0; k < n; k++) {
    const withRoutes = net.hosts.filter((h) => (all.get(h) ?? []).length > 0);
    if (!withRoutes.length) return;
    const h = r.pick(withRoutes);
    const routes = all.get(h)!;
    const i = r.int(0, routes.length - 1);
    const route = routes[i]!;
    const kind = r.weighted([
      ['drop', 25],
      ['type', 35],
      ['src', 10],
      ['metric', 10],
      ['mtu', 8],
      ['more-specific', 12],
      ['local', 5],
    ] as const);
    switch (kind) {
      case 'drop':
        routes.splice(i, 1);
        break;
      case 'type': {
        const type = r.pick(['unreachable', 'prohibit', 'blackhole'] as const);
        if (route.dst === 'default') routes.push({ dst: anyRemote(r, net, h) ?? '198.18.0.0/15', type });
        else routes[i] = { dst: route.dst, type };
        break;
      }
      case 'src': {
        const addrs = h.ifaces.flatMap((x) => x.addrs.map((a) => a.addr));
        if (addrs.length > 1 && route.type === 'unicast') route.src = r.pick(addrs);
        break;
      }
      case 'metric':
        route.metric = r.pick([10, 100, 1024]);
        break;
      case 'mtu':
        if (route.type === 'unicast') route.mtu = r.pick([1280, 1400, 1492]);
        break;
      case 'local': {
        // an address made local by a route alone (ip route add local …), as transparent proxies do
        const far = anyRemoteHost(r, net, h);
        if (far !== null) routes.push({ dst: `${fmt((far & 0xffffff00) | r.int(200, 250))}/32`, type: 'local', dev: 'lo' });
        break;
      }
      case 'more-specific': {
        // a /32 host route inside a routed network, sometimes of another type: longest prefix wins
        const far = anyRemoteHost(r, net, h);
        if (far !== null) routes.push(r.chance(0.6) ? { dst: `${fmt(far)}/32`, type: r.pick(['unreachable', 'blackhole', 'prohibit'] as const) } : { ...route, dst: `${fmt(far)}/32` });
        break;
      }
    }
  }
}

function anyRemote(r: Rng, net: Net, h: GHost): string | null {
  const d = remoteDestinations(net, h);
  return d.length ? r.pick(d).dst : null;
}

function anyRemoteHost(r: Rng, net: Net, h: GHost): number | null {
  const own = new Set(h.ifaces.map((i) => i.lan));
  const others = net.hosts.filter((o) => o !== h).flatMap((o) => o.ifaces.filter((i) => i.lan && !own.has(i.lan)).flatMap((i) => i.addrs.map((a) => a.addr)));
  return others.length ? r.pick(others) : null;
}
