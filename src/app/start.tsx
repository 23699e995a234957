// pattern: Imperative Shell
// The app's start, loaded by main.tsx once the static first screen is on
// screen: read the saved scenario, start the engine worker, and let React
// replace the static header with the app.
import { StrictMode, startTransition } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { boot } from './shell/boot';
import { installTestHook } from './shell/test-hook';

const container = document.getElementById('root');
if (container === null) {
  throw new Error('index.html has no #root element');
}
// Evaluating the app's modules is one task; starting it (the worker, storage,
// the saved scenario) is the next, so neither holds the page for both.
await new Promise((resolve) => setTimeout(resolve, 0));
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
