// pattern: Functional Core
// What each extension prints in `iptables -L` (its libxt_*.c print()
// function in iptables 1.8.9), which is not what it prints for -S: `tcp
// dpt:http` for `-m tcp --dport 80`, `ctstate RELATED,ESTABLISHED`, `to:…`
// for DNAT, `LOG level warn`. Every part begins with a space, as the C
// printf calls do. An extension without its print() here prints its -S
// text after its name; PRINTED says which ones are exact.

import { formatIpv4, maskLength } from '../net/addr';
import type { AddrtypeOptions } from './modules/addrtype';
import { ADDR_TYPES } from './modules/addrtype';
import type { CommentOptions } from './modules/comment';
import type { ConntrackOptions, CtAddr, CtPortRange, StateOptions } from './modules/conntrack';
import { CTSTATE_BITS, CTSTATUS_BITS } from './modules/conntrack';
import type { IcmpOptions } from './modules/icmp';
import type { IprangeOptions } from './modules/iprange';
import type { LimitOptions } from './modules/limit';
import type { MarkMatchOptions } from './modules/mark';
import type { MultiportOptions } from './modules/multiport';
import type { StatisticOptions } from './modules/statistic';
import type { TcpOptions, UdpOptions, PortRange } from './modules/tcp';
import type { ConnmarkOptions, CtOptions, DnatOptions, LogOptions, MarkOptions, MasqueradeOptions, NatRange, NflogOptions, RejectOptions, SnatOptions } from './targets/index';
import { ICMP_NAMES } from './modules/icmp';
import { serviceName } from './services';

type Printer = (o: never, numeric: boolean, proto: number) => string;

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

function port(p: number, numeric: boolean, proto: number): string {
  if (numeric || (proto !== 6 && proto !== 17)) return `${p}`;
  return serviceName(p, proto === 6 ? 'tcp' : 'udp') ?? `${p}`;
}

/** libxt_tcp print_ports: nothing for the full range, else ` dpt:80`, ` dpts:1000:2000`, `!` after the colon. */
function ports(name: string, r: PortRange | null, numeric: boolean, proto: number): string {
  if (!r || (r.min === 0 && r.max === 0xffff && !r.invert)) return '';
  const inv = r.invert ? '!' : '';
  if (r.min === r.max) return ` ${name}:${inv}${port(r.min, numeric, proto)}`;
  return ` ${name}s:${inv}${port(r.min, numeric, proto)}:${port(r.max, numeric, proto)}`;
}

const TCP_FLAGS: readonly [string, number][] = [['FIN', 0x01], ['SYN', 0x02], ['RST', 0x04], ['PSH', 0x08], ['ACK', 0x10], ['URG', 0x20]];

function tcpFlags(bits: number): string {
  if (bits === 0) return 'NONE';
  return TCP_FLAGS.filter(([, b]) => bits & b).map(([n]) => n).join(',');
}

const two = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

function tcp(o: TcpOptions, numeric: boolean): string {
  let s = ' tcp' + ports('spt', o.sport, numeric, 6) + ports('dpt', o.dport, numeric, 6);
  if (o.option) s += ` option=${o.option.invert ? '!' : ''}${o.option.kind}`;
  if (o.flags) {
    s += ` flags:${o.flags.invert ? '!' : ''}`;
    s += numeric ? `0x${two(o.flags.mask)}/0x${two(o.flags.cmp)}` : `${tcpFlags(o.flags.mask)}/${tcpFlags(o.flags.cmp)}`;
  }
  return s;
}

function udp(o: UdpOptions, numeric: boolean): string {
  return ' udp' + ports('spt', o.sport, numeric, 17) + ports('dpt', o.dport, numeric, 17);
}

