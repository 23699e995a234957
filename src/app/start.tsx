// pattern: Imperative Shell
// The app's start, loaded by main.tsx once the static first screen is on
// screen: read the saved scenario, start the engine worker, and let React
// replace the static header with the app. Loading this module does nothing
// but define; main.tsx calls start() in a task after evaluating it, so
// evaluating the app's modules and starting the app are separate tasks, and
// nothing started from here has a whole chunk's top-level code on its stack.
import { StrictMode, startTransition } from 'react';
import { createRoot } from './react-dom';
import { App } from './App';
import { boot } from './shell/boot';
import { installTestHook } from './shell/test-hook';

export async function start(): Promise<void> {
  const container = document.getElementById('root');
  if (container === null) {
    throw new Error('index.html has no #root element');
  }
  const deps = await boot();
  // only the browser tests' build (vite build --mode e2e) has the hook; elsewhere this is dead code, removed
  if (import.meta.env.MODE === 'e2e') installTestHook(deps);
  const root = createRoot(container);
  // The first render builds the whole page. As a transition React builds it in
  // slices of a few milliseconds and commits it at once, so no single task of
  // a phone's first seconds holds the page for the length of the render; the
  // static header stays on screen until that commit.
  startTransition(() => {
    root.render(
      <StrictMode>
        <App deps={deps} />
      </StrictMode>,
    );
  });
}
