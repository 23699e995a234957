// pattern: Imperative Shell
// What the oracle's listeners report (agent.py serve): a UDP echo whose
// send() fails is logged as {event, proto, error} and nothing else; the
// harness adds the host (difftest seed 1 cases 199 and 258).

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';

describe('a UDP listener whose echo cannot be sent', () => {
  it('reports send_error with the errno and no peer, port or data', () => {
    const r = runCase({
      name: 'udp-echo-send-error',
      hosts: [
        { name: 'client', setup: ['ip addr add 10.0.0.2/24 dev eth0'] },
        { name: 'server', setup: ['ip addr add 10.0.0.1/24 dev eth0', 'iptables -A OUTPUT -p udp -j DROP'] },
      ],
      links: [['client:eth0', 'server:eth0']],
      listeners: [{ host: 'server', proto: 'udp', port: 514 }],
      steps: [{ from: 'client', udp: '10.0.0.1:514', data: 'log line' }],
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const step = (r.result as { steps: { listener_events: unknown[]; result: unknown }[] }).steps[0]!;
    expect(step.listener_events).toEqual([
      { host: 'server', event: 'recv', proto: 'udp', listen_port: 514, local: '10.0.0.1:514', peer: '10.0.0.2:40001', data: 'log line' },
      { host: 'server', event: 'send_error', proto: 'udp', error: 'EPERM' },
    ]);
    expect(step.result).toEqual({ result: 'timeout' });
  });
});
