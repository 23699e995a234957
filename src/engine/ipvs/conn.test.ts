// The IPVS data plane: TCP state tables (SPEC.md §5.3), counters, reuse of
// an entry by a new SYN (§5.4), thresholds (§5.5), persistence templates
// (§7), NAT replies, and what the packet walk gets back from ipvsIn/ipvsOut.

import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../net/addr';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../net/packet';
import { findConn, ipvsIn, ipvsOut, runTimers, tcpNextState, type IpvsPacket } from './conn';
import { applyIpvsadm, parseIpvsadm } from './ipvsadm';
import { formatList } from './ipvsadm-print';
import { cloneIpvsState, createIpvsState, findDest, ipvsStateFromJSON } from './state';
import type { IpvsState, IpvsSysctl } from './types';

const ip = (s: string) => parseIpv4(s)!;
const VIP = ip('10.0.0.100');

function setup(sysctl: Partial<IpvsSysctl>, ...lines: string[]): IpvsState {
  const st = createIpvsState(sysctl);
  for (const l of lines) {
    const r = applyIpvsadm(st, parseIpvsadm(l).value!, 0);
    if (r.status !== 0) throw new Error(r.stderr);
  }
  return st;
}

const cin = (client: string, sport: number, flags: number, dport = 80): IpvsPacket => ({ protocol: 6, saddr: ip(client), sport, daddr: VIP, dport, mark: 0, tcpFlags: flags, len: 60 });
const cout = (rs: string, rport: number, client: string, cport: number, flags: number): IpvsPacket => ({ protocol: 6, saddr: ip(rs), sport: rport, daddr: ip(client), dport: cport, mark: 0, tcpFlags: flags, len: 60 });
const dest = (st: IpvsState, a: string, port = 80) => findDest(st, st.services[0]!, ip(a), port)!;
const counters = (st: IpvsState, a: string, port = 80) => {
  const d = dest(st, a, port);
  return [d.activeConns, d.inactConns, d.persistConns];
};

describe('TCP state tables', () => {
  it('NAT open: SYN in -> SYN_RECV, SYN/ACK out -> SYN_RECV, ACK in -> ESTABLISHED', () => {
    expect(tcpNextState('input', 'NONE', TCP_SYN)).toBe('SYN_RECV');
    expect(tcpNextState('output', 'SYN_RECV', TCP_SYN | TCP_ACK)).toBe('SYN_RECV');
    expect(tcpNextState('input', 'SYN_RECV', TCP_ACK)).toBe('ESTABLISHED');
  });
  it('NAT client close ends in TIME_WAIT, DR client close in FIN_WAIT', () => {
    let s = tcpNextState('input', 'ESTABLISHED', TCP_FIN | TCP_ACK);
    expect(s).toBe('CLOSE_WAIT');
    s = tcpNextState('output', s, TCP_ACK);
    s = tcpNextState('output', s, TCP_FIN | TCP_ACK);
    expect(tcpNextState('input', s, TCP_ACK)).toBe('TIME_WAIT');
    expect(tcpNextState('input-only', tcpNextState('input-only', 'ESTABLISHED', TCP_FIN), TCP_ACK)).toBe('FIN_WAIT');
  });
  it('RST wins over SYN, and a segment with none of the flags closes', () => {
    expect(tcpNextState('input', 'ESTABLISHED', TCP_RST | TCP_SYN)).toBe('CLOSE');
    expect(tcpNextState('input', 'ESTABLISHED', 0)).toBe('CLOSE');
  });
});

