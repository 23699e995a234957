// pattern: Imperative Shell
// Presenter mode's side column: where the walk is, in large type, the keys,
// and a QR code of the current step's link so the room can open the same
// step on their phones.

import { useId, useMemo } from 'react';
import { useStore } from 'zustand';
import { useDeps } from '../shell/context';
import { selectIndex, selectLesson, selectLog, selectScenario } from '../state/walk-store';
import { useT } from '../i18n/lang';
import { buildLink, pageBase } from '../share/build-link';
import { qrPicture, QUIET } from './qr';
import { nodeName } from '../shell/derive';

export default function PresenterSide() {
  const { stores } = useDeps();
  const t = useT();
  const id = useId();
  const scenario = useStore(stores.scenario, selectScenario);
  const log = useStore(stores.walk, selectLog);
  const index = useStore(stores.playback, selectIndex);
  const lesson = useStore(stores.ui, selectLesson);
  const link = useMemo(() => buildLink(pageBase(window.location), scenario, log, index, t.lang, lesson), [scenario, log, index, t.lang, lesson]);
  const qr = useMemo(() => (link.ok ? qrPicture(link.url) : null), [link]);
  const step = log && index >= 0 ? log.steps[index] : undefined;
  const n = log?.steps.length ?? 0;
  return (
    <section aria-labelledby={id} className="flex flex-col gap-2 rounded-lg border-2 border-black bg-white p-3">
      <h2 id={id} className="text-lg font-bold text-black">
        {t('presenter.title')}
      </h2>
      <p className="text-2xl font-bold text-black tabular-nums" data-testid="presenter-step">
        {step ? t('presenter.step', { i: index + 1, n }) : t('common.noPacket')}
      </p>
      {step && (
        <p className="font-mono text-xl text-black">
          {step.host} · {nodeName(t, step.node)}
        </p>
      )}
      <p className="text-base text-black">{t('presenter.keys')}</p>
      {qr ? (
        <figure className="flex flex-col items-center gap-1">
          <svg role="img" aria-label={t('presenter.qr')} viewBox={`0 0 ${qr.size + 2 * QUIET} ${qr.size + 2 * QUIET}`} className="h-56 w-56 bg-white" shapeRendering="crispEdges" data-testid="presenter-qr">
            <rect width="100%" height="100%" fill="#fff" />
            <path d={qr.path} fill="#000" />
          </svg>
          <figcaption className="text-base text-black">{t('presenter.scan')}</figcaption>
        </figure>
      ) : (
        <p className="text-base text-black">{t('presenter.noQr')}</p>
      )}
    </section>
  );
}
