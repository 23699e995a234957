// pattern: Functional Core
// The conntrack data model, shaped after struct nf_conn: two tuples
// (original and reply direction), a status bit set (IPS_*), a mark and the
// per-protocol private state. Everything here is plain JSON-able data so a
// table can be snapshotted for the UI and restored (toJSON / fromJSON).

import type { Ipv4 } from '../net/addr';

/**
 * One direction of a connection (struct nf_conntrack_tuple).
 *
 * The layer-4 part is kept in the kernel's union form so hashing and
 * comparison never branch on the protocol: tcp/udp put the ports in
 * `sport`/`dport`; icmp puts the echo id in `sport` (src.u.icmp.id) and
 * `type << 8 | code` in `dport` (dst.u.icmp.type/code); other protocols
 * leave both 0 (nf_conntrack_proto_generic).
 */
export interface CtTuple {
  src: Ipv4;
  dst: Ipv4;
  proto: number;
  sport: number;
  dport: number;
}

/** IP_CT_DIR_ORIGINAL / IP_CT_DIR_REPLY */
export type CtDir = 0 | 1;
export const IP_CT_DIR_ORIGINAL: CtDir = 0;
export const IP_CT_DIR_REPLY: CtDir = 1;

/** enum ip_conntrack_info plus the two states a packet has without a conntrack. */
export type CtInfo =
  | 'NEW'
  | 'ESTABLISHED'
  | 'RELATED'
  | 'ESTABLISHED_REPLY'
  | 'RELATED_REPLY'
  | 'INVALID'
  | 'UNTRACKED';

// include/uapi/linux/netfilter/nf_conntrack_common.h, enum ip_conntrack_status
export const IPS_EXPECTED = 1 << 0;
export const IPS_SEEN_REPLY = 1 << 1;
export const IPS_ASSURED = 1 << 2;
export const IPS_CONFIRMED = 1 << 3;
export const IPS_SRC_NAT = 1 << 4;
export const IPS_DST_NAT = 1 << 5;
export const IPS_NAT_MASK = IPS_SRC_NAT | IPS_DST_NAT;
export const IPS_SEQ_ADJUST = 1 << 6;
export const IPS_SRC_NAT_DONE = 1 << 7;
export const IPS_DST_NAT_DONE = 1 << 8;
export const IPS_NAT_DONE_MASK = IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE;
export const IPS_DYING = 1 << 9;
export const IPS_FIXED_TIMEOUT = 1 << 10;

/** enum tcp_conntrack, in the kernel's numbering (the state table indexes by it). */
export const TCP_CONNTRACK_NONE = 0;
export const TCP_CONNTRACK_SYN_SENT = 1;
export const TCP_CONNTRACK_SYN_RECV = 2;
export const TCP_CONNTRACK_ESTABLISHED = 3;
export const TCP_CONNTRACK_FIN_WAIT = 4;
export const TCP_CONNTRACK_CLOSE_WAIT = 5;
export const TCP_CONNTRACK_LAST_ACK = 6;
export const TCP_CONNTRACK_TIME_WAIT = 7;
export const TCP_CONNTRACK_CLOSE = 8;
export const TCP_CONNTRACK_SYN_SENT2 = 9;
export const TCP_CONNTRACK_MAX = 10;
export const TCP_CONNTRACK_IGNORE = 11;

/** tcp_conntrack_names[]: what `conntrack -L` prints. */
export const TCP_CONNTRACK_NAMES: readonly string[] = [
  'NONE',
  'SYN_SENT',
  'SYN_RECV',
  'ESTABLISHED',
  'FIN_WAIT',
  'CLOSE_WAIT',
  'LAST_ACK',
  'TIME_WAIT',
  'CLOSE',
  'SYN_SENT2',
];

/** struct ip_ct_tcp_state: what conntrack knows of one side's sequence space. */
export interface TcpSeen {
  tdEnd: number;
  tdMaxend: number;
  tdMaxwin: number;
  tdMaxack: number;
  tdScale: number;
  /** IP_CT_TCP_FLAG_* */
  flags: number;
}

/** struct ip_ct_tcp */
export interface TcpCtState {
  state: number;
  seen: [TcpSeen, TcpSeen];
  lastDir: CtDir;
  lastIndex: number;
  lastSeq: number;
  lastAck: number;
  lastEnd: number;
  lastWin: number;
  lastWscale: number;
  lastFlags: number;
  retrans: number;
}

