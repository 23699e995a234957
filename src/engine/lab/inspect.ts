// pattern: Functional Core
// Step inspection: what was true of a packet at one step of a finished walk,
// layer by layer — the Ethernet header, the IP header (outer and inner for
// IP-in-IP), TCP/UDP/ICMP with an ICMP error's quoted header, the skb and
// conntrack marks — before and after the step, with a key that names the
// kernel's reason for the change, and the conntrack entries, IPVS
// connections and neighbour table as of that step.
//
// It is computed on request from the run the lab keeps (the records' event
// and note snapshots, sim/record.ts), so the walk log the page receives for
// every walk carries none of it: MAC addresses, tuples and tables would
// multiply the bytes of a walk by the number of steps.
// HeaderView (sim/header-view.ts) is the oracle's HDR object and stays as it
// is; the layers here are a view of their own.

import { formatIpv4 } from '../net/addr';
import { IPPROTO_ICMP, IPPROTO_IPIP, IPPROTO_TCP, IPPROTO_UDP, tcpFlagsText, type Packet } from '../net/packet';
import type { CtListRow } from '../conntrack/view';
import type { World } from '../sim/world';
import type { CtNoteState, EthHeader, IpvsSnapshot, NeighRow, PacketRecord, WalkNote } from '../sim/record';
import type { HeaderView } from '../sim/header-view';
import type { SocketRow } from '../sim/socket-table';
import { headerView } from '../sim/header-view';
import type { WalkLog, WalkStep } from '../walk-log';

export type { NeighRow, IpvsSnapshot };

export interface EthernetLayer {
  src: string;
  dst: string;
  /**
   * the 802.1Q tag: on the way in, the one the VLAN device took off (vlan_do_receive);
   * on the way out, the one it put on (vlan_dev_hard_start_xmit); absent untagged
   */
  vlan?: { vid: number; prio: number; protocol: string };
}

export interface IpLayer {
  src: string;
  dst: string;
  /** tcp, udp, icmp or the protocol number (4: IP-in-IP) */
  proto: string | number;
  ttl: number;
  tos: number;
  /** total length */
  len: number;
  /** identification and DF; null when only the quoted bytes of an ICMP error are known */
  id: number | null;
  df: boolean | null;
}

export type L4Layer =
  | { proto: 'tcp'; sport: number; dport: number; flags: string; seq: number | null; ack: number | null; window: number | null; dataLen: number }
  | { proto: 'udp'; sport: number; dport: number; dataLen: number }
  | {
      proto: 'icmp';
      type: number;
      code: number;
      /** echo request / reply */
      id: number | null;
      seq: number | null;
      /** redirect: the gateway it names */
      gateway: string | null;
      /** an ICMP error (types 3, 4, 5, 11, 12): the header of the datagram it quotes */
      quoted: QuotedDatagram | null;
    };

export interface TunnelLayer {
  kind: 'vxlan' | 'gre';
  vni: number | null;
  key: number | null;
  innerSrcMac: string | null;
  innerDstMac: string | null;
}

export interface QuotedDatagram {
  ip: IpLayer;
  l4: L4Layer | null;
}

export interface PacketLayers {
  /** the frame's header: as received until the packet leaves, then as neigh_output wrote it; null for a packet made here before it leaves */
  ethernet: EthernetLayer | null;
  /** the IP header (the outer one when the packet is encapsulated) */
  ip: IpLayer;
  /** the transport header; null for IP-in-IP, whose payload is `inner` */
  l4: L4Layer | null;
  /** an encapsulated packet (IPVS TUN, an ipip, GRE or VXLAN tunnel): the datagram inside */
  inner: QuotedDatagram | null;
  /** the header between the outer transport and the inner datagram: VXLAN's VNI and inner Ethernet header, GRE's key */
  tunnel?: TunnelLayer;
  /** skb->mark */
  mark: number;
  /** ct->mark of the packet's connection; null while the packet has none */
  ctmark: number | null;
}

/** One field that differs between before and after, by its path in PacketLayers (`ip.ttl`, `ethernet.dst`, `inner.ip.dst`, `l4.quoted.ip.src`). */
export interface LayerChange {
  path: string;
  before: string | number | boolean | null;
  after: string | number | boolean | null;
}

