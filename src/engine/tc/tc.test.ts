// tc's own reading of numbers and words (iproute2 6.1 tc_util.c, q_tbf.c,
// q_htb.c): what a command means, and where a bad one is refused. What tc
// prints for a whole state is compared with recordings in
// lab/tc.test.ts; here are the pieces.

import { describe, expect, it } from 'vitest';
import { applyTcCommand, tcQuery } from './tc';
import { formatRate, formatSize, formatTime, parseRate, parseSize, parseTime, xmitSize, xmitTicks } from './units';
import { shape, statsAt } from './shaper';
import { tcCommands } from './canonical';
import type { HostNet, Link } from '../net/config';

const link = (name: string, ifindex: number): Link => ({ name, ifindex, kind: 'veth', mac: '02:00:00:00:01:01', up: true, mtu: 1500, master: null });
const net = (): HostNet => ({ links: [link('lo', 1), link('eth0', 2)] }) as unknown as HostNet;

describe('tc numbers', () => {
  it.each([
    ['4kbit', 500],
    ['1mbit', 125000],
    ['1Mbit', 125000],
    ['8000', 1000],
    ['1kbps', 1000],
    ['1kibit', 128],
  ])('rate %s is %i bytes a second', (text, bytes) => expect(parseRate(text)).toBe(bytes));

  it.each([
    ['1200', 1200],
    ['10kb', 10240],
    ['10k', 10240],
    ['1mb', 1048576],
  ])('size %s is %i bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each([
    ['50ms', 50000],
    ['2s', 2000000],
    ['100us', 100],
  ])('time %s is %i µs', (text, us) => expect(parseTime(text)).toBe(us));

  it('prints rates, sizes and times as tc does', () => {
    expect([formatRate(500), formatRate(125000), formatRate(32000), formatRate(1250000), formatRate(1001)]).toEqual(['4Kbit', '1Mbit', '256Kbit', '10Mbit', '8008bit']);
    expect([formatSize(1200), formatSize(10240), formatSize(1999), formatSize(1600)]).toEqual(['1200b', '10Kb', '1999b', '1600b']);
    expect([formatTime(1800000), formatTime(50000), formatTime(250000.03), formatTime(999)]).toEqual(['1.8s', '50ms', '250ms', '999us']);
  });

  it('a burst travels in psched ticks, so 2000 bytes at 256kbit read back as 1999', () => {
    expect(xmitSize(32000, xmitTicks(32000, 2000))).toBe(1999);
    expect(xmitSize(500, xmitTicks(500, 1200))).toBe(1200);
  });
});

describe('tc commands are refused where they go wrong', () => {
  it.each([
    ['tc qdisc add dev eth0 root pfifo limit x', 'x', 'pfifo: Illegal value for "limit": "x"'],
    ['tc qdisc add dev eth0 root tbf rate fast burst 10k limit 3000', 'fast', 'tbf: Illegal value for "rate": "fast"'],
    ['tc qdisc add dev eth0 root fancy', 'fancy', 'Error: Specified qdisc kind is unknown.'],
    ['tc qdisc add dev eth9 root pfifo', 'eth9', 'Cannot find device "eth9"'],
    ['tc qdisc add dev eth0 root tbf rate 1mbit', 'tbf', 'tbf: the "burst" parameter is mandatory.'],
    ['tc qdisk show', 'qdisk', 'Object "qdisk" is unknown, try "tc help".'],
    ['tc qdisc add dev eth0 root handle 1: htb default 10 bogus', 'bogus', 'What is "bogus"?'],
    ['tc qdisc add dev', 'dev', 'Command line is not complete. Try option "help"'],
  ])('%s: at "%s"', (text, word, message) => {
    const d = applyTcCommand(net(), text);
    expect(d.length).toBeGreaterThan(0);
    expect(d[0]!.message.split('\n')[0]).toBe(message);
    expect(text.slice(d[0]!.from, d[0]!.to)).toBe(word);
  });

  it('a latency becomes the byte limit that lets a frame wait that long (tbf_parse_opt)', () => {
    const n = net();
    expect(applyTcCommand(n, 'tc qdisc add dev eth0 root handle 1: tbf rate 1mbit burst 10kb latency 50ms')).toEqual([]);
    const q = n.links[1]!.tc!.qdiscs[0]!;
    expect(q.options.kind === 'tbf' && q.options.limit).toBe(125000 * 0.05 + 10240);
    expect(tcQuery('tc qdisc show dev eth0', n, null)!.stdout).toBe('qdisc tbf 1: root refcnt 3 rate 1Mbit burst 10Kb lat 50ms \n');
  });

  it('a u32 filter sends its packets to another htb class, which shapes them on its own bucket', () => {
    const n = net();
    for (const c of [
      'tc qdisc add dev eth0 root handle 1: htb default 10',
      'tc class add dev eth0 parent 1: classid 1:10 htb rate 4kbit burst 1200',
      'tc class add dev eth0 parent 1: classid 1:20 htb rate 100mbit',
      'tc filter add dev eth0 parent 1: protocol ip prio 1 u32 match ip dport 22 0xffff flowid 1:20',
    ])
      expect(applyTcCommand(n, c)).toEqual([]);
    expect(n.links[1]!.tc!.filters).toHaveLength(1);
    const d = applyTcCommand(n, 'tc class del dev eth0 classid 1:20');
    expect(d.map((x) => x.message)).toEqual(['Error: HTB class in use.']);
  });
});

