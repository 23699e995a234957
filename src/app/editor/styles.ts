// pattern: Functional Core
// The editor's field style, on its own so controls outside the editor chunk
// (the event list's filters use ChoiceSelect) do not pull the editor in.
export const inputCls = 'rounded border border-slate-500 bg-white px-2 py-1 text-sm text-slate-900 focus:outline-2 focus:outline-offset-1 focus:outline-blue-700';
