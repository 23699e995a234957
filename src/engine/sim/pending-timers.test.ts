// pattern: Imperative Shell
// The timers a run leaves behind are named as "not modelled": a SYN/ACK no
// one acknowledged, a FIN no one acknowledged, packets waiting for an ARP
// answer that never comes. A run that leaves nothing pending names nothing.

import { describe, expect, it } from 'vitest';
import { readCase } from '../scenario/case-file';
import { runScenario } from '../run-case';
import { notModelled } from '../not-modelled';

function findings(c: Record<string, unknown>): string[] {
  const s = readCase({ name: 't', ...c });
  if (!s.value) throw new Error(s.diagnostics.map((d) => d.message).join('\n'));
  const r = runScenario(s.value);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return notModelled(s.value, r.world).map((f) => `${f.host}: ${f.subject}`);
}

const pair = (client: string[], server: string[]) => ({
  hosts: [
    { name: 'client', setup: ['ip addr add 10.0.0.2/24 dev eth0', ...client] },
    { name: 'server', setup: ['ip addr add 10.0.0.1/24 dev eth0', ...server] },
  ],
  links: [['client:eth0', 'server:eth0']],
  listeners: [{ host: 'server', proto: 'tcp', port: 80 }],
  steps: [{ from: 'client', tcp: '10.0.0.1:80', data: 'hi' }],
});

describe('pending timers', () => {
  it('names a half-open connection whose SYN/ACK the kernel would send again', () => {
    expect(findings(pair(['iptables -A INPUT -p tcp --tcp-flags SYN,ACK SYN,ACK -j DROP'], []))).toEqual(['server: SYN/ACK retransmission']);
  });

  it('names none when net.ipv4.tcp_synack_retries is 0: the half-open connection expires silently', () => {
    expect(findings(pair(['iptables -A INPUT -p tcp --tcp-flags SYN,ACK SYN,ACK -j DROP'], ['sysctl -w net.ipv4.tcp_synack_retries=0']))).toEqual([]);
  });

  it('names a FIN that was never acknowledged', () => {
    const c = { ...pair([], ['iptables -A INPUT -p tcp --tcp-flags FIN FIN -j DROP']), steps: [{ from: 'client', tcp: '10.0.0.1:80', data: 'hi', close: 'fin' }] };
    expect(findings(c)).toEqual(['client: TCP retransmission']);
  });

  it('names data dropped while the step waited for its echo, though the RST closing the step leaves nothing pending (d2-0848)', () => {
    const c = { ...pair([], ['iptables -A INPUT -p tcp --tcp-flags SYN,RST NONE -j DROP']), steps: [{ from: 'client', tcp: '10.0.0.1:80', data: 'hi', close: 'rst' }] };
    expect(findings(c)).toEqual(['client: TCP retransmission']);
  });

  it('names none when tcp_rto_min_us puts the timer beyond any run and tcp_early_retrans=0 sends no loss probe', () => {
    const quiet = ['sysctl -w net.ipv4.tcp_rto_min_us=120000000', 'sysctl -w net.ipv4.tcp_early_retrans=0'];
    const c = (client: string[]) => ({ ...pair(client, ['iptables -A INPUT -p tcp --tcp-flags FIN FIN -j DROP']), steps: [{ from: 'client', tcp: '10.0.0.1:80', data: 'hi', close: 'fin' }] });
    expect(findings(c(quiet))).toEqual([]);
    // either alone still lets a copy out within the run: a loss probe, or the timer itself
    expect(findings(c([quiet[0]!]))).toEqual(['client: TCP retransmission']);
    expect(findings(c(['sysctl -w net.ipv4.tcp_rto_min_us=1000000', quiet[1]!]))).toEqual(['client: TCP retransmission']);
  });

  it('names data its own OUTPUT dropped: it waits unsent for the probe timer (d2-0233)', () => {
    const c = { ...pair(['iptables -A OUTPUT -p tcp -m string --string hi --algo bm -j DROP'], []), steps: [{ from: 'client', tcp: '10.0.0.1:80', data: 'hi', close: 'rst' }] };
    expect(findings(c)).toEqual(['client: TCP retransmission']);
  });

  it('names nothing when the echo came back at once, whatever the close', () => {
    expect(findings({ ...pair([], []), steps: [{ from: 'client', tcp: '10.0.0.1:80', data: 'hi', close: 'rst' }] })).toEqual([]);
  });

  it('names packets left waiting for an ARP answer', () => {
    const c = { ...pair([], []), steps: [{ from: 'client', ping: '10.0.0.77' }] };
    expect(findings(c)).toEqual(['client: neighbour resolution failure']);
  });

  it('names nothing after a connection that opened, echoed and closed', () => {
    expect(findings(pair([], []))).toEqual([]);
  });
});
