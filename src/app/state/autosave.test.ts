// The saved scenario comes back after a reload; anything else in its place —
// broken JSON, another version, a wrong shape, a refusing browser — is
// ignored with a message instead of crashing the app.

import { describe, expect, it } from 'vitest';
import { AUTOSAVE_KEY, caseShapeProblem, decodeSave, encodeSave, loadSaved, save, type KeyValueStore } from './autosave';

const scenario = { name: 'lab', hosts: [{ name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0', { 'iptables-restore': '*filter\nCOMMIT\n', noflush: false }] }, { name: 'b' }], links: [['a:eth0', 'b:eth0']] };

function memory(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

describe('autosave', () => {
  it('restores what it saved, under a versioned key', () => {
    const m = memory();
    expect(save(m, scenario)).toBeNull();
    expect([...m.data.keys()]).toEqual([AUTOSAVE_KEY]);
    expect(AUTOSAVE_KEY).toMatch(/v\d+$/);
    expect(loadSaved(m)).toEqual({ scenario, problem: null });
  });

  it('has nothing to say when nothing was saved', () => {
    expect(loadSaved(memory())).toEqual({ scenario: null, problem: null });
    expect(loadSaved(null)).toEqual({ scenario: null, problem: null });
  });

  it('ignores corrupt or foreign data with a message', () => {
    for (const text of ['{', 'null', '[]', '{"version":2,"scenario":{}}', JSON.stringify({ version: 1, scenario: { name: 'x', hosts: [] } }), JSON.stringify({ version: 1, scenario: { name: 'x', hosts: [{ name: 'a', setup: [42] }] } })]) {
      const r = decodeSave(text);
      expect(r.scenario, text).toBeNull();
      expect(r.problem, text).toMatch(/ignored/);
    }
  });

  it('checks the shape of a case object, naming what is wrong', () => {
    expect(caseShapeProblem(scenario)).toBeNull();
    expect(caseShapeProblem({ name: 'x', hosts: [{ name: 'a' }], links: [['a:eth0']] })).toMatch(/link/);
    expect(caseShapeProblem({ name: 'x', hosts: [{ name: 'a' }], rt_tables: { t: 'x' } })).toMatch(/rt_tables/);
    expect(caseShapeProblem({ hosts: [{ name: 'a' }] })).toMatch(/name/);
  });

  it('survives a browser that throws on every call', () => {
    const hostile: KeyValueStore = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {
        throw new Error('SecurityError');
      },
    };
    expect(loadSaved(hostile).problem).toMatch(/saved data/);
    expect(save(hostile, scenario)).toMatch(/too large/);
  });

  it('drops the old save when a new one does not fit, so a reload never shows stale edits as current', () => {
    const m = memory();
    save(m, scenario);
    m.setItem = () => {
      throw new Error('QuotaExceededError');
    };
    expect(save(m, { ...scenario, name: 'big' })).toMatch(/too large/);
    expect(m.data.size).toBe(0);
  });

  it('stamps the save with a date', () => {
    expect(JSON.parse(encodeSave(scenario, new Date('2026-01-02T03:04:05Z'))).savedAt).toBe('2026-01-02T03:04:05.000Z');
  });
});
