// pattern: Imperative Shell
// Nexthop exceptions: a learned redirect changes the gateway of later route
// lookups for that one destination (case p63), locally sent or forwarded.

import { describe, expect, it } from 'vitest';
import { parseIpv4 } from './addr';
import { createHostNet, type HostNet } from './config';
import { execIpCommand } from './ip-command';
import { execSysctl } from './sysctl';
import { fibLookup, inputRoute, outputRoute } from './fib';
import { routeGetView } from './route-get';
import { findException, learnException } from './fnhe';

const ip = (s: string): number => parseIpv4(s)!;

function laptop(): HostNet {
  const net = createHostNet([{ name: 'eth0', mac: '02:00:00:00:01:01' }]);
  for (const l of ['ip addr add 10.1.0.50/24 dev eth0', 'ip route add default via 10.1.0.1']) expect(execIpCommand(net, l)).toEqual([]);
  return net;
}

const flow = (dst: string) => ({ dst: ip(dst), src: 0, oif: null, mark: 0, tos: 0, proto: 1, sport: 0, dport: 0 });

function learn(net: HostNet, dst: string, gw: string): void {
  const r = fibLookup(net, { ...flow(dst), iif: 'lo' });
  if (!r.ok || !r.nexthop) throw new Error('no route');
  learnException(net, r.route, r.nexthop, ip(dst), ip(gw), 0);
}

describe('nexthop exceptions', () => {
  it('send the learned destination, and only it, to the new gateway', () => {
    const net = laptop();
    learn(net, '172.31.9.9', '10.1.0.3');
    expect(outputRoute(net, flow('172.31.9.9'))).toMatchObject({ ok: true, dev: 'eth0', gateway: ip('10.1.0.3'), src: ip('10.1.0.50') });
    expect(outputRoute(net, flow('172.31.9.10'))).toMatchObject({ ok: true, gateway: ip('10.1.0.1') });
  });

  it('show in `ip route get` but do not change the route itself', () => {
    const net = laptop();
    learn(net, '172.31.9.9', '10.1.0.3');
    expect(routeGetView(net, { dst: ip('172.31.9.9') })).toMatchObject({ gateway: '10.1.0.3' });
    expect(net.routes.find((r) => r.dst.len === 0)!.nexthops[0]!.gateway).toBe(ip('10.1.0.1'));
  });

  it('apply to forwarded packets too', () => {
    const net = laptop();
    execIpCommand(net, 'ip addr add 10.2.0.1/24 dev eth0');
    execSysctl(net, 'sysctl -w net.ipv4.ip_forward=1');
    learn(net, '172.31.9.9', '10.1.0.3');
    const r = inputRoute(net, { src: ip('10.7.0.1'), dst: ip('172.31.9.9'), tos: 0, mark: 0, proto: 1 }, 'eth0');
    expect(r).toMatchObject({ kind: 'forward', gateway: ip('10.1.0.3') });
  });

  it('belong to one nexthop: a new route for the destination does not inherit them', () => {
    const net = laptop();
    learn(net, '172.31.9.9', '10.1.0.3');
    execIpCommand(net, 'ip route add 172.31.0.0/16 via 10.1.0.2');
    expect(outputRoute(net, flow('172.31.9.9'))).toMatchObject({ gateway: ip('10.1.0.2') });
    const r = fibLookup(net, { ...flow('172.31.9.9'), iif: 'lo' });
    expect(r.ok && findException(net, r.route, r.nexthop, ip('172.31.9.9'))).toBe(null);
  });

  it('are replaced by a newer redirect for the same destination', () => {
    const net = laptop();
    learn(net, '172.31.9.9', '10.1.0.3');
    learn(net, '172.31.9.9', '10.1.0.4');
    expect(net.exceptions).toHaveLength(1);
    expect(outputRoute(net, flow('172.31.9.9'))).toMatchObject({ gateway: ip('10.1.0.4') });
  });
});