describe('ipvsIn / ipvsOut', () => {
  const nat = () => setup({}, '-A -t 10.0.0.100:80 -s rr', '-a -t 10.0.0.100:80 -r 10.2.0.1:8080 -m');

  it('schedules a SYN, rewrites to RIP:RPORT and counts the entry inactive until it is established', () => {
    const st = nat();
    const r = ipvsIn(st, cin('172.16.0.1', 40000, TCP_SYN), 0);
    expect(r).toMatchObject({ verdict: 'xmit', method: 'masq', raddr: ip('10.2.0.1'), rport: 8080, scheduled: true, state: 'SYN_RECV' });
    expect(counters(st, '10.2.0.1', 8080)).toEqual([1, 0, 0]);
    const o = ipvsOut(st, cout('10.2.0.1', 8080, '172.16.0.1', 40000, TCP_SYN | TCP_ACK), 1);
    expect(o).toMatchObject({ verdict: 'snat', saddr: VIP, sport: 80 });
    ipvsIn(st, cin('172.16.0.1', 40000, TCP_ACK), 2);
    const cp = findConn(st, 6, ip('172.16.0.1'), 40000, VIP, 80)!;
    expect(cp.state).toBe('ESTABLISHED');
    expect(cp.expires).toBe(2 + 900_000);
  });

  it('lets a non-SYN without an entry go to the local stack, and ignores packets for no service', () => {
    const st = nat();
    expect(ipvsIn(st, cin('172.16.0.1', 40000, TCP_ACK), 0).verdict).toBe('accept');
    expect(ipvsIn(st, cin('172.16.0.1', 40000, TCP_RST), 0).verdict).toBe('accept');
    expect(ipvsIn(st, cin('172.16.0.1', 40000, TCP_SYN, 81), 0).verdict).toBe('ignore');
    expect(ipvsIn(createIpvsState(), cin('172.16.0.1', 40000, TCP_SYN), 0).verdict).toBe('ignore');
  });

  it('drops with ICMP port unreachable when no server is usable', () => {
    const st = setup({}, '-A -t 10.0.0.100:80 -s rr', '-a -t 10.0.0.100:80 -r 10.2.0.1 -m -w 0');
    expect(ipvsIn(st, cin('172.16.0.1', 40000, TCP_SYN), 0)).toMatchObject({ verdict: 'drop', icmp: 'port-unreachable' });
  });

  it('keeps the VIP as destination for DR and tunnels, only the next hop changes', () => {
    const st = setup({}, '-A -t 10.0.0.100:80 -s rr', '-a -t 10.0.0.100:80 -r 10.2.0.1 -g');
    expect(ipvsIn(st, cin('172.16.0.1', 40000, TCP_SYN), 0)).toMatchObject({ verdict: 'xmit', method: 'route', raddr: ip('10.2.0.1'), rport: 80 });
    expect(ipvsOut(st, cout('10.2.0.1', 80, '172.16.0.1', 40000, TCP_ACK), 0).verdict).toBe('ignore');
  });

  it('counts UDP entries inactive for their whole life, with the 300 s timeout', () => {
    const st = setup({}, '-A -u 10.0.0.100:53 -s rr', '-a -u 10.0.0.100:53 -r 10.2.0.1 -m');
    const r = ipvsIn(st, { protocol: 17, saddr: ip('172.16.0.1'), sport: 5353, daddr: VIP, dport: 53, mark: 0, tcpFlags: 0, len: 60 }, 0);
    expect(r).toMatchObject({ verdict: 'xmit', state: 'UDP' });
    expect(counters(st, '10.2.0.1', 53)).toEqual([0, 1, 0]);
    runTimers(st, 300_000);
    expect(counters(st, '10.2.0.1', 53)).toEqual([0, 0, 0]);
  });
});

describe('a new SYN on an existing entry (SPEC.md §5.4)', () => {
  const two = (sysctl: Partial<IpvsSysctl> = {}) => setup(sysctl, '-A -t 10.0.0.100:80 -s rr', '-a -t 10.0.0.100:80 -r 10.2.0.1 -m', '-a -t 10.0.0.100:80 -r 10.2.0.2 -m');

  it('keeps an open entry on its server without scheduling', () => {
    const st = two();
    const a = ipvsIn(st, cin('172.16.0.1', 40000, TCP_SYN), 0);
    const b = ipvsIn(st, cin('172.16.0.1', 40000, TCP_SYN), 1);
    expect(b).toMatchObject({ verdict: 'xmit', scheduled: false });
    expect(b.verdict === 'xmit' && a.verdict === 'xmit' && b.dest === a.dest).toBe(true);
  });

  it('drops packets of an entry whose server was deleted, or reschedules with expire_nodest_conn=1', () => {
    for (const nodest of [0, 1]) {
      const st = two({ expire_nodest_conn: nodest });
      ipvsIn(st, cin('172.16.0.1', 40000, TCP_SYN), 0);
      applyIpvsadm(st, parseIpvsadm('-d -t 10.0.0.100:80 -r 10.2.0.2').value!, 0);
      const r = ipvsIn(st, cin('172.16.0.1', 40000, TCP_ACK), 1);
      if (nodest) expect(r.verdict).toBe('accept');
      else expect(r).toMatchObject({ verdict: 'drop', icmp: null });
    }
  });

  it('reschedules a quiesced server\'s entry on a new SYN only with expire_nodest_conn=1', () => {
    const st = two({ expire_nodest_conn: 1 });
    ipvsIn(st, cin('172.16.0.1', 40000, TCP_SYN), 0);
    applyIpvsadm(st, parseIpvsadm('-e -t 10.0.0.100:80 -r 10.2.0.2 -m -w 0').value!, 0);
    expect(ipvsIn(st, cin('172.16.0.1', 40000, TCP_SYN), 1)).toMatchObject({ verdict: 'xmit', scheduled: true, raddr: ip('10.2.0.1') });
    expect(counters(st, '10.2.0.2')).toEqual([0, 0, 0]);
  });
});

