// pattern: Functional Core
// Builds the packets hosts send: what a socket or the kernel itself puts on
// the wire, with the header values Linux 6.18 uses (sim/wire.ts documents the
// evidence for each value from the oracle's kernel results). Every packet a
// host originates without an IP_TTL of its own gets that host's
// net.ipv4.ip_default_ttl (ip4_dst_hoplimit, difftest seed 1 case 16); a
// crafted packet carries the TTL its author wrote.

import { parseIpv4 } from '../net/addr';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type Packet } from '../net/packet';
import { defaultTtl } from '../net/sysctl';
import type { CraftedPacket, PingStep } from '../scenario/types';
import type { Host } from './host';
import type { TcpSock } from './sockets';
import * as W from './wire';
import { sysctlNumber } from '../net/sysctl';
import { routeMtuLocked } from './route-adapter';

/** The TCP sysctls of a host's namespace that change what its sockets send. */
export function tcpSysctls(host: Host): W.TcpSysctls {
  const n = (k: string): number => sysctlNumber(host.net, `net.ipv4.${k}`);
  return { timestamps: n('tcp_timestamps') !== 0, sack: n('tcp_sack') !== 0, windowScaling: n('tcp_window_scaling') !== 0, appWin: n('tcp_app_win') };
}

/**
 * IP_DF on a socket's packets to `dst` (ip_dont_fragment): sockets start
 * with IP_PMTUDISC_WANT, or IP_PMTUDISC_DONT when net.ipv4.ip_no_pmtu_disc
 * is set (inet_create) — then TCP, UDP and ping go out without DF (fixture
 * p86: the client's segments lose DF, the server's keep it); WANT sets DF
 * unless the route says `mtu lock` (fixture p89).
 */
export function socketDf(host: Host, dst: number): boolean {
  return sysctlNumber(host.net, 'net.ipv4.ip_no_pmtu_disc') === 0 && !routeMtuLocked(host.net, dst);
}

export class PacketFactory {
  /** one id generator for the whole network: the oracle renumbers ids by first appearance, so ids must never collide across hosts */
  private readonly ids = W.createIpIdAllocator();

  /** __ip_select_ident for an outer header a tunnel pushes (iptunnel_xmit) */
  tunnelIpId(): number {
    return W.ipIdFor('socket', this.ids);
  }

  blank(): Packet {
    return { src: 0, dst: 0, proto: 0, ttl: 64, tos: 0, len: 20, ipid: 0, df: true, mark: 0, payload: '' };
  }

  echoRequest(host: Host, step: PingStep, dst: number): Packet {
    const p: Packet = {
      ...this.blank(),
      src: step.src ? parseIpv4(step.src) ?? 0 : 0,
      dst,
      proto: IPPROTO_ICMP,
      ttl: step.ttl ?? defaultTtl(host.net),
      mark: step.mark ?? 0,
      icmp: { type: 8, code: 0, id: step.id, seq: step.seq },
      payload: step.payload,
    };
    p.len = 28 + p.payload.length;
    p.ipid = W.ipIdFor('socket', this.ids);
    p.df = socketDf(host, dst);
    return p;
  }

  echoReply(host: Host, req: Packet): Packet {
    return W.echoReplyPacket(req, W.ipIdFor('icmp', this.ids), defaultTtl(host.net));
  }

  /**
   * A segment of socket `s`. `at.seq` sends from another sequence number than
   * snd_nxt (a retransmission); `at.gsoSize` marks a GSO skb of several segments.
   */
  tcpSegment(host: Host, s: TcpSock, flags: number, data: string, at: { seq?: number; gsoSize?: number } = {}): Packet {
    let seg: W.TcpSegment;
    if (flags & TCP_SYN && !(flags & TCP_ACK)) {
      const r = W.connectSyn(s.routeMtu, tcpSysctls(host));
      s.wire = r.state;
      seg = r.segment;
    } else if (flags & TCP_SYN) {
      const r = W.synAck(s.routeMtu, s.peerSynOptions, 0, tcpSysctls(host));
      s.wire = r.state;
      seg = r.segment;
    } else {
      const kind = flags & TCP_RST ? 'rst' : flags & TCP_FIN ? (data.length ? 'data-fin' : 'fin') : !data.length ? 'ack' : flags & TCP_PSH ? 'data' : 'data-more';
      seg = W.establishedSegment(s.wire ?? W.connectSyn(s.routeMtu).state, kind, at.seq ?? s.sndNxt, s.rcvNxt, data.length);
    }
    const p: Packet = {
      ...this.blank(),
      src: s.laddr,
      dst: s.raddr,
      proto: IPPROTO_TCP,
      sport: s.lport,
      dport: s.rport,
      ttl: s.ttl ?? defaultTtl(host.net),
      mark: s.mark ?? 0,
      tcp: seg.tcp,
      payload: data,
      len: seg.len,
      df: socketDf(host, s.raddr),
    };
    if (at.gsoSize) p.gsoSize = at.gsoSize;
    p.ipid = W.ipIdFor(flags & TCP_SYN && flags & TCP_ACK ? 'syn-ack' : 'socket', this.ids);
    return p;
  }

