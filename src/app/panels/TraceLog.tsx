// pattern: Imperative Shell
// The kernel's own TRACE lines for the walk, as `dmesg` would show them on a
// real machine, with the line of the current step marked. Loaded lazily: it
// is below the first screen.

import { memo, useDeferredValue, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { paintedStore, selectPaintedIndex, selectPaintedLog } from '../state/painted-step';
import { useDeps } from '../shell/context';
import { indexLog } from '../shell/derive';
import { Empty, Panel } from './Panel';
import { useScrollWhenShown } from './useScrollWhenShown';
import { useT } from '../i18n/lang';

/** Lines rendered around the current one; the copy button still copies them all. */
const WINDOW = 300;

const TraceLog = memo(function TraceLog() {
  const { stores } = useDeps();
  // Below the first screen: a new walk's lines are built in a background render React does in
  // slices, once the frame that shows the walk in the graph is painted (state/painted-step.ts).
  const painted = paintedStore(stores);
  const log = useDeferredValue(useStore(painted, selectPaintedLog));
  // and a step moves the mark after the graph's frame too, in a background render
  const index = useDeferredValue(useStore(painted, selectPaintedIndex));
  const [copied, setCopied] = useState<string>('');
  const box = useRef<HTMLOListElement>(null);
  const current = log && index >= 0 ? (indexLog(log).traceAt[index] ?? -1) : -1;
  const t = useT();

  useScrollWhenShown(
    box,
    (el) => {
      const line = el.querySelector<HTMLElement>('[aria-current="true"]');
      if (line) el.scrollTop = Math.max(0, line.offsetTop - el.offsetTop - el.clientHeight / 3);
    },
    [current],
  );

  if (!log) {
    return (
      <Panel title={t('panel.traceLog')} className="h-[28rem]">
        <Empty>{t('common.noWalk')}</Empty>
      </Panel>
    );
  }
  const lines = log.traceLog;
  const from = Math.max(0, Math.min(lines.length - WINDOW, current - WINDOW / 2));
  const shown = lines.slice(from, from + WINDOW);
  const copy = async () => {
    const text = lines.map((l) => l.line).join('\n') + '\n';
    try {
      await navigator.clipboard.writeText(text);
      setCopied(t('trace.copied', { n: lines.length }));
    } catch {
      setCopied(t('trace.copyRefused'));
    }
  };
  return (
    <Panel
      title={t('panel.traceLog')}
      className="h-[28rem]"
      actions={
        <span className="flex items-center gap-2">
          <span role="status" className="text-sm text-slate-700">
            {copied}
          </span>
          <button type="button" onClick={() => void copy()} className="rounded border border-slate-400 bg-white px-2 py-1 text-sm text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-blue-700">
            {t('trace.copy')}
          </button>
        </span>
      }
    >
      {lines.length === 0 ? (
        <Empty>{t('trace.none')}</Empty>
      ) : (
        <ol ref={box} start={from + 1} className="h-full overflow-auto font-mono text-sm leading-snug" aria-label={t('trace.lines', { from: from + 1, to: from + shown.length, n: lines.length })} tabIndex={0}>
          {shown.map((l, k) => (
            <Line key={from + k} host={l.host} line={l.line} here={from + k === current} />
          ))}
        </ol>
      )}
    </Panel>
  );
});

/** Memoised: a step change re-renders only the lines that gain or lose the mark. */
const Line = memo(function Line({ host, line, here }: { host: string; line: string; here: boolean }) {
  return (
    <li aria-current={here ? 'true' : undefined} className={`px-1 py-0.5 break-all whitespace-pre-wrap ${here ? 'bg-blue-100 ring-1 ring-blue-700' : ''}`}>
      <span className="text-slate-700 select-none">{host}: </span>
      {line}
    </li>
  );
});

export default TraceLog;
