// pattern: Functional Core
// `ss` (iproute2 6.1.0) over the host's sockets as of a step: `-t`, `-u`,
// `-l`, `-a`, `-n`, `-H`, `-4` in any combination, and `-s`. What it
// prints is what misc/ss.c prints when its output is not a terminal: every
// field is buffered, each column is as wide as its widest field plus its
// one-space delimiter (render_calc_width's compact output), "Local
// Address:" and "Peer Address:" right-aligned, the rest left-aligned.
//
// Ground truth: __fixtures__/nettools/ (record.py runs queries.txt on ss
// in namespaces; nettools.test.ts runs the same on the engine).

import { formatIpv4 } from '../net/addr';
import type { SocketRow, SockState } from '../sim/socket-table';

/** sstate_name in ss.c */
const STATE_NAMES: Record<SockState, string> = {
  ESTABLISHED: 'ESTAB',
  SYN_SENT: 'SYN-SENT',
  SYN_RECV: 'SYN-RECV',
  FIN_WAIT1: 'FIN-WAIT-1',
  FIN_WAIT2: 'FIN-WAIT-2',
  TIME_WAIT: 'TIME-WAIT',
  CLOSE: 'UNCONN',
  CLOSE_WAIT: 'CLOSE-WAIT',
  LAST_ACK: 'LAST-ACK',
  LISTEN: 'LISTEN',
};

/** The ports /etc/services (Debian's netbase) names, for output without -n. */
export const SERVICES: Readonly<Record<string, Record<number, string>>> = {
  tcp: { 20: 'ftp-data', 21: 'ftp', 22: 'ssh', 23: 'telnet', 25: 'smtp', 53: 'domain', 80: 'http', 110: 'pop3', 143: 'imap2', 179: 'bgp', 443: 'https', 993: 'imaps', 995: 'pop3s', 3306: 'mysql', 5432: 'postgresql', 6443: 'sun-sr-https', 8080: 'http-alt' },
  udp: { 53: 'domain', 67: 'bootps', 68: 'bootpc', 69: 'tftp', 123: 'ntp', 161: 'snmp', 443: 'https', 514: 'syslog', 1812: 'radius', 4789: 'vxlan' },
};

/** What the options asked for. */
interface SsArgs {
  tcp: boolean;
  udp: boolean;
  listening: boolean;
  all: boolean;
  numeric: boolean;
  header: boolean;
  summary: boolean;
}

export interface SsOutput {
  stdout: string;
  stderr: string;
  exit: number;
}

const usageError = (text: string): SsOutput => ({ stdout: '', stderr: `${text}\n`, exit: 1 });
const refuse = (text: string): SsOutput => ({ stdout: '', stderr: `ss: ${text}\n`, exit: 1 });

const LONG: Record<string, keyof SsArgs | 'ipv4' | null> = {
  '--tcp': 'tcp', '--udp': 'udp', '--listening': 'listening', '--all': 'all', '--numeric': 'numeric', '--no-header': 'header', '--summary': 'summary', '--ipv4': 'ipv4',
};
const SHORT: Record<string, keyof SsArgs | 'ipv4'> = { t: 'tcp', u: 'udp', l: 'listening', a: 'all', n: 'numeric', H: 'header', s: 'summary', '4': 'ipv4' };

/** Options that ask for what the engine does not keep (processes, timers, memory, other families). */
const NOT_MODELLED: Record<string, string> = {
  p: '-p (processes): PacketWalk models the oracle\'s listeners and step programs, not processes with pids',
  e: '-e (uid, inode, cookie): PacketWalk keeps no socket inodes',
  o: '-o (timers): PacketWalk keeps no socket timers',
  i: '-i (TCP internals): PacketWalk keeps no congestion or RTT state per socket',
  m: '-m (socket memory): PacketWalk keeps no socket memory',
  x: '-x (Unix sockets): PacketWalk models IPv4 sockets only',
  w: '-w (raw sockets): PacketWalk lists TCP and UDP sockets',
  '6': '-6: PacketWalk models IPv4 only',
  r: '-r (resolve host names): PacketWalk has no resolver',
};

