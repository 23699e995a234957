// pattern: Imperative Shell
// The worker side of the protocol, with postMessage injected so it runs (and
// is tested) without a real Worker. Keeps the last run for explain requests.

import { readCase } from '../engine/scenario/case-file';
import { runScenario } from '../engine/run-case';
import { explainStep, walkLog, type WalkLog } from '../engine/walk-log';
import type { World } from '../engine/sim/world';
import { errorCode, isEngineRequest, LOG_SLICE, type EngineResponse } from './protocol';
import { applyEdit, exportText, importIp } from '../engine/edit/scenario-edit';
import { measureScaling } from '../scenarios/kube-proxy-scaling';

export function createEngineServer(post: (m: EngineResponse) => void): (message: unknown) => void {
  let last: { world: World; log: WalkLog } | null = null;
  return (message: unknown) => {
    if (!isEngineRequest(message)) {
      const id = typeof (message as { requestId?: unknown })?.requestId === 'number' ? (message as { requestId: number }).requestId : -1;
      post({ type: 'error', requestId: id, error: { name: 'ProtocolError', message: 'not an engine request', code: 'protocol' } });
      return;
    }
    try {
      switch (message.type) {
        case 'simulate': {
          const parsed = readCase(message.scenario);
          if (!parsed.value) {
            post({ type: 'success', requestId: message.requestId, result: { ok: false, errors: parsed.diagnostics.map((d) => d.message) } });
            return;
          }
          const r = runScenario(parsed.value);
          if (!r.ok) {
            post({ type: 'success', requestId: message.requestId, result: { ok: false, errors: r.errors } });
            return;
          }
          const log = walkLog(r.world);
          last = { world: r.world, log };
          // long step lists go ahead in slices (protocol.ts, LOG_SLICE); the TRACE lines, the rule
          // steps' own, are not copied twice: the client takes them from the steps
          if (log.steps.length > LOG_SLICE) {
            for (let at = 0; at < log.steps.length; at += LOG_SLICE) post({ type: 'part', requestId: message.requestId, field: 'steps', items: log.steps.slice(at, at + LOG_SLICE) });
            post({ type: 'success', requestId: message.requestId, result: { ok: true, log: { ...log, steps: [], traceLog: [] } } });
            return;
          }
          post({ type: 'success', requestId: message.requestId, result: { ok: true, log } });
          return;
        }
        case 'edit': {
          const result = message.mode === 'import-ip' ? importIp(message.scenario, message.host, message.text) : applyEdit(message.scenario, message.host, message.text, message.mode);
          post({ type: 'success', requestId: message.requestId, result });
          return;
        }
        case 'export': {
          post({ type: 'success', requestId: message.requestId, result: exportText(message.scenario, message.host, message.what) });
          return;
        }
        case 'kube-scaling': {
          post({ type: 'success', requestId: message.requestId, result: measureScaling(message.sizes) });
          return;
        }
        case 'explain': {
          const result = last ? explainStep(last.world, last.log, message.step) : [];
          post({ type: 'success', requestId: message.requestId, result });
          return;
        }
      }
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      // a failed post (a result too large to copy) must still answer the request
      post({ type: 'error', requestId: message.requestId, error: { name: err.name, message: err.message.slice(0, 2000), code: errorCode(err) } });
    }
  };
}
