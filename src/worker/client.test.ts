// The client's control over a worker it cannot interrupt: one request in the
// worker at a time, cancellation, superseding, the watchdog's restart, the
// replay of the last walk for explain, and errors that never carry the
// worker's raw text. The workers here are fakes whose answers each test
// gives by hand (or the real server, where the answer matters).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createEngineClient, type EngineRestart, type WorkerEndpoint } from './client';
import { EngineFailure } from './failure';
import { createEngineServer } from './server';
import { LOG_SLICE, type EngineRequest, type EngineResponse } from './protocol';
import { runCase } from '../engine/run-case';
import { walkLog } from '../engine/walk-log';
import type { Case, CaseStep } from '../engine/scenario/case';

/** A traffic step told apart by its number. */
const step = (n: number): CaseStep => ({ from: 'a', ping: `10.0.0.${n}` });

class FakeClock {
  t = 0;
  timers: { at: number; f: () => void; id: number }[] = [];
  private n = 0;
  now = () => this.t;
  setTimeout = (f: () => void, ms: number) => {
    const id = ++this.n;
    this.timers.push({ at: this.t + ms, f, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== id);
  };
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.f();
    }
    this.t = until;
  }
}

/** A worker whose answers the test gives; `real` forwards to the engine server instead. */
class FakeWorker implements WorkerEndpoint {
  received: EngineRequest[] = [];
  terminated = false;
  /** hold requests instead of passing them to the real server (a request that never ends) */
  hold = false;
  private onMessage: ((e: { data: unknown }) => void)[] = [];
  private onError: ((e: { message?: string }) => void)[] = [];
  private server: ((m: unknown) => void) | null;
  constructor(real: boolean) {
    this.server = real ? createEngineServer((m) => this.answerRaw(m)) : null;
  }
  addEventListener(type: 'message' | 'error', listener: (e: never) => void): void {
    if (type === 'message') this.onMessage.push(listener as (e: { data: unknown }) => void);
    else this.onError.push(listener as (e: { message?: string }) => void);
  }
  postMessage(m: EngineRequest): void {
    const copy = structuredClone(m);
    this.received.push(copy);
    if (!this.hold) this.server?.(copy);
  }
  terminate(): void {
    this.terminated = true;
  }
  answerRaw(m: EngineResponse): void {
    if (!this.terminated) this.onMessage.forEach((l) => l({ data: structuredClone(m) }));
  }
  answer(result: unknown, k = this.received.length - 1): void {
    this.answerRaw({ type: 'success', requestId: this.received[k]!.requestId, result: result as never });
  }
  crash(message: string): void {
    this.onError.forEach((l) => l({ message }));
  }
}

