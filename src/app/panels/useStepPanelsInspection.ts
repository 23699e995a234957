// pattern: Imperative Shell
// The inspection every step panel shows (inspector, conntrack, routing and
// neighbours) comes from one follower per client (state/step-inspection.ts):
// three panels with a follower each would ask the worker three times for
// the same step, since none of them would see the others' answer in the
// cache until it arrived. The follower supersedes a stale step's request,
// so a held arrow key asks for the step it stops at, not every step between.

import { useEffect, useSyncExternalStore } from 'react';
import { useStore } from 'zustand';
import type { EngineClient } from '../../worker/client';
import type { StepInspection } from '../../worker/protocol';
import { useDeps } from '../shell/context';
import { selectIndex, selectWalkId } from '../state/walk-store';
import { followStepInspection, inspectionCacheOf, type InspectionView, type StepInspectionFollower, type WalkRef } from '../state/step-inspection';

interface Shared {
  view: InspectionView;
  listeners: Set<() => void>;
  follower: StepInspectionFollower;
  /** the latest answer for the step that was on screen, per client */
  last: { walk: WalkRef; inspection: StepInspection } | null;
}

const shared = new WeakMap<EngineClient, Shared>();

function sharedOf(client: EngineClient): Shared {
  let s = shared.get(client);
  if (!s) {
    const listeners = new Set<() => void>();
    const made: Shared = {
      view: { status: 'idle' },
      listeners,
      last: null,
      follower: followStepInspection(client, inspectionCacheOf(client), (v) => {
        made.view = v;
        for (const l of listeners) l();
      }),
    };
    shared.set(client, (s = made));
  }
  return s;
}

/** What a panel shows for the step on screen. */
export interface PanelInspection {
  /** the inspection of the step on screen; null while it is on its way, or when it failed */
  current: StepInspection | null;
  /** the latest inspection shown, kept while the next step's is on its way so a panel keeps its shape */
  shown: StepInspection | null;
  status: InspectionView['status'];
}

const same = (a: WalkRef | null, b: WalkRef) => a !== null && a.lab === b.lab && a.walk === b.walk;

/**
 * The step inspection of the playback's step, shared by the step panels.
 *
 * @example
 * const { current, shown, status } = useStepPanelsInspection();
 */
export function useStepPanelsInspection(): PanelInspection {
  const { stores, client } = useDeps();
  const walk = useStore(stores.walk, selectWalkId);
  const index = useStore(stores.playback, selectIndex);
  const s = sharedOf(client);
  const view = useSyncExternalStore(
    (l) => {
      s.listeners.add(l);
      return () => s.listeners.delete(l);
    },
    () => s.view,
    // a server render (the first paint's HTML, App.test.ts) has no inspection yet
    () => s.view,
  );
  useEffect(() => s.follower.show(walk, index), [s, walk, index]);
  const ready = view.status === 'ready' && same(walk, view.walk) && view.step === index ? view.inspection : null;
  if (ready && walk) s.last = { walk, inspection: ready };
  const shown = ready ?? (s.last && same(walk, s.last.walk) ? s.last.inspection : null);
  const status = view.status !== 'idle' && walk && same(walk, view.walk) && view.step === index ? view.status : walk && index >= 0 ? 'loading' : 'idle';
  return { current: ready, shown, status };
}