describe('thresholds (SPEC.md §5.5)', () => {
  it('sets OVERLOAD at total >= -x and clears it below 3/4 of it, or below -y', () => {
    const st = setup({}, '-A -t 10.0.0.100:80 -s rr', '-a -t 10.0.0.100:80 -r 10.2.0.1 -m -x 4');
    for (let i = 0; i < 4; i++) ipvsIn(st, cin('172.16.0.1', 40000 + i, TCP_SYN), 0);
    expect(dest(st, '10.2.0.1').overloaded).toBe(true);
    expect(ipvsIn(st, cin('172.16.0.1', 50000, TCP_SYN), 0).verdict).toBe('drop');
    runTimers(st, 60_000);
    expect(dest(st, '10.2.0.1').overloaded).toBe(false);
    expect(formatList(st, { numeric: true, thresholds: true })).toContain('  -> 10.2.0.1:80                  4          0          0          0         \n');
  });
});

describe('persistence (SPEC.md §7)', () => {
  const persist = (sysctl: Partial<IpvsSysctl> = {}) => setup(sysctl, '-A -t 10.0.0.100:80 -s rr -p 300', '-a -t 10.0.0.100:80 -r 10.2.0.1 -m', '-a -t 10.0.0.100:80 -r 10.2.0.2 -m');

  it('schedules once per client and keeps the client on a quiesced server', () => {
    const st = persist();
    const a = ipvsIn(st, cin('172.16.0.1', 40000, TCP_SYN), 0);
    applyIpvsadm(st, parseIpvsadm('-e -t 10.0.0.100:80 -r 10.2.0.2 -m -w 0').value!, 0);
    const b = ipvsIn(st, cin('172.16.0.1', 40001, TCP_SYN), 1);
    expect(a).toMatchObject({ raddr: ip('10.2.0.2'), scheduled: true });
    expect(b).toMatchObject({ raddr: ip('10.2.0.2'), scheduled: false, persistent: true });
    expect(counters(st, '10.2.0.2')).toEqual([2, 0, 1]);
  });

  it('moves the client when expire_quiescent_template=1, leaving the old template unreachable until it expires', () => {
    const st = persist({ expire_quiescent_template: 1 });
    ipvsIn(st, cin('172.16.0.1', 40000, TCP_SYN), 0);
    applyIpvsadm(st, parseIpvsadm('-e -t 10.0.0.100:80 -r 10.2.0.2 -m -w 0').value!, 0);
    expect(ipvsIn(st, cin('172.16.0.1', 40001, TCP_SYN), 1)).toMatchObject({ raddr: ip('10.2.0.1'), scheduled: true });
    const stale = Object.values(st.conns).find((c) => c.template && c.vport === 0xffff);
    expect(stale?.dest).toBe(dest(st, '10.2.0.2').id);
  });

  it('re-arms a template that still controls entries, frees it after the last one', () => {
    const st = persist();
    ipvsIn(st, cin('172.16.0.1', 40000, TCP_SYN), 0);
    ipvsOut(st, cout('10.2.0.2', 80, '172.16.0.1', 40000, TCP_SYN | TCP_ACK), 0);
    ipvsIn(st, cin('172.16.0.1', 40000, TCP_ACK), 0);
    // the 300 s template outlives its timeout while the ESTABLISHED entry (900 s) lives
    runTimers(st, 300_000);
    expect(counters(st, '10.2.0.2')).toEqual([1, 0, 1]);
    runTimers(st, 899_999);
    expect(counters(st, '10.2.0.2')).toEqual([1, 0, 1]);
    // the entry goes at 900 s; the template, re-armed at 900 s, goes one timeout later
    runTimers(st, 1_199_999);
    expect(counters(st, '10.2.0.2')).toEqual([0, 0, 1]);
    runTimers(st, 1_200_000);
    expect(counters(st, '10.2.0.2')).toEqual([0, 0, 0]);
  });
});

describe('state as data', () => {
  it('survives a JSON round trip and keeps scheduling the same way', () => {
    const st = setup({}, '-A -t 10.0.0.100:80 -s wrr', '-a -t 10.0.0.100:80 -r 10.2.0.1 -m -w 2', '-a -t 10.0.0.100:80 -r 10.2.0.2 -m -w 1');
    ipvsIn(st, cin('172.16.0.1', 1, TCP_SYN), 0);
    const copy = ipvsStateFromJSON(JSON.stringify(st))!;
    const clone = cloneIpvsState(st);
    const seq = (s: IpvsState) => [2, 3, 4, 5].map((p) => { const r = ipvsIn(s, cin('172.16.0.1', p, TCP_SYN), 0); return r.verdict === 'xmit' ? r.raddr : 0; });
    const want = seq(st);
    expect(seq(copy)).toEqual(want);
    expect(seq(clone)).toEqual(want);
  });
});
