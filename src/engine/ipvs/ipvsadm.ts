// pattern: Functional Core
// ipvsadm 1.31: parse a command line into an IpvsadmCommand (never
// throwing; diagnostics carry the span of the offending word and
// ipvsadm's own message) and apply it to an IpvsState; what it prints for
// -L and -S comes from ipvsadm-print.ts, its option table from
// ipvsadm-options.ts. Messages come from ipvsadm.c (fail(),
// generic_opt_check, popt's errors) and libipvs' ipvs_strerror.

import type { Diagnostic, Parsed, Span } from '../text/diagnostics';
import { splitWords, type Word } from '../text/shlex';
import { OptionScanner, type ScanStyle } from '../text/option-scanner';
import { parseIpv4 } from '../net/addr';
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
  setTimeouts,
  zeroStats,
  type DestSpec,
  type ServiceSelector,
} from './state';
import type { IpvsProtocol, IpvsState, RealServer, TunCsum, TunType } from './types';
import { IP_VS_SVC_F_ONEPACKET, IP_VS_SVC_F_PERSISTENT, IP_VS_SVC_F_SCHED1, IP_VS_SVC_F_SCHED2, IP_VS_SVC_F_SCHED3, IP_VS_VERSION, IPVS_SVC_PERSISTENT_TIMEOUT } from './types';
import { runTimers } from './conn';
import { BY_LONG, BY_SHORT, LEGAL, OPT_ORDER, schedFlagNames, serviceToPort, type IpvsadmCmd, type IpvsadmOpt, type OptDef } from './ipvsadm-options';
import { formatConnections, formatList, formatSave, type ListFlags } from './ipvsadm-print';

const SOURCE = 'ipvsadm';
const MAX_TIMEOUT = 86400 * 31;
const INT_MAX = 2147483647;

export const TRY_HELP = "Try `ipvsadm -h' or 'ipvsadm --help' for more information.";

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

/** The server a `-d`/`-e` command names, for callers that want to show it before applying. */
export function commandDest(state: IpvsState, cmd: IpvsadmCommand): RealServer | undefined {
  if (!cmd.service || !cmd.server) return undefined;
  const svc = findService(state, cmd.service);
  return svc ? findDest(state, svc, cmd.server.addr, cmd.server.port) : undefined;
}
