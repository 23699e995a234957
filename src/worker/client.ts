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
//    worker's raw text;
//  - a snapshot (protocol BACKGROUND) is not queued: it is posted at once
//    and the worker makes it in slices between the other requests, so an
//    edit never waits for a 50,000-rule case text. It has no time budget
//    (the requests between its slices have theirs); after a restart it is
//    posted again behind the labs' journals.
// The engine keeps the last walk for `explain` and `inspect`; after a restart
// the client runs that walk again before the next request, so explanations
// and step inspections survive.

import type { RuleExplanation, WalkLog, WalkStep } from '../engine/walk-log';
import type { TableName } from '../engine/netfilter/hooks';
import type { Case, CaseStep } from '../engine/scenario/case';
import { EngineFailure, failureOf, type EngineFailureKind } from './failure';
import {
  BACKGROUND,
  errorCode,
  isEngineResponse,
  LOG_SLICE,
  type ChainPage,
  type CheckResult,
  type EditMode,
  type EditResult,
  type EngineRequest,
  type ExportKind,
  type ExportResult,
  type ExtensionCatalog,
  type HostConfigView,
  type OpenResult,
  type ScalingPoint,
  type SendResult,
  type SerializedCase,
  type StepInspection,
  type UndoResult,
  type QueryResult,
  type ChallengeCheckResult,
  type ChallengeStage,
  type ChallengeSummary,
  type ChallengeView,
} from './protocol';
import type { Text } from '../course/types';

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

/** A walk as the page holds it: its id for later requests and the whole log. */
export type WalkResult = { ok: true; walk: number; version: number; log: WalkLog } | { ok: false; errors: string[] };

export interface EditOptions extends CallOptions {
  /** walk the edited lab in the same request (the traffic as `send` takes it): one round trip from edit to walk */
  walk?: { traffic: CaseStep[] | null } | undefined;
}

/** An edit's answer; `walk`: the walk asked for with it, when the edit was made. */
export type EditWalkResult = (Exclude<Extract<EditResult, { ok: true }>, { read: unknown }> & { walk?: WalkResult }) | Extract<EditResult, { ok: false }>;

/** A console line that only read: what it prints; nothing changed. */
export type ReadAnswer = Extract<EditResult, { read: unknown }>;

