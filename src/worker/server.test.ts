// The protocol end to end without a Worker: the client talks to the server
// through an in-memory endpoint, as the page talks to the worker.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngineClient, type Endpoint } from './client';
import { createEngineServer } from './server';
import { readCase } from '../engine/scenario/case-file';
import { runScenario } from '../engine/run-case';
import { walkLog } from '../engine/walk-log';
import { LOG_SLICE, type EngineRequest, type EngineResponse } from './protocol';

function pair() {
  const listeners: ((e: { data: unknown }) => void)[] = [];
  const server = createEngineServer((m) => queueMicrotask(() => listeners.forEach((l) => l({ data: m }))));
  const endpoint: Endpoint = {
    postMessage: (m: EngineRequest) => queueMicrotask(() => server(structuredClone(m))),
    addEventListener: (_t, l) => listeners.push(l),
  };
  return createEngineClient(endpoint);
}

const dnat = JSON.parse(readFileSync(join(__dirname, '..', 'engine', '__fixtures__', 'oracle', '19-dnat-port-forward.json'), 'utf8'));

describe('the engine worker protocol', () => {
  it('simulates a scenario into a walk log whose rule steps are the TRACE events', async () => {
    const client = pair();
    const r = await client.simulate(dnat);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const rules = r.log.steps.filter((s) => s.kind === 'rule');
    expect(rules.length).toBe(r.log.traceLog.length);
    const dnatStep = rules.find((s) => s.kind === 'rule' && s.target === 'DNAT');
    expect(dnatStep).toMatchObject({ host: 'router', node: 'nat PREROUTING', rule: '-A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.168.10.10:80' });
    // the routing decision after DNAT sends the packet to FORWARD, with the new destination
    const route = r.log.steps.find((s) => s.i > dnatStep!.i && s.kind === 'note' && s.note.kind === 'route');
    expect(route).toMatchObject({ note: { stage: 'input', decision: 'forward', dev: 'eth1' }, headers: { dst: '192.168.10.10', dport: 80 } });
  });

  it('explains, clause by clause, why earlier rules did not match', async () => {
    const client = pair();
    const r = await client.simulate(dnat);
    if (!r.ok) throw new Error(r.errors.join());
    const accepted = r.log.steps.find((s) => s.kind === 'rule' && s.table === 'filter' && s.rulenum === 2);
    expect(accepted).toBeDefined();
    const ex = await client.explain(accepted!.i);
    expect(ex.map((x) => x.num)).toEqual([1, 2]);
    expect(ex[0]!.clauses.some((c) => !c.ok)).toBe(true);
    expect(ex[1]!.matched).toBe(true);
  });

  it('sends a long walk log in slices ahead of the answer, and the client puts it back together in order', async () => {
    const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
    for (let i = 0; i < 14; i++) lines.push(`:C${i} - [0:0]`);
    for (let i = 0; i + 1 < 14; i++) lines.push(`-A C${i} -j C${i + 1}`, `-A C${i} -j C${i + 1}`);
    lines.push('-A INPUT -j C0', 'COMMIT', '');
    // 2^13 entries into the last chain: several slices of steps and of TRACE lines
    const fanOut = {
      name: 'fan-out',
      hosts: [
        { name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0'] },
        { name: 'b', setup: ['ip addr add 10.0.0.2/24 dev eth0', { 'iptables-restore': lines.join('\n') }] },
      ],
      links: [['a:eth0', 'b:eth0']],
      steps: [{ from: 'a', ping: '10.0.0.2' }],
    };
    const seen: EngineResponse[] = [];
    const listeners: ((e: { data: unknown }) => void)[] = [];
    const server = createEngineServer((m) => {
      seen.push(m);
      queueMicrotask(() => listeners.forEach((l) => l({ data: structuredClone(m) })));
    });
    const client = createEngineClient({ postMessage: (m: EngineRequest) => queueMicrotask(() => server(structuredClone(m))), addEventListener: (_t, l) => listeners.push(l) });
    const r = await client.simulate(fanOut);
    if (!r.ok) throw new Error(r.errors.join());
    const parts = seen.filter((m) => m.type === 'part');
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.every((m) => m.type === 'part' && m.items.length <= LOG_SLICE)).toBe(true);
    expect(r.log.steps.length).toBeGreaterThan(LOG_SLICE);
    // in order, whole: each step's index is its place
    expect(r.log.steps.every((step, k) => step.i === k)).toBe(true);
    // the TRACE lines, not copied a second time, are the engine's own
    const run = runScenario(readCase(fanOut).value!);
    if (!run.ok) throw new Error(run.errors.join());
    const direct = walkLog(run.world);
    expect(r.log.traceLog).toEqual(direct.traceLog);
    expect(r.log.steps).toEqual(direct.steps);
    expect(seen.some((m) => m.type === 'success' && JSON.stringify(m).includes('TRACE:'))).toBe(false);
  });

  it('returns the case errors instead of throwing', async () => {
    const client = pair();
    const r = await client.simulate({ name: 'x', hosts: [{ name: 'a', setup: ['iptables -A INPUT --bogus -j ACCEPT'] }] });
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.errors[0]).toMatch(/unknown option "--bogus"/);
  });
});
