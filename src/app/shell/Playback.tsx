// pattern: Imperative Shell
// Playback: the controls, the step granularity (event, chain, hook, host,
// packet; G cycles), the scrubber with the hosts along the walk, a tick where
// each packet starts and where it enters a new hook, the document-wide keys,
// and the timer that plays the walk at `speed` presses per second.
//
// The bar is one row from 1280 px wide in both languages: between lg and
// 1440 px step back / forward show their icons only (named by aria-label,
// their keys in the tooltip), the speed readout is as wide as "0.5×" needs,
// and the scrubber gives up width before anything wraps.

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
import { GRANULARITIES, hostBands, nextStop, packetStarts, prevStop, stops, type Granularity, type StepOptions } from './stepping';
import { cycleGranularity, setStepOptions, stepOptions } from '../state/step-options';
import type { MessageKey } from '../i18n/i18n';
import { useDeps } from './context';
import { useT } from '../i18n/lang';

const selectGranularity = (s: StepOptions) => s.granularity;
const selectCollapse = (s: StepOptions) => s.collapse;

/**
 * One press of → (dir 1) or ← (-1) at the chosen granularity. Forward from
 * the last step stops playing, as stepping by event does.
 */
export function stepBy(stores: Stores, dir: 1 | -1): void {
  const opts = stepOptions(stores).getState();
  const log = stores.walk.getState().log;
  if (!log || (opts.granularity === 'event' && !opts.collapse)) {
    if (dir > 0) stepForward(stores);
    else stepBack(stores);
    return;
  }
  const n = log.steps.length;
  const { index } = stores.playback.getState();
  const at = stops(log, opts);
  if (dir < 0) {
    stepTo(stores, prevStop(at, index));
    return;
  }
  if (index >= n - 1) {
    stores.playback.setState({ playing: false });
    return;
  }
  stepTo(stores, nextStop(at, index, n));
}

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
      stepBy(stores, 1);
      break;
    case 'ArrowLeft':
      stepBy(stores, -1);
      break;
    case 'g':
    case 'G':
      cycleGranularity(stores, e.shiftKey ? -1 : 1);
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
    const timer = window.setInterval(() => stepBy(stores, 1), 1000 / speed);
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

/** Light fills for the hosts' bands on the scrubber, by the host's place in the scenario. */
const HOST_FILLS = ['bg-sky-100 border-sky-700', 'bg-amber-100 border-amber-700', 'bg-emerald-100 border-emerald-700', 'bg-violet-100 border-violet-700', 'bg-rose-100 border-rose-700', 'bg-slate-200 border-slate-700'];

/** The scrubber's track: the hosts along the walk, a tall tick where each packet starts, a short one where it enters a hook. */
const ScrubTrack = memo(function ScrubTrack({ log, n }: { log: NonNullable<ReturnType<typeof selectLog>>; n: number }) {
  const t = useT();
  const hookEntries = indexLog(log).hookEntries;
  const ticks = useMemo(() => thinTicks(hookEntries, n), [hookEntries, n]);
  const starts = useMemo(() => thinTicks(packetStarts(log), n), [log, n]);
  const bands = useMemo(() => hostBands(log), [log]);
  const hostIndex = useMemo(() => new Map(log.hosts.map((h, k) => [h.name, k])), [log]);
  if (n < 2) return null;
  const at = (i: number) => `${(i / (n - 1)) * 100}%`;
  return (
    <div aria-hidden="true" className="relative mx-2">
      <div className="relative h-4 overflow-hidden" title={t('scrub.hosts')} data-testid="scrub-hosts">
        {bands.map((b) => (
          <span
            key={b.from}
            data-host={b.host}
            className={`absolute top-0 h-4 overflow-hidden border-l px-0.5 text-[11px] leading-4 whitespace-nowrap text-slate-900 ${HOST_FILLS[(hostIndex.get(b.host) ?? 0) % HOST_FILLS.length]}`}
            style={{ left: at(b.from), width: `${(Math.max(1, b.to - b.from + 1) / (n - 1)) * 100}%` }}
          >
            {b.host}
          </span>
        ))}
      </div>
      <div className="relative h-2" title={t('scrub.packets')}>
        {ticks.map((i) => (
          <span key={`h${i}`} className="absolute top-0 h-1.5 w-px bg-slate-500" style={{ left: at(i) }} />
        ))}
        {starts.map((i) => (
          <span key={`p${i}`} data-packet-start={i} className="absolute top-0 h-2 w-0.5 bg-slate-900" style={{ left: at(i) }} />
        ))}
      </div>
    </div>
  );
});

