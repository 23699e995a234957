// pattern: Imperative Shell
// Routing decisions, each tied to the kernel behaviour (and oracle case) it
// reproduces.

import { describe, expect, it } from 'vitest';
import { parseIpv4 } from './addr';
import { createHostNet } from './config';
import type { HostNet } from './config';
import type { FlowKey } from './fib';
import { addrType, fibLookup, inputRoute, isLocalAddress, outputRoute, selectSourceAddress } from './fib';
import { routeGetView } from './route-get';
import { applyIpCommand, parseIpCommand } from './ip-command';
import { multipathHashL3, selectMultipath, siphash24 } from './multipath-hash';
import { applySysctl, parseSysctl } from './sysctl';

const ip = (s: string): number => parseIpv4(s)!;

function host(ifaces: string[], ...lines: string[]): HostNet {
  const net = createHostNet(ifaces.map((name, i) => ({ name, mac: `02:00:00:00:01:0${i + 1}` })));
  for (const line of lines) {
    if (line.startsWith('sysctl')) {
      const p = parseSysctl(line);
      expect(applySysctl(net, p.value!), line).toEqual([]);
      continue;
    }
    const p = parseIpCommand(line);
    expect(p.diagnostics, line).toEqual([]);
    expect(applyIpCommand(net, p.value!), line).toEqual([]);
  }
  return net;
}

function key(dst: string, extra: Partial<FlowKey> = {}): FlowKey {
  return { dst: ip(dst), src: 0, iif: 'lo', oif: null, mark: 0, tos: 0, proto: 6, sport: 40000, dport: 80, ...extra };
}

const pkt = (src: string, dst: string, extra: { mark?: number; tos?: number; proto?: number } = {}) => ({
  src: ip(src),
  dst: ip(dst),
  tos: extra.tos ?? 0,
  mark: extra.mark ?? 0,
  proto: extra.proto ?? 6,
  sport: 40000,
  dport: 80,
});

const router = (...extra: string[]): HostNet =>
  host(
    ['eth0', 'eth1', 'eth2'],
    'ip addr add 192.168.1.1/24 dev eth0',
    'ip addr add 10.1.0.1/30 dev eth1',
    'ip addr add 10.2.0.1/30 dev eth2',
    'sysctl -w net.ipv4.ip_forward=1',
    ...extra,
  );