/**
 * Why the packet is as it is after the step, as a key the page translates:
 * the kernel function or rule that made the change.
 */
export type ChangeReason =
  /** ip_forward → ip_decrease_ttl (net/ipv4/ip_forward.c) */
  | 'ttl.ip-forward'
  /** __ip_vs_get_out_rt → decrement_ttl (net/netfilter/ipvs/ip_vs_xmit.c) */
  | 'ttl.ipvs-xmit'
  /** nf_nat_inet_fn ran the nat table for the connection's first packet; nf_nat_packet applied the binding it set up */
  | 'nat.new-binding'
  /** the connection's binding was already set up: nf_nat_packet rewrote the packet without consulting the nat table */
  | 'nat.existing-binding'
  /** ip_vs_nat_xmit rewrote the destination to the real server */
  | 'nat.ipvs-masq'
  /** ip_vs_out gave a NAT reply the virtual address back as its source */
  | 'nat.ipvs-reply'
  /** nf_ct_seq_adjust / a NAT helper changed the payload or the sequence numbers at confirmation */
  | 'nat.helper-seqadj'
  /** IPVS scheduled the connection (or found it) and takes the packet to a real server */
  | 'ipvs.xmit.masq'
  /** IPVS DR: the IP header stays, the route goes to the real server, so only the destination MAC changes */
  | 'ipvs.xmit.route'
  /** IPVS TUN: the packet is wrapped in a new IP header to the real server (ip_vs_tunnel_xmit) */
  | 'ipvs.xmit.tunnel'
  | 'ipvs.snat'
  | 'ipvs.drop'
  | 'ipvs.accept'
  /** a tunnel device wrapped the packet in an outer one (vxlan_xmit, ip_tunnel_xmit) */
  | 'tunnel.encapsulate'
  /** the tunnel's receive side took the outer packet and hands its payload up the tunnel device */
  | 'tunnel.decapsulate'
  /** the tunnel device refused the packet */
  | 'tunnel.drop'
  /** ip_vs_tunnel_xmit pushed the outer IP header (protocol 4) */
  | 'ipvs.tunnel-encapsulates'
  /** neigh_output wrote the Ethernet header: the device's MAC as source, the next hop's from the neighbour table as destination */
  | 'xmit.neighbour'
  /** the same after IPVS DR: the destination MAC is the real server's, the IP header unchanged */
  | 'xmit.ipvs-dr-mac-only'
  /** a bridge forwards the frame with both MAC addresses unchanged */
  | 'xmit.bridged'
  /** neigh_output wrote the header on a VLAN device, whose vlan_dev_hard_start_xmit pushed its 802.1Q tag (modelled from kernel source) */
  | 'xmit.vlan-tag'
  /** the frame came in tagged: vlan_do_receive took the tag off and handed the packet to the VLAN device of its id (modelled from kernel source) */
  | 'ingress.vlan-untag'
  /** the frame never left: the next hop did not answer ARP */
  | 'xmit.neighbour-unresolved'
  /** neigh_resolve_output: no valid neighbour entry, the packet waits in its queue while arp_solicit broadcasts a request */
  | 'arp.request'
  /** the entry is INCOMPLETE already: the packet joins the queue behind the request that is out */
  | 'arp.queued'
  /** arp_process took the answer (neigh_update): the entry is valid and the queue leaves with its MAC */
  | 'arp.reply'
  /** neigh_invalidate: the probes ran out, the entry is FAILED, the packet is dropped with an ICMP host unreachable */
  | 'arp.failed'
  | 'route.input'
  | 'route.output'
  | 'route.reroute'
  /** nf_conntrack_in found or made the packet's connection */
  | 'conntrack.in'
  /** nf_ct_attach: the answer inherits the connection of the packet it answers */
  | 'conntrack.attach'
  | 'deliver.socket'
  | 'ingress.frame'
  | 'originate.local'
  /** a rule's target changed the packet (TRACE shows the change on the next line) */
  | `target.${string}`;

export interface ConntrackEntryAsOf extends CtListRow {
  /** the packet's own connection, not yet in the table (nf_conntrack_confirm has not run) */
  unconfirmed: boolean;
}

