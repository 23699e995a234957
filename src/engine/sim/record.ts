// pattern: Functional Core
// The event log of one packet's passage through one host: what the app
// animates and what the oracle format reports (FORMAT.md §2.2). A record is
// opened when the packet meets its first hook and is appended to as it moves.

import type { Packet } from '../net/packet';
import type { Rule } from '../iptables/types';
import type { HookName, TableName } from '../netfilter/hooks';
import type { TraceType } from '../iptables/walk';
import { headerView, type HeaderView } from './header-view';
import type { NfEvent } from '../iptables/walk';
import type { PacketMeta } from './host';
import type { SkbSocket } from './skb-socket';
import type { IpvsSnapshot } from '../ipvs/snapshot';
import type { CtListRow } from '../conntrack/view';

export type { IpvsSnapshot };

export interface RecordedEvent {
  table: TableName;
  chain: string;
  hook: HookName;
  type: TraceType;
  rulenum: number;
  target: string | null;
  goto: boolean;
  rule: Rule | null;
  /** iptables-save text of the rule */
  ruleText: string | null;
  in: string | null;
  out: string | null;
  physin: string | null;
  physout: string | null;
  readonly hdr: HeaderView;
  /** the packet as it was at this event (for the TRACE line and the UI's header panel); shared by consecutive events while unchanged */
  readonly packet: Packet;
  /** source MAC of the frame (ingress), for the TRACE line's MAC= */
  srcMac: string | null;
  /** destination MAC of the frame, when it is not the receiving interface's own (bridged frames) */
  dstMac: string | null;
  /** conntrack's ctinfo for the packet when this entry ran, null without conntrack */
  ctState: string | null;
  uid: number | null;
  /** the packet's socket as -m owner saw it (absent: none) */
  sk?: SkbSocket;
}

export type Verdict =
  | { verdict: 'drop'; at: EventRef }
  | { verdict: 'reject'; at: EventRef; with: string }
  | { verdict: 'queue'; at: EventRef }
  | { verdict: 'sent'; iface: string; port?: string }
  | { verdict: 'local'; host: string }
  | { verdict: 'no_further_hook'; reason: string }
  | { verdict: 'unknown'; at: EventRef }
  /** dropped by a hook that leaves no TRACE event (nat's ICMP translation refusing a redirect, case p40) after the last event at `at` */
  | { verdict: 'vanished_after_output' | 'vanished_after_forward'; at: EventRef };

export interface EventRef {
  table: TableName;
  chain: string;
  type: TraceType;
  rulenum: number;
}

export interface Receiver {
  host: string;
  iface: string;
  packet: PacketRecord;
}

/**
 * What happens to a packet between TRACE events — the parts of its walk the
 * kernel's TRACE does not print but a learner needs to see: routing
 * decisions, conntrack's verdict on the packet, NAT rewrites, the TTL
 * decrement, delivery to a socket, transmission. `at` is the number of
 * TRACE events recorded before it.
 */
export type WalkNote =
  | {
      kind: 'route';
      at: number;
      /** output: a socket's lookup; reroute: after mangle/nat OUTPUT changed the packet; input: the routing decision after PREROUTING */
      stage: 'output' | 'reroute' | 'input';
      decision: 'local' | 'forward' | 'output' | 'error';
      dev: string | null;
      gateway: string | null;
      src: string | null;
      /** fib rule that decided (ip rule priority) and its table, when a lookup decided */
      rulePriority: number | null;
      table: string | null;
      /** the matching route as `ip route show table all` prints it */
      route: string | null;
      /** error: why (no_route, forwarding_disabled, reverse_path_filter, ...) */
      reason: string | null;
    }
  /** `entryId`: the id of the connection's entry in the table (CtListRow.id), null when untracked */
  | { kind: 'conntrack'; at: number; hook: HookName; state: string; reply: boolean; entry: string | null; entryId: number | null; reason: string | null }
  | { kind: 'nat'; at: number; hook: HookName; fields: Record<string, [number | string, number | string]> }
  | { kind: 'ttl'; at: number; from: number; to: number }
  | {
      kind: 'ipvs';
      at: number;
      hook: HookName;
      /** xmit: IPVS took the packet and sends it to a real server; snat: a NAT reply gets the VIP back as source */
      action: 'xmit' | 'snat' | 'drop' | 'accept';
      /** the virtual service, e.g. "TCP 10.96.0.10:80 rr" */
      service: string | null;
      /** the real server chosen (xmit) */
      server: string | null;
      method: string | null;
      /** the scheduler ran (a new connection), or a persistence template chose */
      scheduled: boolean;
      persistent: boolean;
      state: string | null;
      reason: string | null;
    }
  | { kind: 'deliver'; at: number; to: string }
  | { kind: 'transmit'; at: number; iface: string; port: string | null };