describe('fib lookup', () => {
  it('longest prefix wins over the default route (case 33)', () => {
    const net = router('ip route add 10.20.0.0/16 via 10.1.0.2', 'ip route add 10.20.30.0/24 via 10.2.0.2', 'ip route add default via 10.1.0.2');
    expect(fibLookup(net, key('10.20.30.5'))).toMatchObject({ ok: true, dev: 'eth2', gateway: ip('10.2.0.2') });
    expect(fibLookup(net, key('10.20.40.5'))).toMatchObject({ ok: true, dev: 'eth1' });
    expect(fibLookup(net, key('8.8.8.8'))).toMatchObject({ ok: true, dev: 'eth1', table: 254 });
  });

  it('lowest metric first, TOS-specific routes before TOS 0', () => {
    const net = router('ip route add 198.51.100.0/24 via 10.2.0.2 metric 20', 'ip route add 198.51.100.0/24 via 10.1.0.2 metric 10', 'ip route add 198.51.100.0/24 tos 0x10 via 10.2.0.2 metric 30');
    expect(fibLookup(net, key('198.51.100.1')).ok && fibLookup(net, key('198.51.100.1'))).toMatchObject({ dev: 'eth1' });
    expect(fibLookup(net, key('198.51.100.1', { tos: 0x10 }))).toMatchObject({ ok: true, dev: 'eth2' });
  });

  it('route types end the lookup with their errno; no route is ENETUNREACH (cases 36, 37)', () => {
    const net = router('ip route add blackhole 192.0.2.0/26', 'ip route add unreachable 192.0.2.64/26', 'ip route add prohibit 192.0.2.128/26');
    expect(fibLookup(net, key('192.0.2.1'))).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(fibLookup(net, key('192.0.2.65'))).toMatchObject({ ok: false, errno: 'EHOSTUNREACH' });
    expect(fibLookup(net, key('192.0.2.129'))).toMatchObject({ ok: false, errno: 'EACCES' });
    expect(fibLookup(net, key('192.0.2.200'))).toMatchObject({ ok: false, errno: 'ENETUNREACH' });
  });

  it('rules by priority; a table without a match falls through, an unreachable route stops (case 35, h11)', () => {
    const net = router(
      'ip route add default via 10.1.0.2',
      'ip route add default via 10.2.0.2 table 200',
      'ip route add 203.0.113.0/25 via 10.1.0.2 table 100',
      'ip route add unreachable 198.18.0.0/16 table 50',
      'ip rule add pref 100 to 203.0.113.0/24 lookup 100',
      'ip rule add pref 150 to 198.18.0.0/15 lookup 50',
      'ip rule add pref 200 from 192.168.1.11 lookup 200',
    );
    const from11 = (dst: string) => fibLookup(net, key(dst, { src: ip('192.168.1.11'), iif: 'eth0' }));
    expect(from11('203.0.113.10')).toMatchObject({ ok: true, table: 100, dev: 'eth1', rulePriority: 100 });
    expect(from11('203.0.113.200')).toMatchObject({ ok: true, table: 200, dev: 'eth2', rulePriority: 200 });
    expect(from11('198.18.1.1')).toMatchObject({ ok: false, errno: 'EHOSTUNREACH', table: 50 });
    expect(from11('198.19.1.1')).toMatchObject({ ok: true, table: 200 });
  });

  it('throw routes and rule actions', () => {
    const net = router(
      'ip route add default via 10.1.0.2',
      'ip route add default via 10.2.0.2 table 10',
      'ip route add throw 192.0.2.0/24 table 10',
      'ip rule add pref 10 lookup 10',
      'ip rule add pref 5 to 198.51.100.1 prohibit',
      'ip rule add pref 6 to 198.51.100.2 blackhole',
      'ip rule add pref 7 to 198.51.100.3 unreachable',
      'ip rule add pref 8 to 198.51.100.4 goto 20',
      'ip rule add pref 20 to 198.51.100.0/24 lookup main',
    );
    expect(fibLookup(net, key('192.0.2.1'))).toMatchObject({ ok: true, table: 254, dev: 'eth1' });
    expect(fibLookup(net, key('8.8.8.8'))).toMatchObject({ ok: true, table: 10, dev: 'eth2' });
    expect(fibLookup(net, key('198.51.100.1'))).toMatchObject({ ok: false, errno: 'EACCES', ruleAction: 'prohibit' });
    expect(fibLookup(net, key('198.51.100.2'))).toMatchObject({ ok: false, errno: 'EINVAL', ruleAction: 'blackhole' });
    expect(fibLookup(net, key('198.51.100.3'))).toMatchObject({ ok: false, errno: 'ENETUNREACH', ruleAction: 'unreachable' });
    expect(fibLookup(net, key('198.51.100.4'))).toMatchObject({ ok: true, table: 254, rulePriority: 20 });
  });

  it('fwmark, iif, not, ipproto, dport and suppress_prefixlength selectors', () => {
    const net = router(
      'ip route add default via 10.1.0.2',
      'ip route add default via 10.2.0.2 table 100',
      'ip rule add pref 10 fwmark 0x10/0xf0 lookup 100',
      'ip rule add pref 20 not iif lo ipproto udp dport 53-54 lookup 100',
      'ip rule add pref 5 lookup main suppress_prefixlength 0',
    );
    expect(fibLookup(net, key('8.8.8.8', { mark: 0x1f }))).toMatchObject({ table: 100 });
    expect(fibLookup(net, key('8.8.8.8', { mark: 0x0f, proto: 17, dport: 53 }))).toMatchObject({ table: 254 });
    // `not` negates the whole selector set: TCP does not match "iif lo ipproto udp dport 53-54", so the negated rule does
    expect(fibLookup(net, key('8.8.8.8', { mark: 0x0f, proto: 6 }))).toMatchObject({ table: 100, rulePriority: 20 });
    expect(fibLookup(net, key('8.8.8.8', { iif: 'eth0', proto: 17, dport: 53 }))).toMatchObject({ table: 100 });
    expect(fibLookup(net, key('8.8.8.8', { iif: 'lo', proto: 17, dport: 53 }))).toMatchObject({ table: 254 });
    expect(fibLookup(net, key('10.1.0.2'))).toMatchObject({ table: 254, rulePriority: 5 });
  });

  it('local routes are reported in table main until the first custom rule (cases 14 and 42)', () => {
    const plain = host(['eth0'], 'ip addr add 10.0.0.1/24 dev eth0');
    expect(routeGetView(plain, { dst: ip('10.0.0.1'), src: ip('10.0.0.2'), iif: 'eth0' })).toEqual({ type: 'local', dev: 'lo', table: 'main' });
    const ruled = host(['eth0'], 'ip addr add 10.0.0.1/24 dev eth0', 'ip rule add fwmark 1 lookup 100');
    expect(routeGetView(ruled, { dst: ip('10.0.0.1'), src: ip('10.0.0.2'), iif: 'eth0' })).toEqual({ type: 'local', dev: 'lo', table: 'local' });
  });
});

