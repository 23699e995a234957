// pattern: Imperative Shell
// `npm run bench [-- --json]`: full packet walks per second through a host
// whose filter INPUT chain holds 10 … 100,000 rules, and the time to load a
// 50,000-rule iptables-save, each beside its yardstick measured in the same
// run (a bare first-match loop; a bare line splitter). Warm-up first, then
// the median of several timed runs (STACK.md §6 explains why). Then issue
// 10's attacks once each (bench/robustness.ts): the fan-out, the deep jump
// chain, 10,000 steps and large `ip route show` imports.

import { readCase } from '../src/engine/scenario/case-file';
import { World } from '../src/engine/sim/world';
import { clonePacket, IPPROTO_TCP, TCP_SYN, type Packet } from '../src/engine/net/packet';
import { parseRestore, applyRestore } from '../src/engine/iptables/restore';
import { createRuleset } from '../src/engine/sim/iptables-adapter';
import { bareSplit, firstMatch, generateRules } from './rules';
import { measureRobustness } from './robustness';

const SIZES = [10, 1000, 10000, 100000] as const;
const json = process.argv.includes('--json');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** runs fn repeatedly for `ms`, returns calls per second */
function rate(fn: () => void, ms: number): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 16; i++) fn();
    n += 16;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

function measure(fn: () => void, warmMs: number, runs: number, runMs: number): number {
  rate(fn, warmMs);
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(rate(fn, runMs));
  return median(xs);
}

function worldWith(text: string): { world: World; walk: () => void } {
  const parsed = readCase({
    name: 'bench',
    hosts: [
      { name: 'client', setup: ['ip addr add 192.0.2.10/24 dev eth0'] },
      { name: 'server', setup: ['ip addr add 203.0.113.1/24 dev eth0', { 'iptables-restore': text }] },
    ],
    links: [['client:eth0', 'server:eth0']],
  });
  if (!parsed.value) throw new Error(parsed.diagnostics.map((d) => d.message).join('\n'));
  const world = new World(parsed.value);
  if (world.diagnostics.length) throw new Error(JSON.stringify(world.diagnostics[0]));
  const server = world.hosts.get('server')!;
  const syn: Packet = {
    src: 0xc000020a,
    dst: 0xcb007101,
    proto: IPPROTO_TCP,
    ttl: 64,
    tos: 0,
    len: 60,
    ipid: 1,
    df: true,
    mark: 0,
    sport: 40001,
    dport: 80,
    tcp: { seq: 0, ack: 0, flags: TCP_SYN, window: 64240, urgp: 0, options: '020405B40402080A00000000000000000103030A' },
    payload: '',
  };
  const mac = world.macs.get('client:eth0') ?? null;
  const walk = () => {
    world.records.length = 0;
    server.receive(clonePacket(syn), 'eth0', null, mac);
  };
  return { world, walk };
}

const walks: Record<string, number> = {};
const scans: Record<string, number> = {};
for (const n of SIZES) {
  const g = generateRules(n);
  const { world, walk } = worldWith(g.text);
  walk();
  const last = world.records[0]?.events.find((e) => e.table === 'filter');
  if (!last || last.rulenum !== n) throw new Error(`probe did not match rule ${n} (got ${last?.rulenum})`);
  const runMs = n >= 100000 ? 600 : 400;
  walks[n] = Math.round(measure(walk, 1000, 5, runMs));
  let sink = 0;
  scans[n] = Math.round(measure(() => (sink += firstMatch(g.plain, 0xc000020a, 0xcb007101, 6, 80, 'eth0')), 1000, 5, runMs));
  if (sink === 42) console.log('');
}

const big = generateRules(50000).text;
const loads: number[] = [];
const splits: number[] = [];
for (let i = 0; i < 7; i++) {
  let t = performance.now();
  const p = parseRestore(big, { noflush: false, counters: false });
  if (!p.value) throw new Error(p.diagnostics[0]?.message);
  const d = applyRestore(createRuleset(), p.value);
  if (d.some((x) => x.severity === 'error')) throw new Error(d[0]?.message);
  loads.push(performance.now() - t);
  t = performance.now();
  bareSplit(big);
  splits.push(performance.now() - t);
}
const robustness = measureRobustness();
const result = {
  walks_per_s: walks,
  baseline_scans_per_s: scans,
  load_50k_ms: Math.round(median(loads) * 10) / 10,
  baseline_split_50k_ms: Math.round(median(splits) * 10) / 10,
  attacks: robustness.attacks,
  route_import_ms: robustness.route_import_ms,
};
if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  console.log('rules      walks/s   bare scans/s   ratio');
  for (const n of SIZES) {
    console.log(`${String(n).padStart(6)} ${String(walks[n]).padStart(10)} ${String(scans[n]).padStart(14)}   ${(walks[n]! / scans[n]!).toFixed(2)}`);
  }
  console.log(`load 50k rules: ${result.load_50k_ms} ms (bare splitter ${result.baseline_split_50k_ms} ms, ratio ${(result.load_50k_ms / result.baseline_split_50k_ms).toFixed(1)})`);
  for (const a of robustness.attacks) console.log(`${a.case}: run ${a.run_ms} ms, walk log ${a.walk_log_ms} ms, ${a.log_steps} log steps, ${a.stopped ? `stopped by the ${a.stopped} budget` : 'ran to its end'}`);
  for (const [n, ms] of Object.entries(robustness.route_import_ms)) console.log(`ip route show import, ${n} lines: ${ms} ms`);
}