export interface PacketRecord {
  /**
   * The oracle cannot see this packet: with `options.conntrack: "on"` its
   * tracer sets nftrace only on packets with no conntrack yet (`ct state
   * invalid ... meta nftrace set 1` at priority -350), so a packet the
   * kernel attached to the connection of the packet it answers leaves no
   * TRACE line (case q70); a packet looped over lo keeps its sender's
   * nf_trace bit. The walk still shows it.
   */
  untraced?: boolean;
  id: number;
  step: number;
  host: string;
  origin: 'ingress' | 'local';
  in: string | null;
  events: RecordedEvent[];
  fromPacket: PacketRecord | null;
  receivedBy: Receiver[];
  route: Record<string, unknown> | null;
  disposition: Verdict | null;
  response: { packet: PacketRecord; kind: 'icmp' | 'tcp-reset'; type?: number; code?: number } | null;
  /** a copy -j TEE made (nf_dup_ipv4): the packet it copied */
  duplicateOf?: PacketRecord;
  /** why the packet was dropped, in words, for the UI */
  note?: string;
  /** the steps of the walk that are not TRACE events, in order */
  notes: WalkNote[];
  /** this host's conntrack table (conntrack -L) when the packet arrived; null while conntrack is off */
  ctBefore: CtListRow[] | null;
  /** iptables rules examined for this packet in this host (every rule of a linear scan up to the match) */
  examined: number;
  /** IPVS as the packet found it (`ipvsadm -Ln`, `-Lnc`, scheduler state); null on hosts without virtual services */
  ipvsBefore: IpvsSnapshot | null;
}


export function eventRef(e: RecordedEvent): EventRef {
  return { table: e.table, chain: e.chain, type: e.type, rulenum: e.rulenum };
}

export function eventName(e: RecordedEvent): string {
  return `${e.table}:${e.chain}:${e.type}:${e.rulenum}`;
}

/**
 * analysis.py TERMINAL: the targets after which a packet leaves the table,
 * so a trace that ends on one tells its fate (a policy line does too).
 */
const TERMINAL = new Set(['ACCEPT', 'DROP', 'REJECT', 'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'QUEUE', 'NFQUEUE', 'TPROXY', 'SYNPROXY']);

export function terminal(e: RecordedEvent): boolean {
  return e.type === 'policy' || (e.target !== null && TERMINAL.has(e.target));
}

/** A RecordedEvent whose header view is built only when something reads it. */
export class TraceEvent implements RecordedEvent {
  table: TableName;
  chain: string;
  hook: HookName;
  type: TraceType;
  rulenum: number;
  target: string | null;
  goto: boolean;
  rule: Rule | null;
  physin: string | null;
  physout: string | null;
  dstMac: string | null;
  uid: number | null;
  sk?: SkbSocket;
  /** conntrack's ctinfo for the packet when this entry ran (for explanations), null without conntrack */
  ctState: string | null;
  private view: HeaderView | null = null;

  constructor(
    ev: NfEvent,
    readonly ruleText: string | null,
    readonly in_: string | null,
    readonly out: string | null,
    meta: PacketMeta,
    readonly packet: Packet,
    readonly srcMac: string | null,
  ) {
    this.table = ev.table;
    this.chain = ev.chain;
    this.hook = ev.hook;
    this.type = ev.type;
    this.rulenum = ev.rulenum;
    this.target = ev.target;
    this.goto = ev.goto;
    this.rule = ev.rule;
    this.physin = meta.physIn ?? null;
    this.physout = meta.physOut ?? null;
    this.dstMac = meta.dstMac ?? null;
    this.uid = meta.uid;
    if (meta.sk) this.sk = meta.sk;
    this.ctState = meta.ct ? meta.ct.ctinfo : meta.untracked ? 'UNTRACKED' : null;
  }

  get in(): string | null {
    return this.in_;
  }

  get hdr(): HeaderView {
    return (this.view ??= sharedHeaderView(this.packet));
  }
}

const views = new WeakMap<Packet, HeaderView>();

/** One header view per packet snapshot: the events that share a snapshot share its view (and the log stays small). */
function sharedHeaderView(p: Packet): HeaderView {
  let v = views.get(p);
  if (!v) views.set(p, (v = headerView(p)));
  return v;
}
