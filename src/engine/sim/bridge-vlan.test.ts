// pattern: Imperative Shell
// Bridge VLAN filtering inside a host: access ports (PVID, egress
// untagged), a trunk (tagged VIDs), the FDB per VID and `bridge vlan
// show`. Modelled from kernel source (this machine's kernel has no bridge
// VLAN filtering: `vlan_filtering 1` answers "Operation not supported"), so
// each expectation names the function of net/bridge/br_vlan.c it follows.

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';
import { Lab } from '../lab/lab';
import type { World } from './world';

type Pkt = { host: string; origin: string; in: string | null; headers: { src: string; dst: string; type?: number }; disposition: { verdict: string; received_by?: { host: string; iface: string }[] } };

/**
 * sw's br0 filters VLANs: eth0 (to a) is an access port of VLAN 10, eth1
 * (to b) an access port of VLAN 20, eth2 (to t) a trunk tagged with 10 and
 * 20. t has a VLAN device for each; a and b are plain hosts in one subnet,
 * so only the VLANs keep them apart.
 */
const SW = [
  'ip link add br0 type bridge vlan_filtering 1',
  'ip link set eth0 master br0',
  'ip link set eth1 master br0',
  'ip link set eth2 master br0',
  'bridge vlan add dev eth0 vid 10 pvid untagged',
  'bridge vlan del dev eth0 vid 1',
  'bridge vlan add dev eth1 vid 20 pvid untagged',
  'bridge vlan del dev eth1 vid 1',
  'bridge vlan add dev eth2 vid 10',
  'bridge vlan add dev eth2 vid 20',
  'bridge vlan del dev eth2 vid 1',
  'ip link set br0 up',
];

const T_VLANS = ['ip link add link eth0 name eth0.10 type vlan id 10', 'ip link set eth0.10 up', 'ip addr add 10.9.0.10/24 dev eth0.10', 'ip link add link eth0 name eth0.20 type vlan id 20', 'ip link set eth0.20 up', 'ip addr add 10.9.0.20/24 dev eth0.20'];

const trunkCase = (steps: unknown[], sw: string[] = SW, t: string[] = T_VLANS) => ({
  name: 'bridge-vlan-test',
  hosts: [
    { name: 'a', setup: ['ip addr add 10.9.0.1/24 dev eth0'] },
    { name: 'b', setup: ['ip addr add 10.9.0.2/24 dev eth0'] },
    { name: 'sw', setup: sw },
    { name: 't', setup: t },
  ],
  links: [['a:eth0', 'sw:eth0'], ['b:eth0', 'sw:eth1'], ['t:eth0', 'sw:eth2']],
  steps,
});

function run(c: Record<string, unknown>): { world: World; packets: Pkt[] } {
  const r = runCase(c);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return { world: r.world, packets: (r.result as { packets: Pkt[] }).packets };
}

/** Where packets arrived, as `host:iface` (the hosts' ingress records; a bridged frame tagged on its way makes none on sw). */
const arrivals = (packets: Pkt[]) => packets.filter((p) => p.origin === 'ingress' && p.host !== 'sw').map((p) => `${p.host}:${p.in}`);

