// Start-up and the autosave around the vault: a save of an earlier version
// moves in, an edit a closing tab could not finish writing comes back, edits
// are saved a moment after they happen, and a second tab hears the first.
// IndexedDB is fake-indexeddb's; window, document and localStorage are
// small stand-ins.

import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AUTOSAVE_KEY, encodeSave } from './autosave';
import { RESCUE_KEY, startPersistence } from './persistence';
import { createStores } from './walk-store';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryWorker } from '../../test-support/memory-worker';
import { ensureLab, refreshCase, replayChanges, serializeCase, unsavedChanges } from './lab';
import { applyText, editorSession } from '../editor/session';
import type { Case } from '../../engine/scenario/case';

const host = (name: string, setup: string[] = []) => ({ name, setup });
const builtIn = { name: 'port-forward', hosts: [host('client')] };
const mine = { name: 'mine', hosts: [host('a', ['iptables -A INPUT -j DROP'])] };
const edited = { name: 'mine', hosts: [host('a', ['iptables -A INPUT -j DROP', 'iptables -A INPUT -j ACCEPT'])] };
const older = { name: 'older', hosts: [host('b')] };

function memoryStorage() {
  const data = new Map<string, string>();
  return { data, getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) };
}

let storage: ReturnType<typeof memoryStorage>;
const listeners = new Map<string, (() => void)[]>();

