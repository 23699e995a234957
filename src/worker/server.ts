// pattern: Imperative Shell
// The worker side of the protocol, with postMessage injected so it runs (and
// is tested) without a real Worker. It owns the labs the page opened
// (engine/lab): edits, walks and views are computed against the lab kept
// here, and only what the page shows travels back. The oracle result format
// the CLI prints is never computed here.
//
// A snapshot (protocol BACKGROUND) is made a slice at a time, each slice a
// task of its own (`schedule`), so an edit or a walk that arrives meanwhile
// is answered between two slices instead of after the whole 50,000-rule
// case text; a snapshot the lab's next version has made stale is dropped.

import { Lab } from '../engine/lab/lab';
import { chainPage, hostConfigView } from '../engine/lab/views';
import { extensionCatalog } from '../engine/iptables/catalog';
import { explainStep } from '../engine/walk-log';
import { measureScaling } from '../scenarios/kube-proxy-scaling';
import { serializeCaseSliced, type SerializedCase } from '../share/fingerprint';
import type { Sliced } from '../engine/text/slices';
import { CHALLENGES, challengeInstance } from '../course/catalog';
import { checkWalk } from '../course/check';
import { challengeView, goalVerdict } from '../course/view';
import { challengeStage } from '../course/stage';
import { errorCode, isEngineRequest, LOG_SLICE, type EngineRequest, type EngineResponse, type EngineResult, type QueryOutput, type ReadMoment, type SendResult, type SerializedError } from './protocol';

class Gone extends Error {
  override name = 'Gone';
}

export interface ServerOptions {
  /**
   * Run `f` as a task of its own, after the messages that have arrived by
   * then (the worker: a MessageChannel message); tests pass a queue they run
   * by hand. Default: setTimeout 0.
   */
  schedule?: (f: () => void) => void;
}

/** A snapshot being made: the version it is of, and the rest of its work. */
interface SnapshotJob {
  requestId: number;
  lab: number;
  version: number;
  work: Sliced<SerializedCase>;
}

const superseded: SerializedError = { name: 'Superseded', message: 'the lab changed, or a newer snapshot was asked for, before this snapshot was made', code: 'cancelled' };

function undoState(lab: Lab) {
  return { version: lab.version, canUndo: lab.canUndo, canRedo: lab.canRedo, past: lab.past, future: lab.future };
}

