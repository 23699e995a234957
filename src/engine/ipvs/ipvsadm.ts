// pattern: Functional Core
// ipvsadm 1.31: parse a command line into an IpvsadmCommand (never
// throwing; diagnostics carry the span of the offending word and
// ipvsadm's own message), apply it to an IpvsState, and print
// `ipvsadm -L` (with -n, -c, --stats, --rate, --thresholds,
// --persistent-conn, --timeout) and `ipvsadm -S` byte for byte
// (SPEC.md §9). Messages come from ipvsadm.c (fail(), generic_opt_check,
// popt's errors) and libipvs' ipvs_strerror.

import type { Diagnostic, Parsed, Span } from '../text/diagnostics';
import { splitWords, type Word } from '../text/shlex';
import { OptionScanner, type ScanStyle } from '../text/option-scanner';
import { formatIpv4, parseIpv4 } from '../net/addr';
import { IPPROTO_TCP, IPPROTO_UDP } from '../net/packet';
import {
  addDest,
  addService,
  deleteDest,
  deleteService,
  DEFAULT_DEST_SPEC,
  editDest,
  editService,
  findDest,
  findService,
  flushServices,
  serviceDests,
  setTimeouts,
  zeroStats,
  type DestSpec,
  type ServiceSelector,
} from './state';
import type { FwdMethod, IpvsConn, IpvsProtocol, IpvsState, IpvsStats, RealServer, TunCsum, TunType, VirtualService } from './types';
import {
  IP_VS_CONN_TAB_SIZE,
  IP_VS_SVC_F_ONEPACKET,
  IP_VS_SVC_F_PERSISTENT,
  IP_VS_SVC_F_SCHED1,
  IP_VS_SVC_F_SCHED2,
  IP_VS_SVC_F_SCHED3,
  IP_VS_VERSION,
  IPVS_SVC_PERSISTENT_TIMEOUT,
} from './types';
import { runTimers } from './conn';

const SOURCE = 'ipvsadm';
const MAX_TIMEOUT = 86400 * 31;
const INT_MAX = 2147483647;

export const TRY_HELP = "Try `ipvsadm -h' or 'ipvsadm --help' for more information.";

export type IpvsadmCmd =
  | 'add-service'
  | 'edit-service'
  | 'delete-service'
  | 'flush'
  | 'list'
  | 'add-server'
  | 'delete-server'
  | 'edit-server'
  | 'set'
  | 'start-daemon'
  | 'stop-daemon'
  | 'restore'
  | 'save'
  | 'zero'
  | 'help'
  | 'version';

/** ipvsadm's option names (optnames[] in ipvsadm.c), used in its messages. */
export type IpvsadmOpt =
  | 'numeric'
  | 'connection'
  | 'service-address'
  | 'scheduler'
  | 'persistent'
  | 'netmask'
  | 'real-server'
  | 'forwarding-method'
  | 'weight'
  | 'u-threshold'
  | 'l-threshold'
  | 'mcast-interface'
  | 'timeout'
  | 'daemon'
  | 'stats'
  | 'rate'
  | 'thresholds'
  | 'persistent-conn'
  | 'nosort'
  | 'syncid'
  | 'exact'
  | 'ops'
  | 'pe'
  | 'sched-flags'
  | 'tun-type'
  | 'tun-port'
  | 'tun-nocsum'
  | 'tun-csum'
  | 'tun-remcsum'
  | 'tun-info';

export interface ListFlags {
  numeric: boolean;
  connection: boolean;
  stats: boolean;
  rate: boolean;
  thresholds: boolean;
  persistentConn: boolean;
  timeout: boolean;
  daemon: boolean;
  nosort: boolean;
  exact: boolean;
  tunInfo: boolean;
}

export interface IpvsadmCommand {
  command: IpvsadmCmd;
  /** the whole command line and the word that named the command */
  span: Span;
  commandSpan: Span;
  service: ServiceSelector | null;
  serviceSpan: Span | null;
  scheduler: string;
  /** IP_VS_SVC_F_* bits: persistent, ops, scheduler flags */
  svcFlags: number;
  timeout: number;
  netmask: number;
  pe: string;
  server: { addr: number; port: number } | null;
  serverSpan: Span | null;
  dest: Omit<DestSpec, 'addr' | 'port'>;
  list: ListFlags;
  /** --set tcp tcpfin udp */
  timeouts: [number, number, number] | null;
  /** options given, by ipvsadm's name */
  options: IpvsadmOpt[];
}

// ---------------------------------------------------------------- option table

interface OptDef {
  long: string;
  short?: string;
  arg: 'none' | 'required' | 'optional';
  cmd?: IpvsadmCmd;
  opt?: IpvsadmOpt;
  /** the option letter's own job, for options that are not commands */
  id: string;
}

