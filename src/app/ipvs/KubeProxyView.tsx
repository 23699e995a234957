// pattern: Imperative Shell
// kube-proxy's two modes side by side, for one Service with three
// endpoints: the node's walk of the same new connection in iptables mode
// (a chain of nat rules, then FORWARD) and in IPVS mode (INPUT, then IPVS at
// LOCAL_IN), stepped together; the flow graph of the mode chosen with the
// mode buttons; and the rules each mode examines per new connection as the
// cluster grows, as the engine measured them. It asks the page's engine
// worker, one cluster size at a time and cancellably: closing the view stops
// a measurement still running (the worker is started again with the page's
// lab, worker/client.ts).

import { lazy, memo, Suspense, useEffect, useId, useRef, useState } from 'react';
import type { EngineClient, CallOptions } from '../../worker/client';
import { EngineFailure, isEngineFailure } from '../../worker/failure';
import { useDeps } from '../shell/context';
import { translateNotice } from '../shell/notices';
import type { ScalingPoint } from '../../worker/protocol';
import type { WalkLog } from '../../engine/walk-log';
import type { KubeProxyMode } from '../../scenarios/kube-proxy';
import { grouped, KUBE_NODE, kubeCase, logHeight, logTop, nodeWalk, QUICK_SIZES, SCALING_SIZES, type NodeWalk } from './kube-view';
import { useIpvsT } from './t';
import { useT } from '../i18n/lang';
import { noteText } from '../shell/derive';
import type { Case } from '../../engine/scenario/case';

const FlowGraph = lazy(() => import('../graph/FlowGraph').then((m) => ({ default: m.FlowGraph })));

const MODES: readonly KubeProxyMode[] = ['iptables', 'ipvs'];

const btn =
  'rounded border border-slate-500 bg-white px-3 py-1 text-sm font-medium text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700 disabled:cursor-not-allowed disabled:text-slate-500';
const toggle =
  'rounded border px-3 py-1 text-base font-semibold focus:outline-2 focus:outline-offset-2 focus:outline-blue-700 border-slate-500 bg-white text-slate-900 hover:bg-slate-100 aria-pressed:border-teal-900 aria-pressed:bg-teal-700 aria-pressed:text-white aria-pressed:hover:bg-teal-800';

interface Loaded {
  logs: Partial<Record<KubeProxyMode, WalkLog>>;
  errors: string[];
}

const missingIn = (points: readonly ScalingPoint[], sizes: readonly number[]) => sizes.filter((n) => !points.some((p) => p.services === n));

/** One walk of a case in a lab of its own, closed after. */
async function walkOnce(client: EngineClient, caseJson: Case, opts: CallOptions): Promise<{ ok: true; log: WalkLog } | { ok: false; errors: string[] }> {
  const o = await client.open(caseJson, opts);
  if (!o.ok) return o;
  try {
    const r = await client.send(o.lab, null, false, opts);
    return r.ok ? { ok: true, log: r.log } : r;
  } finally {
    void client.close(o.lab).catch(() => undefined);
  }
}

