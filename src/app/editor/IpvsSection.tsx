// pattern: Imperative Shell
// The Configuration region's IPVS section: the host's virtual services and
// real servers (in the kernel's list order: `ipvsadm -a` inserts at the
// head), forms to add, edit and delete them and to set `net.ipv4.vs.*`,
// each showing the ipvsadm / sysctl command it will run through the same
// editing session as the console. What the host has is the lab's host view.

import { memo, useState } from 'react';
import type { VirtualServiceView } from '../../engine/lab/views';
import { DEFAULT_IPVS_SYSCTL } from '../../vocabulary/ipvs';
import {
  emptyServerForm,
  emptyServiceForm,
  FORWARD_METHODS,
  ipvsDeleteServerCommand,
  ipvsDeleteServiceCommand,
  ipvsServerCommand,
  ipvsServiceCommand,
  ipvsSysctlCommand,
  SCHED_FLAGS,
  SCHEDULERS,
  serviceName,
  type FwdSwitch,
  type ServerForm,
  type ServiceForm,
  type ServiceRef,
} from '../ipvs/ipvsadm-builders';
import { useIpvsT, type IpvsKey } from '../ipvs/t';
import { useHostView } from './lab-views';
import { applyTexts } from './session';
import { Check, CommandPreview, DiagnosticList, Field, inputCls, monoInputCls, smallBtnCls, useSession, type RunState } from './ui';

const listCls = 'flex flex-col rounded border border-slate-300';
const rowCls = 'flex flex-wrap items-center gap-2 border-b border-slate-200 px-2 py-1 last:border-b-0';
const groupCls = 'rounded border border-slate-300 px-2 py-1.5';
const legendCls = 'px-1 text-sm font-semibold text-slate-900';

const METHOD_KEY: Record<FwdSwitch, IpvsKey> = { '-g': 'ipvs.form.method.g', '-i': 'ipvs.form.method.i', '-m': 'ipvs.form.method.m' };
const METHOD_OF: Record<string, FwdSwitch> = { route: '-g', tunnel: '-i', masq: '-m' };

const NO_SERVICES: VirtualServiceView[] = [];

function refOf(svc: VirtualServiceView): ServiceRef {
  if (svc.fwmark !== null) return { kind: 'fwmark', address: '', fwmark: String(svc.fwmark) };
  return { kind: svc.protocol === 'udp' ? 'udp' : 'tcp', address: `${svc.addr}:${svc.port}`, fwmark: '' };
}

/** The edit form filled with what a service has now (only the -b flags the form offers for its scheduler). */
function formOf(svc: VirtualServiceView): ServiceForm {
  const offered = SCHED_FLAGS[svc.scheduler] ?? [];
  const flags = svc.schedFlags.filter((f) => offered.includes(f));
  const persistent = svc.persistent !== null;
  const mask = svc.netmask ?? '255.255.255.255';
  return { ...refOf(svc), op: 'edit', scheduler: svc.scheduler, flags, persistent, timeout: persistent ? String(svc.persistent) : '', netmask: persistent && mask !== '255.255.255.255' ? mask : '' };
}

/** A Delete button's command, run at once, with its outcome. */
function useQuick(host: string): [(cmd: string) => void, RunState] {
  const session = useSession();
  const [state, setState] = useState<RunState>({ kind: 'idle' });
  const run = (cmd: string) => {
    setState({ kind: 'running' });
    void applyTexts(session, host, [cmd]).then((r) => setState(r.ok ? { kind: 'done', note: cmd } : { kind: 'error', text: cmd, diagnostics: r.diagnostics }));
  };
  return [run, state];
}

