// pattern: Functional Core
// The timeline of the traffic a walk holds, one row per traffic step (a
// connection, a ping, a hand-made packet): what was sent, what the sending
// program saw (the oracle's result words, FORMAT.md §2.1), and which real
// server IPVS chose for it — so a scheduler lesson reads as a list: rr sent
// connection 1 to .13, 2 to .12, 3 to .11. Rows come from the walk log as
// the engine made it; nothing here decides what the kernel would do.

import type { WalkLog } from '../../engine/walk-log';
import type { MessageKey } from '../i18n/i18n';

export interface TrafficRow {
  /** the traffic step, 1-based */
  n: number;
  /** "client: tcp 10.0.0.100:80", as the engine words it */
  action: string;
  /** the sender's local address and port, when the result has one */
  local: string | null;
  outcome: { key: MessageKey; params?: Record<string, string> };
  /** the real servers IPVS scheduled for it, in walk order */
  servers: string[];
  firstStep: number;
  lastStep: number;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

/** The sender's outcome in the app's words; an errno (ECONNREFUSED) stays as the kernel names it. */
export function outcomeOf(result: Record<string, unknown>): TrafficRow['outcome'] {
  const connect = str(result.connect);
  if (connect !== null) return connect === 'established' ? { key: 'traffic.connected' } : connect === 'timeout' ? { key: 'traffic.timeout' } : { key: 'traffic.failed', params: { error: connect } };
  switch (str(result.result)) {
    case 'reply':
      return { key: 'traffic.reply' };
    case 'timeout':
      return { key: 'traffic.timeout' };
    case 'sent':
      return { key: 'traffic.sent' };
    case 'icmp_error':
      return { key: 'traffic.icmpError', params: { from: str(result.from) ?? '?' } };
    default:
      return { key: 'traffic.failed', params: { error: str(result.error) ?? str(result.result) ?? '?' } };
  }
}

export function trafficRows(log: WalkLog): TrafficRow[] {
  return log.scenarioSteps.map((s) => {
    const servers: string[] = [];
    // a step that sent nothing (a ping refused by routing) has no walk steps: firstStep and lastStep are -1
    for (let i = Math.max(0, s.firstStep); i <= s.lastStep && i < log.steps.length; i++) {
      const step = log.steps[i]!;
      if (step.kind === 'note' && step.note.kind === 'ipvs' && step.note.scheduled && step.note.server !== null) servers.push(step.note.server);
    }
    return { n: s.n, action: s.action, local: str(s.result.local), outcome: outcomeOf(s.result), servers, firstStep: s.firstStep, lastStep: s.lastStep };
  });
}

/** The row whose steps hold `index`, or null. */
export function rowAt(rows: readonly TrafficRow[], index: number): number | null {
  const k = rows.findIndex((r) => index >= r.firstStep && index <= r.lastStep);
  return k < 0 ? null : rows[k]!.n;
}
