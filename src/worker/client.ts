// pattern: Imperative Shell
// The page side of the protocol: promises per request id over any
// postMessage-shaped endpoint (a Worker in the app, the server directly in
// tests).

import type { RuleExplanation } from '../engine/walk-log';
import { isEngineResponse, type EditMode, type EditResult, type EngineRequest, type ExportKind, type ExportResult, type ScalingPoint, type SimulateResult } from './protocol';

export interface Endpoint {
  postMessage(message: EngineRequest): void;
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
}

export interface EngineClient {
  simulate(scenario: unknown): Promise<SimulateResult>;
  explain(step: number): Promise<RuleExplanation[]>;
  /** apply a console command, restore text or ip show output to one host: the new canonical scenario, or the diagnostics */
  edit(scenario: unknown, host: string, text: string, mode: EditMode): Promise<EditResult>;
  export(scenario: unknown, host: string | null, what: ExportKind): Promise<ExportResult>;
  /** rules examined per new connection to the last of N Services, kube-proxy iptables vs IPVS mode */
  kubeScaling(sizes: number[]): Promise<ScalingPoint[]>;
}

export function createEngineClient(endpoint: Endpoint): EngineClient {
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  endpoint.addEventListener('message', (e) => {
    const m = e.data;
    if (!isEngineResponse(m)) return;
    const p = pending.get(m.requestId);
    if (!p) return;
    pending.delete(m.requestId);
    if (m.type === 'success') p.resolve(m.result);
    else p.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
  });
  type Body = EngineRequest extends infer R ? (R extends { requestId: number } ? Omit<R, 'requestId'> : never) : never;
  function call<T>(req: Body): Promise<T> {
    const requestId = next++;
    return new Promise<T>((resolve, reject) => {
      pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject });
      endpoint.postMessage({ ...req, requestId } as EngineRequest);
    });
  }
  return {
    simulate: (scenario) => call<SimulateResult>({ type: 'simulate', scenario }),
    explain: (step) => call<RuleExplanation[]>({ type: 'explain', step }),
    edit: (scenario, host, text, mode) => call<EditResult>({ type: 'edit', scenario, host, text, mode }),
    export: (scenario, host, what) => call<ExportResult>({ type: 'export', scenario, host, what }),
    kubeScaling: (sizes) => call<ScalingPoint[]>({ type: 'kube-scaling', sizes }),
  };
}
