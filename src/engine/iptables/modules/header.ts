// pattern: Functional Core
// Matches on single IP header fields and on what the host knows about the
// frame: -m ttl (libipt_ttl, xt_ttl), length (xt_length), tos (libxt_tos
// rev 1), dscp (xt_dscp), ecn (libxt_ecn, xt_ecn), pkttype (xt_pkttype),
// mac (xt_mac), realm (xt_realm), cpu (xt_cpu), devgroup (xt_devgroup).
// Save texts follow the extensions' save functions in iptables 1.8.9.

import { IPPROTO_TCP, TCP_CWR, TCP_ECE, l4HeaderLength } from '../../net/packet';
import type { Packet } from '../../net/packet';
import type { ClauseResult, MatchContext } from '../types';
import type { ErrorSink, MatchSpec, OptionCall } from './module';
import { hex, parseMarkMask, parseUInt } from './module';

/** xtables' "option can only be used once" for options without XTOPT_MULTI. */
export function once(seen: Set<string>, call: OptionCall, sink: ErrorSink, ext: string): boolean {
  if (seen.has(call.name)) {
    sink.error(`${ext}: option "--${call.name}" can only be used once.`, call.span);
    return false;
  }
  seen.add(call.name);
  return true;
}

/** XTTYPE_UINT8/16/32 with xtables' out-of-range text. */
export function uintOption(call: OptionCall, sink: ErrorSink, ext: string, max: number, min = 0): number | null {
  const v = parseUInt(call.arg);
  if (v === null || v < min || v > max) {
    sink.error(`${ext}: bad value for option "--${call.name}", or out of range (${min}-${max}).`, call.argSpan);
    return null;
  }
  return v;
}

const not = (invert: boolean): string => (invert ? '! ' : '');

/** IP total length as xt_length reads it (the Packet may leave len 0: computed). */
export function ipTotalLength(p: Packet): number {
  return p.len > 0 ? p.len : 20 + l4HeaderLength(p) + p.payload.length;
}

// ---------------------------------------------------------------- ttl

export type TtlMode = 'eq' | 'ne' | 'lt' | 'gt';

export interface TtlMatchOptions {
  mode: TtlMode | null;
  ttl: number;
}

function ttlHolds(o: TtlMatchOptions, ttl: number): boolean {
  switch (o.mode) {
    case 'eq':
      return ttl === o.ttl;
    case 'ne':
      return ttl !== o.ttl;
    case 'lt':
      return ttl < o.ttl;
    case 'gt':
      return ttl > o.ttl;
    default:
      return false;
  }
}

function ttlText(o: TtlMatchOptions): string {
  return o.mode === 'ne' ? `! --ttl-eq ${o.ttl}` : `--ttl-${o.mode ?? 'eq'} ${o.ttl}`;
}

export const ttl: MatchSpec<TtlMatchOptions> = {
  name: 'ttl',
  options: [
    { name: 'ttl-eq', arg: true },
    { name: 'ttl-lt', arg: true, invert: false },
    { name: 'ttl-gt', arg: true, invert: false },
    // the pre-1.4 spelling of --ttl-eq
    { name: 'ttl', arg: true, invert: false },
  ],
  init: () => ({ mode: null, ttl: 0 }),
  parse(o, call, sink) {
    if (o.mode !== null) {
      sink.error('ttl: Only one of --ttl-eq, --ttl-lt, --ttl-gt allowed', call.span);
      return;
    }
    const v = uintOption(call, sink, 'ttl', 255);
    if (v === null) return;
    o.ttl = v;
    o.mode = call.name === 'ttl-lt' ? 'lt' : call.name === 'ttl-gt' ? 'gt' : call.invert ? 'ne' : 'eq';
  },
  final(o, sink) {
    if (o.mode === null) sink.error("TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt'");
  },
  save: ttlText,
  match: (o, p) => ttlHolds(o, p.ttl),
  explain: (o, p) => [{ ok: ttlHolds(o, p.ttl), why: `${ttlText(o)}: packet TTL is ${p.ttl}` }],
};

// ---------------------------------------------------------------- length

