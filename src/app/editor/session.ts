// pattern: Imperative Shell
// The editing session of one app: the undo history of scenario objects, the
// host being edited, and the one path every edit takes — text to the
// worker (client.edit), the new canonical scenario back, recorded in the
// history, set as the scenario, re-simulated. Edits run one after another,
// each on the scenario its predecessor left, so two quick commands never
// both start from the same old scenario.

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EngineClient } from '../../worker/client';
import type { EditMode, NetToolsTranslation, PositionedDiagnostic, QueryOutput } from '../../worker/protocol';
import { presentEditWalk, simulate, trafficOf, walkRun, type Stores } from '../state/walk-store';
import { ensureLab, labChanged, refreshCase, undoState } from '../state/lab';
import { hostNames, type OpResult } from './scenario-ops';
import { queryMoment } from './console-commands';
import type { Case } from '../../engine/scenario/case';

export interface Busy {
  what: string;
  lines: number;
  started: number;
}

export interface EditorState {
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
}

export type ApplyResult =
  | { ok: true; diagnostics: PositionedDiagnostic[]; skipped?: { line: number; reason: string }[]; translated?: NetToolsTranslation[] }
  | { ok: false; diagnostics: PositionedDiagnostic[]; /** which text of a batch was refused */ index: number };

const sessions = new WeakMap<Stores, EditorSession>();

/** The session of these stores, made on first use. */
export function editorSession(stores: Stores, client: EngineClient): EditorSession {
  const hit = sessions.get(stores);
  if (hit) return hit;
  const names = hostNames(stores.scenario.getState().scenario);
  const store = createStore<EditorState>()(() => ({ host: names.includes('router') ? 'router' : (names[0] ?? ''), busy: null }));
  const session: EditorSession = { store, stores, client, queue: Promise.resolve() };
  // a scenario with other hosts (loaded, or a host renamed) keeps the chosen host only if it is still there
  stores.scenario.subscribe((s) => {
    const hosts = hostNames(s.scenario);
    const { host } = store.getState();
    if (!hosts.includes(host)) store.setState({ host: hosts[0] ?? '' });
  });
  sessions.set(stores, session);
  return session;
}

function enqueue<T>(session: EditorSession, job: () => Promise<T>): Promise<T> {
  const run = session.queue.then(job, job);
  session.queue = run.catch(() => undefined);
  return run;
}

const workerFailure = (e: unknown): ApplyResult => ({ ok: false, index: 0, diagnostics: [{ from: 0, to: 0, line: 1, column: 1, severity: 'error', source: 'worker', message: (e as Error).message }] });

/**
 * Apply texts to `host` (a rule move is a delete and an insert) as one undo
 * step in the worker's lab, then walk again; the first refusal stops the
 * batch and nothing changes.
 */
export function applyTexts(session: EditorSession, host: string, texts: readonly string[], mode: EditMode = 'command', busy?: Omit<Busy, 'started'>, signal?: AbortSignal): Promise<ApplyResult> {
  return apply(session, host, texts, mode, false, busy, signal) as Promise<ApplyResult>;
}

/**
 * One console line, in the edit queue: a line that only reads is answered as
 * of the step on screen and changes nothing (`read`, with the step it is as
 * of); any other is applied as `applyText` applies it. The worker decides
 * which in the same request, so a rule typed costs one round trip.
 */
export function runLine(session: EditorSession, host: string, text: string): Promise<ApplyResult | LineRead> {
  return apply(session, host, [text], 'command', true);
}

export type LineRead = { ok: true; read: QueryOutput; asOf: number };

