// pattern: Imperative Shell
// Match evaluation against hand-built packets and contexts.

import { describe, expect, it } from 'vitest';
import { parseIptablesCommand } from '../command';
import type { MatchContext, Rule } from '../types';
import type { CtView } from '../../conntrack/types';
import type { Packet } from '../../net/packet';
import { parseIpv4 } from '../../net/addr';
import { getMatch } from './index';

function rule(args: string): Rule {
  const p = parseIptablesCommand(`iptables -A INPUT ${args}`);
  expect(p.diagnostics).toEqual([]);
  return p.value!.rules[0]!;
}

function pkt(over: Partial<Packet> = {}): Packet {
  return { src: parseIpv4('10.0.0.2')!, dst: parseIpv4('10.0.0.1')!, proto: 6, ttl: 64, tos: 0, len: 60, ipid: 1, df: true, mark: 0, sport: 40000, dport: 22, tcp: { seq: 1, ack: 0, flags: 0x02, window: 8192, urgp: 0, options: '' }, payload: '', ...over };
}

function ctx(over: Partial<MatchContext> = {}): MatchContext {
  const state = new Map<Rule, Map<string, unknown>>();
  return {
    hook: 'INPUT', table: 'filter', chain: 'INPUT', inIface: 'eth0', outIface: null, physIn: null, physOut: null, srcMac: null,
    ct: null, uid: null, gid: null, nowMs: 0, addrType: () => 'UNICAST', random: () => 0.5,
    ruleState<S>(r: Rule, key: string, init: () => S): S {
      let m = state.get(r);
      if (!m) state.set(r, (m = new Map()));
      if (!m.has(key)) m.set(key, init());
      return m.get(key) as S;
    },
    recent: new Map(), ...over,
  };
}

function matches(r: Rule, p: Packet, c: MatchContext): boolean {
  return r.matches.every((m) => getMatch(m.module)!.match(m.options, p, c, r));
}

