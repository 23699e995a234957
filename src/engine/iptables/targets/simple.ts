// pattern: Functional Core
// Targets with small option sets: REJECT, LOG, NFLOG, MARK, CONNMARK, CT,
// NOTRACK, TTL, TOS, DSCP, TCPMSS, CLASSIFY, TRACE. Texts follow the
// libxt_*/libipt_* save functions of iptables 1.8.9.

import { IPPROTO_TCP, IPPROTO_UDP } from '../../net/packet';
import type { ErrorSink, OptionCall, TargetSpec } from '../modules/module';
import { hex, parseMarkMask, parseUInt, saveString } from '../modules/module';

// ---------------------------------------------------------------- REJECT

export type RejectWith =
  | 'icmp-net-unreachable'
  | 'icmp-host-unreachable'
  | 'icmp-port-unreachable'
  | 'icmp-proto-unreachable'
  | 'icmp-net-prohibited'
  | 'icmp-host-prohibited'
  | 'icmp-admin-prohibited'
  | 'tcp-reset';

export interface RejectOptions {
  with: RejectWith;
}

const REJECT_NAMES: readonly [RejectWith, string][] = [
  ['icmp-net-unreachable', 'net-unreach'],
  ['icmp-host-unreachable', 'host-unreach'],
  ['icmp-proto-unreachable', 'proto-unreach'],
  ['icmp-port-unreachable', 'port-unreach'],
  ['icmp-net-prohibited', 'net-prohib'],
  ['icmp-host-prohibited', 'host-prohib'],
  ['tcp-reset', 'tcp-rst'],
  ['icmp-admin-prohibited', 'admin-prohib'],
];

export const REJECT: TargetSpec<RejectOptions> = {
  name: 'REJECT',
  hooks: ['INPUT', 'FORWARD', 'OUTPUT'],
  options: [{ name: 'reject-with', arg: true, invert: false }],
  init: () => ({ with: 'icmp-port-unreachable' }),
  parse(o, call, sink) {
    const hit = REJECT_NAMES.find(([long, short]) => long === call.arg || short === call.arg);
    if (!hit) {
      sink.error(`unknown reject type "${call.arg}"`, call.argSpan);
      return;
    }
    o.with = hit[0];
  },
  check(o, rule) {
    if (o.with === 'tcp-reset' && (!rule.proto || rule.proto.num !== IPPROTO_TCP || rule.proto.invert)) return 'ipt_REJECT: TCP_RESET invalid for non-tcp';
    return null;
  },
  save: (o) => `--reject-with ${o.with}`,
};

// ---------------------------------------------------------------- LOG

export interface LogOptions {
  /** syslog level 0..7, default 4 (warning) */
  level: number;
  prefix: string;
  tcpSequence: boolean;
  tcpOptions: boolean;
  ipOptions: boolean;
  uid: boolean;
  macDecode: boolean;
}

const LEVELS: readonly [string, number][] = [
  ['alert', 1], ['crit', 2], ['debug', 7], ['emerg', 0], ['error', 3], ['info', 6],
  ['notice', 5], ['panic', 0], ['warning', 4], ['err', 3], ['warn', 4],
];

function parseLevel(call: OptionCall, sink: ErrorSink): number | null {
  const n = parseUInt(call.arg, false);
  if (n !== null) {
    if (n > 7) {
      sink.error(`log-level \`${call.arg}' ambiguous`, call.argSpan);
      return null;
    }
    return n;
  }
  const hit = LEVELS.find(([name]) => name === call.arg.toLowerCase());
  if (!hit) {
    sink.error(`log-level \`${call.arg}' unknown`, call.argSpan);
    return null;
  }
  return hit[1];
}

