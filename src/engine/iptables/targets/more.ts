// pattern: Functional Core
// Target extensions beyond the common ones: CHECKSUM, NFQUEUE, TPROXY, TEE,
// SET, SECMARK, CONNSECMARK, AUDIT, IDLETIMER, LED, RATEEST, SYNPROXY,
// HMARK, ECN, TCPOPTSTRIP. Options and save texts follow the libxt_*/libipt_*
// extensions of iptables 1.8.9; kernel refusals follow the xt_* checkentry
// functions. What each one does to a packet is the packet engine's business:
// it reads the exported option types.

import { formatIpv4, parseIpv4 } from '../../net/addr';
import { IPPROTO_TCP, IPPROTO_UDP } from '../../net/packet';
import type { Rule } from '../types';
import type { ErrorSink, OptionCall, TargetSpec } from '../modules/module';
import { parseMarkMask, parsePort, parseUInt } from '../modules/module';

function uint(call: OptionCall, sink: ErrorSink, ext: string, max: number, min = 0): number | null {
  const v = parseUInt(call.arg);
  if (v === null || v < min || v > max) {
    sink.error(`${ext}: bad value for option "--${call.name}", or out of range (${min}-${max}).`, call.argSpan);
    return null;
  }
  return v;
}

function noInvert(names: readonly string[], withArg: ReadonlySet<string> = new Set()): { name: string; arg: boolean; invert: false }[] {
  return names.map((name) => ({ name, arg: withArg.has(name), invert: false }));
}

function isTcp(rule: Rule): boolean {
  return !!rule.proto && rule.proto.num === IPPROTO_TCP && !rule.proto.invert;
}

const hexPad = (n: number, width: number): string => `0x${(n >>> 0).toString(16).padStart(width, '0')}`;

// ---------------------------------------------------------------- CHECKSUM

export interface ChecksumOptions {
  fill: boolean;
}

export const CHECKSUM: TargetSpec<ChecksumOptions> = {
  name: 'CHECKSUM',
  table: 'mangle',
  options: noInvert(['checksum-fill']),
  init: () => ({ fill: false }),
  parse(o) {
    o.fill = true;
  },
  final(o, sink) {
    if (!o.fill) sink.error('CHECKSUM target: Parameter --checksum-fill is required');
  },
  save: () => '--checksum-fill',
};

// ---------------------------------------------------------------- NFQUEUE

export interface NfqueueOptions {
  /** first queue */
  queueNum: number;
  /** queues in the --queue-balance range (1 without) */
  queuesTotal: number;
  /** --queue-bypass: accept instead of drop when no program listens */
  bypass: boolean;
  cpuFanout: boolean;
  failOpen: boolean;
  given: string | null;
}

export const NFQUEUE: TargetSpec<NfqueueOptions> = {
  name: 'NFQUEUE',
  options: [
    { name: 'queue-num', arg: true, invert: false },
    { name: 'queue-balance', arg: true, invert: false },
    { name: 'queue-bypass', arg: false, invert: false },
    { name: 'queue-cpu-fanout', arg: false, invert: false },
    { name: 'fail-open', arg: false, invert: false },
  ],
  init: () => ({ queueNum: 0, queuesTotal: 1, bypass: false, cpuFanout: false, failOpen: false, given: null }),
  parse(o, call, sink) {
    switch (call.name) {
      case 'queue-num':
      case 'queue-balance': {
        if (o.given !== null) {
          sink.error(o.given === call.name ? `NFQUEUE: option "--${call.name}" can only be used once.` : 'NFQUEUE: "--queue-balance" cannot be used together with "--queue-num".', call.span);
          return;
        }
        o.given = call.name;
        if (call.name === 'queue-num') {
          const v = uint(call, sink, 'NFQUEUE', 0xffff);
          if (v !== null) o.queueNum = v;
          return;
        }
        const colon = call.arg.indexOf(':');
        if (colon < 0) {
          sink.error(`Bad range "${call.arg}"`, call.argSpan);
          return;
        }
        const a = call.arg.slice(0, colon);
        const b = call.arg.slice(colon + 1);
        const lo = a === '' ? 0 : parseUInt(a);
        const hi = b === '' ? 0xfffe : parseUInt(b);
        if (lo === null || hi === null || lo > 0xfffe || hi > 0xfffe) {
          sink.error('NFQUEUE: bad value for option "--queue-balance", or out of range (0-65534).', call.argSpan);
          return;
        }
        if (lo >= hi) {
          sink.error(`${lo} should be less than ${hi}`, call.argSpan);
          return;
        }
        o.queueNum = lo;
        o.queuesTotal = hi - lo + 1;
        return;
      }
      case 'queue-bypass':
        o.bypass = true;
        return;
      case 'queue-cpu-fanout':
        o.cpuFanout = true;
        return;
      case 'fail-open':
        o.failOpen = true;
    }
  },
  final(o) {
    o.given = null;
  },
  save(o) {
    let s = o.queuesTotal > 1 ? `--queue-balance ${o.queueNum}:${o.queueNum + o.queuesTotal - 1}` : `--queue-num ${o.queueNum}`;
    if (o.bypass) s += ' --queue-bypass';
    if (o.cpuFanout) s += ' --queue-cpu-fanout';
    if (o.failOpen) s += ' --fail-open';
    return s;
  },
};

