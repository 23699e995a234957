// pattern: Functional Core
// Read-only views over a WalkLog's IPVS snapshots for the IPVS panel: which
// snapshot belongs to the step being shown (as the packet found IPVS, or as
// it left it), `ipvsadm -Ln` and `-Lnc` split into rows, and the scheduler's
// state with each server's address. The engine decided everything; these
// functions only find and lay out what it recorded.

import type { IpvsSnapshot, WalkNote } from '../../engine/sim/record';
import type { PacketView, WalkLog } from '../../engine/walk-log';
import type { SchedulerView } from '../../engine/ipvs/schedulers';
import { parseIpvsadm, applyIpvsadm } from '../../engine/ipvs/ipvsadm';
import { createIpvsState } from '../../engine/ipvs/state';
import type { IpvsState } from '../../engine/ipvs/types';
import { formatIpv4 } from '../../engine/net/addr';
import type { IpvsT } from './t';

export type IpvsNote = Extract<WalkNote, { kind: 'ipvs' }>;

/** Hosts of the walk that have virtual services, in the scenario's order. */
export function ipvsHosts(log: WalkLog | null): string[] {
  return log ? log.hosts.filter((h) => h.ipvs !== null && h.ipvs !== undefined).map((h) => h.name) : [];
}

export interface IpvsMoment {
  snapshot: IpvsSnapshot;
  /**
   * 'before': as the current packet found it; 'after': as it left it (its
   * IPVS note has passed); 'idle': between this host's packets (the last
   * one's state); 'start': before the host's first packet
   */
  when: 'before' | 'after' | 'idle' | 'start';
  /** the packet on this host the snapshot belongs to */
  packet: PacketView | null;
  /** the IPVS note of the current step, when the current step is one on this host */
  note: IpvsNote | null;
}

const packetsByHost = new WeakMap<WalkLog, Map<string, PacketView[]>>();

function hostPackets(log: WalkLog, host: string): PacketView[] {
  let m = packetsByHost.get(log);
  if (!m) {
    m = new Map();
    for (const p of [...log.packets].sort((a, b) => a.firstStep - b.firstStep)) (m.get(p.host) ?? m.set(p.host, []).get(p.host)!).push(p);
    packetsByHost.set(log, m);
  }
  return m.get(host) ?? [];
}

