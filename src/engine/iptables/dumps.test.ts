// pattern: Imperative Shell
// Realistic firewall dumps written for this project (__fixtures__/dumps:
// fail2ban, ufw, firewalld's iptables backend, Docker, kube-proxy, a
// Shorewall-style router, an IPS gateway) that real iptables-legacy-restore
// 1.8.9 loads; NAME.saved is what iptables-legacy-save printed afterwards
// (recorded with scripts/record-restore-real.py --dumps). The engine must
// load each one and print the same bytes, and load its own output again to
// the same tables.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyRestore, parseRestore } from './restore';
import { createRuleset } from './ruleset';
import { saveRuleset } from './save';

const DIR = new URL('./__fixtures__/dumps/', import.meta.url);
const DUMPS = readdirSync(DIR).filter((f) => f.endsWith('.rules')).sort();

function load(text: string): { errors: string[]; saved: string } {
  const rs = createRuleset({ loaded: [] });
  const p = parseRestore(text, { noflush: false, counters: true });
  const errors = applyRestore(rs, p.value!).filter((d) => d.severity === 'error').map((d) => d.message);
  return { errors, saved: saveRuleset(rs, { counters: false }) };
}

function tables(saved: string): string[] {
  return saved.split(/^(?=\*)/m).sort();
}

describe('real-world dumps iptables 1.8.9 loads', () => {
  it('has the dumps', () => {
    expect(DUMPS.length).toBeGreaterThanOrEqual(7);
  });
  for (const f of DUMPS) {
    it(f, () => {
      const want = readFileSync(new URL(f.replace(/\.rules$/, '.saved'), DIR), 'utf8');
      const first = load(readFileSync(new URL(f, DIR), 'utf8'));
      expect(first.errors).toEqual([]);
      expect(first.saved).toBe(want);
      // iptables-save prints the newest table first, so loading its output reverses the tables
      const again = load(first.saved);
      expect(again.errors).toEqual([]);
      expect(tables(again.saved)).toEqual(tables(want));
    });
  }
});
