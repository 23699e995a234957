// pattern: Functional Core
// Matches whose answer lives in kernel state outside the rule: -m helper
// (the helper of the connection's master) and connlimit (the per-address
// connection count, conntrack/conncount.ts) and connbytes (the connection's
// packet and byte counters) read conntrack; set (ipsets) and nfacct
// (accounting objects) are not modelled and evaluate to a fixed, documented
// answer whose explain() says so. All parse and save exactly like iptables
// 1.8.9. socket asks the host for the packet's socket
// (MatchContext.lookupSocket), rpfilter for a route back to the source
// (MatchContext.reverseRoute).
//
// Existence checks the real tool performs against the kernel (an ipset or
// nfacct object of that name must exist) are not made: every name is
// accepted, as if the object had been created beforehand.

import { formatIpv4 } from '../../net/addr';
import type { MatchSpec } from './module';
import type { Packet } from '../../net/packet';
import type { MatchContext, SocketView } from '../types';
import type { CtView } from '../../conntrack/types';
import { saveString } from './module';
import { uintOption } from './header';

const not = (invert: boolean): string => (invert ? '! ' : '');

// ---------------------------------------------------------------- helper

export interface HelperOptions {
  name: string | null;
  invert: boolean;
}

export const helper: MatchSpec<HelperOptions> = {
  name: 'helper',
  needsConntrack: true,
  options: [{ name: 'helper', arg: true }],
  init: () => ({ name: null, invert: false }),
  parse(o, call, sink) {
    if (call.arg.length > 29) {
      sink.error('helper: option "--helper" must be no more than 29 characters', call.argSpan);
      return;
    }
    o.name = call.arg;
    o.invert = call.invert;
  },
  final(o, sink) {
    if (o.name === null) sink.error('helper: option "--helper" must be specified');
  },
  save: (o) => `${not(o.invert)}--helper ${saveString(o.name ?? '')}`,
  match: (o, _p, ctx) => helperMatches(o, ctx.ct?.masterHelper ?? null),
  explain(o, _p, ctx) {
    const h = ctx.ct?.masterHelper;
    const what =
      h === undefined && ctx.ct?.state === 'RELATED'
        ? "the helper of this connection's master is not known here (see the walk)"
        : h
          ? `the connection's master has helper ${h}`
          : 'not a connection a helper expected';
    return [{ ok: helperMatches(o, h ?? null), why: `${not(o.invert)}--helper ${o.name ?? ''}: ${what}` }];
  },
};

/**
 * xt_helper: the helper of the master of the packet's connection (only a
 * connection some helper expected has a master, so the master's own packets
 * never match). The name is compared over the length of the helper's name
 * (strncmp), and an empty name matches any helper.
 */
function helperMatches(o: HelperOptions, masterHelper: string | null): boolean {
  if (masterHelper === null) return o.invert;
  const name = o.name ?? '';
  const eq = name === '' || name.slice(0, masterHelper.length) === masterHelper;
  return eq !== o.invert;
}

// ---------------------------------------------------------------- set

export type SetCounterOp = 'eq' | 'ne' | 'lt' | 'gt';

export interface SetMatchOptions {
  name: string;
  /** per dimension: src or dst */
  dirs: ('src' | 'dst')[];
  invert: boolean;
  returnNomatch: boolean;
  skipCounterUpdate: boolean;
  skipSubcounterUpdate: boolean;
  /** u64 counters as decimal strings (options must survive JSON) */
  packets: { op: SetCounterOp; value: string } | null;
  bytes: { op: SetCounterOp; value: string } | null;
}

function parseDirs(text: string): ('src' | 'dst')[] | null {
  const parts = text.split(',');
  if (parts.length === 0 || parts.length > 6) return null;
  const out: ('src' | 'dst')[] = [];
  for (const p of parts) {
    if (p !== 'src' && p !== 'dst') return null;
    out.push(p);
  }
  return out;
}

function counterText(kind: string, c: { op: SetCounterOp; value: string }): string {
  return c.op === 'ne' ? `! --${kind}-eq ${c.value}` : `--${kind}-${c.op} ${c.value}`;
}

