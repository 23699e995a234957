// Each scheduler against SPEC.md §8: list order is the reverse of the
// order of `ipvsadm -a`, ties go to the server nearest the list head.

import { describe, expect, it } from 'vitest';
import { formatIpv4, parseIpv4 } from '../net/addr';
import { applyIpvsadm, parseIpvsadm } from './ipvsadm';
import { describeScheduler, MH_TAB_SIZE, schedule, SCHEDULER_APPROXIMATION, type SchedPacket } from './schedulers';
import { createIpvsState, findDest, serviceDests } from './state';
import type { IpvsState, RealServer, WrrState } from './types';

function setup(...lines: string[]): IpvsState {
  const st = createIpvsState();
  for (const l of lines) {
    const p = parseIpvsadm(l);
    if (!p.value) throw new Error(`${l}: ${p.diagnostics[0]?.message}`);
    const r = applyIpvsadm(st, p.value, 0);
    if (r.status !== 0) throw new Error(`${l}: ${r.stderr}`);
  }
  return st;
}

const ip = (s: string) => parseIpv4(s)!;
const pkt = (client = '198.51.100.1', sport = 1024, daddr = '10.0.0.100'): SchedPacket => ({ protocol: 6, saddr: ip(client), sport, daddr: ip(daddr), dport: 80, now: 0 });
const name = (d: RealServer | null) => (d ? formatIpv4(d.addr).split('.')[3]! : '-');

function picks(st: IpvsState, n: number, p: () => SchedPacket = () => pkt()): string {
  const svc = st.services[0]!;
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(name(schedule(st, svc, p())));
  return out.join(' ');
}

function dest(st: IpvsState, addr: string, port = 80): RealServer {
  return findDest(st, st.services[0]!, ip(addr), port)!;
}

const svc = '-t 10.0.0.100:80';
const add = (s: string, addr: string, w: number, extra = '') => `-a ${s} -r ${addr}:80 -m -w ${w}${extra}`;

describe('server list order', () => {
  it('is the reverse of the order servers were added (head insertion)', () => {
    const st = setup(`-A ${svc} -s rr`, add(svc, '10.1.0.1', 1), add(svc, '10.1.0.2', 1), add(svc, '10.1.0.3', 1));
    expect(serviceDests(st, st.services[0]!).map(name)).toEqual(['3', '2', '1']);
  });
});

describe('rr', () => {
  it('walks the list from the head and wraps', () => {
    const st = setup(`-A ${svc} -s rr`, add(svc, '10.1.0.1', 1), add(svc, '10.1.0.2', 1), add(svc, '10.1.0.3', 1));
    expect(picks(st, 7)).toBe('3 2 1 3 2 1 3');
  });
  it('skips quiesced (weight 0) and overloaded servers, and returns none when all are', () => {
    const st = setup(`-A ${svc} -s rr`, add(svc, '10.1.0.1', 1), add(svc, '10.1.0.2', 0), add(svc, '10.1.0.3', 1));
    expect(picks(st, 4)).toBe('3 1 3 1');
    dest(st, '10.1.0.1').overloaded = true;
    dest(st, '10.1.0.3').weight = 0;
    expect(picks(st, 1)).toBe('-');
  });
  it('falls back to the predecessor when the server at its position is deleted', () => {
    const st = setup(`-A ${svc} -s rr`, ...['1', '2', '3', '4'].map((x) => add(svc, `10.3.0.${x}`, 1)));
    expect(picks(st, 2)).toBe('4 3');
    setupMore(st, `-d ${svc} -r 10.3.0.3:80`);
    expect(picks(st, 4)).toBe('2 1 4 2');
  });
});

function setupMore(st: IpvsState, ...lines: string[]): void {
  for (const l of lines) {
    const p = parseIpvsadm(l);
    const r = applyIpvsadm(st, p.value!, 0);
    if (r.status !== 0) throw new Error(r.stderr);
  }
}

describe('wrr', () => {
  it('visits every server once in its first round, then runs the 5/3/1 cycle (Appendix A)', () => {
    const st = setup(`-A ${svc} -s wrr`, add(svc, '10.4.0.1', 1), add(svc, '10.4.0.2', 3), add(svc, '10.4.0.3', 5));
    expect(picks(st, 3 + 9 + 3)).toBe('3 2 1 3 3 3 2 3 2 3 2 1 3 3 3');
  });
  it('gives A A B A B C A B C for 4/3/2 after the first round (LVS documentation)', () => {
    const st = setup(`-A ${svc} -s wrr`, add(svc, '10.0.1.3', 2), add(svc, '10.0.1.2', 3), add(svc, '10.0.1.1', 4));
    expect(picks(st, 3 + 9)).toBe('1 2 3 1 1 2 1 2 3 1 2 3');
  });
  it('keeps gcd, max weight and the current weight for the UI', () => {
    const st = setup(`-A ${svc} -s wrr`, add(svc, '10.5.0.1', 4), add(svc, '10.5.0.2', 2), add(svc, '10.5.0.3', 0));
    const s = st.services[0]!.sched as WrrState;
    expect({ di: s.di, mw: s.mw, cw: s.cw, cl: s.cl }).toEqual({ di: 2, mw: 3, cw: 1, cl: -1 });
    picks(st, 1);
    expect(describeScheduler(st, st.services[0]!).wrr).toMatchObject({ cl: 1, cw: 1 });
  });
  it('returns none when no server has a weight', () => {
    const st = setup(`-A ${svc} -s wrr`, add(svc, '10.5.0.1', 0));
    expect(picks(st, 1)).toBe('-');
  });
});

