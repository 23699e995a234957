// pattern: Imperative Shell
// `bridge vlan add|del` refusals point at the word they are about, and
// `bridge vlan show` prints as iproute2 6.1's bridge/vlan.c does. This
// machine's kernel refuses vlan_filtering, so the layout cannot be recorded
// with VLANs in it; it is pinned here from the source:
// - vlan_show: the header printf("%-16s  %-9s", "port", "vlan-id") (IFNAMSIZ,
//   VLAN_ID_LEN), then a newline;
// - print_vlan_info, per device in ifindex order (the link dump): the first
//   VLAN after open_vlan_port's "%-16s  " with the name, each further one
//   after "%-16s  " of nothing; print_range "%u" (one VID per line: the dump
//   is RTEXT_FILTER_BRVLAN, not _COMPRESSED, without -c); print_vlan_flags
//   " PVID" then " Egress Untagged"; print_nl;
// - close_vlan_port prints nothing in text mode: no blank line between ports.

import { describe, expect, it } from 'vitest';
import { createHostNet, type HostNet } from './config';
import { execIpCommand } from './ip-command';
import { applyBridgeVlanCommand, formatBridgeVlanShow } from './bridge-vlan';

function sw(): HostNet {
  const net = createHostNet([{ name: 'eth0', mac: '02:00:00:00:01:01' }, { name: 'eth1', mac: '02:00:00:00:01:02' }]);
  for (const c of ['ip link add br0 type bridge vlan_filtering 1', 'ip link set eth0 master br0', 'ip link set eth1 master br0']) expect(execIpCommand(net, c)).toEqual([]);
  return net;
}

describe('bridge vlan add|del refusals point at the offending word', () => {
  it.each([
    ['bridge vlan add dev eth9 vid 10', 'Cannot find bridge device "eth9"', 'eth9'],
    ['bridge vlan add dev eth0 vid 5000', 'Invalid VLAN ID "5000"', '5000'],
    ['bridge vlan add dev eth0 vid 20-10', 'Invalid VLAN range "20-10"', '20-10'],
    ['bridge vlan add dev eth0 vid 10-20 pvid', 'pvid cannot be configured for a vlan range', 'pvid'],
    ['bridge vlan add dev eth0 vid 0', 'RTNETLINK answers: Invalid argument', '0'],
    ['bridge vlan add dev lo vid 10', 'RTNETLINK answers: Operation not supported', 'lo'],
    ['bridge vlan del dev eth0 vid 30', 'RTNETLINK answers: No such file or directory', '30'],
    ['bridge vlan add dev eth0 vid 10 tagged', 'Unknown argument "tagged": expected dev DEV, vid VLAN_ID, pvid, untagged, self or master (bridge vlan add).', 'tagged'],
    ['bridge vlan add vid 10', 'Device and VLAN ID are required arguments.', 'add'],
    ['bridge vlan frob dev eth0 vid 10', 'Command "frob" is unknown, try "bridge vlan help".', 'frob'],
    ['  bridge vlan add dev eth0 vid 5000', 'Invalid VLAN ID "5000"', '5000'],
  ])('%s', (cmd, message, word) => {
    const d = applyBridgeVlanCommand(sw(), cmd);
    expect(d.map((x) => x.message)).toEqual([message]);
    expect(cmd.slice(d[0]!.from, d[0]!.to)).toBe(word);
  });
});

describe('bridge vlan show as iproute2 6.1 prints it', () => {
  it('one line per VID, the name on the first, flags in PVID, Egress Untagged order, no blank line between ports', () => {
    const net = sw();
    for (const c of ['bridge vlan del dev eth0 vid 1', 'bridge vlan add dev eth0 vid 10 pvid untagged', 'bridge vlan add dev eth1 vid 10', 'bridge vlan add dev eth1 vid 20 untagged']) expect(applyBridgeVlanCommand(net, c)).toEqual([]);
    expect(formatBridgeVlanShow(net, null)).toBe(
      [
        'port              vlan-id  ',
        'eth0              10 PVID Egress Untagged',
        'eth1              1 PVID Egress Untagged',
        '                  10',
        '                  20 Egress Untagged',
        'br0               1 PVID Egress Untagged',
        '',
      ].join('\n'),
    );
  });
});
