// pattern: Imperative Shell
// The catalog of what the real iptables-legacy-restore 1.8.9 does with odd
// and wrong input, recorded on kernel 6.18 in a throw-away network namespace
// by scripts/record-restore-real.py from __fixtures__/restore-real.cases
// (restore-real.json: exit code, stderr without the "Try `iptables-restore
// -h'" hint, the kernel's dmesg lines, iptables-save of the tables named).
// The engine must print the same first lines; where the real tool only says
// "line N failed" the engine adds a "reason:" line (never a bare failure)
// and the kernel's dmesg line; and it must leave the same tables behind.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyRestore, parseRestore } from './restore';
import { createRuleset } from './ruleset';
import { saveRuleset } from './save';

interface RealCase {
  name: string;
  flags: string[];
  input: string;
  rc: number;
  stderr: string;
  dmesg: string[];
  saved: Record<string, string>;
}

const CASES = JSON.parse(readFileSync(new URL('./__fixtures__/restore-real.json', import.meta.url), 'utf8')) as RealCase[];

/** The engine's iptables-save text cut into its `*table ... COMMIT` blocks. */
function blocks(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of text.split(/^(?=\*)/m)) {
    const name = /^\*(\S+)/.exec(b)?.[1];
    if (name) out.set(name, b);
  }
  return out;
}

function run(c: RealCase): { errors: string[]; saved: Map<string, string> } {
  const counters = c.flags.includes('--counters');
  const rs = createRuleset();
  const p = parseRestore(c.input, { noflush: c.flags.includes('--noflush'), counters });
  const errors = applyRestore(rs, p.value!)
    .filter((d) => d.severity === 'error')
    .map((d) => d.message);
  return { errors, saved: blocks(saveRuleset(rs, { counters })) };
}

describe('iptables-restore as recorded on iptables 1.8.9 (legacy), kernel 6.18', () => {
  it('has a catalog to check', () => {
    expect(CASES.length).toBeGreaterThan(100);
  });

  for (const c of CASES) {
    it(`${c.name} (exit ${c.rc})`, () => {
      const { errors, saved } = run(c);
      if (c.rc === 0) expect(errors).toEqual([]);
      else {
        expect(errors.length).toBe(1);
        const msg = errors[0]!;
        expect(msg.slice(0, c.stderr.length)).toBe(c.stderr);
        const extra = msg.slice(c.stderr.length);
        // a bare "line N failed" names no reason: the engine always adds one
        if (/line \d+ failed$/.test(c.stderr)) expect(extra).toMatch(/^\nreason: \S/);
        else expect(extra).toBe('');
        const engineDmesg = [...extra.matchAll(/^dmesg: (.*)$/gm)].map((m) => m[1]);
        expect(engineDmesg).toEqual(c.dmesg);
      }
      for (const [table, text] of Object.entries(c.saved)) expect(saved.get(table), table).toBe(text);
    });
  }
});