export const set: MatchSpec<SetMatchOptions> = {
  name: 'set',
  modelled: 'partial',
  options: [
    { name: 'match-set', arg: true, arg2: true },
    { name: 'set', arg: true, arg2: true },
    { name: 'return-nomatch', arg: false, invert: false },
    { name: 'update-counters', arg: false },
    { name: 'update-subcounters', arg: false },
    { name: 'packets-eq', arg: true },
    { name: 'packets-lt', arg: true, invert: false },
    { name: 'packets-gt', arg: true, invert: false },
    { name: 'bytes-eq', arg: true },
    { name: 'bytes-lt', arg: true, invert: false },
    { name: 'bytes-gt', arg: true, invert: false },
  ],
  init: () => ({ name: '', dirs: [], invert: false, returnNomatch: false, skipCounterUpdate: false, skipSubcounterUpdate: false, packets: null, bytes: null }),
  parse(o, call, sink) {
    switch (call.name) {
      case 'match-set':
      case 'set': {
        if (o.name !== '') {
          sink.error('--match-set can be specified only once', call.span);
          return;
        }
        const sp = call.arg.indexOf(' ');
        const name = call.arg.slice(0, sp);
        const dirs = parseDirs(call.arg.slice(sp + 1));
        if (name.length > 31) {
          sink.error(`setname \`${name}' too long, max 31 characters.`, call.argSpan);
          return;
        }
        if (!dirs) {
          sink.error("You must specify (the comma separated list of) 'src' or 'dst'.", call.argSpan);
          return;
        }
        Object.assign(o, { name, dirs, invert: call.invert });
        return;
      }
      case 'return-nomatch':
        o.returnNomatch = true;
        return;
      case 'update-counters':
        o.skipCounterUpdate = call.invert;
        return;
      case 'update-subcounters':
        o.skipSubcounterUpdate = call.invert;
        return;
      default: {
        const dash = call.name.lastIndexOf('-');
        const kind = call.name.slice(0, dash) as 'packets' | 'bytes';
        const op = call.name.slice(dash + 1) as SetCounterOp;
        if (!/^\d+$/.test(call.arg) || BigInt(call.arg) > 0xffffffffffffffffn) {
          sink.error(`set: bad value for option "--${call.name}", or out of range.`, call.argSpan);
          return;
        }
        o[kind] = { op: op === 'eq' && call.invert ? 'ne' : op, value: BigInt(call.arg).toString() };
      }
    }
  },
  final(o, sink) {
    if (o.name === '') sink.error('You must specify --match-set with proper arguments');
  },
  save(o) {
    let s = `${not(o.invert)}--match-set ${o.name} ${o.dirs.join(',')}`;
    if (o.returnNomatch) s += ' --return-nomatch';
    if (o.skipCounterUpdate) s += ' ! --update-counters';
    if (o.skipSubcounterUpdate) s += ' ! --update-subcounters';
    if (o.packets) s += ` ${counterText('packets', o.packets)}`;
    if (o.bytes) s += ` ${counterText('bytes', o.bytes)}`;
    return s;
  },
  match: () => false,
  explain: (o) => [{ ok: false, why: `${not(o.invert)}--match-set ${o.name} ${o.dirs.join(',')}: ipsets are not modelled, the match never holds` }],
};

// ---------------------------------------------------------------- nfacct

export interface NfacctOptions {
  name: string | null;
}

export const nfacct: MatchSpec<NfacctOptions> = {
  name: 'nfacct',
  options: [{ name: 'nfacct-name', arg: true, invert: false }],
  init: () => ({ name: null }),
  parse(o, call, sink) {
    if (call.arg.length > 31) {
      sink.error('nfacct: option "--nfacct-name" must be no more than 31 characters', call.argSpan);
      return;
    }
    o.name = call.arg;
  },
  final(o, sink) {
    if (o.name === null) sink.error('nfacct: option "--nfacct-name" must be specified');
  },
  // libxt_nfacct prints "--nfacct-name " and xtables_save_string adds its own leading space
  save: (o) => `--nfacct-name  ${saveString(o.name ?? '')}`,
  match: () => true,
  explain: (o) => [{ ok: true, why: `--nfacct-name ${o.name ?? ''}: accounting only, always matches (the counters are not modelled)` }],
};

