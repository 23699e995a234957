// pattern: Functional Core
// The decisions of IPv4 ARP (net/ipv4/arp.c) that depend only on a host's
// configuration: whether a host answers a request and for which reason
// (arp_process with arp_ignore, arp_filter, reverse-path filtering and proxy
// ARP), and which sender address it puts into its own requests
// (arp_solicit with arp_announce). The simulator (sim/l2.ts) moves the
// frames and keeps the neighbour tables; nothing here has state.
//
// ARP is never traced by iptables, but it decides which host and which
// interface receive a frame, and whether anything is received at all
// (REPORT.md §5.21).

import type { Ipv4 } from './addr';
import { prefixMask } from './addr';
import type { HostNet, IfAddr } from './config';
import { SCOPE_VALUE, findLink } from './config';
import { addrType, inputRoute, outputRoute, selectSourceAddress } from './fib';
import { confValue, forwarding, routeLocalnet } from './sysctl';

export const ARPOP_REQUEST = 1;
export const ARPOP_REPLY = 2;

/** The four addresses of an ARP packet (Ethernet/IPv4). */
export interface ArpPacket {
  op: typeof ARPOP_REQUEST | typeof ARPOP_REPLY;
  /** sender hardware / protocol address */
  sha: string;
  sip: Ipv4;
  /** target hardware address (zero in a request) / protocol address */
  tha: string;
  tip: Ipv4;
}

export const ETH_BROADCAST = 'ff:ff:ff:ff:ff:ff';
export const ETH_ZERO = '00:00:00:00:00:00';

function isMulticast(a: Ipv4): boolean {
  return a >>> 28 === 0xe;
}
function isLoopback(a: Ipv4): boolean {
  return a >>> 24 === 127;
}

/** inet_ifa_match: `addr` lies in the subnet of `ifa` */
function ifaMatch(addr: Ipv4, ifa: IfAddr): boolean {
  return ((addr ^ ifa.addr) & prefixMask(ifa.prefixLen)) === 0;
}

/**
 * confirm_addr_indev: an address of `dev` equal to `local` (any when 0)
 * within `scope`, provided some address of `dev` has both `local` and `dst`
 * (each when non-zero) in its subnet. 0 when there is none.
 */
function confirmAddrIndev(net: HostNet, dev: string, dst: Ipv4, local: Ipv4, scope: number): Ipv4 {
  const localnetScope = routeLocalnet(net, dev) ? SCOPE_VALUE.link : SCOPE_VALUE.host;
  let addr = 0;
  let same = false;
  for (const ifa of net.addresses) {
    if (ifa.iface !== dev) continue;
    const minScope = Math.min(SCOPE_VALUE[ifa.scope], localnetScope);
    if (addr === 0 && (local === ifa.addr || local === 0) && minScope <= scope) {
      addr = ifa.addr;
      if (same) break;
    }
    if (!same) {
      same = (local === 0 || ifaMatch(local, ifa)) && (dst === 0 || ifaMatch(dst, ifa));
      if (same && addr !== 0) {
        if (local !== 0 || dst === 0) break;
        if (ifaMatch(addr, ifa)) break;
        if (minScope <= scope) {
          addr = ifa.addr;
          break;
        }
        same = false;
      }
    }
  }
  return same ? addr : 0;
}

/** inet_confirm_addr: on `dev`, or on every device when `dev` is null. */
function confirmAddr(net: HostNet, dev: string | null, dst: Ipv4, local: Ipv4, scope: number): Ipv4 {
  if (dev !== null) return confirmAddrIndev(net, dev, dst, local, scope);
  for (const link of net.links) {
    const a = confirmAddrIndev(net, link.name, dst, local, scope);
    if (a !== 0) return a;
  }
  return 0;
}

/**
 * arp_ignore: true when a request for the local address `tip` arriving on
 * `dev` from `sip` must not be answered. The value is max(all, dev).
 *   0  any local address, configured on any interface
 *   1  only an address configured on `dev` (IPVS direct routing's real servers)
 *   2  as 1, and `sip` in the same subnet
 *   3  not for addresses of scope host
 *   8  never
 */
export function arpIgnore(net: HostNet, dev: string, sip: Ipv4, tip: Ipv4): boolean {
  switch (confValue(net, dev, 'arp_ignore')) {
    case 1:
      return confirmAddr(net, dev, 0, tip, SCOPE_VALUE.host) === 0;
    case 2:
      return confirmAddr(net, dev, sip, tip, SCOPE_VALUE.host) === 0;
    case 3:
      return confirmAddr(net, null, 0, tip, SCOPE_VALUE.link) === 0;
    case 8:
      return true;
    default:
      return false;
  }
}

/**
 * arp_filter (when net.ipv4.conf.*.arp_filter is on): answer only if the
 * route back to the requester, from the requested address, leaves by `dev`.
 */
export function arpFilter(net: HostNet, dev: string, sip: Ipv4, tip: Ipv4): boolean {
  const r = outputRoute(net, { dst: sip, src: tip, oif: null, mark: 0, tos: 0, proto: 0, sport: 0, dport: 0 });
  if (!r.ok) return true;
  return r.dev !== dev;
}

export type ArpRequestVerdict =
  /** answer with `dev`'s own address and learn the requester */
  | { kind: 'reply' }
  /** proxy ARP: answer for a forwarded destination and learn the requester */
  | { kind: 'proxy' }
  /** a request for a local address that arp_ignore / arp_filter silence: no answer, nothing learned */
  | { kind: 'ignored'; reason: 'arp_ignore' | 'arp_filter' }
  /**
   * not answered; the host only refreshes an entry it already has for the
   * sender (the route lookup failed, e.g. strict rp_filter, or the target is
   * not ours)
   */
  | { kind: 'not_for_us'; reason: string }
  /** dropped before any processing (multicast or loopback target) */
  | { kind: 'drop' };

