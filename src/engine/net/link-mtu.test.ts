// pattern: Imperative Shell
// `ip link set DEV mtu N` and `ip link add … mtu N` refuse what this
// machine's kernel refuses, with its words, on the value. The ground truth
// is __fixtures__/link-mtu/probe.txt: probe.sh run in a throwaway namespace
// (veth, bridge, vxlan with and without a lower device, lo); each command of
// it is replayed here, in order, on one engine host.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHostNet, findLink, type HostNet } from './config';
import { execIpCommand } from './ip-command';
import { mtuBounds } from './link-mtu';

interface Probe {
  command: string;
  stderr: string;
  exit: number;
}

/** probe.txt: `$ ip …`, what it printed, `[exit N]`; `#` lines and bare lines between are notes */
function probes(): Probe[] {
  const text = readFileSync(new URL('./__fixtures__/link-mtu/probe.txt', import.meta.url), 'utf8');
  const out: Probe[] = [];
  let cur: { command: string; lines: string[] } | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('$ ')) cur = { command: line.slice(2), lines: [] };
    else if (cur && /^\[exit \d+\]$/.test(line)) {
      out.push({ command: cur.command, stderr: cur.lines.join('\n').trim(), exit: Number(/\d+/.exec(line)![0]) });
      cur = null;
    } else if (cur) cur.lines.push(line);
  }
  return out;
}

function run(net: HostNet, text: string) {
  return execIpCommand(net, text);
}

describe('MTU bounds as the kernel answers them (probe.txt)', () => {
  const all = probes();
  const net = createHostNet([]);

  it('the probe holds refusals of each kind', () => {
    expect(all.filter((p) => p.exit !== 0).map((p) => p.stderr)).toEqual(expect.arrayContaining([
      'Error: mtu less than device minimum.',
      'Error: mtu greater than device maximum.',
      'RTNETLINK answers: Invalid argument',
      'Error: MTU must be between 68 and 65535.',
    ]));
  });

  // replayed in order on one host: each command meets the state the earlier ones left
  it.each(all.filter((p) => !/ show /.test(p.command)).map((p) => [p.command, p] as const))('%s', (_, p) => {
    const got = run(net, p.command).filter((d) => d.severity === 'error').map((d) => d.message.trim());
    expect(got).toEqual(p.exit === 0 ? [] : [p.stderr]);
  });
});

describe('ip link set DEV mtu N', () => {
  const host = () => {
    const net = createHostNet([{ name: 'eth0', mac: '02:00:00:00:01:01' }]);
    expect(run(net, 'ip link add br0 type bridge')).toEqual([]);
    return net;
  };

  it.each([
    ['ip link set eth0 mtu 70000', 'Error: mtu greater than device maximum.'],
    ['ip link set eth0 mtu 67', 'Error: mtu less than device minimum.'],
    ['ip link set br0 mtu 65536', 'Error: mtu greater than device maximum.'],
  ])('%s: "%s" on the value, and the MTU is unchanged', (cmd, message) => {
    const net = host();
    const dev = cmd.split(' ')[3]!;
    const value = cmd.split(' ')[5]!;
    const d = run(net, cmd);
    expect(d.map((x) => x.message)).toEqual([message]);
    expect(cmd.slice(d[0]!.from, d[0]!.to)).toBe(value);
    expect(findLink(net, dev)!.mtu).toBe(1500);
  });

  it('takes the bounds themselves', () => {
    const net = host();
    expect(run(net, 'ip link set eth0 mtu 68')).toEqual([]);
    expect(run(net, 'ip link set br0 mtu 65535')).toEqual([]);
    expect([findLink(net, 'eth0')!.mtu, findLink(net, 'br0')!.mtu]).toEqual([68, 65535]);
  });

  it('a vxlan on a lower device takes no more than its MTU minus 50 (vxlan_change_mtu: -EINVAL, no message)', () => {
    const net = host();
    expect(run(net, 'ip link add vx0 type vxlan id 42 dstport 4789 dev eth0')).toEqual([]);
    expect(run(net, 'ip link set vx0 mtu 1450')).toEqual([]);
    const cmd = 'ip link set vx0 mtu 1451';
    const d = run(net, cmd);
    expect(d.map((x) => x.message)).toEqual(['RTNETLINK answers: Invalid argument']);
    expect(cmd.slice(d[0]!.from, d[0]!.to)).toBe('1451');
  });

  it('a vxlan made with a larger MTU than its lower device allows is clamped (vxlan_config_apply; 9000 gave 1450)', () => {
    const net = host();
    expect(run(net, 'ip link add vxa mtu 9000 type vxlan id 44 dstport 4789 dev eth0')).toEqual([]);
    expect(findLink(net, 'vxa')!.mtu).toBe(1450);
  });

  it('lo and dummy have no bounds (min_mtu = max_mtu = 0)', () => {
    expect(mtuBounds('loopback')).toEqual([0, 0]);
    expect(mtuBounds('dummy')).toEqual([0, 0]);
    const net = host();
    expect(run(net, 'ip link add d0 type dummy')).toEqual([]);
    expect(run(net, 'ip link set d0 mtu 2147483647')).toEqual([]);
    expect(findLink(net, 'd0')!.mtu).toBe(2147483647);
  });

  it('below 68 a device loses its IPv4 addresses and does not get them back at 68 (inetdev_destroy)', () => {
    const net = host();
    expect(run(net, 'ip addr add 10.0.0.1/24 dev eth0')).toEqual([]);
    expect(net.addresses.some((a) => a.iface === 'lo')).toBe(true);
    expect(run(net, 'ip link set lo mtu 67')).toEqual([]);
    expect(run(net, 'ip link set lo mtu 68')).toEqual([]);
    expect(net.addresses.filter((a) => a.iface === 'lo')).toEqual([]);
    expect(net.routes.filter((r) => r.nexthops.some((n) => n.dev === 'lo'))).toEqual([]);
    expect(net.addresses.map((a) => a.iface)).toEqual(['eth0']);
  });
});

describe('ip link add … mtu N', () => {
  it.each([
    ['ip link add v2 mtu 70000 type veth peer name v3', 'RTNETLINK answers: Invalid argument', '70000'],
    ['ip link add br1 mtu 67 type bridge', 'Error: mtu less than device minimum.', '67'],
    ['ip link add vxb mtu 70000 type vxlan id 45 dstport 4789', 'Error: MTU must be between 68 and 65535.', '70000'],
  ])('%s: "%s" on %s, nothing made', (cmd, message, value) => {
    const net = createHostNet([]);
    const d = run(net, cmd);
    expect(d.map((x) => x.message)).toEqual([message]);
    expect(cmd.slice(d[0]!.from, d[0]!.to)).toBe(value);
    expect(net.links.map((l) => l.name)).toEqual(['lo']);
  });
});
