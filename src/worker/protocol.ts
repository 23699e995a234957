// pattern: Functional Core
// The one typed protocol between the page and the engine worker. The worker
// owns the labs (engine/lab): the page opens a case once, then sends edits,
// traffic and view requests naming the lab, and gets back versions, walk
// logs and typed views — never the whole scenario on every change. Every
// request carries a requestId; every response is success or error for that
// id. Lab and walk ids are chosen by the page, so that after a worker
// restart the page can open the same lab again under the same ids.

import type { RuleExplanation, WalkLog, WalkStep } from '../engine/walk-log';
import type { EditChange, EditMode, ExportKind } from '../engine/lab/lab';
import type { PositionedDiagnostic } from '../engine/edit/scenario-edit';
import type { ChainPage, HostConfigView } from '../engine/lab/views';
import type { ExtensionCatalog, ExtensionDescription } from '../engine/iptables/catalog';
import type { TableName } from '../engine/netfilter/hooks';
import type { ScalingPoint } from '../scenarios/kube-proxy-scaling';
import type { QueryOutput } from '../engine/lab/readonly';
import type { NetToolsTranslation } from '../engine/net/net-tools-write';
import type { StepInspection } from '../engine/lab/inspect';
import type { SerializedCase } from '../share/fingerprint';
import type { Case, CaseStep } from '../engine/scenario/case';
import type { ChallengeCheck, ChallengeSummary, ChallengeView } from '../course/view';
import type { Text } from '../course/types';
import type { ChallengeStage } from '../course/stage';

export type { QueryOutput, StepInspection, NetToolsTranslation };
export type { ChallengeCheck, ChallengeStage, ChallengeSummary, ChallengeView };
export type { EditMode, ExportKind, PositionedDiagnostic, ScalingPoint, ChainPage, HostConfigView, EditChange, SerializedCase, ExtensionCatalog, ExtensionDescription };

/** The moment a read-only console line is answered as of: the page's walk (null: none) and step, and the page's clock. */
export interface ReadMoment {
  walk: number | null;
  asOf: number;
  now: number;
  tzOffset: number;
}

export type EngineRequest =
  /** read a case and keep it as lab `lab` (its setup runs once, here); the engine's reader checks it on arrival */
  | { type: 'open'; requestId: number; lab: number; case: Case }
  /** the whole case changed (hosts, links, listeners, a file or link loaded): one undoable version */
  | { type: 'replace'; requestId: number; lab: number; case: Case }
  /**
   * commands, an iptables-restore text or `ip … show` output, on one host, as
   * one undoable version; the first refusal changes nothing. With `walk`,
   * the edited lab is walked at once as `send` would (walk id, traffic, not
   * kept): the page paints the new walk from this one answer. With `read`
   * (one console line), a line that only reads is answered as `query` would
   * answer it, as of that moment, and nothing changes: the console needs no
   * round trip to ask first.
   */
  | { type: 'edit'; requestId: number; lab: number; host: string; texts: string[]; mode: EditMode; walk?: { walk: number; traffic: CaseStep[] | null }; read?: ReadMoment }
  | { type: 'undo'; requestId: number; lab: number }
  | { type: 'redo'; requestId: number; lab: number }
  /** set the traffic (null: keep it; `keep`: add to it, so state carries over) and walk it as walk `walk` */
  | { type: 'send'; requestId: number; lab: number; walk: number; traffic: CaseStep[] | null; keep: boolean }
  /** steps `from`… of a walk's log, `count` of them at most */
  | { type: 'events'; requestId: number; lab: number; walk: number; from: number; count: number }
  /** why each rule before a rule step's rule did not match */
  | { type: 'explain'; requestId: number; lab: number; walk: number; step: number }
  /** the packet at one step of a walk, layer by layer before and after, and conntrack, IPVS and neighbours as of that step (null: no such step) */
  | { type: 'inspect'; requestId: number; lab: number; walk: number; step: number }
  /** a page of a chain's rules with counters as of step `asOf` of walk `walk` (null: no walk, counters zero) */
  | { type: 'chain'; requestId: number; lab: number; walk: number | null; host: string; table: TableName; chain: string; asOf: number; from: number; count: number }
  | { type: 'host-view'; requestId: number; lab: number; host: string }
  /**
   * a console line on `host`: printed as the tool prints it, as of step `asOf` of walk `walk`
   * (null: no walk) when it is a read-only command, else `{edit: true}`; never a version, undo
   * entry or new walk. `complete`: the lines Tab offers instead. `now`/`tzOffset`: the page's clock.
   */
  | { type: 'query'; requestId: number; lab: number; walk: number | null; asOf: number; host: string; text: string; complete: boolean; now: number; tzOffset: number }
  /** the match and target extensions with their options, for the rule form (the same for every lab) */
  | { type: 'extensions'; requestId: number }
  /**
   * the lab as a case file (canonical setup; `steps`: the page's traffic as
   * written) with its JSON text and fingerprint, for saving, sharing,
   * downloading. Made in slices, between which the worker answers whatever
   * else comes (an edit never waits for it); a change of the lab before it
   * is finished, or a newer snapshot, fails it as `cancelled`.
   */
  | { type: 'snapshot'; requestId: number; lab: number; steps: CaseStep[] | null }
  | { type: 'export'; requestId: number; lab: number; host: string | null; what: ExportKind }
  /** is this a case the engine accepts? (a lab-level change before it is made) */
  | { type: 'check'; requestId: number; case: Case }
  | { type: 'close'; requestId: number; lab: number }
  /** rules examined per new connection, kube-proxy iptables mode vs IPVS mode, for clusters of these sizes */
  | { type: 'kube-scaling'; requestId: number; sizes: number[] }
  /** the course's challenges in order (src/course/catalog.ts) */
  | { type: 'course'; requestId: number }
  /** one challenge's page for a seed, without its hints and solution (null: no such challenge) */
  | { type: 'challenge'; requestId: number; id: string; seed: number }
  /**
   * the challenge's goals read off walk `walk` of lab `lab`, which the page
   * made of the challenge's probes (its start case's traffic); `commands`:
   * the edit commands the student ran, `answer`: a predict-the-path choice
   */
  | { type: 'challenge-check'; requestId: number; lab: number; walk: number; id: string; seed: number; commands: number; answer: string | null }
  /** hint `n` (0-based) or the reference solution, when the student asks for it (null: there is none) */
  | { type: 'challenge-reveal'; requestId: number; id: string; seed: number; what: 'hint' | 'solution'; n: number }
  /** presenter mode: the reference solution's first `k` lines and the start case with them applied (null: no such challenge) */
  | { type: 'challenge-stage'; requestId: number; id: string; seed: number; k: number };

