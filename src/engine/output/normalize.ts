// pattern: Functional Core
// The oracle's normalisation of volatile values (FORMAT.md §2.3,
// shared/oracle/lib/logfmt.py Normalizer), so the engine's TRACE and LOG text
// can equal the kernel results byte for byte:
//   * IP ids are renumbered 1, 2, 3, ... in order of first appearance in the
//     case's output (trace_log order, quoted headers included); 0 stays 0.
//   * TCP SEQ/ACK become the distance to the nearest ISN below them (an ISN is
//     the sequence number of any packet with SYN set, also inside ICMP quotes)
//     when that distance is under 65536; other values stay as they are.
// Give the engine's sockets ISN 0: subtracting 0 changes nothing, so values
// then normalise exactly like the kernel's random ISNs did, including those
// of hand-made packets that the oracle also treats as ISNs (case 12: a
// crafted SYN,ACK with seq 5000 makes every later seq 5000 print as SEQ=0 and
// a crafted ack of 9000 as ACK=4000).

export interface TraceNormalizer {
  /** the renumbered IP id; call in output order */
  ipid(raw: number): number;
  /** register the seq of a SYN or SYN,ACK (all of them before formatting, like the oracle) */
  addIsn(seq: number): void;
  seq(raw: number): number;
}

/**
 * Whose sequence numbers a line prints: a socket's own (relative to the
 * connection's ISN 0 already, printed as they are — on the kernel each
 * connection has a random ISN far from any other) or a hand-made packet's,
 * which the oracle relates to the nearest ISN of the whole case (so a
 * crafted SYN's seq 1000 must not move a socket's ACK=7191 to 6191:
 * difftest seed 1 case 377).
 */
export type SeqSpace = 'socket' | 'crafted';

export function createTraceNormalizer(): TraceNormalizer {
  const ids = new Map<number, number>();
  const isns: number[] = [];
  return {
    ipid(raw: number): number {
      if (raw === 0) return 0;
      let n = ids.get(raw);
      if (n === undefined) ids.set(raw, (n = ids.size + 1));
      return n;
    },
    addIsn(seq: number): void {
      const v = seq >>> 0;
      if (!isns.includes(v)) isns.push(v);
    },
    seq(raw: number): number {
      const v = raw >>> 0;
      let best = -1;
      for (const isn of isns) {
        const d = (v - isn) >>> 0;
        if (d < 0x10000 && (best < 0 || d < best)) best = d;
      }
      return best < 0 ? v : best;
    },
  };
}

const IP_ID = /ID=(\d+) (?=CE |DF |MF |FRAG:\d+ |OPT \(|PROTO=)/g;
const SEQ_ACK = /SEQ=(\d+) ACK=(\d+) /g;
const TCP_OPT = /(URGP=\d+ )OPT \(([0-9A-F]+)\)/g;

/**
 * Normalise a printed TRACE/LOG line the way the oracle does its kernel lines:
 * IP ids (also inside [...] and in hand-made quotes the engine only has as
 * bytes, case 44), SEQ/ACK, and the TCP timestamp values inside OPT (...).
 * ICMP echo "ID=n SEQ=n" is left alone. Use when the engine formats raw values.
 */
export function normalizeLineText(line: string, n: TraceNormalizer, space: SeqSpace = 'crafted'): string {
  const seq = (v: string) => (space === 'socket' ? Number(v) : n.seq(Number(v)));
  return line
    .replace(IP_ID, (_m, id: string) => `ID=${n.ipid(Number(id))} `)
    .replace(SEQ_ACK, (_m, s: string, a: string) => `SEQ=${seq(s)} ACK=${seq(a)} `)
    .replace(TCP_OPT, (_m, urgp: string, hex: string) => `${urgp}OPT (${zeroTimestamps(hex)})`);
}

/** Zero TSval/TSecr of a timestamp option (kind 8, length 10). */
export function zeroTimestamps(hex: string): string {
  let out = hex;
  const n = hex.length >> 1;
  for (let i = 0; i < n; ) {
    const kind = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    if (kind === 0) break;
    if (kind === 1) {
      i++;
      continue;
    }
    if (i + 1 >= n) break;
    const len = parseInt(hex.slice(i * 2 + 2, i * 2 + 4), 16);
    if (len < 2) break;
    if (kind === 8 && len === 10 && i + 10 <= n) out = out.slice(0, (i + 2) * 2) + '0'.repeat(16) + out.slice((i + 10) * 2);
    i += len;
  }
  return out;
}
