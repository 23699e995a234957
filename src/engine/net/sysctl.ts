// pattern: Functional Core
// `sysctl [-q] -w KEY=VALUE ...` for net.ipv4.* / net.netfilter.* (procps-ng
// syntax: dotted or slashed keys), and the accessors the engine reads. Per-
// interface settings combine with conf.all the way include/linux/inetdevice.h
// defines it: IN_DEV_ORCONF (all || dev), IN_DEV_MAXCONF (max(all, dev)),
// IN_DEV_ANDCONF, or the device value alone (forwarding).

import type { Diagnostic, Parsed, Span } from '../text/diagnostics';
import { splitWords } from '../text/shlex';
import type { HostNet } from './config';
import { confKey, findLink } from './config';

export interface SysctlAssignment {
  /** normalised dotted key, e.g. 'net.ipv4.conf.eth0.rp_filter' */
  key: string;
  value: string;
  keySpan: Span;
  valueSpan: Span;
}

export interface SysctlCommand {
  quiet: boolean;
  assignments: SysctlAssignment[];
  span: Span;
}

const SOURCE = 'sysctl';

function err(from: number, to: number, message: string, code: string): Diagnostic {
  return { from, to, severity: 'error', message, source: SOURCE, code };
}

/**
 * Parse one sysctl command line. procps turns '.' into '/' unless the key
 * already contains '/', so `net/ipv4/conf/eth0.10/rp_filter` reaches an
 * interface with a dot in its name while the dotted form cannot.
 *
 * @example parseSysctl('sysctl -w net.ipv4.ip_forward=1')
 */
export function parseSysctl(text: string, base = 0): Parsed<SysctlCommand> {
  const { words, diagnostics } = splitWords(text, base, SOURCE);
  if (words.length === 0) {
    diagnostics.push(err(base, base + text.length, 'sysctl: empty command', 'sysctl/empty'));
    return { value: null, diagnostics };
  }
  let i = 0;
  if (words[0]!.text === 'sysctl') i = 1;
  let quiet = false;
  let write = false;
  const assignments: SysctlAssignment[] = [];
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w.text.startsWith('-') && w.text.length > 1 && !w.text.includes('=')) {
      for (const flag of w.text.slice(1)) {
        if (flag === 'q') quiet = true;
        else if (flag === 'w') write = true;
        else if (flag === 'e') continue;
        else {
          diagnostics.push(err(w.from, w.to, `sysctl: invalid option -- '${flag}'`, 'sysctl/unknown-option'));
        }
      }
      continue;
    }
    const eq = w.text.indexOf('=');
    if (eq < 0) {
      diagnostics.push(
        err(w.from, w.to, write ? `sysctl: "${w.text}" must be of the form name=value` : `sysctl: reading "${w.text}" is not supported here`, 'sysctl/not-assignment'),
      );
      continue;
    }
    const rawKey = w.text.slice(0, eq).trim();
    const value = w.text.slice(eq + 1).trim();
    const key = rawKey.includes('/') ? rawKey.split('/').filter((s) => s !== '').join('.') : rawKey;
    const keyFrom = w.quoted ? w.from : w.from;
    assignments.push({
      key,
      value,
      keySpan: { from: keyFrom, to: Math.min(w.to, keyFrom + eq) },
      valueSpan: { from: Math.min(w.to, keyFrom + eq + 1), to: w.to },
    });
  }
  if (assignments.length === 0 && diagnostics.length === 0) {
    diagnostics.push(err(base, base + text.length, 'sysctl: no variables specified', 'sysctl/no-variables'));
  }
  const first = words[0]!;
  const lastWord = words[words.length - 1]!;
  return { value: { quiet, assignments, span: { from: first.from, to: lastWord.to } }, diagnostics };
}

/** Keys whose value must be a single integer (everything we model except ranges). */
function isIntegerKey(key: string): boolean {
  return key !== 'net.ipv4.ip_local_port_range';
}

const RANGES: Readonly<Record<string, [number, number]>> = {
  // ip_ttl_min / ip_ttl_max of sysctl_net_ipv4.c
  ip_default_ttl: [1, 255],
  rp_filter: [0, 2],
  fib_multipath_hash_policy: [0, 3],
  arp_ignore: [0, 8],
  arp_announce: [0, 2],
};

/**
 * Write the assignments. `ip_forward` and `conf.all.forwarding` switch every
 * interface's forwarding plus conf.default and conf.all, and set
 * conf.all.accept_redirects to the opposite (inet_forward_change);
 * `conf.default.X` only affects interfaces created later.
 */
