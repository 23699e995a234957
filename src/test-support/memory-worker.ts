// pattern: Imperative Shell
// The real worker server behind an in-memory endpoint, for tests of page code
// that talks to the engine: messages cross as structured clones on a
// microtask, as they cross a Worker boundary, and every request that reached
// the server is remembered in `received`.

import { createEngineClient, type EngineClient, type Endpoint } from '../worker/client';
import { createEngineServer } from '../worker/server';
import type { EngineRequest } from '../worker/protocol';

export function memoryWorker(): { client: EngineClient; received: EngineRequest[] } {
  const received: EngineRequest[] = [];
  const listeners: ((e: { data: unknown }) => void)[] = [];
  const server = createEngineServer((m) => queueMicrotask(() => listeners.forEach((l) => l({ data: structuredClone(m) }))));
  const endpoint: Endpoint = {
    postMessage: (m) => {
      received.push(m);
      queueMicrotask(() => server(structuredClone(m)));
    },
    addEventListener: (_t, l) => listeners.push(l),
  };
  return { client: createEngineClient(endpoint), received };
}
