// pattern: Functional Core
// The `ip neigh` command the neighbour form builds: the form stays in
// iproute2's words, and what it runs is the command the console would take.

import { shellWord } from './builders';

export const NUD_CHOICES = ['permanent', 'reachable', 'stale', 'noarp'] as const;

export interface NeighForm {
  op: 'add' | 'replace' | 'change' | 'del';
  /** the neighbour's IPv4 address */
  address: string;
  /** its MAC (not used by `del`) */
  lladdr: string;
  dev: string;
  nud: (typeof NUD_CHOICES)[number];
}

export function emptyNeighForm(): NeighForm {
  return { op: 'add', address: '', lladdr: '', dev: '', nud: 'permanent' };
}

/**
 * @example ipNeighCommand({ op: 'add', address: '192.168.1.1', lladdr: '02:00:00:00:02:01', dev: 'eth0', nud: 'permanent' })
 * // 'ip neigh add 192.168.1.1 lladdr 02:00:00:00:02:01 dev eth0 nud permanent'
 */
export function ipNeighCommand(f: NeighForm): string {
  const w = ['ip', 'neigh', f.op, shellWord(f.address.trim() || 'ADDRESS')];
  if (f.op !== 'del' && f.lladdr.trim()) w.push('lladdr', shellWord(f.lladdr.trim()));
  w.push('dev', shellWord(f.dev.trim()));
  if (f.op !== 'del') w.push('nud', f.nud);
  return w.join(' ');
}
