// pattern: Functional Core
// The match registry: `-m NAME` looks the name up here. Adding a module is
// one file exporting a MatchSpec plus one line below.

import type { MatchSpec } from './module';
import { addrtype } from './addrtype';
import { comment } from './comment';
import { conntrack, state } from './conntrack';
import { icmp } from './icmp';
import { iprange } from './iprange';
import { limit } from './limit';
import { connmark, mark } from './mark';
import { multiport } from './multiport';
import { physdev } from './physdev';
import { recent } from './recent';
import { statistic } from './statistic';
import { string } from './string';
import { tcp, udp } from './tcp';
import { u32 } from './u32';
import { cpu, devgroup, dscp, ecn, length, mac, pkttype, realm, tos, ttl } from './header';
import { owner } from './owner';
import { ah, esp, ipcomp, policy } from './ipsec';
import { dccp } from './dccp';
import { tcpmss } from './tcpmss';
import { cgroup, cluster, connlabel } from './system';
import { sctp } from './sctp';
import { connbytes, connlimit, helper, nfacct, rpfilter, set, socket } from './external';
import { quota, time } from './time';
import { hashlimit } from './hashlimit';

const ALL: readonly MatchSpec[] = [
  tcp, udp, icmp, multiport, iprange, comment, conntrack, state, mark, connmark,
  addrtype, limit, statistic, string, u32, recent, physdev,
  ttl, length, pkttype, mac, owner, tos, dscp, ecn, helper, set, policy, hashlimit, nfacct, socket,
  devgroup, realm, cpu, quota, time, rpfilter, connlimit, connbytes, esp, ah, sctp, ipcomp, dccp, tcpmss,
  cgroup, cluster, connlabel,
];

export const MATCHES: ReadonlyMap<string, MatchSpec> = new Map(ALL.map((m) => [m.name, m]));

export function getMatch(name: string): MatchSpec | undefined {
  return MATCHES.get(name);
}

/** The name the packet walker uses. */
export const matchModule = getMatch;

/** Matches that exist in iptables 1.8.9 but not here: `-m` on them says "not modelled yet". */
export const KNOWN_UNMODELLED_MATCHES: ReadonlySet<string> = new Set([
  'bpf', 'ipvs', 'osf', 'rateest', 'l2tp',
]);

/**
 * Implicit protocol matches: iptables loads the match named like the `-p`
 * protocol on the first option nobody else knows (command_default), for
 * every protocol that has one (`-p udplite` has none in userspace).
 */
export function protoMatchName(proto: number): string | null {
  switch (proto) {
    case 6:
      return 'tcp';
    case 17:
      return 'udp';
    case 1:
      return 'icmp';
    case 132:
      return 'sctp';
    case 50:
      return 'esp';
    case 51:
      return 'ah';
    case 33:
      return 'dccp';
    case 108:
      return 'ipcomp';
    default:
      return null;
  }
}
