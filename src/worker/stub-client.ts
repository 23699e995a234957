// pattern: Functional Core
// An EngineClient for tests that answers nothing by default; each test
// overrides only the calls it cares about.
import { serializeCase } from '../share/fingerprint';
import type { EngineClient } from './client';

export function stubClient(overrides: Partial<EngineClient> = {}): EngineClient {
  const state = { version: 1, canUndo: false, canRedo: false, past: 0, future: 0 };
  return {
    open: async () => ({ ok: true, lab: 1, hosts: [], ...state }),
    replace: async () => ({ ok: true, hosts: [], ...state }),
    edit: async () => ({ ok: false, diagnostics: [], index: 0 }),
    line: async () => ({ ok: false, diagnostics: [], index: 0 }),
    undo: async () => ({ moved: false, ...state }),
    redo: async () => ({ moved: false, ...state }),
    send: async () => ({ ok: false, errors: [] }),
    explain: async () => [],
    inspect: async () => null,
    chain: async () => null,
    hostView: async () => null,
    query: async () => ({ edit: true }),
    extensions: async () => ({ matches: [], targets: [] }),
    snapshot: async () => serializeCase({ name: '', hosts: [] }),
    export: async () => ({ ok: true, text: '' }),
    check: async () => ({ ok: true }),
    close: async () => undefined,
    kubeScaling: async () => [],
    changesSince: () => [],
    course: async () => [],
    challenge: async () => null,
    checkChallenge: async () => ({ ok: false, error: 'stub' }),
    reveal: async () => null,
    challengeStage: async () => null,
    ...overrides,
  };
}
