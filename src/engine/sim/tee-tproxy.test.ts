// TEE, TPROXY and the source of ICMP errors in whole networks: what the copy
// of a TEE is and where it goes, when TPROXY drops, which address an ICMP
// error leaves from with icmp_errors_use_inbound_ifaddr. Oracle cases q86,
// q87, q88 (and the walk of a TEE in PREROUTING, checked on the kernel)
// hold the kernel's full results.

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';

type Ev = { table: string; chain: string; type: string; target: string | null; in: string | null; out: string | null };
type Pkt = {
  id: number;
  host: string;
  origin: string;
  headers: { src: string; dst: string; ttl: number; proto: string; dport?: number };
  events: Ev[];
  disposition: { verdict: string; iface?: string; reason?: string; received_by?: { host: string; iface: string }[] };
};

function run(c: object): { packets: Pkt[]; results: Record<string, unknown>[]; trace: string[] } {
  const r = runCase(c);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const res = r.result as { packets: Pkt[]; steps: { result: Record<string, unknown> }[]; trace_log: { line: string }[] };
  return { packets: res.packets, results: res.steps.map((s) => s.result), trace: res.trace_log.map((t) => t.line) };
}

const router = (rules: string[], extra: string[] = []) => ({
  name: 'tee',
  hosts: [
    { name: 'a', setup: ['ip addr add 10.0.1.2/24 dev eth0', 'ip route add default via 10.0.1.1'] },
    { name: 'r', setup: ['ip addr add 10.0.1.1/24 dev eth0', 'ip addr add 10.0.2.1/24 dev eth1', 'ip addr add 10.0.9.1/24 dev eth2', 'sysctl -w net.ipv4.ip_forward=1', ...extra, ...rules] },
    { name: 'b', setup: ['ip addr add 10.0.2.2/24 dev eth0', 'ip route add default via 10.0.2.1'] },
    { name: 'ids', setup: ['ip addr add 10.0.9.2/24 dev eth0'] },
  ],
  links: [['a:eth0', 'r:eth0'], ['r:eth1', 'b:eth0'], ['r:eth2', 'ids:eth0']],
  listeners: [{ host: 'b', proto: 'udp', port: 53 }],
  steps: [{ from: 'a', udp: '10.0.2.2:53', data: 'q' }],
});

describe('TEE', () => {
  it('the copy of a received packet: one TTL less, its own OUTPUT and POSTROUTING right after the TEE rule, sent to the gateway', () => {
    const { packets, results } = run(router(['iptables -t mangle -A PREROUTING -i eth0 -j TEE --gateway 10.0.9.2']));
    const atR = packets.filter((p) => p.host === 'r');
    // the request, its copy, the answer
    expect(atR.map((p) => p.origin)).toEqual(['ingress', 'local', 'ingress']);
    const [orig, copy] = atR as [Pkt, Pkt];
    expect(orig.events.map((e) => `${e.table}:${e.chain}:${e.type}`).slice(0, 2)).toEqual(['raw:PREROUTING:policy', 'mangle:PREROUTING:rule']);
    expect(copy.headers).toMatchObject({ src: '10.0.1.2', dst: '10.0.2.2', ttl: 63 });
    expect(copy.events.map((e) => `${e.table}:${e.chain}`)).toEqual(['raw:OUTPUT', 'mangle:OUTPUT', 'filter:OUTPUT', 'security:OUTPUT', 'mangle:POSTROUTING']);
    // nf_dup_ipv4_route set skb->dev: POSTROUTING sees the route's device as IN=
    expect(copy.events.at(-1)).toMatchObject({ in: 'eth2', out: 'eth2' });
    expect(copy.disposition).toMatchObject({ verdict: 'sent', iface: 'eth2', received_by: [{ host: 'ids', iface: 'eth0' }] });
    // the IDS box does not forward: the copy, addressed to b, ends there
    expect(packets.find((p) => p.host === 'ids')!.disposition).toMatchObject({ verdict: 'no_further_hook', reason: 'forwarding_disabled' });
    // the original goes on untouched
    expect(results[0]).toMatchObject({ result: 'reply' });
  });

  it('a copy is untracked and never copied again; no route to the gateway, no copy', () => {
    const rules = [
      'iptables -t mangle -A POSTROUTING -o eth1 -j TEE --gateway 10.0.9.2',
      'iptables -t mangle -A POSTROUTING -o eth2 -j TEE --gateway 10.0.9.2',
      'iptables -A OUTPUT -m conntrack --ctstate UNTRACKED -j LOG --log-prefix copy',
    ];
    const { packets } = run(router(rules));
    const copy = packets.find((p) => p.host === 'r' && p.origin === 'local')!;
    expect(copy.headers.ttl).toBe(63);
    expect(copy.events.map((e) => `${e.table}:${e.chain}:${e.type}:${e.target}`)).toEqual([
      'raw:OUTPUT:policy:ACCEPT',
      'mangle:OUTPUT:policy:ACCEPT',
      'filter:OUTPUT:rule:LOG',
      'filter:OUTPUT:policy:ACCEPT',
      'security:OUTPUT:policy:ACCEPT',
      // its own TEE rule matches and copies nothing (nf_skb_duplicated while it is sent)
      'mangle:POSTROUTING:rule:TEE',
      'mangle:POSTROUTING:policy:ACCEPT',
    ]);
    expect(packets.filter((p) => p.host === 'r' && p.origin === 'local')).toHaveLength(1);
    const none = run(router(['iptables -t mangle -A PREROUTING -j TEE --gateway 198.51.100.9']));
    expect(none.packets.filter((p) => p.host === 'r' && p.origin === 'local')).toEqual([]);
  });
});

