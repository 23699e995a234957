// pattern: Functional Core
// ipvsadm 1.31's options as ipvsadm.c declares them: each option's long
// name, letter and argument, the command it names or the option name its
// messages use (optnames[]), which options each command requires, allows
// or refuses (commands_v_options), and the names ipvsadm reads and prints
// for ports (/etc/services) and scheduler flags.

import type { IpvsProtocol } from './types';
import { schedFlagNames } from '../../vocabulary/ipvs';

// ---------------------------------------------------------------- option table

export type IpvsadmCmd =
  | 'add-service'
  | 'edit-service'
  | 'delete-service'
  | 'flush'
  | 'list'
  | 'add-server'
  | 'delete-server'
  | 'edit-server'
  | 'set'
  | 'start-daemon'
  | 'stop-daemon'
  | 'restore'
  | 'save'
  | 'zero'
  | 'help'
  | 'version';

/** ipvsadm's option names (optnames[] in ipvsadm.c), used in its messages. */
export type IpvsadmOpt =
  | 'numeric'
  | 'connection'
  | 'service-address'
  | 'scheduler'
  | 'persistent'
  | 'netmask'
  | 'real-server'
  | 'forwarding-method'
  | 'weight'
  | 'u-threshold'
  | 'l-threshold'
  | 'mcast-interface'
  | 'timeout'
  | 'daemon'
  | 'stats'
  | 'rate'
  | 'thresholds'
  | 'persistent-conn'
  | 'nosort'
  | 'syncid'
  | 'exact'
  | 'ops'
  | 'pe'
  | 'sched-flags'
  | 'tun-type'
  | 'tun-port'
  | 'tun-nocsum'
  | 'tun-csum'
  | 'tun-remcsum'
  | 'tun-info';

export interface OptDef {
  long: string;
  short?: string;
  arg: 'none' | 'required' | 'optional';
  cmd?: IpvsadmCmd;
  opt?: IpvsadmOpt;
  /** the option letter's own job, for options that are not commands */
  id: string;
}

