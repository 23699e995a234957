// pattern: Functional Core
// The IPVS control plane of one host (ip_vs_ctl.c): virtual services and
// real servers added, edited and deleted the way the kernel does it, with
// the kernel's error texts as libipvs prints them (ipvs_strerror). The
// functions mutate the IpvsState they are given (it is plain data; take a
// snapshot with cloneIpvsState first when history matters).
//
// Real servers are linked at the HEAD of the service's list (list_add_rcu),
// so VirtualService.dests is in reverse order of addition, which is the
// order every scheduler walks. A deleted server keeps living while
// connections still count on it (the kernel's trash) and is revived, with
// its counters, if the same address:port is added back.

import type {
  FwdMethod,
  IpvsProtocol,
  IpvsState,
  IpvsStats,
  IpvsSysctl,
  RealServer,
  SchedulerName,
  TunCsum,
  TunType,
  VirtualService,
} from './types';
import {
  DEFAULT_IPVS_SYSCTL,
  DEFAULT_TCP_TIMEOUTS,
  DEFAULT_UDP_TIMEOUT,
  dropKey,
  IP_VS_SVC_F_PERSISTENT,
  IPVS_SVC_PERSISTENT_TIMEOUT,
  SCHEDULER_NAMES,
} from './types';
import { initScheduler, schedulerAddDest, schedulerDelDest, schedulerUpdDest } from './schedulers';

export function emptyStats(): IpvsStats {
  return { conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0 };
}

export function createIpvsState(sysctl: Partial<IpvsSysctl> = {}): IpvsState {
  return {
    services: [],
    dests: {},
    conns: {},
    outIndex: {},
    sysctl: { ...DEFAULT_IPVS_SYSCTL, ...sysctl },
    timeouts: { tcp: { ...DEFAULT_TCP_TIMEOUTS }, udp: DEFAULT_UDP_TIMEOUT },
    nextId: 1,
    nextSeq: 1,
  };
}

/** A deep copy through JSON: the state is plain data by design. */
export function cloneIpvsState(state: IpvsState): IpvsState {
  return JSON.parse(JSON.stringify(state)) as IpvsState;
}

/** Restore a state from JSON text or a parsed object (no validation beyond the shape's top level). */
export function ipvsStateFromJSON(json: unknown): IpvsState | null {
  const v = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
  if (!v || typeof v !== 'object') return null;
  const o = v as Partial<IpvsState>;
  if (!Array.isArray(o.services) || typeof o.dests !== 'object' || typeof o.conns !== 'object') return null;
  const base = createIpvsState();
  return { ...base, ...(o as IpvsState), sysctl: { ...base.sysctl, ...(o.sysctl ?? {}) } };
}

/** IPVS hooks exist only once the first service does (recent kernels register them lazily). */
export function ipvsHooksRegistered(state: IpvsState): boolean {
  return state.services.length > 0;
}

// ---------------------------------------------------------------- selectors

/** How a command names a virtual service: -t/-u/--sctp-service VIP:PORT or -f MARK. */
export type ServiceSelector = { fwmark: number } | { fwmark?: 0; protocol: IpvsProtocol; addr: number; port: number };

export function findService(state: IpvsState, sel: ServiceSelector): VirtualService | undefined {
  if (sel.fwmark) return state.services.find((s) => s.fwmark === sel.fwmark);
  const s = sel as { protocol: IpvsProtocol; addr: number; port: number };
  return state.services.find((x) => x.fwmark === 0 && x.protocol === s.protocol && x.addr === s.addr && x.port === s.port);
}

export function serviceDests(state: IpvsState, svc: VirtualService): RealServer[] {
  const out: RealServer[] = [];
  for (const id of svc.dests) {
    const d = state.dests[id];
    if (d) out.push(d);
  }
  return out;
}

export function findDest(state: IpvsState, svc: VirtualService, addr: number, port: number): RealServer | undefined {
  for (const id of svc.dests) {
    const d = state.dests[id];
    if (d && d.addr === addr && d.port === port) return d;
  }
  return undefined;
}

// ---------------------------------------------------------------- services

export interface ServiceSpec {
  scheduler: string;
  /** IP_VS_SVC_F_* bits: persistent, one-packet, sched flags */
  flags: number;
  timeout: number;
  netmask: number;
  pe: string;
}

