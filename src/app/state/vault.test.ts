// The vault keeps the user's work through every path that used to lose it:
// a full store, a replacement by a link, two tabs editing the same scenario.
// The same specification runs on the localStorage store (a Map here, with a
// quota) and on IndexedDB (fake-indexeddb's in-memory implementation).

import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { KeyValueStore } from './autosave';
import { createVault, fingerprint, pruneIds, type VaultBackend, type VersionMeta } from './vault';
import { createKvBackend } from './vault-kv';
import { createIdbBackend, openDatabase } from './vault-idb';

const host = (name: string, setup: string[] = []) => ({ name, setup });
const builtIn = { name: 'port-forward', hosts: [host('client')] };
const mine = { name: 'mine', hosts: [host('a', ['iptables -A INPUT -j DROP'])] };
const mine2 = { name: 'mine', hosts: [host('a', ['iptables -A INPUT -j DROP', 'iptables -A INPUT -j ACCEPT'])] };
const linkA = { name: 'link-a', hosts: [host('a')] };
const linkB = { name: 'link-b', hosts: [host('b')] };

/** a Storage that refuses writes beyond `quota` characters in total, as browsers do */
function quotaStorage(quota = Infinity): KeyValueStore & { data: Map<string, string>; quota: number } {
  const data = new Map<string, string>();
  const s = {
    data,
    quota,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => {
      let used = 0;
      for (const [key, val] of data) if (key !== k) used += key.length + val.length;
      if (used + k.length + v.length > s.quota) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      data.set(k, v);
    },
    removeItem: (k: string) => void data.delete(k),
  };
  return s;
}

let ids = 0;
const opts = (tab: string) => ({ tab, pristine: [builtIn], newId: () => `d${++ids}`, now: () => 1_000 + ids });

type Make = () => Promise<{ a: VaultBackend; b: VaultBackend; full?: (bytesLeft: number) => void }>;

const stores: [string, Make][] = [
  [
    'localStorage',
    async () => {
      const s = quotaStorage();
      return { a: createKvBackend(s, { kind: 'memory', keep: 3 }), b: createKvBackend(s, { kind: 'memory', keep: 3 }), full: (left) => (s.quota = [...s.data].reduce((n, [k, v]) => n + k.length + v.length, 0) + left) };
    },
  ],
  [
    'IndexedDB',
    async () => {
      const factory = new IDBFactory();
      const db1 = await openDatabase(factory);
      const db2 = await openDatabase(factory);
      return { a: createIdbBackend(db1, { keep: 3 }), b: createIdbBackend(db2, { keep: 3 }) };
    },
  ],
];

