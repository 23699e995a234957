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

const ALL: readonly MatchSpec[] = [
  tcp, udp, icmp, multiport, iprange, comment, conntrack, state, mark, connmark,
  addrtype, limit, statistic, string, u32, recent, physdev,
];

export const MATCHES: ReadonlyMap<string, MatchSpec> = new Map(ALL.map((m) => [m.name, m]));

export function getMatch(name: string): MatchSpec | undefined {
  return MATCHES.get(name);
}

/** The name the packet walker uses. */
export const matchModule = getMatch;

/** Matches that exist in iptables 1.8.9 but not here: `-m` on them says "not modelled yet". */
export const KNOWN_UNMODELLED_MATCHES: ReadonlySet<string> = new Set([
  'ah', 'bpf', 'cgroup', 'cluster', 'connbytes', 'connlabel', 'connlimit', 'cpu', 'dccp',
  'devgroup', 'dscp', 'ecn', 'esp', 'hashlimit', 'helper', 'hl', 'ipcomp', 'ipvs', 'length',
  'mac', 'nfacct', 'osf', 'owner', 'pkttype', 'policy', 'quota', 'rateest', 'realm',
  'rpfilter', 'sctp', 'set', 'socket', 'time', 'tos', 'ttl', 'udplite', 'tcpmss', 'l2tp', 'ipv6header',
]);

/** Implicit protocol matches `-p NAME` loads on the first unknown option. */
export function protoMatchName(proto: number): string | null {
  return proto === 6 ? 'tcp' : proto === 17 ? 'udp' : proto === 1 ? 'icmp' : null;
}