// ---------------------------------------------------------------- TPROXY

export interface TproxyOptions {
  port: number | null;
  addr: number;
  markValue: number;
  markMask: number;
}

export const TPROXY: TargetSpec<TproxyOptions> = {
  name: 'TPROXY',
  table: 'mangle',
  hooks: ['PREROUTING'],
  options: [
    { name: 'on-port', arg: true, invert: false },
    { name: 'on-ip', arg: true, invert: false },
    { name: 'tproxy-mark', arg: true, invert: false },
  ],
  init: () => ({ port: null, addr: 0, markValue: 0, markMask: 0 }),
  parse(o, call, sink) {
    if (call.name === 'on-port') {
      const p = parsePort(call.arg);
      if (p === null) sink.error(`invalid port/service \`${call.arg}' specified`, call.argSpan);
      else o.port = p;
    } else if (call.name === 'on-ip') {
      const a = parseIpv4(call.arg);
      if (a === null) sink.error(`host/network \`${call.arg}' not found`, call.argSpan);
      else o.addr = a;
    } else {
      const m = parseMarkMask(call.arg);
      if (!m) sink.error('TPROXY: bad value for option "--tproxy-mark", or out of range.', call.argSpan);
      else {
        o.markValue = m.value;
        o.markMask = m.mask;
      }
    }
  },
  final(o, sink) {
    if (o.port === null) sink.error('TPROXY: option "--on-port" must be specified');
  },
  check(_o, rule) {
    const p = rule.proto;
    if (p && !p.invert && (p.num === IPPROTO_TCP || p.num === IPPROTO_UDP)) return null;
    return 'xt_TPROXY: Can be used only with -p tcp or -p udp';
  },
  save: (o) => `--on-port ${o.port ?? 0} --on-ip ${formatIpv4(o.addr)} --tproxy-mark ${hexPad(o.markValue, 0)}/${hexPad(o.markMask, 0)}`,
};

// ---------------------------------------------------------------- TEE

export interface TeeOptions {
  gateway: number | null;
  oif: string | null;
}

export const TEE: TargetSpec<TeeOptions> = {
  name: 'TEE',
  options: [
    { name: 'gateway', arg: true, invert: false },
    { name: 'oif', arg: true, invert: false },
  ],
  init: () => ({ gateway: null, oif: null }),
  parse(o, call, sink) {
    if (call.name === 'gateway') {
      const a = parseIpv4(call.arg);
      if (a === null) sink.error(`host/network \`${call.arg}' not found`, call.argSpan);
      else o.gateway = a;
    } else if (call.arg.length > 15) sink.error(`TEE: option "--oif" must be no more than 15 characters`, call.argSpan);
    else o.oif = call.arg;
  },
  final(o, sink) {
    if (o.gateway === null) sink.error('TEE: option "--gateway" must be specified');
  },
  save: (o) => `--gateway ${formatIpv4(o.gateway ?? 0)}${o.oif ? ` --oif ${o.oif}` : ''}`,
};

// ---------------------------------------------------------------- SET

export interface SetTargetRef {
  name: string;
  dirs: ('src' | 'dst')[];
}

export interface SetTargetOptions {
  add: SetTargetRef | null;
  del: SetTargetRef | null;
  map: SetTargetRef | null;
  exist: boolean;
  timeout: number | null;
  mapMark: boolean;
  mapPrio: boolean;
  mapQueue: boolean;
}