describe.each(stores)('the vault on %s', (_name, make) => {
  it('brings back the newest save after a restart, and saves nothing for the untouched built-in scenario', async () => {
    const { a } = await make();
    const v = createVault(a, opts('t1'));
    expect(await v.loadLatest()).toEqual({ scenario: null, meta: null, problem: null });
    expect(await v.save(builtIn)).toEqual({ ok: true, meta: null });
    expect(await v.versions()).toEqual([]);
    expect((await v.save(mine)).ok).toBe(true);
    expect((await v.save(mine2)).ok).toBe(true);
    const again = createVault(a, opts('t2'));
    const loaded = await again.loadLatest();
    expect(loaded.scenario).toEqual(mine2);
    expect(loaded.meta?.rev).toBe(2);
    expect((await again.versions()).length).toBe(1);
  });

  it('keeps the replaced work as a version; opening many links never pushes it out', async () => {
    const { a } = await make();
    const v = createVault(a, opts('t1'));
    await v.save(mine);
    const r1 = await v.replace(mine, linkA, 'link');
    expect(r1.ok && r1.previous).toBeTruthy();
    const previous = r1.ok ? r1.previous : null;
    // linkA was not changed: it is nobody's work, linkB takes its place
    for (let i = 0; i < 6; i++) {
      const r = await v.replace(i % 2 ? linkB : linkA, i % 2 ? linkA : linkB, 'link');
      expect(r.ok && r.previous).toBe(null);
    }
    const names = (await v.versions()).map((m) => m.name).sort();
    expect(names).toEqual(['link-a', 'mine']);
    const back = await v.read(previous!);
    expect(back.scenario).toEqual(mine);
  });

  it('saves unsaved work before a replacement', async () => {
    const { a } = await make();
    const v = createVault(a, opts('t1'));
    await v.save(mine);
    const r = await v.replace(mine2, linkA, 'link');
    expect(r.ok).toBe(true);
    const prev = r.ok ? r.previous : null;
    expect((await v.read(prev!)).scenario).toEqual(mine2);
  });

  it('restoring a version makes it the newest, so a restart opens it', async () => {
    const { a } = await make();
    const v = createVault(a, opts('t1'));
    await v.save(mine);
    const r = await v.replace(mine, linkA, 'link');
    const prev = r.ok ? r.previous! : '';
    const back = await v.read(prev);
    const rr = await v.replace(linkA, back.scenario!, back.meta!.origin, { adopt: prev });
    expect(rr.ok).toBe(true);
    expect(v.current?.id).toBe(prev);
    expect((await createVault(a, opts('t9')).loadLatest()).scenario).toEqual(mine);
  });

  it('two tabs: the second is told and writes nothing over the first tab’s newer save', async () => {
    const { a, b } = await make();
    const first = createVault(a, opts('tab-1'));
    await first.save(mine);
    const second = createVault(b, opts('tab-2'));
    expect((await second.loadLatest()).scenario).toEqual(mine);
    const saved = await first.save(mine2);
    const meta = saved.ok ? saved.meta! : null;
    // the broadcast reaches the second tab …
    expect(second.noticeForeignSave(meta!)?.rev).toBe(2);
    expect(first.noticeForeignSave(meta!)).toBeNull();
    // … and even without it, the store refuses a write over a revision it did not see
    const quiet = createVault(b, opts('tab-3'));
    await quiet.loadLatest();
    await first.save({ ...mine2, name: 'newer' });
    const refused = await quiet.save({ ...mine, name: 'tab-3 edit' });
    expect(refused.ok).toBe(false);
    expect('conflict' in refused && refused.conflict.rev).toBe(3);
    expect(quiet.conflict?.tab).toBe('tab-1');
    // while in conflict nothing is written
    expect((await quiet.save({ ...mine, name: 'another edit' })).ok).toBe(false);
    expect((await createVault(a, opts('x')).loadLatest()).scenario?.name).toBe('newer');
  });

  it('two tabs: load the newer work, or keep this tab’s as a separate copy', async () => {
    const { a, b } = await make();
    const first = createVault(a, opts('tab-1'));
    await first.save(mine);
    const second = createVault(b, opts('tab-2'));
    await second.loadLatest();
    await first.save(mine2);
    await second.save({ ...mine, name: 'second' });
    expect(second.conflict).not.toBeNull();
    const forked = await second.fork({ ...mine, name: 'second' });
    expect(forked.ok).toBe(true);
    expect(second.conflict).toBeNull();
    expect((await second.versions()).map((m) => m.name).sort()).toEqual(['mine', 'second']);
    // the copy is the second tab's own: the first tab keeps saving its document undisturbed
    expect((await first.save({ ...mine2, name: 'first again' })).ok).toBe(true);
    expect((await second.save({ ...mine, name: 'second again' })).ok).toBe(true);

    const third = createVault(b, opts('tab-3'));
    await third.read(first.current!.id);
    await first.save({ ...mine2, name: 'first thrice' });
    third.noticeForeignSave({ ...(await first.versions()).find((m) => m.id === first.current!.id)!, rev: 99 });
    expect(third.conflict).toBeNull(); // not its document
  });

  it('takeNewer gives this tab the other tab’s revision and lets it save again', async () => {
    const { a, b } = await make();
    const first = createVault(a, opts('tab-1'));
    await first.save(mine);
    const second = createVault(b, opts('tab-2'));
    await second.loadLatest();
    await first.save(mine2);
    await second.save(linkA);
    const newer = await second.takeNewer();
    expect(newer.scenario).toEqual(mine2);
    expect((await second.save({ ...mine2, name: 'after' })).ok).toBe(true);
  });
});

