// pattern: Imperative Shell
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { boot } from './app/shell/boot';
import { installTestHook } from './app/shell/test-hook';
import './index.css';

const container = document.getElementById('root');
if (container === null) {
  throw new Error('index.html has no #root element');
}
const deps = await boot();
// only the browser tests' build (vite build --mode e2e) has the hook; elsewhere this is dead code, removed
if (import.meta.env.MODE === 'e2e') installTestHook(deps);
createRoot(container).render(
  <StrictMode>
    <App deps={deps} />
  </StrictMode>,
);
