// The protocol end to end without a Worker: the client talks to the server
// through an in-memory endpoint, as the page talks to the worker, and the
// worker keeps the lab between requests.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngineClient, type Endpoint } from './client';
import { createEngineServer } from './server';
import type { EngineRequest, EngineResponse } from './protocol';
import { fingerprintText } from '../share/fingerprint';
import type { Case } from '../engine/scenario/case';

function pair(seen: EngineResponse[] = []) {
  const listeners: ((e: { data: unknown }) => void)[] = [];
  const server = createEngineServer((m) => {
    seen.push(m);
    queueMicrotask(() => listeners.forEach((l) => l({ data: structuredClone(m) })));
  });
  const endpoint: Endpoint = {
    postMessage: (m: EngineRequest) => queueMicrotask(() => server(structuredClone(m))),
    addEventListener: (_t, l) => listeners.push(l),
  };
  return createEngineClient(endpoint);
}

const dnat = JSON.parse(readFileSync(join(__dirname, '..', 'engine', '__fixtures__', 'oracle', '19-dnat-port-forward.json'), 'utf8'));

async function opened(client: ReturnType<typeof pair>, c: Case = dnat): Promise<number> {
  const o = await client.open(c);
  if (!o.ok) throw new Error(o.errors.join());
  return o.lab;
}