describe('lc / wlc / sed / nq', () => {
  const three = (sched: string, w: [number, number, number]) =>
    setup(`-A ${svc} -s ${sched}`, add(svc, '10.8.0.1', w[0]), add(svc, '10.8.0.2', w[1]), add(svc, '10.8.0.3', w[2]));
  it('lc picks the smallest active·256+inactive, first in list order on a tie', () => {
    const st = three('lc', [1, 1, 1]);
    expect(picks(st, 1)).toBe('3');
    dest(st, '10.8.0.3').activeConns = 1;
    dest(st, '10.8.0.2').inactConns = 255;
    expect(picks(st, 1)).toBe('1');
    dest(st, '10.8.0.1').inactConns = 256;
    expect(picks(st, 1)).toBe('2');
  });
  it('wlc weighs the overhead: 3 active on weight 3 ties 1 active on weight 1, the earlier server wins', () => {
    const st = three('wlc', [1, 3, 1]);
    dest(st, '10.8.0.3').weight = 0;
    dest(st, '10.8.0.2').activeConns = 3;
    dest(st, '10.8.0.1').activeConns = 1;
    expect(picks(st, 1)).toBe('2');
    dest(st, '10.8.0.2').activeConns = 4;
    expect(describeScheduler(st, st.services[0]!).servers.map((x) => x.overhead)).toEqual([0, 1024, 256]);
    expect(picks(st, 1)).toBe('1');
  });
  it('sed uses active+1 and ignores inactive connections', () => {
    const st = three('sed', [3, 1, 1]);
    dest(st, '10.8.0.1').inactConns = 50;
    // (0+1)/3 beats (0+1)/1: the weight-3 server wins although it has 50 inactive entries
    expect(picks(st, 1)).toBe('1');
    dest(st, '10.8.0.1').activeConns = 3;
    // (3+1)/3 > (0+1)/1: now the first weight-1 server in list order
    expect(picks(st, 1)).toBe('3');
  });
  it('nq returns the first idle server at once, else behaves like sed', () => {
    const st = three('nq', [4, 1, 1]);
    dest(st, '10.8.0.3').activeConns = 2;
    expect(picks(st, 1)).toBe('2');
    dest(st, '10.8.0.2').activeConns = 1;
    dest(st, '10.8.0.1').activeConns = 1;
    expect(picks(st, 1)).toBe('1');
  });
});

describe('fo / ovf', () => {
  it('fo picks the first highest weight that is not overloaded', () => {
    const st = setup(`-A ${svc} -s fo`, add(svc, '10.26.0.1', 10), add(svc, '10.26.0.2', 20), add(svc, '10.26.0.3', 20));
    expect(picks(st, 2)).toBe('3 3');
    dest(st, '10.26.0.3').overloaded = true;
    expect(picks(st, 1)).toBe('2');
  });
  it('ovf fills the heaviest server while active <= weight', () => {
    const st = setup(`-A ${svc} -s ovf`, add(svc, '10.27.0.1', 2), add(svc, '10.27.0.2', 3));
    dest(st, '10.27.0.2').activeConns = 3;
    expect(picks(st, 1)).toBe('2');
    dest(st, '10.27.0.2').activeConns = 4;
    expect(picks(st, 1)).toBe('1');
  });
});

