// pattern: Imperative Shell
// Replays the packets the real kernel traced in oracle cases through a
// ConntrackTable per host and checks, packet by packet and step by step,
// that conntrack agrees with Linux 6.18:
//  - nat chains are traversed exactly for the packets the kernel sent
//    through them (needsNatLookup: NEW vs established vs INVALID),
//  - the addresses and ports that reached the wire after NAT (including
//    replies and translated ICMP errors) are the kernel's,
//  - `conntrack -L` after every step equals the kernel's listing.
// NAT targets are not evaluated here (that is the walker's job): the range
// a DNAT/SNAT/MASQUERADE rule chose is read back from the kernel's result.
// Fixtures: trimmed copies of shared/oracle/cases/*.kernel.json.

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../net/addr';
import type { Packet } from '../net/packet';
import {
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  TCP_ACK,
  TCP_CWR,
  TCP_ECE,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
} from '../net/packet';
import { ConntrackTable } from './table';
import type { CtEntryView, CtRef, NatManip } from './types';

interface Hdr {
  src: string;
  dst: string;
  proto: string | number;
  sport?: number;
  dport?: number;
  flags?: string;
  data_len?: number;
  type?: number;
  code?: number;
  id?: number;
  seq?: number;
  len?: number;
  mark?: number;
  inner?: Hdr;
}

interface FixtureEvent {
  table: string;
  hook: string;
  chain: string;
  target: string | null;
  rule?: string;
  changed?: Record<string, string | number>;
  type: string;
}

interface FixturePacket {
  id: number;
  step: number;
  host: string;
  origin: 'local' | 'ingress';
  in: string | null;
  from_packet: number | null;
  headers: Hdr;
  wire_headers: Hdr | null;
  events: FixtureEvent[];
  disposition: { verdict: string; at?: { table: string }; response?: { kind: string; packet: number } };
  tcp?: { seq?: number; ack?: number; window?: number; options: string };
}

interface Fixture {
  case: string;
  conntrack_hosts: string[];
  steps: { n: number; packets: number[]; conntrack: Record<string, CtEntryView[]> }[];
  packets: FixturePacket[];
}

const here = dirname(fileURLToPath(import.meta.url));
const fixtureDir = join(here, 'fixtures');

function loadFixtures(): Fixture[] {
  return readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(fixtureDir, f), 'utf8')) as Fixture);
}

function ip(s: string): number {
  const v = parseIpv4(s);
  if (v === null) throw new Error(`bad address ${s}`);
  return v;
}

const FLAG_BITS: Record<string, number> = {
  SYN: TCP_SYN,
  ACK: TCP_ACK,
  FIN: TCP_FIN,
  RST: TCP_RST,
  PSH: TCP_PSH,
  URG: TCP_URG,
  ECE: TCP_ECE,
  CWR: TCP_CWR,
};

function protoNumber(p: string | number): number {
  if (p === 'tcp') return IPPROTO_TCP;
  if (p === 'udp') return IPPROTO_UDP;
  if (p === 'icmp') return IPPROTO_ICMP;
  return Number(p);
}

function packetFromHdr(h: Hdr, tcp?: FixturePacket['tcp']): Packet {
  const proto = protoNumber(h.proto);
  const p: Packet = {
    src: ip(h.src),
    dst: ip(h.dst),
    proto,
    ttl: 64,
    tos: 0,
    len: h.len ?? 0,
    ipid: 0,
    df: true,
    mark: h.mark ?? 0,
    payload: '',
  };
  if (proto === IPPROTO_TCP) {
    let flags = 0;
    for (const name of (h.flags ?? '').split(',')) if (name) flags |= FLAG_BITS[name] ?? 0;
    p.sport = h.sport;
    p.dport = h.dport;
    p.tcp = {
      seq: tcp?.seq ?? 0,
      ack: tcp?.ack ?? 0,
      flags,
      window: tcp?.window ?? 64240,
      urgp: 0,
      options: tcp?.options ?? '',
    };
    p.payload = 'x'.repeat(h.data_len ?? 0);
  } else if (proto === IPPROTO_UDP) {
    p.sport = h.sport;
    p.dport = h.dport;
    p.payload = 'x'.repeat(Math.max(0, (h.len ?? 28) - 28));
  } else if (proto === IPPROTO_ICMP) {
    p.icmp = { type: h.type ?? 0, code: h.code ?? 0 };
    if (h.id !== undefined) p.icmp.id = h.id;
    if (h.seq !== undefined) p.icmp.seq = h.seq;
    if (h.inner) p.icmp.inner = packetFromHdr(h.inner);
  }
  return p;
}

/** Header fields as the oracle prints them, for comparing what left the host. */
function wireView(p: Packet): Record<string, unknown> {
  const v: Record<string, unknown> = { src: fmt(p.src), dst: fmt(p.dst) };
  if (p.sport !== undefined) v.sport = p.sport;
  if (p.dport !== undefined) v.dport = p.dport;
  if (p.icmp?.id !== undefined) v.id = p.icmp.id;
  if (p.icmp?.inner) v.inner = wireView(p.icmp.inner);
  return v;
}

function hdrView(h: Hdr): Record<string, unknown> {
  const v: Record<string, unknown> = { src: h.src, dst: h.dst };
  if (h.sport !== undefined) v.sport = h.sport;
  if (h.dport !== undefined) v.dport = h.dport;
  if (h.id !== undefined) v.id = h.id;
  if (h.inner) v.inner = hdrView(h.inner);
  return v;
}

