// pattern: Imperative Shell
// The event list, like Packet Tracer's: one row per step of the walk, a
// separator with each packet's summary and fate, filters by host / hook /
// verdict, and a click (or Enter) on a row jumps there. Pages of PAGE rows
// keep thousands of steps cheap to render; the page follows the walk.
//
// Within a page only the rows in the box's view (and a few either side) are
// in the DOM, with spacer rows standing in for the rest: the full 100-row
// table was half of each step's paint. The current step's row is always
// rendered, wherever the box is scrolled, so it can be found and focused;
// the table says its full row count (aria-rowcount, aria-rowindex) so a
// screen reader still hears where a row sits.

import { memo, useCallback, useDeferredValue, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { WalkLog } from '../../engine/walk-log';
import { selectFilter, setFilter, stepTo, type Stores, type ViewState } from '../state/walk-store';
import { paintedStore, selectPaintedIndex, selectPaintedLog } from '../state/painted-step';
import { useDeps } from '../shell/context';
import { endSummary, hasRowsIn, indexLog, indexLogInSlices, INDEX_SLICE, nextTask, rowsIn, wordText, type EventRow } from '../shell/derive';
import { ChoiceSelect } from '../editor/ChoiceSelect';
import { Empty, Panel } from './Panel';
import { useScrollWhenShown } from './useScrollWhenShown';
import { useT, type T } from '../i18n/lang';

const PAGE = 100;
/** a row's height until one is measured (text-sm with py-1 and a border); rows never wrap, so all are alike */
const ROW_PX = 29;
/** rows rendered beyond each edge of the view, so a short scroll shows rows already there */
const OVERSCAN = 8;
/** the view's height until the box is measured (the panel's 28rem less its filters) */
const VIEW_PX = 380;

type Item = { kind: 'separator'; packet: number; key: string } | { kind: 'row'; row: EventRow; key: number };

/** The page's rows with a separator before each packet's first row, as the table lists them. */
export function pageItems(rows: EventRow[]): Item[] {
  const out: Item[] = [];
  let lastPacket = -1;
  for (const r of rows) {
    if (r.packet !== lastPacket) {
      lastPacket = r.packet;
      out.push({ kind: 'separator', packet: r.packet, key: `p${r.packet}-${r.i}` });
    }
    out.push({ kind: 'row', row: r, key: r.i });
  }
  return out;
}

/**
 * Which items to render: those from `top` to `top + height` (pixels, rows of
 * `rowPx`) with OVERSCAN either side, and the `current` item wherever it is.
 * Sorted positions; the gaps between them are spacers.
 */
export function windowItems(count: number, top: number, height: number, rowPx: number, current: number): number[] {
  const from = Math.max(0, Math.floor(top / rowPx) - OVERSCAN);
  const to = Math.min(count, Math.ceil((top + height) / rowPx) + OVERSCAN);
  const out: number[] = [];
  if (current >= 0 && current < from) out.push(current);
  for (let k = from; k < to; k++) out.push(k);
  if (current >= to && current < count) out.push(current);
  return out;
}

const filtered = new WeakMap<WalkLog, Map<string, EventRow[]>>();

/** Rows passing the filters, cached per log and filter so stepping never re-filters. */
export function filterRows(log: WalkLog, f: ViewState['filter']): EventRow[] {
  const rows = indexLog(log).rows;
  if (!f.host && !f.hook && !f.verdict) return rows;
  const key = `${f.host}|${f.hook}|${f.verdict}`;
  let m = filtered.get(log);
  if (!m) filtered.set(log, (m = new Map()));
  let out = m.get(key);
  if (!out) {
    out = rows.filter((r) => (!f.host || r.host === f.host) && (!f.hook || r.hook === f.hook) && (!f.verdict || r.verdict === f.verdict));
    m.set(key, out);
  }
  return out;
}

/** Position of the last row at or before step `index` (binary search: rows are in step order). */
function rowAtOrBefore(rows: EventRow[], index: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.i <= index) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

const select = 'rounded border border-slate-400 bg-white px-2 py-1 text-sm text-slate-900';
const pageBtn = 'rounded border border-slate-400 bg-white px-2 py-1 text-sm text-slate-900 hover:bg-slate-100 aria-disabled:text-slate-500';

export const EventList = memo(function EventList() {
  const { stores } = useDeps();
  // Below the first screen: a new walk's rows are built in a background render React does in
  // slices, once the frame that shows the walk in the graph is painted (state/painted-step.ts).
  const painted = paintedStore(stores);
  const log = useDeferredValue(useStore(painted, selectPaintedLog));
  // and a step moves the mark after the graph's frame too, in a background render
  const index = useDeferredValue(useStore(painted, selectPaintedIndex));
  const filter = useStore(stores.view, selectFilter);
  const id = useId();
  const t = useT();
  const rows = useMemo(() => (log ? filterRows(log, filter) : []), [log, filter]);
  // the filter works on the language-free rows; what is shown comes from the reader's language,
  // translated a slice at a time for a long log (English until then), so a language switch never freezes the page
  const translated = log === null || log.steps.length <= INDEX_SLICE || hasRowsIn(log, t);
  const [, rowsArrived] = useState(0);
  useEffect(() => {
    if (translated || !log) return;
    let live = true;
    void indexLogInSlices(log, t, nextTask).then(() => live && rowsArrived((n) => n + 1));
    return () => {
      live = false;
    };
  }, [log, t, translated]);
  const shownRows = useMemo(() => (log ? (translated ? rowsIn(log, t) : indexLog(log).rows) : []), [log, t, translated]);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  const followPage = Math.max(0, Math.floor(Math.max(0, rowAtOrBefore(rows, index)) / PAGE));
  // A page the user turned to stays until the walk moves on.
  const [manual, setManual] = useState<{ page: number; index: number; rows: EventRow[] } | null>(null);
  const page = manual && manual.index === index && manual.rows === rows ? manual.page : followPage;
  // per page, not per step: a step only moves the window and the mark
  const items = useMemo(() => pageItems(rows.slice(page * PAGE, page * PAGE + PAGE)), [rows, page]);
  const scroller = useRef<HTMLDivElement>(null);
  // the box's scroll and height, and a row's height, read only when the box scrolls (layout is fresh then)
  const [view, setView] = useState({ top: 0, height: VIEW_PX, rowPx: ROW_PX });
  const frame = useRef(0);
  const measure = useCallback((box: HTMLElement) => {
    const row = box.querySelector<HTMLElement>('tr[data-row]');
    const next = { top: box.scrollTop, height: box.clientHeight || VIEW_PX, rowPx: row?.offsetHeight || ROW_PX };
    setView((v) => (v.top === next.top && v.height === next.height && v.rowPx === next.rowPx ? v : next));
  }, []);
  const onScroll = useCallback(() => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (scroller.current) measure(scroller.current);
    });
  }, [measure]);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  useScrollWhenShown(
    scroller,
    (box) => {
      const row = box.querySelector<HTMLElement>('tr[aria-current="step"]');
      if (!row) return;
      // Scroll only this box: scrollIntoView would also move the page under the user.
      const top = row.offsetTop - box.clientHeight / 2;
      box.scrollTop = Math.max(0, top);
      measure(box);
    },
    [index, page, rows],
  );

  // the filters do not change with the step: made once per log, filter and language
  const filters = useMemo(() => {
    if (!log) return null;
    const ix = indexLog(log);
    const filterSelect = (key: keyof ViewState['filter'], label: string, values: string[], word: (v: string) => string = (v) => v) => (
      <span className="flex items-center gap-1 text-sm text-slate-800">
        <label htmlFor={`${id}-${key}`}>{label}</label>
        {/* a chain of 3,000 jumps has 3,000 targets: a long list becomes a searchable combobox */}
        <ChoiceSelect id={`${id}-${key}`} className={select} value={filter[key] ?? ''} choices={[{ value: '', label: t('events.all') }, ...values.map((v) => ({ value: v, label: word(v) }))]} onChange={(v) => setFilter(stores, key, v || null)} />
      </span>
    );
    return (
      <>
        {filterSelect('host', t('events.host'), ix.hosts)}
        {filterSelect('hook', t('events.hook'), ix.hooks, (v) => (v === 'routing' ? t('events.routingHook') : v))}
        {filterSelect('verdict', t('events.verdict'), ix.verdicts, (v) => wordText(t, 'verdict.', v))}
      </>
    );
  }, [log, filter, id, stores, t]);

  if (!log) {
    return (
      <Panel title={t('panel.events')} className="h-[28rem]">
        <Empty>{t('common.noWalk')}</Empty>
      </Panel>
    );
  }
  const turn = (to: number) => setManual({ page: Math.max(0, Math.min(pages - 1, to)), index, rows });

  const rendered = windowItems(items.length, view.top, view.height, view.rowPx, items.findIndex((x) => x.kind === 'row' && x.row.i === index));
  const body: ReactNode[] = [];
  let next = 0;
  const spacer = (from: number, to: number) => {
    if (to > from) body.push(
        <tr key={`gap${from}`} aria-hidden="true" style={{ height: (to - from) * view.rowPx }}>
          <td colSpan={6} className="p-0" />
        </tr>,
      );
  };
  for (const k of rendered) {
    spacer(next, k);
    const item = items[k]!;
    body.push(
      item.kind === 'separator' ? (
        <Separator key={item.key} log={log} packet={item.packet} t={t} rowIndex={k + 2} />
      ) : (
        <Row key={item.key} row={shownRows[item.row.i] ?? item.row} current={item.row.i === index} stores={stores} t={t} rowIndex={k + 2} />
      ),
    );
    next = k + 1;
  }
  spacer(next, items.length);
  return (
    <Panel title={t('panel.events')} className="h-[28rem]">
      <div className="flex h-full flex-col gap-2">
        <div className="flex flex-wrap items-center gap-3">
          {filters}
          <span className="ml-auto flex items-center gap-2 text-sm text-slate-800">
            {rows.length === 0 ? t('events.noRows') : t('events.rows', { from: page * PAGE + 1, to: Math.min(rows.length, page * PAGE + PAGE), n: rows.length })}
            {pages > 1 && (
              <>
                <button type="button" className={pageBtn} aria-disabled={page === 0} onClick={() => turn(page - 1)}>
                  {t('events.prev')}
                </button>
                <button type="button" className={pageBtn} aria-disabled={page >= pages - 1} onClick={() => turn(page + 1)}>
                  {t('events.next')}
                </button>
              </>
            )}
          </span>
        </div>
        <div ref={scroller} onScroll={onScroll} className="relative min-h-0 flex-1 overflow-auto rounded border border-slate-200" tabIndex={-1}>
          <table className="w-full border-collapse text-left text-sm" aria-describedby={`${id}-help`} aria-rowcount={items.length + 1}>
            <thead className="sticky top-0 z-10 bg-slate-100">
              <tr aria-rowindex={1}>
                <th scope="col" className="px-2 py-1 font-semibold">
                  #
                </th>
                <th scope="col" className="px-2 py-1 font-semibold">
                  {t('events.host')}
                </th>
                <th scope="col" className="px-2 py-1 font-semibold">
                  {t('events.hook')}
                </th>
                <th scope="col" className="px-2 py-1 font-semibold">
                  {t('events.tableChain')}
                </th>
                <th scope="col" className="px-2 py-1 font-semibold">
                  {t('events.rule')}
                </th>
                <th scope="col" className="px-2 py-1 font-semibold">
                  {t('events.what')}
                </th>
              </tr>
            </thead>
            <tbody>{body}</tbody>
          </table>
        </div>
        <p id={`${id}-help`} className="sr-only">
          {t('events.help')}
        </p>
      </div>
    </Panel>
  );
});