const OPTS: readonly OptDef[] = [
  { long: 'add-service', short: 'A', arg: 'none', cmd: 'add-service', id: 'A' },
  { long: 'edit-service', short: 'E', arg: 'none', cmd: 'edit-service', id: 'E' },
  { long: 'delete-service', short: 'D', arg: 'none', cmd: 'delete-service', id: 'D' },
  { long: 'clear', short: 'C', arg: 'none', cmd: 'flush', id: 'C' },
  { long: 'list', short: 'L', arg: 'none', cmd: 'list', id: 'L' },
  { long: 'list', short: 'l', arg: 'none', cmd: 'list', id: 'L' },
  { long: 'zero', short: 'Z', arg: 'none', cmd: 'zero', id: 'Z' },
  { long: 'add-server', short: 'a', arg: 'none', cmd: 'add-server', id: 'a' },
  { long: 'edit-server', short: 'e', arg: 'none', cmd: 'edit-server', id: 'e' },
  { long: 'delete-server', short: 'd', arg: 'none', cmd: 'delete-server', id: 'd' },
  { long: 'set', arg: 'none', cmd: 'set', id: 'set' },
  { long: 'help', short: 'h', arg: 'none', cmd: 'help', id: 'h' },
  { long: 'version', short: 'v', arg: 'none', cmd: 'version', id: 'v' },
  { long: 'restore', short: 'R', arg: 'none', cmd: 'restore', id: 'R' },
  { long: 'save', short: 'S', arg: 'none', cmd: 'save', id: 'S' },
  { long: 'start-daemon', arg: 'required', cmd: 'start-daemon', id: 'start-daemon' },
  { long: 'stop-daemon', arg: 'required', cmd: 'stop-daemon', id: 'stop-daemon' },
  { long: 'tcp-service', short: 't', arg: 'required', opt: 'service-address', id: 't' },
  { long: 'udp-service', short: 'u', arg: 'required', opt: 'service-address', id: 'u' },
  { long: 'sctp-service', arg: 'required', opt: 'service-address', id: 'sctp' },
  { long: 'fwmark-service', short: 'f', arg: 'required', opt: 'service-address', id: 'f' },
  { long: 'scheduler', short: 's', arg: 'required', opt: 'scheduler', id: 's' },
  { long: 'persistent', short: 'p', arg: 'optional', opt: 'persistent', id: 'p' },
  { long: 'netmask', short: 'M', arg: 'required', opt: 'netmask', id: 'M' },
  { long: 'real-server', short: 'r', arg: 'required', opt: 'real-server', id: 'r' },
  { long: 'masquerading', short: 'm', arg: 'none', opt: 'forwarding-method', id: 'm' },
  { long: 'ipip', short: 'i', arg: 'none', opt: 'forwarding-method', id: 'i' },
  { long: 'gatewaying', short: 'g', arg: 'none', opt: 'forwarding-method', id: 'g' },
  { long: 'weight', short: 'w', arg: 'required', opt: 'weight', id: 'w' },
  { long: 'u-threshold', short: 'x', arg: 'required', opt: 'u-threshold', id: 'x' },
  { long: 'l-threshold', short: 'y', arg: 'required', opt: 'l-threshold', id: 'y' },
  { long: 'numeric', short: 'n', arg: 'none', opt: 'numeric', id: 'n' },
  { long: 'connection', short: 'c', arg: 'none', opt: 'connection', id: 'c' },
  { long: 'mcast-interface', arg: 'required', opt: 'mcast-interface', id: 'mcast' },
  { long: 'syncid', arg: 'required', opt: 'syncid', id: 'syncid' },
  { long: 'timeout', arg: 'none', opt: 'timeout', id: 'timeout' },
  { long: 'daemon', arg: 'none', opt: 'daemon', id: 'daemon' },
  { long: 'stats', arg: 'none', opt: 'stats', id: 'stats' },
  { long: 'rate', arg: 'none', opt: 'rate', id: 'rate' },
  { long: 'thresholds', arg: 'none', opt: 'thresholds', id: 'thresholds' },
  { long: 'persistent-conn', arg: 'none', opt: 'persistent-conn', id: 'persistent-conn' },
  { long: 'nosort', arg: 'none', opt: 'nosort', id: 'nosort' },
  { long: 'sort', arg: 'none', id: 'sort' },
  { long: 'exact', short: 'X', arg: 'none', opt: 'exact', id: 'X' },
  { long: 'ipv6', short: '6', arg: 'none', id: '6' },
  { long: 'ops', short: 'o', arg: 'none', opt: 'ops', id: 'o' },
  { long: 'pe', arg: 'required', opt: 'pe', id: 'pe' },
  { long: 'sched-flags', short: 'b', arg: 'required', opt: 'sched-flags', id: 'b' },
  { long: 'tun-type', arg: 'required', opt: 'tun-type', id: 'tun-type' },
  { long: 'tun-port', arg: 'required', opt: 'tun-port', id: 'tun-port' },
  { long: 'tun-nocsum', arg: 'none', opt: 'tun-nocsum', id: 'tun-nocsum' },
  { long: 'tun-csum', arg: 'none', opt: 'tun-csum', id: 'tun-csum' },
  { long: 'tun-remcsum', arg: 'none', opt: 'tun-remcsum', id: 'tun-remcsum' },
  { long: 'tun-info', arg: 'none', opt: 'tun-info', id: 'tun-info' },
];

const BY_LONG = new Map<string, OptDef>();
const BY_SHORT = new Map<string, OptDef>();
for (const o of OPTS) {
  if (!BY_LONG.has(o.long)) BY_LONG.set(o.long, o);
  if (o.short) BY_SHORT.set(o.short, o);
}

// commands_v_options: '+' required, 'x' illegal (default), ' ' optional, '1' one of a group
type Legal = Partial<Record<IpvsadmOpt, '+' | ' ' | '1'>>;
const SVC_OPTS: Legal = { 'service-address': '+', scheduler: ' ', persistent: ' ', netmask: ' ', ops: ' ', pe: ' ', 'sched-flags': ' ' };
const DEST_OPTS: Legal = {
  'service-address': '+',
  'real-server': '+',
  'forwarding-method': ' ',
  weight: ' ',
  'u-threshold': ' ',
  'l-threshold': ' ',
  'tun-type': ' ',
  'tun-port': ' ',
  'tun-nocsum': ' ',
  'tun-csum': ' ',
  'tun-remcsum': ' ',
};
const LEGAL: Record<IpvsadmCmd, Legal> = {
  'add-service': SVC_OPTS,
  'edit-service': SVC_OPTS,
  'delete-service': { 'service-address': '+' },
  flush: {},
  list: {
    numeric: ' ',
    connection: '1',
    'service-address': '1',
    timeout: '1',
    daemon: '1',
    stats: ' ',
    rate: ' ',
    thresholds: ' ',
    'persistent-conn': ' ',
    nosort: ' ',
    exact: ' ',
    'tun-info': ' ',
  },
  'add-server': DEST_OPTS,
  'edit-server': DEST_OPTS,
  'delete-server': { 'service-address': '+', 'real-server': '+' },
  set: {},
  'start-daemon': { 'mcast-interface': ' ', syncid: ' ' },
  'stop-daemon': { syncid: ' ' },
  restore: {},
  save: { numeric: ' ' },
  zero: { 'service-address': ' ' },
  help: {},
  version: {},
};

const OPT_ORDER: readonly IpvsadmOpt[] = [
  'numeric',
  'connection',
  'service-address',
  'scheduler',
  'persistent',
  'netmask',
  'real-server',
  'forwarding-method',
  'weight',
  'u-threshold',
  'l-threshold',
  'mcast-interface',
  'timeout',
  'daemon',
  'stats',
  'rate',
  'thresholds',
  'persistent-conn',
  'nosort',
  'syncid',
  'exact',
  'ops',
  'pe',
  'sched-flags',
  'tun-type',
  'tun-port',
  'tun-nocsum',
  'tun-csum',
  'tun-remcsum',
  'tun-info',
];

/** /etc/services names ipvsadm accepts for ports and prints without -n (a common subset). */
const SERVICES: readonly [string, number, 'tcp' | 'udp' | 'both'][] = [
  ['ftp-data', 20, 'tcp'],
  ['ftp', 21, 'tcp'],
  ['ssh', 22, 'tcp'],
  ['telnet', 23, 'tcp'],
  ['smtp', 25, 'tcp'],
  ['domain', 53, 'both'],
  ['tftp', 69, 'udp'],
  ['http', 80, 'tcp'],
  ['pop3', 110, 'tcp'],
  ['ntp', 123, 'udp'],
  ['imap2', 143, 'tcp'],
  ['snmp', 161, 'udp'],
  ['ldap', 389, 'tcp'],
  ['https', 443, 'tcp'],
  ['submission', 587, 'tcp'],
  ['ldaps', 636, 'tcp'],
  ['imaps', 993, 'tcp'],
  ['pop3s', 995, 'tcp'],
  ['mysql', 3306, 'tcp'],
  ['postgresql', 5432, 'tcp'],
  ['http-alt', 8080, 'tcp'],
];

