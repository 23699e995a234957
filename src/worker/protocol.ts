// pattern: Functional Core
// The one typed protocol between the page and the engine worker. Every
// request carries a requestId; every response is success or error for that
// id. The page never computes netfilter behaviour: it sends a scenario and
// renders the WalkLog that comes back.

import type { RuleExplanation, WalkLog } from '../engine/walk-log';
import type { EditResult, ExportKind, PositionedDiagnostic } from '../engine/edit/scenario-edit';
import type { ScalingPoint } from '../scenarios/kube-proxy-scaling';

export type EditMode = 'command' | 'restore' | 'restore-noflush' | 'import-ip';

export type EngineRequest =
  | { type: 'simulate'; requestId: number; scenario: unknown }
  | { type: 'explain'; requestId: number; step: number }
  /** apply a typed command / iptables-restore text / ip show output to a host; returns the new canonical scenario */
  | { type: 'edit'; requestId: number; scenario: unknown; host: string; text: string; mode: EditMode }
  | { type: 'export'; requestId: number; scenario: unknown; host: string | null; what: ExportKind }
  /** rules examined per new connection, kube-proxy iptables mode vs IPVS mode, for clusters of these sizes */
  | { type: 'kube-scaling'; requestId: number; sizes: number[] };

export type ExportResult = { ok: true; text: string } | { ok: false; diagnostics: PositionedDiagnostic[] };

export type SimulateResult =
  | { ok: true; log: WalkLog }
  /** the scenario was refused: messages name the host, command, line and column */
  | { ok: false; errors: string[] };


/**
 * What went wrong in the worker, as the page may tell it: the raw message
 * (an 18-line stack, out-of-memory text from postMessage) is for the console,
 * never the screen.
 */
export type EngineErrorCode = 'stack-overflow' | 'out-of-memory' | 'protocol' | 'internal';

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
 * A walk log's long arrays arrive in slices of this many entries ahead of the
 * answer: the page copies each message out of the worker in one task, and
 * 300,000 steps in one message (the work budget's largest log) are a task of
 * seconds that freezes the page.
 */
export const LOG_SLICE = 10_000;

/**
 * The fields of WalkLog sent in slices (`part`), empty in the answer that
 * follows them. When the steps come in slices, `traceLog` comes empty too:
 * its lines are the rule steps' `trace`, in order (walkLog makes both from
 * the same events), and the client takes them from there.
 */
export type SlicedField = 'steps';

export type EngineResponse =
  | { type: 'success'; requestId: number; result: SimulateResult | RuleExplanation[] | EditResult | ExportResult | ScalingPoint[] }
  /** a slice of a walk log's `field`, in order, before the request's success */
  | { type: 'part'; requestId: number; field: SlicedField; items: unknown[] }
  | { type: 'error'; requestId: number; error: SerializedError };

export function isEngineRequest(m: unknown): m is EngineRequest {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  if (typeof r.requestId !== 'number') return false;
  if (r.type === 'simulate') return 'scenario' in r;
  if (r.type === 'explain') return typeof r.step === 'number';
  if (r.type === 'edit') return 'scenario' in r && typeof r.host === 'string' && typeof r.text === 'string' && ['command', 'restore', 'restore-noflush', 'import-ip'].includes(r.mode as string);
  if (r.type === 'kube-scaling') return Array.isArray(r.sizes) && r.sizes.length <= 8 && r.sizes.every((n) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 20000);
  if (r.type === 'export') return 'scenario' in r && (typeof r.host === 'string' || r.host === null) && typeof r.what === 'string';
  return false;
}

export function isEngineResponse(m: unknown): m is EngineResponse {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  if (r.type === 'part') return typeof r.requestId === 'number' && r.field === 'steps' && Array.isArray(r.items);
  return typeof r.requestId === 'number' && (r.type === 'success' || r.type === 'error');
}

export type { EditResult, ExportKind, PositionedDiagnostic, ScalingPoint };
