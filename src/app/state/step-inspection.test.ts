// Step inspection as the page asks for it: one request per viewer for the
// step on screen, the previous one superseded when the step changes, and
// every answer cached per walk and step.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryWorker } from '../../test-support/memory-worker';
import { EngineFailure } from '../../worker/failure';
import type { EngineRequest } from '../../worker/protocol';
import { stubClient } from '../../worker/stub-client';
import { createInspectionCache, followStepInspection, type InspectionView, type WalkRef } from './step-inspection';

const dnat = JSON.parse(readFileSync(join(__dirname, '..', '..', 'engine', '__fixtures__', 'oracle', '19-dnat-port-forward.json'), 'utf8'));

/** The real worker server behind an in-memory endpoint that remembers what reached it. */
async function walked() {
  const { client, received } = memoryWorker();
  const o = await client.open(dnat);
  if (!o.ok) throw new Error(o.errors.join());
  const r = await client.send(o.lab, null, false);
  if (!r.ok) throw new Error(r.errors.join());
  received.length = 0;
  return { client, received, walk: { lab: o.lab, walk: r.walk } as WalkRef, log: r.log };
}

const settle = () => new Promise((r) => setTimeout(r, 0));
const inspected = (received: EngineRequest[]) => received.flatMap((m) => (m.type === 'inspect' ? [m.step] : []));

describe('following the step on screen', () => {
  it('asks for the latest step only: a step passed while another was asked for is never sent, a late answer never shown', async () => {
    const { client, received, walk } = await walked();
    const views: InspectionView[] = [];
    const f = followStepInspection(client, createInspectionCache(), (v) => views.push(v));
    f.show(walk, 10);
    f.show(walk, 11);
    f.show(walk, 12);
    await settle();
    // 10 was already in the worker and is left to finish (its answer dropped); 11 waited and was dropped unseen
    expect(inspected(received)).toEqual([10, 12]);
    expect(views.map((v) => `${v.status} ${'step' in v ? v.step : ''}`)).toEqual(['loading 10', 'loading 11', 'loading 12', 'ready 12']);
    expect(views[3]).toMatchObject({ walk, inspection: { step: 12, host: 'router' } });
  });

  it('answers a step it has seen from the cache at once, without asking the worker', async () => {
    const { client, received, walk } = await walked();
    const views: InspectionView[] = [];
    const cache = createInspectionCache();
    const f = followStepInspection(client, cache, (v) => views.push(v));
    f.show(walk, 20);
    await settle();
    f.show(walk, 21);
    await settle();
    f.show(walk, 20);
    expect(views[views.length - 1]).toMatchObject({ status: 'ready', step: 20, inspection: { step: 20 } });
    expect(inspected(received)).toEqual([20, 21]);
    // another viewer of the same client shares the answers
    const other: InspectionView[] = [];
    followStepInspection(client, cache, (v) => other.push(v)).show(walk, 21);
    expect(other).toEqual([expect.objectContaining({ status: 'ready', step: 21 })]);
    expect(inspected(received)).toEqual([20, 21]);
  });

  it('keeps two viewers’ requests apart: one’s step change does not cancel the other’s', async () => {
    const { client, walk } = await walked();
    const a: InspectionView[] = [];
    const b: InspectionView[] = [];
    followStepInspection(client, createInspectionCache(), (v) => a.push(v)).show(walk, 30);
    followStepInspection(client, createInspectionCache(), (v) => b.push(v)).show(walk, 31);
    await settle();
    expect(a[a.length - 1]).toMatchObject({ status: 'ready', step: 30 });
    expect(b[b.length - 1]).toMatchObject({ status: 'ready', step: 31 });
  });

  it('says the walk is gone when the worker keeps it no longer, and shows nothing without a walk or a step', async () => {
    const views: InspectionView[] = [];
    const client = stubClient({ inspect: async () => Promise.reject(new EngineFailure('gone')) });
    const f = followStepInspection(client, createInspectionCache(), (v) => views.push(v));
    f.show({ lab: 1, walk: 1 }, 3);
    await settle();
    expect(views).toEqual([
      { status: 'loading', walk: { lab: 1, walk: 1 }, step: 3 },
      { status: 'failed', walk: { lab: 1, walk: 1 }, step: 3, failure: 'gone' },
    ]);
    f.show(null, 3);
    f.show({ lab: 1, walk: 1 }, -1);
    expect(views.slice(2)).toEqual([{ status: 'idle' }]);
  });

  it('tells nobody once stopped, while the answer still fills the cache', async () => {
    const views: InspectionView[] = [];
    const cache = createInspectionCache();
    const client = stubClient({ inspect: async (_lab, _walk, step) => ({ step }) as never });
    const f = followStepInspection(client, cache, (v) => views.push(v));
    f.show({ lab: 1, walk: 2 }, 4);
    f.stop();
    await settle();
    expect(views).toEqual([{ status: 'loading', walk: { lab: 1, walk: 2 }, step: 4 }]);
    expect(cache.get({ lab: 1, walk: 2 }, 4)).toEqual({ step: 4 });
  });
});

describe('the inspection cache', () => {
  it('keeps the most recently asked answers up to its size, per walk and step', () => {
    const cache = createInspectionCache(2);
    const w = { lab: 1, walk: 1 };
    cache.put(w, 1, null);
    cache.put(w, 2, null);
    expect(cache.get(w, 1)).toBeNull();
    cache.put(w, 3, null);
    // 2 was the least recently asked for
    expect(cache.get(w, 2)).toBeUndefined();
    expect(cache.get(w, 1)).toBeNull();
    expect(cache.get({ lab: 1, walk: 2 }, 3)).toBeUndefined();
  });
});
