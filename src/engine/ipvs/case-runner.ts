// pattern: Functional Core
// Runs an IPVS golden case (/work/shared/ipvs/FORMAT.md) through the
// engine and returns what the case's `expect` and `expect_final` fields
// describe. The case's own expect fields are never read. The service and
// servers are set up by feeding ipvsadm command lines through our ipvsadm
// parser, and packets go through ipvsIn/ipvsOut exactly as the packet walk
// will hand them over, so the cases test the whole IPVS stack.

import { formatIpv4, parseIpv4 } from '../net/addr';
import { IPPROTO_TCP, IPPROTO_UDP, TCP_ACK, TCP_FIN, TCP_SYN } from '../net/packet';
import { findConn, ipvsIn, ipvsOut, removeConn, runTimers, type IpvsPacket } from './conn';
import { applyIpvsadm, parseIpvsadm } from './ipvsadm';
import { formatList, formatSave } from './ipvsadm-print';
import { createIpvsState, findDest, serviceDests } from './state';
import type { IpvsState, IpvsSysctl, VirtualService } from './types';

export interface CaseServerCounters {
  weight: number;
  active: number;
  inactive: number;
  persist: number;
}

export interface CaseResult {
  /** one per `new` event: "addr:port" of the chosen real server, or null */
  expect: (string | null)[];
  expect_final: {
    servers: Record<string, CaseServerCounters>;
    ipvsadm_Ln: string;
    ipvsadm_Sn: string;
  };
}

export type CaseRun = { ok: true; result: CaseResult; state: IpvsState } | { ok: false; errors: string[] };

interface CaseService {
  proto: 'tcp' | 'udp' | 'fwm';
  vip?: string;
  vport?: number;
  fwmark?: number;
  scheduler: string;
  persistence?: number;
  netmask?: string;
  flags?: string[];
}

interface CaseServer {
  addr: string;
  port: number;
  weight: number;
  mode: 'masq' | 'dr' | 'tun';
  u_threshold?: number;
  l_threshold?: number;
}

type CaseEvent =
  | { type: 'new'; client: string; dst?: string; proto?: 'tcp' | 'udp' }
  | { type: 'close'; client: string; dst?: string; proto?: 'tcp' | 'udp' }
  | { type: 'expire'; client: string; dst?: string; proto?: 'tcp' | 'udp' }
  | { type: 'advance'; seconds: number }
  | { type: 'set-weight'; server: string; weight: number }
  | { type: 'add-server'; server: string; weight: number; mode?: 'masq' | 'dr' | 'tun' }
  | { type: 'del-server'; server: string };

const MODE_SWITCH: Record<string, string> = { masq: '-m', dr: '-g', tun: '-i' };
const METHOD_SWITCH: Record<string, string> = { masq: '-m', route: '-g', tunnel: '-i' };
const SYSCTL_KEYS = ['expire_quiescent_template', 'conn_reuse_mode', 'expire_nodest_conn', 'conntrack', 'sloppy_tcp'] as const;
/** bound on events, so a hostile case cannot keep the runner busy */
const MAX_EVENTS = 100000;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseHostPort(s: unknown): { addr: number; port: number } | null {
  if (typeof s !== 'string') return null;
  const i = s.lastIndexOf(':');
  if (i < 0) return null;
  const addr = parseIpv4(s.slice(0, i));
  const ps = s.slice(i + 1);
  if (addr === null || !/^\d+$/.test(ps) || Number(ps) > 65535) return null;
  return { addr, port: Number(ps) };
}

