// pattern: Functional Core
// The packets as the oracle reports them, from the engine's records.
//
// Packets the oracle never sees: with options.conntrack "on" the harness
// marks for tracing only packets without a conntrack (FORMAT.md §1.1), so
// an answer the kernel tied to the offending packet's connection (REJECT's
// ICMP error or RST, a routing error, nf_ct_attach) leaves no TRACE line on
// the host that sends it (difftest seed 1 cases 145, 152, 263). It still
// arrives, from no known sender, and the packet it answers shows no
// response: a routing error's packet is reported by the post-hoc route
// query instead (no_route rather than net_unreachable).
//
// Packets the oracle cuts in two. shared/oracle/lib/analysis.py group()
// rebuilds packets from each host's stream of TRACE events: an event
// continues a packet only in the same step, with the same fingerprint, in a
// hook that may follow, and, within one hook, in a table that runs later, or
// in the same table when the packet's last event there was not final (a
// "policy" line or a verdict target ends a table for it). Linux prints an
// unconditional -j RETURN in a built-in chain as "policy:N" (REPORT.md §5.6),
// and the chain's real policy follows in the same table: the oracle then
// closes the packet at the RETURN (it "reached no further hook") and opens a
// new one, with no sender, at the policy line (difftest seed 1 case 63). A
// target that changes fingerprinted fields (ECN's TCP flags) splits the same
// way.
//
// The engine keeps its records whole for the app; only the oracle-format
// result is built from what is chosen and cut here.

import type { HookName, TableName } from '../netfilter/hooks';
import { terminal, type PacketRecord, type Receiver, type RecordedEvent, type Verdict } from '../sim/record';
import type { World } from '../sim/world';
import { silentDropReason } from '../sim/route-query';
import { oracleFingerprint } from './oracle-link';

/** analysis.py PRIO: the table order within each hook. */
const PRIO: Record<HookName, Partial<Record<TableName, number>>> = {
  PREROUTING: { raw: -300, mangle: -150, nat: -100 },
  INPUT: { mangle: -150, filter: 0, security: 50, nat: 100 },
  FORWARD: { mangle: -150, filter: 0, security: 50 },
  OUTPUT: { raw: -300, mangle: -150, nat: -100, filter: 0, security: 50 },
  POSTROUTING: { mangle: -150, nat: 100 },
};

/** analysis.py NEXT: the hooks that may follow each hook. */
const NEXT: Record<HookName, readonly HookName[]> = {
  PREROUTING: ['PREROUTING', 'INPUT', 'FORWARD'],
  INPUT: ['INPUT'],
  FORWARD: ['FORWARD', 'POSTROUTING'],
  OUTPUT: ['OUTPUT', 'POSTROUTING'],
  POSTROUTING: ['POSTROUTING'],
};

/** analysis.py continues(): may `e` be the next event of the packet whose last event is `last`? */
function continues(last: RecordedEvent, e: RecordedEvent): boolean {
  if (last.packet !== e.packet && oracleFingerprint(last.packet) !== oracleFingerprint(e.packet)) return false;
  if (!NEXT[last.hook].includes(e.hook)) return false;
  if (e.hook !== last.hook) return true;
  const p0 = PRIO[last.hook][last.table] ?? 999;
  const p1 = PRIO[e.hook][e.table] ?? 999;
  if (p1 !== p0) return p1 > p0;
  return !terminal(last);
}

/**
 * Indexes where the oracle starts a new packet within `r`'s events. None
 * for a packet IPVS handled: the oracle's kernel has no IPVS (REPORT.md §6),
 * and the walk IPVS gives it (LOCAL_IN, then OUTPUT) is one packet.
 */
export function oracleCuts(r: PacketRecord): number[] {
  if (r.notes.some((n) => n.kind === 'ipvs')) return [];
  const cuts: number[] = [];
  for (let i = 1; i < r.events.length; i++) if (!continues(r.events[i - 1]!, r.events[i]!)) cuts.push(i);
  return cuts;
}

/** analysis.py routing_reason() from the ICMP error that answered the packet. */
function icmpReason(type: number, code: number): string {
  const k = `${type}/${code}`;
  const named: Record<string, string> = { '11/0': 'ttl_exceeded', '3/0': 'net_unreachable', '3/1': 'host_unreachable', '3/13': 'admin_prohibited', '3/4': 'fragmentation_needed' };
  return named[k] ?? `icmp_${type}_${code}`;
}

/** analysis.py disposition() of a piece that ends at a final event without being the packet's end. */
function pieceDisposition(whole: PacketRecord, piece: PacketRecord): Verdict {
  const last = piece.events[piece.events.length - 1]!;
  const at = { table: last.table, chain: last.chain, type: last.type, rulenum: last.rulenum };
  if (!terminal(last)) return { verdict: 'unknown', at };
  switch (last.hook) {
    case 'PREROUTING': {
      const resp = piece.response;
      if (resp && resp.kind === 'icmp') return { verdict: 'no_further_hook', reason: icmpReason(resp.type ?? 0, resp.code ?? 0) };
      const d = whole.disposition;
      return { verdict: 'no_further_hook', reason: d && d.verdict === 'no_further_hook' ? d.reason : 'unknown' };
    }
    case 'INPUT':
      return { verdict: 'local', host: whole.host };
    case 'OUTPUT':
      return { verdict: 'vanished_after_output', at };
    case 'FORWARD':
      return { verdict: 'vanished_after_forward', at };
    case 'POSTROUTING': {
      // a piece cut at an unconditional RETURN in nat POSTROUTING (printed "policy:N") already left its hook: the oracle says sent (case d1-0944)
      if (!last.out) return { verdict: 'unknown', at };
      const port = last.physout && last.physout !== last.out ? { port: last.physout } : {};
      return { verdict: 'sent', iface: last.out, ...port };
    }
  }
}

