// pattern: Functional Core
// The `route` of a received packet and the `reason` of a silent drop, as the
// oracle reports them (FORMAT.md §2.2, shared/oracle/lib/analysis.py): not a
// record of the lookup itself but an `ip -j route get DST from SRC iif IN
// [mark M] [tos T] [ipproto P [sport S dport D]]` run in the host after the
// step, with the values at the packet's first event after PREROUTING (or its
// last PREROUTING event). When the trace ends at a DNAT/REDIRECT/NETMAP rule
// in PREROUTING the rewrite is not observable: the query uses the header as
// that event shows it and says `approximate`. A silent drop's reason comes
// from the same query: the rp_filter counter of the step, the error text, the
// input interface's forwarding, and whether a blackhole route covers the
// destination in `ip route show table all type blackhole`.

import { inPrefix } from '../net/addr';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../net/packet';
import { routeGetView, type RouteGetQuery } from '../net/route-get';
import { forwarding } from '../net/sysctl';
import type { HostNet } from '../net/config';
import type { PacketRecord, RecordedEvent } from './record';

const NOT_ROUTED = new Set(['DROP', 'REJECT', 'QUEUE', 'NFQUEUE']);
const REWRITES_DST = new Set(['DNAT', 'REDIRECT', 'NETMAP']);
const APPROXIMATE = 'destination NAT of this packet is not observable in the trace';

/** The event whose values the oracle's query uses, or null when it makes none. */
function referenceEvent(rec: PacketRecord): { ref: RecordedEvent; post: boolean; approximate: boolean } | null {
  if (rec.origin !== 'ingress' || rec.in === null || rec.in === 'lo') return null;
  const first = rec.events[0];
  if (!first || first.hook !== 'PREROUTING') return null;
  const pre = rec.events.filter((e) => e.hook === 'PREROUTING');
  const post = rec.events.filter((e) => e.hook !== 'PREROUTING');
  const lastPre = pre[pre.length - 1]!;
  if (lastPre.target !== null && NOT_ROUTED.has(lastPre.target)) return null;
  if (post.length) return { ref: post[0]!, post: true, approximate: false };
  return { ref: lastPre, post: false, approximate: lastPre.target !== null && REWRITES_DST.has(lastPre.target) };
}

/** `ip -j route get` for the packet as the reference event shows it. */
export function postHocRoute(net: HostNet, rec: PacketRecord): Record<string, unknown> | null {
  const r = referenceEvent(rec);
  if (!r) return null;
  const p = r.ref.packet;
  const iif = rec.events[0]!.in ?? rec.in!;
  const q: RouteGetQuery = { dst: p.dst, src: p.src, iif, mark: p.mark, tos: p.tos };
  if ((p.proto === IPPROTO_TCP || p.proto === IPPROTO_UDP) && p.sport !== undefined) {
    q.proto = p.proto;
    q.sport = p.sport;
    q.dport = p.dport ?? 0;
  } else if (p.proto === IPPROTO_ICMP) q.proto = p.proto;
  const view = routeGetView(net, q) as unknown as Record<string, unknown>;
  return r.approximate ? { ...view, approximate: APPROXIMATE } : view;
}

/** A blackhole route in any table whose destination, as `ip -j` prints it, contains dst ("default" never parses as one). */
function blackholeCovers(net: HostNet, dst: number): boolean {
  return net.routes.some((rt) => rt.type === 'blackhole' && rt.dst.len > 0 && inPrefix(dst, rt.dst));
}

/**
 * The reason of a packet that PREROUTING accepted and no hook saw again,
 * without an ICMP error to name it (routing_reason in analysis.py).
 */
export function silentDropReason(net: HostNet, rec: PacketRecord, route: Record<string, unknown> | null, rpFilterDropInStep: boolean): string {
  if (rpFilterDropInStep) return 'reverse_path_filter';
  const err = typeof route?.error === 'string' ? route.error : '';
  const iif = rec.events[0]?.in ?? rec.in ?? '';
  if (err === 'No route to host' && !forwarding(net, iif)) return 'forwarding_disabled';
  if (err === 'Invalid argument') {
    const last = rec.events[rec.events.length - 1];
    return last && blackholeCovers(net, last.packet.dst) ? 'blackhole_route' : 'blackhole_rule_or_invalid';
  }
  if (err === 'Network is unreachable') return 'no_route';
  return 'unknown';
}