function validate(json: unknown): { service: CaseService; servers: CaseServer[]; events: CaseEvent[]; sysctl: Partial<IpvsSysctl> } | string[] {
  const errors: string[] = [];
  if (!isObj(json)) return ['the case must be a JSON object'];
  const service = json.service;
  if (!isObj(service)) errors.push('"service" must be an object');
  else {
    if (service.proto !== 'tcp' && service.proto !== 'udp' && service.proto !== 'fwm') errors.push('service.proto must be "tcp", "udp" or "fwm"');
    if (service.proto === 'fwm') {
      if (typeof service.fwmark !== 'number' || !(service.fwmark > 0)) errors.push('service.fwmark must be a number > 0 for proto "fwm"');
    } else {
      if (typeof service.vip !== 'string' || parseIpv4(service.vip) === null) errors.push('service.vip must be an IPv4 address');
      if (typeof service.vport !== 'number' || !Number.isInteger(service.vport) || service.vport < 0 || service.vport > 65535) errors.push('service.vport must be a port number');
    }
    if (typeof service.scheduler !== 'string') errors.push('service.scheduler must be a string');
    if (service.persistence !== undefined && (typeof service.persistence !== 'number' || !Number.isInteger(service.persistence))) errors.push('service.persistence must be an integer');
    if (service.netmask !== undefined && (typeof service.netmask !== 'string' || parseIpv4(service.netmask) === null)) errors.push('service.netmask must be a dotted netmask');
    if (service.flags !== undefined && (!Array.isArray(service.flags) || service.flags.some((f) => typeof f !== 'string'))) errors.push('service.flags must be an array of strings');
  }
  const servers = json.servers;
  if (!Array.isArray(servers)) errors.push('"servers" must be an array');
  else
    servers.forEach((s, i) => {
      if (!isObj(s) || typeof s.addr !== 'string' || parseIpv4(s.addr) === null) errors.push(`servers[${i}].addr must be an IPv4 address`);
      else {
        if (typeof s.port !== 'number' || !Number.isInteger(s.port) || s.port < 0 || s.port > 65535) errors.push(`servers[${i}].port must be a port number`);
        if (typeof s.weight !== 'number' || !Number.isInteger(s.weight)) errors.push(`servers[${i}].weight must be an integer`);
        if (s.mode !== 'masq' && s.mode !== 'dr' && s.mode !== 'tun') errors.push(`servers[${i}].mode must be "masq", "dr" or "tun"`);
      }
    });
  const events = json.events;
  if (!Array.isArray(events)) errors.push('"events" must be an array');
  else {
    if (events.length > MAX_EVENTS) errors.push(`"events" has more than ${MAX_EVENTS} entries`);
    events.forEach((e, i) => {
      if (!isObj(e)) {
        errors.push(`events[${i}] must be an object`);
        return;
      }
      switch (e.type) {
        case 'new':
        case 'close':
        case 'expire':
          if (!parseHostPort(e.client)) errors.push(`events[${i}].client must be "ip:port"`);
          if (e.dst !== undefined && !parseHostPort(e.dst)) errors.push(`events[${i}].dst must be "ip:port"`);
          if (e.proto !== undefined && e.proto !== 'tcp' && e.proto !== 'udp') errors.push(`events[${i}].proto must be "tcp" or "udp"`);
          if (isObj(service) && service.proto === 'fwm' && e.dst === undefined) errors.push(`events[${i}].dst is required for a fwm service`);
          break;
        case 'advance':
          if (typeof e.seconds !== 'number' || !(e.seconds >= 0)) errors.push(`events[${i}].seconds must be a number >= 0`);
          break;
        case 'set-weight':
        case 'add-server':
          if (!parseHostPort(e.server)) errors.push(`events[${i}].server must be "ip:port"`);
          if (typeof e.weight !== 'number' || !Number.isInteger(e.weight)) errors.push(`events[${i}].weight must be an integer`);
          if (e.type === 'add-server' && e.mode !== undefined && e.mode !== 'masq' && e.mode !== 'dr' && e.mode !== 'tun') errors.push(`events[${i}].mode must be "masq", "dr" or "tun"`);
          break;
        case 'del-server':
          if (!parseHostPort(e.server)) errors.push(`events[${i}].server must be "ip:port"`);
          break;
        default:
          errors.push(`events[${i}].type ${JSON.stringify(e.type)} is not one of new, close, expire, advance, set-weight, add-server, del-server`);
      }
    });
  }
  const sysctl: Partial<IpvsSysctl> = {};
  if (json.sysctl !== undefined) {
    if (!isObj(json.sysctl)) errors.push('"sysctl" must be an object');
    else
      for (const [k, v] of Object.entries(json.sysctl)) {
        if (!(SYSCTL_KEYS as readonly string[]).includes(k)) errors.push(`sysctl.${k} is not a supported net.ipv4.vs sysctl`);
        else if (typeof v !== 'number' || !Number.isInteger(v)) errors.push(`sysctl.${k} must be an integer`);
        else sysctl[k as (typeof SYSCTL_KEYS)[number]] = v;
      }
  }
  if (errors.length) return errors;
  return { service: service as unknown as CaseService, servers: servers as CaseServer[], events: events as CaseEvent[], sysctl };
}

