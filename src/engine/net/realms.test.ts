// pattern: Imperative Shell
// Route realms (CONFIG_IP_ROUTE_CLASSID) and device groups as `ip` sets them
// and the FIB hands them to -m realm: printing checked against iproute2 6.1
// on this machine's 6.18 kernel (a private namespace), the tclassid
// composition against oracle case q81.

import { describe, expect, it } from 'vitest';
import { parseIpv4 } from './addr';
import { createHostNet, findLink, type HostNet } from './config';
import { flushRouteCache, inputRoute, outputRoute } from './fib';
import { execIpCommand } from './ip-command';
import { formatRoutes } from './ip-route';
import { formatRules } from './ip-rule';
import { parseRealms } from './rt-names';
import { applySysctl, parseSysctl } from './sysctl';

function host(...lines: string[]): HostNet {
  const net = createHostNet([
    { name: 'eth0', mac: '02:00:00:00:01:01' },
    { name: 'eth1', mac: '02:00:00:00:01:02' },
    { name: 'eth2', mac: '02:00:00:00:01:03' },
  ]);
  for (const l of lines) expect(execIpCommand(net, l).map((d) => d.message), l).toEqual([]);
  return net;
}

const ip = (s: string) => parseIpv4(s)!;

function forwardOn(net: HostNet): void {
  expect(applySysctl(net, parseSysctl('sysctl -w net.ipv4.ip_forward=1').value!)).toEqual([]);
}

describe('realms and groups in ip commands', () => {
  it('realms are TO or FROM/TO, names from rt_realms, numbers in any base, no upper limit but 16 bits each', () => {
    expect(parseRealms('7')).toBe(7);
    expect(parseRealms('3/4')).toBe(0x30004);
    expect(parseRealms('cosmos')).toBe(0);
    expect(parseRealms('3/')).toBe(0x30000);
    expect(parseRealms('0x10')).toBe(16);
    expect(parseRealms('010')).toBe(8);
    expect(parseRealms('70000')).toBe(70000);
    expect(parseRealms('x')).toBeNull();
  });

  it('ip route show prints realm TO or realms FROM/TO after the metric, before the metrics; realm 0 not at all', () => {
    const net = host(
      'ip addr add 10.1.0.1/24 dev eth0',
      'ip route add 10.2.0.0/24 via 10.1.0.2 realm 7',
      'ip route add 10.3.0.0/24 via 10.1.0.2 realms 3/4 metric 5 mtu 1400',
      'ip route add 10.4.0.0/24 dev eth0 realms 3/0',
      'ip route add 10.4.1.0/24 dev eth0 realms 0/0',
      'ip route add 10.8.1.0/24 via 10.1.0.2 rea 5',
    );
    expect(formatRoutes(net)).toBe(
      [
        '10.1.0.0/24 dev eth0 proto kernel scope link src 10.1.0.1 ',
        '10.2.0.0/24 via 10.1.0.2 dev eth0 realm 7 ',
        '10.3.0.0/24 via 10.1.0.2 dev eth0 metric 5 realms 3/4 mtu 1400 ',
        '10.4.0.0/24 dev eth0 scope link realms 3/cosmos ',
        '10.4.1.0/24 dev eth0 scope link ',
        '10.8.1.0/24 via 10.1.0.2 dev eth0 realm 5 ',
        '',
      ].join('\n'),
    );
  });

  it('a multipath route carries realms per nexthop; a route-wide realm must be the first nexthop\'s', () => {
    const net = host('ip addr add 10.1.0.1/24 dev eth0', 'ip route add 10.7.1.0/24 nexthop via 10.1.0.2 realms 4 nexthop via 10.1.0.3');
    expect(formatRoutes(net)).toContain('10.7.1.0/24 \n\tnexthop via 10.1.0.2 realm 4 dev eth0 weight 1 \n\tnexthop via 10.1.0.3 dev eth0 weight 1 ');
    expect(execIpCommand(net, 'ip route add 10.7.2.0/24 realm 4 nexthop via 10.1.0.2 realms 4 nexthop via 10.1.0.3').map((d) => d.message)).toEqual([]);
    expect(execIpCommand(net, 'ip route add 10.7.3.0/24 realm 5 nexthop via 10.1.0.2 nexthop via 10.1.0.3').map((d) => d.message)).toEqual(['Error: Nexthop class id does not match RTA_FLOW.']);
  });

  it('ip rule show prints the rule realms after the table', () => {
    const net = host('ip rule add from 10.9.0.0/16 lookup 100 realms 5/6 pref 100', 'ip rule add to 10.8.0.0/16 realms 9 table main', 'ip rule add realms 3/ table 5');
    expect(formatRules(net)).toBe(
      [
        '0:\tfrom all lookup local',
        '98:\tfrom all lookup 5 realms 3/cosmos',
        '99:\tfrom all to 10.8.0.0/16 lookup main realms 9',
        '100:\tfrom 10.9.0.0/16 lookup 100 realms 5/6',
        '32766:\tfrom all lookup main',
        '32767:\tfrom all lookup default',
        '',
      ].join('\n'),
    );
    expect(execIpCommand(net, 'ip rule add realms x table 5').map((d) => d.message)).toEqual(['Error: argument "x" is wrong: invalid realms']);
  });

  it('ip link set dev X group N sets dev->group; "default" is 0', () => {
    const net = host('ip link set dev eth1 group 10', 'ip link set dev eth2 group 0x14');
    expect([findLink(net, 'eth0')?.group ?? 0, findLink(net, 'eth1')?.group, findLink(net, 'eth2')?.group]).toEqual([0, 10, 20]);
    expect(execIpCommand(net, 'ip link set dev eth1 group default').map((d) => d.message)).toEqual([]);
    expect(findLink(net, 'eth1')?.group).toBe(0);
    expect(execIpCommand(net, 'ip link set dev eth1 group foo').map((d) => d.message)).toEqual(['Error: argument "foo" is wrong: Invalid "group" value']);
  });
});