const OPTS: readonly OptDef[] = [
  { long: 'add-service', short: 'A', arg: 'none', cmd: 'add-service', id: 'A' },
  { long: 'edit-service', short: 'E', arg: 'none', cmd: 'edit-service', id: 'E' },
  { long: 'delete-service', short: 'D', arg: 'none', cmd: 'delete-service', id: 'D' },
  { long: 'clear', short: 'C', arg: 'none', cmd: 'flush', id: 'C' },
  { long: 'list', short: 'L', arg: 'none', cmd: 'list', id: 'L' },
  { long: 'list', short: 'l', arg: 'none', cmd: 'list', id: 'L' },
  { long: 'zero', short: 'Z', arg: 'none', cmd: 'zero', id: 'Z' },
  { long: 'add-server', short: 'a', arg: 'none', cmd: 'add-server', id: 'a' },
  { long: 'edit-server', short: 'e', arg: 'none', cmd: 'edit-server', id: 'e' },
  { long: 'delete-server', short: 'd', arg: 'none', cmd: 'delete-server', id: 'd' },
  { long: 'set', arg: 'none', cmd: 'set', id: 'set' },
  { long: 'help', short: 'h', arg: 'none', cmd: 'help', id: 'h' },
  { long: 'version', short: 'v', arg: 'none', cmd: 'version', id: 'v' },
  { long: 'restore', short: 'R', arg: 'none', cmd: 'restore', id: 'R' },
  { long: 'save', short: 'S', arg: 'none', cmd: 'save', id: 'S' },
  { long: 'start-daemon', arg: 'required', cmd: 'start-daemon', id: 'start-daemon' },
  { long: 'stop-daemon', arg: 'required', cmd: 'stop-daemon', id: 'stop-daemon' },
  { long: 'tcp-service', short: 't', arg: 'required', opt: 'service-address', id: 't' },
  { long: 'udp-service', short: 'u', arg: 'required', opt: 'service-address', id: 'u' },
  { long: 'sctp-service', arg: 'required', opt: 'service-address', id: 'sctp' },
  { long: 'fwmark-service', short: 'f', arg: 'required', opt: 'service-address', id: 'f' },
  { long: 'scheduler', short: 's', arg: 'required', opt: 'scheduler', id: 's' },
  { long: 'persistent', short: 'p', arg: 'optional', opt: 'persistent', id: 'p' },
  { long: 'netmask', short: 'M', arg: 'required', opt: 'netmask', id: 'M' },
  { long: 'real-server', short: 'r', arg: 'required', opt: 'real-server', id: 'r' },
  { long: 'masquerading', short: 'm', arg: 'none', opt: 'forwarding-method', id: 'm' },
  { long: 'ipip', short: 'i', arg: 'none', opt: 'forwarding-method', id: 'i' },
  { long: 'gatewaying', short: 'g', arg: 'none', opt: 'forwarding-method', id: 'g' },
  { long: 'weight', short: 'w', arg: 'required', opt: 'weight', id: 'w' },
  { long: 'u-threshold', short: 'x', arg: 'required', opt: 'u-threshold', id: 'x' },
  { long: 'l-threshold', short: 'y', arg: 'required', opt: 'l-threshold', id: 'y' },
  { long: 'numeric', short: 'n', arg: 'none', opt: 'numeric', id: 'n' },
  { long: 'connection', short: 'c', arg: 'none', opt: 'connection', id: 'c' },
  { long: 'mcast-interface', arg: 'required', opt: 'mcast-interface', id: 'mcast' },
  { long: 'syncid', arg: 'required', opt: 'syncid', id: 'syncid' },
  { long: 'timeout', arg: 'none', opt: 'timeout', id: 'timeout' },
  { long: 'daemon', arg: 'none', opt: 'daemon', id: 'daemon' },
  { long: 'stats', arg: 'none', opt: 'stats', id: 'stats' },
  { long: 'rate', arg: 'none', opt: 'rate', id: 'rate' },
  { long: 'thresholds', arg: 'none', opt: 'thresholds', id: 'thresholds' },
  { long: 'persistent-conn', arg: 'none', opt: 'persistent-conn', id: 'persistent-conn' },
  { long: 'nosort', arg: 'none', opt: 'nosort', id: 'nosort' },
  { long: 'sort', arg: 'none', id: 'sort' },
  { long: 'exact', short: 'X', arg: 'none', opt: 'exact', id: 'X' },
  { long: 'ipv6', short: '6', arg: 'none', id: '6' },
  { long: 'ops', short: 'o', arg: 'none', opt: 'ops', id: 'o' },
  { long: 'pe', arg: 'required', opt: 'pe', id: 'pe' },
  { long: 'sched-flags', short: 'b', arg: 'required', opt: 'sched-flags', id: 'b' },
  { long: 'tun-type', arg: 'required', opt: 'tun-type', id: 'tun-type' },
  { long: 'tun-port', arg: 'required', opt: 'tun-port', id: 'tun-port' },
  { long: 'tun-nocsum', arg: 'none', opt: 'tun-nocsum', id: 'tun-nocsum' },
  { long: 'tun-csum', arg: 'none', opt: 'tun-csum', id: 'tun-csum' },
  { long: 'tun-remcsum', arg: 'none', opt: 'tun-remcsum', id: 'tun-remcsum' },
  { long: 'tun-info', arg: 'none', opt: 'tun-info', id: 'tun-info' },
];

export const BY_LONG = new Map<string, OptDef>();

export const BY_SHORT = new Map<string, OptDef>();
for (const o of OPTS) {
  if (!BY_LONG.has(o.long)) BY_LONG.set(o.long, o);
  if (o.short) BY_SHORT.set(o.short, o);
}

// commands_v_options: '+' required, 'x' illegal (default), ' ' optional, '1' one of a group
type Legal = Partial<Record<IpvsadmOpt, '+' | ' ' | '1'>>;

const SVC_OPTS: Legal = { 'service-address': '+', scheduler: ' ', persistent: ' ', netmask: ' ', ops: ' ', pe: ' ', 'sched-flags': ' ' };

