// pattern: Imperative Shell
// What the conntrack-reading matches say about a packet that has no
// connection: in the raw table conntrack has not seen it yet, an untracked
// packet (CT --notrack) and an INVALID one have none. Recorded in case q40.

import { describe, expect, it } from 'vitest';
import { parseIptablesCommand } from '../command';
import type { MatchContext, Rule } from '../types';
import type { CtView } from '../../conntrack/types';
import type { Packet } from '../../net/packet';
import { parseIpv4 } from '../../net/addr';
import { inputContext } from '../test-context';
import { getMatch } from './index';

function rule(args: string): Rule {
  const p = parseIptablesCommand(`iptables -t raw -A PREROUTING ${args}`);
  expect(p.diagnostics).toEqual([]);
  return p.value!.rules[0]!;
}

const pkt: Packet = { src: parseIpv4('10.0.0.2')!, dst: parseIpv4('10.0.0.1')!, proto: 17, ttl: 64, tos: 0, len: 33, ipid: 1, df: true, mark: 0, sport: 40003, dport: 53, payload: 'query' };

function holds(args: string, ct: CtView | null): boolean {
  const r = rule(args);
  const ctx: MatchContext = { ...inputContext(), hook: 'PREROUTING', table: 'raw', chain: 'PREROUTING', ct };
  return r.matches.every((m) => getMatch(m.module)!.match(m.options, pkt, ctx, r));
}

const none = { expected: false, seenReply: false, assured: false, confirmed: false };
const untracked: CtView = { state: 'UNTRACKED', reply: false, status: none, mark: 0, snat: false, dnat: false };
const invalid: CtView = { ...untracked, state: 'INVALID' };
const fresh: CtView = { ...untracked, state: 'NEW', orig: { src: pkt.src, dst: pkt.dst, sport: 40003, dport: 53, proto: 17 } };

describe('a packet conntrack has not seen yet (raw table)', () => {
  it('is INVALID to -m conntrack --ctstate and to -m state, not UNTRACKED or NEW', () => {
    expect(holds('-m conntrack --ctstate INVALID', null)).toBe(true);
    expect(holds('-m state --state INVALID', null)).toBe(true);
    expect(holds('-m state --state UNTRACKED', null)).toBe(false);
    expect(holds('-m conntrack --ctstate NEW', null)).toBe(false);
  });

  it('never matches -m connmark, not even negated', () => {
    expect(holds('-m connmark --mark 0', null)).toBe(false);
    expect(holds('-m connmark ! --mark 0x10/0x10', null)).toBe(false);
  });
});

describe('-m connmark without a connection', () => {
  it('does not match an untracked or an INVALID packet, negated or not', () => {
    for (const ct of [untracked, invalid]) {
      expect(holds('-m connmark --mark 0', ct)).toBe(false);
      expect(holds('-m connmark ! --mark 0x10/0x10', ct)).toBe(false);
    }
  });

  it('compares the mark of a tracked connection, and the negation holds for mark 0', () => {
    expect(holds('-m connmark ! --mark 0x10/0x10', fresh)).toBe(true);
    expect(holds('-m connmark --mark 0x10/0x10', { ...fresh, mark: 0x11 })).toBe(true);
  });
});
