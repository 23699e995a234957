// pattern: Functional Core
// The local end of traffic: what the Linux stack and the oracle's step
// programs and listeners do with a packet that reached INPUT, and what they
// send. TCP is modelled per connection with relative sequence numbers (every
// ISN is 0, which is exactly how the oracle normalises SEQ/ACK), enough to
// reproduce the segments Linux emits: handshake, quick ACKs, echo data, RST on
// SO_LINGER-0 close, FIN close, RST for a closed port. What an established
// connection queues and sends (segments, windows, ACK timing) is tcp-stream.ts.

import { formatIpv4 } from '../net/addr';
import {
  clonePacket,
  IPPROTO_IPIP,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  TCP_ACK,
  TCP_FIN,
  TCP_RST,
  TCP_SYN,
  type Packet,
} from '../net/packet';
import type { Host } from './host';
import type { SocketView } from '../iptables/types';
import type { CtView } from '../conntrack/types';
import type { PacketRecord } from './record';
import { ensureTunnelDevice, isBroadcastOrMulticast, routeGsoMaxSegs } from './route-adapter';
import type { TcpWireState } from './wire';
import { acceptSynAck, parseTcpOptions, wireEstablished } from './wire';
import { tcpReceiveWindow } from './tcp-window';
import { processRedirect, redirectSocket, type RedirectOutcome } from './redirect';
import { createTcpStream, tcpAckArrived, tcpBacklog, tcpDataArrived, tcpFragNeeded, tcpRecvmsg, tcpSendmsg, tcpStartSender, type TcpStream } from './tcp-stream';
import { hostPathMtu, learnRoutePmtu, warnLocalFragmentation } from './pmtu';

export type TcpState = 'SYN_SENT' | 'SYN_RECV' | 'ESTABLISHED' | 'FIN_WAIT1' | 'FIN_WAIT2' | 'CLOSE_WAIT' | 'LAST_ACK' | 'TIME_WAIT' | 'CLOSED';

export interface TcpSock {
  laddr: number;
  lport: number;
  raddr: number;
  rport: number;
  state: TcpState;
  /** next sequence number to send (relative to our ISN 0) */
  sndNxt: number;
  /** next sequence number expected from the peer (relative to the peer's ISN) */
  rcvNxt: number;
  /** accepted from a listener (the echo server side) */
  listener: ListenerSock | null;
  /** client-side bookkeeping for the step result */
  error: string | null;
  received: string;
  peerClosed: boolean;
  /** the connection runs over lo (MSS 65495 instead of 1460) */
  onLoopback: boolean;
  /** MTU of the route chosen at connect()/accept() time: decides the MSS option and windows */
  routeMtu: number;
  /** the peer's SYN options (hex), which the SYN-ACK answers */
  peerSynOptions: string;
  /** window scaling / timestamps agreed in the handshake */
  wire: TcpWireState | null;
  /** held by a process (a connect()ing client, or a child once accept()ed): TRACE prints UID=/GID= for its packets */
  owned: boolean;
  /** IP_TTL / SO_MARK of the socket */
  ttl?: number;
  mark?: number;
  /** sk_gso_max_segs: gso_max_segs of the route's device at connect()/accept() (1: every skb is one segment) */
  gsoMaxSegs: number;
  /** data queued in each direction, the sender's window, the backlog (tcp-stream.ts) */
  stream: TcpStream;
  /**
   * sk_err_soft: an ICMP error for a connected socket (tcp_v4_err without
   * IP_RECVERR). Only SO_ERROR reports it, which CPython's connect() reads
   * once the handshake is done (difftest seed 1 cases 62, 205).
   */
  softError?: string;
  /**
   * A step waited its full timeout for a reply while this socket had data or
   * a FIN unacknowledged: the kernel retransmitted it meanwhile (from 200 ms
   * on), the simulation did not (sim/pending-timers.ts labels it).
   */
  retransmitDue?: boolean;
}

export interface ListenerSock {
  proto: 'tcp' | 'udp';
  addr: number;
  port: number;
  echo: boolean;
}

export interface UdpSock {
  laddr: number;
  lport: number;
  raddr: number;
  rport: number;
  received: string | null;
  error: string | null;
  /** SO_MARK of the step's socket */
  mark?: number;
}