function parseSetRef(call: OptionCall, sink: ErrorSink): SetTargetRef | null {
  const sp = call.arg.indexOf(' ');
  const name = call.arg.slice(0, sp);
  const dirs = call.arg.slice(sp + 1).split(',');
  if (name.length > 31) {
    sink.error(`setname \`${name}' too long, max 31 characters.`, call.argSpan);
    return null;
  }
  if (dirs.length > 6 || dirs.some((d) => d !== 'src' && d !== 'dst')) {
    sink.error("You must specify (the comma separated list of) 'src' or 'dst'.", call.argSpan);
    return null;
  }
  return { name, dirs: dirs as ('src' | 'dst')[] };
}

const setRefText = (flag: string, r: SetTargetRef): string => `--${flag} ${r.name} ${r.dirs.join(',')}`;

export const SET: TargetSpec<SetTargetOptions> = {
  name: 'SET',
  options: [
    { name: 'add-set', arg: true, arg2: true, invert: false },
    { name: 'del-set', arg: true, arg2: true, invert: false },
    { name: 'map-set', arg: true, arg2: true, invert: false },
    ...noInvert(['exist', 'timeout', 'map-mark', 'map-prio', 'map-queue'], new Set(['timeout'])),
  ],
  init: () => ({ add: null, del: null, map: null, exist: false, timeout: null, mapMark: false, mapPrio: false, mapQueue: false }),
  parse(o, call, sink) {
    switch (call.name) {
      case 'add-set':
      case 'del-set':
      case 'map-set': {
        const key = call.name === 'add-set' ? 'add' : call.name === 'del-set' ? 'del' : 'map';
        if (o[key]) {
          sink.error(`--${call.name} can be specified only once`, call.span);
          return;
        }
        o[key] = parseSetRef(call, sink);
        return;
      }
      case 'timeout': {
        const v = uint(call, sink, 'SET', 0xfffffffe);
        if (v !== null) o.timeout = v;
        return;
      }
      case 'exist':
        o.exist = true;
        return;
      case 'map-mark':
        o.mapMark = true;
        return;
      case 'map-prio':
        o.mapPrio = true;
        return;
      case 'map-queue':
        o.mapQueue = true;
    }
  },
  final(o, sink) {
    if (!o.add && !o.del && !o.map) sink.error("You must specify either `--add-set' or `--del-set'");
  },
  save(o) {
    const out: string[] = [];
    if (o.add) out.push(setRefText('add-set', o.add));
    if (o.del) out.push(setRefText('del-set', o.del));
    if (o.map) out.push(setRefText('map-set', o.map));
    if (o.exist) out.push('--exist');
    if (o.timeout !== null) out.push(`--timeout ${o.timeout}`);
    if (o.mapMark) out.push('--map-mark');
    if (o.mapPrio) out.push('--map-prio');
    if (o.mapQueue) out.push('--map-queue');
    return out.join(' ');
  },
};

// ---------------------------------------------------------------- SECMARK / CONNSECMARK

export interface SecmarkOptions {
  selctx: string | null;
}

export const SECMARK: TargetSpec<SecmarkOptions> = {
  name: 'SECMARK',
  options: noInvert(['selctx'], new Set(['selctx'])),
  init: () => ({ selctx: null }),
  parse(o, call, sink) {
    if (call.arg.length > 255) sink.error('SECMARK: option "--selctx" must be no more than 255 characters', call.argSpan);
    else o.selctx = call.arg;
  },
  final(o, sink) {
    if (o.selctx === null) sink.error('SECMARK target: Parameter --selctx is required');
  },
  save: (o) => `--selctx ${o.selctx ?? ''}`,
};

export interface ConnsecmarkOptions {
  mode: 'save' | 'restore' | null;
}

export const CONNSECMARK: TargetSpec<ConnsecmarkOptions> = {
  name: 'CONNSECMARK',
  needsConntrack: true,
  options: noInvert(['save', 'restore']),
  init: () => ({ mode: null }),
  parse(o, call, sink) {
    if (o.mode !== null && o.mode !== call.name) {
      sink.error('CONNSECMARK: "--restore" cannot be used together with "--save".', call.span);
      return;
    }
    o.mode = call.name === 'save' ? 'save' : 'restore';
  },
  final(o, sink) {
    if (o.mode === null) sink.error('CONNSECMARK target: Parameter is required');
  },
  save: (o) => `--${o.mode ?? 'save'}`,
};

