// pattern: Functional Core
// Texts the app shows that were written elsewhere in English: the autosave's
// notices (kept in the store as they were written, and translated when
// shown), the built-in scenario's description, and the titles of gallery
// lessons (registered by the lazily loaded gallery, so the first screen does
// not carry the gallery's texts).

import { BUILT_IN } from '../../scenarios/built-in';
import type { Lang, MessageKey } from '../i18n/i18n';
import type { T } from '../i18n/lang';
import type { Notice } from '../state/walk-store';
import { FAILURE_PATTERNS, type EngineFailureKind } from '../../worker/failure';

export const BUILT_IN_NAME: string = BUILT_IN.name;
export const BUILT_IN_DESCRIPTION: string = BUILT_IN.description ?? '';

const NOTICES: [RegExp, MessageKey][] = [
  [/^The scenario saved in this browser is not valid JSON/, 'notice.saveNotJson'],
  [/^The scenario saved in this browser is from another version/, 'notice.saveOtherVersion'],
  [/^The scenario saved in this browser is damaged \((.*)\); it was ignored\.$/, 'notice.saveDamaged'],
  [/^This browser does not allow reading saved data/, 'notice.saveUnreadable'],
  [/^This browser has no local storage/, 'notice.noStorage'],
  [/^The scenario is too large to keep in this browser/, 'notice.tooLargeToKeep'],
];

const FAILURE_KEYS: Record<EngineFailureKind, MessageKey> = {
  timeout: 'engine.timeout',
  crashed: 'engine.crashed',
  cancelled: 'engine.cancelled',
  'stack-overflow': 'engine.stackOverflow',
  'out-of-memory': 'engine.outOfMemory',
  protocol: 'engine.protocol',
  internal: 'engine.internal',
  gone: 'engine.gone',
};

/**
 * The autosave's notice, or an engine failure's sentence (worker/failure.ts),
 * in the current language; an unknown text is shown as it is.
 */
export function translateNotice(t: T, notice: Notice): string {
  if (typeof notice !== 'string') return t(notice.key, notice.params);
  const text = notice;

  for (const [re, key] of NOTICES) {
    const m = re.exec(text);
    if (m) return t(key, { why: m[1] ?? '' });
  }
  for (const [re, kind] of FAILURE_PATTERNS) {
    const m = re.exec(text);
    if (m) return t(FAILURE_KEYS[kind], { s: m[1] ?? '' });
  }
  return text;
}

interface LessonWords {
  title: { en: string; zh: string };
  summary: { en: string; zh: string };
  /** the scenario's own (English) description, recognised to show the summary instead */
  description: string | null;
}

const lessons = new Map<string, LessonWords>();

export function registerLessonTitles(entries: readonly { id: string; title: { en: string; zh: string }; summary: { en: string; zh: string }; scenario: { description?: string | undefined } }[]): void {
  for (const e of entries) lessons.set(e.id, { title: e.title, summary: e.summary, description: e.scenario.description ?? null });
}

export function lessonTitle(id: string, lang: Lang): string | null {
  return lessons.get(id)?.title[lang] ?? null;
}

/**
 * A gallery scenario's description in the reader's language: its summary,
 * while the scenario still carries the gallery's own description.
 */
export function galleryDescription(name: unknown, description: string, lang: Lang): string | null {
  const l = typeof name === 'string' ? lessons.get(name) : undefined;
  return l && l.description === description ? l.summary[lang] : null;
}
