// pattern: Functional Core
// Keeping kernel timers out of generated cases. The oracle's steps are
// short (0.5 s timeouts, 0.25 s of quiet) so that nothing a timer sends
// lands among a later step's packets (REPORT.md §6). A generated case can
// still leave a listener with a SYN/ACK nobody acknowledged: Linux sends it
// again 1 s, 3 s, 7 s … later, into whichever step is running by then, at a
// moment that depends on how long the harness took. Such a case is made
// deterministic the way an administrator would: that host gets
// `net.ipv4.tcp_synack_retries=0`, so the half-open connection simply expires.
// The engine says which hosts would retransmit (its pending-timer findings).

import type { CaseJson } from './case-json';

export const NO_SYNACK_RETRIES = 'sysctl -w net.ipv4.tcp_synack_retries=0';

/** The case with SYN/ACK retransmission switched off on `hosts`; the same object when there is nothing to do. */
export function withoutSynAckRetries(c: CaseJson, hosts: readonly string[]): CaseJson {
  const todo = c.hosts.filter((h) => hosts.includes(h.name) && !h.setup.includes(NO_SYNACK_RETRIES));
  if (!todo.length) return c;
  return {
    ...c,
    description: `${c.description ?? ''} [tcp_synack_retries=0 on ${todo.map((h) => h.name).join(', ')}: a SYN/ACK nobody acknowledged would come again later, at a moment that depends on the harness]`.trim(),
    hosts: c.hosts.map((h) => (todo.includes(h) ? { ...h, setup: [...h.setup, NO_SYNACK_RETRIES] } : h)),
  };
}
