// pattern: Imperative Shell
// The lesson beside the walk survives a reload. The autosave keeps the
// scenario (state/persistence.ts); which gallery lesson was open beside it
// is kept here, next to it in localStorage, with the name of the scenario
// it belongs to: after a reload the lesson comes back only beside that
// scenario (a gallery scenario keeps its name through edits), never beside
// other work saved later. A link that names a lesson, or none, wins over
// what was kept (share/links.ts sets the lesson when it opens).

import type { KeyValueStore } from './autosave';
import type { Stores } from './walk-store';

export const LESSON_KEY = 'packetwalk.lesson.v1';

const ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;

interface Kept {
  lesson: string;
  scenario: string;
}

export function readKeptLesson(storage: KeyValueStore | null): Kept | null {
  try {
    const raw = storage?.getItem(LESSON_KEY) ?? null;
    if (raw === null) return null;
    const v = JSON.parse(raw) as Partial<Kept> | null;
    return v && typeof v.lesson === 'string' && ID_RE.test(v.lesson) && typeof v.scenario === 'string' ? { lesson: v.lesson, scenario: v.scenario } : null;
  } catch {
    return null;
  }
}

/** Bring back the lesson kept with the scenario the app starts with, then keep every change of it. */
export function keepLesson(stores: Stores, storage: KeyValueStore | null): void {
  const kept = readKeptLesson(storage);
  if (kept && kept.scenario === stores.scenario.getState().scenario.name && stores.ui.getState().lesson === null) stores.ui.setState({ lesson: kept.lesson });
  let written = kept ? JSON.stringify(kept) : null;
  const write = () => {
    const lesson = stores.ui.getState().lesson;
    const next = lesson === null ? null : JSON.stringify({ lesson, scenario: stores.scenario.getState().scenario.name });
    if (next === written) return;
    written = next;
    try {
      if (next === null) storage?.removeItem(LESSON_KEY);
      else storage?.setItem(LESSON_KEY, next);
    } catch {
      // full or forbidden storage: the lesson is simply not kept, like the scenario then
    }
  };
  stores.ui.subscribe((s, prev) => s.lesson !== prev.lesson && write());
  stores.scenario.subscribe((s, prev) => s.scenario !== prev.scenario && s.scenario.name !== prev.scenario.name && write());
}
