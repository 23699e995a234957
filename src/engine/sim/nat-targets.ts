// pattern: Functional Core
// The nat-table targets (DNAT, SNAT, MASQUERADE, REDIRECT, NETMAP): the
// range each asks conntrack to bind a new connection to, after
// nf_nat_setup_info's callers in net/netfilter/xt_nat.c, nf_nat_masquerade.c,
// nf_nat_redirect.c and xt_NETMAP.c.

import type { Ipv4 } from '../net/addr';
import type { Packet } from '../net/packet';
import * as fib from '../net/fib';
import type { NatManip, NatRange as CtNatRange } from '../conntrack/types';
import type { DnatOptions, MasqueradeOptions, NetmapOptions } from '../iptables/targets';
import type { CtRef } from './conntrack-adapter';
import type { Host } from './host';
import { outputRoute } from './route-adapter';
import type { TargetEnv } from './targets';

function toCtRange(r: { minIp: number; maxIp: number; minPort: number; maxPort: number; hasIps: boolean; hasPorts: boolean } | null | undefined, random = false, persistent = false): CtNatRange {
  const out: CtNatRange = {};
  if (r?.hasIps) {
    out.minAddr = r.minIp;
    out.maxAddr = r.maxIp;
  }
  if (r?.hasPorts) {
    out.minPort = r.minPort;
    out.maxPort = r.maxPort;
  }
  if (random) out.random = true;
  if (persistent) out.persistent = true;
  return out;
}

/**
 * Sets up the NAT binding a nat-table target asks for. False when the target
 * returns NF_DROP instead: MASQUERADE finding no source address on the
 * output device or anywhere in the namespace (nf_nat_masquerade_ipv4, "ate my
 * IP address", e.g. a bridged packet on an address-less bridge, d1-0743) and
 * REDIRECT in PREROUTING on a device without an address (nf_nat_redirect_ipv4).
 */
export function natTarget(host: Host, ref: CtRef, name: string, o: unknown, p: Packet, env: TargetEnv): boolean {
  switch (name) {
    case 'DNAT':
    case 'SNAT': {
      const d = o as DnatOptions;
      host.ct.setupNat(ref, name === 'DNAT' ? 'DST' : 'SRC', toCtRange(d.ranges[0], d.random, d.persistent));
      return true;
    }
    case 'MASQUERADE': {
      const m = o as MasqueradeOptions;
      const out = env.outIf ?? '';
      const gw = outputRoute(host.net, p, null);
      const src = fib.selectSourceAddress(host.net, out, gw.ok && gw.gateway ? gw.gateway : p.dst, 'global');
      if (src === 0) return false;
      const r = toCtRange(m.range, m.random);
      r.minAddr = src;
      r.maxAddr = src;
      host.ct.setupNat(ref, 'SRC', r);
      return true;
    }
    case 'REDIRECT': {
      const m = o as MasqueradeOptions;
      let dst = 0x7f000001;
      if (env.hook === 'PREROUTING' && env.inIf) {
        const a = host.net.addresses.find((x) => x.iface === env.inIf);
        dst = a ? a.addr : 0;
      }
      if (dst === 0) return false;
      const r = toCtRange(m.range, m.random);
      r.minAddr = dst;
      r.maxAddr = dst;
      host.ct.setupNat(ref, 'DST', r);
      return true;
    }
    case 'NETMAP': {
      const n = o as NetmapOptions;
      const manip: NatManip = env.hook === 'PREROUTING' || env.hook === 'OUTPUT' ? 'DST' : 'SRC';
      const old = manip === 'DST' ? p.dst : p.src;
      const a = (((old & ~n.mask) | (n.addr & n.mask)) >>> 0) as Ipv4;
      host.ct.setupNat(ref, manip, { minAddr: a, maxAddr: a });
      return true;
    }
  }
  return true;
}