export interface ConntrackAsOf {
  /** the table at this step, `conntrack -L` order, with the packet's unconfirmed entry (if any) last */
  entries: ConntrackEntryAsOf[];
  /** the packet's connection and which of its directions the packet travels; null before conntrack looked at it, or untracked */
  packet: { entryId: number; direction: 'original' | 'reply'; confirmed: boolean } | null;
}

export interface IpvsAsOf {
  /** `ipvsadm -Ln`, `-Lnc` and the schedulers as of the step */
  snapshot: IpvsSnapshot;
  /** before: as the packet found it; after: once IPVS handled it */
  when: 'before' | 'after';
}

export interface StepInspection {
  step: number;
  packet: number;
  host: string;
  /** the packet as its previous step in this host left it; null at its first step */
  before: PacketLayers | null;
  after: PacketLayers;
  changes: LayerChange[];
  /** the reason for `changes`, or for what the step did when nothing changed; null for a rule step that changed nothing and the end step */
  reason: ChangeReason | null;
  /** null: conntrack is not active on the host */
  conntrack: ConntrackAsOf | null;
  /** null: no virtual services on the host */
  ipvs: IpvsAsOf | null;
  /** `ip neigh show` as of the step */
  neighbours: NeighRow[];
}

/** What the inspection reads of a finished walk (lab.ts LabWalk). */
export interface InspectableWalk {
  world: World;
  log: WalkLog;
}

const PROTO_NAMES: Record<number, string> = { [IPPROTO_ICMP]: 'icmp', [IPPROTO_TCP]: 'tcp', [IPPROTO_UDP]: 'udp' };
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);

function ipLayer(p: Packet): IpLayer {
  return { src: formatIpv4(p.src), dst: formatIpv4(p.dst), proto: PROTO_NAMES[p.proto] ?? p.proto, ttl: p.ttl, tos: p.tos, len: p.len, id: p.ipid, df: p.df };
}

function l4Layer(p: Packet, quoting: boolean): L4Layer | null {
  if (p.proto === IPPROTO_TCP) {
    const t = p.tcp;
    return { proto: 'tcp', sport: p.sport ?? 0, dport: p.dport ?? 0, flags: t ? tcpFlagsText(t.flags) : '', seq: t ? t.seq : null, ack: t ? t.ack : null, window: t ? t.window : null, dataLen: p.payload.length };
  }
  if (p.proto === IPPROTO_UDP) return { proto: 'udp', sport: p.sport ?? 0, dport: p.dport ?? 0, dataLen: p.payload.length };
  if (p.proto === IPPROTO_ICMP && p.icmp) {
    const i = p.icmp;
    let quoted: QuotedDatagram | null = null;
    if (!quoting && ICMP_ERRORS.has(i.type)) {
      if (i.inner) quoted = { ip: ipLayer(i.inner), l4: l4Layer(i.inner, true) };
      else {
        // a hand-made error carries the quoted bytes: the oracle's reading of them (header-view.ts)
        const q = headerView(p).inner;
        if (q) quoted = quotedFromView(q);
      }
    }
    return { proto: 'icmp', type: i.type, code: i.code, id: i.id ?? null, seq: i.seq ?? null, gateway: i.gateway !== undefined ? formatIpv4(i.gateway) : null, quoted };
  }
  return null;
}

function quotedFromView(h: HeaderView): QuotedDatagram {
  const ip: IpLayer = { src: h.src, dst: h.dst, proto: h.proto, ttl: h.ttl, tos: h.tos ?? 0, len: h.len, id: null, df: null };
  let l4: L4Layer | null = null;
  if ((h.proto === 'tcp' || h.proto === 'udp') && h.sport !== undefined) {
    l4 = h.proto === 'tcp' ? { proto: 'tcp', sport: h.sport, dport: h.dport ?? 0, flags: h.flags ?? '', seq: null, ack: null, window: null, dataLen: 0 } : { proto: 'udp', sport: h.sport, dport: h.dport ?? 0, dataLen: 0 };
  } else if (h.proto === 'icmp' && h.type !== undefined) {
    l4 = { proto: 'icmp', type: h.type, code: h.code ?? 0, id: h.id ?? null, seq: h.seq ?? null, gateway: null, quoted: null };
  }
  return { ip, l4 };
}

