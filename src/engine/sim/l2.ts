// pattern: Functional Core
// The link layer between the hosts: Ethernet frames, ARP and the neighbour
// tables, the oracle's switches and the Linux bridges inside hosts, each with
// a forwarding database (FDB). This is what decides which host and which
// interface receive a packet, and whether anyone receives it at all
// (REPORT.md §5.21, §5.23):
//
//   * A host sends an IPv4 packet to its next hop's link-layer address from
//     the neighbour table (ip_finish_output2 → neigh_output). Unknown: the
//     packet waits while an ARP request is broadcast (arp_solicit); answers
//     are processed by arp_process on every host that receives the request.
//     Nobody answers: the packet is never sent (`received_by` stays empty).
//   * A switch (a Linux bridge in the oracle) learns source addresses per
//     port and floods broadcasts and unknown destinations to its ports newest
//     first (br_add_if adds at the head of the port list; br_flood walks it).
//     That order decides which ARP answer arrives first when one host answers
//     on two ports, and the first answer is the one kept (net/neigh.ts).
//   * A VLAN device (kind 'vlan', net/vlan.ts) puts its 802.1Q tag on what
//     it sends and hands it to its real device; a tagged frame that arrives
//     goes to the VLAN device of its id on the receiving device, or, with
//     none, is PACKET_OTHERHOST and dropped — unless a bridge takes it first
//     (a bridge forwards tags it does not filter). Modelled from kernel
//     source: this kernel has no 8021q.
//   * An interface takes frames for its own address, broadcasts and
//     multicasts; anything else is PACKET_OTHERHOST and dropped before
//     PREROUTING. A bridge port hands every frame to its bridge, which
//     delivers frames for its own addresses up through the bridge device
//     (an address on br0 is a normal local address) and forwards the rest.
//
// Frames move through the World's single FIFO, one hop per entry (a switch is
// a hop of its own, as its backlog is on the oracle's single CPU), so the
// order in which answers arrive is the order the kernel processes them in.

import { clonePacket, IPPROTO_TCP, type Packet } from '../net/packet';
import { findLink } from '../net/config';
import { addrType } from '../net/fib';
import { formatIpv4, type Ipv4 } from '../net/addr';
import { NeighTable, neighParms, nudValid } from '../net/neigh';
import { ARPOP_REPLY, ARPOP_REQUEST, ETH_BROADCAST, ETH_ZERO, arpAccept, arpIsGratuitous, arpRequestVerdict, arpSolicitSource, deviceDoesArp, type ArpPacket } from '../net/arp';
import { confValue } from '../net/sysctl';
import type { Endpoint } from '../scenario/types';
import type { Host } from './host';
import { addNote, type NeighRow, type PacketRecord, type WalkNote } from './record';
import { bridgeCallsIptables } from './route-adapter';
import { vethAccepts } from './pmtu';
import { vlanReceive, vlanTagFor, type VlanTag } from '../net/vlan';
import { vxlanXmit } from './encap';
import { brAllowedIngress, brHandleVlan } from '../net/bridge-vlan';

/** What a frame carries. IPv4 frames keep the sending host's record (for `received_by`). */
export type L2Payload =
  | {
      kind: 'ipv4';
      packet: Packet;
      /** null: a frame built below IP (REJECT's RST for a bridged packet) */
      from: PacketRecord | null;
      /**
       * a bridged-DNAT frame waiting for its next hop's address: once known it is not sent by the
       * bridge device but bridged on (br_nf_pre_routing_finish_bridge_slow)
       */
      resume?: (dstMac: string) => void;
    }
  | { kind: 'arp'; arp: ArpPacket };

export interface EthFrame {
  src: string;
  dst: string;
  payload: L2Payload;
  /** 802.1Q tags, outermost first (absent or empty: untagged) */
  tags?: readonly VlanTag[];
  /** the tag a VLAN device took off this frame on its way in (what step inspection shows) */
  popped?: VlanTag;
}

/** An address a bridge inside a host learned on one of its ports. */
export interface FdbLearned {
  bridge: string;
  mac: string;
  /** the VLAN it was learned in (a filtering bridge's FDB is per VID); 0 without vlan_filtering */
  vid: number;
  port: string;
  /** the packet records the walk had opened when the bridge learned it: it shows from the first step of the next one */
  seq: number;
}

/**
 * One change of a device's counters (struct rtnl_link_stats64 as ifconfig,
 * netstat -i and ip -s link read it), stamped like an FDB entry with the
 * packet records the walk had opened.
 */
