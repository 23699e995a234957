// The editing session end to end, with the real engine server behind an
// in-memory endpoint: every edit is one undo step, a refused command changes
// nothing, queued edits build on each other, undo keeps the traffic being
// looked at, and the walk follows every change.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryWorker } from '../../test-support/memory-worker';
import { createStores, sendPacket } from '../state/walk-store';
import { addHost } from './scenario-ops';
import { applyCaseOp, applyText, applyTexts, editorSession, redoEdit, undoEdit } from './session';
import { chainRulesOf } from './lab-views';
import { refreshCase } from '../state/lab';
import type { Case } from '../../engine/scenario/case';

const base = JSON.parse(readFileSync(join(__dirname, '..', '..', 'scenarios', 'port-forward.json'), 'utf8')) as Case;

function setup() {
  const { client } = memoryWorker();
  const stores = createStores(base);
  return { stores, client, session: editorSession(stores, client) };
}

/** The router's FORWARD rules as the worker's lab now has them (the words after `-A FORWARD`). */
async function forward({ stores, client }: Pick<ReturnType<typeof setup>, 'stores' | 'client'>): Promise<string[]> {
  const page = await chainRulesOf(stores, client, 'router', 'filter', 'FORWARD', 1000);
  if (!page) throw new Error('no FORWARD chain');
  return page.rules.map((r) => r.spec);
}

/** let queued edits, re-simulations and microtasks settle */
const settle = async (session: ReturnType<typeof setup>['session']) => {
  await session.queue;
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
};

describe('the editing session', () => {
  it('gets the walk of an edit in the edit’s own answer: one request from the edit to the walk on screen', async () => {
    const { stores, client, session } = setup();
    await applyText(session, 'router', 'iptables -A INPUT -j ACCEPT');
    await settle(session);
    const asked: string[] = [];
    const run = stores.walk.getState().runId;
    const spy = { ...client, send: (...a: Parameters<typeof client.send>) => (asked.push('send'), client.send(...a)), edit: (...a: Parameters<typeof client.edit>) => (asked.push('edit'), client.edit(...a)) };
    const spied = editorSession(createStores(base), spy);
    spied.stores.lab.setState(stores.lab.getState());
    spied.stores.walk.setState({ runId: run });
    expect((await applyText(spied, 'router', 'iptables -I FORWARD 1 -p tcp --dport 80 -j DROP')).ok).toBe(true);
    // shown as soon as the edit answers: no second request, nothing left to wait for
    expect(asked).toEqual(['edit']);
    const walk = spied.stores.walk.getState();
    expect(walk).toMatchObject({ status: 'ready', runId: run + 1 });
    expect(walk.log!.steps.some((s) => s.kind === 'rule' && s.table === 'filter' && s.chain === 'FORWARD' && s.target === 'DROP')).toBe(true);
  });

  it('applies a command, records it for undo, and re-simulates the walk', async () => {
    const { stores, client, session } = setup();
    const r = await applyText(session, 'router', 'iptables -I FORWARD 1 -p tcp --dport 80 -j DROP');
    expect(r.ok).toBe(true);
    expect(stores.lab.getState().past).toBe(1);
    expect((await forward({ stores, client }))[0]).toBe('-p tcp -m tcp --dport 80 -j DROP');
    await settle(session);
    const walk = stores.walk.getState();
    expect(walk.status).toBe('ready');
    expect(walk.log!.steps.some((s) => s.kind === 'rule' && s.table === 'filter' && s.chain === 'FORWARD' && s.target === 'DROP')).toBe(true);
  });

  it('keeps the user’s traffic steps as written when the case catches up with the lab', async () => {
    const { stores, client, session } = setup();
    await applyText(session, 'router', 'iptables -A INPUT -j ACCEPT');
    expect(stores.lab.getState().stale).toBe(true);
    const now = await refreshCase(stores, client);
    expect(stores.lab.getState().stale).toBe(false);
    expect(now.steps).toEqual(base.steps);
    // with the text and fingerprint the worker made of this very object, for the autosave
    expect(stores.scenario.getState().serialized).toMatchObject({ of: now, text: JSON.stringify(now) });
    expect(JSON.stringify(now)).toContain('-A INPUT -j ACCEPT');
    expect(stores.scenario.getState().scenario).toBe(now);
  });

  it('changes nothing when the engine refuses, and says where', async () => {
    const { stores, session } = setup();
    const r = await applyText(session, 'router', 'iptables -A FORWARD -p tcp --dport 99999 -j ACCEPT');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.diagnostics[0]).toMatchObject({ column: 36 });
    expect(stores.scenario.getState().scenario).toBe(base);
    expect(stores.lab.getState().past).toBe(0);
  });

  it('runs a batch as one undo step and stops at the first refusal', async () => {
    const { stores, client, session } = setup();
    const r = await applyTexts(session, 'router', ['iptables -D FORWARD 1', 'iptables -I FORWARD 3 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT']);
    expect(r.ok).toBe(true);
    expect(stores.lab.getState().past).toBe(1);
    expect((await forward({ stores, client }))[2]).toBe('-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
    const bad = await applyTexts(session, 'router', ['iptables -D FORWARD 1', 'iptables -I FORWARD 9 -j DROP']);
    expect(bad).toMatchObject({ ok: false, index: 1 });
    expect(stores.lab.getState().past).toBe(1);
  });

  it('queues edits so each builds on the one before', async () => {
    const { stores, client, session } = setup();
    const a = applyText(session, 'router', 'iptables -N A');
    const b = applyText(session, 'router', 'iptables -A FORWARD -j A');
    expect((await a).ok && (await b).ok).toBe(true);
    expect((await forward({ stores, client })).at(-1)).toBe('-j A');
  });

  it('undoes and redoes, keeping the packet the user sent since', async () => {
    const { stores, client, session } = setup();
    await applyText(session, 'router', 'iptables -I FORWARD 1 -j DROP');
    await settle(session);
    await sendPacket(stores, client, { from: 'client', ping: '203.0.113.1' });
    void undoEdit(session);
    await settle(session);
    const now = stores.scenario.getState().scenario;
    expect(await forward({ stores, client })).toHaveLength(3);
    expect(now.steps).toEqual([{ from: 'client', ping: '203.0.113.1' }]);
    void redoEdit(session);
    await settle(session);
    expect(await forward({ stores, client })).toHaveLength(4);
    expect(stores.scenario.getState().scenario.steps).toEqual([{ from: 'client', ping: '203.0.113.1' }]);
  });

  it('applies lab-level changes after the engine has read the result as a case', async () => {
    const { stores, session } = setup();
    await applyText(session, 'router', 'iptables -A INPUT -j ACCEPT');
    expect(await applyCaseOp(session, (c) => addHost(c, 'db'))).toEqual({ ok: true });
    // the change was made to the case as the lab had it, the edit before included
    expect(JSON.stringify(stores.scenario.getState().scenario)).toContain('-A INPUT -j ACCEPT');
    expect((stores.scenario.getState().scenario.hosts as { name: string }[]).map((h) => h.name)).toEqual(['client', 'router', 'web', 'db']);
    expect(await applyCaseOp(session, (c) => addHost(c, 'db'))).toMatchObject({ ok: false });
    expect(stores.lab.getState().past).toBe(2);
  });

  it('is one session per app', () => {
    const { stores, client, session } = setup();
    expect(editorSession(stores, client)).toBe(session);
  });
});
