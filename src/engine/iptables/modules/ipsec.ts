// pattern: Functional Core
// IPsec matches: -m policy (libxt_policy, xt_policy.c), -m esp (xt_esp),
// -m ah (libipt_ah, xt_ah) and -m ipcomp (xt_ipcomp). The simulated hosts run no IPsec (no xfrm
// states or policies), so a packet never carries a security path: `--pol
// none` matches, `--pol ipsec` does not. ESP/AH SPIs and the IPComp CPI are
// read from the first bytes after the IP header, where the Packet keeps them
// as payload.

import { formatIpv4, maskLength, parseIpv4, prefixMask } from '../../net/addr';
import type { Packet } from '../../net/packet';
import type { ErrorSink, MatchSpec, OptionCall } from './module';
import { parseUInt } from './module';

const not = (invert: boolean): string => (invert ? '! ' : '');

// ---------------------------------------------------------------- policy

export interface PolicyElement {
  reqid: { value: number; invert: boolean } | null;
  spi: { value: number; invert: boolean } | null;
  /** 50 esp, 51 ah, 108 ipcomp */
  proto: { value: number; invert: boolean } | null;
  mode: { value: 'transport' | 'tunnel'; invert: boolean } | null;
  tunnelSrc: { addr: number; mask: number; invert: boolean } | null;
  tunnelDst: { addr: number; mask: number; invert: boolean } | null;
}

export interface PolicyOptions {
  dir: 'in' | 'out' | null;
  pol: 'none' | 'ipsec';
  strict: boolean;
  elements: PolicyElement[];
}

const emptyElement = (): PolicyElement => ({ reqid: null, spi: null, proto: null, mode: null, tunnelSrc: null, tunnelDst: null });

const POLICY_PROTOS: Readonly<Record<string, number>> = { ah: 51, esp: 50, ipcomp: 108, '50': 50, '51': 51, '108': 108 };
const PROTO_NAMES: Readonly<Record<number, string>> = { 50: 'esp', 51: 'ah', 108: 'ipcomp' };

/** XTTYPE_HOSTMASK: `a.b.c.d[/len|/mask]`, stored masked. */
function parseHostMask(text: string): { addr: number; mask: number } | null {
  const slash = text.indexOf('/');
  const a = parseIpv4(slash < 0 ? text : text.slice(0, slash));
  if (a === null) return null;
  let mask = 0xffffffff;
  if (slash >= 0) {
    const m = text.slice(slash + 1);
    const dotted = m.includes('.') ? parseIpv4(m) : null;
    const len = dotted === null ? parseUInt(m, false) : null;
    if (dotted !== null) mask = dotted;
    else if (len !== null && len <= 32) mask = prefixMask(len);
    else return null;
  }
  return { addr: (a & mask) >>> 0, mask: mask >>> 0 };
}

function addrMaskText(a: { addr: number; mask: number }): string {
  const len = maskLength(a.mask);
  return `${formatIpv4(a.addr)}/${len >= 0 ? len : formatIpv4(a.mask)}`;
}

function policyElementText(e: PolicyElement): string {
  const out: string[] = [];
  if (e.reqid) out.push(`${not(e.reqid.invert)}--reqid ${e.reqid.value}`);
  if (e.spi) out.push(`${not(e.spi.invert)}--spi 0x${e.spi.value.toString(16)}`);
  if (e.proto) out.push(`${not(e.proto.invert)}--proto ${PROTO_NAMES[e.proto.value] ?? e.proto.value}`);
  if (e.mode) out.push(`${not(e.mode.invert)}--mode ${e.mode.value}`);
  if (e.tunnelDst) out.push(`${not(e.tunnelDst.invert)}--tunnel-dst ${addrMaskText(e.tunnelDst)}`);
  if (e.tunnelSrc) out.push(`${not(e.tunnelSrc.invert)}--tunnel-src ${addrMaskText(e.tunnelSrc)}`);
  return out.join(' ');
}

function policyText(o: PolicyOptions): string {
  let s = `--dir ${o.dir ?? 'out'} --pol ${o.pol}`;
  if (o.strict) s += ' --strict';
  for (let i = 0; i < o.elements.length; i++) {
    const e = policyElementText(o.elements[i]!);
    if (e) s += ` ${e}`;
    if (i + 1 < o.elements.length) s += ' --next';
  }
  return s;
}