export const LOG: TargetSpec<LogOptions> = {
  name: 'LOG',
  options: [
    { name: 'log-level', arg: true, invert: false },
    { name: 'log-prefix', arg: true, invert: false },
    { name: 'log-tcp-sequence', arg: false, invert: false },
    { name: 'log-tcp-options', arg: false, invert: false },
    { name: 'log-ip-options', arg: false, invert: false },
    { name: 'log-uid', arg: false, invert: false },
    { name: 'log-macdecode', arg: false, invert: false },
  ],
  init: () => ({ level: 4, prefix: '', tcpSequence: false, tcpOptions: false, ipOptions: false, uid: false, macDecode: false }),
  parse(o, call, sink) {
    switch (call.name) {
      case 'log-level': {
        const l = parseLevel(call, sink);
        if (l !== null) o.level = l;
        return;
      }
      case 'log-prefix':
        // struct ipt_log_info has char prefix[30]
        if (call.arg.length > 29) {
          sink.error(`Maximum prefix length 29 for --log-prefix`, call.argSpan);
          return;
        }
        if (call.arg.length === 0) {
          sink.error('No prefix specified for --log-prefix', call.argSpan);
          return;
        }
        o.prefix = call.arg;
        return;
      case 'log-tcp-sequence':
        o.tcpSequence = true;
        return;
      case 'log-tcp-options':
        o.tcpOptions = true;
        return;
      case 'log-ip-options':
        o.ipOptions = true;
        return;
      case 'log-uid':
        o.uid = true;
        return;
      case 'log-macdecode':
        o.macDecode = true;
    }
  },
  save(o) {
    const out: string[] = [];
    if (o.prefix) out.push(`--log-prefix ${saveString(o.prefix)}`);
    if (o.level !== 4) out.push(`--log-level ${o.level}`);
    if (o.tcpSequence) out.push('--log-tcp-sequence');
    if (o.tcpOptions) out.push('--log-tcp-options');
    if (o.ipOptions) out.push('--log-ip-options');
    if (o.uid) out.push('--log-uid');
    if (o.macDecode) out.push('--log-macdecode');
    return out.join(' ');
  },
};

export interface NflogOptions {
  group: number;
  prefix: string;
  /** --nflog-size (copy length) or --nflog-range (legacy alias) */
  size: number | null;
  range: number | null;
  threshold: number;
}

export const NFLOG: TargetSpec<NflogOptions> = {
  name: 'NFLOG',
  options: [
    { name: 'nflog-group', arg: true, invert: false },
    { name: 'nflog-prefix', arg: true, invert: false },
    { name: 'nflog-range', arg: true, invert: false },
    { name: 'nflog-size', arg: true, invert: false },
    { name: 'nflog-threshold', arg: true, invert: false },
  ],
  init: () => ({ group: 0, prefix: '', size: null, range: null, threshold: 0 }),
  parse(o, call, sink) {
    if (call.name === 'nflog-prefix') {
      // xtopt_parse_string copies into the kernel's 64-byte field: longer prefixes are cut, silently
      if (call.arg.length === 0) {
        sink.error('NFLOG: Argument must have a minimum length of 1 characters', call.argSpan);
        return;
      }
      o.prefix = call.arg.slice(0, 63);
      return;
    }
    const v = parseUInt(call.arg, false);
    const max = call.name === 'nflog-group' || call.name === 'nflog-threshold' ? 0xffff : 0xffffffff;
    if (v === null || v > max) {
      sink.error(`NFLOG: bad value for option "--${call.name}", or out of range (0-${max}).`, call.argSpan);
      return;
    }
    if (call.name === 'nflog-group') o.group = v;
    else if (call.name === 'nflog-size') o.size = v;
    else if (call.name === 'nflog-range') o.range = v;
    else o.threshold = v;
  },
  save(o) {
    const out: string[] = [];
    if (o.prefix) out.push(`--nflog-prefix ${saveString(o.prefix)}`);
    if (o.group) out.push(`--nflog-group ${o.group}`);
    if (o.size !== null) out.push(`--nflog-size ${o.size}`);
    else if (o.range) out.push(`--nflog-range ${o.range}`);
    if (o.threshold !== 0) out.push(`--nflog-threshold ${o.threshold}`);
    return out.join(' ');
  },
};

// ---------------------------------------------------------------- MARK / CONNMARK