  /** tcp_v4_send_reset (and REJECT --reject-with tcp-reset, which builds the same answer). */
  tcpReset(host: Host, orig: Packet, viaReject: boolean): Packet {
    const seg = W.resetReply(orig.tcp!, orig.payload.length);
    return {
      ...this.blank(),
      ttl: defaultTtl(host.net),
      // tcp_v4_send_reset answers with the segment's TOS, ECN bits cleared (ip_send_unicast_reply);
      // REJECT's RST is built with TOS 0 (nf_reject_iphdr_put). Difftest seed 2 cases 183, 185, 203.
      tos: viaReject ? 0 : orig.tos & 0xfc,
      src: orig.dst,
      dst: orig.src,
      proto: IPPROTO_TCP,
      sport: orig.dport ?? 0,
      dport: orig.sport ?? 0,
      tcp: seg.tcp,
      payload: '',
      len: seg.len,
      ipid: W.ipIdFor('tcp-reset', this.ids),
      // its numbers are the offending segment's
      ...(orig.craftedSeq ? { craftedSeq: true } : {}),
    };
  }

  udpDatagram(host: Host, src: number, sport: number, dst: number, dport: number, data: string, connected = true): Packet {
    return {
      ...this.blank(),
      df: socketDf(host, dst),
      ttl: defaultTtl(host.net),
      src,
      dst,
      proto: IPPROTO_UDP,
      sport,
      dport,
      payload: data,
      len: W.udpIpLength(data.length),
      ipid: W.ipIdFor(connected ? 'socket' : 'udp-unconnected', this.ids),
    };
  }

  /** icmp_send: quotes the offending datagram's header and as much data as fits in 576 bytes. */
  icmpError(host: Host, inner: Packet, type: number, code: number, src: number, mtu?: number): Packet {
    return W.icmpErrorPacket(inner, type, code, src, { ipid: W.ipIdFor('icmp', this.ids), ttl: defaultTtl(host.net), ...(mtu !== undefined ? { mtu } : {}) });
  }

  crafted(_host: Host, c: CraftedPacket): Packet {
    const p: Packet = {
      ...this.blank(),
      src: c.src ? parseIpv4(c.src) ?? 0 : 0,
      dst: parseIpv4(c.dst) ?? 0,
      ttl: c.ttl,
      tos: c.tos ?? 0,
      df: c.df ?? true,
      ipid: c.ipid,
      payload: c.data ?? '',
    };
    if (c.proto === 'tcp') {
      p.proto = IPPROTO_TCP;
      p.sport = c.sport ?? 0;
      p.dport = c.dport ?? 0;
      p.tcp = { seq: c.seq ?? 1000, ack: c.ack ?? 0, flags: parseFlagLetters(c.flags ?? 'S'), window: c.window ?? 8192, urgp: 0, options: '' };
      p.craftedSeq = true;
      p.len = 40 + p.payload.length;
    } else if (c.proto === 'udp') {
      p.proto = IPPROTO_UDP;
      p.sport = c.sport ?? 0;
      p.dport = c.dport ?? 0;
      p.len = 28 + p.payload.length;
    } else {
      p.proto = IPPROTO_ICMP;
      p.icmp = { type: c.type ?? 8, code: c.code ?? 0, id: c.id ?? 0, seq: c.seq ?? 1 };
      p.len = 28 + p.payload.length;
    }
    return p;
  }
}

const FLAG_LETTERS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20, E: 0x40, C: 0x80 };

export function parseFlagLetters(s: string): number {
  let f = 0;
  for (const ch of s) f |= FLAG_LETTERS[ch] ?? 0;
  return f;
}
