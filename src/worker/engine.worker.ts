// pattern: Imperative Shell
// The Web Worker entry: the engine runs here so the page stays responsive.
import { createEngineServer } from './server';

const handle = createEngineServer((m) => self.postMessage(m));
self.addEventListener('message', (e: MessageEvent) => handle(e.data));