// ---------------------------------------------------------------- socket

export interface SocketOptions {
  transparent: boolean;
  nowildcard: boolean;
  restoreSkmark: boolean;
}

/**
 * socket_match: the socket the lookup finds counts unless it is a full
 * socket bound to 0.0.0.0 (without --nowildcard) or, with --transparent,
 * one without IP_TRANSPARENT; --restore-skmark copies the mark of a full
 * socket that counts onto the packet.
 */
function socketHolds(o: SocketOptions, p: Packet, sk: SocketView | null): { ok: boolean; why: string } {
  if (!sk) return { ok: false, why: 'socket: no local socket for this packet' };
  const kind = `${sk.full ? '' : 'a request or TIME_WAIT '}socket${sk.full && sk.wildcard ? ' bound to 0.0.0.0' : ''}`;
  const wildcard = !o.nowildcard && sk.full && sk.wildcard;
  const transparent = o.transparent ? sk.transparent : true;
  if (o.restoreSkmark && !wildcard && transparent && sk.full) p.mark = sk.mark >>> 0;
  if (wildcard) return { ok: false, why: `socket: only ${kind}, which counts with --nowildcard only` };
  if (!transparent) return { ok: false, why: `socket --transparent: ${kind} without IP_TRANSPARENT` };
  return { ok: true, why: `socket: ${kind} takes this packet` };
}

export const socket: MatchSpec<SocketOptions> = {
  name: 'socket',
  hooks: ['PREROUTING', 'INPUT'],
  options: [
    { name: 'transparent', arg: false, invert: false },
    { name: 'nowildcard', arg: false, invert: false },
    { name: 'restore-skmark', arg: false, invert: false },
  ],
  init: () => ({ transparent: false, nowildcard: false, restoreSkmark: false }),
  parse(o, call) {
    if (call.name === 'transparent') o.transparent = true;
    else if (call.name === 'nowildcard') o.nowildcard = true;
    else o.restoreSkmark = true;
  },
  save(o) {
    const out: string[] = [];
    if (o.transparent) out.push('--transparent');
    if (o.nowildcard) out.push('--nowildcard');
    if (o.restoreSkmark) out.push('--restore-skmark');
    return out.join(' ');
  },
  match: (o, p, ctx) => socketHolds(o, p, ctx.lookupSocket?.(p) ?? null).ok,
  explain: (o, p, ctx) => [socketHolds(o, { ...p }, ctx.lookupSocket?.(p) ?? null)],
};

// ---------------------------------------------------------------- rpfilter

export interface RpfilterOptions {
  loose: boolean;
  validmark: boolean;
  acceptLocal: boolean;
  invert: boolean;
}

export const rpfilter: MatchSpec<RpfilterOptions> = {
  name: 'rpfilter',
  hooks: ['PREROUTING'],
  // ipt_rpfilter's rpfilter_check (difftest seed 1 cases 52 and 78: -m rpfilter in nat PREROUTING)
  check: (_o, _rule, table) => (table === 'raw' || table === 'mangle' ? null : `ipt_rpfilter: only valid in 'raw' or 'mangle' table, not '${table}'`),
  options: [
    { name: 'loose', arg: false, invert: false },
    { name: 'validmark', arg: false, invert: false },
    { name: 'accept-local', arg: false, invert: false },
    { name: 'invert', arg: false, invert: false },
  ],
  init: () => ({ loose: false, validmark: false, acceptLocal: false, invert: false }),
  parse(o, call) {
    if (call.name === 'loose') o.loose = true;
    else if (call.name === 'validmark') o.validmark = true;
    else if (call.name === 'accept-local') o.acceptLocal = true;
    else o.invert = true;
  },
  save(o) {
    const out: string[] = [];
    if (o.loose) out.push('--loose');
    if (o.validmark) out.push('--validmark');
    if (o.acceptLocal) out.push('--accept-local');
    if (o.invert) out.push('--invert');
    return out.join(' ');
  },
  match: (o, p, ctx) => rpfilterClause(o, p, ctx).ok,
  explain: (o, p, ctx) => [rpfilterClause(o, p, ctx)],
};

