// pattern: Functional Core
// The packet walk's view of a host's conntrack table (conntrack/): the
// lookups and NAT set-up the hooks make, confirmation with what a helper
// rewrote, -m connlimit's count, the namespace's nf_conntrack_* sysctls,
// and the walk log's conntrack step.

import { formatIpv4 } from '../net/addr';
import type { Packet } from '../net/packet';
import * as sysctl from '../net/sysctl';
import { ConntrackTable, type NatResult } from '../conntrack/table';
import type { CtEntryView, CtRef as CtRefT, NatManip, NatRewrite } from '../conntrack/types';
import { entryView, listRow, type CtListRow } from '../conntrack/view';
import { IPS_CONFIRMED } from '../conntrack/types';
import { conncount, ConncountData } from '../conntrack/conncount';
import { packetTuple } from '../conntrack/tuple';
import type { Rule } from '../iptables/types';
import type { CtView } from '../conntrack/types';
import type { HookName } from '../netfilter/hooks';
import type { Host } from './host';
import { addNote, type CtNoteState, type PacketRecord } from './record';

export type Conntrack = ConntrackTable;
export type CtRef = CtRefT;

export function createConntrack(): Conntrack {
  return new ConntrackTable();
}

/** conntrack reads net.netfilter.nf_conntrack_* of its namespace (case p05: tcp_loose=0). */
export function syncConntrackSysctl(host: Host): void {
  const n = (k: string) => sysctl.sysctlNumber(host.net, `net.netfilter.${k}`);
  const s = host.ct.sysctl;
  s.tcpLoose = n('nf_conntrack_tcp_loose');
  s.tcpBeLiberal = n('nf_conntrack_tcp_be_liberal');
  s.tcpIgnoreInvalidRst = n('nf_conntrack_tcp_ignore_invalid_rst');
  s.tcpMaxRetrans = n('nf_conntrack_tcp_max_retrans');
  s.acct = n('nf_conntrack_acct');
}

export function ctIn(ct: Conntrack, p: Packet, hook: HookName, nowMs: number, untracked = false, helper?: string): CtRef {
  return ct.in(p, { hook: hook === 'OUTPUT' ? 'OUTPUT' : 'PREROUTING', nowMs, untracked, ...(helper ? { helper } : {}) });
}

export function ctView(ct: Conntrack, ref: CtRef): CtView | null {
  return ct.view(ref);
}

export function untrackedView(): CtView {
  return { state: 'UNTRACKED', reply: false, status: { expected: false, seenReply: false, assured: false, confirmed: false }, mark: 0, snat: false, dnat: false };
}

export function ctNeedsNat(ct: Conntrack, ref: CtRef, manip: NatManip, proto: number): boolean {
  return ct.needsNatLookup(ref, manip, proto);
}

export function ctNullBinding(ct: Conntrack, ref: CtRef, manip: NatManip): void {
  ct.setupNullBinding(ref, manip);
}

export function ctApplyNat(ct: Conntrack, ref: CtRef, p: Packet, hook: HookName): NatResult {
  return ct.applyNat(p, ref, hook);
}

/** NAT rewrites as a field → [before, after] map, addresses dotted. */
export function rewriteFields(rw: readonly NatRewrite[]): Record<string, [number | string, number | string]> {
  const out: Record<string, [number | string, number | string]> = {};
  for (const r of rw) {
    const addr = r.field === 'src' || r.field === 'dst' || r.field.endsWith('.src') || r.field.endsWith('.dst');
    out[r.field] = addr ? [formatIpv4(r.before), formatIpv4(r.after)] : [r.before, r.after];
  }
  return out;
}

