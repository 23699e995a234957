// pattern: Functional Core
// The network: hosts joined by veth links and L2 switches, a FIFO of frames
// in flight, and the case's traffic steps. Determinism: a host processes
// frames in arrival order and every app-level send is followed by a drain of
// the network, as on the oracle's single pinned CPU where a veth transmit
// runs the receiver's softirq before the sending syscall returns.

import type { SeqSpace } from '../output/normalize';
import { formatIpv4, parseIpv4 } from '../net/addr';
import { clonePacket, IPPROTO_TCP, IPPROTO_UDP, type Packet } from '../net/packet';
import type { Diagnostic } from '../text/diagnostics';
import type { Endpoint, Scenario, Step } from '../scenario/types';
import { Host, type PacketMeta } from './host';
import { configForWalk, type HostConfig } from './host-config';
import type { PacketRecord } from './record';
import type { CtListRow } from '../conntrack/view';
import type { ListenerEvent, PingSock, TcpSock, UdpSock } from './sockets';
import { socketRows } from './socket-table';
import { Targets } from './targets';
import { PacketFactory } from './packet-factory';
import { postHocRoute, silentDropReason } from './route-query';
import { ctList, ctRows } from './conntrack-adapter';
import { counterDeltas } from './counters';
import * as R from './route-adapter';
import { applySetupCommand } from './setup-commands';
import { ipvsSnapshot } from '../ipvs/snapshot';
import { LinkLayer, type L2Event, type Segment } from './l2';
import { ETH_BROADCAST } from '../net/arp';
import { pathMtu, warnLocalFragmentation } from './pmtu';
import { tcpDelayedAckPending, tcpQueueFin } from './tcp-stream';
import { markRetransmitDue } from './pending-timers';
import { BUDGET_LIMITS, BudgetExhausted, WorkBudget, type BudgetLimits, type BudgetStop } from './budget';
import { hdrinclRouteKey } from './raw-flow';
import { findLink } from '../net/config';
import { ipTunnelXmit } from './encap';

/** A packet looped back over lo: the same host receives it, with the sender's conntrack reference. */
interface LoFrame {
  kind: 'lo';
  host: Host;
  packet: Packet;
  from: PacketRecord;
  looped?: PacketMeta;
}

type QueueItem = LoFrame | L2Event;

export interface StepOutcome {
  n: number;
  step: Step;
  result: Record<string, unknown>;
  listenerEvents: ListenerEvent[];
  packets: PacketRecord[];
  conntrack: Record<string, unknown[]>;
  /** the same tables as the app lists them (walk-log.ts: the table after a step's last packet) */
  ctRows: Record<string, CtListRow[]>;
  counters: { host: string; table: string; chain: string; rule: number | 'policy'; packets: number; bytes: number }[];
  logLines: string[];
  /** the sequence space of each LOG line's TCP header (seqSpace of log-lines.ts) */
  logSeqSpaces: SeqSpace[];
}

export class World {
  readonly hosts = new Map<string, Host>();
  readonly hostList: Host[] = [];
  readonly records: PacketRecord[] = [];
  get recordCount(): number {
    return this.records.length;
  }
  readonly macs = new Map<string, string>();
  readonly diagnostics: { host: string; command: number; diagnostics: Diagnostic[] }[] = [];
  readonly targets = new Targets();
  readonly wire = new PacketFactory();
  readonly stepOutcomes: StepOutcome[] = [];
  nowMs = 0;
  private queue: QueueItem[] = [];
  private deferred: (() => void)[] = [];
  private nextId = 1;
  private currentStep = 0;
  private listenerLog: ListenerEvent[] = [];
  private seed = 0x2545f491;
  readonly segments = new Map<string, Segment>();
  /** Ethernet, ARP, neighbour tables, switches and bridges (sim/l2.ts) */
  readonly l2: LinkLayer = new LinkLayer(this);
  logLines: string[] = [];
  /** the run's work budget (budget.ts): every walk is bounded and stops with `stopped` set */
  readonly budget: WorkBudget;
  /** why the run ended before its last step (null: it ran to the end) */
  stopped: BudgetStop | null = null;
  /** the packet being walked when the budget ran out */
  stoppedPacket: PacketRecord | null = null;
  /** index in `records` of the running step's first packet */
  private stepFirstRecord = 0;
  logSeqSpaces: SeqSpace[] = [];
  /** process tasks run so far (deferred work): what separates packets in real time on the kernel */
  processWakeups = 0;
  /** what the run met whose outcome depends on timing on the kernel (not-modelled.ts reports them) */
  readonly timingFindings: { host: string; subject: string; detail: string }[] = [];

