// pattern: Imperative Shell
// The page side of the protocol: a promise per request over any
// postMessage-shaped endpoint (a Worker in the app, the server directly in
// tests), with the control the page needs over a worker it cannot interrupt:
//
//  - one request is in the worker at a time; the rest wait here, so a
//    waiting request can be dropped without the worker ever seeing it;
//  - every request can be cancelled (an AbortSignal); cancelling the one
//    that runs stops the worker and starts a fresh one, since JavaScript
//    cannot interrupt the engine's loop from outside;
//  - a request with a `supersede` key replaces the waiting ones with the
//    same key (the newest walk is the only one anybody looks at); one
//    already running is left to finish if it is young, stopped if not;
//  - a request that `preempt`s a key (an edit, the walk) goes first: the
//    running walk is stopped and queued again behind it;
//  - a watchdog stops a worker that runs one request past its time budget
//    and starts another, so one endless walk never blocks the edits behind
//    it; the request fails with EngineFailure('timeout') and the others go on;
//  - errors come back as EngineFailure with a fixed sentence, never the
//    worker's raw text.
// The engine keeps the last walk for `explain`; after a restart the client
// runs that walk again before the next explain, so explanations survive.

import type { RuleExplanation, WalkLog, WalkStep } from '../engine/walk-log';
import { EngineFailure, failureOf, type EngineFailureKind } from './failure';
import { errorCode, isEngineResponse, type SlicedField, type EditMode, type EditResult, type EngineRequest, type ExportKind, type ExportResult, type ScalingPoint, type SimulateResult } from './protocol';

/** Where requests go: a Worker, or the server itself in tests. */
export interface Endpoint {
  postMessage(message: EngineRequest): void;
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
}

/** A real worker: it can die, and it can be stopped. */
export interface WorkerEndpoint extends Endpoint {
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
  addEventListener(type: 'error', listener: (e: { message?: string }) => void): void;
  terminate(): void;
}

export interface CallOptions {
  /** abort to drop the request (waiting) or stop the worker running it */
  signal?: AbortSignal | undefined;
  /** a newer request with the same key replaces this one */
  supersede?: string | undefined;
  /**
   * This request goes first: a running request with this supersede key is
   * stopped (if it has run a while) and queued again behind this one. An
   * edit preempts the walk, which the edit will replace anyway — and if the
   * edit is refused, the walk simply runs again.
   */
  preempt?: string | undefined;
}

export interface EngineClient {
  simulate(scenario: unknown, opts?: CallOptions): Promise<SimulateResult>;
  explain(step: number, opts?: CallOptions): Promise<RuleExplanation[]>;
  /** apply a console command, restore text or ip show output to one host: the new canonical scenario, or the diagnostics */
  edit(scenario: unknown, host: string, text: string, mode: EditMode, opts?: CallOptions): Promise<EditResult>;
  export(scenario: unknown, host: string | null, what: ExportKind, opts?: CallOptions): Promise<ExportResult>;
  /** rules examined per new connection to the last of N Services, kube-proxy iptables vs IPVS mode */
  kubeScaling(sizes: number[], opts?: CallOptions): Promise<ScalingPoint[]>;
}

/** A client that owns its worker: `dispose` stops it and fails whatever still waits. */
export interface OwnedEngineClient extends EngineClient {
  dispose(): void;
}

/** Something the page should tell the user about: the worker was stopped and a fresh one started. */
export interface EngineRestart {
  reason: Extract<EngineFailureKind, 'timeout' | 'crashed' | 'cancelled'>;
  /** the request that was running */
  request: EngineRequest['type'];
  /** how long it had run, ms */
  ms: number;
}

type Body = EngineRequest extends infer R ? (R extends { requestId: number } ? Omit<R, 'requestId'> : never) : never;

export interface ClientOptions {
  /** ms one request may run before its worker is stopped; 0: no limit. Default: budgetFor. */
  budgetMs?: (request: Body) => number;
  onRestart?: (restart: EngineRestart) => void;
  /** every message of the worker, as it arrives (the e2e build's test hook measures the walk's transfer with it) */
  onResponse?: (message: unknown) => void;
  /** a running superseded request younger than this is left to finish (starting a worker costs more) */
  supersedeRestartMs?: number;
  /** timers, for tests */
  clock?: { now(): number; setTimeout(f: () => void, ms: number): unknown; clearTimeout(t: unknown): void };
}

/** What the page allows one request before it stops the worker. */
export const BUDGET_MS = 10_000;

/**
 * The time budget of a request. An import is allowed more in proportion to
 * its text (a 50,000-line kube-proxy dump, 4 MB, is loaded in a few seconds
 * on a laptop; the budget leaves it ten times that). Measuring 10,000
 * kube-proxy Services takes tens of seconds by design and runs in the
 * comparison's own worker, which closing the view stops: no limit.
 */