/** conntrack's view of one packet, for the walk's conntrack step. */
export function ctNote(ref: CtRef): { state: string; reply: boolean; entry: string | null; entryId: number | null; reason: string | null } {
  const e = ref.entry;
  let entry: string | null = null;
  if (e) {
    const v = entryView(e);
    const t = v.orig as Record<string, unknown>;
    entry = `${v.proto} ${t.src}${t.sport !== undefined ? `:${t.sport}` : ''} → ${t.dst}${t.dport !== undefined ? `:${t.dport}` : ''}${v.state ? ` ${v.state}` : ''}`;
  }
  return { state: ref.ctinfo, reply: ref.dir === 1, entry, entryId: e ? e.id : null, reason: ref.reason ?? null };
}

/** The packet's connection as a step leaves it, for step inspection (null: no connection). */
export function ctNoteState(ref: CtRef | null, nowMs: number): CtNoteState | null {
  const e = ref?.entry;
  if (!ref || !e) return null;
  return { row: listRow(e, nowMs), dir: ref.dir === 1 ? 'reply' : 'original', confirmed: (e.status & IPS_CONFIRMED) !== 0 };
}

/**
 * nf_confirm: the connection's helper, the sequence shift, then
 * confirmation; false: dropped. What a NAT helper rewrote (nf_nat_ftp's
 * address in the payload, seqadj's sequence numbers) is noted on the
 * record as a NAT step after the last event.
 */
export function ctConfirm(ct: Conntrack, ref: CtRef, p: Packet, nowMs: number, loopback: boolean, rec: PacketRecord, hook: HookName): boolean {
  const before = { len: p.len, data_len: p.payload.length, seq: p.tcp?.seq, ack: p.tcp?.ack };
  const ok = ct.confirmPacket(p, ref, nowMs, loopback, rec.origin === 'local');
  const after = { len: p.len, data_len: p.payload.length, seq: p.tcp?.seq, ack: p.tcp?.ack };
  const fields: Record<string, [number, number]> = {};
  for (const k of ['len', 'data_len', 'seq', 'ack'] as const) {
    const a = before[k];
    const b = after[k];
    if (a !== undefined && b !== undefined && a !== b) fields[k] = [a, b];
  }
  if (Object.keys(fields).length) addNote(rec, { kind: 'nat', at: rec.events.length, hook, fields }, p, ctNoteState(ref, nowMs));
  return ok;
}

/** Why nf_confirm dropped the packet it was just given. */
export function ctConfirmDropNote(ct: Conntrack): string {
  return `dropped by conntrack at confirmation: ${ct.lastConfirmDrop ?? 'its tuple clashes with an existing connection'}`;
}

export function ctDiscard(ct: Conntrack, ref: CtRef): void {
  ct.discard(ref);
}

export function ctList(ct: Conntrack, nowMs?: number): CtEntryView[] {
  return ct.list(nowMs);
}

/** The table as the app lists it: entries with ids, seconds left and `conntrack -L` lines (`reap` as ctList with nowMs). */
export function ctRows(ct: Conntrack, nowMs: number, reap: boolean): CtListRow[] {
  return ct.rows(nowMs, reap);
}

export function ctSetClosing(ct: Conntrack, ref: CtRef, nowMs: number): void {
  ct.setClosing(ref, nowMs);
}

/** -m connlimit's count for this packet (nf_conncount), with the rule's lists kept per rule. */
export function connCount(host: Host, rule: Rule, key: number, p: Packet, ref: CtRef | null): number {
  const data = host.ruleState(rule, 'connlimit', () => new ConncountData());
  const world = host.world;
  return conncount(data, key, host.ct, { ref, tuple: packetTuple(p) }, world.nowMs, {
    epoch: world.processWakeups,
    skipped: () => world.timingFinding(host.name, 'connlimit count across a process wakeup', `a -m connlimit rule met a packet whose connection had just closed in the same jiffy as its last count, with the work of a process (such as a listener's close()) in between: nf_conncount collects closed connections at most once per jiffy (4 ms), so whether the kernel still counts it — or counts 0 and drops the packet — depends on how long that process took; the engine keeps the count`),
  });
}

export function ctRelated(ct: Conntrack, ref: CtRef | null): CtRef | null {
  return ref ? ct.attachRelated(ref) : null;
}
