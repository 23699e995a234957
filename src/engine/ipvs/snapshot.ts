// pattern: Functional Core
// IPVS at one moment of a walk as the page's panel shows it, in typed rows:
// `ipvsadm -Ln`'s services and real servers (each with the line ipvsadm
// prints), `ipvsadm -Lnc`'s connections column by column, and each
// scheduler's state with its servers named by address. Built from the state
// with ipvsadm's own line printers, so the page never reads ipvsadm's text
// back; plain data, since a walk log carries one per packet.

import { formatIpv4 } from '../net/addr';
import { connectionRows, forwardName, listHeader, serverLine, serviceLine, sortedDests, sortedServices, type ConnectionRow } from './ipvsadm-print';
import { describeScheduler } from './schedulers';
import type { IpvsState, VirtualService } from './types';

export type { ConnectionRow };

export interface IpvsServerRow {
  /** RIP:RPORT */
  server: string;
  /** `Masq`, `Route` or `Tunnel`, as the Forward column says */
  forward: string;
  weight: number;
  active: number;
  inactive: number;
  /** the server's line of `ipvsadm -Ln`, without trailing spaces */
  line: string;
}

export interface IpvsServiceRow {
  /** `TCP 10.0.0.100:80 rr`: protocol, address and scheduler, as the walk's IPVS notes name a service */
  name: string;
  /** the service's line of `ipvsadm -Ln` */
  line: string;
  /** in the order `ipvsadm -Ln` lists them */
  servers: IpvsServerRow[];
}

export interface SchedulerRow {
  /** the engine's id of the server */
  id: number;
  /** RIP:RPORT, or `#id` for a server no longer known */
  server: string;
  /** 1-based position in the kernel's list (`ipvsadm -a` inserts at the head) */
  position: number;
  weight: number;
  active: number;
  inactive: number;
  /** the load the least-connection schedulers compare (ip_vs_dest_conn_overhead; sed and nq: active + 1) */
  overhead: number;
  /** may the scheduler pick it (weight above 0, not overloaded) */
  usable: boolean;
  /** rr: the server the pointer is on (the next pick is the first usable one after it) */
  pointer: boolean;
  /** sh/dh buckets or mh slots this server holds */
  slots: number | null;
}

export interface SchedulerSummary {
  /** as IpvsServiceRow.name */
  service: string;
  scheduler: string;
  /** how the engine's scheduler differs from the kernel's, when it does */
  approximation: string | null;
  rows: SchedulerRow[];
  /** rr: the pointer is at the list head (no pick yet, or wrapped) */
  rrAtHead: boolean | null;
  /** wrr's current weight, maximum, step and the server its mark is on */
  wrr: { cw: number; mw: number; di: number; server: string | null } | null;
  /** sh/dh: 256 buckets, each a row index (or -1 for an empty bucket) */
  buckets: number[] | null;
  /** mh: the lookup table's size and each server's permutation seeds */
  mh: { size: number; gcd: number; rshift: number; setup: { server: string; offset: number; skip: number; turns: number }[] } | null;
}

export interface IpvsSnapshot {
  /** the lines `ipvsadm -Ln` prints before the first service */
  header: string[];
  services: IpvsServiceRow[];
  /** `ipvsadm -Lnc` */
  connections: ConnectionRow[];
  /** one per service, in the order the services were added */
  schedulers: SchedulerSummary[];
}

/** How the walk's IPVS notes and the panel name a virtual service: `TCP 10.0.0.100:80 rr`, `FWM 1 wrr`. */
export function ipvsServiceName(svc: VirtualService): string {
  return svc.fwmark ? `FWM ${svc.fwmark} ${svc.scheduler}` : `${svc.protocol.toUpperCase()} ${formatIpv4(svc.addr)}:${svc.port} ${svc.scheduler}`;
}

/** A scheduler's state with its servers named by address (servers in the trash too: connections still name them). */
export function schedulerSummary(state: IpvsState, svc: VirtualService): SchedulerSummary {
  const view = describeScheduler(state, svc);
  const name = (id: number | null): string | null => {
    if (id === null) return null;
    const d = state.dests[id];
    return d ? `${formatIpv4(d.addr)}:${d.port}` : `#${id}`;
  };
  const table = view.buckets ?? view.mh?.lookup ?? null;
  const counts = new Map<number, number>();
  if (table) for (const id of table) if (id !== null) counts.set(id, (counts.get(id) ?? 0) + 1);
  const rows: SchedulerRow[] = view.servers.map((s, k) => ({
    id: s.id,
    server: name(s.id)!,
    position: k + 1,
    weight: s.weight,
    active: s.active,
    inactive: s.inactive,
    overhead: s.overhead,
    usable: s.usable,
    pointer: view.rr?.pos === s.id,
    slots: table ? (counts.get(s.id) ?? 0) : null,
  }));
  const rowOf = new Map(rows.map((r, k) => [r.id, k]));
  return {
    service: ipvsServiceName(svc),
    scheduler: view.scheduler,
    approximation: view.approximation ?? null,
    rows,
    rrAtHead: view.rr ? view.rr.pos === null : null,
    wrr: view.wrr ? { cw: view.wrr.cw, mw: view.wrr.mw, di: view.wrr.di, server: name(view.wrr.clServer) } : null,
    buckets: view.buckets ? view.buckets.map((id) => (id === null ? -1 : (rowOf.get(id) ?? -1))) : null,
    mh: view.mh ? { size: view.mh.lookup.length, gcd: view.mh.gcd, rshift: view.mh.rshift, setup: view.mh.setup.map((x) => ({ server: name(x.id)!, offset: x.offset, skip: x.skip, turns: x.turns })) } : null,
  };
}

let header: readonly string[] | null = null;

/** IPVS on a host now: what `ipvsadm -Ln` and `-Lnc` list, and each scheduler's state. */
export function ipvsSnapshot(state: IpvsState, nowMs: number): IpvsSnapshot {
  // the same three lines for every host and moment
  header ??= listHeader({ numeric: true })
    .split('\n')
    .filter((l) => l !== '');
  return {
    header: [...header],
    services: sortedServices(state, false).map((svc) => ({
      name: ipvsServiceName(svc),
      line: serviceLine(svc, true),
      servers: sortedDests(state, svc, false).map((d) => ({
        server: `${formatIpv4(d.addr)}:${d.port}`,
        forward: forwardName(d),
        weight: d.weight,
        active: d.activeConns,
        inactive: d.inactConns,
        line: serverLine(svc, d, true).trimEnd(),
      })),
    })),
    connections: connectionRows(state, nowMs, { numeric: true }),
    schedulers: state.services.map((svc) => schedulerSummary(state, svc)),
  };
}