/** One connection (struct nf_conn). */
export interface CtEntry {
  /** stable id for the UI (kernel: the ct pointer / ctnetlink id) */
  id: number;
  /** [original, reply] */
  tuple: [CtTuple, CtTuple];
  zone: number;
  /** IPS_* bits */
  status: number;
  /** ct->mark, read and written by CONNMARK / -m connmark */
  mark: number;
  /** absolute expiry in simulated ms */
  timeoutAt: number;
  /** when the entry was created, simulated ms */
  createdMs: number;
  tcp?: TcpCtState;
  /** ct->proto.udp.stream_ts: replies after this mark the flow a stream (ASSURED) */
  udpStreamTs?: number;
  /** nfct_help(ct)->helper: the conntrack helper watching this connection (CT --helper) */
  helper?: string;
  /** the helper's private data (struct nf_ct_ftp_master for ftp) */
  helpData?: CtHelpData;
  /** ct->master for a connection a helper expected (IPS_EXPECTED): its id and its helper, which -m helper reads */
  master?: { id: number; helper: string | null; origSrc?: Ipv4 };
  /**
   * nf_conn_labels: the set label bits, ascending. Present when labels were
   * in use in the namespace as the entry was created (nf_ct_labels_ext_add
   * in init_conntrack); conntrack -L without a connlabel.conf prints none.
   */
  labels?: number[];
  /** struct nf_ct_seqadj per direction: a helper changed the payload length (IPS_SEQ_ADJUST) */
  seqAdj?: [NatSeq, NatSeq];
  /**
   * struct nf_conn_acct, per direction: present when accounting was on in
   * the namespace as the entry was created (nf_conntrack_acct, which a
   * connbytes rule switches on for good)
   */
  acct?: [CtCounter, CtCounter];
}

/** struct nf_conn_counter */
export interface CtCounter {
  packets: number;
  bytes: number;
}

/** struct nf_ct_ftp_master: per direction, the sequence numbers just after a newline (NUM_SEQ_TO_REMEMBER = 2). */
export interface CtHelpData {
  seqAftNl: [number[], number[]];
}

/** struct nf_ct_seqadj: from correctionPos on, sequence numbers of one direction move by offsetAfter. */
export interface NatSeq {
  correctionPos: number;
  offsetBefore: number;
  offsetAfter: number;
}

/**
 * What conntrack attached to one packet (skb->_nfct + ctinfo). The walker
 * carries it from PREROUTING/OUTPUT to POSTROUTING/INPUT and hands it back
 * to confirm(), the NAT calls and view().
 */
export interface CtRef {
  /** null for INVALID and UNTRACKED packets */
  entry: CtEntry | null;
  dir: CtDir;
  ctinfo: CtInfo;
  /** for INVALID: the kernel's log message (nf_ct_l4proto_log_invalid), for the UI */
  reason?: string;
  /** an ICMP error RELATED to `entry` (not the first packet of an expected connection) */
  icmpError?: boolean;
}

export type NatManip = 'SRC' | 'DST';

/**
 * struct nf_nat_range2. Leave minAddr/maxAddr out to keep the address
 * (no NF_NAT_RANGE_MAP_IPS) and minPort/maxPort out to let NAT choose
 * (no NF_NAT_RANGE_PROTO_SPECIFIED).
 */
export interface NatRange {
  minAddr?: Ipv4;
  maxAddr?: Ipv4;
  minPort?: number;
  maxPort?: number;
  /** --random (NF_NAT_RANGE_PROTO_RANDOM) */
  random?: boolean;
  /** --random-fully (NF_NAT_RANGE_PROTO_RANDOM_FULLY) */
  randomFully?: boolean;
  /** --persistent (NF_NAT_RANGE_PERSISTENT) */
  persistent?: boolean;
}

/** A header field NAT rewrote, for the walker's `rewrites` record. */
export interface NatRewrite {
  /** 'src' | 'dst' | 'sport' | 'dport' | 'id' (icmp echo id), prefixed 'inner.' for the quoted packet of an ICMP error */
  field: string;
  before: number;
  after: number;
}

/** The sysctls of net.netfilter that conntrack reads (per network namespace). */
export interface ConntrackSysctl {
  /** net.netfilter.nf_conntrack_tcp_loose (default 1) */
  tcpLoose: number;
  /** net.netfilter.nf_conntrack_tcp_be_liberal (default 0) */
  tcpBeLiberal: number;
  /** net.netfilter.nf_conntrack_tcp_ignore_invalid_rst (default 0) */
  tcpIgnoreInvalidRst: number;
  /** net.netfilter.nf_conntrack_tcp_max_retrans (default 3) */
  tcpMaxRetrans: number;
  /** net.netfilter.nf_conntrack_acct (default 0): new entries count packets and bytes */
  acct: number;
  /** timeouts in seconds, as the nf_conntrack_*_timeout* sysctls */
  timeouts: ConntrackTimeouts;
}

