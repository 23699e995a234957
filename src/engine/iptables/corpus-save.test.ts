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
import { sharedPath } from '../../test-support/shared-dir';

const DIR = sharedPath('corpus', 'iptables-save');

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
    // every loadable dump round-trips today; a module going back to "not modelled" must fail here
    expect(saved.length - unmodelled.length).toBeGreaterThanOrEqual(MIN_ROUND_TRIPS);
  });
});

/** Loadable dumps that round-tripped byte for byte when this floor was set (all 33 of them). */
const MIN_ROUND_TRIPS = 33;

/**
 * The dumps real iptables-restore 1.8.9 refuses (VALIDATION.md), each with
 * the reason it printed: the simulator must refuse them with the same text.
 */
const REFUSED: readonly [string, string][] = [
  ['iptsem-parser-test.rules', 'iptables-restore v1.8.9 (legacy): unknown option "--something-else"'],
  ['kube-proxy-trace-packet.rules', "Bad argument `health'"],
  ['netnetwork-tum-chair-2016-06-27.rules', 'iptables-restore v1.8.9 (legacy): Invalid MAC address specified.'],
  ['netnetwork-ugent.rules', "Bad argument `192.168.122.0/255.255.255.0'"],
  ['netnetwork-veroneau-blocklist.rules', "Bad argument `COMMIT'"],
  ['ufw-template-after.rules', "iptables-restore v1.8.9 (legacy): Couldn't load target `ufw-skip-to-policy-input':No such file or directory"],
  ['ufw-template-before.rules', "iptables-restore v1.8.9 (legacy): Couldn't load target `ufw-logging-deny':No such file or directory"],
];

describe('corpus dumps real iptables-restore refuses', () => {
  if (!existsSync(`${DIR}/VALIDATION.md`)) {
    it.skip('corpus not present', () => {});
    return;
  }
  for (const [name, reason] of REFUSED) {
    it(`${name}: ${reason}`, () => {
      const p = parseRestore(readFileSync(`${DIR}/${name}`, 'utf8'), { noflush: false, counters: true });
      const rs = createRuleset({ loaded: [] });
      const diags = p.value ? applyRestore(rs, p.value) : p.diagnostics;
      const first = diags.find((d) => d.severity === 'error');
      expect(first?.message.split('\n')[0]).toBe(reason);
    });
  }
});