const DEST_OPTS: Legal = {
  'service-address': '+',
  'real-server': '+',
  'forwarding-method': ' ',
  weight: ' ',
  'u-threshold': ' ',
  'l-threshold': ' ',
  'tun-type': ' ',
  'tun-port': ' ',
  'tun-nocsum': ' ',
  'tun-csum': ' ',
  'tun-remcsum': ' ',
};

export const LEGAL: Record<IpvsadmCmd, Legal> = {
  'add-service': SVC_OPTS,
  'edit-service': SVC_OPTS,
  'delete-service': { 'service-address': '+' },
  flush: {},
  list: {
    numeric: ' ',
    connection: '1',
    'service-address': '1',
    timeout: '1',
    daemon: '1',
    stats: ' ',
    rate: ' ',
    thresholds: ' ',
    'persistent-conn': ' ',
    nosort: ' ',
    exact: ' ',
    'tun-info': ' ',
  },
  'add-server': DEST_OPTS,
  'edit-server': DEST_OPTS,
  'delete-server': { 'service-address': '+', 'real-server': '+' },
  set: {},
  'start-daemon': { 'mcast-interface': ' ', syncid: ' ' },
  'stop-daemon': { syncid: ' ' },
  restore: {},
  save: { numeric: ' ' },
  zero: { 'service-address': ' ' },
  help: {},
  version: {},
};

export const OPT_ORDER: readonly IpvsadmOpt[] = [
  'numeric',
  'connection',
  'service-address',
  'scheduler',
  'persistent',
  'netmask',
  'real-server',
  'forwarding-method',
  'weight',
  'u-threshold',
  'l-threshold',
  'mcast-interface',
  'timeout',
  'daemon',
  'stats',
  'rate',
  'thresholds',
  'persistent-conn',
  'nosort',
  'syncid',
  'exact',
  'ops',
  'pe',
  'sched-flags',
  'tun-type',
  'tun-port',
  'tun-nocsum',
  'tun-csum',
  'tun-remcsum',
  'tun-info',
];

// ---------------------------------------------------------------- names

/** /etc/services names ipvsadm accepts for ports and prints without -n (a common subset). */
const SERVICES: readonly [string, number, 'tcp' | 'udp' | 'both'][] = [
  ['ftp-data', 20, 'tcp'],
  ['ftp', 21, 'tcp'],
  ['ssh', 22, 'tcp'],
  ['telnet', 23, 'tcp'],
  ['smtp', 25, 'tcp'],
  ['domain', 53, 'both'],
  ['tftp', 69, 'udp'],
  ['http', 80, 'tcp'],
  ['pop3', 110, 'tcp'],
  ['ntp', 123, 'udp'],
  ['imap2', 143, 'tcp'],
  ['snmp', 161, 'udp'],
  ['ldap', 389, 'tcp'],
  ['https', 443, 'tcp'],
  ['submission', 587, 'tcp'],
  ['ldaps', 636, 'tcp'],
  ['imaps', 993, 'tcp'],
  ['pop3s', 995, 'tcp'],
  ['mysql', 3306, 'tcp'],
  ['postgresql', 5432, 'tcp'],
  ['http-alt', 8080, 'tcp'],
];

export function serviceToPort(name: string, proto: IpvsProtocol): number {
  const p = proto === 'udp' ? 'udp' : 'tcp';
  for (const [n, port, pr] of SERVICES) if (n === name && (pr === 'both' || pr === p)) return port;
  if (name === 'www') return p === 'tcp' ? 80 : -1;
  return -1;
}

export function portToService(port: number, proto: IpvsProtocol): string | null {
  const p = proto === 'udp' ? 'udp' : 'tcp';
  for (const [n, pt, pr] of SERVICES) if (pt === port && (pr === 'both' || pr === p)) return n;
  return null;
}

/** the -b names of the scheduler flags are shared vocabulary: the page's IPVS form offers them */
export { schedFlagNames };