export interface LengthOptions {
  min: number;
  max: number;
  invert: boolean;
  set: boolean;
}

/** `a`, `a:b`, `:b`, `a:`, `:` over [0, max] (xtables XTTYPE_*RC). */
export function parseUIntRange(text: string, max: number): [number, number] | null {
  const colon = text.indexOf(':');
  if (colon < 0) {
    const v = parseUInt(text);
    return v === null || v > max ? null : [v, v];
  }
  const a = text.slice(0, colon);
  const b = text.slice(colon + 1);
  const lo = a === '' ? 0 : parseUInt(a);
  const hi = b === '' ? max : parseUInt(b);
  if (lo === null || hi === null || lo > max || hi > max) return null;
  return [lo, hi];
}

function lengthText(o: LengthOptions): string {
  return `${not(o.invert)}--length ${o.min === o.max ? o.min : `${o.min}:${o.max}`}`;
}

export const length: MatchSpec<LengthOptions> = {
  name: 'length',
  options: [{ name: 'length', arg: true }],
  init: () => ({ min: 0, max: 0xffff, invert: false, set: false }),
  parse(o, call, sink) {
    const r = parseUIntRange(call.arg, 0xffff);
    if (!r) {
      sink.error('length: bad value for option "--length", or out of range (0-65535).', call.argSpan);
      return;
    }
    if (r[0] > r[1]) {
      sink.error(`length: invalid range ${call.arg}: min > max`, call.argSpan);
      return;
    }
    [o.min, o.max] = r;
    o.invert = call.invert;
    o.set = true;
  },
  final(o, sink) {
    if (!o.set) sink.error('length: option "--length" must be specified');
  },
  save: lengthText,
  match(o, p) {
    const n = ipTotalLength(p);
    return (n >= o.min && n <= o.max) !== o.invert;
  },
  explain(o, p) {
    const n = ipTotalLength(p);
    return [{ ok: (n >= o.min && n <= o.max) !== o.invert, why: `${lengthText(o)}: packet is ${n} bytes` }];
  },
};

// ---------------------------------------------------------------- tos / dscp / ecn

export interface TosMatchOptions {
  value: number;
  mask: number;
  invert: boolean;
  set: boolean;
}

/** The symbolic names xtables' tos_parse_symbolic knows; they mask 0x3f. */
const TOS_NAMES: readonly [string, number][] = [
  ['minimize-cost', 0x02], ['maximize-reliability', 0x04], ['maximize-throughput', 0x08],
  ['minimize-delay', 0x10], ['normal-service', 0x00],
];

const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

function tosText(o: TosMatchOptions): string {
  return `${not(o.invert)}--tos ${hex2(o.value)}/${hex2(o.mask)}`;
}

export const tos: MatchSpec<TosMatchOptions> = {
  name: 'tos',
  options: [{ name: 'tos', arg: true }],
  init: () => ({ value: 0, mask: 0xff, invert: false, set: false }),
  parse(o, call, sink) {
    const lower = call.arg.toLowerCase();
    const named = TOS_NAMES.find(([n]) => n === lower);
    const m = named ? { value: named[1], mask: 0x3f } : parseMarkMask(call.arg);
    if (!m || m.value > 0xff || (!named && m.mask !== 0xffffffff && m.mask > 0xff)) {
      sink.error(`tos: bad value for option "--tos", or out of range (0-255).`, call.argSpan);
      return;
    }
    o.value = m.value;
    o.mask = m.mask === 0xffffffff ? 0xff : m.mask;
    o.invert = call.invert;
    o.set = true;
  },
  final(o, sink) {
    if (!o.set) sink.error('tos: option "--tos" must be specified');
  },
  save: tosText,
  match: (o, p) => ((p.tos & o.mask) === o.value) !== o.invert,
  explain: (o, p) => [{ ok: ((p.tos & o.mask) === o.value) !== o.invert, why: `${tosText(o)}: packet TOS is ${hex2(p.tos & 0xff)}` }],
};

export interface DscpMatchOptions {
  dscp: number;
  invert: boolean;
  set: boolean;
}