export interface DevCount {
  host: string;
  dev: string;
  field: 'rx' | 'tx' | 'txDropped';
  bytes: number;
  seq: number;
}

/** ETH_HLEN */
const ETH_HLEN = 14;

/** skb->len of a frame with its Ethernet header: a tag travels in the skb's metadata (veth and bridge offload it), not in the bytes. */
export function frameBytes(payload: L2Payload): number {
  return ETH_HLEN + (payload.kind === 'ipv4' ? payload.packet.len : ARP_LEN);
}

/** An ARP packet for IPv4 over Ethernet: 8 + 2 × (6 + 4); veth sends it unpadded (42-byte frames, recorded). */
const ARP_LEN = 28;

/** One hop of a frame, queued in the World's FIFO. */
export type L2Event =
  /** the frame arrives on a host's interface */
  | { kind: 'host'; host: Host; iface: string; frame: EthFrame }
  /** the frame arrives on port `port` (index into the switch's ports) of an oracle switch */
  | { kind: 'switch'; sw: string; port: number; frame: EthFrame };

export type Segment = { kind: 'link'; peer: Endpoint } | { kind: 'switch'; name: string; ports: Endpoint[] };

/** The World's side of the link layer: its hosts, the wiring and the FIFO. */
export interface L2World {
  readonly hosts: Map<string, Host>;
  readonly segments: Map<string, Segment>;
  nowMs: number;
  /** how many packet records the walk has opened so far */
  readonly recordCount: number;
  enqueue(ev: L2Event): void;
  /** a behaviour the simulation does not reproduce (the result's `warnings`) */
  warn(text: string): void;
}

/** A packet waiting in a neighbour entry's queue, with the frame header it will get. */
interface Pending {
  dev: string;
  src: string;
  payload: L2Payload;
}

/** A bridge FDB's key: the address, and the VID when the bridge filters VLANs (br_fdb_find: per address and VID). */
function fdbKey(mac: string, vid: number): string {
  return vid ? `${mac}#${vid}` : mac;
}

function isGroupMac(mac: string): boolean {
  // the I/G bit: broadcast and multicast
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1;
}

/** ip_eth_mc_map: 01:00:5e + the low 23 bits of the group */
function multicastMac(a: Ipv4): string {
  const h = (n: number) => n.toString(16).padStart(2, '0');
  return `01:00:5e:${h((a >>> 16) & 0x7f)}:${h((a >>> 8) & 0xff)}:${h(a & 0xff)}`;
}

type ArpNote = Extract<WalkNote, { kind: 'arp' }>;

/** The neighbour table's step in a packet's walk, after its last hook (it lights the interface it leaves by). */
function arpNote(rec: PacketRecord, pkt: Packet, n: Omit<ArpNote, 'kind' | 'at'>): void {
  addNote(rec, { kind: 'arp', at: rec.events.length, ...n }, pkt, rec.noteStates.at(-1)?.ct ?? null);
}

export class LinkLayer {
  private readonly neighs = new Map<Host, NeighTable<Pending>>();
  /** oracle switch name → MAC → port index */
  private readonly switchFdb = new Map<string, Map<string, number>>();
  /** `host:bridge` → MAC → port name */
  private readonly bridgeFdb = new Map<string, Map<string, string>>();
  /** `host:bridge` → MAC → how many packet records the walk had opened when the entry last changed */
  private readonly fdbSeq = new Map<string, Map<string, number>>();
  /** every change of every device's counters, in the order the walk made them */
  readonly devCounts: DevCount[] = [];

  constructor(private readonly world: L2World) {}

  /** Count a frame on a device (see DevCount). */
  countDev(host: Host, dev: string, field: DevCount['field'], bytes: number): void {
    this.devCounts.push({ host: host.name, dev, field, bytes, seq: this.world.recordCount });
  }

  /** The host's neighbour table (the ARP cache), kept across steps. */
  neigh(host: Host): NeighTable<Pending> {
    let t = this.neighs.get(host);
    if (!t) this.neighs.set(host, (t = new NeighTable<Pending>()));
    return t;
  }

  /**
   * `ip neigh show` of the host now: the entries the table holds, then the
   * `ip neigh` entries it has not needed yet (it adopts them on first use).
   */
  neighRows(host: Host): NeighRow[] {
    const held = this.neighs.get(host)?.list() ?? [];
    const rows: NeighRow[] = held.map((e) => ({ dev: e.iface, addr: formatIpv4(e.addr), lladdr: e.lladdr, state: e.state.toUpperCase() }));
    for (const n of host.net.neighbours) {
      if (held.some((e) => e.iface === n.iface && e.addr === n.addr)) continue;
      rows.push({ dev: n.iface, addr: formatIpv4(n.addr), lladdr: n.lladdr, state: n.state.toUpperCase() });
    }
    return rows;
  }