const isMulticast = (a: number): boolean => a >>> 28 === 0xe;
const isZeronet = (a: number): boolean => a >>> 24 === 0;
const LBCAST = 0xffffffff;

/**
 * rpfilter_mt (ipt_rpfilter.c): a packet that came over lo passes; a source
 * 0.0.0.0 to the limited broadcast or a link-local multicast group passes;
 * otherwise the route back to the source (iif lo, the packet's destination
 * as source unless it is multicast, broadcast or 0, the mark with
 * --validmark, the TOS) must be unicast (or local with --accept-local) and
 * use the input device, or anything with --loose. --invert flips the answer.
 */
function rpfilterClause(o: RpfilterOptions, p: Packet, ctx: MatchContext): { ok: boolean; why: string } {
  const name = `rpfilter${o.loose ? ' --loose' : ''}${o.validmark ? ' --validmark' : ''}${o.acceptLocal ? ' --accept-local' : ''}${o.invert ? ' --invert' : ''}`;
  const done = (valid: boolean, why: string) => ({ ok: valid !== o.invert, why: `${name}: ${why}` });
  const iif = ctx.inIface;
  if (iif === 'lo') return done(true, 'a packet looped over lo passes');
  if (isZeronet(p.src) && (p.dst === LBCAST || (p.dst & 0xffffff00) >>> 0 === 0xe0000000)) return done(true, 'a 0.0.0.0 source to a broadcast or link-local group passes');
  if (!ctx.reverseRoute || iif === null) return done(true, 'no routing tables to ask: the source is taken as valid');
  const saddr = isMulticast(p.dst) || p.dst === LBCAST || isZeronet(p.dst) ? 0 : p.dst;
  const r = ctx.reverseRoute({ dst: p.src, src: saddr, mark: o.validmark ? p.mark : 0, tos: p.tos });
  const back = `the route back to ${formatIpv4(p.src)}`;
  if (!r) return done(false, `there is no route back to ${formatIpv4(p.src)}`);
  if (r.type !== 'unicast' && !(r.type === 'local' && o.acceptLocal)) return done(false, `${back} is ${r.type}`);
  const viaIn = r.devs.includes(iif);
  if (viaIn) return done(true, `${back} leaves by ${iif}, where the packet came in`);
  if (o.loose) return done(true, `${back} leaves by ${r.devs.join(', ') || 'no device'}, which --loose accepts`);
  return done(false, `${back} leaves by ${r.devs.join(', ') || 'no device'}, not by ${iif}`);
}

// ---------------------------------------------------------------- connlimit

export interface ConnlimitOptions {
  limit: number;
  /** --connlimit-upto (true) or --connlimit-above */
  upto: boolean;
  maskLen: number;
  daddr: boolean;
  set: boolean;
  /** which of --connlimit-saddr/--connlimit-daddr was given (they exclude each other) */
  addrGiven: string | null;
}

