// pattern: Imperative Shell
// The Web Worker entry: the engine runs here so the page stays responsive.
import { createEngineServer } from './server';

// a snapshot's next slice runs behind the messages that came meanwhile (a MessageChannel
// message is a task of its own, queued like them, and never clamped as nested timers are)
const channel = new MessageChannel();
const due: (() => void)[] = [];
channel.port1.onmessage = () => due.shift()?.();
const schedule = (f: () => void) => {
  due.push(f);
  channel.port2.postMessage(null);
};

const handle = createEngineServer((m) => self.postMessage(m), { schedule });
self.addEventListener('message', (e: MessageEvent) => handle(e.data));