describe('sh', () => {
  it('bucket 50 of three weight-1 servers holds list[2] = .1 (Appendix A)', () => {
    const st = setup(`-A ${svc} -s sh`, add(svc, '10.13.0.1', 1), add(svc, '10.13.0.2', 1), add(svc, '10.13.0.3', 1));
    expect(picks(st, 1, () => pkt('192.0.2.1'))).toBe('1');
    const v = describeScheduler(st, st.services[0]!);
    expect(v.buckets).toHaveLength(256);
  });
  it('gives each server `weight` consecutive buckets, and a weight-0 server still one', () => {
    const st = setup(`-A ${svc} -s sh`, add(svc, '10.14.0.1', 2), add(svc, '10.14.0.2', 1), add(svc, '10.14.0.3', 0));
    const ids = serviceDests(st, st.services[0]!).map((d) => d.id);
    const b = describeScheduler(st, st.services[0]!).buckets!;
    expect(b.slice(0, 8)).toEqual([ids[0], ids[1], ids[2], ids[2], ids[0], ids[1], ids[2], ids[2]]);
  });
  it('returns none for an unusable bucket unless sh-fallback is set', () => {
    const st = setup(`-A ${svc} -s sh`, add(svc, '10.13.0.1', 1), add(svc, '10.13.0.2', 1), add(svc, '10.13.0.3', 1));
    dest(st, '10.13.0.1').overloaded = true;
    expect(picks(st, 1, () => pkt('192.0.2.1'))).toBe('-');
    st.services[0]!.flags |= 0x0008;
    expect(picks(st, 1, () => pkt('192.0.2.1'))).not.toBe('-');
  });
  it('adds the client port with sh-port', () => {
    const st = setup(`-A ${svc} -s sh -b sh-port`, add(svc, '10.15.0.1', 1), add(svc, '10.15.0.2', 1), add(svc, '10.15.0.3', 1));
    // bucket 242 = list[242 mod 3] = list[2] = .1
    expect(picks(st, 1, () => pkt('198.51.100.10', 1024))).toBe('1');
  });
});

describe('dh', () => {
  it('hashes the destination address and ignores weights', () => {
    const st = setup('-A -f 1 -s dh', '-a -f 1 -r 10.18.0.1:0 -g -w 1', '-a -f 1 -r 10.18.0.2:0 -g -w 5', '-a -f 1 -r 10.18.0.3:0 -g -w 1');
    const ids = serviceDests(st, st.services[0]!).map((d) => d.id);
    expect(describeScheduler(st, st.services[0]!).buckets!.slice(0, 4)).toEqual([ids[0], ids[1], ids[2], ids[0]]);
    const d1 = picks(st, 1, () => pkt('192.168.50.1', 40000, '93.184.216.30'));
    expect(picks(st, 1, () => pkt('192.168.50.9', 1, '93.184.216.30'))).toBe(d1);
  });
});

describe('mh', () => {
  it('builds a full 4093-slot table from the servers\' permutations', () => {
    const st = setup(`-A ${svc} -s mh`, add(svc, '10.19.0.1', 1), add(svc, '10.19.0.2', 1), add(svc, '10.19.0.3', 1));
    const v = describeScheduler(st, st.services[0]!).mh!;
    expect(v.lookup).toHaveLength(MH_TAB_SIZE);
    expect(v.lookup.every((x) => x !== null)).toBe(true);
    const first = v.setup.find((x) => x.id === dest(st, '10.19.0.1').id)!;
    expect({ offset: first.offset, skip: first.skip }).toEqual({ offset: 2135, skip: 1990 });
    // client 192.0.2.1 without mh-port lands in slot 2891 (Appendix A)
    expect(picks(st, 1, () => pkt('192.0.2.1'))).toBe(name(st.dests[v.lookup[2891]!]!));
  });
  it('keeps the table when a weight goes to 0 (last_weight), so only that server\'s clients move', () => {
    const st = setup(`-A ${svc} -s mh -b mh-fallback`, add(svc, '10.20.0.1', 1), add(svc, '10.20.0.2', 1), add(svc, '10.20.0.3', 1));
    const before = describeScheduler(st, st.services[0]!).mh!.lookup;
    setupMore(st, `-e ${svc} -r 10.20.0.1:80 -m -w 0`);
    expect(describeScheduler(st, st.services[0]!).mh!.lookup).toEqual(before);
  });
});

describe('approximated schedulers', () => {
  it('label lblc, lblcr and twos as approximations', () => {
    expect(Object.keys(SCHEDULER_APPROXIMATION).sort()).toEqual(['lblc', 'lblcr', 'twos']);
    const st = setup(`-A ${svc} -s lblc`, add(svc, '10.30.0.1', 1));
    expect(describeScheduler(st, st.services[0]!).approximation).toMatch(/lblc/);
  });
  it('lblc sticks a destination address to its server', () => {
    const st = setup(`-A ${svc} -s lblc`, add(svc, '10.30.0.1', 1), add(svc, '10.30.0.2', 1));
    const a = picks(st, 1, () => pkt('1.1.1.1', 1, '93.184.216.1'));
    dest(st, `10.30.0.${a}`).inactConns = 10;
    expect(picks(st, 1, () => pkt('2.2.2.2', 1, '93.184.216.1'))).toBe(a);
    expect(picks(st, 1, () => pkt('2.2.2.2', 1, '93.184.216.2'))).not.toBe(a);
  });
  it('lblcr and twos pick usable servers', () => {
    const r = setup(`-A ${svc} -s lblcr`, add(svc, '10.31.0.1', 1), add(svc, '10.31.0.2', 0));
    expect(picks(r, 3)).toBe('1 1 1');
    const t = setup(`-A ${svc} -s twos`, add(svc, '10.32.0.1', 1), add(svc, '10.32.0.2', 0));
    expect(picks(t, 3)).toBe('1 1 1');
  });
});
