// pattern: Imperative Shell
// arp_process's answer to a request and arp_solicit's sender address, per
// sysctl, each tied to the oracle case that shows it.

import { describe, expect, it } from 'vitest';
import { parseIpv4 } from './addr';
import { createHostNet, type HostNet } from './config';
import { execIpCommand } from './ip-command';
import { execSysctl } from './sysctl';
import { arpAccept, arpIgnore, arpIsGratuitous, arpRequestVerdict, arpSolicitSource, ARPOP_REPLY, ARPOP_REQUEST } from './arp';

const ip = (s: string): number => parseIpv4(s)!;

function host(ifaces: string[], ...lines: string[]): HostNet {
  const net = createHostNet(ifaces.map((name, i) => ({ name, mac: `02:00:00:00:01:0${i + 1}` })));
  for (const l of lines) expect(l.startsWith('sysctl') ? execSysctl(net, l) : execIpCommand(net, l), l).toEqual([]);
  return net;
}

/** A server with two NICs in one subnet (cases p51, p52). */
const dualHomed = (...extra: string[]) => host(['eth0', 'eth1'], 'ip addr add 10.20.0.5/24 dev eth0', 'ip addr add 10.20.0.6/24 dev eth1', ...extra);

/** A real server holding the VIP on lo (cases p53-p55). */
const realServer = (...extra: string[]) =>
  host(['eth0'], 'ip addr add 10.10.0.11/24 dev eth0', 'ip addr add 10.10.0.100/32 dev lo', 'ip route add default via 10.10.0.1', ...extra);

describe('who answers a request', () => {
  it('answers for any local address on any interface by default (arp_ignore=0: ARP flux, case p51)', () => {
    const net = dualHomed();
    expect(arpRequestVerdict(net, 'eth1', ip('10.20.0.21'), ip('10.20.0.5'))).toEqual({ kind: 'reply' });
    expect(arpRequestVerdict(net, 'eth0', ip('10.20.0.21'), ip('10.20.0.6'))).toEqual({ kind: 'reply' });
    expect(arpRequestVerdict(realServer(), 'eth0', ip('10.10.0.1'), ip('10.10.0.100'))).toEqual({ kind: 'reply' });
  });

  it('with arp_ignore=1 answers only for addresses of the receiving interface (cases p52, p53)', () => {
    const net = dualHomed('sysctl -w net.ipv4.conf.all.arp_ignore=1');
    expect(arpRequestVerdict(net, 'eth1', ip('10.20.0.21'), ip('10.20.0.5'))).toEqual({ kind: 'ignored', reason: 'arp_ignore' });
    expect(arpRequestVerdict(net, 'eth1', ip('10.20.0.21'), ip('10.20.0.6'))).toEqual({ kind: 'reply' });
    expect(arpRequestVerdict(realServer('sysctl -w net.ipv4.conf.eth0.arp_ignore=1'), 'eth0', ip('10.10.0.1'), ip('10.10.0.100')).kind).toBe('ignored');
  });

  it('uses the larger of conf.all and the interface value for arp_ignore', () => {
    const net = dualHomed('sysctl -w net.ipv4.conf.eth1.arp_ignore=1');
    expect(arpIgnore(net, 'eth1', ip('10.20.0.21'), ip('10.20.0.5'))).toBe(true);
    expect(arpIgnore(net, 'eth0', ip('10.20.0.21'), ip('10.20.0.6'))).toBe(false);
  });

  it('with arp_ignore=2 also wants the sender in the subnet of the address', () => {
    const net = host(['eth0'], 'ip addr add 10.20.0.5/24 dev eth0', 'sysctl -w net.ipv4.conf.all.arp_ignore=2');
    expect(arpIgnore(net, 'eth0', ip('10.20.0.21'), ip('10.20.0.5'))).toBe(false);
    expect(arpIgnore(net, 'eth0', ip('10.99.0.21'), ip('10.20.0.5'))).toBe(true);
  });

  it('with arp_ignore=3 stays quiet for scope host addresses, 8 for all', () => {
    const net = host(['eth0'], 'ip addr add 10.20.0.5/24 dev eth0', 'ip addr add 10.20.0.9/32 dev eth0 scope host', 'sysctl -w net.ipv4.conf.all.arp_ignore=3');
    expect(arpIgnore(net, 'eth0', ip('10.20.0.21'), ip('10.20.0.5'))).toBe(false);
    expect(arpIgnore(net, 'eth0', ip('10.20.0.21'), ip('10.20.0.9'))).toBe(true);
    execSysctl(net, 'sysctl -w net.ipv4.conf.all.arp_ignore=8');
    expect(arpIgnore(net, 'eth0', ip('10.20.0.21'), ip('10.20.0.5'))).toBe(true);
  });

  it('with arp_filter answers only where the route back to the requester leaves', () => {
    const net = dualHomed('sysctl -w net.ipv4.conf.all.arp_filter=1');
    expect(arpRequestVerdict(net, 'eth1', ip('10.20.0.21'), ip('10.20.0.6'))).toEqual({ kind: 'ignored', reason: 'arp_filter' });
    expect(arpRequestVerdict(net, 'eth0', ip('10.20.0.21'), ip('10.20.0.6'))).toEqual({ kind: 'reply' });
  });

  it('checks the requester like an IPv4 source: strict rp_filter ignores one routed elsewhere, loose does not (case p56)', () => {
    const strict = host(['eth0', 'eth1'], 'ip addr add 10.61.0.1/24 dev eth0', 'ip addr add 10.60.0.1/24 dev eth1', 'sysctl -w net.ipv4.conf.all.rp_filter=1');
    expect(arpRequestVerdict(strict, 'eth1', ip('10.61.0.50'), ip('10.60.0.1'))).toEqual({ kind: 'not_for_us', reason: 'reverse_path_filter' });
    expect(arpRequestVerdict(strict, 'eth1', ip('10.60.0.50'), ip('10.60.0.1'))).toEqual({ kind: 'reply' });
    execSysctl(strict, 'sysctl -w net.ipv4.conf.all.rp_filter=2');
    expect(arpRequestVerdict(strict, 'eth1', ip('10.61.0.50'), ip('10.60.0.1'))).toEqual({ kind: 'reply' });
  });

  it('ignores a request that claims one of its own addresses as sender (martian source)', () => {
    const net = dualHomed();
    expect(arpRequestVerdict(net, 'eth1', ip('10.20.0.5'), ip('10.20.0.6'))).toEqual({ kind: 'not_for_us', reason: 'martian_source' });
  });

  it('answers for a routed destination only with proxy_arp on a forwarding interface whose route leaves elsewhere (case p59)', () => {
    const fw = host(['eth0', 'eth1'], 'ip addr add 10.9.10.1/24 dev eth0', 'ip addr add 10.9.20.1/24 dev eth1', 'sysctl -w net.ipv4.ip_forward=1');
    expect(arpRequestVerdict(fw, 'eth0', ip('10.9.10.50'), ip('10.9.20.5'))).toEqual({ kind: 'not_for_us', reason: 'forward' });
    execSysctl(fw, 'sysctl -w net.ipv4.conf.eth0.proxy_arp=1');
    expect(arpRequestVerdict(fw, 'eth0', ip('10.9.10.50'), ip('10.9.20.5'))).toEqual({ kind: 'proxy' });
    expect(arpRequestVerdict(fw, 'eth0', ip('10.9.10.50'), ip('10.9.10.77'))).toEqual({ kind: 'not_for_us', reason: 'forward' });
  });

  it('drops requests for multicast and loopback targets', () => {
    const net = dualHomed();
    expect(arpRequestVerdict(net, 'eth0', ip('10.20.0.21'), ip('224.0.0.1'))).toEqual({ kind: 'drop' });
    expect(arpRequestVerdict(net, 'eth0', ip('10.20.0.21'), ip('127.0.0.1'))).toEqual({ kind: 'drop' });
  });
});

