// pattern: Functional Core
// The FTP helper (net/netfilter/nf_conntrack_ftp.c, nf_nat_ftp.c). It reads
// the control connection's payload for the commands that announce a data
// connection: PORT / EPRT from the client (active mode: the server will
// connect to the client) and the 227 / 229 replies from the server
// (passive mode: the client will connect to the server), and expects that
// connection. When the control connection is NATed, the address in the
// command is rewritten to the NATed one (which may change the payload's
// length, and so every later sequence number: seqadj) and the data
// connection is NATed like its master.
//
// Only the start of a segment is examined, and only when the segment starts
// right after a newline the helper saw in that direction: the first data
// segment in each direction is never parsed (seq_aft_nl is empty), so a
// command is found only in a later segment.

import { skbLinearize } from '../../net/skb';
import type { Packet } from '../../net/packet';
import { IPPROTO_TCP } from '../../net/packet';
import { formatIpv4 } from '../../net/addr';
import type { CtDir, CtEntry, CtHelpData } from '../types';
import { IPS_NAT_MASK } from '../types';
import type { ConntrackHelper, HelperEnv, HelperVerdict } from './helper';
import { newExpect } from './helper';
import { natExpFindPort, natMangleTcp } from './nat-helper';

/** NUM_SEQ_TO_REMEMBER */
const NUM_SEQ_TO_REMEMBER = 2;

type FtpType = 'PORT' | 'EPRT' | 'PASV' | 'EPSV';

/** The address and port a command names; the address defaults to the sender's (EPSV names none). */
interface FtpCmd {
  addr: number;
  port: number;
}

