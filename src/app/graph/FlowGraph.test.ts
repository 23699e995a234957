// The accessibility contract of the graph components, rendered to a string
// in Node (React Flow renders nodes that carry their own width and height):
// names, the one aria-current, the rule list's region.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { readCase } from '../../engine/scenario/case-file';
import { runScenario } from '../../engine/run-case';
import { walkLog } from '../../engine/walk-log';
import { buildNodes, FlowGraph } from './FlowGraph';
import { layoutFor } from './flow-layout';
import { chainSummaries } from './chain-data';
import { Topology } from './Topology';
import { ChainRules } from './ChainRules';

const c = JSON.parse(readFileSync(join(__dirname, '..', '..', 'scenarios', 'port-forward.json'), 'utf8'));
const run = runScenario(readCase(c).value!);
if (!run.ok) throw new Error(run.errors.join());
const log = walkLog(run.world);
const dnat = log.steps.find((s) => s.kind === 'rule' && s.target === 'DNAT')!;

const currentOf = (html: string) => [...html.matchAll(/<[^>]*aria-current="step"[^>]*>/g)].map((m) => /aria-label="([^"]*)"/.exec(m[0])?.[1]);

describe('FlowGraph markup', () => {
  const html = renderToStaticMarkup(createElement(FlowGraph, { log, index: dnat.i, host: 'router' }));

  it('names every table×chain box TABLE CHAIN, as a button', () => {
    for (const name of ['raw PREROUTING', 'nat PREROUTING', 'nat INPUT', 'filter FORWARD', 'security OUTPUT', 'nat POSTROUTING']) {
      expect(html).toMatch(new RegExp(`<button[^>]*aria-label="${name}"`));
    }
  });

  it('marks exactly the current box with aria-current="step"', () => {
    expect(currentOf(html)).toEqual(['nat PREROUTING']);
    const other = renderToStaticMarkup(createElement(FlowGraph, { log, index: dnat.i, host: 'web' }));
    expect(currentOf(other)).toEqual([]);
  });

  it('shows each chain’s rule count and its counters as of the step, not the walk’s end', () => {
    expect(html).toMatch(/1 rule · 1 pkt, 60 B/);
    // the packet has not reached FORWARD yet at the DNAT step
    expect(html).toMatch(/aria-label="filter FORWARD"[^]*?3 rules</);
    expect(html).not.toMatch(/aria-label="filter FORWARD"[^]*?3 rules · /);
    const end = renderToStaticMarkup(createElement(FlowGraph, { log, index: log.steps.length - 1, host: 'router' }));
    expect(end).toMatch(/3 rules · \d+ pkts, \d+ B/);
  });
});

describe('FlowGraph across steps', () => {
  it('hands React Flow nodes that carry nothing of the step, so stepping never replaces one', () => {
    const nodes = buildNodes(layoutFor(log, 'router'), 0);
    const tables = nodes.filter((n) => n.type === 'table');
    expect(tables.length).toBeGreaterThan(10);
    // counters and marks come from the graph's own store, read by each box
    for (const n of tables) expect(Object.keys(n.data)).toEqual(['spec']);
  });

  it('reads a box’s counters as equal, field by field, at a step that counted nothing in its chain', () => {
    const forward = log.steps.findIndex((s) => s.kind === 'rule' && s.host === 'router' && s.table === 'filter' && s.chain === 'FORWARD');
    expect(forward).toBeGreaterThan(dnat.i + 1);
    // from the DNAT to the step before FORWARD: nat PREROUTING's box keeps its counters, FORWARD's gets its first packet
    const before = chainSummaries(log, 'router', dnat.i);
    const after = chainSummaries(log, 'router', forward);
    expect(after.get('nat PREROUTING')).toEqual(before.get('nat PREROUTING'));
    expect(before.get('filter FORWARD')!.packets).toBe(0);
    expect(after.get('filter FORWARD')!.packets).toBe(1);
  });
});

describe('Topology markup', () => {
  it('makes every host a button named "host NAME", the packet’s host current', () => {
    const html = renderToStaticMarkup(createElement(Topology, { log, index: dnat.i, selected: 'router' }));
    for (const h of ['client', 'router', 'web']) expect(html).toMatch(new RegExp(`<button[^>]*aria-label="host ${h}"`));
    expect(currentOf(html)).toEqual(['host router']);
  });
});

describe('ChainRules markup', () => {
  it('is a region named "Rules of TABLE CHAIN" that asks the worker for its rows before it lists them', () => {
    const html = renderToStaticMarkup(createElement(ChainRules, { log, index: dnat.i, host: 'router', chain: 'nat PREROUTING', explain: async () => [], page: async () => null }));
    expect(html).toMatch(/<section[^>]*aria-label="Rules of nat PREROUTING"/);
    expect(html).toContain('Asking the engine for the rules');
  });
});

describe('FlowGraph markup of a host with IPVS', () => {
  const nat = JSON.parse(readFileSync(join(__dirname, '..', '..', 'scenarios', 'ipvs', 'nat.json'), 'utf8'));
  const r = runScenario(readCase(nat).value!);
  if (!r.ok) throw new Error(r.errors.join());
  const ipvsLog = walkLog(r.world);
  const xmit = ipvsLog.steps.find((s) => s.kind === 'note' && s.note.kind === 'ipvs' && s.note.action === 'xmit')!;

  it('names the IPVS hooks "IPVS LOCAL_IN" and "IPVS FORWARD" and marks the current one', () => {
    const html = renderToStaticMarkup(createElement(FlowGraph, { log: ipvsLog, index: xmit.i, host: 'director' }));
    expect(html).toMatch(/<div role="group" aria-label="IPVS LOCAL_IN"/);
    expect(html).toMatch(/aria-label="IPVS FORWARD"/);
    expect(currentOf(html)).toEqual(['IPVS LOCAL_IN']);
  });

  it('leaves them out for a host without virtual services', () => {
    const html = renderToStaticMarkup(createElement(FlowGraph, { log: ipvsLog, index: 0, host: 'client' }));
    expect(html).not.toContain('IPVS LOCAL_IN');
  });
});