export const DEFAULT_SERVICE_SPEC: Readonly<ServiceSpec> = {
  scheduler: 'wlc',
  flags: 0,
  timeout: IPVS_SVC_PERSISTENT_TIMEOUT,
  netmask: 0xffffffff,
  pe: '',
};

/** Result of a control operation: null on success, else the message ipvsadm prints. */
export type CtlError = string | null;

// libipvs' ipvs_strerror texts for the errnos the kernel returns
export const E_SVC_EXISTS = 'Service already exists';
export const E_NO_SCHED = 'Scheduler or persistence engine not found';
export const E_NO_SERVICE = 'No such service';
export const E_SVC_NOT_DEFINED = 'Service not defined';
export const E_DEST_EXISTS = 'Destination already exists';
export const E_NO_DEST = 'No such destination';
export const E_RANGE = 'Numerical result out of range';

function knownScheduler(name: string): name is SchedulerName {
  return (SCHEDULER_NAMES as readonly string[]).includes(name);
}

function knownPe(name: string): boolean {
  return name === '' || name === 'sip';
}

export function addService(state: IpvsState, sel: ServiceSelector, spec: ServiceSpec): CtlError {
  if (findService(state, sel)) return E_SVC_EXISTS;
  if (!knownScheduler(spec.scheduler) || !knownPe(spec.pe)) return E_NO_SCHED;
  const plain = sel.fwmark ? null : (sel as { protocol: IpvsProtocol; addr: number; port: number });
  const svc: VirtualService = {
    id: state.nextId++,
    fwmark: sel.fwmark ?? 0,
    protocol: plain ? plain.protocol : 'tcp',
    addr: plain ? plain.addr : 0,
    port: plain ? plain.port : 0,
    scheduler: spec.scheduler,
    flags: spec.flags,
    timeout: spec.flags & IP_VS_SVC_F_PERSISTENT ? spec.timeout : 0,
    netmask: spec.netmask >>> 0,
    pe: spec.pe,
    dests: [],
    sched: { kind: 'none' },
    stats: emptyStats(),
  };
  svc.sched = initScheduler(state, svc);
  state.services.push(svc);
  return null;
}

/** `ipvsadm -E`: every field is replaced (ipvsadm sends them all). A new scheduler starts from a fresh state. */
export function editService(state: IpvsState, sel: ServiceSelector, spec: ServiceSpec): CtlError {
  const svc = findService(state, sel);
  if (!svc) return E_NO_SERVICE;
  if (!knownScheduler(spec.scheduler) || !knownPe(spec.pe)) return E_NO_SCHED;
  const changed = svc.scheduler !== spec.scheduler;
  svc.scheduler = spec.scheduler;
  svc.flags = spec.flags;
  svc.timeout = spec.flags & IP_VS_SVC_F_PERSISTENT ? spec.timeout : 0;
  svc.netmask = spec.netmask >>> 0;
  svc.pe = spec.pe;
  if (changed) svc.sched = initScheduler(state, svc);
  return null;
}

export function deleteService(state: IpvsState, sel: ServiceSelector): CtlError {
  const svc = findService(state, sel);
  if (!svc) return E_NO_SERVICE;
  for (const id of svc.dests) {
    const d = state.dests[id];
    if (!d) continue;
    d.available = false;
    collectDest(state, d);
  }
  svc.dests = [];
  state.services = state.services.filter((s) => s !== svc);
  return null;
}

/** `ipvsadm -C`. Connections stay until they expire; their servers are no longer available. */
export function flushServices(state: IpvsState): void {
  for (const svc of state.services.slice()) deleteService(state, { fwmark: svc.fwmark, protocol: svc.protocol, addr: svc.addr, port: svc.port } as ServiceSelector);
}

export function zeroStats(state: IpvsState, sel: ServiceSelector | null): CtlError {
  const list = sel ? [findService(state, sel)] : state.services;
  if (sel && !list[0]) return E_NO_SERVICE;
  for (const svc of list) {
    if (!svc) continue;
    svc.stats = emptyStats();
    for (const d of serviceDests(state, svc)) d.stats = emptyStats();
  }
  return null;
}

/** `ipvsadm --set tcp tcpfin udp` (seconds; 0 keeps the current value). */
export function setTimeouts(state: IpvsState, tcp: number, tcpfin: number, udp: number): void {
  if (tcp > 0) state.timeouts.tcp.ESTABLISHED = tcp;
  if (tcpfin > 0) state.timeouts.tcp.FIN_WAIT = tcpfin;
  if (udp > 0) state.timeouts.udp = udp;
}

