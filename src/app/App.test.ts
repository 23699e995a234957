import { describe, it, expect } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { App } from './App';

// Rendered to a string so the first screen's structure is checked in Node,
// without a DOM; the browser behaviour is covered by e2e/smoke.spec.ts.
const html = renderToStaticMarkup(createElement(App));

describe('the first screen', () => {
  it('names the product in the only h1', () => {
    expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
    expect(html).toMatch(/<h1[^>]*>PacketWalk<\/h1>/);
  });

  it('puts content in header, main and footer landmarks', () => {
    for (const landmark of ['header', 'main', 'footer']) {
      expect(html).toContain(`<${landmark}`);
    }
  });

  it('labels the packet walk region by its heading', () => {
    expect(html).toMatch(/<section aria-labelledby="walk-heading"/);
    expect(html).toMatch(/<h2 id="walk-heading"[^>]*>Packet walk<\/h2>/);
  });
});
