// pattern: Functional Core
// `ipvsadm -L` (with -n, -c, --stats, --rate, --thresholds,
// --persistent-conn, --nosort, --exact, --tun-info) and `ipvsadm -S` byte
// for byte as ipvsadm 1.31 prints them (SPEC.md §9), services and servers
// sorted as libipvs sorts them.

import { formatIpv4 } from '../net/addr';
import { IPPROTO_TCP, IPPROTO_UDP } from '../net/packet';
import { serviceDests } from './state';
import type { FwdMethod, IpvsConn, IpvsProtocol, IpvsState, IpvsStats, RealServer, VirtualService } from './types';
import { IP_VS_CONN_TAB_SIZE, IP_VS_SVC_F_ONEPACKET, IP_VS_SVC_F_PERSISTENT, IP_VS_SVC_F_SCHED1, IP_VS_SVC_F_SCHED2, IP_VS_SVC_F_SCHED3, IP_VS_VERSION } from './types';
import { portToService, schedFlagNames } from './ipvsadm-options';

export interface ListFlags {
  numeric: boolean;
  connection: boolean;
  stats: boolean;
  rate: boolean;
  thresholds: boolean;
  persistentConn: boolean;
  timeout: boolean;
  daemon: boolean;
  nosort: boolean;
  exact: boolean;
  tunInfo: boolean;
}

/** glibc's qsort is a merge sort: reproduce it so non-transitive comparisons (the int32 quirk) order the same way. */
function msort<T>(a: T[], cmp: (x: T, y: T) => number): T[] {
  if (a.length <= 1) return a.slice();
  const n1 = a.length >> 1;
  const l = msort(a.slice(0, n1), cmp);
  const r = msort(a.slice(n1), cmp);
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < l.length && j < r.length) out.push(cmp(l[i]!, r[j]!) <= 0 ? l[i++]! : r[j++]!);
  while (i < l.length) out.push(l[i++]!);
  while (j < r.length) out.push(r[j++]!);
  return out;
}

const PROTO_NUM: Record<IpvsProtocol, number> = { tcp: 6, udp: 17, sctp: 132 };

/** libipvs ipvs_cmp_services: fwmark, af, protocol, address, port, each as an int difference. */
function cmpServices(a: VirtualService, b: VirtualService): number {
  let r = (a.fwmark - b.fwmark) | 0;
  if (r) return r;
  r = PROTO_NUM[a.protocol] - PROTO_NUM[b.protocol];
  if (r) return r;
  r = (a.addr - b.addr) | 0;
  if (r) return r;
  return a.port - b.port;
}

function cmpDests(a: RealServer, b: RealServer): number {
  const r = (a.addr - b.addr) | 0;
  if (r) return r;
  return a.port - b.port;
}

/** Services in the order `ipvsadm -L` lists them (unless --nosort). */
export function sortedServices(state: IpvsState, nosort: boolean): VirtualService[] {
  return nosort ? state.services.slice() : msort(state.services, cmpServices);
}

/** A service's real servers in the order `ipvsadm -L` lists them (unless --nosort). */
export function sortedDests(state: IpvsState, svc: VirtualService, nosort: boolean): RealServer[] {
  const list = serviceDests(state, svc);
  return nosort ? list : msort(list, cmpDests);
}