/** xt_MARK semantics: new = (old & ~mask) ^ value. */
export interface MarkOptions {
  value: number;
  mask: number;
  set: boolean;
}

function markOp(call: OptionCall, sink: ErrorSink, ext: string): { value: number; mask: number } | null {
  const m = parseMarkMask(call.arg);
  if (!m) {
    sink.error(`${ext}: bad value for option "--${call.name}", or out of range.`, call.argSpan);
    return null;
  }
  const v = m.value;
  switch (call.name) {
    case 'set-xmark':
      return { value: v, mask: m.mask };
    case 'set-mark':
      return { value: v, mask: (v | m.mask) >>> 0 };
    case 'and-mark':
      return { value: 0, mask: ~v >>> 0 };
    case 'or-mark':
      return { value: v, mask: v };
    default:
      return { value: v, mask: 0 };
  }
}

export const MARK: TargetSpec<MarkOptions> = {
  name: 'MARK',
  options: ['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark'].map((name) => ({ name, arg: true, invert: false })),
  init: () => ({ value: 0, mask: 0, set: false }),
  parse(o, call, sink) {
    if (o.set) {
      sink.error('MARK: Only one of --set-xmark, --{and,or,xor,set}-mark may be specified', call.span);
      return;
    }
    const r = markOp(call, sink, 'MARK');
    if (!r) return;
    o.value = r.value;
    o.mask = r.mask;
    o.set = true;
  },
  final(o, sink) {
    if (!o.set) sink.error('MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required');
  },
  save: (o) => `--set-xmark ${hex(o.value)}/${hex(o.mask)}`,
};

export interface ConnmarkOptions {
  mode: 'set' | 'save' | 'restore';
  /** set: new ctmark = (ctmark & ~ctmask) ^ ctmark value */
  ctmark: number;
  ctmask: number;
  nfmask: number;
  given: boolean;
}

export const CONNMARK: TargetSpec<ConnmarkOptions> = {
  name: 'CONNMARK',
  needsConntrack: true,
  options: [
    ...['set-xmark', 'set-mark', 'and-mark', 'or-mark', 'xor-mark'].map((name) => ({ name, arg: true, invert: false })),
    { name: 'save-mark', arg: false, invert: false },
    { name: 'restore-mark', arg: false, invert: false },
    { name: 'mask', arg: true, invert: false },
    { name: 'nfmask', arg: true, invert: false },
    { name: 'ctmask', arg: true, invert: false },
  ],
  init: () => ({ mode: 'set', ctmark: 0, ctmask: 0xffffffff, nfmask: 0xffffffff, given: false }),
  parse(o, call, sink) {
    const n = call.name;
    if (n === 'mask' || n === 'nfmask' || n === 'ctmask') {
      const v = parseUInt(call.arg);
      if (v === null || v > 0xffffffff) {
        sink.error(`CONNMARK: bad value for option "--${n}", or out of range.`, call.argSpan);
        return;
      }
      if (n !== 'ctmask') o.nfmask = v >>> 0;
      if (n !== 'nfmask') o.ctmask = v >>> 0;
      return;
    }
    if (o.given) {
      sink.error('CONNMARK target: Can\'t specify --set-mark twice', call.span);
      return;
    }
    o.given = true;
    if (n === 'save-mark') o.mode = 'save';
    else if (n === 'restore-mark') o.mode = 'restore';
    else {
      const r = markOp(call, sink, 'CONNMARK');
      if (!r) return;
      o.mode = 'set';
      o.ctmark = r.value;
      o.ctmask = r.mask;
    }
  },
  final(o, sink) {
    if (!o.given) sink.error('CONNMARK target: No operation specified');
  },
  save(o) {
    if (o.mode === 'set') return `--set-xmark ${hex(o.ctmark)}/${hex(o.ctmask)}`;
    return `--${o.mode}-mark --nfmask ${hex(o.nfmask)} --ctmask ${hex(o.ctmask)}`;
  },
};

// ---------------------------------------------------------------- CT / NOTRACK

export interface CtOptions {
  notrack: boolean;
  helper: string | null;
  zone: number;
  ctevents: string | null;
  expevents: string | null;
  timeout: string | null;
}

