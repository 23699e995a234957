// pattern: Imperative Shell
// The editing session of one app: the undo history of scenario objects, the
// host being edited, and the one path every edit takes — text to the
// worker (client.edit), the new canonical scenario back, recorded in the
// history, set as the scenario, re-simulated. Edits run one after another,
// each on the scenario its predecessor left, so two quick commands never
// both start from the same old scenario.

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EngineClient } from '../../worker/client';
import type { EditMode, PositionedDiagnostic } from '../../worker/protocol';
import { simulate, type Stores } from '../state/walk-store';
import { canRedo, canUndo, initHistory, record, redo, replacePresent, undo, type History } from '../state/history';
import { hostNames, withTraffic, type Case, type OpResult } from './scenario-ops';

export interface Busy {
  what: string;
  lines: number;
  started: number;
}

export interface EditorState {
  history: History<Case>;
  /** the host the console, forms, import and export work on */
  host: string;
  busy: Busy | null;
}

export interface EditorSession {
  store: StoreApi<EditorState>;
  stores: Stores;
  client: EngineClient;
  /** the tail of the edit queue */
  queue: Promise<unknown>;
  /** set while this session itself changes the scenario, so the store listener knows */
  committing: boolean;
}

export type ApplyResult =
  | { ok: true; diagnostics: PositionedDiagnostic[]; skipped?: { line: number; reason: string }[] }
  | { ok: false; diagnostics: PositionedDiagnostic[]; /** which text of a batch was refused */ index: number };

const sessions = new WeakMap<Stores, EditorSession>();

/** The session of these stores, made on first use. */
export function editorSession(stores: Stores, client: EngineClient): EditorSession {
  const hit = sessions.get(stores);
  if (hit) return hit;
  const scenario = stores.scenario.getState().scenario;
  const names = hostNames(scenario);
  const store = createStore<EditorState>()(() => ({ history: initHistory(scenario), host: names.includes('router') ? 'router' : (names[0] ?? ''), busy: null }));
  const session: EditorSession = { store, stores, client, queue: Promise.resolve(), committing: false };
  // Changes made elsewhere (a packet sent, a test loading a case) are the same configuration seen anew, not an edit.
  stores.scenario.subscribe((s) => {
    if (session.committing) return;
    const { history, host } = store.getState();
    const hosts = hostNames(s.scenario);
    store.setState({ history: replacePresent(history, s.scenario), host: hosts.includes(host) ? host : (hosts[0] ?? '') });
  });
  sessions.set(stores, session);
  return session;
}

function setScenario(session: EditorSession, next: Case): void {
  session.committing = true;
  try {
    session.stores.scenario.getState().setScenario(next);
  } finally {
    session.committing = false;
  }
  const hosts = hostNames(next);
  const { host } = session.store.getState();
  if (!hosts.includes(host)) session.store.setState({ host: hosts[0] ?? '' });
  void simulate(session.stores, session.client);
}

/** Make `next` the scenario, as one undoable step. */
export function commit(session: EditorSession, next: Case): void {
  const current = session.stores.scenario.getState().scenario;
  const { history } = session.store.getState();
  session.store.setState({ history: record(replacePresent(history, current), next) });
  setScenario(session, next);
}

function enqueue<T>(session: EditorSession, job: () => Promise<T>): Promise<T> {
  const run = session.queue.then(job, job);
  session.queue = run.catch(() => undefined);
  return run;
}

/** The engine's canonical scenario with the traffic the user is looking at. */
function keepTraffic(edited: Case, current: Case): Case {
  return current.steps === undefined ? edited : { ...edited, steps: current.steps };
}

/**
 * Apply texts to `host` one after another (a rule move is a delete and an
 * insert) and commit the end result as one undo step; the first refusal
 * stops the batch and nothing changes.
 */
export function applyTexts(session: EditorSession, host: string, texts: readonly string[], mode: EditMode = 'command', busy?: Omit<Busy, 'started'>, signal?: AbortSignal): Promise<ApplyResult> {
  return enqueue(session, async () => {
    const current = session.stores.scenario.getState().scenario;
    let s: Case = current;
    let diagnostics: PositionedDiagnostic[] = [];
    let skipped: { line: number; reason: string }[] | undefined;
    if (busy) session.store.setState({ busy: { ...busy, started: Date.now() } });
    try {
      for (let i = 0; i < texts.length; i++) {
        // the edit goes before a walk still running: that walk is about to be replaced by the edit's own
        const r = await session.client.edit(s, host, texts[i]!, mode, { signal, preempt: 'walk' });
        if (!r.ok) return { ok: false, diagnostics: r.diagnostics, index: i };
        s = r.scenario;
        diagnostics = r.diagnostics;
        const sk = (r as { skipped?: { line: number; reason: string }[] }).skipped;
        if (sk) skipped = sk;
      }
    } catch (e) {
      return { ok: false, index: 0, diagnostics: [{ from: 0, to: 0, line: 1, column: 1, severity: 'error', source: 'worker', message: (e as Error).message }] };
    } finally {
      if (busy) session.store.setState({ busy: null });
    }
    if (texts.length) commit(session, keepTraffic(s, current));
    return skipped ? { ok: true, diagnostics, skipped } : { ok: true, diagnostics };
  });
}

/** `signal` stops the edit (an import of a large text) in the worker; nothing changes then. */
export function applyText(session: EditorSession, host: string, text: string, mode: EditMode = 'command', busy?: Omit<Busy, 'started'>, signal?: AbortSignal): Promise<ApplyResult> {
  return applyTexts(session, host, [text], mode, busy, signal);
}

/**
 * A lab-level change (hosts, links, listeners, rt_tables): checked by the
 * engine reading it as a case before it becomes the scenario.
 */
export function applyCaseOp(session: EditorSession, op: (c: Case) => OpResult): Promise<{ ok: true } | { ok: false; message: string }> {
  return enqueue(session, async () => {
    const r = op(session.stores.scenario.getState().scenario);
    if (!r.ok) return r;
    const check = await session.client.export(r.scenario, null, 'case');
    if (!check.ok) return { ok: false, message: check.diagnostics.map((d) => d.message).join('; ') };
    commit(session, r.scenario);
    return { ok: true };
  });
}

export function undoEdit(session: EditorSession): void {
  void enqueue(session, async () => {
    const { history } = session.store.getState();
    if (!canUndo(history)) return;
    const current = session.stores.scenario.getState().scenario;
    const h = undo(replacePresent(history, current));
    session.store.setState({ history: h });
    setScenario(session, withTraffic(h.present, current));
  });
}

export function redoEdit(session: EditorSession): void {
  void enqueue(session, async () => {
    const { history } = session.store.getState();
    if (!canRedo(history)) return;
    const current = session.stores.scenario.getState().scenario;
    const h = redo(replacePresent(history, current));
    session.store.setState({ history: h });
    setScenario(session, withTraffic(h.present, current));
  });
}

export function setEditorHost(session: EditorSession, host: string): void {
  session.store.setState({ host });
}

export const selectHistory = (s: EditorState) => s.history;
export const selectEditorHost = (s: EditorState) => s.host;
export const selectBusy = (s: EditorState) => s.busy;
