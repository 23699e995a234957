// The crash guard: a walk that never got its answer is not run again by the
// next visit; its traffic waits for the user, step by step or all at once.

import { describe, expect, it } from 'vitest';
import { stubClient } from '../../worker/stub-client';
import { EngineFailure } from '../../worker/failure';
import type { EngineClient } from '../../worker/client';
import type { KeyValueStore } from '../state/autosave';
import { createStores, loadScenario, sendPacket, simulate } from '../state/walk-store';
import { discardHeld, guardWalks, walkMark, RUNNING_KEY, sendAllHeld, sendNextHeldStep } from './walk-guard';
import type { Case } from '../../engine/scenario/case';

function memoryStorage(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

const fanOut = {
  name: 'fan-out',
  hosts: [{ name: 'a', setup: ['iptables -N c1'] }],
  steps: [
    { from: 'a', ping: '10.0.0.1' },
    { from: 'a', ping: '10.0.0.2' },
    { from: 'a', ping: '10.0.0.3' },
  ],
};

/** An engine that records the traffic it walks (and the mark while it does); `hang` makes the watchdog stop the walk. */
function engine(behaviour: { hang?: boolean; storage?: KeyValueStore } = {}) {
  const walked: { steps: unknown[]; mark: string | null }[] = [];
  const client: EngineClient = stubClient({
    send: async (_lab, traffic) => {
      walked.push({ steps: traffic ?? [], mark: behaviour.storage?.getItem(RUNNING_KEY) ?? null });
      if (behaviour.hang) throw new EngineFailure('timeout', '', 10);
      return { ok: true, walk: 1, version: 1, log: { steps: [], packets: [], hosts: [], traceLog: [] } as never };
    },
  });
  return { client, walked };
}

const mark = (c: typeof fanOut | Case) => walkMark(c, (c as typeof fanOut).steps ?? []);

describe('the crash guard', () => {
  it('marks the scenario while its walk runs and clears the mark with the answer', async () => {
    const storage = memoryStorage();
    const { client, walked } = engine({ storage });
    const guard = guardWalks(client, storage);
    const stores = createStores(fanOut);
    await simulate(stores, guard.client);
    expect(JSON.parse(walked[0]!.mark!)).toMatchObject({ fp: mark(fanOut) });
    expect(storage.data.has(RUNNING_KEY)).toBe(false);
  });

  it('does not send the traffic of a scenario whose walk was stopped last visit, until asked', async () => {
    const storage = memoryStorage();
    const first = guardWalks(engine({ hang: true }).client, storage);
    await simulate(createStores(fanOut), first.client);
    expect(storage.data.has(RUNNING_KEY)).toBe(true);

    // the next visit: the same scenario comes back from the autosave
    const { client, walked } = engine();
    const guard = guardWalks(client, storage);
    const stores = createStores(fanOut);
    await simulate(stores, guard.client);
    expect(walked.map((s) => s.steps.length)).toEqual([0]);
    expect(guard.state.getState().held).toMatchObject({ total: 3, sent: 0 });
    expect(stores.walk.getState().status).toBe('ready');
    // the scenario itself keeps its traffic, so the autosave keeps it too
    expect((stores.scenario.getState().scenario as typeof fanOut).steps).toHaveLength(3);

    await sendNextHeldStep(guard, stores, guard.client);
    await sendNextHeldStep(guard, stores, guard.client);
    expect(walked.map((s) => s.steps.length)).toEqual([0, 1, 2]);
    // a reload now still holds the traffic back
    expect(storage.data.has(RUNNING_KEY)).toBe(true);
    await sendNextHeldStep(guard, stores, guard.client);
    expect(walked.map((s) => s.steps.length)).toEqual([0, 1, 2, 3]);
    expect(guard.state.getState().held).toBeNull();
    expect(storage.data.has(RUNNING_KEY)).toBe(false);
  });

  it('holds the traffic of a link after a crash just the same, and lets it all go at once', async () => {
    const storage = memoryStorage();
    storage.setItem(RUNNING_KEY, JSON.stringify({ fp: mark(fanOut), at: '' }));
    const { client, walked } = engine();
    const guard = guardWalks(client, storage);
    const stores = createStores({ name: 'saved', hosts: [{ name: 'x' }] });
    await loadScenario(stores, guard.client, fanOut);
    expect(walked.map((s) => s.steps.length)).toEqual([0]);
    await sendAllHeld(guard, stores, guard.client);
    expect(walked.map((s) => s.steps.length)).toEqual([0, 3]);
  });

  it('walks another scenario than the marked one as usual', async () => {
    const storage = memoryStorage();
    storage.setItem(RUNNING_KEY, JSON.stringify({ fp: mark({ name: 'other', hosts: [] }), at: '' }));
    const { client, walked } = engine();
    const guard = guardWalks(client, storage);
    await simulate(createStores(fanOut), guard.client);
    expect(walked.map((s) => s.steps.length)).toEqual([3]);
    expect(guard.state.getState().held).toBeNull();
  });

  it('ends the hold when the traffic changes (a packet sent), and discards on request', async () => {
    const storage = memoryStorage();
    storage.setItem(RUNNING_KEY, JSON.stringify({ fp: mark(fanOut), at: '' }));
    const { client, walked } = engine();
    const guard = guardWalks(client, storage);
    const stores = createStores(fanOut);
    await simulate(stores, guard.client);
    // an edit of the rules keeps the hold (and moves the mark to the edited scenario)
    await loadScenario(stores, guard.client, { ...fanOut, hosts: [{ name: 'a', setup: [] }] });
    expect(walked.map((s) => s.steps.length)).toEqual([0, 0]);
    await sendPacket(stores, guard.client, { from: 'a', ping: '10.9.9.9' });
    expect(walked.map((s) => s.steps.length)).toEqual([0, 0, 1]);
    expect(guard.state.getState().held).toBeNull();

    storage.setItem(RUNNING_KEY, JSON.stringify({ fp: mark(fanOut), at: '' }));
    const again = guardWalks(engine().client, storage);
    const s2 = createStores(fanOut);
    await simulate(s2, again.client);
    await discardHeld(again, s2, again.client);
    expect(again.state.getState().held).toBeNull();
    expect((s2.scenario.getState().scenario as { name: string }).name).not.toBe('fan-out');
    expect(storage.data.has(RUNNING_KEY)).toBe(false);
  });

  it('leaves walks that are not the page’s (a background run) unmarked', async () => {
    const storage = memoryStorage();
    const guard = guardWalks(engine().client, storage);
    const running = guard.client.send(1, [{ from: 'a', ping: '10.0.0.1' }], false);
    expect(storage.data.has(RUNNING_KEY)).toBe(false);
    await running;
  });
});
