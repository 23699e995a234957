// pattern: Imperative Shell
// The flow graph as a picture, the way React Flow's own documentation does
// it: html-to-image draws the viewport element (boxes, arrows and the packet
// dot, with their computed styles) at zoom 1, framed around the boxes, into
// a PNG (twice the pixels, for slides) or an SVG. Loaded on first use.

import { toPng, toSvg } from 'html-to-image';

const PAD = 24;

/** The boxes' extent in flow coordinates, read from React Flow's node elements. */
function bounds(viewport: HTMLElement): { x: number; y: number; w: number; h: number } | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const el of viewport.querySelectorAll<HTMLElement>('.react-flow__node')) {
    const m = /translate\(\s*(-?[\d.]+)px\s*,\s*(-?[\d.]+)px\s*\)/.exec(el.style.transform);
    if (!m) continue;
    const x = Number(m[1]);
    const y = Number(m[2]);
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x + el.offsetWidth);
    y1 = Math.max(y1, y + el.offsetHeight);
  }
  return Number.isFinite(x0) ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : null;
}

function save(url: string, file: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = file;
  document.body.append(a);
  a.click();
  a.remove();
}

/** Draw the graph inside `box` and offer it as `<base>.png` or `<base>.svg`. */
export async function exportGraph(box: HTMLElement, format: 'png' | 'svg', base: string): Promise<void> {
  const viewport = box.querySelector<HTMLElement>('.react-flow__viewport');
  if (!viewport) throw new Error('the graph is not drawn yet');
  const b = bounds(viewport);
  if (!b) throw new Error('the graph has no boxes');
  const width = Math.ceil(b.w + 2 * PAD);
  const height = Math.ceil(b.h + 2 * PAD);
  const options = {
    backgroundColor: '#ffffff',
    width,
    height,
    style: { width: `${width}px`, height: `${height}px`, transform: `translate(${PAD - b.x}px, ${PAD - b.y}px) scale(1)` },
  };
  const url = format === 'png' ? await toPng(viewport, { ...options, pixelRatio: 2 }) : await toSvg(viewport, options);
  save(url, `${base.replace(/[^\w.-]+/g, '_')}.${format}`);
}
