// pattern: Imperative Shell
// The form that adds a tunnel device to a host (besides typing it in the
// console): GRE or IPIP through `ip tunnel add`, VXLAN through `ip link add
// … type vxlan`, shown live as the commands it will run. GRE and IPIP say
// that they are modelled from kernel source; VXLAN is checked on a kernel.

import { useState } from 'react';
import { emptyTunnelForm, tunnelCommands, type TunnelForm as Form, type TunnelKind } from './tunnel-builders';
import { CommandPreview, Field, inputCls, monoInputCls } from './ui';
import { useT } from '../i18n/lang';

const groupCls = 'rounded border border-slate-300 px-2 py-1.5';
const legendCls = 'px-1 text-sm font-semibold text-slate-900';

export function TunnelForm({ host, devices }: { host: string; devices: readonly string[] }) {
  const [f, setF] = useState<Form>(emptyTunnelForm());
  const set = (p: Partial<Form>) => setF({ ...f, ...p });
  const t = useT();
  const text = (label: string, key: 'name' | 'remote' | 'local' | 'ttl' | 'tos' | 'key' | 'vni' | 'dstport' | 'address', placeholder: string, width = 'w-36') => (
    <Field label={label}>{(id) => <input id={id} className={`${monoInputCls} ${width}`} value={f[key]} placeholder={placeholder} onChange={(e) => set({ [key]: e.target.value })} />}</Field>
  );
  return (
    <fieldset className={groupCls} data-testid="tunnel-form">
      <legend className={legendCls}>{t('tunnel.legend')}</legend>
      <div className="flex flex-wrap items-end gap-2">
        <Field label={t('tunnel.kind')}>
          {(id) => (
            <select id={id} className={inputCls} value={f.kind} onChange={(e) => set({ kind: e.target.value as TunnelKind, ...(e.target.value === 'vxlan' && f.name === 'tun0' ? { name: 'vxlan0' } : {}) })}>
              <option value="gre">GRE</option>
              <option value="ipip">IPIP</option>
              <option value="vxlan">VXLAN</option>
            </select>
          )}
        </Field>
        {text(t('tunnel.name'), 'name', 'tun0', 'w-24')}
        {text(t('tunnel.remote'), 'remote', '203.0.113.5')}
        {text(t('tunnel.local'), 'local', '198.51.100.2')}
        {f.kind === 'vxlan' && text('VNI', 'vni', '42', 'w-20')}
        {f.kind === 'vxlan' && text(t('tunnel.dstport'), 'dstport', '4789', 'w-20')}
        {text('TTL', 'ttl', 'inherit', 'w-20')}
        {text('TOS', 'tos', 'inherit', 'w-20')}
        {f.kind === 'gre' && text(t('tunnel.key'), 'key', '', 'w-20')}
        <Field label={t('tunnel.dev')}>
          {(id) => (
            <select id={id} className={inputCls} value={f.dev} onChange={(e) => set({ dev: e.target.value })}>
              <option value="">{t('tunnel.anyDev')}</option>
              {devices
                .filter((d) => d !== 'lo')
                .map((d) => (
                  <option key={d} value={d}>
                    {d}
                  </option>
                ))}
            </select>
          )}
        </Field>
        {text(t('tunnel.address'), 'address', '172.16.0.1/30')}
      </div>
      <p className="text-sm text-slate-700">{f.kind === 'vxlan' ? t('tunnel.checked') : t('tunnel.modelled')}</p>
      <CommandPreview commands={tunnelCommands(f)} host={host} disabled={!f.name.trim() || !f.remote.trim()} />
    </fieldset>
  );
}
