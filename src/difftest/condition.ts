// pattern: Functional Core
// Keeping kernel timers out of generated cases. The oracle's steps are
// short (0.5 s timeouts, 0.25 s of quiet) so that nothing a timer sends
// lands among a later step's packets (REPORT.md §6). A generated case can
// still start two such timers, whose packets then land in whichever step is
// running, at a moment that depends on how long the harness took:
//   - a listener's SYN/ACK nobody acknowledged, sent again 1 s, 3 s, 7 s …
//     later: that host gets `net.ipv4.tcp_synack_retries=0`, so the
//     half-open connection simply expires;
//   - packets queued for a neighbour that never answers ARP, dropped with an
//     ICMP host unreachable when the probes run out (~3 s): that interface
//     gets `net.ipv4.neigh.IF.retrans_time_ms=100000`, so the probes outlast
//     the run and the packets just wait.
//   - a segment or FIN nobody acknowledged (a firewall dropped it or its
//     ACK), sent again from 200 ms on, or sooner as a tail loss probe: that
//     host gets `net.ipv4.tcp_rto_min_us=120000000` and
//     `net.ipv4.tcp_early_retrans=0`, so the retransmission timer outlasts
//     the run and no probe goes out before it.
// All are settings an administrator may use. The engine says which hosts
// and interfaces (its pending-timer findings, src/engine/sim/pending-timers.ts).

import type { CaseJson } from './case-json';

export const NO_SYNACK_RETRIES = 'sysctl -w net.ipv4.tcp_synack_retries=0';
export const NO_EARLY_RETRANSMISSION = ['sysctl -w net.ipv4.tcp_rto_min_us=120000000', 'sysctl -w net.ipv4.tcp_early_retrans=0'];
export const slowNeighbourProbes = (iface: string) => `sysctl -w net.ipv4.neigh.${iface}.retrans_time_ms=100000`;

export interface TimerFinding {
  host: string;
  subject: string;
  iface?: string;
}

/** The case with the timers `found` switched off; the same object when there is nothing to do. */
export function withoutTimers(c: CaseJson, found: readonly TimerFinding[]): CaseJson {
  const add = new Map<string, string[]>();
  for (const t of found) {
    const lines =
      t.subject === 'SYN/ACK retransmission'
        ? [NO_SYNACK_RETRIES]
        : t.subject === 'TCP retransmission'
          ? NO_EARLY_RETRANSMISSION
          : t.subject === 'neighbour resolution failure' && t.iface && t.iface !== 'lo'
            ? [slowNeighbourProbes(t.iface)]
            : [];
    const h = c.hosts.find((x) => x.name === t.host);
    if (!h) continue;
    for (const line of lines) {
      if (h.setup.includes(line) || add.get(t.host)?.includes(line)) continue;
      add.set(t.host, [...(add.get(t.host) ?? []), line]);
    }
  }
  if (!add.size) return c;
  const why = [...add.entries()].map(([h, ls]) => `${h}: ${ls.map((l) => l.replace('sysctl -w net.ipv4.', '')).join(', ')}`).join('; ');
  return {
    ...c,
    description: `${c.description ?? ''} [kernel timers kept out of the steps: ${why}]`.trim(),
    hosts: c.hosts.map((h) => (add.has(h.name) ? { ...h, setup: [...h.setup, ...add.get(h.name)!] } : h)),
  };
}
