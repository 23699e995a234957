// pattern: Functional Core
// "Look here" notes point at a moment of a walk by what a reader would say
// ("on the router, in step 1, where nat PREROUTING sees the third packet"),
// not by a walk-step index: indices move whenever the engine learns to show
// one more note, descriptions stay true as long as the kernel's behaviour does.

import type { WalkLog, WalkStep } from '../engine/walk-log';
import type { WalkNote } from '../engine/sim/record';

export interface I18nText {
  en: string;
  zh: string;
}

/** Where in a packet's walk: a chain (table:chain, built-in or user), a note of the walk, or its end. */
export type LookHereAt =
  | { chain: `${string}:${string}` }
  | { note: WalkNote['kind']; stage?: 'input' | 'output' | 'reroute' }
  | { end: true };

export interface LookHere {
  /** scenario step, 1-based */
  step: number;
  /** the host the packet is in */
  host: string;
  /** the n-th packet this host handles in this scenario step, 1-based (default 1) */
  packet?: number;
  at: LookHereAt;
  text: I18nText;
}

function matches(s: WalkStep, at: LookHereAt): boolean {
  if ('chain' in at) return s.kind === 'rule' && `${s.table}:${s.chain}` === at.chain;
  if ('note' in at) return s.kind === 'note' && s.note.kind === at.note && (at.stage === undefined || (s.note.kind === 'route' && s.note.stage === at.stage));
  return s.kind === 'end';
}

/** The walk-step index a note points at, or null when the walk has no such moment. */
export function resolveLookHere(log: WalkLog, note: Pick<LookHere, 'step' | 'host' | 'packet' | 'at'>): number | null {
  const packets = log.packets.filter((p) => p.step === note.step && p.host === note.host);
  const p = packets[(note.packet ?? 1) - 1];
  if (!p) return null;
  for (let i = p.firstStep; i <= p.lastStep; i++) {
    const s = log.steps[i];
    if (s && matches(s, note.at)) return i;
  }
  return null;
}
