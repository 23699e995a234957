// pattern: Imperative Shell
// Export the texts a real machine would print for the edited host —
// iptables-save (as iptables 1.8.9 prints it, without its two dated comment
// lines), ip route show [table all], ip rule show — and the whole scenario as
// an oracle case file that shared/oracle/run-case runs on a real kernel.

import { exportFrom } from '../state/lab';
import { memo, useId, useState } from 'react';
import { useStore } from 'zustand';
import type { ExportKind } from '../../worker/protocol';
import { useDeps } from '../shell/context';
import { Panel } from '../panels/Panel';
import { selectScenario } from '../state/walk-store';
import { HostSelect, btnCls, useEditorHost } from './ui';
import { useT } from '../i18n/lang';

// labels are the commands (kernel and tool words), except the case file
const KINDS: { what: ExportKind; label: string; file: (host: string, name: string) => string }[] = [
  { what: 'iptables-save', label: 'iptables-save', file: (h) => `${h}.iptables-save.rules` },
  { what: 'ip-route', label: 'ip route show', file: (h) => `${h}.ip-route.txt` },
  { what: 'ip-route-all', label: 'ip route show table all', file: (h) => `${h}.ip-route-all.txt` },
  { what: 'ip-rule', label: 'ip rule show', file: (h) => `${h}.ip-rule.txt` },
  // the commands to type on the host, its namespaces as ip netns commands (scenario/netns.ts hostScript)
  { what: 'setup', label: 'ip / iptables / ip netns commands', file: (h) => `${h}.setup.sh` },
  { what: 'case', label: 'Case file (.json)', file: (_h, n) => `${n || 'scenario'}.json` },
];

const SHOWN_LINES = 3000;

export function download(name: string, text: string, type = 'text/plain'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export const ExportPanel = memo(function ExportPanel() {
  const { stores, client } = useDeps();
  const scenario = useStore(stores.scenario, selectScenario);
  const [host] = useEditorHost();
  const [shown, setShown] = useState<{ what: ExportKind; label: string; file: string; text: string } | { error: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const outId = useId();
  const t = useT();
  const name = typeof scenario.name === 'string' ? scenario.name : 'scenario';
  const kindLabel = (k: (typeof KINDS)[number]) => (k.what === 'case' ? t('export.case') : k.label);

  const show = async (k: (typeof KINDS)[number]) => {
    setCopied(false);
    const r = await exportFrom(stores, client, k.what === 'case' ? null : host, k.what);
    setShown(r.ok ? { what: k.what, label: k.what === 'case' ? `${name}.json` : t('export.on', { what: k.label, host }), file: k.file(host, name), text: r.text } : { error: r.diagnostics.map((d) => d.message).join('; ') });
  };

  const text = shown && 'text' in shown ? shown.text : '';
  const lines = text ? text.split('\n') : [];
  return (
    <Panel title={t('export.title')} className="min-h-[20rem]">
      <div className="flex flex-col gap-2">
        <div className="flex flex-wrap items-end gap-3">
          <HostSelect label={t('export.from')} />
          <div role="group" aria-label={t('export.show')} className="flex flex-wrap gap-1">
            {KINDS.map((k) => (
              <button key={k.what} type="button" className={btnCls} aria-controls={outId} onClick={() => void show(k)}>
                {kindLabel(k)}
              </button>
            ))}
          </div>
        </div>
        {shown && 'error' in shown && (
          <p role="alert" className="text-sm text-red-800">
            {shown.error}
          </p>
        )}
        {shown && 'text' in shown && (
          <>
            <div className="flex flex-wrap items-center gap-2">
              <p className="text-sm font-semibold text-slate-900">{shown.label}</p>
              <button type="button" className={btnCls} onClick={() => download(shown.file, shown.text, shown.what === 'case' ? 'application/json' : 'text/plain')}>
                {t('export.download', { file: shown.file })}
              </button>
              <button
                type="button"
                className={btnCls}
                onClick={() =>
                  void navigator.clipboard?.writeText(shown.text).then(
                    () => setCopied(true),
                    () => setCopied(false),
                  )
                }
              >
                {t('export.copy')}
              </button>
              <span role="status" className="text-sm text-emerald-800">
                {copied ? t('export.copied') : ''}
              </span>
            </div>
            {shown.what === 'case' && (
              <p className="text-sm text-slate-700">
                {t('export.runIt')} <code className="font-mono">shared/oracle/run-case {shown.file}</code> {t('export.runItTail')}
              </p>
            )}
            {shown.what === 'iptables-save' && <p className="text-sm text-slate-700">{t('export.saveNote')}</p>}
          </>
        )}
        <pre id={outId} tabIndex={0} aria-label={t('export.text')} className="max-h-80 min-h-[6rem] overflow-auto rounded border border-slate-300 bg-slate-50 px-2 py-1 font-mono text-[13px] leading-5 text-slate-950 focus:outline-2 focus:outline-blue-700">
          {lines.length > SHOWN_LINES ? `${lines.slice(0, SHOWN_LINES).join('\n')}\n… ${t('export.more', { n: (lines.length - SHOWN_LINES).toLocaleString('en') })}` : text || t('export.choose')}
        </pre>
      </div>
    </Panel>
  );
});
