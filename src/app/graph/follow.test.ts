// Keeping the current box in view: a box already in the pane leaves the
// viewport alone; one outside is centred at the reader's zoom; scrollers
// move only as far as needed, bringing the whole graph in when it fits.

import { describe, expect, it } from 'vitest';
import { onPane, panToShow, scrollDelta, withBadge } from './follow';

const pane = { width: 800, height: 500 };
const box = { x: 1000, y: 300, w: 270, h: 60 };

describe('panning the graph to the current box', () => {
  it('leaves the viewport alone while the box shows with room around it', () => {
    expect(panToShow(box, { x: -700, y: 0, zoom: 1 }, pane)).toBeNull();
  });

  it('centres a box outside the pane, keeping the zoom', () => {
    const v = panToShow(box, { x: 0, y: 0, zoom: 1 }, pane)!;
    expect(v).not.toBeNull();
    expect(v.zoom).toBe(1);
    const p = onPane(box, v);
    expect(p.x + p.w / 2).toBeCloseTo(pane.width / 2);
    expect(p.y + p.h / 2).toBeCloseTo(pane.height / 2);
    // at half the size the same box is inside (x 500..635): nothing moves
    expect(panToShow(box, { x: 0, y: 0, zoom: 0.5 }, pane)).toBeNull();
    const low = { ...box, y: 950 };
    const q = onPane(low, panToShow(low, { x: 0, y: 0, zoom: 0.5 }, pane)!);
    expect(q.y + q.h / 2).toBeCloseTo(pane.height / 2);
  });

  it('counts a box whose badge would be cut at the pane’s edge as out of view', () => {
    const top = { x: 100, y: 10, w: 100, h: 40 };
    expect(panToShow(top, { x: 0, y: 0, zoom: 1 }, pane)).toBeNull();
    expect(panToShow(withBadge(top), { x: 0, y: 0, zoom: 1 }, pane)).not.toBeNull();
    // a box of the fitted drawing 10 px from the pane's bottom still shows
    expect(panToShow({ x: 100, y: 400, w: 100, h: 90 }, { x: 0, y: 0, zoom: 1 }, pane)).toBeNull();
  });
});

describe('scrolling a scroller to a span', () => {
  it('does not move for a span in view', () => {
    expect(scrollDelta(100, 200, 0, 720)).toBe(0);
  });

  it('centres a span below or above the view', () => {
    expect(scrollDelta(900, 960, 0, 720)).toBe(930 - 360);
    expect(scrollDelta(-300, -200, 0, 720)).toBe(-250 - 360);
  });

  it('brings the whole container in when it fits, by its nearest edge', () => {
    // graph box from 600 to 1100 in a 720-high window: scroll 380 so its bottom meets the window's
    expect(scrollDelta(1000, 1040, 0, 720, 24, { start: 600, end: 1100 })).toBe(380);
    expect(scrollDelta(-100, -60, 0, 720, 24, { start: -200, end: 300 })).toBe(-200);
  });

  it('keeps the margin only as far as the view has room for it', () => {
    expect(scrollDelta(5, 95, 0, 100)).toBe(0);
  });
});
