// pattern: Functional Core
// Where the walk on screen stands, said in words that survive a re-walk.
// An edit, undo or redo walks the traffic again from scratch, so step
// indexes and packet ids of the new walk need not mean what they meant: a
// DROP rule earlier in the path removes steps, a LOG rule adds some, a
// dropped SYN takes its SYN/ACK with it. A place is therefore named by what
// the user sees: the traffic step (the connection), which of its packets on
// which host, the graph node, and how many times that packet had already
// been at that node.
//
// The new walk "still has" the place when that same packet of that same
// connection, on that host, reaches that node that many times. When it does
// not (the edit stops the packet earlier), the packet's own end is shown:
// its fate is what the edit changed. When the packet is gone altogether (an
// earlier drop means it is never sent), the connection's first step; else
// the walk's first step.

import type { GraphNode, WalkLog } from '../../engine/walk-log';

export interface StepPlace {
  /** the traffic step (1-based, WalkStep.scenarioStep) */
  scenarioStep: number;
  /** which packet of that traffic step on that host: 0 for its first one there */
  packet: number;
  host: string;
  node: GraphNode;
  /** how many earlier steps of this packet were at `node` */
  visit: number;
}

/** The packets of one traffic step on one host, in the order the walk made them. */
function packetsOf(log: WalkLog, scenarioStep: number, host: string): number[] {
  return log.packets.filter((p) => p.step === scenarioStep && p.host === host).map((p) => p.id);
}

/** The steps of one packet, in order (a packet's steps are `firstStep..lastStep`, others may sit between). */
function stepsOf(log: WalkLog, packet: number): number[] {
  const p = log.packets.find((x) => x.id === packet);
  if (!p) return [];
  const out: number[] = [];
  for (let i = p.firstStep; i <= p.lastStep && i < log.steps.length; i++) if (log.steps[i]!.packet === packet) out.push(i);
  return out;
}

/** The place of step `index` of `log`; null before the first step. */
export function stepPlace(log: WalkLog | null, index: number): StepPlace | null {
  const step = log && index >= 0 ? log.steps[index] : undefined;
  if (!log || !step) return null;
  const packet = packetsOf(log, step.scenarioStep, step.host).indexOf(step.packet);
  if (packet < 0) return null;
  let visit = 0;
  for (const i of stepsOf(log, step.packet)) {
    if (i >= index) break;
    if (log.steps[i]!.node === step.node) visit++;
  }
  return { scenarioStep: step.scenarioStep, packet, host: step.host, node: step.node, visit };
}

/** The step of `log` at `place`, or the nearest stand-in (see the header); 0 when the walk has nothing of it, -1 for an empty walk. */
export function findPlace(log: WalkLog, place: StepPlace | null): number {
  if (log.steps.length === 0) return -1;
  if (!place) return 0;
  const id = packetsOf(log, place.scenarioStep, place.host)[place.packet];
  if (id !== undefined) {
    const steps = stepsOf(log, id);
    let seen = 0;
    for (const i of steps) {
      if (log.steps[i]!.node !== place.node) continue;
      if (seen++ === place.visit) return i;
    }
    if (steps.length) return steps[steps.length - 1]!;
  }
  const connection = log.scenarioSteps.find((s) => s.n === place.scenarioStep);
  return connection && connection.firstStep < log.steps.length ? connection.firstStep : 0;
}