/** RFC 2474/2597/3246 class names, as libxt_dscp's class_to_dscp. */
export const DSCP_CLASS_VALUES: Readonly<Record<string, number>> = {
  CS0: 0x00, CS1: 0x08, CS2: 0x10, CS3: 0x18, CS4: 0x20, CS5: 0x28, CS6: 0x30, CS7: 0x38, BE: 0x00,
  AF11: 0x0a, AF12: 0x0c, AF13: 0x0e, AF21: 0x12, AF22: 0x14, AF23: 0x16, AF31: 0x1a, AF32: 0x1c,
  AF33: 0x1e, AF41: 0x22, AF42: 0x24, AF43: 0x26, EF: 0x2e,
};

function dscpText(o: DscpMatchOptions): string {
  return `${not(o.invert)}--dscp ${hex2(o.dscp)}`;
}

export const dscp: MatchSpec<DscpMatchOptions> = {
  name: 'dscp',
  options: [
    { name: 'dscp', arg: true },
    { name: 'dscp-class', arg: true },
  ],
  init: () => ({ dscp: 0, invert: false, set: false }),
  parse(o, call, sink) {
    if (o.set) {
      sink.error('dscp: "--dscp" and "--dscp-class" cannot be used together, or twice.', call.span);
      return;
    }
    let v: number | null;
    if (call.name === 'dscp') v = uintOption(call, sink, 'dscp', 63);
    else {
      v = DSCP_CLASS_VALUES[call.arg.toUpperCase()] ?? null;
      if (v === null) sink.error(`Invalid DSCP value \`${call.arg}'\n`, call.argSpan);
    }
    if (v === null) return;
    o.dscp = v;
    o.invert = call.invert;
    o.set = true;
  },
  final(o, sink) {
    if (!o.set) sink.error('DSCP match: Parameter --dscp is required');
  },
  save: dscpText,
  match: (o, p) => ((p.tos >> 2) === o.dscp) !== o.invert,
  explain: (o, p) => [{ ok: ((p.tos >> 2) === o.dscp) !== o.invert, why: `${dscpText(o)}: packet DSCP is ${hex2(p.tos >> 2)}` }],
};

export interface EcnMatchOptions {
  ece: { invert: boolean } | null;
  cwr: { invert: boolean } | null;
  ect: { value: number; invert: boolean } | null;
}

function ecnClauses(o: EcnMatchOptions, p: Packet): ClauseResult[] {
  const out: ClauseResult[] = [];
  const flags = p.tcp ? p.tcp.flags : 0;
  if (o.ece) out.push({ ok: ((flags & TCP_ECE) !== 0) !== o.ece.invert, why: `${not(o.ece.invert)}--ecn-tcp-ece: ECE ${flags & TCP_ECE ? 'set' : 'clear'}` });
  if (o.cwr) out.push({ ok: ((flags & TCP_CWR) !== 0) !== o.cwr.invert, why: `${not(o.cwr.invert)}--ecn-tcp-cwr: CWR ${flags & TCP_CWR ? 'set' : 'clear'}` });
  if (o.ect) out.push({ ok: ((p.tos & 3) === o.ect.value) !== o.ect.invert, why: `${not(o.ect.invert)}--ecn-ip-ect ${o.ect.value}: packet ECN field is ${p.tos & 3}` });
  return out;
}

