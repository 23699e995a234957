// pattern: Functional Core
// The IPVS forms to the commands one would type: `ipvsadm -A/-E/-D` for a
// virtual service, `ipvsadm -a/-e/-d` for a real server, `sysctl -w
// net.ipv4.vs.*`. Like the other form builders, these only put the words in
// ipvsadm's order; the engine judges the values with ipvsadm's own messages.

import { SCHEDULER_NAMES, SCHED_FLAGS } from '../../vocabulary/ipvs';

export type ServiceKind = 'tcp' | 'udp' | 'fwmark';

export interface ServiceRef {
  kind: ServiceKind;
  /** VIP:PORT for tcp/udp */
  address: string;
  /** the mark for fwmark services */
  fwmark: string;
}

export interface ServiceForm extends ServiceRef {
  op: 'add' | 'edit';
  scheduler: string;
  /** -b flags: sh-fallback, sh-port, mh-fallback, mh-port */
  flags: string[];
  persistent: boolean;
  /** -p's timeout in seconds; empty: ipvsadm's default (360) */
  timeout: string;
  /** -M netmask; empty: /32 */
  netmask: string;
}

export type FwdSwitch = '-g' | '-i' | '-m';

export interface ServerForm {
  op: 'add' | 'edit';
  /** RIP[:PORT] */
  server: string;
  method: FwdSwitch;
  weight: string;
  /** -x upper and -y lower connection thresholds; empty: not given */
  upper: string;
  lower: string;
}

export const SCHEDULERS: readonly string[] = SCHEDULER_NAMES;

/** The -b flags each scheduler accepts (ipvsadm refuses the others as incompatible). */
export { SCHED_FLAGS };

/** -g gatewaying (DR, ipvsadm's default), -i ipip (TUN), -m masquerading (NAT) */
export const FORWARD_METHODS: readonly FwdSwitch[] = ['-g', '-i', '-m'];

const trimmed = (s: string) => s.trim();

export function emptyServiceForm(): ServiceForm {
  return { op: 'add', kind: 'tcp', address: '', fwmark: '', scheduler: 'rr', flags: [], persistent: false, timeout: '', netmask: '' };
}

export function emptyServerForm(): ServerForm {
  return { op: 'add', server: '', method: '-m', weight: '1', upper: '', lower: '' };
}

/** `-t VIP:PORT`, `-u VIP:PORT` or `-f MARK`: how ipvsadm names a virtual service. */
export function serviceWords(s: ServiceRef): string[] {
  if (s.kind === 'fwmark') return ['-f', trimmed(s.fwmark) || 'MARK'];
  return [s.kind === 'udp' ? '-u' : '-t', trimmed(s.address) || 'VIP:PORT'];
}

export function serviceName(s: ServiceRef): string {
  return serviceWords(s).join(' ');
}

/** ipvsadm -A (add) or -E (edit; options left out go back to their defaults, as in ipvsadm). */
export function ipvsServiceCommand(f: ServiceForm): string {
  const w = ['ipvsadm', f.op === 'edit' ? '-E' : '-A', ...serviceWords(f), '-s', trimmed(f.scheduler) || 'wlc'];
  const allowed = SCHED_FLAGS[trimmed(f.scheduler)] ?? [];
  const flags = f.flags.filter((x) => allowed.includes(x));
  if (flags.length) w.push('-b', flags.join(','));
  if (f.persistent) {
    w.push('-p');
    if (trimmed(f.timeout)) w.push(trimmed(f.timeout));
    if (trimmed(f.netmask)) w.push('-M', trimmed(f.netmask));
  }
  return w.join(' ');
}

export function ipvsDeleteServiceCommand(s: ServiceRef): string {
  return ['ipvsadm', '-D', ...serviceWords(s)].join(' ');
}

/** ipvsadm -a (add) or -e (edit) a real server of a service. */
export function ipvsServerCommand(svc: ServiceRef, f: ServerForm): string {
  const w = ['ipvsadm', f.op === 'edit' ? '-e' : '-a', ...serviceWords(svc), '-r', trimmed(f.server) || 'RIP:PORT', f.method];
  if (trimmed(f.weight)) w.push('-w', trimmed(f.weight));
  if (trimmed(f.upper)) w.push('-x', trimmed(f.upper));
  if (trimmed(f.lower)) w.push('-y', trimmed(f.lower));
  return w.join(' ');
}

export function ipvsDeleteServerCommand(svc: ServiceRef, server: string): string {
  return ['ipvsadm', '-d', ...serviceWords(svc), '-r', trimmed(server)].join(' ');
}

/** `sysctl -w net.ipv4.vs.KEY=VALUE`; `key` without the net.ipv4.vs. prefix. */
export function ipvsSysctlCommand(key: string, value: string): string {
  return `sysctl -w net.ipv4.vs.${trimmed(key)}=${trimmed(value)}`;
}