/** Step by event, chain, hook, host or packet; collapse empty-chain runs and the transmit before a send. */
const GranularityControl = memo(function GranularityControl() {
  const { stores } = useDeps();
  const opts = stepOptions(stores);
  const granularity = useStore(opts, selectGranularity);
  const collapse = useStore(opts, selectCollapse);
  const id = useId();
  const t = useT();
  return (
    <span className="inline-flex items-center gap-2">
      <label htmlFor={id} className="text-base text-slate-900">
        {t('gran.label')}
      </label>
      <select
        id={id}
        value={granularity}
        title={t('gran.title')}
        aria-keyshortcuts="G"
        onChange={(e) => setStepOptions(stores, { granularity: e.target.value as Granularity })}
        className="min-h-10 rounded border border-slate-400 bg-white px-2 text-base text-slate-900 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700"
      >
        {GRANULARITIES.map((g) => (
          <option key={g} value={g}>
            {t(`gran.${g}` as MessageKey)}
          </option>
        ))}
      </select>
      <label className="inline-flex items-center gap-1 text-base text-slate-900" title={t('gran.collapseTitle')}>
        <input type="checkbox" className="h-4 w-4 accent-blue-700" checked={collapse} onChange={(e) => setStepOptions(stores, { collapse: e.target.checked })} />
        {t('gran.collapse')}
      </label>
    </span>
  );
});

const btn =
  'inline-flex min-h-10 min-w-10 items-center justify-center gap-1 rounded border border-slate-400 bg-white px-3 py-1.5 text-base font-medium text-slate-900 hover:bg-slate-100 focus:outline-2 focus:outline-offset-2 focus:outline-blue-700 disabled:text-slate-500 aria-disabled:text-slate-500 aria-disabled:hover:bg-white';

/** The words of step back / forward: on a phone (the bar wraps there anyway) and from 1440 px, not between. */
const stepWords = 'lg:hidden min-[1440px]:inline';

export const Playback = memo(function Playback() {
  const { stores } = useDeps();
  const log = useStore(stores.walk, selectLog);
  const index = useStore(stores.playback, selectIndex);
  const playing = useStore(stores.playback, selectPlaying);
  const speed = useStore(stores.playback, selectSpeed);
  const id = useId();
  const t = useT();
  const n = log?.steps.length ?? 0;
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
      <button type="button" className={btn} onClick={() => stepBy(stores, -1)} aria-disabled={none || index <= 0} aria-label={t('playback.back')} aria-keyshortcuts="ArrowLeft" title={t('playback.backTitle')}>
        <Icon shape="back" /> <span className={stepWords}>{t('playback.back')}</span>
      </button>
      <button type="button" className={btn} onClick={() => stepBy(stores, 1)} aria-disabled={none || index >= n - 1} aria-label={t('playback.forward')} aria-keyshortcuts="ArrowRight" title={t('playback.forwardTitle')}>
        <span className={stepWords}>{t('playback.forward')}</span> <Icon shape="forward" />
      </button>
      <button type="button" className={btn} onClick={() => stepToEnd(stores, 'last')} aria-disabled={none || index >= n - 1} aria-label={t('playback.last')} aria-keyshortcuts="End" title={t('playback.lastTitle')}>
        <Icon shape="last" />
      </button>
      <span className="ml-2 inline-flex items-center gap-1" role="group" aria-label={t('playback.speed')}>
        <button type="button" className={btn} onClick={() => changeSpeed(stores, -1)} aria-label={t('playback.slower')} aria-keyshortcuts="-" title={t('playback.slowerTitle')}>
          −
        </button>
        <output className="w-20 text-center lg:w-12 min-[1440px]:w-20 font-mono text-base tabular-nums">
          {speed}×
        </output>
        <button type="button" className={btn} onClick={() => changeSpeed(stores, 1)} aria-label={t('playback.faster')} aria-keyshortcuts="+" title={t('playback.fasterTitle')}>
          +
        </button>
      </span>
      <div className="relative ml-2 flex min-w-64 flex-1 flex-col lg:min-w-48 min-[1440px]:min-w-64">
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
        {/* the thumb is 16 px wide, so the track's marks are inset by 8 px */}
        {log ? <ScrubTrack log={log} n={n} /> : null}
      </div>
      <GranularityControl />
      <span className="min-w-[11ch] text-right font-mono text-base tabular-nums text-slate-800">
        {n ? `${index + 1} / ${n}` : '0 / 0'}
      </span>
    </div>
  );
});