export interface PingSock {
  id: number;
  result: Record<string, unknown> | null;
  /** an ICMP redirect seen while waiting: {code, from} as the oracle reports it */
  redirect: { code: number; from: string } | null;
}

/**
 * What a listener process reports (shared/oracle/lib/agent.py serve): accept
 * and recv carry the peer; a failed echo (send_error) only the errno.
 */
export interface ListenerEvent {
  host: string;
  event: 'accept' | 'recv' | 'send_error';
  proto: 'tcp' | 'udp';
  listen_port?: number;
  local?: string;
  /** absent on send_error, which the agent logs without the peer */
  peer?: string;
  data?: string;
  /** send_error: the errno name of the failed send */
  error?: string;
}

const ap = (a: number, p: number) => `${formatIpv4(a)}:${p}`;

export class Sockets {
  readonly listeners: ListenerSock[] = [];
  readonly tcp = new Map<string, TcpSock>();
  readonly udp: UdpSock[] = [];
  readonly pings = new Map<number, PingSock>();

  constructor(private readonly host: Host) {}

  private key(la: number, lp: number, ra: number, rp: number): string {
    return `${la}:${lp}:${ra}:${rp}`;
  }

  listen(l: ListenerSock): void {
    this.listeners.push(l);
  }

  private findListener(proto: 'tcp' | 'udp', addr: number, port: number): ListenerSock | undefined {
    return this.listeners.find((l) => l.proto === proto && l.port === port && (l.addr === 0 || l.addr === addr));
  }

  // ------------------------------------------------------------- sending

  /** A control segment, or data at snd_nxt outside the stream model (the SYN, SYN-ACK, pure ACKs, FIN, RST). */
  sendTcp(s: TcpSock, flags: number, data = ''): void {
    const sent = this.xmit(s, this.host.world.wire.tcpSegment(this.host, s, flags, data));
    // a FIN tcp_transmit_skb could not send stays in the write queue: snd_nxt does not count it (q111);
    // tcp_connect counts its SYN whatever happened to it
    if (!sent && flags & TCP_FIN && !(flags & TCP_SYN)) return;
    if (data) s.sndNxt += data.length;
    if (flags & (TCP_SYN | TCP_FIN)) s.sndNxt += 1;
  }

  /**
   * tcp_transmit_skb → ip_queue_xmit: one segment of `s` into the stack. A
   * child not yet accept()ed sends only its SYN-ACK, from the listener's
   * request socket (owner sees the listener).
   */
  xmit(s: TcpSock, pkt: Packet): boolean {
    // tcp_transmit_skb's error is not the socket's (tcp_connect only passes on ECONNREFUSED, which
    // no output path returns): a SYN dropped in OUTPUT, by a rule (EPERM, difftest seed 1 case 3)
    // or by a failed reroute (EINVAL/EHOSTUNREACH/EACCES, case 22), counts as sent and waits for
    // retransmission, so connect() times out
    return this.host.output(pkt, { owned: s.owned, sk: s.owned ? 'process' : 'request' }).ok;
  }

  connect(laddr: number, lport: number, raddr: number, rport: number): TcpSock {
    const s: TcpSock = {
      laddr,
      lport,
      raddr,
      rport,
      state: 'SYN_SENT',
      sndNxt: 0,
      rcvNxt: 0,
      listener: null,
      error: null,
      received: '',
      peerClosed: false,
      onLoopback: false,
      routeMtu: 1500,
      peerSynOptions: '',
      wire: null,
      owned: true,
      gsoMaxSegs: 65535,
      stream: createTcpStream(),
    };
    this.tcp.set(this.key(laddr, lport, raddr, rport), s);
    return s;
  }

  /** first move of connect(): the caller has already chosen laddr via routing */
  rekey(s: TcpSock): void {
    for (const [k, v] of this.tcp) if (v === s) this.tcp.delete(k);
    this.tcp.set(this.key(s.laddr, s.lport, s.raddr, s.rport), s);
  }

  // ------------------------------------------------------------- receiving

