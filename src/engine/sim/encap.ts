// pattern: Functional Core
// Tunnel devices in the packet path: a datagram routed to a tunnel device
// is wrapped in an outer IPv4 packet that makes its own walk through OUTPUT
// and POSTROUTING on the underlay (iptunnel_xmit → ip_local_out), and an
// outer packet delivered to the tunnel's receive side (a UDP socket for
// VXLAN, protocol 47 for GRE, 4 for IPIP) is unwrapped and its payload
// received again on the tunnel device, with IN= that device.
//
// VXLAN (drivers/net/vxlan/vxlan_core.c) carries Ethernet frames, so ARP
// runs over it and its requests ride in UDP like any frame (oracle case
// vxlan-p2p-ping: the first outer packets carry ARP). Checked against this
// machine's kernel. GRE (net/ipv4/ip_gre.c) and IPIP (net/ipv4/ipip.c) carry
// IP datagrams on a point-to-point device without ARP; both go through
// ip_tunnel_xmit / ip_tunnel_rcv (net/ipv4/ip_tunnel.c). This kernel has
// neither: they are modelled from that source, cited per rule below.

import { formatIpv4 } from '../net/addr';
import { findLink, type Link } from '../net/config';
import { jhash3words } from '../net/jhash';
import { IPPROTO_GRE, IPPROTO_IPIP, IPPROTO_UDP, clonePacket, type Packet } from '../net/packet';
import { defaultTtl } from '../net/sysctl';
import { modelledFromSource, tunnelOverhead, type TunnelParams } from '../net/tunnel-params';
import type { Host, PacketMeta } from './host';
import type { EthFrame } from './l2';
import type { PacketRecord, WalkNote } from './record';
import * as R from './route-adapter';

/** inet_get_local_port_range's default: VXLAN's source ports when `srcport` was not given */
const LOCAL_PORT_RANGE: [number, number] = [32768, 60999];

/** ARP over Ethernet: 28 bytes (the frame's own 14 are counted with every inner frame) */
const ARP_LEN = 28;
const ETH_HLEN = 14;

/**
 * INET_ECN_encapsulate (include/net/inet_ecn.h): the outer TOS keeps its own
 * DSCP and takes the inner ECN bits, except that CE becomes ECT(0).
 */
export function ecnEncapsulate(outer: number, inner: number): number {
  const ecn = inner & 3;
  return (outer & ~3) | (ecn === 3 ? 2 : ecn);
}

/**
 * udp_flow_src_port (include/net/udp.h): the inner flow's hash scaled into
 * [min, max). The kernel's hash (skb_get_hash) is seeded at random per boot,
 * so only a range of one port (`srcport P P+1`) is reproducible; the engine
 * hashes the inner addresses and ports with a fixed seed instead.
 */
export function vxlanSourcePort(p: TunnelParams, inner: Packet | null): number {
  const [min, max] = p.srcport ?? LOCAL_PORT_RANGE;
  if (max - min <= 1) return min;
  const h = inner ? jhash3words(inner.src, inner.dst, (((inner.sport ?? 0) << 16) | (inner.dport ?? 0)) ^ inner.proto, 0) : 0x0806;
  return min + Math.floor((h * (max - min)) / 2 ** 32);
}

function note(host: Host, rec: PacketRecord, pkt: Packet, n: Omit<Extract<WalkNote, { kind: 'tunnel' }>, 'kind' | 'at' | 'modelled'>, meta: PacketMeta | null): void {
  host.note(rec, { kind: 'tunnel', at: rec.events.length, modelled: modelledFromSource(n.mode), ...n }, pkt, meta);
}

function carrier(o: Packet): string {
  const t = o.tunnel;
  if (t?.kind === 'vxlan') return `UDP ${o.dport ?? 0} VNI ${t.vni}`;
  if (t?.kind === 'gre') return t.key !== null ? `GRE key ${t.key}` : 'GRE';
  return 'IPIP';
}

/**
 * Send the outer packet: ip_local_out with the inner skb's socket still
 * attached (udp_tunnel_xmit_skb and iptunnel_xmit keep skb->sk), so TRACE
 * shows the owner's UID on the outer packet of a process's datagram
 * (vxlan-p2p-ping: the echo request's outer packet has UID=0, the ARP's none).
 */