function setup(real = false) {
  const clock = new FakeClock();
  const workers: FakeWorker[] = [];
  const restarts: EngineRestart[] = [];
  const client = createEngineClient(
    () => {
      const w = new FakeWorker(real);
      workers.push(w);
      return w;
    },
    { clock, onRestart: (r) => restarts.push(r) },
  );
  return { clock, workers, restarts, client, last: () => workers[workers.length - 1]! };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('the engine client', () => {
  it('keeps one request in the worker at a time and answers each in turn', async () => {
    const { client, last } = setup();
    const a = client.export(1, null, 'case');
    const b = client.export(1, 'a', 'iptables-save');
    expect(last().received.map((m) => m.type)).toEqual(['export']);
    last().answer({ ok: true, text: 'A' });
    expect(last().received).toHaveLength(2);
    last().answer({ ok: true, text: 'B' });
    expect(await a).toEqual({ ok: true, text: 'A' });
    expect(await b).toEqual({ ok: true, text: 'B' });
  });

  it('stops a worker that runs past the budget, starts another and goes on with the next request', async () => {
    const { client, clock, workers, restarts, last } = setup();
    const stuck = client.send(1, [], false);
    const behind = client.export(1, null, 'case');
    clock.advance(9_999);
    expect(workers).toHaveLength(1);
    clock.advance(1);
    await expect(stuck).rejects.toMatchObject({ name: 'EngineFailure', kind: 'timeout', seconds: 10 });
    expect(workers[0]!.terminated).toBe(true);
    expect(workers).toHaveLength(2);
    expect(restarts).toEqual([{ reason: 'timeout', request: 'send', ms: 10_000 }]);
    // the request that waited behind the stuck one went to the new worker
    expect(last().received.map((m) => m.type)).toEqual(['export']);
    last().answer({ ok: true, text: 'ok' });
    expect(await behind).toEqual({ ok: true, text: 'ok' });
  });

  it('gives an import time in proportion to its text', async () => {
    const { client, clock, workers } = setup();
    const text = 'x'.repeat(1_000_000);
    const edit = client.edit(1, 'a', [text], 'restore');
    clock.advance(15_000);
    expect(workers).toHaveLength(1);
    clock.advance(5_000);
    await expect(edit).rejects.toMatchObject({ kind: 'timeout', seconds: 20 });
  });

  it('drops a cancelled request that waits without the worker ever seeing it', async () => {
    const { client, workers, last } = setup();
    const first = client.export(1, null, 'case');
    const ac = new AbortController();
    const second = client.send(1, [], false, { signal: ac.signal });
    ac.abort();
    await expect(second).rejects.toMatchObject({ kind: 'cancelled' });
    last().answer({ ok: true, text: '' });
    await first;
    expect(last().received.map((m) => m.type)).toEqual(['export']);
    expect(workers).toHaveLength(1);
  });

  it('stops the worker to cancel the request it runs', async () => {
    const { client, workers, restarts } = setup();
    const ac = new AbortController();
    const running = client.send(1, [], false, { signal: ac.signal });
    ac.abort();
    await expect(running).rejects.toBeInstanceOf(EngineFailure);
    expect(workers[0]!.terminated).toBe(true);
    expect(restarts.map((r) => r.reason)).toEqual(['cancelled']);
    // a signal already aborted never sends anything
    await expect(client.send(1, [], false, { signal: ac.signal })).rejects.toMatchObject({ kind: 'cancelled' });
    expect(workers[1]!.received).toEqual([]);
  });

  it('lets a newer walk replace the waiting ones, and stop an old running one', async () => {
    const { client, clock, workers, last } = setup();
    const w1 = client.send(1, [step(1)], false, { supersede: 'walk' });
    const w2 = client.send(1, [step(2)], false, { supersede: 'walk' });
    const other = client.export(1, null, 'case');
    const w3 = client.send(1, [step(3)], false, { supersede: 'walk' });
    // w1 was young: the worker finishes it, its answer is dropped; w2 never reaches the worker
    await expect(w1).rejects.toMatchObject({ kind: 'cancelled' });
    await expect(w2).rejects.toMatchObject({ kind: 'cancelled' });
    last().answer({ ok: false, errors: ['old'] });
    last().answer({ ok: true, text: '' });
    await other;
    expect(last().received.map((m) => (m.type === 'send' ? m.traffic?.[0] : m.type))).toEqual([step(1), 'export', step(3)]);
    // w3 has run for a while when w4 arrives: the worker is stopped, w4 runs on a new one
    clock.advance(1_000);
    const w4 = client.send(1, [step(4)], false, { supersede: 'walk' });
    await expect(w3).rejects.toMatchObject({ kind: 'cancelled' });
    expect(workers).toHaveLength(2);
    last().answer({ ok: false, errors: ['four'] });
    expect(await w4).toEqual({ ok: false, errors: ['four'] });
  });

  it('stops a superseded walk that was young but keeps running', async () => {
    const { client, clock, workers, last } = setup();
    void client.send(1, [step(1)], false, { supersede: 'walk' }).catch(() => undefined);
    clock.advance(100);
    const w2 = client.send(1, [step(2)], false, { supersede: 'walk' });
    clock.advance(149);
    expect(workers).toHaveLength(1);
    clock.advance(1);
    expect(workers).toHaveLength(2);
    expect(last().received).toHaveLength(1);
    last().answer({ ok: false, errors: ['two'] });
    expect(await w2).toEqual({ ok: false, errors: ['two'] });
  });

  it('lets an edit go before a long walk, which runs again behind it', async () => {
    const { client, clock, workers, restarts, last } = setup();
    const walk = client.send(1, [step(1)], false, { supersede: 'walk' });
    clock.advance(2_000);
    const edit = client.edit(1, 'a', ['iptables -A INPUT -j DROP'], 'command', { preempt: 'walk' });
    expect(workers).toHaveLength(2);
    expect(restarts.map((r) => r.reason)).toEqual(['cancelled']);
    expect(last().received.map((m) => m.type)).toEqual(['edit']);
    last().answer({ ok: false, diagnostics: [], index: 0 });
    expect(await edit).toEqual({ ok: false, diagnostics: [], index: 0 });
    // the edit was refused, so nothing replaced the walk: it runs again and answers its caller
    expect(last().received.map((m) => m.type)).toEqual(['edit', 'send']);
    last().answer({ ok: false, errors: ['walked'] });
    expect(await walk).toEqual({ ok: false, errors: ['walked'] });
    // a waiting walk is passed too
    const busy = client.export(1, null, 'case');
    const w2 = client.send(1, [step(2)], false, { supersede: 'walk' });
    const e2 = client.edit(1, 'a', ['x'], 'command', { preempt: 'walk' });
    last().answer({ ok: true, text: '' });
    await busy;
    expect(last().received.map((m) => m.type).slice(-1)).toEqual(['edit']);
    last().answer({ ok: false, diagnostics: [] });
    await e2;
    last().answer({ ok: false, errors: [] });
    await w2;
  });

  it('never passes the worker’s raw error text on: a stack overflow is named, the text goes to the console', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { client, last } = setup();
    const r = client.send(1, [], false);
    last().answerRaw({ type: 'error', requestId: last().received[0]!.requestId, error: { name: 'RangeError', message: 'Maximum call stack size exceeded\n    at walkChain (engine.js:1:2)', code: 'stack-overflow' } });
    const e = await r.catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'stack-overflow' });
    expect((e as Error).message).not.toMatch(/Maximum call stack|engine\.js/);
    expect(warn.mock.calls[0]![0]).toMatch(/Maximum call stack/);
    warn.mockRestore();
  });

  it('restarts a crashed worker, and gives up after three crashes in a row', async () => {
    const { client, workers } = setup();
    const a = client.send(1, [], false);
    workers[0]!.crash('Uncaught out of memory');
    await expect(a).rejects.toMatchObject({ kind: 'crashed' });
    expect(workers).toHaveLength(2);
    workers[1]!.crash('x');
    workers[2]!.crash('x');
    expect(workers).toHaveLength(3);
    await expect(client.send(1, [], false)).rejects.toMatchObject({ kind: 'crashed' });
  });

  it('reports a request that cannot be copied to the worker', async () => {
    const { client } = setup();
    await expect(client.send(1, [{ from: 'a', ping: '10.0.0.1', note: (() => 1) as unknown as string }], false)).rejects.toBeInstanceOf(EngineFailure);
    // the next request goes through
    const { client: c2, last } = setup();
    const ok = c2.export(1, null, 'case');
    last().answer({ ok: true, text: 'fine' });
    expect(await ok).toEqual({ ok: true, text: 'fine' });
  });

  it('shows every message of the running worker to onResponse as it arrives, and none of a stopped one', async () => {
    const clock = new FakeClock();
    const workers: FakeWorker[] = [];
    const seen: unknown[] = [];
    const client = createEngineClient(
      () => {
        const w = new FakeWorker(false);
        workers.push(w);
        return w;
      },
      { clock, onResponse: (m) => seen.push(m) },
    );
    const walk = client.send(1, [], false);
    const id = workers[0]!.received[0]!.requestId;
    workers[0]!.answer({ ok: false, errors: ['x'] });
    await walk;
    expect(seen).toEqual([{ type: 'success', requestId: id, result: { ok: false, errors: ['x'] } }]);
    const stuck = client.export(1, null, 'case');
    clock.advance(10_000);
    await expect(stuck).rejects.toMatchObject({ kind: 'timeout' });
    // an answer the stopped worker had already posted
    workers[0]!.terminated = false;
    workers[0]!.answer({ ok: true, text: 'late' });
    expect(seen).toHaveLength(1);
  });

  it('gives a new worker the labs the old one had, so the walk and its explanations survive a restart', async () => {
    const { client, clock, workers } = setup(true);
    const dnat = JSON.parse(readFileSync(join(__dirname, '..', 'engine', '__fixtures__', 'oracle', '19-dnat-port-forward.json'), 'utf8'));
    const o = await client.open(dnat);
    if (!o.ok) throw new Error(o.errors.join());
    const edit = await client.edit(o.lab, 'router', ['iptables -I FORWARD -p icmp -j DROP'], 'command');
    expect(edit).toMatchObject({ ok: true, canUndo: true });
    const r = await client.send(o.lab, null, false);
    if (!r.ok) throw new Error(r.errors.join());
    const step = r.log.steps.find((s) => s.kind === 'rule' && s.table === 'filter' && s.rulenum === 3)!.i;
    const before = await client.explain(o.lab, r.walk, step);
    expect(before.length).toBe(3);
    workers[0]!.hold = true;
    const hung = client.export(o.lab, null, 'case');
    clock.advance(10_000);
    await expect(hung).rejects.toMatchObject({ kind: 'timeout' });
    expect(workers).toHaveLength(2);
    expect(await client.explain(o.lab, r.walk, step)).toEqual(before);
    // the new worker was given the lab, its edit and its walk again before the explanation
    expect(workers[1]!.received.map((m) => m.type)).toEqual(['open', 'edit', 'send', 'explain']);
    // and undo there undoes the edit made in the old worker
    expect(await client.undo(o.lab)).toMatchObject({ moved: true, canUndo: false });
    await flush();
  });

  it('inspects a step of the walk on screen again in a new worker after a restart', async () => {
    const { client, clock, workers } = setup(true);
    const dnat = JSON.parse(readFileSync(join(__dirname, '..', 'engine', '__fixtures__', 'oracle', '19-dnat-port-forward.json'), 'utf8'));
    const o = await client.open(dnat);
    if (!o.ok) throw new Error(o.errors.join());
    const r = await client.send(o.lab, null, false);
    if (!r.ok) throw new Error(r.errors.join());
    const ttl = r.log.steps.find((s) => s.kind === 'note' && s.note.kind === 'ttl')!.i;
    const before = await client.inspect(o.lab, r.walk, ttl);
    expect(before!.changes).toEqual([{ path: 'ip.ttl', before: 64, after: 63 }]);
    workers[0]!.hold = true;
    const hung = client.export(o.lab, null, 'case');
    clock.advance(10_000);
    await expect(hung).rejects.toMatchObject({ kind: 'timeout' });
    expect(await client.inspect(o.lab, r.walk, ttl)).toEqual(before);
    expect(workers[1]!.received.map((m) => m.type)).toEqual(['open', 'send', 'inspect']);
  });

  it('drops an inspect request cancelled while it waits, and stops the worker for one cancelled while it runs', async () => {
    const { client, workers, last } = setup();
    const first = client.export(1, null, 'case');
    const ac = new AbortController();
    const waiting = client.inspect(1, 1, 5, { signal: ac.signal });
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ kind: 'cancelled' });
    last().answer({ ok: true, text: '' });
    await first;
    expect(last().received.map((m) => m.type)).toEqual(['export']);
    const ac2 = new AbortController();
    const running = client.inspect(1, 1, 6, { signal: ac2.signal });
    expect(last().received.map((m) => m.type)).toEqual(['export', 'inspect']);
    ac2.abort();
    await expect(running).rejects.toMatchObject({ kind: 'cancelled' });
    expect(workers[0]!.terminated).toBe(true);
    expect(workers).toHaveLength(2);
  });

  it('fetches a long walk log a page at a time and rebuilds its TRACE lines from the rule steps', async () => {
    const { client } = setup(true);
    const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
    for (let i = 0; i < 14; i++) lines.push(`:C${i} - [0:0]`);
    for (let i = 0; i + 1 < 14; i++) lines.push(`-A C${i} -j C${i + 1}`, `-A C${i} -j C${i + 1}`);
    lines.push('-A INPUT -j C0', 'COMMIT', '');
    // 2^13 entries into the last chain: several pages of steps
    const fanOut: Case = {
      name: 'fan-out',
      hosts: [
        { name: 'a', setup: ['ip addr add 10.0.0.1/24 dev eth0'] },
        { name: 'b', setup: ['ip addr add 10.0.0.2/24 dev eth0', { 'iptables-restore': lines.join('\n') }] },
      ],
      links: [['a:eth0', 'b:eth0']],
      steps: [{ from: 'a', ping: '10.0.0.2' }],
    };
    const o = await client.open(fanOut);
    if (!o.ok) throw new Error(o.errors.join());
    const r = await client.send(o.lab, null, false);
    if (!r.ok) throw new Error(r.errors.join());
    expect(r.log.steps.length).toBeGreaterThan(2 * LOG_SLICE);
    expect(r.log.steps.every((step, k) => step.i === k)).toBe(true);
    const run = runCase(fanOut);
    if (!run.ok) throw new Error(run.errors.join());
    const direct = walkLog(run.world, { chainRules: false });
    expect(r.log.steps).toEqual(direct.steps);
    expect(r.log.traceLog).toEqual(direct.traceLog);
  });

  it('posts an edit while a snapshot is being made, and takes each answer as it comes', async () => {
    const { client, last } = setup();
    const snap = client.snapshot(1, null);
    const edit = client.edit(1, 'a', ['iptables -A INPUT -j DROP'], 'command', { preempt: 'walk' });
    const walk = client.send(1, null, false, { supersede: 'walk' });
    // the snapshot does not hold the edit back: the worker has both, and answers the edit between two slices
    expect(last().received.map((m) => m.type)).toEqual(['snapshot', 'edit']);
    last().answer({ ok: true, diagnostics: [], changed: { host: 'a', parts: ['rules'] }, version: 2, canUndo: true, canRedo: false, past: 1, future: 0 }, 1);
    expect(await edit).toMatchObject({ ok: true, version: 2 });
    expect(last().received.map((m) => m.type)).toEqual(['snapshot', 'edit', 'send']);
    last().answer({ ok: true, walk: 1, version: 2, log: { steps: [], traceLog: [] }, totalSteps: 0 }, 2);
    expect(await walk).toMatchObject({ ok: true, version: 2 });
    last().answerRaw({ type: 'error', requestId: last().received[0]!.requestId, error: { name: 'Superseded', message: 'stale', code: 'cancelled' } });
    await expect(snap).rejects.toMatchObject({ kind: 'cancelled' });
  });

  it('makes a snapshot again in a new worker once the labs are back, without a time budget of its own', async () => {
    const { client, clock, workers } = setup(true);
    const dnat = JSON.parse(readFileSync(join(__dirname, '..', 'engine', '__fixtures__', 'oracle', '19-dnat-port-forward.json'), 'utf8'));
    const o = await client.open(dnat);
    if (!o.ok) throw new Error(o.errors.join());
    await client.edit(o.lab, 'router', ['iptables -I FORWARD -p icmp -j DROP'], 'command');
    workers[0]!.hold = true;
    const snap = client.snapshot(o.lab, null);
    const hung = client.export(o.lab, null, 'case');
    clock.advance(10_000);
    await expect(hung).rejects.toMatchObject({ kind: 'timeout' });
    expect(workers).toHaveLength(2);
    // the lab first, then the snapshot that was lost with the old worker
    expect(workers[1]!.received.map((m) => m.type).slice(0, 3)).toEqual(['open', 'edit', 'snapshot']);
    const got = await snap;
    expect(got.text).toContain('-A FORWARD -p icmp -j DROP');
  });

  it('tells the edits a lab took after a version, as a lab opened at that version takes them again', async () => {
    const { client } = setup(true);
    const dnat = JSON.parse(readFileSync(join(__dirname, '..', 'engine', '__fixtures__', 'oracle', '19-dnat-port-forward.json'), 'utf8'));
    const o = await client.open(dnat);
    if (!o.ok) throw new Error(o.errors.join());
    const a = await client.edit(o.lab, 'router', ['iptables -A FORWARD -s 198.51.100.1/32 -j DROP'], 'command');
    if (!a.ok) throw new Error('refused');
    await client.send(o.lab, null, false);
    await client.edit(o.lab, 'router', ['iptables -A FORWARD -s 198.51.100.2/32 -j DROP'], 'command', { walk: { traffic: null } });
    await client.undo(o.lab);
    await client.redo(o.lab);
    expect(client.changesSince(o.lab, a.version)).toEqual([
      { type: 'edit', host: 'router', texts: ['iptables -A FORWARD -s 198.51.100.2/32 -j DROP'], mode: 'command' },
      { type: 'undo' },
      { type: 'redo' },
    ]);
    // an undo back past that version cannot be made from it
    await client.undo(o.lab);
    await client.undo(o.lab);
    expect(client.changesSince(o.lab, a.version + 3)).toBeNull();
    expect(client.changesSince(99, 0)).toBeNull();
  });

  it('brings back the walk with the edit when asked, and keeps it in the journal as the send it stands for', async () => {
    const { client, clock, workers } = setup(true);
    const dnat = JSON.parse(readFileSync(join(__dirname, '..', 'engine', '__fixtures__', 'oracle', '19-dnat-port-forward.json'), 'utf8'));
    const o = await client.open(dnat);
    if (!o.ok) throw new Error(o.errors.join());
    const r = await client.edit(o.lab, 'router', ['iptables -I FORWARD -p icmp -j DROP'], 'command', { walk: { traffic: null } });
    if (!r.ok || !r.walk?.ok) throw new Error('no walk with the edit');
    expect(workers[0]!.received.map((m) => m.type)).toEqual(['open', 'edit']);
    expect(r.walk.version).toBe(r.version);
    const step = r.walk.log.steps.find((s) => s.kind === 'rule' && s.table === 'filter')!.i;
    const before = await client.explain(o.lab, r.walk.walk, step);
    workers[0]!.hold = true;
    const hung = client.export(o.lab, null, 'case');
    clock.advance(10_000);
    await expect(hung).rejects.toMatchObject({ kind: 'timeout' });
    expect(await client.explain(o.lab, r.walk.walk, step)).toEqual(before);
    expect(workers[1]!.received.map((m) => m.type)).toEqual(['open', 'edit', 'send', 'explain']);
  });

  it('keeps a console line that only read out of the journal, and one that edited in it as the edit it was', async () => {
    const { client, clock, workers } = setup(true);
    const dnat = JSON.parse(readFileSync(join(__dirname, '..', 'engine', '__fixtures__', 'oracle', '19-dnat-port-forward.json'), 'utf8'));
    const o = await client.open(dnat);
    if (!o.ok) throw new Error(o.errors.join());
    const read = await client.line(o.lab, 'router', 'iptables -S FORWARD', { walk: null, asOf: -1 });
    if (!('read' in read)) throw new Error('a listing was taken as an edit');
    expect(read.read.stdout).toContain('-P FORWARD');
    const made = await client.line(o.lab, 'router', 'iptables -A FORWARD -s 198.51.100.3/32 -j DROP', { walk: null, asOf: -1 });
    expect(made).toMatchObject({ ok: true, version: o.version + 1 });
    expect(client.changesSince(o.lab, o.version)).toEqual([{ type: 'edit', host: 'router', texts: ['iptables -A FORWARD -s 198.51.100.3/32 -j DROP'], mode: 'command' }]);
    workers[0]!.hold = true;
    const hung = client.export(o.lab, null, 'case');
    clock.advance(10_000);
    await expect(hung).rejects.toMatchObject({ kind: 'timeout' });
    // the new worker is given the edit alone, as an edit: nothing to answer as a read again
    const replayed = workers[1]!.received.filter((m) => m.type === 'edit');
    expect(replayed).toHaveLength(1);
    expect(replayed[0]).not.toHaveProperty('read');
  });
});
