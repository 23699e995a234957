// pattern: Imperative Shell
// The neighbour table's rules for which link-layer address a host keeps
// (neigh_update, neigh_event_ns, __neigh_event_send), each tied to the
// oracle case that shows it.

import { describe, expect, it } from 'vitest';
import { parseIpv4 } from './addr';
import { createHostNet, type HostNet } from './config';
import { execIpCommand } from './ip-command';
import { execSysctl } from './sysctl';
import { NeighTable, neighParms } from './neigh';

const ip = (s: string): number => parseIpv4(s)!;
const MAC_A = '02:00:00:00:02:01';
const MAC_B = '02:00:00:00:02:02';

function lan(...lines: string[]): HostNet {
  const net = createHostNet([{ name: 'eth0', mac: '02:00:00:00:01:01' }]);
  expect(execIpCommand(net, 'ip addr add 10.0.0.10/24 dev eth0')).toEqual([]);
  for (const l of lines) expect(l.startsWith('sysctl') ? execSysctl(net, l) : execIpCommand(net, l), l).toEqual([]);
  return net;
}

describe('resolution', () => {
  it('queues the packets while the first request is out, and hands them back with the answer', () => {
    const net = lan();
    const t = new NeighTable<string>();
    expect(t.resolve(net, 'eth0', ip('10.0.0.1'), 'ping', 0).kind).toBe('solicit');
    expect(t.resolve(net, 'eth0', ip('10.0.0.1'), 'ping2', 5).kind).toBe('queued');
    const e = t.get('eth0', ip('10.0.0.1'))!;
    expect(e.state).toBe('incomplete');
    expect(t.update(e, MAC_A, 'reachable', { override: false }, 10)).toEqual(['ping', 'ping2']);
    expect(t.resolve(net, 'eth0', ip('10.0.0.1'), 'later', 20)).toMatchObject({ kind: 'send', lladdr: MAC_A });
  });

  it('gives up after mcast_solicit probes, one retrans_time apart, and starts over with the next packet (case p58)', () => {
    const net = lan();
    const t = new NeighTable<string>();
    t.resolve(net, 'eth0', ip('10.0.0.99'), 'lost', 0);
    expect(t.resolve(net, 'eth0', ip('10.0.0.99'), 'still waiting', 2999).kind).toBe('queued');
    expect(t.resolve(net, 'eth0', ip('10.0.0.99'), 'new try', 3000).kind).toBe('solicit');
    expect(t.get('eth0', ip('10.0.0.99'))!.queue).toEqual(['new try']);
  });

  it('reads the probe count and interval from net.ipv4.neigh.IFACE', () => {
    const net = lan('sysctl -w net.ipv4.neigh.eth0.mcast_solicit=1', 'sysctl -w net.ipv4.neigh.eth0.retrans_time_ms=500', 'sysctl -w net.ipv4.neigh.eth0.locktime=0');
    expect(neighParms(net, 'eth0')).toEqual({ locktimeMs: 0, resolveTimeoutMs: 500, proxyDelayMs: 800 });
  });
});

describe('which answer is kept', () => {
  it('keeps the first of two answers that arrive within locktime (ARP flux, cases p50, p51 and the bridge-delayed answer)', () => {
    const net = lan();
    const t = new NeighTable<string>();
    t.resolve(net, 'eth0', ip('10.0.0.1'), 'p', 0);
    const e = t.get('eth0', ip('10.0.0.1'))!;
    t.update(e, MAC_A, 'reachable', { override: 0 > e.updatedMs + 1000 }, 0);
    expect(t.update(e, MAC_B, 'reachable', { override: 1 > e.updatedMs + 1000 }, 1)).toEqual([]);
    expect(e.lladdr).toBe(MAC_A);
  });

  it('lets a later answer replace the address once locktime has passed', () => {
    const net = lan();
    const t = new NeighTable<string>();
    t.resolve(net, 'eth0', ip('10.0.0.1'), 'p', 0);
    const e = t.get('eth0', ip('10.0.0.1'))!;
    t.update(e, MAC_A, 'reachable', { override: false }, 0);
    t.update(e, MAC_B, 'stale', { override: 1500 > e.updatedMs + 1000 }, 1500);
    expect(e).toMatchObject({ lladdr: MAC_B, state: 'stale' });
  });

  it('learns a requester from its request, always overriding (neigh_event_ns: case p54, the router re-points the VIP)', () => {
    const net = lan();
    const t = new NeighTable<string>();
    t.eventNs(net, 'eth0', ip('10.0.0.80'), MAC_A, 0);
    t.eventNs(net, 'eth0', ip('10.0.0.80'), MAC_B, 1);
    expect(t.get('eth0', ip('10.0.0.80'))).toMatchObject({ lladdr: MAC_B, state: 'stale' });
  });

  it('does not downgrade a reachable entry when the same address is offered as stale', () => {
    const net = lan();
    const t = new NeighTable<string>();
    t.resolve(net, 'eth0', ip('10.0.0.1'), 'p', 0);
    const e = t.get('eth0', ip('10.0.0.1'))!;
    t.update(e, MAC_A, 'reachable', { override: false }, 0);
    t.eventNs(net, 'eth0', ip('10.0.0.1'), MAC_A, 5);
    expect(e.state).toBe('reachable');
  });

  it('never lets ARP change an `ip neigh ... nud permanent` entry (case p57)', () => {
    const net = lan(`ip neigh add 10.0.0.1 lladdr ${MAC_A} dev eth0 nud permanent`);
    const t = new NeighTable<string>();
    expect(t.resolve(net, 'eth0', ip('10.0.0.1'), 'p', 0)).toMatchObject({ kind: 'send', lladdr: MAC_A });
    t.eventNs(net, 'eth0', ip('10.0.0.1'), MAC_B, 5000);
    expect(t.get('eth0', ip('10.0.0.1'), net)).toMatchObject({ lladdr: MAC_A, state: 'permanent' });
  });

  it('ignores an `ip neigh` entry without an address', () => {
    const net = lan('ip neigh add 10.0.0.2 dev eth0 nud failed');
    const t = new NeighTable<string>();
    expect(t.resolve(net, 'eth0', ip('10.0.0.2'), 'p', 0).kind).toBe('solicit');
  });
});