/** The layers of one packet snapshot. */
export function packetLayers(p: Packet, ethernet: EthHeader | null, ctmark: number | null): PacketLayers {
  const encap = p.encap ?? null;
  const t = p.tunnel;
  return {
    ethernet: ethernet ? { src: ethernet.src, dst: ethernet.dst, ...(ethernet.vlan ? { vlan: { vid: ethernet.vlan.vid, prio: ethernet.vlan.prio, protocol: ethernet.vlan.protocol } } : {}) } : null,
    ip: ipLayer(p),
    // VXLAN's outer packet is UDP: its transport header comes before the VXLAN header
    l4: encap && p.proto !== IPPROTO_UDP ? null : l4Layer(p, false),
    inner: encap ? { ip: ipLayer(encap), l4: l4Layer(encap, true) } : null,
    ...(t ? { tunnel: t.kind === 'vxlan' ? { kind: 'vxlan', vni: t.vni, key: null, innerSrcMac: t.eth.src, innerDstMac: t.eth.dst } : { kind: 'gre', vni: null, key: t.key, innerSrcMac: null, innerDstMac: null } } : {}),
    mark: p.mark,
    ctmark,
  };
}

type Scalar = string | number | boolean | null;

function flatten(v: unknown, path: string, out: Map<string, Scalar>): void {
  if (v === null || typeof v !== 'object') {
    out.set(path, (v ?? null) as Scalar);
    return;
  }
  for (const [k, x] of Object.entries(v)) flatten(x, path ? `${path}.${k}` : k, out);
}

/** Every field whose value differs, by path; a layer that appears or goes away shows as its fields going from or to null. */
export function layerChanges(before: PacketLayers | null, after: PacketLayers): LayerChange[] {
  if (!before) return [];
  const a = new Map<string, Scalar>();
  const b = new Map<string, Scalar>();
  flatten(before, '', a);
  flatten(after, '', b);
  const out: LayerChange[] = [];
  for (const path of new Set([...b.keys(), ...a.keys()])) {
    const x = a.get(path) ?? null;
    const y = b.get(path) ?? null;
    if (x !== y) out.push({ path, before: x, after: y });
  }
  return out;
}

/** What is true of the packet after one of its steps, as the walk over its steps builds it up. */
interface StepState {
  packet: Packet;
  ethernet: EthHeader | null;
  ctmark: number | null;
  ct: CtNoteState | null;
  /** the packet's frame has been handed to a device (its transmit step or later) */
  sent: boolean;
  /** IPVS has handled the packet (its IPVS step or later) */
  ipvsPassed: boolean;
  /** a socket has taken the packet (its deliver step or later) */
  delivered: boolean;
  reason: ChangeReason | null;
}

const recordIndex = new WeakMap<World, Map<number, PacketRecord>>();
/** each packet's step states, built once per walk: stepping through a packet asks for its steps one after another */
const stateCache = new WeakMap<World, Map<number, StepState[]>>();

function statesOf(world: World, log: WalkLog, rec: PacketRecord, first: number, last: number): StepState[] {
  let m = stateCache.get(world);
  if (!m) stateCache.set(world, (m = new Map()));
  let states = m.get(rec.id);
  if (!states) m.set(rec.id, (states = packetStates(log, rec, first, last)));
  return states;
}

/** Where packet `id` of the walk is in the order the engine opened its records (FdbLearned.seq counts them); -1 for none. */
export function recordOrder(walk: InspectableWalk, id: number): number {
  const rec = recordOf(walk.world, id);
  return rec ? walk.world.records.indexOf(rec) : -1;
}

function recordOf(world: World, id: number): PacketRecord | undefined {
  let m = recordIndex.get(world);
  if (!m) {
    // walk-log.ts numbers the records that have events; the others keep ids that may collide
    m = new Map(world.records.filter((r) => r.events.length > 0).map((r) => [r.id, r]));
    recordIndex.set(world, m);
  }
  return m.get(id);
}