/**
 * Every conntrack helper this kernel has (all built in), with the protocols
 * it registers for: `-j CT --helper NAME` is refused unless the rule's -p
 * is one of them (xt_ct_set_helper → nf_conntrack_helper_try_module_get).
 * Names are case-sensitive (`FTP` is refused). Checked on this machine.
 */
export const KERNEL_HELPERS: Readonly<Record<string, readonly number[]>> = {
  ftp: [IPPROTO_TCP],
  tftp: [IPPROTO_UDP],
  irc: [IPPROTO_TCP],
  sip: [IPPROTO_UDP, IPPROTO_TCP],
  RAS: [IPPROTO_UDP],
  'Q.931': [IPPROTO_TCP],
  pptp: [IPPROTO_TCP],
  amanda: [IPPROTO_UDP],
  'netbios-ns': [IPPROTO_UDP],
  snmp: [IPPROTO_UDP],
  snmp_trap: [IPPROTO_UDP],
  sane: [IPPROTO_TCP],
};

export const CT: TargetSpec<CtOptions> = {
  name: 'CT',
  table: 'raw',
  // xt_ct_tg_check returns before nf_ct_netns_get for --notrack: a namespace whose only
  // conntrack-related rule is a notrack rule never tracks anything (difftest seed 1 case 199)
  needsConntrack: true,
  needsConntrackFor: (o) => !o.notrack,
  options: [
    { name: 'notrack', arg: false, invert: false },
    { name: 'helper', arg: true, invert: false },
    { name: 'ctevents', arg: true, invert: false },
    { name: 'expevents', arg: true, invert: false },
    { name: 'zone', arg: true, invert: false },
    { name: 'timeout', arg: true, invert: false },
  ],
  init: () => ({ notrack: false, helper: null, zone: 0, ctevents: null, expevents: null, timeout: null }),
  parse(o, call, sink) {
    switch (call.name) {
      case 'notrack':
        o.notrack = true;
        return;
      case 'zone': {
        const v = parseUInt(call.arg, false);
        if (v === null || v > 0xffff) {
          sink.error('CT: bad value for option "--zone", or out of range (0-65535).', call.argSpan);
          return;
        }
        o.zone = v;
        return;
      }
      case 'helper':
        o.helper = call.arg;
        return;
      case 'ctevents':
        o.ctevents = call.arg;
        return;
      case 'expevents':
        o.expevents = call.arg;
        return;
      case 'timeout':
        o.timeout = call.arg;
    }
  },
  // xt_ct_tg_check: a helper needs the rule's L4 protocol (ENOENT) and a helper of that name for
  // it (ENOENT); a timeout needs the protocol too (EINVAL) and a timeout policy, and none exists in
  // a new namespace (nfct creates them; ENOENT). Recorded: restore-real.cases "ct-…".
  check(o, rule) {
    if (o.notrack) return null;
    const proto = rule.proto && !rule.proto.invert ? rule.proto.num : 0;
    const noProto = 'xt_CT: You must specify a L4 protocol and not use inversions on it';
    if (o.helper) {
      if (!proto) return { errno: 'ENOENT', log: noProto };
      if (!(KERNEL_HELPERS[o.helper] ?? []).includes(proto)) return { errno: 'ENOENT', log: `xt_CT: No such helper "${o.helper}"` };
    }
    if (o.timeout) return proto ? { errno: 'ENOENT', log: `No such timeout policy "${o.timeout}"` } : { errno: 'EINVAL', log: noProto };
    return null;
  },
  save(o) {
    const out: string[] = [];
    if (o.notrack) out.push('--notrack');
    if (o.helper) out.push(`--helper ${o.helper}`);
    if (o.ctevents) out.push(`--ctevents ${o.ctevents}`);
    if (o.expevents) out.push(`--expevents ${o.expevents}`);
    if (o.zone) out.push(`--zone ${o.zone}`);
    if (o.timeout) out.push(`--timeout ${o.timeout}`);
    return out.join(' ');
  },
};