describe('the sender address of a request (arp_announce)', () => {
  it('uses the packet source when it is any local address (0: the VIP leaks, case p54)', () => {
    expect(arpSolicitSource(realServer(), 'eth0', ip('10.10.0.1'), ip('10.10.0.100'))).toBe(ip('10.10.0.100'));
  });

  it('uses the interface address instead with arp_announce=2 (case p53)', () => {
    expect(arpSolicitSource(realServer('sysctl -w net.ipv4.conf.all.arp_announce=2'), 'eth0', ip('10.10.0.1'), ip('10.10.0.100'))).toBe(ip('10.10.0.11'));
  });

  it('with arp_announce=1 keeps the packet source only if the target shares its subnet', () => {
    const net = host(['eth0'], 'ip addr add 10.10.0.11/24 dev eth0', 'ip addr add 10.10.5.1/24 dev eth0', 'sysctl -w net.ipv4.conf.all.arp_announce=1');
    expect(arpSolicitSource(net, 'eth0', ip('10.10.0.1'), ip('10.10.5.1'))).toBe(ip('10.10.0.11'));
    expect(arpSolicitSource(net, 'eth0', ip('10.10.5.7'), ip('10.10.5.1'))).toBe(ip('10.10.5.1'));
  });

  it('picks the interface address when no packet triggered the request', () => {
    expect(arpSolicitSource(realServer(), 'eth0', ip('10.10.0.1'), null)).toBe(ip('10.10.0.11'));
  });
});

describe('unsolicited ARP', () => {
  it('creates entries from gratuitous ARP only with arp_accept', () => {
    const net = dualHomed();
    expect(arpAccept(net, 'eth0', ip('10.20.0.30'))).toBe(false);
    execSysctl(net, 'sysctl -w net.ipv4.conf.eth0.arp_accept=2');
    expect(arpAccept(net, 'eth0', ip('10.20.0.30'))).toBe(true);
    expect(arpAccept(net, 'eth0', ip('10.99.0.30'))).toBe(false);
  });

  it('recognises a gratuitous request and a gratuitous reply', () => {
    const net = dualHomed();
    const mac = '02:00:00:00:09:01';
    expect(arpIsGratuitous(net, { op: ARPOP_REQUEST, sha: mac, sip: ip('10.20.0.30'), tha: '00:00:00:00:00:00', tip: ip('10.20.0.30') })).toBe(true);
    expect(arpIsGratuitous(net, { op: ARPOP_REPLY, sha: mac, sip: ip('10.20.0.30'), tha: '00:00:00:00:00:00', tip: ip('10.20.0.30') })).toBe(false);
    expect(arpIsGratuitous(net, { op: ARPOP_REPLY, sha: mac, sip: ip('10.20.0.30'), tha: mac, tip: ip('10.20.0.30') })).toBe(true);
  });
});
