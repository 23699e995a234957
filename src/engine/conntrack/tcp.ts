// pattern: Functional Core
// TCP connection tracking as net/netfilter/nf_conntrack_proto_tcp.c does it
// in Linux 6.18: the flag sanity check (tcp_error), the first-packet check
// (tcp_new, where nf_conntrack_tcp_loose lets a stray ACK pick up a
// connection), the state table tcp_conntracks[dir][index][state], the
// window tracking of tcp_in_window and the timeout choice. Sequence
// arithmetic is modulo 2^32 like the kernel's before()/after().

import type { Packet } from '../net/packet';
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../net/packet';
import type { ConntrackSysctl, CtDir, CtEntry, TcpCtState, TcpSeen } from './types';
import { seqOffset } from './helpers/nat-helper';
import {
  IPS_ASSURED,
  IPS_FIXED_TIMEOUT,
  IPS_SEEN_REPLY,
  IP_CT_DIR_ORIGINAL,
  IP_CT_DIR_REPLY,
  TCP_CONNTRACK_CLOSE,
  TCP_CONNTRACK_CLOSE_WAIT,
  TCP_CONNTRACK_ESTABLISHED,
  TCP_CONNTRACK_FIN_WAIT,
  TCP_CONNTRACK_IGNORE,
  TCP_CONNTRACK_LAST_ACK,
  TCP_CONNTRACK_MAX,
  TCP_CONNTRACK_NAMES,
  TCP_CONNTRACK_NONE,
  TCP_CONNTRACK_SYN_RECV,
  TCP_CONNTRACK_SYN_SENT,
  TCP_CONNTRACK_SYN_SENT2,
  TCP_CONNTRACK_TIME_WAIT,
} from './types';

// enum tcp_bit_set
export const TCP_SYN_SET = 0;
export const TCP_SYNACK_SET = 1;
export const TCP_FIN_SET = 2;
export const TCP_ACK_SET = 3;
export const TCP_RST_SET = 4;
export const TCP_NONE_SET = 5;

// IP_CT_TCP_FLAG_* (include/uapi/linux/netfilter/nf_conntrack_tcp.h)
export const IP_CT_TCP_FLAG_WINDOW_SCALE = 0x01;
export const IP_CT_TCP_FLAG_SACK_PERM = 0x02;
export const IP_CT_TCP_FLAG_CLOSE_INIT = 0x04;
export const IP_CT_TCP_FLAG_BE_LIBERAL = 0x08;
export const IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED = 0x10;
export const IP_CT_TCP_FLAG_MAXACK_SET = 0x20;
export const IP_CT_EXP_CHALLENGE_ACK = 0x40;
export const IP_CT_TCP_SIMULTANEOUS_OPEN = 0x80;

const TCP_MAX_WSCALE = 14;
const MAXACKWINCONST = 66000;

const sSS = TCP_CONNTRACK_SYN_SENT;
const sSR = TCP_CONNTRACK_SYN_RECV;
const sES = TCP_CONNTRACK_ESTABLISHED;
const sFW = TCP_CONNTRACK_FIN_WAIT;
const sCW = TCP_CONNTRACK_CLOSE_WAIT;
const sLA = TCP_CONNTRACK_LAST_ACK;
const sTW = TCP_CONNTRACK_TIME_WAIT;
const sCL = TCP_CONNTRACK_CLOSE;
const sS2 = TCP_CONNTRACK_SYN_SENT2;
const sIV = TCP_CONNTRACK_MAX;
const sIG = TCP_CONNTRACK_IGNORE;

