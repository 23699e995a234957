// pattern: Functional Core
// FIB nexthop exceptions (struct fib_nh_exception, net/ipv4/route.c): per
// destination overrides a host attaches to one nexthop of one route. An
// accepted ICMP redirect creates one (update_or_create_fnhe) naming a better
// gateway for that destination; every later route lookup that selects the
// same nexthop for that destination uses the exception's gateway instead
// (rt_bind_exception), for locally sent and for forwarded packets alike, and
// `ip route get` shows it. `ip route show` does not list exceptions (they
// are the "cache" entries of `ip route show cache`). Exceptions expire after
// net.ipv4.route.gc_timeout (300 s) and vanish with their route.

import type { Ipv4 } from './addr';
import type { HostNet, Nexthop, Route } from './config';

/** ip_rt_gc_timeout: how long a learned redirect is kept */
export const FNHE_TIMEOUT_MS = 300 * 1000;

export interface FibException {
  /** the route and nexthop it belongs to, by value (HostNet stays plain data) */
  table: number;
  routeDst: Ipv4;
  routeLen: number;
  tos: number;
  metric: number;
  dev: string | null;
  nhGateway: Ipv4;
  /** the destination it applies to (a /32) */
  dst: Ipv4;
  /** fnhe_gw: the gateway to use instead */
  gateway: Ipv4;
  expiresMs: number;
}

function sameNexthop(e: FibException, route: Route, nh: Nexthop): boolean {
  return (
    e.table === route.table &&
    e.routeDst === route.dst.addr &&
    e.routeLen === route.dst.len &&
    e.tos === route.tos &&
    e.metric === route.metric &&
    e.dev === nh.dev &&
    e.nhGateway === nh.gateway
  );
}

/**
 * find_exception: the exception of this route's nexthop for `dst`, if any
 * and not expired at `nowMs` (omit `nowMs` to ignore expiry).
 */
export function findException(net: HostNet, route: Route, nh: Nexthop | null, dst: Ipv4, nowMs?: number): FibException | null {
  const list = net.exceptions;
  if (!list || !nh) return null;
  for (const e of list) {
    if (e.dst === dst && sameNexthop(e, route, nh) && (nowMs === undefined || nowMs < e.expiresMs)) return e;
  }
  return null;
}

/** update_or_create_fnhe with a new gateway. */
export function learnException(net: HostNet, route: Route, nh: Nexthop, dst: Ipv4, gateway: Ipv4, nowMs: number): FibException {
  const list = (net.exceptions ??= []);
  const old = list.find((e) => e.dst === dst && sameNexthop(e, route, nh));
  if (old) {
    old.gateway = gateway;
    old.expiresMs = nowMs + FNHE_TIMEOUT_MS;
    return old;
  }
  const e: FibException = {
    table: route.table,
    routeDst: route.dst.addr,
    routeLen: route.dst.len,
    tos: route.tos,
    metric: route.metric,
    dev: nh.dev,
    nhGateway: nh.gateway,
    dst,
    gateway,
    expiresMs: nowMs + FNHE_TIMEOUT_MS,
  };
  list.push(e);
  return e;
}
