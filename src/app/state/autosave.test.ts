// A save of an earlier version comes back; anything else in its place —
// broken JSON, another version, a wrong shape — is ignored with a message
// instead of crashing the app.

import { describe, expect, it } from 'vitest';
import type { Case } from '../../engine/scenario/case';
import { AUTOSAVE_KEY, decodeSave, encodeSave } from './autosave';

const scenario: Case = { name: 'lab', hosts: [{ name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0', { 'iptables-restore': '*filter\nCOMMIT\n', noflush: false }] }, { name: 'b' }], links: [['a:eth0', 'b:eth0']] };

describe('autosave', () => {
  it('reads back what it wrote, under a versioned key', () => {
    expect(AUTOSAVE_KEY).toMatch(/v\d+$/);
    expect(decodeSave(encodeSave(scenario))).toEqual({ scenario, problem: null });
  });

  it('has nothing to say when nothing was saved', () => {
    expect(decodeSave(null)).toEqual({ scenario: null, problem: null });
  });

  it('ignores corrupt or foreign data with a message', () => {
    for (const text of ['{', 'null', '[]', '{"version":2,"scenario":{}}', JSON.stringify({ version: 1, scenario: { name: 'x', hosts: [] } }), JSON.stringify({ version: 1, scenario: { name: 'x', hosts: [{ name: 'a', setup: [42] }] } })]) {
      const r = decodeSave(text);
      expect(r.scenario, text).toBeNull();
      expect(r.problem, text).toMatch(/ignored/);
    }
  });

  it('names the field of a damaged save and what was expected there', () => {
    const r = decodeSave(JSON.stringify({ version: 1, scenario: { name: 'x', hosts: [{ name: 'a' }], links: [['a:eth0']] } }));
    expect(r.problem).toBe('The scenario saved in this browser is damaged (links[0]: expected a pair of "host:ifname"); it was ignored.');
  });

  it('stamps the save with a date', () => {
    expect(JSON.parse(encodeSave(scenario, new Date('2026-01-02T03:04:05Z'))).savedAt).toBe('2026-01-02T03:04:05.000Z');
  });
});