describe('match evaluation', () => {
  it('tcp ports and flags', () => {
    const r = rule('-p tcp --dport 22 --syn');
    expect(matches(r, pkt(), ctx())).toBe(true);
    expect(matches(r, pkt({ dport: 8080 }), ctx())).toBe(false);
    expect(matches(r, pkt({ tcp: { seq: 1, ack: 1, flags: 0x12, window: 1, urgp: 0, options: '' } }), ctx())).toBe(false);
    const m = r.matches[0]!;
    expect(getMatch('tcp')!.explain!(m.options, pkt({ dport: 8080 }), ctx(), r)[0]).toEqual({ ok: false, why: '--dport 22 ≠ 8080' });
  });
  it('limit lets the burst through, then one packet per period (xt_limit credits)', () => {
    const r = rule('-m limit --limit 1/min --limit-burst 2');
    const c = ctx();
    const at = (ms: number): boolean => matches(r, pkt(), { ...c, nowMs: ms });
    expect([at(0), at(10), at(20)]).toEqual([true, true, false]);
    expect(at(59_000)).toBe(false);
    expect(at(60_100)).toBe(true);
  });
  it('limit fills its bucket with avg × burst as a u32 product, wrapped (kernel 6.18: 23 of 30 packets pass)', () => {
    // 1/hour × 10000 wraps past 2^32; measured in a scratch namespace: counters 23 ACCEPT, 7 DROP
    const r = rule('-m limit --limit 1/hour --limit-burst 10000');
    const c = ctx();
    const passed = Array.from({ length: 30 }, () => matches(r, pkt(), c)).filter(Boolean).length;
    expect(passed).toBe(23);
  });
  it('statistic nth counts only packets that reach the rule (count starts at every-packet, libxt_statistic)', () => {
    const r = rule('-m statistic --mode nth --every 3 --packet 0');
    const c = ctx();
    expect([1, 2, 3, 4, 5, 6].map(() => matches(r, pkt(), c))).toEqual([true, false, false, true, false, false]);
  });
  it('statistic random compares with the seeded generator', () => {
    expect(matches(rule('-m statistic --mode random --probability 0.4'), pkt(), ctx({ random: () => 0.5 }))).toBe(false);
    expect(matches(rule('-m statistic --mode random --probability 0.6'), pkt(), ctx({ random: () => 0.5 }))).toBe(true);
  });
  it('u32 reads the IP header (TTL byte)', () => {
    expect(matches(rule('-m u32 --u32 "5&0xFF=0x07"'), pkt({ ttl: 7 }), ctx())).toBe(true);
    expect(matches(rule('-m u32 --u32 "5&0xFF=0x07"'), pkt({ ttl: 64 }), ctx())).toBe(false);
    // @ pointer: IHL from byte 0, then the TCP destination port
    expect(matches(rule('-m u32 --u32 "0>>22&0x3C@0&0xFFFF=22"'), pkt(), ctx())).toBe(true);
  });
  it('string searches from the IP header on', () => {
    expect(matches(rule('-p udp -m string --string DROPME --algo bm'), pkt({ proto: 17, tcp: undefined, payload: 'xxDROPMExx' }), ctx())).toBe(true);
    expect(matches(rule('-p udp -m string --string DROPME --algo bm --to 30'), pkt({ proto: 17, tcp: undefined, payload: 'xxDROPMExx' }), ctx())).toBe(false);
  });
  it('conntrack state, status and SNAT/DNAT', () => {
    const ct: CtView = { state: 'ESTABLISHED', reply: true, status: { expected: false, seenReply: true, assured: true, confirmed: true }, mark: 0x22, snat: false, dnat: true, orig: { src: 1, dst: 2, proto: 6 }, replyTuple: { src: 2, dst: 1, proto: 6 } };
    expect(matches(rule('-m conntrack --ctstate RELATED,ESTABLISHED'), pkt(), ctx({ ct }))).toBe(true);
    expect(matches(rule('-m conntrack --ctstate DNAT --ctdir REPLY'), pkt(), ctx({ ct }))).toBe(true);
    expect(matches(rule('-m conntrack --ctstatus ASSURED'), pkt(), ctx({ ct }))).toBe(true);
    expect(matches(rule('-m state --state NEW'), pkt(), ctx({ ct }))).toBe(false);
    // --ctstatus NONE is a mask of no bits: it never holds, even for a new connection (difftest seed 1 case 257)
    const fresh: CtView = { ...ct, state: 'NEW', reply: false, status: { expected: false, seenReply: false, assured: false, confirmed: false } };
    expect(matches(rule('-m conntrack --ctstatus NONE'), pkt(), ctx({ ct: fresh }))).toBe(false);
    expect(matches(rule('-m conntrack ! --ctstatus NONE'), pkt(), ctx({ ct: fresh }))).toBe(true);
    expect(matches(rule('-m connmark --mark 0x22'), pkt(), ctx({ ct }))).toBe(true);
  });
  it('conntrack --ctstatus NONE is an empty mask: it never matches, negated it always does (xt_conntrack, case d2-0340)', () => {
    const fresh: CtView = { state: 'NEW', reply: false, status: { expected: false, seenReply: false, assured: false, confirmed: false }, mark: 0, snat: false, dnat: false, orig: { src: 1, dst: 2, proto: 6 }, replyTuple: { src: 2, dst: 1, proto: 6 } };
    const assured: CtView = { ...fresh, state: 'ESTABLISHED', status: { expected: false, seenReply: true, assured: true, confirmed: true } };
    expect(matches(rule('-m conntrack --ctstatus NONE'), pkt(), ctx({ ct: fresh }))).toBe(false);
    expect(matches(rule('-m conntrack --ctstatus NONE'), pkt(), ctx({ ct: assured }))).toBe(false);
    expect(matches(rule('-m conntrack ! --ctstatus NONE'), pkt(), ctx({ ct: fresh }))).toBe(true);
    expect(matches(rule('-m conntrack ! --ctstatus NONE'), pkt(), ctx({ ct: null }))).toBe(false);
  });
  it('recent --set then --update --hitcount', () => {
    const set = rule('-m recent --set --name SSH');
    const upd = rule('-m recent --update --seconds 60 --hitcount 3 --name SSH');
    const c = ctx();
    const hit = (ms: number): boolean => {
      const cc = { ...c, nowMs: ms };
      matches(set, pkt(), cc);
      return matches(upd, pkt(), cc);
    };
    expect([hit(0), hit(1000), hit(2000)]).toEqual([false, false, true]);
    expect(hit(200_000)).toBe(false);
  });
  it('icmp types by name and number', () => {
    const p = pkt({ proto: 1, tcp: undefined, icmp: { type: 8, code: 0 } });
    expect(matches(rule('-p icmp --icmp-type echo-request'), p, ctx())).toBe(true);
    expect(matches(rule('-p icmp --icmp-type 0'), p, ctx())).toBe(false);
    expect(matches(rule('-p icmp --icmp-type any'), p, ctx())).toBe(true);
  });
  it('multiport, iprange, mark, addrtype, physdev', () => {
    expect(matches(rule('-p tcp -m multiport --dports 80,20:30'), pkt(), ctx())).toBe(true);
    expect(matches(rule('-m iprange --src-range 10.0.0.1-10.0.0.3'), pkt(), ctx())).toBe(true);
    expect(matches(rule('-m mark ! --mark 0'), pkt({ mark: 1 }), ctx())).toBe(true);
    expect(matches(rule('-m addrtype --dst-type LOCAL'), pkt(), ctx({ addrType: () => 'LOCAL' }))).toBe(true);
    expect(matches(rule('-m physdev --physdev-in eth+'), pkt(), ctx({ physIn: 'eth1' }))).toBe(true);
    expect(matches(rule('-m physdev --physdev-in eth+'), pkt(), ctx())).toBe(false);
  });
});
