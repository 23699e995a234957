// ip_route_me_harder in the OUTPUT hook (REPORT.md §5.10): which tables make a
// locally generated packet look up its route again, and what happens when the
// new lookup fails. The oracle fixture q10-output-reroute-where-and-errors
// holds the kernel's full result for the same network.

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';

type Pkt = {
  host: string;
  origin: string;
  out: string | null;
  events: { table: string; chain: string; type: string; rulenum: number }[];
  disposition: { verdict: string; at?: { table: string; chain: string; type: string; rulenum: number } };
};

function run(rules: string[], step: object): { sender: Pkt | undefined; result: Record<string, unknown> } {
  const r = runCase({
    name: 'reroute',
    hosts: [
      {
        name: 'a',
        setup: [
          'ip addr add 10.10.1.1/24 dev eth0',
          'ip addr add 10.10.2.1/24 dev eth1',
          'ip route add default via 10.10.1.2',
          'ip rule add fwmark 0x1 lookup 101 pref 1001',
          'ip route add default via 10.10.2.2 table 101',
          'ip rule add fwmark 0x2 lookup 102 pref 1002',
          'ip route add unreachable default table 102',
          'ip rule add fwmark 0x3 lookup 103 pref 1003',
          'ip route add prohibit default table 103',
          'ip rule add fwmark 0x4 lookup 104 pref 1004',
          'ip route add blackhole default table 104',
          'ip route add blackhole 203.0.113.0/24',
          ...rules,
        ],
      },
      { name: 'b', setup: ['ip addr add 10.10.1.2/24 dev eth0'] },
      { name: 'c', setup: ['ip addr add 10.10.2.2/24 dev eth0'] },
    ],
    links: [
      ['a:eth0', 'b:eth0'],
      ['a:eth1', 'c:eth0'],
    ],
    steps: [{ from: 'a', ...step }],
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const res = r.result as { packets: Pkt[]; steps: { result: Record<string, unknown> }[] };
  return { sender: res.packets.find((p) => p.host === 'a' && p.origin === 'local'), result: res.steps[0]!.result };
}

const tables = (p: Pkt) => p.events.map((e) => `${e.table}:${e.chain}`);
const udp = { udp: '192.0.2.10:53' };

describe('which OUTPUT tables reroute a packet', () => {
  it('a mark set in mangle OUTPUT selects the fwmark route: the packet leaves by eth1', () => {
    const { sender } = run(['iptables -t mangle -A OUTPUT -j MARK --set-mark 0x1'], udp);
    expect(sender!.out).toBe('eth1');
  });

  it('the same mark set in raw OUTPUT is not looked at again: the packet stays on eth0', () => {
    const { sender } = run(['iptables -t raw -A OUTPUT -j MARK --set-mark 0x1'], udp);
    expect(sender!.out).toBe('eth0');
  });

  it('nor is one set in filter OUTPUT', () => {
    const { sender } = run(['iptables -t filter -A OUTPUT -j MARK --set-mark 0x1'], udp);
    expect(sender!.out).toBe('eth0');
  });
});

describe('a reroute that fails', () => {
  it('drops the packet right after mangle OUTPUT, with no nat or filter OUTPUT event', () => {
    const { sender } = run(['iptables -t mangle -A OUTPUT -j MARK --set-mark 0x2', 'iptables -t filter -A OUTPUT -j ACCEPT'], udp);
    expect(tables(sender!)).toEqual(['raw:OUTPUT', 'mangle:OUTPUT', 'mangle:OUTPUT']);
    expect(sender!.disposition).toEqual({ verdict: 'vanished_after_output', at: { table: 'mangle', chain: 'OUTPUT', type: 'policy', rulenum: 2 } });
  });

  it.each([
    ['0x2', 'EHOSTUNREACH'],
    ['0x3', 'EACCES'],
    ['0x4', 'EINVAL'],
  ])('gives send() the errno of the route mark %s selects: %s', (mark, errno) => {
    const { result } = run([`iptables -t mangle -A OUTPUT -j MARK --set-mark ${mark}`], udp);
    expect(result).toEqual({ result: 'send_error', error: errno });
  });

  it('gives ping and crafted packets the same errno', () => {
    const rules = ['iptables -t mangle -A OUTPUT -j MARK --set-mark 0x3'];
    expect(run(rules, { ping: '192.0.2.10' }).result).toEqual({ result: 'send_error', error: 'EACCES' });
    expect(run(rules, { packet: { proto: 'udp', dst: '192.0.2.10', dport: 53 } }).result).toEqual({ result: 'send_error', error: 'EACCES' });
  });

  it('leaves a TCP connect() waiting: the SYN counts as sent (timeout)', () => {
    const { sender, result } = run(['iptables -t mangle -A OUTPUT -j MARK --set-mark 0x4'], { tcp: '192.0.2.10:80' });
    expect(sender!.disposition.verdict).toBe('vanished_after_output');
    expect(result).toEqual({ connect: 'timeout' });
  });

  it('after a DNAT in nat OUTPUT, drops the packet after the nat event', () => {
    const { sender, result } = run(['iptables -t nat -A OUTPUT -p udp -j DNAT --to-destination 203.0.113.5'], udp);
    expect(tables(sender!)).toEqual(['raw:OUTPUT', 'mangle:OUTPUT', 'nat:OUTPUT']);
    expect(sender!.disposition).toEqual({ verdict: 'vanished_after_output', at: { table: 'nat', chain: 'OUTPUT', type: 'rule', rulenum: 1 } });
    expect(result).toEqual({ result: 'send_error', error: 'EINVAL' });
  });
});

describe('a crafted packet (raw IP_HDRINCL socket)', () => {
  it('reports EPERM when a rule drops it in OUTPUT', () => {
    expect(run(['iptables -A OUTPUT -p udp -j DROP'], { packet: { proto: 'udp', dst: '192.0.2.10', dport: 53 } }).result).toEqual({ result: 'send_error', error: 'EPERM' });
  });

  it('reports the route error when there is no route, and no packet exists', () => {
    const { sender, result } = run([], { packet: { proto: 'icmp', dst: '203.0.113.9', type: 13 } });
    expect(sender).toBeUndefined();
    expect(result).toEqual({ result: 'send_error', error: 'EINVAL' });
  });
});

describe('the route connect() looks up (ip_route_connect)', () => {
  it('carries the protocol and ports, so an ipproto/dport rule decides connect() (difftest seed 1 cases 208, 229)', () => {
    const { sender, result } = run(['ip rule add ipproto tcp dport 7000 pref 900 prohibit'], { tcp: '192.0.2.10:7000' });
    expect(result).toEqual({ connect: 'EACCES' });
    expect(sender).toBeUndefined();
    expect(run(['ip rule add ipproto tcp dport 7000 pref 900 prohibit'], { tcp: '192.0.2.10:7001' }).result).toEqual({ connect: 'timeout' });
  });

  it('is looked up again from the source the first lookup chose, so a `from` rule applies (case 48)', () => {
    expect(run(['ip rule add from 10.10.1.1 pref 900 prohibit'], { tcp: '192.0.2.10:80' }).result).toEqual({ connect: 'EACCES' });
    expect(run(['ip rule add from 10.10.1.1 pref 900 blackhole'], udp).result).toEqual({ result: 'send_error', error: 'EINVAL' });
  });
});
