// pattern: Imperative Shell
// "Add a network namespace": a namespace inside the host joined to it by a
// veth pair, built as the commands the console would take (shown live, run
// by the engine, which draws the namespace inside its host).

import { useState } from 'react';
import { useT } from '../i18n/lang';
import { CommandPreview, Field, monoInputCls } from './ui';
import { netnsCommands, netnsFormProblem, type NetnsForm } from './netns-builders';

export function NetnsFormFields({ host }: { host: string }) {
  const t = useT();
  const [f, setF] = useState<NetnsForm>({ name: 'app', hostDev: 'veth0', nsDev: 'veth1', hostAddress: '10.200.0.1/30', nsAddress: '10.200.0.2/30' });
  const problem = netnsFormProblem(f);
  const text = (key: keyof NetnsForm, label: string, width: string, error: string | null = null) => (
    <Field label={label} error={error}>
      {(id, invalid) => <input id={id} className={`${monoInputCls} ${width}`} value={f[key]} onChange={(e) => setF({ ...f, [key]: e.target.value })} {...invalid} />}
    </Field>
  );
  return (
    <fieldset className="rounded border border-slate-300 px-2 py-1.5" data-testid="netns-form">
      <legend className="px-1 text-sm font-semibold text-slate-900">{t('netns.form.title')}</legend>
      <p className="text-sm text-slate-700">{t('netns.form.about')}</p>
      <div className="flex flex-wrap items-end gap-2">
        {text('name', t('netns.form.name'), 'w-28', problem === 'badName' ? t('netns.form.badName') : null)}
        {text('hostDev', t('netns.form.hostDev'), 'w-24', problem === 'badDevice' ? t('netns.form.badDevice') : null)}
        {text('nsDev', t('netns.form.nsDev'), 'w-24')}
        {text('hostAddress', t('netns.form.hostAddress'), 'w-36', problem === 'badAddress' ? t('netns.form.badAddress') : null)}
        {text('nsAddress', t('netns.form.nsAddress'), 'w-36')}
      </div>
      <CommandPreview commands={netnsCommands(f)} host={host} label={t('netns.form.add')} disabled={problem !== null} />
    </fieldset>
  );
}

