// pattern: Functional Core
// What `ip addr show`, `ip link show`, `ip neigh show` and `ip route get`
// print (iproute2 6.1: ipaddress.c print_linkinfo / print_addrinfo,
// ipneigh.c print_neigh, iproute.c print_route for a get). A host's links
// are the oracle's: veth pairs into other namespaces (`eth0@if2 …
// link-netns router`, the peer's ifindex and host), bridges, loopback.
// Ground truth: lab/__fixtures__/readonly/*.golden.txt.

import { TC_H_ROOT } from './tc-types';
import { formatIpv4 } from './addr';
import type { HostNet, Link, Neighbour } from './config';
import { vlanCarrier } from './vlan';
import { routeGetView, type RouteGetQuery } from './route-get';

/** The other end of a veth: its ifindex in its namespace and that namespace's (host's) name. */
export interface LinkPeer {
  ifindex: number;
  netns: string;
  /** the peer is administratively up (a veth has carrier only then) */
  up: boolean;
}

export type Peers = ReadonlyMap<string, LinkPeer>;

/** The device has carrier (IFF_RUNNING, LOWER_UP): up, and a veth's peer up, a bridge with a port up. */
export function linkCarrier(net: HostNet, l: Link, peers: Peers): boolean {
  const peer = peers.get(l.name);
  if (l.vlan) return vlanCarrier(net, l, (real) => linkCarrier(net, real, peers));
  return l.up && (l.kind !== 'veth' || !peer || peer.up) && (l.kind !== 'bridge' || net.links.some((p) => p.master === l.name && p.up));
}

/** The device's flags as print_link_flags prints them (`BROADCAST,MULTICAST,UP,LOWER_UP`), also `bridge link`'s. */
export function linkFlags(net: HostNet, l: Link, peers: Peers): string[] {
  const ipTun = l.tunnel && l.tunnel.mode !== 'vxlan' ? l.tunnel : null;
  const loop = l.kind === 'loopback';
  const carrier = linkCarrier(net, l, peers);
  const flags: string[] = [];
  if (l.up && !carrier) flags.push('NO-CARRIER');
  if (ipTun) flags.push(...(ipTun.remote ? ['POINTOPOINT', 'NOARP'] : ['NOARP']));
  else flags.push(...(loop ? ['LOOPBACK'] : ['BROADCAST', 'MULTICAST']));
  if (l.up) flags.push('UP');
  if (l.up && carrier) flags.push('LOWER_UP');
  return flags;
}

function linkHead(net: HostNet, l: Link, peers: Peers, withMode: boolean): string {
  const peer = peers.get(l.name);
  // print_linkinfo: IFLA_LINK in the same namespace prints as `@NAME` (a VLAN's real device); a GRE/IPIP
  // device names its underlay (dev_get_iflink: parms.link), NONE without one
  const ipTun = l.tunnel && l.tunnel.mode !== 'vxlan' ? l.tunnel : null;
  const name = peer ? `${l.name}@if${peer.ifindex}` : l.vlan ? `${l.name}@${l.vlan.parent}` : ipTun ? `${l.name}@${ipTun.link ?? 'NONE'}` : l.name;
  const loop = l.kind === 'loopback';
  const carrier = linkCarrier(net, l, peers);
  const flags = linkFlags(net, l, peers);
  // a veth whose peer is down is DOWN (recorded, links.golden.txt); a VLAN whose real device has no carrier is
  // LOWERLAYERDOWN (modelled: netif_stacked_transfer_operstate); tunnels never report an operational state of their
  // own (recorded for vxlan: state UNKNOWN once up)
  const state = loop || l.tunnel ? (l.up ? 'UNKNOWN' : 'DOWN') : l.up && carrier ? 'UP' : l.up && l.kind === 'vlan' ? 'LOWERLAYERDOWN' : 'DOWN';
  const master = l.master ? ` master ${l.master}` : '';
  return `${l.ifindex}: ${name}: <${flags.join(',')}> mtu ${l.mtu} qdisc ${l.tc?.qdiscs.find((q) => q.parent === TC_H_ROOT)?.options.kind ?? (l.up || l.everUp ? 'noqueue' : 'noop')}${master} state ${state}${withMode ? ' mode DEFAULT' : ''} group default qlen 1000`;
}