/**
 * What arp_process does with a request for `tip` from `sip` received on
 * `dev`: the input route lookup of tip from sip (the same reverse-path
 * check as for an IPv4 packet, so strict rp_filter ignores requests whose
 * sender is routed elsewhere), then arp_ignore and arp_filter for local
 * targets, proxy_arp for forwarded ones.
 */
export function arpRequestVerdict(net: HostNet, dev: string, sip: Ipv4, tip: Ipv4): ArpRequestVerdict {
  if (isMulticast(tip) || (isLoopback(tip) && !routeLocalnet(net, dev))) return { kind: 'drop' };
  if (sip === 0) {
    // RFC 2131 duplicate address detection probe
    if (addrType(net, tip, null) === 'LOCAL' && !arpIgnore(net, dev, sip, tip)) return { kind: 'reply' };
    return { kind: 'not_for_us', reason: 'dad_probe' };
  }
  const r = inputRoute(net, { src: sip, dst: tip, tos: 0, mark: 0, proto: 0 }, dev);
  if (r.kind === 'error') return { kind: 'not_for_us', reason: r.reason };
  if (r.kind === 'local') {
    if (r.type !== 'local') return { kind: 'not_for_us', reason: r.type };
    if (arpIgnore(net, dev, sip, tip)) return { kind: 'ignored', reason: 'arp_ignore' };
    if (confValue(net, dev, 'arp_filter') && arpFilter(net, dev, sip, tip)) return { kind: 'ignored', reason: 'arp_filter' };
    return { kind: 'reply' };
  }
  if (forwarding(net, dev) && (arpFwdProxy(net, dev, r.dev) || arpFwdPvlan(net, dev, r.dev, sip, tip))) return { kind: 'proxy' };
  return { kind: 'not_for_us', reason: 'forward' };
}

/** arp_fwd_proxy: proxy_arp on `dev` and the route leaves by another medium */
function arpFwdProxy(net: HostNet, dev: string, outDev: string): boolean {
  if (outDev === dev) return false;
  if (!confValue(net, dev, 'proxy_arp')) return false;
  const imi = confValue(net, dev, 'medium_id');
  if (imi === 0) return true;
  if (imi === -1) return false;
  const omi = confValue(net, outDev, 'medium_id');
  return omi !== imi && omi !== -1;
}

/** arp_fwd_pvlan: proxy_arp_pvlan answers for the same segment (RFC 3069) */
function arpFwdPvlan(net: HostNet, dev: string, outDev: string, sip: Ipv4, tip: Ipv4): boolean {
  if (outDev !== dev || sip === tip) return false;
  return confValue(net, dev, 'proxy_arp_pvlan') !== 0;
}

/**
 * arp_solicit's sender address for a request for `target` out of `dev`,
 * triggered by a packet from `pktSrc` (null when no packet triggered it):
 * arp_announce (max of all and dev)
 *   0  the packet's source if it is any local address
 *   1  the packet's source only if it is in a subnet of `dev` together with the target
 *   2  always the primary address of `dev` best suited to the target
 * and otherwise inet_select_addr(dev, target, RT_SCOPE_LINK).
 */
export function arpSolicitSource(net: HostNet, dev: string, target: Ipv4, pktSrc: Ipv4 | null): Ipv4 {
  let saddr = 0;
  switch (confValue(net, dev, 'arp_announce')) {
    case 1:
      if (pktSrc !== null && addrType(net, pktSrc, null) === 'LOCAL' && addrOnlink(net, dev, target, pktSrc)) saddr = pktSrc;
      break;
    case 2:
      break;
    default:
      if (pktSrc !== null && addrType(net, pktSrc, null) === 'LOCAL') saddr = pktSrc;
  }
  return saddr !== 0 ? saddr : selectSourceAddress(net, dev, target, 'link');
}

/** inet_addr_onlink: one address of `dev` has both `a` and `b` in its subnet */
function addrOnlink(net: HostNet, dev: string, a: Ipv4, b: Ipv4): boolean {
  return net.addresses.some((ifa) => ifa.iface === dev && ifaMatch(a, ifa) && ifaMatch(b, ifa));
}

/** arp_is_garp: a gratuitous ARP (sender = target, for a reply also sha = tha) about a unicast address */
export function arpIsGratuitous(net: HostNet, p: ArpPacket): boolean {
  if (p.sip !== p.tip) return false;
  if (p.op === ARPOP_REPLY && p.tha !== p.sha) return false;
  return addrType(net, p.sip, null) === 'UNICAST';
}

/**
 * arp_accept: may an unsolicited ARP (a gratuitous one, or a reply nobody
 * asked for) create a new entry? 0 no (default), 1 yes, 2 only when the
 * sender is in a subnet of `dev`.
 */
export function arpAccept(net: HostNet, dev: string, sip: Ipv4): boolean {
  switch (confValue(net, dev, 'arp_accept')) {
    case 1:
      return true;
    case 2:
      return confirmAddr(net, dev, sip, 0, SCOPE_VALUE.link) !== 0;
    default:
      return false;
  }
}

/** IFF_NOARP devices (lo, tunnels) resolve nothing. */
export function deviceDoesArp(net: HostNet, dev: string): boolean {
  const l = findLink(net, dev);
  return l !== undefined && l.kind !== 'loopback' && l.kind !== 'dummy';
}