/** tcp_conntracks[dir][index][old state] of Linux 6.18. */
const TCP_CONNTRACKS: readonly (readonly (readonly number[])[])[] = [
  [
    // ORIGINAL      sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2
    /* syn    */ [sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2],
    /* synack */ [sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR],
    /* fin    */ [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
    /* ack    */ [sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV],
    /* rst    */ [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    /* none   */ [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
  ],
  [
    // REPLY         sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2
    /* syn    */ [sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2],
    /* synack */ [sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR],
    /* fin    */ [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
    /* ack    */ [sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG],
    /* rst    */ [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    /* none   */ [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
  ],
];

function transition(dir: CtDir, index: number, state: number): number {
  return TCP_CONNTRACKS[dir]![index]![state]!;
}

/** get_conntrack_index */
export function tcpIndex(flags: number): number {
  if (flags & TCP_RST) return TCP_RST_SET;
  if (flags & TCP_SYN) return flags & TCP_ACK ? TCP_SYNACK_SET : TCP_SYN_SET;
  if (flags & TCP_FIN) return TCP_FIN_SET;
  if (flags & TCP_ACK) return TCP_ACK_SET;
  return TCP_NONE_SET;
}

// tcp_valid_flags[]: PSH, ECE and CWR are always allowed on top of these.
const VALID_FLAGS = new Set<number>([
  TCP_SYN,
  TCP_SYN | TCP_URG,
  TCP_SYN | TCP_ACK,
  TCP_RST,
  TCP_RST | TCP_ACK,
  TCP_FIN | TCP_ACK,
  TCP_FIN | TCP_ACK | TCP_URG,
  TCP_ACK,
  TCP_ACK | TCP_URG,
]);

/** tcp_error(): the kernel's message when the header is unacceptable, else null. */
export function tcpError(p: Packet): string | null {
  if (!p.tcp) return 'truncated packet';
  const f = p.tcp.flags & ~(TCP_ECE | TCP_CWR | TCP_PSH) & 0xff;
  if (!VALID_FLAGS.has(f)) return 'invalid tcp flag combination';
  return null;
}

/** Outcome of nf_conntrack_tcp_packet for the table. */
export type TcpVerdict =
  /** NF_ACCEPT, state and timeout updated */
  | 'ACCEPT'
  /** NF_ACCEPT without a state change (sIG, or window check said ignore) */
  | 'IGNORE'
  /** -NF_ACCEPT: the packet goes on without a conntrack (ctstate INVALID) */
  | 'INVALID'
  /** -NF_REPEAT: an old entry was killed to let a SYN reopen the tuple; look up again */
  | 'REPEAT'
  /** NF_ACCEPT, but the conntrack was killed (first answer was a RST) */
  | 'KILL';

export interface TcpResult {
  verdict: TcpVerdict;
  /** the kernel's log text for INVALID / IGNORE */
  reason?: string;
  /** NF_ACCEPT before nf_ct_refresh_acct: the packet is not counted (a retransmitted SYN) */
  uncounted?: boolean;
}

const ACCEPT: TcpResult = { verdict: 'ACCEPT' };
const KILL: TcpResult = { verdict: 'KILL' };
const REPEAT: TcpResult = { verdict: 'REPEAT' };

function before(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

function after(a: number, b: number): boolean {
  return before(b, a);
}

function u32(x: number): number {
  return x >>> 0;
}

function emptySeen(): TcpSeen {
  return { tdEnd: 0, tdMaxend: 0, tdMaxwin: 0, tdMaxack: 0, tdScale: 0, flags: 0 };
}

export function emptyTcpState(): TcpCtState {
  return {
    state: TCP_CONNTRACK_NONE,
    seen: [emptySeen(), emptySeen()],
    lastDir: IP_CT_DIR_ORIGINAL,
    lastIndex: TCP_NONE_SET,
    lastSeq: 0,
    lastAck: 0,
    lastEnd: 0,
    lastWin: 0,
    lastWscale: 0,
    lastFlags: 0,
    retrans: 0,
  };
}

/** segment_seq_plus_len: SYN and FIN each take one sequence number. */
function segmentEnd(p: Packet): number {
  const t = p.tcp!;
  return u32(t.seq + p.payload.length + (t.flags & TCP_SYN ? 1 : 0) + (t.flags & TCP_FIN ? 1 : 0));
}

function optionBytes(hex: string): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < hex.length && out.length < 40; i += 2) {
    const b = parseInt(hex.slice(i, i + 2), 16);
    out.push(Number.isNaN(b) ? 0 : b);
  }
  return out;
}

/** tcp_options(): window scale and SACK-permitted of a SYN. */
function tcpOptions(p: Packet, s: TcpSeen): void {
  const bytes = optionBytes(p.tcp!.options);
  if (bytes.length === 0) return;
  s.tdScale = 0;
  s.flags &= IP_CT_TCP_FLAG_BE_LIBERAL;
  let i = 0;
  while (i < bytes.length) {
    const kind = bytes[i]!;
    if (kind === 0) return;
    if (kind === 1) {
      i++;
      continue;
    }
    if (i + 1 >= bytes.length) return;
    const size = bytes[i + 1]!;
    if (size < 2 || i + size > bytes.length) return;
    if (kind === 4 && size === 2) s.flags |= IP_CT_TCP_FLAG_SACK_PERM;
    else if (kind === 3 && size === 3) {
      s.tdScale = Math.min(bytes[i + 2]!, TCP_MAX_WSCALE);
      s.flags |= IP_CT_TCP_FLAG_WINDOW_SCALE;
    }
    i += size;
  }
}

/** tcp_sack(): the highest right edge of the SACK blocks, or `sack` unchanged. */
function tcpSack(p: Packet, sack: number): number {
  const hex = p.tcp!.options;
  // Fast path of the kernel too: no options, or only NOP,NOP,timestamp.
  if (hex.length === 0 || (hex.length === 24 && hex.startsWith('0101080A'))) return sack;
  const bytes = optionBytes(hex);
  let i = 0;
  while (i < bytes.length) {
    const kind = bytes[i]!;
    if (kind === 0) return sack;
    if (kind === 1) {
      i++;
      continue;
    }
    if (i + 1 >= bytes.length) return sack;
    const size = bytes[i + 1]!;
    if (size < 2 || i + size > bytes.length) return sack;
    if (kind === 5 && size >= 10 && (size - 2) % 8 === 0) {
      for (let j = i + 2; j + 8 <= i + size; j += 8) {
        const right = u32((bytes[j + 4]! << 24) | (bytes[j + 5]! << 16) | (bytes[j + 6]! << 8) | bytes[j + 7]!);
        if (after(right, sack)) sack = right;
      }
      return sack;
    }
    i += size;
  }
  return sack;
}

/**
 * tcp_new(): decide whether this first packet may create a conntrack and
 * initialise the window data. Returns the kernel's log message when not.
 */
export function tcpNew(p: Packet, sysctl: ConntrackSysctl): TcpCtState | string {
  const t = p.tcp!;
  const newState = transition(IP_CT_DIR_ORIGINAL, tcpIndex(t.flags), TCP_CONNTRACK_NONE);
  if (newState >= TCP_CONNTRACK_MAX) return 'invalid new';
  const st = emptyTcpState();
  const s0 = st.seen[0];
  s0.tdEnd = segmentEnd(p);
  s0.tdMaxwin = t.window === 0 ? 1 : t.window;
  if (newState === TCP_CONNTRACK_SYN_SENT) {
    s0.tdMaxend = s0.tdEnd;
    tcpOptions(p, s0);
  } else {
    if (sysctl.tcpLoose === 0) return 'invalid new';
    // Picking up a connection in the middle: its history is lost, so both
    // sides are tracked liberally (SACK assumed, out-of-window accepted).
    s0.tdMaxend = u32(s0.tdEnd + s0.tdMaxwin);
    s0.flags = IP_CT_TCP_FLAG_SACK_PERM | IP_CT_TCP_FLAG_BE_LIBERAL;
    st.seen[1].flags = IP_CT_TCP_FLAG_SACK_PERM | IP_CT_TCP_FLAG_BE_LIBERAL;
  }
  st.lastIndex = TCP_NONE_SET;
  return st;
}

function initSender(sender: TcpSeen, receiver: TcpSeen, p: Packet, end: number, win: number, dir: CtDir): void {
  sender.tdEnd = end;
  sender.tdMaxend = end;
  sender.tdMaxwin = win === 0 ? 1 : win;
  tcpOptions(p, sender);
  // RFC 1323: scaling only when both sides offered it.
  if (
    dir === IP_CT_DIR_REPLY &&
    !(sender.flags & IP_CT_TCP_FLAG_WINDOW_SCALE && receiver.flags & IP_CT_TCP_FLAG_WINDOW_SCALE)
  ) {
    sender.tdScale = 0;
    receiver.tdScale = 0;
  }
}

type WindowAction = 'ACCEPT' | 'IGNORE' | 'INVALID';

/** tcp_in_window(); `why` receives the kernel's log message for IGNORE/INVALID. */
function tcpInWindow(
  st: TcpCtState,
  dir: CtDir,
  index: number,
  p: Packet,
  sysctl: ConntrackSysctl,
  why: { text: string },
  entry: CtEntry,
): WindowAction {
  const t = p.tcp!;
  const sender = st.seen[dir];
  const receiver = st.seen[dir === 0 ? 1 : 0];
  const hasAck = (t.flags & TCP_ACK) !== 0;
  const isSyn = (t.flags & TCP_SYN) !== 0;
  let seq = u32(t.seq);
  let ack = u32(t.ack);
  let sack = ack;
  const winRaw = t.window & 0xffff;
  let win = winRaw;
  let end = segmentEnd(p);

  if (receiver.flags & IP_CT_TCP_FLAG_SACK_PERM) sack = tcpSack(p, sack);

  // the peer acknowledges the byte stream a NAT helper rewrote: count in its shift
  const receiverOffset = seqOffset(entry, dir === 0 ? 1 : 0, u32(ack - 1));
  ack = u32(ack - receiverOffset);
  sack = u32(sack - receiverOffset);

  const invalid = (ret: WindowAction, text: string): WindowAction => {
    if (sender.flags & IP_CT_TCP_FLAG_BE_LIBERAL || sysctl.tcpBeLiberal) return 'ACCEPT';
    why.text = text;
    return ret;
  };

  if (sender.tdMaxwin === 0) {
    if (isSyn) {
      initSender(sender, receiver, p, end, win, dir);
      if (!hasAck) return 'ACCEPT'; // simultaneous open
    } else {
      sender.tdEnd = end;
      const swin = u32(win << sender.tdScale);
      sender.tdMaxwin = swin === 0 ? 1 : swin;
      sender.tdMaxend = u32(end + sender.tdMaxwin);
      if (receiver.tdMaxwin === 0) {
        receiver.tdEnd = sack;
        receiver.tdMaxend = sack;
      } else if (sack === u32(receiver.tdEnd + 1)) {
        receiver.tdEnd = u32(receiver.tdEnd + 1);
      }
    }
  } else if (
    isSyn &&
    after(end, sender.tdEnd) &&
    (st.state === TCP_CONNTRACK_SYN_SENT || st.state === TCP_CONNTRACK_SYN_RECV)
  ) {
    initSender(sender, receiver, p, end, win, dir);
    if (dir === IP_CT_DIR_REPLY && !hasAck) return 'ACCEPT';
  }

  if (!hasAck) {
    ack = sack = receiver.tdEnd;
  } else if ((t.flags & (TCP_ACK | TCP_RST)) === (TCP_ACK | TCP_RST) && ack === 0) {
    ack = sack = receiver.tdEnd;
  }

  if (t.flags & TCP_RST && seq === 0 && st.state === TCP_CONNTRACK_SYN_SENT) {
    seq = end = sender.tdEnd;
  }

  const maxAckWindow = sender.tdMaxwin > MAXACKWINCONST ? sender.tdMaxwin : MAXACKWINCONST;
  if (!before(seq, u32(sender.tdMaxend + 1))) {
    const overshot = u32(end - sender.tdMaxend + 1);
    const ackOk = after(sack, u32(receiver.tdEnd - maxAckWindow - 1));
    const inRecvWin = receiver.tdMaxwin !== 0 && after(end, u32(sender.tdEnd - receiver.tdMaxwin - 1));
    if (inRecvWin && ackOk && overshot <= receiver.tdMaxwin && before(sack, u32(receiver.tdEnd + 1))) {
      sender.tdEnd = end;
      sender.flags |= IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED;
      return invalid('IGNORE', `${overshot} bytes more than expected`);
    }
    return invalid(
      'INVALID',
      `SEQ is over upper bound ${u32(sender.tdMaxend + 1)} (over the window of the receiver)`,
    );
  }
  if (!before(sack, u32(receiver.tdEnd + 1))) {
    return invalid('INVALID', `ACK is over upper bound ${u32(receiver.tdEnd + 1)} (ACKed data not seen yet)`);
  }
  const inRecvWin = receiver.tdMaxwin === 0 || after(end, u32(sender.tdEnd - receiver.tdMaxwin - 1));
  if (!inRecvWin) {
    return invalid(
      'IGNORE',
      `SEQ is under lower bound ${u32(sender.tdEnd - receiver.tdMaxwin - 1)} (already ACKed data retransmitted)`,
    );
  }
  if (!after(sack, u32(receiver.tdEnd - maxAckWindow - 1))) {
    return invalid(
      'IGNORE',
      `ignored ACK under lower bound ${u32(receiver.tdEnd - maxAckWindow - 1)} (possible overly delayed)`,
    );
  }

  if (!isSyn) win = u32(win << sender.tdScale);
  const swin = u32(win + (sack - ack));
  if (sender.tdMaxwin < swin) sender.tdMaxwin = swin;
  if (after(end, sender.tdEnd)) {
    sender.tdEnd = end;
    sender.flags |= IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED;
  }
  if (hasAck) {
    if (!(sender.flags & IP_CT_TCP_FLAG_MAXACK_SET)) {
      sender.tdMaxack = ack;
      sender.flags |= IP_CT_TCP_FLAG_MAXACK_SET;
    } else if (after(ack, sender.tdMaxack)) {
      sender.tdMaxack = ack;
    }
  }
  if (receiver.tdMaxwin !== 0 && after(end, sender.tdMaxend)) {
    receiver.tdMaxwin = u32(receiver.tdMaxwin + (end - sender.tdMaxend));
  }
  if (after(u32(sack + win), u32(receiver.tdMaxend - 1))) {
    receiver.tdMaxend = u32(sack + win);
    if (win === 0) receiver.tdMaxend = u32(receiver.tdMaxend + 1);
  }
  if (ack === receiver.tdEnd) receiver.flags &= ~IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED;

  if (index === TCP_ACK_SET) {
    if (st.lastDir === dir && st.lastSeq === seq && st.lastAck === ack && st.lastEnd === end && st.lastWin === winRaw) {
      st.retrans++;
    } else {
      st.lastDir = dir;
      st.lastSeq = seq;
      st.lastAck = ack;
      st.lastEnd = end;
      st.lastWin = winRaw;
      st.retrans = 0;
    }
  }
  return 'ACCEPT';
}

function canEarlyDrop(state: number): boolean {
  return (
    state === TCP_CONNTRACK_FIN_WAIT ||
    state === TCP_CONNTRACK_LAST_ACK ||
    state === TCP_CONNTRACK_TIME_WAIT ||
    state === TCP_CONNTRACK_CLOSE ||
    state === TCP_CONNTRACK_CLOSE_WAIT
  );
}

function isEstablished(entry: CtEntry): boolean {
  return entry.tcp!.state === TCP_CONNTRACK_ESTABLISHED && (entry.status & IPS_ASSURED) !== 0;
}

/** Timeout of a TCP state in seconds (tn->timeouts[state]). */
export function tcpStateTimeout(state: number, sysctl: ConntrackSysctl): number {
  const t = sysctl.timeouts;
  switch (state) {
    case TCP_CONNTRACK_SYN_SENT:
    case TCP_CONNTRACK_SYN_SENT2:
      return t.tcpSynSent;
    case TCP_CONNTRACK_SYN_RECV:
      return t.tcpSynRecv;
    case TCP_CONNTRACK_ESTABLISHED:
      return t.tcpEstablished;
    case TCP_CONNTRACK_FIN_WAIT:
      return t.tcpFinWait;
    case TCP_CONNTRACK_CLOSE_WAIT:
      return t.tcpCloseWait;
    case TCP_CONNTRACK_LAST_ACK:
      return t.tcpLastAck;
    case TCP_CONNTRACK_TIME_WAIT:
      return t.tcpTimeWait;
    case TCP_CONNTRACK_CLOSE:
      return t.tcpClose;
    default:
      return t.tcpSynSent;
  }
}

/**
 * nf_conntrack_tcp_packet() for a packet already attached to `entry` in
 * direction `dir`. Updates the TCP state, the ASSURED bit and the expiry.
 * SEEN_REPLY is the caller's business (nf_conntrack_in sets it afterwards).
 */
export function tcpPacket(
  entry: CtEntry,
  p: Packet,
  dir: CtDir,
  sysctl: ConntrackSysctl,
  nowMs: number,
): TcpResult {
  const st = entry.tcp!;
  const t = p.tcp!;
  const oldState = st.state;
  const index = tcpIndex(t.flags);
  // the resynchronising SYN/ACK below rewrites the old state, as the kernel does
  let from = oldState;
  let newState = transition(dir, index, oldState);
  const other = dir === 0 ? 1 : 0;
  const why = { text: '' };
  let skipWindow = false;

  switch (newState) {
    case TCP_CONNTRACK_SYN_SENT:
      if (oldState < TCP_CONNTRACK_TIME_WAIT) break;
      // A SYN reopening a closed or aborted connection: the old entry goes
      // and the lookup starts over (RFC 1122 TIME-WAIT reuse).
      if (
        (st.seen[dir].flags | st.seen[other].flags) & IP_CT_TCP_FLAG_CLOSE_INIT ||
        (st.lastDir === dir && st.lastIndex === TCP_RST_SET)
      ) {
        return REPEAT;
      }
      return ignored(st, dir, index, p, oldState);
    case TCP_CONNTRACK_IGNORE:
      if (
        index === TCP_SYNACK_SET &&
        st.lastIndex === TCP_SYN_SET &&
        st.lastDir !== dir &&
        u32(t.ack) === st.lastEnd
      ) {
        // The SYN/ACK answers a SYN we ignored: client and server are in
        // sync, we were not; resynchronise from the annotated SYN.
        from = TCP_CONNTRACK_SYN_SENT;
        newState = TCP_CONNTRACK_SYN_RECV;
        resyncFromIgnoredSyn(st, dir);
        break;
      }
      return ignored(st, dir, index, p, oldState);
    case TCP_CONNTRACK_MAX:
      return {
        verdict: 'INVALID',
        reason: `packet (index ${index}) in dir ${dir} invalid, state ${TCP_CONNTRACK_NAMES[oldState]}`,
      };
    case TCP_CONNTRACK_TIME_WAIT:
      if (
        oldState === TCP_CONNTRACK_LAST_ACK &&
        index === TCP_ACK_SET &&
        st.lastDir !== dir &&
        st.lastIndex === TCP_SYN_SET &&
        st.lastFlags & IP_CT_EXP_CHALLENGE_ACK
      ) {
        st.lastFlags &= ~IP_CT_EXP_CHALLENGE_ACK;
        return { verdict: 'IGNORE', reason: 'challenge-ack ignored' };
      }
      break;
    case TCP_CONNTRACK_SYN_SENT2:
      st.lastFlags |= IP_CT_TCP_SIMULTANEOUS_OPEN;
      break;
    case TCP_CONNTRACK_SYN_RECV:
      if (dir === IP_CT_DIR_REPLY && index === TCP_ACK_SET && st.lastFlags & IP_CT_TCP_SIMULTANEOUS_OPEN) {
        newState = TCP_CONNTRACK_ESTABLISHED;
      }
      break;
    case TCP_CONNTRACK_CLOSE: {
      if (index !== TCP_RST_SET) break;
      if (canEarlyDrop(oldState)) {
        skipWindow = true;
        break;
      }
      const seq = u32(t.seq);
      if (st.seen[other].flags & IP_CT_TCP_FLAG_MAXACK_SET && st.lastIndex !== TCP_SYN_SET) {
        if (!(seq === 0 && !isEstablished(entry))) {
          if (before(seq, st.seen[other].tdMaxack) && !sysctl.tcpIgnoreInvalidRst) {
            return { verdict: 'INVALID', reason: 'invalid rst' };
          }
          if (
            isEstablished(entry) &&
            seq !== st.seen[other].tdMaxack &&
            !(st.lastIndex === TCP_ACK_SET && st.lastDir === dir && seq === st.lastEnd)
          ) {
            // RST sequence not exact: keep ESTABLISHED so a challenge ACK can follow.
            newState = oldState;
          }
        }
      }
      if (
        ((entry.status & IPS_SEEN_REPLY && st.lastIndex === TCP_SYN_SET) ||
          (!(entry.status & IPS_ASSURED) && st.lastIndex === TCP_ACK_SET)) &&
        u32(t.ack) === st.lastEnd
      ) {
        skipWindow = true;
        break;
      }
      if (
        oldState === TCP_CONNTRACK_SYN_SENT &&
        st.lastIndex === TCP_ACK_SET &&
        st.lastDir === IP_CT_DIR_REPLY &&
        seq === st.lastAck
      ) {
        skipWindow = true;
      }
      break;
    }
    default:
      break;
  }

  if (!skipWindow) {
    const res = tcpInWindow(st, dir, index, p, sysctl, why, entry);
    if (res === 'IGNORE') return { verdict: 'IGNORE', reason: why.text };
    if (res === 'INVALID') return { verdict: 'INVALID', reason: why.text };
  }

  st.lastIndex = index;
  st.lastDir = dir;
  st.state = newState;
  if (from !== newState && newState === TCP_CONNTRACK_FIN_WAIT) {
    st.seen[dir].flags |= IP_CT_TCP_FLAG_CLOSE_INIT;
  }

  const to = sysctl.timeouts;
  let timeout = packetTimeout(st, newState, index, sysctl);

  if (!(entry.status & IPS_SEEN_REPLY)) {
    // Only a RST came back: not a connection worth keeping (--RR).
    if (t.flags & TCP_RST) return KILL;
    // A retransmitted SYN must not keep a stale entry (and its NAT binding) alive.
    if (index === TCP_SYN_SET && from === TCP_CONNTRACK_SYN_SENT) return { verdict: 'ACCEPT', uncounted: true };
    if (newState === TCP_CONNTRACK_ESTABLISHED && timeout > to.tcpUnacknowledged) timeout = to.tcpUnacknowledged;
  } else if (
    !(entry.status & IPS_ASSURED) &&
    (from === TCP_CONNTRACK_SYN_RECV || from === TCP_CONNTRACK_ESTABLISHED) &&
    newState === TCP_CONNTRACK_ESTABLISHED
  ) {
    entry.status |= IPS_ASSURED;
  }
  if (!(entry.status & IPS_FIXED_TIMEOUT)) entry.timeoutAt = nowMs + timeout * 1000;
  return ACCEPT;
}

/** The tracked windows of both directions, taken from the SYN we ignored and the SYN/ACK that answers it. */
function resyncFromIgnoredSyn(st: TcpCtState, dir: CtDir): void {
  const ls = st.seen[st.lastDir];
  ls.tdEnd = st.lastEnd;
  ls.tdMaxend = st.lastEnd;
  ls.tdMaxwin = st.lastWin === 0 ? 1 : st.lastWin;
  ls.tdScale = st.lastWscale;
  st.lastFlags &= ~IP_CT_EXP_CHALLENGE_ACK;
  ls.flags = st.lastFlags;
  const mine = st.seen[dir];
  mine.tdEnd = mine.tdMaxend = mine.tdMaxwin = mine.tdMaxack = mine.tdScale = 0;
  mine.flags &= IP_CT_TCP_FLAG_BE_LIBERAL;
}

/**
 * The timeout (seconds) nf_conntrack_tcp_packet gives a connection in
 * `state` after a packet of flag set `index`: shorter while retransmitting,
 * after a RST, with data unacknowledged or a zero window.
 */
function packetTimeout(st: TcpCtState, state: number, index: number, sysctl: ConntrackSysctl): number {
  const to = sysctl.timeouts;
  const stateTimeout = tcpStateTimeout(state, sysctl);
  if (st.retrans >= sysctl.tcpMaxRetrans && stateTimeout > to.tcpMaxRetrans) return to.tcpMaxRetrans;
  if (index === TCP_RST_SET) return to.tcpClose;
  if ((st.seen[0].flags | st.seen[1].flags) & IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED && stateTimeout > to.tcpUnacknowledged) return to.tcpUnacknowledged;
  if (st.lastWin === 0 && stateTimeout > to.tcpMaxRetrans) return to.tcpMaxRetrans;
  return stateTimeout;
}

/** The sIG branch: remember the packet so a later answer can resynchronise us. */
function ignored(st: TcpCtState, dir: CtDir, index: number, p: Packet, oldState: number): TcpResult {
  const t = p.tcp!;
  st.lastIndex = index;
  st.lastDir = dir;
  st.lastSeq = u32(t.seq);
  st.lastEnd = segmentEnd(p);
  st.lastWin = t.window & 0xffff;
  if (index === TCP_SYN_SET && dir === IP_CT_DIR_ORIGINAL) {
    const seen = emptySeen();
    st.lastFlags = 0;
    st.lastWscale = 0;
    tcpOptions(p, seen);
    if (seen.flags & IP_CT_TCP_FLAG_WINDOW_SCALE) {
      st.lastFlags |= IP_CT_TCP_FLAG_WINDOW_SCALE;
      st.lastWscale = seen.tdScale;
    }
    if (seen.flags & IP_CT_TCP_FLAG_SACK_PERM) st.lastFlags |= IP_CT_TCP_FLAG_SACK_PERM;
    if (oldState === TCP_CONNTRACK_LAST_ACK) st.lastFlags |= IP_CT_EXP_CHALLENGE_ACK;
  }
  if (oldState === TCP_CONNTRACK_SYN_SENT && index === TCP_ACK_SET && dir === IP_CT_DIR_REPLY) {
    st.lastAck = u32(t.ack);
  }
  return {
    verdict: 'IGNORE',
    reason: `packet (index ${index}) in dir ${dir} ignored, state ${TCP_CONNTRACK_NAMES[oldState]}`,
  };
}

/** nf_conntrack_tcp_set_closing(): REJECT --reject-with tcp-reset moves a confirmed entry to CLOSE. */
export function tcpSetClosing(entry: CtEntry, sysctl: ConntrackSysctl, nowMs: number): void {
  const st = entry.tcp;
  if (!st) return;
  const old = st.state;
  st.state = TCP_CONNTRACK_CLOSE;
  if (old === TCP_CONNTRACK_CLOSE || entry.status & IPS_FIXED_TIMEOUT) return;
  entry.timeoutAt = nowMs + sysctl.timeouts.tcpClose * 1000;
}