/** libipt_icmp print: a name unless -n (`echo-request`, `!destination-unreachable`), else `type 8 code 0`. */
function icmp(o: IcmpOptions, numeric: boolean): string {
  if (!numeric) {
    const hit = ICMP_NAMES.find(([, t, lo, hi]) => t === o.type && lo === o.codeMin && hi === o.codeMax);
    if (hit) return ` icmp ${o.invert ? '!' : ''}${hit[0]}`;
  }
  let s = ` icmp${o.invert ? ' !' : ''}type ${o.type}`;
  if (o.codeMin === o.codeMax) s += ` code ${o.codeMin}`;
  else if (o.codeMin !== 0 || o.codeMax !== 0xff) s += ` codes ${o.codeMin}-${o.codeMax}`;
  return s;
}

function multiport(o: MultiportOptions, numeric: boolean, proto: number): string {
  const which = o.flags === 'source' ? 'sports' : o.flags === 'destination' ? 'dports' : 'ports';
  const list = o.ranges.map(([a, b]) => (a === b ? port(a, numeric, proto) : `${port(a, numeric, proto)}:${port(b, numeric, proto)}`)).join(',');
  return ` multiport ${which} ${o.invert ? '!' : ''}${list}`;
}

function bits(b: number, names: readonly string[], none: string): string {
  const out = names.filter((_, i) => b & (1 << i));
  return out.length ? out.join(',') : none;
}

function ctAddr(name: string, a: CtAddr | null): string {
  if (!a) return '';
  const len = maskLength(a.mask);
  return ` ${a.invert ? '! ' : ''}${name} ${formatIpv4(a.addr)}${len === 32 ? '' : `/${len >= 0 ? len : formatIpv4(a.mask)}`}`;
}

function ctPort(name: string, r: CtPortRange | null): string {
  if (!r) return '';
  return ` ${r.invert ? '! ' : ''}${name} ${r.min === r.max ? r.min : `${r.min}:${r.max}`}`;
}

/** libxt_conntrack conntrack_dump: the fields in this order, each ` [! ]ctNAME VALUE`. */
function conntrack(o: ConntrackOptions): string {
  let s = '';
  if (o.state) s += ` ${o.state.invert ? '! ' : ''}ctstate ${bits(o.state.bits, CTSTATE_BITS, '')}`;
  if (o.proto) s += ` ${o.proto.invert ? '! ' : ''}ctproto ${o.proto.num}`;
  s += ctAddr('ctorigsrc', o.origSrc) + ctAddr('ctorigdst', o.origDst) + ctAddr('ctreplsrc', o.replSrc) + ctAddr('ctrepldst', o.replDst);
  s += ctPort('ctorigsrcport', o.origSrcPort) + ctPort('ctorigdstport', o.origDstPort) + ctPort('ctreplsrcport', o.replSrcPort) + ctPort('ctrepldstport', o.replDstPort);
  if (o.status) s += ` ${o.status.invert ? '! ' : ''}ctstatus ${bits(o.status.bits, CTSTATUS_BITS, 'NONE')}`;
  if (o.expire) s += ` ${o.expire.invert ? '! ' : ''}ctexpire ${o.expire.min === o.expire.max ? o.expire.min : `${o.expire.min}:${o.expire.max}`}`;
  if (o.dir) s += ` ctdir ${o.dir}`;
  return s;
}

function state(o: StateOptions): string {
  return ` ${o.invert ? '! ' : ''}state ${bits(o.bits, CTSTATE_BITS, '')}`;
}

const markText = (value: number, mask: number): string => (mask === 0xffffffff ? hex(value) : `${hex(value)}/${hex(mask)}`);

/** xt_limit print_rate: the largest unit the rate divides evenly enough. */
function limit(o: LimitOptions): string {
  const SCALE = 10000;
  const rates: [string, number][] = [['day', SCALE * 86400], ['hour', SCALE * 3600], ['min', SCALE * 60], ['sec', SCALE]];
  let rate = 'inf';
  if (o.avg !== 0) {
    let i = 1;
    for (; i < rates.length; i++) if (o.avg > rates[i]![1] || Math.floor(rates[i]![1] / o.avg) < rates[i]![1] % o.avg) break;
    const [name, mult] = rates[i - 1]!;
    rate = `${Math.floor(mult / o.avg)}/${name}`;
  }
  return ` limit: avg ${rate} burst ${o.burst}`;
}

