// The typed-array prefilter may only rule out rules the full match would also
// reject: for random rules and packets, every full match survives it.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIptablesCommand } from './command';
import { IPPROTO_TCP, IPPROTO_UDP, type Packet } from '../net/packet';
import { compileChain, nextCandidate } from './compiled-chain';
import { ruleMatches } from './rule-match';
import { inputContext } from './test-context';

const ctx = inputContext();

const octet = fc.integer({ min: 0, max: 3 });
const addr = fc.tuple(octet, octet).map(([a, b]) => `10.0.${a}.${b}`);
const ruleText = fc
  .record({
    s: fc.option(fc.tuple(fc.boolean(), addr, fc.constantFrom(24, 30, 32))),
    d: fc.option(fc.tuple(fc.boolean(), addr, fc.constantFrom(16, 31, 32))),
    p: fc.option(fc.tuple(fc.boolean(), fc.constantFrom('tcp', 'udp', 'icmp'))),
    port: fc.option(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 3 }))),
  })
  .map(({ s, d, p, port }) => {
    const w = ['iptables -A INPUT'];
    if (s) w.push(`${s[0] ? '! ' : ''}-s ${s[1]}/${s[2]}`);
    if (d) w.push(`${d[0] ? '! ' : ''}-d ${d[1]}/${d[2]}`);
    if (p) {
      w.push(`${p[0] ? '! ' : ''}-p ${p[1]}`);
      if (port && !p[0] && p[1] !== 'icmp') w.push(`${port[0] ? '! ' : ''}--dport ${port[1]}:${port[1] + port[2]}`);
    }
    w.push('-j ACCEPT');
    return w.join(' ');
  });

const packet = fc.record({ s: addr, d: addr, udp: fc.boolean(), dport: fc.integer({ min: 0, max: 10 }) }).map(({ s, d, udp, dport }): Packet => {
  const n = (x: string) => x.split('.').reduce((a, o) => a * 256 + Number(o), 0) >>> 0;
  return { src: n(s), dst: n(d), proto: udp ? IPPROTO_UDP : IPPROTO_TCP, ttl: 64, tos: 0, len: 40, ipid: 0, df: true, mark: 0, sport: 1000, dport, tcp: udp ? undefined : { seq: 0, ack: 0, flags: 2, window: 0, urgp: 0, options: '' }, payload: '' };
});

describe('the compiled chain prefilter', () => {
  it('finds the same first match as evaluating every rule', () => {
    fc.assert(
      fc.property(fc.array(ruleText, { minLength: 1, maxLength: 12 }), packet, (texts, p) => {
        const rules = texts.map((t) => parseIptablesCommand(t).value!.rules[0]!);
        const c = compileChain(rules, 0);
        let viaPrefilter = -1;
        for (let i = nextCandidate(c, 0, p); i < rules.length; i = nextCandidate(c, i + 1, p)) {
          if (ruleMatches(rules[i]!, p, ctx)) {
            viaPrefilter = i;
            break;
          }
        }
        const direct = rules.findIndex((r) => ruleMatches(r, p, ctx));
        expect(viaPrefilter).toBe(direct);
      }),
      { numRuns: 400 },
    );
  });
});
