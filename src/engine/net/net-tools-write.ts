// pattern: Functional Core
// The writes of net-tools in the console, translated to the iproute2
// commands that make the same change: `ifconfig DEV up|down`, `ifconfig DEV
// mtu N`, `ifconfig DEV ADDR [netmask M] [broadcast B]`, `route add|del
// [-net|-host] TARGET [netmask M] [gw G] [metric N] [dev D]`, `arp [-i IF] -s
// ADDR HWADDR`, `arp [-i IF] -d ADDR`. The lab applies
// the ip commands, so a host's setup, its forms and its exports stay
// iproute2; the console shows the translation and why iproute2 replaced the
// old tool. Where the old tool fails, its message is the one it prints
// (the ioctl's name and strerror), recorded in
// lab/__fixtures__/nettools/writes.golden.txt.

import { formatIpv4, maskLength, parseIpv4, prefixMask } from './addr';
import type { HostNet } from './config';
import { outputRoute } from './fib';
import { splitWords, type Word } from '../text/shlex';
import type { Diagnostic } from '../text/diagnostics';

/** Why iproute2 replaced the tool, as a key the page words in its language. */
export type NetToolsWhy = 'ifconfig-link' | 'ifconfig-addr' | 'route' | 'route-prepend' | 'arp';

/** One ip command of a translation, and the ioctl the old tool would have failed in had the kernel refused it. */
export interface TranslatedCommand {
  text: string;
  /** SIOCADDRT, SIOCDELRT, SIOCSIFADDR … */
  ioctl: string;
  /** the characters of the original line a refusal points at */
  from: number;
  to: number;
}

export interface NetToolsTranslation {
  /** the line as typed */
  original: string;
  commands: TranslatedCommand[];
  why: NetToolsWhy;
}

export type TranslateResult = { ok: true; value: NetToolsTranslation } | { ok: false; diagnostics: Diagnostic[] };

const err = (w: { from: number; to: number }, message: string, expected?: string): TranslateResult => ({
  ok: false,
  diagnostics: [{ from: w.from, to: w.to, severity: 'error', message, source: 'net-tools', ...(expected ? { expected } : {}) }],
});

/** The prefix length an address gets without a netmask: its class (inet_abc_len, devinet_ioctl SIOCSIFADDR). */
export function classfulLength(a: number): number {
  const first = a >>> 24;
  if (first < 128) return 8;
  if (first < 192) return 16;
  if (first < 224) return 24;
  return 32;
}

function netmaskLength(text: string): number | null {
  const m = parseIpv4(text);
  if (m === null) return null;
  const len = maskLength(m);
  return len >= 0 && (prefixMask(len) >>> 0) === (m >>> 0) ? len : null;
}

/**
 * Translate a net-tools write on a host. null: `text` is not one (not
 * ifconfig or route, or one of their read-only forms).
 *
 * @example
 * translateNetTools('route add default gw 10.0.1.1', net)
 * // { ok: true, value: { commands: [{ text: 'ip route add default via 10.0.1.1', ioctl: 'SIOCADDRT', … }], why: 'route' } }
 */
export function translateNetTools(text: string, net: HostNet): TranslateResult | null {
  const lead = text.length - text.trimStart().length;
  const words = splitWords(text.trim(), lead).words;
  const tool = words[0]?.text;
  if (tool === 'ifconfig') return ifconfig(text, words.slice(1), net);
  if (tool === 'route' && (words[1]?.text === 'add' || words[1]?.text === 'del')) return route(text, words[1], words.slice(2), net);
  if (tool === 'arp' && words.some((w) => w.text === '-s' || w.text === '-d')) return arp(text, words.slice(1), net);
  return null;
}

const ARP_EXPECTED = 'arp [-i IF] -s ADDR HWADDR or arp [-i IF] -d ADDR';

