// pattern: Imperative Shell
// ifconfig and netstat -i print each device's RX/TX packets and bytes as
// the walk counted them, as this machine's kernel counts them for the same
// traffic: __fixtures__/counters/record.sh ran counters.json's hosts as
// namespaces and its steps as UDP sockets, then net-tools 2.10
// (counters.golden.txt). What it pins: veth frames with their 14-byte
// header, ARP unpadded (42), the bridge device counting the frames it
// passes up without the header (br_pass_frame_up) and those it sends with
// it (br_dev_xmit), a bridge port counting both ways like any veth, lo
// counting the IP length once as rx and tx (loopback_xmit counts after
// eth_type_trans pulled the header).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab } from './lab';

const dir = join(__dirname, '__fixtures__', 'counters');

function golden(): { host: string; command: string; text: string }[] {
  return readFileSync(join(dir, 'counters.golden.txt'), 'utf8')
    .split(/^### /m)
    .filter(Boolean)
    .map((s) => {
      const nl = s.indexOf('\n');
      const [host, command] = s.slice(0, nl).split(': ') as [string, string];
      return { host, command, text: s.slice(nl + 1) };
    });
}

function open(): Lab {
  const r = Lab.open(JSON.parse(readFileSync(join(dir, 'counters.json'), 'utf8')));
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.lab;
}

describe('device counters after the walk, as the kernel counted them', () => {
  const lab = open();
  const walk = lab.walk();
  const last = walk.log.steps.length - 1;
  const sections = golden();

  it('the recording has traffic to compare', () => {
    expect(sections.length).toBeGreaterThan(0);
    expect(sections.some((s) => /RX packets [1-9]/.test(s.text))).toBe(true);
  });

  it.each(sections.map((s) => [`${s.host}: ${s.command}`, s] as const))('%s', (_, s) => {
    const r = lab.query(s.host, s.command, walk, last)!;
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(s.text);
  });
});

describe('device counters as of a step', () => {
  const lab = open();
  const walk = lab.walk();
  const rxPackets = (host: string, dev: string, at: number) => {
    const m = new RegExp(`^${dev}: [^]*?RX packets (\\d+)`, 'm').exec(lab.query(host, `ifconfig ${dev}`, walk, at)!.stdout);
    return Number(m![1]);
  };

  it('read 0 before the walk and grow with it, never shrinking', () => {
    expect(rxPackets('server', 'eth0', -1)).toBe(0);
    const seen = walk.log.steps.map((_, i) => rxPackets('server', 'eth0', i));
    expect(seen.length).toBeGreaterThan(0);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(seen[0]).toBe(0);
    expect(seen[seen.length - 1]).toBe(4);
  });
});

describe('ifconfig scales bytes as net-tools does', () => {
  it('past 1024 in KiB, MiB … with one truncated decimal (recorded: 4008 → 3.9 KiB, 1153908 → 1.1 MiB)', async () => {
    const { ifconfigShow } = await import('./net-tools');
    const { createHostNet } = await import('../net/config');
    const net = createHostNet([{ name: 'eth0', mac: '02:00:00:00:01:01' }]);
    const stats = new Map([['eth0', { rxPackets: 12, rxBytes: 4008, txPackets: 804, txBytes: 1153908, txDropped: 0 }]]);
    const out = ifconfigShow({ net, peers: new Map(), neighbours: [], sockets: [], stats, trafficSeen: true }, false, 'eth0').stdout;
    expect(out).toContain('RX packets 12  bytes 4008 (3.9 KiB)\n');
    expect(out).toContain('TX packets 804  bytes 1153908 (1.1 MiB)\n');
  });
});