// ---------------------------------------------------------------- AUDIT

export interface AuditOptions {
  type: 'accept' | 'drop' | 'reject' | null;
}

export const AUDIT: TargetSpec<AuditOptions> = {
  name: 'AUDIT',
  options: noInvert(['type'], new Set(['type'])),
  init: () => ({ type: null }),
  parse(o, call, sink) {
    const t = call.arg.toLowerCase();
    if (t !== 'accept' && t !== 'drop' && t !== 'reject') sink.error(`Bad action type value \`${call.arg}'`, call.argSpan);
    else o.type = t;
  },
  final(o, sink) {
    if (o.type === null) sink.error('AUDIT: option "--type" must be specified');
  },
  save: (o) => `--type ${o.type ?? 'accept'}`,
};

// ---------------------------------------------------------------- IDLETIMER

export interface IdletimerOptions {
  timeout: number | null;
  label: string | null;
  alarm: boolean;
}

export const IDLETIMER: TargetSpec<IdletimerOptions> = {
  name: 'IDLETIMER',
  options: noInvert(['timeout', 'label', 'alarm'], new Set(['timeout', 'label'])),
  init: () => ({ timeout: null, label: null, alarm: false }),
  parse(o, call, sink) {
    if (call.name === 'timeout') {
      const v = uint(call, sink, 'IDLETIMER', 0xffffffff);
      if (v !== null) o.timeout = v;
    } else if (call.name === 'label') {
      if (call.arg.length > 27) sink.error('IDLETIMER: option "--label" must be no more than 27 characters', call.argSpan);
      else o.label = call.arg;
    } else o.alarm = true;
  },
  final(o, sink) {
    if (o.timeout === null) sink.error('IDLETIMER: option "--timeout" must be specified');
    else if (o.label === null) sink.error('IDLETIMER: option "--label" must be specified');
  },
  save: (o) => `--timeout ${o.timeout ?? 0} --label ${o.label ?? ''}${o.alarm ? ' --alarm' : ''}`,
};

// ---------------------------------------------------------------- LED

export interface LedOptions {
  /** without the "netfilter-" prefix the kernel trigger name gets */
  id: string | null;
  /** ms; -1 for "inf" */
  delay: number;
  alwaysBlink: boolean;
}

export const LED: TargetSpec<LedOptions> = {
  name: 'LED',
  options: noInvert(['led-trigger-id', 'led-delay', 'led-always-blink'], new Set(['led-trigger-id', 'led-delay'])),
  init: () => ({ id: null, delay: 0, alwaysBlink: false }),
  parse(o, call, sink) {
    if (call.name === 'led-trigger-id') {
      // the kernel name is "netfilter-" + id in a 27-byte field
      if (call.arg.length > 16) sink.error('LED: option "--led-trigger-id" must be no more than 16 characters', call.argSpan);
      else o.id = call.arg;
    } else if (call.name === 'led-delay') {
      if (call.arg === 'inf') o.delay = -1;
      else {
        const v = uint(call, sink, 'LED', 0xffffffff);
        if (v !== null) o.delay = v;
      }
    } else o.alwaysBlink = true;
  },
  final(o, sink) {
    if (o.id === null) sink.error('LED: option "--led-trigger-id" must be specified');
  },
  save(o) {
    let s = `--led-trigger-id "${(o.id ?? '').replace(/["\\]/g, (c) => `\\${c}`)}"`;
    if (o.delay === -1) s += ' --led-delay inf';
    else if (o.delay !== 0) s += ` --led-delay ${o.delay}`;
    if (o.alwaysBlink) s += ' --led-always-blink';
    return s;
  },
};

// ---------------------------------------------------------------- RATEEST

export interface RateestOptions {
  name: string | null;
  /** the kernel's interval exponent: 250 ms × 2^(interval+2), -2..3 */
  interval: number;
  ewmaLog: number;
  // parsed microseconds, until final() turns them into the kernel encoding
  intervalUs: number | null;
  ewmaUs: number | null;
}

/** rateest_get_time: a float with s, ms or us (default) units, in microseconds. */
function parseTimeUs(text: string): number | null {
  const m = /^(\d+(?:\.\d*)?|\.\d+)(s|sec|secs|ms|msec|msecs|us|usec|usecs)?$/.exec(text);
  if (!m) return null;
  const v = Number(m[1]);
  const unit = m[2] ?? 'us';
  return Math.floor(unit.startsWith('s') ? v * 1e6 : unit.startsWith('m') ? v * 1e3 : v);
}