function sendOuter(host: Host, outer: Packet, link: Link, inner: { rec: PacketRecord | null; pkt: Packet | null }, mac: { src: string; dst: string; ethertype: number }): void {
  const p = link.tunnel!;
  const owner = inner.rec ? host.skbOwner(inner.rec) : null;
  // vxlan_get_route / ip_tunnel_xmit: a route back into the tunnel itself is refused (dev->stats.collisions)
  const probe = R.outputRoute(host.net, outer, p.link);
  if (probe.ok && probe.dev === link.name) {
    if (inner.rec && inner.pkt) note(host, inner.rec, inner.pkt, { action: 'drop', mode: p.mode, dev: link.name, outer: null, reason: `the route to ${formatIpv4(outer.dst)} leads back into ${link.name}` }, null);
    return;
  }
  if (inner.rec && inner.pkt) note(host, inner.rec, inner.pkt, { action: 'encapsulate', mode: p.mode, dev: link.name, outer: { src: formatIpv4(outer.src || (probe.ok ? probe.src : 0)), dst: formatIpv4(outer.dst), carrier: carrier(outer) }, reason: null }, null);
  const r = host.output(outer, { owned: owner !== null && owner.uid !== null, ...(owner?.sk ? { sk: owner.sk } : {}), ...(p.link ? { oif: p.link } : {}), tunnelDev: { dev: link.name, mac } });
  if (!r.ok && !r.record && inner.rec && inner.pkt) {
    note(host, inner.rec, inner.pkt, { action: 'drop', mode: p.mode, dev: link.name, outer: null, reason: `no route to the far end ${formatIpv4(outer.dst)} (${r.errno})` }, null);
  }
}

/**
 * vxlan_xmit: a frame put on a VXLAN device. The FDB names the far end for
 * the destination MAC; unknown and broadcast destinations go to the
 * all-zeros entry that `remote` made. Without one the frame is dropped
 * (tx_dropped).
 */
export function vxlanXmit(host: Host, dev: string, frame: EthFrame): void {
  const link = findLink(host.net, dev);
  const p = link?.tunnel;
  if (!link || !p) return;
  const pl = frame.payload;
  const inner = pl.kind === 'ipv4' ? pl.packet : null;
  const rec = pl.kind === 'ipv4' ? pl.from : null;
  const remote = host.vxlanFdb.get(dev)?.get(frame.dst) ?? p.remote;
  if (remote === 0) {
    if (rec && inner) note(host, rec, inner, { action: 'drop', mode: 'vxlan', dev, outer: null, reason: `${dev} has no remote and no forwarding entry for ${frame.dst}` }, null);
    return;
  }
  // vxlan_xmit_one: a fixed TTL, else the inner one with `ttl inherit`, else the route's hop limit
  let ttl = p.ttl;
  if (p.ttlInherit && inner) ttl = inner.ttl;
  if (!ttl) ttl = defaultTtl(host.net);
  const innerTos = inner ? inner.tos : 0;
  const tos = ecnEncapsulate(p.tos === 1 ? innerTos : p.tos, innerTos);
  const df = p.df === 'set' || (p.df === 'inherit' && inner !== null && inner.df);
  const innerLen = ETH_HLEN + (inner ? inner.len : ARP_LEN);
  const outer: Packet = {
    src: p.local,
    dst: remote,
    proto: IPPROTO_UDP,
    ttl,
    tos,
    len: 20 + 8 + 8 + innerLen,
    ipid: host.world.wire.tunnelIpId(),
    df,
    mark: 0,
    sport: vxlanSourcePort(p, inner),
    dport: p.dstport,
    payload: '',
    tunnel: { kind: 'vxlan', vni: p.vni, eth: { src: frame.src, dst: frame.dst }, ...(pl.kind === 'arp' ? { arp: pl.arp } : {}) },
    ...(inner ? { encap: clonePacket(inner) } : {}),
  };
  sendOuter(host, outer, link, { rec, pkt: inner }, { src: frame.src, dst: frame.dst, ethertype: pl.kind === 'arp' ? 0x0806 : 0x0800 });
}

/**
 * ip_tunnel_xmit (net/ipv4/ip_tunnel.c) for a GRE or IPIP device: the
 * datagram routed to it, as POSTROUTING left it, is wrapped and sent.
 *   tos: `tos & 0x1` takes the inner packet's TOS, then ip_tunnel_ecn_encap;
 *   ttl: 0 (`ttl inherit`, the default) takes the inner packet's TTL;
 *   df:  tnl_params->frag_off (IP_DF unless `nopmtudisc`) | the inner DF;
 *   tnl_update_pmtu: with DF, an inner DF datagram larger than the route's
 *        MTU minus the tunnel's headers is answered with ICMP 3/4.
 */