function parse(args: readonly string[]): SsArgs | SsOutput {
  const a: SsArgs = { tcp: false, udp: false, listening: false, all: false, numeric: false, header: true, summary: false };
  const set = (k: keyof SsArgs | 'ipv4') => {
    if (k === 'header') a.header = false;
    else if (k !== 'ipv4') a[k] = true;
  };
  for (const w of args) {
    if (w.startsWith('--')) {
      const k = LONG[w];
      if (!k) return usageError(`ss: unrecognized option '${w}'\nTry 'ss --help' for more information.`);
      set(k);
    } else if (w.startsWith('-') && w.length > 1) {
      for (const ch of w.slice(1)) {
        const k = SHORT[ch];
        if (k) set(k);
        else if (NOT_MODELLED[ch]) return refuse(`${NOT_MODELLED[ch]} (not modelled here).`);
        else return usageError(`ss: invalid option -- '${ch}'\nTry 'ss --help' for more information.`);
      }
    } else return refuse(`filters ("${w}") are not modelled here: use -t/-u with -l or -a.`);
  }
  return a;
}

/** ss.c's state filter: -l the listeners (and unconnected UDP), -a everything, else SS_CONN for TCP and ESTAB for UDP. */
function shown(a: SsArgs, r: SocketRow): boolean {
  if (a.all) return true;
  if (a.listening) return r.state === 'LISTEN' || r.state === 'CLOSE';
  if (r.proto === 'udp') return r.state === 'ESTABLISHED';
  return r.state !== 'LISTEN' && r.state !== 'CLOSE' && r.state !== 'TIME_WAIT' && r.state !== 'SYN_RECV';
}

interface Column {
  header: string;
  ldelim: string;
  right: boolean;
}

const COLUMNS: readonly Column[] = [
  { header: 'Netid', ldelim: '', right: false },
  { header: 'State', ldelim: ' ', right: false },
  { header: 'Recv-Q', ldelim: ' ', right: false },
  { header: 'Send-Q', ldelim: ' ', right: false },
  { header: 'Local Address:', ldelim: ' ', right: true },
  { header: 'Port', ldelim: '', right: false },
  { header: 'Peer Address:', ldelim: ' ', right: true },
  { header: 'Port', ldelim: '', right: false },
  { header: 'Process', ldelim: '', right: false },
];

/**
 * render() with render_calc_width's compact widths: a column is its
 * widest field, plus its delimiter unless it is the first with content;
 * each field is printed after the delimiter, right-aligned fields padded
 * on the left, left-aligned ones on the right.
 */
function render(cols: readonly Column[], lines: readonly string[][]): string {
  const widths: number[] = [];
  let first = true;
  cols.forEach((c, k) => {
    const max = Math.max(0, ...lines.map((l) => l[k]!.length));
    widths.push(!first && max ? max + c.ldelim.length : max);
    if (max) first = false;
  });
  let out = '';
  for (const l of lines) {
    let started = false;
    cols.forEach((c, k) => {
      const field = l[k]!;
      let printed = 0;
      if (started) {
        out += c.ldelim;
        printed = c.ldelim.length;
      }
      started = true;
      if (c.right) {
        const s = widths[k]! - field.length - printed;
        if (s > 0) out += ' '.repeat(s);
        out += field;
      } else {
        out += field;
        const s = widths[k]! - printed - field.length;
        if (s > 0) out += ' '.repeat(s);
      }
    });
    out += '\n';
  }
  return out;
}

function port(proto: 'tcp' | 'udp', p: number, numeric: boolean): string {
  if (p === 0) return '*';
  return numeric ? String(p) : (SERVICES[proto]![p] ?? String(p));
}

/**
 * The socket list. ss asks inet_diag for UDP before TCP (ss.c main: udp_show
 * then tcp_show); within a protocol the kernel walks its hash tables, whose
 * bucket order is salted per namespace, so the engine lists listeners first
 * (inet_diag dumps the listening hash first) and then the rest in the
 * order they were made.
 */