describe('multipath', () => {
  it('SipHash-2-4 matches the reference test vector', () => {
    const data = Uint8Array.from({ length: 15 }, (_, i) => i);
    const k0 = 0x0706050403020100n;
    const k1 = 0x0f0e0d0c0b0a0908n;
    expect(siphash24(data, k0, k1)).toBe(0xa129ca6149be45e5n);
  });

  it('reproduces the kernel choice of case 39 (seed 4242, equal weights)', () => {
    const d = ip('203.0.113.80');
    const chosen = ['192.168.1.10', '192.168.1.11', '192.168.1.12', '192.168.1.13'].map((s) => selectMultipath(multipathHashL3(ip(s), d, 4242), [1, 1]));
    expect(chosen).toEqual([1, 0, 1, 1]);
  });

  it('an output lookup with a source address prefers the nexthops that own it (kernel 6.16+, case q100)', () => {
    const net = host(
      ['e1', 'e2'],
      'ip addr add 10.1.0.1/24 dev e1',
      'ip addr add 10.2.0.1/24 dev e2',
      'sysctl -w net.ipv4.fib_multipath_hash_seed=15',
      'ip route add 203.0.113.21/32 nexthop via 10.1.0.2 nexthop via 10.2.0.2 nexthop via 10.1.0.3',
    );
    const to = (src: string) => outputRoute(net, { dst: ip('203.0.113.21'), src: src ? ip(src) : 0, oif: null, mark: 0, tos: 0, proto: 6, sport: 40001, dport: 80 });
    // the hash alone: 0.0.0.0 → third nexthop, 10.1.0.1 → second, 10.2.0.1 → third
    expect([0, ip('10.1.0.1'), ip('10.2.0.1')].map((s) => selectMultipath(multipathHashL3(s, ip('203.0.113.21'), 15), [1, 1, 1]))).toEqual([2, 1, 2]);
    expect(to('')).toMatchObject({ dev: 'e1', gateway: ip('10.1.0.3'), src: ip('10.1.0.1') });
    // 10.1.0.1 is the first and third nexthop's: the third, at or past the hash, outscores the first
    expect(to('10.1.0.1')).toMatchObject({ dev: 'e1', gateway: ip('10.1.0.3') });
    // 10.2.0.1 only the second's, before the hashed third: the source wins
    expect(to('10.2.0.1')).toMatchObject({ dev: 'e2', gateway: ip('10.2.0.2') });
  });

  it('weights split the hash space proportionally', () => {
    expect(selectMultipath(0, [1, 10])).toBe(0);
    expect(selectMultipath(0x7fffffff, [1, 10])).toBe(1);
    expect(selectMultipath(Math.floor(0x80000000 / 11), [1, 10])).toBe(1);
  });
});