  /**
   * The device's link-layer address. A bridge whose address was not set
   * takes the lowest address among its ports (br_stp_recalculate_bridge_id):
   * in the oracle, br0 has the address of its first port (case p60).
   */
  macOf(host: Host, dev: string): string {
    const link = findLink(host.net, dev);
    if (!link) return ETH_ZERO;
    if (link.kind !== 'bridge' || link.macSet) return link.mac;
    let min: string | null = null;
    for (const l of host.net.links) if (l.master === dev && (min === null || l.mac < min)) min = l.mac;
    return min ?? link.mac;
  }

  /** The ports of `bridge` in flooding order: newest first. */
  private portsNewestFirst(host: Host, bridge: string): string[] {
    return host.net.links
      .filter((l) => l.master === bridge)
      .sort((a, b) => (b.masterSeq ?? b.ifindex) - (a.masterSeq ?? a.ifindex))
      .map((l) => l.name);
  }

  // ---------------------------------------------------------------- sending

  /**
   * ip_finish_output2 → neigh_output: put an IPv4 packet on `dev` for
   * `nexthop`. Broadcast and multicast next hops need no resolution
   * (arp_constructor makes them NUD_NOARP); unicast ones go through the
   * neighbour table, which may hold the packet while ARP resolves.
   */
  output(host: Host, rec: PacketRecord, pkt: Packet, dev: string, nexthop: Ipv4): void {
    const net = host.net;
    const link = findLink(net, dev);
    if (!link || !link.up) return;
    const wire = clonePacket(pkt);
    wire.mark = 0; // skb->mark does not cross a veth into another namespace
    const payload: L2Payload = { kind: 'ipv4', packet: wire, from: rec };
    const src = this.macOf(host, dev);
    if (!deviceDoesArp(net, dev)) return;
    const t = nexthop === 0xffffffff ? 'BROADCAST' : addrType(net, nexthop, null);
    if (t === 'BROADCAST') return this.devXmit(host, dev, { src, dst: ETH_BROADCAST, payload });
    if (t === 'MULTICAST') {
      this.world.warn(`not modelled: multicast (${formatIpv4(pkt.dst)} from ${host.name}): the default TTL 1, the copy looped back to the sender and group membership on the receivers`);
      return this.devXmit(host, dev, { src, dst: multicastMac(nexthop), payload });
    }
    const r = this.neigh(host).resolve(net, dev, nexthop, { dev, src, payload }, this.world.nowMs);
    if (r.kind === 'send') return this.devXmit(host, dev, { src, dst: r.lladdr, payload });
    // the packet waits in the entry's queue: the table as it leaves it shows the entry resolving
    rec.neighAfter = this.neighRows(host);
    const target = formatIpv4(nexthop);
    if (r.kind === 'queued') return arpNote(rec, pkt, { op: 'queued', dev, target, lladdr: null, sender: null });
    const sip = arpSolicitSource(host.net, dev, nexthop, pkt.src);
    arpNote(rec, pkt, { op: 'request', dev, target, lladdr: null, sender: formatIpv4(sip) });
    this.solicit(host, dev, nexthop, pkt.src);
  }

  /** arp_solicit: broadcast a request for `target` out of `dev`. */
  private solicit(host: Host, dev: string, target: Ipv4, pktSrc: Ipv4 | null): void {
    const sha = this.macOf(host, dev);
    const sip = arpSolicitSource(host.net, dev, target, pktSrc);
    this.devXmit(host, dev, { src: sha, dst: ETH_BROADCAST, payload: { kind: 'arp', arp: { op: ARPOP_REQUEST, sha, sip, tha: ETH_ZERO, tip: target } } });
  }

  /**
   * neigh_event_send without a packet: start resolving `addr` on `dev`
   * (what __ip_do_redirect does for a new gateway it does not know yet).
   * True when the address is already valid.
   */
  ensureNeighbour(host: Host, dev: string, addr: Ipv4): boolean {
    const t = this.neigh(host);
    if (t.probe(host.net, dev, addr, this.world.nowMs)) {
      this.solicit(host, dev, addr, null);
      return false;
    }
    const e = t.get(dev, addr, host.net);
    return e !== undefined && e.lladdr !== null && nudValid(e.state);
  }

