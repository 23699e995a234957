// pattern: Imperative Shell
// tcp_v4_err for a connected socket: an ICMP error only becomes sk_err_soft.
// The step's connect() reads SO_ERROR once the handshake is done and fails
// with it, then close()s the established socket (a FIN); later in a
// connection nothing reports it (case q42, difftest seed 1 cases 62, 205).

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';

type Pkt = { host: string; origin: string; headers: { proto: string; flags?: string; type?: number; code?: number } };

function run(server: string[], step: Record<string, unknown>): { result: Record<string, unknown>; client: string[] } {
  const r = runCase({
    name: 'soft-error',
    hosts: [
      { name: 'client', setup: ['ip addr add 10.0.0.2/24 dev eth0'] },
      { name: 'server', setup: ['ip addr add 10.0.0.1/24 dev eth0', 'sysctl -w net.ipv4.tcp_synack_retries=0', ...server] },
    ],
    links: [['client:eth0', 'server:eth0']],
    listeners: [{ host: 'server', proto: 'tcp', port: 80 }],
    steps: [{ from: 'client', tcp: '10.0.0.1:80', ...step }],
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const res = r.result as { packets: Pkt[]; steps: { result: Record<string, unknown> }[] };
  const client = res.packets.filter((p) => p.host === 'client').map((p) => `${p.origin} ${p.headers.proto} ${p.headers.flags ?? `${p.headers.type}/${p.headers.code}`}`);
  return { result: res.steps[0]!.result, client };
}

describe('an ICMP error for a connected TCP socket', () => {
  it('after the handshake fails connect() with its errno, and the step closes with a FIN', () => {
    const { result, client } = run(
      ['iptables -A INPUT -p tcp --tcp-flags ALL ACK -j REJECT --reject-with icmp-port-unreachable', 'iptables -A INPUT -p tcp --tcp-flags FIN FIN -j REJECT --reject-with tcp-reset'],
      {},
    );
    expect(result).toEqual({ connect: 'ECONNREFUSED' });
    expect(client).toEqual(['local tcp SYN', 'ingress tcp SYN,ACK', 'local tcp ACK', 'ingress icmp 3/3', 'local tcp ACK,FIN', 'ingress tcp RST']);
  });

  it('converts the code as icmp_err_convert does (net unreachable: ENETUNREACH)', () => {
    const { result } = run(['iptables -A INPUT -p tcp --tcp-flags ALL ACK -j REJECT --reject-with icmp-net-unreachable', 'iptables -A INPUT -p tcp --tcp-flags FIN FIN -j REJECT --reject-with tcp-reset'], {});
    expect(result).toEqual({ connect: 'ENETUNREACH' });
  });

  it('for a data segment later on is reported by nothing: the echo just never comes', () => {
    const { result } = run(['iptables -A INPUT -p tcp --tcp-flags PSH PSH -j REJECT --reject-with icmp-port-unreachable'], { data: 'hello' });
    expect(result).toEqual({ connect: 'established', local: '10.0.0.2:40001', reply: '' });
  });
});
