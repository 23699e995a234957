// pattern: Imperative Shell
// The rules of one chain as a windowed list: only the rows in view (plus a
// few spare) are in the DOM, every row has the same height, so 10,000 rules
// scroll as smoothly as 10. The rows come from the worker a page at a time
// with their counters as of the step on screen (the walk log carries no
// rules). When the current step is in this chain, the rule that decided is
// marked and every rule before it says, clause by clause, why it did not
// match (asked from the worker once per step, then cached).
//
// A step costs the list little: a page is asked again only when the steps
// between the page's and the new one counted a packet in this chain, and a
// new page keeps the old rows' objects wherever nothing changed, so only the
// rows whose counters or mark changed re-render.

import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { RuleExplanation, WalkLog } from '../../engine/walk-log';
import type { ChainPage, RuleRow as RuleData } from '../../engine/lab/views';
import type { TableName } from '../../engine/netfilter/hooks';
import { clauseLines, countedBetween, formatBytes, formatCount, markedRow, parseChainRef, ruleBody, ruleStepIn, scrollToRow, sharePage, windowRange } from './chain-data';
import { useT, type T } from '../i18n/lang';

export interface ChainRulesProps {
  log: WalkLog;
  index: number;
  host: string;
  /** 'filter FORWARD', or a user chain: 'nat DOCKER' */
  chain: string;
  /** the worker's explanation of a rule step (EngineClient.explain) */
  explain: (step: number) => Promise<RuleExplanation[]>;
  /** rows `from`… of a chain with counters as of step `asOf` of this log's walk (EngineClient.chain) */
  page: (table: TableName, chain: string, asOf: number, from: number, count: number) => Promise<ChainPage | null>;
}

/** Rows asked of the worker at once. */
const PAGE = 100;

/** Every row is this tall; the windowing arithmetic depends on it. */
export const RULE_ROW_H = 64;

type Row = { kind: 'rule'; rule: RuleData } | { kind: 'waiting'; num: number } | { kind: 'end'; policy: string | null; packets: number };

/** One row object per rule object, so a memoised row sees the same props while its rule is unchanged. */
const ruleRows = new WeakMap<RuleData, Row>();
function ruleRow(rule: RuleData): Row {
  let row = ruleRows.get(rule);
  if (!row) ruleRows.set(rule, (row = { kind: 'rule', rule }));
  return row;
}

const NO_LINES: string[] = [];