function padEnd(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function padStart(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

function addrPort(addr: number, port: number, proto: IpvsProtocol, numeric: boolean): string {
  const name = numeric ? null : portToService(port, proto);
  return `${formatIpv4(addr)}:${name ?? port}`;
}

function protoLabel(p: IpvsProtocol): string {
  return p === 'tcp' ? 'TCP' : p === 'udp' ? 'UDP' : 'SCTP';
}

function svcName(svc: VirtualService, numeric: boolean): string {
  if (svc.fwmark) return `FWM  ${svc.fwmark}`;
  return `${padEnd(protoLabel(svc.protocol), 4)} ${addrPort(svc.addr, svc.port, svc.protocol, numeric)}`.slice(0, 33);
}

function svcRuleName(svc: VirtualService, numeric: boolean): string {
  if (svc.fwmark) return `-f ${svc.fwmark}`;
  const opt = svc.protocol === 'tcp' ? '-t' : svc.protocol === 'udp' ? '-u' : '--sctp-service';
  return `${opt} ${addrPort(svc.addr, svc.port, svc.protocol, numeric)}`;
}

function schedFlagsText(svc: VirtualService): string {
  const names = schedFlagNames(svc.scheduler);
  const out: string[] = [];
  if (svc.flags & IP_VS_SVC_F_SCHED1) out.push(names[0]);
  if (svc.flags & IP_VS_SVC_F_SCHED2) out.push(names[1]);
  if (svc.flags & IP_VS_SVC_F_SCHED3) out.push(names[2]);
  return out.join(',');
}

const FWD_NAME: Record<FwdMethod, string> = { masq: 'Masq', route: 'Route', tunnel: 'Tunnel' };

const FWD_SWITCH: Record<FwdMethod, string> = { masq: '-m', route: '-g', tunnel: '-i' };

/** print_largenum: %9llu, or K/M/G/T suffixes from 10^8 on (unless --exact). */
function largenum(n: number, exact: boolean): string {
  if (exact) {
    const s = String(n);
    return padStart(s, s.length <= 8 ? 9 : s.length + 1);
  }
  if (n < 1e8) return padStart(String(n), 9);
  if (n < 1e9) return `${padStart(String(Math.floor(n / 1e3)), 8)}K`;
  if (n < 1e11) return `${padStart(String(Math.floor(n / 1e6)), 8)}M`;
  if (n < 1e14) return `${padStart(String(Math.floor(n / 1e9)), 8)}G`;
  return `${padStart(String(Math.floor(n / 1e12)), 8)}T`;
}

function tunInfo(d: RealServer): string {
  if (d.method !== 'tunnel') return 'n/a';
  const c = d.tunCsum === 'nocsum' ? '-c' : d.tunCsum === 'csum' ? '+c' : 'r+c';
  if (d.tunType === 'ipip') return 'ipip';
  if (d.tunType === 'gue') return `gue:${d.tunPort}:${c}`;
  return `gre:${d.tunCsum === 'remcsum' ? '+c' : c}`;
}

export interface ListFormat extends Partial<ListFlags> {
  /** list one service only (`ipvsadm -L -t VIP:PORT`): no version line */
  only?: VirtualService;
}

/** The lines `ipvsadm -L` prints before the first service: its version and the column titles. */
export function listHeader(f: ListFormat = {}): string {
  return `IP Virtual Server version ${IP_VS_VERSION} (size=${IP_VS_CONN_TAB_SIZE})\n${title(f)}`;
}

function title(f: ListFormat): string {
  if (f.stats)
    return `${padEnd('Prot LocalAddress:Port', 33)} ${['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map((s) => padStart(s, 8)).join(' ')}\n  -> RemoteAddress:Port\n`;
  if (f.rate)
    return `${padEnd('Prot LocalAddress:Port', 33)} ${['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS'].map((s) => padStart(s, 8)).join(' ')}\n  -> RemoteAddress:Port\n`;
  if (f.thresholds)
    return `${padEnd('Prot LocalAddress:Port', 33)} ${['Uthreshold', 'Lthreshold', 'ActiveConn', 'InActConn'].map((s) => padEnd(s, 10)).join(' ')}\n  -> RemoteAddress:Port\n`;
  if (f.persistentConn)
    return `${padEnd('Prot LocalAddress:Port', 33)} ${padEnd('Weight', 9)} ${padEnd('PersistConn', 11)} ${padEnd('ActiveConn', 10)} ${padEnd('InActConn', 10)}\n  -> RemoteAddress:Port\n`;
  const tun = f.tunInfo ? ' TunnelInfo' : '';
  return `Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn${tun}\n`;
}

function statsCols(s: IpvsStats, exact: boolean): string {
  return [s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes].map((n) => largenum(n, exact)).join('');
}

function serviceEntry(state: IpvsState, svc: VirtualService, f: ListFormat): string {
  const numeric = !!f.numeric;
  const exact = !!f.exact;
  const name = svcName(svc, numeric);
  let out: string;
  if (f.stats) out = padEnd(name, 33) + statsCols(svc.stats, exact);
  else if (f.rate) out = padEnd(name, 33) + statsCols({ conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0 }, exact);
  else out = serviceLine(svc, numeric);
  out += '\n';
  for (const d of sortedDests(state, svc, !!f.nosort)) {
    const dname = addrPort(d.addr, d.port, svc.protocol, numeric).slice(0, 28);
    if (f.stats) out += `  -> ${padEnd(dname, 28)}${statsCols(d.stats, exact)}\n`;
    else if (f.rate) out += `  -> ${padEnd(dname, 28)} ${padStart('0', 8)} ${padStart('0', 8)} ${padStart('0', 8)}${largenum(0, exact)}${largenum(0, exact)}\n`;
    else if (f.thresholds)
      out += `  -> ${padEnd(dname, 28)} ${padEnd(String(d.uThreshold), 10)} ${padEnd(String(d.lThreshold), 10)} ${padEnd(String(d.activeConns), 10)} ${padEnd(String(d.inactConns), 10)}\n`;
    else if (f.persistentConn)
      out += `  -> ${padEnd(dname, 28)} ${padEnd(String(d.weight), 9)} ${padEnd(String(d.persistConns), 11)} ${padEnd(String(d.activeConns), 10)} ${padEnd(String(d.inactConns), 10)}\n`;
    else out += `${serverLine(svc, d, numeric, !!f.tunInfo)}\n`;
  }
  return out;
}

/** A service's line of `ipvsadm -L` with the default columns: name, scheduler, its flags, persistence. */
export function serviceLine(svc: VirtualService, numeric: boolean): string {
  let out = `${svcName(svc, numeric)} ${svc.scheduler}`;
  const flags = schedFlagsText(svc);
  if (flags) out += ` (${flags})`;
  if (svc.flags & IP_VS_SVC_F_PERSISTENT) {
    out += ` persistent ${svc.timeout}`;
    if (svc.netmask >>> 0 !== 0xffffffff) out += ` mask ${formatIpv4(svc.netmask)}`;
  }
  if (svc.pe) out += ` pe ${svc.pe}`;
  if (svc.flags & IP_VS_SVC_F_ONEPACKET) out += ' ops';
  return out;
}

/** The forwarding method as `ipvsadm -L` names it in the Forward column. */
export function forwardName(d: RealServer): string {
  return FWD_NAME[d.method];
}

/** A real server's line of `ipvsadm -L` with the default columns (`tun`: and the tunnel's, as --tun-info). */
export function serverLine(svc: VirtualService, d: RealServer, numeric: boolean, tun = false): string {
  const dname = addrPort(d.addr, d.port, svc.protocol, numeric).slice(0, 28);
  let out = `  -> ${padEnd(dname, 28)} ${padEnd(FWD_NAME[d.method], 7)} ${padEnd(String(d.weight), 6)} ${padEnd(String(d.activeConns), 10)} ${padEnd(String(d.inactConns), 10)}`;
  if (tun) out += ` ${tunInfo(d)}`;
  return out;
}

/** `ipvsadm -L` in its variants (-n, --stats, --rate, --thresholds, --persistent-conn, --nosort, --exact, --tun-info). */
export function formatList(state: IpvsState, f: ListFormat = {}): string {
  if (f.only) return title(f) + serviceEntry(state, f.only, f);
  let out = listHeader(f);
  for (const svc of sortedServices(state, !!f.nosort)) out += serviceEntry(state, svc, f);
  return out;
}

/** `ipvsadm -S` (-n: numeric). Thresholds are not saved. */
export function formatSave(state: IpvsState, f: { numeric?: boolean; nosort?: boolean } = {}): string {
  const numeric = !!f.numeric;
  let out = '';
  for (const svc of sortedServices(state, !!f.nosort)) {
    const name = svcRuleName(svc, numeric);
    out += `-A ${name} -s ${svc.scheduler}`;
    if (svc.flags & IP_VS_SVC_F_PERSISTENT) {
      out += ` -p ${svc.timeout}`;
      if (svc.netmask >>> 0 !== 0xffffffff) out += ` -M ${formatIpv4(svc.netmask)}`;
    }
    if (svc.pe) out += ` --pe ${svc.pe}`;
    if (svc.flags & IP_VS_SVC_F_ONEPACKET) out += ' -o';
    const flags = schedFlagsText(svc);
    if (flags) out += ` -b ${flags}`;
    out += '\n';
    for (const d of sortedDests(state, svc, !!f.nosort)) {
      out += `-a ${name} -r ${addrPort(d.addr, d.port, svc.protocol, numeric)} ${FWD_SWITCH[d.method]} -w ${d.weight}`;
      if (d.method === 'tunnel') {
        const csum = ` --tun-${d.tunCsum}`;
        if (d.tunType === 'ipip') out += ' --tun-type ipip';
        else if (d.tunType === 'gue') out += ` --tun-type gue --tun-port ${d.tunPort}${csum}`;
        else out += ` --tun-type gre${csum}`;
      }
      out += '\n';
    }
  }
  return out;
}

function connProto(c: IpvsConn): string {
  return c.protocol === IPPROTO_TCP ? 'TCP' : c.protocol === IPPROTO_UDP ? 'UDP' : c.protocol === 132 ? 'SCTP' : 'IP';
}

/** One entry of `ipvsadm -L -c`, column by column. */
export interface ConnectionRow {
  pro: string;
  /** mm:ss until it expires */
  expire: string;
  state: string;
  source: string;
  virtual: string;
  destination: string;
}

/** The connections in the order `ipvsadm -L -c` lists them here: creation order (the kernel's follow its hash table). */
export function connectionRows(state: IpvsState, now: number, f: { numeric?: boolean } = {}): ConnectionRow[] {
  const numeric = !!f.numeric;
  return Object.values(state.conns)
    .sort((a, b) => a.seq - b.seq)
    .map((c) => {
      const left = Math.max(0, Math.floor((c.expires - now) / 1000));
      const p: IpvsProtocol = c.protocol === IPPROTO_UDP ? 'udp' : 'tcp';
      return {
        pro: connProto(c),
        expire: `${String(Math.floor(left / 60)).padStart(2, '0')}:${String(left % 60).padStart(2, '0')}`,
        state: c.template ? 'NONE' : c.state,
        source: addrPort(c.caddr, c.cport, p, numeric),
        virtual: addrPort(c.vaddr, c.vport, p, numeric),
        destination: addrPort(c.daddr, c.dport, p, numeric),
      };
    });
}

/** `ipvsadm -L -n -c`. Rows follow creation order; the kernel's follow its hash table. */
export function formatConnections(state: IpvsState, now: number, f: { numeric?: boolean } = {}): string {
  let out = 'IPVS connection entries\n';
  out += `pro expire ${padEnd('state', 11)} ${padEnd('source', 18)} ${padEnd('virtual', 18)} destination\n`;
  for (const r of connectionRows(state, now, f)) out += `${padEnd(r.pro, 3)} ${padEnd(r.expire, 6)} ${padEnd(r.state, 11)} ${padEnd(r.source, 18)} ${padEnd(r.virtual, 18)} ${r.destination}\n`;
  return out;
}
