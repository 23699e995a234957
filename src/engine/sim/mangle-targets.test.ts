// pattern: Imperative Shell
// ECN, TCPOPTSTRIP and HMARK as the kernel applies them; the expected values
// are what the kernel printed in oracle cases q84 (options, flags) and q85 (marks).

import { describe, expect, it } from 'vitest';
import { parseIptablesCommand } from '../iptables/command';
import type { CtView } from '../conntrack/types';
import type { EcnTargetOptions, HmarkOptions, TcpoptstripOptions } from '../iptables/targets';
import { parseIpv4 } from '../net/addr';
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_SYN, type Packet } from '../net/packet';
import { ecnTarget, hmarkValue, tcpoptstrip } from './mangle-targets';

function targetOptions<O>(rule: string): O {
  const p = parseIptablesCommand(`iptables -t mangle -A FORWARD ${rule}`);
  expect(p.diagnostics).toEqual([]);
  return p.value!.rules[0]!.target!.options as O;
}

const ip = (s: string) => parseIpv4(s)!;

function tcp(src: string, sport: number, dst: string, dport: number, flags = TCP_SYN, options = ''): Packet {
  return { src: ip(src), dst: ip(dst), proto: 6, ttl: 64, tos: 0, len: 60, ipid: 1, df: true, mark: 0, sport, dport, tcp: { seq: 0, ack: 0, flags, window: 64240, urgp: 0, options }, payload: '' };
}

/** The SYN options of every connect() on this kernel (MSS 1460, SACK-permitted, timestamps, window scale 10). */
const SYN_OPTIONS = '020405B40402080A00000000000000000103030A';

describe('TCPOPTSTRIP', () => {
  it('overwrites the listed options with NOPs, so the header keeps its length (q84, SYN to port 80)', () => {
    const p = tcp('10.1.0.10', 40001, '10.2.0.20', 80, TCP_SYN, SYN_OPTIONS);
    tcpoptstrip(targetOptions<TcpoptstripOptions>('-p tcp -j TCPOPTSTRIP --strip-options timestamp,sack-permitted'), p);
    expect(p.tcp!.options).toBe('020405B40101010101010101010101010103030A');
  });
  it('mss and wscale (q84, SYN to port 8080)', () => {
    const p = tcp('10.1.0.10', 40002, '10.2.0.20', 8080, TCP_SYN, SYN_OPTIONS);
    tcpoptstrip(targetOptions<TcpoptstripOptions>('-p tcp -j TCPOPTSTRIP --strip-options mss,wscale'), p);
    expect(p.tcp!.options).toBe('010101010402080A000000000000000001010101');
  });
  it('leaves a segment without the options alone, and steps over NOPs and a zero length byte', () => {
    const p = tcp('10.1.0.10', 1, '10.2.0.20', 2, TCP_ACK, '0101080A0000000000000000');
    tcpoptstrip(targetOptions<TcpoptstripOptions>('-p tcp -j TCPOPTSTRIP --strip-options sack-permitted'), p);
    expect(p.tcp!.options).toBe('0101080A0000000000000000');
    const odd = tcp('10.1.0.10', 1, '10.2.0.20', 2, TCP_ACK, '0300020405B4');
    tcpoptstrip(targetOptions<TcpoptstripOptions>('-p tcp -j TCPOPTSTRIP --strip-options mss'), odd);
    expect(odd.tcp!.options).toBe('030001010101');
  });
});

describe('ECN', () => {
  it('--ecn-tcp-remove clears ECE and CWR (q84: the crafted SYN,ECE,CWR arrives as SYN)', () => {
    const p = tcp('10.1.0.10', 40003, '10.2.0.20', 80, TCP_SYN | TCP_ECE | TCP_CWR);
    ecnTarget(targetOptions<EcnTargetOptions>('-p tcp -j ECN --ecn-tcp-remove'), p);
    expect(p.tcp!.flags).toBe(TCP_SYN);
  });
  it('--ecn-tcp-cwr 1 sets one bit; --ecn-ip-ect sets the IP ECN field and keeps the DSCP', () => {
    const p = tcp('10.1.0.10', 1, '10.2.0.20', 2, TCP_ACK);
    p.tos = 0x28 | 1;
    ecnTarget(targetOptions<EcnTargetOptions>('-p tcp -j ECN --ecn-tcp-cwr 1 --ecn-ip-ect 2'), p);
    expect(p.tcp!.flags).toBe(TCP_ACK | TCP_CWR);
    expect(p.tos).toBe(0x28 | 2);
  });
});

describe('HMARK (q85 on the kernel)', () => {
  const pkt5 = targetOptions<HmarkOptions>('-j HMARK --hmark-tuple src,dst,sport,dport,proto --hmark-mod 2 --hmark-offset 1 --hmark-rnd 0xcafe');
  const ct = targetOptions<HmarkOptions>('-j HMARK --hmark-tuple ct,src,dst,sport,dport --hmark-mod 1000 --hmark-offset 5000 --hmark-rnd 0x1234');
  const icmp = targetOptions<HmarkOptions>('-j HMARK --hmark-tuple src,dst,sport,dport --hmark-mod 16 --hmark-rnd 0xcafe');
  const view = (proto: number, sport: number, dport: number): CtView => ({
    state: 'NEW', reply: false, mark: 0, snat: false, dnat: false,
    status: { expected: false, seenReply: false, assured: false, confirmed: false },
    orig: { src: ip('10.10.0.20'), dst: ip('192.0.2.80'), sport, dport, proto },
    replyTuple: { src: ip('192.0.2.80'), dst: ip('10.10.0.20'), sport: dport, dport: sport, proto },
  });

  it('hashes addresses, ports and protocol of the packet', () => {
    expect([40001, 40002, 40003].map((sport) => hmarkValue(pkt5, tcp('10.10.0.20', sport, '192.0.2.80', 80), null))).toEqual([1, 1, 2]);
  });
  it('--hmark-tuple ct hashes the original source and the reply source, and their source ports', () => {
    expect([40001, 40002, 40003].map((sport) => hmarkValue(ct, tcp('10.10.0.20', sport, '192.0.2.80', 80), view(6, sport, 80)))).toEqual([5893, 5771, 5698]);
    // without a conntrack entry the mark is left alone
    expect(hmarkValue(ct, tcp('10.10.0.20', 40001, '192.0.2.80', 80), null)).toBeNull();
  });
  it('an echo reply hashes its addresses (no ports); an ICMP error the packet it quotes', () => {
    const echo: Packet = { src: ip('192.0.2.80'), dst: ip('10.10.0.20'), proto: 1, ttl: 64, tos: 0, len: 84, ipid: 1, df: false, mark: 0, icmp: { type: 0, code: 0, id: 1004, seq: 1 }, payload: '' };
    expect(hmarkValue(icmp, echo, null)).toBe(3);
    const quoted = (sport: number, dport: number): Packet => ({
      ...echo,
      icmp: { type: 3, code: 3, inner: { src: ip('10.10.0.20'), dst: ip('192.0.2.80'), proto: 17, ttl: 63, tos: 0, len: 33, ipid: 1, df: true, mark: 0, sport, dport, payload: '' } },
    });
    expect([hmarkValue(icmp, quoted(40005, 33434), null), hmarkValue(icmp, quoted(40006, 33435), null)]).toEqual([8, 1]);
  });
});