export const NOTRACK: TargetSpec<CtOptions> = {
  name: 'NOTRACK',
  table: 'raw',
  // iptables loads it as CT --notrack (libxt_CT's alias): no conntrack reference either
  needsConntrack: false,
  options: [],
  init: () => ({ notrack: true, helper: null, zone: 0, ctevents: null, expevents: null, timeout: null }),
  parse() {},
  save: () => '',
};

// ---------------------------------------------------------------- header mangling

export interface TtlOptions {
  mode: 'set' | 'dec' | 'inc' | null;
  value: number;
}

export const TTL: TargetSpec<TtlOptions> = {
  name: 'TTL',
  table: 'mangle',
  options: ['ttl-set', 'ttl-dec', 'ttl-inc'].map((name) => ({ name, arg: true, invert: false })),
  init: () => ({ mode: null, value: 0 }),
  parse(o, call, sink) {
    if (o.mode) {
      sink.error('TTL: You must specify only one of --ttl-set, --ttl-dec, --ttl-inc', call.span);
      return;
    }
    const v = parseUInt(call.arg, false);
    if (v === null || v > 255) {
      sink.error(`TTL: bad value for option "--${call.name}", or out of range (0-255).`, call.argSpan);
      return;
    }
    if (call.name !== 'ttl-set' && v === 0) {
      sink.error(`TTL: ${call.name === 'ttl-dec' ? 'decreasing' : 'increasing'} by 0?`, call.argSpan);
      return;
    }
    o.mode = call.name === 'ttl-set' ? 'set' : call.name === 'ttl-dec' ? 'dec' : 'inc';
    o.value = v;
  },
  final(o, sink) {
    if (!o.mode) sink.error('TTL: You must specify an action');
  },
  save: (o) => `--ttl-${o.mode} ${o.value}`,
};

/** TOS revision 1: new = (old & ~mask) ^ value, like MARK. */
export interface TosOptions {
  value: number;
  mask: number;
  set: boolean;
}

const TOS_NAMES: Readonly<Record<string, number>> = {
  'minimize-delay': 0x10, 'maximize-throughput': 0x08, 'maximize-reliability': 0x04,
  'minimize-cost': 0x02, 'normal-service': 0x00,
};

export const TOS: TargetSpec<TosOptions> = {
  name: 'TOS',
  table: 'mangle',
  options: ['set-tos', 'and-tos', 'or-tos', 'xor-tos'].map((name) => ({ name, arg: true, invert: false })),
  init: () => ({ value: 0, mask: 0, set: false }),
  parse(o, call, sink) {
    const named = TOS_NAMES[call.arg.toLowerCase()];
    const m = named !== undefined ? { value: named, mask: 0x3f, hasMask: true } : parseMarkMask(call.arg);
    if (!m || m.value > 0xff || (m.hasMask && m.mask > 0xff)) {
      sink.error(`TOS: bad value for option "--${call.name}", or out of range (0-255).`, call.argSpan);
      return;
    }
    const mask = m.hasMask ? m.mask : 0xff;
    if (call.name === 'set-tos') Object.assign(o, { value: m.value, mask });
    else if (call.name === 'and-tos') Object.assign(o, { value: 0, mask: ~m.value & 0xff });
    else if (call.name === 'or-tos') Object.assign(o, { value: m.value, mask: m.value });
    else Object.assign(o, { value: m.value, mask: 0 });
    o.set = true;
  },
  final(o, sink) {
    if (!o.set) sink.error('TOS: An action is required');
  },
  save: (o) => `--set-tos 0x${o.value.toString(16).padStart(2, '0')}/0x${o.mask.toString(16).padStart(2, '0')}`,
};

export interface DscpOptions {
  dscp: number;
}

const DSCP_CLASSES: Readonly<Record<string, number>> = {
  CS0: 0, CS1: 8, CS2: 16, CS3: 24, CS4: 32, CS5: 40, CS6: 48, CS7: 56, BE: 0,
  AF11: 10, AF12: 12, AF13: 14, AF21: 18, AF22: 20, AF23: 22, AF31: 26, AF32: 28, AF33: 30,
  AF41: 34, AF42: 36, AF43: 38, EF: 46,
};

