// pattern: Functional Core
// Path MTU on Linux 6.18: the MTU a host uses towards a destination (the
// link's, or a lower one learned from ICMP "fragmentation needed"), the
// forwarding test that sends that ICMP (ip_forward → ip_exceeds_mtu), and
// the route exception a socket's error handler creates when the ICMP reaches
// it (__ip_rt_update_pmtu).
//
// Evidence (fixtures p81, p82): a ping, a connected UDP socket and a TCP socket
// each learn the MTU of the ICMP that quotes their packet; later connect()s
// to that address announce MSS = MTU − 40. The router's own test counts a
// GSO packet by its segments, so a 3052-byte packet of 1348-byte segments
// crosses a 1400-byte link unfragmented.

import type { Ipv4 } from '../net/addr';
import type { Packet } from '../net/packet';
import { IPPROTO_TCP, l4HeaderLength } from '../net/packet';
import type { Host } from './host';
import { outputRoute, routeMtu, routeMtuLocked } from './route-adapter';

/** net.ipv4.route.min_pmtu: a smaller MTU from ICMP is raised to this and locked */
export const IP_RT_MIN_PMTU = 552;

/** A host's route exceptions: destination address → learned path MTU (fnhe_pmtu). */
export type PmtuCache = Map<Ipv4, number>;

/**
 * The IP length of the largest segment of `pkt`: its own length, or for a
 * GSO packet the headers plus one segment (skb_gso_network_seglen).
 */
export function ipSegmentLength(pkt: Packet): number {
  if (pkt.gsoSize && pkt.proto === IPPROTO_TCP && pkt.payload.length > pkt.gsoSize) return 20 + l4HeaderLength(pkt) + pkt.gsoSize;
  return pkt.len;
}

/**
 * ip_exceeds_mtu(): a forwarded packet too big for the next link is dropped
 * with ICMP 3/4 only if DF is set; a GSO packet only if one of its segments
 * is too big. A too-big packet without DF would be fragmented instead
 * ('fragment').
 */
export function forwardMtuCheck(pkt: Packet, mtu: number): 'fits' | 'frag-needed' | 'fragment' {
  if (pkt.len <= mtu || ipSegmentLength(pkt) <= mtu) return 'fits';
  return pkt.df ? 'frag-needed' : 'fragment';
}

/**
 * A veth hands a frame to its peer only if it fits the peer's MTU plus an
 * Ethernet and a VLAN header (is_skb_forwardable: skb->len ≤ mtu + 14 + 4,
 * the frame including its 14-byte header), or if it is a GSO packet. So
 * an IP packet of up to MTU + 4 bytes gets through; a bigger one is dropped
 * silently: a 1500-byte ping towards an interface set to MTU 1400 is lost
 * before any hook, while a TCP GSO packet of 1448-byte segments passes.
 */
export function vethAccepts(pkt: Packet, peerMtu: number): boolean {
  return pkt.len <= peerMtu + 4 || (pkt.gsoSize !== undefined && pkt.gsoSize > 0);
}

/** The MTU a host uses towards `dst` over a link of `linkMtu` bytes (ipv4_mtu: the exception wins when lower). */
export function pathMtu(cache: PmtuCache | undefined, dst: Ipv4, linkMtu: number): number {
  const learned = cache?.get(dst);
  return learned !== undefined && learned < linkMtu ? learned : linkMtu;
}

/**
 * __ip_rt_update_pmtu(): remember `mtu` for `dst` if it is lower than what
 * the route already allows. Returns the new path MTU, or null when nothing
 * changed.
 */
export function learnPmtu(cache: PmtuCache, dst: Ipv4, mtu: number, linkMtu: number): number | null {
  const old = pathMtu(cache, dst, linkMtu);
  if (mtu >= old) return null;
  cache.set(dst, mtu);
  return mtu;
}

/** The MTU `host` uses towards `dst` now: its route's link MTU, lowered by a learned exception. */
export function hostPathMtu(host: Host, dst: Ipv4): number {
  return pathMtu(host.pmtu, dst, routeMtu(host.net, dst));
}

/**
 * A socket's error handler got ICMP 3/4 for `dst` (tcp_v4_err, udp_err,
 * raw_err → ipv4_sk_update_pmtu): the route exception, lower than the
 * route's own MTU (device or `mtu` metric) or nothing. MTUs below
 * net.ipv4.route.min_pmtu are not modelled: Linux locks the route at 552
 * and stops setting DF.
 */
export function learnRoutePmtu(host: Host, dst: Ipv4, mtu: number): void {
  // dst_metric_locked(dst, RTAX_MTU): a route with `mtu lock` learns nothing
  if (routeMtuLocked(host.net, dst)) return;
  if (mtu < IP_RT_MIN_PMTU) {
    host.world.warn(`not modelled: ICMP frag-needed with MTU ${mtu}, below net.ipv4.route.min_pmtu (${IP_RT_MIN_PMTU}): Linux locks the route MTU at ${IP_RT_MIN_PMTU} and stops setting DF`);
    return;
  }
  learnPmtu(host.pmtu, dst, mtu, routeMtu(host.net, dst));
}

/**
 * A datagram a socket or the kernel sends that is larger than its path MTU
 * (ip_append_data with IP_PMTUDISC_WANT, icmp_reply): Linux sends it as
 * fragments without DF — the hooks see the whole datagram, the wire its
 * pieces — which the engine does not model.
 */
export function warnLocalFragmentation(host: Host, pkt: Packet): void {
  const r = outputRoute(host.net, pkt, null);
  if (!r.ok) return;
  const mtu = pathMtu(host.pmtu, pkt.dst, r.mtu);
  if (pkt.len > mtu) host.world.warn(`not modelled: ${host.name} sends a ${pkt.len}-byte datagram on a ${mtu}-byte path; Linux fragments it locally`);
}
