// `ip tunnel` and `ip link add … type gre|ipip|vxlan` as iproute2 6.1
// parses them and the kernel answers. VXLAN's `ip link show` lines were
// recorded on this machine (iproute2 6.1.0, a scratch namespace); GRE and
// IPIP are modelled from iproute2's ip/iptunnel.c and the kernel's
// net/ipv4/ip_tunnel.c (this kernel has neither module).

import { describe, expect, it } from 'vitest';
import { formatIpv4, parseIpv4 } from './addr';
import { createHostNet, findLink, type HostNet } from './config';
import { execIpCommand, parseIpCommand } from './ip-command';
import { formatLinkShow } from './ip-show';
import { formatTunnelShow, tunnelCreateCommand } from './tunnel';

function host(...lines: string[]): HostNet {
  const net = createHostNet([{ name: 'eth0', mac: '02:00:00:00:01:01' }]);
  for (const l of lines) expect(execIpCommand(net, l).map((d) => d.message), l).toEqual([]);
  return net;
}

function refused(text: string): { message: string; at: string } {
  const net = host('ip link set eth0 up', 'ip addr add 198.51.100.2/24 dev eth0');
  const d = execIpCommand(net, text);
  expect(d.length, text).toBeGreaterThan(0);
  return { message: d[0]!.message, at: text.slice(d[0]!.from, d[0]!.to) };
}

const UNDERLAY = ['ip link set eth0 up', 'ip addr add 198.51.100.2/24 dev eth0'];