/** analysis.py accepted(): a piece whose last target lets it go on may have put the frame on the wire. */
const NOT_ACCEPTED = new Set(['DROP', 'REJECT', 'QUEUE', 'NFQUEUE']);

/**
 * analysis.py link(): a receiver belongs to the earliest of its sender's
 * pieces that left through the receiver's sending interface (last event in
 * POSTROUTING, accepted) with the receiver's fingerprint, not necessarily
 * the last piece: a packet cut at nat POSTROUTING "policy:N" RETURN hands
 * its receivers to the piece that ends there (case d1-0944).
 */
function carrierPiece(ps: PacketRecord[], wholeOut: string | null, receiverFirst: RecordedEvent | undefined): number {
  if (!receiverFirst || !wholeOut) return ps.length - 1;
  const fp = oracleFingerprint(receiverFirst.packet);
  for (let k = 0; k < ps.length; k++) {
    const last = ps[k]!.events.at(-1);
    if (!last || last.hook !== 'POSTROUTING' || (last.physout ?? last.out) !== wholeOut) continue;
    if (last.target !== null && NOT_ACCEPTED.has(last.target)) continue;
    if (oracleFingerprint(last.packet) === fp) return k;
  }
  return ps.length - 1;
}

export interface OracleRecords {
  /** the packets as the oracle reports them, in the engine's creation order */
  records: PacketRecord[];
  /** the pieces one engine record became (itself when it was not cut, none when the oracle does not see it) */
  piecesOf(r: PacketRecord): PacketRecord[];
}

/**
 * The oracle's packets: the engine's records without the untraced ones,
 * cut where analysis.py would cut them. When nothing changes the records
 * themselves come back; else every record is copied so the links between
 * them (sender, receivers, response) can point at the right piece, or at
 * nothing, without touching the engine's own records: a sender's receivers
 * get a cut packet's first piece, the receivers of a cut packet and its
 * answer belong to its last piece (an ICMP error quoting it is found for the
 * first piece too, by IP id). A later piece starts with no sender: the
 * oracle gave the sender's packet to the first piece.
 */
export function oracleRecords(world: World, records: PacketRecord[]): OracleRecords {
  const cuts = new Map<PacketRecord, number[]>();
  let hidden = false;
  for (const r of records) {
    if (r.untraced) {
      hidden = true;
      continue;
    }
    const c = oracleCuts(r);
    if (c.length) cuts.set(r, c);
  }
  if (cuts.size === 0 && !hidden) return { records, piecesOf: (r) => [r] };

  const pieces = new Map<PacketRecord, PacketRecord[]>();
  for (const r of records) {
    if (r.untraced) {
      pieces.set(r, []);
      continue;
    }
    const c = cuts.get(r) ?? [];
    const bounds = [0, ...c, r.events.length];
    const ps: PacketRecord[] = [];
    for (let k = 0; k + 1 < bounds.length; k++) {
      const events = r.events.slice(bounds[k], bounds[k + 1]);
      const first = events[0]!;
      // analysis.py asks `ip route get` only for packets it sees arrive (first event in PREROUTING)
      const ingress = first.hook === 'PREROUTING';
      ps.push({ ...r, events, origin: ingress ? 'ingress' : 'local', in: first.in, notes: [], noteStates: [], route: ingress ? r.route : null });
    }
    pieces.set(r, ps);
  }
  const firstOf = (r: PacketRecord): PacketRecord | undefined => pieces.get(r)?.[0];
  // the piece of each receiver's sender that the oracle links it to
  const carrierOf = new Map<PacketRecord, PacketRecord>();
  for (const r of records) {
    const ps = pieces.get(r)!;
    if (!ps.length) continue;
    const wholeLast = r.events.at(-1);
    const wholeOut = wholeLast ? (wholeLast.physout ?? wholeLast.out) : null;
    for (const x of r.receivedBy) carrierOf.set(x.packet, ps[ps.length > 1 ? carrierPiece(ps, wholeOut, x.packet.events[0]) : 0]!);
  }
  for (const r of records) {
    const ps = pieces.get(r)!;
    const answer = r.response ? firstOf(r.response.packet) : undefined;
    const resp = r.response && answer ? { ...r.response, packet: answer } : null;
    const carried = new Map<PacketRecord, Receiver[]>();
    for (const x of r.receivedBy) {
      const to = firstOf(x.packet);
      const carrier = carrierOf.get(x.packet);
      if (!to || !carrier) continue;
      const l = carried.get(carrier) ?? [];
      l.push({ ...x, packet: to });
      carried.set(carrier, l);
    }
    ps.forEach((p, k) => {
      const isFirst = k === 0;
      const isLast = k === ps.length - 1;
      p.fromPacket = (isFirst && r.fromPacket && (carrierOf.get(r) ?? pieces.get(r.fromPacket)?.at(-1))) || null;
      p.receivedBy = carried.get(p) ?? [];
      p.response = isLast || resp?.kind === 'icmp' ? resp : null;
      if (!isLast) p.disposition = pieceDisposition(r, p);
      else if (r.response && !resp && r.disposition?.verdict === 'no_further_hook') {
        // no ICMP error to name the reason: analysis.py asks the post-hoc route query, like for a silent drop
        const host = world.hosts.get(r.host);
        if (host) p.disposition = { verdict: 'no_further_hook', reason: silentDropReason(host.net, r, r.route, false) };
      }
    });
  }
  return { records: records.flatMap((r) => pieces.get(r)!), piecesOf: (r) => pieces.get(r) ?? [r] };
}