  /** Who takes a packet delivered locally, in words for the walk (e.g. "tcp listener *:80"). */
  describe(pkt: Packet): string {
    const port = pkt.dport ?? 0;
    if (pkt.proto === IPPROTO_TCP) {
      const s = this.tcp.get(this.key(pkt.dst, port, pkt.src, pkt.sport ?? 0));
      if (s && s.state !== 'CLOSED') return `tcp socket ${ap(s.laddr, s.lport)} ↔ ${ap(s.raddr, s.rport)} (${s.state})`;
      const l = this.findListener('tcp', pkt.dst, port);
      return l ? `tcp listener ${l.addr ? formatIpv4(l.addr) : '*'}:${l.port}` : `no tcp socket on port ${port}: the kernel answers with RST`;
    }
    if (pkt.proto === IPPROTO_UDP) {
      const l = this.findListener('udp', pkt.dst, port);
      if (l) return `udp socket ${l.addr ? formatIpv4(l.addr) : '*'}:${l.port}`;
      const u = this.udp.find((x) => x.lport === port);
      return u ? `udp socket ${ap(u.laddr, u.lport)}` : `no udp socket on port ${port}: ICMP port unreachable`;
    }
    if (pkt.proto === IPPROTO_ICMP) {
      const t = pkt.icmp?.type;
      return t === 8 ? 'the kernel answers the echo request' : t === 0 ? 'the ping socket' : 'the kernel ICMP handler';
    }
    return `no handler for protocol ${pkt.proto}: ICMP protocol unreachable`;
  }

  /**
   * nf_sk_lookup_slow_v4, the lookup of -m socket: the TCP or UDP socket a
   * packet belongs to, for an ICMP error the one that sent the quoted
   * packet. A reply of a connection this host SNATed is looked up by the
   * original source (the address its socket has). TCP: the connection's
   * socket (in ehash: also half-open request and TIME_WAIT sockets, which are
   * not full sockets), else a listener; UDP: a connected socket of the step
   * whose peer matches, else a listener. The oracle's sockets are never
   * IP_TRANSPARENT; a step's socket carries its SO_MARK, listeners none.
   */
  lookupForMatch(p: Packet, ct: CtView | null): SocketView | null {
    let proto = p.proto;
    let saddr = p.src;
    let sport = p.sport ?? 0;
    let daddr = p.dst;
    let dport = p.dport ?? 0;
    if (proto === IPPROTO_ICMP) {
      const ic = p.icmp;
      const inner = ic?.inner;
      if (!ic || !inner || ![3, 4, 5, 11, 12].includes(ic.type) || (inner.proto !== IPPROTO_TCP && inner.proto !== IPPROTO_UDP)) return null;
      // extract_icmp4_fields: the quoted packet is ours, its source is the local end
      proto = inner.proto;
      saddr = inner.dst;
      sport = inner.dport ?? 0;
      daddr = inner.src;
      dport = inner.sport ?? 0;
    } else if (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) return null;
    const replyState = p.proto === IPPROTO_ICMP ? 'RELATED' : 'ESTABLISHED';
    if (ct && ct.reply && ct.state === replyState && ct.snat && ct.orig) {
      daddr = ct.orig.src;
      dport = ct.orig.sport ?? 0;
    }
    const mine = { transparent: false, wildcard: false };
    if (proto === IPPROTO_TCP) {
      const s = this.tcp.get(this.key(daddr, dport, saddr, sport));
      if (s && s.state !== 'CLOSED') return { ...mine, full: s.state !== 'SYN_RECV' && s.state !== 'TIME_WAIT', mark: s.mark ?? 0 };
      const l = this.findListener('tcp', daddr, dport);
      return l ? { ...mine, full: true, wildcard: l.addr === 0, mark: 0 } : null;
    }
    const u = this.udp.find((x) => x.lport === dport && x.laddr === daddr && x.raddr === saddr && x.rport === sport);
    if (u) return { ...mine, full: true, mark: u.mark ?? 0 };
    const l = this.findListener('udp', daddr, dport);
    return l ? { ...mine, full: true, wildcard: l.addr === 0, mark: 0 } : null;
  }