export function budgetFor(request: Body): number {
  if (request.type === 'kube-scaling') return 0;
  if (request.type === 'edit') return BUDGET_MS + Math.ceil(request.text.length / 100);
  return BUDGET_MS;
}

/** A worker that dies this many times in a row without answering anything is not started again. */
const MAX_CRASHES_IN_A_ROW = 3;

interface Job {
  id: number;
  body: Body;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  supersede: string | undefined;
  budget: number;
  started: number;
  /** the caller no longer waits for it; its answer is dropped */
  orphaned: boolean;
  /** a walk run again after a restart so that explain has it */
  replay: boolean;
  detach: () => void;
  /** slices of the walk log's long arrays received so far (protocol.ts `part`) */
  parts?: Partial<Record<SlicedField, unknown[]>>;
}

const realClock = {
  now: () => (typeof performance !== 'undefined' ? performance.now() : Date.now()),
  setTimeout: (f: () => void, ms: number) => setTimeout(f, ms),
  clearTimeout: (t: unknown) => clearTimeout(t as ReturnType<typeof setTimeout>),
};

/** The walk log with the slices that came ahead of it put back in place, and its TRACE lines taken from the rule steps. */
function withParts(result: unknown, parts: Partial<Record<SlicedField, unknown[]>>): unknown {
  const r = result as SimulateResult;
  if (!r.ok || !parts.steps) return result;
  const steps = parts.steps as WalkStep[];
  const traceLog: WalkLog['traceLog'] = [];
  for (const s of steps) if (s.kind === 'rule') traceLog.push({ host: s.host, packet: s.packet, line: s.trace });
  return { ...r, log: { ...r.log, steps, traceLog } };
}

const isWorker = (e: Endpoint): e is WorkerEndpoint => typeof (e as Partial<WorkerEndpoint>).terminate === 'function';

/**
 * @example
 * const client = createEngineClient(() => new Worker(url, { type: 'module' }), { onRestart: tellUser });
 * const walk = await client.simulate(scenario, { supersede: 'walk' });
 */