export const connlimit: MatchSpec<ConnlimitOptions> = {
  name: 'connlimit',
  needsConntrack: true,
  options: [
    { name: 'connlimit-upto', arg: true },
    { name: 'connlimit-above', arg: true },
    { name: 'connlimit-mask', arg: true, invert: false },
    { name: 'connlimit-saddr', arg: false, invert: false },
    { name: 'connlimit-daddr', arg: false, invert: false },
  ],
  init: () => ({ limit: 0, upto: false, maskLen: 32, daddr: false, set: false, addrGiven: null }),
  parse(o, call, sink) {
    switch (call.name) {
      case 'connlimit-upto':
      case 'connlimit-above': {
        if (o.set) {
          sink.error('connlimit: "--connlimit-upto" and "--connlimit-above" cannot be used together.', call.span);
          return;
        }
        const v = uintOption(call, sink, 'connlimit', 0xffffffff);
        if (v === null) return;
        o.limit = v;
        o.upto = (call.name === 'connlimit-upto') !== call.invert;
        o.set = true;
        return;
      }
      case 'connlimit-mask': {
        const v = uintOption(call, sink, 'connlimit', 32);
        if (v !== null) o.maskLen = v;
        return;
      }
      case 'connlimit-saddr':
      case 'connlimit-daddr':
        if (o.addrGiven !== null && o.addrGiven !== call.name) {
          sink.error('connlimit: "--connlimit-saddr" and "--connlimit-daddr" cannot be used together.', call.span);
          return;
        }
        o.addrGiven = call.name;
        o.daddr = call.name === 'connlimit-daddr';
    }
  },
  final(o, sink) {
    // which address flag was typed is parse bookkeeping; the kernel entry only has the daddr bit
    o.addrGiven = null;
    if (!o.set) sink.error('You must specify "--connlimit-above" or "--connlimit-upto".');
  },
  save: (o) => `--connlimit-${o.upto ? 'upto' : 'above'} ${o.limit} --connlimit-mask ${o.maskLen} --connlimit-${o.daddr ? 'daddr' : 'saddr'}`,
  match(o, p, ctx, rule) {
    const n = ctx.connCount?.(rule, connlimitKey(o, p.src, p.dst));
    if (n === 0) {
      // connlimit_mt: no connection left (the packet's own just closed) is a hotdrop (case p77, step 3's RST)
      ctx.hotdrop = true;
      return false;
    }
    return n !== undefined && connlimitHolds(o, n);
  },
  explain(o, p, ctx, rule) {
    const key = connlimitKey(o, p.src, p.dst);
    const what = `--connlimit-${o.upto ? 'upto' : 'above'} ${o.limit}`;
    const n = ctx.connCount?.(rule, key);
    if (n === undefined) return [{ ok: false, why: `${what}: the count of ${formatIpv4(key)}/${o.maskLen} is taken as the packet passes (see the walk)` }];
    return [{ ok: connlimitHolds(o, n), why: `${what}: ${n} connection${n === 1 ? '' : 's'} from ${o.daddr ? 'destination' : 'source'} ${formatIpv4(key)}/${o.maskLen}` }];
  },
};

/** xt_connlimit's key: the packet's source (or destination) address under the mask. */
function connlimitKey(o: ConnlimitOptions, src: number, dst: number): number {
  const mask = o.maskLen === 0 ? 0 : (0xffffffff << (32 - o.maskLen)) >>> 0;
  return ((o.daddr ? dst : src) & mask) >>> 0;
}

/** connections > limit, inverted by --connlimit-upto (XT_CONNLIMIT_INVERT). */
function connlimitHolds(o: ConnlimitOptions, n: number): boolean {
  return n > o.limit !== o.upto;
}

// ---------------------------------------------------------------- connbytes

/** u64 bounds are kept as decimal strings: options must survive JSON (rule identity for -D). */
export interface ConnbytesOptions {
  from: string;
  to: string;
  invert: boolean;
  mode: 'packets' | 'bytes' | 'avgpkt' | null;
  dir: 'original' | 'reply' | 'both' | null;
  set: boolean;
}

const U64_MAX = 0xffffffffffffffffn;

function parseU64(text: string): bigint | null {
  if (!/^\d+$/.test(text)) return null;
  const v = BigInt(text);
  return v > U64_MAX ? null : v;
}

/**
 * connbytes_mt: the connection's counters (the current packet included,
 * conntrack counted it at PREROUTING/OUTPUT) in the chosen direction and
 * unit, against the range. `!` swaps the bounds as libxt_connbytes does,
 * and a range whose upper bound is below the lower one means "outside".
 * No connection or no accounting: no match.
 */