export const ecn: MatchSpec<EcnMatchOptions> = {
  name: 'ecn',
  options: [
    { name: 'ecn-tcp-cwr', arg: false },
    { name: 'ecn-tcp-ece', arg: false },
    { name: 'ecn-ip-ect', arg: true },
  ],
  init: () => ({ ece: null, cwr: null, ect: null }),
  parse(o, call, sink) {
    if (call.name === 'ecn-tcp-cwr') o.cwr = { invert: call.invert };
    else if (call.name === 'ecn-tcp-ece') o.ece = { invert: call.invert };
    else {
      const v = uintOption(call, sink, 'ecn', 3);
      if (v !== null) o.ect = { value: v, invert: call.invert };
    }
  },
  final(o, sink) {
    if (!o.ece && !o.cwr && !o.ect) sink.error('ECN match: some option required');
  },
  check(o, rule) {
    if ((o.ece || o.cwr) && (!rule.proto || rule.proto.num !== IPPROTO_TCP || rule.proto.invert))
      return 'xt_ecn: cannot match TCP bits for non-tcp packets';
    return null;
  },
  save(o) {
    const out: string[] = [];
    if (o.ece) out.push(`${not(o.ece.invert)}--ecn-tcp-ece`);
    if (o.cwr) out.push(`${not(o.cwr.invert)}--ecn-tcp-cwr`);
    if (o.ect) out.push(`${not(o.ect.invert)}--ecn-ip-ect ${o.ect.value}`);
    return out.join(' ');
  },
  match(o, p) {
    const flags = p.tcp ? p.tcp.flags : 0;
    if (o.ece && ((flags & TCP_ECE) !== 0) === o.ece.invert) return false;
    if (o.cwr && ((flags & TCP_CWR) !== 0) === o.cwr.invert) return false;
    if (o.ect && ((p.tos & 3) === o.ect.value) === o.ect.invert) return false;
    return true;
  },
  explain: ecnClauses,
};

// ---------------------------------------------------------------- pkttype

export type PktType = 'unicast' | 'broadcast' | 'multicast' | 'otherhost';

export interface PkttypeOptions {
  type: PktType | null;
  invert: boolean;
}

/** libxt_pkttype's table; `host` is unicast, printed by its first name. */
const PKT_TYPES: readonly [string, PktType][] = [
  ['unicast', 'unicast'], ['broadcast', 'broadcast'], ['multicast', 'multicast'],
  ['otherhost', 'otherhost'], ['host', 'unicast'], ['BROADCAST', 'broadcast'],
  ['MULTICAST', 'multicast'], ['HOST', 'unicast'],
];

/**
 * skb->pkt_type as the receiving device sets it, read off the destination:
 * 224/4 is multicast, the limited broadcast or a subnet broadcast of this
 * host is broadcast, anything else unicast (OTHERHOST needs promiscuous
 * capture, which the simulator has not).
 */
function pktTypeOf(p: Packet, ctx: { addrType(a: number, i: string | null): string }): PktType {
  if (p.dst >>> 28 === 0xe) return 'multicast';
  if (p.dst === 0xffffffff || ctx.addrType(p.dst, null) === 'BROADCAST') return 'broadcast';
  return 'unicast';
}

export const pkttype: MatchSpec<PkttypeOptions> = {
  name: 'pkttype',
  options: [{ name: 'pkt-type', arg: true }],
  init: () => ({ type: null, invert: false }),
  parse(o, call, sink) {
    const hit = PKT_TYPES.find(([n]) => n === call.arg);
    if (!hit) {
      sink.error(`Bad packet type '${call.arg}'`, call.argSpan);
      return;
    }
    o.type = hit[1];
    o.invert = call.invert;
  },
  final(o, sink) {
    if (o.type === null) sink.error('pkttype: option "--pkt-type" must be specified');
  },
  save: (o) => `${not(o.invert)}--pkt-type ${o.type ?? 'unicast'}`,
  match: (o, p, ctx) => (pktTypeOf(p, ctx) === o.type) !== o.invert,
  explain(o, p, ctx) {
    const t = pktTypeOf(p, ctx);
    return [{ ok: (t === o.type) !== o.invert, why: `${not(o.invert)}--pkt-type ${o.type ?? ''}: packet is ${t}` }];
  },
};

// ---------------------------------------------------------------- mac

export interface MacOptions {
  /** lowercase aa:bb:cc:dd:ee:ff */
  mac: string;
  invert: boolean;
}

