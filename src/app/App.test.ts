import { describe, it, expect } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { App } from './App';
import { createStores } from './state/walk-store';
import { stubClient } from '../worker/stub-client';
import builtIn from '../scenarios/port-forward.json';
import type { Case } from '../engine/scenario/case';

// Rendered to a string so the first screen's structure is checked in Node,
// without a DOM or a worker; the browser behaviour is covered by e2e/.
const stores = createStores(builtIn as Case);
const client = stubClient();
const html = renderToStaticMarkup(createElement(App, { deps: { stores, client } }));

/** The text of the heading that labels each region (aria-labelledby). */
function regionNames(markup: string): string[] {
  const out: string[] = [];
  for (const m of markup.matchAll(/<section aria-labelledby="([^"]+)"/g)) {
    const id = m[1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const h = markup.match(new RegExp(`<h2 id="${id}"[^>]*>([^<]*)<`));
    if (h) out.push(h[1]!.trim());
  }
  return out;
}

describe('the first screen', () => {
  it('names the product in the only h1, with the scenario', () => {
    expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
    expect(html).toMatch(/<h1[^>]*>PacketWalk<\/h1>/);
    expect(html).toContain('port-forward');
  });

  it('puts content in header, main and footer landmarks', () => {
    for (const landmark of ['header', 'main', 'footer']) {
      expect(html).toContain(`<${landmark}`);
    }
  });

  it('has the regions the tests and screen readers navigate by, named exactly', () => {
    expect(regionNames(html)).toEqual(
      expect.arrayContaining(['Flow graph', 'Topology', 'Chain rules', 'Packet headers', 'Routing decision', 'Conntrack table', 'Event list', 'Trace log']),
    );
  });

  it('offers the packet form and the playback controls by their accessible names', () => {
    expect(html).toMatch(/<button type="submit"[^>]*>Send another<\/button>/);
    expect(html).toMatch(/<button type="button"[^>]*>Replace traffic<\/button>/);
    expect(html).toMatch(/<button[^>]*>(<svg[^]*?<\/svg>)?Play<\/button>/);
    expect(html).toContain('Step back');
    expect(html).toContain('Step forward');
    expect(html).toMatch(/<input[^>]*type="range"/);
  });

  it('lists the scenario’s hosts before the worker answers', () => {
    for (const host of ['client', 'router', 'web']) expect(html).toMatch(new RegExp(`<option[^>]*>${host}</option>`));
  });
});
