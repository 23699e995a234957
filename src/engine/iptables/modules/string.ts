// pattern: Functional Core
// -m string (libxt_string, kernel xt_string.c). The kernel searches the skb
// from offset --from (default 0, the first byte of the IP header) up to --to,
// so a pattern can also hit header bytes; bm and kmp find the same matches.

import type { MatchSpec } from './module';
import { parseUInt } from './module';
import { packetBytes } from './bytes';

export interface StringOptions {
  /** the pattern as bytes in a latin1 string */
  pattern: string | null;
  algo: 'bm' | 'kmp' | null;
  from: number;
  to: number;
  icase: boolean;
  invert: boolean;
  hex: boolean;
}

const XT_STRING_MAX_PATTERN_SIZE = 128;

/** libxt_string parse_hex_string: text with |hex bytes| sections. */
function parseHex(text: string): string | null {
  let out = '';
  let inHex = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '|') {
      inHex = !inHex;
      continue;
    }
    if (!inHex) {
      if (c === '\\' && i + 1 < text.length) {
        out += text[++i];
        continue;
      }
      out += c;
      continue;
    }
    if (c === ' ') continue;
    const pair = text.substr(i, 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) return null;
    out += String.fromCharCode(parseInt(pair, 16));
    i++;
  }
  return inHex ? null : out;
}

function isPrintable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function patternText(o: StringOptions): string {
  const p = o.pattern ?? '';
  if (!isPrintable(p)) {
    let h = '"|';
    for (let i = 0; i < p.length; i++) h += p.charCodeAt(i).toString(16).padStart(2, '0');
    return `${h}|"`;
  }
  let s = '"';
  for (const ch of p) s += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  return `${s}"`;
}

export function stringFound(o: StringOptions, bytes: Uint8Array): boolean {
  const pat = o.pattern ?? '';
  const end = Math.min(bytes.length, o.to);
  const n = pat.length;
  if (n === 0) return true;
  for (let i = o.from; i + n <= end; i++) {
    let j = 0;
    for (; j < n; j++) {
      let a = bytes[i + j]!;
      let b = pat.charCodeAt(j);
      if (o.icase) {
        if (a >= 65 && a <= 90) a += 32;
        if (b >= 65 && b <= 90) b += 32;
      }
      if (a !== b) break;
    }
    if (j === n) return true;
  }
  return false;
}

export const string: MatchSpec<StringOptions> = {
  name: 'string',
  options: [
    { name: 'from', arg: true, invert: false },
    { name: 'to', arg: true, invert: false },
    { name: 'algo', arg: true, invert: false },
    { name: 'string', arg: true },
    { name: 'hex-string', arg: true },
    { name: 'icase', arg: false, invert: false },
  ],
  init: () => ({ pattern: null, algo: null, from: 0, to: 65535, icase: false, invert: false, hex: false }),
  parse(o, call, sink) {
    switch (call.name) {
      case 'from':
      case 'to': {
        const v = parseUInt(call.arg, false);
        if (v === null || v > 65535) {
          sink.error(`string: bad value for option "--${call.name}", or out of range (0-65535).`, call.argSpan);
          return;
        }
        if (call.name === 'from') o.from = v;
        else o.to = v;
        return;
      }
      case 'algo':
        if (call.arg !== 'bm' && call.arg !== 'kmp') {
          sink.error(`string: "${call.arg}" is not a known algorithm (bm, kmp)`, call.argSpan);
          return;
        }
        o.algo = call.arg;
        return;
      case 'string':
      case 'hex-string': {
        const v = call.name === 'string' ? call.arg : parseHex(call.arg);
        if (v === null) {
          sink.error('Invalid hex char', call.argSpan);
          return;
        }
        if (v.length > XT_STRING_MAX_PATTERN_SIZE) {
          sink.error('STRING too long', call.argSpan);
          return;
        }
        o.pattern = v;
        o.invert = call.invert;
        o.hex = call.name === 'hex-string';
        return;
      }
      case 'icase':
        o.icase = true;
    }
  },
  final(o, sink) {
    if (o.pattern === null) sink.error('STRING match: You must specify `--string\' or `--hex-string\'');
    else if (o.algo === null) sink.error('STRING match: You must specify `--algo\'');
  },
  save(o) {
    let s = `${o.invert ? '! ' : ''}--${isPrintable(o.pattern ?? '') ? 'string' : 'hex-string'} ${patternText(o)} --algo ${o.algo}`;
    if (o.from !== 0) s += ` --from ${o.from}`;
    if (o.to !== 65535) s += ` --to ${o.to}`;
    if (o.icase) s += ' --icase';
    return s;
  },
  match: (o, p) => stringFound(o, packetBytes(p)) !== o.invert,
  explain(o, p) {
    const found = stringFound(o, packetBytes(p));
    return [{ ok: found !== o.invert, why: `${patternText(o)} ${found ? 'found' : 'not found'} in bytes ${o.from}..${o.to}` }];
  },
};