function list(a: SsArgs, rows: readonly SocketRow[]): string {
  let tcp = a.tcp;
  let udp = a.udp;
  if (!tcp && !udp) {
    // -l or -a alone, or nothing: ss lists every family, Unix and netlink sockets among them
    tcp = udp = true;
  }
  const netid = tcp && udp;
  const cols = netid ? COLUMNS : COLUMNS.slice(1);
  const lines: string[][] = [];
  if (a.header) lines.push(cols.map((c) => c.header));
  const order = (r: SocketRow) => (r.state === 'LISTEN' ? 0 : 1);
  const pick = (proto: 'tcp' | 'udp') => rows.filter((r) => r.proto === proto && shown(a, r)).sort((x, y) => order(x) - order(y));
  const chosen = [...(udp ? pick('udp') : []), ...(tcp ? pick('tcp') : [])];
  for (const r of chosen) {
    const fields = [
      STATE_NAMES[r.state],
      String(r.recvQ).padEnd(6),
      String(r.sendQ).padEnd(6),
      `${formatIpv4(r.laddr)}:`,
      port(r.proto, r.lport, a.numeric),
      `${formatIpv4(r.raddr)}:`,
      port(r.proto, r.rport, a.numeric),
      '',
    ];
    lines.push(netid ? [r.proto, ...fields] : fields);
  }
  return render(cols, lines);
}

/**
 * `ss -s` (print_summary): /proc/net/sockstat and /proc/net/snmp as the
 * host's sockets make them. `Total` is every socket a process holds, and
 * the TCP line's first number sockstat's `alloc`: on a real machine both
 * also count what ss itself opens and, for `alloc`, every namespace's TCP
 * sockets (tcp_sockets_allocated is machine-wide, as is the `orphaned`
 * count, tcp_orphan_count), so only this host's are printed here.
 */
function summary(rows: readonly SocketRow[]): string {
  const total = rows.filter((r) => r.owned).length;
  // full TCP sockets in the hash tables: not TIME-WAIT minisocks, not request socks (sockstat's inuse)
  const tcpInuse = rows.filter((r) => r.proto === 'tcp' && r.state !== 'TIME_WAIT' && r.state !== 'SYN_RECV').length;
  const tw = rows.filter((r) => r.proto === 'tcp' && r.state === 'TIME_WAIT').length;
  // CurrEstab (tcp_set_state): ESTABLISHED and CLOSE-WAIT
  const estab = rows.filter((r) => r.proto === 'tcp' && (r.state === 'ESTABLISHED' || r.state === 'CLOSE_WAIT')).length;
  const orphans = rows.filter((r) => r.proto === 'tcp' && !r.owned && r.state !== 'TIME_WAIT' && r.state !== 'SYN_RECV' && r.state !== 'LISTEN').length;
  const udp = rows.filter((r) => r.proto === 'udp').length;
  const n = (v: number) => String(v).padEnd(9);
  const row = (name: string, t: number) => `${name}\t  ${n(t)} ${n(t)} ${n(0)}\n`;
  return (
    `Total: ${total}\n` +
    `TCP:   ${tcpInuse} (estab ${estab}, closed 0, orphaned ${orphans}, timewait ${tw})\n\n` +
    'Transport Total     IP        IPv6\n' +
    row('RAW', 0) +
    row('UDP', udp) +
    row('TCP', tcpInuse) +
    row('INET', udp + tcpInuse) +
    row('FRAG', 0) +
    '\n'
  );
}

/** `ss ARGS` over `rows`. */
export function ss(args: readonly string[], rows: readonly SocketRow[]): SsOutput {
  const a = parse(args);
  if ('exit' in a) return a;
  if (a.summary) return { stdout: summary(rows), stderr: '', exit: 0 };
  if (!a.tcp && !a.udp) return refuse('without -t or -u ss lists Unix, netlink and packet sockets too, which PacketWalk does not model: add -t and/or -u (ss -tuln, ss -tan).');
  return { stdout: list(a, rows), stderr: '', exit: 0 };
}
