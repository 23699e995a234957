// pattern: Functional Core
// iproute2's name tables (lib/rt_names.c and the files of /etc/iproute2 as
// iproute2 6.1 ships them): route types, scopes, realms, dsfield (TOS)
// names, route protocols, IP protocols and routing tables, read and printed
// the way `ip` reads and prints them.

import type { HostNet, RouteScope, RouteType } from './config';
import { RT_PROTOS } from './config';
import { parseU32 } from './ip-args';

const ROUTE_TYPES: readonly RouteType[] = ['unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat'];

/** rtnl_rtntype_a2n (exact names; `brd` is broadcast) */
export function routeType(word: string): RouteType | null {
  if (word === 'brd') return 'broadcast';
  return (ROUTE_TYPES as readonly string[]).includes(word) ? (word as RouteType) : null;
}

const SCOPES: Readonly<Record<string, RouteScope>> = {
  global: 'global',
  universe: 'global',
  site: 'site',
  link: 'link',
  host: 'host',
  nowhere: 'nowhere',
};

const SCOPE_NUMBERS: Readonly<Record<number, RouteScope>> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };

export function parseScope(word: string): RouteScope | null {
  const named = SCOPES[word];
  if (named) return named;
  const n = parseU32(word);
  return n === null ? null : (SCOPE_NUMBERS[n] ?? null);
}

/** /etc/iproute2/rt_realms of iproute2 6.1 names only realm 0. */
const REALM_NAMES: Readonly<Record<number, string>> = { 0: 'cosmos' };

/** rtnl_rtrealm_a2n: a realm name or a number in any base. */
function parseRealm(text: string): number | null {
  if (text === 'cosmos') return 0;
  return parseU32(text);
}

/** get_rt_realms_or_raw: `TO` or `FROM/TO` (either side may be empty) into FROM << 16 | TO. */
export function parseRealms(text: string): number | null {
  const slash = text.indexOf('/');
  let from = 0;
  let rest = text;
  if (slash >= 0) {
    const f = parseRealm(text.slice(0, slash));
    if (f === null) return null;
    from = f;
    rest = text.slice(slash + 1);
  }
  const to = rest === '' ? 0 : parseRealm(rest);
  if (to === null) return null;
  return (((from << 16) >>> 0) | to) >>> 0;
}

/** print_rta_flow: `realm TO` or `realms FROM/TO`, names from rt_realms. */
export function formatRealms(flow: number): string {
  const to = flow & 0xffff;
  const from = flow >>> 16;
  const name = (n: number): string => REALM_NAMES[n] ?? String(n);
  return from ? `realms ${name(from)}/${name(to)}` : `realm ${name(to)}`;
}

/** rt_dsfield names of iproute2 6.1's etc file */
const DSFIELD: Readonly<Record<number, string>> = {
  0x28: 'AF11',
  0x30: 'AF12',
  0x38: 'AF13',
  0x48: 'AF21',
  0x50: 'AF22',
  0x58: 'AF23',
  0x68: 'AF31',
  0x70: 'AF32',
  0x78: 'AF33',
  0x88: 'AF41',
  0x90: 'AF42',
  0x98: 'AF43',
  0x20: 'CS1',
  0x40: 'CS2',
  0x60: 'CS3',
  0x80: 'CS4',
  0xa0: 'CS5',
  0xc0: 'CS6',
  0xe0: 'CS7',
  0xb8: 'EF',
};

export function parseDsfield(word: string): number | null {
  for (const [k, v] of Object.entries(DSFIELD)) if (v === word) return Number(k);
  if (word === 'default') return 0;
  const n = /^(0[xX])?[0-9a-fA-F]+$/.test(word) ? parseInt(word.replace(/^0[xX]/, ''), 16) : NaN;
  return Number.isNaN(n) || n > 255 ? null : n;
}

export function dsfieldName(tos: number): string {
  return DSFIELD[tos] ?? `0x${tos.toString(16).padStart(2, '0')}`;
}

const RT_PROTO_NAMES: ReadonlySet<string> = new Set(Object.values(RT_PROTOS));

export function protoName(word: string): string | null {
  const n = parseU32(word);
  if (n !== null) return n <= 255 ? (RT_PROTOS[n] ?? String(n)) : null;
  return RT_PROTO_NAMES.has(word) ? word : null;
}

export const IPPROTOS: Readonly<Record<string, number>> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, sctp: 132 };

export function ipprotoName(p: number): string {
  for (const [k, v] of Object.entries(IPPROTOS)) if (v === p) return k;
  return String(p);
}

/** rtnl_rttable_a2n: rt_tables name or a number (0 is not a table) */
export function resolveTable(net: HostNet, word: string): number | null {
  const named = net.rtTables[word];
  if (named !== undefined) return named;
  const n = parseU32(word);
  return n === null || n === 0 ? null : n;
}
