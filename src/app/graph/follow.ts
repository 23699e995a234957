// pattern: Functional Core
// The arithmetic of keeping the current box in view: whether a box drawn at
// a React Flow viewport shows inside the pane, the viewport that centres it
// when it does not, and how far a scroller (the phone's sideways scroll, the
// page) has to move to show a span. FollowCurrent (graph-parts.tsx) applies
// the answers.

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** Room kept around a span a scroller brings into view (page pixels). */
export const FOLLOW_MARGIN = 24;

/**
 * What of a box must show, in flow units: its badge ("packet here", the
 * fate) stands 18 units over its top edge and the packet dot 12 units left
 * of it.
 */
export function withBadge(r: Rect): Rect {
  return { x: r.x - 12, y: r.y - 18, w: r.w + 12, h: r.h + 18 };
}

/** A box of the drawing (flow coordinates) in pane pixels at a viewport. */
export function onPane(r: Rect, v: Viewport): Rect {
  return { x: r.x * v.zoom + v.x, y: r.y * v.zoom + v.y, w: r.w * v.zoom, h: r.h * v.zoom };
}

/**
 * The viewport that shows box `r` in a pane of `width`×`height`, or null when
 * it already shows (`margin` pixels inside the pane's edge; the fitted
 * drawing's outer boxes are a few pixels from it). The zoom stays the
 * reader's; the box is centred, so the next few steps are in view too.
 *
 * @example
 * const v = panToShow(node, getViewport(), { width, height });
 * if (v) void setViewport(v, { duration: reduced ? 0 : 300 });
 */
export function panToShow(r: Rect, v: Viewport, pane: { width: number; height: number }, margin = 2): Viewport | null {
  const p = onPane(r, v);
  const m = Math.min(margin, Math.max(0, (pane.width - p.w) / 2), Math.max(0, (pane.height - p.h) / 2));
  const inside = p.x >= m && p.y >= m && p.x + p.w <= pane.width - m && p.y + p.h <= pane.height - m;
  if (inside) return null;
  return { x: pane.width / 2 - (r.x + r.w / 2) * v.zoom, y: pane.height / 2 - (r.y + r.h / 2) * v.zoom, zoom: v.zoom };
}

/**
 * How far to scroll so that the span [start, end] shows inside [viewStart,
 * viewEnd] with `margin` to spare: 0 when it does. `whole` (the span's
 * container, e.g. the graph's box) is brought fully into view when it fits,
 * so stepping on does not scroll again at every box; otherwise the span is
 * centred.
 */
export function scrollDelta(start: number, end: number, viewStart: number, viewEnd: number, margin = FOLLOW_MARGIN, whole?: { start: number; end: number }): number {
  const m = Math.min(margin, Math.max(0, (viewEnd - viewStart - (end - start)) / 2));
  if (start >= viewStart + m && end <= viewEnd - m) return 0;
  if (whole && whole.end - whole.start <= viewEnd - viewStart) {
    // the container in view, its nearest edge at the view's edge (the span is inside it)
    return whole.start < viewStart ? whole.start - viewStart : whole.end - viewEnd;
  }
  return (start + end) / 2 - (viewStart + viewEnd) / 2;
}
