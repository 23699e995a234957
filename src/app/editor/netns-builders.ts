// pattern: Functional Core
// The commands the "Add a network namespace" form stands for: the notes'
// `ip netns add`, a veth pair, `ip link set … netns`, an address on each end
// and the namespace's default route through its host — the words a reader
// would type in the console, which the engine then checks.

import { shellWord } from './builders';

export interface NetnsForm {
  name: string;
  /** the veth end that stays in the host */
  hostDev: string;
  /** the veth end moved into the namespace */
  nsDev: string;
  /** ADDR/PREFIX on the host's end, optional */
  hostAddress: string;
  /** ADDR/PREFIX on the namespace's end, optional */
  nsAddress: string;
}

const ADDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

/** What is wrong before any command is built: a name a case host cannot have, a device name missing, an address without its prefix length. */
export function netnsFormProblem(f: NetnsForm): 'badName' | 'badDevice' | 'badAddress' | null {
  if (!/^[a-z][a-z0-9_]{0,14}$/.test(f.name.trim())) return 'badName';
  if (!f.hostDev.trim() || !f.nsDev.trim() || f.hostDev.trim() === f.nsDev.trim()) return 'badDevice';
  for (const a of [f.hostAddress.trim(), f.nsAddress.trim()]) if (a && !ADDR.test(a)) return 'badAddress';
  return null;
}

/**
 * @example
 * netnsCommands({ name: 'app', hostDev: 'veth0', nsDev: 'veth1', hostAddress: '10.200.0.1/30', nsAddress: '10.200.0.2/30' });
 * // ['ip netns add app', 'ip link add veth0 type veth peer name veth1', 'ip link set veth1 netns app',
 * //  'ip addr add 10.200.0.1/30 dev veth0', 'ip link set veth0 up',
 * //  'ip netns exec app ip addr add 10.200.0.2/30 dev veth1', 'ip netns exec app ip link set veth1 up',
 * //  'ip netns exec app ip route add default via 10.200.0.1']
 */
export function netnsCommands(f: NetnsForm): string[] {
  const ns = shellWord(f.name.trim());
  const h = shellWord(f.hostDev.trim());
  const n = shellWord(f.nsDev.trim());
  const hostAddr = f.hostAddress.trim();
  const nsAddr = f.nsAddress.trim();
  const inside = `ip netns exec ${ns}`;
  const out = [`ip netns add ${ns}`, `ip link add ${h} type veth peer name ${n}`, `ip link set ${n} netns ${ns}`];
  if (hostAddr) out.push(`ip addr add ${hostAddr} dev ${h}`);
  out.push(`ip link set ${h} up`);
  if (nsAddr) out.push(`${inside} ip addr add ${nsAddr} dev ${n}`);
  out.push(`${inside} ip link set ${n} up`);
  // the namespace reaches the rest of the world through its host, as a container does
  if (hostAddr && nsAddr) out.push(`${inside} ip route add default via ${hostAddr.split('/')[0]}`);
  return out;
}
