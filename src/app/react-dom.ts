// pattern: Imperative Shell
// React's DOM renderer as a module of the app's own, so that main.tsx can
// have it fetched with the app but evaluated first, in a task of its own (a
// direct import of the CommonJS package would put its interop helper into
// the script that runs before the first paint).
export { createRoot } from 'react-dom/client';
