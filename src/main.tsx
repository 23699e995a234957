// pattern: Imperative Shell
// The page's entry, the only script before the first paint: index.html
// already holds the first screen's header (shell/first-paint.ts says when its
// words fit this visit). The app itself — React, the stores, the engine
// worker — is fetched after that paint (app/start.tsx).
import './index.css';
import './app/app.css';
import { afterFirstPaint, prepareFirstPaint } from './app/shell/first-paint';

prepareFirstPaint(window);
await afterFirstPaint(window);
// Both are fetched at once; React, a third of the app's script, is evaluated
// as soon as it is here, in a task of its own, then the app's modules, and the
// app starts in a task after that: three shorter tasks rather than one long one.
const react = import('./app/react-dom');
const app = import('./app/start');
await react;
const { start } = await app;
await new Promise((resolve) => setTimeout(resolve, 0));
await start();
