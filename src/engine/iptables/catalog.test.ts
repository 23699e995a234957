// The rule form's catalog is the parsers' own declarations: every modelled
// match and target, each with exactly the options its parser accepts.

import { describe, expect, it } from 'vitest';
import { extensionCatalog } from './catalog';
import { MATCHES } from './modules';
import { TARGETS } from './targets';

describe('the extension catalog', () => {
  const catalog = extensionCatalog();

  it('lists every modelled match and target with exactly the options the parser declares', () => {
    expect(catalog.matches.map((m) => m.name)).toEqual([...MATCHES.keys()].sort());
    expect(catalog.targets.map((t) => t.name)).toEqual([...TARGETS.keys()].sort());
    for (const m of catalog.matches) expect(m.options.map((o) => o.name)).toEqual(MATCHES.get(m.name)!.options.map((o) => o.name));
    for (const t of catalog.targets) expect(t.options.map((o) => o.name)).toEqual(TARGETS.get(t.name)!.options.map((o) => o.name));
  });

  it('knows which options take an argument, a second word, or may be negated', () => {
    const tcp = catalog.matches.find((m) => m.name === 'tcp')!;
    expect(tcp.proto).toBe(6);
    expect(tcp.options.find((o) => o.name === 'dport')).toEqual({ name: 'dport', arg: true, arg2: false, invert: true });
    expect(tcp.options.find((o) => o.name === 'syn')).toMatchObject({ arg: false });
    expect(tcp.options.find((o) => o.name === 'tcp-flags')).toMatchObject({ arg: true, arg2: true });
  });

  it('carries the table and hooks the kernel allows a target in', () => {
    const dnat = catalog.targets.find((t) => t.name === 'DNAT')!;
    expect(dnat.table).toBe('nat');
    expect(dnat.hooks).toEqual(expect.arrayContaining(['PREROUTING', 'OUTPUT']));
    expect(dnat.hooks).not.toContain('POSTROUTING');
  });

  it('is plain data a worker can post', () => {
    expect(structuredClone(catalog)).toEqual(catalog);
  });
});
