// pattern: Imperative Shell
// The inspection every step panel shows (inspector, conntrack, routing and
// neighbours) comes from one follower per client (state/step-inspection.ts):
// three panels with a follower each would ask the worker three times for
// the same step, since none of them would see the others' answer in the
// cache until it arrived. The follower supersedes a stale step's request,
// so a held arrow key asks for the step it stops at, not every step between.
//
// A step change asks at once, from the playback store's own notification
// (in the click's task), not from an effect after the panels' render: the
// panels render behind the flow graph (usePanelStep), and by the time they
// do the answer is often there, so they render the step once instead of
// first as loading. The effect still asks for whatever the panels show (a
// new walk, the first step), which the follower never asks twice.

import { useEffect, useSyncExternalStore } from 'react';
import type { EngineClient } from '../../worker/client';
import type { StepInspection } from '../../worker/protocol';
import { useDeps } from '../shell/context';
import type { Stores } from '../state/walk-store';
import { followStepInspection, inspectionCacheOf, type InspectionView, type StepInspectionFollower, type WalkRef } from '../state/step-inspection';

export interface PanelInspections {
  view: InspectionView;
  listeners: Set<() => void>;
  follower: StepInspectionFollower;
  /** the latest answer for the step that was on screen, per client */
  last: { walk: WalkRef; inspection: StepInspection } | null;
  /** the last view a panel read of its own step (panelView): what it keeps reading while the follower is on the next step */
  held: { walk: WalkRef; step: number; view: InspectionView } | null;
  /** the stores whose step changes the follower hears of */
  followed: WeakSet<Stores>;
  /** one function for every render, so React never subscribes again */
  subscribe: (listener: () => void) => () => void;
}

const shared = new WeakMap<EngineClient, PanelInspections>();

/**
 * The panels' shared follower of one client, following the step changes of
 * `stores` from the first call on.
 */
export function panelInspections(client: EngineClient, stores: Stores): PanelInspections {
  let s = shared.get(client);
  if (!s) {
    const listeners = new Set<() => void>();
    const made: PanelInspections = {
      view: { status: 'idle' },
      listeners,
      last: null,
      held: null,
      followed: new WeakSet(),
      subscribe: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      follower: followStepInspection(client, inspectionCacheOf(client), (v) => {
        made.view = v;
        for (const l of listeners) l();
      }),
    };
    shared.set(client, (s = made));
  }
  if (!s.followed.has(stores)) {
    s.followed.add(stores);
    const follower = s.follower;
    // a step of the same walk: a new walk is asked for by the panels' effect, which sees walk and step together
    stores.playback.subscribe((p, prev) => {
      if (p.index !== prev.index) follower.show(stores.walk.getState().walk, p.index);
    });
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

/** What a panel reads while the view is of another step than its own: always this one object, so it re-renders for nothing. */
export const OTHER: InspectionView = { status: 'idle' };

/**
 * The view of step `index` of `walk`. While the follower is already on a
 * step the panel does not show yet (the graph's, ahead of the panels, which
 * follow once the graph's frame is painted), the panel reads the very view
 * it last read of its own step, or OTHER: nothing re-renders it in the
 * frame that paints the step.
 */
export function panelView(s: PanelInspections, walk: WalkRef | null, index: number): InspectionView {
  const v = s.view;
  if (v.status !== 'idle' && walk && same(walk, v.walk) && v.step === index) {
    if (s.held?.view !== v) s.held = { walk, step: index, view: v };
    return v;
  }
  const h = s.held;
  return h && walk && same(walk, h.walk) && h.step === index ? h.view : OTHER;
}

/**
 * The step inspection of step `index` of `walk` (the panels' step,
 * usePanelStep), shared by the step panels.
 *
 * @example
 * const { walk, index } = usePanelStep();
 * const { current, shown, status } = useStepPanelsInspection(walk, index);
 */
export function useStepPanelsInspection(walk: WalkRef | null, index: number): PanelInspection {
  const { client, stores } = useDeps();
  const s = panelInspections(client, stores);
  const mine = () => panelView(s, walk, index);
  const view = useSyncExternalStore(
    s.subscribe,
    mine,
    // a server render (the first paint's HTML, App.test.ts) has no inspection yet
    mine,
  );
  useEffect(() => s.follower.show(walk, index), [s, walk, index]);
  const ready = view.status === 'ready' ? view.inspection : null;
  if (ready && walk) s.last = { walk, inspection: ready };
  const shown = ready ?? (s.last && same(walk, s.last.walk) ? s.last.inspection : null);
  const status = view !== OTHER ? view.status : walk && index >= 0 ? 'loading' : 'idle';
  return { current: ready, shown, status };
}