export default function KubeProxyView({ onClose }: { onClose: () => void }) {
  const t = useIpvsT();
  const tApp = useT();
  const words = (n: Parameters<typeof noteText>[0]) => noteText(n, tApp);
  const id = useId();
  const { stores, client } = useDeps();
  // what the engine answered is kept for the page's life: closing and reopening does not measure 10,000 Services again
  const answered = stores.kube;
  const missing = (sizes: readonly number[]) => missingIn(answered.getState().points, sizes);
  const [loaded, setLoaded] = useState<Loaded>(() => ({ logs: { ...answered.getState().logs }, errors: [] }));
  const [points, setPoints] = useState<ScalingPoint[]>(() => [...answered.getState().points]);
  const [pending, setPending] = useState<number[]>(() => missing(SCALING_SIZES));
  const [started] = useState(() => Date.now());
  const [mode, setMode] = useState<KubeProxyMode>('iptables');
  const [k, setK] = useState(0);

  useEffect(() => {
    if (MODES.every((m) => answered.getState().logs[m]) && missing(SCALING_SIZES).length === 0) return;
    const stop = new AbortController();
    const opts = { signal: stop.signal };
    let alive = true;
    // the failure's sentence (translated when shown), never the worker's raw text
    const fail = (e: unknown) => alive && setLoaded((l) => ({ ...l, errors: [...l.errors, isEngineFailure(e) ? e.message : new EngineFailure('internal', String(e)).message] }));
    const measure = async (sizes: number[]) => {
      // one size a request: the page's own edits and walks wait for one size at most
      for (const size of sizes) {
        const got = await client.kubeScaling([size], opts);
        const points = [...answered.getState().points, ...got].sort((a, b) => a.services - b.services);
        answered.setState({ points });
        if (!alive) return;
        setPoints(points);
        setPending(missing(SCALING_SIZES));
      }
    };
    void (async () => {
      for (const m of MODES) {
        if (answered.getState().logs[m]) continue;
        const r = await walkOnce(client, kubeCase(m), opts);
        if (r.ok) answered.setState({ logs: { ...answered.getState().logs, [m]: r.log } });
        if (!alive) return;
        if (r.ok) setLoaded((l) => ({ ...l, logs: { ...l.logs, [m]: r.log } }));
        else setLoaded((l) => ({ ...l, errors: [...l.errors, ...r.errors] }));
      }
      // the quick sizes first, so the chart has numbers while 10,000 Services are measured
      await measure(missing(QUICK_SIZES));
      if (alive) await measure(missing(SCALING_SIZES));
    })().catch(fail);
    return () => {
      alive = false;
      // closing the view stops a measurement still running
      stop.abort();
    };
  }, []);

  const walks: Partial<Record<KubeProxyMode, NodeWalk | null>> = {
    iptables: loaded.logs.iptables ? nodeWalk(loaded.logs.iptables, t, words) : undefined,
    ipvs: loaded.logs.ipvs ? nodeWalk(loaded.logs.ipvs, t, words) : undefined,
  };
  const longest = Math.max(1, ...MODES.map((m) => walks[m]?.rows.length ?? 0));
  const at = Math.min(k, longest - 1);
  const chosenLog = loaded.logs[mode];
  const chosenWalk = walks[mode];
  const chosenRow = chosenWalk ? chosenWalk.rows[Math.min(at, chosenWalk.rows.length - 1)] : undefined;

  return (
    <section aria-labelledby={id} className="flex flex-col gap-3 rounded-lg border-2 border-teal-800 bg-white p-3">
      <div className="flex flex-wrap items-baseline gap-3">
        <h2 id={id} className="text-lg font-semibold text-slate-900">
          {t('kube.title')}
        </h2>
        <p className="max-w-[80ch] text-sm text-slate-700">{t('kube.intro')}</p>
        <button type="button" className={`${btn} ml-auto`} onClick={onClose}>
          {t('kube.close')}
        </button>
      </div>
      {loaded.errors.length > 0 && (
        <div role="alert" className="rounded border-2 border-red-700 bg-red-50 px-3 py-2 text-sm text-red-900">
          {loaded.errors.map((e, n) => (
            <p key={n}>{translateNotice(tApp, e)}</p>
          ))}
        </div>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <div role="group" aria-label={t('kube.modeGroup')} className="flex gap-1">
          {MODES.map((m) => (
            <button key={m} type="button" className={toggle} aria-pressed={mode === m} onClick={() => setMode(m)}>
              {t(m === 'iptables' ? 'kube.mode.iptables' : 'kube.mode.ipvs')}
            </button>
          ))}
        </div>
        <div role="group" aria-label={t('kube.stepGroup')} className="flex items-center gap-1">
          <button type="button" className={btn} disabled={at <= 0} onClick={() => setK(Math.max(0, at - 1))}>
            {t('kube.prev')}
          </button>
          <button type="button" className={btn} disabled={at >= longest - 1} onClick={() => setK(Math.min(longest - 1, at + 1))}>
            {t('kube.next')}
          </button>
          <span className="text-sm text-slate-700" aria-live="polite">
            {t('kube.stepOf', { n: at + 1, total: longest })}
          </span>
        </div>
      </div>
      <div className="grid gap-3 lg:grid-cols-2">
        {MODES.map((m) => (
          <WalkList key={m} mode={m} walk={walks[m]} at={at} chosen={mode === m} onPick={setK} />
        ))}
      </div>
      <div className="flex flex-col gap-1">
        <h3 className="text-base font-semibold text-slate-900">{t('kube.graphTitle', { mode: t(mode === 'iptables' ? 'kube.mode.iptables' : 'kube.mode.ipvs') })}</h3>
        <div className="overflow-x-auto">
          <div className="h-[clamp(360px,55vh,640px)] w-full min-w-[720px] overflow-hidden rounded-lg border border-slate-300 bg-white">
            {chosenLog && chosenRow ? (
              <Suspense fallback={<p className="p-3 text-sm text-slate-700">{t('kube.loadingGraph')}</p>}>
                {/* its box is small beside the two walks: the view keeps the names readable (11 px and up) and pans to the packet */}
                <FlowGraph log={chosenLog} index={chosenRow.i} host={KUBE_NODE} readableZoom={0.6} />
              </Suspense>
            ) : (
              <p className="p-3 text-sm text-slate-700">{t('kube.loadingWalks')}</p>
            )}
          </div>
        </div>
      </div>
      <ScalingChart points={points} pending={pending} started={started} />
    </section>
  );
}

const WalkList = memo(function WalkList({ mode, walk, at, chosen, onPick }: { mode: KubeProxyMode; walk: NodeWalk | null | undefined; at: number; chosen: boolean; onPick: (k: number) => void }) {
  const t = useIpvsT();
  const id = useId();
  const list = useRef<HTMLOListElement>(null);
  const name = t(mode === 'iptables' ? 'kube.walk.iptables' : 'kube.walk.ipvs');
  // keep the current row in view inside the list's own scroll box
  useEffect(() => {
    const row = list.current?.querySelector<HTMLElement>('[aria-current="step"]');
    const box = list.current;
    if (!row || !box) return;
    if (row.offsetTop < box.scrollTop || row.offsetTop + row.offsetHeight > box.scrollTop + box.clientHeight) box.scrollTop = row.offsetTop - box.clientHeight / 3;
  }, [at, walk]);
  return (
    <section aria-labelledby={id} className={`flex min-w-0 flex-col rounded-lg border ${chosen ? 'border-teal-700 ring-2 ring-teal-700' : 'border-slate-300'}`} data-mode={mode}>
      <div className="border-b border-slate-200 px-3 py-2">
        <h3 id={id} className="text-base font-semibold text-slate-900">
          {name}
        </h3>
        {walk ? (
          <p className="text-sm text-slate-800">
            {t('kube.walk.summary', { steps: walk.rows.length, rules: walk.packet.rulesExamined })}
          </p>
        ) : null}
      </div>
      {walk === undefined ? (
        <p className="px-3 py-2 text-sm text-slate-700">{t('kube.loadingWalks')}</p>
      ) : walk === null ? (
        <p className="px-3 py-2 text-sm text-slate-700">{t('kube.noWalk')}</p>
      ) : (
        <ol ref={list} className="relative max-h-[26rem] overflow-auto py-1 text-sm" aria-label={name}>
          {walk.rows.map((r, n) => {
            const here = n === Math.min(at, walk.rows.length - 1);
            return (
              <li key={r.i} aria-current={here ? 'step' : undefined} className={`flex gap-2 px-3 py-0.5 ${here ? 'bg-orange-100 font-semibold ring-2 ring-orange-600 ring-inset' : ''}`}>
                <button type="button" className="flex min-w-0 flex-1 gap-2 text-left focus:outline-2 focus:outline-blue-700" onClick={() => onPick(n)}>
                  <span className="w-6 shrink-0 text-right text-slate-600">{n + 1}</span>
                  <span className={`w-44 shrink-0 ${r.where.startsWith('IPVS') ? 'text-teal-900' : 'text-slate-900'}`}>{r.where}</span>
                  <span className="min-w-0 font-mono text-[13px] break-all text-slate-800">{r.what}</span>
                </button>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
});

const W = 720;
const H = 300;
const PAD = { left: 64, right: 16, top: 28, bottom: 48 };
const IPT = '#c2410c';
const VS = '#0f766e';

function ScalingChart({ points, pending, started }: { points: ScalingPoint[]; pending: number[]; started: number }) {
  const t = useIpvsT();
  const id = useId();
  const [table, setTable] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!pending.length) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [pending.length]);
  const top = logTop(points.flatMap((p) => [p.iptables, p.ipvs]).concat([10000]));
  const plotH = H - PAD.top - PAD.bottom;
  const groupW = (W - PAD.left - PAD.right) / SCALING_SIZES.length;
  const barW = Math.min(56, groupW / 3);
  const y = (v: number) => PAD.top + plotH * (1 - logHeight(v, top));
  const ticks: number[] = [];
  for (let v = 1; v <= top; v *= 10) ticks.push(v);
  const desc = points.length
    ? points.map((p) => t('kube.chart.descPoint', { n: grouped(p.services), iptables: grouped(p.iptables), ipvs: grouped(p.ipvs) })).join(' ')
    : t('kube.chart.measuring');
  const seconds = Math.max(0, Math.round((now - started) / 1000));
  return (
    <section aria-labelledby={`${id}-h`} className="flex flex-col gap-2">
      <div className="flex flex-wrap items-baseline gap-2">
        <h3 id={`${id}-h`} className="text-base font-semibold text-slate-900">
          {t('kube.chart.title')}
        </h3>
        <p className="text-sm text-slate-700">{t('kube.chart.subtitle')}</p>
        <button type="button" className={`${btn} ml-auto`} aria-expanded={table} aria-controls={table ? `${id}-table` : undefined} onClick={() => setTable(!table)}>
          {t(table ? 'kube.chart.hideTable' : 'kube.chart.showTable')}
        </button>
      </div>
      <div className="overflow-x-auto">
        <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full max-w-[56rem] min-w-[560px]" role="img" aria-labelledby={`${id}-t ${id}-d`}>
          <title id={`${id}-t`}>{t('kube.chart.title')}</title>
          <desc id={`${id}-d`}>{desc}</desc>
          {ticks.map((v) => (
            <g key={v}>
              <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} stroke="#cbd5e1" strokeWidth={1} />
              <text x={PAD.left - 8} y={y(v) + 5} textAnchor="end" fontSize={14} fill="#334155">
                {grouped(v)}
              </text>
            </g>
          ))}
          {SCALING_SIZES.map((n, g) => {
            const p = points.find((x) => x.services === n);
            const cx = PAD.left + groupW * g + groupW / 2;
            const waiting = pending.includes(n);
            return (
              <g key={n}>
                {p ? (
                  <>
                    {(
                      [
                        [p.iptables, IPT, cx - barW - 2],
                        [p.ipvs, VS, cx + 2],
                      ] as const
                    ).map(([v, colour, x]) => (
                      <g key={colour}>
                        <rect x={x} y={Math.min(y(v), PAD.top + plotH - 3)} width={barW} height={Math.max(3, PAD.top + plotH - y(v))} fill={colour} />
                        <text x={x + barW / 2} y={Math.min(y(v), PAD.top + plotH - 3) - 6} textAnchor="middle" fontSize={14} fontWeight={700} fill="#0f172a">
                          {grouped(v)}
                        </text>
                      </g>
                    ))}
                  </>
                ) : (
                  <text x={cx} y={PAD.top + plotH / 2} textAnchor="middle" fontSize={14} fill="#334155">
                    {waiting ? t('kube.chart.measuringShort') : ''}
                  </text>
                )}
                <text x={cx} y={H - PAD.bottom + 22} textAnchor="middle" fontSize={15} fill="#0f172a">
                  {t(n === 1 ? 'kube.chart.oneService' : 'kube.chart.services', { n: grouped(n) })}
                </text>
              </g>
            );
          })}
          <line x1={PAD.left} x2={W - PAD.right} y1={PAD.top + plotH} y2={PAD.top + plotH} stroke="#334155" strokeWidth={1.5} />
          <g>
            <rect x={PAD.left} y={H - 18} width={14} height={14} fill={IPT} />
            <text x={PAD.left + 20} y={H - 6} fontSize={14} fill="#0f172a">
              {t('kube.chart.legendIptables')}
            </text>
            <rect x={PAD.left + 300} y={H - 18} width={14} height={14} fill={VS} />
            <text x={PAD.left + 320} y={H - 6} fontSize={14} fill="#0f172a">
              {t('kube.chart.legendIpvs')}
            </text>
          </g>
        </svg>
      </div>
      {pending.length > 0 && (
        <div className="flex items-center gap-2 text-sm text-slate-800" role="status">
          <progress aria-label={t('kube.chart.progressLabel')} className="h-2 w-40" />
          <span>{t(points.length ? 'kube.chart.progressBig' : 'kube.chart.progressSmall', { s: seconds })}</span>
        </div>
      )}
      {table && (
        <table id={`${id}-table`} className="w-full max-w-[40rem] text-sm text-slate-900">
          <caption className="text-left text-sm text-slate-700">{t('kube.chart.caption')}</caption>
          <thead>
            <tr>
              <th scope="col" className="border-b border-slate-300 px-2 py-1 text-left">
                {t('kube.chart.col.services')}
              </th>
              <th scope="col" className="border-b border-slate-300 px-2 py-1 text-right">
                {t('kube.chart.col.iptables')}
              </th>
              <th scope="col" className="border-b border-slate-300 px-2 py-1 text-right">
                {t('kube.chart.col.ipvs')}
              </th>
            </tr>
          </thead>
          <tbody>
            {SCALING_SIZES.map((n) => {
              const p = points.find((x) => x.services === n);
              return (
                <tr key={n}>
                  <th scope="row" className="border-b border-slate-200 px-2 py-0.5 text-left font-normal">
                    {grouped(n)}
                  </th>
                  <td className="border-b border-slate-200 px-2 py-0.5 text-right font-mono">{p ? grouped(p.iptables) : t('kube.chart.pendingCell')}</td>
                  <td className="border-b border-slate-200 px-2 py-0.5 text-right font-mono">{p ? grouped(p.ipvs) : t('kube.chart.pendingCell')}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
