// Every way the app hands a scenario out comes back in: the case file
// (Export → Case file, and the plain JSON of Share → Download and the
// notices' Download), the share link, and each host text of the Export panel
// (iptables-save, ip route show [table all], ip rule show) imported into a
// host that lacks it. "Back" means the engine sees the same configuration:
// the canonical case (and the host's export) is identical.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyEdit, exportText, importIp } from '../../engine/edit/scenario-edit';
import { decodeShare, encodeShare } from '../../share/link';
import { readScenarioFile } from '../state/scenario-file';
import type { Case } from '../../engine/scenario/case';

const load = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as Case & { name: string; hosts: { name: string; setup?: unknown[] }[] };

const SCENARIOS = [load('../../scenarios/port-forward.json'), load('../../gallery/scenarios/g07-policy-routing.json'), load('../../gallery/scenarios/g08-vpn-mark-routing.json')];

function text(r: ReturnType<typeof exportText>): string {
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return r.text;
}

const canonical = (s: unknown) => text(exportText(s, null, 'case'));

/**
 * An iptables-save text as its tables, in any order: iptables-save lists
 * tables in the order the kernel registered them (/proc/net/ip_tables_names),
 * which a restore into an empty host need not repeat.
 */
/** A host's canonical setup commands, in any order. */
const setupOf = (s: unknown, host: string) => ((JSON.parse(canonical(s)) as { hosts: { name: string; setup: unknown[] }[] }).hosts.find((h) => h.name === host)?.setup ?? []).map((c) => JSON.stringify(c)).sort();

const tableBlocks = (save: string) => save.split(/(?=^\*)/m).sort();

/** The scenario with `host`'s setup commands that `drop` names removed. */
function without(s: (typeof SCENARIOS)[number], host: string, drop: (c: unknown) => boolean) {
  return { ...s, hosts: s.hosts.map((h) => (h.name === host ? { ...h, setup: (h.setup ?? []).filter((c) => !drop(c)) } : h)) };
}

const opened = (t: string): Case => {
  const r = readScenarioFile(t);
  if (r.kind !== 'case' && r.kind !== 'save') throw new Error(`not opened as a scenario: ${JSON.stringify(r).slice(0, 200)}`);
  return r.scenario;
};

describe.each(SCENARIOS.map((s) => [s.name, s] as const))('round trips of %s', (_name, scenario) => {
  it('Export → Case file opens as the same configuration, and exports to the same file again', () => {
    const file = canonical(scenario);
    const back = opened(file);
    expect(canonical(back)).toBe(file);
    // with a byte-order mark, as some editors save it
    expect(canonical(opened(`\uFEFF${file}`))).toBe(file);
  });

  it('the plain case JSON (Share → Download, the notices’ Download) opens as the very same object', () => {
    expect(opened(`${JSON.stringify(scenario, null, 2)}\n`)).toEqual(scenario);
  });

  it('the share link, pasted into Import, opens as the same scenario', () => {
    const hash = encodeShare({ scenario: scenario as never, step: 3 });
    const r = readScenarioFile(`https://example.org/app/${hash.startsWith('#') ? hash : `#${hash}`}`);
    expect(r.kind).toBe('link');
    const d = decodeShare(r.kind === 'link' ? r.hash : '');
    expect(d.ok && d.state.scenario).toEqual(scenario);
  });

  it('each host’s iptables-save imports back (iptables-restore) to the same configuration', () => {
    for (const h of scenario.hosts) {
      const save = text(exportText(scenario, h.name, 'iptables-save'));
      // into the host it came from: restore replaces the tables it names, with the same
      const same = applyEdit(scenario, h.name, save, 'restore');
      expect(same.ok, h.name).toBe(true);
      if (!same.ok) continue;
      expect(text(exportText(same.scenario, h.name, 'iptables-save')), h.name).toBe(save);
      // into the same host without any rules: the same tables, chains and rules
      const bare = without(scenario, h.name, (c) => (typeof c === 'string' && /^\s*iptables\b/.test(c)) || (typeof c === 'object' && c !== null && 'iptables-restore' in c));
      const r = applyEdit(bare, h.name, save, 'restore');
      expect(r.ok, h.name).toBe(true);
      if (!r.ok) continue;
      expect(tableBlocks(text(exportText(r.scenario, h.name, 'iptables-save'))), h.name).toEqual(tableBlocks(save));
    }
  });

  it('each host’s ip route show, ip route show table all and ip rule show import back', () => {
    for (const h of scenario.hosts) {
      const isRoute = (c: unknown) => typeof c === 'string' && /^\s*ip\s+(-4\s+)?route\b/.test(c);
      const isRule = (c: unknown) => typeof c === 'string' && /^\s*ip\s+(-4\s+)?rule\b/.test(c);
      const isAddr = (c: unknown) => typeof c === 'string' && /^\s*ip\s+(-4\s+)?a(ddr(ess)?)?\s/.test(c);
      for (const [what, drop] of [
        ['ip-route', isRoute],
        ['ip-route-all', isRoute],
        ['ip-rule', isRule],
      ] as const) {
        const out = text(exportText(scenario, h.name, what));
        // `proto kernel` routes stand for the addresses that made them, so routes come back into a host without addresses
        const r = importIp(what === 'ip-rule' ? without(scenario, h.name, drop) : without(scenario, h.name, (c) => isAddr(c) || isRoute(c)), h.name, out);
        expect(r.ok, `${h.name} ${what}: ${r.ok ? '' : r.diagnostics.map((d) => d.message).join('; ')}`).toBe(true);
        if (!r.ok) continue;
        expect(text(exportText(r.scenario, h.name, what)), `${h.name} ${what}`).toBe(out);
        // the main table alone is not the host's whole routing: only `table all` and the rules bring all of it back
        if (what === 'ip-route') continue;
        // the same commands; addresses come back in the order their routes are listed
        expect(setupOf(r.scenario, h.name), `${h.name} ${what}`).toEqual(setupOf(scenario, h.name));
      }
    }
  });
});
