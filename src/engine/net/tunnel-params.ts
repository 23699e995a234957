// pattern: Functional Core
// The parameters of a tunnel device and the header a tunnel puts between
// the outer IP header and the datagram it carries, as plain data: the link
// table (config.ts) and the packet (packet.ts) both hold them, and neither
// should depend on the tunnel parsers (tunnel.ts) to do so.
//
// VXLAN is checked against this machine's kernel (oracle cases vxlan-*);
// GRE and IPIP are absent from it and modelled from the kernel source
// (net/ipv4/ip_tunnel.c, ip_gre.c, ipip.c): `modelledFromSource` says which.

import type { Ipv4 } from './addr';
import type { ArpPacket } from './arp';

export type TunnelMode = 'gre' | 'ipip' | 'vxlan';

/** VXLAN's `df set|unset|inherit` (IFLA_VXLAN_DF) */
export type VxlanDf = 'unset' | 'set' | 'inherit';

export interface TunnelParams {
  mode: TunnelMode;
  /** the far end (iph.daddr / IFLA_VXLAN_GROUP); 0: any */
  remote: Ipv4;
  /** the near end (iph.saddr / IFLA_VXLAN_LOCAL); 0: any, the route's source */
  local: Ipv4;
  /** `dev D` (parms.link / IFLA_VXLAN_LINK): the underlay device the outer packet is bound to */
  link: string | null;
  /** outer TTL; 0: inherit (gre/ipip: the inner packet's, vxlan: the route's hop limit) */
  ttl: number;
  /** `ttl inherit` on VXLAN (VXLAN_F_TTL_INHERIT): the inner packet's TTL */
  ttlInherit: boolean;
  /** outer TOS; bit 0 set: inherit the inner packet's (`tos inherit` is 1) */
  tos: number;
  /** gre/ipip: iph.frag_off has IP_DF (`pmtudisc`, the default; `nopmtudisc` clears it) */
  pmtudisc: boolean;
  /** gre: i_key/o_key when `key`, `ikey`, `okey` were given (GRE_KEY) */
  ikey: number | null;
  okey: number | null;
  /** vxlan only */
  vni: number;
  dstport: number;
  /** `srcport MIN MAX`: udp_flow_src_port's range, MAX excluded; null: ip_local_port_range */
  srcport: [number, number] | null;
  learning: boolean;
  df: VxlanDf;
}

/** VXLAN_HEADROOM: outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14) */
export const VXLAN_HEADROOM = 50;
/** the port the kernel uses when `dstport` is not given (IANA's 4789 came later) */
export const VXLAN_LINUX_DEFAULT_PORT = 8472;

/** gre_calc_hlen (include/net/gre.h): 4 bytes, plus 4 each for checksum, key, sequence */
export function greHeaderLength(p: TunnelParams): number {
  return 4 + (p.okey !== null ? 4 : 0);
}

/** tunnel->hlen + sizeof(struct iphdr): what a gre/ipip tunnel adds to the datagram it carries */
export function tunnelOverhead(p: TunnelParams): number {
  if (p.mode === 'vxlan') return VXLAN_HEADROOM;
  return 20 + (p.mode === 'gre' ? greHeaderLength(p) : 0);
}

export function modelledFromSource(mode: TunnelMode): boolean {
  return mode !== 'vxlan';
}

export function defaultTunnelParams(mode: TunnelMode): TunnelParams {
  return {
    mode,
    remote: 0,
    local: 0,
    link: null,
    ttl: 0,
    ttlInherit: false,
    tos: 0,
    pmtudisc: true,
    ikey: null,
    okey: null,
    vni: 0,
    dstport: VXLAN_LINUX_DEFAULT_PORT,
    srcport: null,
    learning: true,
    df: 'unset',
  };
}

/** What a GRE or VXLAN header carries, as far as the walk shows it. */
export type TunnelHeader =
  | {
      kind: 'vxlan';
      vni: number;
      /** the inner Ethernet header */
      eth: { src: string; dst: string };
      /** an ARP frame rides inside instead of an IPv4 datagram (`encap` is then absent) */
      arp?: ArpPacket;
    }
  | { kind: 'gre'; key: number | null };
