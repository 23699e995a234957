// pattern: Functional Core
// Which of the two languages to speak, decided from plain inputs. It imports
// nothing, so the page's entry (main.tsx) can decide before the first paint
// whether the static first screen in index.html speaks the reader's language,
// without loading a catalogue; i18n.ts and lang.ts re-export it.

export type Lang = 'en' | 'zh';

/** where this browser keeps the reader's own choice (the header's Language select) */
export const LANG_KEY = 'packetwalk.lang';
export const LANGS: readonly Lang[] = ['en', 'zh'];

export function isLang(x: unknown): x is Lang {
  return x === 'en' || x === 'zh';
}

/** The browser's language, if it is one we ship; English otherwise. */
export function detectLang(languages: readonly string[]): Lang {
  for (const l of languages) {
    const low = l.toLowerCase();
    if (low.startsWith('zh')) return 'zh';
    if (low.startsWith('en')) return 'en';
  }
  return 'en';
}

/**
 * The language to start in: a link's own choice first, then the one kept in
 * this browser, then the browser's preference.
 */
export function startLang(fromLink: string | null | undefined, kept: string | null | undefined, languages: readonly string[]): Lang {
  if (isLang(fromLink)) return fromLink;
  if (isLang(kept)) return kept;
  return detectLang(languages);
}
