// The packet form builds traffic steps in the case format (FORMAT.md §1.2):
// one, or several connections of their own at once.

import { describe, expect, it } from 'vitest';
import { choiceProblems, MAX_AT_ONCE, trafficStep, trafficSteps, type PacketChoice } from './PacketForm';

const base: PacketChoice = { from: 'client', kind: 'tcp', proto: 'tcp', dst: '203.0.113.1', dport: '8080', sport: '', flags: 'S', data: '', count: '1' };

describe('the packet form', () => {
  it('builds a TCP connect, ping, UDP datagram and hand-made packet step', () => {
    expect(trafficStep(base)).toEqual({ from: 'client', tcp: '203.0.113.1:8080' });
    expect(trafficStep({ ...base, sport: '5555', data: 'GET /' })).toEqual({ from: 'client', tcp: '203.0.113.1:8080', sport: 5555, data: 'GET /' });
    expect(trafficStep({ ...base, kind: 'ping' })).toEqual({ from: 'client', ping: '203.0.113.1' });
    expect(trafficStep({ ...base, kind: 'udp', dport: '53' })).toEqual({ from: 'client', udp: '203.0.113.1:53', data: 'hello' });
    expect(trafficStep({ ...base, kind: 'packet', flags: 'SA' })).toEqual({ from: 'client', packet: { proto: 'tcp', dst: '203.0.113.1', dport: 8080, flags: 'SA' } });
    expect(trafficStep({ ...base, kind: 'packet', proto: 'icmp', data: 'x' })).toEqual({ from: 'client', packet: { proto: 'icmp', dst: '203.0.113.1', data: 'x' } });
  });

  it('refuses what the engine could not read, with a message per field', () => {
    expect(choiceProblems(base)).toEqual([]);
    expect(choiceProblems({ ...base, dst: '203.0.113.256' })).toHaveLength(1);
    expect(choiceProblems({ ...base, dport: '0' })).toHaveLength(1);
    expect(choiceProblems({ ...base, sport: '70000' })).toHaveLength(1);
    expect(choiceProblems({ ...base, kind: 'ping', dport: '' })).toEqual([]);
  });

  it('sends N connections as N traffic steps, each with a source port of its own', () => {
    expect(trafficSteps({ ...base, count: '3' })).toEqual([1, 2, 3].map(() => ({ from: 'client', tcp: '203.0.113.1:8080' })));
    expect(trafficSteps({ ...base, count: '3', sport: '50000' }).map((s) => ('sport' in s ? s.sport : null))).toEqual([50000, 50001, 50002]);
    expect(trafficSteps({ ...base, count: '' })).toHaveLength(1);
  });

  it('refuses a count outside 1..20, and more traffic than a scenario holds', () => {
    expect(choiceProblems({ ...base, count: '0' })).toHaveLength(1);
    expect(choiceProblems({ ...base, count: String(MAX_AT_ONCE + 1) })).toHaveLength(1);
    expect(choiceProblems({ ...base, count: 'two' })).toHaveLength(1);
    expect(choiceProblems({ ...base, count: '5' }, undefined, 95)).toEqual([]);
    expect(choiceProblems({ ...base, count: '6' }, undefined, 95)).toEqual(['A scenario holds at most 100 traffic steps and this one has 95: send fewer, or replace the traffic.']);
    // the last port counted up must still be a port
    expect(choiceProblems({ ...base, count: '3', sport: '65534' })).toHaveLength(1);
  });
});
