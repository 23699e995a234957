// pattern: Imperative Shell
// The IPVS region: `ipvsadm -Ln` as the current packet found IPVS (or left
// it, once its IPVS note has passed), each scheduler's state as a small
// table, the server IPVS chose at an IPVS step, and the connection table
// (`ipvsadm -Lnc`) changing step by step. Loaded lazily: only scenarios with
// virtual services ever show it.

import { memo, useDeferredValue, useId, useState } from 'react';
import { useStore } from 'zustand';
import { useDeps } from '../shell/context';
import { currentStep, shownHost } from '../state/walk-store';
import { paintedStore, selectPaintedHost } from '../state/painted-step';
import { usePanelStep } from '../panels/usePanelStep';
import { Panel } from '../panels/Panel';
import { ipvsAt, ipvsHosts, noteSentence, type SchedulerSummary } from './ipvs-view';
import { useIpvsT } from './t';

const th = 'border-b border-slate-300 px-2 py-1 text-left font-semibold whitespace-nowrap';
const td = 'border-b border-slate-200 px-2 py-0.5 whitespace-nowrap';

/** Eight colours a projector keeps apart, for the servers of a bucket table. */
const SERVER_COLOURS = ['#0f766e', '#b45309', '#6d28d9', '#be123c', '#1d4ed8', '#4d7c0f', '#a21caf', '#334155'];