function noteReason(note: WalkNote, step: WalkStep, rec: PacketRecord, before: StepState, after: Packet): ChangeReason | null {
  switch (note.kind) {
    case 'qdisc':
      // a qdisc changes when the frame leaves, not the frame
      return null;
    case 'ttl':
      return step.node === 'forward-decision' ? 'ttl.ip-forward' : 'ttl.ipvs-xmit';
    case 'nat':
      if (note.binding) return note.binding === 'new' ? 'nat.new-binding' : 'nat.existing-binding';
      if (note.hook === 'FORWARD') return 'nat.ipvs-reply';
      return step.node === 'ipvs-in' ? 'nat.ipvs-masq' : 'nat.helper-seqadj';
    case 'ipvs':
      if (note.action === 'xmit') return note.method === 'route' ? 'ipvs.xmit.route' : note.method === 'tunnel' ? 'ipvs.xmit.tunnel' : 'ipvs.xmit.masq';
      return note.action === 'snat' ? 'ipvs.snat' : note.action === 'drop' ? 'ipvs.drop' : 'ipvs.accept';
    case 'route':
      if (note.stage === 'reroute' && after.proto === IPPROTO_IPIP && before.packet.proto !== IPPROTO_IPIP) return 'ipvs.tunnel-encapsulates';
      return `route.${note.stage}`;
    case 'transmit': {
      if (!rec.frameOut) return 'xmit.neighbour-unresolved';
      if (note.port !== null && rec.frameIn && rec.frameOut.src === rec.frameIn.src && rec.frameOut.dst === rec.frameIn.dst) return 'xmit.bridged';
      const dr = rec.notes.some((n) => n.kind === 'ipvs' && n.action === 'xmit' && n.method === 'route');
      return dr ? 'xmit.ipvs-dr-mac-only' : rec.frameOut.vlan ? 'xmit.vlan-tag' : 'xmit.neighbour';
    }
    case 'conntrack':
      return note.reason?.includes('nf_ct_attach') ? 'conntrack.attach' : 'conntrack.in';
    case 'tunnel':
      return `tunnel.${note.action}`;
    case 'deliver':
      return 'deliver.socket';
    case 'arp':
      return `arp.${note.op}`;
  }
}

/** The states of one packet's steps from its first up to `upTo` (a log index), in order. */
function packetStates(log: WalkLog, rec: PacketRecord, first: number, upTo: number): StepState[] {
  const out: StepState[] = [];
  let noteIndex = 0;
  let prevRule: WalkStep | null = null;
  for (let i = first; i <= upTo; i++) {
    const step = log.steps[i]!;
    const prev = out[out.length - 1];
    let s: StepState;
    switch (step.kind) {
      case 'ingress':
      case 'originate': {
        const e0 = rec.events[0]!;
        const carried = rec.origin === 'local' || rec.in === 'lo';
        s = { packet: e0.packet, ethernet: rec.frameIn ?? null, ctmark: carried ? (e0.ctmark ?? null) : null, ct: null, sent: false, ipvsPassed: false, delivered: false, reason: step.kind === 'ingress' ? (rec.frameIn?.vlan ? 'ingress.vlan-untag' : 'ingress.frame') : 'originate.local' };
        break;
      }
      case 'rule': {
        const e = rec.events[step.event]!;
        const base = prev!;
        const changed = e.packet !== base.packet || (e.ctmark ?? null) !== base.ctmark;
        // TRACE prints a line before its rule's target runs: what a target changed shows on the next line
        const by = prevRule && prevRule.kind === 'rule' && prevRule.target ? prevRule.target : null;
        s = { ...base, packet: e.packet, ctmark: e.ctmark ?? base.ctmark, reason: changed && by ? `target.${by}` : null };
        prevRule = step;
        break;
      }
      case 'note': {
        const st = rec.noteStates[noteIndex];
        const base = prev!;
        const packet = st ? st.packet : base.packet;
        const ct = st?.ct ?? base.ct;
        const sent = base.sent || step.note.kind === 'transmit';
        s = {
          packet,
          ethernet: sent ? (rec.frameOut ?? null) : base.ethernet,
          ctmark: st?.ct ? (st.ct.row.entry.mark ?? 0) : base.ctmark,
          ct,
          sent,
          ipvsPassed: base.ipvsPassed || step.note.kind === 'ipvs',
          delivered: base.delivered || step.note.kind === 'deliver',
          reason: noteReason(step.note, step, rec, base, packet),
        };
        noteIndex++;
        prevRule = null;
        break;
      }
      case 'end': {
        const base = prev!;
        const sent = base.sent || (step.disposition?.verdict === 'sent' && rec.frameOut !== undefined);
        s = { ...base, ethernet: sent ? (rec.frameOut ?? null) : base.ethernet, sent, reason: null };
        break;
      }
    }
    out.push(s);
  }
  return out;
}