export const DSCP: TargetSpec<DscpOptions & { set: boolean }> = {
  name: 'DSCP',
  table: 'mangle',
  options: [
    { name: 'set-dscp', arg: true, invert: false },
    { name: 'set-dscp-class', arg: true, invert: false },
  ],
  init: () => ({ dscp: 0, set: false }),
  parse(o, call, sink) {
    if (o.set) {
      sink.error('DSCP target: Only use --set-dscp ONCE!', call.span);
      return;
    }
    const v = call.name === 'set-dscp' ? parseUInt(call.arg) : DSCP_CLASSES[call.arg.toUpperCase()] ?? null;
    if (v === null || v > 63) {
      sink.error(call.name === 'set-dscp' ? 'DSCP: bad value for option "--set-dscp", or out of range (0-63).' : `Invalid DSCP class value \`${call.arg}'`, call.argSpan);
      return;
    }
    o.dscp = v;
    o.set = true;
  },
  final(o, sink) {
    if (!o.set) sink.error('DSCP target: Parameter --set-dscp is required');
  },
  save: (o) => `--set-dscp 0x${o.dscp.toString(16).padStart(2, '0')}`,
};

export interface TcpmssOptions {
  /** null: --clamp-mss-to-pmtu */
  mss: number | null;
  set: boolean;
}

export const TCPMSS: TargetSpec<TcpmssOptions> = {
  name: 'TCPMSS',
  options: [
    { name: 'set-mss', arg: true, invert: false },
    { name: 'clamp-mss-to-pmtu', arg: false, invert: false },
  ],
  init: () => ({ mss: null, set: false }),
  parse(o, call, sink) {
    if (call.name === 'set-mss') {
      const v = parseUInt(call.arg, false);
      if (v === null || v > 65535) {
        sink.error('TCPMSS: bad value for option "--set-mss", or out of range (0-65535).', call.argSpan);
        return;
      }
      o.mss = v;
    }
    o.set = true;
  },
  final(o, sink, head) {
    if (!o.set) sink.error('TCPMSS target: At least one parameter is required');
    else if (head.proto !== IPPROTO_TCP || head.protoInvert) sink.error('TCPMSS target: only valid for TCP');
  },
  check(_o, rule) {
    for (const m of rule.matches) {
      const f = m.module === 'tcp' ? (m.options as { flags: { mask: number; cmp: number; invert: boolean } | null }).flags : null;
      if (f && f.cmp & 0x02 && !f.invert) return null;
    }
    return 'xt_TCPMSS: Only works on TCP SYN packets';
  },
  save: (o) => (o.mss === null ? '--clamp-mss-to-pmtu' : `--set-mss ${o.mss}`),
};

export interface ClassifyOptions {
  major: number;
  minor: number;
  set: boolean;
}

export const CLASSIFY: TargetSpec<ClassifyOptions> = {
  name: 'CLASSIFY',
  table: 'mangle',
  hooks: ['OUTPUT', 'FORWARD', 'POSTROUTING'],
  options: [{ name: 'set-class', arg: true, invert: false }],
  init: () => ({ major: 0, minor: 0, set: false }),
  parse(o, call, sink) {
    const m = /^([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})$/.exec(call.arg);
    if (!m) {
      sink.error(`Bad class value "${call.arg}"`, call.argSpan);
      return;
    }
    o.major = parseInt(m[1]!, 16);
    o.minor = parseInt(m[2]!, 16);
    o.set = true;
  },
  final(o, sink) {
    if (!o.set) sink.error('CLASSIFY: option "--set-class" must be specified');
  },
  save: (o) => `--set-class ${o.major.toString(16).padStart(4, '0')}:${o.minor.toString(16).padStart(4, '0')}`,
};

export const TRACE: TargetSpec<Record<string, never>> = {
  name: 'TRACE',
  table: 'raw',
  options: [],
  init: () => ({}),
  parse() {},
  save: () => '',
};
