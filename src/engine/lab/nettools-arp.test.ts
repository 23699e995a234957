// pattern: Imperative Shell
// `arp -s` and `arp -d` in the console run as their iproute2 translation.
// What net-tools 2.10 did on this kernel, in a scratch namespace with
// 10.0.1.1/24 on eth0:
//   arp -s 10.0.1.5 02:00:00:00:aa:05      → ip neigh: 10.0.1.5 dev eth0 lladdr … PERMANENT
//   arp -s 10.0.1.5 02:00:00:00:aa:06      → the same entry, the new address (replaced)
//   arp -s 10.9.9.9 02:00:00:00:aa:07      → "SIOCSARP: Network is unreachable" (no route)
//   arp -s 10.0.1.6 zz:00                  → "arp: invalid hardware address"
//   arp -s 10.0.1.6                        → "arp: need hardware address"
//   arp -d 10.0.1.5                        → the entry is gone from ip neigh
//   arp -d 10.0.1.77                       → "No ARP entry for 10.0.1.77"
//   arp -i eth0 -s 10.0.1.8 02:00:00:00:aa:08 → 10.0.1.8 dev eth0 … PERMANENT

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { translateNetTools } from '../net/net-tools-write';
import { Lab } from './lab';

/** nettools.json's hosts: the router has 10.0.1.0/24 on eth0, 10.0.2.0/24 on eth1 and two configured neighbours */
function openNetTools(): Lab {
  const r = Lab.open(JSON.parse(readFileSync(join(__dirname, '__fixtures__', 'nettools', 'nettools.json'), 'utf8')));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.lab;
}

describe('arp -s / arp -d become ip neigh replace … nud permanent / ip neigh del', () => {
  const net = () => openNetTools().config('router')!.net;
  const tr = (text: string) => {
    const r = translateNetTools(text, net());
    if (!r?.ok) throw new Error(JSON.stringify(r));
    return { commands: r.value.commands.map((c) => c.text), why: r.value.why };
  };

  it.each([
    // the device by routing to the address (arp_req_set: ip_route_output)
    ['arp -s 10.0.1.5 02:00:00:00:aa:05', ['ip neigh replace 10.0.1.5 lladdr 02:00:00:00:aa:05 dev eth0 nud permanent']],
    ['arp -i eth1 -s 10.0.2.8 2:0:0:0:AA:8', ['ip neigh replace 10.0.2.8 lladdr 02:00:00:00:aa:08 dev eth1 nud permanent']],
    ['arp -d 10.0.2.2', ['ip neigh del 10.0.2.2 dev eth1']],
    ['arp -n -d 10.0.1.7', ['ip neigh del 10.0.1.7 dev eth0']],
  ])('%s', (text, commands) => {
    expect(tr(text)).toEqual({ commands, why: 'arp' });
  });

  it.each([
    ['arp -s 10.9.9.9 02:00:00:00:aa:07', 'SIOCSARP: Network is unreachable', '10.9.9.9'],
    ['arp -s 10.0.1.6 zz:00', 'arp: invalid hardware address', 'zz:00'],
    ['arp -s 10.0.1.6', 'arp: need hardware address', '10.0.1.6'],
    ['arp -d 10.0.1.77', 'No ARP entry for 10.0.1.77', '10.0.1.77'],
    ['arp -i eth7 -s 10.0.1.6 02:00:00:00:aa:06', 'SIOCSARP: No such device', 'eth7'],
    ['arp -s nowhere 02:00:00:00:aa:06', 'nowhere: Unknown host', 'nowhere'],
  ])('%s is refused as net-tools refuses it, pointing at the word', (text, message, word) => {
    const r = translateNetTools(text, net());
    expect(r?.ok).toBe(false);
    const d = !r!.ok ? r!.diagnostics[0]! : null;
    expect(d?.message).toBe(message);
    expect(text.slice(d!.from, d!.to)).toBe(word);
  });

  it('the read-only forms are not writes', () => {
    expect(translateNetTools('arp -n', net())).toBeNull();
    expect(translateNetTools('arp -an 10.0.2.2', net())).toBeNull();
  });

  it('in the console: the entry is made permanent, replaced, then deleted', () => {
    const lab = openNetTools();
    const arpN = () => lab.query('router', 'arp -n', null, -1)!.stdout;
    const made = lab.edit('router', 'arp -s 10.0.1.5 02:00:00:00:aa:05');
    expect(made.ok && made.translated?.[0]?.commands.map((c) => c.text)).toEqual(['ip neigh replace 10.0.1.5 lladdr 02:00:00:00:aa:05 dev eth0 nud permanent']);
    expect(arpN()).toMatch(/^10\.0\.1\.5 +ether +02:00:00:00:aa:05 +CM +eth0$/m);
    expect(lab.edit('router', 'arp -s 10.0.1.5 02:00:00:00:aa:06').ok).toBe(true);
    expect(arpN()).toMatch(/^10\.0\.1\.5 +ether +02:00:00:00:aa:06 +CM +eth0$/m);
    expect(lab.edit('router', 'arp -d 10.0.1.5').ok).toBe(true);
    expect(arpN()).not.toContain('10.0.1.5 ');
    const again = lab.edit('router', 'arp -d 10.0.1.5');
    expect(again.ok).toBe(false);
    expect(again.diagnostics.map((d) => d.message)).toEqual(['No ARP entry for 10.0.1.5']);
  });
});