function iprange(o: IprangeOptions): string {
  let s = '';
  if (o.src) s += ` source IP range${o.src.invert ? ' !' : ''} ${formatIpv4(o.src.min)}-${formatIpv4(o.src.max)}`;
  if (o.dst) s += ` destination IP range${o.dst.invert ? ' !' : ''} ${formatIpv4(o.dst.min)}-${formatIpv4(o.dst.max)}`;
  return s;
}

function addrtype(o: AddrtypeOptions): string {
  let s = ' ADDRTYPE match';
  const types = (b: number) => ADDR_TYPES.filter((_, i) => b & (1 << i)).join(',');
  if (o.src) s += ` src-type ${o.srcInvert ? '!' : ''}${types(o.src)}`;
  if (o.dst) s += ` dst-type ${o.dstInvert ? '!' : ''}${types(o.dst)}`;
  if (o.limitIfaceIn) s += ' limit-in';
  if (o.limitIfaceOut) s += ' limit-out';
  return s;
}

function statistic(o: StatisticOptions): string {
  if (o.mode === 'random') return ` statistic mode random${o.invert ? ' !' : ''} probability ${(o.probability / 0x80000000).toFixed(11)}`;
  return ` statistic mode nth${o.invert ? ' !' : ''} every ${o.every + 1}${o.packet ? ` packet ${o.packet}` : ''}`;
}

const LOG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];
const LOG_FLAGS: readonly [number, string, keyof LogOptions][] = [[0x01, 'tcp-sequence', 'tcpSequence'], [0x02, 'tcp-options', 'tcpOptions'], [0x04, 'ip-options', 'ipOptions'], [0x08, 'uid', 'uid'], [0x20, 'macdecode', 'macDecode']];

function log(o: LogOptions, numeric: boolean): string {
  let s = ' LOG';
  if (numeric) s += ` flags ${LOG_FLAGS.reduce((f, [bit, , key]) => (o[key] ? f | bit : f), 0)} level ${o.level}`;
  else {
    s += LOG_LEVELS[o.level] ? ` level ${LOG_LEVELS[o.level]}` : ` UNKNOWN level ${o.level}`;
    for (const [, name, key] of LOG_FLAGS) if (o[key]) s += ` ${name}`;
  }
  return o.prefix ? `${s} prefix "${o.prefix}"` : s;
}

/** libxt_NAT print_range: `10.0.2.2:80`, `1.2.3.4-1.2.3.9:100-200`. */
function natRange(r: NatRange): string {
  let s = '';
  if (r.hasIps) s += formatIpv4(r.minIp) + (r.maxIp !== r.minIp ? `-${formatIpv4(r.maxIp)}` : '');
  if (r.hasPorts) s += `:${r.minPort}${r.maxPort !== r.minPort ? `-${r.maxPort}` : ''}${r.portBase ? `/${r.portBase}` : ''}`;
  return s;
}

function nat(o: DnatOptions | SnatOptions): string {
  let s = o.ranges.map((r) => ` to:${natRange(r)}`).join('');
  if (o.random) s += ' random';
  if ('randomFully' in o && o.randomFully) s += ' random-fully';
  if (o.persistent) s += ' persistent';
  return s;
}

function portsOnly(prefix: string, o: MasqueradeOptions): string {
  let s = '';
  if (o.range) s += ` ${prefix}${o.range.minPort}${o.range.maxPort !== o.range.minPort ? `-${o.range.maxPort}` : ''}`;
  if (o.random) s += ' random';
  if (o.randomFully) s += ' random-fully';
  return s;
}

/** MARK and CONNMARK --set-xmark name the operation the value and mask amount to. */
function xmark(what: string, value: number, mask: number): string {
  if (value === 0) return ` ${what} and ${hex(~mask)}`;
  if (value === mask) return ` ${what} or ${hex(value)}`;
  if (mask === 0) return ` ${what} xor ${hex(value)}`;
  if (mask === 0xffffffff) return ` ${what} set ${hex(value)}`;
  return ` ${what} xset ${hex(value)}/${hex(mask)}`;
}