export const IpvsSection = memo(function IpvsSection({ host }: { host: string }) {
  const t = useIpvsT();
  const view = useHostView(host);
  const services = view?.ipvs ?? NO_SERVICES;
  const sysctls = view?.ipvsSysctls ?? [];
  const [svcForm, setSvcForm] = useState<ServiceForm>(emptyServiceForm());
  const [srvForm, setSrvForm] = useState<ServerForm>(emptyServerForm());
  const [target, setTarget] = useState(0);
  const [quick, quickState] = useQuick(host);
  const [sysKey, setSysKey] = useState('conntrack');
  const [sysValue, setSysValue] = useState('1');
  const svc = (p: Partial<ServiceForm>) => setSvcForm({ ...svcForm, ...p });
  const srv = (p: Partial<ServerForm>) => setSrvForm({ ...srvForm, ...p });
  const targetSvc = services[Math.min(target, services.length - 1)];
  const flagChoices = SCHED_FLAGS[svcForm.scheduler] ?? [];
  const serviceText = (s: VirtualServiceView) => `${serviceName(refOf(s))} ${s.scheduler}`;

  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-slate-700">{t('ipvs.form.intro')}</p>
      <ul className={listCls} aria-label={t('ipvs.form.listLabel', { host })}>
        {services.length === 0 && <li className={rowCls}>{t('ipvs.form.none')}</li>}
        {services.map((s, k) => {
          const ref = refOf(s);
          const name = serviceName(ref);
          const dests = s.servers;
          return (
            <li key={s.name} className="flex flex-col border-b border-slate-200 px-2 py-1 last:border-b-0">
              <div className="flex flex-wrap items-center gap-2">
                <code className="flex-1 text-[13px] font-semibold">{ipvsServiceCommand(formOf(s)).replace(/^ipvsadm -E /, '')}</code>
                <button type="button" className={smallBtnCls} aria-label={t('ipvs.form.editService', { service: name })} onClick={() => setSvcForm(formOf(s))}>
                  {t('ipvs.form.edit')}
                </button>
                <button type="button" className={smallBtnCls} aria-label={t('ipvs.form.deleteService', { service: name })} onClick={() => quick(ipvsDeleteServiceCommand(ref))}>
                  {t('ipvs.form.delete')}
                </button>
              </div>
              <ol className="ml-4 flex flex-col" aria-label={t('ipvs.form.serversLabel', { service: name })}>
                {dests.length === 0 && <li className="text-sm text-slate-700">{t('ipvs.form.noServers')}</li>}
                {dests.map((d, n) => {
                  const server = `${d.addr}:${d.port}`;
                  const method = METHOD_OF[d.method] ?? '-g';
                  return (
                    <li key={d.id} className="flex flex-wrap items-center gap-2 py-0.5">
                      <span className="w-6 text-right text-xs text-slate-600">{n + 1}</span>
                      <code className="flex-1 text-[13px]">
                        -r {server} {method} -w {d.weight}
                        {d.uThreshold ? ` -x ${d.uThreshold}` : ''}
                        {d.lThreshold ? ` -y ${d.lThreshold}` : ''}
                      </code>
                      <button
                        type="button"
                        className={smallBtnCls}
                        aria-label={t('ipvs.form.editServer', { server, service: name })}
                        onClick={() => {
                          setTarget(k);
                          setSrvForm({ op: 'edit', server, method, weight: String(d.weight), upper: d.uThreshold ? String(d.uThreshold) : '', lower: d.lThreshold ? String(d.lThreshold) : '' });
                        }}
                      >
                        {t('ipvs.form.edit')}
                      </button>
                      <button type="button" className={smallBtnCls} aria-label={t('ipvs.form.deleteServer', { server, service: name })} onClick={() => quick(ipvsDeleteServerCommand(ref, server))}>
                        {t('ipvs.form.delete')}
                      </button>
                    </li>
                  );
                })}
              </ol>
            </li>
          );
        })}
      </ul>
      {services.length > 0 && <p className="text-xs text-slate-700">{t('ipvs.form.order')}</p>}
      <p role="status" className="text-sm text-emerald-800">
        {quickState.kind === 'done' ? t('ipvs.form.ran', { command: quickState.note }) : quickState.kind === 'running' ? t('ipvs.form.applying') : ''}
      </p>
      {quickState.kind === 'error' && (
        <div role="alert">
          <DiagnosticList text={quickState.text} diagnostics={quickState.diagnostics} />
        </div>
      )}

      <fieldset className={groupCls}>
        <legend className={legendCls}>{t('ipvs.form.serviceLegend')}</legend>
        <div className="flex flex-wrap items-end gap-2">
          <Field label={t('ipvs.form.svcOp')}>
            {(id) => (
              <select id={id} className={inputCls} value={svcForm.op} onChange={(e) => svc({ op: e.target.value as ServiceForm['op'] })}>
                <option value="add">{t('ipvs.form.op.addService')}</option>
                <option value="edit">{t('ipvs.form.op.editService')}</option>
              </select>
            )}
          </Field>
          <Field label={t('ipvs.form.svcKind')}>
            {(id) => (
              <select id={id} className={inputCls} value={svcForm.kind} onChange={(e) => svc({ kind: e.target.value as ServiceForm['kind'] })}>
                <option value="tcp">TCP (-t)</option>
                <option value="udp">UDP (-u)</option>
                <option value="fwmark">fwmark (-f)</option>
              </select>
            )}
          </Field>
          {svcForm.kind === 'fwmark' ? (
            <Field label={t('ipvs.form.fwmark')}>{(id) => <input id={id} className={`${monoInputCls} w-20`} value={svcForm.fwmark} placeholder="1" onChange={(e) => svc({ fwmark: e.target.value })} />}</Field>
          ) : (
            <Field label={t('ipvs.form.vip')}>{(id) => <input id={id} className={`${monoInputCls} w-40`} value={svcForm.address} placeholder="10.0.0.100:80" onChange={(e) => svc({ address: e.target.value })} />}</Field>
          )}
          <Field label={t('ipvs.form.scheduler')}>
            {(id) => (
              <select id={id} className={inputCls} value={svcForm.scheduler} onChange={(e) => svc({ scheduler: e.target.value })}>
                {SCHEDULERS.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {flagChoices.map((f) => (
            <Check key={f} label={f} checked={svcForm.flags.includes(f)} onChange={(v) => svc({ flags: v ? [...svcForm.flags, f] : svcForm.flags.filter((x) => x !== f) })} />
          ))}
          <Check label={t('ipvs.form.persistent')} checked={svcForm.persistent} onChange={(v) => svc({ persistent: v })} />
          {svcForm.persistent && (
            <>
              <Field label={t('ipvs.form.timeout')}>{(id) => <input id={id} className={`${inputCls} w-24`} inputMode="numeric" value={svcForm.timeout} placeholder="360" onChange={(e) => svc({ timeout: e.target.value })} />}</Field>
              <Field label={t('ipvs.form.netmask')}>{(id) => <input id={id} className={`${monoInputCls} w-36`} value={svcForm.netmask} placeholder="255.255.255.255" onChange={(e) => svc({ netmask: e.target.value })} />}</Field>
            </>
          )}
        </div>
        <CommandPreview
          commands={[ipvsServiceCommand(svcForm)]}
          host={host}
          label={t(svcForm.op === 'edit' ? 'ipvs.form.saveService' : 'ipvs.form.addService')}
          disabled={svcForm.kind === 'fwmark' ? !svcForm.fwmark.trim() : !svcForm.address.trim()}
        />
      </fieldset>

      <fieldset className={groupCls}>
        <legend className={legendCls}>{t('ipvs.form.serverLegend')}</legend>
        {services.length === 0 ? (
          <p className="text-sm text-slate-700">{t('ipvs.form.needService')}</p>
        ) : (
          <>
            <div className="flex flex-wrap items-end gap-2">
              <Field label={t('ipvs.form.srvOp')}>
                {(id) => (
                  <select id={id} className={inputCls} value={srvForm.op} onChange={(e) => srv({ op: e.target.value as ServerForm['op'] })}>
                    <option value="add">{t('ipvs.form.op.addServer')}</option>
                    <option value="edit">{t('ipvs.form.op.editServer')}</option>
                  </select>
                )}
              </Field>
              <Field label={t('ipvs.form.ofService')}>
                {(id) => (
                  <select id={id} className={inputCls} value={String(Math.min(target, services.length - 1))} onChange={(e) => setTarget(Number(e.target.value))}>
                    {services.map((s, k) => (
                      <option key={s.name} value={k}>
                        {serviceText(s)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t('ipvs.form.server')}>{(id) => <input id={id} className={`${monoInputCls} w-40`} value={srvForm.server} placeholder="192.168.1.11:80" onChange={(e) => srv({ server: e.target.value })} />}</Field>
              <Field label={t('ipvs.form.method')}>
                {(id) => (
                  <select id={id} className={inputCls} value={srvForm.method} onChange={(e) => srv({ method: e.target.value as FwdSwitch })}>
                    {FORWARD_METHODS.map((m) => (
                      <option key={m} value={m}>
                        {t(METHOD_KEY[m])}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label={t('ipvs.form.weight')}>{(id) => <input id={id} className={`${inputCls} w-20`} inputMode="numeric" value={srvForm.weight} onChange={(e) => srv({ weight: e.target.value })} />}</Field>
              <Field label={t('ipvs.form.upper')}>{(id) => <input id={id} className={`${inputCls} w-20`} inputMode="numeric" value={srvForm.upper} placeholder="0" onChange={(e) => srv({ upper: e.target.value })} />}</Field>
              <Field label={t('ipvs.form.lower')}>{(id) => <input id={id} className={`${inputCls} w-20`} inputMode="numeric" value={srvForm.lower} placeholder="0" onChange={(e) => srv({ lower: e.target.value })} />}</Field>
            </div>
            {targetSvc && (
              <CommandPreview
                commands={[ipvsServerCommand(refOf(targetSvc), srvForm)]}
                host={host}
                label={t(srvForm.op === 'edit' ? 'ipvs.form.saveServer' : 'ipvs.form.addServer')}
                disabled={!srvForm.server.trim()}
              />
            )}
          </>
        )}
      </fieldset>

      <fieldset className={groupCls}>
        <legend className={legendCls}>{t('ipvs.form.sysctlLegend')}</legend>
        <ul className="flex flex-wrap gap-2 text-sm" aria-label={t('ipvs.form.sysctlList', { host })}>
          {sysctls.length === 0 && <li className="text-slate-700">{t('ipvs.form.sysctlDefaults')}</li>}
          {sysctls.map(({ key, value }) => (
            <li key={key} className="rounded bg-slate-100 px-1.5 font-mono">
              {key} = {value}
            </li>
          ))}
        </ul>
        <div className="mt-1 flex flex-wrap items-end gap-2">
          <Field label={t('ipvs.form.sysctlKey')}>
            {(id) => (
              <select id={id} className={inputCls} value={sysKey} onChange={(e) => setSysKey(e.target.value)}>
                {Object.keys(DEFAULT_IPVS_SYSCTL).map((k) => (
                  <option key={k} value={k}>
                    net.ipv4.vs.{k}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('ipvs.form.sysctlValue')}>{(id) => <input id={id} className={`${monoInputCls} w-24`} value={sysValue} onChange={(e) => setSysValue(e.target.value)} />}</Field>
          <span className="pb-1 text-sm text-slate-700">{t('ipvs.form.sysctlDefault', { value: String(DEFAULT_IPVS_SYSCTL[sysKey as keyof typeof DEFAULT_IPVS_SYSCTL] ?? '') })}</span>
        </div>
        <CommandPreview commands={[ipvsSysctlCommand(sysKey, sysValue)]} host={host} disabled={!sysValue.trim()} />
      </fieldset>
    </div>
  );
});