function serviceArg(s: CaseService): string {
  if (s.proto === 'fwm') return `-f ${s.fwmark}`;
  return `${s.proto === 'tcp' ? '-t' : '-u'} ${s.vip}:${s.vport}`;
}

/** Run an ipvsadm line (as the case's setup would); returns the error text or null. */
function ipvsadm(state: IpvsState, line: string, now: number): string | null {
  const p = parseIpvsadm(line);
  if (!p.value) return `${line}: ${p.diagnostics.find((d) => d.severity === 'error')?.message ?? 'cannot parse'}`;
  const r = applyIpvsadm(state, p.value, now);
  return r.status === 0 ? null : `${line}: ${r.stderr.trim()}`;
}

/**
 * Run a case object (as parsed from its JSON file).
 *
 * @example runIpvsCase(JSON.parse(text)).ok && result.expect[0] === '192.168.10.3:80'
 */
export function runIpvsCase(json: unknown): CaseRun {
  const v = validate(json);
  if (Array.isArray(v)) return { ok: false, errors: v };
  const { service, servers, events, sysctl } = v;
  const state = createIpvsState(sysctl);
  let now = 0;
  const svcArg = serviceArg(service);
  let add = `ipvsadm -A ${svcArg} -s ${service.scheduler}`;
  if (service.persistence !== undefined) add += ` -p ${service.persistence}`;
  if (service.netmask !== undefined) add += ` -M ${service.netmask}`;
  if (service.flags && service.flags.length) add += ` -b ${service.flags.join(',')}`;
  const errors: string[] = [];
  const e0 = ipvsadm(state, add, now);
  if (e0) return { ok: false, errors: [e0] };
  for (const s of servers) {
    let line = `ipvsadm -a ${svcArg} -r ${s.addr}:${s.port} ${MODE_SWITCH[s.mode]} -w ${s.weight}`;
    if (s.u_threshold) line += ` -x ${s.u_threshold}`;
    if (s.l_threshold) line += ` -y ${s.l_threshold}`;
    const e = ipvsadm(state, line, now);
    if (e) errors.push(e);
  }
  if (errors.length) return { ok: false, errors };
  const svc = state.services[0]!;
  const expect: (string | null)[] = [];

  const flow = (e: { client: string; dst?: string; proto?: 'tcp' | 'udp' }) => {
    const c = parseHostPort(e.client)!;
    const d = e.dst ? parseHostPort(e.dst)! : { addr: svc.addr, port: svc.port };
    const protocol = service.proto === 'fwm' ? (e.proto === 'udp' ? IPPROTO_UDP : IPPROTO_TCP) : service.proto === 'udp' ? IPPROTO_UDP : IPPROTO_TCP;
    return { c, d, protocol, mark: svc.fwmark };
  };
  const packet = (f: ReturnType<typeof flow>, dir: 'in' | 'out', flags: number, raddr = 0, rport = 0): IpvsPacket =>
    dir === 'in'
      ? { protocol: f.protocol, saddr: f.c.addr, sport: f.c.port, daddr: f.d.addr, dport: f.d.port, mark: f.mark, tcpFlags: flags, len: 60 }
      : { protocol: f.protocol, saddr: raddr, sport: rport, daddr: f.c.addr, dport: f.c.port, mark: 0, tcpFlags: flags, len: 60 };

  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    switch (ev.type) {
      case 'new': {
        const f = flow(ev);
        const tcp = f.protocol === IPPROTO_TCP;
        const r = ipvsIn(state, packet(f, 'in', tcp ? TCP_SYN : 0), now);
        if (r.verdict !== 'xmit') {
          expect.push(null);
          break;
        }
        const dest = state.dests[r.dest];
        expect.push(dest ? `${formatIpv4(dest.addr)}:${dest.port}` : null);
        if (tcp) {
          // NAT sees the SYN/ACK on its way back; DR/TUN replies bypass the director
          if (r.method === 'masq') ipvsOut(state, packet(f, 'out', TCP_SYN | TCP_ACK, r.raddr, r.rport), now);
          ipvsIn(state, packet(f, 'in', TCP_ACK), now);
        }
        break;
      }
      case 'close': {
        const f = flow(ev);
        const cp = findConn(state, f.protocol, f.c.addr, f.c.port, f.d.addr, f.d.port);
        if (!cp) {
          errors.push(`events[${i}]: no connection for ${ev.client}`);
          break;
        }
        ipvsIn(state, packet(f, 'in', TCP_FIN | TCP_ACK), now);
        if (cp.method === 'masq') {
          ipvsOut(state, packet(f, 'out', TCP_ACK, cp.daddr, cp.dport), now);
          ipvsOut(state, packet(f, 'out', TCP_FIN | TCP_ACK, cp.daddr, cp.dport), now);
        }
        ipvsIn(state, packet(f, 'in', TCP_ACK), now);
        break;
      }
      case 'expire': {
        const f = flow(ev);
        const cp = findConn(state, f.protocol, f.c.addr, f.c.port, f.d.addr, f.d.port);
        if (!cp) {
          errors.push(`events[${i}]: no connection for ${ev.client}`);
          break;
        }
        removeConn(state, cp);
        break;
      }
      case 'advance':
        now += Math.round(ev.seconds * 1000);
        runTimers(state, now);
        break;
      case 'set-weight': {
        const s = parseHostPort(ev.server)!;
        const d = findDest(state, svc, s.addr, s.port);
        if (!d) {
          errors.push(`events[${i}]: ${ev.server} is not a server of the service`);
          break;
        }
        let line = `ipvsadm -e ${svcArg} -r ${ev.server} ${METHOD_SWITCH[d.method]} -w ${ev.weight}`;
        if (d.uThreshold) line += ` -x ${d.uThreshold}`;
        if (d.lThreshold) line += ` -y ${d.lThreshold}`;
        const e = ipvsadm(state, line, now);
        if (e) errors.push(`events[${i}]: ${e}`);
        break;
      }
      case 'add-server': {
        const e = ipvsadm(state, `ipvsadm -a ${svcArg} -r ${ev.server} ${MODE_SWITCH[ev.mode ?? 'masq']} -w ${ev.weight}`, now);
        if (e) errors.push(`events[${i}]: ${e}`);
        break;
      }
      case 'del-server': {
        const e = ipvsadm(state, `ipvsadm -d ${svcArg} -r ${ev.server}`, now);
        if (e) errors.push(`events[${i}]: ${e}`);
        break;
      }
    }
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, result: { expect, expect_final: finalState(state, svc) }, state };
}

function finalState(state: IpvsState, svc: VirtualService): CaseResult['expect_final'] {
  const servers: Record<string, CaseServerCounters> = {};
  const list = serviceDests(state, svc).sort((a, b) => a.addr - b.addr || a.port - b.port);
  for (const d of list) servers[`${formatIpv4(d.addr)}:${d.port}`] = { weight: d.weight, active: d.activeConns, inactive: d.inactConns, persist: d.persistConns };
  return { servers, ipvsadm_Ln: formatList(state, { numeric: true }), ipvsadm_Sn: formatSave(state, { numeric: true }) };
}
