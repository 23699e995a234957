// -j CT and -j NOTRACK in raw: the first one an skb meets decides. Both
// targets return at once for an skb that already has a conntrack, and a CT
// template or the untracked mark is one (xt_ct_target, notrack_tg).

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';

type Ev = { table: string; chain: string; target: string | null };
type Result = { packets: { host: string; events: Ev[] }[]; conntrack: Record<string, { proto: string; reply: { helper?: string } }[]> };

function run(rawRules: string[]): Result {
  const r = runCase({
    name: 'ct-template',
    hosts: [
      { name: 'a', setup: ['ip addr add 10.0.0.2/24 dev eth0'] },
      { name: 'b', setup: ['ip addr add 10.0.0.1/24 dev eth0', ...rawRules.map((x) => `iptables -t raw -A PREROUTING ${x}`)] },
    ],
    links: [['a:eth0', 'b:eth0']],
    listeners: [{ host: 'b', proto: 'tcp', port: 21 }],
    steps: [{ from: 'a', tcp: '10.0.0.1:21' }],
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.result as Result;
}

const syn = (r: Result) => r.packets.find((p) => p.host === 'b')!.events.map((e) => `${e.table}:${e.chain}:${e.target}`);

describe('CT and NOTRACK on one packet', () => {
  it('a CT --helper template is kept through a NOTRACK after it: the connection is tracked with the helper (case q105)', () => {
    const r = run(['-p tcp -j CT --helper ftp', '-j NOTRACK']);
    expect(syn(r)).toContain('raw:PREROUTING:NOTRACK');
    expect(syn(r)).toContain('nat:PREROUTING:ACCEPT');
    expect(r.conntrack.b).toMatchObject([{ proto: 'tcp', reply: { helper: 'ftp' } }]);
  });
  it('NOTRACK first: the CT --helper after it changes nothing, no entry', () => {
    const r = run(['-j CT --notrack', '-p tcp -j CT --helper ftp']);
    expect(syn(r).some((e) => e.startsWith('nat:'))).toBe(false);
    expect(r.conntrack.b ?? []).toEqual([]);
  });
  it('of two CT templates the first names the helper', () => {
    const r = run(['-p tcp -j CT --helper ftp', '-p tcp -j CT --helper irc']);
    expect(r.conntrack.b).toMatchObject([{ reply: { helper: 'ftp' } }]);
  });
});