export interface UndoState {
  /** the lab's version after the request; the page compares it with what it shows */
  version: number;
  canUndo: boolean;
  canRedo: boolean;
  /** how many versions undo and redo can go to */
  past: number;
  future: number;
}

export type OpenResult = ({ ok: true; hosts: string[] } & UndoState) | { ok: false; errors: string[] };

export type EditResult =
  /** `sent`: the walk asked for with the edit */
  | ({ ok: true; diagnostics: PositionedDiagnostic[]; changed: EditChange; skipped?: { line: number; reason: string }[]; sent?: SendResult; /** net-tools lines and the ip commands they became */ translated?: NetToolsTranslation[] } & UndoState)
  /** `index`: which of the texts was refused */
  | { ok: false; diagnostics: PositionedDiagnostic[]; index: number }
  /** asked with `read`: the line only reads, and this is what it prints; nothing changed */
  | { ok: true; read: QueryOutput };

export type UndoResult = { moved: boolean } & UndoState;

export type SendResult =
  /**
   * `log.steps` holds the first LOG_SLICE steps and `log.traceLog` is empty
   * (its lines are the rule steps' `trace`); `totalSteps` says how many
   * there are, the rest come by `events` requests
   */
  | { ok: true; walk: number; version: number; log: WalkLog; totalSteps: number }
  /** the traffic was refused: messages name the step and field */
  | { ok: false; errors: string[] };

export type ExportResult = { ok: true; text: string } | { ok: false; diagnostics: PositionedDiagnostic[] };

export type CheckResult = { ok: true } | { ok: false; errors: string[] };

/** A challenge check: the verdicts, or why the walk named cannot be checked (it is not a walk of the probes). */
export type ChallengeCheckResult = ({ ok: true } & ChallengeCheck) | { ok: false; error: string };

export type QueryResult = ({ edit: false } & QueryOutput) | { edit: true } | { completions: string[] };

export type EngineResult = OpenResult | EditResult | UndoResult | SendResult | WalkStep[] | RuleExplanation[] | StepInspection | ChainPage | HostConfigView | ExtensionCatalog | SerializedCase | ExportResult | CheckResult | QueryResult | ScalingPoint[] | ChallengeSummary[] | ChallengeView | ChallengeCheckResult | ChallengeStage | Text | null;

/**
 * What went wrong in the worker, as the page may tell it: the raw message
 * (an 18-line stack, out-of-memory text from postMessage) is for the console,
 * never the screen. `gone`: the lab or walk named is not in this worker.
 * `cancelled`: a snapshot the lab's next change (or a newer snapshot) made
 * pointless before it was finished.
 */
export type EngineErrorCode = 'stack-overflow' | 'out-of-memory' | 'protocol' | 'internal' | 'gone' | 'cancelled';

export interface SerializedError {
  name: string;
  message: string;
  code?: EngineErrorCode;
}