function timeUsText(us: number): string {
  if (us >= 1e6) return `${(us / 1e6).toFixed(1)}s`;
  if (us >= 1e3) return `${(us / 1e3).toFixed(1)}ms`;
  return `${us}us`;
}

export const RATEEST: TargetSpec<RateestOptions> = {
  name: 'RATEEST',
  options: noInvert(['rateest-name', 'rateest-interval', 'rateest-ewmalog'], new Set(['rateest-name', 'rateest-interval', 'rateest-ewmalog'])),
  init: () => ({ name: null, interval: 0, ewmaLog: 0, intervalUs: null, ewmaUs: null }),
  parse(o, call, sink) {
    if (call.name === 'rateest-name') {
      if (call.arg.length > 15) sink.error('RATEEST: option "--rateest-name" must be no more than 15 characters', call.argSpan);
      else o.name = call.arg;
      return;
    }
    const us = parseTimeUs(call.arg);
    if (us === null) {
      sink.error(`RATEEST: bad ${call.name === 'rateest-interval' ? 'interval' : 'ewmalog'} value "${call.arg}"`, call.argSpan);
      return;
    }
    if (call.name === 'rateest-interval') o.intervalUs = us;
    else o.ewmaUs = us;
  },
  final(o, sink) {
    if (o.name === null || o.intervalUs === null || o.ewmaUs === null) {
      sink.error('RATEEST: --rateest-name, --rateest-interval, --rateest-ewmalog are required');
      return;
    }
    let interval = 0;
    for (; interval <= 5; interval++) if (o.intervalUs <= (1 << interval) * 250000) break;
    if (interval > 5) {
      sink.error('RATEEST: interval value is too large');
      return;
    }
    let ewma = 1;
    for (; ewma < 32; ewma++) {
      const w = 1 - 1 / 2 ** ewma;
      if (o.intervalUs / -Math.log(w) > o.ewmaUs) break;
    }
    ewma--;
    if (ewma === 0 || ewma >= 31) {
      sink.error('RATEEST: ewmalog value is out of range');
      return;
    }
    o.interval = interval - 2;
    o.ewmaLog = ewma;
    o.intervalUs = null;
    o.ewmaUs = null;
  },
  save(o) {
    const intervalUs = (1e6 * 2 ** (o.interval + 2)) / 4;
    return `--rateest-name ${o.name ?? ''} --rateest-interval ${timeUsText(intervalUs)} --rateest-ewmalog ${timeUsText(intervalUs * 2 ** o.ewmaLog)}`;
  },
};

// ---------------------------------------------------------------- SYNPROXY

export interface SynproxyOptions {
  sackPerm: boolean;
  timestamp: boolean;
  wscale: number | null;
  mss: number | null;
  ecn: boolean;
}

export const SYNPROXY: TargetSpec<SynproxyOptions> = {
  name: 'SYNPROXY',
  hooks: ['INPUT', 'FORWARD'],
  needsConntrack: true,
  options: noInvert(['sack-perm', 'timestamp', 'wscale', 'mss', 'ecn'], new Set(['wscale', 'mss'])),
  init: () => ({ sackPerm: false, timestamp: false, wscale: null, mss: null, ecn: false }),
  parse(o, call, sink) {
    switch (call.name) {
      case 'sack-perm':
        o.sackPerm = true;
        return;
      case 'timestamp':
        o.timestamp = true;
        return;
      case 'ecn':
        o.ecn = true;
        return;
      case 'wscale':
        o.wscale = uint(call, sink, 'SYNPROXY', 0xff);
        return;
      case 'mss':
        o.mss = uint(call, sink, 'SYNPROXY', 0xffff);
    }
  },
  // synproxy_tg4_check refuses anything but -p tcp with EINVAL and logs nothing (restore-real.cases)
  check: (_o, rule) => (isTcp(rule) ? null : { errno: 'EINVAL', log: null }),
  save(o) {
    const out: string[] = [];
    if (o.sackPerm) out.push('--sack-perm');
    if (o.timestamp) out.push('--timestamp');
    if (o.wscale !== null) out.push(`--wscale ${o.wscale}`);
    if (o.mss !== null) out.push(`--mss ${o.mss}`);
    if (o.ecn) out.push('--ecn');
    return out.join(' ');
  },
};