function apply(session: EditorSession, host: string, texts: readonly string[], mode: EditMode, line: boolean, busy?: Omit<Busy, 'started'>, signal?: AbortSignal): Promise<ApplyResult | LineRead> {
  return enqueue(session, async () => {
    if (!texts.length) return { ok: true, diagnostics: [] };
    if (busy) session.store.setState({ busy: { ...busy, started: Date.now() } });
    try {
      const lab = await ensureLab(session.stores, session.client);
      if (lab === null) return { ok: false, index: 0, diagnostics: [] };
      const before = walkRun(session.stores);
      // the edit goes before a walk still running: that walk is about to be replaced by the edit's own,
      // which the worker makes right after the edit and sends back with it (one round trip to the painted walk)
      const traffic = trafficOf(session.stores.scenario.getState().scenario);
      const opts = { signal, preempt: 'walk', walk: { traffic } };
      const at = line ? queryMoment(session.stores, lab) : null;
      const r = at ? await session.client.line(lab, host, texts[0]!, at, opts) : await session.client.edit(lab, host, [...texts], mode, opts);
      if (!r.ok) return { ok: false, diagnostics: r.diagnostics, index: r.index };
      if ('read' in r) return { ok: true, read: r.read, asOf: at?.asOf ?? -1 };
      labChanged(session.stores, session.client, r);
      if (r.walk) void presentEditWalk(session.stores, lab, r.walk, before);
      else void simulate(session.stores, session.client);
      return { ok: true, diagnostics: r.diagnostics, ...(r.skipped ? { skipped: r.skipped } : {}), ...(r.translated ? { translated: r.translated } : {}) };
    } catch (e) {
      return workerFailure(e);
    } finally {
      if (busy) session.store.setState({ busy: null });
    }
  });
}

/** `signal` stops the edit (an import of a large text) in the worker; nothing changes then. */
export function applyText(session: EditorSession, host: string, text: string, mode: EditMode = 'command', busy?: Omit<Busy, 'started'>, signal?: AbortSignal): Promise<ApplyResult> {
  return applyTexts(session, host, [text], mode, busy, signal);
}

/** Make `next` the whole scenario, as one undoable step; the worker checks it first. */
async function replaceCase(session: EditorSession, next: Case): Promise<{ ok: true } | { ok: false; message: string }> {
  const lab = await ensureLab(session.stores, session.client);
  if (lab === null) return { ok: false, message: (session.stores.lab.getState().refused ?? []).join('; ') };
  const r = await session.client.replace(lab, next);
  if (!r.ok) return { ok: false, message: r.errors.join('; ') };
  session.stores.lab.setState({ ...undoState(r), synced: next, syncedVersion: r.version, stale: false });
  session.stores.scenario.getState().setScenario(next);
  void simulate(session.stores, session.client);
  return { ok: true };
}

/**
 * A lab-level change (hosts, links, listeners, rt_tables), made to the case
 * as the lab now stands and checked by the engine before it is made.
 */
export function applyCaseOp(session: EditorSession, op: (c: Case) => OpResult): Promise<{ ok: true } | { ok: false; message: string }> {
  return enqueue(session, async () => {
    try {
      const r = op(await refreshCase(session.stores, session.client));
      if (!r.ok) return r;
      return await replaceCase(session, r.scenario);
    } catch (e) {
      return { ok: false, message: (e as Error).message };
    }
  });
}

/** Make `next` the scenario, as one undoable step (the built-in scenario, restored). */
export function commit(session: EditorSession, next: Case): Promise<{ ok: true } | { ok: false; message: string }> {
  return enqueue(session, () => replaceCase(session, next));
}

function step(session: EditorSession, dir: 'undo' | 'redo'): Promise<void> {
  return enqueue(session, async () => {
    const lab = session.stores.lab.getState().id;
    if (lab === null) return;
    try {
      const r = await (dir === 'undo' ? session.client.undo(lab, { preempt: 'walk' }) : session.client.redo(lab, { preempt: 'walk' }));
      if (!r.moved) return;
      labChanged(session.stores, session.client, r);
      void simulate(session.stores, session.client);
    } catch {
      // a failed worker is told by the engine notice
    }
  });
}

export function undoEdit(session: EditorSession): Promise<void> {
  return step(session, 'undo');
}

export function redoEdit(session: EditorSession): Promise<void> {
  return step(session, 'redo');
}

export function setEditorHost(session: EditorSession, host: string): void {
  session.store.setState({ host });
}

export const selectEditorHost = (s: EditorState) => s.host;
export const selectBusy = (s: EditorState) => s.busy;
