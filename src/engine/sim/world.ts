// pattern: Functional Core
// The network: hosts joined by veth links and L2 switches, a FIFO of frames
// in flight, and the case's traffic steps. Determinism: a host processes
// frames in arrival order and every app-level send is followed by a drain of
// the network, as on the oracle's single pinned CPU where a veth transmit
// runs the receiver's softirq before the sending syscall returns.

import { formatIpv4, parseIpv4 } from '../net/addr';
import { clonePacket, IPPROTO_TCP, type Packet } from '../net/packet';
import type { Diagnostic } from '../text/diagnostics';
import type { Endpoint, Scenario, Step } from '../scenario/types';
import { Host, type PacketMeta } from './host';
import type { PacketRecord } from './record';
import type { ListenerEvent, PingSock, TcpSock, UdpSock } from './sockets';
import { Targets } from './targets';
import { PacketFactory } from './packet-factory';
import * as A from './adapters';
import { pathMtu, vethAccepts, warnLocalFragmentation } from './pmtu';
import { tcpDelayedAckPending } from './tcp-stream';

interface Frame {
  host: Host;
  iface: string;
  packet: Packet;
  from: PacketRecord;
  srcMac: string | null;
  /** lo: the sender's conntrack reference travels with the skb */
  looped?: PacketMeta;
  /** the frame enters a bridge port and the bridge forwards it out of outPort */
  bridged?: { bridge: string; outPort: string; dstMac: string | null };
}

export interface StepOutcome {
  n: number;
  step: Step;
  result: Record<string, unknown>;
  listenerEvents: ListenerEvent[];
  packets: PacketRecord[];
  conntrack: Record<string, unknown[]>;
  counters: { host: string; table: string; chain: string; rule: number | 'policy'; packets: number; bytes: number }[];
  logLines: string[];
}

/** Bound on frames processed in one drain: a forwarding loop ends here instead of hanging. */
const MAX_FRAMES_PER_DRAIN = 10_000;

export class World {
  readonly hosts = new Map<string, Host>();
  readonly hostList: Host[] = [];
  readonly records: PacketRecord[] = [];
  readonly macs = new Map<string, string>();
  readonly diagnostics: { host: string; command: number; diagnostics: Diagnostic[] }[] = [];
  readonly targets = new Targets();
  readonly wire = new PacketFactory();
  readonly stepOutcomes: StepOutcome[] = [];
  /** behaviour the engine does not model, met while running ("not modelled: ..."), each once */
  readonly warnings: string[] = [];
  nowMs = 0;
  private queue: Frame[] = [];
  private deferred: (() => void)[] = [];
  private nextId = 1;
  private currentStep = 0;
  private listenerLog: ListenerEvent[] = [];
  private seed = 0x2545f491;
  readonly segments = new Map<string, { kind: 'link'; peer: Endpoint } | { kind: 'switch'; name: string; ports: Endpoint[] }>();
  logLines: string[] = [];

  constructor(readonly scenario: Scenario) {
    const ifaces = new Map<string, string[]>();
    const add = (e: Endpoint) => {
      const l = ifaces.get(e.host) ?? [];
      l.push(e.iface);
      ifaces.set(e.host, l);
    };
    for (const [a, b] of scenario.links) {
      add(a);
      add(b);
      this.segments.set(`${a.host}:${a.iface}`, { kind: 'link', peer: b });
      this.segments.set(`${b.host}:${b.iface}`, { kind: 'link', peer: a });
    }
    for (const sw of scenario.switches) {
      for (const p of sw.ports) {
        add(p);
        this.segments.set(`${p.host}:${p.iface}`, { kind: 'switch', name: sw.name, ports: sw.ports });
      }
    }
    scenario.hosts.forEach((h, i) => {
      const names = ifaces.get(h.name) ?? [];
      const links = names.map((name, j) => {
        const mac = `02:00:00:00:${hex2(i + 1)}:${hex2(j + 1)}`;
        this.macs.set(`${h.name}:${name}`, mac);
        return { name, mac };
      });
      const host = new Host(this, h.name, i + 1, links);
      host.ctForced = scenario.conntrack === 'on';
      this.hosts.set(h.name, host);
      this.hostList.push(host);
    });
    for (const h of scenario.hosts) {
      const host = this.hosts.get(h.name)!;
      h.setup.forEach((cmd, k) => {
        const diags = A.applySetupCommand(host, cmd, scenario.rtTables);
        if (diags.length) this.diagnostics.push({ host: h.name, command: k, diagnostics: diags });
      });
    }
    for (const l of scenario.listeners) {
      this.hosts.get(l.host)?.sockets.listen({ proto: l.proto, addr: parseIpv4(l.addr) ?? 0, port: l.port, echo: l.echo });
    }
  }