function serviceToPort(name: string, proto: IpvsProtocol): number {
  const p = proto === 'udp' ? 'udp' : 'tcp';
  for (const [n, port, pr] of SERVICES) if (n === name && (pr === 'both' || pr === p)) return port;
  if (name === 'www') return p === 'tcp' ? 80 : -1;
  return -1;
}

function portToService(port: number, proto: IpvsProtocol): string | null {
  const p = proto === 'udp' ? 'udp' : 'tcp';
  for (const [n, pt, pr] of SERVICES) if (pt === port && (pr === 'both' || pr === p)) return n;
  return null;
}

// ---------------------------------------------------------------- parsing

/** strtol-style: the whole text is a decimal number in [min, max], else -1 (string_to_number). */
function stringToNumber(s: string, min: number, max: number): number {
  if (!/^[+-]?\d+$/.test(s.trim()) || /^\s/.test(s)) return -1;
  const n = Number(s);
  if (!Number.isFinite(n) || n < min || n > max) return -1;
  return n;
}

interface AddrPort {
  addr: number;
  port: number;
  hasPort: boolean;
}

/** parse_service: host[:port], port as a number or a service name. null = SERVICE_NONE. */
function parseAddrPort(text: string, proto: IpvsProtocol): AddrPort | 'ipv6' | null {
  if (text === '' || /^\d+$/.test(text)) return null;
  if (text.startsWith('[') || text.split(':').length > 2) return 'ipv6';
  const colon = text.lastIndexOf(':');
  const host = colon >= 0 ? text.slice(0, colon) : text;
  const addr = parseIpv4(host);
  if (addr === null) return null;
  if (colon < 0) return { addr, port: 0, hasPort: false };
  const ps = text.slice(colon + 1);
  let port = stringToNumber(ps, 0, 65535);
  if (port < 0) port = serviceToPort(ps, proto);
  if (port < 0) return null;
  return { addr, port, hasPort: true };
}

function schedFlagNames(sched: string): [string, string, string] {
  if (sched === 'sh') return ['sh-fallback', 'sh-port', 'flag-3'];
  if (sched === 'mh') return ['mh-fallback', 'mh-port', 'flag-3'];
  return ['flag-1', 'flag-2', 'flag-3'];
}

function emptyList(): ListFlags {
  return {
    numeric: false,
    connection: false,
    stats: false,
    rate: false,
    thresholds: false,
    persistentConn: false,
    timeout: false,
    daemon: false,
    nosort: false,
    exact: false,
    tunInfo: false,
  };
}

/** popt as ipvsadm uses it on a case line: no `!`, `--` is the unknown option `-`, a quoted `-x` is a word. */
const IPVSADM_WORDS: ScanStyle = { negation: false, endOfOptions: false, quotedShortIsOperand: true };

/** One ipvsadm line being read: the command so far and what its options said. */
interface LineParse {
  s: OptionScanner;
  cmd: IpvsadmCommand;
  command: IpvsadmCmd | null;
  svcProto: IpvsProtocol;
  svcPort: number;
  fwmark: number;
  svcAddr: number;
  svcKind: 'none' | 'addr' | 'fwmark';
  schedFlagsArg: { text: string; span: Span } | null;
  persistentGiven: boolean;
  /** words that are no option, in order (--set's three timeouts) */
  positional: Word[];
  seen: Set<IpvsadmOpt>;
  /** no option read yet: the first must be a command */
  first: boolean;
}

/**
 * Parse one ipvsadm command line (with or without the leading `ipvsadm`).
 * `base` is added to every span, so a line of a larger text (an
 * `ipvsadm -R` input, a case file) keeps its document offsets. Like
 * ipvsadm, it stops at the first error.
 *
 * @example parseIpvsadm('ipvsadm -A -t 10.0.0.100:80 -s rr').value?.command === 'add-service'
 */
export function parseIpvsadm(line: string, base = 0): Parsed<IpvsadmCommand> {
  const split = splitWords(line, base, SOURCE);
  let words = split.words;
  if (words.length > 0 && /(^|\/)ipvsadm$/.test(words[0]!.text)) words = words.slice(1);
  const whole: Span = { from: base, to: base + line.length };
  const s = new OptionScanner(words, 0, SOURCE, IPVSADM_WORDS, [...split.diagnostics]);
  const cmd: IpvsadmCommand = {
    command: 'list',
    span: whole,
    commandSpan: words[0] ? { from: words[0].from, to: words[0].to } : whole,
    service: null,
    serviceSpan: null,
    scheduler: '',
    svcFlags: 0,
    timeout: 0,
    netmask: 0xffffffff,
    pe: '',
    server: null,
    serverSpan: null,
    dest: { ...DEFAULT_DEST_SPEC },
    list: emptyList(),
    timeouts: null,
    options: [],
  };
  // `ipvsadm` alone lists the table
  if (words.length === 0) return { value: cmd, diagnostics: s.diagnostics };
  const p: LineParse = {
    s,
    cmd,
    command: null,
    svcProto: 'tcp',
    svcPort: 0,
    fwmark: 0,
    svcAddr: 0,
    svcKind: 'none',
    schedFlagsArg: null,
    persistentGiven: false,
    positional: [],
    seen: new Set(),
    first: true,
  };
  while (!s.done) if (!readWord(p)) return { value: null, diagnostics: s.diagnostics };
  if (!finishCommand(p, whole)) return { value: null, diagnostics: s.diagnostics };
  return { value: cmd, diagnostics: s.diagnostics };
}

/** One word: a long option, a cluster of short ones (the last may take the rest of the word), or a positional word. */
function readWord(p: LineParse): boolean {
  const s = p.s;
  const kind = s.next();
  const w = s.word!;
  if (kind === 'long') {
    // popt points at the whole word, also for an `=value` argument
    return readOption(p, BY_LONG.get(s.name) ?? null, `--${s.name}`, s.inline ? s.inline.text : null, w, s.inline ? w : null);
  }
  if (kind === 'short') {
    const t = w.text;
    for (let ci = 1; ci < t.length; ci++) {
      const c = t[ci]!;
      const def = BY_SHORT.get(c) ?? null;
      const span = { from: w.from, to: w.to };
      const rest = def && def.arg !== 'none' ? s.clusterRest(w, ci) : null;
      if (!readOption(p, def, `-${c}`, rest ? rest.text : null, span, rest ? span : null)) return false;
      if (rest || !def) break;
    }
    return true;
  }
  if (p.first) {
    s.fail(w, TRY_HELP, 'ipvsadm/command-first', 'a command such as -A, -a or -L');
    return false;
  }
  p.positional.push(w);
  return true;
}

