// pattern: Functional Core
// Reads a kernel TRACE / LOG line back into the formatter's input. It exists
// so the formatter can be checked against every line the real kernel printed
// (format(parse(line)) === line), and so tools can compare lines field by
// field. It understands what nf_log_syslog prints for IPv4; anything else
// gives null (never throws).

import { parseIpv4 } from '../net/addr';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, type IcmpHeader, type Packet, type TcpHeader } from '../net/packet';
import { TCP_AE, type MacHeader, type PacketLogInput, type TraceLineInput, type TraceType } from './trace-line';

const TOKEN = /INCOMPLETE \[\d+ bytes\]|OPT \([0-9A-Z]*\)|\[|\]|[^ [\]]+/g;

const TCP_FLAG_BITS: Readonly<Record<string, number>> = {
  AE: TCP_AE,
  CWR: 0x80,
  ECE: 0x40,
  URG: 0x20,
  ACK: 0x10,
  PSH: 0x08,
  RST: 0x04,
  SYN: 0x02,
  FIN: 0x01,
};

class Cursor {
  i = 0;
  constructor(readonly t: readonly string[]) {}
  peek(): string | undefined {
    return this.t[this.i];
  }
  /** the value of KEY=VALUE at the cursor, advancing; null if the token has another key */
  take(key: string): string | null {
    const tok = this.t[this.i];
    if (tok === undefined || !tok.startsWith(key + '=')) return null;
    this.i++;
    return tok.slice(key.length + 1);
  }
  takeNum(key: string): number | null {
    const v = this.take(key);
    if (v === null || !/^\d+$/.test(v)) return null;
    return Number(v);
  }
  word(w: string): boolean {
    if (this.t[this.i] !== w) return false;
    this.i++;
    return true;
  }
}

/** Parse "TRACE: table:chain:type:rulenum IN=... " as the kernel prints it. */
export function parseTraceLine(line: string): TraceLineInput | null {
  const m = /^TRACE: ([^:\s]+):([^:\s]+):(rule|return|policy):(\d+) /.exec(line);
  if (!m) return null;
  const body = parseBody(line.slice(m[0].length));
  if (!body) return null;
  return { table: m[1]!, chain: m[2]!, type: m[3] as TraceType, rulenum: Number(m[4]), ...body };
}

/** Parse a LOG target line: the prefix is everything before the first "IN=". */
export function parseLogLine(line: string): { prefix: string; input: PacketLogInput } | null {
  const at = line.indexOf('IN=');
  if (at < 0) return null;
  const input = parseBody(line.slice(at));
  return input ? { prefix: line.slice(0, at), input } : null;
}

