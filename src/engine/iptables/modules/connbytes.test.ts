// pattern: Imperative Shell
// -m connbytes (connbytes_mt) over a connection's counters, and the
// accounting a connbytes rule switches on in its namespace. Recorded in
// case q44.

import { describe, expect, it } from 'vitest';
import { parseIptablesCommand } from '../command';
import type { MatchContext, Rule } from '../types';
import type { CtView } from '../../conntrack/types';
import type { Packet } from '../../net/packet';
import { parseIpv4 } from '../../net/addr';
import { inputContext } from '../test-context';
import { getMatch } from './index';
import { runCase } from '../../run-case';

function rule(args: string): Rule {
  const p = parseIptablesCommand(`iptables -t mangle -A PREROUTING -m connbytes ${args}`);
  expect(p.diagnostics).toEqual([]);
  return p.value!.rules[0]!;
}

const pkt: Packet = { src: parseIpv4('10.0.0.2')!, dst: parseIpv4('10.0.0.1')!, proto: 17, ttl: 64, tos: 0, len: 33, ipid: 1, df: true, mark: 0, sport: 40003, dport: 53, payload: 'query' };
const none = { expected: false, seenReply: false, assured: false, confirmed: false };

function ct(orig: [number, number], reply: [number, number] = [0, 0]): CtView {
  return { state: 'ESTABLISHED', reply: false, status: none, mark: 0, snat: false, dnat: false, counters: [{ packets: orig[0], bytes: orig[1] }, { packets: reply[0], bytes: reply[1] }] };
}

function holds(args: string, c: CtView | null): boolean {
  const r = rule(args);
  const ctx: MatchContext = { ...inputContext(), hook: 'PREROUTING', table: 'mangle', chain: 'PREROUTING', ct: c };
  return r.matches.every((m) => getMatch(m.module)!.match(m.options, pkt, ctx, r));
}

describe('-m connbytes', () => {
  it('compares packets, bytes or the average packet size of one direction or both', () => {
    expect(holds('--connbytes 2 --connbytes-dir original --connbytes-mode packets', ct([1, 60]))).toBe(false);
    expect(holds('--connbytes 2 --connbytes-dir original --connbytes-mode packets', ct([2, 112]))).toBe(true);
    expect(holds('--connbytes 0:100 --connbytes-dir both --connbytes-mode bytes', ct([1, 60], [1, 60]))).toBe(false);
    expect(holds('--connbytes 1:1 --connbytes-dir reply --connbytes-mode packets', ct([3, 200], [1, 60]))).toBe(true);
    expect(holds('--connbytes 56: --connbytes-dir original --connbytes-mode avgpkt', ct([4, 221]))).toBe(false);
    expect(holds('--connbytes 56: --connbytes-dir original --connbytes-mode avgpkt', ct([3, 169]))).toBe(true);
  });

  it('negated holds outside the range', () => {
    const r = '! --connbytes 2:3 --connbytes-dir original --connbytes-mode packets';
    expect([1, 2, 3, 4].map((n) => holds(r, ct([n, 0])))).toEqual([true, false, false, true]);
  });

  it('never holds without a connection or without counters', () => {
    expect(holds('--connbytes 0 --connbytes-dir original --connbytes-mode packets', null)).toBe(false);
    expect(holds('--connbytes 0 --connbytes-dir original --connbytes-mode packets', { ...ct([1, 1]), counters: undefined })).toBe(false);
    expect(holds('! --connbytes 5:9 --connbytes-dir original --connbytes-mode packets', { ...ct([1, 1]), state: 'UNTRACKED' })).toBe(false);
  });

  it('loaded in a host, turns net.netfilter.nf_conntrack_acct on there', () => {
    const r = runCase({
      name: 'acct',
      hosts: [
        { name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0', 'iptables -A INPUT -m connbytes --connbytes 9 --connbytes-dir both --connbytes-mode packets'] },
        { name: 'b', setup: ['ip addr add 10.0.0.2/24 dev eth0', 'iptables -A INPUT -m conntrack --ctstate NEW'] },
      ],
      links: [['a:eth0', 'b:eth0']],
      steps: [{ from: 'b', ping: '10.0.0.1' }],
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const conntrack = (r.result as { conntrack: Record<string, { orig: Record<string, unknown> }[]> }).conntrack;
    expect(conntrack.a![0]!.orig).toMatchObject({ packets: 1, bytes: 84 });
    expect(conntrack.b![0]!.orig).not.toHaveProperty('packets');
  });
});
