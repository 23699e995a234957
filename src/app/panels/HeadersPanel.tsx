// pattern: Imperative Shell
// App.tsx (h32's layout work) still mounts the step inspector under its old
// name; this keeps that import working until the layout imports StepInspector.
export { StepInspector as HeadersPanel } from './StepInspector';