function connbytesValue(o: ConnbytesOptions, c: NonNullable<CtView['counters']>): bigint {
  const [orig, reply] = c;
  const pick = (f: 'packets' | 'bytes'): bigint =>
    o.dir === 'reply' ? BigInt(reply[f]) : o.dir === 'both' ? BigInt(orig[f] + reply[f]) : BigInt(orig[f]);
  if (o.mode === 'bytes') return pick('bytes');
  if (o.mode === 'avgpkt') {
    const pkts = pick('packets');
    return pkts === 0n ? 0n : pick('bytes') / pkts;
  }
  return pick('packets');
}

function connbytesHolds(o: ConnbytesOptions, ct: CtView | null): { ok: boolean; why: string } {
  const text = `${not(o.invert)}--connbytes ${o.from}${BigInt(o.to) < U64_MAX ? `:${o.to}` : ':'} (${o.mode ?? 'packets'}, ${o.dir ?? 'original'})`;
  const c = ct && ct.state !== 'INVALID' && ct.state !== 'UNTRACKED' ? ct.counters : undefined;
  if (!c) return { ok: false, why: `${text}: ${ct ? 'the connection does not count packets (nf_conntrack_acct was off when it began)' : 'no connection'}` };
  const what = connbytesValue(o, c);
  const from = BigInt(o.invert ? o.to : o.from);
  const to = BigInt(o.invert ? o.from : o.to);
  const ok = to >= from ? what >= from && what <= to : what < to || what > from;
  return { ok, why: `${text}: the connection counts ${what}` };
}

export const connbytes: MatchSpec<ConnbytesOptions> = {
  name: 'connbytes',
  needsConntrack: true,
  options: [
    { name: 'connbytes', arg: true },
    { name: 'connbytes-dir', arg: true, invert: false },
    { name: 'connbytes-mode', arg: true, invert: false },
  ],
  init: () => ({ from: '0', to: U64_MAX.toString(), invert: false, mode: null, dir: null, set: false }),
  parse(o, call, sink) {
    if (call.name === 'connbytes') {
      const t = call.arg;
      const colon = t.indexOf(':');
      const a = colon < 0 ? t : t.slice(0, colon);
      const b = colon < 0 ? '' : t.slice(colon + 1);
      const from = a === '' ? 0n : parseU64(a);
      const to = b === '' ? U64_MAX : parseU64(b);
      if (from === null || to === null) {
        sink.error(`connbytes: bad value for option "--connbytes", or out of range (0-18446744073709551615).`, call.argSpan);
        return;
      }
      if (from > to) {
        sink.error(`connbytes: invalid range "${t}": min > max`, call.argSpan);
        return;
      }
      Object.assign(o, { from: from.toString(), to: to.toString(), invert: call.invert, set: true });
      return;
    }
    if (call.name === 'connbytes-dir') {
      if (call.arg !== 'original' && call.arg !== 'reply' && call.arg !== 'both') sink.error(`Unknown --connbytes-dir \`${call.arg}'`, call.argSpan);
      else o.dir = call.arg;
      return;
    }
    if (call.arg !== 'packets' && call.arg !== 'bytes' && call.arg !== 'avgpkt') sink.error(`Unknown --connbytes-mode \`${call.arg}'`, call.argSpan);
    else o.mode = call.arg;
  },
  final(o, sink) {
    if (!o.set) sink.error('connbytes: option "--connbytes" must be specified');
    else if (o.dir === null) sink.error('connbytes: option "--connbytes-dir" must be specified');
    else if (o.mode === null) sink.error('connbytes: option "--connbytes-mode" must be specified');
  },
  save(o) {
    // print_from_to: the upper bound is left out when it is 0 or "infinite"
    const to = o.to !== '0' && BigInt(o.to) < U64_MAX ? `:${o.to}` : '';
    return `${not(o.invert)}--connbytes ${o.from}${to} --connbytes-mode ${o.mode ?? 'packets'} --connbytes-dir ${o.dir ?? 'original'}`;
  },
  match: (o, _p, ctx) => connbytesHolds(o, ctx.ct).ok,
  explain: (o, _p, ctx) => [connbytesHolds(o, ctx.ct)],
};
