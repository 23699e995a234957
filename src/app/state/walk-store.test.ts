// Playback over a walk log: stepping stays inside the log, only the newest
// simulation's answer is shown.

import { stubClient } from '../../worker/stub-client';
import { describe, expect, it } from 'vitest';
import type { EngineClient } from '../../worker/client';
import type { WalkLog } from '../../engine/walk-log';
import { changeSpeed, createStores, loadScenario, sendPacket, simulate, stepBack, stepForward, stepTo, stepToEnd, togglePlay } from './walk-store';
import type { Case, CasePingStep } from '../../engine/scenario/case';

const EMPTY: Case = { name: '', hosts: [] };
/** a traffic step that names a walk's length, for a stub that answers with that walk */
const numbered = (n: number): CasePingStep => ({ from: 'a', ping: String(n) });

const log = (n: number): WalkLog => ({ scenario: 's', hosts: [], links: [], switches: [], packets: [], steps: Array.from({ length: n }, (_, i) => ({ i }) as never), scenarioSteps: [], traceLog: [], notModelled: [] });

describe('playback', () => {
  it('steps forward and back within the log and stops playing at the end', () => {
    const s = createStores(EMPTY);
    s.walk.setState({ log: log(3), status: 'ready' });
    s.playback.setState({ index: 0, playing: true });
    stepForward(s);
    stepForward(s);
    expect(s.playback.getState()).toMatchObject({ index: 2, playing: true });
    stepForward(s);
    expect(s.playback.getState()).toMatchObject({ index: 2, playing: false });
    stepBack(s);
    stepTo(s, -5);
    expect(s.playback.getState().index).toBe(0);
  });

  it('changes speed within the allowed steps', () => {
    const s = createStores(EMPTY);
    changeSpeed(s, 1);
    changeSpeed(s, 1);
    expect(s.playback.getState().speed).toBe(4);
    for (let i = 0; i < 9; i++) changeSpeed(s, -1);
    expect(s.playback.getState().speed).toBe(0.5);
  });

  it('keeps only the newest run', async () => {
    const s = createStores(EMPTY);
    let release: (v: unknown) => void = () => {};
    const slow = new Promise((r) => (release = r));
    const client: EngineClient = stubClient({
      send: async (_lab, traffic) => {
        const n = Number((traffic?.[0] as CasePingStep).ping);
        if (n === 1) await slow;
        return { ok: true, walk: n, version: 1, log: log(n) };
      },
    });
    s.scenario.getState().setScenario({ ...EMPTY, steps: [numbered(1)] });
    const first = simulate(s, client);
    s.scenario.getState().setScenario({ ...EMPTY, steps: [numbered(2)] });
    await simulate(s, client);
    release(null);
    await first;
    expect(s.walk.getState().log?.steps.length).toBe(2);
  });
});

describe('the shell’s reducers', () => {
  const ok = (n: number): EngineClient => stubClient({ send: async () => ({ ok: true, walk: 1, version: 1, log: log(n) }) });

  it('Send packet replaces the scenario’s steps with the chosen one and keeps the hosts', async () => {
    const s = createStores({ name: 'x', hosts: [{ name: 'a' }], steps: [{ from: 'a', ping: '1.2.3.4' }, { from: 'a', ping: '5.6.7.8' }] });
    s.view.setState({ chain: 'filter INPUT' });
    await sendPacket(s, ok(4), { from: 'a', tcp: '9.9.9.9:80' });
    expect(s.scenario.getState().scenario).toEqual({ name: 'x', hosts: [{ name: 'a' }], steps: [{ from: 'a', tcp: '9.9.9.9:80' }] });
    expect(s.view.getState().chain).toBeNull();
    expect(s.playback.getState().index).toBe(0);
  });

  it('Play at the end starts over; Pause stops', () => {
    const s = createStores(EMPTY);
    s.walk.setState({ log: log(3), status: 'ready' });
    s.playback.setState({ index: 2 });
    togglePlay(s);
    expect(s.playback.getState()).toMatchObject({ index: 0, playing: true });
    togglePlay(s);
    expect(s.playback.getState().playing).toBe(false);
    stepToEnd(s, 'last');
    expect(s.playback.getState().index).toBe(2);
  });

  it('keeps the previous walk and shows the errors when a scenario is refused', async () => {
    const s = createStores(EMPTY);
    s.walk.setState({ log: log(3), status: 'ready' });
    await loadScenario(s, stubClient({ open: async () => ({ ok: false, lab: 1, errors: ['router: iptables: line 1: Bad argument'] }) }), { name: 'bad', hosts: [] });
    expect(s.walk.getState()).toMatchObject({ status: 'error', errors: ['router: iptables: line 1: Bad argument'] });
    expect(s.walk.getState().log?.steps.length).toBe(3);
  });
});
