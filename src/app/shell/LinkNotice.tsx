// pattern: Imperative Shell
// What happened to the scenario because of a link or the gallery: a link
// that could not be read (and the promise that nothing changed), a scenario
// that replaced the user's work (with the way back), a restore done.

import { memo } from 'react';
import { useStore } from 'zustand';
import { selectLinkNotice } from '../state/walk-store';
import { useT } from '../i18n/lang';
import { dismissLinkNotice, restorePreviousWork } from '../share/links';
import { useDeps } from './context';

const btn = 'rounded border border-slate-500 bg-white px-3 py-1 text-sm font-medium text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700';

export const LinkNoticeBar = memo(function LinkNoticeBar() {
  const { stores, client } = useDeps();
  const t = useT();
  const notice = useStore(stores.ui, selectLinkNotice);
  if (!notice) return null;
  const dismiss = (
    <button type="button" className={btn} onClick={() => dismissLinkNotice(stores)}>
      {t('link.dismiss')}
    </button>
  );
  if (notice.kind === 'error') {
    return (
      <div role="alert" data-testid="link-error" data-kind={notice.error} className="flex flex-col gap-1 rounded-lg border-2 border-red-700 bg-red-50 px-4 py-3 text-red-950">
        <p className="text-base font-semibold">{notice.text[t.lang]}</p>
        <p className="text-sm">{t('link.untouched')}</p>
        <details className="text-sm">
          <summary className="cursor-pointer">{t('link.details')}</summary>
          <p lang="en" className="font-mono">
            {notice.error}: {notice.detail}
          </p>
        </details>
        <div>{dismiss}</div>
      </div>
    );
  }
  if (notice.kind === 'restored') {
    return (
      <div role="status" className="flex flex-wrap items-center gap-3 rounded-lg border border-emerald-700 bg-emerald-50 px-4 py-2 text-emerald-950">
        <p>{t('link.restored')}</p>
        {dismiss}
      </div>
    );
  }
  return (
    <div role="status" className="flex flex-wrap items-center gap-3 rounded-lg border border-blue-700 bg-blue-50 px-4 py-2 text-blue-950">
      <p>
        {notice.from === 'link' ? t('link.opened') : t('link.openedGallery')} {notice.backup ? t('link.backupKept') : ''}
      </p>
      {notice.backup && (
        <button type="button" className={btn} onClick={() => void restorePreviousWork(stores, client)}>
          {t('link.restore')}
        </button>
      )}
      {dismiss}
    </div>
  );
});
