// pattern: Imperative Shell
// What happened to the scenario because of a link, the gallery, an imported
// scenario file or a saved version: a link that could not be read (and the
// promise that nothing changed), a scenario that replaced the user's work
// (with the way back), a restore done, and a replacement refused because the
// user's latest changes could not be kept aside (download, discard, cancel).

import { memo, useState } from 'react';
import { useStore } from 'zustand';
import { selectLinkNotice, type LinkNotice, type ScenarioSource } from '../state/walk-store';
import { useT } from '../i18n/lang';
import type { MessageKey } from '../i18n/i18n';
import { cancelOpen, discardAndOpen, dismissLinkNotice, restorePreviousWork } from '../share/links';
import { useDeps } from './context';
import { downloadScenario } from './download';

const btn = 'rounded border border-slate-500 bg-white px-3 py-1 text-sm font-medium text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700';

const OPENED: Record<ScenarioSource, MessageKey> = { link: 'link.opened', gallery: 'link.openedGallery', course: 'link.openedCourse', file: 'link.openedFile', version: 'link.openedVersion' };
const REFUSED: Record<ScenarioSource, MessageKey> = { link: 'refuse.link', gallery: 'refuse.gallery', course: 'refuse.course', file: 'refuse.file', version: 'refuse.version' };
const WHY: Record<Extract<LinkNotice, { kind: 'refused' }>['problem'], MessageKey> = {
  quota: 'refuse.why.quota',
  'too-large': 'refuse.why.too-large',
  unavailable: 'refuse.why.unavailable',
  failed: 'refuse.why.failed',
};

const Refused = memo(function Refused({ notice }: { notice: Extract<LinkNotice, { kind: 'refused' }> }) {
  const { stores, client } = useDeps();
  const t = useT();
  const [downloaded, setDownloaded] = useState<string | null>(null);
  return (
    <div role="alert" data-testid="replace-refused" data-problem={notice.problem} className="flex flex-col gap-2 rounded-lg border-2 border-amber-700 bg-amber-50 px-4 py-3 text-amber-950">
      <p className="text-base font-semibold">{t(REFUSED[notice.from], { why: t(WHY[notice.problem]) })}</p>
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className={btn} onClick={() => setDownloaded(downloadScenario(stores.scenario.getState().scenario))}>
          {t('refuse.download')}
        </button>
        <button type="button" className={btn} onClick={() => void discardAndOpen(stores, client)}>
          {t('refuse.discard')}
        </button>
        <button type="button" className={btn} onClick={() => cancelOpen(stores)}>
          {t('refuse.cancel')}
        </button>
        <span role="status" className="text-sm">
          {downloaded ? t('refuse.downloaded', { file: downloaded }) : ''}
        </span>
      </div>
      <details className="text-sm">
        <summary className="cursor-pointer">{t('link.details')}</summary>
        <p lang="en" className="font-mono">
          {notice.problem}: {notice.detail}
        </p>
      </details>
    </div>
  );
});

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
  if (notice.kind === 'refused') return <Refused notice={notice} />;
  if (notice.kind === 'restored') {
    return (
      <div role="status" className="flex flex-wrap items-center gap-3 rounded-lg border border-emerald-700 bg-emerald-50 px-4 py-2 text-emerald-950">
        <p>{t('link.restored')}</p>
        {dismiss}
      </div>
    );
  }
  return (
    <div role="status" data-testid="scenario-opened" className="flex flex-wrap items-center gap-3 rounded-lg border border-blue-700 bg-blue-50 px-4 py-2 text-blue-950">
      <p>
        {t(OPENED[notice.from])} {notice.backup ? t('link.backupKept') : ''} {notice.unsaved ? t('link.unsaved') : ''}
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
