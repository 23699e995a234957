// pattern: Imperative Shell
// Real-world iptables-save dumps (/work/shared/corpus/iptables-save) loaded
// with --counters must save back byte-for-byte like iptables-save 1.8.9
// legacy did (roundtrip-legacy-1.8.9/*.saved, `#` lines dropped). Dumps
// using a module this engine does not model are listed, not failed.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyRestore, parseRestore } from './restore';
import { createRuleset } from './ruleset';
import { saveRuleset } from './save';

const DIR = '/work/shared/corpus/iptables-save';

describe('corpus iptables-save round trip', () => {
  if (!existsSync(`${DIR}/roundtrip-legacy-1.8.9`)) {
    it.skip('corpus not present', () => {});
    console.log(`notice: ${DIR} absent, corpus round-trip skipped`);
    return;
  }
  const saved = readdirSync(`${DIR}/roundtrip-legacy-1.8.9`).filter((f) => f.endsWith('.saved'));
  const unmodelled: string[] = [];
  for (const f of saved.sort()) {
    const name = f.replace(/\.saved$/, '');
    const input = readFileSync(`${DIR}/${name}`, 'utf8');
    const p = parseRestore(input, { noflush: false, counters: true });
    const notModelled = p.diagnostics.find((d) => d.code === 'iptables/not-modelled');
    if (notModelled) {
      unmodelled.push(`${name} (${notModelled.message.split('\n')[0]})`);
      continue;
    }
    it(name, () => {
      expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const rs = createRuleset({ loaded: [] });
      expect(applyRestore(rs, p.value!)).toEqual([]);
      const want = readFileSync(`${DIR}/roundtrip-legacy-1.8.9/${f}`, 'utf8')
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('\n');
      expect(saveRuleset(rs, { counters: false })).toBe(want);
    });
  }
  it('lists the dumps skipped for unmodelled modules', () => {
    console.log(`corpus round trip: ${saved.length - unmodelled.length} compared, ${unmodelled.length} skipped: ${unmodelled.join('; ')}`);
    expect(saved.length).toBeGreaterThan(0);
  });
});
