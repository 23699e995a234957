// pattern: Functional Core
// The TRACE and LOG lines of the walk (output/trace-line.ts) for a recorded
// event or a LOG rule, normalised like the oracle's (output/normalize.ts)
// with the initial sequence numbers of the world's SYNs.

import { IPPROTO_TCP, TCP_SYN, type Packet } from '../net/packet';
import type { LogOptions } from '../iptables/targets';
import type { TargetInstance } from '../iptables/types';
import { formatLogLine, formatTraceLine, LOOPBACK_MAC_HEADER, type MacHeader } from '../output/trace-line';
import { createTraceNormalizer, normalizeLineText, type SeqSpace } from '../output/normalize';
import type { Host } from './host';
import type { PacketRecord, RecordedEvent } from './record';
import type { TargetEnv } from './targets';
import type { World } from './world';

function macHeader(world: World, host: string, e: RecordedEvent): MacHeader | null {
  if (!e.in) return null;
  if (e.in === 'lo') return LOOPBACK_MAC_HEADER;
  const dst = e.dstMac ?? world.macs.get(`${host}:${e.in}`);
  if (!e.srcMac || !dst) return null;
  return { src: e.srcMac, dst, ethertype: e.ethertype ?? 0x0800 };
}

const normalizers = new WeakMap<World, ReturnType<typeof createTraceNormalizer>>();

function normalizer(world: World): ReturnType<typeof createTraceNormalizer> {
  let n = normalizers.get(world);
  if (!n) {
    n = createTraceNormalizer();
    for (const r of world.records)
      for (const e of r.events) {
        const p = e.packet;
        if (p.tcp && p.tcp.flags & TCP_SYN) n.addIsn(p.tcp.seq);
        const inner = p.icmp?.inner;
        if (inner?.tcp && inner.tcp.flags & TCP_SYN) n.addIsn(inner.tcp.seq);
      }
    normalizers.set(world, n);
  }
  return n;
}

export function traceLine(world: World, rec: PacketRecord, e: RecordedEvent): string {
  const line = formatTraceLine({
    table: e.table,
    chain: e.chain,
    type: e.type,
    rulenum: e.rulenum,
    inIface: e.in,
    outIface: e.out,
    physIn: e.physin,
    physOut: e.physout,
    macHeader: macHeader(world, rec.host, e),
    packet: e.packet,
    mark: e.packet.mark,
    uid: e.uid,
    gid: e.uid,
  });
  return normalizeLineText(line, normalizer(world), seqSpace(e.packet));
}

/** The sequence space of the TCP header a line prints: the packet's own, or the one an ICMP error quotes. */
export function seqSpace(p: Packet): SeqSpace {
  const tcp = p.proto === IPPROTO_TCP ? p : p.icmp?.inner;
  return tcp?.craftedSeq ? 'crafted' : 'socket';
}

/** A kernel-printed line normalised like the oracle's (IP ids renumbered, SEQ/ACK relative). */
export function normalizeLine(world: World, line: string, space: SeqSpace = 'crafted'): string {
  return normalizeLineText(line, normalizer(world), space);
}

export function logLine(host: Host, t: TargetInstance, p: Packet, env: TargetEnv): string {
  const o = t.options as LogOptions;
  const last = env.rec.events[env.rec.events.length - 1];
  const e = { in: env.inIf, srcMac: last?.srcMac ?? null, dstMac: last?.dstMac ?? null } as RecordedEvent;
  const line = formatLogLine(o.prefix, o, {
    inIface: env.inIf,
    outIface: env.outIf,
    // br_netfilter's bridge ports print in LOG lines as in TRACE lines
    physIn: env.meta.physIn ?? null,
    physOut: env.meta.physOut ?? null,
    macHeader: macHeader(host.world, host.name, e),
    packet: p,
    mark: p.mark,
    uid: env.meta.uid,
    gid: env.meta.uid,
  });
  return line;
}