function fmt(a: number): string {
  return `${(a >>> 24) & 255}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

const VERDICTS_THAT_STOP = new Set(['drop', 'reject', 'queue', 'no_further_hook']);

function replay(fx: Fixture): void {
  const tables = new Map<string, ConntrackTable>();
  for (const h of fx.conntrack_hosts) tables.set(h, new ConntrackTable());
  const refs = new Map<number, CtRef>();
  const resetFor = new Map<number, number>();
  for (const p of fx.packets) {
    const r = p.disposition.response;
    if (r && r.kind === 'tcp-reset') resetFor.set(r.packet, p.id);
  }
  const byId = new Map(fx.packets.map((p) => [p.id, p]));
  let clock = 0;

  for (const step of fx.steps) {
    clock = step.n * 1000;
    for (const id of step.packets) {
      const fp = byId.get(id)!;
      const ct = tables.get(fp.host);
      clock += 1;
      if (!ct) continue;
      const where = `${fx.case} packet #${fp.id} (${fp.host})`;
      const pkt = packetFromHdr(fp.headers, fp.tcp);
      const firstHook = fp.origin === 'local' ? 'OUTPUT' : 'PREROUTING';
      if (fp.events.some((e) => e.table === 'raw' && (e.target === 'DROP' || e.target === 'REJECT'))) continue;
      const untracked = fp.events.some(
        (e) => e.table === 'raw' && (e.target === 'NOTRACK' || (e.target === 'CT' && (e.rule ?? '').includes('--notrack'))),
      );

      let ref: CtRef;
      const rejected = resetFor.get(fp.id);
      if (fp.origin === 'ingress' && fp.in === 'lo' && fp.from_packet !== null && refs.has(fp.from_packet)) {
        ref = refs.get(fp.from_packet)!;
      } else if (rejected !== undefined && refs.has(rejected)) {
        ref = ct.attachRelated(refs.get(rejected)!) ?? ct.in(pkt, { hook: firstHook, nowMs: clock, untracked });
      } else {
        ref = ct.in(pkt, { hook: firstHook, nowMs: clock, untracked });
      }
      refs.set(fp.id, ref);

      // Track the skb mark through the events for CONNMARK --save-mark.
      let mark = fp.headers.mark ?? 0;
      for (const e of fp.events) {
        if (e.changed && typeof e.changed.mark === 'number') mark = e.changed.mark;
        if (e.target === 'CONNMARK' && (e.rule ?? '').includes('--save-mark') && ref.entry) ref.entry.mark = mark;
      }

      natAt(ct, ref, pkt, fp, firstHook, 'DST', where);

      const verdict = fp.disposition.verdict;
      if (VERDICTS_THAT_STOP.has(verdict)) {
        ct.discard(ref);
        continue;
      }
      const secondHook = verdict === 'local' ? 'INPUT' : 'POSTROUTING';
      natAt(ct, ref, pkt, fp, secondHook, 'SRC', where);
      if (verdict === 'sent' && fp.wire_headers) {
        expect(wireView(pkt), `${where}: headers on the wire`).toEqual(hdrView(fp.wire_headers));
      }
      expect(ct.confirm(ref), `${where}: confirm`).toBe(true);
    }
    for (const [host, ct] of tables) {
      expect(ct.list(clock + 300), `${fx.case} step ${step.n}: conntrack -L on ${host}`).toEqual(
        step.conntrack[host] ?? [],
      );
    }
  }
}

function natAt(
  ct: ConntrackTable,
  ref: CtRef,
  pkt: Packet,
  fp: FixturePacket,
  hook: string,
  manip: NatManip,
  where: string,
): void {
  const natEvents = fp.events.filter((e) => e.table === 'nat' && e.hook === hook);
  expect(ct.needsNatLookup(ref, manip), `${where}: traverses nat ${hook}`).toBe(natEvents.length > 0);
  if (natEvents.length > 0) {
    const target = natEvents.find((e) => e.target && ['DNAT', 'REDIRECT', 'SNAT', 'MASQUERADE'].includes(e.target));
    if (target && manip === 'DST') {
      // The rewritten destination shows in the next event's `changed`.
      const idx = fp.events.indexOf(target);
      const after = fp.events.slice(idx + 1).find((e) => e.changed && ('dst' in e.changed || 'dport' in e.changed));
      const dst = after?.changed?.dst !== undefined ? ip(String(after.changed.dst)) : pkt.dst;
      const dport = after?.changed?.dport !== undefined ? Number(after.changed.dport) : pkt.dport;
      ct.setupNat(ref, 'DST', { minAddr: dst, maxAddr: dst, minPort: dport, maxPort: dport });
    } else if (target && manip === 'SRC' && fp.wire_headers) {
      const src = ip(fp.wire_headers.src);
      const sport = fp.wire_headers.sport;
      ct.setupNat(ref, 'SRC', { minAddr: src, maxAddr: src, minPort: sport, maxPort: sport });
    } else {
      ct.setupNullBinding(ref, manip);
    }
  }
  expect(ct.applyNat(pkt, ref, hook).verdict, `${where}: nat verdict at ${hook}`).toBe('ACCEPT');
}

describe('conntrack replays the kernel: nat traversal, rewrites and conntrack -L per step', () => {
  for (const fx of loadFixtures()) {
    it(fx.case, () => replay(fx));
  }
});
