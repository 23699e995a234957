// The QR code is drawn from the encoder's own modules: one square per dark
// module, inside the quiet zone.

import { describe, expect, it } from 'vitest';
import { QUIET, qrPicture } from './qr';

describe('the QR code of a link', () => {
  it('draws every dark module as a unit square inside the quiet zone', () => {
    const q = qrPicture('http://127.0.0.1:4173/#s=1.d.abc&step=3&lang=zh')!;
    expect(q.size).toBeGreaterThanOrEqual(21);
    expect((q.size - 17) % 4).toBe(0);
    const squares = [...q.path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(squares.length).toBeGreaterThan(q.size);
    for (const [x, y] of squares) {
      expect(x).toBeGreaterThanOrEqual(QUIET);
      expect(y).toBeLessThan(q.size + QUIET);
    }
    // the three finder patterns: the top-left module of each is dark
    const dark = new Set(squares.map(([x, y]) => `${x},${y}`));
    for (const [x, y] of [[0, 0], [q.size - 7, 0], [0, q.size - 7]]) expect(dark.has(`${x! + QUIET},${y! + QUIET}`)).toBe(true);
  });

  it('carries a 2,000-character link, and says no to what no QR code holds', () => {
    expect(qrPicture(`http://x/#s=1.d.${'a'.repeat(2000)}`)).not.toBeNull();
    expect(qrPicture('a'.repeat(3000))).toBeNull();
  });
});
