// pattern: Imperative Shell
// The step the panels beside and below the flow graph show. A click on Step
// forward paints the flow graph (and the playback bar) in its own commit;
// the panels follow in the background render React does right after it
// (useDeferredValue), so the click's commit never waits for them, and a held
// arrow key never renders them for a step that is already gone. The walk,
// its id and the index are deferred together: a background render never
// pairs a new walk with an old step.

import { useDeferredValue } from 'react';
import { useStore } from 'zustand';
import type { WalkLog } from '../../engine/walk-log';
import { useDeps } from '../shell/context';
import { selectIndex, selectLog, selectWalkId } from '../state/walk-store';
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
  const { stores } = useDeps();
  const log = useDeferredValue(useStore(stores.walk, selectLog));
  const index = useDeferredValue(useStore(stores.playback, selectIndex));
  const walk = useDeferredValue(useStore(stores.walk, selectWalkId));
  return { log, index, walk };
}
