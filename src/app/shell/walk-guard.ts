// pattern: Imperative Shell
// The crash guard. A scenario whose walk killed the tab (2^30 rule visits,
// gigabytes of memory) is saved 400 ms after it opens, so the next visit
// would run it again and die again. Before each walk of the shown scenario
// starts, a mark naming it goes into localStorage; the answer removes it. A
// mark still there at start-up means the last visit never got its answer
// (the tab crashed, was closed in despair, or the watchdog stopped the walk):
// if the scenario about to be walked is that one, its hosts and rules are
// shown but its traffic is held back, and the user chooses — send its
// traffic step by step, send all of it, or discard the scenario.
//
// It wraps the engine client, so it sees exactly the walks the page shows
// (those with `supersede: 'walk'`, and the walk an edit brings back with
// it) whatever started them: the autosave, a link, an edit.

import type { StoreApi } from 'zustand/vanilla';
import { BUILT_IN } from '../../scenarios/built-in';
import type { Case, CaseStep } from '../../engine/scenario/case';
import type { CallOptions, EngineClient, EngineRestart } from '../../worker/client';
import { isEngineFailure } from '../../worker/failure';
import type { KeyValueStore } from '../state/autosave';
import { createGuardStore, type GuardState, type HeldWalk } from '../state/guard-state';
import { loadScenario, simulate, type Stores } from '../state/walk-store';

export const RUNNING_KEY = 'packetwalk.walk-running.v1';

/** The `supersede` key of the walk the page shows. */
export const WALK = 'walk';

export type { GuardState, HeldWalk };

export interface WalkGuard {
  client: EngineClient;
  state: StoreApi<GuardState>;
}

interface Mark {
  fp: string;
  at: string;
}

/**
 * A cheap name for a scenario: FNV-1a over its JSON, two 32-bit lanes.
 * Two scenarios with the same name would only make the guard hold back a
 * walk that would have been fine, never run a crashing one.
 */
export function fingerprint(scenario: unknown): string {
  const s = JSON.stringify(scenario) ?? '';
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 16777619);
    b = Math.imul(b ^ c, 2246822519);
  }
  return `${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}.${s.length.toString(36)}`;
}

function readMark(storage: KeyValueStore | null): Mark | null {
  try {
    const raw = storage?.getItem(RUNNING_KEY) ?? null;
    if (raw === null) return null;
    const m = JSON.parse(raw) as Partial<Mark>;
    return typeof m.fp === 'string' ? { fp: m.fp, at: String(m.at ?? '') } : null;
  } catch {
    return null;
  }
}

function writeMark(storage: KeyValueStore | null, fp: string): void {
  try {
    storage?.setItem(RUNNING_KEY, JSON.stringify({ fp, at: new Date().toISOString() }));
  } catch {
    // full or forbidden storage: nothing is saved then either, so nothing can come back to crash
  }
}

function clearMark(storage: KeyValueStore | null, fp: string): void {
  try {
    if (readMark(storage)?.fp === fp) storage?.removeItem(RUNNING_KEY);
  } catch {
    /* as above */
  }
}

/** What names a lab's scenario for the mark: its name and hosts (the whole case can be megabytes to hash). */
function caseName(c: Case): { name: string; hosts: string[] } {
  return { name: c.name, hosts: c.hosts.map((h) => h.name) };
}

/**
 * The mark of a walk: the scenario's name and hosts and the traffic walked.
 * An edited rule keeps the mark (a crash by a rule the user just added is
 * still held back); a false match only holds back a walk that was fine.
 */
export function walkMark(scenario: Case, traffic: readonly CaseStep[]): string {
  return fingerprint({ scenario: caseName(scenario), steps: traffic });
}

