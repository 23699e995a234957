// pattern: Imperative Shell
// The step inspection a panel renders (step-inspection.ts), as a hook: the
// walk comes from the walk store, the step from the caller or the playback
// index. The requests, their superseding and the cache are the follower's;
// this file only ties one follower to a component's life.

import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { useDeps } from '../shell/context';
import { selectIndex, selectWalkId } from './walk-store';
import { followStepInspection, inspectionCacheOf, type InspectionView, type StepInspectionFollower } from './step-inspection';

/**
 * The inspection of step `step` of the walk on screen. The view says which
 * walk and step it is of: until the answer for a new step arrives it is
 * `loading` for that step (a cached step answers at once).
 */
export function useStepInspection(step: number): InspectionView {
  const { stores, client } = useDeps();
  const walk = useStore(stores.walk, selectWalkId);
  const [view, setView] = useState<InspectionView>({ status: 'idle' });
  const follower = useRef<StepInspectionFollower | null>(null);
  // made in an effect, not during render, so a remount (StrictMode's included) gets a live follower;
  // not aborted on unmount: a request the worker already runs would cost a worker restart, and its answer fills the cache
  useEffect(() => {
    const f = followStepInspection(client, inspectionCacheOf(client), setView);
    follower.current = f;
    return () => f.stop();
  }, [client]);
  useEffect(() => follower.current?.show(walk, step), [client, walk, step]);
  return view;
}

/** The inspection of the step the playback shows. */
export function useCurrentStepInspection(): InspectionView {
  const { stores } = useDeps();
  return useStepInspection(useStore(stores.playback, selectIndex));
}
