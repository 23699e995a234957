// Conditioning a generated case against kernel timers.

import { describe, expect, it } from 'vitest';
import type { CaseJson } from './case-json';
import { NO_EARLY_RETRANSMISSION, NO_SYNACK_RETRIES, slowNeighbourProbes, withoutTimers } from './condition';

const c: CaseJson = {
  name: 'x',
  description: 'generated',
  hosts: [
    { name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0'] },
    { name: 'b', setup: ['ip addr add 10.0.0.2/24 dev eth0'] },
  ],
  links: [['a:eth0', 'b:eth0']],
  steps: [{ from: 'a', tcp: '10.0.0.2:22' }],
};

describe('withoutTimers', () => {
  it('switches SYN/ACK retransmission off on the named host only, last in its setup', () => {
    const n = withoutTimers(c, [{ host: 'b', subject: 'SYN/ACK retransmission' }]);
    expect(n.hosts[0]!.setup).toEqual(c.hosts[0]!.setup);
    expect(n.hosts[1]!.setup).toEqual(['ip addr add 10.0.0.2/24 dev eth0', NO_SYNACK_RETRIES]);
    expect(n.description).toContain('tcp_synack_retries=0');
  });

  it('slows the ARP probes of the interface a neighbour entry waits on', () => {
    const n = withoutTimers(c, [{ host: 'a', subject: 'neighbour resolution failure', iface: 'eth0' }, { host: 'a', subject: 'neighbour resolution failure', iface: 'eth0' }]);
    expect(n.hosts[0]!.setup).toEqual(['ip addr add 10.0.0.1/24 dev eth0', slowNeighbourProbes('eth0')]);
  });

  it('puts the retransmission timer of a host with unacknowledged segments beyond the run, with no loss probe before it', () => {
    const n = withoutTimers(c, [{ host: 'a', subject: 'TCP retransmission' }, { host: 'a', subject: 'TCP retransmission' }]);
    expect(n.hosts[0]!.setup).toEqual(['ip addr add 10.0.0.1/24 dev eth0', ...NO_EARLY_RETRANSMISSION]);
    expect(n.hosts[1]!.setup).toEqual(c.hosts[1]!.setup);
  });

  it('leaves a case alone when no timer needs it, when it is done already, or for other timers', () => {
    expect(withoutTimers(c, [])).toBe(c);
    expect(withoutTimers(c, [{ host: 'a', subject: 'NAT port choice' }])).toBe(c);
    const once = withoutTimers(c, [{ host: 'a', subject: 'SYN/ACK retransmission' }]);
    expect(withoutTimers(once, [{ host: 'a', subject: 'SYN/ACK retransmission' }])).toBe(once);
  });
});
