// pattern: Imperative Shell
// Presenter mode's step card: where the walk is, in large type, the keys,
// and a QR code of the current step's link so the room can open the same
// step on their phones. On a wide screen it is a side column; on a laptop or
// a 1280×720 projector it is a small card in the graph's lower left corner
// (where the flow graph has no boxes), so the graph keeps the screen; Q (or
// its button) shows and hides the QR code there.

import { useEffect, useId, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { useDeps } from '../shell/context';
import { selectIndex, selectLesson, selectLog, selectScenario } from '../state/walk-store';
import { useT } from '../i18n/lang';
import { buildLink, pageBase } from '../share/build-link';
import { stepOptions } from '../state/step-options';
import { qrPicture, QUIET } from './qr';
import { nodeName } from '../shell/derive';
import { typingIn } from '../shell/Playback';

/** Q toggles the QR code while the user is not typing. */
function useQrKey(toggle: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey || typingIn(e.target)) return;
      if (e.key !== 'q' && e.key !== 'Q') return;
      toggle();
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [toggle]);
}

export default function PresenterSide({ compact = false }: { compact?: boolean }) {
  const { stores } = useDeps();
  const t = useT();
  const id = useId();
  const scenario = useStore(stores.scenario, selectScenario);
  const log = useStore(stores.walk, selectLog);
  const index = useStore(stores.playback, selectIndex);
  const lesson = useStore(stores.ui, selectLesson);
  const stepping = useStore(stepOptions(stores));
  const [showQr, setShowQr] = useState(true);
  const toggle = useMemo(() => () => setShowQr((v) => !v), []);
  useQrKey(toggle);
  const link = useMemo(() => buildLink(pageBase(window.location), scenario, log, index, t.lang, lesson, stepping), [scenario, log, index, t.lang, lesson, stepping]);
  const qr = useMemo(() => (link.ok ? qrPicture(link.url) : null), [link]);
  const step = log && index >= 0 ? log.steps[index] : undefined;
  const n = log?.steps.length ?? 0;
  const picture = qr ? (
    <figure className="flex flex-col items-center gap-1">
      <svg role="img" aria-label={t('presenter.qr')} viewBox={`0 0 ${qr.size + 2 * QUIET} ${qr.size + 2 * QUIET}`} className={`${compact ? 'h-36 w-36' : 'h-56 w-56'} bg-white`} shapeRendering="crispEdges" data-testid="presenter-qr">
        <rect width="100%" height="100%" fill="#fff" />
        <path d={qr.path} fill="#000" />
      </svg>
      <figcaption className={`${compact ? 'text-sm' : 'text-base'} text-black`}>{t('presenter.scan')}</figcaption>
    </figure>
  ) : (
    <p className="text-base text-black">{t('presenter.noQr')}</p>
  );
  if (compact) {
    return (
      <section aria-labelledby={id} data-testid="presenter-card" className="flex max-w-[16rem] flex-col gap-1 rounded-lg border-2 border-black bg-white/95 p-2 shadow-md">
        <h2 id={id} className="sr-only">
          {t('presenter.title')}
        </h2>
        <p className="text-lg font-bold text-black tabular-nums" data-testid="presenter-step">
          {step ? t('presenter.step', { i: index + 1, n }) : t('common.noPacket')}
        </p>
        <p className="sr-only">{t('presenter.keys')} {t('presenter.qrKey')}</p>
        <button
          type="button"
          aria-pressed={showQr}
          aria-keyshortcuts="Q"
          onClick={toggle}
          className="self-start rounded border border-black bg-white px-2 text-sm font-semibold text-black hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700"
        >
          {showQr ? t('presenter.hideQr') : t('presenter.showQr')} (Q)
        </button>
        {showQr ? picture : null}
      </section>
    );
  }
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
      <p className="text-base text-black">
        {t('presenter.keys')} {t('presenter.qrKey')}
      </p>
      <button
        type="button"
        aria-pressed={showQr}
        aria-keyshortcuts="Q"
        onClick={toggle}
        className="self-start rounded border border-black bg-white px-2 text-base font-semibold text-black hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700"
      >
        {showQr ? t('presenter.hideQr') : t('presenter.showQr')} (Q)
      </button>
      {showQr ? picture : null}
    </section>
  );
}
