// pattern: Functional Core
// The NAT side of helpers (net/netfilter/nf_nat_helper.c and
// nf_conntrack_seqadj.c): an expected connection NATed like its master
// (nf_nat_follow_master), the search for a free port to announce
// (nf_nat_exp_find_port), rewriting an address inside a TCP payload
// (nf_nat_mangle_tcp_packet) and the sequence-number shift that rewriting
// leaves on the rest of the connection (nf_ct_seqadj_set / nf_ct_seq_adjust /
// nf_ct_seq_offset).

import type { Packet } from '../../net/packet';
import { TCP_ACK } from '../../net/packet';
import type { CtExpect } from '../expect';
import type { NatEnv } from '../nat';
import { setupInfo } from '../nat';
import type { CtDir, CtEntry, NatSeq } from '../types';
import { IPS_SEQ_ADJUST } from '../types';
import type { HelperEnv } from './helper';

const u32 = (n: number): number => n >>> 0;
/** after(a, b) of include/net/tcp.h: a is later than b in sequence space */
const after = (a: number, b: number): boolean => ((b - a) | 0) < 0;

/**
 * nf_nat_follow_master: the expected connection's source becomes the
 * address the master sends to, its destination the master's source with
 * the port the expectation saved. Both bindings exist from the first
 * packet on, so the nat chains never see this connection.
 */
export function natFollowMaster(e: CtEntry, exp: CtExpect, master: CtEntry, env: NatEnv): void {
  const d = exp.dir === 0 ? 1 : 0;
  const mt = master.tuple[d];
  setupInfo(e, { minAddr: mt.dst, maxAddr: mt.dst }, 'SRC', env);
  setupInfo(e, { minAddr: mt.src, maxAddr: mt.src, minPort: exp.savedPort, maxPort: exp.savedPort }, 'DST', env);
}

/**
 * nf_nat_exp_find_port: announce `port` if no other expectation holds it,
 * else up to 128 random ports above it. Returns the port, 0 when none was free.
 */
export function natExpFindPort(exp: CtExpect, port: number, env: HelperEnv): number {
  const min = port;
  const range = 0xffff - port;
  let attemptsLeft = Math.min(range, 128);
  for (;;) {
    exp.tuple.dport = port;
    const res = env.expectRelated(exp);
    if (res === 0) return port;
    if (res !== 'EBUSY' || --attemptsLeft < 0) break;
    port = min + env.randomBelow(range);
  }
  return 0;
}

/**
 * nf_nat_mangle_tcp_packet: replace `matchLen` bytes at `matchOff` of the
 * payload with `replacement`; the IP length follows. A change of length is
 * recorded for the sequence-number shift of this direction (nf_ct_seqadj_set).
 */
export function natMangleTcp(p: Packet, e: CtEntry, dir: CtDir, matchOff: number, matchLen: number, replacement: string): void {
  const data = p.payload;
  p.payload = data.slice(0, matchOff) + replacement + data.slice(matchOff + matchLen);
  const diff = replacement.length - matchLen;
  p.len += diff;
  if (diff !== 0 && p.tcp) seqadjSet(e, dir, p.tcp.seq, diff);
}

function emptySeq(): NatSeq {
  return { correctionPos: 0, offsetBefore: 0, offsetAfter: 0 };
}

/** nf_ct_seqadj_set: from `seq` on, this direction's sequence numbers move by `off` more. */
export function seqadjSet(e: CtEntry, dir: CtDir, seq: number, off: number): void {
  if (off === 0) return;
  e.status |= IPS_SEQ_ADJUST;
  const adj = (e.seqAdj ??= [emptySeq(), emptySeq()]);
  const w = adj[dir];
  // one correction per window: only a change after the last one moves the point
  if (w.offsetBefore === w.offsetAfter || after(u32(seq), w.correctionPos)) {
    w.correctionPos = u32(seq);
    w.offsetBefore = w.offsetAfter;
    w.offsetAfter += off;
  }
}

/** nf_ct_seq_offset: how far a sequence number of `dir` has moved. */
export function seqOffset(e: CtEntry, dir: CtDir, seq: number): number {
  const w = e.seqAdj?.[dir];
  if (!w) return 0;
  return after(u32(seq), w.correctionPos) ? w.offsetAfter : w.offsetBefore;
}

/**
 * nf_ct_seq_adjust: shift the sequence number of a segment of `dir` and
 * its acknowledgement of the other direction, so each end keeps seeing a
 * consistent byte stream after the payload changed length. SACK blocks are
 * not shifted (the simulated stacks never send any).
 */
export function seqAdjust(p: Packet, e: CtEntry, dir: CtDir): void {
  const t = p.tcp;
  const adj = e.seqAdj;
  if (!t || !adj) return;
  const thisWay = adj[dir];
  const otherWay = adj[dir === 0 ? 1 : 0];
  const seqoff = after(u32(t.seq), thisWay.correctionPos) ? thisWay.offsetAfter : thisWay.offsetBefore;
  t.seq = u32(t.seq + seqoff);
  if (!(t.flags & TCP_ACK)) return;
  const ackoff = after(u32(t.ack - otherWay.offsetBefore), otherWay.correctionPos) ? otherWay.offsetAfter : otherWay.offsetBefore;
  t.ack = u32(t.ack - ackoff);
}
