// pattern: Imperative Shell
// The neighbour table as steps of a packet's walk: the ARP request a packet
// starts, the queue it waits in, the reply that lets it leave, and the
// failure when the probes run out while the step waits (EHOSTUNREACH's
// ICMP host unreachable). Scenarios are cut-down oracle cases (named) so
// the expectation is the kernel's.

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';
import { walkLog } from '../walk-log';
import type { PacketRecord } from './record';

function run(c: Record<string, unknown>) {
  const r = runCase({ name: 'neigh-walk', ...c });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.world;
}

const arpNotes = (r: PacketRecord) => r.notes.flatMap((n) => (n.kind === 'arp' ? [`${n.op} ${n.target}${n.lladdr ? ` ${n.lladdr}` : ''}${n.sender ? ` tell ${n.sender}` : ''}`] : []));

/** neigh-01's switch, pinging the same neighbour twice */
const lan = {
  hosts: [
    { name: 'alpha', setup: ['ip addr add 10.20.0.1/24 dev eth0'] },
    { name: 'beta', setup: ['ip addr add 10.20.0.2/24 dev eth0'] },
  ],
  switches: [{ name: 'lan', ports: ['alpha:eth0', 'beta:eth0'] }],
  steps: [
    { from: 'alpha', ping: '10.20.0.2' },
    { from: 'alpha', ping: '10.20.0.2' },
  ],
};

describe('ARP as steps of the walk', () => {
  it('the first packet to an unknown neighbour shows the request and the reply; the next finds the entry', () => {
    const w = run(lan);
    const [first, , , second] = w.records.filter((r) => r.host === 'alpha' || r.host === 'beta');
    expect(first!.host).toBe('alpha');
    expect(arpNotes(first!)).toEqual(['request 10.20.0.2 tell 10.20.0.1', 'reply 10.20.0.2 02:00:00:00:02:01']);
    // beta learned alpha from the request (neigh_event_ns): its echo reply needs no ARP
    const replies = w.records.filter((r) => r.host === 'beta' && r.origin === 'local');
    expect(replies.map(arpNotes)).toEqual([[], []]);
    expect(arpNotes(second!)).toEqual([]);
  });

  it('the ARP steps light the interface the packet leaves by, after its transmit step', () => {
    const log = walkLog(run(lan));
    const first = log.steps[0]!.packet;
    const steps = log.steps.filter((s) => s.kind === 'note' && s.packet === first);
    const kinds = steps.map((s) => (s.kind === 'note' ? `${s.note.kind}@${s.node}` : ''));
    expect(kinds.slice(-3)).toEqual(['transmit@iface-out', 'arp@iface-out', 'arp@iface-out']);
  });

  it('the neighbour table after the packet shows the entry it resolved as REACHABLE', () => {
    const w = run(lan);
    const first = w.records.find((r) => r.host === 'alpha')!;
    expect(first.neighBefore).toEqual([]);
    expect(first.neighAfter).toEqual([{ dev: 'eth0', addr: '10.20.0.2', lladdr: '02:00:00:00:02:01', state: 'REACHABLE' }]);
  });
});

/** neigh-03/04: nobody holds the address */
const unanswered = (timeout: number) => ({
  hosts: [
    { name: 'alpha', setup: ['ip addr add 192.0.2.1/24 dev eth0'] },
    { name: 'beta', setup: ['ip addr add 192.0.2.2/24 dev eth0'] },
  ],
  links: [['alpha:eth0', 'beta:eth0']],
  steps: [{ from: 'alpha', ping: '192.0.2.77', timeout }],
});

describe('a failed resolution', () => {
  it('a ping that waits past the three probes gets an ICMP host unreachable from its own host (neigh-04)', () => {
    const w = run(unanswered(4));
    const ping = w.records[0]!;
    expect(arpNotes(ping)).toEqual(['request 192.0.2.77 tell 192.0.2.1', 'failed 192.0.2.77']);
    expect(ping.dropCause).toBe('neigh-failed');
    expect(ping.response?.kind).toBe('icmp');
    expect(w.stepOutcomes[0]!.result).toMatchObject({ result: 'icmp_error', type: 3, code: 1, from: '192.0.2.1' });
    expect(ping.neighAfter).toEqual([{ dev: 'eth0', addr: '192.0.2.77', lladdr: null, state: 'FAILED' }]);
  });

  it('a ping that gives up before the probes run out leaves the packet waiting, INCOMPLETE (p58)', () => {
    const w = run(unanswered(0.5));
    const ping = w.records[0]!;
    expect(arpNotes(ping)).toEqual(['request 192.0.2.77 tell 192.0.2.1']);
    expect(ping.dropCause).toBe('neigh-unresolved');
    expect(w.stepOutcomes[0]!.result).toEqual({ result: 'timeout' });
  });

  it('the probes last mcast_solicit × retrans_time_ms: fewer probes fail within a shorter wait', () => {
    const c = unanswered(1.5);
    c.hosts[0]!.setup.push('sysctl -w net.ipv4.neigh.eth0.mcast_solicit=1');
    expect(run(c).stepOutcomes[0]!.result).toMatchObject({ result: 'icmp_error', code: 1 });
    expect(run(unanswered(1.5)).stepOutcomes[0]!.result).toEqual({ result: 'timeout' });
  });

  it('the step after a long wait starts later: the clock never runs backwards', () => {
    const c = { ...unanswered(4), steps: [{ from: 'alpha', ping: '192.0.2.77', timeout: 4 }, { from: 'alpha', ping: '192.0.2.2' }] };
    const w = run(c);
    expect(w.nowMs).toBeGreaterThanOrEqual(3000);
    expect(w.stepOutcomes[1]!.result).toMatchObject({ result: 'reply' });
  });
});