describe('input routing (REPORT.md §5 item 11)', () => {
  it('ip_forward=0 drops silently after PREROUTING (case 16)', () => {
    const net = host(['eth0', 'eth1'], 'ip addr add 192.168.1.1/24 dev eth0', 'ip addr add 198.51.100.1/24 dev eth1');
    expect(inputRoute(net, pkt('192.168.1.10', '198.51.100.20'), 'eth0')).toMatchObject({ kind: 'error', errno: 'EHOSTUNREACH', reason: 'forwarding_disabled', icmp: null });
    expect(inputRoute(net, pkt('192.168.1.10', '198.51.100.1'), 'eth0')).toMatchObject({ kind: 'local', type: 'local' });
  });

  it('route errors map to the ICMP the router sends', () => {
    const net = router('ip route add blackhole 192.0.2.0/26', 'ip route add unreachable 192.0.2.64/26', 'ip route add prohibit 192.0.2.128/26');
    expect(inputRoute(net, pkt('192.168.1.10', '192.0.2.1'), 'eth0')).toMatchObject({ kind: 'error', reason: 'blackhole_route', icmp: null });
    expect(inputRoute(net, pkt('192.168.1.10', '192.0.2.65'), 'eth0')).toMatchObject({ kind: 'error', icmp: { type: 3, code: 1 } });
    expect(inputRoute(net, pkt('192.168.1.10', '192.0.2.129'), 'eth0')).toMatchObject({ kind: 'error', icmp: { type: 3, code: 13 } });
    expect(inputRoute(net, pkt('192.168.1.10', '192.0.2.200'), 'eth0')).toMatchObject({ kind: 'error', reason: 'no_route', icmp: { type: 3, code: 0 } });
  });

  it('rp_filter: strict drops a source routed elsewhere, loose accepts it (case 38)', () => {
    const net = host(
      ['eth0', 'eth1', 'eth2'],
      'ip addr add 192.168.1.1/24 dev eth0',
      'ip addr add 192.168.2.1/24 dev eth1',
      'ip addr add 198.51.100.1/24 dev eth2',
      'sysctl -w net.ipv4.ip_forward=1',
      'sysctl -w net.ipv4.conf.eth0.rp_filter=1',
      'sysctl -w net.ipv4.conf.eth1.rp_filter=2',
    );
    expect(inputRoute(net, pkt('192.168.2.99', '198.51.100.20'), 'eth0')).toMatchObject({ kind: 'error', errno: 'EINVAL', reason: 'reverse_path_filter', icmp: null });
    expect(inputRoute(net, pkt('192.168.1.99', '198.51.100.20'), 'eth1')).toMatchObject({ kind: 'forward', dev: 'eth2' });
    expect(inputRoute(net, pkt('203.0.113.1', '198.51.100.20'), 'eth1')).toMatchObject({ kind: 'error', reason: 'reverse_path_filter' });
    expect(inputRoute(net, pkt('192.168.1.10', '198.51.100.20'), 'eth0')).toMatchObject({ kind: 'forward', dev: 'eth2', redirect: false });
  });

  it('martians are dropped silently', () => {
    const net = router();
    expect(inputRoute(net, pkt('192.168.1.1', '10.1.0.2'), 'eth0')).toMatchObject({ kind: 'error', reason: 'martian_source' });
    expect(inputRoute(net, pkt('127.0.0.1', '192.168.1.1'), 'eth0')).toMatchObject({ kind: 'error', reason: 'martian_source' });
    expect(inputRoute(net, pkt('192.168.1.10', '127.0.0.1'), 'eth0')).toMatchObject({ kind: 'error', reason: 'martian_destination' });
    expect(inputRoute(net, pkt('192.168.1.10', '0.1.2.3'), 'eth0')).toMatchObject({ kind: 'error', reason: 'martian_destination' });
    expect(inputRoute(net, pkt('224.0.0.5', '192.168.1.1'), 'eth0')).toMatchObject({ kind: 'error', reason: 'martian_source' });
  });

  it('broadcasts are delivered locally', () => {
    const net = router();
    expect(inputRoute(net, pkt('192.168.1.10', '192.168.1.255'), 'eth0')).toMatchObject({ kind: 'local', type: 'broadcast' });
    expect(inputRoute(net, pkt('192.168.1.10', '255.255.255.255'), 'eth0')).toMatchObject({ kind: 'local', type: 'broadcast' });
  });

  it('a packet leaving by the interface it came in on from an on-link source gets a redirect (case 51)', () => {
    const net = host(['eth0'], 'ip addr add 192.168.5.1/24 dev eth0', 'sysctl -w net.ipv4.ip_forward=1', 'ip route add 10.50.0.0/16 via 192.168.5.2');
    expect(inputRoute(net, pkt('192.168.5.50', '10.50.0.1'), 'eth0')).toMatchObject({
      kind: 'forward',
      dev: 'eth0',
      gateway: ip('192.168.5.2'),
      redirect: true,
      redirectGateway: ip('192.168.5.2'),
    });
    const quiet = host(['eth0'], 'ip addr add 192.168.5.1/24 dev eth0', 'sysctl -w net.ipv4.ip_forward=1', 'sysctl -w net.ipv4.conf.all.send_redirects=0', 'sysctl -w net.ipv4.conf.eth0.send_redirects=0', 'ip route add 10.50.0.0/16 via 192.168.5.2');
    expect(inputRoute(quiet, pkt('192.168.5.50', '10.50.0.1'), 'eth0')).toMatchObject({ kind: 'forward', redirect: false });
    const oneOff = host(['eth0'], 'ip addr add 192.168.5.1/24 dev eth0', 'sysctl -w net.ipv4.ip_forward=1', 'sysctl -w net.ipv4.conf.eth0.send_redirects=0', 'ip route add 10.50.0.0/16 via 192.168.5.2');
    // send_redirects is all OR dev: conf.all=1 still sends (why case 23 clears both)
    expect(inputRoute(oneOff, pkt('192.168.5.50', '10.50.0.1'), 'eth0')).toMatchObject({ kind: 'forward', redirect: true });
  });

  it('fwmark set in PREROUTING steers the packet (case 28)', () => {
    const net = host(
      ['eth0', 'eth1', 'eth2'],
      'ip addr add 192.168.1.1/24 dev eth0',
      'ip addr add 10.255.1.1/30 dev eth1',
      'ip addr add 10.255.2.1/30 dev eth2',
      'sysctl -w net.ipv4.ip_forward=1',
      'ip route add default via 10.255.1.2',
      'ip route add default via 10.255.2.2 table 100',
      'ip rule add fwmark 1 lookup 100',
    );
    expect(routeGetView(net, { dst: ip('203.0.113.100'), src: ip('192.168.1.10'), iif: 'eth0', mark: 1 })).toEqual({ type: 'unicast', dev: 'eth2', gateway: '10.255.2.2', table: '100' });
    expect(routeGetView(net, { dst: ip('203.0.113.100'), src: ip('192.168.1.10'), iif: 'eth0' })).toEqual({ type: 'unicast', dev: 'eth1', gateway: '10.255.1.2', table: 'main' });
  });
});

