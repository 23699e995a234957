// pattern: Functional Core
// Conntrack accounting (nf_conntrack_acct): a connection begun while it is
// on counts the packets and bytes conntrack sees in each direction and
// `conntrack -L` prints them; one begun while it is off never counts.
// Case q44 holds the kernel's numbers.

import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../net/addr';
import type { Packet } from '../net/packet';
import { IPPROTO_UDP } from '../net/packet';
import { ConntrackTable } from './table';

const ip = (s: string): number => parseIpv4(s)!;

function udp(src: string, sport: number, dst: string, dport: number, data: string): Packet {
  return { src: ip(src), dst: ip(dst), proto: IPPROTO_UDP, ttl: 64, tos: 0, len: 28 + data.length, ipid: 0, df: true, mark: 0, sport, dport, payload: data };
}

/** One packet through conntrack and confirmation, as a host's PREROUTING...INPUT would. */
function pass(ct: ConntrackTable, p: Packet, now: number): void {
  const ref = ct.in(p, { hook: 'PREROUTING', nowMs: now });
  ct.confirmPacket(p, ref, now);
}

describe('conntrack accounting', () => {
  it('counts packets and bytes per direction, shown by the listing', () => {
    const ct = new ConntrackTable({ acct: 1 });
    pass(ct, udp('10.0.0.2', 40003, '10.0.0.1', 53, 'query'), 0);
    pass(ct, udp('10.0.0.1', 53, '10.0.0.2', 40003, 'query'), 1);
    pass(ct, udp('10.0.0.2', 40003, '10.0.0.1', 53, 'again!'), 2);
    const [e] = ct.list();
    expect(e!.orig).toMatchObject({ packets: 2, bytes: 33 + 34 });
    expect(e!.reply).toMatchObject({ packets: 1, bytes: 33 });
  });

  it('is what -m connbytes reads, the current packet included', () => {
    const ct = new ConntrackTable({ acct: 1 });
    const ref = ct.in(udp('10.0.0.2', 40003, '10.0.0.1', 53, 'query'), { hook: 'PREROUTING', nowMs: 0 });
    expect(ct.view(ref)!.counters).toEqual([{ packets: 1, bytes: 33 }, { packets: 0, bytes: 0 }]);
  });

  it('leaves out connections begun while it was off, even once it is on', () => {
    const ct = new ConntrackTable();
    pass(ct, udp('10.0.0.2', 40003, '10.0.0.1', 53, 'query'), 0);
    ct.sysctl.acct = 1;
    pass(ct, udp('10.0.0.2', 40003, '10.0.0.1', 53, 'query'), 1);
    const [e] = ct.list();
    expect(e!.orig).not.toHaveProperty('packets');
    expect(ct.view(ct.in(udp('10.0.0.2', 40003, '10.0.0.1', 53, 'x'), { hook: 'PREROUTING', nowMs: 2 }))!.counters).toBeUndefined();
  });
});
