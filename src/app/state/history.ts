// pattern: Functional Core
// Undo/redo as pure functions over a history of values (the app keeps whole
// scenario objects: each edit makes a new one, so undo is a pointer move,
// never a reverse command). The past is bounded so a long session of edits
// to a 50,000-rule scenario cannot hold unbounded memory.

export interface History<T> {
  /** oldest first */
  past: readonly T[];
  present: T;
  /** next redo first */
  future: readonly T[];
}

export const HISTORY_LIMIT = 50;

export function initHistory<T>(present: T): History<T> {
  return { past: [], present, future: [] };
}

/**
 * `next` becomes the present; the old present joins the past, and the redo
 * branch is dropped (a new edit after an undo forks history, as editors do).
 * Recording the present itself changes nothing.
 */
export function record<T>(h: History<T>, next: T, limit = HISTORY_LIMIT): History<T> {
  if (Object.is(next, h.present)) return h;
  const past = [...h.past, h.present];
  return { past: past.length > limit ? past.slice(past.length - limit) : past, present: next, future: [] };
}

/** Replace the present without making an undo step (the same state seen anew, e.g. a packet sent). */
export function replacePresent<T>(h: History<T>, present: T): History<T> {
  return Object.is(present, h.present) ? h : { ...h, present };
}

export function canUndo<T>(h: History<T>): boolean {
  return h.past.length > 0;
}

export function canRedo<T>(h: History<T>): boolean {
  return h.future.length > 0;
}

export function undo<T>(h: History<T>): History<T> {
  if (!h.past.length) return h;
  const present = h.past[h.past.length - 1] as T;
  return { past: h.past.slice(0, -1), present, future: [h.present, ...h.future] };
}

export function redo<T>(h: History<T>): History<T> {
  if (!h.future.length) return h;
  const present = h.future[0] as T;
  return { past: [...h.past, h.present], present, future: h.future.slice(1) };
}