  /**
   * The socket TPROXY diverts a packet to (tproxy_tg4 → nf_tproxy_get_sock_v4):
   * first one of the packet's own connection (a TCP connection, a connected
   * UDP socket), else a listener on laddr:lport. The target only uses it
   * when it is transparent (IP_TRANSPARENT), which no socket of a scenario
   * is: listeners and clients are plain sockets, as the oracle's are.
   */
  lookupForTproxy(p: Packet, laddr: number, lport: number): SocketView | null {
    const sport = p.sport ?? 0;
    const dport = p.dport ?? 0;
    const plain = { transparent: false, wildcard: false, full: true };
    if (p.proto === IPPROTO_TCP) {
      const s = this.tcp.get(this.key(p.dst, dport, p.src, sport));
      if (s && s.state !== 'CLOSED') return { ...plain, full: s.state !== 'SYN_RECV' && s.state !== 'TIME_WAIT', mark: s.mark ?? 0 };
    } else if (p.proto === IPPROTO_UDP) {
      const u = this.udp.find((x) => x.lport === dport && x.laddr === p.dst && x.raddr === p.src && x.rport === sport);
      if (u) return { ...plain, mark: u.mark ?? 0 };
    } else return null;
    const l = this.findListener(p.proto === IPPROTO_TCP ? 'tcp' : 'udp', laddr, lport);
    return l ? { ...plain, wildcard: l.addr === 0, mark: 0 } : null;
  }

  /**
   * Early demux (tcp_v4_early_demux / udp_v4_early_demux, after PREROUTING):
   * an incoming packet of a connected socket is attached to it, so INPUT's
   * TRACE lines show the owner's UID when a process holds that socket.
   */
  demuxOwner(pkt: Packet): number | null {
    if (pkt.proto === IPPROTO_TCP) {
      const s = this.tcp.get(this.key(pkt.dst, pkt.dport ?? 0, pkt.src, pkt.sport ?? 0));
      // a TIME_WAIT connection is an inet_timewait_sock (tcp_time_wait), never a process's
      return s && s.owned && s.state !== 'CLOSED' && s.state !== 'TIME_WAIT' ? 0 : null;
    }
    if (pkt.proto === IPPROTO_UDP) {
      const u = this.udp.find((x) => x.lport === pkt.dport && x.laddr === pkt.dst && x.raddr === pkt.src && x.rport === pkt.sport);
      return u ? 0 : null;
    }
    return null;
  }

  deliver(pkt: Packet, rec: PacketRecord, iface: string): void {
    switch (pkt.proto) {
      case IPPROTO_TCP:
        this.tcpRcv(pkt, rec, iface);
        return;
      case IPPROTO_UDP:
        this.udpRcv(pkt, rec);
        return;
      case IPPROTO_ICMP:
        this.icmpRcv(pkt, rec);
        return;
      case IPPROTO_IPIP:
        if (pkt.encap) {
          // ipip_rcv: the tunnel device (tunl0, created with the module) receives the inner datagram
          ensureTunnelDevice(this.host.net);
          this.host.world.defer(() => this.host.receive(clonePacket(pkt.encap!), 'tunl0', rec, null));
          return;
        }
        this.host.sendIcmpError(pkt, rec, 3, 2, iface);
        return;
      default:
        // no such protocol: ICMP protocol unreachable
        this.host.sendIcmpError(pkt, rec, 3, 2, iface);
    }
  }

