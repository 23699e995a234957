// pattern: Functional Core
// The commands the "Add a VLAN interface" form stands for: the VLAN device
// on its real device (the notes' `ip link add link eth0 name eth0.10 type
// vlan id 10`), brought up, and an address when one is given — the same
// words a reader would type in the console, which the engine then checks.

import { shellWord } from './builders';

export interface VlanForm {
  /** the real device */
  parent: string;
  /** the VLAN id as typed */
  id: string;
  /** the new device's name; empty: PARENT.ID, the usual name */
  name: string;
  /** ADDR/PREFIX, optional */
  address: string;
}

/** The name the device gets: the one typed, else PARENT.ID. */
export function vlanName(f: VlanForm): string {
  return f.name.trim() || `${f.parent}.${f.id.trim()}`;
}

/** What is wrong with the form before any command is built: an id outside 0-4094, an address without its prefix length. */
export function vlanFormProblem(f: VlanForm): 'badId' | 'badAddress' | null {
  const id = f.id.trim();
  if (!/^\d{1,4}$/.test(id) || Number(id) > 4094) return 'badId';
  const a = f.address.trim();
  if (a && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(a)) return 'badAddress';
  return null;
}

/**
 * @example
 * vlanCommands({ parent: 'eth0', id: '10', name: '', address: '10.0.10.1/24' });
 * // ['ip link add link eth0 name eth0.10 type vlan id 10', 'ip link set eth0.10 up', 'ip addr add 10.0.10.1/24 dev eth0.10']
 */
export function vlanCommands(f: VlanForm): string[] {
  const name = shellWord(vlanName(f));
  const out = [`ip link add link ${shellWord(f.parent)} name ${name} type vlan id ${f.id.trim()}`, `ip link set ${name} up`];
  if (f.address.trim()) out.push(`ip addr add ${f.address.trim()} dev ${name}`);
  return out;
}