describe('the token-bucket clock', () => {
  const frames = [0, 1, 2, 3, 4, 5].map((s) => ({ at: s * 1e9, len: 1042 }));
  it('tbf 4kbit burst 1200 limit 2100: one frame on the burst, the rest at the rate, the sixth dropped', () => {
    const s = shape({ kind: 'tbf', rate: 500, burst: 1200, bufferTicks: xmitTicks(500, 1200), limit: 2100 }, frames);
    expect(s.fates.map((f) => (f.kind === 'sent' ? f.at / 1e6 : 'drop'))).toEqual([0, 1768, 3852, 5936, 8020, 'drop']);
    expect(statsAt(s, frames, 6.3e9)).toEqual({ bytes: 4168, packets: 4, dropped: 1, overlimits: 9, backlogBytes: 1042, backlogPackets: 1 });
  });

  it('a frame longer than the burst can never leave a tbf: dropped at once', () => {
    const s = shape({ kind: 'tbf', rate: 500, burst: 1000, bufferTicks: xmitTicks(500, 1000), limit: 5000 }, frames.slice(0, 1));
    expect(s.fates[0]).toEqual({ kind: 'dropped', at: 0, why: 'burst' });
  });

  it('pfifo holds nothing on a veth', () => {
    const s = shape({ kind: 'pfifo', limit: 1 }, frames);
    expect(s.fates.every((f, i) => f.kind === 'sent' && f.at === frames[i]!.at)).toBe(true);
  });
});

describe('an export writes a device\'s tc back as the commands that rebuild it', () => {
  it('reading the commands back gives the same qdiscs, classes and filters', () => {
    const n = net();
    for (const c of [
      'tc qdisc add dev eth0 root handle 1: htb default 20',
      'tc class add dev eth0 parent 1: classid 1:1 htb rate 10mbit',
      'tc class add dev eth0 parent 1:1 classid 1:20 htb rate 2mbit ceil 5mbit',
      'tc qdisc add dev eth0 parent 1:20 handle 20: tbf rate 256kbit burst 2000 limit 10000',
      'tc filter add dev eth0 parent 1: protocol ip u32 match ip dst 10.0.1.0/24 match ip protocol 17 0xff flowid 1:20',
      'tc qdisc add dev eth0 ingress',
    ])
      expect(applyTcCommand(n, c)).toEqual([]);
    const commands = tcCommands(n.links[1]!);
    expect(commands.length).toBe(6);
    const again = net();
    for (const c of commands) expect(applyTcCommand(again, c), c).toEqual([]);
    expect(again.links[1]!.tc).toEqual(n.links[1]!.tc);
  });
});