// ---------------------------------------------------------------- real servers

export interface DestSpec {
  addr: number;
  port: number;
  weight: number;
  method: FwdMethod;
  uThreshold: number;
  lThreshold: number;
  tunType: TunType;
  tunPort: number;
  tunCsum: TunCsum;
}

export const DEFAULT_DEST_SPEC: Readonly<Omit<DestSpec, 'addr' | 'port'>> = {
  weight: 1,
  method: 'route',
  uThreshold: 0,
  lThreshold: 0,
  tunType: 'ipip',
  tunPort: 0,
  tunCsum: 'nocsum',
};

function checkDestSpec(spec: DestSpec): CtlError {
  if (spec.weight < 0) return E_RANGE;
  if (spec.lThreshold > spec.uThreshold) return E_RANGE;
  return null;
}

/** `ipvsadm -a`: link at the head of the list (or revive the same server from the trash), then add_dest. */
export function addDest(state: IpvsState, sel: ServiceSelector, spec: DestSpec): CtlError {
  const svc = findService(state, sel);
  if (!svc) return E_SVC_NOT_DEFINED;
  const bad = checkDestSpec(spec);
  if (bad) return bad;
  if (findDest(state, svc, spec.addr, spec.port)) return E_DEST_EXISTS;
  let d = Object.values(state.dests).find((x) => !x.available && x.serviceId === svc.id && x.addr === spec.addr && x.port === spec.port);
  if (!d) {
    d = {
      id: state.nextId++,
      serviceId: svc.id,
      addr: spec.addr >>> 0,
      port: spec.port,
      weight: 0,
      lastWeight: 0,
      method: spec.method,
      tunType: spec.tunType,
      tunPort: spec.tunPort,
      tunCsum: spec.tunCsum,
      uThreshold: 0,
      lThreshold: 0,
      overloaded: false,
      available: false,
      activeConns: 0,
      inactConns: 0,
      persistConns: 0,
      stats: emptyStats(),
    };
    state.dests[d.id] = d;
  }
  applyDestSpec(d, spec, true);
  d.available = true;
  svc.dests.unshift(d.id);
  schedulerAddDest(state, svc);
  return null;
}

function applyDestSpec(d: RealServer, spec: DestSpec, add: boolean): void {
  // an edit clears OVERLOAD when the upper threshold is removed or raised
  if (spec.uThreshold === 0 || spec.uThreshold > d.uThreshold) d.overloaded = false;
  d.weight = spec.weight;
  if (add || spec.weight > 0) d.lastWeight = spec.weight;
  d.method = spec.method;
  d.uThreshold = spec.uThreshold;
  d.lThreshold = spec.lThreshold;
  d.tunType = spec.tunType;
  d.tunPort = spec.tunPort;
  d.tunCsum = spec.tunCsum;
}

/** `ipvsadm -e`: weight, method and thresholds change in place; upd_dest runs. */
export function editDest(state: IpvsState, sel: ServiceSelector, spec: DestSpec): CtlError {
  const svc = findService(state, sel);
  if (!svc) return E_SVC_NOT_DEFINED;
  const bad = checkDestSpec(spec);
  if (bad) return bad;
  const d = findDest(state, svc, spec.addr, spec.port);
  if (!d) return E_NO_DEST;
  applyDestSpec(d, spec, false);
  schedulerUpdDest(state, svc);
  return null;
}

/** `ipvsadm -d`: unlink, clear AVAILABLE, del_dest. Connections keep counting on the object. */
export function deleteDest(state: IpvsState, sel: ServiceSelector, addr: number, port: number): CtlError {
  const svc = findService(state, sel);
  if (!svc) return E_SVC_NOT_DEFINED;
  const d = findDest(state, svc, addr, port);
  if (!d) return E_NO_DEST;
  const idx = svc.dests.indexOf(d.id);
  const predecessor = idx > 0 ? svc.dests[idx - 1]! : null;
  svc.dests.splice(idx, 1);
  d.available = false;
  schedulerDelDest(state, svc, d, predecessor);
  collectDest(state, d);
  return null;
}

/** Free a deleted server once nothing counts on it any more. */
export function collectDest(state: IpvsState, d: RealServer): void {
  if (!d.available && d.activeConns === 0 && d.inactConns === 0 && d.persistConns === 0) dropKey(state.dests, d.id);
}