function connmarkTarget(o: ConnmarkOptions): string {
  if (o.mode === 'set') return xmark('CONNMARK', o.ctmark, o.ctmask);
  const all = o.nfmask === 0xffffffff && o.ctmask === 0xffffffff;
  if (o.mode === 'save') return all ? ' CONNMARK save' : o.nfmask === o.ctmask ? ` CONNMARK save mask ${hex(o.nfmask)}` : ` CONNMARK save nfmask ${hex(o.nfmask)} ctmask ~${hex(o.ctmask)}`;
  return all ? ' CONNMARK restore' : o.ctmask === o.nfmask ? ` CONNMARK restore mask ${hex(o.ctmask)}` : ` CONNMARK restore ctmask ${hex(o.ctmask)} nfmask ~${hex(o.nfmask)}`;
}

function ct(o: CtOptions): string {
  let s = ' CT';
  if (o.notrack) s += ' notrack';
  if (o.helper) s += ` helper ${o.helper}`;
  if (o.ctevents) s += ` ctevents ${o.ctevents}`;
  if (o.expevents) s += ` expevents ${o.expevents}`;
  if (o.zone) s += ` zone ${o.zone}`;
  if (o.timeout) s += ` timeout ${o.timeout}`;
  return s;
}

function nflog(o: NflogOptions): string {
  let s = '';
  if (o.prefix) s += ` nflog-prefix ${o.prefix}`;
  if (o.group) s += ` nflog-group ${o.group}`;
  if (o.size !== null) s += ` nflog-size ${o.size}`;
  else if (o.range) s += ` nflog-range ${o.range}`;
  if (o.threshold) s += ` nflog-threshold ${o.threshold}`;
  return s;
}

const MATCH_PRINTERS: Readonly<Record<string, Printer>> = {
  tcp: tcp as Printer,
  udp: udp as Printer,
  icmp: icmp as Printer,
  multiport: multiport as Printer,
  comment: ((o: CommentOptions) => (o.comment === null ? '' : ` /* ${o.comment} */`)) as Printer,
  conntrack: conntrack as Printer,
  state: state as Printer,
  mark: ((o: MarkMatchOptions) => ` mark match${o.invert ? ' !' : ''} ${markText(o.value, o.mask)}`) as Printer,
  connmark: ((o: MarkMatchOptions) => ` connmark match ${o.invert ? '!' : ''}${markText(o.value, o.mask)}`) as Printer,
  limit: limit as Printer,
  iprange: iprange as Printer,
  addrtype: addrtype as Printer,
  statistic: statistic as Printer,
};

const TARGET_PRINTERS: Readonly<Record<string, Printer>> = {
  LOG: log as Printer,
  NFLOG: nflog as Printer,
  REJECT: ((o: RejectOptions) => ` reject-with ${o.with}`) as Printer,
  DNAT: nat as Printer,
  SNAT: nat as Printer,
  MASQUERADE: ((o: MasqueradeOptions) => portsOnly('masq ports: ', o)) as Printer,
  REDIRECT: ((o: MasqueradeOptions) => portsOnly('redir ports ', o)) as Printer,
  MARK: ((o: MarkOptions) => xmark('MARK', o.value, o.mask)) as Printer,
  CONNMARK: connmarkTarget as Printer,
  CT: ct as Printer,
  NOTRACK: (() => ' NOTRACK') as Printer,
};

/** The extensions whose -L text is iptables' own; the others print their -S options. */
export const PRINTED: ReadonlySet<string> = new Set([...Object.keys(MATCH_PRINTERS), ...Object.keys(TARGET_PRINTERS)]);

export function printExtension(kind: 'match' | 'target', name: string, options: unknown, numeric: boolean, proto: number, saveText: () => string): string {
  const p = (kind === 'match' ? MATCH_PRINTERS : TARGET_PRINTERS)[name];
  if (p) return (p as (o: unknown, n: boolean, proto: number) => string)(options, numeric, proto);
  const save = saveText();
  return kind === 'match' ? ` ${name}${save ? ` ${save}` : ''}` : save ? ` ${save}` : '';
}