export function ChainRules({ log, index, host, chain, explain, page }: ChainRulesProps) {
  const ref = parseChainRef(chain);
  const step = ruleStepIn(log.steps[index], host, chain);
  const marked = markedRow(step);
  const explanations = useExplanations(log, step ? index : null, explain);
  const t = useT();
  const rulesText = (n: number) => t(n === 1 ? 'graph.rule' : 'graph.rules', { n: formatCount(n) });
  // each explanation's lines made once (per language), so a row keeps its props from step to step
  const linesOf = useMemo(() => {
    const words = { matched: t('rules.matched'), notMatched: t('rules.notMatched') };
    const made = new WeakMap<RuleExplanation, string[]>();
    return (ex: RuleExplanation | undefined): string[] => {
      if (!ex) return NO_LINES;
      let lines = made.get(ex);
      if (!lines) made.set(ex, (lines = clauseLines(ex, words)));
      return lines;
    };
  }, [t]);

  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(480);
  // The list box's scroll position and height as last reported (scroll events, ResizeObserver).
  // A step reads these, never the box: reading layout in the middle of a step's commit would lay
  // out the whole page there and then. The height is read from the box once, when the first list
  // appears (every later list has the same box, and the observer reports its changes).
  const seen = useRef({ top: 0, height: 0 });

  const windowed = windowRange(scrollTop, viewport, RULE_ROW_H, Number.MAX_SAFE_INTEGER);
  const { view, rowAt } = useChainPages(log, host, ref, index, windowed.first, windowed.last, page);
  const total = view?.total ?? 0;
  const count = view ? total + 1 : 0;
  const markedIndex = marked === null || !view ? null : marked === 'policy' ? total : marked - 1;
  const listed = Boolean(view);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    // a new box starts at the top
    seen.current.top = 0;
    setScrollTop(0);
    if (seen.current.height === 0) {
      seen.current.height = el.clientHeight;
      setViewport(el.clientHeight);
    }
    const ro = new ResizeObserver((entries) => {
      const height = entries[entries.length - 1]?.contentRect.height ?? seen.current.height;
      seen.current.height = height;
      setViewport(height);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [listed]);
  // bring the deciding rule into view when the step (not the scroll) changes
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || markedIndex === null) return;
    const next = scrollToRow(markedIndex, seen.current.top, seen.current.height, RULE_ROW_H);
    if (next !== seen.current.top) {
      el.scrollTop = next;
      seen.current.top = next;
      setScrollTop(next);
    }
    // the scroll position and height are deliberately left out: resizing or scrolling must not yank the list back
  }, [markedIndex, chain, host, log]);

  const { first, last } = windowRange(scrollTop, viewport, RULE_ROW_H, count);
  const policy = view?.policy ?? null;
  const policyPackets = view?.policyCounters.packets ?? 0;
  const endRow = useMemo<Row>(() => ({ kind: 'end', policy, packets: policyPackets }), [policy, policyPackets]);
  const rows: { i: number; row: Row }[] = [];
  if (view) {
    for (let i = first; i <= last; i++) {
      const rule = i < total ? rowAt(i) : null;
      rows.push({ i, row: i >= total ? endRow : rule ? ruleRow(rule) : { kind: 'waiting', num: i + 1 } });
    }
  }

  return (
    <section aria-label={t('rules.aria', { chain })} className="flex h-full min-h-[240px] flex-col gap-2 bg-white p-2">
      <p className="text-lg text-slate-900">
        <strong className="font-bold">{chain}</strong> {t('rules.on')} <strong className="font-semibold">{host}</strong>
        {view ? (
          <span className="text-slate-700">
            {' '}
            · {rulesText(total)}
            {view.policy ? ` · ${t('graph.policy', { policy: view.policy })}` : ''}
          </span>
        ) : null}
      </p>
      {view === undefined ? (
        <p className="text-base text-slate-700">{t('rules.loading')}</p>
      ) : !view ? (
        <p className="text-base text-slate-700">{ref ? t('rules.noChainIn', { host, chain: ref.chain, table: ref.table }) : t('rules.noChain', { host, chain })}</p>
      ) : (
        <>
          <div aria-hidden="true" className="grid grid-cols-[3.5rem_1fr_8.5rem_8rem] gap-2 border-b-2 border-slate-300 px-2 pb-1 text-sm font-semibold text-slate-700">
            <span>#</span>
            <span>{t('rules.colRule')}</span>
            <span>{t('rules.colTarget')}</span>
            <span className="text-right">{t('rules.colCounters')}</span>
          </div>
          <div
            ref={scroller}
            role="list"
            aria-label={t('rules.listAria', { chain, rules: rulesText(total) })}
            tabIndex={0}
            onScroll={(e) => {
              seen.current.top = e.currentTarget.scrollTop;
              setScrollTop(seen.current.top);
            }}
            className="relative min-h-0 flex-1 overflow-y-auto rounded focus-visible:outline-4 focus-visible:outline-blue-700"
            data-testid="rule-scroller"
          >
            <div style={{ height: count * RULE_ROW_H }} className="relative">
              {rows.map(({ i, row }) => (
                <RuleRow
                  key={i}
                  i={i}
                  count={count}
                  row={row}
                  chain={ref?.chain ?? ''}
                  marked={i === markedIndex}
                  lines={row.kind === 'rule' && markedIndex !== null && i <= markedIndex ? linesOf(explanations.get(row.rule.num)) : NO_LINES}
                  t={t}
                />
              ))}
            </div>
          </div>
        </>
      )}
    </section>
  );
}

const RuleRow = memo(function RuleRow({ i, count, row, chain, marked, lines, t }: { i: number; count: number; row: Row; chain: string; marked: boolean; lines: string[]; t: T }) {
  const failed = lines.some((l) => l.startsWith('✗'));
  return (
    <div
      role="listitem"
      aria-posinset={i + 1}
      aria-setsize={count}
      aria-current={marked ? 'step' : undefined}
      data-rule={row.kind === 'rule' ? row.rule.num : row.kind === 'waiting' ? row.num : 'end'}
      style={{ top: i * RULE_ROW_H, height: RULE_ROW_H }}
      className={[
        'absolute right-0 left-0 grid grid-cols-[3.5rem_1fr_8.5rem_8rem] items-center gap-2 border-b border-slate-200 px-2',
        marked ? 'border-l-8 border-l-orange-600 bg-orange-50' : row.kind === 'end' ? 'bg-slate-100' : i % 2 ? 'bg-slate-50' : 'bg-white',
      ].join(' ')}
    >
      <span className="text-base font-semibold text-slate-800 tabular-nums">
        {marked ? '▶ ' : ''}
        {row.kind === 'rule' ? row.rule.num : row.kind === 'waiting' ? row.num : ''}
      </span>
      <span className="min-w-0">
        {row.kind === 'rule' ? (
          <span className="block truncate font-mono text-[15px] text-slate-900" title={row.rule.text}>
            {ruleBody(row.rule.text, chain)}
          </span>
        ) : row.kind === 'waiting' ? (
          <span className="block text-[15px] text-slate-700">…</span>
        ) : (
          <span className="block text-[15px] font-semibold text-slate-900">{row.policy ? t('graph.policy', { policy: row.policy }) : t('rules.endOfChain')}</span>
        )}
        {lines.length ? (
          <span className={`block truncate font-mono text-[14px] ${failed ? 'text-red-800' : 'text-emerald-800'}`} title={lines.join('\n')}>
            {lines.join('   ')}
          </span>
        ) : marked ? (
          <span className="block text-[14px] font-semibold text-orange-900">{row.kind === 'end' ? t('rules.noneMatched') : t('rules.decided')}</span>
        ) : null}
      </span>
      <span className="truncate font-mono text-[15px] font-semibold text-slate-900">{row.kind === 'rule' ? (row.rule.target ?? '—') : row.kind === 'waiting' ? '' : (row.policy ?? 'RETURN')}</span>
      <span className="text-right text-[14px] text-slate-800 tabular-nums">
        {row.kind === 'rule' ? `${formatCount(row.rule.counters.packets)} · ${formatBytes(row.rule.counters.bytes)}` : row.kind === 'waiting' ? '' : t('rules.policyPkts', { n: formatCount(row.packets) })}
      </span>
    </div>
  );
});