export interface ConntrackTimeouts {
  tcpSynSent: number;
  tcpSynRecv: number;
  tcpEstablished: number;
  tcpFinWait: number;
  tcpCloseWait: number;
  tcpLastAck: number;
  tcpTimeWait: number;
  tcpClose: number;
  tcpMaxRetrans: number;
  tcpUnacknowledged: number;
  udp: number;
  udpStream: number;
  icmp: number;
  generic: number;
}

export const DEFAULT_TIMEOUTS: Readonly<ConntrackTimeouts> = {
  tcpSynSent: 120,
  tcpSynRecv: 60,
  tcpEstablished: 432000,
  tcpFinWait: 120,
  tcpCloseWait: 60,
  tcpLastAck: 30,
  tcpTimeWait: 120,
  tcpClose: 10,
  tcpMaxRetrans: 300,
  tcpUnacknowledged: 300,
  udp: 30,
  udpStream: 120,
  icmp: 30,
  generic: 600,
};

export function defaultSysctl(): ConntrackSysctl {
  return {
    tcpLoose: 1,
    tcpBeLiberal: 0,
    tcpIgnoreInvalidRst: 0,
    tcpMaxRetrans: 3,
    acct: 0,
    timeouts: { ...DEFAULT_TIMEOUTS },
  };
}

/** One `conntrack -L` line in the oracle's JSON form (FORMAT.md §2.1 CT). */
export interface CtEntryView {
  proto: string;
  /** tcp only */
  state?: string;
  orig: CtTupleView;
  /**
   * `helper=` follows the reply tuple on a `conntrack -L` line, so the
   * oracle's parser (analysis.py parse_conntrack) files it under reply.
   */
  reply: CtTupleView & { helper?: string };
  /** sorted; absent when empty */
  flags?: string[];
  /** absent when 0 */
  mark?: number;
  /** absent when 0 */
  zone?: number;
}

export type CtTupleView = (
  | { src: string; dst: string; sport: number; dport: number }
  | { src: string; dst: string; type: number; code: number; id: number }
  | { src: string; dst: string }
) & {
  /** `packets=` `bytes=` of this direction, printed when the entry has accounting */
  packets?: number;
  bytes?: number;
};

/**
 * A connection as the iptables matches see it (the ctstate/ctstatus bits,
 * mark, tuples and extensions xt_conntrack, xt_connmark, xt_helper and
 * friends read), made by ConntrackTable.view for each packet.
 */
export interface CtView {
  /** NEW, ESTABLISHED, RELATED, INVALID or UNTRACKED (for -m state / --ctstate) */
  state: 'INVALID' | 'NEW' | 'ESTABLISHED' | 'RELATED' | 'UNTRACKED';
  /** true when the packet travels in the reply direction */
  reply: boolean;
  /** connection status bits for --ctstatus: EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED */
  status: { expected: boolean; seenReply: boolean; assured: boolean; confirmed: boolean };
  /** ct->mark (connmark); writable by CONNMARK */
  mark: number;
  /** original and reply tuples (for --ctorigsrc etc.); absent for INVALID/UNTRACKED */
  orig?: { src: Ipv4; dst: Ipv4; sport?: number; dport?: number; proto: number };
  replyTuple?: { src: Ipv4; dst: Ipv4; sport?: number; dport?: number; proto: number };
  /** NAT applied to the connection, for --ctstate SNAT/DNAT */
  snat: boolean;
  dnat: boolean;
  /** the TCP state name conntrack -L prints (for display only) */
  tcpState?: string;
  /** for a connection a helper expected: the helper of its master (what -m helper compares) */
  masterHelper?: string | null;
  /** for a connection a helper expected: its master's original source address (what -m cluster hashes) */
  masterOrigSrc?: Ipv4;
  /**
   * the connection's labels (struct nf_conn_labels) as the set bit numbers,
   * ascending; null when the connection has no label extension (no connlabel
   * rule existed when it was created). -m connlabel --set adds to it.
   */
  labels?: number[] | null;
  /** packets and bytes per direction [original, reply], when the connection has accounting (-m connbytes) */
  counters?: readonly [{ packets: number; bytes: number }, { packets: number; bytes: number }];
}