describe('output routing and source selection', () => {
  const net = host(['eth0', 'eth1'], 'ip addr add 10.1.0.2/24 dev eth0', 'ip addr add 10.1.0.3/24 dev eth0', 'ip addr add 10.2.0.2/24 dev eth1', 'ip route add default via 10.1.0.1', 'ip route add 10.9.0.0/16 dev eth1 src 10.2.0.2');

  it('the primary address of the outgoing device, or the route src', () => {
    expect(outputRoute(net, { dst: ip('8.8.8.8'), src: 0, oif: null, mark: 0, tos: 0, proto: 17, sport: 1, dport: 53 })).toMatchObject({ ok: true, type: 'unicast', dev: 'eth0', gateway: ip('10.1.0.1'), src: ip('10.1.0.2') });
    expect(outputRoute(net, { dst: ip('10.9.1.1'), src: 0, oif: null, mark: 0, tos: 0, proto: 17, sport: 1, dport: 53 })).toMatchObject({ dev: 'eth1', gateway: 0, src: ip('10.2.0.2') });
  });

  it("the host's own addresses go out lo (case 14)", () => {
    expect(outputRoute(net, { dst: ip('10.2.0.2'), src: 0, oif: null, mark: 0, tos: 0, proto: 6, sport: 1, dport: 80 })).toMatchObject({ ok: true, type: 'local', dev: 'lo', src: ip('10.2.0.2') });
    expect(routeGetView(net, { dst: ip('127.0.0.1') })).toEqual({ type: 'local', dev: 'lo', prefsrc: '127.0.0.1', table: 'main' });
  });

  it('no route is ENETUNREACH; a foreign bound source is refused unless any source is allowed', () => {
    const bare = host(['eth0'], 'ip addr add 192.168.1.10/24 dev eth0');
    expect(outputRoute(bare, { dst: ip('192.0.2.10'), src: 0, oif: null, mark: 0, tos: 0, proto: 1, sport: 0, dport: 0 })).toEqual({ ok: false, errno: 'ENETUNREACH' });
    expect(outputRoute(bare, { dst: ip('192.168.1.1'), src: ip('1.2.3.4'), oif: null, mark: 0, tos: 0, proto: 1, sport: 0, dport: 0 })).toMatchObject({ ok: false });
    expect(outputRoute(bare, { dst: ip('192.168.1.1'), src: ip('1.2.3.4'), oif: null, mark: 0, tos: 0, proto: 1, sport: 0, dport: 0, anySrc: true })).toMatchObject({ ok: true, dev: 'eth0', src: ip('1.2.3.4') });
  });

  it('a 127/8 source may leave only by lo: anywhere else is EINVAL (__mkroute_output, case q104)', () => {
    const anyLo = { src: ip('127.0.0.1'), oif: null, mark: 0, tos: 0, proto: 6, sport: 2222, dport: 40001, anySrc: true };
    expect(outputRoute(net, { dst: ip('10.1.0.9'), ...anyLo })).toEqual({ ok: false, errno: 'EINVAL', table: 254 });
    expect(outputRoute(net, { dst: ip('10.1.0.9'), ...anyLo, oif: 'eth0' })).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(outputRoute(net, { dst: ip('127.0.0.1'), ...anyLo })).toMatchObject({ ok: true, dev: 'lo' });
    expect(outputRoute(net, { dst: ip('10.2.0.2'), ...anyLo })).toMatchObject({ ok: true, dev: 'lo' });
  });

  it('selectSourceAddress and isLocalAddress', () => {
    expect(selectSourceAddress(net, 'eth0', ip('10.1.0.77'), 'link')).toBe(ip('10.1.0.2'));
    expect(selectSourceAddress(net, 'lo', ip('8.8.8.8'), 'global')).toBe(ip('10.1.0.2'));
    expect(isLocalAddress(net, ip('10.1.0.3'))).toBe(true);
    expect(isLocalAddress(net, ip('10.1.0.4'))).toBe(false);
  });

  it('addrType answers like -m addrtype', () => {
    expect(addrType(net, ip('10.1.0.3'), null)).toBe('LOCAL');
    expect(addrType(net, ip('10.1.0.255'), null)).toBe('BROADCAST');
    expect(addrType(net, ip('255.255.255.255'), null)).toBe('BROADCAST');
    expect(addrType(net, ip('224.0.0.1'), null)).toBe('MULTICAST');
    expect(addrType(net, ip('8.8.8.8'), null)).toBe('UNICAST');
    expect(addrType(net, ip('127.0.0.9'), null)).toBe('LOCAL');
    expect(addrType(net, ip('10.1.0.3'), 'eth1')).toBe('UNICAST');
  });
});