export interface EngineClient {
  /** keep a case open in the worker as a lab: the returned id names it in every later request */
  open(caseJson: Case, opts?: CallOptions): Promise<OpenResult & { lab: number }>;
  /** the whole case changed (a file, a link, hosts or links edited): one undoable version */
  replace(lab: number, caseJson: Case, opts?: CallOptions): Promise<OpenResult>;
  /** console commands, restore text or ip show output on one host, as one undoable version; with `opts.walk`, and the walk after it */
  edit(lab: number, host: string, texts: string[], mode: EditMode, opts?: EditOptions): Promise<EditWalkResult>;
  /**
   * one console line: answered as of step `at.asOf` of walk `at.walk` (null: none) if it only reads,
   * else made as `edit` makes it — one round trip either way
   */
  line(lab: number, host: string, text: string, at: { walk: number | null; asOf: number }, opts?: EditOptions): Promise<EditWalkResult | ReadAnswer>;
  undo(lab: number, opts?: CallOptions): Promise<UndoResult>;
  redo(lab: number, opts?: CallOptions): Promise<UndoResult>;
  /** set the traffic (null: as it is; keep: added to it) and walk it; the whole log, fetched a page at a time */
  send(lab: number, traffic: CaseStep[] | null, keep: boolean, opts?: CallOptions): Promise<WalkResult>;
  explain(lab: number, walk: number, step: number, opts?: CallOptions): Promise<RuleExplanation[]>;
  /** the packet at step `step` of `walk` layer by layer, before and after, and the host's tables as of the step; null: the walk has no such step */
  inspect(lab: number, walk: number, step: number, opts?: CallOptions): Promise<StepInspection | null>;
  /** rules `from`… of a chain, with counters as of step `asOf` of `walk` */
  chain(lab: number, walk: number | null, host: string, table: TableName, chain: string, asOf: number, from: number, count: number, opts?: CallOptions): Promise<ChainPage | null>;
  hostView(lab: number, host: string, opts?: CallOptions): Promise<HostConfigView | null>;
  /** a console line answered without changing anything (a read-only command as of step `asOf`), or `{edit: true}`; `complete`: Tab's lines */
  query(lab: number, walk: number | null, asOf: number, host: string, text: string, complete?: boolean, opts?: CallOptions): Promise<QueryResult>;
  /** the match and target extensions the engine models, with their options (the rule form's choices) */
  extensions(opts?: CallOptions): Promise<ExtensionCatalog>;
  /** the lab as a case file, with `steps` as its traffic when given, and its JSON text and fingerprint */
  snapshot(lab: number, steps: CaseStep[] | null, opts?: CallOptions): Promise<SerializedCase>;
  export(lab: number, host: string | null, what: ExportKind, opts?: CallOptions): Promise<ExportResult>;
  /** the edits, undos and redos the lab took after `version`, as a lab opened at that version would take them again (null: it cannot) */
  changesSince(lab: number, version: number): LabChange[] | null;
  /** would the engine accept this case? */
  check(caseJson: Case, opts?: CallOptions): Promise<CheckResult>;
  close(lab: number): Promise<void>;
  /** rules examined per new connection to the last of N Services, kube-proxy iptables vs IPVS mode */
  kubeScaling(sizes: number[], opts?: CallOptions): Promise<ScalingPoint[]>;
  /** the course's challenges in order */
  course(opts?: CallOptions): Promise<ChallengeSummary[]>;
  /** a challenge's page for a seed (null: no such challenge) */
  challenge(id: string, seed: number, opts?: CallOptions): Promise<ChallengeView | null>;
  /** the challenge's goals read off `walk` of `lab`, a walk of the challenge's probes */
  checkChallenge(lab: number, walk: number, id: string, seed: number, used: { commands: number; answer: string | null }, opts?: CallOptions): Promise<ChallengeCheckResult>;
  /** hint `n` or the reference solution (null: there is none) */
  reveal(id: string, seed: number, what: 'hint' | 'solution', n: number, opts?: CallOptions): Promise<Text | null>;
  /** presenter mode: the reference solution's first `k` lines and the start with them applied (null: no such challenge) */
  challengeStage(id: string, seed: number, k: number, opts?: CallOptions): Promise<ChallengeStage | null>;
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
  if (request.type === 'edit') return BUDGET_MS + Math.ceil(request.texts.reduce((n, t) => n + t.length, 0) / 100);
  // a case opened whole runs its setup: a 50,000-rule dump takes a second or two, the budget ten times that
  if (request.type === 'open' || request.type === 'replace' || request.type === 'check') return BUDGET_MS + Math.ceil(caseSize(request.case) / 100);
  return BUDGET_MS;
}

/** The setup text of a case, roughly, in characters: what opening it costs. */
function caseSize(c: Case): number {
  let n = 0;
  for (const h of c.hosts) for (const cmd of h.setup ?? []) n += typeof cmd === 'string' ? cmd.length : cmd['iptables-restore'].length;
  return n;
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
  /** a request of a lab's journal sent again after a restart: its answer is not awaited */
  replay: boolean;
  /** made by the worker between the others (protocol BACKGROUND): posted at once, never the `current` one */
  background: boolean;
  detach: () => void;
}

const realClock = {
  now: () => (typeof performance !== 'undefined' ? performance.now() : Date.now()),
  setTimeout: (f: () => void, ms: number) => setTimeout(f, ms),
  clearTimeout: (t: unknown) => clearTimeout(t as ReturnType<typeof setTimeout>),
};

/** The TRACE lines of a log, which are its rule steps' own (the worker does not copy them twice). */
function withTrace(log: WalkLog, steps: WalkStep[]): WalkLog {
  const traceLog: WalkLog['traceLog'] = [];
  for (const s of steps) if (s.kind === 'rule') traceLog.push({ host: s.host, packet: s.packet, line: s.trace });
  return { ...log, steps, traceLog };
}