  random(): number {
    // mulberry32: small, seeded, the same sequence in every engine run
    let t = (this.seed = (this.seed + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  openRecord(host: Host, origin: 'ingress' | 'local', iface: string | null, from: PacketRecord | null): PacketRecord {
    const rec: PacketRecord = {
      id: this.nextId++,
      step: this.currentStep,
      host: host.name,
      origin,
      in: iface,
      events: [],
      fromPacket: from,
      receivedBy: [],
      route: null,
      disposition: null,
      response: null,
      notes: [],
      // a snapshot per packet lets the app show the table as it is at any step
      ctBefore: host.ctActive ? A.ctList(host.ct, this.nowMs) : null,
      examined: 0,
      ipvsBefore: host.ipvs.services.length ? A.ipvsSnapshot(host.ipvs, this.nowMs) : null,
    };
    if (from) from.receivedBy.push({ host: host.name, iface: iface ?? '', packet: rec });
    this.records.push(rec);
    return rec;
  }

  listenerEvent(e: ListenerEvent): void {
    this.listenerLog.push(e);
  }

  /** Hand a frame to the wire: to the same host over lo, a veth peer, or the hosts on a switch. */
  transmit(host: Host, rec: PacketRecord, pkt: Packet, outDev: string, nexthop: number, meta: PacketMeta | null = null): void {
    if (outDev === 'lo') {
      this.queue.push({ host, iface: 'lo', packet: clonePacket(pkt), from: rec, srcMac: null, ...(meta ? { looped: meta } : {}) });
      return;
    }
    const seg = this.segments.get(`${host.name}:${outDev}`);
    if (!seg) return;
    const srcMac = this.macs.get(`${host.name}:${outDev}`) ?? null;
    const wire = clonePacket(pkt);
    wire.mark = 0; // skb->mark does not cross a veth into another namespace
    const candidates = seg.kind === 'link' ? [seg.peer] : seg.ports.filter((p) => !(p.host === host.name && p.iface === outDev));
    this.deliverOnSegment(candidates, wire, rec, srcMac, nexthop);
  }

  /** A bridge in `host` sends the frame out of one of its ports, source MAC unchanged. */
  transmitFromPort(host: Host, rec: PacketRecord, pkt: Packet, port: string, srcMac: string | null): void {
    const seg = this.segments.get(`${host.name}:${port}`);
    if (!seg) return;
    const wire = clonePacket(pkt);
    wire.mark = 0;
    const candidates = seg.kind === 'link' ? [seg.peer] : seg.ports.filter((p) => !(p.host === host.name && p.iface === port));
    const nexthop = this.bridgedNexthop.get(rec) ?? pkt.dst;
    this.deliverOnSegment(candidates, wire, rec, srcMac, nexthop);
  }

  private readonly bridgedNexthop = new Map<PacketRecord, number>();

  /**
   * ARP on a segment: the host that owns the next hop answers
   * (arp_ignore=0: any of its addresses). A candidate interface that is a
   * bridge port passes the frame on when a host behind another port answers.
   */
  private deliverOnSegment(candidates: Endpoint[], wire: Packet, rec: PacketRecord, srcMac: string | null, nexthop: number): void {
    for (const ep of candidates) {
      const peer = this.hosts.get(ep.host);
      if (!peer) continue;
      const bridge = A.masterOf(peer.net, ep.iface);
      if (bridge) {
        for (const out of A.bridgePorts(peer.net, bridge, ep.iface)) {
          const target = this.arpTarget(peer, out, nexthop);
          if (target) {
            this.queue.push({ host: peer, iface: ep.iface, packet: wire, from: rec, srcMac, bridged: { bridge, outPort: out, dstMac: this.macs.get(`${target.host}:${target.iface}`) ?? null } });
            return;
          }
        }
        continue;
      }
      if (A.answersArp(peer.net, ep.iface, nexthop)) {
        if (!vethAccepts(wire, A.linkMtu(peer.net, ep.iface))) {
          // dropped by the receiving veth (rx_dropped): the sender's record says sent, received by nobody
          if (wire.proto === IPPROTO_TCP) this.warn(`not modelled: ${peer.name}:${ep.iface} (MTU ${A.linkMtu(peer.net, ep.iface)}) drops a ${wire.len}-byte TCP segment; Linux would retransmit it on a timer`);
          return;
        }
        this.queue.push({ host: peer, iface: ep.iface, packet: wire, from: rec, srcMac });
        return;
      }
    }
  }

  private arpTarget(host: Host, port: string, nexthop: number): Endpoint | null {
    const seg = this.segments.get(`${host.name}:${port}`);
    if (!seg) return null;
    const candidates = seg.kind === 'link' ? [seg.peer] : seg.ports.filter((p) => !(p.host === host.name && p.iface === port));
    for (const ep of candidates) {
      const peer = this.hosts.get(ep.host);
      if (peer && A.answersArp(peer.net, ep.iface, nexthop)) return ep;
    }
    return null;
  }

  /**
   * Run what a process does after the kernel woke it (the echo listener's
   * write, its close on EOF). Softirq work — every frame in flight and the
   * kernel's own answers — finishes first, as on the oracle's single CPU
   * (case 15: the listener's quick ACK crosses lo before its echo is sent).
   */
  defer(task: () => void): void {
    this.deferred.push(task);
  }

  /** Label something the kernel would do that the engine does not model; kept once per text. */
  warn(text: string): void {
    if (!this.warnings.includes(text)) this.warnings.push(text);
  }

  /**
   * The softirq work a transmit triggers before the sending system call
   * goes on: every frame in flight, but no process (deferred task) — on the
   * oracle's single CPU a veth transmit runs the receivers' softirq at
   * local_bh_enable (tcp_write_xmit's second GSO skb leaves after the
   * receiver has already ACKed the first).
   */
  drainFrames(): void {
    let n = 0;
    while (n++ < MAX_FRAMES_PER_DRAIN) {
      const f = this.queue.shift();
      if (!f) return;
      this.deliverFrame(f);
    }
    this.queue.length = 0;
  }

  private deliverFrame(f: Frame): void {
    if (f.bridged) {
      this.bridgedNexthop.set(f.from, f.packet.dst);
      f.host.bridgeReceive(f.packet, f.bridged.bridge, f.iface, f.bridged.outPort, f.from, f.srcMac, f.bridged.dstMac);
    } else f.host.receive(f.packet, f.iface, f.from, f.srcMac, f.looped ?? null);
  }

  drain(): void {
    let n = 0;
    while (n++ < MAX_FRAMES_PER_DRAIN) {
      const f = this.queue.shift();
      if (f) {
        this.deliverFrame(f);
        continue;
      }
      const task = this.deferred.shift();
      if (!task) break;
      task();
    }
    this.queue.length = 0;
    this.deferred.length = 0;
  }

  // ---------------------------------------------------------------- steps

  run(): void {
    this.scenario.steps.forEach((s, i) => this.runStep(s, i + 1));
  }

  private snapshotCounters(): Map<object, { packets: number; bytes: number }> {
    const m = new Map<object, { packets: number; bytes: number }>();
    for (const h of this.hostList) for (const [k, v] of h.counters) m.set(k, { ...v });
    return m;
  }

  runStep(step: Step, n: number): void {
    this.currentStep = n;
    this.nowMs = (n - 1) * 1000;
    this.listenerLog = [];
    this.logLines = [];
    const before = this.snapshotCounters();
    const firstRecord = this.records.length;
    const host = this.hosts.get(step.from)!;
    let result: Record<string, unknown>;
    switch (step.kind) {
      case 'ping':
        result = this.stepPing(host, step);
        break;
      case 'tcp':
        result = this.stepTcp(host, step);
        break;
      case 'udp':
        result = this.stepUdp(host, step);
        break;
      case 'packet':
        result = this.stepPacket(host, step);
        break;
    }
    for (const h of this.hostList) {
      for (const s of h.sockets.tcp.values()) {
        if (tcpDelayedAckPending(s)) this.warn(`not modelled: ${h.name} holds a delayed ACK at the end of step ${n}; Linux sends it when the delayed-ACK timer fires (about 40 ms)`);
      }
    }
    const conntrack: Record<string, unknown[]> = {};
    for (const h of this.hostList) {
      const l = A.ctList(h.ct);
      if (l.length) conntrack[h.name] = l;
    }
    this.stepOutcomes.push({
      n,
      step,
      result,
      listenerEvents: this.listenerLog,
      packets: this.records.slice(firstRecord),
      conntrack,
      counters: A.counterDeltas(this, before),
      logLines: this.logLines,
    });
  }

  private pause(ms: number): void {
    this.drain();
    this.nowMs += ms;
  }

  private stepPing(host: Host, step: Extract<Step, { kind: 'ping' }>): Record<string, unknown> {
    const dst = parseIpv4(step.ping) ?? 0;
    const sock: PingSock = { id: step.id, result: null, redirect: null };
    host.sockets.pings.set(step.id, sock);
    const pkt = this.wire.echoRequest(host, step, dst);
    warnLocalFragmentation(host, pkt);
    const res = host.output(pkt, { owned: true });
    this.drain();
    host.sockets.pings.delete(step.id);
    if (!res.ok && !res.record) return { result: 'send_error', error: res.errno };
    if (!res.ok && res.errno === 'EPERM') return { result: 'send_error', error: 'EPERM' };
    const out = sock.result ?? { result: 'timeout' };
    if (sock.redirect && out.result === 'reply') out.redirect = sock.redirect;
    return out;
  }

  private stepTcp(host: Host, step: Extract<Step, { kind: 'tcp' }>): Record<string, unknown> {
    const [addr, port] = splitAddrPort(step.tcp);
    const src = step.src ? parseIpv4(step.src) ?? 0 : 0;
    const r = A.outputRoute(host.net, { ...this.wire.blank(), src, dst: addr, mark: step.mark ?? 0 }, null);
    if (!r.ok) return { connect: r.errno };
    const s: TcpSock = host.sockets.connect(src || r.src, step.sport, addr, port);
    s.onLoopback = r.dev === 'lo';
    s.routeMtu = pathMtu(host.pmtu, addr, r.mtu);
    if (step.ttl !== undefined) s.ttl = step.ttl;
    if (step.mark !== undefined) s.mark = step.mark;
    host.sockets.sendTcp(s, 0x02);
    this.pause(50);
    if (s.state !== 'ESTABLISHED') {
      const e = s.error ?? 'timeout';
      s.state = 'CLOSED';
      return { connect: e === 'EPERM' ? 'EPERM' : e };
    }
    const result: Record<string, unknown> = { connect: 'established', local: `${formatIpv4(s.laddr)}:${s.lport}` };
    if (step.data) {
      host.sockets.sendmsg(s, step.data);
      this.pause(50);
      const got = host.sockets.recvmsg(s);
      if (got) result.reply = got;
    }
    this.pause(50);
    if (step.close === 'rst') {
      host.sockets.sendTcp(s, 0x14);
      s.state = 'CLOSED';
    } else {
      s.state = (s.state as TcpSock['state']) === 'CLOSE_WAIT' ? 'LAST_ACK' : 'FIN_WAIT1';
      host.sockets.sendTcp(s, 0x11);
    }
    this.drain();
    if (step.close === 'fin' && s.peerClosed) result.peer_closed = true;
    return result;
  }

  private stepUdp(host: Host, step: Extract<Step, { kind: 'udp' }>): Record<string, unknown> {
    const [addr, port] = splitAddrPort(step.udp);
    const src = step.src ? parseIpv4(step.src) ?? 0 : 0;
    const r = A.outputRoute(host.net, { ...this.wire.blank(), src, dst: addr, mark: step.mark ?? 0 }, null);
    if (!r.ok) return { result: 'send_error', error: r.errno };
    const sock: UdpSock = { laddr: src || r.src, lport: step.sport, raddr: addr, rport: port, received: null, error: null };
    host.sockets.udp.push(sock);
    const pkt = this.wire.udpDatagram(host, sock.laddr, sock.lport, addr, port, step.data);
    if (step.ttl !== undefined) pkt.ttl = step.ttl;
    if (step.mark !== undefined) pkt.mark = step.mark;
    warnLocalFragmentation(host, pkt);
    const res = host.output(pkt, { owned: true });
    this.drain();
    host.sockets.udp.splice(host.sockets.udp.indexOf(sock), 1);
    if (!res.ok) return { result: 'send_error', error: res.errno };
    if (sock.received !== null) return { result: 'reply', data: sock.received };
    if (sock.error) return { result: 'error', error: sock.error };
    return { result: 'timeout' };
  }

  private stepPacket(host: Host, step: Extract<Step, { kind: 'packet' }>): Record<string, unknown> {
    const pkt = this.wire.crafted(host, step.packet);
    // raw_send_hdrinc: a datagram larger than the device MTU is refused before any hook
    const r = A.outputRoute(host.net, pkt, null);
    if (r.ok && pkt.len > A.linkMtu(host.net, r.dev)) return { result: 'send_error', error: 'EMSGSIZE' };
    host.output(pkt, { owned: true });
    this.drain();
    return { result: 'sent' };
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function splitAddrPort(s: string): [number, number] {
  const i = s.lastIndexOf(':');
  return [parseIpv4(s.slice(0, i)) ?? 0, Number(s.slice(i + 1))];
}
