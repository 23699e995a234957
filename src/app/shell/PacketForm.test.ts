// The packet form builds one traffic step in the case format (FORMAT.md §1.2).

import { describe, expect, it } from 'vitest';
import { choiceProblems, trafficStep, type PacketChoice } from './PacketForm';

const base: PacketChoice = { from: 'client', kind: 'tcp', proto: 'tcp', dst: '203.0.113.1', dport: '8080', sport: '', flags: 'S', data: '' };

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
});