/** One option with its argument (taken from the next word when it was not in this one): false when the line is refused. */
function readOption(p: LineParse, def: OptDef | null, name: string, inline: string | null, span: Span, inlineSpan: Span | null): boolean {
  const s = p.s;
  if (!def) {
    s.fail(span, `${name}: unknown option`, 'ipvsadm/unknown-option');
    return false;
  }
  let arg = inline;
  let argSpan = inlineSpan;
  if (def.arg !== 'none' && arg === null) {
    const nx = def.arg === 'required' ? s.argument(null) : s.operand();
    if (nx) {
      arg = nx.text;
      argSpan = nx;
    } else if (def.arg === 'required') {
      s.missingArgument(span, `${name}: missing argument`, 'ipvsadm/missing-argument', 'an argument');
      return false;
    }
  }
  const aSpan: Span = argSpan ?? span;
  if (p.first) {
    p.first = false;
    if (!def.cmd) {
      s.fail(span, TRY_HELP, 'ipvsadm/command-first', 'a command such as -A, -a or -L');
      return false;
    }
  }
  if (def.cmd) return commandOption(p, def.cmd, arg, span, aSpan);
  if (def.opt) {
    if (p.seen.has(def.opt)) {
      s.fail(span, `multiple '${def.opt}' options specified`, 'ipvsadm/multiple-options');
      return false;
    }
    p.seen.add(def.opt);
    p.cmd.options.push(def.opt);
  }
  const a = arg ?? '';
  return serviceOption(p, def.id, a, arg, aSpan) ?? serverOption(p, def.id, a, aSpan) ?? otherOption(p, def.id, a, span, aSpan);
}

function commandOption(p: LineParse, command: IpvsadmCmd, arg: string | null, span: Span, aSpan: Span): boolean {
  if (p.command !== null) {
    p.s.fail(span, 'multiple commands specified', 'ipvsadm/multiple-commands');
    return false;
  }
  p.command = command;
  p.cmd.commandSpan = { from: span.from, to: span.to };
  if ((command === 'start-daemon' || command === 'stop-daemon') && arg !== 'master' && arg !== 'backup') {
    p.s.fail(aSpan, command === 'start-daemon' ? 'illegal start-daemon parameter specified' : 'illegal stop_daemon specified', 'ipvsadm/daemon');
    return false;
  }
  return true;
}

/** -t -u --sctp-service -f -s -p -M: the virtual service; undefined for another option. */
function serviceOption(p: LineParse, id: string, a: string, arg: string | null, aSpan: Span): boolean | undefined {
  const { s, cmd } = p;
  switch (id) {
    case 't':
    case 'u':
    case 'sctp': {
      p.svcProto = id === 't' ? 'tcp' : id === 'u' ? 'udp' : 'sctp';
      const r = parseAddrPort(a, p.svcProto);
      if (r === 'ipv6') {
        s.fail(aSpan, 'IPv6 virtual services are not simulated (PacketWalk is IPv4 only)', 'ipvsadm/ipv6');
        return false;
      }
      if (!r) {
        s.fail(aSpan, 'illegal virtual server address[:port] specified', 'ipvsadm/bad-service', 'VIP[:port]');
        return false;
      }
      p.svcKind = 'addr';
      p.svcAddr = r.addr;
      p.svcPort = r.port;
      cmd.serviceSpan = { from: aSpan.from, to: aSpan.to };
      return true;
    }
    case 'f': {
      const n = /^\d+$/.test(a) ? Number(a) : NaN;
      if (!(n > 0 && n <= 0xffffffff)) {
        s.fail(aSpan, `invalid fwmark value \`${a}' specified`, 'ipvsadm/bad-fwmark', 'an integer greater than zero');
        return false;
      }
      p.svcKind = 'fwmark';
      p.fwmark = n;
      p.svcProto = 'tcp';
      cmd.serviceSpan = { from: aSpan.from, to: aSpan.to };
      return true;
    }
    case 's':
      cmd.scheduler = a.slice(0, 15);
      return true;
    case 'p': {
      p.persistentGiven = true;
      cmd.svcFlags |= IP_VS_SVC_F_PERSISTENT;
      if (arg === null) cmd.timeout = IPVS_SVC_PERSISTENT_TIMEOUT;
      else {
        const n = stringToNumber(a, 1, MAX_TIMEOUT);
        if (n < 0) {
          s.fail(aSpan, `invalid timeout value \`${a}' specified`, 'ipvsadm/bad-timeout', `1..${MAX_TIMEOUT}`);
          return false;
        }
        cmd.timeout = n;
      }
      return true;
    }
    case 'M': {
      const m = parseIpv4(a);
      if (m === null) {
        s.fail(aSpan, 'illegal virtual server persistent mask specified', 'ipvsadm/bad-netmask', 'a dotted netmask');
        return false;
      }
      cmd.netmask = m;
      return true;
    }
  }
  return undefined;
}

/** -r -m -i -g -w -x -y --tun-*: the real server; undefined for another option. */
function serverOption(p: LineParse, id: string, a: string, aSpan: Span): boolean | undefined {
  const { s, cmd } = p;
  switch (id) {
    case 'r': {
      const r = parseAddrPort(a, p.svcProto);
      if (r === 'ipv6') {
        s.fail(aSpan, 'IPv6 real servers are not simulated (PacketWalk is IPv4 only)', 'ipvsadm/ipv6');
        return false;
      }
      if (!r) {
        s.fail(aSpan, 'illegal real server address[:port] specified', 'ipvsadm/bad-server', 'RIP[:port]');
        return false;
      }
      // without a port the server takes the service port known so far (ipvsadm copies it at this point)
      cmd.server = { addr: r.addr, port: r.hasPort ? r.port : p.svcPort };
      cmd.serverSpan = { from: aSpan.from, to: aSpan.to };
      return true;
    }
    case 'm':
      cmd.dest.method = 'masq';
      return true;
    case 'i':
      cmd.dest.method = 'tunnel';
      return true;
    case 'g':
      cmd.dest.method = 'route';
      return true;
    case 'w': {
      const n = stringToNumber(a, 0, 65535);
      if (n < 0) {
        s.fail(aSpan, 'illegal weight specified', 'ipvsadm/bad-weight', '0..65535');
        return false;
      }
      cmd.dest.weight = n;
      return true;
    }
    case 'x':
    case 'y': {
      const n = stringToNumber(a, 0, INT_MAX);
      if (n < 0) {
        s.fail(aSpan, id === 'x' ? 'illegal u_threshold specified' : 'illegal l_threshold specified', 'ipvsadm/bad-threshold', `0..${INT_MAX}`);
        return false;
      }
      if (id === 'x') cmd.dest.uThreshold = n;
      else cmd.dest.lThreshold = n;
      return true;
    }
    case 'tun-type':
      if (a !== 'ipip' && a !== 'gue' && a !== 'gre') {
        s.fail(aSpan, `illegal tunnel type \`${a}' specified`, 'ipvsadm/bad-tun-type', 'ipip, gue or gre');
        return false;
      }
      cmd.dest.tunType = a as TunType;
      return true;
    case 'tun-port': {
      const n = stringToNumber(a, 1, 65535);
      if (n < 0) {
        s.fail(aSpan, 'illegal tunnel port specified', 'ipvsadm/bad-tun-port', '1..65535');
        return false;
      }
      cmd.dest.tunPort = n;
      return true;
    }
    case 'tun-nocsum':
    case 'tun-csum':
    case 'tun-remcsum':
      cmd.dest.tunCsum = id.slice(4) as TunCsum;
      return true;
  }
  return undefined;
}

