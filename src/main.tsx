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
await import('./app/start');
