// pattern: Imperative Shell
// The neighbour table's form (ip neigh add|replace|change|del), beside the
// interfaces: it shows the command it will run and runs it like the console.

import { memo, useState } from 'react';
import { CommandPreview, Field, inputCls, monoInputCls } from './ui';
import { emptyNeighForm, ipNeighCommand, NUD_CHOICES, type NeighForm } from './neigh-builders';
import { useT } from '../i18n/lang';

const groupCls = 'rounded border border-slate-300 px-2 py-1.5';
const legendCls = 'px-1 text-sm font-semibold text-slate-900';

export const NeighFormView = memo(function NeighFormView({ host, ifaces }: { host: string; ifaces: readonly string[] }) {
  const t = useT();
  const [f, setF] = useState<NeighForm>(emptyNeighForm());
  const set = (p: Partial<NeighForm>) => setF({ ...f, ...p });
  const devs = ifaces.filter((i) => i !== 'lo');
  const dev = devs.includes(f.dev) ? f.dev : (devs[0] ?? '');
  return (
    <fieldset className={groupCls}>
      <legend className={legendCls}>{t('neigh.form')}</legend>
      <div className="flex flex-wrap items-end gap-2">
        <Field label={t('neigh.op')}>
          {(id) => (
            <select id={id} className={inputCls} value={f.op} onChange={(e) => set({ op: e.target.value as NeighForm['op'] })}>
              {(['add', 'replace', 'change', 'del'] as const).map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('neigh.address')}>{(id) => <input id={id} className={`${monoInputCls} w-36`} value={f.address} placeholder="192.168.1.1" onChange={(e) => set({ address: e.target.value })} />}</Field>
        {f.op !== 'del' && (
          <Field label="lladdr">{(id) => <input id={id} className={`${monoInputCls} w-44`} value={f.lladdr} placeholder="02:00:00:00:02:01" onChange={(e) => set({ lladdr: e.target.value })} />}</Field>
        )}
        <Field label={t('neigh.device')}>
          {(id) => (
            <select id={id} className={inputCls} value={dev} onChange={(e) => set({ dev: e.target.value })}>
              {devs.map((i) => (
                <option key={i} value={i}>
                  {i}
                </option>
              ))}
            </select>
          )}
        </Field>
        {f.op !== 'del' && (
          <Field label="nud">
            {(id) => (
              <select id={id} className={inputCls} value={f.nud} onChange={(e) => set({ nud: e.target.value as NeighForm['nud'] })}>
                {NUD_CHOICES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
      </div>
      <CommandPreview commands={[ipNeighCommand({ ...f, dev })]} host={host} disabled={!f.address.trim() || dev === ''} />
    </fieldset>
  );
});