describe('the vault on a full store', () => {
  it('a save that does not fit leaves the previous save complete, and names the problem', async () => {
    const s = quotaStorage();
    const v = createVault(createKvBackend(s, { kind: 'memory', quotaBytes: 1_000_000 }), opts('t1'));
    await v.save(mine);
    s.quota = [...s.data].reduce((n, [k, val]) => n + k.length + val.length, 0) + 50;
    const big = { ...mine, description: 'x'.repeat(500) };
    const r = await v.save(big);
    expect(r.ok).toBe(false);
    expect('problem' in r && r.problem.kind).toBe('quota');
    expect('problem' in r && r.problem.detail).toBe('QuotaExceededError: The quota has been exceeded.');
    expect((await createVault(createKvBackend(s), opts('t2')).loadLatest()).scenario).toEqual(mine);
  });

  it('a scenario bigger than the whole allowance is "too large", not "storage full"', async () => {
    const s = quotaStorage(400);
    const v = createVault(createKvBackend(s, { kind: 'memory', quotaBytes: 800 }), opts('t1'));
    const r = await v.save({ ...mine, description: 'x'.repeat(1000) });
    expect('problem' in r && r.problem.kind).toBe('too-large');
  });

  it('refuses a replacement when the unsaved work cannot be saved, and changes nothing', async () => {
    const s = quotaStorage();
    const v = createVault(createKvBackend(s, { kind: 'memory' }), opts('t1'));
    await v.save(mine);
    const before = new Map(s.data);
    s.quota = 0;
    const r = await v.replace(mine2, linkA, 'link');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem.kind).toBe('quota');
    expect(s.data).toEqual(before);
    expect(v.current?.rev).toBe(1);
  });

  it('a replacement that itself cannot be saved keeps the saved work the newest version', async () => {
    const s = quotaStorage();
    const v = createVault(createKvBackend(s, { kind: 'memory' }), opts('t1'));
    await v.save(mine);
    s.quota = 0;
    const r = await v.replace(mine, linkA, 'link');
    expect(r.ok && !r.saved.ok).toBe(true);
    expect(r.ok && r.previous).toBeTruthy();
    expect((await createVault(createKvBackend(s), opts('t2')).loadLatest()).scenario).toEqual(mine);
  });

  it('a link that could not be saved is still nobody’s work: restoring the previous work needs no save of it', async () => {
    const s = quotaStorage();
    const v = createVault(createKvBackend(s, { kind: 'memory' }), opts('t1'));
    await v.save(mine);
    s.quota = 0;
    const r = await v.replace(mine, linkA, 'link');
    const prev = r.ok ? r.previous! : '';
    expect(r.ok && !r.saved.ok).toBe(true);
    const back = await v.read(prev);
    const rr = await v.replace(linkA, back.scenario!, 'edit', { adopt: prev });
    expect(rr.ok).toBe(true);
    // room again: the next save goes to the restored version
    s.quota = Infinity;
    expect((await v.save(mine2)).ok).toBe(true);
    expect(v.current?.id).toBe(prev);
    expect((await createVault(createKvBackend(s), opts('t2')).loadLatest()).scenario).toEqual(mine2);
  });

  it('an IndexedDB write refused by the browser leaves the previous revision', async () => {
    const factory = new IDBFactory();
    const db = await openDatabase(factory);
    const backend = createIdbBackend(db, { quotaBytes: async () => 50_000_000 });
    const v = createVault(backend, opts('t1'));
    await v.save(mine);
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if (typeof value === 'string' && value.length > 300) throw new DOMException('quota', 'QuotaExceededError');
      return put.call(this, value, key);
    };
    try {
      const r = await v.save({ ...mine, description: 'y'.repeat(400) });
      expect('problem' in r && r.problem.kind).toBe('quota');
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect((await createVault(backend, opts('t2')).loadLatest()).scenario).toEqual(mine);
  });
});

describe('damaged saves', () => {
  it('are ignored with a message, never a crash', async () => {
    const s = quotaStorage();
    const backend = createKvBackend(s, { kind: 'memory' });
    const v = createVault(backend, opts('t1'));
    await v.save(mine);
    const key = [...s.data.keys()].find((k) => k.includes('.text.'))!;
    s.data.set(key, '{"name":');
    expect((await createVault(backend, opts('t2')).loadLatest()).problem).toMatch(/not valid JSON/);
    s.data.set(key, '{"name":"x","hosts":[]}');
    expect((await createVault(backend, opts('t2')).loadLatest()).problem).toMatch(/damaged \(hosts: expected a list of at least one host\)/);
    s.data.set('packetwalk.vault.v2.meta', 'nonsense');
    expect(await createVault(backend, opts('t2')).loadLatest()).toEqual({ scenario: null, meta: null, problem: null });
  });
});

describe('pruneIds', () => {
  const m = (id: string, savedAt: number): VersionMeta => ({ id, rev: 1, savedAt, name: id, chars: 1, origin: 'edit', fp: fingerprint(id), originFp: null, tab: 't' });
  it('keeps the newest and the one just written', () => {
    expect(pruneIds([m('a', 1), m('b', 2), m('c', 3), m('d', 4)], 2, 'a').sort()).toEqual(['b', 'c']);
  });
});
