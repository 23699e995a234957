// pattern: Functional Core
// A probe's packets as journeys: the walk log lists one packet per host
// (a datagram forwarded by a router is three packets: sender, router,
// receiver, linked by `from` and `receivedBy`). A journey is a packet a host
// made and every copy the next hosts received, so a goal can say "the SYN"
// or "the SYN-ACK" and read it at any host it reached.

import type { PacketView, WalkLog, WalkStep } from '../engine/walk-log';
import type { HeaderView } from '../engine/sim/header-view';
import type { PacketPick } from './types';

export interface Journey {
  /** the packet a host made */
  root: PacketView;
  /** the root and every copy received after it, in the order they were received */
  packets: PacketView[];
}

function firstHeaders(log: WalkLog, p: PacketView): HeaderView {
  return log.steps[p.firstStep]!.headers;
}

/** The answer to `a`: addresses and ports swapped (a reply over lo, which starts on the sender's own host). */
function answers(b: HeaderView, a: HeaderView): boolean {
  return b.src === a.dst && b.dst === a.src && b.sport === a.dport && b.dport === a.sport && b.proto === a.proto;
}

/**
 * The probe's journeys of one direction, in the order their roots were made.
 * `sender` is the probe's `from` host.
 */
export function journeys(log: WalkLog, probe: number, sender: string, reply: boolean): Journey[] {
  const byId = new Map(log.packets.map((p) => [p.id, p]));
  const roots = log.packets.filter((p) => p.step === probe && p.from === null).sort((a, b) => a.id - b.id);
  const firstRequest = roots.find((p) => p.host === sender);
  const isReply = (p: PacketView) => p.host !== sender || (firstRequest !== undefined && p !== firstRequest && answers(firstHeaders(log, p), firstHeaders(log, firstRequest)));
  return roots
    .filter((p) => isReply(p) === reply)
    .map((root) => {
      const packets: PacketView[] = [];
      const queue = [root];
      const seen = new Set<number>();
      while (queue.length) {
        const p = queue.shift()!;
        if (seen.has(p.id)) continue;
        seen.add(p.id);
        packets.push(p);
        for (const r of p.receivedBy) {
          const next = byId.get(r.packet);
          if (next) queue.push(next);
        }
      }
      return { root, packets };
    });
}

/** The journey a pick names, or null when the probe made fewer. */
export function pickJourney(log: WalkLog, pick: PacketPick, sender: string): Journey | null {
  return journeys(log, pick.probe, sender, pick.reply ?? false)[(pick.nth ?? 1) - 1] ?? null;
}

/** The journey's packets the pick looks at: the one at pick.host, or all of them. */
export function pickedPackets(j: Journey, pick: PacketPick): PacketView[] {
  return pick.host === undefined ? j.packets : j.packets.filter((p) => p.host === pick.host);
}

/** The packet's own steps in the walk, first to last (its `end` step last). */
export function packetSteps(log: WalkLog, p: PacketView): WalkStep[] {
  return log.steps.slice(p.firstStep, p.lastStep + 1);
}

/** Where a journey stopped: the end steps of the packets nobody received. */
export function journeyEnds(log: WalkLog, j: Journey): (WalkStep & { kind: 'end' })[] {
  return j.packets.filter((p) => p.receivedBy.length === 0).map((p) => log.steps[p.lastStep] as WalkStep & { kind: 'end' });
}
