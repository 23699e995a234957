// pattern: Functional Core
// The event log of one packet's passage through one host: what the app
// animates and what the oracle format reports (FORMAT.md §2.2). A record is
// opened when the packet meets its first hook and is appended to as it moves.

import type { VlanTag } from '../net/vlan';
import type { Packet } from '../net/packet';
import type { Rule } from '../iptables/types';
import type { TunnelMode } from '../net/tunnel-params';
import type { HookName, TableName } from '../netfilter/hooks';
import type { TraceType } from '../iptables/walk';
import { headerView, type HeaderView } from './header-view';
import type { SocketRow } from './socket-table';
import type { NfEvent } from '../iptables/walk';
import type { PacketMeta } from './host';
import type { SkbSocket } from './skb-socket';
import type { IpvsSnapshot } from '../ipvs/snapshot';
import type { CtListRow } from '../conntrack/view';
import { clonePacket } from '../net/packet';

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
  /** the MAC header's type field when it is not IPv4's (a tunnel's outer packet, encap.ts) */
  ethertype?: number;
  /** conntrack's ctinfo for the packet when this entry ran, null without conntrack */
  ctState: string | null;
  uid: number | null;
  /** the packet's socket as -m owner saw it (absent: none) */
  sk?: SkbSocket;
  /** the connection's mark (ct->mark) when this entry ran; null or absent without a connection */
  ctmark?: number | null;
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
      /** that rule as `ip rule show` prints it, e.g. `32765:	from 192.168.2.0/24 lookup custom_table` */
      rule: string | null;
      table: string | null;
      /** the matching route as `ip route show table all` prints it */
      route: string | null;
      /** error: why (no_route, forwarding_disabled, reverse_path_filter, ...) */
      reason: string | null;
    }
  /** `entryId`: the id of the connection's entry in the table (CtListRow.id), null when untracked */
  | { kind: 'conntrack'; at: number; hook: HookName; state: string; reply: boolean; entry: string | null; entryId: number | null; reason: string | null }
  | {
      kind: 'nat';
      at: number;
      hook: HookName;
      fields: Record<string, [number | string, number | string]>;
      /**
       * conntrack NAT at a nat hook (nf_nat_inet_fn): `new` when the nat table's rules were
       * consulted for this connection's first packet and set up the binding, `existing` when
       * the binding was already there and the table was skipped (later packets of a connection,
       * replies). Absent for rewrites outside the nat hooks (IPVS, seqadj at confirmation).
       */
      binding?: 'new' | 'existing';
    }
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
  | {
      kind: 'tunnel';
      at: number;
      /** encapsulate: the tunnel device wrapped this packet in an outer one; decapsulate: this outer packet's payload goes up the tunnel device; drop: the tunnel refused it */
      action: 'encapsulate' | 'decapsulate' | 'drop';
      mode: TunnelMode;
      dev: string;
      /** the outer header: addresses and what it carries (`UDP 4789 VNI 42`, `GRE key 7`, `IPIP`) */
      outer: { src: string; dst: string; carrier: string } | null;
      /** drop: why, in words */
      reason: string | null;
      /** GRE and IPIP: modelled from kernel source (this machine's kernel has neither) */
      modelled: boolean;
    }
  | { kind: 'deliver'; at: number; to: string }
  /**
   * The device's egress qdisc (`tc`, engine/tc/shaper.ts) took the frame at
   * `arrivedMs` (the walk's clock): it leaves at `leftMs`, later when the
   * token bucket had to refill, or it was dropped (`leftMs` null, `why`).
   */
  | { kind: 'qdisc'; at: number; dev: string; qdisc: string; len: number; arrivedMs: number; leftMs: number | null; why: 'limit' | 'burst' | null }
  | { kind: 'transmit'; at: number; iface: string; port: string | null }
  /**
   * The neighbour table's part in the packet's way out (neigh_resolve_output,
   * net/neigh.ts): `request` the packet started resolving `target` and an ARP
   * request went out of `dev` (`sender`: the address it named, arp_announce);
   * `queued` it waits behind a request already out; `reply` the answer came
   * (`lladdr`) and the packet leaves; `failed` the probes ran out
   * (neigh_invalidate) and the packet is dropped with an ICMP host unreachable.
   */
  | { kind: 'arp'; at: number; op: 'request' | 'queued' | 'reply' | 'failed'; dev: string; target: string; lladdr: string | null; sender: string | null };

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
  /** the same as a key, where the disposition alone does not say why the packet went no further */
  dropCause?: DropCause;
  /** the steps of the walk that are not TRACE events, in order */
  notes: WalkNote[];
  /** this host's conntrack table (conntrack -L) when the packet arrived; null while conntrack is off */
  ctBefore: CtListRow[] | null;
  /** iptables rules examined for this packet in this host (every rule of a linear scan up to the match) */
  examined: number;
  /** IPVS as the packet found it (`ipvsadm -Ln`, `-Lnc`, scheduler state); null on hosts without virtual services */
  ipvsBefore: IpvsSnapshot | null;
  /**
   * What was true right after each note's step, parallel to `notes`: the
   * packet and its connection. Kept off the walk log (step inspection reads
   * it from the run) except the header view the walk log shows.
   */
  noteStates: NoteState[];
  /** the last packet snapshot taken for an event or a note: the next one shares it while nothing changed */
  lastSnapshot?: Packet;
  /** the Ethernet header of the frame the packet arrived in (absent: made in this host, or over lo) */
  frameIn?: EthHeader;
  /** the Ethernet header neigh_output gave the frame it left in (absent: never sent, or over lo) */
  frameOut?: EthHeader & { dev: string };
  /** the host's neighbour table when the packet arrived, and once the packet's frame was handed to a device (or queued for ARP) */
  neighBefore?: NeighRow[];
  neighAfter?: NeighRow[];
  /** the host's sockets (`ss -tuan`) when the packet arrived, and once it was delivered to one (socket-table.ts) */
  socketsBefore?: SocketRow[];
  socketsAfter?: SocketRow[];
}

