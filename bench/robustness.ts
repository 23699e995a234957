// pattern: Imperative Shell
// The inputs of issue 10's attacks, timed: a 2 KB case whose 30 chains each
// jump twice to the next (2^30 rule visits), a 3,000-deep chain of jumps,
// 10,000 traffic steps, each run and turned into the app's walk log; and
// `ip route show` imports of 8,000 … 32,000 lines. The work budget
// (src/engine/sim/budget.ts) is what ends the first and the third.

import { readCase } from '../src/engine/scenario/case-file';
import { runScenario } from '../src/engine/run-case';
import { walkLog } from '../src/engine/walk-log';
import { importIpOutput } from '../src/engine/net/ip-import';

const ping = { from: 'a', ping: '10.0.0.2' };

function twoHosts(setup: unknown[], steps: unknown[]): unknown {
  return {
    name: 'attack',
    hosts: [
      { name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0'] },
      { name: 'b', setup: ['ip addr add 10.0.0.2/24 dev eth0', ...setup] },
    ],
    links: [['a:eth0', 'b:eth0']],
    steps,
  };
}

export function fanOutCase(chains: number): unknown {
  const setup = Array.from({ length: chains }, (_, i) => `iptables -N C${i}`);
  for (let i = 0; i + 1 < chains; i++) setup.push(`iptables -A C${i} -j C${i + 1}`, `iptables -A C${i} -j C${i + 1}`);
  setup.push('iptables -A INPUT -j C0');
  return twoHosts(setup, [ping]);
}

export function deepChainCase(depth: number): unknown {
  const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
  for (let i = 0; i < depth; i++) lines.push(`:C${i} - [0:0]`);
  for (let i = 0; i + 1 < depth; i++) lines.push(`-A C${i} -j C${i + 1}`);
  lines.push('-A INPUT -j C0', 'COMMIT', '');
  return twoHosts([{ 'iptables-restore': lines.join('\n') }], [ping]);
}

export function manyStepsCase(steps: number): unknown {
  return twoHosts([], Array.from({ length: steps }, () => ping));
}

/** `ip route show` of a router with `n` routes: a connected /24 and gateway routes to /24s. */
export function routeShow(n: number): string {
  const lines = ['192.168.0.0/24 dev eth0 proto kernel scope link src 192.168.0.2'];
  for (let i = 0; lines.length < n; i++) lines.push(`10.${(i >> 8) & 255}.${i & 255}.0/24 via 192.168.0.1 dev eth0 proto static metric ${100 + (i >> 16)}`);
  return `${lines.join('\n')}\n`;
}

export interface AttackTiming {
  case: string;
  run_ms: number;
  walk_log_ms: number;
  /** the budget that stopped it, null: it ran to its end */
  stopped: string | null;
  log_steps: number;
}

function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const v = fn();
  return [v, Math.round(performance.now() - t)];
}

export function timeAttack(name: string, json: unknown): AttackTiming {
  const parsed = readCase(json);
  if (!parsed.value) throw new Error(parsed.diagnostics[0]?.message);
  const [r, run] = time(() => runScenario(parsed.value!));
  if (!r.ok) throw new Error(r.errors[0]);
  const [log, walk] = time(() => walkLog(r.world));
  return { case: name, run_ms: run, walk_log_ms: walk, stopped: r.world.stopped?.budget ?? null, log_steps: log.steps.length };
}

export function timeRouteImport(lines: number): number {
  const text = routeShow(lines);
  const [r, ms] = time(() => importIpOutput(text, 'route'));
  if (!r.value) throw new Error(r.diagnostics[0]?.message);
  return ms;
}

export function measureRobustness(): { attacks: AttackTiming[]; route_import_ms: Record<string, number> } {
  const attacks = [
    timeAttack('fan-out 30 chains × 2 jumps', fanOutCase(30)),
    timeAttack('3,000-deep jump chain', deepChainCase(3000)),
    timeAttack('10,000 traffic steps', manyStepsCase(10_000)),
  ];
  const route_import_ms: Record<string, number> = {};
  for (const n of [8000, 16000, 32000]) route_import_ms[n] = timeRouteImport(n);
  return { attacks, route_import_ms };
}

// `tsx bench/robustness.ts`: this part alone
if (import.meta.url === `file://${process.argv[1]}`) {
  const m = measureRobustness();
  for (const a of m.attacks) console.log(`${a.case.padEnd(30)} run ${a.run_ms} ms, walk log ${a.walk_log_ms} ms, ${a.log_steps} log steps, ${a.stopped ? `stopped by the ${a.stopped} budget` : 'ran to its end'}`);
  for (const [n, ms] of Object.entries(m.route_import_ms)) console.log(`ip route show import, ${n} lines: ${ms} ms`);
}