  /**
   * br_nf_pre_routing_finish_bridge: a frame that came in by a port of
   * `bridge` and was DNATed to a destination behind the same bridge gets its
   * next hop's address as its new destination MAC (neigh_hh_bridge), then is
   * bridged on by `resume`. Without a valid neighbour entry it waits in the
   * neighbour queue while ARP asks (neigh->output), and br_dev_xmit hands it
   * back to the bridge once the answer is in (nf_bridge->bridged_dnat).
   */
  bridgedDnat(host: Host, rec: PacketRecord, pkt: Packet, bridge: string, nexthop: Ipv4, resume: (dstMac: string) => void): void {
    const net = host.net;
    const src = this.macOf(host, bridge);
    const payload: L2Payload = { kind: 'ipv4', packet: pkt, from: rec, resume };
    const r = this.neigh(host).resolve(net, bridge, nexthop, { dev: bridge, src, payload }, this.world.nowMs);
    if (r.kind === 'send') return resume(r.lladdr);
    if (r.kind === 'solicit') this.solicit(host, bridge, nexthop, pkt.src);
  }

  /** dev_queue_xmit: a bridge device forwards by its FDB, anything else goes onto its segment. */
  private devXmit(host: Host, dev: string, frame: EthFrame): void {
    if (frame.payload.kind === 'ipv4' && frame.payload.resume) return frame.payload.resume(frame.dst);
    const rec = frame.payload.kind === 'ipv4' ? frame.payload.from : null;
    if (rec) {
      // neigh_output wrote this header: what step inspection shows on the packet's way out
      rec.frameOut ??= { src: frame.src, dst: frame.dst, dev };
      rec.neighAfter = this.neighRows(host);
    }
    const link = findLink(host.net, dev);
    if (!link) return;
    if (link.kind === 'vlan') return this.vlanXmit(host, dev, frame);
    if (link.kind === 'bridge') return this.bridgeXmit(host, dev, frame);
    if (link.kind === 'vxlan') return vxlanXmit(host, dev, frame);
    this.portXmit(host, dev, frame);
  }

  /**
   * vlan_dev_hard_start_xmit: the VLAN device tags the frame with its id and
   * protocol and queues it on its real device (dev_queue_xmit(real_dev)),
   * which sends it as any frame of its own — through a bridge, onto a veth.
   */
  private vlanXmit(host: Host, dev: string, frame: EthFrame): void {
    const link = findLink(host.net, dev)!;
    const tag = vlanTagFor(link);
    if (!tag || !link.up) return;
    // vlan_dev_hard_start_xmit counts skb->len, the header in, the tag offloaded to the real device
    this.countDev(host, dev, 'tx', frameBytes(frame.payload));
    const rec = frame.payload.kind === 'ipv4' ? frame.payload.from : null;
    if (rec?.frameOut) rec.frameOut.vlan = tag;
    const tagged: EthFrame = { ...frame, tags: [tag, ...(frame.tags ?? [])] };
    const real = findLink(host.net, link.vlan!.parent);
    if (!real || !real.up) return;
    if (real.kind === 'vlan') return this.vlanXmit(host, real.name, tagged);
    if (real.kind === 'bridge') return this.bridgeXmit(host, real.name, tagged);
    this.portXmit(host, real.name, tagged);
  }

  /**
   * __netif_receive_skb_core for a tagged frame on `dev`: vlan_do_receive
   * hands it, untagged, to the VLAN device of its id (which takes it as
   * PACKET_HOST when the destination is its own address) — 'consumed'. With
   * no such device a bridge port's rx_handler still gets the tagged frame
   * ('bridge'); anywhere else a non-zero id makes it PACKET_OTHERHOST, which
   * ip_rcv and arp_rcv drop ('consumed' too). A priority tag (id 0) without
   * a VLAN 0 device is read as untagged ('untagged').
   */
  private vlanRx(host: Host, dev: string, frame: EthFrame, bridgePort: boolean): { kind: 'consumed' | 'bridge' } | { kind: 'untagged'; frame: EthFrame } {
    const [tag, ...inner] = frame.tags!;
    const r = vlanReceive(host.net, dev, tag!);
    if (r.kind === 'vlan') {
      // vlan_do_receive counts skb->len past the Ethernet header (eth_type_trans pulled it)
      this.countDev(host, r.dev, 'rx', frameBytes(frame.payload) - ETH_HLEN);
      this.hostRx(host, r.dev, { ...frame, tags: inner, popped: tag! });
      return { kind: 'consumed' };
    }
    if (r.kind === 'untagged') return { kind: 'untagged', frame: { ...frame, tags: inner } };
    return { kind: r.kind === 'otherhost' && bridgePort ? 'bridge' : 'consumed' };
  }

