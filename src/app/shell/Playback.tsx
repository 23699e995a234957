// pattern: Imperative Shell
// Playback: the controls, the scrubber with a tick wherever the packet enters
// a new hook, the document-wide keys, and the timer that plays the walk at
// `speed` steps per second.

import { memo, useEffect, useId, useMemo } from 'react';
import { useStore } from 'zustand';
import {
  changeSpeed,
  selectIndex,
  selectLog,
  selectPlaying,
  selectSpeed,
  stepBack,
  stepForward,
  stepTo,
  stepToEnd,
  togglePlay,
  type Stores,
} from '../state/walk-store';
import { indexLog, nodeName, thinTicks } from './derive';
import { useDeps } from './context';
import { useT } from '../i18n/lang';

/** Keys belong to the field while the user types in one. */
export function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement;
}

export function handlePlaybackKey(stores: Stores, e: KeyboardEvent): void {
  if (e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey || typingIn(e.target)) return;
  switch (e.key) {
    case 'ArrowRight':
      stepForward(stores);
      break;
    case 'ArrowLeft':
      stepBack(stores);
      break;
    case ' ':
    case 'Spacebar':
      togglePlay(stores);
      break;
    case '+':
    case '=':
      changeSpeed(stores, 1);
      break;
    case '-':
    case '_':
      changeSpeed(stores, -1);
      break;
    case 'Home':
      stepToEnd(stores, 'first');
      break;
    case 'End':
      stepToEnd(stores, 'last');
      break;
    default:
      return;
  }
  // Space would also press a focused button and scroll the page; the key is ours.
  e.preventDefault();
}

export function usePlaybackKeys(): void {
  const { stores } = useDeps();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => handlePlaybackKey(stores, e);
    document.addEventListener('keydown', onKey);
    // A Space keyup on a focused button would click it after we handled the keydown.
    const onKeyUp = (e: KeyboardEvent) => {
      if (e.key === ' ' && !typingIn(e.target) && e.target instanceof HTMLButtonElement) e.preventDefault();
    };
    document.addEventListener('keyup', onKeyUp);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('keyup', onKeyUp);
    };
  }, [stores]);
}

export function usePlaybackTimer(): void {
  const { stores } = useDeps();
  const playing = useStore(stores.playback, selectPlaying);
  const speed = useStore(stores.playback, selectSpeed);
  useEffect(() => {
    if (!playing) return;
    const timer = window.setInterval(() => stepForward(stores), 1000 / speed);
    return () => window.clearInterval(timer);
  }, [stores, playing, speed]);
}

/** Icons drawn as SVG: media-control glyphs are missing from many system fonts. */
function Icon({ shape }: { shape: 'play' | 'pause' | 'first' | 'last' | 'back' | 'forward' }) {
  const paths = {
    play: 'M4 2l10 6-10 6z',
    pause: 'M3 2h4v12H3zM9 2h4v12H9z',
    first: 'M2 2h2v12H2zM14 2v12L5 8z',
    last: 'M12 2h2v12h-2zM2 2v12l9-6z',
    back: 'M12 2v12L3 8z',
    forward: 'M4 2v12l9-6z',
  } as const;
  return (
    <svg aria-hidden="true" focusable="false" viewBox="0 0 16 16" className="h-4 w-4 fill-current">
      <path d={paths[shape]} />
    </svg>
  );
}

const btn =
  'inline-flex min-h-10 min-w-10 items-center justify-center gap-1 rounded border border-slate-400 bg-white px-3 py-1.5 text-base font-medium text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700 disabled:text-slate-500 aria-disabled:text-slate-500 aria-disabled:hover:bg-white';

export const Playback = memo(function Playback() {
  const { stores } = useDeps();
  const log = useStore(stores.walk, selectLog);
  const index = useStore(stores.playback, selectIndex);
  const playing = useStore(stores.playback, selectPlaying);
  const speed = useStore(stores.playback, selectSpeed);
  const id = useId();
  const t = useT();
  const n = log?.steps.length ?? 0;
  const hookEntries = log ? indexLog(log).hookEntries : null;
  const ticks = useMemo(() => (hookEntries ? thinTicks(hookEntries, n) : []), [hookEntries, n]);
  const step = log && index >= 0 ? log.steps[index] : undefined;
  const none = n === 0;

  return (
    <div role="group" aria-label={t('playback.group')} className="flex flex-wrap items-center gap-2">
      <button type="button" className={`${btn} w-24`} onClick={() => togglePlay(stores)} disabled={none} aria-keyshortcuts="Space">
        <Icon shape={playing ? 'pause' : 'play'} />
        {playing ? t('playback.pause') : t('playback.play')}
      </button>
      <button type="button" className={btn} onClick={() => stepToEnd(stores, 'first')} aria-disabled={none || index <= 0} aria-label={t('playback.first')} aria-keyshortcuts="Home" title={t('playback.firstTitle')}>
        <Icon shape="first" />
      </button>
      <button type="button" className={btn} onClick={() => stepBack(stores)} aria-disabled={none || index <= 0} aria-keyshortcuts="ArrowLeft" title={t('playback.backTitle')}>
        <Icon shape="back" /> {t('playback.back')}
      </button>
      <button type="button" className={btn} onClick={() => stepForward(stores)} aria-disabled={none || index >= n - 1} aria-keyshortcuts="ArrowRight" title={t('playback.forwardTitle')}>
        {t('playback.forward')} <Icon shape="forward" />
      </button>
      <button type="button" className={btn} onClick={() => stepToEnd(stores, 'last')} aria-disabled={none || index >= n - 1} aria-label={t('playback.last')} aria-keyshortcuts="End" title={t('playback.lastTitle')}>
        <Icon shape="last" />
      </button>
      <span className="ml-2 inline-flex items-center gap-1" role="group" aria-label={t('playback.speed')}>
        <button type="button" className={btn} onClick={() => changeSpeed(stores, -1)} aria-label={t('playback.slower')} aria-keyshortcuts="-" title={t('playback.slowerTitle')}>
          −
        </button>
        <output className="w-20 text-center font-mono text-base tabular-nums">
          {speed}×
        </output>
        <button type="button" className={btn} onClick={() => changeSpeed(stores, 1)} aria-label={t('playback.faster')} aria-keyshortcuts="+" title={t('playback.fasterTitle')}>
          +
        </button>
      </span>
      <div className="relative ml-2 flex min-w-64 flex-1 flex-col">
        <label htmlFor={`${id}-scrub`} className="sr-only">
          {t('playback.step')}
        </label>
        <input
          id={`${id}-scrub`}
          type="range"
          min={0}
          max={Math.max(0, n - 1)}
          step={1}
          value={Math.max(0, index)}
          disabled={none}
          onChange={(e) => stepTo(stores, Number(e.target.value))}
          aria-valuetext={step ? t('playback.valuetext', { i: index + 1, n, host: step.host, node: nodeName(t, step.node) }) : t('playback.noWalk')}
          className="h-6 w-full accent-blue-700"
        />
        {/* Ticks where the packet enters a hook; the thumb is 16 px wide, so the track is inset by 8 px. */}
        <div aria-hidden="true" className="relative mx-2 h-2">
          {n > 1 &&
            ticks.map((t) => (
              <span key={t} className="absolute top-0 h-2 w-px bg-slate-600" style={{ left: `${(t / (n - 1)) * 100}%` }} />
            ))}
        </div>
      </div>
      <span className="min-w-[11ch] text-right font-mono text-base tabular-nums text-slate-800">
        {n ? `${index + 1} / ${n}` : '0 / 0'}
      </span>
    </div>
  );
});