interface Search {
  pattern: string;
  /** the character before the numbers ('' : scan for the first digit, RFC 1123) */
  skip: string;
  /** the character after them ('' : any) */
  term: string;
  type: FtpType;
  getnum(data: string, cmd: FtpCmd, term: string): { len: number; skipped: number };
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** try_number: `count` numbers separated by `sep`, ended by `term` (or anything when term is ''); 0 on failure, else the length read. */
function tryNumber(data: string, count: number, sep: string, term: string): { len: number; nums: number[] } {
  const nums = new Array<number>(count).fill(0);
  let i = 0;
  for (let len = 0; len < data.length && i < count; len++) {
    const c = data[len]!;
    if (isDigit(c)) nums[i] = (nums[i]! * 10 + (c.charCodeAt(0) - 48)) >>> 0;
    else if (c === sep) i++;
    else {
      if ((c === term || term === '') && i === count - 1) return { len, nums };
      return { len: 0, nums };
    }
  }
  return { len: 0, nums };
}

function rfc959(data: string, cmd: FtpCmd, term: string): number {
  const r = tryNumber(data, 6, ',', term);
  if (r.len === 0) return 0;
  const n = r.nums;
  cmd.addr = (((n[0]! & 0xff) << 24) | ((n[1]! & 0xff) << 16) | ((n[2]! & 0xff) << 8) | (n[3]! & 0xff)) >>> 0;
  cmd.port = (((n[4]! & 0xff) << 8) | (n[5]! & 0xff)) & 0xffff;
  return r.len;
}

/** get_port: digits up to `delim`; returns the index after it, 0 on failure or port 0. */
function getPort(data: string, start: number, delim: string, cmd: FtpCmd): number {
  let port = 0;
  for (let i = start; i < data.length; i++) {
    const c = data[i]!;
    if (c === delim) {
      if (port === 0) return 0;
      cmd.port = port;
      return i + 1;
    }
    if (!isDigit(c)) return 0;
    port = (port * 10 + (c.charCodeAt(0) - 48)) & 0xffff;
  }
  return 0;
}

const validDelim = (c: string): boolean => !isDigit(c) && c.charCodeAt(0) >= 33 && c.charCodeAt(0) <= 126;

const SEARCH: readonly [readonly Search[], readonly Search[]] = [
  [
    { pattern: 'PORT', skip: ' ', term: '\r', type: 'PORT', getnum: (d, cmd, term) => ({ len: rfc959(d, cmd, term), skipped: 0 }) },
    {
      pattern: 'EPRT',
      skip: ' ',
      term: '\r',
      type: 'EPRT',
      // try_eprt: |1|a.b.c.d|port|
      getnum(d, cmd) {
        if (d.length <= 3) return { len: 0, skipped: 0 };
        const delim = d[0]!;
        if (!validDelim(delim) || d[2] !== delim || d[1] !== '1') return { len: 0, skipped: 0 };
        const r = tryNumber(d.slice(3), 4, '.', delim);
        if (r.len === 0) return { len: 0, skipped: 0 };
        const n = r.nums;
        cmd.addr = (((n[0]! & 0xff) << 24) | ((n[1]! & 0xff) << 16) | ((n[2]! & 0xff) << 8) | (n[3]! & 0xff)) >>> 0;
        return { len: getPort(d, 3 + r.len + 1, delim, cmd), skipped: 0 };
      },
    },
  ],
  [
    {
      pattern: '227 ',
      skip: '',
      term: '',
      type: 'PASV',
      // try_rfc1123: the parentheses are optional, the numbers start at the first digit
      getnum(d, cmd) {
        let i = 0;
        while (i < d.length && !isDigit(d[i])) i++;
        if (i === d.length) return { len: 0, skipped: 0 };
        return { len: rfc959(d.slice(i), cmd, ''), skipped: i };
      },
    },
    {
      pattern: '229 ',
      skip: '(',
      term: ')',
      type: 'EPSV',
      // try_epsv_response: (|||port|)
      getnum(d, cmd) {
        if (d.length <= 3) return { len: 0, skipped: 0 };
        const delim = d[0]!;
        if (!validDelim(delim) || d[1] !== delim || d[2] !== delim) return { len: 0, skipped: 0 };
        return { len: getPort(d, 3, delim, cmd), skipped: 0 };
      },
    },
  ],
];

/** find_pattern: 1 and where the numbers are, 0 when the segment is something else, -1 for a partial command. */
function findPattern(data: string, s: Search, cmd: FtpCmd): { found: -1 | 0 | 1; off: number; len: number } {
  const plen = s.pattern.length;
  if (data.length <= plen) {
    return { found: data.toLowerCase() === s.pattern.slice(0, data.length).toLowerCase() ? -1 : 0, off: 0, len: 0 };
  }
  if (data.slice(0, plen).toLowerCase() !== s.pattern.toLowerCase()) return { found: 0, off: 0, len: 0 };
  let i = plen;
  if (s.skip) {
    for (; data[i] !== s.skip; i++) if (i === data.length - 1) return { found: -1, off: 0, len: 0 };
    i++;
  }
  const r = s.getnum(data.slice(i), cmd, s.term);
  if (!r.len) return { found: -1, off: 0, len: 0 };
  return { found: 1, off: i + r.skipped, len: r.len };
}

function helpData(e: CtEntry): CtHelpData {
  return (e.helpData ??= { seqAftNl: [[], []] });
}

/** update_nl_seq: remember where the next line starts, keeping the two newest. */
function updateNlSeq(info: CtHelpData, dir: CtDir, nlSeq: number): void {
  const list = info.seqAftNl[dir];
  if (list.includes(nlSeq)) return;
  if (list.length < NUM_SEQ_TO_REMEMBER) {
    list.push(nlSeq);
    return;
  }
  const oldest = ((list[0]! - list[1]!) | 0) < 0 ? 0 : 1;
  if (((list[oldest]! - nlSeq) | 0) < 0) list[oldest] = nlSeq;
}

/** nf_nat_ftp_fmt_cmd */
function formatCmd(type: FtpType, addr: number, port: number): string {
  switch (type) {
    case 'PORT':
    case 'PASV':
      return `${formatIpv4(addr).replace(/\./g, ',')},${port >> 8},${port & 0xff}`;
    case 'EPRT':
      return `|1|${formatIpv4(addr)}|${port}|`;
    case 'EPSV':
      return `|||${port}|`;
  }
}

export const ftpHelper: ConntrackHelper = {
  name: 'ftp',
  proto: IPPROTO_TCP,
  port: 21,
  maxExpected: 1,
  timeoutS: 5 * 60,
  help(p, e, ctinfo, env) {
    // until there has been traffic both ways, packets are not examined
    if (ctinfo !== 'ESTABLISHED' && ctinfo !== 'ESTABLISHED_REPLY') return 'ACCEPT';
    // "netfilter: conntrack_ftp: prefer skb_linearize" (Linux 5.19): every packet is linearized,
    // which makes a received data skb count a bigger head (difftest seed 2 case 353, fixture r13)
    skbLinearize(p, env.skbOwned);
    const data = p.payload;
    if (!p.tcp || data.length === 0) return 'ACCEPT';
    const dir: CtDir = ctinfo === 'ESTABLISHED' ? 0 : 1;
    const info = helpData(e);
    const endsInNl = data[data.length - 1] === '\n';
    const seq = p.tcp.seq >>> 0;
    const nextSeq = (seq + data.length) >>> 0;
    if (!info.seqAftNl[dir].includes(seq)) {
      if (endsInNl) updateNlSeq(info, dir, nextSeq);
      return 'ACCEPT';
    }
    const cmd: FtpCmd = { addr: e.tuple[dir].src, port: 0 };
    let found: -1 | 0 | 1 = 0;
    let search: Search | null = null;
    let off = 0;
    let len = 0;
    for (const s of SEARCH[dir]) {
      const r = findPattern(data, s, cmd);
      found = r.found;
      search = s;
      off = r.off;
      len = r.len;
      if (found) break;
    }
    if (found === -1) {
      env.log(`partial matching of \`${search!.pattern}'`);
      return 'DROP';
    }
    let verdict: HelperVerdict = 'ACCEPT';
    if (found === 1) verdict = expectData(p, e, dir, cmd, search!.type, off, len, env);
    if (endsInNl) updateNlSeq(info, dir, nextSeq);
    return verdict;
  },
};

/** The part of help() after a command was found: the expectation, and NAT's rewrite of the command. */
function expectData(p: Packet, e: CtEntry, dir: CtDir, cmd: FtpCmd, type: FtpType, off: number, len: number, env: HelperEnv): HelperVerdict {
  const other = e.tuple[dir === 0 ? 1 : 0];
  // a command naming another address than its sender's is not followed (the module's loose=0)
  if (cmd.addr !== e.tuple[dir].src) return 'ACCEPT';
  const exp = newExpect(e, ftpHelper, { src: other.src, dst: other.dst, proto: IPPROTO_TCP, dport: cmd.port }, env.nowMs);
  if (!(e.status & IPS_NAT_MASK)) {
    if (env.expectRelated(exp) !== 0) {
      env.log('cannot add expectation');
      return 'DROP';
    }
    return 'ACCEPT';
  }
  // nf_nat_ftp: the data connection will come from wherever this packet goes
  const newAddr = other.dst;
  exp.savedPort = exp.tuple.dport;
  exp.dir = dir === 0 ? 1 : 0;
  exp.natFollowMaster = true;
  const port = natExpFindPort(exp, exp.savedPort, env);
  if (port === 0) {
    env.log('all ports in use');
    return 'DROP';
  }
  natMangleTcp(p, e, dir, off, len, formatCmd(type, newAddr, port));
  return 'ACCEPT';
}