  /**
   * br_dev_xmit: a frame the bridging host itself sends through br0 leaves
   * by the port its FDB names for the destination, else by every port; no
   * br_netfilter hook sees it (it already passed OUTPUT and POSTROUTING).
   */
  private bridgeXmit(host: Host, bridge: string, frame: EthFrame): void {
    // br_dev_xmit → br_allowed_ingress on the bridge's own VLANs (net/bridge-vlan.ts; a no-op without vlan_filtering)
    // br_dev_xmit counts the frame before anything can drop it (skb->len, the header in)
    this.countDev(host, bridge, 'tx', frameBytes(frame.payload));
    const ing = brAllowedIngress(host.net, bridge, bridge, frame.tags);
    if (!ing) return;
    const port = isGroupMac(frame.dst) ? undefined : this.fdb(host, bridge).get(fdbKey(frame.dst, ing.vid));
    if (frame.payload.kind === 'ipv4') {
      // the walk shows the port the FDB chose (TRACE has no PHYSOUT= for these, the oracle cannot)
      const note = frame.payload.from?.notes.findLast((n) => n.kind === 'transmit');
      if (note?.kind === 'transmit' && note.iface === bridge && note.port === null && port !== undefined) note.port = port;
    }
    const send = (p: string) => {
      const tags = brHandleVlan(host.net, bridge, p, ing.vid, ing.tags);
      if (tags) this.portXmit(host, p, { ...frame, tags });
    };
    if (port !== undefined) return send(port);
    for (const p of this.portsNewestFirst(host, bridge)) send(p);
  }

  /**
   * The entries the host's bridges learned, oldest first (`bridge fdb show`,
   * lab/bridge.ts): br_fdb_update adds an address at its first frame and,
   * when it moves to another port, changes the port in place, as the Map
   * keeps an updated key where it was.
   */
  fdbLearned(host: Host): FdbLearned[] {
    const rows: FdbLearned[] = [];
    for (const l of host.net.links) {
      if (l.kind !== 'bridge') continue;
      const k = `${host.name}:${l.name}`;
      for (const [key, port] of this.bridgeFdb.get(k) ?? []) {
        const [mac, vid] = key.split('#') as [string, string?];
        rows.push({ bridge: l.name, mac, vid: vid === undefined ? 0 : Number(vid), port, seq: this.fdbSeq.get(k)?.get(key) ?? 0 });
      }
    }
    return rows;
  }

  /** The bridge port chosen for `dstMac` by the FDB, null when it would flood. */
  fdbPort(host: Host, bridge: string, dstMac: string): string | null {
    return this.fdb(host, bridge).get(dstMac) ?? null;
  }

  /** Put a frame on the wire of `host:iface`: to the veth peer, or into an oracle switch. */
  portXmit(host: Host, iface: string, frame: EthFrame): void {
    const link = findLink(host.net, iface);
    if (!link || !link.up) return;
    const seg = this.world.segments.get(`${host.name}:${iface}`);
    if (!seg) return;
    if (seg.kind === 'link') {
      const peer = this.world.hosts.get(seg.peer.host);
      if (!peer) return;
      // veth_xmit → __dev_forward_skb: a peer that is down, or a frame too big for it (is_skb_forwardable),
      // is a drop on the sender (priv->dropped: TX dropped); otherwise the sender's lstats count it, and
      // veth_get_stats64 reports the peer's tx as this end's rx (hostRx counts it there)
      const peerLink = findLink(peer.net, seg.peer.iface);
      const p = frame.payload;
      if (!peerLink || !peerLink.up || (p.kind === 'ipv4' && !vethAccepts(p.packet, peerLink.mtu))) this.countDev(host, iface, 'txDropped', 0);
      else this.countDev(host, iface, 'tx', frameBytes(p));
      this.world.enqueue({ kind: 'host', host: peer, iface: seg.peer.iface, frame });
      return;
    }
    this.countDev(host, iface, 'tx', frameBytes(frame.payload));
    const port = seg.ports.findIndex((p) => p.host === host.name && p.iface === iface);
    this.world.enqueue({ kind: 'switch', sw: seg.name, port, frame });
  }

  // ---------------------------------------------------------------- receiving

  /** Process one queued hop. */
  receive(ev: L2Event): void {
    if (ev.kind === 'switch') this.switchRx(ev.sw, ev.port, ev.frame);
    else this.hostRx(ev.host, ev.iface, ev.frame);
  }

  /** An oracle switch: learn, then forward by FDB or flood (newest port first). */
  private readonly switches = new Map<string, Extract<Segment, { kind: 'switch' }>>();

