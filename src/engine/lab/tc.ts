// pattern: Functional Core
// What `tc -s qdisc show` counts as of the step on screen: the frames the
// host's egress qdiscs took up to that step (the walk's qdisc notes), at
// the walk's clock then — the step's own moment, or the last frame's. At
// the walk's last step every held frame has left (the walk followed each
// on at once, so the next hosts' counters already have them): the moment
// is then the last frame's departure.

import type { TcTraffic } from '../tc/tc';
import type { Arrival } from '../tc/shaper';
import type { InspectableWalk } from './inspect';

export function tcTrafficAt(ctx: { host: string; walk: (InspectableWalk & { asOf: number }) | null }): TcTraffic | null {
  const walk = ctx.walk;
  if (!walk) return null;
  const byDev = new Map<string, Arrival[]>();
  let nowMs = 0;
  const last = Math.min(walk.asOf, walk.log.steps.length - 1);
  for (let i = 0; i <= last; i++) {
    const s = walk.log.steps[i]!;
    nowMs = Math.max(nowMs, (s.scenarioStep - 1) * 1000);
    if (s.kind !== 'note' || s.note.kind !== 'qdisc' || s.host !== ctx.host) continue;
    const list = byDev.get(s.note.dev) ?? [];
    byDev.set(s.note.dev, list);
    list.push({ at: s.note.arrivedMs * 1e6, len: s.note.len });
    nowMs = Math.max(nowMs, s.note.arrivedMs);
  }
  if (walk.asOf >= walk.log.steps.length - 1) {
    for (const s of walk.log.steps) if (s.kind === 'note' && s.note.kind === 'qdisc' && s.host === ctx.host && s.note.leftMs !== null) nowMs = Math.max(nowMs, s.note.leftMs);
  }
  return { arrivals: (dev) => byDev.get(dev) ?? [], now: nowMs * 1e6 };
}
