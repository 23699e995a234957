// pattern: Imperative Shell
// The Configuration region's forms besides iptables: the lab (hosts and
// links), interfaces and addresses, routes, ip rules, sysctls, listeners.
// Host-level forms build the command one would type (shown live) and run it
// through the engine, and list what the host holds from the lab's host view;
// lab-level forms change the case file itself.

import { memo, useState, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { DEVCONF_DEFAULTS, GLOBAL_SYSCTL_DEFAULTS, sysctlDefault } from '../../vocabulary/sysctl';
import { useDeps } from '../shell/context';
import { selectLog, selectScenario } from '../state/walk-store';
import {
  emptyIpRuleForm,
  emptyRouteForm,
  ipAddrCommand,
  ipLinkCommand,
  ipRouteCommand,
  ipRouteDeleteCommand,
  ipRuleCommand,
  ipRuleDeleteCommand,
  ROUTE_TYPES,
  RULE_ACTIONS,
  sysctlCommand,
  type IpRuleForm,
  type LinkForm,
  type RouteForm,
} from './builders';
import { addHost, addLink, addListener, deleteHost, deleteLink, deleteListener, deleteRtTable, hostNames, linkIfaces, links, listeners, renameHost, rtTables, setRtTable, type OpResult } from './scenario-ops';
import type { Case } from '../../engine/scenario/case';
import { applyCaseOp, applyTexts } from './session';
import { Check, CommandPreview, DiagnosticList, Field, inputCls, monoInputCls, OpStatus, primaryCls, smallBtnCls, useSession, type RunState } from './ui';
import { useHostView } from './lab-views';
import { useT } from '../i18n/lang';
import { NeighFormView } from './NeighForm';
import { NetnsFormFields } from './NetnsForm';
import { VlanFormFields } from './VlanForm';
import { TunnelForm } from './TunnelForm';
import { QdiscFormView } from './QdiscForm';

function useScenario(): Case {
  const { stores } = useDeps();
  return useStore(stores.scenario, selectScenario);
}

/** A lab-level change with its result line. */
function useCaseOp(): [(op: (c: Case) => OpResult) => Promise<boolean>, { ok: boolean; message?: string } | null] {
  const session = useSession();
  const [result, setResult] = useState<{ ok: boolean; message?: string } | null>(null);
  const run = async (op: (c: Case) => OpResult) => {
    const r = await applyCaseOp(session, op);
    setResult(r);
    return r.ok;
  };
  return [run, result];
}

/** Run a one-off command (a Delete button) and show its outcome. */
function useQuickCommand(host: string): [(cmd: string, note: string) => void, ReactNode] {
  const session = useSession();
  const [state, setState] = useState<RunState>({ kind: 'idle' });
  const t = useT();
  const run = (cmd: string, note: string) => {
    setState({ kind: 'running' });
    void applyTexts(session, host, [cmd]).then((r) => setState(r.ok ? { kind: 'done', note } : { kind: 'error', text: cmd, diagnostics: r.diagnostics }));
  };
  const view = (
    <>
      <p role="status" className="text-sm text-emerald-800">
        {state.kind === 'done' ? state.note : state.kind === 'running' ? t('cmd.applying') : ''}
      </p>
      {state.kind === 'error' && (
        <div role="alert">
          <DiagnosticList text={state.text} diagnostics={state.diagnostics} />
        </div>
      )}
    </>
  );
  return [run, view];
}

const listCls = 'flex flex-col rounded border border-slate-300';
const rowCls = 'flex flex-wrap items-center gap-2 border-b border-slate-200 px-2 py-1 last:border-b-0';
const h3Cls = 'text-sm font-semibold text-slate-900';
const groupCls = 'rounded border border-slate-300 px-2 py-1.5';
const legendCls = 'px-1 text-sm font-semibold text-slate-900';

// ---------------------------------------------------------------- hosts and links

export const HostsSection = memo(function HostsSection() {
  const scenario = useScenario();
  const hosts = hostNames(scenario);
  const ls = links(scenario);
  const [run, result] = useCaseOp();
  const [newHost, setNewHost] = useState('');
  const [rename, setRename] = useState<Record<string, string>>({});
  const [a, setA] = useState({ host: hosts[0] ?? '', iface: '' });
  const [b, setB] = useState({ host: hosts[1] ?? hosts[0] ?? '', iface: '' });
  const t = useT();
  const hostPick = (which: 'first' | 'second', v: { host: string; iface: string }, set: (x: { host: string; iface: string }) => void) => (
    <>
      <Field label={t(which === 'first' ? 'hosts.firstHost' : 'hosts.secondHost')}>
        {(id) => (
          <select id={id} className={inputCls} value={hosts.includes(v.host) ? v.host : ''} onChange={(e) => set({ ...v, host: e.target.value })}>
            <option value="">{t('common.choose')}</option>
            {hosts.map((h) => (
              <option key={h} value={h}>
                {h}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t(which === 'first' ? 'hosts.firstIface' : 'hosts.secondIface')}>{(id) => <input id={id} className={`${monoInputCls} w-24`} value={v.iface} placeholder="eth2" onChange={(e) => set({ ...v, iface: e.target.value })} />}</Field>
    </>
  );
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-slate-700">{t('hosts.intro')}</p>
      <h3 className={h3Cls}>{t('hosts.hosts')}</h3>
      <ul className={listCls} aria-label={t('hosts.hosts')}>
        {hosts.map((h) => (
          <li key={h} className={rowCls}>
            <span className="w-24 font-mono text-sm font-semibold">{h}</span>
            <input aria-label={t('hosts.newNameFor', { host: h })} className={`${monoInputCls} w-32`} value={rename[h] ?? ''} placeholder={t('hosts.newName')} onChange={(e) => setRename({ ...rename, [h]: e.target.value })} />
            <button type="button" className={smallBtnCls} disabled={!(rename[h] ?? '').trim()} onClick={() => void run((c) => renameHost(c, h, (rename[h] ?? '').trim(), t)).then((ok) => ok && setRename({ ...rename, [h]: '' }))}>
              {t('hosts.rename', { host: h })}
            </button>
            <button type="button" className={smallBtnCls} disabled={hosts.length < 2} onClick={() => void run((c) => deleteHost(c, h, t))}>
              {t('hosts.delete', { host: h })}
            </button>
          </li>
        ))}
      </ul>
      <div className="flex flex-wrap items-end gap-2">
        <Field label={t('hosts.newHost')}>{(id) => <input id={id} className={`${monoInputCls} w-36`} value={newHost} placeholder="db" onChange={(e) => setNewHost(e.target.value)} />}</Field>
        <button type="button" className={primaryCls} disabled={!newHost.trim()} onClick={() => void run((c) => addHost(c, newHost.trim(), t)).then((ok) => ok && setNewHost(''))}>
          {t('hosts.add')}
        </button>
      </div>
      <h3 className={h3Cls}>{t('hosts.linksTitle')}</h3>
      <ul className={listCls} aria-label={t('hosts.links')}>
        {ls.length === 0 && <li className={rowCls}>{t('hosts.noLinks')}</li>}
        {ls.map(([x, y], i) => (
          <li key={`${x} ${y}`} className={rowCls}>
            <span className="flex-1 font-mono text-sm">
              {x} ⟷ {y}
            </span>
            <button type="button" className={smallBtnCls} aria-label={t('hosts.deleteLink', { a: x, b: y })} onClick={() => void run((c) => deleteLink(c, i, t))}>
              {t('common.delete')}
            </button>
          </li>
        ))}
      </ul>
      <div className="flex flex-wrap items-end gap-2">
        {hostPick('first', a, setA)}
        {hostPick('second', b, setB)}
        <button type="button" className={primaryCls} disabled={!a.host || !b.host || !a.iface.trim() || !b.iface.trim()} onClick={() => void run((c) => addLink(c, { host: a.host, iface: a.iface.trim() }, { host: b.host, iface: b.iface.trim() }, t))}>
          {t('hosts.addLink')}
        </button>
      </div>
      <p className="text-sm text-slate-700">
        {t('common.caseFile')} <code className="font-mono">"links": [["{a.host || 'A'}:{a.iface || 'IF'}", "{b.host || 'B'}:{b.iface || 'IF'}"], …]</code>
      </p>
      <OpStatus result={result} />
    </div>
  );
});

// ---------------------------------------------------------------- interfaces

export const InterfacesSection = memo(function InterfacesSection({ host }: { host: string }) {
  const { stores } = useDeps();
  const log = useStore(stores.walk, selectLog);
  const scenario = useScenario();
  const view = log?.hosts.find((h) => h.name === host);
  const ifaces = view ? view.interfaces.map((i) => i.name) : ['lo', ...linkIfaces(scenario, host)];
  const [quick, quickView] = useQuickCommand(host);
  const [addr, setAddr] = useState({ op: 'add' as 'add' | 'del', address: '', dev: '' });
  const [link, setLink] = useState<LinkForm>({ dev: '', state: 'up', mtu: '' });
  const t = useT();
  const dev = (v: string) => (ifaces.includes(v) ? v : (ifaces.find((i) => i !== 'lo') ?? 'lo'));
  const devSelect = (label: string, value: string, on: (v: string) => void) => (
    <Field label={label}>
      {(id) => (
        <select id={id} className={inputCls} value={dev(value)} onChange={(e) => on(e.target.value)}>
          {ifaces.map((i) => (
            <option key={i} value={i}>
              {i}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  return (
    <div className="flex flex-col gap-3">
      <h3 className={h3Cls}>{t('if.title', { host })}</h3>
      <ul className={listCls} aria-label={t('if.title', { host })}>
        {(view?.interfaces ?? ifaces.map((name) => ({ name, mac: null, addrs: [] as string[], master: null }))).map((i) => (
          <li key={i.name} className={rowCls}>
            <span className="w-16 font-mono text-sm font-semibold">{i.name}</span>
            <span className="font-mono text-xs text-slate-700">{i.mac ?? ''}</span>
            {i.addrs.map((a) => (
              <span key={a} className="inline-flex items-center gap-1 rounded bg-slate-100 px-1.5 font-mono text-sm">
                {a}
                {!(i.name === 'lo' && a.startsWith('127.')) && (
                  <button type="button" className={smallBtnCls} aria-label={t('if.deleteAddr', { addr: a, dev: i.name })} onClick={() => quick(ipAddrCommand({ op: 'del', address: a, dev: i.name }), t('if.deleted', { addr: a }))}>
                    ×
                  </button>
                )}
              </span>
            ))}
          </li>
        ))}
      </ul>
      {quickView}
      <fieldset className={groupCls}>
        <legend className={legendCls}>{t('if.address')}</legend>
        <div className="flex flex-wrap items-end gap-2">
          <Field label={t('if.addOrDel')}>
            {(id) => (
              <select id={id} className={inputCls} value={addr.op} onChange={(e) => setAddr({ ...addr, op: e.target.value as 'add' | 'del' })}>
                <option value="add">add</option>
                <option value="del">del</option>
              </select>
            )}
          </Field>
          <Field label={t('if.addrPrefix')}>{(id) => <input id={id} className={`${monoInputCls} w-40`} value={addr.address} placeholder="10.0.0.1/24" onChange={(e) => setAddr({ ...addr, address: e.target.value })} />}</Field>
          {devSelect(t('if.device'), addr.dev, (v) => setAddr({ ...addr, dev: v }))}
        </div>
        <CommandPreview commands={[ipAddrCommand({ ...addr, dev: dev(addr.dev), address: addr.address || 'ADDRESS/PREFIX' })]} host={host} disabled={!addr.address.trim()} />
      </fieldset>
      <fieldset className={groupCls}>
        <legend className={legendCls}>{t('if.link')}</legend>
        <div className="flex flex-wrap items-end gap-2">
          {devSelect(t('if.linkDevice'), link.dev, (v) => setLink({ ...link, dev: v }))}
          <Field label={t('if.state')}>
            {(id) => (
              <select id={id} className={inputCls} value={link.state} onChange={(e) => setLink({ ...link, state: e.target.value as LinkForm['state'] })}>
                <option value="">{t('if.unchanged')}</option>
                <option value="up">up</option>
                <option value="down">down</option>
              </select>
            )}
          </Field>
          <Field label="MTU">{(id) => <input id={id} className={`${inputCls} w-24`} inputMode="numeric" value={link.mtu} placeholder="1500" onChange={(e) => setLink({ ...link, mtu: e.target.value })} />}</Field>
        </div>
        <CommandPreview commands={[ipLinkCommand({ ...link, dev: dev(link.dev) })]} host={host} disabled={!link.state && !link.mtu.trim()} />
      </fieldset>
      <NeighFormView host={host} ifaces={ifaces} />
      <VlanFormFields host={host} devices={ifaces.filter((i) => i !== 'lo')} />
      <TunnelForm host={host} devices={ifaces} />
      <QdiscFormView host={host} ifaces={ifaces} />
      {/* namespaces are the machine's: one made inside a namespace would not be inside it */}
      {scenario.hosts.find((h) => h.name === host)?.in === undefined && <NetnsFormFields host={host} />}
    </div>
  );
});

// ---------------------------------------------------------------- routes

export const RoutesSection = memo(function RoutesSection({ host }: { host: string }) {
  const scenario = useScenario();
  const routes = useHostView(host)?.routes ?? null;
  const names = rtTables(scenario);
  const [quick, quickView] = useQuickCommand(host);
  const [f, setF] = useState<RouteForm>(emptyRouteForm());
  const set = (p: Partial<RouteForm>) => setF({ ...f, ...p });
  const [tName, setTName] = useState({ name: '', id: '' });
  const [run, result] = useCaseOp();
  const t = useT();
  const tableOptions = ['main', 'local', 'default', ...Object.keys(names)];
  return (
    <div className="flex flex-col gap-3">
      <h3 className={h3Cls}>{t('routes.title', { host })}</h3>
      <ul tabIndex={0} className={`${listCls} max-h-60 overflow-auto focus:outline-2 focus:outline-blue-700`} aria-label={t('routes.aria', { host })}>
        {routes === null && <li className={rowCls}>{t('common.loading')}</li>}
        {routes?.map((r) => (
          <li key={r.text} className={rowCls}>
            <code className="min-w-0 flex-1 text-[13px] break-all whitespace-pre-wrap">{r.text}</code>
            {/* the kernel's own routes (for an address) go with the address, not by hand */}
            {r.proto !== 'kernel' && (
              <button type="button" className={smallBtnCls} aria-label={t('routes.delete', { route: r.text })} onClick={() => quick(ipRouteDeleteCommand(r.text)!, t('routes.deleted'))}>
                {t('common.delete')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {quickView}
      <fieldset className={groupCls}>
        <legend className={legendCls}>{t('routes.add')}</legend>
        <div className="flex flex-wrap items-end gap-2">
          <Field label={t('routes.type')}>
            {(id) => (
              <select id={id} className={inputCls} value={f.type} onChange={(e) => set({ type: e.target.value as RouteForm['type'] })}>
                {ROUTE_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('routes.dst')}>{(id) => <input id={id} className={`${monoInputCls} w-40`} value={f.dst} placeholder={t('routes.dstPlaceholder')} onChange={(e) => set({ dst: e.target.value })} />}</Field>
          {f.type === 'unicast' && <Field label={t('routes.via')}>{(id) => <input id={id} className={`${monoInputCls} w-36`} value={f.via} placeholder="192.168.1.1" onChange={(e) => set({ via: e.target.value })} />}</Field>}
          {(f.type === 'unicast' || f.type === 'local') && <Field label={t('routes.dev')}>{(id) => <input id={id} className={`${monoInputCls} w-20`} value={f.dev} placeholder="eth0" onChange={(e) => set({ dev: e.target.value })} />}</Field>}
          <Field label={t('routes.src')}>{(id) => <input id={id} className={`${monoInputCls} w-36`} value={f.src} onChange={(e) => set({ src: e.target.value })} />}</Field>
          <Field label={t('routes.metric')}>{(id) => <input id={id} className={`${inputCls} w-20`} inputMode="numeric" value={f.metric} onChange={(e) => set({ metric: e.target.value })} />}</Field>
          <Field label={t('routes.table')}>
            {(id) => (
              <>
                <input id={id} list={`${id}-tables`} className={`${monoInputCls} w-28`} value={f.table} placeholder="main" onChange={(e) => set({ table: e.target.value })} />
                <datalist id={`${id}-tables`}>
                  {tableOptions.map((t) => (
                    <option key={t} value={t} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
        </div>
        <CommandPreview commands={[ipRouteCommand(f)]} host={host} label={t('routes.addButton')} />
      </fieldset>
      <fieldset className={groupCls}>
        <legend className={legendCls}>{t('routes.names')}</legend>
        <ul className="flex flex-wrap gap-2" aria-label={t('routes.namesAria')}>
          {Object.entries(names).map(([n, id]) => (
            <li key={n} className="inline-flex items-center gap-1 rounded bg-slate-100 px-1.5 font-mono text-sm">
              {id} {n}
              <button type="button" className={smallBtnCls} aria-label={t('routes.deleteName', { name: n })} onClick={() => void run((c) => deleteRtTable(c, n, t))}>
                ×
              </button>
            </li>
          ))}
          {Object.keys(names).length === 0 && <li className="text-sm text-slate-700">{t('routes.onlyBuiltin')}</li>}
        </ul>
        <div className="mt-1 flex flex-wrap items-end gap-2">
          <Field label={t('routes.tableName')}>{(id) => <input id={id} className={`${monoInputCls} w-28`} value={tName.name} placeholder="isp2" onChange={(e) => setTName({ ...tName, name: e.target.value })} />}</Field>
          <Field label={t('routes.tableId')}>{(id) => <input id={id} className={`${inputCls} w-20`} inputMode="numeric" value={tName.id} placeholder="100" onChange={(e) => setTName({ ...tName, id: e.target.value })} />}</Field>
          <button type="button" className={primaryCls} disabled={!tName.name.trim() || !tName.id.trim()} onClick={() => void run((c) => setRtTable(c, tName.name.trim(), Number(tName.id), t))}>
            {t('routes.nameTable')}
          </button>
          <OpStatus result={result} />
        </div>
      </fieldset>
    </div>
  );
});

// ---------------------------------------------------------------- ip rules

export const IpRulesSection = memo(function IpRulesSection({ host }: { host: string }) {
  const rules = useHostView(host)?.fibRules ?? null;
  const [quick, quickView] = useQuickCommand(host);
  const [f, setF] = useState<IpRuleForm>(emptyIpRuleForm());
  const set = (p: Partial<IpRuleForm>) => setF({ ...f, ...p });
  const t = useT();
  const input = (label: string, key: keyof IpRuleForm, placeholder = '', w = 'w-28') => (
    <Field label={label}>{(id) => <input id={id} className={`${monoInputCls} ${w}`} value={String(f[key])} placeholder={placeholder} onChange={(e) => set({ [key]: e.target.value })} />}</Field>
  );
  return (
    <div className="flex flex-col gap-3">
      <h3 className={h3Cls}>{t('iprules.title', { host })}</h3>
      <ul className={listCls} aria-label={t('iprules.aria', { host })}>
        {rules === null && <li className={rowCls}>{t('common.loading')}</li>}
        {rules?.map((r) => (
          <li key={r.text} className={rowCls}>
            <code className="min-w-0 flex-1 text-[13px] whitespace-pre">{r.text}</code>
            <button type="button" className={smallBtnCls} aria-label={t('iprules.delete', { rule: r.text })} onClick={() => quick(ipRuleDeleteCommand(r.priority, r.selector), t('iprules.deleted'))}>
              {t('common.delete')}
            </button>
          </li>
        ))}
      </ul>
      {quickView}
      <fieldset className={groupCls}>
        <legend className={legendCls}>{t('iprules.add')}</legend>
        <div className="flex flex-wrap items-end gap-2">
          {input(t('iprules.priority'), 'priority', '100', 'w-20')}
          <Check label={t('iprules.not')} checked={f.not} onChange={(v) => set({ not: v })} />
          {input(t('iprules.from'), 'from', '10.0.0.0/8', 'w-36')}
          {input(t('iprules.to'), 'to', 'all', 'w-36')}
          {input('iif', 'iif', 'eth0', 'w-20')}
          {input('oif', 'oif', 'eth1', 'w-20')}
          {input('fwmark', 'fwmark', '0x1', 'w-20')}
          {input('mask', 'mask', '0xff', 'w-20')}
          {input('tos', 'tos', '0x10', 'w-20')}
          {input('ipproto', 'ipproto', 'tcp', 'w-20')}
          {input('sport', 'sport', '1000', 'w-20')}
          {input('dport', 'dport', '80', 'w-20')}
          <Field label={t('iprules.action')}>
            {(id) => (
              <select id={id} className={inputCls} value={f.action} onChange={(e) => set({ action: e.target.value as IpRuleForm['action'] })}>
                {RULE_ACTIONS.map((a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {(f.action === 'lookup' || f.action === 'goto') && input(f.action === 'lookup' ? t('iprules.table') : t('iprules.gotoPriority'), 'table', 'main', 'w-24')}
        </div>
        <CommandPreview commands={[ipRuleCommand(f)]} host={host} label={t('iprules.addButton')} />
      </fieldset>
    </div>
  );
});

// ---------------------------------------------------------------- sysctls

const CASE_SYSCTL = /^net[./](ipv4|netfilter)[./]/;
const GLOBAL_KEYS = Object.keys(GLOBAL_SYSCTL_DEFAULTS).filter((k) => CASE_SYSCTL.test(k));
const IFACE_KEYS = Object.keys(DEVCONF_DEFAULTS);

export const SysctlSection = memo(function SysctlSection({ host }: { host: string }) {
  const scenario = useScenario();
  const { stores } = useDeps();
  const log = useStore(stores.walk, selectLog);
  const set = useHostView(host)?.sysctls ?? null;
  const ifaces = log?.hosts.find((h) => h.name === host)?.interfaces.map((i) => i.name) ?? ['lo', ...linkIfaces(scenario, host)];
  const [key, setKey] = useState('net.ipv4.ip_forward');
  const [iface, setIface] = useState('all');
  const [value, setValue] = useState('1');
  const [quick, quickView] = useQuickCommand(host);
  const t = useT();
  const perIface = key.startsWith('conf.');
  const full = perIface ? `net.ipv4.conf.${iface}.${key.slice(5)}` : key;
  const dflt = sysctlDefault(full);
  return (
    <div className="flex flex-col gap-3">
      <h3 className={h3Cls}>{t('sysctl.title', { host })}</h3>
      <ul className={listCls} aria-label={t('sysctl.aria', { host })}>
        {set === null && <li className={rowCls}>{t('common.loading')}</li>}
        {set?.length === 0 && <li className={rowCls}>{t('sysctl.none')}</li>}
        {set?.map(({ key: k, value: v, defaultValue: d }) => (
          <li key={k} className={rowCls}>
            <code className="flex-1 text-[13px]">
              {k} = {v}
            </code>
            {d !== null && d !== v && (
              <button type="button" className={smallBtnCls} aria-label={t('sysctl.resetAria', { key: k, value: d })} onClick={() => quick(sysctlCommand(k, d), t('sysctl.back', { key: k, value: d }))}>
                {t('sysctl.reset', { value: d })}
              </button>
            )}
          </li>
        ))}
      </ul>
      {quickView}
      <fieldset className={groupCls}>
        <legend className={legendCls}>{t('sysctl.set')}</legend>
        <div className="flex flex-wrap items-end gap-2">
          <Field label={t('sysctl.setting')}>
            {(id) => (
              <select id={id} className={inputCls} value={key} onChange={(e) => setKey(e.target.value)}>
                <optgroup label={t('sysctl.wholeHost')}>
                  {GLOBAL_KEYS.map((k) => (
                    <option key={k} value={k}>
                      {k}
                    </option>
                  ))}
                </optgroup>
                <optgroup label={t('sysctl.perIface')}>
                  {IFACE_KEYS.map((k) => (
                    <option key={k} value={`conf.${k}`}>
                      {k}
                    </option>
                  ))}
                </optgroup>
              </select>
            )}
          </Field>
          {perIface && (
            <Field label={t('sysctl.iface')}>
              {(id) => (
                <select id={id} className={inputCls} value={iface} onChange={(e) => setIface(e.target.value)}>
                  {['all', 'default', ...ifaces].map((i) => (
                    <option key={i} value={i}>
                      {i}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <Field label={t('sysctl.value')}>{(id) => <input id={id} className={`${monoInputCls} w-24`} value={value} onChange={(e) => setValue(e.target.value)} />}</Field>
          {dflt !== undefined && <span className="pb-1 text-sm text-slate-700">{t('sysctl.default', { value: dflt.replace('\t', ' ') })}</span>}
        </div>
        <CommandPreview commands={[sysctlCommand(full, value)]} host={host} disabled={!value.trim()} />
      </fieldset>
    </div>
  );
});

// ---------------------------------------------------------------- listeners

export const ListenersSection = memo(function ListenersSection({ host }: { host: string }) {
  const scenario = useScenario();
  const hosts = hostNames(scenario);
  const ls = listeners(scenario);
  const [run, result] = useCaseOp();
  const [f, setF] = useState({ host, proto: 'tcp' as 'tcp' | 'udp', port: '', addr: '', echo: true });
  const lHost = hosts.includes(f.host) ? f.host : host;
  const entry = { host: lHost, proto: f.proto, port: Number(f.port), ...(f.addr.trim() ? { addr: f.addr.trim() } : {}), echo: f.echo };
  const t = useT();
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-slate-700">{t('listen.intro')}</p>
      <ul className={listCls} aria-label={t('listen.aria')}>
        {ls.length === 0 && <li className={rowCls}>{t('listen.none')}</li>}
        {ls.map((l, i) => (
          <li key={i} className={rowCls}>
            <span className="flex-1 font-mono text-sm">
              {l.host} {l.proto} {l.addr ?? '0.0.0.0'}:{l.port}
              {l.echo === false ? ` ${t('listen.noEcho')}` : ` ${t('listen.echoMark')}`}
            </span>
            <button type="button" className={smallBtnCls} aria-label={t('listen.delete', { host: l.host, proto: l.proto, port: l.port })} onClick={() => void run((c) => deleteListener(c, i, t))}>
              {t('common.delete')}
            </button>
          </li>
        ))}
      </ul>
      <fieldset className={groupCls}>
        <legend className={legendCls}>{t('listen.add')}</legend>
        <div className="flex flex-wrap items-end gap-2">
          <Field label={t('listen.host')}>
            {(id) => (
              <select id={id} className={inputCls} value={lHost} onChange={(e) => setF({ ...f, host: e.target.value })}>
                {hosts.map((h) => (
                  <option key={h} value={h}>
                    {h}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('listen.proto')}>
            {(id) => (
              <select id={id} className={inputCls} value={f.proto} onChange={(e) => setF({ ...f, proto: e.target.value as 'tcp' | 'udp' })}>
                <option value="tcp">tcp</option>
                <option value="udp">udp</option>
              </select>
            )}
          </Field>
          <Field label={t('listen.port')}>{(id) => <input id={id} className={`${inputCls} w-20`} inputMode="numeric" value={f.port} placeholder="80" onChange={(e) => setF({ ...f, port: e.target.value })} />}</Field>
          <Field label={t('listen.addr')}>{(id) => <input id={id} className={`${monoInputCls} w-32`} value={f.addr} placeholder="0.0.0.0" onChange={(e) => setF({ ...f, addr: e.target.value })} />}</Field>
          <Check label={t('listen.echo')} checked={f.echo} onChange={(v) => setF({ ...f, echo: v })} />
          <button type="button" className={primaryCls} disabled={!f.port.trim()} onClick={() => void run((c) => addListener(c, entry, t))}>
            {t('listen.addButton')}
          </button>
        </div>
        <p className="mt-1 text-sm text-slate-700">
          {t('common.caseFile')} <code className="font-mono">"listeners": [{f.port.trim() ? JSON.stringify(entry) : `{"host":"${lHost}","proto":"${f.proto}","port":PORT,…}`}, …]</code>
        </p>
      </fieldset>
      <OpStatus result={result} />
    </div>
  );
});