  private switchRx(name: string, inPort: number, frame: EthFrame): void {
    let seg = this.switches.get(name);
    if (!seg) {
      for (const s of this.world.segments.values()) if (s.kind === 'switch' && s.name === name) seg = s;
      if (!seg) return;
      this.switches.set(name, seg);
    }
    let fdb = this.switchFdb.get(name);
    if (!fdb) this.switchFdb.set(name, (fdb = new Map()));
    if (!isGroupMac(frame.src)) fdb.set(frame.src, inPort);
    const out = isGroupMac(frame.dst) ? undefined : fdb.get(frame.dst);
    const deliver = (k: number) => {
      const ep = seg.ports[k]!;
      const h = this.world.hosts.get(ep.host);
      if (h) this.world.enqueue({ kind: 'host', host: h, iface: ep.iface, frame });
    };
    if (out !== undefined) {
      if (out !== inPort) deliver(out);
      return;
    }
    for (let k = seg.ports.length - 1; k >= 0; k--) if (k !== inPort) deliver(k);
  }

  private hostRx(host: Host, iface: string, frame: EthFrame): void {
    const link = findLink(host.net, iface);
    if (!link || !link.up) return;
    const p = frame.payload;
    if (p.kind === 'ipv4' && !vethAccepts(p.packet, link.mtu)) {
      // is_skb_forwardable: the veth drops a frame too big for the receiving end (rx_dropped);
      // the sender's record says sent, received by nobody
      if (p.packet.proto === IPPROTO_TCP) this.world.warn(`not modelled: ${host.name}:${iface} (MTU ${link.mtu}) drops a ${p.packet.len}-byte TCP segment; Linux would retransmit it on a timer`);
      return;
    }
    this.countDev(host, iface, 'rx', frameBytes(p));
    if (frame.tags?.length) {
      const v = this.vlanRx(host, iface, frame, link.master !== null);
      if (v.kind === 'consumed') return;
      if (v.kind === 'untagged') frame = v.frame;
    }
    if (link.master) return this.bridgeRx(host, link.master, iface, frame);
    // eth_type_trans: a unicast frame for another address is PACKET_OTHERHOST, dropped before any hook
    if (!isGroupMac(frame.dst) && frame.dst !== this.macOf(host, iface)) return;
    this.up(host, iface, frame, null);
  }

  /** The frame is for this host on `dev` (a plain interface, or a bridge passing it up). */
  private up(host: Host, dev: string, frame: EthFrame, physIn: string | null, viaBridge = false): void {
    // br_pass_frame_up counts on the bridge device skb->len past the Ethernet header (recorded: 28 for an ARP request)
    if (viaBridge) this.countDev(host, dev, 'rx', frameBytes(frame.payload) - ETH_HLEN);
    if (frame.tags?.length) {
      // br_pass_frame_up: netif_receive_skb on the bridge device, whose VLANs take their tags
      const v = this.vlanRx(host, dev, frame, false);
      if (v.kind !== 'untagged') return;
      frame = v.frame;
    }
    const p = frame.payload;
    if (p.kind === 'arp') return this.arpRcv(host, dev, frame, p.arp);
    // a GRE or IPIP device has no link-layer header: TRACE prints MAC= empty
    const kind = findLink(host.net, dev)?.kind;
    if (kind === 'gre' || kind === 'ipip') return host.receive(clonePacket(p.packet), dev, p.from, null);
    host.receive(clonePacket(p.packet), dev, p.from, frame.src, null, { dstMac: frame.dst, physIn, ...(frame.popped ? { vlan: frame.popped } : {}) });
  }

  private fdb(host: Host, bridge: string): Map<string, string> {
    const k = `${host.name}:${bridge}`;
    let m = this.bridgeFdb.get(k);
    if (!m) this.bridgeFdb.set(k, (m = new Map()));
    return m;
  }