describe('the engine worker protocol', () => {
  it('opens a case once and walks it into a log whose rule steps are the TRACE events', async () => {
    const client = pair();
    const lab = await opened(client);
    const r = await client.send(lab, null, false);
    if (!r.ok) throw new Error(r.errors.join());
    const rules = r.log.steps.filter((s) => s.kind === 'rule');
    expect(rules.length).toBe(r.log.traceLog.length);
    const dnatStep = rules.find((s) => s.kind === 'rule' && s.target === 'DNAT');
    expect(dnatStep).toMatchObject({ host: 'router', node: 'nat PREROUTING', rule: '-A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.168.10.10:80' });
    // the routing decision after DNAT sends the packet to FORWARD, with the new destination
    const route = r.log.steps.find((s) => s.i > dnatStep!.i && s.kind === 'note' && s.note.kind === 'route');
    expect(route).toMatchObject({ note: { stage: 'input', decision: 'forward', dev: 'eth1' }, headers: { dst: '192.168.10.10', dport: 80 } });
  });

  it('sends neither the case nor the rules back with an edit or a walk', async () => {
    const seen: EngineResponse[] = [];
    const client = pair(seen);
    const lab = await opened(client);
    const e = await client.edit(lab, 'router', ['iptables -A FORWARD -s 100.64.7.0/24 -j DROP'], 'command');
    expect(e).toMatchObject({ ok: true, changed: { host: 'router', parts: ['rules', 'net'] }, canUndo: true, past: 1, future: 0 });
    await client.send(lab, null, false);
    const texts = seen.map((m) => JSON.stringify(m));
    expect(texts.some((t) => t.includes('100.64.7.0/24'))).toBe(false);
    expect(texts.some((t) => t.includes('iptables-restore'))).toBe(false);
  });

  it('applies an edit, undoes and redoes it, and the walk follows each version', async () => {
    const client = pair();
    const lab = await opened(client);
    const sent = async () => {
      const r = await client.send(lab, null, false);
      if (!r.ok) throw new Error(r.errors.join());
      return r.log.packets.find((p) => p.host === 'router' && p.origin === 'ingress')!.disposition;
    };
    expect(await sent()).toMatchObject({ verdict: 'sent' });
    expect(await client.edit(lab, 'router', ['iptables -I FORWARD -p tcp -j DROP'], 'command')).toMatchObject({ ok: true });
    expect(await sent()).toMatchObject({ verdict: 'drop' });
    expect(await client.undo(lab)).toMatchObject({ moved: true, canUndo: false, canRedo: true });
    expect(await sent()).toMatchObject({ verdict: 'sent' });
    expect(await client.redo(lab)).toMatchObject({ moved: true, canRedo: false });
    expect(await sent()).toMatchObject({ verdict: 'drop' });
    expect(await client.redo(lab)).toMatchObject({ moved: false });
  });

  it('refuses a batch at its first bad text, says which, and changes nothing', async () => {
    const client = pair();
    const lab = await opened(client);
    const r = await client.edit(lab, 'router', ['iptables -A FORWARD -j ACCEPT', 'iptables -A FORWARD --bogus'], 'command');
    expect(r).toMatchObject({ ok: false, index: 1 });
    expect(!r.ok && r.diagnostics[0]!.message).toMatch(/--bogus/);
    expect(await client.undo(lab)).toMatchObject({ moved: false });
  });

  it('explains, clause by clause, why earlier rules did not match', async () => {
    const client = pair();
    const lab = await opened(client);
    const r = await client.send(lab, null, false);
    if (!r.ok) throw new Error(r.errors.join());
    const accepted = r.log.steps.find((s) => s.kind === 'rule' && s.table === 'filter' && s.rulenum === 2);
    expect(accepted).toBeDefined();
    const ex = await client.explain(lab, r.walk, accepted!.i);
    expect(ex.map((x) => x.num)).toEqual([1, 2]);
    expect(ex[0]!.clauses.some((c) => !c.ok)).toBe(true);
    expect(ex[1]!.matched).toBe(true);
  });

  it('gives a chain a page at a time, with counters as of a step, and typed host views', async () => {
    const client = pair();
    const lab = await opened(client);
    const r = await client.send(lab, null, false);
    if (!r.ok) throw new Error(r.errors.join());
    const first = r.log.steps.find((s) => s.kind === 'rule' && s.host === 'router' && s.table === 'filter' && s.chain === 'FORWARD')!;
    const before = await client.chain(lab, r.walk, 'router', 'filter', 'FORWARD', first.i - 1, 0, 10);
    const after = await client.chain(lab, r.walk, 'router', 'filter', 'FORWARD', r.log.steps.length - 1, 0, 10);
    expect(before!.rules.every((x) => x.counters.packets === 0)).toBe(true);
    expect(after!.rules.some((x) => x.counters.packets > 0)).toBe(true);
    expect(after!.total).toBe(after!.rules.length);
    const view = await client.hostView(lab, 'router');
    expect(view!.interfaces.map((i) => i.name)).toEqual(expect.arrayContaining(['lo', 'eth0', 'eth1']));
    expect(view!.chains.nat!.map((c) => c.name)).toContain('PREROUTING');
    expect(await client.hostView(lab, 'nobody')).toBeNull();
  });

  it('gives the rule form its extensions without a lab', async () => {
    const client = pair();
    const catalog = await client.extensions();
    expect(catalog.matches.find((m) => m.name === 'conntrack')!.options.map((o) => o.name)).toContain('ctstate');
    expect(catalog.targets.find((t) => t.name === 'MASQUERADE')).toMatchObject({ table: 'nat' });
  });

  it('gives the lab back as a case with the page’s traffic, its JSON text and the vault’s fingerprint, and exports one host', async () => {
    const client = pair();
    const lab = await opened(client);
    await client.edit(lab, 'router', ['iptables -A FORWARD -s 100.64.7.0/24 -j DROP'], 'command');
    const steps = [{ from: 'internet', ping: '198.51.100.1' }];
    const snap = await client.snapshot(lab, steps);
    expect(snap.text).toContain('-A FORWARD -s 100.64.7.0/24 -j DROP');
    expect(snap.case.steps).toEqual(steps);
    expect(JSON.stringify(snap.case)).toBe(snap.text);
    expect(snap.fp).toBe(fingerprintText(snap.text));
    // without the page's traffic, the lab's own as the engine reads it (defaults written out)
    expect((await client.snapshot(lab, null)).case.steps).toMatchObject(dnat.steps);
    expect(await client.export(lab, 'router', 'iptables-save')).toMatchObject({ ok: true, text: expect.stringContaining('-A FORWARD -s 100.64.7.0/24 -j DROP') });
  });

  it('returns the case errors instead of throwing, and says when a lab is gone', async () => {
    const client = pair();
    const r = await client.open({ name: 'x', hosts: [{ name: 'a', setup: ['iptables -A INPUT --bogus -j ACCEPT'] }] });
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.errors[0]).toMatch(/unknown option "--bogus"/);
    expect(await client.check({ name: 'x', hosts: [] })).toMatchObject({ ok: false });
    await expect(client.send(99, null, false)).rejects.toMatchObject({ kind: 'gone' });
    const lab = await opened(client);
    await client.close(lab);
    await expect(client.snapshot(lab, null)).rejects.toMatchObject({ kind: 'gone' });
  });

  it('refuses traffic it cannot read with the step and field, and keeps state when asked', async () => {
    const client = pair();
    const lab = await opened(client);
    const bad = await client.send(lab, [{ from: 'nobody', ping: '10.0.0.1' }], false);
    expect(bad).toMatchObject({ ok: false });
    expect(!bad.ok && bad.errors.join(' ')).toMatch(/steps\[0\]/);
    const one = await client.send(lab, [{ from: 'internet', tcp: '198.51.100.1:8080' }], false);
    const two = await client.send(lab, [{ from: 'internet', tcp: '198.51.100.1:8080' }], true);
    expect(one.ok && one.log.scenarioSteps.length).toBe(1);
    expect(two.ok && two.log.scenarioSteps.length).toBe(2);
  });
});
