// pattern: Functional Core
// The link of the state on screen: scenario, the packet at the current step,
// the lesson beside the walk, the step, the language and how the reader steps (by= and collapse=, the
// readable part the app adds after src/share's), encoded by src/share and read back at once, so
// the app never hands out a link that it would refuse to open itself.

import { decodeShare, encodeShare, shareSizeClass, type ShareSizeClass } from '../../share/link';
import type { Case } from '../../engine/scenario/case';
import type { WalkLog } from '../../engine/walk-log';
import type { Lang } from '../i18n/i18n';
import type { StepOptions } from '../shell/stepping';
import { DEFAULT_STEP_OPTIONS } from '../state/step-options';

export type BuiltLink = { ok: true; url: string; length: number; size: ShareSizeClass } | { ok: false; detail: string };

/**
 * `base` is the page address without its hash (origin + path); the length
 * that is measured is the whole link's, since that is what chat apps and
 * QR codes must carry.
 */
export function buildLink(
  base: string,
  scenario: Case,
  log: WalkLog | null,
  index: number,
  lang: Lang,
  lesson: string | null = null,
  stepping: StepOptions = DEFAULT_STEP_OPTIONS,
): BuiltLink {
  const step = log && index >= 0 ? log.steps[index] : undefined;
  let hash = encodeShare({ scenario, ...(step ? { packet: step.packet, step: index } : {}), ...(lesson !== null ? { lesson } : {}), lang });
  if (stepping.granularity !== 'event') hash += `&by=${stepping.granularity}`;
  if (stepping.collapse) hash += '&collapse=1';
  const back = decodeShare(hash);
  if (!back.ok) return { ok: false, detail: `${back.error.kind}: ${back.error.detail}` };
  const url = `${base}#${hash}`;
  return { ok: true, url, length: url.length, size: shareSizeClass(url.length) };
}

/** The page address a link starts with. */
export function pageBase(location: { origin: string; pathname: string }): string {
  return `${location.origin}${location.pathname}`;
}
