// pattern: Imperative Shell
// `ip link add … type vlan` and the VLAN device's life with its real device.
// Modelled from kernel source (this machine's kernel has no 8021q): each
// case names the function of net/8021q or ip/iplink_vlan.c it follows.

import { describe, expect, it } from 'vitest';
import { createHostNet, findLink, type HostNet } from './config';
import { execIpCommand } from './ip-command';
import { formatLinkShow } from './ip-show';
import { formatRoutes } from './ip-route';

function run(net: HostNet, text: string): string[] {
  return execIpCommand(net, text).map((d) => d.message);
}

function host(...lines: string[]): HostNet {
  const net = createHostNet([{ name: 'eth0', mac: '02:00:00:00:01:01' }]);
  for (const l of lines) expect(run(net, l), l).toEqual([]);
  return net;
}

describe('ip link add … type vlan', () => {
  it.each([
    ['ip link add link eth0 name eth0.10 type vlan id 10'],
    ['ip link add eth0.10 link eth0 type vlan id 10'],
    ['ip link add link eth0 eth0.10 type vlan protocol 802.1Q id 10'],
    ['ip link add link eth0 name eth0.10 type vlan id 10 protocol 0x8100'],
  ])('%s makes eth0.10 on eth0 with id 10, 802.1Q', (cmd) => {
    const l = findLink(host(cmd), 'eth0.10')!;
    expect(l.kind).toBe('vlan');
    expect(l.vlan).toEqual({ parent: 'eth0', id: 10, protocol: '802.1Q' });
    expect(l.up).toBe(false);
  });

  it('takes its real device’s MAC and MTU unless given (vlan_dev_init, vlan_newlink)', () => {
    const net = host('ip link set eth0 mtu 1400', 'ip link add link eth0 name v10 type vlan id 10', 'ip link add link eth0 name v20 mtu 1300 address 02:aa:00:00:00:20 type vlan id 20');
    expect(findLink(net, 'v10')).toMatchObject({ mac: '02:00:00:00:01:01', mtu: 1400 });
    expect(findLink(net, 'v20')).toMatchObject({ mac: '02:aa:00:00:00:20', mtu: 1300 });
  });

  it('protocol 802.1ad makes a service VLAN', () => {
    expect(findLink(host('ip link add link eth0 name s100 type vlan protocol 802.1ad id 100'), 's100')!.vlan!.protocol).toBe('802.1ad');
  });

  it.each([
    // vlan_parse_opt: get_u16 and ll_proto_a2n
    ['ip link add link eth0 name v type vlan id 70000', 'Error: argument "70000" is wrong: id is invalid'],
    ['ip link add link eth0 name v type vlan id 10 protocol qinq', 'Error: argument "qinq" is wrong: protocol is invalid'],
    ['ip link add link eth0 name v type vlan id 10 flavour 3', 'vlan: unknown command "flavour"?'],
    // vlan_validate
    ['ip link add link eth0 name v type vlan id 4095', 'Error: 8021q: Invalid VLAN id.'],
    ['ip link add link eth0 name v type vlan id 10 protocol ip', 'Error: 8021q: Invalid VLAN protocol.'],
    // vlan_newlink
    ['ip link add link eth0 name v type vlan', 'Error: 8021q: VLAN id not specified.'],
    ['ip link add name v type vlan id 10', 'Error: 8021q: link not specified.'],
    ['ip link add link eth0 name v mtu 1501 type vlan id 10', 'RTNETLINK answers: Invalid argument'],
    // vlan_check_real_dev: loopback is NETIF_F_VLAN_CHALLENGED
    ['ip link add link lo name v type vlan id 10', 'Error: 8021q: VLANs not supported on device.'],
    // iplink_modify: the link is looked up before the kernel is asked
    ['ip link add link eth9 name v type vlan id 10', 'Cannot find device "eth9"'],
  ])('%s → %s', (cmd, message) => {
    expect(run(host(), cmd)).toEqual([message]);
  });

  it('a second VLAN of the same id on the same device is refused, under any name (vlan_check_real_dev)', () => {
    const net = host('ip link add link eth0 name eth0.10 type vlan id 10');
    expect(run(net, 'ip link add link eth0 name vlan10 type vlan id 10')).toEqual(['Error: 8021q: VLAN device already exists.']);
    expect(run(net, 'ip link add link eth0 name eth0.10 type vlan id 11')).toEqual(['RTNETLINK answers: File exists']);
    expect(run(net, 'ip link add link eth0 name ad10 type vlan id 10 protocol 802.1ad')).toEqual([]);
  });

  it('the diagnostic points at the word it is about', () => {
    const cmd = 'ip link add link eth0 name v type vlan id 4095';
    const [d] = execIpCommand(host(), cmd);
    expect(cmd.slice(d!.from, d!.to)).toBe('4095');
  });
});