describe('dst->tclassid of a route (case q81)', () => {
  // the router of q81: LAN eth0, DMZ service route realm 10 via eth1, WAN network realm 20 via eth2,
  // and a rule that gives the LAN realms 1/0
  const router = () =>
    host(
      'ip addr add 10.0.1.1/24 dev eth0',
      'ip addr add 10.0.2.1/24 dev eth1',
      'ip addr add 203.0.113.1/24 dev eth2',
      'ip route add 10.0.3.0/24 via 10.0.2.2 realm 10',
      'ip route add 198.51.100.0/24 via 203.0.113.2 realm 20',
      'ip rule add from 10.0.1.0/24 lookup main realms 1/0 pref 100',
    );
  const fwd = { tos: 0, mark: 0, proto: 6, sport: 40000, dport: 80 };
  const forward = (net: HostNet, src: string, dst: string, iif: string) => {
    const r = inputRoute(net, { ...fwd, src: ip(src), dst: ip(dst) }, iif);
    return r.kind === 'forward' || r.kind === 'local' ? r.classid : null;
  };
  const out = (net: HostNet, src: string, dst: string) => {
    const r = outputRoute(net, { ...fwd, src: ip(src), dst: ip(dst), oif: null });
    return r.ok ? r.classid : null;
  };

  it('forwarded: the route realm, with the rule\'s realms filling the empty half', () => {
    const net = router();
    forwardOn(net);
    expect(forward(net, '10.0.1.10', '198.51.100.7', 'eth0')).toBe(0x10014);
    expect(forward(net, '10.0.1.10', '10.0.3.1', 'eth0')).toBe(0x1000a);
  });

  it('forwarded with a source tag: fib_validate_source puts the reverse route\'s realm in the high half (not cached)', () => {
    const net = router();
    forwardOn(net);
    // the route back to 198.51.100.7 (realm 20) is found by the LAN rule (from 10.0.1.10 as its source): 20 << 16 | 1
    expect(forward(net, '198.51.100.7', '10.0.1.10', 'eth2')).toBe(0x140001);
  });

  it('delivered locally: only the source tag', () => {
    const net = router();
    expect(forward(net, '198.51.100.7', '10.0.1.1', 'eth2')).toBe(0x140001);
    expect(forward(net, '10.0.2.2', '10.0.2.1', 'eth1')).toBe(0);
  });

  it('output: the route realm and the rule\'s; the first lookup through a nexthop is cached for later ones', () => {
    const net = router();
    expect(out(net, '203.0.113.1', '198.51.100.7')).toBe(20);
    // the LAN rule would add 1/0, but the WAN nexthop's cached route has 20
    expect(out(net, '10.0.1.1', '198.51.100.7')).toBe(20);
    flushRouteCache(net);
    expect(out(net, '10.0.1.1', '198.51.100.7')).toBe(0x10014);
  });

  it('without realms anywhere everything is 0', () => {
    const net = host('ip addr add 10.0.1.1/24 dev eth0', 'ip route add default via 10.0.1.2');
    forwardOn(net);
    expect(out(net, '10.0.1.1', '8.8.8.8')).toBe(0);
    expect(forward(net, '10.0.1.5', '8.8.8.8', 'eth0')).toBe(0);
  });
});
