// pattern: Functional Core
// IPVS in the packet walk (shared/ipvs/SPEC.md §2-4): at LOCAL_IN 99 a
// packet for a virtual service is scheduled to a real server and sent on —
// NAT rewrites the destination, DR keeps it and routes to the real server,
// TUN wraps it in IP-in-IP — re-injected at LOCAL_OUT so it traverses
// OUTPUT and POSTROUTING, never FORWARD. At FORWARD 100 a NAT reply gets the
// VIP back as its source. Packets IPVS handled carry ipvs_property and no
// IPVS hook looks at them again.

import { formatIpv4 } from '../net/addr';
import { IPPROTO_IPIP, type Packet } from '../net/packet';
import { ipvsHooksRegistered } from '../ipvs/state';
import { ipvsIn, ipvsOut, type IpvsPacket } from '../ipvs/conn';
import { ipvsServiceName } from '../ipvs/snapshot';
import type { Host, PacketMeta } from './host';
import type { PacketRecord } from './record';
import type { TableVerdict } from '../iptables/walk';
import { ctDiscard } from './conntrack-adapter';
import { outputRoute, outputRouteNote } from './route-adapter';
import { socketRows } from './socket-table';

export function ipvsActive(h: Host): boolean {
  return ipvsHooksRegistered(h.ipvs);
}

function ipvsPacket(p: Packet): IpvsPacket {
  return { protocol: p.proto, saddr: p.src, sport: p.sport ?? 0, daddr: p.dst, dport: p.dport ?? 0, mark: p.mark, tcpFlags: p.tcp?.flags ?? 0, len: p.len };
}

function serviceText(h: Host, p: Packet): string | null {
  const svc = h.ipvs.services.find((s) => (s.fwmark ? s.fwmark === p.mark : s.addr === p.dst && s.port === (p.dport ?? 0)));
  return svc ? ipvsServiceName(svc) : null;
}

/** ip_vs_in at LOCAL_IN: 'stolen' when IPVS takes the packet, 'drop' when it refuses it. */
export function localIn(h: Host, p: Packet, rec: PacketRecord, meta: PacketMeta): 'continue' | TableVerdict {
  const service = serviceText(h, p);
  const r = ipvsIn(h.ipvs, ipvsPacket(p), h.world.nowMs);
  const base = { kind: 'ipvs' as const, at: rec.events.length, hook: 'INPUT' as const, service, server: null, method: null, scheduled: false, persistent: false, state: null, reason: null };
  switch (r.verdict) {
    case 'ignore':
      return 'continue';
    case 'accept':
      h.note(rec, { ...base, action: 'accept', reason: r.reason }, p, meta);
      return 'continue';
    case 'drop':
      h.note(rec, { ...base, action: 'drop', reason: r.reason }, p, meta);
      if (r.icmp) h.sendIcmpError(p, rec, 3, 3, null);
      return 'drop';
    case 'xmit':
      h.note(
        rec,
        {
          ...base,
          action: 'xmit',
          server: `${formatIpv4(r.raddr)}:${r.rport}`,
          method: r.method,
          scheduled: r.scheduled,
          persistent: r.persistent,
          state: r.state,
        },
        p,
        meta,
      );
      meta.ipvs = true;
      meta.ipvsXmit = { method: r.method, raddr: r.raddr, rport: r.rport };
      return 'stolen';
  }
}

/** ip_vs_out at FORWARD: the real server's reply leaves with the VIP as its source (NAT only). */
export function forwardOut(h: Host, p: Packet, rec: PacketRecord, meta: PacketMeta): 'continue' | TableVerdict {
  const r = ipvsOut(h.ipvs, ipvsPacket(p), h.world.nowMs);
  if (r.verdict === 'ignore') return 'continue';
  const before = { src: p.src, sport: p.sport };
  // the connection lookup is the IPVS step; the rewrite (ip_vs_out → handle_response → snat_handler) is the NAT step after it
  h.note(rec, { kind: 'ipvs', at: rec.events.length, hook: 'FORWARD', action: 'snat', service: null, server: `${formatIpv4(before.src)}:${before.sport}`, method: 'masq', scheduled: false, persistent: false, state: r.state, reason: null }, p, meta);
  p.src = r.saddr;
  p.sport = r.sport;
  meta.ipvs = true;
  untrackUnlessConntrack(h, meta);
  h.note(rec, { kind: 'nat', at: rec.events.length, hook: 'FORWARD', fields: { src: [formatIpv4(before.src), formatIpv4(p.src)], sport: [before.sport ?? 0, p.sport] } }, p, meta);
  return 'continue';
}