  timingFinding(host: string, subject: string, detail: string): void {
    if (!this.timingFindings.some((f) => f.host === host && f.subject === subject)) this.timingFindings.push({ host, subject, detail });
  }

  constructor(
    readonly scenario: Scenario,
    limits: BudgetLimits = BUDGET_LIMITS,
    /**
     * Each host's configuration as a lab keeps it (host-config.ts): the
     * hosts start from these (copied for the walk) and the case's setup
     * commands are not run again.
     */
    configs?: ReadonlyMap<string, HostConfig>,
  ) {
    this.budget = new WorkBudget(limits);
    this.budget.packetInStep = (rec) => {
      const i = this.records.indexOf(rec as PacketRecord, this.stepFirstRecord);
      return i < 0 ? null : i - this.stepFirstRecord + 1;
    };
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
      const config = configs?.get(h.name);
      const host = new Host(this, h.name, i + 1, links, config && configForWalk(config));
      host.ctForced = scenario.conntrack === 'on';
      this.hosts.set(h.name, host);
      this.hostList.push(host);
    });
    for (const h of configs ? [] : scenario.hosts) {
      const host = this.hosts.get(h.name)!;
      h.setup.forEach((cmd, k) => {
        const diags = applySetupCommand(host, cmd, scenario.rtTables);
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
      noteStates: [],
      // a snapshot per packet lets the app show the table as it is at any step
      ctBefore: host.ctActive ? ctRows(host.ct, this.nowMs, true) : null,
      examined: 0,
      ipvsBefore: host.ipvs.services.length ? ipvsSnapshot(host.ipvs, this.nowMs) : null,
      neighBefore: this.l2.neighRows(host),
      socketsBefore: socketRows(host.sockets),
    };
    // the packets the kernel makes (replies, ICMP errors, retransmissions, loops) count like the others
    this.budget.at(host.name, null);
    this.budget.charge('packets');
    this.budget.charge('log', 1 + (rec.ctBefore?.length ?? 0) + (rec.ipvsBefore ? rec.ipvsBefore.connections.length : 0));
    if (from) from.receivedBy.push({ host: host.name, iface: iface ?? '', packet: rec });
    this.records.push(rec);
    return rec;
  }

  listenerEvent(e: ListenerEvent): void {
    this.listenerLog.push(e);
  }

  /** Hand a packet to the wire: to the same host over lo, or to the link layer (neighbour resolution, then the segment). */
  transmit(host: Host, rec: PacketRecord, pkt: Packet, outDev: string, nexthop: number, meta: PacketMeta | null = null): void {
    if (outDev === 'lo') {
      // loopback_xmit takes skb->len after eth_type_trans pulled the header (the IP length: a 33-byte
      // datagram and its 61-byte ICMP error counted 94, recorded) once, as both its tx and its rx
      this.l2.countDev(host, 'lo', 'tx', pkt.len);
      this.l2.countDev(host, 'lo', 'rx', pkt.len);
      this.queue.push({ kind: 'lo', host, packet: clonePacket(pkt), from: rec, ...(meta ? { looped: meta } : {}) });
      return;
    }
    const tun = findLink(host.net, outDev);
    if (tun?.tunnel && tun.tunnel.mode !== 'vxlan') {
      if (tun.up) ipTunnelXmit(host, rec, pkt, tun);
      return;
    }
    this.l2.output(host, rec, pkt, outDev, nexthop);
  }

  /** A bridge in `host` sends a bridged frame out of one of its ports, both MAC addresses unchanged. */
  transmitFromPort(host: Host, rec: PacketRecord, pkt: Packet, port: string, srcMac: string | null, dstMac: string | null = null): void {
    const wire = clonePacket(pkt);
    wire.mark = 0;
    const src = srcMac ?? this.l2.macOf(host, port);
    rec.frameOut ??= { src, dst: dstMac ?? ETH_BROADCAST, dev: port };
    this.l2.portXmit(host, port, { src, dst: dstMac ?? ETH_BROADCAST, payload: { kind: 'ipv4', packet: wire, from: rec } });
  }

  enqueue(ev: L2Event): void {
    this.queue.push(ev);
  }

  /**
   * dev_queue_xmit of a frame a host built with its own Ethernet header, on
   * one of its ports, bypassing IP and every hook: the sender has no record
   * and the receiver's has no sender (REJECT's RST for a bridged packet,
   * nf_send_reset, case p49).
   */
  transmitFrame(host: Host, pkt: Packet, port: string, srcMac: string | null, dstMac: string | null): void {
    const wire = clonePacket(pkt);
    wire.mark = 0;
    this.l2.portXmit(host, port, { src: srcMac ?? this.l2.macOf(host, port), dst: dstMac ?? ETH_BROADCAST, payload: { kind: 'ipv4', packet: wire, from: null } });
  }

  /** What the run met but does not reproduce, once each (the result's `warnings`). */
  readonly warnings: string[] = [];

  warn(text: string): void {
    if (!this.warnings.includes(text)) this.warnings.push(text);
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

  /**
   * The softirq work a transmit triggers before the sending system call
   * goes on: every frame in flight, but no process (deferred task) — on the
   * oracle's single CPU a veth transmit runs the receivers' softirq at
   * local_bh_enable (tcp_write_xmit's second GSO skb leaves after the
   * receiver has already ACKed the first).
   */
  drainFrames(): void {
    for (;;) {
      const f = this.queue.shift();
      if (!f) return;
      this.budget.charge('frames');
      this.deliverFrame(f);
    }
  }

  private deliverFrame(f: QueueItem): void {
    if (f.kind === 'lo') f.host.receive(f.packet, 'lo', f.from, null, f.looped ?? null);
    else this.l2.receive(f);
  }

  /** Deliver every frame in flight and run the woken processes until the network is quiet; a loop runs out of the frame budget. */
  drain(): void {
    this.budget.resetFrames();
    for (;;) {
      const f = this.queue.shift();
      if (f) {
        this.budget.charge('frames');
        this.deliverFrame(f);
        continue;
      }
      const task = this.deferred.shift();
      if (!task) break;
      this.processWakeups++;
      task();
    }
  }

  // ---------------------------------------------------------------- steps

  /**
   * Run every traffic step. A budget that runs out ends the run where it
   * is: what was walked so far stays (the running step gets a partial
   * outcome whose result says it stopped) and `stopped` says why.
   */
  run(): void {
    const steps = this.scenario.steps;
    for (let i = 0; i < steps.length && !this.stopped; i++) {
      this.budget.step = i + 1;
      this.budget.at(null, null);
      try {
        this.budget.charge('steps');
        this.runStep(steps[i]!, i + 1);
      } catch (e) {
        if (!(e instanceof BudgetExhausted)) throw e;
        this.stopped = e.stop;
        this.stoppedPacket = this.budget.packet as PacketRecord | null;
        this.queue.length = 0;
        this.deferred.length = 0;
        if (this.currentStep === i + 1 && this.stepOutcomes[this.stepOutcomes.length - 1]?.n !== i + 1) this.endStep(steps[i]!, i + 1, { stopped: e.stop.code });
      }
    }
  }

  runStep(step: Step, n: number): void {
    this.currentStep = n;
    // a step whose program waited for a neighbour's probes to run out (expireResolutions) lasted longer
    this.nowMs = Math.max((n - 1) * 1000, this.nowMs);
    this.listenerLog = [];
    this.logLines = [];
    for (const h of this.hostList) h.stepCounters = new Map();
    this.stepFirstRecord = this.records.length;
    this.budget.resetFrames();
    this.logSeqSpaces = [];
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
    this.endStep(step, n, result);
  }

  /** The step's outcome: routes asked after it, pending timers, tables and counter deltas. */
  private endStep(step: Step, n: number, result: Record<string, unknown>): void {
    const firstRecord = this.stepFirstRecord;
    this.l2.noteUnresolved();
    this.postHocRoutes(this.records.slice(firstRecord));
    for (const h of this.hostList) {
      for (const s of h.sockets.tcp.values()) {
        if (tcpDelayedAckPending(s)) this.warn(`not modelled: ${h.name} holds a delayed ACK at the end of step ${n}; Linux sends it when the delayed-ACK timer fires (about 40 ms)`);
      }
    }
    const conntrack: Record<string, unknown[]> = {};
    const rows: Record<string, CtListRow[]> = {};
    for (const h of this.hostList) {
      const l = ctList(h.ct);
      if (l.length) {
        conntrack[h.name] = l;
        rows[h.name] = ctRows(h.ct, this.nowMs, false);
      }
      if (!this.stopped) this.budget.charge('log', l.length);
    }
    this.stepOutcomes.push({
      n,
      step,
      result,
      listenerEvents: this.listenerLog,
      packets: this.records.slice(firstRecord),
      conntrack,
      ctRows: rows,
      counters: counterDeltas(this),
      logLines: this.logLines,
      logSeqSpaces: this.logSeqSpaces,
    });
  }

  /**
   * The oracle asks `ip route get` after the step, with each received
   * packet's values (route-query.ts): routes and silent-drop reasons are
   * what that query says then, not what the lookup said mid-step.
   */
  private postHocRoutes(records: PacketRecord[]): void {
    const rpFilterHosts = new Set(records.filter((r) => r.disposition?.verdict === 'no_further_hook' && r.disposition.reason === 'reverse_path_filter').map((r) => r.host));
    for (const rec of records) {
      const host = this.hosts.get(rec.host);
      if (!host) continue;
      const route = postHocRoute(host.net, rec);
      if (route || rec.origin === 'ingress') rec.route = route;
      const d = rec.disposition;
      // the reason comes from the ICMP error the oracle saw, else from its route query
      const icmpSeen = rec.response?.kind === 'icmp' && !rec.response.packet.untraced;
      if (d?.verdict === 'no_further_hook' && !icmpSeen) {
        rec.disposition = { verdict: 'no_further_hook', reason: silentDropReason(host.net, rec, route, rpFilterHosts.has(rec.host)) };
      }
    }
  }

  /**
   * The step's program waits up to `timeoutS` seconds for its answer: the
   * neighbour resolutions whose probes run out meanwhile fail, and the ICMP
   * host unreachable each of their packets earns travels (the answer the
   * program may be waiting for).
   */
  private waitOut(timeoutS: number): void {
    if (this.l2.expireResolutions(timeoutS * 1000)) this.drain();
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
    // raw_sendmsg: a broadcast destination needs SO_BROADCAST, which the step's socket does not set
    const rt = R.outputRoute(host.net, pkt, null);
    if (rt.ok && rt.broadcast) {
      host.sockets.pings.delete(step.id);
      return { result: 'send_error', error: 'EACCES' };
    }
    warnLocalFragmentation(host, pkt);
    const res = host.output(pkt, { owned: true });
    this.drain();
    if (sock.result === null) this.waitOut(step.timeout);
    host.sockets.pings.delete(step.id);
    // raw_sendmsg returns ip_local_out's error: the route's, NF_DROP's EPERM, a failed reroute's errno
    if (!res.ok) return { result: 'send_error', error: res.errno };
    const out = sock.result ?? { result: 'timeout' };
    if (sock.redirect && out.result === 'reply') out.redirect = sock.redirect;
    return out;
  }

  private stepTcp(host: Host, step: Extract<Step, { kind: 'tcp' }>): Record<string, unknown> {
    const [addr, port] = splitAddrPort(step.tcp);
    const src = step.src ? parseIpv4(step.src) ?? 0 : 0;
    const r = this.connectRoute(host, { src, dst: addr, proto: IPPROTO_TCP, sport: step.sport, dport: port, mark: step.mark ?? 0 });
    if (!r.ok) return { connect: r.errno };
    // tcp_v4_connect refuses broadcast and multicast routes
    if (r.broadcast) return { connect: 'ENETUNREACH' };
    const s: TcpSock = host.sockets.connect(src || r.src, step.sport, addr, port);
    s.onLoopback = r.dev === 'lo';
    s.routeMtu = pathMtu(host.pmtu, addr, r.mtu);
    s.gsoMaxSegs = R.linkGsoMaxSegs(host.net, r.dev);
    if (step.ttl !== undefined) s.ttl = step.ttl;
    if (step.mark !== undefined) s.mark = step.mark;
    host.sockets.sendTcp(s, 0x02);
    this.pause(50);
    if (s.state !== 'ESTABLISHED') {
      const e = s.error ?? 'timeout';
      s.state = 'CLOSED';
      return { connect: e === 'EPERM' ? 'EPERM' : e };
    }
    if (s.softError) {
      // connect() ends with getsockopt(SO_ERROR), which hands out an ICMP error that arrived for the
      // connection meanwhile (sk_err_soft): the step fails and close()s the established socket, a FIN
      const connect = s.softError;
      delete s.softError;
      s.state = 'FIN_WAIT1';
      if (!tcpQueueFin(host, s)) host.sockets.sendTcp(s, 0x11);
      // __tcp_close sends the FIN and then sock_orphan()s the socket: what the FIN meets at once
      // (a REJECT's RST, in the same softirq) still finds the process (case q42); an answer a peer
      // process has to send (a listener's FIN) comes later and carries no UID/GID (seed 1 case 399)
      this.drainFrames();
      s.owned = false;
      this.drain();
      return { connect };
    }
    const result: Record<string, unknown> = { connect: 'established', local: `${formatIpv4(s.laddr)}:${s.lport}` };
    if (step.data) {
      host.sockets.sendmsg(s, step.data);
      // the step waits for the echo, which is back at once, then pauses 50 ms (FORMAT.md §1.2);
      // the timing matters to the router's redirect rate limit (case p65: no redirect for the RST)
      this.drain();
      const got = host.sockets.recvmsg(s);
      // no full echo: recv() waits out the step's timeout (0.5 s), long enough for the
      // retransmission timer of any unacknowledged segment (difftest seed 2 case 848)
      if (got.length < step.data.length && (s.state as TcpSock['state']) !== 'CLOSED') markRetransmitDue(this.hostList);
      // recv() reports the pending error of a reset connection instead of a short echo
      if (got.length < step.data.length && (s.state as TcpSock['state']) === 'CLOSED' && s.error) {
        result.error = s.error;
        s.error = null;
      } else result.reply = got; // the step reports what recv() gave within its timeout, also nothing (case p47)
    }
    this.pause(50);
    if ((s.state as TcpSock['state']) === 'CLOSED') {
      // reset by the peer: close() sends nothing, shutdown() finds no connection (inet_shutdown)
      if (step.close === 'fin') result.peer_closed = 'ENOTCONN';
      return result;
    }
    if (step.close === 'rst') {
      host.sockets.sendTcp(s, 0x14);
      s.state = 'CLOSED';
    } else {
      s.state = (s.state as TcpSock['state']) === 'CLOSE_WAIT' ? 'LAST_ACK' : 'FIN_WAIT1';
      if (!tcpQueueFin(host, s)) host.sockets.sendTcp(s, 0x11);
    }
    this.drain();
    if (step.close === 'fin') {
      // a RST while waiting for the peer's FIN: recv() reports it (case p38)
      if ((s.state as TcpSock['state']) === 'CLOSED' && s.error) result.peer_closed = s.error;
      else if (s.peerClosed) result.peer_closed = true;
      // recv() waited out the step's timeout for the peer's FIN (its own FIN never left: d2-0753)
      else result.peer_closed = false;
    }
    // the step ends with close(): sock_orphan() detaches the process, so what arrives for the
    // connection afterwards carries no UID/GID (difftest seed 1 case 399, a late FIN)
    s.owned = false;
    return result;
  }

  private stepUdp(host: Host, step: Extract<Step, { kind: 'udp' }>): Record<string, unknown> {
    const [addr, port] = splitAddrPort(step.udp);
    const src = step.src ? parseIpv4(step.src) ?? 0 : 0;
    const r = this.connectRoute(host, { src, dst: addr, proto: IPPROTO_UDP, sport: step.sport, dport: port, mark: step.mark ?? 0 });
    if (!r.ok) return { result: 'send_error', error: r.errno };
    // ip4_datagram_connect: a broadcast destination needs SO_BROADCAST
    if (r.broadcast) return { result: 'send_error', error: 'EACCES' };
    const sock: UdpSock = { laddr: src || r.src, lport: step.sport, raddr: addr, rport: port, received: null, error: null, ...(step.mark !== undefined ? { mark: step.mark } : {}) };
    host.sockets.udp.push(sock);
    const pkt = this.wire.udpDatagram(host, sock.laddr, sock.lport, addr, port, step.data);
    if (step.ttl !== undefined) pkt.ttl = step.ttl;
    if (step.mark !== undefined) pkt.mark = step.mark;
    warnLocalFragmentation(host, pkt);
    const res = host.output(pkt, { owned: true });
    this.drain();
    if (sock.received === null && sock.error === null) this.waitOut(step.timeout);
    host.sockets.udp.splice(host.sockets.udp.indexOf(sock), 1);
    if (!res.ok) return { result: 'send_error', error: res.errno };
    if (sock.received !== null) return { result: 'reply', data: sock.received };
    if (sock.error) return { result: 'error', error: sock.error };
    return { result: 'timeout' };
  }

  /**
   * ip_route_connect (tcp_v4_connect, ip4_datagram_connect): the socket's flow, protocol and
   * bound ports included, looked up once to choose a source and, when it had none, again
   * from that source, so `ip rule ... ipproto tcp`, `sport` and `from` rules decide what
   * connect() returns (difftest seed 1 cases 48, 208, 229)
   */
  private connectRoute(host: Host, flow: { src: number; dst: number; proto: number; sport: number; dport: number; mark: number }): R.OutRoute {
    const p: Packet = { ...this.wire.blank(), ...flow };
    const first = R.outputRoute(host.net, p, null);
    if (!first.ok || flow.src !== 0) return first;
    return R.outputRoute(host.net, { ...p, src: first.src }, null);
  }

  private stepPacket(host: Host, step: Extract<Step, { kind: 'packet' }>): Record<string, unknown> {
    const pkt = this.wire.crafted(host, step.packet);
    // raw_send_hdrinc: a datagram larger than the device MTU is refused before any hook
    const r = R.outputRoute(host.net, hdrinclRouteKey(pkt), null);
    if (r.ok && pkt.len > R.linkMtu(host.net, r.dev)) return { result: 'send_error', error: 'EMSGSIZE' };
    const res = host.output(pkt, { owned: true, hdrincl: true });
    this.drain();
    // raw_send_hdrinc returns the error of the route lookup or of the OUTPUT path (NF_DROP: EPERM;
    // difftest seed 1 cases 117, 174 and 253)
    if (!res.ok) return { result: 'send_error', error: res.errno };
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
