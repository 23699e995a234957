// pattern: Functional Core
// ICMP redirects, both ends (REPORT.md §5.9, §5.20):
//
// The router (ip_rt_send_redirect): a redirect per forwarded packet that
// ip_route_input marked IPSKB_DOREDIRECT, rate limited per source host
// (an inet_peer): the first at once, the n-th only once more than
// 20 ms << (n-1) have passed since the previous one, none after 9 until the
// source has been quiet for 20.48 s. Within one flow's burst (a TCP
// handshake) only the first packet gets one, which is why only one redirect
// per flow is reproducible (REPORT.md §4).
//
// The host (icmp_redirect → the socket's error handler → __ip_do_redirect):
// a redirect is learned as a nexthop exception for the destination
// (net/fnhe.ts) only when
//   * a socket of the quoted flow is there to take it (raw ICMP sockets and
//     UDP sockets are; a TCP socket is locked by its process while it sends,
//     and tcp_v4_err ignores redirects then: in the oracle's single-CPU runs
//     the redirect is always processed inside the send call),
//   * it comes from the gateway the host currently uses for that destination,
//   * the interface accepts redirects (accept_redirects, 0 on a forwarding
//     interface unless conf.all also says 1), the new gateway is a plain
//     unicast address (shared_media=1) or, with shared_media=0, on-link with
//     the old one and, with secure_redirects, already a gateway of some route,
//   * and the new gateway's link-layer address is already known: otherwise
//     the host only starts resolving it (neigh_event_send) and learns nothing
//     until the next redirect (cases p63, p64).

import type { Ipv4 } from '../net/addr';
import { prefixMask } from '../net/addr';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, type Packet } from '../net/packet';
import * as fib from '../net/fib';
import { learnException } from '../net/fnhe';
import { acceptRedirects, confValue, sharedMedia } from '../net/sysctl';
import type { HostNet } from '../net/config';
import type { Host } from './host';

/** ip_rt_redirect_load (HZ/50), ip_rt_redirect_number, ip_rt_redirect_silence ((HZ/50) << 10) */
const REDIRECT_LOAD_MS = 20;
const REDIRECT_NUMBER = 9;
const REDIRECT_SILENCE_MS = REDIRECT_LOAD_MS << 10;

interface Peer {
  nRedirects: number;
  rateLastMs: number;
}

const peers = new WeakMap<Host, Map<Ipv4, Peer>>();

/**
 * ip_rt_send_redirect's rate limit for redirects to `src`, at `nowMs`.
 * True when a redirect is sent now (and counted).
 */
export function redirectAllowed(host: Host, src: Ipv4, nowMs: number): boolean {
  let m = peers.get(host);
  if (!m) peers.set(host, (m = new Map()));
  let p = m.get(src);
  if (!p) m.set(src, (p = { nRedirects: 0, rateLastMs: nowMs }));
  if (nowMs > p.rateLastMs + REDIRECT_SILENCE_MS) p.nRedirects = 0;
  if (p.nRedirects >= REDIRECT_NUMBER) {
    p.rateLastMs = nowMs;
    return false;
  }
  if (p.nRedirects === 0 || nowMs > p.rateLastMs + (REDIRECT_LOAD_MS << p.nRedirects)) {
    p.rateLastMs = nowMs;
    p.nRedirects++;
    return true;
  }
  return false;
}

function isMulticast(a: Ipv4): boolean {
  return a >>> 28 === 0xe;
}

/** ip_fib_check_default: `gw` is the gateway of a live nexthop on `dev` */
function isGatewayOn(net: HostNet, gw: Ipv4, dev: string): boolean {
  return net.routes.some((r) => r.nexthops.some((nh) => nh.dev === dev && nh.gateway === gw && !nh.dead));
}

/** inet_addr_onlink */
function onlink(net: HostNet, dev: string, a: Ipv4, b: Ipv4): boolean {
  return net.addresses.some((f) => f.iface === dev && ((a ^ f.addr) & prefixMask(f.prefixLen)) === 0 && ((b ^ f.addr) & prefixMask(f.prefixLen)) === 0);
}

export type RedirectOutcome =
  | { learned: true; dst: Ipv4; gateway: Ipv4 }
  | { learned: false; reason: 'no_socket' | 'not_current_gateway' | 'rejected' | 'resolving_gateway' };

/**
 * A redirect `icmp` (type 5) arrived on `inIface` of `host` and reached the
 * ICMP layer (INPUT accepted it). `hasSocket` says whether a socket of the
 * quoted flow takes it (see the header comment).
 */
export function processRedirect(host: Host, icmp: Packet, inIface: string, hasSocket: boolean): RedirectOutcome {
  const ic = icmp.icmp;
  const inner = ic?.inner;
  const newGw = ic?.gateway;
  if (!ic || !inner || newGw === undefined || (ic.code & 7) > 3) return { learned: false, reason: 'rejected' };
  if (!hasSocket) return { learned: false, reason: 'no_socket' };
  const net = host.net;
  const oldGw = icmp.src;
  const key: fib.FlowKey = {
    dst: inner.dst,
    src: inner.src,
    iif: 'lo',
    oif: null,
    mark: 0,
    tos: inner.tos,
    proto: inner.proto,
    sport: inner.sport ?? 0,
    dport: inner.dport ?? 0,
  };
  const rt = fib.outputRoute(net, { ...key, anySrc: true });
  if (!rt.ok || rt.gateway !== oldGw || rt.gateway === 0) return { learned: false, reason: 'not_current_gateway' };
  if (newGw === oldGw || !acceptRedirects(net, inIface) || isMulticast(newGw) || newGw === 0xffffffff || newGw >>> 24 === 0) {
    return { learned: false, reason: 'rejected' };
  }
  if (!sharedMedia(net, inIface)) {
    if (!onlink(net, inIface, newGw, oldGw)) return { learned: false, reason: 'rejected' };
    if (confValue(net, inIface, 'secure_redirects') && !isGatewayOn(net, newGw, inIface)) return { learned: false, reason: 'rejected' };
  } else if (fib.addrType(net, newGw, null) !== 'UNICAST') {
    return { learned: false, reason: 'rejected' };
  }
  if (!host.world.l2.ensureNeighbour(host, rt.dev, newGw)) return { learned: false, reason: 'resolving_gateway' };
  const res = fib.fibLookup(net, key);
  if (!res.ok || !res.nexthop) return { learned: false, reason: 'rejected' };
  learnException(net, res.route, res.nexthop, inner.dst, newGw, host.world.nowMs);
  return { learned: true, dst: inner.dst, gateway: newGw };
}

/** Whether a socket of the flow an ICMP error quotes would take it (icmp_socket_deliver). */
export function redirectSocket(host: Host, inner: Packet): boolean {
  const s = host.sockets;
  if (inner.proto === IPPROTO_ICMP) return s.pings.size > 0; // raw_icmp_error: any raw ICMP socket
  if (inner.proto === IPPROTO_UDP) {
    return s.udp.some((u) => u.lport === inner.sport && u.raddr === inner.dst && u.rport === inner.dport) || s.listeners.some((l) => l.proto === 'udp' && l.port === inner.sport);
  }
  if (inner.proto === IPPROTO_TCP) return false; // locked by its process while sending: tcp_v4_err drops the redirect
  return false;
}