/** The listing flags, --syncid, -6, -o, --pe, -b and the options without effect. */
function otherOption(p: LineParse, id: string, a: string, span: Span, aSpan: Span): boolean {
  const { s, cmd } = p;
  switch (id) {
    case 'n':
      cmd.list.numeric = true;
      break;
    case 'c':
      cmd.list.connection = true;
      break;
    case 'syncid':
      if (stringToNumber(a, 0, 255) < 0) {
        s.fail(aSpan, 'illegal syncid specified', 'ipvsadm/bad-syncid', '0..255');
        return false;
      }
      break;
    case 'timeout':
      cmd.list.timeout = true;
      break;
    case 'daemon':
      cmd.list.daemon = true;
      break;
    case 'stats':
      cmd.list.stats = true;
      break;
    case 'rate':
      cmd.list.rate = true;
      break;
    case 'thresholds':
      cmd.list.thresholds = true;
      break;
    case 'persistent-conn':
      cmd.list.persistentConn = true;
      break;
    case 'nosort':
      cmd.list.nosort = true;
      break;
    case 'X':
      cmd.list.exact = true;
      break;
    case 'tun-info':
      cmd.list.tunInfo = true;
      break;
    case '6':
      if (p.svcKind !== 'fwmark') s.fail(span, '-6 used before -f', 'ipvsadm/ipv6-before-f');
      else s.fail(span, 'IPv6 fwmark services are not simulated (PacketWalk is IPv4 only)', 'ipvsadm/ipv6');
      return false;
    case 'o':
      cmd.svcFlags |= IP_VS_SVC_F_ONEPACKET;
      break;
    case 'pe':
      cmd.pe = a;
      break;
    case 'b':
      p.schedFlagsArg = { text: a, span: aSpan };
      break;
    default:
      break;
  }
  return true;
}

/** After the last word: the command's service, --set's values, and ipvsadm's checks of the whole line, in its order. */
function finishCommand(p: LineParse, whole: Span): boolean {
  const { s, cmd } = p;
  const command = p.command;
  if (command === null) {
    s.fail(whole, TRY_HELP, 'ipvsadm/command-first');
    return false;
  }
  cmd.command = command;
  if (p.svcKind === 'addr') cmd.service = { protocol: p.svcProto, addr: p.svcAddr, port: p.svcPort };
  else if (p.svcKind === 'fwmark') cmd.service = { fwmark: p.fwmark };
  if (!positionalArguments(p)) return false;
  if (!genericOptCheck(p, command)) return false;
  if (command === 'add-service' || command === 'edit-service') {
    if (p.svcKind === 'addr' && p.svcPort === 0 && !p.persistentGiven) {
      s.fail(cmd.serviceSpan ?? whole, 'Zero port specified for non-persistent service', 'ipvsadm/zero-port');
      return false;
    }
    if (cmd.svcFlags & IP_VS_SVC_F_ONEPACKET && p.svcKind === 'addr' && p.svcProto !== 'udp') {
      s.fail(cmd.commandSpan, 'One-Packet Scheduling is only for UDP virtual services', 'ipvsadm/ops-udp');
      return false;
    }
    if (cmd.scheduler === '') cmd.scheduler = 'wlc';
    if (!p.persistentGiven) cmd.timeout = IPVS_SVC_PERSISTENT_TIMEOUT;
  }
  if (p.schedFlagsArg && !schedFlags(p, p.schedFlagsArg)) return false;
  if ((command === 'add-server' || command === 'edit-server') && p.svcKind === 'addr' && cmd.server) {
    // DR and TUN cannot change the port: the server port is forced to the service port
    if (cmd.dest.method === 'route' || cmd.dest.method === 'tunnel') cmd.server.port = p.svcPort;
  }
  const l = cmd.list;
  if (command === 'list' && (((l.connection || l.timeout || l.daemon) && (l.stats || l.rate || l.thresholds)) || ((l.timeout || l.daemon) && l.persistentConn))) {
    s.fail(cmd.commandSpan, 'options conflicts in the list command', 'ipvsadm/list-conflict');
    return false;
  }
  return true;
}

/** --set takes its three timeouts as positional words; any other positional word is refused. */
function positionalArguments(p: LineParse): boolean {
  const { s, cmd, positional } = p;
  if (p.command === 'set') {
    if (positional.length < 3) {
      s.fail(cmd.commandSpan, '--set option requires 3 timeout values', 'ipvsadm/set-values', 'tcp tcpfin udp');
      return false;
    }
    const vals: number[] = [];
    for (const w of positional.slice(0, 3)) {
      const n = stringToNumber(w.text, 0, MAX_TIMEOUT);
      if (n < 0) {
        s.fail(w, `invalid timeout value \`${w.text}' specified`, 'ipvsadm/bad-timeout', `0..${MAX_TIMEOUT}`);
        return false;
      }
      vals.push(n);
    }
    cmd.timeouts = [vals[0]!, vals[1]!, vals[2]!];
    positional.splice(0, 3);
  }
  if (positional.length > 0) {
    const w = positional[0]!;
    s.fail(w, `unexpected argument ${w.text}`, 'ipvsadm/unexpected-argument');
    return false;
  }
  return true;
}