/** The latest packet on `host` that started at or before step `index` (binary search: packets are in step order). */
function packetAt(list: PacketView[], index: number): PacketView | null {
  let lo = 0;
  let hi = list.length - 1;
  let found: PacketView | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = list[mid]!;
    if (p.firstStep <= index) {
      found = p;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Has the packet's IPVS note been reached by step `index` (or the packet ended)? */
function ipvsPassed(log: WalkLog, p: PacketView, index: number): boolean {
  const last = Math.min(index, p.lastStep);
  if (index >= p.lastStep) return true;
  for (let j = p.firstStep; j <= last; j++) {
    const s = log.steps[j]!;
    if (s.kind === 'note' && s.note.kind === 'ipvs') return true;
  }
  return false;
}

/**
 * IPVS on `host` at step `index`: the snapshot of the packet there (before
 * or after its IPVS note), else the state the host's last packet left, else
 * the state its first packet found. Null when the host has no virtual services.
 */
export function ipvsAt(log: WalkLog, index: number, host: string): IpvsMoment | null {
  const view = log.hosts.find((h) => h.name === host);
  if (!view?.ipvs) return null;
  const list = hostPackets(log, host);
  const step = log.steps[index];
  const note = step && step.host === host && step.kind === 'note' && step.note.kind === 'ipvs' ? step.note : null;
  const p = packetAt(list, index);
  if (!p) {
    const first = list[0];
    return { snapshot: first?.ipvsBefore ?? view.ipvs, when: 'start', packet: first ?? null, note };
  }
  if (index > p.lastStep) return { snapshot: p.ipvsAfter ?? view.ipvs, when: 'idle', packet: p, note };
  const passed = ipvsPassed(log, p, index);
  const snapshot = (passed ? p.ipvsAfter : p.ipvsBefore) ?? view.ipvs;
  return { snapshot, when: passed ? 'after' : 'before', packet: p, note };
}

// ---------------------------------------------------------------- ipvsadm -Ln

export interface ListServer {
  line: string;
  /** RIP:RPORT */
  server: string;
  forward: string;
  weight: number;
  active: number;
  inactive: number;
}

export interface ListService {
  line: string;
  /** "TCP 10.0.0.100:80 rr": protocol, address and scheduler, as the walk's IPVS notes name a service */
  name: string;
  servers: ListServer[];
}

export interface ListView {
  header: string[];
  services: ListService[];
}

const listCache = new Map<string, ListView>();

/** `ipvsadm -Ln` split into its header, service lines and server lines. */
export function parseList(text: string): ListView {
  const hit = listCache.get(text);
  if (hit) return hit;
  const out: ListView = { header: [], services: [] };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const server = /^\s+->\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(line);
    const current = out.services[out.services.length - 1];
    if (server && current && !line.includes('RemoteAddress')) {
      current.servers.push({ line, server: server[1]!, forward: server[2]!, weight: Number(server[3]), active: Number(server[4]), inactive: Number(server[5]) });
      continue;
    }
    const svc = /^(TCP|UDP|SCTP|FWM)\s+(\S+)\s+(\S+)/.exec(line);
    if (svc) out.services.push({ line, name: `${svc[1]} ${svc[2]} ${svc[3]}`, servers: [] });
    else out.header.push(line);
  }
  if (listCache.size > 64) listCache.clear();
  listCache.set(text, out);
  return out;
}

// ---------------------------------------------------------------- ipvsadm -Lnc

export interface ConnRow {
  pro: string;
  expire: string;
  state: string;
  source: string;
  virtual: string;
  destination: string;
}

/** `ipvsadm -Lnc` rows (its two header lines dropped). */
export function parseConnections(text: string): ConnRow[] {
  const rows: ConnRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^(TCP|UDP|SCTP|IP)\s+(\d+:\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$/.exec(line);
    if (m) rows.push({ pro: m[1]!, expire: m[2]!, state: m[3]!, source: m[4]!, virtual: m[5]!, destination: m[6]! });
  }
  return rows;
}

// ---------------------------------------------------------------- scheduler state

const replayCache = new WeakMap<object, IpvsState>();

/**
 * The IPVS configuration a host's setup builds: its `ipvsadm` commands run
 * again, in order, with the engine's own ipvsadm (no packets, no timers).
 * Servers keep the kernel's list order and the engine's ids, which are handed
 * out in command order. Cached by setup identity.
 */
export function replayIpvs(setup: readonly unknown[]): IpvsState {
  const hit = replayCache.get(setup);
  if (hit) return hit;
  const state = createIpvsState();
  for (const cmd of setup) {
    if (typeof cmd !== 'string' || !cmd.trim().startsWith('ipvsadm')) continue;
    const p = parseIpvsadm(cmd.trim());
    if (!p.value || p.diagnostics.some((d) => d.severity === 'error')) continue;
    applyIpvsadm(state, p.value, 0);
  }
  replayCache.set(setup, state);
  return state;
}

/** Real-server ids → "addr:port" (snapshots name servers by id), servers in the trash included. */
export function serverNames(setup: readonly unknown[]): Map<number, string> {
  const names = new Map<number, string>();
  for (const d of Object.values(replayIpvs(setup).dests)) names.set(d.id, `${formatIpv4(d.addr)}:${d.port}`);
  return names;
}

export interface SchedulerRow {
  id: number;
  /** "addr:port", or "#id" when the id is not known */
  server: string;
  /** 1-based position in the kernel's list (`ipvsadm -a` inserts at the head) */
  position: number;
  weight: number;
  active: number;
  inactive: number;
  overhead: number;
  usable: boolean;
  /** rr: the server the pointer is on (the next pick is the first usable one after it) */
  pointer: boolean;
  /** sh/dh buckets or mh slots this server holds */
  slots: number | null;
}

export interface SchedulerSummary {
  service: string;
  scheduler: string;
  approximation: string | null;
  rows: SchedulerRow[];
  /** rr: the pointer is at the list head (no pick yet, or wrapped) */
  rrAtHead: boolean | null;
  wrr: { cw: number; mw: number; di: number; server: string | null } | null;
  /** sh/dh: 256 buckets, each a row index (or -1 for an empty bucket) */
  buckets: number[] | null;
  mh: { size: number; gcd: number; rshift: number; setup: { server: string; offset: number; skip: number; turns: number }[] } | null;
}

export function summarizeScheduler(service: string, raw: unknown, names: Map<number, string>): SchedulerSummary {
  const view = raw as SchedulerView;
  const name = (id: number | null) => (id === null ? null : (names.get(id) ?? `#${id}`));
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
    service,
    scheduler: view.scheduler,
    approximation: view.approximation ?? null,
    rows,
    rrAtHead: view.rr ? view.rr.pos === null : null,
    wrr: view.wrr ? { cw: view.wrr.cw, mw: view.wrr.mw, di: view.wrr.di, server: name(view.wrr.clServer) } : null,
    buckets: view.buckets ? view.buckets.map((id) => (id === null ? -1 : (rowOf.get(id) ?? -1))) : null,
    mh: view.mh ? { size: view.mh.lookup.length, gcd: view.mh.gcd, rshift: view.mh.rshift, setup: view.mh.setup.map((x) => ({ server: name(x.id)!, offset: x.offset, skip: x.skip, turns: x.turns })) } : null,
  };
}

/** The host's setup commands in a case object. */
export function hostSetupOf(scenario: Record<string, unknown>, host: string): readonly unknown[] {
  const hosts = Array.isArray(scenario.hosts) ? (scenario.hosts as { name?: unknown; setup?: unknown }[]) : [];
  const h = hosts.find((x) => x && x.name === host);
  return Array.isArray(h?.setup) ? (h.setup as unknown[]) : EMPTY;
}
const EMPTY: readonly unknown[] = [];

/** An IPVS note in words: "scheduled → 192.168.1.12:80 (masq)". */
export function noteSentence(t: IpvsT, n: IpvsNote): string {
  const method = n.method ?? '';
  switch (n.action) {
    case 'xmit':
      return t(n.scheduled ? (n.persistent ? 'ipvs.note.persistent' : 'ipvs.note.scheduled') : 'ipvs.note.connection', { server: n.server ?? '?', method });
    case 'snat':
      return t('ipvs.note.snat', { server: n.server ?? '?' });
    case 'drop':
      return t('ipvs.note.drop', { reason: n.reason ?? '' });
    case 'accept':
      return t('ipvs.note.accept', { reason: n.reason ?? '' });
  }
}

