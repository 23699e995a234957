// pattern: Imperative Shell
// The rules of one chain as a windowed list: only the rows in view (plus a
// few spare) are in the DOM, every row has the same height, so 10,000 rules
// scroll as smoothly as 10. When the current step is in this chain, the rule
// that decided is marked and every rule before it says, clause by clause,
// why it did not match (asked from the worker once per step, then cached).

import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { RuleExplanation, RuleView, WalkLog } from '../../engine/walk-log';
import { clauseLines, findChain, formatBytes, formatCount, markedRow, parseChainRef, ruleBody, ruleStepIn, scrollToRow, windowRange } from './chain-data';
import { useT, type T } from '../i18n/lang';

export interface ChainRulesProps {
  log: WalkLog;
  index: number;
  host: string;
  /** 'filter FORWARD', or a user chain: 'nat DOCKER' */
  chain: string;
  /** the worker's explanation of a rule step (EngineClient.explain) */
  explain: (step: number) => Promise<RuleExplanation[]>;
}

/** Every row is this tall; the windowing arithmetic depends on it. */
export const RULE_ROW_H = 64;

type Row = { kind: 'rule'; rule: RuleView } | { kind: 'end'; policy: string | null; packets: number };

export function ChainRules({ log, index, host, chain, explain }: ChainRulesProps) {
  const view = useMemo(() => findChain(log, host, chain), [log, host, chain]);
  const ref = parseChainRef(chain);
  const step = ruleStepIn(log.steps[index], host, chain);
  const marked = markedRow(step);
  const explanations = useExplanations(log, step ? index : null, explain);
  const t = useT();
  const rulesText = (n: number) => t(n === 1 ? 'graph.rule' : 'graph.rules', { n: formatCount(n) });
  const words = { matched: t('rules.matched'), notMatched: t('rules.notMatched') };

  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(480);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    setViewport(el.clientHeight);
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const count = view ? view.rules.length + 1 : 0;
  const markedIndex = marked === null || !view ? null : marked === 'policy' ? view.rules.length : marked - 1;
  // bring the deciding rule into view when the step (not the scroll) changes
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || markedIndex === null) return;
    const next = scrollToRow(markedIndex, el.scrollTop, el.clientHeight || viewport, RULE_ROW_H);
    if (next !== el.scrollTop) {
      el.scrollTop = next;
      setScrollTop(next);
    }
    // viewport is deliberately left out: resizing must not yank the list back
  }, [markedIndex, chain, host, log]);

  const { first, last } = windowRange(scrollTop, viewport, RULE_ROW_H, count);
  const rows: { i: number; row: Row }[] = [];
  if (view) {
    for (let i = first; i <= last; i++) {
      const rule = view.rules[i];
      rows.push({ i, row: rule ? { kind: 'rule', rule } : { kind: 'end', policy: view.policy, packets: view.policyPackets } });
    }
  }

  return (
    <section aria-label={t('rules.aria', { chain })} className="flex h-full min-h-[240px] flex-col gap-2 bg-white p-2">
      <p className="text-lg text-slate-900">
        <strong className="font-bold">{chain}</strong> {t('rules.on')} <strong className="font-semibold">{host}</strong>
        {view ? (
          <span className="text-slate-700">
            {' '}
            · {rulesText(view.rules.length)}
            {view.policy ? ` · ${t('graph.policy', { policy: view.policy })}` : ''}
          </span>
        ) : null}
      </p>
      {!view ? (
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
            aria-label={t('rules.listAria', { chain, rules: rulesText(view.rules.length) })}
            tabIndex={0}
            onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
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
                  lines={row.kind === 'rule' && markedIndex !== null && i <= markedIndex ? clauseLines(explanations.get(row.rule.num), words) : []}
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
      data-rule={row.kind === 'rule' ? row.rule.num : 'end'}
      style={{ top: i * RULE_ROW_H, height: RULE_ROW_H }}
      className={[
        'absolute right-0 left-0 grid grid-cols-[3.5rem_1fr_8.5rem_8rem] items-center gap-2 border-b border-slate-200 px-2',
        marked ? 'border-l-8 border-l-orange-600 bg-orange-50' : row.kind === 'end' ? 'bg-slate-100' : i % 2 ? 'bg-slate-50' : 'bg-white',
      ].join(' ')}
    >
      <span className="text-base font-semibold text-slate-800 tabular-nums">
        {marked ? '▶ ' : ''}
        {row.kind === 'rule' ? row.rule.num : ''}
      </span>
      <span className="min-w-0">
        {row.kind === 'rule' ? (
          <span className="block truncate font-mono text-[15px] text-slate-900" title={row.rule.text}>
            {ruleBody(row.rule.text, chain)}
          </span>
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
      <span className="truncate font-mono text-[15px] font-semibold text-slate-900">{row.kind === 'rule' ? (row.rule.target ?? '—') : (row.policy ?? 'RETURN')}</span>
      <span className="text-right text-[14px] text-slate-800 tabular-nums">
        {row.kind === 'rule' ? `${formatCount(row.rule.packets)} · ${formatBytes(row.rule.bytes)}` : t('rules.policyPkts', { n: formatCount(row.packets) })}
      </span>
    </div>
  );
});

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