describe('TPROXY', () => {
  it('drops the packet when the socket it finds is not transparent; the trace ends at the TPROXY rule', () => {
    const c = {
      ...router(['iptables -t mangle -A PREROUTING -i eth0 -p udp --dport 53 -j TPROXY --on-port 5353 --tproxy-mark 0x1/0x1']),
      listeners: [{ host: 'r', proto: 'udp', port: 5353 }, { host: 'b', proto: 'udp', port: 53 }],
    };
    const { packets, results } = run(c);
    const atR = packets.filter((p) => p.host === 'r');
    expect(atR).toHaveLength(1);
    expect(atR[0]!.events.at(-1)).toMatchObject({ table: 'mangle', chain: 'PREROUTING', type: 'rule', target: 'TPROXY' });
    expect(atR[0]!.disposition).toMatchObject({ verdict: 'no_further_hook', reason: 'unknown' });
    expect(results[0]).toMatchObject({ result: 'timeout' });
  });
});

describe('the source of ICMP errors', () => {
  const ttlOne = (sysctl: string[]) => ({
    ...router([], sysctl),
    hosts: [
      { name: 'a', setup: ['ip addr add 10.0.1.2/24 dev eth0', 'ip addr add 10.0.5.2/24 dev eth1', 'ip route add default via 10.0.1.1'] },
      { name: 'r', setup: ['ip addr add 10.0.1.1/24 dev eth0', 'ip addr add 10.0.2.1/24 dev eth1', 'ip addr add 10.0.5.1/24 dev eth2', 'sysctl -w net.ipv4.ip_forward=1', ...sysctl] },
      { name: 'b', setup: ['ip addr add 10.0.2.2/24 dev eth0'] },
    ],
    links: [['a:eth0', 'r:eth0'], ['r:eth1', 'b:eth0'], ['a:eth1', 'r:eth2']],
    listeners: [],
    steps: [{ from: 'a', src: '10.0.5.2', ttl: 1, ping: '10.0.2.2' }],
  });
  it('by default the address routing picks towards the sender; with icmp_errors_use_inbound_ifaddr the inbound device\'s', () => {
    expect(run(ttlOne([])).results[0]).toMatchObject({ result: 'icmp_error', type: 11, from: '10.0.5.1' });
    expect(run(ttlOne(['sysctl -w net.ipv4.icmp_errors_use_inbound_ifaddr=1'])).results[0]).toMatchObject({ result: 'icmp_error', type: 11, from: '10.0.1.1' });
  });
});