  /**
   * br_handle_frame_finish on a bridge inside a host: learn the source's
   * port; frames for the bridge's or a port's own address go up through the
   * bridge device, broadcasts are flooded and also go up, unicasts follow
   * the FDB or are flooded. Bridged IPv4 frames pass br_netfilter's hooks
   * (Host.bridgeReceive); frames going up get PHYSIN= in their TRACE lines
   * while br_netfilter is on (bridge-nf-call-iptables=1), since it already
   * ran PREROUTING for them as bridged frames.
   */
  private bridgeRx(host: Host, bridge: string, port: string, frame: EthFrame): void {
    const br = findLink(host.net, bridge);
    if (!br || !br.up) return;
    // br_allowed_ingress: with vlan_filtering the frame belongs to a VID (its tag, else the port's PVID) or is dropped
    const ing = brAllowedIngress(host.net, bridge, port, frame.tags);
    if (!ing) return;
    const wireTagged = (frame.tags?.length ?? 0) > 0;
    const vid = ing.vid;
    const inVid: EthFrame = { ...frame, tags: ing.tags };
    const fdb = this.fdb(host, bridge);
    const srcKey = fdbKey(frame.src, vid);
    if (!isGroupMac(frame.src) && fdb.get(srcKey) !== port) {
      fdb.set(srcKey, port);
      const k = `${host.name}:${bridge}`;
      let seq = this.fdbSeq.get(k);
      if (!seq) this.fdbSeq.set(k, (seq = new Map()));
      seq.set(srcKey, this.world.recordCount);
    }
    const group = isGroupMac(frame.dst);
    const local = !group && (frame.dst === this.macOf(host, bridge) || host.net.links.some((l) => l.master === bridge && l.mac === frame.dst));
    const physIn = bridgeCallsIptables(host.net) && frame.payload.kind === 'ipv4' ? port : null;
    // br_pass_frame_up: br_allowed_egress and br_handle_vlan on the bridge device's own VLANs
    const upTags = brHandleVlan(host.net, bridge, bridge, vid, ing.tags);
    if (local) return upTags ? this.up(host, bridge, { ...frame, tags: upTags }, physIn, true) : undefined;
    const known = group ? undefined : fdb.get(fdbKey(frame.dst, vid));
    const candidates = known !== undefined ? (known === port ? [] : [known]) : this.portsNewestFirst(host, bridge).filter((p) => p !== port);
    // br_forward → should_deliver → br_allowed_egress: only members of the VID; br_handle_vlan untags where it is untagged
    const outs = candidates.flatMap((out) => {
      const tags = brHandleVlan(host.net, bridge, out, vid, inVid.tags ?? []);
      return tags ? [{ out, frame: { ...frame, tags } }] : [];
    });
    if (frame.payload.kind === 'ipv4' && outs.length > 1 && bridgeCallsIptables(host.net)) {
      this.world.warn(`not modelled: ${host.name}'s ${bridge} floods an IPv4 frame to several ports; br_netfilter runs PREROUTING once and FORWARD/POSTROUTING per port, the simulation shows one walk per port`);
    }
    for (const { out, frame: f } of outs) {
      const p = f.payload;
      // br_netfilter passes tagged frames without iptables (IS_VLAN_IP: bridge-nf-filter-vlan-tagged is 0)
      if (p.kind === 'arp' || wireTagged || f.tags?.length) {
        if (p.kind === 'ipv4' && !wireTagged && bridgeCallsIptables(host.net)) {
          this.world.warn(`not modelled: ${host.name}'s ${bridge} tags an IPv4 frame for VLAN ${vid} on ${out}; br_netfilter would run its iptables hooks on it (the tag is in the skb's metadata), the simulation sends it on without them`);
        }
        this.portXmit(host, out, f);
      } else host.bridgeReceive(clonePacket(p.packet), bridge, port, out, p.from, frame.src, frame.dst);
    }
    if (group && upTags) this.up(host, bridge, { ...frame, tags: upTags }, physIn, true);
  }

