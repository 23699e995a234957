// pattern: Functional Core
// The IPVS data plane of one host (ip_vs_core.c, ip_vs_conn.c,
// ip_vs_proto_tcp.c, ip_vs_proto_udp.c): service lookup, the connection
// table, scheduling of new connections with persistence templates, the
// IPVS TCP state tables, active/inactive counters, thresholds, and timers.
//
// There are no timers of our own: every call takes the simulation clock
// (ms), and runTimers(state, now) fires whatever is due, in time order.
// Functions mutate the IpvsState they are given.
//
// Packet walk integration (SPEC.md §2, §3): hand a locally delivered packet
// to ipvsIn() at LOCAL_IN priority 99 (after filter INPUT and security
// INPUT, before nat INPUT), and a locally generated one at LOCAL_OUT −98
// (after nat OUTPUT). NAT replies are handed to ipvsOut() at FORWARD 100
// (after filter FORWARD), LOCAL_IN 98 and LOCAL_OUT −99.

import { IPPROTO_TCP, IPPROTO_UDP, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../net/packet';
import { schedule } from './schedulers';
import { collectDest, findService } from './state';
import type { FwdMethod, IpvsConn, IpvsState, IpvsTcpState, RealServer, VirtualService } from './types';
import { dropKey, IP_VS_SVC_F_ONEPACKET, IP_VS_SVC_F_PERSISTENT } from './types';

const IPPROTO_IP = 0;
const IPPROTO_SCTP = 132;
const FTPPORT = 21;
const FTPDATA = 20;

/** What IPVS reads from a packet. */
export interface IpvsPacket {
  protocol: number;
  saddr: number;
  sport: number;
  daddr: number;
  dport: number;
  /** skb->mark */
  mark: number;
  /** TCP flag bits (TCP_* of net/packet.ts); 0 for UDP */
  tcpFlags: number;
  /** IP total length, for the byte counters */
  len: number;
}

/**
 * ipvsIn's answer. `ignore`: not IPVS traffic, continue the hook list
 * (NF_ACCEPT). `accept`: IPVS saw it but lets it go on to the local stack.
 * `drop`: NF_DROP, with ICMP port unreachable to the client when `icmp` is
 * set. `xmit`: NF_STOLEN: IPVS transmits it to `dest` by `method` (see
 * SPEC.md §2.1) and re-injects it at LOCAL_OUT, unless the route to the
 * real server is local, in which case the packet continues along LOCAL_IN.
 */
export type IpvsInResult =
  | { verdict: 'ignore' }
  | { verdict: 'accept'; reason: string }
  | { verdict: 'drop'; reason: string; icmp: 'port-unreachable' | null; conn: string | null }
  | {
      verdict: 'xmit';
      conn: string;
      dest: number;
      method: FwdMethod;
      /** true when the scheduler ran for this packet (a new connection) */
      scheduled: boolean;
      /** true when a persistence template chose the server */
      persistent: boolean;
      /** the real server address: new destination for masq, next hop for route, outer destination for tunnel */
      raddr: number;
      /** new destination port for masq (the packet's own port otherwise) */
      rport: number;
      state: string;
    };

export type IpvsOutResult =
  | { verdict: 'ignore' }
  /** rewrite the source back to VIP:VPORT (NAT reply) */
  | { verdict: 'snat'; conn: string; saddr: number; sport: number; state: string };

// ---------------------------------------------------------------- keys

/** The ip_vs_conn hash key: (protocol, caddr, cport, vaddr, vport). */
export function connKey(protocol: number, caddr: number, cport: number, vaddr: number, vport: number): string {
  return `${protocol}/${caddr >>> 0}:${cport}>${vaddr >>> 0}:${vport}`;
}

/** Reply-direction key: (protocol, real server addr:port, client addr:port). */
function outKey(protocol: number, daddr: number, dport: number, caddr: number, cport: number): string {
  return `${protocol}/${daddr >>> 0}:${dport}<${caddr >>> 0}:${cport}`;
}

export function findConn(state: IpvsState, protocol: number, caddr: number, cport: number, vaddr: number, vport: number): IpvsConn | undefined {
  return state.conns[connKey(protocol, caddr, cport, vaddr, vport)];
}

// ---------------------------------------------------------------- service lookup

/** SPEC.md §5.1: fwmark, exact (proto, vip, port), FTP (port 21), port zero. */
export function lookupService(state: IpvsState, protocol: number, daddr: number, dport: number, mark: number): VirtualService | undefined {
  if (mark !== 0) {
    const s = state.services.find((x) => x.fwmark === mark);
    if (s) return s;
  }
  const p = protoName(protocol);
  if (!p) return undefined;
  const exact = findService(state, { protocol: p, addr: daddr, port: dport });
  if (exact) return exact;
  if (protocol === IPPROTO_TCP && (dport === FTPDATA || dport >= 1024)) {
    const ftp = findService(state, { protocol: p, addr: daddr, port: FTPPORT });
    if (ftp) return ftp;
  }
  return findService(state, { protocol: p, addr: daddr, port: 0 });
}

function protoName(protocol: number): 'tcp' | 'udp' | 'sctp' | null {
  return protocol === IPPROTO_TCP ? 'tcp' : protocol === IPPROTO_UDP ? 'udp' : protocol === IPPROTO_SCTP ? 'sctp' : null;
}

// ---------------------------------------------------------------- TCP state tables

const TCP_STATES: readonly IpvsTcpState[] = [
  'NONE',
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'SYNACK',
];

const S: Record<string, IpvsTcpState> = {
  NO: 'NONE',
  ES: 'ESTABLISHED',
  SS: 'SYN_SENT',
  SR: 'SYN_RECV',
  FW: 'FIN_WAIT',
  TW: 'TIME_WAIT',
  CL: 'CLOSE',
  CW: 'CLOSE_WAIT',
  LA: 'LAST_ACK',
  LI: 'LISTEN',
  SA: 'SYNACK',
};

function row(text: string): IpvsTcpState[] {
  return text.split(' ').map((t) => S[t]!);
}

// [syn, fin, ack, rst] rows, columns in TCP_STATES order (ip_vs_proto_tcp.c tcp_states)
const TCP_TABLE: Record<'input' | 'output' | 'input-only', IpvsTcpState[][]> = {
  input: [
    row('SR ES ES SR SR SR SR SR SR SR SR'),
    row('CL CW SS TW TW TW CL CW LA LI TW'),
    row('ES ES SS ES FW TW CL CW CL LI ES'),
    row('CL CL CL SR CL CL CL CL LA LI SR'),
  ],
  output: [
    row('SS ES SS SR SS SS SS SS SS LI SR'),
    row('TW FW SS TW FW TW CL TW LA LI TW'),
    row('ES ES SS ES FW TW CL CW LA ES ES'),
    row('CL CL SS CL CL TW CL CL CL CL CL'),
  ],
  'input-only': [
    row('SR ES ES SR SR SR SR SR SR SR SR'),
    row('CL FW SS TW FW TW CL CW LA LI TW'),
    row('ES ES SS ES FW TW CL CW CL LI ES'),
    row('CL CL CL SR CL CL CL CL LA LI CL'),
  ],
};

/** ESTABLISHED, SYN_SENT, SYN_RECV and SYNACK count as active connections. */
export function tcpStateActive(s: string): boolean {
  return s === 'ESTABLISHED' || s === 'SYN_SENT' || s === 'SYN_RECV' || s === 'SYNACK';
}

/** The next IPVS TCP state: flag index RST, else SYN, else FIN, else ACK; none of them -> CLOSE. */
export function tcpNextState(table: 'input' | 'output' | 'input-only', current: IpvsTcpState, flags: number): IpvsTcpState {
  const idx = flags & TCP_RST ? 3 : flags & TCP_SYN ? 0 : flags & TCP_FIN ? 1 : flags & TCP_ACK ? 2 : -1;
  if (idx < 0) return 'CLOSE';
  return TCP_TABLE[table][idx]![TCP_STATES.indexOf(current)]!;
}

/** ip_vs_set_state: move the entry, keep the active/inactive counters in step, restart the timer. */
export function setConnState(state: IpvsState, cp: IpvsConn, dir: 'input' | 'output', tcpFlags: number, now: number): void {
  if (cp.protocol === IPPROTO_TCP) {
    let table: 'input' | 'output' | 'input-only' = dir;
    if (cp.noOutput) {
      if (dir === 'output') cp.noOutput = false;
      else table = 'input-only';
    }
    const cur = cp.state === 'UDP' ? 'NONE' : cp.state;
    const next = tcpNextState(table, cur, tcpFlags);
    const d = state.dests[cp.dest];
    if (d && !cp.template) {
      if (!cp.inactive && !tcpStateActive(next)) {
        d.activeConns--;
        d.inactConns++;
        cp.inactive = true;
      } else if (cp.inactive && tcpStateActive(next)) {
        d.activeConns++;
        d.inactConns--;
        cp.inactive = false;
      }
    }
    cp.state = next;
    cp.timeout = state.timeouts.tcp[next] * 1000;
  } else {
    cp.state = 'UDP';
    cp.timeout = state.timeouts.udp * 1000;
  }
  cp.expires = now + cp.timeout;
}

// ---------------------------------------------------------------- create / remove

interface ConnParams {
  protocol: number;
  caddr: number;
  cport: number;
  vaddr: number;
  vport: number;
}

// ip_vs_bind_dest: a new entry counts inactive (templates in persistconns), then the upper threshold is checked
function bindDest(d: RealServer, template: boolean): void {
  if (template) d.persistConns++;
  else d.inactConns++;
  if (d.uThreshold !== 0 && d.activeConns + d.inactConns >= d.uThreshold) d.overloaded = true;
}

// ip_vs_unbind_dest: the counter goes down, then OVERLOAD may clear (-y, else 3/4 of -x, else always)
function unbindDest(state: IpvsState, cp: IpvsConn): void {
  const d = state.dests[cp.dest];
  if (!d) return;
  if (cp.template) d.persistConns--;
  else if (cp.inactive) d.inactConns--;
  else d.activeConns--;
  const total = d.activeConns + d.inactConns;
  if (d.lThreshold !== 0) {
    if (total < d.lThreshold) d.overloaded = false;
  } else if (d.uThreshold !== 0) {
    if (total * 4 < d.uThreshold * 3) d.overloaded = false;
  } else d.overloaded = false;
  collectDest(state, d);
}

function connNew(state: IpvsState, svc: VirtualService, p: ConnParams, d: RealServer, dport: number, template: boolean, fwmark: number, now: number): IpvsConn {
  const cp: IpvsConn = {
    key: connKey(p.protocol, p.caddr, p.cport, p.vaddr, p.vport),
    protocol: p.protocol,
    caddr: p.caddr >>> 0,
    cport: p.cport,
    vaddr: p.vaddr >>> 0,
    vport: p.vport,
    daddr: d.addr,
    dport,
    serviceId: svc.id,
    dest: d.id,
    state: template || p.protocol !== IPPROTO_UDP ? 'NONE' : 'UDP',
    method: d.method,
    template,
    inactive: !template,
    noOutput: d.method !== 'masq',
    nfct: state.sysctl.conntrack !== 0,
    onePacket: !template && (svc.flags & IP_VS_SVC_F_ONEPACKET) !== 0 && p.protocol === IPPROTO_UDP,
    timeout: template ? svc.timeout * 1000 : 3000,
    expires: 0,
    control: null,
    nControl: 0,
    fwmark,
    seq: state.nextSeq++,
    inpkts: 0,
    outpkts: 0,
  };
  cp.expires = now + cp.timeout;
  bindDest(d, template);
  state.conns[cp.key] = cp;
  if (!template) state.outIndex[outKey(cp.protocol, cp.daddr, cp.dport, cp.caddr, cp.cport)] = cp.key;
  return cp;
}

/** Remove an entry now (its timer fired, or it is being rescheduled): counters and the template's count drop. */
export function removeConn(state: IpvsState, cp: IpvsConn): void {
  dropKey(state.conns, cp.key);
  if (!cp.template) {
    const ok = outKey(cp.protocol, cp.daddr, cp.dport, cp.caddr, cp.cport);
    if (state.outIndex[ok] === cp.key) dropKey(state.outIndex, ok);
  }
  if (cp.control) {
    const ct = state.conns[cp.control];
    if (ct && ct.nControl > 0) ct.nControl--;
    cp.control = null;
  }
  unbindDest(state, cp);
}

/**
 * The entry's timer fires at `now`. A template that still controls entries
 * is re-armed for a full timeout; anything else is removed.
 * Returns true when the entry was removed.
 */
export function expireConn(state: IpvsState, cp: IpvsConn, now: number): boolean {
  if (cp.template && cp.nControl > 0) {
    cp.expires = now + cp.timeout;
    return false;
  }
  removeConn(state, cp);
  return true;
}

/** Fire every timer due at or before `now`, earliest first (ties: oldest entry first). */
export function runTimers(state: IpvsState, now: number): number {
  let fired = 0;
  // every firing removes an entry or pushes a template at least its timeout ahead, so this bound is never hit in practice
  const limit = 4 * Object.keys(state.conns).length + 64;
  for (let i = 0; i < limit; i++) {
    let next: IpvsConn | null = null;
    for (const k in state.conns) {
      const c = state.conns[k]!;
      if (c.expires <= now && (!next || c.expires < next.expires || (c.expires === next.expires && c.seq < next.seq))) next = c;
    }
    if (!next) break;
    expireConn(state, next, next.expires);
    fired++;
  }
  return fired;
}

// ip_vs_check_template: a template whose server was deleted (or is quiesced with
// expire_quiescent_template=1) is rehashed out of reach with vport/dport 65535, cport 0
function checkTemplate(state: IpvsState, ct: IpvsConn): boolean {
  const d = state.dests[ct.dest];
  if (d && d.available && !(state.sysctl.expire_quiescent_template && d.weight === 0)) return true;
  if (ct.vport !== 0xffff) {
    const oldKey = ct.key;
    dropKey(state.conns, oldKey);
    ct.vport = 0xffff;
    ct.dport = 0xffff;
    ct.cport = 0;
    // the kernel's hash chains allow duplicates; a suffix keeps two invalidated templates apart
    ct.key = `${connKey(ct.protocol, ct.caddr, 0, ct.vaddr, 0xffff)}#${ct.seq}`;
    state.conns[ct.key] = ct;
    for (const k in state.conns) {
      const c = state.conns[k]!;
      if (c.control === oldKey) c.control = ct.key;
    }
  }
  return false;
}

/** ip_vs_sched_persist: find or make the client's template, then the connection on the template's server. */
function schedulePersist(state: IpvsState, svc: VirtualService, pkt: IpvsPacket, now: number): { cp: IpvsConn; scheduled: boolean } | null {
  const snet = (pkt.saddr & svc.netmask) >>> 0;
  let tp: ConnParams;
  if (pkt.dport === svc.port) {
    tp = { protocol: pkt.protocol, caddr: snet, cport: 0, vaddr: pkt.daddr, vport: svc.port !== FTPPORT ? pkt.dport : 0 };
  } else if (svc.fwmark) {
    tp = { protocol: IPPROTO_IP, caddr: snet, cport: 0, vaddr: svc.fwmark, vport: 0 };
  } else {
    tp = { protocol: pkt.protocol, caddr: snet, cport: 0, vaddr: pkt.daddr, vport: 0 };
  }
  let ct: IpvsConn | undefined = state.conns[connKey(tp.protocol, tp.caddr, tp.cport, tp.vaddr, tp.vport)];
  let scheduled = false;
  let d: RealServer | undefined;
  if (!ct || !checkTemplate(state, ct)) {
    const chosen = schedule(state, svc, { protocol: pkt.protocol, saddr: pkt.saddr, sport: pkt.sport, daddr: pkt.daddr, dport: pkt.dport, now });
    if (!chosen) return null;
    d = chosen;
    scheduled = true;
    const tdport = pkt.dport === svc.port && d.port ? d.port : pkt.dport;
    ct = connNew(state, svc, tp, d, tdport, true, pkt.mark, now);
  } else {
    d = state.dests[ct.dest];
    if (!d) return null;
  }
  const dport = d.port || pkt.dport;
  const cp = connNew(state, svc, { protocol: pkt.protocol, caddr: pkt.saddr, cport: pkt.sport, vaddr: pkt.daddr, vport: pkt.dport }, d, dport, false, pkt.mark, now);
  cp.control = ct.key;
  ct.nControl++;
  // ip_vs_conn_put(ct): the template timer restarts whenever it is used
  ct.expires = now + ct.timeout;
  return { cp, scheduled };
}

/** ip_vs_schedule: a new connection for the first packet, or null when no server is available. */
export function scheduleConn(state: IpvsState, svc: VirtualService, pkt: IpvsPacket, now: number): { cp: IpvsConn; scheduled: boolean; persistent: boolean } | null {
  if (svc.flags & IP_VS_SVC_F_PERSISTENT) {
    const r = schedulePersist(state, svc, pkt, now);
    return r ? { ...r, persistent: !r.scheduled } : null;
  }
  // a non-persistent FTP service only schedules its own port; a port-zero service must be persistent
  if ((svc.port === FTPPORT && pkt.dport !== FTPPORT) || (!svc.fwmark && svc.port === 0)) return null;
  const d = schedule(state, svc, { protocol: pkt.protocol, saddr: pkt.saddr, sport: pkt.sport, daddr: pkt.daddr, dport: pkt.dport, now });
  if (!d) return null;
  const cp = connNew(state, svc, { protocol: pkt.protocol, caddr: pkt.saddr, cport: pkt.sport, vaddr: pkt.daddr, vport: pkt.dport }, d, d.port || pkt.dport, false, pkt.mark, now);
  return { cp, scheduled: true, persistent: false };
}

function isNewConnExpected(cp: IpvsConn, mode: number): boolean {
  if (cp.control) return false;
  if (cp.protocol !== IPPROTO_TCP) return false;
  return cp.state === 'TIME_WAIT' || cp.state === 'CLOSE' || ((mode & 2) !== 0 && cp.state === 'FIN_WAIT' && cp.noOutput);
}

// ---------------------------------------------------------------- hooks

/**
 * ip_vs_in_hook: a packet delivered to this host (LOCAL_IN 99) or sent by
 * it (LOCAL_OUT −98). Looks up or schedules the connection and moves its
 * state; the caller then rewrites (masq), re-routes (route) or
 * encapsulates (tunnel) as the result says.
 */
export function ipvsIn(state: IpvsState, pkt: IpvsPacket, now: number): IpvsInResult {
  if (state.services.length === 0) return { verdict: 'ignore' };
  const proto = pkt.protocol;
  if (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP && proto !== IPPROTO_SCTP) return { verdict: 'ignore' };
  runTimers(state, now);
  const sysctl = state.sysctl;
  let cp: IpvsConn | undefined = findConn(state, proto, pkt.saddr, pkt.sport, pkt.daddr, pkt.dport);
  const isSyn = proto === IPPROTO_TCP && (pkt.tcpFlags & TCP_SYN) !== 0;
  if (cp && sysctl.conn_reuse_mode && isSyn) {
    const d = state.dests[cp.dest];
    let resched = false;
    if (sysctl.expire_nodest_conn && d && d.weight === 0) resched = true;
    else if (isNewConnExpected(cp, sysctl.conn_reuse_mode)) resched = cp.nControl === 0;
    if (resched) {
      if (cp.nControl === 0) removeConn(state, cp);
      cp = undefined;
    }
  }
  if (cp) {
    const d = state.dests[cp.dest];
    if (!d || !d.available) {
      if (!sysctl.expire_nodest_conn) return { verdict: 'drop', reason: 'the connection\'s real server was deleted (expire_nodest_conn=0)', icmp: null, conn: cp.key };
      removeConn(state, cp);
      cp = undefined;
    }
  }
  let scheduled = false;
  let persistent = false;
  if (!cp) {
    const svc = lookupService(state, proto, pkt.daddr, pkt.dport, pkt.mark);
    if (!svc) return { verdict: 'ignore' };
    if (proto === IPPROTO_TCP) {
      if (pkt.tcpFlags & TCP_RST) return { verdict: 'accept', reason: 'RST without an IPVS connection never schedules' };
      if (!isSyn && !sysctl.sloppy_tcp) return { verdict: 'accept', reason: 'TCP without SYN and no IPVS connection: left to the local stack' };
    }
    const r = scheduleConn(state, svc, pkt, now);
    if (!r) {
      // ip_vs_leave: the FTP data exception, otherwise drop with ICMP port unreachable
      if (svc.port === FTPPORT && pkt.dport !== FTPPORT) return { verdict: 'accept', reason: 'FTP service: other ports pass untouched' };
      return { verdict: 'drop', reason: 'no real server available', icmp: 'port-unreachable', conn: null };
    }
    cp = r.cp;
    scheduled = r.scheduled;
    persistent = r.persistent;
    svc.stats.conns++;
    const d = state.dests[cp.dest];
    if (d) d.stats.conns++;
  }
  setConnState(state, cp, 'input', pkt.tcpFlags, now);
  cp.inpkts++;
  const d = state.dests[cp.dest];
  if (d) {
    d.stats.inpkts++;
    d.stats.inbytes += pkt.len;
  }
  const svc = state.services.find((s) => s.id === cp.serviceId);
  if (svc) {
    svc.stats.inpkts++;
    svc.stats.inbytes += pkt.len;
  }
  return {
    verdict: 'xmit',
    conn: cp.key,
    dest: cp.dest,
    method: cp.method,
    scheduled,
    persistent,
    raddr: cp.daddr,
    rport: cp.method === 'masq' ? cp.dport : pkt.dport,
    state: cp.state,
  };
}

/**
 * ip_vs_out_hook: a reply from a real server (FORWARD 100, LOCAL_IN 98,
 * LOCAL_OUT −99). A NAT entry rewrites the source back to VIP:VPORT.
 * DR/TUN replies never reach the director.
 */
export function ipvsOut(state: IpvsState, pkt: IpvsPacket, now: number): IpvsOutResult {
  if (state.services.length === 0 && Object.keys(state.outIndex).length === 0) return { verdict: 'ignore' };
  const key = state.outIndex[outKey(pkt.protocol, pkt.saddr, pkt.sport, pkt.daddr, pkt.dport)];
  const cp = key ? state.conns[key] : undefined;
  if (!cp || cp.method !== 'masq') return { verdict: 'ignore' };
  setConnState(state, cp, 'output', pkt.tcpFlags, now);
  cp.outpkts++;
  const d = state.dests[cp.dest];
  if (d) {
    d.stats.outpkts++;
    d.stats.outbytes += pkt.len;
  }
  const svc = state.services.find((s) => s.id === cp.serviceId);
  if (svc) {
    svc.stats.outpkts++;
    svc.stats.outbytes += pkt.len;
  }
  return { verdict: 'snat', conn: cp.key, saddr: cp.vaddr, sport: cp.vport, state: cp.state };
}

export { IPPROTO_IP, IPPROTO_SCTP, TCP_ACK, TCP_FIN, TCP_SYN };
