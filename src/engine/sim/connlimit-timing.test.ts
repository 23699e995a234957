// pattern: Imperative Shell
// -m connlimit on every packet of a connection that closes with FIN: the
// last ACK moves the connection to TIME_WAIT, and nf_conncount would then
// collect it and count 0 (a hotdrop) — but only if that ACK is in another
// jiffy than the previous collection. The peer's FIN and that ACK are
// separated by the listener process's close(), whose duration decides it on
// the kernel (difftest seed 2 case 175: two kernel runs, two outcomes).

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';
import { notModelled } from '../not-modelled';

const closing = (rule: string) => ({
  name: 'connlimit-fin-close',
  hosts: [
    { name: 'cli', setup: ['ip addr add 10.0.0.2/24 dev eth0'] },
    { name: 'srv', setup: ['ip addr add 10.0.0.1/24 dev eth0', rule] },
  ],
  links: [['cli:eth0', 'srv:eth0']],
  listeners: [{ host: 'srv', proto: 'tcp', port: 22 }],
  steps: [{ from: 'cli', tcp: '10.0.0.1:22', data: 'QUIT\r\n', close: 'fin' }],
});

const subjects = (c: object) => {
  const r = runCase(c);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return notModelled(r.world.scenario, r.world).map((f) => `${f.host}: ${f.subject}`);
};

describe('connlimit counts that depend on timing', () => {
  it('a rule that sees the last ACK of a FIN close is reported as timing-dependent', () => {
    expect(subjects(closing('iptables -A INPUT -m connlimit --connlimit-above 3 -j ACCEPT'))).toContain('srv: connlimit count across a process wakeup');
  });
  it('a rule that sees only SYNs is not', () => {
    expect(subjects(closing('iptables -A INPUT -p tcp --syn -m connlimit --connlimit-above 3 -j ACCEPT'))).not.toContain('srv: connlimit count across a process wakeup');
  });
});
