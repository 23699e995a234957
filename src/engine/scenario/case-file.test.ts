// Reading oracle case files: the harness's defaults, and problems reported
// with the JSON path of the field instead of thrown.

import { describe, expect, it } from 'vitest';
import { readCase } from './case-file';

const base = {
  name: 't',
  hosts: [{ name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0'] }, { name: 'b', setup: [] }],
  links: [['a:eth0', 'b:eth0']],
};

describe('readCase', () => {
  it('fills the defaults lib/caseload.py fills', () => {
    const r = readCase({ ...base, steps: [{ from: 'a', ping: '10.0.0.2' }, { from: 'a', tcp: '10.0.0.2:80' }, { from: 'b', udp: '10.0.0.1:53' }, { from: 'a', packet: { proto: 'tcp', dst: '10.0.0.2', dport: 22 } }] });
    expect(r.diagnostics).toEqual([]);
    const [ping, tcp, udp, pkt] = r.value!.steps;
    expect(ping).toMatchObject({ kind: 'ping', id: 1001, seq: 1, payload: 'nfo-ping-1-'.padEnd(56, '.') });
    expect(tcp).toMatchObject({ kind: 'tcp', sport: 40002, close: 'rst' });
    expect(udp).toMatchObject({ kind: 'udp', sport: 40003, data: 'hello' });
    expect(pkt).toMatchObject({ kind: 'packet', packet: { flags: 'S', seq: 1000, ack: 0, ttl: 64, ipid: 1004, sport: 40004 } });
    expect(r.value!.conntrack).toBe('auto');
  });

  it('names the field at fault', () => {
    const r = readCase({ ...base, links: [['a:eth0', 'c:eth0']], steps: [{ from: 'a', tcp: '10.0.0.2' }, { from: 'zz', ping: '1.2.3.4' }] });
    expect(r.value).toBeNull();
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'links[0][1]: unknown host "c"',
      'steps[0].tcp: expected "addr:port", got "10.0.0.2"',
      'steps[1]: needs "from": HOST',
    ]);
  });

  it('refuses an interface used twice and lo as a link end', () => {
    const r = readCase({ ...base, links: [['a:eth0', 'b:eth0'], ['a:eth0', 'b:lo']] });
    expect(r.diagnostics.map((d) => d.message)).toEqual(['links[1][0]: interface a:eth0 used twice', 'links[1][1]: bad interface name "lo"']);
  });

  it('never throws on values of the wrong type', () => {
    for (const junk of [null, 42, 'x', [], { hosts: 'x' }, { name: 1, hosts: [{}], links: 'x', steps: [null] }]) {
      expect(() => readCase(junk)).not.toThrow();
      expect(readCase(junk).value).toBeNull();
    }
  });
});