function double(call: OptionCall, sink: ErrorSink): void {
  sink.error(`policy match: double --${call.name} option`, call.span);
}

/** xt_policy without a security path: -1 from match_policy_in/out, so only `--pol none` holds. */
function policyHolds(o: PolicyOptions): boolean {
  return o.pol === 'none';
}

export const policy: MatchSpec<PolicyOptions> = {
  name: 'policy',
  options: [
    { name: 'dir', arg: true },
    { name: 'pol', arg: true, invert: false },
    { name: 'strict', arg: false, invert: false },
    { name: 'reqid', arg: true },
    { name: 'spi', arg: true },
    { name: 'tunnel-src', arg: true },
    { name: 'tunnel-dst', arg: true },
    { name: 'proto', arg: true },
    { name: 'mode', arg: true },
    { name: 'next', arg: false, invert: false },
  ],
  // elements[last] is the one being filled; final() drops it for --pol none
  init: () => ({ dir: null, pol: 'ipsec', strict: false, elements: [emptyElement()] }),
  parse(o, call, sink) {
    const e = o.elements[o.elements.length - 1]!;
    const inv = call.invert;
    switch (call.name) {
      case 'dir':
        if (call.arg !== 'in' && call.arg !== 'out') sink.error(`policy_match: invalid dir "${call.arg}"`, call.argSpan);
        else o.dir = call.arg;
        return;
      case 'pol':
        if (call.arg !== 'none' && call.arg !== 'ipsec') sink.error(`policy match: invalid policy "${call.arg}"`, call.argSpan);
        else o.pol = call.arg;
        return;
      case 'strict':
        o.strict = true;
        return;
      case 'reqid':
      case 'spi': {
        if (e[call.name]) return double(call, sink);
        const v = parseUInt(call.arg);
        if (v === null || v > 0xffffffff) {
          sink.error(`policy: bad value for option "--${call.name}", or out of range (0-4294967295).`, call.argSpan);
          return;
        }
        e[call.name] = { value: v, invert: inv };
        return;
      }
      case 'tunnel-src':
      case 'tunnel-dst': {
        const key = call.name === 'tunnel-src' ? 'tunnelSrc' : 'tunnelDst';
        if (e[key]) return double(call, sink);
        const a = parseHostMask(call.arg);
        if (!a) {
          sink.error(`host/network \`${call.arg}' not found`, call.argSpan);
          return;
        }
        e[key] = { ...a, invert: inv };
        return;
      }
      case 'proto': {
        if (e.proto) return double(call, sink);
        const p = POLICY_PROTOS[call.arg.toLowerCase()];
        if (p === undefined) {
          sink.error('policy match: protocol must be ah/esp/ipcomp', call.argSpan);
          return;
        }
        e.proto = { value: p, invert: inv };
        return;
      }
      case 'mode':
        if (e.mode) return double(call, sink);
        if (call.arg !== 'transport' && call.arg !== 'tunnel') {
          sink.error(`policy match: invalid mode "${call.arg}"`, call.argSpan);
          return;
        }
        e.mode = { value: call.arg, invert: inv };
        return;
      case 'next':
        if (o.elements.length >= 4) {
          sink.error('policy match: maximum policy depth reached', call.span);
          return;
        }
        o.elements.push(emptyElement());
    }
  },
  final(o, sink) {
    if (o.elements.length > 1 && !o.strict) {
      sink.error('policy: option "--next" also requires "--strict".');
      return;
    }
    if (o.dir === null) {
      sink.error('policy match: neither --dir in nor --dir out specified');
      return;
    }
    if (o.pol === 'none') {
      if (o.strict) sink.error('policy match: policy none but --strict given');
      else if (o.elements.length > 1 || policyElementText(o.elements[0]!) !== '') sink.error('policy match: policy none but policy given');
      o.elements = [];
      return;
    }
    for (let i = 0; i < o.elements.length; i++) {
      const e = o.elements[i]!;
      const empty = !(e.reqid || e.spi || e.tunnelSrc || e.tunnelDst || e.proto || e.mode);
      if (o.strict && empty) {
        sink.error(`policy match: empty policy element ${i}. --strict is in effect, but at least one of reqid, spi, tunnel-src, tunnel-dst, proto or mode is required.`);
        return;
      }
      // an element without --mode is transport mode (XT_POLICY_MODE_TRANSPORT is 0)
      const mode = e.mode?.value ?? 'transport';
      const tunnel = mode === 'tunnel' ? !e.mode?.invert : !!e.mode?.invert;
      if ((e.tunnelSrc || e.tunnelDst) && !tunnel) {
        sink.error('policy match: --tunnel-src/--tunnel-dst is only valid in tunnel mode');
        return;
      }
    }
  },
  save: policyText,
  match: (o) => policyHolds(o),
  explain: (o) => [
    {
      ok: policyHolds(o),
      why: `--dir ${o.dir ?? ''} --pol ${o.pol}: no IPsec in the simulator, packets never carry an IPsec policy (${o.pol === 'none' ? 'so --pol none holds' : 'so --pol ipsec fails'})`,
    },
  ],
};

