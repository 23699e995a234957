// pattern: Functional Core
// Edits to a scenario, each producing a new scenario (the app keeps them as
// its undo history): a command typed in a host's console, an iptables-restore
// text, an import of `ip ... show` output; and the texts a user exports.
// Commands are checked by running them on the scenario's hosts: a rejected
// command changes nothing and comes back with the real tool's message and
// its position in the typed text.

import { hostScript } from '../scenario/netns';
import { readCase } from '../scenario/case-file';
import type { Case } from '../scenario/case';
import type { Scenario, SetupCommand } from '../scenario/types';
import { World } from '../sim/world';
import type { HostConfig } from '../sim/host-config';
import { applySetupCommand } from '../sim/setup-commands';
import { canonicalSetupSliced, iptablesRestoreText } from './canonical';
import { drain, type Sliced } from '../text/slices';
import { formatRoutes } from '../net/ip-route';
import { formatRules } from '../net/ip-rule';
import { importIpOutput } from '../net/ip-import';
import { saveRuleset } from '../iptables/save';
import { lineColumn, type Diagnostic } from '../text/diagnostics';

export interface PositionedDiagnostic extends Diagnostic {
  line: number;
  column: number;
}

export type EditResult =
  | { ok: true; scenario: Case; diagnostics: PositionedDiagnostic[] }
  | { ok: false; diagnostics: PositionedDiagnostic[] };

export function positioned(text: string, ds: readonly Diagnostic[]): PositionedDiagnostic[] {
  return ds.map((d) => ({ ...d, ...lineColumn(text, d.from) }));
}

function linkNames(s: Scenario, host: string): Set<string> {
  const names = new Set<string>();
  for (const [a, b] of s.links) for (const e of [a, b]) if (e.host === host) names.add(e.iface);
  for (const sw of s.switches) for (const e of sw.ports) if (e.host === host) names.add(e.iface);
  return names;
}

/** The scenario as a case (FORMAT.md §1), with every host's setup in canonical form. */
export function scenarioToCase(s: Scenario, hosts: ReadonlyMap<string, HostConfig> | World): Case {
  return drain(scenarioToCaseSliced(s, hosts));
}

/** scenarioToCase, pausing between slices of the hosts' iptables rules (text/slices.ts). */
export function* scenarioToCaseSliced(s: Scenario, hosts: ReadonlyMap<string, HostConfig> | World): Sliced<Case> {
  const configs = hosts instanceof World ? hosts.hosts : hosts;
  // keys in the order the case format lists them: the case text (and so its fingerprint) stays the same
  const c: Case = { name: s.name, hosts: [] };
  if (s.description) c.description = s.description;
  if (s.conntrack !== 'auto') c.options = { conntrack: s.conntrack };
  if (Object.keys(s.rtTables).length) c.rt_tables = s.rtTables;
  const setups: { name: string; in?: string; setup: SetupCommand[] }[] = [];
  for (const h of s.hosts) {
    const host = configs.get(h.name)!;
    setups.push({ name: h.name, ...(h.in !== undefined ? { in: h.in } : {}), setup: yield* canonicalSetupSliced(host.net, host.rules, linkNames(s, h.name), host.ipvs) });
  }
  c.hosts = setups;
  if (s.links.length) c.links = s.links.map(([a, b]) => [`${a.host}:${a.iface}`, `${b.host}:${b.iface}`]);
  if (s.switches.length) c.switches = s.switches.map((sw) => ({ name: sw.name, ports: sw.ports.map((p) => `${p.host}:${p.iface}`) }));
  if (s.listeners.length) c.listeners = s.listeners;
  // the step as written, with the harness's defaults the reader filled in, less what the case never says;
  // a timeout other than the harness's 0.5 s stays (a step that waits out ARP's probes, case neigh-03)
  c.steps = s.steps.map(({ kind: _kind, timeout, ...written }) => (timeout !== 0.5 ? { ...written, timeout } : written));
  return c;
}

function load(caseObj: unknown): { scenario: Scenario; world: World } | { error: PositionedDiagnostic[] } {
  const r = readCase(caseObj);
  if (!r.value) return { error: positioned('', r.diagnostics) };
  return { scenario: r.value, world: new World(r.value) };
}

/**
 * Apply `text` (an `ip`, `iptables` or `sysctl` command, or iptables-restore
 * input when `restore` is set) to `host`. The result is the whole scenario in
 * canonical form, or the diagnostics of the rejected command.
 */