export function createEngineServer(post: (m: EngineResponse) => void, options: ServerOptions = {}): (message: unknown) => void {
  const schedule = options.schedule ?? ((f: () => void) => void setTimeout(f, 0));
  const labs = new Map<number, Lab>();
  /** snapshots being made, oldest first; the first one gets the next slice */
  const snapshots: SnapshotJob[] = [];
  /** a slice is scheduled: one chain of slices at a time */
  let sliceDue = false;
  /** the page's walk ids, per lab, to the lab's own */
  const walkIds = new Map<number, Map<number, number>>();

  const labOf = (id: number): Lab => {
    const lab = labs.get(id);
    if (!lab) throw new Gone(`no lab ${id} in this worker`);
    return lab;
  };
  const walkOf = (labId: number, walk: number) => {
    const w = labOf(labId).walkById(walkIds.get(labId)?.get(walk) ?? -1);
    if (!w) throw new Gone(`walk ${walk} of lab ${labId} is no longer kept`);
    return w;
  };

  /** A console line answered as the tools print it, as of `at`; null: the line changes something. */
  function queryLine(labId: number, host: string, text: string, at: ReadMoment): QueryOutput | null {
    const lab = labOf(labId);
    // a walk the lab no longer keeps answers as if there were none, rather than failing the console line
    const walk = at.walk === null ? null : (lab.walkById(walkIds.get(labId)?.get(at.walk) ?? -1) ?? null);
    return lab.query(host, text, walk, at.asOf, { now: at.now, tzOffset: at.tzOffset });
  }

  function send(labId: number, walk: number, traffic: unknown[] | null, keep: boolean): SendResult {
    const lab = labOf(labId);
    const r = lab.send(traffic, { keep });
    if (!r.ok) return r;
    const ids = walkIds.get(labId)!;
    ids.set(walk, r.walk.id);
    // the page keeps the last two walks' ids too
    for (const k of [...ids.keys()]) if (!lab.walkById(ids.get(k)!)) ids.delete(k);
    const log = r.walk.log;
    // TRACE lines are the rule steps' own: the client rebuilds them, they are not copied twice
    return { ok: true, walk, version: r.walk.version, log: { ...log, steps: log.steps.slice(0, LOG_SLICE), traceLog: [] }, totalSteps: log.steps.length };
  }

  function answer(m: Exclude<EngineRequest, { type: 'snapshot' }>): EngineResult {
    switch (m.type) {
      case 'open': {
        const o = Lab.open(m.case);
        if (!o.ok) return { ok: false, errors: o.errors };
        labs.set(m.lab, o.lab);
        walkIds.set(m.lab, new Map());
        return { ok: true, hosts: o.lab.hostNames(), ...undoState(o.lab) };
      }
      case 'replace': {
        const lab = labOf(m.lab);
        const r = lab.replace(m.case);
        return r.ok ? { ok: true, hosts: lab.hostNames(), ...undoState(lab) } : r;
      }
      case 'edit': {
        const lab = labOf(m.lab);
        if (m.read && m.texts.length === 1) {
          const q = queryLine(m.lab, m.host, m.texts[0]!, m.read);
          if (q !== null) return { ok: true, read: q };
        }
        const r = lab.editAll(m.host, m.texts, m.mode);
        if (!r.ok) return { ok: false, diagnostics: r.diagnostics, index: 'index' in r ? r.index : 0 };
        const out = { ok: true as const, diagnostics: r.diagnostics, changed: r.changed, ...undoState(lab), ...(r.skipped ? { skipped: r.skipped } : {}), ...(r.translated ? { translated: r.translated } : {}) };
        // the walk of the edited lab in the same answer: no second round trip before the page can paint it
        return m.walk ? { ...out, sent: send(m.lab, m.walk.walk, m.walk.traffic, false) } : out;
      }
      case 'undo':
      case 'redo': {
        const lab = labOf(m.lab);
        const moved = (m.type === 'undo' ? lab.undo() : lab.redo()) !== null;
        return { moved, ...undoState(lab) };
      }
      case 'send':
        return send(m.lab, m.walk, m.traffic, m.keep);
      case 'events': {
        const w = walkOf(m.lab, m.walk);
        return w.log.steps.slice(m.from, m.from + Math.min(m.count, LOG_SLICE));
      }
      case 'explain': {
        const w = walkOf(m.lab, m.walk);
        return explainStep(w.world, w.log, m.step);
      }
      case 'inspect':
        // a walk the lab no longer keeps is gone, as for explain (the page asks again after the next walk)
        return labOf(m.lab).inspect(walkOf(m.lab, m.walk).id, m.step);
      case 'chain': {
        const lab = labOf(m.lab);
        const config = lab.config(m.host);
        if (!config) return null;
        const counted = m.walk === null ? null : { log: walkOf(m.lab, m.walk).log, host: m.host, asOf: m.asOf };
        return chainPage(config, m.table, m.chain, m.from, Math.min(m.count, LOG_SLICE), counted);
      }
      case 'host-view': {
        const config = labOf(m.lab).config(m.host);
        return config ? hostConfigView(m.host, config) : null;
      }
      case 'query': {
        if (m.complete) return { completions: labOf(m.lab).complete(m.host, m.text) };
        const r = queryLine(m.lab, m.host, m.text, m);
        return r === null ? { edit: true } : { edit: false, ...r };
      }
      case 'extensions':
        return extensionCatalog();
      case 'export':
        return labOf(m.lab).exportText(m.host, m.what);
      case 'check': {
        const o = Lab.open(m.case);
        return o.ok ? { ok: true } : { ok: false, errors: o.errors };
      }
      case 'close':
        labs.delete(m.lab);
        walkIds.delete(m.lab);
        return null;
      case 'kube-scaling':
        return measureScaling(m.sizes);
      case 'course':
        return CHALLENGES.map((c) => ({ id: c.id, unit: c.unit, level: c.level, title: c.title }));
      case 'challenge': {
        const c = challengeInstance(m.id, m.seed);
        return c ? challengeView(c) : null;
      }
      case 'challenge-check': {
        const c = challengeInstance(m.id, m.seed);
        if (!c) return { ok: false, error: `no challenge ${m.id}` };
        const w = walkOf(m.lab, m.walk);
        // the goals name probes by number: a walk of other traffic would be judged on the wrong packets
        if (w.log.scenarioSteps.length !== c.probes.length) return { ok: false, error: `walk ${m.walk} has ${w.log.scenarioSteps.length} traffic steps, the challenge ${c.probes.length} probes` };
        const goals = checkWalk(c, labOf(m.lab), w.log, { commands: m.commands, answer: m.answer });
        return { ok: true, id: c.id, seed: c.seed, passed: goals.every((g) => g.met), commands: m.commands, goals: goals.map(goalVerdict) };
      }
      case 'challenge-reveal': {
        const c = challengeInstance(m.id, m.seed);
        if (!c) return null;
        return m.what === 'solution' ? { en: c.solution, zh: c.solution } : (c.hints[m.n] ?? null);
      }
      case 'challenge-stage': {
        const c = challengeInstance(m.id, m.seed);
        return c ? challengeStage(c, m.k) : null;
      }
    }
  }

  const fail = (requestId: number, e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    // a failed post (a result too large to copy) must still answer the request
    post({ type: 'error', requestId, error: { name: err.name, message: err.message.slice(0, 2000), code: err instanceof Gone ? 'gone' : errorCode(err) } });
  };

  /** One slice of the oldest snapshot; the next slice is a task of its own, behind whatever arrived meanwhile. */
  function slice(): void {
    sliceDue = false;
    const job = snapshots[0];
    if (!job) return;
    const lab = labs.get(job.lab);
    try {
      if (!lab) throw new Gone(`no lab ${job.lab} in this worker`);
      if (lab.version !== job.version) {
        snapshots.shift();
        post({ type: 'error', requestId: job.requestId, error: superseded });
      } else {
        const r = job.work.next();
        if (r.done) {
          snapshots.shift();
          post({ type: 'success', requestId: job.requestId, result: r.value });
        }
      }
    } catch (e) {
      snapshots.shift();
      fail(job.requestId, e);
    }
    nextSlice();
  }

  function nextSlice(): void {
    if (sliceDue || !snapshots.length) return;
    sliceDue = true;
    schedule(slice);
  }

  function startSnapshot(m: Extract<EngineRequest, { type: 'snapshot' }>): void {
    const { version, work } = labOf(m.lab).snapshotSliced();
    const steps = m.steps;
    // the JSON text and its fingerprint are made here, off the page's thread: a 50,000-rule case is megabytes
    const serialized = (function* (): Sliced<SerializedCase> {
      const c = yield* work;
      return yield* serializeCaseSliced(steps ? { ...c, steps } : c);
    })();
    // a newer snapshot of the same lab makes an older one pointless
    for (let i = snapshots.length - 1; i >= 0; i--) {
      if (snapshots[i]!.lab !== m.lab) continue;
      post({ type: 'error', requestId: snapshots[i]!.requestId, error: superseded });
      snapshots.splice(i, 1);
    }
    snapshots.push({ requestId: m.requestId, lab: m.lab, version, work: serialized });
    nextSlice();
  }

  return (message: unknown) => {
    if (!isEngineRequest(message)) {
      const id = typeof (message as { requestId?: unknown })?.requestId === 'number' ? (message as { requestId: number }).requestId : -1;
      post({ type: 'error', requestId: id, error: { name: 'ProtocolError', message: 'not an engine request', code: 'protocol' } });
      return;
    }
    try {
      if (message.type === 'snapshot') startSnapshot(message);
      else post({ type: 'success', requestId: message.requestId, result: answer(message) });
    } catch (e) {
      fail(message.requestId, e);
    }
  };
}

