// pattern: Functional Core
// A translator is translate() bound to one language, with the language on it:
// t('playback.play'), t('share.length', { n: 734 }), t.lang. Pure functions
// that word things for the screen take one (English by default).

import { translate, type Lang, type MessageKey } from './i18n';

export type T = ((key: MessageKey, params?: Record<string, string | number>) => string) & { lang: Lang };

const bound = new Map<Lang, T>();

/** The translator of a language (one object per language, so it is a stable dependency). */
export function tFor(lang: Lang): T {
  let t = bound.get(lang);
  if (!t) {
    t = Object.assign((key: MessageKey, params?: Record<string, string | number>) => translate(lang, key, params), { lang });
    bound.set(lang, t);
  }
  return t;
}

/** English, for pure functions called without a translator (tests, the CLI's wording). */
export const tEn: T = tFor('en');
