// pattern: Functional Core
// NAT ports the kernel picks at random. nf_nat_l4proto_unique_tuple starts
// its search at get_random_u16() for every source mapping (and for
// destination mappings with --random) whose port is not kept as it was: a
// MASQUERADE or SNAT with --to-ports the connection's port is outside of, or
// a port another connection already holds. The engine draws from a fixed
// seed, so such a port matches a real run only by chance. Found by the
// difftest (seed 2): MASQUERADE --to-ports 20004-20016 gave 20016, 20009 and
// 20006 in three kernel runs of case 147; SNAT to 1879-2749 in case 605.
// Each search is reported as a "not modelled" finding of the run, unless the
// rule asked for --random, which is reported with the rule.

import { formatIpv4 } from '../net/addr';
import type { NatPortDraw } from '../conntrack/nat';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../net/packet';
import type { World } from './world';

export interface NatPortFinding {
  host: string;
  subject: string;
  detail: string;
}

const PROTO: Record<number, string> = { [IPPROTO_TCP]: 'tcp', [IPPROTO_UDP]: 'udp', [IPPROTO_ICMP]: 'icmp' };

function describe(d: NatPortDraw): string {
  const t = d.tuple;
  const proto = PROTO[t.proto] ?? `proto ${t.proto}`;
  const what = t.proto === IPPROTO_ICMP ? 'ICMP id' : d.manip === 'SRC' ? 'source port' : 'destination port';
  const port = t.proto === IPPROTO_ICMP || d.manip === 'SRC' ? t.sport : t.dport;
  const range = `${d.min}-${d.min + d.size - 1}`;
  return `the kernel picks the ${what} of the ${proto} connection ${formatIpv4(t.src)} → ${formatIpv4(t.dst)} at random from ${range} (nf_nat_l4proto_unique_tuple starts at get_random_u16()); the engine drew ${port} from a fixed seed, so a real run agrees on it only by chance`;
}

/** The random port searches of the run, per host, in the order they happened. */
export function natPortFindings(world: World): NatPortFinding[] {
  const out: NatPortFinding[] = [];
  for (const h of world.hostList) {
    for (const d of h.ct.natPortDraws) {
      if (d.requested) continue;
      out.push({ host: h.name, subject: 'NAT port choice', detail: describe(d) });
    }
  }
  return out;
}
