// pattern: Imperative Shell
// "Add a VLAN interface": a VLAN device on one of the host's devices, built
// as the commands the console would take (shown live, run by the engine).
// VLANs are modelled from kernel source, and the form says so.

import { useState } from 'react';
import { useT } from '../i18n/lang';
import { CommandPreview, Field, inputCls, monoInputCls } from './ui';
import { vlanCommands, vlanFormProblem, vlanName, type VlanForm } from './vlan-builders';

export function VlanFormFields({ host, devices }: { host: string; devices: string[] }) {
  const t = useT();
  const [f, setF] = useState<VlanForm>({ parent: '', id: '10', name: '', address: '' });
  const parent = devices.includes(f.parent) ? f.parent : (devices[0] ?? '');
  const form = { ...f, parent };
  const problem = vlanFormProblem(form);
  return (
    <fieldset className="rounded border border-slate-300 px-2 py-1.5" data-testid="vlan-form">
      <legend className="px-1 text-sm font-semibold text-slate-900">{t('vlan.form.title')}</legend>
      <p className="text-sm text-slate-700">{t('vlan.provenance')}</p>
      <div className="flex flex-wrap items-end gap-2">
        <Field label={t('vlan.form.parent')}>
          {(id) => (
            <select id={id} className={inputCls} value={parent} onChange={(e) => setF({ ...f, parent: e.target.value })}>
              {devices.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('vlan.form.id')} error={problem === 'badId' && f.id.trim() !== '' ? t('vlan.form.badId') : null}>
          {(id, invalid) => <input id={id} className={`${inputCls} w-20`} inputMode="numeric" value={f.id} onChange={(e) => setF({ ...f, id: e.target.value })} {...invalid} />}
        </Field>
        <Field label={t('vlan.form.name')}>
          {(id) => <input id={id} className={`${monoInputCls} w-28`} value={f.name} placeholder={vlanName({ ...form, name: '' })} onChange={(e) => setF({ ...f, name: e.target.value })} />}
        </Field>
        <Field label={t('vlan.form.address')} error={problem === 'badAddress' ? t('vlan.form.badAddress') : null}>
          {(id, invalid) => <input id={id} className={`${monoInputCls} w-40`} value={f.address} placeholder="10.0.10.1/24" onChange={(e) => setF({ ...f, address: e.target.value })} {...invalid} />}
        </Field>
      </div>
      <CommandPreview commands={vlanCommands(form)} host={host} label={t('vlan.form.add')} disabled={problem !== null || !parent} />
    </fieldset>
  );
}