  /**
   * arp_process for an ARP packet received on `dev`: answer requests for
   * our addresses (or proxied ones) and learn the requester; otherwise only
   * refresh an entry we already hold for the sender, where a reply that
   * arrives within locktime of the last change cannot replace the address
   * (the first of several answers wins).
   */
  private arpRcv(host: Host, dev: string, frame: EthFrame, a: ArpPacket): void {
    const net = host.net;
    if (!deviceDoesArp(net, dev)) return;
    if (a.sip === a.tip && confValue(net, dev, 'drop_gratuitous_arp')) return;
    const now = this.world.nowMs;
    const table = this.neigh(host);
    if (a.op === ARPOP_REQUEST) {
      const v = arpRequestVerdict(net, dev, a.sip, a.tip);
      if (v.kind === 'drop' || v.kind === 'ignored') return;
      if (v.kind === 'reply' || v.kind === 'proxy') {
        if (v.kind === 'proxy' && isGroupMac(frame.dst) && neighParms(net, dev).proxyDelayMs > 0) {
          // pneigh_enqueue: a broadcast request is answered after a random delay below proxy_delay
          this.world.warn(`not modelled: ${host.name} answers proxy ARP for ${formatIpv4(a.tip)} on ${dev} at once; the kernel waits a random time below net.ipv4.neigh.${dev}.proxy_delay (set it to 0 for a deterministic answer)`);
        }
        if (a.sip !== 0) this.flush(host, table.eventNs(net, dev, a.sip, a.sha, now), a.sha, a.sip);
        const mine = this.macOf(host, dev);
        this.devXmit(host, dev, { src: mine, dst: a.sha, payload: { kind: 'arp', arp: { op: ARPOP_REPLY, sha: mine, sip: a.tip, tha: a.sha, tip: a.sip } } });
        return;
      }
    }
    let n = table.get(dev, a.sip, net);
    const accept = arpAccept(net, dev, a.sip);
    const garp = (n !== undefined || accept) && arpIsGratuitous(net, a);
    if (!n && accept && (garp || (a.op === ARPOP_REPLY && addrType(net, a.sip, null) === 'UNICAST'))) {
      table.probe(net, dev, a.sip, now);
      n = table.get(dev, a.sip, net);
    }
    if (!n) return;
    const override = now > n.updatedMs + neighParms(net, dev).locktimeMs || garp;
    // broadcast replies and requests do not confirm reachability
    const state = a.op === ARPOP_REPLY && frame.dst === this.macOf(host, dev) ? 'reachable' : 'stale';
    this.flush(host, table.update(n, a.sha, state, { override }, now), a.sha, a.sip);
  }

  /** Send the packets that waited for an address now resolved to `lladdr`. */
  private flush(host: Host, waiting: Pending[], lladdr: string, target: Ipv4): void {
    for (const w of waiting) {
      const p = w.payload;
      if (p.kind === 'ipv4' && p.from) arpNote(p.from, p.packet, { op: 'reply', dev: w.dev, target: formatIpv4(target), lladdr, sender: null });
      this.devXmit(host, w.dev, { src: w.src, dst: lladdr, payload: p });
    }
  }

  /**
   * neigh_timer_handler while a step's program waits `windowMs` for its
   * answer: an INCOMPLETE entry whose probes run out within the wait
   * (mcast_solicit probes retrans_time_ms apart, neighParms) becomes FAILED,
   * and neigh_invalidate hands each packet of its queue to arp_error_report
   * → ipv4_link_failure → icmp_send(ICMP_DEST_UNREACH, ICMP_HOST_UNREACH):
   * a forwarded packet's source hears it from the router, a local one's
   * socket from its own host over lo (cases neigh-03, neigh-04). True when
   * an entry failed (the caller lets the errors travel).
   */
  expireResolutions(windowMs: number): boolean {
    let failed = false;
    const deadline = this.world.nowMs + windowMs;
    for (const [host, t] of this.neighs) {
      for (const e of t.list()) {
        if (e.state !== 'incomplete' || e.queue.length === 0) continue;
        const due = e.solicitedMs + neighParms(host.net, e.iface).resolveTimeoutMs;
        if (due > deadline) continue;
        const waiting = t.fail(e, due);
        failed = true;
        // the errors leave when the timer fires, not when the step began
        this.world.nowMs = Math.max(this.world.nowMs, due);
        for (const w of waiting) {
          if (w.payload.kind !== 'ipv4' || !w.payload.from) continue;
          const rec = w.payload.from;
          rec.dropCause = 'neigh-failed';
          arpNote(rec, w.payload.packet, { op: 'failed', dev: e.iface, target: formatIpv4(e.addr), lladdr: null, sender: null });
          rec.neighAfter = this.neighRows(host);
          host.sendIcmpError(w.payload.packet, rec, 3, 1, rec.origin === 'ingress' ? rec.in : null);
        }
      }
    }
    return failed;
  }

  /**
   * After a step: packets still waiting for an answer were never sent. Their
   * records say so (the kernel drops them when the third probe goes
   * unanswered, ~3 s later, and sends an ICMP host unreachable to the
   * source, which the simulator does not model).
   */
  noteUnresolved(): void {
    for (const [host, t] of this.neighs) {
      for (const e of t.list()) {
        if (e.state !== 'incomplete') continue;
        for (const w of e.queue) {
          if (w.payload.kind !== 'ipv4') continue;
          const rec = w.payload.from;
          if (!rec) continue;
          rec.dropCause = 'neigh-unresolved';
          rec.note = `not received: nobody answered ${host.name}'s ARP request for ${formatIpv4(e.addr)} on ${e.iface}, so the packet waits in the neighbour queue (the kernel drops it after three unanswered probes, ~3 s later, and then sends an ICMP host unreachable to its source; not modelled)`;
        }
      }
    }
  }
}
