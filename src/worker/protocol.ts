// pattern: Functional Core
// The one typed protocol between the page and the engine worker. Every
// request carries a requestId; every response is success or error for that
// id. The page never computes netfilter behaviour: it sends a scenario and
// renders the WalkLog that comes back.

import type { RuleExplanation, WalkLog } from '../engine/walk-log';

export type EngineRequest =
  | { type: 'simulate'; requestId: number; scenario: unknown }
  | { type: 'explain'; requestId: number; step: number };

export type SimulateResult =
  | { ok: true; log: WalkLog }
  /** the scenario was refused: messages name the host, command, line and column */
  | { ok: false; errors: string[] };

export type EngineResult<R extends EngineRequest> = R extends { type: 'simulate' } ? SimulateResult : RuleExplanation[];

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
}

export type EngineResponse =
  | { type: 'success'; requestId: number; result: SimulateResult | RuleExplanation[] }
  | { type: 'error'; requestId: number; error: SerializedError };

export function isEngineRequest(m: unknown): m is EngineRequest {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  if (typeof r.requestId !== 'number') return false;
  if (r.type === 'simulate') return 'scenario' in r;
  if (r.type === 'explain') return typeof r.step === 'number';
  return false;
}

export function isEngineResponse(m: unknown): m is EngineResponse {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return typeof r.requestId === 'number' && (r.type === 'success' || r.type === 'error');
}