/** xtables_parse_mac: exactly six colon-separated hex octets. */
export function parseMac(text: string): string | null {
  if (text.length !== 17) return null;
  let out = '';
  for (let i = 0; i < 17; i++) {
    const c = text.charCodeAt(i);
    if (i % 3 === 2) {
      if (c !== 58) return null;
      out += ':';
      continue;
    }
    const isHex = (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
    if (!isHex) return null;
    out += text[i]!.toLowerCase();
  }
  return out;
}

export const mac: MatchSpec<MacOptions> = {
  name: 'mac',
  hooks: ['PREROUTING', 'INPUT', 'FORWARD'],
  options: [{ name: 'mac-source', arg: true }],
  init: () => ({ mac: '', invert: false }),
  parse(o, call, sink) {
    const m = parseMac(call.arg);
    if (m === null) {
      sink.error('Invalid MAC address specified.', call.argSpan);
      return;
    }
    o.mac = m;
    o.invert = call.invert;
  },
  final(o, sink) {
    if (o.mac === '') sink.error('mac: option "--mac-source" must be specified');
  },
  save: (o) => `${not(o.invert)}--mac-source ${o.mac}`,
  // xt_mac: a frame without an Ethernet header never matches, inverted or not
  match: (o, _p, ctx) => ctx.srcMac !== null && (ctx.srcMac.toLowerCase() === o.mac) !== o.invert,
  explain(o, _p, ctx) {
    if (ctx.srcMac === null) return [{ ok: false, why: `${not(o.invert)}--mac-source ${o.mac}: packet has no source MAC (locally generated)` }];
    return [{ ok: (ctx.srcMac.toLowerCase() === o.mac) !== o.invert, why: `${not(o.invert)}--mac-source ${o.mac}: frame from ${ctx.srcMac}` }];
  },
};

// ---------------------------------------------------------------- realm / devgroup / cpu

export interface IdMaskOptions {
  id: number;
  mask: number;
  invert: boolean;
  set: boolean;
}

function idMaskText(id: number, mask: number, names: Readonly<Record<number, string>>): string {
  if (mask !== 0xffffffff) return `${hex(id)}/${hex(mask)}`;
  return names[id] ?? hex(id);
}

/** /etc/iproute2/rt_realms on Debian 12 names only realm 0, `cosmos`. */
const REALM_NAMES: Readonly<Record<number, string>> = { 0: 'cosmos' };

export const realm: MatchSpec<IdMaskOptions> = {
  name: 'realm',
  hooks: ['INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  options: [{ name: 'realm', arg: true }],
  init: () => ({ id: 0, mask: 0xffffffff, invert: false, set: false }),
  parse(o, call, sink) {
    const m = call.arg === 'cosmos' ? { value: 0, mask: 0xffffffff } : parseMarkMask(call.arg);
    if (!m) {
      sink.error(`realm: bad value for option "--realm", or out of range.`, call.argSpan);
      return;
    }
    Object.assign(o, { id: m.value, mask: m.mask, invert: call.invert, set: true });
  },
  final(o, sink) {
    if (!o.set) sink.error('realm: option "--realm" must be specified');
  },
  save: (o) => `${not(o.invert)}--realm ${idMaskText(o.id, o.mask, REALM_NAMES)}`,
  // realm_mt: id == (dst->tclassid & mask); the route's realms (case q81)
  match: (o, _p, ctx) => ((((ctx.routeClassid?.() ?? 0) & o.mask) >>> 0 === o.id) !== o.invert),
  explain(o, _p, ctx) {
    const classid = ctx.routeClassid?.() ?? 0;
    const ok = (((classid & o.mask) >>> 0 === o.id) !== o.invert);
    const realms = classid >>> 16 ? `${classid >>> 16}/${classid & 0xffff}` : String(classid & 0xffff);
    return [{ ok, why: `${not(o.invert)}--realm ${idMaskText(o.id, o.mask, REALM_NAMES)}: the packet's route has realms ${realms} (tclassid ${hex(classid)})` }];
  },
};

/** /etc/iproute2/group on Debian 12: `0 default`. */
const GROUP_NAMES: Readonly<Record<number, string>> = { 0: 'default' };

export interface DevgroupOptions {
  src: IdMaskOptions | null;
  dst: IdMaskOptions | null;
}

function parseGroup(call: OptionCall, sink: ErrorSink): IdMaskOptions | null {
  if (call.arg === 'default') return { id: 0, mask: 0xffffffff, invert: call.invert, set: true };
  const m = parseMarkMask(call.arg);
  if (!m) {
    sink.error(`devgroup: bad value for option "--${call.name}", or out of range.`, call.argSpan);
    return null;
  }
  return { id: m.value, mask: m.mask, invert: call.invert, set: true };
}

function groupClause(flag: string, g: IdMaskOptions, iface: string | null, ctx: MatchContext): ClauseResult {
  // devgroup_mt: (group ^ dev->group) & mask, with the device the hook passes (xt_in / xt_out)
  const group = iface === null ? 0 : (ctx.devGroup?.(iface) ?? 0);
  const ok = (((group ^ g.id) & g.mask) === 0) !== g.invert;
  return { ok, why: `${not(g.invert)}--${flag} ${idMaskText(g.id, g.mask, GROUP_NAMES)}: ${iface ?? 'no device'} is in group ${GROUP_NAMES[group] ?? group}` };
}

export const devgroup: MatchSpec<DevgroupOptions> = {
  name: 'devgroup',
  options: [
    { name: 'src-group', arg: true },
    { name: 'dst-group', arg: true },
  ],
  init: () => ({ src: null, dst: null }),
  parse(o, call, sink) {
    const g = parseGroup(call, sink);
    if (!g) return;
    if (call.name === 'src-group') o.src = g;
    else o.dst = g;
  },
  final(o, sink) {
    if (!o.src && !o.dst) sink.error('devgroup: one of --src-group or --dst-group is required');
  },
  save(o) {
    const out: string[] = [];
    if (o.src) out.push(`${not(o.src.invert)}--src-group ${idMaskText(o.src.id, o.src.mask, GROUP_NAMES)}`);
    if (o.dst) out.push(`${not(o.dst.invert)}--dst-group ${idMaskText(o.dst.id, o.dst.mask, GROUP_NAMES)}`);
    return out.join(' ');
  },
  match(o, _p, ctx) {
    if (o.src && !groupClause('src-group', o.src, ctx.inIface, ctx).ok) return false;
    if (o.dst && !groupClause('dst-group', o.dst, ctx.outIface, ctx).ok) return false;
    return true;
  },
  explain(o, _p, ctx) {
    const out: ClauseResult[] = [];
    if (o.src) out.push(groupClause('src-group', o.src, ctx.inIface, ctx));
    if (o.dst) out.push(groupClause('dst-group', o.dst, ctx.outIface, ctx));
    return out;
  },
};

/** The CPU every packet is processed on: see cpu.match. */
export const PACKET_CPU = 0;

export interface CpuOptions {
  cpu: number;
  invert: boolean;
  set: boolean;
}

export const cpu: MatchSpec<CpuOptions> = {
  name: 'cpu',
  options: [{ name: 'cpu', arg: true }],
  init: () => ({ cpu: 0, invert: false, set: false }),
  parse(o, call, sink) {
    const v = uintOption(call, sink, 'cpu', 0xffffffff);
    if (v === null) return;
    Object.assign(o, { cpu: v, invert: call.invert, set: true });
  },
  final(o, sink) {
    if (!o.set) sink.error('cpu: option "--cpu" must be specified');
  },
  save: (o) => `${not(o.invert)}--cpu ${o.cpu}`,
  // xt_cpu compares smp_processor_id(). The oracle pins every program to CPU 0
  // and veth and lo queue a packet on the backlog of the CPU that sent it, so
  // received, forwarded, generated and looped packets all run on CPU 0 (case
  // q82; no -m cpu --cpu 1 rule ever matched there): so does every packet here.
  match: (o) => (o.cpu === PACKET_CPU) !== o.invert,
  explain: (o) => [
    {
      ok: (o.cpu === PACKET_CPU) !== o.invert,
      why: `${not(o.invert)}--cpu ${o.cpu}: the packet is processed on CPU ${PACKET_CPU}, where the sending program runs (pinned to CPU 0 as in the oracle) and where veth and lo hand packets on`,
    },
  ],
};
