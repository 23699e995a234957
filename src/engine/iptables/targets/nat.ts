// pattern: Functional Core
// NAT targets (libxt_DNAT/SNAT/MASQUERADE/REDIRECT/NETMAP, kernel xt_nat.c,
// xt_MASQUERADE.c, xt_REDIRECT.c, xt_NETMAP.c). Hooks and table are the
// kernel's: x_tables refuses DNAT outside nat PREROUTING/OUTPUT, etc.

import { formatIpv4, maskLength, parseIpv4, prefixMask } from '../../net/addr';
import type { Ipv4 } from '../../net/addr';
import type { ErrorSink, OptionCall, RuleHead, TargetSpec } from '../modules/module';
import { parsePort, parseUInt } from '../modules/module';

export interface NatRange {
  minIp: Ipv4;
  maxIp: Ipv4;
  minPort: number;
  maxPort: number;
  /** the range names addresses (NF_NAT_RANGE_MAP_IPS) */
  hasIps: boolean;
  /** the range names ports (NF_NAT_RANGE_PROTO_SPECIFIED) */
  hasPorts: boolean;
  /** DNAT revision 2 `:min-max/base` port offset base, null when absent */
  portBase?: number | null;
}

export interface DnatOptions {
  ranges: NatRange[];
  random: boolean;
  persistent: boolean;
}
export type SnatOptions = DnatOptions & { randomFully: boolean };

export interface MasqueradeOptions {
  /** only ports are set (hasIps false) */
  range: NatRange | null;
  random: boolean;
  randomFully: boolean;
}
export type RedirectOptions = MasqueradeOptions;

export interface NetmapOptions {
  addr: Ipv4;
  mask: Ipv4;
}

/** Protocols the NAT targets accept a port for. */
const PORT_PROTOS = new Set([6, 17, 33, 132, 136]);

function parsePorts(text: string, r: NatRange, allowBase = false): boolean {
  const slash = allowBase ? text.indexOf('/') : -1;
  if (slash >= 0) {
    const base = parsePort(text.slice(slash + 1));
    if (base === null || base === 0) return false;
    r.portBase = base;
    text = text.slice(0, slash);
  }
  // a whole service name first ("ftp-data"); in a range both ends must be numbers
  const whole = parsePort(text);
  const dash = whole === null ? text.indexOf('-') : -1;
  const a = dash < 0 ? whole : parseUInt(text.slice(0, dash), false);
  const b = dash < 0 ? a : parseUInt(text.slice(dash + 1), false);
  if (a !== null && a > 65535) return false;
  if (b !== null && b > 65535) return false;
  if (a === null || b === null || a > b) return false;
  r.minPort = a;
  r.maxPort = b;
  r.hasPorts = true;
  return true;
}

/** `a.b.c.d[-e.f.g.h][:p[-q]]` (libxt_NAT parse_to). */
function parseTo(call: OptionCall, sink: ErrorSink, ext: string): NatRange | null {
  const r: NatRange = { minIp: 0, maxIp: 0, minPort: 0, maxPort: 0, hasIps: false, hasPorts: false };
  const text = call.arg;
  const colon = text.indexOf(':');
  const ipPart = colon < 0 ? text : text.slice(0, colon);
  if (colon >= 0) {
    if (!parsePorts(text.slice(colon + 1), r, ext === 'DNAT')) {
      sink.error(`Port \`${text.slice(colon + 1)}' not valid\n`, call.argSpan);
      return null;
    }
  }
  if (ipPart.length > 0) {
    const dash = ipPart.indexOf('-');
    const a = parseIpv4(dash < 0 ? ipPart : ipPart.slice(0, dash));
    const b = dash < 0 ? a : parseIpv4(ipPart.slice(dash + 1));
    if (a === null || b === null) {
      sink.error(`Bad IP address "${a === null ? ipPart.split('-')[0] : ipPart.slice(dash + 1)}"\n`, call.argSpan);
      return null;
    }
    r.minIp = a;
    r.maxIp = b;
    r.hasIps = true;
  } else if (!r.hasPorts) {
    sink.error(`${ext}: bad value for option "--${call.name}"`, call.argSpan);
    return null;
  }
  return r;
}

export function natRangeText(r: NatRange): string {
  let s = '';
  if (r.hasIps) {
    s += formatIpv4(r.minIp);
    if (r.maxIp !== r.minIp) s += `-${formatIpv4(r.maxIp)}`;
  }
  if (r.hasPorts) {
    s += `:${r.minPort}`;
    if (r.maxPort !== r.minPort) s += `-${r.maxPort}`;
    if (r.portBase !== undefined && r.portBase !== null) s += `/${r.portBase}`;
  }
  return s;
}

function needPortProto(head: RuleHead, sink: ErrorSink, has: boolean): void {
  if (has && (head.protoInvert || !PORT_PROTOS.has(head.proto))) sink.error('Need TCP, UDP, SCTP or DCCP with port specification');
}