/**
 * What changed a lab, in order, as the worker accepted it: after a restart
 * (the worker stopped, timed out or crashed) the new worker is given the
 * same requests again, so the lab, its version and its last walk are there
 * as they were.
 */
interface Journal {
  entries: Body[];
  /** the lab's version after each entry: what `changesSince` counts from */
  versions: number[];
}

/** A change of a lab as the page asked for it: what a lab opened at an earlier version is given to catch up. */
export type LabChange = { type: 'edit'; host: string; texts: string[]; mode: EditMode } | { type: 'undo' } | { type: 'redo' };

/**
 * The changes of a journal after `version`, or null when they cannot bring
 * a lab opened at that version up to date: the whole case replaced, or an
 * undo (redo) back (forward) past what those changes made themselves.
 */
function changesAfter(j: Journal, version: number): LabChange[] | null {
  const out: LabChange[] = [];
  let past = 0;
  let future = 0;
  for (let k = 0; k < j.entries.length; k++) {
    const e = j.entries[k]!;
    if (j.versions[k]! <= version || e.type === 'send') continue;
    if (e.type === 'edit') {
      out.push({ type: 'edit', host: e.host, texts: e.texts, mode: e.mode });
      past++;
      future = 0;
    } else if (e.type === 'undo' && past > 0) {
      out.push({ type: 'undo' });
      past--;
      future++;
    } else if (e.type === 'redo' && future > 0) {
      out.push({ type: 'redo' });
      past++;
      future--;
    } else return null;
  }
  return out;
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
  /** background requests in the worker, by id */
  const background = new Map<number, Job>();
  /** background requests to post once the labs' journals are replayed */
  let held: Job[] = [];
  let timer: unknown = undefined;
  const journals = new Map<number, Journal>();
  /** requests to send again before anything else, after a restart */
  let replays: Body[] = [];
  let nextLab = 1;
  let nextWalk = 1;
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
    replays = [...journals.values()].flatMap((j) => j.entries);
    // what the stopped worker was making in the background, the new one makes once the labs are back
    held = [...background.values(), ...held];
    background.clear();
    attach();
    options.onRestart?.({ reason, request: job?.body.type ?? 'send', ms: job ? Math.round(clock.now() - job.started) : 0 });
  }

  function settle(job: Job): void {
    if (current === job) {
      clock.clearTimeout(timer);
      current = null;
    }
    background.delete(job.id);
    job.detach();
  }

  /** Keep what changed a lab, so a new worker can be given it again. */
  function record(body: Body, result: unknown): void {
    const ok = (result as { ok?: boolean } | null)?.ok;
    const version = (result as { version?: number } | null)?.version ?? 0;
    const j = 'lab' in body ? journals.get(body.lab) : undefined;
    const add = (b: Body, v: number) => {
      j?.entries.push(b);
      j?.versions.push(v);
    };
    switch (body.type) {
      case 'open':
        if (ok) journals.set(body.lab, { entries: [body], versions: [version] });
        return;
      case 'close':
        journals.delete(body.lab);
        return;
      case 'replace':
        if (ok) add(body, version);
        return;
      case 'edit': {
        // a line that only read changed nothing
        if (!ok || 'read' in (result as object)) return;
        // the walk that came with it is kept as the send it stands for, which a later send may replace
        const { walk, read: _read, ...edit } = body;
        add(edit, version);
        if (walk && (result as { sent?: SendResult }).sent?.ok) add({ type: 'send', lab: body.lab, walk: walk.walk, traffic: walk.traffic, keep: false }, version);
        return;
      }
      case 'undo':
      case 'redo':
        if ((result as UndoResult).moved) add(body, version);
        return;
      case 'send': {
        if (!ok || !j) return;
        // a send that replaces the traffic makes the sends since the last change pointless to repeat
        if (!body.keep)
          while (j.entries.length > 1 && j.entries[j.entries.length - 1]!.type === 'send') {
            j.entries.pop();
            j.versions.pop();
          }
        add(body, j.versions[j.versions.length - 1] ?? 0);
        return;
      }
    }
  }

  function onMessage(m: unknown): void {
    options.onResponse?.(m);
    if (!isEngineResponse(m)) return;
    const job = current && m.requestId === current.id ? current : background.get(m.requestId);
    if (!job) return;
    settle(job);
    crashes = 0;
    if (m.type === 'success') {
      if (!job.replay) record(job.body, m.result);
      if (!job.orphaned) job.resolve(m.result);
    } else {
      const f = failureOf(m.error);
      // a lab the new worker could not be given again is forgotten: its later requests fail as gone
      if (job.replay && 'lab' in job.body) journals.delete(job.body.lab);
      // the raw text stays available to whoever debugs it, never on the screen
      if (f.kind !== 'protocol' && f.kind !== 'cancelled') console.warn(`engine ${job.body.type} failed: ${f.detail}`);
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
      const waiting = [...queue.splice(0), ...background.values(), ...held];
      background.clear();
      held = [];
      for (const j of waiting) j.reject(new EngineFailure('crashed', message));
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

  /** Post a request the worker makes between the others. */
  function postBackground(job: Job): void {
    background.set(job.id, job);
    job.started = clock.now();
    try {
      endpoint.postMessage({ ...job.body, requestId: job.id } as EngineRequest);
    } catch (e) {
      settle(job);
      const err = e instanceof Error ? e : new Error(String(e));
      job.reject(new EngineFailure(errorCode(err), `${err.name}: ${err.message}`));
    }
  }

  function pump(): void {
    if (dead) return;
    // background requests wait only for the journals' replay: they must find the labs as they were
    if (!replays.length && !current?.replay && held.length) for (const j of held.splice(0)) postBackground(j);
    if (current) return;
    const replay = replays.shift();
    let job: Job | undefined;
    if (replay) {
      job = makeJob(replay, {}, () => undefined, () => undefined);
      job.replay = true;
    } else job = queue.shift();
    if (!job) return;
    current = job;
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
    if (job.background) {
      // the worker finishes it or drops it at the lab's next change; its answer is not awaited
      const h = held.indexOf(job);
      if (h >= 0) held.splice(h, 1);
      settle(job);
      job.reject(new EngineFailure('cancelled'));
      return;
    }
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
    const bg = BACKGROUND.has(body.type);
    return { id: next++, body, resolve, reject, supersede: opts.supersede, budget: bg ? 0 : budgetOf(body), started: 0, orphaned: false, replay: false, background: bg, detach: () => undefined };
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
      if (job.background) {
        held.push(job);
        pump();
        return;
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

  /** The whole log of a walk: the first page came with the answer, the rest a page at a time. */
  async function wholeWalk(lab: number, walk: number, r: SendResult, signal: AbortSignal | undefined): Promise<WalkResult> {
    if (!r.ok) return r;
    const steps = r.log.steps;
    while (steps.length < r.totalSteps) {
      const page = await call<WalkStep[]>({ type: 'events', lab, walk, from: steps.length, count: LOG_SLICE }, { signal });
      if (!page.length) break;
      for (const s of page) steps.push(s);
    }
    return { ok: true, walk, version: r.version, log: withTrace(r.log, steps) };
  }

  async function send(lab: number, traffic: CaseStep[] | null, keep: boolean, opts: CallOptions = {}): Promise<WalkResult> {
    const walk = nextWalk++;
    return wholeWalk(lab, walk, await call<SendResult>({ type: 'send', lab, walk, traffic, keep }, opts), opts.signal);
  }

  function edit(lab: number, host: string, texts: string[], mode: EditMode, opts: EditOptions = {}): Promise<EditWalkResult> {
    return editOrRead(lab, host, texts, mode, opts) as Promise<EditWalkResult>;
  }

  async function editOrRead(lab: number, host: string, texts: string[], mode: EditMode, opts: EditOptions, at?: { walk: number | null; asOf: number }): Promise<EditWalkResult | ReadAnswer> {
    const walk = opts.walk ? { walk: nextWalk++, traffic: opts.walk.traffic } : undefined;
    const now = Date.now();
    const read = at ? { ...at, now, tzOffset: -new Date(now).getTimezoneOffset() } : undefined;
    const r = await call<EditResult>({ type: 'edit', lab, host, texts, mode, ...(walk ? { walk } : {}), ...(read ? { read } : {}) }, opts);
    if (!r.ok || 'read' in r || !walk || !r.sent) return r;
    const { sent, ...made } = r;
    return { ...made, walk: await wholeWalk(lab, walk.walk, sent, opts.signal) };
  }

  attach();
  return {
    open: async (caseJson, opts) => {
      const lab = nextLab++;
      const r = await call<OpenResult>({ type: 'open', lab, case: caseJson }, opts);
      return { ...r, lab };
    },
    replace: (lab, caseJson, opts) => call<OpenResult>({ type: 'replace', lab, case: caseJson }, opts),
    edit,
    line: (lab, host, text, at, opts = {}) => editOrRead(lab, host, [text], 'command', opts, at),
    undo: (lab, opts) => call<UndoResult>({ type: 'undo', lab }, opts),
    redo: (lab, opts) => call<UndoResult>({ type: 'redo', lab }, opts),
    send,
    explain: (lab, walk, step, opts) => call<RuleExplanation[]>({ type: 'explain', lab, walk, step }, opts),
    inspect: (lab, walk, step, opts) => call<StepInspection | null>({ type: 'inspect', lab, walk, step }, opts),
    chain: (lab, walk, host, table, chain, asOf, from, count, opts) => call<ChainPage | null>({ type: 'chain', lab, walk, host, table, chain, asOf, from, count }, opts),
    hostView: (lab, host, opts) => call<HostConfigView | null>({ type: 'host-view', lab, host }, opts),
    query: (lab, walk, asOf, host, text, complete = false, opts) => {
      const now = Date.now();
      return call<QueryResult>({ type: 'query', lab, walk, asOf, host, text, complete, now, tzOffset: -new Date(now).getTimezoneOffset() }, opts);
    },
    extensions: (opts) => call<ExtensionCatalog>({ type: 'extensions' }, opts),
    snapshot: (lab, steps, opts) => call<SerializedCase>({ type: 'snapshot', lab, steps }, opts),
    export: (lab, host, what, opts) => call<ExportResult>({ type: 'export', lab, host, what }, opts),
    check: (caseJson, opts) => call<CheckResult>({ type: 'check', case: caseJson }, opts),
    close: async (lab) => {
      await call<null>({ type: 'close', lab });
    },
    kubeScaling: (sizes, opts) => call<ScalingPoint[]>({ type: 'kube-scaling', sizes }, opts),
    course: (opts) => call<ChallengeSummary[]>({ type: 'course' }, opts),
    challenge: (id, seed, opts) => call<ChallengeView | null>({ type: 'challenge', id, seed }, opts),
    checkChallenge: (lab, walk, id, seed, used, opts) => call<ChallengeCheckResult>({ type: 'challenge-check', lab, walk, id, seed, commands: used.commands, answer: used.answer }, opts),
    reveal: (id, seed, what, n, opts) => call<Text | null>({ type: 'challenge-reveal', id, seed, what, n }, opts),
    challengeStage: (id, seed, k, opts) => call<ChallengeStage | null>({ type: 'challenge-stage', id, seed, k }, opts),
    changesSince: (lab, version) => {
      const j = journals.get(lab);
      return j ? changesAfter(j, version) : null;
    },
    dispose: () => {
      dead = true;
      const waiting = [...(current ? [current] : []), ...queue.splice(0), ...background.values(), ...held.splice(0)];
      background.clear();
      if (current) settle(current);
      if (hasTerminate(endpoint)) endpoint.terminate();
      for (const j of waiting) if (!j.orphaned) j.reject(new EngineFailure('cancelled'));
    },
  };
}
