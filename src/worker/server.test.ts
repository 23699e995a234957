// The protocol end to end without a Worker: the client talks to the server
// through an in-memory endpoint, as the page talks to the worker.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngineClient, type Endpoint } from './client';
import { createEngineServer } from './server';
import type { EngineRequest } from './protocol';

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

  it('returns the case errors instead of throwing', async () => {
    const client = pair();
    const r = await client.simulate({ name: 'x', hosts: [{ name: 'a', setup: ['iptables -A INPUT --bogus -j ACCEPT'] }] });
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.errors[0]).toMatch(/unknown option "--bogus"/);
  });
});