function linkLine(l: Link, peers: Peers): string {
  if (l.kind === 'loopback') return '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00';
  // a GRE/IPIP device's "address" is its local end, its peer the remote (print_linkinfo's link/gre, link/ipip)
  const t = l.tunnel;
  if (t && t.mode !== 'vxlan') return `    link/${t.mode} ${formatIpv4(t.local)} ${t.remote ? 'peer' : 'brd'} ${formatIpv4(t.remote)}`;
  const peer = peers.get(l.name);
  return `    link/ether ${l.mac} brd ff:ff:ff:ff:ff:ff${peer ? ` link-netns ${peer.netns}` : ''}`;
}

export interface ShowFilter {
  dev: string | null;
  /** -4: only the IPv4 lines (ip -4 addr leaves out link/ether and moves link-netns up) */
  inet: boolean;
}

/** `ip [-4] addr show [dev IF]`, or null when the device does not exist. */
export function formatAddrShow(net: HostNet, peers: Peers, f: ShowFilter): string | null {
  const links = f.dev === null ? net.links : net.links.filter((l) => l.name === f.dev);
  if (f.dev !== null && !links.length) return null;
  const out: string[] = [];
  for (const l of links) {
    const addrs = net.addresses.filter((a) => a.iface === l.name);
    if (f.inet && !addrs.length) continue;
    const peer = peers.get(l.name);
    out.push(linkHead(net, l, peers, false) + (f.inet && peer ? ` link-netns ${peer.netns}` : ''));
    if (!f.inet) out.push(linkLine(l, peers));
    for (const a of addrs) {
      const brd = a.broadcast ? ` brd ${formatIpv4(a.broadcast)}` : '';
      const label = a.label !== l.name ? a.label : l.name;
      out.push(`    inet ${formatIpv4(a.addr)}/${a.prefixLen}${brd} scope ${a.scope}${a.secondary ? ' secondary' : ''}${a.noPrefixRoute ? ' noprefixroute' : ''} ${label}`);
      out.push('       valid_lft forever preferred_lft forever');
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** `ip link show [dev] IF`, or null when the device does not exist. */
export function formatLinkShow(net: HostNet, peers: Peers, dev: string | null): string | null {
  const links = dev === null ? net.links : net.links.filter((l) => l.name === dev);
  if (dev !== null && !links.length) return null;
  return links.map((l) => `${linkHead(net, l, peers, true)}\n${linkLine(l, peers)}\n`).join('');
}

/** `ip neigh show [dev IF] [ADDR]`: print_neigh, the dev left out when it was filtered on. */
export function formatNeighShow(neighbours: readonly Neighbour[], f: { dev: string | null; addr: number | null }): string {
  const out: string[] = [];
  for (const n of neighbours) {
    // without `nud`, iproute2 asks for every state but NOARP (ipneigh.c do_show_or_flush: filter.state = 0xFF & ~NUD_NOARP), and NONE (0) matches no bit
    if (n.state === 'noarp' || n.state === 'none') continue;
    if (f.dev !== null && n.iface !== f.dev) continue;
    if (f.addr !== null && n.addr !== f.addr) continue;
    let s = formatIpv4(n.addr);
    if (f.dev === null) s += ` dev ${n.iface}`;
    if (n.lladdr) s += ` lladdr ${n.lladdr}`;
    out.push(`${s} ${n.state.toUpperCase()} `);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/**
 * `ip route get` as iproute2 prints the kernel's answer: the route's type
 * when not unicast, `from` when asked with one, via, dev, table when not
 * main, src for an output lookup, mark, `uid 0`, and the cache line.
 */
export function formatRouteGet(net: HostNet, q: RouteGetQuery): { ok: true; text: string } | { ok: false; error: string } {
  const v = routeGetView(net, q);
  if ('error' in v) return { ok: false, error: `RTNETLINK answers: ${v.error}` };
  let s = v.type === 'unicast' ? '' : `${v.type} `;
  s += formatIpv4(q.dst);
  if (q.src !== undefined) s += ` from ${formatIpv4(q.src)}`;
  if (v.gateway) s += ` via ${v.gateway}`;
  s += ` dev ${v.dev}`;
  if (v.table !== 'main') s += ` table ${v.table}`;
  if (!q.iif && q.src === undefined && v.prefsrc) s += ` src ${v.prefsrc}`;
  if (q.mark) s += ` mark ${q.mark}`;
  if (!q.iif) s += ' uid 0';
  const flags = v.type === 'local' ? ' <local>' : v.type === 'broadcast' ? ' <local,brd>' : v.type === 'multicast' ? ' <mc>' : '';
  return { ok: true, text: `${s} \n    cache${flags} ${q.iif ? `iif ${q.iif} ` : ''}\n` };
}
