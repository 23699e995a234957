// pattern: Imperative Shell
// The qdisc form (tc qdisc add|replace|del), beside the interfaces: a root
// pfifo, tbf or htb, or the ingress qdisc, shown as the command it will run
// and run like the console; what the engine refuses is shown on the field
// whose words it is about.

import { memo, useState } from 'react';
import { CommandPreview, Field, inputCls, monoInputCls } from './ui';
import { emptyQdiscForm, QDISC_KINDS, qdiscCommandSpans, type QdiscField, type QdiscForm } from './qdisc-builders';
import type { RuleField } from './builders';
import { useT } from '../i18n/lang';

const groupCls = 'rounded border border-slate-300 px-2 py-1.5';
const legendCls = 'px-1 text-sm font-semibold text-slate-900';

export const QdiscFormView = memo(function QdiscFormView({ host, ifaces }: { host: string; ifaces: readonly string[] }) {
  const t = useT();
  const [form, setForm] = useState<QdiscForm>(emptyQdiscForm());
  // the engine's errors on the fields of the last Apply; any change to the form clears them
  const [fieldErrors, setFieldErrors] = useState<Record<RuleField, string>>({});
  const set = (p: Partial<QdiscForm>) => {
    setForm((x) => ({ ...x, ...p }));
    setFieldErrors({});
  };
  const err = (field: QdiscField) => fieldErrors[field] ?? null;
  const devs = ifaces.filter((i) => i !== 'lo');
  const f = { ...form, dev: devs.includes(form.dev) ? form.dev : (devs[0] ?? '') };
  const { command, spans } = qdiscCommandSpans(f);
  const options = f.op !== 'del' && f.parent === 'root';
  const text = (label: string, key: 'handle' | 'limit' | 'rate' | 'burst' | 'latency' | 'defaultClass', field: QdiscField, placeholder: string, width = 'w-24') => (
    <Field label={label} error={err(field)}>
      {(id, invalid) => <input id={id} className={`${monoInputCls} ${width}`} value={f[key]} placeholder={placeholder} onChange={(e) => set({ [key]: e.target.value })} {...invalid} />}
    </Field>
  );
  return (
    <fieldset className={groupCls} data-testid="qdisc-form">
      <legend className={legendCls}>{t('qdisc.form')}</legend>
      <div className="flex flex-wrap items-end gap-2">
        <Field label={t('qdisc.op')}>
          {(id) => (
            <select id={id} className={inputCls} value={f.op} onChange={(e) => set({ op: e.target.value as QdiscForm['op'] })}>
              {(['add', 'replace', 'del'] as const).map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('qdisc.device')} error={err('dev')}>
          {(id, invalid) => (
            <select id={id} className={inputCls} value={f.dev} onChange={(e) => set({ dev: e.target.value })} {...invalid}>
              {devs.map((i) => (
                <option key={i} value={i}>
                  {i}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('qdisc.parent')} error={err('parent')}>
          {(id, invalid) => (
            <select id={id} className={inputCls} value={f.parent} onChange={(e) => set({ parent: e.target.value as QdiscForm['parent'] })} {...invalid}>
              <option value="root">{t('qdisc.parent.root')}</option>
              <option value="ingress">{t('qdisc.parent.ingress')}</option>
            </select>
          )}
        </Field>
        {f.op !== 'del' && text(t('qdisc.handle'), 'handle', 'handle', f.parent === 'ingress' ? 'ffff:' : '1:', 'w-20')}
        {options && (
          <Field label={t('qdisc.kind')} error={err('kind')}>
            {(id, invalid) => (
              <select id={id} className={inputCls} value={f.kind} onChange={(e) => set({ kind: e.target.value as QdiscForm['kind'] })} {...invalid}>
                {QDISC_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        {options && f.kind === 'pfifo' && text(t('qdisc.limitPackets'), 'limit', 'limit', '1000')}
        {options && f.kind === 'tbf' && text(t('qdisc.rate'), 'rate', 'rate', '4kbit')}
        {options && f.kind === 'tbf' && text(t('qdisc.burst'), 'burst', 'burst', '1200')}
        {options && f.kind === 'tbf' && (
          <Field label={t('qdisc.bound')}>
            {(id) => (
              <select id={id} className={inputCls} value={f.bound} onChange={(e) => set({ bound: e.target.value as QdiscForm['bound'] })}>
                <option value="limit">limit</option>
                <option value="latency">latency</option>
              </select>
            )}
          </Field>
        )}
        {options && f.kind === 'tbf' && f.bound === 'limit' && text(t('qdisc.limitBytes'), 'limit', 'limit', '2100')}
        {options && f.kind === 'tbf' && f.bound === 'latency' && text(t('qdisc.latency'), 'latency', 'latency', '50ms')}
        {options && f.kind === 'htb' && text(t('qdisc.default'), 'defaultClass', 'default', '20')}
      </div>
      <CommandPreview commands={[command]} host={host} disabled={f.dev === ''} spans={spans} onFieldErrors={setFieldErrors} refused="command" />
    </fieldset>
  );
});
