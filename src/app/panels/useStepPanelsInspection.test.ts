// The step panels' inspection: asked for in the task of the step change
// itself (the panels render later, behind the flow graph), and an answer
// for a step the panels do not show yet leaves them alone.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryWorker } from '../../test-support/memory-worker';
import type { Case } from '../../engine/scenario/case';
import { createStores } from '../state/walk-store';
import { OTHER, panelInspections, panelView } from './useStepPanelsInspection';

const dnat = JSON.parse(readFileSync(join(__dirname, '..', '..', 'engine', '__fixtures__', 'oracle', '19-dnat-port-forward.json'), 'utf8')) as Case;

/** The real worker server behind an in-memory endpoint that remembers what reached it; a page's stores showing its walk. */
async function page() {
  const { client, received } = memoryWorker();
  const o = await client.open(dnat);
  if (!o.ok) throw new Error(o.errors.join());
  const r = await client.send(o.lab, null, false);
  if (!r.ok) throw new Error(r.errors.join());
  const stores = createStores(dnat);
  const walk = { lab: o.lab, walk: r.walk };
  stores.walk.setState({ status: 'ready', log: r.log, walk });
  received.length = 0;
  return { client, stores, walk, received };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("the step panels' inspection", () => {
  it('is asked for when the step changes, before any panel renders it', async () => {
    const { client, stores, received } = await page();
    panelInspections(client, stores);
    stores.playback.setState({ index: 5 });
    // no React here: only the playback store's notification can have asked
    expect(received.filter((m) => m.type === 'inspect').map((m) => (m.type === 'inspect' ? m.step : -1))).toEqual([5]);
    await settle();
    expect(panelInspections(client, stores).view).toMatchObject({ status: 'ready', step: 5 });
  });

  it('is, for a panel still showing the step before, one and the same object whatever arrives, so the panel does not re-render', async () => {
    const { client, stores, walk } = await page();
    const s = panelInspections(client, stores);
    stores.playback.setState({ index: 5 });
    const loading = panelView(s, walk, 4);
    await settle();
    expect(loading).toBe(OTHER);
    expect(panelView(s, walk, 4)).toBe(OTHER);
    // the panels' background render reaches step 5: the answer is theirs
    expect(panelView(s, walk, 5)).toMatchObject({ status: 'ready', step: 5, inspection: { step: 5 } });
    expect(panelView(s, { ...walk, walk: walk.walk + 1 }, 5)).toBe(OTHER);
  });

  it("keeps, for a panel that showed its step, that very view while the next step is asked for, so the step's frame renders no panel", async () => {
    const { client, stores, walk } = await page();
    const s = panelInspections(client, stores);
    stores.playback.setState({ index: 4 });
    await settle();
    const shown = panelView(s, walk, 4);
    expect(shown).toMatchObject({ status: 'ready', step: 4 });
    stores.playback.setState({ index: 5 });
    expect(s.view).toMatchObject({ status: 'loading', step: 5 });
    expect(panelView(s, walk, 4)).toBe(shown);
    await settle();
    expect(panelView(s, walk, 4)).toBe(shown);
    // the panels catch up with step 5: its answer is theirs now
    expect(panelView(s, walk, 5)).toMatchObject({ status: 'ready', step: 5 });
  });
});