/** The mark of the last visit is read once, here, before anything is walked. */
export function guardWalks(inner: EngineClient, storage: KeyValueStore | null): WalkGuard {
  const state = createGuardStore();
  let boot: Mark | null = readMark(storage);
  const names = new Map<number, { name: string; hosts: string[] }>();

  /** Mark a walk of `traffic` before it starts: the traffic to walk (none of a held one beyond what was sent), and whether it is held. */
  const begin = (lab: number, traffic: CaseStep[]) => {
    const fp = fingerprint({ scenario: names.get(lab) ?? null, steps: traffic });
    if (boot) {
      if (boot.fp === fp && traffic.length > 0) state.setState({ held: { steps: JSON.stringify(traffic), total: traffic.length, sent: 0 } });
      boot = null;
    }
    const held = state.getState().held;
    if (held && JSON.stringify(traffic) !== held.steps) state.setState({ held: null });
    const still = state.getState().held;
    // while held, the mark follows the edits: a reload still does not send the traffic
    writeMark(storage, fp);
    return { fp, held: still !== null, traffic: still ? traffic.slice(0, still.sent) : traffic };
  };
  /** The answer came: the mark goes, unless the walk was stopped for running away. */
  const settled = <T>(fp: string, answer: Promise<T>): Promise<T> =>
    answer.then(
      (r) => {
        clearMark(storage, fp);
        return r;
      },
      (e: unknown) => {
        // a walk stopped by the watchdog or a dead worker stays marked: a reload must not run it again
        if (!(isEngineFailure(e) && (e.kind === 'timeout' || e.kind === 'crashed' || e.kind === 'out-of-memory'))) clearMark(storage, fp);
        throw e;
      },
    );

  const walk = (lab: number, traffic: CaseStep[], keep: boolean, opts: CallOptions) => {
    const w = begin(lab, traffic);
    if (w.held) return inner.send(lab, w.traffic, keep, opts);
    return settled(w.fp, inner.send(lab, w.traffic, keep, opts));
  };

  /** An edit that brings its walk back (client.edit's `walk`) is a walk the page shows like any other. */
  const editAndWalk: EngineClient['edit'] = (lab, host, texts, mode, opts = {}) => {
    if (!opts.walk || opts.walk.traffic === null) return inner.edit(lab, host, texts, mode, opts);
    const w = begin(lab, opts.walk.traffic);
    const answer = inner.edit(lab, host, texts, mode, { ...opts, walk: { traffic: w.traffic } });
    return w.held ? answer : settled(w.fp, answer);
  };

  const client: EngineClient = {
    ...inner,
    open: async (caseJson, opts) => {
      const r = await inner.open(caseJson, opts);
      if (r.ok) names.set(r.lab, caseName(caseJson));
      return r;
    },
    replace: async (lab, caseJson, opts) => {
      const r = await inner.replace(lab, caseJson, opts);
      if (r.ok) names.set(lab, caseName(caseJson));
      return r;
    },
    send: (lab, traffic, keep, opts = {}) => (opts.supersede === WALK && traffic !== null ? walk(lab, traffic, keep, opts) : inner.send(lab, traffic, keep, opts)),
    edit: editAndWalk,
  };
  return { client, state };
}

/** Send one more of the held traffic steps (all sent: the hold ends). */
export function sendNextHeldStep(guard: WalkGuard, stores: Stores, client: EngineClient): Promise<void> {
  const held = guard.state.getState().held;
  if (!held) return Promise.resolve();
  if (held.sent + 1 >= held.total) return sendAllHeld(guard, stores, client);
  guard.state.setState({ held: { ...held, sent: held.sent + 1 } });
  return simulate(stores, client);
}

export function sendAllHeld(guard: WalkGuard, stores: Stores, client: EngineClient): Promise<void> {
  guard.state.setState({ held: null });
  return simulate(stores, client);
}

/** Put the built-in scenario in its place; the mark goes with it. */
export function discardHeld(guard: WalkGuard, stores: Stores, client: EngineClient): Promise<void> {
  guard.state.setState({ held: null });
  return loadScenario(stores, client, structuredClone(BUILT_IN));
}

export function noteRestart(guard: WalkGuard, restart: EngineRestart): void {
  // a cancellation is the page's own doing (a newer walk, a closed view): nothing to tell
  if (restart.reason !== 'cancelled') guard.state.setState({ restart });
}

export function dismissRestart(guard: WalkGuard): void {
  guard.state.setState({ restart: null });
}

export const selectHeld = (s: GuardState) => s.held;
export const selectRestart = (s: GuardState) => s.restart;