export default memo(function IpvsPanel() {
  const { stores } = useDeps();
  const t = useIpvsT();
  // a background render behind the flow graph's, like the step panels (usePanelStep); the host choice with it
  const { log, index } = usePanelStep();
  const chosen = useDeferredValue(useStore(paintedStore(stores), selectPaintedHost));
  const hosts = ipvsHosts(log);
  const shown = shownHost(log, index, chosen);
  const [picked, setPicked] = useState<string | null>(null);
  const host = picked !== null && hosts.includes(picked) ? picked : shown !== null && hosts.includes(shown) ? shown : (hosts[0] ?? null);
  if (!log || !host) return null;
  const moment = ipvsAt(log, Math.max(0, index), host);
  if (!moment) return null;
  const step = currentStep(log, index);
  const note = moment.note;
  const { header, services, connections: conns, schedulers: summaries } = moment.snapshot;
  const chosenServer = note && note.action === 'xmit' ? note.server : null;
  const chosenService = note?.service ?? null;
  const headers = step && step.host === host ? step.headers : null;
  const mine = (source: string) => headers !== null && headers.sport !== undefined && (source === `${headers.src}:${headers.sport}` || source === `${headers.dst}:${headers.dport}`);
  const whenKey = moment.when === 'before' ? 'ipvs.when.before' : moment.when === 'after' ? 'ipvs.when.after' : moment.when === 'idle' ? 'ipvs.when.idle' : 'ipvs.when.start';
  return (
    <Panel
      title={t('ipvs.title')}
      actions={
        hosts.length > 1 ? (
          <div role="group" aria-label={t('ipvs.hostGroup')} className="flex flex-wrap gap-1">
            {hosts.map((h) => (
              <button key={h} type="button" aria-pressed={h === host} onClick={() => setPicked(h)} className="rounded border border-slate-400 px-2 py-0.5 text-sm aria-pressed:border-teal-800 aria-pressed:bg-teal-700 aria-pressed:text-white">
                {h}
              </button>
            ))}
          </div>
        ) : null
      }
    >
      <div className="flex flex-col gap-3" data-ipvs-host={host}>
        <p className="text-sm text-slate-700">{t(whenKey, { host })}</p>
        <p className="text-sm text-slate-700" data-testid="ipvs-provenance">
          {t('ipvs.provenance')}
        </p>
        {note ? (
          <p className="rounded border-l-4 border-teal-700 bg-teal-50 px-2 py-1 text-base text-slate-900" data-testid="ipvs-note">
            {note.service ? <span className="font-mono font-semibold">{note.service}: </span> : null}
            <strong>{noteSentence(t, note)}</strong>
            {note.state ? <span className="text-slate-700"> · {note.state}</span> : null}
          </p>
        ) : null}
        <div className="grid gap-3 xl:grid-cols-2">
          <div className="flex min-w-0 flex-col gap-3">
            <section aria-label={t('ipvs.list.label')} className="min-w-0">
              <h3 className="text-sm font-semibold text-slate-900">
                <code>ipvsadm -Ln</code>
              </h3>
              <pre className="mt-1 overflow-x-auto rounded bg-slate-50 p-2 font-mono text-[13px] leading-5 text-slate-900">
                {header.map((l, k) => (
                  <span key={`h${k}`} className="block">
                    {l}
                  </span>
                ))}
                {services.map((svc) => (
                  <span key={svc.line} className="block">
                    <span className="block font-semibold">{svc.line}</span>
                    {svc.servers.map((s) => {
                      const hit = chosenServer === s.server && (chosenService === null || chosenService === svc.name);
                      return (
                        <span key={s.line} className={`block ${hit ? 'bg-amber-200 font-semibold ring-2 ring-amber-600' : ''}`} data-chosen={hit ? 'true' : undefined}>
                          {s.line}
                          {hit ? <span className="font-sans text-amber-950">{`  ← ${t('ipvs.chosen')}`}</span> : null}
                        </span>
                      );
                    })}
                  </span>
                ))}
              </pre>
            </section>
            {summaries.map((s) => (
              <SchedulerState key={s.service} s={s} chosen={chosenServer !== null && (chosenService === null || chosenService === s.service) ? chosenServer : null} />
            ))}
          </div>
          <section aria-label={t('ipvs.conns.label')} className="min-w-0">
            <h3 className="text-sm font-semibold text-slate-900">
              <code>ipvsadm -Lnc</code> <span className="font-normal text-slate-700">{conns.length === 1 ? t('ipvs.conns.one') : t('ipvs.conns.count', { n: conns.length })}</span>
            </h3>
            {conns.length === 0 ? (
              <p className="mt-1 text-sm text-slate-700">{t('ipvs.conns.none')}</p>
            ) : (
              <div className="mt-1 overflow-x-auto">
                <table className="font-mono text-[13px] text-slate-900">
                  <thead>
                    <tr>
                      <th className={th} scope="col">pro</th>
                      <th className={th} scope="col">expire</th>
                      <th className={th} scope="col">state</th>
                      <th className={th} scope="col">source</th>
                      <th className={th} scope="col">virtual</th>
                      <th className={th} scope="col">destination</th>
                    </tr>
                  </thead>
                  <tbody>
                    {conns.map((c, k) => {
                      const here = mine(c.source);
                      return (
                        <tr key={k} className={here ? 'bg-amber-100' : ''} aria-current={here ? 'true' : undefined}>
                          <td className={td}>{c.pro}</td>
                          <td className={td}>{c.expire}</td>
                          <td className={td}>{c.state}</td>
                          <td className={td}>{c.source}</td>
                          <td className={td}>{c.virtual}</td>
                          <td className={td}>{c.destination}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </div>
      </div>
    </Panel>
  );
});

function SchedulerState({ s, chosen }: { s: SchedulerSummary; chosen: string | null }) {
  const t = useIpvsT();
  const id = useId();
  const load = ['lc', 'wlc', 'sed', 'nq', 'lblc', 'lblcr', 'twos', 'ovf', 'fo'].includes(s.scheduler);
  const slots = s.rows.some((r) => r.slots !== null);
  return (
    <section aria-labelledby={id} className="min-w-0">
      <h3 id={id} className="text-sm font-semibold text-slate-900">
        {t('ipvs.sched.title', { scheduler: s.scheduler, service: s.service })}
      </h3>
      <p className="text-sm text-slate-800">
        {s.wrr ? t('ipvs.sched.wrr', { cw: s.wrr.cw, mw: s.wrr.mw, di: s.wrr.di, server: s.wrr.server ?? t('ipvs.sched.head') }) : null}
        {s.rrAtHead !== null ? (s.rrAtHead ? t('ipvs.sched.rrHead') : t('ipvs.sched.rr', { server: s.rows.find((r) => r.pointer)?.server ?? '?' })) : null}
        {s.mh ? t('ipvs.sched.mh', { size: s.mh.size, gcd: s.mh.gcd, rshift: s.mh.rshift }) : null}
        {s.buckets ? t('ipvs.sched.buckets', { n: s.buckets.length }) : null}
        {load ? t('ipvs.sched.load') : null}
      </p>
      {s.approximation ? <p className="text-xs text-slate-700">{s.approximation}</p> : null}
      <div className="mt-1 overflow-x-auto">
        <table className="text-sm text-slate-900" aria-label={t('ipvs.sched.tableLabel', { service: s.service })}>
          <thead>
            <tr>
              <th className={th} scope="col">{t('ipvs.sched.col.position')}</th>
              <th className={th} scope="col">{t('ipvs.sched.col.server')}</th>
              <th className={th} scope="col">{t('ipvs.sched.col.weight')}</th>
              <th className={th} scope="col">ActiveConn</th>
              <th className={th} scope="col">InActConn</th>
              {load && <th className={th} scope="col">{t('ipvs.sched.col.load')}</th>}
              {slots && <th className={th} scope="col">{t(s.mh ? 'ipvs.sched.col.slots' : 'ipvs.sched.col.buckets')}</th>}
              <th className={th} scope="col">{t('ipvs.sched.col.usable')}</th>
            </tr>
          </thead>
          <tbody>
            {s.rows.map((r) => {
              const hit = chosen === r.server;
              const marker = r.pointer ? t('ipvs.sched.pointer') : s.wrr?.server === r.server ? t('ipvs.sched.position') : '';
              return (
                <tr key={r.id} className={hit ? 'bg-amber-200 font-semibold' : r.pointer || (s.wrr && s.wrr.server === r.server) ? 'bg-teal-50' : ''} data-server={r.server} data-chosen={hit ? 'true' : undefined}>
                  <td className={td}>{r.position}</td>
                  <td className={`${td} font-mono`}>
                    {r.server}
                    {marker ? <span className="ml-1 font-sans text-xs text-teal-900">{marker}</span> : null}
                    {hit ? <span className="ml-1 font-sans text-xs text-amber-950">{t('ipvs.chosen')}</span> : null}
                  </td>
                  <td className={td}>{r.weight}</td>
                  <td className={td}>{r.active}</td>
                  <td className={td}>{r.inactive}</td>
                  {load && <td className={td}>{r.overhead}</td>}
                  {slots && <td className={td}>{r.slots}</td>}
                  <td className={td}>{r.usable ? t('ipvs.yes') : t('ipvs.no')}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {s.buckets ? <BucketGrid buckets={s.buckets} rows={s.rows.map((r) => r.server)} /> : null}
      {s.mh ? (
        <p className="mt-1 font-mono text-xs text-slate-800">
          {s.mh.setup.map((x) => `${x.server}: offset ${x.offset}, skip ${x.skip}, turns ${x.turns}`).join(' · ')}
        </p>
      ) : null}
    </section>
  );
}

/** 256 buckets as a 32×8 strip of colours, one per server; the table above has the counts in words. */
function BucketGrid({ buckets, rows }: { buckets: number[]; rows: string[] }) {
  const t = useIpvsT();
  return (
    <div className="mt-1 flex flex-col gap-1">
      <svg viewBox="0 0 320 80" className="h-16 w-full max-w-[24rem]" aria-hidden="true">
        {buckets.map((r, k) => (
          <rect key={k} x={(k % 32) * 10} y={Math.floor(k / 32) * 10} width={9} height={9} fill={r < 0 ? '#e2e8f0' : SERVER_COLOURS[r % SERVER_COLOURS.length]} />
        ))}
      </svg>
      <ul className="flex flex-wrap gap-x-3 text-xs text-slate-800" aria-label={t('ipvs.sched.legend')}>
        {rows.map((s, k) => (
          <li key={s} className="inline-flex items-center gap-1">
            <span aria-hidden="true" className="inline-block h-3 w-3" style={{ background: SERVER_COLOURS[k % SERVER_COLOURS.length] }} />
            <span className="font-mono">{s}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