function makeNat(name: 'DNAT' | 'SNAT'): TargetSpec<SnatOptions> {
  const opt = name === 'DNAT' ? 'to-destination' : 'to-source';
  return {
    name,
    table: 'nat',
    hooks: name === 'DNAT' ? ['PREROUTING', 'OUTPUT'] : ['POSTROUTING', 'INPUT'],
    needsConntrack: true,
    options: [
      { name: opt, arg: true, invert: false },
      { name: 'random', arg: false, invert: false },
      { name: 'persistent', arg: false, invert: false },
      ...(name === 'SNAT' ? [{ name: 'random-fully', arg: false, invert: false }] : []),
    ],
    init: () => ({ ranges: [], random: false, persistent: false, randomFully: false }),
    parse(o, call, sink) {
      if (call.name === opt) {
        if (o.ranges.length > 0) {
          sink.error(`${name}: Multiple --${opt} not supported`, call.span);
          return;
        }
        const r = parseTo(call, sink, name);
        if (r) o.ranges.push(r);
      } else if (call.name === 'random') o.random = true;
      else if (call.name === 'random-fully') o.randomFully = true;
      else o.persistent = true;
    },
    final(o, sink, head) {
      if (o.ranges.length === 0) {
        sink.error(`${name}: option "--${opt}" must be specified`);
        return;
      }
      needPortProto(head, sink, o.ranges.some((r) => r.hasPorts));
    },
    save(o) {
      const out = o.ranges.map((r) => `--${opt} ${natRangeText(r)}`);
      if (o.random) out.push('--random');
      if (o.randomFully) out.push('--random-fully');
      if (o.persistent) out.push('--persistent');
      return out.join(' ');
    },
  };
}

export const DNAT: TargetSpec<DnatOptions> = makeNat('DNAT');
export const SNAT: TargetSpec<SnatOptions> = makeNat('SNAT');

function makePortsOnly(name: 'MASQUERADE' | 'REDIRECT'): TargetSpec<MasqueradeOptions> {
  return {
    name,
    table: 'nat',
    hooks: name === 'MASQUERADE' ? ['POSTROUTING'] : ['PREROUTING', 'OUTPUT'],
    needsConntrack: true,
    options: [
      { name: 'to-ports', arg: true, invert: false },
      { name: 'random', arg: false, invert: false },
      ...(name === 'MASQUERADE' ? [{ name: 'random-fully', arg: false, invert: false }] : []),
    ],
    init: () => ({ range: null, random: false, randomFully: false }),
    parse(o, call, sink) {
      if (call.name === 'to-ports') {
        const r: NatRange = { minIp: 0, maxIp: 0, minPort: 0, maxPort: 0, hasIps: false, hasPorts: false };
        if (!parsePorts(call.arg, r)) {
          sink.error(`Invalid port range "${call.arg}"`, call.argSpan);
          return;
        }
        o.range = r;
      } else if (call.name === 'random') o.random = true;
      else o.randomFully = true;
    },
    final(o, sink, head) {
      needPortProto(head, sink, o.range !== null);
    },
    save(o) {
      const out: string[] = [];
      if (o.range) out.push(`--to-ports ${o.range.minPort}${o.range.maxPort !== o.range.minPort ? `-${o.range.maxPort}` : ''}`);
      if (o.random) out.push('--random');
      if (o.randomFully) out.push('--random-fully');
      return out.join(' ');
    },
  };
}

export const MASQUERADE = makePortsOnly('MASQUERADE');
export const REDIRECT = makePortsOnly('REDIRECT');

export const NETMAP: TargetSpec<NetmapOptions & { set: boolean }> = {
  name: 'NETMAP',
  table: 'nat',
  hooks: ['PREROUTING', 'POSTROUTING', 'OUTPUT', 'INPUT'],
  needsConntrack: true,
  options: [{ name: 'to', arg: true, invert: false }],
  init: () => ({ addr: 0, mask: 0xffffffff, set: false }),
  parse(o, call, sink) {
    const slash = call.arg.indexOf('/');
    const a = parseIpv4(slash < 0 ? call.arg : call.arg.slice(0, slash));
    let mask = 0xffffffff;
    if (slash >= 0) {
      const m = call.arg.slice(slash + 1);
      const len = parseUInt(m, false);
      const dotted = parseIpv4(m);
      if (len !== null && len <= 32) mask = prefixMask(len);
      else if (dotted !== null) mask = dotted;
      else {
        sink.error(`Bad netmask "${m}"\n`, call.argSpan);
        return;
      }
    }
    if (a === null) {
      sink.error(`Bad IP address "${call.arg}"\n`, call.argSpan);
      return;
    }
    o.addr = (a & mask) >>> 0;
    o.mask = mask;
    o.set = true;
  },
  final(o, sink) {
    if (!o.set) sink.error('NETMAP: option "--to" must be specified');
  },
  save(o) {
    const len = maskLength(o.mask);
    return `--to ${formatIpv4(o.addr)}/${len >= 0 ? len : formatIpv4(o.mask)}`;
  },
};