/**
 * `arp -s ADDR HWADDR` and `arp -d ADDR` (net-tools 2.10 arp.c, checked in a
 * scratch namespace on this kernel): SIOCSARP makes a permanent entry,
 * replacing one there (arp_req_set: NUD_PERMANENT with
 * NEIGH_UPDATE_F_OVERRIDE), which is `ip neigh replace … nud permanent`;
 * SIOCDARP removes one, `ip neigh del`. Without -i the kernel picks the
 * device by routing to ADDR (arp_req_set / arp_req_delete:
 * ip_route_output), and with no route it refuses: "SIOCSARP: Network is
 * unreachable". Entries the walk learns start empty in every walk, so
 * only the configured ones can be deleted: "No ARP entry for ADDR" else.
 */
function arp(original: string, args: Word[], net: HostNet): TranslateResult {
  let iface: Word | null = null;
  let op: Word | null = null;
  const rest: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w.text === '-i') {
      iface = args[i + 1] ?? null;
      if (!iface) return err(w, 'arp: -i needs an interface', ARP_EXPECTED);
      i++;
    } else if (w.text === '-s' || w.text === '-d') {
      if (op) return err(w, `arp: unexpected "${w.text}"`, ARP_EXPECTED);
      op = w;
    } else if (w.text === '-n') continue;
    else rest.push(w);
  }
  const addrWord = rest[0];
  if (!op || !addrWord) return err(op ?? { from: 0, to: original.length }, 'arp: need host name', 'an IPv4 address');
  const addr = parseIpv4(addrWord.text);
  if (addr === null) return err(addrWord, `${addrWord.text}: Unknown host`, 'an IPv4 address');
  const hwWord = rest[1];
  if (op.text === '-s') {
    if (!hwWord) return err(addrWord, 'arp: need hardware address', 'a MAC address such as 02:00:00:00:00:05');
    if (!/^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/.test(hwWord.text)) return err(hwWord, 'arp: invalid hardware address', 'a MAC address such as 02:00:00:00:00:05');
    if (rest.length > 2) return err(rest[2]!, `arp: unexpected "${rest[2]!.text}"`, ARP_EXPECTED);
  } else if (rest.length > 1) return err(rest[1]!, `arp: unexpected "${rest[1]!.text}"`, ARP_EXPECTED);
  const ioctl = op.text === '-s' ? 'SIOCSARP' : 'SIOCDARP';
  let dev: string;
  if (iface) {
    if (!net.links.some((l) => l.name === iface!.text)) return err(iface, `${ioctl}: No such device`, 'a device of this host');
    dev = iface.text;
  } else {
    const r = outputRoute(net, { knownNh: false, src: 0, dst: addr, oif: null, mark: 0, tos: 0, proto: 0, sport: 0, dport: 0, anySrc: true });
    if (!r.ok) return err(addrWord, `${ioctl}: Network is unreachable`, 'an address this host has a route to');
    dev = r.dev;
  }
  const a = formatIpv4(addr);
  if (op.text === '-d') {
    if (!net.neighbours.some((n) => n.iface === dev && n.addr === addr)) return err(addrWord, `No ARP entry for ${a}`, 'an address with a configured neighbour entry');
    return { ok: true, value: { original, why: 'arp', commands: [{ text: `ip neigh del ${a} dev ${dev}`, ioctl, from: addrWord.from, to: addrWord.to }] } };
  }
  const mac = hwWord!.text.split(':').map((x) => x.toLowerCase().padStart(2, '0')).join(':');
  return { ok: true, value: { original, why: 'arp', commands: [{ text: `ip neigh replace ${a} lladdr ${mac} dev ${dev} nud permanent`, ioctl, from: addrWord.from, to: addrWord.to }] } };
}