// ---------------------------------------------------------------- HMARK

export interface HmarkOptions {
  srcPrefix: number | null;
  dstPrefix: number | null;
  sportMask: number | null;
  dportMask: number | null;
  spiMask: number | null;
  sport: number | null;
  dport: number | null;
  spi: number | null;
  protoMask: number | null;
  rnd: number | null;
  mod: number | null;
  offset: number | null;
  ct: boolean;
}

const HMARK_NUMERIC: Readonly<Record<string, [keyof HmarkOptions, number]>> = {
  'hmark-src-prefix': ['srcPrefix', 32],
  'hmark-dst-prefix': ['dstPrefix', 32],
  'hmark-sport-mask': ['sportMask', 0xffff],
  'hmark-dport-mask': ['dportMask', 0xffff],
  'hmark-spi-mask': ['spiMask', 0xffffffff],
  'hmark-sport': ['sport', 0xffff],
  'hmark-dport': ['dport', 0xffff],
  'hmark-spi': ['spi', 0xffffffff],
  'hmark-proto-mask': ['protoMask', 0xffff],
  'hmark-rnd': ['rnd', 0xffffffff],
  'hmark-mod': ['mod', 0xffffffff],
  'hmark-offset': ['offset', 0xffffffff],
};

export const HMARK: TargetSpec<HmarkOptions> = {
  name: 'HMARK',
  options: noInvert(['hmark-tuple', ...Object.keys(HMARK_NUMERIC)], new Set(['hmark-tuple', ...Object.keys(HMARK_NUMERIC)])),
  init: () => ({
    srcPrefix: null, dstPrefix: null, sportMask: null, dportMask: null, spiMask: null, sport: null, dport: null,
    spi: null, protoMask: null, rnd: null, mod: null, offset: null, ct: false,
  }),
  parse(o, call, sink) {
    if (call.name === 'hmark-tuple') {
      // libxt_HMARK: a comma list; each type sets the mask an explicit option would (checked on iptables 1.8.9)
      const types = call.arg.split(',');
      if (call.arg === '' || types.some((t) => t === '')) {
        sink.error('"--hmark-tuple" requires a list of types with no spaces, e.g. src,dst,sport,dport,proto', call.argSpan);
        return;
      }
      for (const t of types) {
        if (t === 'ct') o.ct = true;
        else if (t === 'src') o.srcPrefix = 32;
        else if (t === 'dst') o.dstPrefix = 32;
        else if (t === 'sport') o.sportMask = 0xffff;
        else if (t === 'dport') o.dportMask = 0xffff;
        else if (t === 'spi') o.spiMask = 0xffffffff;
        else if (t === 'proto') o.protoMask = 0xffff;
        else {
          sink.error(`Bad type "${t}"`, call.argSpan);
          return;
        }
      }
      return;
    }
    const [key, max] = HMARK_NUMERIC[call.name]!;
    const v = uint(call, sink, 'HMARK', max, call.name === 'hmark-mod' ? 1 : 0);
    if (v !== null) (o as unknown as Record<string, number>)[key] = v;
  },
  final(o, sink) {
    if (o.mod === null) {
      sink.error('--hmark-mod is mandatory');
      return;
    }
    if (o.rnd === null) {
      sink.error('--hmark-rnd is mandatory');
      return;
    }
    const ports = o.sportMask !== null || o.dportMask !== null || o.sport !== null || o.dport !== null;
    if ((o.spiMask !== null || o.spi !== null) && ports) sink.error('you cannot use --hmark-spi-mask and --hmark-?port-mask,at the same time');
  },
  check: (o) => (o.mod === 0 ? 'xt_HMARK: hash modulus can\'t be zero' : null),
  save(o) {
    const out: string[] = [];
    if (o.srcPrefix !== null) out.push(`--hmark-src-prefix ${o.srcPrefix}`);
    if (o.dstPrefix !== null) out.push(`--hmark-dst-prefix ${o.dstPrefix}`);
    if (o.spiMask !== null) out.push(`--hmark-spi-mask ${hexPad(o.spiMask, 8)}`);
    if (o.spi !== null) out.push(`--hmark-spi ${hexPad(o.spi, 8)}`);
    if (o.sportMask !== null) out.push(`--hmark-sport-mask ${hexPad(o.sportMask, 4)}`);
    if (o.dportMask !== null) out.push(`--hmark-dport-mask ${hexPad(o.dportMask, 4)}`);
    if (o.sport !== null) out.push(`--hmark-sport ${hexPad(o.sport, 4)}`);
    if (o.dport !== null) out.push(`--hmark-dport ${hexPad(o.dport, 4)}`);
    if (o.protoMask !== null) out.push(`--hmark-proto-mask ${hexPad(o.protoMask, 2)}`);
    if (o.rnd !== null) out.push(`--hmark-rnd ${hexPad(o.rnd, 8)}`);
    if (o.mod !== null) out.push(`--hmark-mod ${o.mod}`);
    if (o.offset !== null) out.push(`--hmark-offset ${o.offset}`);
    if (o.ct) out.push('--hmark-tuple ct');
    return out.join(' ');
  },
};

