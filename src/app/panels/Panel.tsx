// pattern: Imperative Shell
// A labelled region: its heading's text is the region's accessible name,
// which the tests and screen-reader users navigate by.
//
// A panel off screen is not laid out or painted until it nears the viewport
// (content-visibility: auto; 20rem stands in for its height until then, and
// its last height after): on a phone most panels start far below the first
// screen, and laying them all out made each walk's arrival a long task. Its
// body already clips what overflows, so the containment this implies hides
// nothing.

import { useId, type ReactNode } from 'react';

export function Panel({ title, children, actions, className = '' }: { title: string; children: ReactNode; actions?: ReactNode; className?: string }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className={`flex min-w-0 flex-col rounded-lg border border-slate-300 bg-white [contain-intrinsic-size:auto_20rem] [content-visibility:auto] ${className}`}>
      <div className="flex items-center justify-between gap-2 border-b border-slate-200 px-3 py-2">
        <h2 id={id} className="text-base font-semibold text-slate-900">
          {title}
        </h2>
        {actions}
      </div>
      <div className="min-h-0 flex-1 overflow-auto px-3 py-2">{children}</div>
    </section>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="text-sm text-slate-700">{children}</p>;
}