describe('ip tunnel add', () => {
  it('makes a GRE device with the notes\' example: remote, local, ttl inherit, DF (pmtudisc) by default', () => {
    const net = host(...UNDERLAY, 'ip tunnel add tun0 mode gre remote 203.0.113.5 local 198.51.100.2');
    const l = findLink(net, 'tun0')!;
    expect(l).toMatchObject({ kind: 'gre', up: false, mtu: 1476 });
    expect(l.tunnel).toMatchObject({ mode: 'gre', ttl: 0, tos: 0, pmtudisc: true, ikey: null });
    expect(formatIpv4(l.tunnel!.remote)).toBe('203.0.113.5');
    expect(formatTunnelShow(net, null)).toBe('tun0: gre/ip remote 203.0.113.5 local 198.51.100.2 ttl inherit\n');
  });

  it('reads ttl, tos (hex, or inherit), key and dev, and prints them back as print_tunnel does', () => {
    const net = host(...UNDERLAY, 'ip tunnel add t1 mode gre remote 203.0.113.5 local 198.51.100.2 ttl 64 tos inherit key 7 dev eth0', 'ip tunnel add t2 mode ipip remote 203.0.113.6 local 198.51.100.2 tos 10');
    expect(formatTunnelShow(net, null)).toBe(
      't1: gre/ip remote 203.0.113.5 local 198.51.100.2 dev eth0 ttl 64 tos inherit key 7\nt2: ip/ip remote 203.0.113.6 local 198.51.100.2 ttl inherit tos 0x10\n',
    );
    expect(formatTunnelShow(net, 't2')).toBe('t2: ip/ip remote 203.0.113.6 local 198.51.100.2 ttl inherit tos 0x10\n');
    // gre_calc_hlen: a key adds 4 bytes to the 4-byte GRE header
    expect(findLink(net, 't1')!.mtu).toBe(1472);
    expect(findLink(net, 't2')!.mtu).toBe(1480);
  });

  it('takes the MTU of the device the route to the remote leaves by (ip_tunnel_bind_dev)', () => {
    const net = host('ip link set eth0 up', 'ip link set eth0 mtu 9000', 'ip addr add 198.51.100.2/24 dev eth0', 'ip tunnel add big mode gre remote 198.51.100.9 local 198.51.100.2');
    expect(findLink(net, 'big')!.mtu).toBe(9000 - 24);
  });

  it('refuses a second tunnel with the same ends (ip_tunnel_find) and a name in use, through the mode\'s base device', () => {
    const net = host(...UNDERLAY, 'ip tunnel add tun0 mode gre remote 203.0.113.5 local 198.51.100.2');
    expect(execIpCommand(net, 'ip tunnel add tun1 mode gre remote 203.0.113.5 local 198.51.100.2').map((d) => d.message)).toEqual(['add tunnel "gre0" failed: File exists']);
    expect(execIpCommand(net, 'ip tunnel add eth0 mode ipip remote 203.0.113.7').map((d) => d.message)).toEqual(['add tunnel "tunl0" failed: File exists']);
  });

  it.each([
    ['ip tunnel add tun0 mode gre remote 203.0.113.x', 'Error: an IP address is expected rather than "203.0.113.x".', '203.0.113.x'],
    ['ip tunnel add tun0 mode bogus', 'Unknown IP tunnel mode "bogus"', 'bogus'],
    ['ip tunnel add tun0 remote 203.0.113.5', 'cannot determine tunnel mode (ipip, gre, vti or sit)', 'add'],
    ['ip tunnel add tun0 mode gre ttl 300', 'Error: argument "300" is wrong: invalid TTL', '300'],
    ['ip tunnel add tun0 mode gre tos zz', 'Error: argument "zz" is wrong: bad TOS value', 'zz'],
    ['ip tunnel add tun0 mode gre key abc', 'invalid value for "key": "abc"; it should be an unsigned integer', 'abc'],
    ['ip tunnel add tun0 mode gre ttl 10 nopmtudisc', 'ttl != 0 and nopmtudisc are incompatible', '10'],
    ['ip tunnel add tun0 mode gre remote', 'Command line is not complete. Try option "help"', 'remote'],
    ['ip tunnel add tun0 mode gre remote 203.0.113.5 dev eth9', 'Cannot find device "eth9"', 'eth9'],
    ['ip tunnel del nothere', 'delete tunnel "nothere" failed: No such device', 'nothere'],
  ])('%s → %s', (text, message, at) => {
    expect(refused(text)).toEqual({ message, at });
  });

  it('deletes a tunnel with ip tunnel del, and its routes go with it', () => {
    const net = host(...UNDERLAY, 'ip tunnel add tun0 mode gre remote 203.0.113.5 local 198.51.100.2', 'ip link set tun0 up', 'ip addr add 172.16.0.1/30 dev tun0');
    expect(execIpCommand(net, 'ip tunnel del tun0')).toEqual([]);
    expect(findLink(net, 'tun0')).toBeUndefined();
    expect(net.routes.some((r) => r.nexthops.some((n) => n.dev === 'tun0'))).toBe(false);
    expect(formatTunnelShow(net, null)).toBe('');
  });

  it('is also `ip tunl` (ip.c maps both words to do_iptunnel)', () => {
    expect(parseIpCommand('ip tunl add tun0 mode ipip remote 10.0.0.2').value).toMatchObject({ object: 'tunnel', verb: 'add', mode: 'ipip' });
  });
});

