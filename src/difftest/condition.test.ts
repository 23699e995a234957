// Conditioning a generated case against kernel timers.

import { describe, expect, it } from 'vitest';
import type { CaseJson } from './case-json';
import { NO_SYNACK_RETRIES, withoutSynAckRetries } from './condition';

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

describe('withoutSynAckRetries', () => {
  it('switches SYN/ACK retransmission off on the named hosts only, last in their setup', () => {
    const n = withoutSynAckRetries(c, ['b']);
    expect(n.hosts[0]!.setup).toEqual(c.hosts[0]!.setup);
    expect(n.hosts[1]!.setup).toEqual(['ip addr add 10.0.0.2/24 dev eth0', NO_SYNACK_RETRIES]);
    expect(n.description).toContain('tcp_synack_retries=0 on b');
  });

  it('leaves a case alone when no host needs it, or when it is done already', () => {
    expect(withoutSynAckRetries(c, [])).toBe(c);
    const once = withoutSynAckRetries(c, ['a']);
    expect(withoutSynAckRetries(once, ['a'])).toBe(once);
  });
});
