// pattern: Imperative Shell
// The Share panel: the link of what is on screen (scenario, packet, step,
// language), copied to the clipboard as soon as it is made, and always shown
// in a field to copy by hand when the browser refuses. A meter says whether
// the link travels well: green up to 2,000 characters, a warning up to
// 8,000; above that the scenario is offered as a case file instead.

import { useEffect, useId, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { useDeps } from '../shell/context';
import { selectIndex, selectLesson, selectLog, selectScenario } from '../state/walk-store';
import { useT } from '../i18n/lang';
import { downloadText } from '../shell/download';
import { buildLink, pageBase } from './build-link';
import { stepOptions } from '../state/step-options';

const btn = 'rounded border border-slate-500 bg-white px-3 py-1 text-sm font-medium text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700';
const primary = 'rounded border border-blue-800 bg-blue-700 px-3 py-1 text-sm font-semibold text-white hover:bg-blue-800 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700';

const SIZE_STYLE = {
  ok: 'border-emerald-700 bg-emerald-50 text-emerald-950',
  warn: 'border-amber-700 bg-amber-50 text-amber-950',
  file: 'border-red-700 bg-red-50 text-red-950',
} as const;

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export default function SharePanel() {
  const { stores } = useDeps();
  const t = useT();
  const scenario = useStore(stores.scenario, selectScenario);
  const log = useStore(stores.walk, selectLog);
  const index = useStore(stores.playback, selectIndex);
  const id = useId();
  const lesson = useStore(stores.ui, selectLesson);
  const stepping = useStore(stepOptions(stores));
  const link = useMemo(() => buildLink(pageBase(window.location), scenario, log, index, t.lang, lesson, stepping), [scenario, log, index, t.lang, lesson, stepping]);
  const [copied, setCopied] = useState<{ url: string; ok: boolean } | null>(null);
  const name = typeof scenario.name === 'string' ? scenario.name : 'scenario';
  const linkable = link.ok && link.size !== 'file';

  const copy = (url: string) => copyText(url).then((ok) => setCopied({ url, ok }));
  // "Share" means: copy it. Each new link (the walk moved on) is copied again.
  const url = linkable ? link.url : null;
  useEffect(() => {
    if (url) void copyText(url).then((ok) => setCopied({ url, ok }));
  }, [url]);

  const downloadCase = () => downloadText(`${name}.json`, `${JSON.stringify(scenario, null, 2)}\n`, 'application/json');
  return (
    <section aria-labelledby={id} className="flex flex-col gap-2 rounded-lg border-2 border-blue-700 bg-white px-4 py-3">
      <div className="flex flex-wrap items-center gap-2">
        <h2 id={id} className="text-base font-semibold text-slate-900">
          {t('share.title')}
        </h2>
        <p className="text-sm text-slate-700">{t('share.what')}</p>
        <button type="button" className={`${btn} ml-auto`} onClick={() => stores.ui.setState({ share: false })}>
          {t('share.close')}
        </button>
      </div>
      {!link.ok ? (
        <div role="alert" className="flex flex-col gap-2">
          <p className="text-sm text-red-900">{t('share.notLinkable')}</p>
          <p lang="en" className="font-mono text-sm text-red-900">
            {link.detail}
          </p>
          <div>
            <button type="button" className={primary} onClick={downloadCase}>
              {t('share.downloadCase', { file: `${name}.json` })}
            </button>
          </div>
        </div>
      ) : (
        <>
          <p data-testid="share-length" data-length={link.length} data-size={link.size} className={`rounded border px-2 py-1 text-sm font-medium ${SIZE_STYLE[link.size]}`}>
            {t('share.length', { n: link.length.toLocaleString(t.lang === 'zh' ? 'zh-CN' : 'en') })} — {t(link.size === 'ok' ? 'share.sizeOk' : link.size === 'warn' ? 'share.sizeWarn' : 'share.sizeFile')}
          </p>
          <meter className="h-3 w-full max-w-xl" min={0} max={8000} low={2000} high={2001} optimum={0} value={Math.min(link.length, 8000)} aria-label={t('share.meter')} />
          {linkable ? (
            <>
              <label htmlFor={`${id}-url`} className="text-sm font-medium text-slate-800">
                {t('share.link')}
              </label>
              <div className="flex flex-wrap items-center gap-2">
                <input
                  id={`${id}-url`}
                  readOnly
                  value={link.url}
                  onFocus={(e) => e.currentTarget.select()}
                  className="min-w-0 flex-1 rounded border border-slate-500 bg-slate-50 px-2 py-1 font-mono text-sm text-slate-900 focus:outline-2 focus:outline-blue-700"
                />
                <button type="button" className={primary} onClick={() => void copy(link.url)}>
                  {t('share.copy')}
                </button>
              </div>
              <p role="status" className="text-sm text-slate-800">
                {copied?.url === link.url ? (copied.ok ? t('share.copied') : t('share.copyRefused')) : ''}
              </p>
            </>
          ) : (
            <div className="flex flex-col gap-2">
              <p className="text-sm">{t('share.tooLong')}</p>
              <div>
                <button type="button" className={primary} onClick={downloadCase}>
                  {t('share.downloadCase', { file: `${name}.json` })}
                </button>
              </div>
            </div>
          )}
        </>
      )}
    </section>
  );
}
