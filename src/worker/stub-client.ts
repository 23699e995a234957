// pattern: Functional Core
// An EngineClient for tests that answers nothing by default; each test
// overrides only the calls it cares about.
import type { EngineClient } from './client';

export function stubClient(overrides: Partial<EngineClient> = {}): EngineClient {
  return {
    simulate: async () => ({ ok: false, errors: [] }),
    explain: async () => [],
    edit: async () => ({ ok: false, diagnostics: [] }),
    export: async () => ({ ok: true, text: '' }),
    kubeScaling: async () => [],
    ...overrides,
  };
}
