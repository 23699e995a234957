// The protocol end to end without a Worker: the client talks to the server
// through an in-memory endpoint, as the page talks to the worker, and the
// worker keeps the lab between requests.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngineClient, type Endpoint } from './client';
import { createEngineServer } from './server';
import type { EngineRequest, EngineResponse, SerializedCase } from './protocol';
import { fingerprintText } from '../share/fingerprint';
import { Lab } from '../engine/lab/lab';
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
  it('answers a read-only console line as of a step without a version, an undo entry or a walk', async () => {
    const client = pair();
    const lab = await opened(client);
    const r = await client.send(lab, null, false);
    if (!r.ok) throw new Error(r.errors.join());
    const fwd = r.log.steps.findIndex((s) => s.kind === 'rule' && s.host === 'router' && s.table === 'filter' && s.chain === 'FORWARD');
    const before = await client.query(lab, r.walk, fwd - 1, 'router', 'iptables -L FORWARD -v -n --line-numbers');
    const after = await client.query(lab, r.walk, fwd, 'router', 'iptables -L FORWARD -v -n --line-numbers');
    expect(before).toMatchObject({ edit: false, exit: 0 });
    const step = r.log.steps[fwd]!;
    const num = step.kind === 'rule' ? step.rulenum : 0;
    const row = (q: typeof before) => ('stdout' in q ? q.stdout.split('\n').find((l) => l.startsWith(`${num} `)) : undefined);
    expect(row(before)).toMatch(new RegExp(`^${num} +0 +0 `));
    expect(row(after)).toMatch(new RegExp(`^${num} +1 +${step.headers.len} `));
    expect(await client.query(lab, r.walk, fwd, 'router', 'iptables -A INPUT -j DROP')).toEqual({ edit: true });
    expect(await client.query(lab, r.walk, fwd, 'router', 'iptables -L FOR', true)).toEqual({ completions: ['iptables -L FORWARD'] });
    // nothing moved: the next edit is version 2, and undo has exactly that one edit
    const e = await client.edit(lab, 'router', ['iptables -A INPUT -j DROP'], 'command');
    expect(e).toMatchObject({ ok: true, version: 2, past: 1 });
  });

  it('takes a console line in one request: a line that reads is answered as of the step, a line that changes is the edit and its walk', async () => {
    const client = pair();
    const lab = await opened(client);
    const r = await client.send(lab, null, false);
    if (!r.ok) throw new Error(r.errors.join());
    const fwd = r.log.steps.findIndex((s) => s.kind === 'rule' && s.host === 'router' && s.table === 'filter' && s.chain === 'FORWARD');
    const step = r.log.steps[fwd]!;
    const num = step.kind === 'rule' ? step.rulenum : 0;
    const read = await client.line(lab, 'router', 'iptables -L FORWARD -v -n --line-numbers', { walk: r.walk, asOf: fwd }, { walk: { traffic: null } });
    if (!('read' in read)) throw new Error('a listing was taken as an edit');
    expect(read.read.exit).toBe(0);
    // the same counters as the query as of the same step
    expect(read.read.stdout.split('\n').find((l) => l.startsWith(`${num} `))).toMatch(new RegExp(`^${num} +1 +${step.headers.len} `));
    const made = await client.line(lab, 'router', 'iptables -A INPUT -j DROP', { walk: r.walk, asOf: fwd }, { walk: { traffic: null } });
    // the read changed nothing: the edit is version 2 with one undo entry, and its walk came with it
    expect(made).toMatchObject({ ok: true, version: 2, past: 1, walk: { ok: true, version: 2 } });
    const bad = await client.line(lab, 'router', 'iptables -A FORWARD --bogus', { walk: null, asOf: -1 });
    expect(bad).toMatchObject({ ok: false, index: 0 });
    expect(await client.edit(lab, 'router', ['iptables -A INPUT -j ACCEPT'], 'command')).toMatchObject({ ok: true, version: 3, past: 2 });
  });

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

  it('inspects a step: the packet before and after, why it changed, and the host’s tables as of the step', async () => {
    const client = pair();
    const lab = await opened(client);
    const r = await client.send(lab, null, false);
    if (!r.ok) throw new Error(r.errors.join());
    const dnatStep = r.log.steps.find((s) => s.kind === 'note' && s.host === 'router' && s.note.kind === 'nat')!;
    const got = await client.inspect(lab, r.walk, dnatStep.i);
    expect(got).toMatchObject({ step: dnatStep.i, host: 'router', reason: 'nat.new-binding', before: { ip: { dst: '198.51.100.1' } }, after: { ip: { dst: '192.168.10.10' }, l4: { proto: 'tcp', dport: 80 } } });
    expect(got!.changes).toEqual(expect.arrayContaining([{ path: 'ip.dst', before: '198.51.100.1', after: '192.168.10.10' }]));
    // the SYN's entry exists but is not confirmed yet: the packet's own, not the table's
    expect(got!.conntrack!.packet).toMatchObject({ direction: 'original', confirmed: false });
    expect(got!.after.ethernet!.src).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(await client.inspect(lab, r.walk, r.log.steps.length)).toBeNull();
  });

  it('says an inspected walk is gone once the lab keeps it no longer', async () => {
    const client = pair();
    const lab = await opened(client);
    const first = await client.send(lab, null, false);
    if (!first.ok) throw new Error(first.errors.join());
    // the lab keeps the walk on screen and one more
    await client.send(lab, null, false);
    await client.send(lab, null, false);
    await expect(client.inspect(lab, first.walk, 0)).rejects.toMatchObject({ kind: 'gone' });
  });

  it('refuses an inspect request without a step', () => {
    const seen: EngineResponse[] = [];
    const server = createEngineServer((m) => seen.push(m));
    server({ type: 'inspect', requestId: 7, lab: 1, walk: 1 });
    server({ type: 'inspect', requestId: 8, lab: 1, walk: 1, step: -1 });
    expect(seen).toEqual([7, 8].map((requestId) => ({ type: 'error', requestId, error: expect.objectContaining({ code: 'protocol' }) })));
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

/** A server whose snapshot slices run only when the test says, with every answer it posts, in order. */
function sliced() {
  const due: (() => void)[] = [];
  const posted: EngineResponse[] = [];
  const handle = createEngineServer((m) => posted.push(m), { schedule: (f) => due.push(f) });
  let id = 0;
  const ask = (m: Record<string, unknown>): number => {
    handle({ ...m, requestId: ++id });
    return id;
  };
  /** run scheduled slices until none is left; how many ran */
  const runSlices = () => {
    let n = 0;
    for (let f = due.shift(); f; f = due.shift(), n++) f();
    return n;
  };
  const answerOf = (requestId: number) => posted.find((m) => m.requestId === requestId);
  return { ask, runSlices, due, posted, answerOf };
}

/** the dnat case with `n` more rules in filter FORWARD, so its snapshot takes several slices */
function withRules(n: number): unknown {
  const rules = Array.from({ length: n }, (_, i) => `-A FORWARD -s 10.${i >> 8}.${i & 255}.0/24 -j DROP`);
  return { ...dnat, hosts: dnat.hosts.map((h: { name: string; setup: unknown[] }) => (h.name === 'router' ? { ...h, setup: [...h.setup, { 'iptables-restore': `*filter\n${rules.join('\n')}\nCOMMIT\n`, noflush: true }] } : h)) };
}

describe('a snapshot in the worker', () => {
  it('is made in slices, and an edit or a walk that comes meanwhile is answered before it', () => {
    const w = sliced();
    w.ask({ type: 'open', lab: 1, case: withRules(9000) });
    const snap = w.ask({ type: 'snapshot', lab: 1, steps: null });
    // nothing of the snapshot is done where the request arrives
    expect(w.answerOf(snap)).toBeUndefined();
    expect(w.due).toHaveLength(1);
    w.due.shift()!();
    const walk = w.ask({ type: 'send', lab: 1, walk: 1, traffic: null, keep: false });
    expect(w.answerOf(walk)).toMatchObject({ type: 'success', result: { ok: true } });
    const edit = w.ask({ type: 'edit', lab: 1, host: 'router', texts: ['iptables -A FORWARD -s 198.51.100.1/32 -j DROP'], mode: 'command' });
    expect(w.answerOf(edit)).toMatchObject({ type: 'success', result: { ok: true } });
    expect(w.answerOf(snap)).toBeUndefined();
    w.runSlices();
    // the edit made it stale: the page would throw it away, so it is not finished
    expect(w.answerOf(snap)).toMatchObject({ type: 'error', error: { code: 'cancelled' } });
    expect(w.posted.map((m) => m.requestId)).toEqual([1, walk, edit, snap]);
  });

  it('comes out as the whole case at once would, with its text and fingerprint, after several slices', () => {
    const w = sliced();
    w.ask({ type: 'open', lab: 1, case: withRules(9000) });
    const steps = [{ from: 'internet', ping: '198.51.100.1' }];
    const snap = w.ask({ type: 'snapshot', lab: 1, steps });
    const send = w.ask({ type: 'send', lab: 1, walk: 1, traffic: null, keep: false });
    expect(w.runSlices()).toBeGreaterThan(2);
    const got = w.answerOf(snap);
    if (got?.type !== 'success') throw new Error(JSON.stringify(got));
    const result = got.result as SerializedCase;
    const whole = Lab.open(withRules(9000));
    if (!whole.ok) throw new Error(whole.errors.join());
    expect(result.case).toEqual({ ...whole.lab.snapshot(), steps });
    expect(result.text).toBe(JSON.stringify(result.case));
    expect(result.fp).toBe(fingerprintText(result.text));
    expect(w.posted.findIndex((m) => m.requestId === send)).toBeLessThan(w.posted.findIndex((m) => m.requestId === snap));
  });

  it('gives way to a newer snapshot of the same lab', () => {
    const w = sliced();
    w.ask({ type: 'open', lab: 1, case: dnat });
    const old = w.ask({ type: 'snapshot', lab: 1, steps: null });
    const next = w.ask({ type: 'snapshot', lab: 1, steps: null });
    expect(w.answerOf(old)).toMatchObject({ type: 'error', error: { code: 'cancelled' } });
    w.runSlices();
    expect(w.answerOf(next)).toMatchObject({ type: 'success' });
  });
});

describe('the course through the worker', () => {
  it('lists the challenges in course order and opens one as a page without its answers', async () => {
    const client = pair();
    const list = await client.course();
    expect(list.length).toBeGreaterThanOrEqual(30);
    expect(list[0]).toMatchObject({ unit: 'chains', level: 'easy' });
    const view = await client.challenge('block-ping', 0);
    expect(view).toMatchObject({ id: 'block-ping', seed: 0, host: 'server', tools: { programs: ['iptables'], budget: 2 }, hints: expect.any(Number) });
    expect(JSON.stringify(view)).not.toContain('echo-request -j DROP');
    expect(await client.challenge('no-such-challenge', 0)).toBeNull();
    const other = await client.challenge('block-ping', 7);
    expect(other?.start).not.toEqual(view?.start);
  });

  it('checks the lab the page edited on the walk the page made of the probes, naming the steps', async () => {
    const client = pair();
    const view = (await client.challenge('block-ping', 0))!;
    const lab = await opened(client, view.start);
    const before = await client.send(lab, view.start.steps ?? [], false);
    if (!before.ok) throw new Error(before.errors.join());
    const failed = await client.checkChallenge(lab, before.walk, 'block-ping', 0, { commands: 0, answer: null });
    expect(failed).toMatchObject({ ok: true, passed: false });
    const unmet = failed.ok ? failed.goals.find((g) => !g.met) : undefined;
    expect(unmet?.step).toEqual(expect.any(Number));
    expect(unmet?.why.zh).not.toBe('');
    const solution = await client.reveal('block-ping', 0, 'solution', 0);
    expect(solution?.en).toContain('iptables -A INPUT');
    await client.edit(lab, 'server', ['iptables -A INPUT -p icmp --icmp-type echo-request -j DROP'], 'command');
    const after = await client.send(lab, view.start.steps ?? [], false);
    if (!after.ok) throw new Error(after.errors.join());
    const passed = await client.checkChallenge(lab, after.walk, 'block-ping', 0, { commands: 1, answer: null });
    expect(passed).toMatchObject({ ok: true, passed: true, commands: 1 });
  });

  it('refuses to check a walk of other traffic than the probes', async () => {
    const client = pair();
    const view = (await client.challenge('block-ping', 0))!;
    const lab = await opened(client, view.start);
    const r = await client.send(lab, (view.start.steps ?? []).slice(0, 1), false);
    if (!r.ok) throw new Error(r.errors.join());
    expect(await client.checkChallenge(lab, r.walk, 'block-ping', 0, { commands: 0, answer: null })).toMatchObject({ ok: false });
  });

  it('stages the reference solution a line at a time for presenter mode, and the page walks and checks each stage', async () => {
    const client = pair();
    const none = await client.challengeStage('block-ping', 0, 0);
    const all = await client.challengeStage('block-ping', 0, 99);
    expect(none).toMatchObject({ id: 'block-ping', shown: [], commands: 0 });
    expect(all!.shown.length).toBe(all!.total);
    const lab = await opened(client, all!.case);
    const walked = await client.send(lab, all!.case.steps ?? [], false);
    if (!walked.ok) throw new Error(walked.errors.join());
    expect(await client.checkChallenge(lab, walked.walk, 'block-ping', 0, { commands: all!.commands, answer: all!.answer })).toMatchObject({ ok: true, passed: true });
    expect(await client.challengeStage('no-such-challenge', 0, 1)).toBeNull();
  });

  it('gives hints one at a time, and null past the last', async () => {
    const client = pair();
    const view = (await client.challenge('ssh-only', 0))!;
    const first = await client.reveal('ssh-only', 0, 'hint', 0);
    expect(first?.en.length).toBeGreaterThan(0);
    expect(await client.reveal('ssh-only', 0, 'hint', view.hints)).toBeNull();
  });
});