/** ipvsadm.c generic_opt_check: each option required, allowed or refused by the command, one of a group at most. */
function genericOptCheck(p: LineParse, command: IpvsadmCmd): boolean {
  const { s, cmd, seen } = p;
  const legal = LEGAL[command];
  let groupFirst: IpvsadmOpt | null = null;
  for (const o of OPT_ORDER) {
    const rule = legal[o];
    if (!seen.has(o)) {
      if (rule === '+') {
        s.fail(cmd.commandSpan, `You need to supply the '${o}' option for the '${command}' command`, 'ipvsadm/missing-option', `--${o}`);
        return false;
      }
      continue;
    }
    if (rule === undefined) {
      s.fail(cmd.commandSpan, `Illegal '${o}' option with the '${command}' command`, 'ipvsadm/illegal-option');
      return false;
    }
    if (rule === '1') {
      if (groupFirst === null) groupFirst = o;
      else {
        s.fail(cmd.commandSpan, `The option '${o}' conflicts with '${groupFirst}' option in the '${command}' command`, 'ipvsadm/conflicting-options');
        return false;
      }
    }
  }
  return true;
}

/** -b FLAG[,FLAG...]: the scheduler's flags, each pointed at on its own when refused. */
function schedFlags(p: LineParse, arg: { text: string; span: Span }): boolean {
  const { s, cmd } = p;
  const names = schedFlagNames(cmd.scheduler || 'wlc');
  let off = arg.span.from;
  for (const part of arg.text.split(',')) {
    const at: Span = { from: off, to: off + part.length };
    off += part.length + 1;
    const generic = ['flag-1', 'flag-2', 'flag-3'].indexOf(part);
    const sh = ['sh-fallback', 'sh-port'].indexOf(part);
    const mh = ['mh-fallback', 'mh-port'].indexOf(part);
    if (generic >= 0) cmd.svcFlags |= [IP_VS_SVC_F_SCHED1, IP_VS_SVC_F_SCHED2, IP_VS_SVC_F_SCHED3][generic]!;
    else if (sh >= 0 || mh >= 0) {
      if (names[0] !== (sh >= 0 ? 'sh-fallback' : 'mh-fallback')) {
        s.fail(at, `incompatible scheduler flag \`${part}'`, 'ipvsadm/incompatible-sched-flag');
        return false;
      }
      cmd.svcFlags |= (sh >= 0 ? sh : mh) === 0 ? IP_VS_SVC_F_SCHED1 : IP_VS_SVC_F_SCHED2;
    } else {
      s.fail(at, `invalid scheduler flag \`${part}'`, 'ipvsadm/invalid-sched-flag', 'sh-fallback, sh-port, mh-fallback, mh-port, flag-1..3');
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------- applying

export interface IpvsadmResult {
  /** what ipvsadm prints on stdout */
  stdout: string;
  /** what it prints on stderr ('' when all went well) */
  stderr: string;
  /** exit status: 0 ok, 1 kernel error or a listing failure, 2 bad usage */
  status: number;
}

export interface ApplyOptions {
  /** stdin for -R */
  stdin?: string;
}

/**
 * Run a parsed command against `state` at simulation time `now` (ms).
 * Timers due by `now` fire first, so listings show live counters.
 */
export function applyIpvsadm(state: IpvsState, cmd: IpvsadmCommand, now: number, opts: ApplyOptions = {}): IpvsadmResult {
  runTimers(state, now);
  const ok = (stdout = ''): IpvsadmResult => ({ stdout, stderr: '', status: 0 });
  const kernel = (e: string | null): IpvsadmResult => (e ? { stdout: '', stderr: `${e}\n`, status: 1 } : ok());
  const svcSpec = () => ({ scheduler: cmd.scheduler || 'wlc', flags: cmd.svcFlags, timeout: cmd.timeout, netmask: cmd.netmask, pe: cmd.pe });
  const destSpec = (): DestSpec => ({ ...cmd.dest, addr: cmd.server?.addr ?? 0, port: cmd.server?.port ?? 0 });
  switch (cmd.command) {
    case 'add-service':
      return kernel(cmd.service ? addService(state, cmd.service, svcSpec()) : 'Invalid operation.  Possibly wrong module version, address not unicast, ...');
    case 'edit-service':
      return kernel(cmd.service ? editService(state, cmd.service, svcSpec()) : 'No such service');
    case 'delete-service':
      return kernel(cmd.service ? deleteService(state, cmd.service) : 'No such service');
    case 'flush':
      flushServices(state);
      return ok();
    case 'add-server':
      return kernel(cmd.service ? addDest(state, cmd.service, destSpec()) : 'Service not defined');
    case 'edit-server':
      return kernel(cmd.service ? editDest(state, cmd.service, destSpec()) : 'Service not defined');
    case 'delete-server':
      return kernel(cmd.service && cmd.server ? deleteDest(state, cmd.service, cmd.server.addr, cmd.server.port) : 'Service not defined');
    case 'zero':
      return kernel(zeroStats(state, cmd.service));
    case 'set':
      if (cmd.timeouts) setTimeouts(state, cmd.timeouts[0], cmd.timeouts[1], cmd.timeouts[2]);
      return ok();
    case 'save':
      return ok(formatSave(state, { numeric: cmd.list.numeric }));
    case 'restore': {
      const r = restoreIpvsadm(state, opts.stdin ?? '', now);
      return { stdout: r.stdout, stderr: r.stderr, status: r.status };
    }
    case 'list':
      return listCommand(state, cmd, now);
    case 'start-daemon':
    case 'stop-daemon':
      return ok();
    case 'help':
      return ok(`ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v${IP_VS_VERSION})\n`);
    case 'version':
      return ok(`ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v${IP_VS_VERSION})\n`);
  }
}

function listCommand(state: IpvsState, cmd: IpvsadmCommand, now: number): IpvsadmResult {
  const l = cmd.list;
  if (l.connection) return { stdout: formatConnections(state, now, { numeric: l.numeric }), stderr: '', status: 0 };
  if (l.timeout) {
    const t = state.timeouts;
    return { stdout: `Timeout (tcp tcpfin udp): ${t.tcp.ESTABLISHED} ${t.tcp.FIN_WAIT} ${t.udp}\n`, stderr: '', status: 0 };
  }
  if (l.daemon) return { stdout: '', stderr: '', status: 0 };
  if (cmd.service) {
    const svc = findService(state, cmd.service);
    if (!svc) return { stdout: '', stderr: 'No such service\n', status: 1 };
    return { stdout: formatList(state, { ...l, only: svc }), stderr: '', status: 0 };
  }
  return { stdout: formatList(state, l), stderr: '', status: 0 };
}

/**
 * `ipvsadm -R`: each line of `text` is an ipvsadm command without the
 * program name (the `-S` format). Diagnostics carry offsets into `text`.
 */
export function restoreIpvsadm(state: IpvsState, text: string, now: number): IpvsadmResult & { diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  let stderr = '';
  let status = 0;
  let off = 0;
  const lines = text.split('\n');
  for (const raw of lines) {
    const start = off;
    off += raw.length + 1;
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const p = parseIpvsadm(line, start);
    diagnostics.push(...p.diagnostics);
    if (!p.value) {
      const first = p.diagnostics.find((d) => d.severity === 'error');
      stderr += `${first ? first.message : TRY_HELP}\n`;
      status = 2;
      continue;
    }
    if (p.value.command === 'restore') {
      stderr += `${TRY_HELP}\n`;
      status = 2;
      continue;
    }
    const r = applyIpvsadm(state, p.value, now);
    stderr += r.stderr;
    if (r.status !== 0) {
      status = r.status;
      diagnostics.push({ from: start, to: start + line.length, severity: 'error', message: r.stderr.trim(), source: SOURCE, code: 'ipvsadm/kernel' });
    }
  }
  return { stdout: '', stderr, status, diagnostics };
}

// ---------------------------------------------------------------- printing

/** glibc's qsort is a merge sort: reproduce it so non-transitive comparisons (the int32 quirk) order the same way. */
function msort<T>(a: T[], cmp: (x: T, y: T) => number): T[] {
  if (a.length <= 1) return a.slice();
  const n1 = a.length >> 1;
  const l = msort(a.slice(0, n1), cmp);
  const r = msort(a.slice(n1), cmp);
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < l.length && j < r.length) out.push(cmp(l[i]!, r[j]!) <= 0 ? l[i++]! : r[j++]!);
  while (i < l.length) out.push(l[i++]!);
  while (j < r.length) out.push(r[j++]!);
  return out;
}

const PROTO_NUM: Record<IpvsProtocol, number> = { tcp: 6, udp: 17, sctp: 132 };

/** libipvs ipvs_cmp_services: fwmark, af, protocol, address, port, each as an int difference. */
function cmpServices(a: VirtualService, b: VirtualService): number {
  let r = (a.fwmark - b.fwmark) | 0;
  if (r) return r;
  r = PROTO_NUM[a.protocol] - PROTO_NUM[b.protocol];
  if (r) return r;
  r = (a.addr - b.addr) | 0;
  if (r) return r;
  return a.port - b.port;
}

function cmpDests(a: RealServer, b: RealServer): number {
  const r = (a.addr - b.addr) | 0;
  if (r) return r;
  return a.port - b.port;
}

function sortedServices(state: IpvsState, nosort: boolean): VirtualService[] {
  return nosort ? state.services.slice() : msort(state.services, cmpServices);
}

function sortedDests(state: IpvsState, svc: VirtualService, nosort: boolean): RealServer[] {
  const list = serviceDests(state, svc);
  return nosort ? list : msort(list, cmpDests);
}

function padEnd(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function padStart(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

function addrPort(addr: number, port: number, proto: IpvsProtocol, numeric: boolean): string {
  const name = numeric ? null : portToService(port, proto);
  return `${formatIpv4(addr)}:${name ?? port}`;
}

function protoLabel(p: IpvsProtocol): string {
  return p === 'tcp' ? 'TCP' : p === 'udp' ? 'UDP' : 'SCTP';
}

function svcName(svc: VirtualService, numeric: boolean): string {
  if (svc.fwmark) return `FWM  ${svc.fwmark}`;
  return `${padEnd(protoLabel(svc.protocol), 4)} ${addrPort(svc.addr, svc.port, svc.protocol, numeric)}`.slice(0, 33);
}

function svcRuleName(svc: VirtualService, numeric: boolean): string {
  if (svc.fwmark) return `-f ${svc.fwmark}`;
  const opt = svc.protocol === 'tcp' ? '-t' : svc.protocol === 'udp' ? '-u' : '--sctp-service';
  return `${opt} ${addrPort(svc.addr, svc.port, svc.protocol, numeric)}`;
}

function schedFlagsText(svc: VirtualService): string {
  const names = schedFlagNames(svc.scheduler);
  const out: string[] = [];
  if (svc.flags & IP_VS_SVC_F_SCHED1) out.push(names[0]);
  if (svc.flags & IP_VS_SVC_F_SCHED2) out.push(names[1]);
  if (svc.flags & IP_VS_SVC_F_SCHED3) out.push(names[2]);
  return out.join(',');
}

const FWD_NAME: Record<FwdMethod, string> = { masq: 'Masq', route: 'Route', tunnel: 'Tunnel' };
const FWD_SWITCH: Record<FwdMethod, string> = { masq: '-m', route: '-g', tunnel: '-i' };

/** print_largenum: %9llu, or K/M/G/T suffixes from 10^8 on (unless --exact). */
function largenum(n: number, exact: boolean): string {
  if (exact) {
    const s = String(n);
    return padStart(s, s.length <= 8 ? 9 : s.length + 1);
  }
  if (n < 1e8) return padStart(String(n), 9);
  if (n < 1e9) return `${padStart(String(Math.floor(n / 1e3)), 8)}K`;
  if (n < 1e11) return `${padStart(String(Math.floor(n / 1e6)), 8)}M`;
  if (n < 1e14) return `${padStart(String(Math.floor(n / 1e9)), 8)}G`;
  return `${padStart(String(Math.floor(n / 1e12)), 8)}T`;
}

function tunInfo(d: RealServer): string {
  if (d.method !== 'tunnel') return 'n/a';
  const c = d.tunCsum === 'nocsum' ? '-c' : d.tunCsum === 'csum' ? '+c' : 'r+c';
  if (d.tunType === 'ipip') return 'ipip';
  if (d.tunType === 'gue') return `gue:${d.tunPort}:${c}`;
  return `gre:${d.tunCsum === 'remcsum' ? '+c' : c}`;
}

export interface ListFormat extends Partial<ListFlags> {
  /** list one service only (`ipvsadm -L -t VIP:PORT`): no version line */
  only?: VirtualService;
}

function title(f: ListFormat): string {
  if (f.stats)
    return `${padEnd('Prot LocalAddress:Port', 33)} ${['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map((s) => padStart(s, 8)).join(' ')}\n  -> RemoteAddress:Port\n`;
  if (f.rate)
    return `${padEnd('Prot LocalAddress:Port', 33)} ${['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS'].map((s) => padStart(s, 8)).join(' ')}\n  -> RemoteAddress:Port\n`;
  if (f.thresholds)
    return `${padEnd('Prot LocalAddress:Port', 33)} ${['Uthreshold', 'Lthreshold', 'ActiveConn', 'InActConn'].map((s) => padEnd(s, 10)).join(' ')}\n  -> RemoteAddress:Port\n`;
  if (f.persistentConn)
    return `${padEnd('Prot LocalAddress:Port', 33)} ${padEnd('Weight', 9)} ${padEnd('PersistConn', 11)} ${padEnd('ActiveConn', 10)} ${padEnd('InActConn', 10)}\n  -> RemoteAddress:Port\n`;
  const tun = f.tunInfo ? ' TunnelInfo' : '';
  return `Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn${tun}\n`;
}

function statsCols(s: IpvsStats, exact: boolean): string {
  return [s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes].map((n) => largenum(n, exact)).join('');
}

function serviceEntry(state: IpvsState, svc: VirtualService, f: ListFormat): string {
  const numeric = !!f.numeric;
  const exact = !!f.exact;
  const name = svcName(svc, numeric);
  let out: string;
  if (f.stats) out = padEnd(name, 33) + statsCols(svc.stats, exact);
  else if (f.rate) out = padEnd(name, 33) + statsCols({ conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0 }, exact);
  else {
    out = `${name} ${svc.scheduler}`;
    const flags = schedFlagsText(svc);
    if (flags) out += ` (${flags})`;
    if (svc.flags & IP_VS_SVC_F_PERSISTENT) {
      out += ` persistent ${svc.timeout}`;
      if (svc.netmask >>> 0 !== 0xffffffff) out += ` mask ${formatIpv4(svc.netmask)}`;
    }
    if (svc.pe) out += ` pe ${svc.pe}`;
    if (svc.flags & IP_VS_SVC_F_ONEPACKET) out += ' ops';
  }
  out += '\n';
  for (const d of sortedDests(state, svc, !!f.nosort)) {
    const dname = addrPort(d.addr, d.port, svc.protocol, numeric).slice(0, 28);
    if (f.stats) out += `  -> ${padEnd(dname, 28)}${statsCols(d.stats, exact)}\n`;
    else if (f.rate) out += `  -> ${padEnd(dname, 28)} ${padStart('0', 8)} ${padStart('0', 8)} ${padStart('0', 8)}${largenum(0, exact)}${largenum(0, exact)}\n`;
    else if (f.thresholds)
      out += `  -> ${padEnd(dname, 28)} ${padEnd(String(d.uThreshold), 10)} ${padEnd(String(d.lThreshold), 10)} ${padEnd(String(d.activeConns), 10)} ${padEnd(String(d.inactConns), 10)}\n`;
    else if (f.persistentConn)
      out += `  -> ${padEnd(dname, 28)} ${padEnd(String(d.weight), 9)} ${padEnd(String(d.persistConns), 11)} ${padEnd(String(d.activeConns), 10)} ${padEnd(String(d.inactConns), 10)}\n`;
    else {
      out += `  -> ${padEnd(dname, 28)} ${padEnd(FWD_NAME[d.method], 7)} ${padEnd(String(d.weight), 6)} ${padEnd(String(d.activeConns), 10)} ${padEnd(String(d.inactConns), 10)}`;
      if (f.tunInfo) out += ` ${tunInfo(d)}`;
      out += '\n';
    }
  }
  return out;
}

/** `ipvsadm -L` in its variants (-n, --stats, --rate, --thresholds, --persistent-conn, --nosort, --exact, --tun-info). */
export function formatList(state: IpvsState, f: ListFormat = {}): string {
  if (f.only) return title(f) + serviceEntry(state, f.only, f);
  let out = `IP Virtual Server version ${IP_VS_VERSION} (size=${IP_VS_CONN_TAB_SIZE})\n`;
  out += title(f);
  for (const svc of sortedServices(state, !!f.nosort)) out += serviceEntry(state, svc, f);
  return out;
}

/** `ipvsadm -S` (-n: numeric). Thresholds are not saved. */
export function formatSave(state: IpvsState, f: { numeric?: boolean; nosort?: boolean } = {}): string {
  const numeric = !!f.numeric;
  let out = '';
  for (const svc of sortedServices(state, !!f.nosort)) {
    const name = svcRuleName(svc, numeric);
    out += `-A ${name} -s ${svc.scheduler}`;
    if (svc.flags & IP_VS_SVC_F_PERSISTENT) {
      out += ` -p ${svc.timeout}`;
      if (svc.netmask >>> 0 !== 0xffffffff) out += ` -M ${formatIpv4(svc.netmask)}`;
    }
    if (svc.pe) out += ` --pe ${svc.pe}`;
    if (svc.flags & IP_VS_SVC_F_ONEPACKET) out += ' -o';
    const flags = schedFlagsText(svc);
    if (flags) out += ` -b ${flags}`;
    out += '\n';
    for (const d of sortedDests(state, svc, !!f.nosort)) {
      out += `-a ${name} -r ${addrPort(d.addr, d.port, svc.protocol, numeric)} ${FWD_SWITCH[d.method]} -w ${d.weight}`;
      if (d.method === 'tunnel') {
        const csum = ` --tun-${d.tunCsum}`;
        if (d.tunType === 'ipip') out += ' --tun-type ipip';
        else if (d.tunType === 'gue') out += ` --tun-type gue --tun-port ${d.tunPort}${csum}`;
        else out += ` --tun-type gre${csum}`;
      }
      out += '\n';
    }
  }
  return out;
}

function connProto(c: IpvsConn): string {
  return c.protocol === IPPROTO_TCP ? 'TCP' : c.protocol === IPPROTO_UDP ? 'UDP' : c.protocol === 132 ? 'SCTP' : 'IP';
}

/** `ipvsadm -L -n -c`. Rows follow creation order; the kernel's follow its hash table. */
export function formatConnections(state: IpvsState, now: number, f: { numeric?: boolean } = {}): string {
  const numeric = !!f.numeric;
  let out = 'IPVS connection entries\n';
  out += `pro expire ${padEnd('state', 11)} ${padEnd('source', 18)} ${padEnd('virtual', 18)} destination\n`;
  const conns = Object.values(state.conns).sort((a, b) => a.seq - b.seq);
  for (const c of conns) {
    const left = Math.max(0, Math.floor((c.expires - now) / 1000));
    const mmss = `${String(Math.floor(left / 60)).padStart(2, '0')}:${String(left % 60).padStart(2, '0')}`;
    const p: IpvsProtocol = c.protocol === IPPROTO_UDP ? 'udp' : 'tcp';
    const st = c.template ? 'NONE' : c.state;
    out += `${padEnd(connProto(c), 3)} ${padEnd(mmss, 6)} ${padEnd(st, 11)} ${padEnd(addrPort(c.caddr, c.cport, p, numeric), 18)} ${padEnd(addrPort(c.vaddr, c.vport, p, numeric), 18)} ${addrPort(c.daddr, c.dport, p, numeric)}\n`;
  }
  return out;
}

/** The server a `-d`/`-e` command names, for callers that want to show it before applying. */
export function commandDest(state: IpvsState, cmd: IpvsadmCommand): RealServer | undefined {
  if (!cmd.service || !cmd.server) return undefined;
  const svc = findService(state, cmd.service);
  return svc ? findDest(state, svc, cmd.server.addr, cmd.server.port) : undefined;
}