function conntrackAsOf(rec: PacketRecord, s: StepState): ConntrackAsOf | null {
  const table = rec.ctBefore;
  if (table === null) return null;
  const entries: ConntrackEntryAsOf[] = table.map((r) => ({ ...r, unconfirmed: false }));
  if (!s.ct) return { entries, packet: null };
  const own = s.ct.row;
  // a CONNMARK in a chain since the last note changed the entry's mark
  const mark = s.ctmark ?? 0;
  let entry = own.entry;
  if ((entry.mark ?? 0) !== mark) {
    entry = { ...entry, mark };
    if (!mark) delete entry.mark;
  }
  const row: ConntrackEntryAsOf = { ...own, entry, line: mark === (own.entry.mark ?? 0) ? own.line : own.line.replace(/ mark=\d+/, ` mark=${mark}`), unconfirmed: !s.ct.confirmed };
  const k = entries.findIndex((r) => r.id === own.id);
  if (k >= 0) entries[k] = row;
  else entries.push(row);
  return { entries, packet: { entryId: own.id, direction: s.ct.dir, confirmed: s.ct.confirmed } };
}

/**
 * The packet at step `step` of a walk, before and after, and the tables as
 * of that step. null when the walk has no such step.
 *
 * @example
 * const walk = lab.walk();
 * const i = walk.log.steps.findIndex((s) => s.kind === 'note' && s.note.kind === 'ttl');
 * inspectStep(walk, i)?.changes; // [{ path: 'ip.ttl', before: 64, after: 63 }]
 */
export function inspectStep(walk: InspectableWalk, step: number): StepInspection | null {
  const { world, log } = walk;
  const s = log.steps[step];
  if (!s) return null;
  const view = log.packets.find((p) => p.id === s.packet);
  const rec = recordOf(world, s.packet);
  if (!view || !rec) return null;
  const states = statesOf(world, log, rec, view.firstStep, view.lastStep);
  const k = step - view.firstStep;
  const now = states[k]!;
  const prev = k > 0 ? states[k - 1]! : null;
  const after = packetLayers(now.packet, now.ethernet, now.ctmark);
  const before = prev ? packetLayers(prev.packet, prev.ethernet, prev.ctmark) : null;
  const ipvsSnap = now.ipvsPassed ? view.ipvsAfter : view.ipvsBefore;
  return {
    step,
    packet: s.packet,
    host: s.host,
    before,
    after,
    changes: layerChanges(before, after),
    reason: now.reason,
    conntrack: conntrackAsOf(rec, now),
    ipvs: ipvsSnap ? { snapshot: ipvsSnap, when: now.ipvsPassed ? 'after' : 'before' } : null,
    neighbours: (now.sent ? rec.neighAfter : undefined) ?? rec.neighBefore ?? [],
  };
}

/**
 * The host's sockets as of step `step` (`ss`, `netstat`): as the packet
 * found them until a socket took it, as that left them from then on. null
 * when the walk has no such step.
 */
export function socketsAtStep(walk: InspectableWalk, step: number): SocketRow[] | null {
  const { world, log } = walk;
  const s = log.steps[step];
  if (!s) return null;
  const view = log.packets.find((p) => p.id === s.packet);
  const rec = recordOf(world, s.packet);
  if (!view || !rec) return null;
  const now = statesOf(world, log, rec, view.firstStep, view.lastStep)[step - view.firstStep]!;
  return (now.delivered ? rec.socketsAfter : undefined) ?? rec.socketsBefore ?? [];
}