// ---------------------------------------------------------------- ECN

export interface EcnTargetOptions {
  ece: number | null;
  cwr: number | null;
  ipEct: number | null;
}

export const ECN: TargetSpec<EcnTargetOptions> = {
  name: 'ECN',
  table: 'mangle',
  options: noInvert(['ecn-tcp-remove', 'ecn-tcp-cwr', 'ecn-tcp-ece', 'ecn-ip-ect'], new Set(['ecn-tcp-cwr', 'ecn-tcp-ece', 'ecn-ip-ect'])),
  init: () => ({ ece: null, cwr: null, ipEct: null }),
  parse(o, call, sink) {
    if (call.name === 'ecn-tcp-remove') {
      o.ece = 0;
      o.cwr = 0;
      return;
    }
    const v = uint(call, sink, 'ECN', call.name === 'ecn-ip-ect' ? 3 : 1);
    if (v === null) return;
    if (call.name === 'ecn-tcp-cwr') o.cwr = v;
    else if (call.name === 'ecn-tcp-ece') o.ece = v;
    else o.ipEct = v;
  },
  final(o, sink) {
    if (o.ece === null && o.cwr === null && o.ipEct === null) sink.error('ECN target: An operation is required');
  },
  check: (o, rule) => ((o.ece !== null || o.cwr !== null) && !isTcp(rule) ? 'ECN: cannot use TCP operations on non-tcp rules' : null),
  save(o) {
    if (o.ece === 0 && o.cwr === 0 && o.ipEct === null) return '--ecn-tcp-remove';
    const out: string[] = [];
    if (o.ece !== null) out.push(`--ecn-tcp-ece ${o.ece}`);
    if (o.cwr !== null) out.push(`--ecn-tcp-cwr ${o.cwr}`);
    if (o.ipEct !== null) out.push(`--ecn-ip-ect ${o.ipEct}`);
    return out.join(' ');
  },
};

// ---------------------------------------------------------------- TCPOPTSTRIP

export interface TcpoptstripOptions {
  /** TCP option kinds to strip, ascending */
  kinds: number[];
}

const TCPOPT_NAMES: Readonly<Record<string, number>> = { wscale: 3, mss: 2, 'sack-permitted': 4, sack: 5, timestamp: 8, md5: 19 };

export const TCPOPTSTRIP: TargetSpec<TcpoptstripOptions> = {
  name: 'TCPOPTSTRIP',
  table: 'mangle',
  options: noInvert(['strip-options'], new Set(['strip-options'])),
  init: () => ({ kinds: [] }),
  parse(o, call, sink) {
    const kinds = new Set(o.kinds);
    for (const part of call.arg.split(',')) {
      const v = TCPOPT_NAMES[part] ?? parseUInt(part, false);
      if (v === null || v > 255) {
        sink.error(`Bad TCP option value "${part}"`, call.argSpan);
        return;
      }
      if (v < 2) {
        sink.error('Option value may not be 0 or 1', call.argSpan);
        return;
      }
      kinds.add(v);
    }
    o.kinds = [...kinds].sort((a, b) => a - b);
  },
  // xt_TCPOPTSTRIP registers with .proto = IPPROTO_TCP
  check: (_o, rule) => (isTcp(rule) ? null : 'x_tables: ip_tables: TCPOPTSTRIP target: only valid for protocol 6'),
  save: (o) => (o.kinds.length ? `--strip-options ${o.kinds.join(',')}` : ''),
};
