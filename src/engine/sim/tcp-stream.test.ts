// pattern: Imperative Shell
// The TCP data path through whole scenarios: which packets a send() becomes,
// the ACKs in between, and what the engine labels as not modelled instead of
// guessing (fixtures p80-p87 hold the kernel's side of the modelled part).

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';

type Obj = Record<string, unknown>;

function twoHosts(steps: Obj[], extra: { a?: string[]; b?: string[]; links?: string[][] } = {}): Obj {
  return {
    name: 'tcp-stream-test',
    hosts: [
      { name: 'a', setup: ['ip addr add 10.9.0.1/24 dev eth0', ...(extra.a ?? [])] },
      { name: 'b', setup: ['ip addr add 10.9.0.2/24 dev eth0', ...(extra.b ?? [])] },
    ],
    links: [['a:eth0', 'b:eth0']],
    listeners: [
      { host: 'b', proto: 'tcp', port: 80 },
      { host: 'b', proto: 'udp', port: 53 },
    ],
    steps,
  };
}

function run(c: Obj): Obj {
  const r = runCase(c);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.result;
}

/** "host OUTPUT|PREROUTING len flags window" for every raw-table TRACE line of one step. */
function wire(result: Obj, step: number): string[] {
  const packets = new Map((result.packets as Obj[]).map((p) => [p.id as number, p]));
  return (result.trace_log as Obj[])
    .filter((t) => (packets.get(t.packet as number)!.step as number) === step && /^TRACE: raw:/.test(t.line as string))
    .map((t) => {
      const line = t.line as string;
      const hook = /raw:(\w+):/.exec(line)![1];
      const len = /LEN=(\d+)/.exec(line)![1];
      const win = /WINDOW=(\d+)/.exec(line)?.[1] ?? '-';
      const flags = /RES=0x00 (.*?) URGP/.exec(line)?.[1] ?? '';
      return `${t.host as string} ${hook} ${len} ${flags} ${win}`;
    });
}

describe('one send() on a veth link', () => {
  // the kernel's packets for 9000 bytes: fixture p80 step 3 (the same through a router)
  it('9000 bytes: two GSO packets, each ACKed at once, the echo the same way', () => {
    const out = wire(run(twoHosts([{ from: 'a', tcp: '10.9.0.2:80', data: 'x'.repeat(9000) }])), 1).filter((l) => / OUTPUT /.test(l));
    expect(out).toEqual([
      'a OUTPUT 60 SYN 64240',
      'b OUTPUT 60 ACK SYN 65160',
      'a OUTPUT 52 ACK 63',
      'a OUTPUT 7292 ACK PSH 63',
      'b OUTPUT 52 ACK 78',
      'a OUTPUT 1812 ACK PSH 63',
      'b OUTPUT 52 ACK 82',
      'b OUTPUT 7292 ACK PSH 82',
      'a OUTPUT 52 ACK 78',
      'b OUTPUT 1812 ACK PSH 82',
      'a OUTPUT 52 ACK 81',
      'a OUTPUT 52 ACK RST 81',
    ]);
  });
  it('the listener reads both packets in one recv(), after the sender\'s system call', () => {
    const r = run(twoHosts([{ from: 'a', tcp: '10.9.0.2:80', data: 'y'.repeat(9000) }]));
    const events = ((r.steps as Obj[])[0]!.listener_events as Obj[]).map((e) => [e.event, (e.data as string | undefined)?.length ?? 0]);
    expect(events).toEqual([
      ['accept', 0],
      ['recv', 9000],
    ]);
    expect(r.warnings).toEqual([]);
  });
  it('labels a send() past ten segments not modelled: what follows depends on scheduling', () => {
    const r = run(twoHosts([{ from: 'a', tcp: '10.9.0.2:80', data: 'z'.repeat(20000) }]));
    expect(r.warnings).toEqual([expect.stringMatching(/^not modelled: a send\(\) of more than ten segments \(20000 bytes at MSS 1448\)/)]);
  });
  it('14480 bytes (ten segments) stay modelled', () => {
    expect(run(twoHosts([{ from: 'a', tcp: '10.9.0.2:80', data: 'w'.repeat(14480) }])).warnings).toEqual([]);
  });
});

describe('datagrams larger than the path MTU', () => {
  it('a UDP datagram over the link MTU would be fragmented locally: not modelled', () => {
    const r = run(twoHosts([{ from: 'a', udp: '10.9.0.2:53', data: 'u'.repeat(1600) }]));
    expect(r.warnings).toEqual(['not modelled: a sends a 1628-byte datagram on a 1500-byte path; Linux fragments it locally']);
  });
  it('an echo larger than the answering host\'s MTU would be fragmented there: not modelled', () => {
    const r = run(twoHosts([{ from: 'a', udp: '10.9.0.2:53', data: 'v'.repeat(1376) }], { b: ['ip link set dev eth0 mtu 1400'] }));
    expect(r.warnings).toEqual(['not modelled: b sends a 1404-byte datagram on a 1400-byte path; Linux fragments it locally']);
  });
  it('a raw IP_HDRINCL packet over the device MTU is refused with EMSGSIZE before any hook (p86)', () => {
    const r = run(twoHosts([{ from: 'a', packet: { proto: 'udp', dst: '10.9.0.2', dport: 53, data: 'r'.repeat(1600) } }]));
    expect((r.steps as Obj[])[0]!.result).toEqual({ result: 'send_error', error: 'EMSGSIZE' });
    expect((r.steps as Obj[])[0]!.packets).toEqual([]);
  });
  it('a router would fragment a packet without DF for a smaller link: not modelled', () => {
    const c: Obj = {
      name: 'frag',
      hosts: [
        { name: 'a', setup: ['ip addr add 10.9.1.1/24 dev eth0', 'ip route add default via 10.9.1.2'] },
        { name: 'r', setup: ['ip addr add 10.9.1.2/24 dev eth0', 'ip addr add 10.9.2.1/24 dev eth1', 'ip link set dev eth1 mtu 1280', 'sysctl -w net.ipv4.ip_forward=1'] },
        { name: 'b', setup: ['ip addr add 10.9.2.2/24 dev eth0', 'ip route add default via 10.9.2.1'] },
      ],
      links: [
        ['a:eth0', 'r:eth0'],
        ['r:eth1', 'b:eth0'],
      ],
      steps: [{ from: 'a', packet: { proto: 'udp', dst: '10.9.2.2', dport: 9, df: false, data: 'f'.repeat(1400) } }],
    };
    expect(run(c).warnings).toEqual(['not modelled: r fragments a 1428-byte packet without DF for the 1280-byte link eth1']);
  });
});