describe('the VLAN device follows its real device', () => {
  it('comes up only on a real device that is up (vlan_dev_open: -ENETDOWN)', () => {
    const net = host('ip link add link eth0 name eth0.10 type vlan id 10', 'ip link set eth0 down');
    expect(run(net, 'ip link set eth0.10 up')).toEqual(['RTNETLINK answers: Network is down']);
  });

  it('goes down and up with it, losing and regaining its routes (vlan_device_event NETDEV_DOWN/UP)', () => {
    const net = host('ip link add link eth0 name eth0.10 type vlan id 10', 'ip link set eth0.10 up', 'ip addr add 10.10.0.1/24 dev eth0.10', 'ip route add 198.51.100.0/24 via 10.10.0.254');
    expect(formatRoutes(net, 254)).toContain('198.51.100.0/24 via 10.10.0.254 dev eth0.10');
    run(net, 'ip link set eth0 down');
    expect(findLink(net, 'eth0.10')!.up).toBe(false);
    expect(formatRoutes(net, 254)).toBe('');
    run(net, 'ip link set eth0 up');
    expect(findLink(net, 'eth0.10')!.up).toBe(true);
    // the address route comes back, the static route through it does not (fib_sync_down_dev flushed it)
    expect(formatRoutes(net, 254)).toBe('10.10.0.0/24 dev eth0.10 proto kernel scope link src 10.10.0.1 \n');
  });

  it('an MTU above the real device’s is refused, and a lower real MTU lowers the VLAN’s (vlan_dev_change_mtu, NETDEV_CHANGEMTU)', () => {
    const net = host('ip link add link eth0 name eth0.10 type vlan id 10');
    expect(run(net, 'ip link set eth0.10 mtu 1600')).toEqual(['RTNETLINK answers: Numerical result out of range']);
    run(net, 'ip link set eth0 mtu 1400');
    expect(findLink(net, 'eth0.10')!.mtu).toBe(1400);
    run(net, 'ip link set eth0 mtu 9000');
    expect(findLink(net, 'eth0.10')!.mtu).toBe(1400);
  });

  it('is deleted with its real device (NETDEV_UNREGISTER), and alone with ip link del', () => {
    const net = host('ip link add link eth0 name eth0.10 type vlan id 10', 'ip link add link eth0.10 name eth0.10.20 type vlan id 20');
    run(net, 'ip link del eth0.10.20');
    expect(findLink(net, 'eth0.10.20')).toBeUndefined();
    run(net, 'ip link add link eth0.10 name eth0.10.20 type vlan id 20');
    run(net, 'ip link del eth0');
    expect(net.links.map((l) => l.name)).toEqual(['lo']);
  });

  it('ip link show names the real device after @ and takes its carrier from it', () => {
    const net = host('ip link add link eth0 name eth0.10 type vlan id 10', 'ip link set eth0.10 up');
    expect(formatLinkShow(net, new Map(), 'eth0.10')).toBe(
      '3: eth0.10@eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:01:01 brd ff:ff:ff:ff:ff:ff\n',
    );
  });
});
