// pattern: Functional Core
// `ip -j route get` as the oracle records a packet's route (FORMAT.md
// §2.2): an input lookup when the query names an input interface, else an
// output lookup, reduced to type, dev, gateway, prefsrc and table, or the
// error iproute2 prints.

import type { Ipv4 } from './addr';
import { formatIpv4 } from './addr';
import type { HostNet } from './config';
import { tableName } from './config';
import { inputRoute, outputRoute, type InputPacket } from './fib';

/** The oracle's ROUTE object (FORMAT.md §2.2): `ip -j route get` reduced to these keys. */
export type RouteView =
  | { type: string; dev: string; gateway?: string; prefsrc?: string; table: string }
  | { error: 'Network is unreachable' | 'No route to host' | 'Invalid argument' | 'Permission denied' | 'No such device' | 'Network is down' };

const ERRNO_TEXT = {
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  EINVAL: 'Invalid argument',
  EACCES: 'Permission denied',
  ENODEV: 'No such device',
  ENETDOWN: 'Network is down',
} as const;

export interface RouteGetQuery {
  dst: Ipv4;
  src?: Ipv4;
  /** `iif IF`: an input route lookup as the packet saw it; without it, an output lookup */
  iif?: string | null;
  oif?: string | null;
  mark?: number;
  tos?: number;
  proto?: number;
  sport?: number;
  dport?: number;
}

/**
 * `ip -j route get DST [from SRC] [iif IF] [mark M] [tos T] [ipproto P sport S dport D]`
 * as the oracle records it: `{type, dev, gateway?, table}` for input
 * lookups (prefsrc only on output lookups), or `{error}`.
 */
export function routeGetView(net: HostNet, q: RouteGetQuery): RouteView {
  if (q.iif) {
    const pkt: InputPacket = {
      src: q.src ?? 0,
      dst: q.dst,
      tos: q.tos ?? 0,
      mark: q.mark ?? 0,
      proto: q.proto ?? 0,
      sport: q.sport ?? 0,
      dport: q.dport ?? 0,
    };
    const r = inputRoute(net, pkt, q.iif);
    if (r.kind === 'error') return { error: ERRNO_TEXT[r.errno] };
    if (r.kind === 'local') return { type: r.type, dev: 'lo', table: tableName(net, r.table) };
    const view: { type: string; dev: string; gateway?: string; table: string } = { type: r.type, dev: r.dev, table: tableName(net, r.table) };
    if (r.gateway !== 0) view.gateway = formatIpv4(r.gateway);
    return view;
  }
  const r = outputRoute(net, {
    dst: q.dst,
    src: q.src ?? 0,
    oif: q.oif ?? null,
    mark: q.mark ?? 0,
    tos: q.tos ?? 0,
    proto: q.proto ?? 0,
    sport: q.sport ?? 0,
    dport: q.dport ?? 0,
  });
  if (!r.ok) return { error: ERRNO_TEXT[r.errno] };
  const view: { type: string; dev: string; gateway?: string; prefsrc?: string; table: string } = { type: r.type, dev: r.dev, table: tableName(net, r.table) };
  if (r.gateway !== 0) view.gateway = formatIpv4(r.gateway);
  if (r.src !== 0) view.prefsrc = formatIpv4(r.src);
  return view;
}
