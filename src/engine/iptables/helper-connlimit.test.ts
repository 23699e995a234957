// pattern: Functional Core
// What iptables and the kernel accept for conntrack helpers (-j CT
// --helper, -m helper) and -m connlimit, and how the two matches decide.
// The refusals were checked with iptables-legacy on the oracle's kernel.

import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../net/addr';
import type { Packet } from '../net/packet';
import { inputContext } from './test-context';
import { parseIptablesCommand } from './command';
import { applyIptablesCommand } from './apply';
import { matchModule } from './modules';
import { createRuleset } from './ruleset';
import type { MatchContext, Rule } from './types';
import type { CtView } from '../conntrack/types';

function run(line: string): { errors: string[]; logs: string[] } {
  const rs = createRuleset();
  const p = parseIptablesCommand(line);
  if (!p.value) return { errors: p.diagnostics.map((d) => d.message), logs: [] };
  const ds = applyIptablesCommand(rs, p.value);
  return {
    errors: ds.filter((d) => d.severity === 'error').map((d) => d.message),
    logs: ds.filter((d) => d.source === 'kernel').map((d) => d.message.replace(/^dmesg: /, '')),
  };
}

function ruleOf(line: string): Rule {
  const rs = createRuleset();
  const p = parseIptablesCommand(line);
  expect(applyIptablesCommand(rs, p.value!)).toEqual([]);
  return rs.tables.filter.chains.get('INPUT')!.rules[0]!;
}

const ip = (s: string): number => parseIpv4(s)!;
const packet: Packet = { src: ip('10.1.0.10'), dst: ip('10.1.0.1'), proto: 6, ttl: 64, tos: 0, len: 60, ipid: 0, df: true, mark: 0, sport: 40001, dport: 80, payload: '' };

function ctx(ct: Partial<CtView> | null, extra: Partial<MatchContext> = {}): MatchContext {
  const base = inputContext();
  const view: CtView | null = ct ? { state: 'NEW', reply: false, status: { expected: false, seenReply: false, assured: false, confirmed: false }, mark: 0, snat: false, dnat: false, ...ct } : null;
  return { ...base, ct: view, ...extra };
}

function matches(rule: Rule, c: MatchContext): boolean {
  const m = rule.matches[rule.matches.length - 1]!;
  return matchModule(m.module)!.match(m.options, packet, c, rule);
}

describe('-j CT --helper (xt_ct_tg_check)', () => {
  it('needs the L4 protocol the helper is registered for, not inverted', () => {
    expect(run('iptables -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp').errors).toEqual([]);
    expect(run('iptables -t raw -A OUTPUT -p udp --dport 69 -j CT --helper tftp').errors).toEqual([]);
    expect(run('iptables -t raw -A PREROUTING -j CT --helper ftp')).toEqual({
      errors: ['iptables: No chain/target/match by that name.'],
      logs: ['xt_CT: You must specify a L4 protocol and not use inversions on it'],
    });
    expect(run('iptables -t raw -A PREROUTING ! -p tcp -j CT --helper ftp').logs).toEqual(['xt_CT: You must specify a L4 protocol and not use inversions on it']);
    expect(run('iptables -t raw -A PREROUTING -p udp -j CT --helper ftp')).toEqual({
      errors: ['iptables: No chain/target/match by that name.'],
      logs: ['xt_CT: No such helper "ftp"'],
    });
  });

  it('knows the helper names of this kernel, case-sensitively; a notrack template never looks one up', () => {
    expect(run('iptables -t raw -A PREROUTING -p tcp -j CT --helper irc').errors).toEqual([]);
    expect(run('iptables -t raw -A PREROUTING -p tcp -j CT --helper FTP').logs).toEqual(['xt_CT: No such helper "FTP"']);
    expect(run('iptables -t raw -A PREROUTING -p udp -j CT --notrack --helper ftp').errors).toEqual([]);
  });
});

describe('-m helper (xt_helper)', () => {
  it('matches a connection some helper expected, by its master\'s helper, never the master itself', () => {
    const rule = ruleOf('iptables -A INPUT -m helper --helper ftp -j ACCEPT');
    expect(matches(rule, ctx({ state: 'RELATED', masterHelper: 'ftp' }))).toBe(true);
    expect(matches(rule, ctx({ state: 'RELATED', masterHelper: 'tftp' }))).toBe(false);
    expect(matches(rule, ctx({ state: 'ESTABLISHED', masterHelper: null }))).toBe(false);
    expect(matches(rule, ctx(null))).toBe(false);
  });

  it('compares over the length of the helper\'s name (strncmp), an empty name matches any helper, ! inverts', () => {
    expect(matches(ruleOf('iptables -A INPUT -m helper --helper ftp-data'), ctx({ masterHelper: 'ftp' }))).toBe(true);
    expect(matches(ruleOf('iptables -A INPUT -m helper --helper ft'), ctx({ masterHelper: 'ftp' }))).toBe(false);
    expect(matches(ruleOf('iptables -A INPUT -m helper --helper ""'), ctx({ masterHelper: 'tftp' }))).toBe(true);
    expect(matches(ruleOf('iptables -A INPUT -m helper ! --helper ftp'), ctx({ masterHelper: null }))).toBe(true);
  });
});

describe('-m connlimit (xt_connlimit)', () => {
  it('keys the count by the masked source (or destination) and compares it with the limit', () => {
    const keys: number[] = [];
    const counting = (n: number): Partial<MatchContext> => ({
      connCount: (_r, key) => {
        keys.push(key);
        return n;
      },
    });
    const above = ruleOf('iptables -A INPUT -p tcp -m connlimit --connlimit-above 2 --connlimit-mask 24');
    expect(matches(above, ctx({}, counting(3)))).toBe(true);
    expect(matches(above, ctx({}, counting(2)))).toBe(false);
    const upto = ruleOf('iptables -A INPUT -m connlimit --connlimit-upto 2 --connlimit-daddr');
    expect(matches(upto, ctx({}, counting(2)))).toBe(true);
    expect(matches(upto, ctx({}, counting(3)))).toBe(false);
    expect(keys).toEqual([ip('10.1.0.0'), ip('10.1.0.0'), ip('10.1.0.1'), ip('10.1.0.1')]);
  });

  it('a count of 0 (the packet\'s own connection just closed) drops the packet (hotdrop)', () => {
    const rule = ruleOf('iptables -A INPUT -m connlimit --connlimit-upto 5');
    const c = ctx({}, { connCount: () => 0 });
    expect(matches(rule, c)).toBe(false);
    expect(c.hotdrop).toBe(true);
  });
});
