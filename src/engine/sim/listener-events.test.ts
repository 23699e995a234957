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

describe('a TCP listener accept()s after the handshake completes', () => {
  it('data on the completing segment is ACKed before accept(): no UID= on that ACK, UID= on the echo (case r15)', () => {
    const r = runCase({
      name: 'data-completes-handshake',
      hosts: [
        { name: 'cli', setup: ['ip addr add 10.0.0.2/24 dev eth0'] },
        {
          name: 'srv',
          setup: [
            'ip addr add 10.0.0.1/24 dev eth0',
            // the client's bare handshake ACK is lost
            'iptables -t raw -A PREROUTING -p tcp --dport 80 --tcp-flags SYN,ACK,FIN,RST,PSH ACK -m length --length 52 -m statistic --mode nth --every 100 --packet 0 -j DROP',
          ],
        },
      ],
      links: [['cli:eth0', 'srv:eth0']],
      listeners: [{ host: 'srv', proto: 'tcp', port: 80 }],
      steps: [{ from: 'cli', tcp: '10.0.0.1:80', data: 'HEAD / HTTP/1.1' }],
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const lines = (r.result as { trace_log: { host: string; line: string }[] }).trace_log
      .filter((t) => t.host === 'srv' && t.line.includes('raw:OUTPUT') && !t.line.includes(' SYN '))
      .map((t) => `${/ACK PSH URGP/.test(t.line) ? 'echo' : 'ack'} ${t.line.includes('UID=0') ? 'uid' : 'no-uid'}`);
    expect(lines).toEqual(['ack no-uid', 'echo uid']);
  });
});
