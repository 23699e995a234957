// pattern: Functional Core
// Selectors over the scenario object (an oracle case), cached by identity so
// zustand sees a stable value between renders.

import type { ScenarioState } from '../state/walk-store';

const names = new WeakMap<object, string[]>();

/** Host names in the scenario's order. */
export function selectHostNames(s: ScenarioState): string[] {
  let out = names.get(s.scenario);
  if (!out) {
    const hosts = Array.isArray(s.scenario.hosts) ? (s.scenario.hosts as unknown[]) : [];
    out = hosts.map((h) => (typeof h === 'object' && h !== null && typeof (h as { name?: unknown }).name === 'string' ? (h as { name: string }).name : '')).filter(Boolean);
    names.set(s.scenario, out);
  }
  return out;
}
