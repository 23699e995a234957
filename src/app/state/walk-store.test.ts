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

  it('Send another adds the packets after the traffic already there and opens the walk at the first one sent', async () => {
    const s = createStores({ name: 'x', hosts: [{ name: 'a' }], steps: [{ from: 'a', ping: '1.2.3.4' }] });
    let sent: unknown = null;
    const walk: WalkLog = { ...log(9), scenarioSteps: [1, 2, 3].map((n) => ({ n, from: 'a', kind: 'tcp', action: '', result: {}, listenerEvents: [], conntrack: {}, firstStep: (n - 1) * 3, lastStep: n * 3 - 1 })) };
    const client = stubClient({
      send: async (_lab, traffic, keep) => {
        sent = { traffic, keep };
        return { ok: true, walk: 1, version: 1, log: walk };
      },
    });
    await sendPacket(s, client, [{ from: 'a', tcp: '9.9.9.9:80' }, { from: 'a', tcp: '9.9.9.9:80', sport: 40100 }], 'add');
    expect(s.scenario.getState().scenario.steps).toEqual([{ from: 'a', ping: '1.2.3.4' }, { from: 'a', tcp: '9.9.9.9:80' }, { from: 'a', tcp: '9.9.9.9:80', sport: 40100 }]);
    // the whole traffic is walked from the start: the earlier packets leave their state for the new ones
    expect(sent).toEqual({ traffic: s.scenario.getState().scenario.steps, keep: false });
    expect(s.playback.getState().index).toBe(3);
  });

  it('an edit’s re-walk keeps the step on screen where the new walk has it, a loaded scenario starts at step 1', async () => {
    const s = createStores(EMPTY);
    const steps = (nodes: string[]) => nodes.map((node, i) => ({ i, packet: 1, host: 'h', scenarioStep: 1, node, kind: 'note' }) as never);
    const walk = (nodes: string[]): WalkLog => ({ ...log(0), steps: steps(nodes), packets: [{ id: 1, step: 1, host: 'h', firstStep: 0, lastStep: nodes.length - 1 } as never], scenarioSteps: [] });
    let next = walk(['iface-in', 'filter INPUT', 'local-process']);
    const client = stubClient({ send: async () => ({ ok: true, walk: 1, version: 1, log: next }) });
    await simulate(s, client);
    stepTo(s, 1);
    next = walk(['iface-in', 'raw PREROUTING', 'mangle PREROUTING', 'filter INPUT', 'local-process']);
    await simulate(s, client);
    expect(s.playback.getState().index).toBe(3);
    await loadScenario(s, client, EMPTY);
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