export function applySysctl(net: HostNet, cmd: SysctlCommand): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const a of cmd.assignments) {
    const path = `/proc/sys/${a.key.split('.').join('/')}`;
    if (!(a.key in net.sysctl)) {
      out.push(err(a.keySpan.from, a.keySpan.to, `sysctl: cannot stat ${path}: No such file or directory`, 'sysctl/unknown-key'));
      continue;
    }
    let value = a.value;
    if (isIntegerKey(a.key)) {
      if (!/^-?\d+$/.test(value)) {
        out.push(err(a.valueSpan.from, a.valueSpan.to, `sysctl: setting key "${a.key}": Invalid argument`, 'sysctl/invalid-value'));
        continue;
      }
      const n = Number(value);
      // proc_dointvec: a value that does not fit an int is EINVAL (a 23-digit value too)
      if (n > 2147483647 || n < -2147483648) {
        out.push(err(a.valueSpan.from, a.valueSpan.to, `sysctl: setting key "${a.key}": Invalid argument`, 'sysctl/invalid-value'));
        continue;
      }
      const leaf = a.key.slice(a.key.lastIndexOf('.') + 1);
      const range = RANGES[leaf];
      if (range && (n < range[0] || n > range[1])) {
        out.push(err(a.valueSpan.from, a.valueSpan.to, `sysctl: setting key "${a.key}": Invalid argument`, 'sysctl/invalid-value'));
        continue;
      }
      value = String(n);
    } else {
      value = value.split(/\s+/).join('\t');
    }
    if (a.key === 'net.ipv4.ip_forward' || a.key === 'net.ipv4.conf.all.forwarding') {
      const on = Number(value) !== 0 ? '1' : '0';
      net.sysctl['net.ipv4.ip_forward'] = on;
      net.sysctl[confKey('all', 'forwarding')] = on;
      net.sysctl[confKey('default', 'forwarding')] = on;
      for (const l of net.links) net.sysctl[confKey(l.name, 'forwarding')] = on;
      // inet_forward_change: a router does not take redirects (case p66)
      net.sysctl[confKey('all', 'accept_redirects')] = on === '1' ? '0' : '1';
      continue;
    }
    net.sysctl[a.key] = value;
  }
  return out;
}

/** Parse and apply one sysctl line (parser diagnostics first). */
export function execSysctl(net: HostNet, text: string, base = 0): Diagnostic[] {
  const parsed = parseSysctl(text, base);
  if (!parsed.value) return parsed.diagnostics;
  if (parsed.diagnostics.some((d) => d.severity === 'error')) return parsed.diagnostics;
  return applySysctl(net, parsed.value);
}

function num(net: HostNet, key: string): number {
  const v = net.sysctl[key];
  return v === undefined ? 0 : Number(v) | 0;
}

/** A namespace-wide integer sysctl ('net.ipv4.fib_multipath_hash_policy'). */
export function sysctlNumber(net: HostNet, key: string): number {
  return num(net, key);
}

/**
 * ip4_dst_hoplimit: the TTL of every packet this host originates without an
 * IP_TTL of its own (sockets, the RST for a closed port, REJECT's answers,
 * ICMP errors, echo replies), net.ipv4.ip_default_ttl. A route's `hoplimit`
 * metric would override it; the ip command here does not take one.
 */
export function defaultTtl(net: HostNet): number {
  return num(net, 'net.ipv4.ip_default_ttl') || 64;
}

type Combine = 'dev' | 'or' | 'max' | 'and';

/** How inetdevice.h combines conf.all with conf.IFACE for each key. */
const COMBINE: Readonly<Record<string, Combine>> = {
  forwarding: 'dev',
  mc_forwarding: 'dev',
  rp_filter: 'max',
  send_redirects: 'or',
  shared_media: 'or',
  secure_redirects: 'or',
  accept_local: 'or',
  route_localnet: 'or',
  src_valid_mark: 'or',
  proxy_arp: 'or',
  bootp_relay: 'or',
  log_martians: 'or',
  arp_filter: 'or',
  arp_accept: 'max',
  arp_notify: 'or',
  arp_announce: 'max',
  arp_ignore: 'max',
  accept_source_route: 'and',
  promote_secondaries: 'or',
  drop_gratuitous_arp: 'or',
  ignore_routes_with_linkdown: 'or',
  medium_id: 'dev',
  tag: 'dev',
};

/**
 * The effective value of a per-interface setting, combined with conf.all.
 * accept_redirects follows IN_DEV_RX_REDIRECTS: AND of all/dev on a
 * forwarding interface, OR otherwise.
 */
export function confValue(net: HostNet, iface: string, key: string): number {
  const dev = num(net, confKey(iface, key));
  const all = num(net, confKey('all', key));
  if (key === 'accept_redirects') {
    return num(net, confKey(iface, 'forwarding')) ? (all && dev ? 1 : 0) : all || dev ? 1 : 0;
  }
  switch (COMBINE[key] ?? 'dev') {
    case 'dev':
      return dev;
    case 'or':
      return all || dev ? 1 : 0;
    case 'max':
      return all > dev ? all : dev;
    case 'and':
      return all && dev ? 1 : 0;
  }
}

/** IN_DEV_FORWARD: the input interface's own forwarding flag. */
export function forwarding(net: HostNet, iface: string): boolean {
  return num(net, confKey(iface, 'forwarding')) !== 0;
}

/** IN_DEV_RPFILTER: 0 off, 1 strict, 2 loose. */
export function rpFilter(net: HostNet, iface: string): number {
  return confValue(net, iface, 'rp_filter');
}

/** IN_DEV_TX_REDIRECTS */
export function sendRedirects(net: HostNet, iface: string): boolean {
  return confValue(net, iface, 'send_redirects') !== 0;
}

export function acceptLocal(net: HostNet, iface: string): boolean {
  return confValue(net, iface, 'accept_local') !== 0;
}

export function routeLocalnet(net: HostNet, iface: string): boolean {
  return confValue(net, iface, 'route_localnet') !== 0;
}

export function sharedMedia(net: HostNet, iface: string): boolean {
  return confValue(net, iface, 'shared_media') !== 0;
}

export function srcValidMark(net: HostNet, iface: string): boolean {
  return confValue(net, iface, 'src_valid_mark') !== 0;
}

export function acceptRedirects(net: HostNet, iface: string): boolean {
  return confValue(net, iface, 'accept_redirects') !== 0;
}

/** True when `iface` exists and has per-interface conf keys. */
export function hasConf(net: HostNet, iface: string): boolean {
  return findLink(net, iface) !== undefined;
}
