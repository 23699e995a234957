// pattern: Functional Core
// One call from a case file to the oracle-format result: what the CLI, the
// conformance test and the worker use.

import { readCase } from './scenario/case-file';
import { World } from './sim/world';
import { kernelResult } from './conformance/kernel-result';
import { formatDiagnostic } from './text/diagnostics';
import type { Scenario } from './scenario/types';
import type { BudgetLimits } from './sim/budget';

/**
 * `result` (the oracle format) is built when first read: the worker never
 * reads it. A run a work budget stopped (`world.stopped`) is still ok: its
 * result and log hold what was walked before the stop.
 */
export type RunCaseResult = { ok: true; readonly result: Record<string, unknown>; world: World } | { ok: false; errors: string[] };

export function runScenario(scenario: Scenario, limits?: BudgetLimits): RunCaseResult {
  const world = new World(scenario, limits);
  if (world.diagnostics.length) {
    const errors = world.diagnostics.flatMap((d) =>
      d.diagnostics
        .filter((x) => x.severity === 'error')
        .map((x) => {
          const host = scenario.hosts.find((h) => h.name === d.host);
          const cmd = host?.setup[d.command];
          const text = typeof cmd === 'string' ? cmd : cmd ? cmd['iptables-restore'] : '';
          return `host ${d.host} setup[${d.command}]: ${formatDiagnostic(text, x)}`;
        }),
    );
    if (errors.length) return { ok: false, errors };
  }
  world.run();
  let result: Record<string, unknown> | null = null;
  return {
    ok: true,
    get result() {
      return (result ??= kernelResult(world));
    },
    world,
  };
}

export function runCase(json: unknown, limits?: BudgetLimits): RunCaseResult {
  const parsed = readCase(json);
  if (!parsed.value) return { ok: false, errors: parsed.diagnostics.map((d) => d.message) };
  return runScenario(parsed.value, limits);
}