beforeEach(() => {
  storage = memoryStorage();
  listeners.clear();
  const on = (type: string, f: () => void) => listeners.set(type, [...(listeners.get(type) ?? []), f]);
  vi.stubGlobal('window', { localStorage: storage, addEventListener: on });
  vi.stubGlobal('localStorage', storage);
  vi.stubGlobal('document', { visibilityState: 'visible', addEventListener: on });
  // a fresh, empty IndexedDB per test (the app never closes its connection, so deleting would wait forever)
  vi.stubGlobal('indexedDB', new IDBFactory());
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const settle = () => new Promise((r) => setTimeout(r, 600));

describe('start-up', () => {
  it('moves a save of an earlier version (and the work it kept aside) into the vault, once', async () => {
    storage.setItem(AUTOSAVE_KEY, encodeSave(mine));
    storage.setItem('packetwalk.scenario.backup.v1', encodeSave(older));
    const start = await startPersistence([builtIn]);
    expect(start.scenario).toEqual(mine);
    expect(start.notice).toBeNull();
    expect(storage.data.has(AUTOSAVE_KEY)).toBe(false);
    const p = start.attach(createStores(start.scenario!));
    await p.refresh();
    expect(p.store.getState().versions.map((v) => [v.name, v.origin])).toEqual([
      ['mine', 'legacy'],
      ['older', 'legacy'],
    ]);
    expect(p.store.getState().backend).toBe('indexeddb');
  });

  it('says why an unreadable earlier save was ignored', async () => {
    storage.setItem(AUTOSAVE_KEY, '{"version":1,"scenario":');
    const start = await startPersistence([builtIn]);
    expect(start.scenario).toBeNull();
    expect(start.notice).toMatch(/not valid JSON/);
  });

  it('brings back the edit a closing tab left in localStorage when its IndexedDB write did not land', async () => {
    const first = await startPersistence([builtIn]);
    const stores = createStores(builtIn);
    const p = first.attach(stores);
    stores.scenario.getState().setScenario(mine);
    await settle();
    const cur = p.vault!.current!;
    storage.setItem(RESCUE_KEY, JSON.stringify({ id: cur.id, rev: cur.rev, text: JSON.stringify(edited) }));
    const again = await startPersistence([builtIn]);
    expect(again.scenario).toEqual(edited);
    expect(storage.data.has(RESCUE_KEY)).toBe(false);
    const third = await startPersistence([builtIn]);
    expect(third.scenario).toEqual(edited);
  });
});

describe('the autosave', () => {
  it('saves a moment after an edit, and the page closing with an edit pending leaves it to rescue', async () => {
    const start = await startPersistence([builtIn]);
    const stores = createStores(builtIn);
    start.attach(stores);
    stores.scenario.getState().setScenario(mine);
    await settle();
    expect((await startPersistence([builtIn])).scenario).toEqual(mine);
    stores.scenario.getState().setScenario(edited);
    for (const f of listeners.get('pagehide') ?? []) f();
    expect(JSON.parse(storage.getItem(RESCUE_KEY)!).text).toBe(JSON.stringify(edited));
  });

  it('keeps a large scenario in IndexedDB only: localStorage gets its copy only when the page goes away with the save still pending', async () => {
    // 26,000 rules, ~2.8 M characters: a synchronous localStorage write of it is a long task on every save
    const rules = Array.from({ length: 26_000 }, (_, i) => `iptables -A FORWARD -s 10.${(i >> 8) & 255}.${i & 255}.0/24 -p tcp --dport ${1000 + (i % 60000)} -m comment --comment "rule ${i}" -j ACCEPT`);
    const large = { name: 'large', hosts: [host('a', rules)] };
    const largeEdited = { ...large, hosts: [host('a', [...rules, 'iptables -A INPUT -j DROP'])] };
    const start = await startPersistence([builtIn]);
    const stores = createStores(builtIn);
    start.attach(stores);
    const written: number[] = [];
    const setItem = storage.setItem;
    storage.setItem = (k: string, v: string) => {
      written.push(v.length);
      setItem(k, v);
    };
    stores.scenario.getState().setScenario(large);
    await settle();
    expect((await startPersistence([builtIn])).scenario).toEqual(large);
    expect(Math.max(0, ...written)).toBeLessThan(10_000);

    // the tab closes before the next save: the copy in localStorage brings the edit back
    stores.scenario.getState().setScenario(largeEdited);
    for (const f of listeners.get('pagehide') ?? []) f();
    expect(Math.max(...written)).toBeGreaterThan(2_000_000);
    expect(storage.data.has(RESCUE_KEY)).toBe(true);
  });

  it('a second tab hears the first tab’s save of the same scenario and stops saving', async () => {
    const a = await startPersistence([builtIn]);
    const storesA = createStores(builtIn);
    const pa = a.attach(storesA);
    storesA.scenario.getState().setScenario(mine);
    await settle();
    const b = await startPersistence([builtIn]);
    const storesB = createStores(b.scenario!);
    const pb = b.attach(storesB);
    storesA.scenario.getState().setScenario(edited);
    await settle();
    expect(pb.store.getState().conflict?.tab).toBe(pa.vault!.tab);
    expect(storesB.scenario.getState().notice).toMatchObject({ key: 'persist.conflict' });
    storesB.scenario.getState().setScenario(older);
    await settle();
    expect((await startPersistence([builtIn])).scenario).toEqual(edited);
  });

  it('a page closed before its case caught up with its lab leaves the edits behind, and the next start makes them again', async () => {
    const portForward = JSON.parse(readFileSync(join(__dirname, '..', '..', 'scenarios', 'port-forward.json'), 'utf8')) as Case;
    const { client } = memoryWorker();
    const start = await startPersistence([builtIn]);
    const stores = createStores(portForward);
    start.attach(stores, { unsaved: () => unsavedChanges(stores, client), catchUp: () => refreshCase(stores, client) });
    stores.scenario.getState().setScenario({ ...portForward });
    await settle();
    const session = editorSession(stores, client);
    expect((await applyText(session, 'router', 'iptables -A FORWARD -s 198.51.100.7/32 -j DROP')).ok).toBe(true);
    expect((await applyText(session, 'router', 'iptables -I FORWARD 1 -p icmp -j ACCEPT')).ok).toBe(true);
    // the tab closes before the snapshot brings the page's case up to the lab
    expect(stores.lab.getState().stale).toBe(true);
    for (const f of listeners.get('pagehide') ?? []) f();
    const lab = stores.lab.getState().id!;
    const now = (await client.snapshot(lab, stores.scenario.getState().scenario.steps ?? null)).case;
    const again = await startPersistence([builtIn], (b, c) => replayChanges(client, b, c));
    expect(again.scenario).toEqual(now);
    expect(JSON.stringify(again.scenario)).toContain('198.51.100.7/32');
  });
});

describe('saving a case the worker holds', () => {
  it('saves new traffic on the lab’s case with the worker’s text: the page never stringifies the case itself', async () => {
    const portForward = JSON.parse(readFileSync(join(__dirname, '..', '..', 'scenarios', 'port-forward.json'), 'utf8')) as Case;
    const { client } = memoryWorker();
    const start = await startPersistence([builtIn]);
    const stores = createStores(portForward);
    start.attach(stores, { unsaved: () => unsavedChanges(stores, client), catchUp: () => refreshCase(stores, client), serialize: (s) => serializeCase(stores, client, s) });
    await ensureLab(stores, client);
    const session = editorSession(stores, client);
    expect((await applyText(session, 'router', 'iptables -A FORWARD -s 198.51.100.7/32 -j DROP')).ok).toBe(true);
    const labCase = await refreshCase(stores, client);
    await settle();
    const step = { from: 'client', tcp: '203.0.113.1:8080', note: 'sent again' };
    const sent = { ...labCase, steps: [step] };
    const stringify = vi.spyOn(JSON, 'stringify');
    stores.scenario.getState().setScenario(sent);
    await settle();
    expect(stringify.mock.calls.filter(([v]) => v === sent)).toEqual([]);
    stringify.mockRestore();
    const again = await startPersistence([builtIn]);
    expect(again.scenario).toEqual(sent);
  });

  it('stringifies on the page when the lab cannot write it (behind, or the case is the user’s own text)', async () => {
    const stores = createStores(mine);
    const start = await startPersistence([builtIn]);
    const serialize = vi.fn(async () => null);
    start.attach(stores, { unsaved: () => [], catchUp: async () => undefined, serialize });
    stores.scenario.getState().setScenario(edited);
    await settle();
    expect(serialize).toHaveBeenCalledWith(edited);
    expect((await startPersistence([builtIn])).scenario).toEqual(edited);
  });
});
