// pattern: Imperative Shell
// A labelled region: its heading's text is the region's accessible name,
// which the tests and screen-reader users navigate by.

import { useId, type ReactNode } from 'react';

export function Panel({ title, children, actions, className = '' }: { title: string; children: ReactNode; actions?: ReactNode; className?: string }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className={`flex min-w-0 flex-col rounded-lg border border-slate-300 bg-white ${className}`}>
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
