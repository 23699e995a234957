// pattern: Functional Core
// -m icmp --icmp-type (libipt_icmp, kernel ip_tables.c icmp_match).

import { IPPROTO_ICMP } from '../../net/packet';
import type { MatchSpec } from './module';
import { parseUInt } from './module';

export interface IcmpOptions {
  /** 0xff with code 0..255 is "any" */
  type: number;
  codeMin: number;
  codeMax: number;
  invert: boolean;
  set: boolean;
}

/** libipt_icmp's icmp_codes table: name → type/code range. */
export const ICMP_NAMES: readonly [string, number, number, number][] = [
  ['any', 0xff, 0, 0xff],
  ['echo-reply', 0, 0, 0xff],
  ['destination-unreachable', 3, 0, 0xff],
  ['network-unreachable', 3, 0, 0],
  ['host-unreachable', 3, 1, 1],
  ['protocol-unreachable', 3, 2, 2],
  ['port-unreachable', 3, 3, 3],
  ['fragmentation-needed', 3, 4, 4],
  ['source-route-failed', 3, 5, 5],
  ['network-unknown', 3, 6, 6],
  ['host-unknown', 3, 7, 7],
  ['network-prohibited', 3, 9, 9],
  ['host-prohibited', 3, 10, 10],
  ['TOS-network-unreachable', 3, 11, 11],
  ['TOS-host-unreachable', 3, 12, 12],
  ['communication-prohibited', 3, 13, 13],
  ['host-precedence-violation', 3, 14, 14],
  ['precedence-cutoff', 3, 15, 15],
  ['source-quench', 4, 0, 0xff],
  ['redirect', 5, 0, 0xff],
  ['network-redirect', 5, 0, 0],
  ['host-redirect', 5, 1, 1],
  ['TOS-network-redirect', 5, 2, 2],
  ['TOS-host-redirect', 5, 3, 3],
  ['echo-request', 8, 0, 0xff],
  ['router-advertisement', 9, 0, 0xff],
  ['router-solicitation', 10, 0, 0xff],
  ['time-exceeded', 11, 0, 0xff],
  ['ttl-zero-during-transit', 11, 0, 0],
  ['ttl-zero-during-reassembly', 11, 1, 1],
  ['parameter-problem', 12, 0, 0xff],
  ['ip-header-bad', 12, 0, 0],
  ['required-option-missing', 12, 1, 1],
  ['timestamp-request', 13, 0, 0xff],
  ['timestamp-reply', 14, 0, 0xff],
  ['address-mask-request', 17, 0, 0xff],
  ['address-mask-reply', 18, 0, 0xff],
];

function typeText(o: IcmpOptions): string {
  if (o.type === 0xff && o.codeMin === 0 && o.codeMax === 0xff) return 'any';
  return o.codeMin !== 0 || o.codeMax !== 0xff ? `${o.type}/${o.codeMin}` : `${o.type}`;
}

function matches(o: IcmpOptions, type: number, code: number): boolean {
  // kernel icmp_type_code_match: type 0xff is the wildcard
  return ((o.type === 0xff || type === o.type) && code >= o.codeMin && code <= o.codeMax) !== o.invert;
}

export const icmp: MatchSpec<IcmpOptions> = {
  name: 'icmp',
  proto: IPPROTO_ICMP,
  options: [{ name: 'icmp-type', arg: true }],
  init: () => ({ type: 0xff, codeMin: 0, codeMax: 0xff, invert: false, set: false }),
  parse(o, call, sink) {
    const t = call.arg;
    const named = ICMP_NAMES.filter(([n]) => n.startsWith(t));
    const exact = named.find(([n]) => n === t);
    if (exact || named.length === 1) {
      const e = exact ?? named[0]!;
      o.type = e[1];
      o.codeMin = e[2];
      o.codeMax = e[3];
    } else if (named.length > 1) {
      sink.error(`Ambiguous ICMP type \`${t}': \`${named[0]![0]}' or \`${named[1]![0]}'?`, call.argSpan);
      return;
    } else {
      const slash = t.indexOf('/');
      const ty = parseUInt(slash < 0 ? t : t.slice(0, slash), false);
      if (ty === null || ty > 255) {
        sink.error(`Invalid ICMP type \`${t}'\n`, call.argSpan);
        return;
      }
      o.type = ty;
      o.codeMin = 0;
      o.codeMax = 0xff;
      if (slash >= 0) {
        const codeText = t.slice(slash + 1);
        const colon = codeText.indexOf(':');
        const a = parseUInt(colon < 0 ? codeText : codeText.slice(0, colon), false);
        const b = colon < 0 ? a : parseUInt(codeText.slice(colon + 1), false);
        if (a === null || b === null || a > 255 || b > 255) {
          sink.error(`Invalid ICMP code \`${codeText}'\n`, call.argSpan);
          return;
        }
        o.codeMin = a;
        o.codeMax = b;
      }
    }
    o.invert = call.invert;
    o.set = true;
  },
  save(o) {
    if (!o.set) return '';
    return `${o.invert ? '! ' : ''}--icmp-type ${typeText(o)}`;
  },
  match(o, p) {
    if (!o.set) return true;
    return matches(o, p.icmp ? p.icmp.type : 0, p.icmp ? p.icmp.code : 0);
  },
  explain(o, p) {
    if (!o.set) return [];
    const ok = this.match(o, p, null as never, null as never);
    const have = p.icmp ? `${p.icmp.type}/${p.icmp.code}` : 'none';
    return [{ ok, why: `${o.invert ? '! ' : ''}--icmp-type ${typeText(o)} ${ok ? '=' : '≠'} ${have}` }];
  },
};
