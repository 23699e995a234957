// Writing every host back as canonical commands loses nothing: each oracle
// case, rebuilt from its canonical form, gives the same result as the
// original at the oracle's full level.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCase } from '../scenario/case-file';
import { World } from '../sim/world';
import { runCase } from '../run-case';
import { compareResults } from '../conformance/compare';
import { applyEdit, exportText, scenarioToCase } from './scenario-edit';

const dir = join(__dirname, '..', '__fixtures__', 'oracle');
const ipvsDir = join(__dirname, '..', '..', 'scenarios', 'ipvs');
const cases = [
  ...readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.kernel.json')).map((f) => join(dir, f)),
  ...readdirSync(ipvsDir).map((f) => join(ipvsDir, f)),
];

describe('canonical setup', () => {
  it.each(cases)('%s rebuilds to the same walk', (f) => {
    const json = JSON.parse(readFileSync(f, 'utf8'));
    const s = readCase(json).value!;
    const canonical = scenarioToCase(s, new World(s));
    const a = runCase(json);
    const b = runCase(canonical);
    if (!a.ok || !b.ok) throw new Error(JSON.stringify([a.ok || a.errors, b.ok || b.errors]));
    // counters of rule lines are part of `full`; the ruleset text is identical too
    expect(compareResults(a.result, b.result, 'full', 5)).toEqual([]);
  });
});

const base = JSON.parse(readFileSync(join(__dirname, '..', '..', 'scenarios', 'port-forward.json'), 'utf8'));

describe('editing a scenario', () => {
  it('applies an iptables command and exports it back as iptables-save prints it', () => {
    const r = applyEdit(base, 'router', 'iptables -I FORWARD 1 -p icmp -j DROP', 'command');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const saved = exportText(r.scenario, 'router', 'iptables-save');
    expect(saved.ok && saved.text).toContain('-A FORWARD -p icmp -j DROP\n-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
  });

  it('rejects a wrong command with the real message at the right column and changes nothing', () => {
    const text = 'iptables -A FORWARD -p tcp --dport 99999 -j ACCEPT';
    const r = applyEdit(base, 'router', text, 'command');
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]).toMatchObject({ column: text.indexOf('99999') + 1 });
    expect(r.diagnostics[0]!.message).toMatch(/99999/);
  });

  it('adds a route and shows it as ip route show does', () => {
    const r = applyEdit(base, 'web', 'ip route add 10.9.0.0/16 via 192.168.1.1', 'command');
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const t = exportText(r.scenario, 'web', 'ip-route');
    expect(t.ok && t.text).toContain('10.9.0.0/16 via 192.168.1.1 dev eth0 \n');
  });
});
