// pattern: Functional Core
// The flow a raw IP_HDRINCL socket routes by (net/ipv4/raw.c raw_sendmsg):
// not the header the user wrote but the socket's own keys. An unbound socket
// has no source (ipc.addr = inet_saddr = 0), its TOS is the socket's
// (IP_TOS, 0 here), its protocol the socket's (IPPROTO_RAW: ipc.protocol =
// inet_num), and raw_probe_proto_opt(), which would add ports or ICMP type,
// runs only without IP_HDRINCL. So `ip rule from/tos/ipproto/sport/dport`
// and the multipath hash (saddr 0) see these, not the header: a crafted
// packet from another host's address takes the nexthop the hash of
// 0.0.0.0 picks (difftest seed 1 case 952). The header's fields matter
// again at ip_route_me_harder, which routes by the packet.

import type { Packet } from '../net/packet';

export const IPPROTO_RAW = 255;

/** The packet as raw_sendmsg's route lookup sees it for an unbound IP_HDRINCL socket. */
export function hdrinclRouteKey(p: Packet): Packet {
  return { ...p, src: 0, tos: 0, proto: IPPROTO_RAW, sport: 0, dport: 0 };
}
