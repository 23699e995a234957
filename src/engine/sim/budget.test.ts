// Every run is bounded: a budget that runs out ends the run where it is,
// keeps what was walked, and says which budget and where.

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';
import { walkLog } from '../walk-log';
import { BUDGET_LIMITS, formatBudgetStop, type BudgetLimits } from './budget';

const twoHosts = (setup: unknown[], steps: unknown[]) => ({
  name: 'budget',
  hosts: [
    { name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0'] },
    { name: 'b', setup: ['ip addr add 10.0.0.2/24 dev eth0', ...setup] },
  ],
  links: [['a:eth0', 'b:eth0']],
  steps,
});
const ping = { from: 'a', ping: '10.0.0.2' };

/** n user chains, each jumping twice to the next: 2^n rule visits for one packet */
function fanOut(n: number): string[] {
  const s = Array.from({ length: n }, (_, i) => `iptables -N C${i}`);
  for (let i = 0; i + 1 < n; i++) s.push(`iptables -A C${i} -j C${i + 1}`, `iptables -A C${i} -j C${i + 1}`);
  s.push('iptables -A INPUT -j C0');
  return s;
}

/** INPUT → C0 → C1 → … → C(n-1), one jump each */
function deepChain(n: number): unknown[] {
  const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
  for (let i = 0; i < n; i++) lines.push(`:C${i} - [0:0]`);
  for (let i = 0; i + 1 < n; i++) lines.push(`-A C${i} -j C${i + 1}`);
  lines.push('-A INPUT -j C0', 'COMMIT', '');
  return [{ 'iptables-restore': lines.join('\n') }];
}

/** the big cases take seconds on a loaded machine: a time limit is no assertion here */
const SLOW = 120_000;

const limits = (over: Partial<BudgetLimits>): BudgetLimits => ({ ...BUDGET_LIMITS, ...over });

describe('the work budget', () => {
  it('ends 30 chains that each jump twice to the next (2^30 rule visits) at the event budget, in the chain where it ran out', () => {
    const r = runCase(twoHosts(fanOut(30), [ping]));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.world.stopped).toMatchObject({ code: 'budget/events', budget: 'events', limit: BUDGET_LIMITS.events, step: 1, packetInStep: 2, host: 'b', hook: 'INPUT', table: 'filter', chain: 'C29' });
    // what was walked before the stop is kept, to step through
    const log = walkLog(r.world);
    expect(log.steps.filter((s) => s.kind === 'rule')).toHaveLength(BUDGET_LIMITS.events);
    expect(log.stopped).toMatchObject({ budget: 'events', host: 'b' });
    expect(log.packets.find((p) => p.id === log.stopped!.packet)).toMatchObject({ host: 'b', step: 1 });
    expect(log.scenarioSteps).toMatchObject([{ n: 1, result: { stopped: 'budget/events' } }]);
    expect(formatBudgetStop(r.world.stopped!)).toBe(
      'work budget exhausted: more than 300,000 TRACE events (step 1, packet 2, host b, filter INPUT chain C29); the simulation stopped there and kept what it had walked',
    );
  }, SLOW);

  it('walks a 3,000-deep chain of jumps to its end, as the kernel does (its jump stack holds one entry per user chain)', () => {
    const r = runCase(twoHosts(deepChain(3000), [ping]));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.world.stopped).toBeNull();
    expect(r.result.steps).toMatchObject([{ result: { result: 'reply' } }]);
    const request = r.world.records.find((p) => p.host === 'b' && p.origin === 'ingress')!;
    // 3,000 jumps down, 3,000 implicit returns back up, then the policy
    expect(request.events.filter((e) => e.type === 'rule' && e.target?.startsWith('C'))).toHaveLength(3000);
    expect(request.events.filter((e) => e.type === 'return')).toHaveLength(3000);
    expect(request.events.at(-1)).toMatchObject({ chain: 'INPUT', type: 'policy' });
  }, SLOW);

  it('stops a scenario of 10,000 traffic steps after the step budget, with the steps before it walked', () => {
    const r = runCase(twoHosts([], Array.from({ length: 10_000 }, () => ping)));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.world.stopped).toMatchObject({ budget: 'steps', step: BUDGET_LIMITS.steps + 1, packetInStep: null, host: null });
    expect(r.world.stepOutcomes).toHaveLength(BUDGET_LIMITS.steps);
    expect(r.world.stepOutcomes.at(-1)!.result).toMatchObject({ result: 'reply' });
  }, SLOW);

  it('counts rule visits, also those of rules that do not match', () => {
    const rules = Array.from({ length: 50 }, (_, i) => `iptables -A INPUT -s 192.0.2.${i + 1} -j DROP`);
    const one = runCase(twoHosts(rules, [ping]));
    if (!one.ok) throw new Error(one.errors.join('\n'));
    // a second ping meets a dozen empty chains (one visit each: the policy) before b's filter INPUT scans its 50 rules
    const r = runCase(twoHosts(rules, [ping, ping]), limits({ rules: one.world.budget.used.rules + 40 }));
    expect(r.ok && r.world.stopped).toMatchObject({ budget: 'rules', step: 2, host: 'b', table: 'filter', hook: 'INPUT', chain: 'INPUT' });
  });

  it('counts the packets the kernel makes itself: replies and ICMP errors', () => {
    const r = runCase(twoHosts(['iptables -A INPUT -p udp -j REJECT'], [{ from: 'a', udp: '10.0.0.2:53', data: 'x' }, ping]), limits({ packets: 5 }));
    // step 1: the datagram (a, b), REJECT's ICMP error (b, a); step 2: the echo request leaves a, arrives at b: the 6th
    expect(r.ok && r.world.stopped).toMatchObject({ budget: 'packets', step: 2, host: 'b' });
  });

  it('ends a forwarding loop by its frames when no TTL does: a broadcast storm between two bridges', () => {
    const bridge = (ports: string[]) => ['ip link add br0 type bridge', ...ports.map((p) => `ip link set ${p} master br0`), 'ip link set br0 up'];
    const r = runCase({
      name: 'storm',
      hosts: [
        { name: 'c', setup: ['ip addr add 10.0.0.1/24 dev eth0'] },
        { name: 'x', setup: bridge(['eth0', 'eth1', 'eth2']) },
        { name: 'y', setup: bridge(['eth0', 'eth1']) },
      ],
      links: [['c:eth0', 'x:eth0'], ['x:eth1', 'y:eth0'], ['x:eth2', 'y:eth1']],
      steps: [{ from: 'c', ping: '10.0.0.9' }],
    });
    expect(r.ok && r.world.stopped).toMatchObject({ budget: 'frames', limit: BUDGET_LIMITS.frames, step: 1 });
  });

  it('counts the conntrack rows every packet keeps in the log', () => {
    const setup = ['iptables -A INPUT -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT'];
    const steps = Array.from({ length: 20 }, (_, i) => ({ from: 'a', udp: '10.0.0.2:53', data: 'x', sport: 40000 + i }));
    const small = runCase(twoHosts(setup, steps), limits({ log: 100 }));
    expect(small.ok && small.world.stopped).toMatchObject({ budget: 'log' });
    const enough = runCase(twoHosts(setup, steps));
    expect(enough.ok && enough.world.stopped).toBeNull();
  });
});