describe('a VLAN-filtering bridge keeps its VLANs apart', () => {
  it('an untagged frame on an access port takes its PVID and leaves the trunk tagged (br_allowed_ingress, br_handle_vlan)', () => {
    const { packets } = run(trunkCase([{ from: 'a', ping: '10.9.0.10' }]));
    // the request arrives on t's VLAN 10 device; the reply comes back tagged 10 and leaves the access port untagged, to a
    expect(arrivals(packets)).toEqual(['t:eth0.10', 'a:eth0']);
  });

  it('a host in another VLAN of the same subnet is out of reach: the ARP request is flooded to VLAN 10 members only (br_allowed_egress)', () => {
    const { packets } = run(trunkCase([{ from: 'a', ping: '10.9.0.2' }]));
    expect(arrivals(packets)).toEqual([]);
    // without filtering the same bridge joins them
    const open = run(trunkCase([{ from: 'a', ping: '10.9.0.2' }], ['ip link add br0 type bridge', 'ip link set eth0 master br0', 'ip link set eth1 master br0', 'ip link set eth2 master br0', 'ip link set br0 up']));
    expect(arrivals(open.packets)).toEqual(['b:eth0', 'a:eth0']);
  });

  it('VLAN 20 reaches b through the trunk from t’s eth0.20, and b’s answer goes back tagged 20', () => {
    // t's only address in the subnet is on eth0.20 (with both, its route for 10.9.0.0/24 would pick eth0.10)
    const { packets } = run(trunkCase([{ from: 't', ping: '10.9.0.2' }], SW, T_VLANS.slice(3)));
    expect(arrivals(packets)).toEqual(['b:eth0', 't:eth0.20']);
  });

  it('a tagged frame of a VID the port is not a member of is dropped on ingress (br_allowed_ingress)', () => {
    // the trunk no longer carries 20: t's frames tagged 20 stop at eth2
    const sw = [...SW.slice(0, -1), 'bridge vlan del dev eth2 vid 20', 'ip link set br0 up'];
    const { packets } = run(trunkCase([{ from: 't', ping: '10.9.0.2' }], sw, T_VLANS.slice(3)));
    expect(arrivals(packets)).toEqual([]);
  });

  it('an untagged frame on a port with no PVID is dropped (br_allowed_ingress: no pvid, no VLAN)', () => {
    const sw = [...SW.slice(0, -1), 'bridge vlan add dev eth0 vid 10', 'ip link set br0 up'];
    const { packets } = run(trunkCase([{ from: 'a', ping: '10.9.0.10' }], sw));
    expect(arrivals(packets)).toEqual([]);
  });
});

describe('bridge vlan and the FDB per VID in the console', () => {
  const opened = Lab.open(trunkCase([{ from: 'a', ping: '10.9.0.10' }]));
  if (!opened.ok) throw new Error(opened.errors.join('\n'));
  const lab = opened.lab;

  it('bridge vlan show lists each device’s VIDs as print_vlan_info does (br_vlan_init gives br0 the default PVID 1)', () => {
    expect(lab.query('sw', 'bridge vlan show', null, -1)!.stdout).toBe(
      [
        'port              vlan-id  ',
        'eth0              10 PVID Egress Untagged',
        'eth1              20 PVID Egress Untagged',
        'eth2              10',
        '                  20',
        'br0               1 PVID Egress Untagged',
        '',
      ].join('\n'),
    );
    expect(lab.query('sw', 'bridge vlan show dev eth2 vid 20', null, -1)!.stdout).toBe('port              vlan-id  \neth2              20\n');
  });

  it('a bridge without vlan_filtering prints the header alone, as this machine’s bridge does', () => {
    expect(lab.query('a', 'bridge vlan show', null, -1)!.stdout).toBe('port              vlan-id  \n');
  });

  it('the FDB learns per VID: a in VLAN 10 on eth0, t in VLAN 10 on eth2 (br_fdb_update with the frame’s vid)', () => {
    const walk = lab.walk();
    const fdb = lab.query('sw', 'bridge fdb show br br0', walk, walk.log.steps.length - 1)!.stdout;
    expect(fdb).toContain('02:00:00:00:01:01 dev eth0 vlan 10 master br0 \n');
    expect(fdb).toContain('02:00:00:00:04:01 dev eth2 vlan 10 master br0 \n');
    expect(fdb).toContain('dev eth2 vlan 20 master br0 permanent\n');
  });

  it('bridge vlan add refuses what vlan_modify and the kernel refuse', () => {
    const err = (cmd: string) => {
      const r = lab.edit('sw', cmd);
      return r.ok ? null : r.diagnostics[0]!.message;
    };
    expect(err('bridge vlan add dev eth0 vid 5000')).toBe('Invalid VLAN ID "5000"');
    expect(err('bridge vlan add vid 10')).toBe('Device and VLAN ID are required arguments.');
    expect(err('bridge vlan add dev eth9 vid 10')).toBe('Cannot find bridge device "eth9"');
    expect(err('bridge vlan add dev eth0 vid 10-20 pvid')).toBe('pvid cannot be configured for a vlan range');
    expect(err('bridge vlan add dev eth0 vid 20-10')).toBe('Invalid VLAN range "20-10"');
  });
});
