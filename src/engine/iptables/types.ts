// pattern: Functional Core
// The iptables rule model. A Rule is what `iptables -A` builds and what
// `iptables-save` prints back; its shape follows struct ipt_entry: a fixed IP
// part (addresses, interfaces, protocol, fragment flag, each with an invert
// flag) followed by match extensions in command-line order and one target.

import type { Ipv4 } from '../net/addr';
import type { Packet } from '../net/packet';
import type { Span } from '../text/diagnostics';
import type { HookName, TableName } from '../netfilter/hooks';
import type { AddrType } from '../net/config';
import type { CtView } from '../conntrack/types';

export interface AddrSelector {
  addr: Ipv4; // already masked
  mask: Ipv4;
  invert: boolean;
}

export interface IfaceSelector {
  /** as typed, a trailing '+' is a wildcard prefix (`eth+`) */
  name: string;
  invert: boolean;
}

export interface ProtoSelector {
  /** protocol number; 0 means "all" and is never stored (no selector instead) */
  num: number;
  invert: boolean;
}

/**
 * One `-m NAME ...` (or the implicit match a `-p tcp --dport` loads).
 * `options` is the module's own parsed form; only that module's code reads it.
 */
export interface MatchInstance<O = unknown> {
  module: string;
  options: O;
  span?: Span;
}

/** What `-j`/`-g` names: a verdict, RETURN, a user chain or a target extension. */
export type TargetKind = 'verdict' | 'return' | 'chain' | 'extension';

export interface TargetInstance<O = unknown> {
  /** ACCEPT, DROP, RETURN, QUEUE, a chain name, or an extension name (DNAT, LOG, ...) */
  name: string;
  kind: TargetKind;
  options: O;
  span?: Span;
}

export interface Rule {
  src?: AddrSelector;
  dst?: AddrSelector;
  inIface?: IfaceSelector;
  outIface?: IfaceSelector;
  proto?: ProtoSelector;
  /** `-f` / `! -f` */
  fragment?: { invert: boolean };
  matches: MatchInstance[];
  /** null: a rule without -j/-g (only counts, and prints in TRACE as `rule`) */
  target: TargetInstance | null;
  /** -g instead of -j */
  goto: boolean;
  /** where the rule came from (the command or the restore line) */
  span?: Span;
}

export interface Counters {
  packets: number;
  bytes: number;
}

/** How a match or target decides, so the UI can explain each clause. */
export interface ClauseResult {
  ok: boolean;
  /** e.g. "--dport 22 ≠ 8080" */
  why?: string;
}

/**
 * What a match may look at besides the packet. The netfilter walker supplies
 * it; matches never reach into the host directly.
 */
export interface MatchContext {
  hook: HookName;
  table: TableName;
  chain: string;
  inIface: string | null;
  outIface: string | null;
  /** bridge ports (br_netfilter) */
  physIn: string | null;
  physOut: string | null;
  /** source MAC of the frame on input ('aa:bb:..' lowercase), null for local packets */
  srcMac: string | null;
  /** conntrack view of the packet; null when conntrack is not active in the host */
  ct: CtView | null;
  /** uid/gid of the process holding the packet's socket (null: no socket, or a kernel socket without a file) */
  uid: number | null;
  gid: number | null;
  /** the packet carries a socket (skb_to_full_sk has sk_socket), also a kernel control socket without uid; absent: uid !== null */
  socket?: boolean;
  /** simulated time in milliseconds since the scenario started */
  nowMs: number;
  /** route type of an address in this host's tables (addrtype) */
  addrType(addr: Ipv4, iface: string | null): AddrType;
  /** seeded generator in [0, 1) for -m statistic --mode random */
  random(): number;
  /** mutable per-rule state (statistic nth counter, limit bucket), keyed by the rule object */
  ruleState<S>(rule: Rule, key: string, init: () => S): S;
  /** the host's xt_recent tables, name → address → hit times (ms) */
  recent: Map<string, Map<Ipv4, number[]>>;
  /**
   * nf_conncount for -m connlimit: count this packet's connection in the
   * rule's list for `key` (the masked address) and return how many tracked
   * connections the list holds. Absent where no walk is running (the list
   * is not touched by explanations after the fact).
   */
  connCount?(rule: Rule, key: Ipv4): number;
  /**
   * The local socket nf_sk_lookup_slow_v4 finds for the packet (-m socket):
   * an established, half-open or TIME_WAIT one of its connection, else a
   * listener. Absent where no host runs the walk.
   */
  lookupSocket?(p: Packet): SocketView | null;
  /** dev->group of a device of this host (-m devgroup); absent where no host runs the walk (group 0) */
  devGroup?(iface: string): number;
  /**
   * dst->tclassid of the packet's route (-m realm): the realm of the route,
   * in the low 16 bits the destination's, in the high 16 the source's.
   * Absent where no route is attached yet (PREROUTING) or no host runs the walk.
   */
  routeClassid?(): number;
  /**
   * A FIB lookup as ipt_rpfilter makes it (iif lo, no oif, the given
   * addresses, mark and TOS): the route type found and every device its
   * nexthops use, or null when the lookup fails. Absent where no host runs the walk.
   */
  reverseRoute?(flow: { dst: Ipv4; src: Ipv4; mark: number; tos: number }): { type: string; devs: string[] } | null;
  /**
   * Set by a match whose kernel code sets par->hotdrop (connlimit when its
   * count fell to 0): the walk stops at that rule and drops the packet.
   */
  hotdrop?: boolean;
}

/** A socket as xt_socket weighs it. */
export interface SocketView {
  /** sk_fullsock: not a request (SYN_RECV) or TIME_WAIT mini-socket */
  full: boolean;
  /** bound to 0.0.0.0 (inet_rcv_saddr == 0): a listener for every address */
  wildcard: boolean;
  /** IP_TRANSPARENT (inet_sk_transparent) */
  transparent: boolean;
  /** sk_mark (SO_MARK) */
  mark: number;
}

export type CtStateName = 'INVALID' | 'NEW' | 'ESTABLISHED' | 'RELATED' | 'UNTRACKED' | 'SNAT' | 'DNAT';

/** A match extension: how to parse its options, print them back and evaluate them. */
export interface MatchModule<O = unknown> {
  name: string;
  /** `-m NAME` loads this module; protocol matches also load implicitly after `-p` */
  /** true when using the module switches conntrack on in the host (REPORT.md §5.1) */
  needsConntrack?: boolean;
  /** the text iptables-save prints after `-m NAME` (no leading space) */
  save(options: O): string;
  /** evaluate; ctx gives everything beyond the packet */
  match(options: O, packet: Packet, ctx: MatchContext, rule: Rule): boolean;
  /** clause-by-clause explanation for the UI (optional; falls back to match()) */
  explain?(options: O, packet: Packet, ctx: MatchContext, rule: Rule): ClauseResult[];
}