export function createEngineClient(source: Endpoint | (() => Endpoint), options: ClientOptions = {}): OwnedEngineClient {
  const spawn = typeof source === 'function' ? source : () => source;
  // an endpoint handed in is used as it is: it cannot be replaced, so it is never stopped
  const owned = typeof source === 'function';
  const hasTerminate = (e: Endpoint): e is WorkerEndpoint => owned && isWorker(e);
  const clock = options.clock ?? realClock;
  const budgetOf = options.budgetMs ?? budgetFor;
  const supersedeRestartMs = options.supersedeRestartMs ?? 250;
  let next = 1;
  let generation = 0;
  let endpoint: Endpoint;
  const queue: Job[] = [];
  let current: Job | null = null;
  let timer: unknown = undefined;
  /** the last walk the worker answered: what its explain requests are about */
  let lastWalk: Body | null = null;
  /** a restart lost the worker's last walk */
  let stale = false;
  let crashes = 0;
  let dead = false;

  function attach(): void {
    const gen = ++generation;
    endpoint = spawn();
    endpoint.addEventListener('message', (e) => gen === generation && onMessage(e.data));
    if (isWorker(endpoint)) endpoint.addEventListener('error', (e) => gen === generation && onCrash(e.message ?? ''));
  }

  function restart(reason: EngineRestart['reason'], job: Job | null): void {
    if (hasTerminate(endpoint)) endpoint.terminate();
    if (lastWalk) stale = true;
    attach();
    options.onRestart?.({ reason, request: job?.body.type ?? 'simulate', ms: job ? Math.round(clock.now() - job.started) : 0 });
  }

  function settle(job: Job): void {
    if (current === job) {
      clock.clearTimeout(timer);
      current = null;
    }
    job.detach();
  }

  function onMessage(m: unknown): void {
    options.onResponse?.(m);
    if (!isEngineResponse(m) || !current || m.requestId !== current.id) return;
    const job = current;
    if (m.type === 'part') {
      const parts = (job.parts ??= {});
      const into = (parts[m.field] ??= []);
      for (const item of m.items) into.push(item);
      return;
    }
    settle(job);
    crashes = 0;
    if (m.type === 'success') {
      if (job.body.type === 'simulate') {
        lastWalk = job.body;
        stale = false;
      }
      if (!job.orphaned) job.resolve(job.parts ? withParts(m.result, job.parts) : m.result);
    } else {
      if (job.replay) {
        lastWalk = null;
        stale = false;
      }
      const f = failureOf(m.error);
      // the raw text stays available to whoever debugs it, never on the screen
      if (f.kind !== 'protocol') console.warn(`engine ${job.body.type} failed: ${f.detail}`);
      if (!job.orphaned) job.reject(f);
    }
    pump();
  }

  function onCrash(message: string): void {
    const job = current;
    if (job) settle(job);
    crashes++;
    if (crashes >= MAX_CRASHES_IN_A_ROW) {
      dead = true;
      job?.reject(new EngineFailure('crashed', message));
      for (const j of queue.splice(0)) j.reject(new EngineFailure('crashed', message));
      return;
    }
    restart('crashed', job);
    if (job && !job.orphaned) job.reject(new EngineFailure('crashed', message));
    pump();
  }

  function onTimeout(job: Job): void {
    if (current !== job) return;
    settle(job);
    restart('timeout', job);
    if (!job.orphaned) job.reject(new EngineFailure('timeout', `${job.body.type} ran ${job.budget} ms`, job.budget / 1000));
    pump();
  }

  function pump(): void {
    if (current || dead) return;
    let job = queue.shift();
    if (!job) return;
    if (job.body.type === 'explain' && stale && lastWalk) {
      queue.unshift(job);
      job = makeJob(lastWalk, {}, () => undefined, () => undefined);
      job.replay = true;
    }
    current = job;
    // a job run again (after a restart) collects its slices afresh
    job.parts = undefined;
    job.started = clock.now();
    if (job.budget > 0) {
      const running = job;
      timer = clock.setTimeout(() => onTimeout(running), job.budget);
    }
    try {
      endpoint.postMessage({ ...job.body, requestId: job.id } as EngineRequest);
    } catch (e) {
      // the request could not be copied to the worker (too large, not cloneable)
      settle(job);
      const err = e instanceof Error ? e : new Error(String(e));
      job.reject(new EngineFailure(errorCode(err), `${err.name}: ${err.message}`));
      pump();
    }
  }

  function cancel(job: Job): void {
    const i = queue.indexOf(job);
    if (i >= 0) {
      queue.splice(i, 1);
      job.detach();
      job.reject(new EngineFailure('cancelled'));
      return;
    }
    if (current !== job) return;
    settle(job);
    restart('cancelled', job);
    job.reject(new EngineFailure('cancelled'));
    pump();
  }

  function makeJob(body: Body, opts: CallOptions, resolve: (v: unknown) => void, reject: (e: Error) => void): Job {
    return { id: next++, body, resolve, reject, supersede: opts.supersede, budget: budgetOf(body), started: 0, orphaned: false, replay: false, detach: () => undefined };
  }

  function call<T>(body: Body, opts: CallOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (dead) {
        reject(new EngineFailure('crashed', 'the engine worker failed to start repeatedly'));
        return;
      }
      if (opts.signal?.aborted) {
        reject(new EngineFailure('cancelled'));
        return;
      }
      const job = makeJob(body, opts, resolve as (v: unknown) => void, reject);
      if (opts.signal) {
        const signal = opts.signal;
        const onAbort = () => cancel(job);
        signal.addEventListener('abort', onAbort);
        job.detach = () => signal.removeEventListener('abort', onAbort);
      }
      if (opts.supersede !== undefined) {
        for (const old of queue.filter((j) => j.supersede === opts.supersede)) cancel(old);
        if (current && current.supersede === opts.supersede && !current.orphaned) {
          const old = current;
          const age = clock.now() - old.started;
          if (age >= supersedeRestartMs) cancel(old);
          else {
            // young: let the worker finish it (cheaper than a new worker) and drop its answer,
            // unless it is still running when it stops being young
            old.orphaned = true;
            old.detach();
            old.reject(new EngineFailure('cancelled'));
            clock.setTimeout(() => {
              if (current !== old) return;
              settle(old);
              restart('cancelled', old);
              pump();
            }, supersedeRestartMs - age);
          }
        }
      }
      const running = current;
      if (opts.preempt !== undefined && running && running.supersede === opts.preempt && !running.orphaned && clock.now() - running.started >= supersedeRestartMs) {
        settle(running);
        restart('cancelled', running);
        // the same job under a new id: an answer of the stopped worker can never be taken for it
        running.id = next++;
        queue.unshift(job, running);
      } else if (opts.preempt !== undefined) {
        const at = queue.findIndex((j) => j.supersede === opts.preempt);
        queue.splice(at < 0 ? queue.length : at, 0, job);
      } else queue.push(job);
      pump();
    });
  }

  attach();
  return {
    simulate: (scenario, opts) => call<SimulateResult>({ type: 'simulate', scenario }, opts),
    explain: (step, opts) => call<RuleExplanation[]>({ type: 'explain', step }, opts),
    edit: (scenario, host, text, mode, opts) => call<EditResult>({ type: 'edit', scenario, host, text, mode }, opts),
    export: (scenario, host, what, opts) => call<ExportResult>({ type: 'export', scenario, host, what }, opts),
    kubeScaling: (sizes, opts) => call<ScalingPoint[]>({ type: 'kube-scaling', sizes }, opts),
    dispose: () => {
      dead = true;
      const waiting = [...(current ? [current] : []), ...queue.splice(0)];
      if (current) settle(current);
      if (hasTerminate(endpoint)) endpoint.terminate();
      for (const j of waiting) if (!j.orphaned) j.reject(new EngineFailure('cancelled'));
    },
  };
}