export function applyEdit(caseObj: unknown, host: string, text: string, mode: 'command' | 'restore' | 'restore-noflush'): EditResult {
  const l = load(caseObj);
  if ('error' in l) return { ok: false, diagnostics: l.error };
  const h = l.world.hosts.get(host);
  if (!h) return { ok: false, diagnostics: positioned(text, [{ from: 0, to: 0, severity: 'error', message: `no host named ${host}`, source: 'edit' }]) };
  const cmd: SetupCommand = mode === 'command' ? text.trim() : { 'iptables-restore': text, noflush: mode === 'restore-noflush' };
  const lead = mode === 'command' ? text.length - text.trimStart().length : 0;
  const diags = applySetupCommand(h, cmd, l.scenario.rtTables).map((d) => ({ ...d, from: d.from + lead, to: d.to + lead }));
  if (diags.some((d) => d.severity === 'error')) return { ok: false, diagnostics: positioned(text, diags) };
  return { ok: true, scenario: scenarioToCase(l.scenario, l.world), diagnostics: positioned(text, diags) };
}

/** Import `ip route/rule/addr/link show` output into a host. */
export function importIp(caseObj: unknown, host: string, text: string): EditResult & { skipped?: { line: number; reason: string }[] } {
  const r = importIpOutput(text, 'auto');
  if (!r.value || r.diagnostics.some((d) => d.severity === 'error')) return { ok: false, diagnostics: positioned(text, r.diagnostics) };
  const l = load(caseObj);
  if ('error' in l) return { ok: false, diagnostics: l.error };
  const h = l.world.hosts.get(host);
  if (!h) return { ok: false, diagnostics: positioned(text, [{ from: 0, to: 0, severity: 'error', message: `no host named ${host}`, source: 'edit' }]) };
  const errors: Diagnostic[] = [];
  for (const c of r.value.commands) {
    const ds = applySetupCommand(h, c.text, l.scenario.rtTables).filter((d) => d.severity === 'error');
    for (const d of ds) errors.push({ ...d, from: c.span.from, to: c.span.to, message: `${c.text}: ${d.message}` });
  }
  if (errors.length) return { ok: false, diagnostics: positioned(text, errors) };
  return { ok: true, scenario: scenarioToCase(l.scenario, l.world), diagnostics: positioned(text, r.diagnostics), skipped: r.value.skipped };
}

export type ExportKind = 'iptables-save' | 'ip-route' | 'ip-route-all' | 'ip-rule' | 'setup' | 'case';

/** The texts a user exports from a host (or the whole scenario as an oracle case file). */
export function exportText(caseObj: unknown, host: string | null, what: ExportKind): { ok: true; text: string } | { ok: false; diagnostics: PositionedDiagnostic[] } {
  const l = load(caseObj);
  if ('error' in l) return { ok: false, diagnostics: l.error };
  if (what === 'case') return { ok: true, text: `${JSON.stringify(scenarioToCase(l.scenario, l.world), null, 2)}\n` };
  if (what === 'setup') return host && l.world.hosts.has(host) ? { ok: true, text: hostScript(scenarioToCase(l.scenario, l.world), host) } : hostExport(host, undefined, 'ip-rule');
  return hostExport(host, host ? l.world.hosts.get(host) : undefined, what);
}

/** One host's text of an export (the lab's and a case's exports both): iptables-save, ip route, ip rule. */
export function hostExport(host: string | null, h: HostConfig | undefined, what: Exclude<ExportKind, 'case' | 'setup'>): { ok: true; text: string } | { ok: false; diagnostics: PositionedDiagnostic[] } {
  if (!h) return { ok: false, diagnostics: [{ from: 0, to: 0, line: 1, column: 1, severity: 'error', message: `no host named ${host}`, source: 'edit' }] };
  switch (what) {
    case 'iptables-save':
      // every table the host has loaded, as iptables-save prints them (no # lines)
      return { ok: true, text: saveRuleset(h.rules, { counters: false }) };
    case 'ip-route':
      return { ok: true, text: formatRoutes(h.net) };
    case 'ip-route-all':
      return { ok: true, text: formatRoutes(h.net, 'all') };
    case 'ip-rule':
      return { ok: true, text: formatRules(h.net) };
  }
}

export { iptablesRestoreText };