  private tcpRcv(pkt: Packet, rec: PacketRecord, iface: string): void {
    const th = pkt.tcp;
    if (!th) return;
    const s = this.tcp.get(this.key(pkt.dst, pkt.dport ?? 0, pkt.src, pkt.sport ?? 0));
    const flags = th.flags;
    if (s && s.state !== 'CLOSED') {
      if (tcpBacklog(s, pkt, rec)) return;
      this.tcpStateProcess(s, pkt, rec);
      return;
    }
    if (flags & TCP_RST) return;
    const l = this.findListener('tcp', pkt.dst, pkt.dport ?? 0);
    // tcp_rcv_state_process, TCP_LISTEN: an ACK is refused with a RST (below), a SYN without FIN
    // opens a connection, anything else (no flag at all, FIN, PSH or URG alone, SYN+FIN) is
    // dropped without an answer (difftest seed 2 case 733, fixture q107)
    if (l && !(flags & TCP_ACK) && (!(flags & TCP_SYN) || flags & TCP_FIN)) return;
    if (l && (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      const child: TcpSock = {
        laddr: pkt.dst,
        lport: pkt.dport ?? 0,
        raddr: pkt.src,
        rport: pkt.sport ?? 0,
        state: 'SYN_RECV',
        sndNxt: 0,
        rcvNxt: 1,
        listener: l,
        error: null,
        received: '',
        peerClosed: false,
        onLoopback: iface === 'lo',
        // the SYN-ACK's MSS comes from the route back to the peer (case p28: a 1400-byte link gives MSS 1360),
        // lowered by a path MTU learned earlier (p82: the SYN-ACK says MSS 1360)
        routeMtu: iface === 'lo' ? 65536 : hostPathMtu(this.host, pkt.src),
        peerSynOptions: th.options,
        wire: null,
        owned: false,
        gsoMaxSegs: routeGsoMaxSegs(this.host.net, pkt.src),
        stream: createTcpStream(th.window),
      };
      this.tcp.set(this.key(child.laddr, child.lport, child.raddr, child.rport), child);
      this.sendTcp(child, TCP_SYN | TCP_ACK);
      return;
    }
    // no socket (or a listener got something that is not a SYN): tcp_v4_send_reset
    this.host.sendReset(pkt, rec, false, l !== undefined);
  }

  private tcpStateProcess(s: TcpSock, pkt: Packet, rec: PacketRecord): void {
    const th = pkt.tcp!;
    const flags = th.flags;
    if (flags & TCP_RST) {
      this.tcpRst(s, th.seq, th.ack, flags);
      return;
    }
    switch (s.state) {
      case 'SYN_SENT':
        if ((flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) {
          s.rcvNxt = 1;
          if (s.wire) s.wire = acceptSynAck(s.wire, th.options);
          tcpStartSender(s, parseTcpOptions(th.options), th.window);
          s.state = 'ESTABLISHED';
          this.sendTcp(s, TCP_ACK);
        }
        return;
      case 'SYN_RECV':
        if (flags & TCP_ACK) {
          s.state = 'ESTABLISHED';
          tcpStartSender(s, parseTcpOptions(s.peerSynOptions), s.stream.peerSynWindow);
          if (s.wire) wireEstablished(s.wire, s.rcvNxt, s.stream.sender!.mssCache);
          this.host.world.listenerEvent({
            host: this.host.name,
            event: 'accept',
            proto: 'tcp',
            listen_port: s.lport,
            local: ap(s.laddr, s.lport),
            peer: ap(s.raddr, s.rport),
          });
          // data on the segment that completes the handshake (its bare ACK was lost) is ACKed at
          // once, in softirq, before the listener's process accept()s the child: no UID= yet
          // (difftest seed 1 case 68)
          this.tcpData(s, pkt);
          s.owned = true; // the listener accept()s it
        }
        return;
      default:
        this.tcpData(s, pkt);
    }
    void rec;
  }

  /**
   * A RST for a socket (tcp_rcv_synsent_state_process / tcp_validate_incoming,
   * then tcp_reset). In SYN_SENT only a RST acknowledging our SYN counts. Later
   * it must carry exactly rcv_nxt; one elsewhere in the window draws a challenge
   * ACK (RFC 5961), one outside is dropped, and in TIME_WAIT anything but an
   * exact RST is dropped. The error is what the owner sees next: ECONNREFUSED
   * during connect(), EPIPE in CLOSE_WAIT, ECONNRESET otherwise (case p38).
   * The socket is closed and sends nothing more.
   */
  private tcpRst(s: TcpSock, seq: number, ack: number, flags: number): void {
    if (s.state === 'SYN_SENT') {
      if (!(flags & TCP_ACK) || ack !== s.sndNxt) return;
    } else if (seq !== s.rcvNxt) {
      // tcp_sequence(): not before rcv_wup, not after what is left of the window we offered
      const w = s.wire?.rcv;
      const wup = w ? w.rcvWup : s.rcvNxt;
      const right = s.rcvNxt + (w ? tcpReceiveWindow(w, s.rcvNxt) : 65535);
      const inWindow = ((seq - wup) | 0) >= 0 && ((seq - right) | 0) <= 0;
      if (inWindow && s.state !== 'TIME_WAIT') this.sendTcp(s, TCP_ACK);
      return;
    }
    s.error = s.state === 'SYN_SENT' ? 'ECONNREFUSED' : s.state === 'CLOSE_WAIT' ? 'EPIPE' : 'ECONNRESET';
    s.state = 'CLOSED';
  }

  /** send() on a connected socket (tcp-stream.ts): the segments, then release_sock. */
  sendmsg(s: TcpSock, data: string): void {
    tcpSendmsg(this.host, s, data, (pkt, rec) => this.tcpStateProcess(s, pkt, rec));
  }

  /** recv() of everything queued; a delayed ACK or a window update may go out now (tcp_cleanup_rbuf). */
  recvmsg(s: TcpSock): string {
    const r = tcpRecvmsg(s);
    if (r.windowUpdate) {
      // sent from the reader's system call: received (and traced) before it goes on
      this.sendTcp(s, TCP_ACK);
      this.host.world.drainFrames();
    }
    return r.data;
  }

  /** The listener process runs once the data is there: one recv() of everything queued, then its echo. */
  private listenerRead(s: TcpSock): void {
    s.stream.readScheduled = false;
    const data = this.recvmsg(s);
    if (!data) return;
    this.host.world.listenerEvent({ host: this.host.name, event: 'recv', proto: 'tcp', peer: ap(s.raddr, s.rport), data });
    if (s.listener?.echo) this.sendmsg(s, data);
  }

  private tcpData(s: TcpSock, pkt: Packet): void {
    const th = pkt.tcp!;
    const data = pkt.payload;
    const fin = (th.flags & TCP_FIN) !== 0;
    if (th.flags & TCP_ACK) tcpAckArrived(this.host, s, th.ack, th.window);
    if (data.length > 0 && th.seq !== s.rcvNxt) {
      this.host.world.warn(`not modelled: ${this.host.name} receives data at sequence ${th.seq} while expecting ${s.rcvNxt}; Linux would queue it out of order and answer with a duplicate ACK (SACK)`);
    }
    if (data.length > 0) {
      if (tcpDataArrived(s, pkt) && !fin) this.sendTcp(s, TCP_ACK);
      if (s.listener && !s.stream.readScheduled) {
        s.stream.readScheduled = true;
        this.host.world.defer(() => this.listenerRead(s));
      }
    }
    if (fin) {
      s.rcvNxt += 1;
      s.peerClosed = true;
      switch (s.state) {
        case 'ESTABLISHED':
          if (s.listener) {
            // the echo server reads EOF and closes: its FIN carries the ACK
            s.state = 'LAST_ACK';
            this.host.world.defer(() => this.sendTcp(s, TCP_FIN | TCP_ACK));
          } else {
            s.state = 'CLOSE_WAIT';
            this.sendTcp(s, TCP_ACK);
          }
          break;
        case 'FIN_WAIT1':
        case 'FIN_WAIT2':
          s.state = 'TIME_WAIT';
          this.sendTcp(s, TCP_ACK);
          break;
        default:
          break;
      }
      return;
    }
    if (th.flags & TCP_ACK) {
      if (s.state === 'FIN_WAIT1') s.state = 'FIN_WAIT2';
      else if (s.state === 'LAST_ACK') s.state = 'CLOSED';
    }
  }

  private udpRcv(pkt: Packet, rec: PacketRecord): void {
    const sock = this.udp.find((u) => u.lport === pkt.dport && (u.laddr === 0 || u.laddr === pkt.dst) && u.raddr === pkt.src && u.rport === pkt.sport);
    if (sock) {
      sock.received = pkt.payload;
      return;
    }
    const l = this.findListener('udp', pkt.dst, pkt.dport ?? 0);
    if (l) {
      this.host.world.listenerEvent({
        host: this.host.name,
        event: 'recv',
        proto: 'udp',
        listen_port: l.port,
        local: ap(pkt.dst, pkt.dport ?? 0),
        peer: ap(pkt.src, pkt.sport ?? 0),
        data: pkt.payload,
      });
      if (l.echo) this.host.world.defer(() => this.udpEcho(pkt));
      return;
    }
    if (isBroadcastOrMulticast(this.host.net, pkt.dst)) return;
    // __udp4_lib_rcv resets the datagram's conntrack before icmp_send: the error carries none
    this.host.sendIcmpError(pkt, rec, 3, 3, null, undefined, false);
  }

  private udpEcho(pkt: Packet): void {
    // IP_PKTINFO: the reply leaves from the address the datagram was sent to
    const reply = this.host.world.wire.udpDatagram(this.host, pkt.dst, pkt.dport ?? 0, pkt.src, pkt.sport ?? 0, pkt.payload, false);
    warnLocalFragmentation(this.host, reply);
    const res = this.host.output(reply, { owned: true });
    if (!res.ok) {
      // the agent logs only {event, proto, error} for a failed echo (agent.py serve); difftest seed 1 case 199
      this.host.world.listenerEvent({ host: this.host.name, event: 'send_error', proto: 'udp', error: res.errno });
    }
  }

  private icmpRcv(pkt: Packet, rec: PacketRecord): void {
    const ic = pkt.icmp;
    if (!ic) return;
    switch (ic.type) {
      case 8: {
        // icmp_echo: net.ipv4.icmp_echo_ignore_broadcasts (1) / icmp_echo_ignore_all (0)
        const ignore = isBroadcastOrMulticast(this.host.net, pkt.dst) ? 'net.ipv4.icmp_echo_ignore_broadcasts' : 'net.ipv4.icmp_echo_ignore_all';
        if (this.host.net.sysctl[ignore] === '1') return;
        const reply = this.host.world.wire.echoReply(this.host, pkt);
        warnLocalFragmentation(this.host, reply);
        this.host.output(reply, { owned: false, kernel: true, icmpSocket: true });
        return;
      }
      case 0: {
        const s = this.pings.get(ic.id ?? -1);
        if (s && !s.result) s.result = { result: 'reply', from: formatIpv4(pkt.src) };
        return;
      }
      case 5: {
        const inner = ic.inner;
        if (inner?.proto === IPPROTO_ICMP && inner.icmp?.type === 8) {
          const s = this.pings.get(inner.icmp.id ?? -1);
          if (s) s.redirect = { code: ic.code, from: formatIpv4(pkt.src) };
        }
        if (inner) noteRedirect(rec, processRedirect(this.host, pkt, rec.in ?? '', redirectSocket(this.host, inner)));
        return;
      }
      case 3:
      case 4:
      case 11:
      case 12: {
        const inner = ic.inner;
        if (!inner) return;
        if (ic.type === 3 && ic.code === 4) this.fragNeeded(inner, ic.seq ?? 0);
        if (inner.proto === IPPROTO_ICMP && inner.icmp?.type === 8) {
          const s = this.pings.get(inner.icmp.id ?? -1);
          if (s && !s.result) s.result = { result: 'icmp_error', from: formatIpv4(pkt.src), type: ic.type, code: ic.code };
        } else if (inner.proto === IPPROTO_UDP) {
          const u = this.udp.find((x) => x.lport === inner.sport && x.raddr === inner.dst && x.rport === inner.dport);
          const err = udpIcmpError(ic.type, ic.code);
          if (u && err && !u.error && u.received === null) u.error = err;
        } else if (inner.proto === IPPROTO_TCP) {
          const s = this.tcp.get(this.key(inner.src, inner.sport ?? 0, inner.dst, inner.dport ?? 0));
          if (s && s.state === 'SYN_SENT' && !(ic.type === 3 && ic.code === 4)) {
            // tcp_v4_err: any error aborts a connect() still in its handshake
            s.error = icmpErrno(ic.type, ic.code);
            s.state = 'CLOSED';
          } else if (s && s.state === 'SYN_RECV' && (ic.type === 11 || ic.type === 12 || (ic.type === 3 && ic.code <= 1))) {
            // tcp_req_err: a half-open connection is dropped only for net/host unreachable, time exceeded,
            // parameter problem; 3/13 leaves it retransmitting its SYN/ACK (case p43)
            s.state = 'CLOSED';
          } else if (s && CONNECTED.has(s.state) && ic.type !== 4 && !(ic.type === 3 && (ic.code === 4 || ic.code > 15)) && quotesUnacked(s, inner)) {
            // tcp_v4_err on a connected socket: "we will keep trying until we time out", the error
            // is only remembered as sk_err_soft (the step's sockets do not set IP_RECVERR)
            s.softError = icmpErrno(ic.type, ic.code);
          }
        }
        return;
      }
      default:
        void rec;
    }
  }

  /**
   * ICMP 3/4 quoting one of our packets: the socket it belongs to learns the
   * path MTU (raw_err / udp_err → ipv4_sk_update_pmtu; tcp_v4_err also
   * resends). Without a socket — the oracle's packet steps use a raw socket
   * that is closed by then — nothing is learned.
   */
  private fragNeeded(inner: Packet, mtu: number): void {
    if (inner.proto === IPPROTO_ICMP && inner.icmp?.type === 8) {
      if (this.pings.has(inner.icmp.id ?? -1)) learnRoutePmtu(this.host, inner.dst, mtu);
    } else if (inner.proto === IPPROTO_UDP) {
      if (this.udp.some((x) => x.lport === inner.sport && x.raddr === inner.dst && x.rport === inner.dport)) learnRoutePmtu(this.host, inner.dst, mtu);
    } else if (inner.proto === IPPROTO_TCP) {
      const s = this.tcp.get(this.key(inner.src, inner.sport ?? 0, inner.dst, inner.dport ?? 0));
      if (s) tcpFragNeeded(this.host, s, inner.tcp?.seq ?? 0, mtu);
    }
  }
}

/** The states tcp_v4_err treats as connected (not the handshake, not TIME_WAIT or closed). */
const CONNECTED = new Set<TcpState>(['ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'CLOSE_WAIT', 'LAST_ACK']);

/** tcp_v4_err ignores an error quoting a segment outside snd_una..snd_nxt (LINUX_MIB_OUTOFWINDOWICMPS). */
function quotesUnacked(s: TcpSock, inner: Packet): boolean {
  const seq = inner.tcp?.seq ?? 0;
  const una = s.stream.sender?.sndUna ?? s.sndNxt;
  return ((s.sndNxt - una) >>> 0) >= ((seq - una) >>> 0);
}

/**
 * __udp4_lib_err for a connected UDP socket without IP_RECVERR (the oracle's
 * udp step): only a "hard" error reaches recv(); the others leave it waiting.
 * Hard: destination unreachable codes icmp_err_convert marks fatal (protocol,
 * port, net/host unknown, isolated, prohibited, filtered, precedence), frag
 * needed (EMSGSIZE, path MTU discovery is on) and parameter problem (EPROTO).
 * Soft: net/host unreachable (cases p35), time exceeded (REPORT.md §5.19).
 */
export function udpIcmpError(type: number, code: number): string | null {
  if (type === 12) return 'EPROTO';
  if (type !== 3) return null;
  if (code === 4) return 'EMSGSIZE';
  return ICMP_UNREACH_FATAL.has(code) ? icmpErrno(type, code) : null;
}

/** icmp_err_convert[].fatal: the destination unreachable codes that are hard errors */
const ICMP_UNREACH_FATAL = new Set([2, 3, 6, 7, 8, 9, 10, 13, 14, 15]);


/** What became of a redirect, on the walk's delivery step. */
function noteRedirect(rec: PacketRecord, r: RedirectOutcome): void {
  const d = rec.notes.findLast((n) => n.kind === 'deliver');
  if (!d || d.kind !== 'deliver') return;
  d.to += r.learned
    ? `: redirect learned, ${formatIpv4(r.dst)} now goes via ${formatIpv4(r.gateway)}`
    : `: redirect not learned (${r.reason.replace(/_/g, ' ')})`;
}

/** icmp_err_convert: the errno a socket sees for an ICMP error. */
export function icmpErrno(type: number, code: number): string {
  if (type === 3) {
    switch (code) {
      case 0:
        return 'ENETUNREACH';
      case 1:
        return 'EHOSTUNREACH';
      case 2:
        return 'ENOPROTOOPT';
      case 3:
        return 'ECONNREFUSED';
      case 4:
        return 'EMSGSIZE';
      case 5:
        return 'EOPNOTSUPP';
      case 6:
        return 'ENETUNREACH';
      case 7:
        return 'EHOSTDOWN';
      case 8:
        return 'ENONET';
      case 9:
        return 'ENETUNREACH';
      case 10:
        return 'EHOSTUNREACH';
      case 11:
        return 'ENETUNREACH';
      case 12:
        return 'EHOSTUNREACH';
      case 13:
      case 14:
      case 15:
        return 'EHOSTUNREACH';
      default:
        return 'EHOSTUNREACH';
    }
  }
  if (type === 11) return 'EHOSTUNREACH';
  if (type === 12) return 'EPROTO';
  return 'EHOSTUNREACH';
}
