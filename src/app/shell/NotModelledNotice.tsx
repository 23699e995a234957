// pattern: Imperative Shell
// The notice that the scenario uses something the engine accepts but does
// not simulate the way the kernel would (the walk log's notModelled list,
// src/engine/not-modelled.ts): a count, and on demand each finding with
// where it is. The findings' own text is the engine's (English, like the
// tools' messages); the notice around it is translated.

import { memo } from 'react';
import { useStore } from 'zustand';
import { selectLog } from '../state/walk-store';
import { useT } from '../i18n/lang';
import { useDeps } from './context';

/** A dump with thousands of such rules still shows a short list. */
const SHOWN = 40;

export const NotModelledNotice = memo(function NotModelledNotice() {
  const { stores } = useDeps();
  const t = useT();
  const log = useStore(stores.walk, selectLog);
  const found = log?.notModelled ?? [];
  if (found.length === 0) return null;
  return (
    <section aria-label={t('notModelled.title')} data-testid="not-modelled" className="rounded-lg border border-amber-700 bg-amber-50 px-4 py-2 text-amber-950">
      <p className="font-semibold">{t('notModelled.title')}</p>
      <p className="text-sm">{t('notModelled.summary', { n: found.length })}</p>
      <details className="text-sm">
        <summary className="cursor-pointer">{t('notModelled.show')}</summary>
        <ul className="mt-1 flex flex-col gap-1 pl-1">
          {found.slice(0, SHOWN).map((f, k) => (
            <li key={k} data-testid="not-modelled-item">
              <span lang="en" className="font-mono font-semibold">
                {f.subject}
              </span>
              <span lang="en">: {f.detail}</span>{' '}
              <span className="text-amber-900">
                {f.origin === 'configuration'
                  ? f.chain !== null
                    ? t('notModelled.whereChain', { host: f.host, table: f.table ?? '', chain: f.chain })
                    : t('notModelled.whereHost', { host: f.host })
                  : f.command === null
                  ? t('notModelled.whereRun', { host: f.host })
                  : f.line === null
                    ? t('notModelled.where', { host: f.host, n: f.command + 1 })
                    : t('notModelled.whereLine', { host: f.host, n: f.command + 1, line: f.line })}
              </span>
              {f.rule !== null && (
                <code lang="en" className="block break-all text-xs">
                  {f.table} {f.rule}
                </code>
              )}
            </li>
          ))}
        </ul>
        {found.length > SHOWN && <p>{t('notModelled.more', { n: found.length - SHOWN })}</p>}
      </details>
    </section>
  );
});
