// Several IPv4 addresses on one interface, as devinet.c keeps them: a
// second address of a subnet is secondary, deleting a primary takes its
// secondaries along unless promote_secondaries makes the first of them the
// new primary (oracle cases addr-01, addr-02; readonly/links.golden.txt).

import { describe, expect, it } from 'vitest';
import { createHostNet } from './config';
import { execIpCommand } from './ip-command';
import { formatRoutes } from './ip-route';
import { formatIpv4 } from './addr';

function host(...cmds: string[]) {
  const net = createHostNet([{ name: 'eth0', mac: '02:00:00:00:01:01' }]);
  for (const c of cmds) expect(execIpCommand(net, c)).toEqual([]);
  return net;
}

const listed = (net: ReturnType<typeof host>) => net.addresses.filter((a) => a.iface === 'eth0').map((a) => `${formatIpv4(a.addr)}/${a.prefixLen}${a.secondary ? ' secondary' : ''} ${a.label}`);

describe('several addresses on one interface', () => {
  it('a second address of the same subnet is secondary; another subnet is a primary of its own, with its label', () => {
    const net = host('ip addr add 10.40.0.5/24 dev eth0', 'ip addr add 10.40.0.6/24 dev eth0', 'ip addr add 10.41.0.5/24 dev eth0 label eth0:1');
    expect(listed(net)).toEqual(['10.40.0.5/24 eth0', '10.41.0.5/24 eth0:1', '10.40.0.6/24 secondary eth0']);
    // each subnet has one prefix route, from its primary
    expect(formatRoutes(net)).toBe('10.40.0.0/24 dev eth0 proto kernel scope link src 10.40.0.5 \n10.41.0.0/24 dev eth0 proto kernel scope link src 10.41.0.5 \n');
  });

  it('the same address twice is refused, as the kernel does (EEXIST)', () => {
    const net = host('ip addr add 10.40.0.5/24 dev eth0');
    expect(execIpCommand(net, 'ip addr add 10.40.0.5/24 dev eth0').map((d) => d.message)).toEqual(['RTNETLINK answers: File exists']);
  });

  it('deleting the primary takes its secondaries along (promote_secondaries off)', () => {
    const net = host('ip addr add 10.40.0.5/24 dev eth0', 'ip addr add 10.40.0.6/24 dev eth0', 'ip addr add 10.41.0.5/24 dev eth0', 'ip addr del 10.40.0.5/24 dev eth0');
    expect(listed(net)).toEqual(['10.41.0.5/24 eth0']);
    expect(formatRoutes(net)).toBe('10.41.0.0/24 dev eth0 proto kernel scope link src 10.41.0.5 \n');
  });

  it('with promote_secondaries the first secondary becomes the primary, and the subnet keeps its routes from it', () => {
    const net = host('ip addr add 10.40.0.1/24 dev eth0', 'ip addr add 10.40.0.2/24 dev eth0', 'ip addr add 10.40.0.3/24 dev eth0');
    net.sysctl['net.ipv4.conf.eth0.promote_secondaries'] = '1';
    expect(execIpCommand(net, 'ip addr del 10.40.0.1/24 dev eth0')).toEqual([]);
    expect(listed(net)).toEqual(['10.40.0.2/24 eth0', '10.40.0.3/24 secondary eth0']);
    expect(formatRoutes(net)).toBe('10.40.0.0/24 dev eth0 proto kernel scope link src 10.40.0.2 \n');
    expect(formatRoutes(net, 255)).toContain('local 10.40.0.3 dev eth0 proto kernel scope host src 10.40.0.2 \n');
  });
});

describe('link state', () => {
  it('down removes the connected and static routes through the device; up brings back only the connected ones', () => {
    const net = host('ip addr add 172.31.2.1/24 dev eth0', 'ip route add 172.31.50.0/24 via 172.31.2.20', 'ip link set eth0 down');
    expect(formatRoutes(net)).toBe('');
    expect(execIpCommand(net, 'ip link set eth0 up')).toEqual([]);
    expect(formatRoutes(net)).toBe('172.31.2.0/24 dev eth0 proto kernel scope link src 172.31.2.1 \n');
  });

  it('mtu sets the device MTU; a bad value is refused with iproute2 words', () => {
    const net = host('ip link set eth0 mtu 1400');
    expect(net.links.find((l) => l.name === 'eth0')!.mtu).toBe(1400);
    expect(execIpCommand(net, 'ip link set eth0 mtu big').map((d) => d.message)).toEqual(['Error: argument "big" is wrong: Invalid "mtu" value']);
  });
});