export function ipTunnelXmit(host: Host, rec: PacketRecord, pkt: Packet, link: Link): void {
  const p = link.tunnel!;
  if (p.remote === 0) {
    // an NBMA tunnel sends to the inner route's gateway: not modelled
    host.world.warn(`not modelled: ${host.name}'s ${link.name} has no remote (an NBMA tunnel sends to each route's gateway)`);
    return;
  }
  const proto = p.mode === 'gre' ? IPPROTO_GRE : IPPROTO_IPIP;
  const df = p.pmtudisc || pkt.df;
  const outer: Packet = {
    src: p.local,
    dst: p.remote,
    proto,
    ttl: p.ttl || pkt.ttl,
    tos: ecnEncapsulate(p.tos & 1 ? pkt.tos : p.tos, pkt.tos),
    len: pkt.len + tunnelOverhead(p),
    ipid: 0,
    df,
    mark: pkt.mark,
    payload: '',
    encap: clonePacket(pkt),
    ...(p.mode === 'gre' ? { tunnel: { kind: 'gre' as const, key: p.okey } } : {}),
  };
  const route = R.outputRoute(host.net, outer, p.link);
  if (route.ok && df) {
    const mtu = route.mtu - tunnelOverhead(p);
    if (pkt.df && pkt.len > mtu) {
      note(host, rec, pkt, { action: 'drop', mode: p.mode, dev: link.name, outer: null, reason: `${pkt.len} bytes with DF do not fit the ${mtu}-byte path through ${link.name}: ICMP fragmentation needed (tnl_update_pmtu)` }, null);
      host.sendIcmpError(pkt, rec, 3, 4, null, mtu);
      return;
    }
  }
  outer.ipid = host.world.wire.tunnelIpId();
  sendOuter(host, outer, link, { rec, pkt }, innerHeaderAsMac(pkt));
}

/**
 * What TRACE prints as MAC= for a GRE or IPIP outer packet in POSTROUTING:
 * dump_mac_header prints the underlay device's hard_header_len (14) bytes
 * at skb_mac_header, which __dev_queue_xmit reset to the inner IP header
 * when the tunnel device (no link-layer header) took the datagram; the
 * outer IP header pushed later moved only the network header. So MAC= shows
 * the inner IP header's first 14 bytes (version/IHL to the source address's
 * first two octets), split the way an Ethernet header is printed.
 */
