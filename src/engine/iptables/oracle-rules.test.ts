// pattern: Imperative Shell
// Every iptables setup of the oracle cases, loaded into a Ruleset, must print
// back exactly what the real kernel's iptables-save printed (fixture copied
// from /work/shared/oracle/cases/*.kernel.json `rulesets`).

import { describe, expect, it } from 'vitest';
import fixture from './__fixtures__/oracle-rulesets.json';
import { parseIptablesCommand } from './command';
import { applyIptablesCommand } from './apply';
import { applyRestore, parseRestore } from './restore';
import { createRuleset } from './ruleset';
import { saveRule } from './save';
import type { TableName } from '../netfilter/hooks';

interface Entry {
  case: string;
  host: string;
  setup: (string | { 'iptables-restore': string; noflush?: boolean })[];
  rulesets: Record<string, Record<string, { policy: string | null; rules: { rule: string; target: string | null; goto: boolean }[] }>>;
}

describe('oracle case rulesets round-trip through saveRule', () => {
  for (const e of fixture as unknown as Entry[]) {
    it(`${e.case} / ${e.host}`, () => {
      const rs = createRuleset();
      for (const s of e.setup) {
        if (typeof s === 'string') {
          const p = parseIptablesCommand(s);
          expect(p.diagnostics, s).toEqual([]);
          expect(applyIptablesCommand(rs, p.value!), s).toEqual([]);
        } else {
          const p = parseRestore(s['iptables-restore'], { noflush: !!s.noflush, counters: false });
          expect(p.diagnostics).toEqual([]);
          expect(applyRestore(rs, p.value!)).toEqual([]);
        }
      }
      for (const [table, chains] of Object.entries(e.rulesets)) {
        for (const [chain, want] of Object.entries(chains)) {
          const c = rs.tables[table as TableName].chains.get(chain);
          expect(c, `${table}/${chain}`).toBeDefined();
          expect(c!.policy).toBe(want.policy);
          const got = c!.rules.map((r) => ({ rule: saveRule(table as TableName, chain, r), target: r.target ? r.target.name : null, goto: r.goto }));
          expect(got).toEqual(want.rules);
        }
      }
    });
  }
});