/** Which kind of failure an error thrown inside the engine is (V8's wording, as Chromium and Node print it). */
export function errorCode(e: { name: string; message: string }): EngineErrorCode {
  if (e.name === 'RangeError' && /call stack/i.test(e.message)) return 'stack-overflow';
  if (/out of memory|allocation failed|Array buffer allocation|Invalid (string|array|typed array) length/i.test(e.message)) return 'out-of-memory';
  return 'internal';
}

/**
 * A walk log's steps travel in pages of this many: the page copies each
 * message out of the worker in one task, and 300,000 steps in one message
 * (the work budget's largest log) are a task of seconds that freezes the page.
 */
export const LOG_SLICE = 10_000;

/**
 * Requests the worker works on a slice at a time, answering the others
 * between its slices: the client posts them at once instead of queueing
 * them behind the one running, and they never hold up an edit or a walk.
 */
export const BACKGROUND: ReadonlySet<EngineRequest['type']> = new Set(['snapshot']);

export type EngineResponse = { type: 'success'; requestId: number; result: EngineResult } | { type: 'error'; requestId: number; error: SerializedError };

const EDIT_MODES = ['command', 'restore', 'restore-noflush', 'import-ip'];
const EXPORTS = ['iptables-save', 'ip-route', 'ip-route-all', 'ip-rule', 'setup', 'case'];
const TABLE_NAMES = ['raw', 'mangle', 'nat', 'filter', 'security'];

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= -1;

const isChallengeId = (v: unknown): v is string => typeof v === 'string' && /^[a-z0-9-]{1,64}$/.test(v);
const isSeed = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= 0xffffffff;

const isWalkAsked = (w: unknown): boolean => typeof w === 'object' && w !== null && isId((w as { walk?: unknown }).walk) && ((w as { traffic?: unknown }).traffic === null || Array.isArray((w as { traffic?: unknown }).traffic));
const isReadMoment = (v: unknown): boolean => {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (r.walk === null || isId(r.walk)) && isCount(r.asOf) && Number.isFinite(r.now) && Number.isFinite(r.tzOffset);
};

export function isEngineRequest(m: unknown): m is EngineRequest {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  if (typeof r.requestId !== 'number') return false;
  switch (r.type) {
    case 'open':
    case 'replace':
      return isId(r.lab) && 'case' in r;
    case 'check':
      return 'case' in r;
    case 'edit':
      return isId(r.lab) && typeof r.host === 'string' && Array.isArray(r.texts) && r.texts.every((t) => typeof t === 'string') && EDIT_MODES.includes(r.mode as string) && (r.walk === undefined || isWalkAsked(r.walk)) && (r.read === undefined || isReadMoment(r.read));
    case 'undo':
    case 'redo':
    case 'close':
      return isId(r.lab);
    case 'snapshot':
      return isId(r.lab) && (r.steps === null || Array.isArray(r.steps));
    case 'send':
      return isId(r.lab) && isId(r.walk) && (r.traffic === null || Array.isArray(r.traffic)) && typeof r.keep === 'boolean';
    case 'events':
      return isId(r.lab) && isId(r.walk) && isId(r.from) && isId(r.count);
    case 'explain':
    case 'inspect':
      return isId(r.lab) && isId(r.walk) && isId(r.step);
    case 'chain':
      return isId(r.lab) && (r.walk === null || isId(r.walk)) && typeof r.host === 'string' && TABLE_NAMES.includes(r.table as string) && typeof r.chain === 'string' && isCount(r.asOf) && isId(r.from) && isId(r.count);
    case 'host-view':
      return isId(r.lab) && typeof r.host === 'string';
    case 'query':
      return isId(r.lab) && (r.walk === null || isId(r.walk)) && isCount(r.asOf) && typeof r.host === 'string' && typeof r.text === 'string' && r.text.length <= 4096 && typeof r.complete === 'boolean' && Number.isFinite(r.now) && Number.isFinite(r.tzOffset);
    case 'extensions':
      return true;
    case 'export':
      return isId(r.lab) && (typeof r.host === 'string' || r.host === null) && EXPORTS.includes(r.what as string);
    case 'course':
      return true;
    case 'challenge':
      return isChallengeId(r.id) && isSeed(r.seed);
    case 'challenge-check':
      return isId(r.lab) && isId(r.walk) && isChallengeId(r.id) && isSeed(r.seed) && isId(r.commands) && (r.answer === null || (typeof r.answer === 'string' && r.answer.length <= 200));
    case 'challenge-reveal':
      return isChallengeId(r.id) && isSeed(r.seed) && (r.what === 'hint' || r.what === 'solution') && isId(r.n);
    case 'challenge-stage':
      return isChallengeId(r.id) && isSeed(r.seed) && isId(r.k) && r.k <= 10_000;
    case 'kube-scaling':
      return Array.isArray(r.sizes) && r.sizes.length <= 8 && r.sizes.every((n) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 20000);
  }
  return false;
}

export function isEngineResponse(m: unknown): m is EngineResponse {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return typeof r.requestId === 'number' && (r.type === 'success' || r.type === 'error');
}
