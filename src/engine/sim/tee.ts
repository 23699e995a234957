// pattern: Functional Core
// -j TEE (xt_TEE.c → nf_dup_ipv4.c): a copy of the packet, sent on from
// inside the target while the original continues (XT_CONTINUE).
//  - the copy is untracked (nf_ct_set(skb, NULL, IP_CT_UNTRACKED)), gets DF,
//    and one TTL less when it was taken in PREROUTING or INPUT;
//  - it is routed to the gateway as the next hop (FLOWI_FLAG_KNOWN_NH: an
//    uncached route whose rt_gw4 is the gateway when the route has none);
//    its headers are not changed, so the gateway receives a packet
//    addressed to the original destination;
//  - it goes out through ip_local_out: this host's OUTPUT and POSTROUTING,
//    traced as a packet of its own that the host generated, right after the
//    TEE rule of the original (case q86). nf_dup_ipv4_route set skb->dev, so
//    POSTROUTING prints IN= that device (and, for a packet copied from one
//    that arrived by a link, MAC= bytes of uninitialised headroom the engine
//    cannot know: REPORT.md §6 of this engine's cases);
//  - while the host sends the copy, TEE copies nothing (nf_skb_duplicated,
//    set around ip_local_out): the copy's own TEE rules match and do
//    nothing. Another host receives it later, from its backlog, and copies
//    it like any packet. A failed route drops the copy silently.

import { clonePacket, type Packet } from '../net/packet';
import type { TeeOptions } from '../iptables/targets';
import type { Host, PacketMeta, Reroute } from './host';
import type { TargetEnv } from './targets';
import * as R from './route-adapter';

export function teeDuplicate(host: Host, o: TeeOptions, p: Packet, env: TargetEnv): void {
  if (env.meta.duplicated || o.gateway === null) return;
  const copy = clonePacket(p);
  copy.df = true;
  if (env.hook === 'PREROUTING' || env.hook === 'INPUT') copy.ttl = (copy.ttl - 1) & 0xff;
  // tee_tg_check: --oif names a device that exists, else no output device is asked for
  const oif = o.oif !== null && R.linkExists(host.net, o.oif) ? o.oif : null;
  const route = R.teeRoute(host.net, copy, o.gateway, oif);
  if (!route.ok) return;
  const meta: PacketMeta = { ct: null, untracked: true, uid: null, sk: 'none', duplicated: true, classid: route.classid };
  const rec = host.world.openRecord(host, 'local', null, null);
  rec.duplicateOf = env.rec;
  host.note(rec, R.outputRouteNote(host.net, { ...copy, src: 0, dst: o.gateway, proto: 0, sport: 0, dport: 0 }, route, 'output', 0), copy, meta);
  const routeDev = route.dev;
  let outDev = route.dev;
  let nexthop = route.gateway ?? o.gateway;
  // ip_route_me_harder after mangle OUTPUT routes the copy by its own destination, not the gateway
  const reroute: Reroute = (q) => {
    const r2 = R.outputRoute(host.net, q, oif);
    host.note(rec, R.outputRouteNote(host.net, q, r2, 'reroute', rec.events.length), q, meta);
    if (!r2.ok) return r2.errno;
    meta.classid = r2.classid;
    outDev = r2.dev;
    nexthop = r2.gateway ?? q.dst;
    return null;
  };
  const res = host.runHook('OUTPUT', copy, rec, meta, null, outDev, null, reroute);
  if (res.verdict !== 'accept') {
    host.finish(rec, res, meta);
    return;
  }
  // skb->dev is the first route's device (nf_dup_ipv4_route): ip_output passes it to POSTROUTING as the input device
  host.postrouting(copy, rec, meta, routeDev, outDev, nexthop, null);
}