/** net.ipv4.vs.conntrack=0 (the default): IPVS traffic leaves conntrack (SPEC.md §4). */
function untrackUnlessConntrack(h: Host, meta: PacketMeta): void {
  if (h.ipvs.sysctl.conntrack) return;
  if (meta.ct) ctDiscard(h.ct, meta.ct);
  meta.ct = null;
  meta.untracked = true;
}

/** ip_vs_{nat,dr,tunnel}_xmit then LOCAL_OUT, POSTROUTING and the device. */
export function transmit(h: Host, p: Packet, rec: PacketRecord, meta: PacketMeta, inIf: string, srcMac: string | null): void {
  const x = meta.ipvsXmit!;
  if (p.ttl <= 1) {
    rec.disposition = { verdict: 'no_further_hook', reason: 'ttl_exceeded' };
    h.sendIcmpError(p, rec, 11, 0, inIf);
    return;
  }
  // __ip_vs_get_out_rt → decrement_ttl (net/netfilter/ipvs/ip_vs_xmit.c): IPVS forwards, so it lowers the TTL itself
  p.ttl--;
  h.note(rec, { kind: 'ttl', at: rec.events.length, from: p.ttl + 1, to: p.ttl }, p, meta);
  if (h.ipvs.sysctl.conntrack && meta.ct?.entry && x.method === 'masq') {
    // nf_conntrack_alter_reply: replies come from the real server
    const e = meta.ct.entry;
    e.tuple[1] = { ...e.tuple[1], src: x.raddr, sport: x.rport };
  } else untrackUnlessConntrack(h, meta);
  let out: Packet = p;
  let nexthop = x.raddr;
  if (x.method === 'masq') {
    const fields: Record<string, [string | number, string | number]> = { dst: [formatIpv4(p.dst), formatIpv4(x.raddr)], dport: [p.dport ?? 0, x.rport] };
    p.dst = x.raddr;
    p.dport = x.rport;
    h.note(rec, { kind: 'nat', at: rec.events.length, hook: 'INPUT', fields }, p, meta);
  } else if (x.method === 'tunnel') {
    const r = outputRoute(h.net, { ...p, src: 0, dst: x.raddr, proto: IPPROTO_IPIP }, null);
    out = { src: r.ok ? r.src : 0, dst: x.raddr, proto: IPPROTO_IPIP, ttl: p.ttl, tos: p.tos, len: p.len + 20, ipid: p.ipid, df: p.df, mark: p.mark, payload: '', encap: { ...p } };
  }
  const route = outputRoute(h.net, { ...out, dst: x.method === 'route' ? x.raddr : out.dst }, null);
  if (!route.ok) {
    rec.disposition = { verdict: 'no_further_hook', reason: 'no_route' };
    return;
  }
  nexthop = route.gateway ?? (x.method === 'route' ? x.raddr : out.dst);
  h.note(rec, outputRouteNote(h.net, out, route, 'reroute', rec.events.length), out, meta);
  if (route.dev === 'lo') {
    // the real server is this host: the packet goes on to the local socket
    rec.disposition = { verdict: 'local', host: h.name };
    h.sockets.deliver(out, rec, inIf);
    rec.socketsAfter = socketRows(h.sockets);
    return;
  }
  const res = h.runHook('OUTPUT', out, rec, meta, null, route.dev, null);
  if (res.verdict !== 'accept') {
    h.finish(rec, res, meta);
    return;
  }
  h.postrouting(out, rec, meta, inIf, route.dev, nexthop, srcMac);
}