function parseBody(text: string): PacketLogInput | null {
  const c = new Cursor(text.match(TOKEN) ?? []);
  const inIface = c.take('IN');
  const outIface = c.take('OUT');
  if (inIface === null || outIface === null) return null;
  const physIn = c.take('PHYSIN');
  const physOut = c.take('PHYSOUT');
  let macHeader: MacHeader | null = null;
  const mac = c.take('MAC');
  if (mac !== null && mac !== '') {
    const mm = /^((?:[0-9a-f]{2}:){5}[0-9a-f]{2}):((?:[0-9a-f]{2}:){5}[0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/.exec(mac);
    if (!mm) return null;
    macHeader = { dst: mm[1]!, src: mm[2]!, ethertype: parseInt(mm[3]! + mm[4]!, 16) };
  }
  const packet = parsePacket(c, null);
  if (!packet) return null;
  const uid = c.takeNum('UID');
  const gid = c.takeNum('GID');
  const markText = c.take('MARK');
  const mark = markText === null ? 0 : parseInt(markText, 16);
  if (c.peek() !== undefined) return null;
  packet.mark = mark;
  return {
    inIface: inIface === '' ? null : inIface,
    outIface: outIface === '' ? null : outIface,
    physIn,
    physOut,
    macHeader: inIface === '' ? null : macHeader,
    packet,
    mark,
    uid,
    gid: uid === null ? null : gid,
  };
}

/**
 * One IPv4 header and what follows. `quotedBy` is the length of the ICMP error
 * around it (null at the top level): a quote the Packet model cannot express
 * (fragment bits, a header that is cut off) comes back as raw bytes instead.
 */
function parsePacket(c: Cursor, quotedBy: null): Packet | null;
function parsePacket(c: Cursor, quotedBy: number): Packet | { raw: string } | null;
function parsePacket(c: Cursor, quotedBy: number | null): Packet | { raw: string } | null {
  if (c.word('TRUNCATED')) return quotedBy === null ? null : { raw: '' };
  const src = c.take('SRC');
  const dst = c.take('DST');
  const len = c.takeNum('LEN');
  const tosText = c.take('TOS');
  const precText = c.take('PREC');
  const ttl = c.takeNum('TTL');
  const ipid = c.takeNum('ID');
  if (src === null || dst === null || len === null || tosText === null || precText === null || ttl === null || ipid === null) return null;
  const s = parseIpv4(src);
  const d = parseIpv4(dst);
  if (s === null || d === null) return null;
  const tos = parseInt(tosText, 16) | parseInt(precText, 16);
  const ce = c.word('CE');
  const df = c.word('DF');
  const mf = c.word('MF');
  let fragoff = 0;
  const fragTok = c.peek();
  if (fragTok?.startsWith('FRAG:')) {
    fragoff = Number(fragTok.slice(5));
    c.i++;
  }
  if (ce || mf || fragoff || c.peek() === 'TRUNCATED') {
    // only a quoted garbage header looks like this (case 44): rebuild its bytes
    if (quotedBy === null || !c.word('TRUNCATED')) return null;
    const frag = (ce ? 0x8000 : 0) | (df ? 0x4000 : 0) | (mf ? 0x2000 : 0) | fragoff;
    const head = [0x4f, tos, len >> 8, len & 255, ipid >> 8, ipid & 255, frag >> 8, frag & 255, ttl, 0, 0, 0];
    const bytes = [...head, ...ipBytes(s), ...ipBytes(d)];
    while (bytes.length < quotedBy - 28) bytes.push(0);
    return { raw: String.fromCharCode(...bytes) };
  }
  const p: Packet = { src: s, dst: d, proto: 0, ttl, tos, len, ipid, df, mark: 0, payload: '' };
  const proto = c.take('PROTO');
  switch (proto) {
    case 'TCP': {
      p.proto = IPPROTO_TCP;
      const sport = c.takeNum('SPT');
      const dport = c.takeNum('DPT');
      if (sport === null || dport === null) return null;
      p.sport = sport;
      p.dport = dport;
      const seq = c.takeNum('SEQ');
      const ack = c.takeNum('ACK');
      const window = c.takeNum('WINDOW');
      const res = c.take('RES');
      if (window === null || res === null) return null;
      let flags = (parseInt(res, 16) >>> 3) << 9;
      for (let tok = c.peek(); tok !== undefined && TCP_FLAG_BITS[tok] !== undefined; tok = c.peek()) {
        flags |= TCP_FLAG_BITS[tok]!;
        c.i++;
      }
      const urgp = c.takeNum('URGP');
      if (urgp === null) return null;
      let options = '';
      const opt = c.peek();
      if (opt?.startsWith('OPT (')) {
        options = opt.slice(5, -1);
        c.i++;
      }
      const tcp: TcpHeader = { seq: seq ?? 0, ack: ack ?? 0, flags, window, urgp, options };
      p.tcp = tcp;
      return p;
    }
    case 'UDP': {
      p.proto = IPPROTO_UDP;
      const sport = c.takeNum('SPT');
      const dport = c.takeNum('DPT');
      const ulen = c.takeNum('LEN');
      if (sport === null || dport === null || ulen === null || ulen !== len - 20) return null;
      p.sport = sport;
      p.dport = dport;
      return p;
    }
    case 'ICMP': {
      p.proto = IPPROTO_ICMP;
      const type = c.takeNum('TYPE');
      const code = c.takeNum('CODE');
      if (type === null || code === null) return null;
      const icmp: IcmpHeader = { type, code };
      p.icmp = icmp;
      if (type === 0 || type === 8) {
        const id = c.takeNum('ID');
        const seq = c.takeNum('SEQ');
        if (id === null || seq === null) return null;
        icmp.id = id;
        icmp.seq = seq;
      }
      const gw = c.take('GATEWAY');
      if (gw !== null) icmp.gateway = parseIpv4(gw) ?? 0;
      if (c.word('[')) {
        const inner = parsePacket(c, len);
        if (!inner || !c.word(']')) return null;
        if ('raw' in inner) p.payload = inner.raw;
        else icmp.inner = inner;
      }
      const mtu = c.takeNum('MTU');
      if (mtu !== null) icmp.seq = mtu;
      return p;
    }
    default: {
      if (proto === null || !/^\d+$/.test(proto)) return null;
      p.proto = Number(proto);
      return p;
    }
  }
}

function ipBytes(a: number): number[] {
  return [(a >>> 24) & 255, (a >>> 16) & 255, (a >>> 8) & 255, a & 255];
}
