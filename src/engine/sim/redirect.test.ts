// pattern: Imperative Shell
// ICMP redirects: when the router sends one (rate limit per source host) and
// when the redirected host learns it (cases p63-p66).

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';
import { redirectAllowed } from './redirect';
import type { Host } from './host';
import { parseIpv4 } from '../net/addr';
import { routeGetView } from '../net/route-get';

type Pkt = { host: string; origin: string; step: number; headers: { type?: number; dst: string; inner?: { flags?: string } } };

/** laptop → gateway → vpnbox, all on one switch (case p63's shape). */
function lan(laptopSetup: string[] = [], steps: Record<string, unknown>[] = []) {
  const r = runCase({
    name: 'redirect-test',
    hosts: [
      { name: 'laptop', setup: ['ip addr add 10.1.0.50/24 dev eth0', 'ip route add default via 10.1.0.1', ...laptopSetup] },
      { name: 'gateway', setup: ['ip addr add 10.1.0.1/24 dev eth0', 'sysctl -w net.ipv4.ip_forward=1', 'ip route add 172.31.0.0/16 via 10.1.0.3'] },
      { name: 'vpnbox', setup: ['ip addr add 10.1.0.3/24 dev eth0', 'ip addr add 172.31.9.9/32 dev lo', 'ip addr add 172.31.9.10/32 dev lo'] },
    ],
    switches: [{ name: 'office', ports: ['laptop:eth0', 'gateway:eth0', 'vpnbox:eth0'] }],
    listeners: [{ host: 'vpnbox', proto: 'tcp', port: 80 }],
    steps,
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const packets = (r.result as { packets: Pkt[] }).packets;
  return { world: r.world, packets, redirects: packets.filter((p) => p.host === 'gateway' && p.origin === 'local' && p.headers.type === 5) };
}

const ping = (dst: string) => ({ from: 'laptop', ping: dst });

describe('the router: ip_rt_send_redirect rate limit', () => {
  it('sends the n-th redirect to a host only 20 ms << (n-1) after the previous one, at most 9, then waits for 20.48 s of quiet', () => {
    const h = {} as Host;
    const src = parseIpv4('10.1.0.50')!;
    const sent: number[] = [];
    for (let t = 0; t <= 12000; t += 10) if (redirectAllowed(h, src, t)) sent.push(t);
    expect(sent).toEqual([0, 50, 140, 310, 640, 1290, 2580, 5150, 10280]);
    expect(redirectAllowed(h, src, 10280 + 20480)).toBe(false);
    expect(redirectAllowed(h, src, 10280 + 20480 + 20490)).toBe(true);
  });

  it('counts per source host', () => {
    const h = {} as Host;
    expect(redirectAllowed(h, 1, 0)).toBe(true);
    expect(redirectAllowed(h, 2, 0)).toBe(true);
    expect(redirectAllowed(h, 1, 0)).toBe(false);
  });

  it('redirects the SYN, not the ACK right after it, the data 50 ms later, not the RST 50 ms after that (case p65)', () => {
    const { redirects } = lan([], [{ from: 'laptop', tcp: '172.31.9.9:80', data: 'GET /' }]);
    const quoted = redirects.map((p) => p.headers.inner?.flags);
    expect(quoted).toEqual(['SYN', 'ACK,PSH']);
  });
});

describe('the host: __ip_do_redirect', () => {
  it('learns nothing while the new gateway is unresolved, learns the second redirect, then goes direct (case p63)', () => {
    const { world, redirects, packets } = lan([], [ping('172.31.9.9'), ping('172.31.9.9'), ping('172.31.9.9')]);
    expect(redirects).toHaveLength(2);
    expect(packets.filter((p) => p.host === 'gateway' && p.origin === 'ingress')).toHaveLength(2);
    const net = world.hosts.get('laptop')!.net;
    expect(routeGetView(net, { dst: parseIpv4('172.31.9.9')! })).toMatchObject({ gateway: '10.1.0.3' });
    expect(routeGetView(net, { dst: parseIpv4('172.31.9.10')! })).toMatchObject({ gateway: '10.1.0.1' });
  });

  it('learns the first redirect when the new gateway is already resolved (case p64)', () => {
    const { redirects } = lan([], [ping('10.1.0.3'), ping('172.31.9.9'), ping('172.31.9.9')]);
    expect(redirects).toHaveLength(1);
  });

  it('ignores redirects with accept_redirects=0, or on a forwarding host (case p66)', () => {
    const off = lan(['sysctl -w net.ipv4.conf.all.accept_redirects=0', 'sysctl -w net.ipv4.conf.eth0.accept_redirects=0'], [ping('10.1.0.3'), ping('172.31.9.9'), ping('172.31.9.9')]);
    expect(off.redirects).toHaveLength(2);
    const router = lan(['sysctl -w net.ipv4.ip_forward=1'], [ping('10.1.0.3'), ping('172.31.9.9'), ping('172.31.9.9')]);
    expect(router.redirects).toHaveLength(2);
  });

  it('with shared_media=0 and secure_redirects takes only a gateway it already routes through', () => {
    const strict = ['sysctl -w net.ipv4.conf.all.shared_media=0', 'sysctl -w net.ipv4.conf.eth0.shared_media=0'];
    expect(lan(strict, [ping('10.1.0.3'), ping('172.31.9.9'), ping('172.31.9.9')]).redirects).toHaveLength(2);
    expect(lan([...strict, 'ip route add 192.0.2.0/24 via 10.1.0.3'], [ping('10.1.0.3'), ping('172.31.9.9'), ping('172.31.9.9')]).redirects).toHaveLength(1);
  });

  it('a TCP socket never takes one (its process holds it while sending), a UDP socket does (case p65)', () => {
    const viaGateway = (ps: Pkt[], step: number) => ps.some((p) => p.host === 'gateway' && p.origin === 'ingress' && p.step === step);
    const tcp = lan([], [ping('10.1.0.3'), { from: 'laptop', tcp: '172.31.9.9:80' }, { from: 'laptop', tcp: '172.31.9.9:80', sport: 41000 }]);
    expect(viaGateway(tcp.packets, 3)).toBe(true);
    const udp = lan([], [ping('10.1.0.3'), { from: 'laptop', udp: '172.31.9.9:53' }, { from: 'laptop', udp: '172.31.9.9:53' }]);
    expect(viaGateway(udp.packets, 2)).toBe(true);
    expect(viaGateway(udp.packets, 3)).toBe(false);
  });

  it('notes on the redirect\'s delivery whether it was learned', () => {
    const { world } = lan([], [ping('172.31.9.9'), ping('172.31.9.9')]);
    const notes = world.records.filter((r) => r.host === 'laptop' && r.origin === 'ingress').flatMap((r) => r.notes.filter((n) => n.kind === 'deliver').map((n) => (n as { to: string }).to));
    expect(notes.filter((t) => t.includes('redirect'))).toEqual([
      'the kernel ICMP handler: redirect not learned (resolving gateway)',
      'the kernel ICMP handler: redirect learned, 172.31.9.9 now goes via 10.1.0.3',
    ]);
  });
});