interface PageCache {
  key: string;
  /** by page number: the page as of step `asOf` */
  pages: Map<number, { asOf: number; page: ChainPage | null }>;
  asked: Map<number, number>;
}

/**
 * The chain's pages for rows `first`…`last`, with counters as of step
 * `index`: asked of the worker when missing or when a step between the
 * page's and this one counted a packet in the chain, the older answer shown
 * meanwhile (a step's counters arrive a frame later, the rows never blink).
 * `view` is undefined until the worker first answers, null when the host has
 * no such chain.
 */
function useChainPages(log: WalkLog, host: string, ref: { table: string; chain: string } | null, index: number, first: number, last: number, page: ChainRulesProps['page']) {
  const key = `${host} ${ref?.table ?? ''} ${ref?.chain ?? ''}`;
  const cache = useRef<PageCache & { log: WalkLog }>({ key, log, pages: new Map(), asked: new Map() });
  const [, setVersion] = useState(0);
  if (cache.current.key !== key || cache.current.log !== log) cache.current = { key, log, pages: new Map(), asked: new Map() };
  const firstPage = Math.floor(first / PAGE);
  const lastPage = Math.max(firstPage, Math.floor(Math.max(first, last) / PAGE));
  useEffect(() => {
    if (!ref) return;
    const c = cache.current;
    const total = c.pages.get(0)?.page?.total;
    /** page `p` as the worker last answered it still holds as of this step */
    const current = (p: number) => {
      const had = c.pages.get(p);
      return had !== undefined && (had.asOf === index || !countedBetween(log, host, ref.table, ref.chain, had.asOf, index));
    };
    const ask = (p: number) => {
      if (current(p) || c.asked.get(p) === index) return;
      c.asked.set(p, index);
      page(ref.table as TableName, ref.chain, index, p * PAGE, PAGE).then(
        (got) => {
          if (cache.current !== c || c.asked.get(p) !== index) return;
          c.pages.set(p, { asOf: index, page: sharePage(c.pages.get(p)?.page, got) });
          setVersion((v) => v + 1);
        },
        () => c.asked.delete(p),
      );
    };
    for (let p = firstPage; p <= lastPage; p++) {
      if (total !== undefined && p * PAGE >= Math.max(total, 1)) break;
      ask(p);
    }
    // the first page also says what the chain is: asked for whatever is in view
    if (firstPage > 0) ask(0);
  });
  const head = cache.current.pages.get(0);
  const view = head === undefined ? undefined : head.page;
  const rowAt = (i: number): RuleData | null => {
    const p = cache.current.pages.get(Math.floor(i / PAGE))?.page;
    return p ? (p.rules[i - p.from] ?? null) : null;
  };
  return { view, rowAt };
}

/**
 * The explanation of the step at `index` (null: not a rule step here), keyed
 * by rule number. Each step is asked for once per log; answers for a step the
 * user has already left are kept for when they come back.
 */
function useExplanations(log: WalkLog, index: number | null, explain: (step: number) => Promise<RuleExplanation[]>): Map<number, RuleExplanation> {
  const cache = useRef<{ log: WalkLog; byStep: Map<number, Map<number, RuleExplanation>> }>({ log, byStep: new Map() });
  const [, setVersion] = useState(0);
  if (cache.current.log !== log) cache.current = { log, byStep: new Map() };
  useEffect(() => {
    if (index === null) return;
    const c = cache.current;
    if (c.byStep.has(index)) return;
    // mark as asked so a re-render does not ask again while the worker answers
    c.byStep.set(index, new Map());
    // no cancellation: the answer is cached for this log whoever asked
    explain(index).then(
      (items) => {
        c.byStep.set(index, new Map(items.map((x) => [x.num, x])));
        setVersion((v) => v + 1);
      },
      () => c.byStep.delete(index),
    );
  }, [log, index, explain]);
  return (index !== null ? cache.current.byStep.get(index) : undefined) ?? EMPTY;
}

const EMPTY: Map<number, RuleExplanation> = new Map();