/** Rows are memoised: a step change re-renders only the rows that gain or lose the mark. */
const Row = memo(function Row({ row: r, current, stores, t, rowIndex }: { row: EventRow; current: boolean; stores: Stores; t: T; rowIndex: number }) {
  return (
    <tr
      data-row
      aria-rowindex={rowIndex}
      aria-current={current ? 'step' : undefined}
      onClick={() => stepTo(stores, r.i)}
      className={`cursor-pointer border-t border-slate-200 ${current ? 'bg-blue-100 outline-2 -outline-offset-2 outline-blue-700' : 'hover:bg-slate-50'}`}
    >
      <td className="px-2 py-1 font-mono tabular-nums">
        <button
          type="button"
          className="underline decoration-slate-400 underline-offset-2 focus:outline-2 focus:outline-blue-700"
          aria-label={t('events.goTo', { n: r.i + 1 })}
          onClick={(e) => {
            e.stopPropagation();
            stepTo(stores, r.i);
          }}
        >
          {r.i + 1}
        </button>
      </td>
      <td className="px-2 py-1">{r.host}</td>
      <td className="px-2 py-1">{r.hook === 'routing' ? t('events.routingHook') : r.hook}</td>
      <td className="px-2 py-1 font-mono">{r.tableChain}</td>
      <td className="max-w-[28rem] truncate px-2 py-1 font-mono" title={r.rule}>
        {r.rule}
      </td>
      <td className="px-2 py-1 whitespace-nowrap">{r.what}</td>
    </tr>
  );
});

const Separator = memo(function Separator({ log, packet, t, rowIndex }: { log: WalkLog; packet: number; t: T; rowIndex: number }) {
  const p = indexLog(log).packetsById.get(packet);
  return (
    <tr className="bg-slate-800 text-white" aria-rowindex={rowIndex}>
      <th scope="rowgroup" colSpan={6} className="px-2 py-1 text-left font-semibold whitespace-nowrap">
        {t('events.packetOn', { n: packet, host: p?.host ?? '' })} <span className="font-mono font-normal">{p?.summary}</span>
        {p && <span className="font-normal"> — {packetFate(p.disposition?.verdict, log, p.lastStep, t)}</span>}
      </th>
    </tr>
  );
});

function packetFate(verdict: string | undefined, log: WalkLog, lastStep: number, t: T): string {
  const end = log.steps[lastStep];
  if (end?.kind === 'end') return endSummary(end, t);
  return verdict ? wordText(t, 'verdict.', verdict) : t('disp.unknown');
}