// ---------------------------------------------------------------- esp / ah

export interface SpiOptions {
  min: number;
  max: number;
  invert: boolean;
}

/** The 32-bit word at `at` bytes into what follows the IP header. */
function payloadWord(p: Packet, at: number): number | null {
  const s = p.payload;
  if (s.length < at + 4) return null;
  return ((s.charCodeAt(at) & 0xff) * 0x1000000 + ((s.charCodeAt(at + 1) & 0xff) << 16) + ((s.charCodeAt(at + 2) & 0xff) << 8) + (s.charCodeAt(at + 3) & 0xff)) >>> 0;
}

function parseSpiRange(call: OptionCall, sink: ErrorSink, ext: string): [number, number] | null {
  const t = call.arg;
  const colon = t.indexOf(':');
  const a = colon < 0 ? t : t.slice(0, colon);
  const b = colon < 0 ? t : t.slice(colon + 1);
  const lo = a === '' ? 0 : parseUInt(a);
  const hi = b === '' ? 0xffffffff : parseUInt(b);
  if (lo === null || hi === null || lo > 0xffffffff || hi > 0xffffffff) {
    sink.error(`${ext}: bad value for option "--${call.name}", or out of range (0-4294967295).`, call.argSpan);
    return null;
  }
  if (lo > hi) {
    sink.error(`${ext}: bad value for option "--${call.name}", or out of range (min > max).`, call.argSpan);
    return null;
  }
  return [lo, hi];
}

/** The IPComp CPI: 16 bits at offset 2 of the IPComp header (xt_ipcomp compares it with the SPI range). */
function ipcompCpi(p: Packet): number | null {
  const s = p.payload;
  return s.length < 4 ? null : ((s.charCodeAt(2) & 0xff) << 8) | (s.charCodeAt(3) & 0xff);
}

function makeSpi(name: 'esp' | 'ah' | 'ipcomp', proto: number, flag: string, read: (p: Packet) => number | null): MatchSpec<SpiOptions> {
  const text = (o: SpiOptions): string => `${not(o.invert)}--${flag} ${o.min === o.max ? o.min : `${o.min}:${o.max}`}`;
  const holds = (o: SpiOptions, p: Packet): boolean => {
    const spi = read(p);
    // xt_esp/xt_ah drop (hotdrop) a truncated header: never a match
    return spi !== null && (spi >= o.min && spi <= o.max) !== o.invert;
  };
  return {
    name,
    proto,
    options: [{ name: flag, arg: true }],
    init: () => ({ min: 0, max: 0xffffffff, invert: false }),
    parse(o, call, sink) {
      const r = parseSpiRange(call, sink, name);
      if (r) Object.assign(o, { min: r[0], max: r[1], invert: call.invert });
    },
    save: (o) => (o.min === 0 && o.max === 0xffffffff && !o.invert ? '' : text(o)),
    match: holds,
    explain(o, p) {
      const spi = read(p);
      return [{ ok: holds(o, p), why: `${text(o)}: ${spi === null ? `no ${name.toUpperCase()} header` : `SPI is ${spi}`}` }];
    },
  };
}

export const esp = makeSpi('esp', 50, 'espspi', (p) => payloadWord(p, 0));
export const ah = makeSpi('ah', 51, 'ahspi', (p) => payloadWord(p, 4));
export const ipcomp = makeSpi('ipcomp', 108, 'ipcompspi', ipcompCpi);