describe('ip link add … type gre|ipip|vxlan', () => {
  it('makes a GRE device from link_gre.c\'s words', () => {
    const net = host(...UNDERLAY, 'ip link add gre1 type gre remote 203.0.113.5 local 198.51.100.2 ttl 255 key 42');
    expect(findLink(net, 'gre1')!.tunnel).toMatchObject({ mode: 'gre', ttl: 255, ikey: 42, okey: 42 });
  });

  it('makes a VXLAN device: MTU 1500 - 50 over its dev, 1500 without one (recorded)', () => {
    const net = host(
      ...UNDERLAY,
      'ip link add vxlan0 address 02:00:00:aa:00:01 type vxlan id 42 remote 10.0.0.2 local 10.0.0.1 dstport 4789 dev eth0',
      'ip link add vx2 address 02:00:00:aa:00:02 type vxlan id 43 remote 10.0.0.2 dstport 4789',
      'ip link set vxlan0 up',
    );
    expect(findLink(net, 'vxlan0')!.tunnel).toMatchObject({ vni: 42, dstport: 4789, link: 'eth0', learning: true, df: 'unset' });
    // recorded in a scratch namespace: ip link show vxlan0; ip link show vx2
    expect(formatLinkShow(net, new Map(), 'vxlan0')!.replace(/^\d+:/, 'N:')).toBe(
      'N: vxlan0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:aa:00:01 brd ff:ff:ff:ff:ff:ff\n',
    );
    expect(formatLinkShow(net, new Map(), 'vx2')!.replace(/^\d+:/, 'N:')).toBe(
      'N: vx2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:aa:00:02 brd ff:ff:ff:ff:ff:ff\n',
    );
  });

  it('uses the kernel\'s port 8472 when dstport is not given', () => {
    const net = host('ip link add vx type vxlan id 1 remote 10.0.0.2');
    expect(findLink(net, 'vx')!.tunnel!.dstport).toBe(8472);
  });

  it('prints a GRE device as ip link does: the underlay or NONE after @, POINTOPOINT,NOARP, link/gre local peer remote', () => {
    const net = host(...UNDERLAY, 'ip tunnel add tun0 mode gre remote 203.0.113.5 local 198.51.100.2', 'ip link set tun0 up');
    expect(formatLinkShow(net, new Map(), 'tun0')!.replace(/^\d+:/, 'N:')).toBe(
      'N: tun0@NONE: <POINTOPOINT,NOARP,UP,LOWER_UP> mtu 1476 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n    link/gre 198.51.100.2 peer 203.0.113.5\n',
    );
  });

  it.each([
    ['ip link add vx type vxlan remote 10.0.0.2', 'vxlan: missing virtual network identifier', 'vxlan'],
    ['ip link add vx type vxlan id 16777216', 'Error: argument "16777216" is wrong: invalid id', '16777216'],
    ['ip link add vx type vxlan id 1 df maybe', "Error: argument \"maybe\" is wrong: df must be 'unset', 'set' or 'inherit'", 'maybe'],
    ['ip link add vx type vxlan id 1 frobnicate', 'vxlan: unknown command "frobnicate"?', 'frobnicate'],
    ['ip link add g type gre frobnicate', 'gre: unknown command "frobnicate"?', 'frobnicate'],
    ['ip link add vx type vxlan id 1 srcport 5000 4000', 'Error: Invalid source port range.', '4000'],
    ['ip link add vx type vxlan id 1 dev eth9', 'Cannot find device "eth9"', 'eth9'],
  ])('%s → %s', (text, message, at) => {
    expect(refused(text)).toEqual({ message, at });
  });

  it('keeps the addresses it was given as the tunnel\'s ends', () => {
    const net = host('ip link add vx type vxlan id 5 remote 10.0.0.2 local 10.0.0.1 srcport 40000 40001 ttl inherit tos inherit df inherit nolearning');
    expect(findLink(net, 'vx')!.tunnel).toMatchObject({ remote: parseIpv4('10.0.0.2'), local: parseIpv4('10.0.0.1'), srcport: [40000, 40001], ttlInherit: true, tos: 1, df: 'inherit', learning: false });
  });
});

describe('a tunnel written back as a command (edit/canonical.ts)', () => {
  it.each([
    'ip tunnel add t1 mode gre remote 203.0.113.5 local 198.51.100.2 ttl 64 tos inherit ikey 1 okey 2 dev eth0',
    'ip tunnel add t2 mode ipip remote 203.0.113.6 nopmtudisc tos 0x10',
    'ip link add vx address 02:00:00:aa:00:09 type vxlan id 9 remote 10.0.0.2 local 10.0.0.1 dstport 4789 srcport 40000 40001 ttl inherit df set nolearning dev eth0',
  ])('%s makes the same tunnel again', (text) => {
    const net = host('ip link set eth0 up', text);
    const made = net.links.find((l) => l.tunnel)!;
    const again = host('ip link set eth0 up', tunnelCreateCommand(made.name, made.tunnel!.mode === 'vxlan' ? made.mac : null, made.tunnel!));
    expect(again.links.find((l) => l.name === made.name)!.tunnel).toEqual(made.tunnel);
  });
});
