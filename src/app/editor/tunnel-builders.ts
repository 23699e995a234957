// pattern: Functional Core
// The tunnel form's commands: what one would type to make a GRE, IPIP or
// VXLAN device, bring it up and give it an address, built from the form's
// fields (empty optional fields leave their words out, so iproute2's and
// the kernel's defaults apply: ttl inherit, VXLAN's port 8472).

import { shellWord } from './builders';

export type TunnelKind = 'gre' | 'ipip' | 'vxlan';

export interface TunnelForm {
  kind: TunnelKind;
  name: string;
  remote: string;
  local: string;
  ttl: string;
  tos: string;
  /** GRE only */
  key: string;
  /** VXLAN only */
  vni: string;
  dstport: string;
  dev: string;
  /** ADDR/PREFIX to put on the new device ('' for none) */
  address: string;
}

export function emptyTunnelForm(): TunnelForm {
  return { kind: 'gre', name: 'tun0', remote: '', local: '', ttl: '', tos: '', key: '', vni: '42', dstport: '4789', dev: '', address: '' };
}

const w = (s: string) => shellWord(s.trim());

/**
 * @example tunnelCommands({ ...emptyTunnelForm(), remote: '203.0.113.5', local: '198.51.100.2' })
 * // ['ip tunnel add tun0 mode gre remote 203.0.113.5 local 198.51.100.2', 'ip link set tun0 up']
 */
export function tunnelCommands(f: TunnelForm): string[] {
  const name = w(f.name) || 'NAME';
  const words: string[] = f.kind === 'vxlan' ? ['ip', 'link', 'add', name, 'type', 'vxlan', 'id', w(f.vni) || 'VNI'] : ['ip', 'tunnel', 'add', name, 'mode', f.kind];
  if (f.remote.trim()) words.push('remote', w(f.remote));
  if (f.local.trim()) words.push('local', w(f.local));
  if (f.kind === 'vxlan' && f.dstport.trim()) words.push('dstport', w(f.dstport));
  if (f.ttl.trim()) words.push('ttl', w(f.ttl));
  if (f.tos.trim()) words.push('tos', w(f.tos));
  if (f.kind === 'gre' && f.key.trim()) words.push('key', w(f.key));
  if (f.dev.trim()) words.push('dev', w(f.dev));
  const out = [words.join(' '), `ip link set ${name} up`];
  if (f.address.trim()) out.push(`ip addr add ${w(f.address)} dev ${name}`);
  return out;
}