export function innerHeaderAsMac(p: Packet): { src: string; dst: string; ethertype: number } {
  const b = [0x45, p.tos & 255, (p.len >> 8) & 255, p.len & 255, (p.ipid >> 8) & 255, p.ipid & 255, p.df ? 0x40 : 0, 0, p.ttl & 255, p.proto & 255, 0, 0, (p.src >>> 24) & 255, (p.src >>> 16) & 255];
  const words = [...b, (p.src >>> 8) & 255, p.src & 255, (p.dst >>> 24) & 255, (p.dst >>> 16) & 255, (p.dst >>> 8) & 255, p.dst & 255];
  let sum = 0;
  for (let i = 0; i < words.length; i += 2) sum += (words[i]! << 8) | words[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const csum = ~sum & 0xffff;
  b[10] = csum >> 8;
  b[11] = csum & 255;
  const hex = (xs: number[]) => xs.map((x) => x.toString(16).padStart(2, '0')).join(':');
  return { dst: hex(b.slice(0, 6)), src: hex(b.slice(6, 12)), ethertype: (b[12]! << 8) | b[13]! };
}

/**
 * The receive side, for a packet accepted in INPUT. True when a tunnel took
 * it (then nothing else sees it); false: the stack goes on as without
 * tunnels (a UDP port nobody listens on, an unknown protocol).
 */
export function tunnelRcv(host: Host, pkt: Packet, rec: PacketRecord): boolean {
  if (pkt.proto === IPPROTO_UDP) return vxlanRcv(host, pkt, rec);
  if (pkt.proto === IPPROTO_GRE || pkt.proto === IPPROTO_IPIP) return ipTunnelRcv(host, pkt, rec);
  return false;
}

/**
 * vxlan_rcv (vxlan_core.c): the UDP socket of an up VXLAN device on that
 * port takes the datagram; the device with the header's VNI receives the
 * inner frame (through gro_cells, softirq: queued like a frame on a wire),
 * after learning the frame's source MAC behind the outer source address
 * (vxlan_snoop). No device with that VNI: dropped.
 */
function vxlanRcv(host: Host, pkt: Packet, rec: PacketRecord): boolean {
  const sock = host.net.links.find((l) => l.up && l.tunnel?.mode === 'vxlan' && l.tunnel.dstport === pkt.dport);
  if (!sock) return false;
  const t = pkt.tunnel;
  const link = t?.kind === 'vxlan' ? host.net.links.find((l) => l.up && l.tunnel?.mode === 'vxlan' && l.tunnel.dstport === pkt.dport && l.tunnel.vni === t.vni) : undefined;
  if (!t || t.kind !== 'vxlan' || !link) {
    const reason = t?.kind === 'vxlan' ? `no VXLAN device here has VNI ${t.vni}` : 'not a VXLAN datagram';
    note(host, rec, pkt, { action: 'drop', mode: 'vxlan', dev: sock.name, outer: null, reason }, null);
    return true;
  }
  const p = link.tunnel!;
  // vxlan_rcv → vxlan_set_mac: a frame from our own address is a loop, dropped
  if (t.eth.src === link.mac) {
    note(host, rec, pkt, { action: 'drop', mode: 'vxlan', dev: link.name, outer: null, reason: `the inner frame comes from ${link.name}'s own address` }, null);
    return true;
  }
  if (p.learning) {
    let fdb = host.vxlanFdb.get(link.name);
    if (!fdb) host.vxlanFdb.set(link.name, (fdb = new Map()));
    fdb.set(t.eth.src, pkt.src);
  }
  note(host, rec, pkt, { action: 'decapsulate', mode: 'vxlan', dev: link.name, outer: { src: formatIpv4(pkt.src), dst: formatIpv4(pkt.dst), carrier: carrier(pkt) }, reason: null }, null);
  const payload = pkt.encap ? { kind: 'ipv4' as const, packet: clonePacket(pkt.encap), from: null } : t.arp ? { kind: 'arp' as const, arp: t.arp } : null;
  if (payload) host.world.enqueue({ kind: 'host', host, iface: link.name, frame: { src: t.eth.src, dst: t.eth.dst, payload } });
  return true;
}

/**
 * gre_rcv → ipgre_rcv / ipip_rcv, then ip_tunnel_lookup (ip_tunnel.c): the
 * up tunnel whose remote is the outer source (or any), whose local is the
 * outer destination (or any) and, for GRE, whose key is the header's.
 * The inner datagram goes up that device (ip_tunnel_rcv → gro_cells_receive).
 * No tunnel: IPIP keeps the older path (tunl0, IPVS tunnel mode); GRE is
 * answered with ICMP port unreachable (gre_rcv's icmp_send).
 */
function ipTunnelRcv(host: Host, pkt: Packet, rec: PacketRecord): boolean {
  const mode = pkt.proto === IPPROTO_GRE ? 'gre' : 'ipip';
  const key = pkt.tunnel?.kind === 'gre' ? pkt.tunnel.key : null;
  const match = (l: Link, exact: boolean): boolean => {
    const p = l.tunnel;
    if (!l.up || !p || p.mode !== mode) return false;
    if (mode === 'gre' && p.ikey !== key) return false;
    return exact ? p.remote === pkt.src && p.local === pkt.dst : (p.remote === 0 || p.remote === pkt.src) && (p.local === 0 || p.local === pkt.dst);
  };
  const link = host.net.links.find((l) => match(l, true)) ?? host.net.links.find((l) => match(l, false));
  if (!link || !pkt.encap) {
    if (mode === 'gre' && host.net.links.some((l) => l.tunnel?.mode === 'gre')) {
      note(host, rec, pkt, { action: 'drop', mode, dev: 'gre0', outer: null, reason: 'no GRE tunnel here matches its addresses and key: ICMP port unreachable (gre_rcv)' }, null);
      host.sendIcmpError(pkt, rec, 3, 3, null);
      return true;
    }
    return false;
  }
  note(host, rec, pkt, { action: 'decapsulate', mode, dev: link.name, outer: { src: formatIpv4(pkt.src), dst: formatIpv4(pkt.dst), carrier: carrier(pkt) }, reason: null }, null);
  host.world.enqueue({ kind: 'host', host, iface: link.name, frame: { src: link.mac, dst: link.mac, payload: { kind: 'ipv4', packet: clonePacket(pkt.encap), from: null } } });
  return true;
}
