// The traffic timeline of an IPVS round-robin walk: one row per connection,
// what the client saw, and the real server the scheduler chose for it.

import { describe, expect, it } from 'vitest';
import { Lab } from '../../engine/lab/lab';
import rr from '../../gallery/scenarios/ipvs-rr-nat.json';
import { outcomeOf, rowAt, trafficRows } from './traffic-rows';

describe('the traffic timeline', () => {
  it('has a row per traffic step with the client’s port, its outcome and the server IPVS chose', () => {
    const open = Lab.open(rr);
    if (!open.ok) throw new Error(open.errors.join('; '));
    const log = open.lab.walk().log;
    const rows = trafficRows(log);
    expect(rows.map((r) => [r.n, r.action, r.local, r.outcome.key, r.servers])).toEqual([
      [1, 'client: tcp 10.0.0.100:80', '10.0.0.2:40001', 'traffic.connected', ['192.168.1.13:80']],
      [2, 'client: tcp 10.0.0.100:80', '10.0.0.2:40002', 'traffic.connected', ['192.168.1.12:80']],
      [3, 'client: tcp 10.0.0.100:80', '10.0.0.2:40003', 'traffic.connected', ['192.168.1.11:80']],
    ]);
    expect(rowAt(rows, rows[1]!.firstStep)).toBe(2);
    expect(rowAt(rows, log.steps.length)).toBeNull();
  });

  it('words each result of the oracle’s format', () => {
    expect(outcomeOf({ connect: 'ECONNREFUSED' })).toEqual({ key: 'traffic.failed', params: { error: 'ECONNREFUSED' } });
    expect(outcomeOf({ connect: 'timeout' }).key).toBe('traffic.timeout');
    expect(outcomeOf({ result: 'icmp_error', from: '10.0.0.1', type: 3, code: 3 })).toEqual({ key: 'traffic.icmpError', params: { from: '10.0.0.1' } });
    expect(outcomeOf({ result: 'sent' }).key).toBe('traffic.sent');
    expect(outcomeOf({ result: 'send_error', error: 'ENETUNREACH' })).toEqual({ key: 'traffic.failed', params: { error: 'ENETUNREACH' } });
  });

  it('has a row for a step that sent nothing (routing refused it), without walk steps of its own', () => {
    const open = Lab.open({ name: 'no-route', hosts: [{ name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0'] }, { name: 'b', setup: ['ip addr add 10.0.0.2/24 dev eth0'] }], links: [['a:eth0', 'b:eth0']], steps: [{ from: 'a', ping: '10.0.0.2' }, { from: 'a', ping: '172.16.0.2' }] } as never);
    if (!open.ok) throw new Error(open.errors.join('; '));
    const rows = trafficRows(open.lab.walk().log);
    expect(rows.map((r) => [r.n, r.outcome.key, r.firstStep])).toEqual([
      [1, 'traffic.reply', 0],
      [2, 'traffic.failed', -1],
    ]);
  });
});
