// pattern: Imperative Shell
// The language the app speaks, in one small store every view reads through
// useT(). It is chosen once at start (the link's `lang=`, else what this
// browser chose before, else navigator.languages) and then only by the
// header's Language select or a link. `<html lang>` follows it, so screen
// readers pronounce the Chinese as Chinese and the CJK font stack applies.

import { useMemo } from 'react';
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import { hasLang, loadLang, type Lang } from './i18n';
import { LANG_KEY, startLang } from './langs';
import { tFor, type T } from './t';

export type { Lang, MessageKey } from './i18n';
export { LANG_KEY, startLang } from './langs';
export { tEn, tFor, type T } from './t';

export interface LangState {
  lang: Lang;
  /** false only while the start language's strings load: the app waits rather than flash another language */
  ready: boolean;
}

export const langStore = createStore<LangState>()(() => ({ lang: 'en', ready: true }));

export const selectLang = (s: LangState) => s.lang;
export const selectLangReady = (s: LangState) => s.ready;

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null;
  }
}

/** `<html lang>`: zh-CN, so the browser picks Simplified Chinese glyphs. */
export function htmlLang(lang: Lang): string {
  return lang === 'zh' ? 'zh-CN' : 'en';
}

let wanted: Lang = 'en';

function apply(lang: Lang): void {
  // a later choice wins over a load still on its way
  if (lang !== wanted) return;
  langStore.setState({ lang, ready: true });
  if (typeof document !== 'undefined') document.documentElement.lang = htmlLang(lang);
}

/** Switch the app's language (its strings load first if they are not here yet) and keep the choice. */
export function setLang(lang: Lang): void {
  wanted = lang;
  try {
    storage()?.setItem(LANG_KEY, lang);
  } catch {
    // private mode or full storage: the choice lasts for this page only
  }
  if (hasLang(lang)) apply(lang);
  else
    void loadLang(lang).then(
      () => apply(lang),
      () => langStore.setState({ ready: true }),
    );
}

/** Called once at start-up, before the first render. */
export function initLang(fromLink: string | null | undefined): Lang {
  let kept: string | null = null;
  try {
    kept = storage()?.getItem(LANG_KEY) ?? null;
  } catch {
    kept = null;
  }
  const languages = typeof navigator === 'undefined' ? [] : navigator.languages?.length ? navigator.languages : [navigator.language ?? 'en'];
  const lang = startLang(fromLink, kept, languages);
  wanted = lang;
  if (hasLang(lang)) apply(lang);
  else {
    langStore.setState({ ready: false });
    void loadLang(lang).then(
      () => apply(lang),
      // the strings could not load (offline after an update): English rather than nothing
      () => langStore.setState({ ready: true }),
    );
  }
  return lang;
}

/** The current language's translator; components re-render when the language changes. */
export function useT(): T {
  const lang = useStore(langStore, selectLang);
  return useMemo(() => tFor(lang), [lang]);
}
