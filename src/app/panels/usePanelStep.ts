// pattern: Imperative Shell
// The step the panels beside and below the flow graph show. A click on Step
// forward paints the flow graph (and the playback bar) in its own frame;
// the panels follow once that frame is on screen (state/painted-step.ts), in
// a background render (useDeferredValue) a newer step can interrupt, so a
// held arrow key never renders them for a step that is already gone. The
// walk, its id and the index change together: a background render never
// pairs a new walk with an old step.

import { useDeferredValue } from 'react';
import { useStore } from 'zustand';
import type { WalkLog } from '../../engine/walk-log';
import { useDeps } from '../shell/context';
import { paintedStore, selectPaintedIndex, selectPaintedLog, selectPaintedWalk } from '../state/painted-step';
import type { WalkRef } from '../state/step-inspection';

export interface PanelStep {
  log: WalkLog | null;
  index: number;
  walk: WalkRef | null;
}

/**
 * The walk and step the panels render, a background render behind the graph.
 *
 * @example
 * const { log, index } = usePanelStep();
 */
export function usePanelStep(): PanelStep {
  const painted = paintedStore(useDeps().stores);
  const log = useDeferredValue(useStore(painted, selectPaintedLog));
  const index = useDeferredValue(useStore(painted, selectPaintedIndex));
  const walk = useDeferredValue(useStore(painted, selectPaintedWalk));
  return { log, index, walk };
}