function ifconfig(original: string, args: Word[], net: HostNet): TranslateResult | null {
  const rest = args[0]?.text === '-a' ? args.slice(1) : args;
  if (rest.length < 2) return null;
  const devWord = rest[0]!;
  const dev = devWord.text;
  const alias = dev.includes(':');
  const base = alias ? dev.slice(0, dev.indexOf(':')) : dev;
  const link = net.links.find((l) => l.name === base);
  if (!link) return err(devWord, `${dev}: ERROR while getting interface flags: No such device`, 'a device of this host');
  const span = (w: Word) => ({ from: w.from, to: w.to });
  const all = { from: devWord.from, to: rest[rest.length - 1]!.to };
  const verb = rest[1]!;
  if (verb.text === 'up' || verb.text === 'down') {
    if (rest.length > 2) return err(rest[2]!, `ifconfig: unexpected "${rest[2]!.text}" after ${verb.text}`, 'nothing more');
    return { ok: true, value: { original, why: 'ifconfig-link', commands: [{ text: `ip link set ${base} ${verb.text}`, ioctl: 'SIOCSIFFLAGS', ...span(verb) }] } };
  }
  if (verb.text === 'mtu') {
    const n = rest[2];
    const v = n && /^\d+$/.test(n.text) ? Number(n.text) : NaN;
    if (!n) return err(verb, 'ifconfig: mtu needs a value', 'a number of bytes');
    // dev_validate_mtu: min_mtu 68 (ETH_MIN_MTU) to max_mtu 65535 (ETH_MAX_MTU) for a veth
    if (!(v >= 68 && v <= 65535)) return err(n, 'SIOCSIFMTU: Invalid argument', 'an MTU from 68 to 65535');
    return { ok: true, value: { original, why: 'ifconfig-link', commands: [{ text: `ip link set ${base} mtu ${v}`, ioctl: 'SIOCSIFMTU', ...span(n) }] } };
  }
  const addr = parseIpv4(verb.text);
  if (addr === null) return err(verb, `${verb.text}: Unknown host`, 'up, down, mtu N or an IPv4 address');
  let len = classfulLength(addr);
  let brd: number | null = null;
  for (let i = 2; i < rest.length; i++) {
    const w = rest[i]!;
    const v = rest[i + 1];
    if (w.text === 'netmask' && v) {
      const l = netmaskLength(v.text);
      if (l === null) return err(v, `${v.text}: Unknown host`, 'a netmask such as 255.255.255.0');
      len = l;
      i++;
    } else if (w.text === 'broadcast' && v) {
      brd = parseIpv4(v.text);
      if (brd === null) return err(v, `${v.text}: Unknown host`, 'an IPv4 broadcast address');
      i++;
    } else if (w.text === 'up') continue;
    else return err(w, `ifconfig: unexpected "${w.text}"`, 'netmask M or broadcast B');
  }
  // devinet_ioctl SIOCSIFADDR then SIOCSIFNETMASK: a device with IFF_BROADCAST gets addr|~mask unless one is given
  if (brd === null && link.kind !== 'loopback' && len < 31) brd = (addr | ~prefixMask(len)) >>> 0;
  const commands: TranslatedCommand[] = [];
  // SIOCSIFADDR changes the address that carries this label: the old one goes, with its secondaries (no promote_secondaries)
  const old = net.addresses.find((a) => a.iface === base && a.label === dev);
  if (old) commands.push({ text: `ip addr del ${formatIpv4(old.addr)}/${old.prefixLen} dev ${base}`, ioctl: 'SIOCSIFADDR', ...all });
  commands.push({ text: `ip addr add ${formatIpv4(addr)}/${len}${brd !== null ? ` brd ${formatIpv4(brd)}` : ''} dev ${base}${alias ? ` label ${dev}` : ''}`, ioctl: 'SIOCSIFADDR', ...all });
  // ifconfig sets IFF_UP | IFF_RUNNING after an address (ifconfig.c, set_flag)
  if (!link.up) commands.push({ text: `ip link set ${base} up`, ioctl: 'SIOCSIFFLAGS', ...all });
  return { ok: true, value: { original, why: 'ifconfig-addr', commands } };
}

const ROUTE_EXPECTED = 'route add|del [-net|-host] TARGET [netmask M] [gw G] [metric N] [dev D]';

