// pattern: Imperative Shell
// The first paint comes from index.html, not from React: it holds the header
// the app shows on a first visit (English, the built-in scenario), so a phone
// on a slow network shows the page as soon as the HTML and the stylesheet are
// there instead of after ~110 kB of script, and that header is the page's
// largest text. React's first commit replaces it with new nodes (nothing that
// was painted moves, so there is no layout shift).
//
// That header is only right for some visits. The entry (main.tsx) runs this
// before the first paint (index.html marks it render-blocking; it is about a
// kilobyte): when the visit will show other words — another language, a
// share link's scenario, an embedded walk, or work this browser showed last
// time — the header's words are hidden (`html[data-first-screen=bare]`, see
// index.css) and only the dark band and the product name paint; no one reads
// words that change a moment later. Then the app's own script is fetched,
// after that paint, so it does not compete with the stylesheet for the
// network.

import { readHash } from '../share/hash';
import { LANG_KEY, startLang } from '../i18n/langs';

/** what the header showed last in this browser: 'built-in' (the static header's words) or 'own' */
export const FIRST_SCREEN_KEY = 'packetwalk.firstScreen';

export type FirstScreen = 'built-in' | 'own';

export interface Visit {
  /** location.hash */
  hash: string;
  /** the language kept by the header's Language select, if any */
  keptLang: string | null;
  /** navigator.languages */
  languages: readonly string[];
  /** what the header showed last time (FIRST_SCREEN_KEY), if known */
  last: string | null;
}

/**
 * Whether index.html's header shows what the app will show on this visit:
 * English, the built-in scenario (no share link, nothing else shown last
 * time), the full app (not embedded).
 */
export function staticHeaderFits(visit: Visit): boolean {
  const hash = readHash(visit.hash);
  if (hash.s !== null || hash.embed) return false;
  if (startLang(hash.lang, visit.keptLang, visit.languages) !== 'en') return false;
  return visit.last !== 'own';
}

function storage(win: Window): Storage | null {
  try {
    return win.localStorage;
  } catch {
    return null;
  }
}

function read(s: Storage | null, key: string): string | null {
  try {
    return s?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** Before the first paint: keep or hide the static header's words. */
export function prepareFirstPaint(win: Window): void {
  const s = storage(win);
  const nav = win.navigator;
  const visit: Visit = {
    hash: win.location.hash,
    keptLang: read(s, LANG_KEY),
    languages: nav.languages?.length ? nav.languages : [nav.language ?? 'en'],
    last: read(s, FIRST_SCREEN_KEY),
  };
  if (!staticHeaderFits(visit)) win.document.documentElement.dataset['firstScreen'] = 'bare';
}

/**
 * The header tells the next visit's first paint whether its words will be
 * the static header's (see staticHeaderFits). A browser that keeps nothing
 * simply shows the static header's words next time.
 */
export function rememberFirstScreen(win: Window, shown: FirstScreen): void {
  const s = storage(win);
  try {
    if (read(s, FIRST_SCREEN_KEY) !== shown) s?.setItem(FIRST_SCREEN_KEY, shown);
  } catch {
    // full or refused storage: only the next first paint is less exact
  }
}

/** The longest the app waits for the first paint before it loads anyway. */
export const FIRST_PAINT_WAIT_MS = 200;

/**
 * Resolves once the static first screen has been painted — when the browser
 * reports its first paint (paint timing, sent once the frame is on screen,
 * which can be some frames after it was drawn) — so the app's script is
 * requested after that paint and does not compete with it. A hidden tab
 * paints nothing: it resolves at once there, and after FIRST_PAINT_WAIT_MS
 * whatever happens (a browser without paint timing).
 */
export function afterFirstPaint(win: Window): Promise<void> {
  return new Promise((resolve) => {
    if (win.document.visibilityState === 'hidden' || win.performance.getEntriesByType('paint').length > 0) {
      resolve();
      return;
    }
    win.setTimeout(resolve, FIRST_PAINT_WAIT_MS);
    try {
      const seen = new PerformanceObserver(() => {
        seen.disconnect();
        resolve();
      });
      seen.observe({ type: 'paint', buffered: true });
    } catch {
      // no paint timing: the timeout above starts the app
    }
  });
}
