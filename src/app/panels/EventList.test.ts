// The event list renders only the rows in view, and always the current step's.

import { describe, expect, it } from 'vitest';
import type { EventRow } from '../shell/derive';
import { pageItems, windowItems } from './EventList';

describe('event list window', () => {
  it('renders the rows in view with a margin either side, not the whole page', () => {
    const k = windowItems(120, 29 * 40, 290, 29, 45);
    expect(k[0]).toBe(32);
    expect(k[k.length - 1]).toBe(57);
    expect(k).toContain(45);
  });

  it('always renders the current row, even scrolled far from it, in table order', () => {
    expect(windowItems(120, 0, 290, 29, 100)).toEqual([...Array.from({ length: 18 }, (_, i) => i), 100]);
    const above = windowItems(120, 29 * 80, 290, 29, 3);
    expect(above[0]).toBe(3);
    expect(above[1]).toBe(72);
  });

  it('renders nothing extra when there is no current row, and stops at the last row', () => {
    expect(windowItems(5, 0, 290, 29, -1)).toEqual([0, 1, 2, 3, 4]);
  });

  it('puts a separator before each packet’s first row', () => {
    const rows = [1, 1, 2].map((packet, i) => ({ i, packet }) as EventRow);
    expect(pageItems(rows).map((x) => (x.kind === 'separator' ? `p${x.packet}` : x.row.i))).toEqual(['p1', 0, 1, 'p2', 2]);
  });
});