/**
 * Why a packet went no further where its disposition does not say it: a
 * drop without a TRACE line of its own, or a frame that never left.
 */
export type DropCause =
  /** nobody answered the ARP request for the next hop (neigh_resolve_output queues it) */
  | 'neigh-unresolved'
  /** a raw IP_HDRINCL datagram with DF over the path MTU: ip_fragment refuses it, the sender gets EMSGSIZE */
  | 'pmtu-exceeded'
  /** the ARP probes for the next hop ran out while the step waited: dropped, ICMP host unreachable sent (neigh_invalidate) */
  | 'neigh-failed'
  /** nf_nat_icmp_reply_translation refused an ICMP redirect */
  | 'nat-icmp-redirect'
  /** a match set par->hotdrop */
  | 'hotdrop'
  /** nf_confirm dropped it (helper, tuple clash) */
  | 'ct-confirm'
  /** a bridge never sends a frame back out of the port it came in by (should_deliver) */
  | 'bridge-same-port'
  /** NFQUEUE without a consumer */
  | 'queue-no-consumer'
  /** the device's egress qdisc dropped the frame after POSTROUTING (a full queue, or a frame over tbf's burst) */
  | 'qdisc-drop'
  /** ip_route_me_harder failed after a change in OUTPUT */
  | 'reroute-failed'
  /** TPROXY found no transparent socket */
  | 'tproxy-no-socket'
  /** MASQUERADE / REDIRECT found no address */
  | 'nat-no-address';

export interface EthHeader {
  src: string;
  dst: string;
  /** the outermost 802.1Q tag the frame carried on the wire (absent: untagged) */
  vlan?: VlanTag;
}

/** One line of `ip neigh show`. */
export interface NeighRow {
  dev: string;
  addr: string;
  lladdr: string | null;
  /** NUD state as iproute2 prints it: REACHABLE, STALE, INCOMPLETE, PERMANENT, NOARP, FAILED, ... */
  state: string;
}

/** The packet's connection as one note left it. */
export interface CtNoteState {
  row: CtListRow;
  /** the direction of this packet in it (IP_CT_DIR_ORIGINAL / IP_CT_DIR_REPLY) */
  dir: 'original' | 'reply';
  /** in the table (nf_conntrack_confirm ran): an unconfirmed entry is the skb's alone */
  confirmed: boolean;
}

export interface NoteState {
  packet: Packet;
  ct: CtNoteState | null;
}

/**
 * The packet as it is now, as a snapshot shared with the record's previous
 * snapshot while no field a table can change differs.
 */
export function packetSnapshot(rec: PacketRecord, pkt: Packet): Packet {
  const last = rec.lastSnapshot;
  if (last && samePacket(last, pkt)) return last;
  return (rec.lastSnapshot = clonePacket(pkt));
}

/** Record a note with the packet and connection as they are right after the note's step. */
export function addNote(rec: PacketRecord, note: WalkNote, pkt: Packet, ct: CtNoteState | null = null): void {
  rec.notes.push(note);
  rec.noteStates.push({ packet: packetSnapshot(rec, pkt), ct });
}

/** Fields a table or a note can change: when none differ, consecutive steps share one snapshot. */
export function samePacket(a: Packet, b: Packet): boolean {
  return (
    a.src === b.src &&
    a.dst === b.dst &&
    a.sport === b.sport &&
    a.dport === b.dport &&
    a.ttl === b.ttl &&
    a.tos === b.tos &&
    a.mark === b.mark &&
    a.len === b.len &&
    a.proto === b.proto &&
    a.payload === b.payload &&
    (a.encap === undefined) === (b.encap === undefined) &&
    a.tcp?.flags === b.tcp?.flags &&
    a.tcp?.seq === b.tcp?.seq &&
    a.tcp?.ack === b.tcp?.ack &&
    a.tcp?.options === b.tcp?.options &&
    a.tcp?.window === b.tcp?.window &&
    a.icmp?.type === b.icmp?.type &&
    a.icmp?.id === b.icmp?.id &&
    a.icmp?.inner?.src === b.icmp?.inner?.src &&
    a.icmp?.inner?.dst === b.icmp?.inner?.dst &&
    a.icmp?.inner?.sport === b.icmp?.inner?.sport &&
    a.icmp?.inner?.dport === b.icmp?.inner?.dport
  );
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
  /** the MAC header's type field when it is not IPv4's (a tunnel's outer packet, encap.ts) */
  ethertype?: number;
  uid: number | null;
  sk?: SkbSocket;
  /** conntrack's ctinfo for the packet when this entry ran (for explanations), null without conntrack */
  ctState: string | null;
  /** the connection's mark (ct->mark) when this entry ran, null without a connection */
  ctmark: number | null;
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
    if (meta.macEthertype !== undefined) this.ethertype = meta.macEthertype;
    this.uid = meta.uid;
    if (meta.sk) this.sk = meta.sk;
    this.ctState = meta.ct ? meta.ct.ctinfo : meta.untracked ? 'UNTRACKED' : null;
    this.ctmark = meta.ct?.entry ? meta.ct.entry.mark : null;
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
export function sharedHeaderView(p: Packet): HeaderView {
  let v = views.get(p);
  if (!v) views.set(p, (v = headerView(p)));
  return v;
}
