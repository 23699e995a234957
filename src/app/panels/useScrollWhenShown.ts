// pattern: Imperative Shell
// Keeping a list scrolled to its current line means reading layout (a row's
// offsetTop, the box's height) right after React changed the page, which
// makes the browser lay out the whole page there and then — also the panels
// that content-visibility keeps from being laid out while they are off
// screen (Panel.tsx). On a phone the event list, the TRACE log and the
// console start far below the first screen, and that one read made a walk's
// arrival a long task. So a box is scrolled at once only while it is on
// screen; a box off screen is scrolled when it comes on screen.

import { useEffect, useRef, type DependencyList, type RefObject } from 'react';

interface Watch {
  el: HTMLElement;
  io: IntersectionObserver;
  shown: boolean;
  /** the scroll asked for while the box was off screen */
  pending: ((el: HTMLElement) => void) | null;
}

/**
 * Run `scroll(box)` whenever `deps` change: at once while the box is on
 * screen, else when it next comes on screen (only the latest request).
 */
export function useScrollWhenShown(box: RefObject<HTMLElement | null>, scroll: (el: HTMLElement) => void, deps: DependencyList): void {
  const watch = useRef<Watch | null>(null);
  useEffect(
    () => () => {
      watch.current?.io.disconnect();
      watch.current = null;
    },
    [],
  );
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    if (typeof IntersectionObserver === 'undefined') {
      scroll(el);
      return;
    }
    let w = watch.current;
    // the box element changes when a list appears after its empty state
    if (w === null || w.el !== el) {
      w?.io.disconnect();
      const next: Watch = { el, shown: false, pending: null, io: null as unknown as IntersectionObserver };
      next.io = new IntersectionObserver((entries) => {
        next.shown = entries[entries.length - 1]?.isIntersecting ?? next.shown;
        if (next.shown && next.pending) {
          const run = next.pending;
          next.pending = null;
          run(el);
        }
      });
      next.io.observe(el);
      watch.current = w = next;
    }
    if (w.shown) scroll(el);
    else w.pending = scroll;
    // the caller's deps decide when to scroll, as with useEffect
  }, deps);
}
