// The panels' copy of the shown step: it waits for the frame that paints the
// flow graph, then catches up with everything that changed meanwhile at once.

import { describe, expect, it } from 'vitest';
import type { WalkLog } from '../../engine/walk-log';
import type { Case } from '../../engine/scenario/case';
import { createPaintedStore } from './painted-step';
import { createStores, showHost, stepForward, chooseChain } from './walk-store';

const EMPTY: Case = { name: '', hosts: [] };
const log = (n: number): WalkLog => ({ scenario: 's', hosts: [], links: [], switches: [], packets: [], steps: Array.from({ length: n }, (_, i) => ({ i }) as never), scenarioSteps: [], traceLog: [], notModelled: [] });

/** A store whose catching up the test runs by hand, in place of the next frame. */
function manual() {
  const stores = createStores(EMPTY);
  const due: (() => void)[] = [];
  const painted = createPaintedStore(stores, (f) => due.push(f));
  const paint = () => due.splice(0).forEach((f) => f());
  return { stores, painted, due, paint };
}

describe('the painted step', () => {
  it('starts as the stores stand', () => {
    const stores = createStores(EMPTY);
    const first = log(3);
    stores.walk.setState({ log: first, walk: { lab: 1, walk: 1 } });
    stores.playback.setState({ index: 2 });
    stores.view.setState({ host: 'router', chain: 'filter FORWARD' });
    expect(createPaintedStore(stores, () => undefined).getState()).toEqual({ log: first, walk: { lab: 1, walk: 1 }, index: 2, host: 'router', chain: 'filter FORWARD' });
  });

  it('keeps the old step until the frame is painted, then takes the new one', () => {
    const { stores, painted, paint } = manual();
    const walk = log(5);
    stores.walk.setState({ log: walk, walk: { lab: 1, walk: 7 } });
    stores.playback.setState({ index: 0 });
    expect(painted.getState().log).toBeNull();
    paint();
    expect(painted.getState()).toMatchObject({ log: walk, walk: { lab: 1, walk: 7 }, index: 0 });
  });

  it('catches up once with all the changes made before the frame (a held arrow key)', () => {
    const { stores, painted, due, paint } = manual();
    stores.walk.setState({ log: log(10) });
    stores.playback.setState({ index: 0 });
    paint();
    const seen: number[] = [];
    painted.subscribe((s) => seen.push(s.index));
    for (let k = 0; k < 4; k++) stepForward(stores);
    showHost(stores, 'web');
    chooseChain(stores, 'nat PREROUTING');
    expect(due).toHaveLength(1);
    paint();
    expect(seen).toEqual([4]);
    expect(painted.getState()).toMatchObject({ index: 4, host: 'web', chain: 'nat PREROUTING' });
  });

  it('asks for no frame when nothing it shows changed', () => {
    const { stores, due } = manual();
    stores.walk.setState({ status: 'running' });
    stores.playback.setState({ speed: 4 });
    stores.view.setState({ filter: { host: 'a', hook: null, verdict: null } });
    expect(due).toHaveLength(0);
  });
});
