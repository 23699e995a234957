// pattern: Functional Core
// Read-only views over a WalkLog's IPVS snapshots for the IPVS panel: which
// snapshot belongs to the step being shown (as the packet found IPVS, or as
// it left it). The snapshots are the engine's typed rows (`ipvsadm -Ln`,
// `-Lnc`, each scheduler's state with its servers by address); these
// functions only find the one that belongs to a step.

import type { WalkNote } from '../../engine/sim/record';
import type { IpvsSnapshot, SchedulerSummary } from '../../engine/ipvs/snapshot';
import type { PacketView, WalkLog } from '../../engine/walk-log';
import type { IpvsT } from './t';

export type { IpvsSnapshot, SchedulerSummary };

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