function route(original: string, verbWord: Word, args: Word[], net: HostNet): TranslateResult {
  const verb = verbWord.text as 'add' | 'del';
  let kind: 'net' | 'host' | null = null;
  let target: Word | null = null;
  let mask: number | null = null;
  let gw: Word | null = null;
  let metric: number | null = null;
  let dev: Word | null = null;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    const v = args[i + 1];
    if (w.text === '-net' || w.text === '-host') kind = w.text === '-net' ? 'net' : 'host';
    else if ((w.text === 'netmask' || w.text === 'gw' || w.text === 'metric' || w.text === 'dev') && !v) return err(w, `route: ${w.text} needs a value`, ROUTE_EXPECTED);
    else if (w.text === 'netmask') {
      mask = netmaskLength(v!.text);
      if (mask === null) return err(v!, `route: bogus netmask ${v!.text}`, 'a netmask such as 255.255.0.0');
      i++;
    } else if (w.text === 'gw') {
      if (parseIpv4(v!.text) === null) return err(v!, `${v!.text}: Unknown host`, 'the gateway\'s IPv4 address');
      gw = v!;
      i++;
    } else if (w.text === 'metric') {
      if (!/^\d+$/.test(v!.text)) return err(v!, `route: bogus metric ${v!.text}`, 'a number');
      metric = Number(v!.text);
      i++;
    } else if (w.text === 'dev') {
      dev = v!;
      i++;
    } else if (target === null && !w.text.startsWith('-')) target = w;
    else if (target !== null && dev === null && !w.text.startsWith('-') && i === args.length - 1) dev = w;
    else return err(w, `route: unexpected "${w.text}"`, ROUTE_EXPECTED);
  }
  if (!target) return err(verbWord, `route ${verb}: a target is missing`, ROUTE_EXPECTED);
  let len: number;
  let addr: number | null;
  if (target.text === 'default') {
    addr = 0;
    len = 0;
  } else {
    const [a, l] = target.text.split('/');
    addr = parseIpv4(a!);
    if (addr === null) return err(target, `${target.text}: Unknown host`, 'an IPv4 address, ADDR/LEN or default');
    len = l !== undefined ? Number(l) : kind === 'host' ? 32 : mask ?? (kind === 'net' ? classfulLength(addr) : 32);
    if (kind === 'host' && l !== undefined && len !== 32) return err(target, 'route: netmask doesn\'t make sense with host route', 'a host address');
    if (mask !== null && l === undefined) len = mask;
    if (!Number.isInteger(len) || len < 0 || len > 32) return err(target, `route: bogus netmask /${l}`, 'a prefix length from 0 to 32');
    // INET_setroute: the target's host bits must be clear for a network route
    if (len < 32 && ((addr & ~prefixMask(len)) >>> 0) !== 0) return err(target, 'route: netmask doesn\'t match route address', 'the network address of the prefix');
  }
  if (dev && !net.links.some((l) => l.name === dev!.text)) return err(dev, `SIOC${verb === 'add' ? 'ADD' : 'DEL'}RT: No such device`, 'a device of this host');
  const prefix = len === 0 ? 'default' : len === 32 ? formatIpv4(addr) : `${formatIpv4(addr)}/${len}`;
  const parts = [`ip route ${verb} ${prefix}`];
  if (gw) parts.push(`via ${gw.text}`);
  if (dev) parts.push(`dev ${dev.text}`);
  if (metric !== null && metric !== 0) parts.push(`metric ${metric}`);
  // the kernel refuses a missing gateway where it is checked (fib_check_nh): SIOCADDRT points at it, SIOCDELRT at the target
  const at = verb === 'add' && gw ? gw : target;
  return { ok: true, value: { original, why: 'route', commands: [{ text: parts.join(' '), ioctl: verb === 'add' ? 'SIOCADDRT' : 'SIOCDELRT', from: at.from, to: at.to }] } };
}

/**
 * The old tool's words for a refusal of its translation: the ioctl's name
 * and strerror of the errno the kernel returned, which ip prints in its
 * own words ("Nexthop has invalid gateway" is ENETUNREACH from
 * fib_check_nh).
 */
export function netToolsError(ioctl: string, ipMessage: string): string {
  const errno =
    /invalid gateway|Network is unreachable/.test(ipMessage) ? 'Network is unreachable'
    : /File exists/.test(ipMessage) ? 'File exists'
    : /No such process/.test(ipMessage) ? 'No such process'
    : /Cannot find device|No such device/.test(ipMessage) ? 'No such device'
    : /Cannot assign requested address/.test(ipMessage) ? 'Cannot assign requested address'
    : 'Invalid argument';
  return `${ioctl}: ${errno}`;
}
