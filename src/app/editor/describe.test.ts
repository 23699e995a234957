// The rule form offers what the engine's catalog declares (the worker sends
// it): a match's options as its parser takes them, a target only in the
// tables and chains the kernel allows it in, and nothing before the catalog
// has come.

import { describe, expect, it } from 'vitest';
import { extensionCatalog } from '../../engine/iptables/catalog';
import { builtinChains, describeMatch, describeTarget, matchesFor, protoWord, takesArg, targetsFor } from './describe';

const catalog = extensionCatalog();

describe('what the rule form offers', () => {
  it('knows which options take an argument and which may be negated', () => {
    const tcp = describeMatch(catalog, 'tcp')!;
    expect(tcp.options.find((o) => o.name === 'dport')).toMatchObject({ arg: true, invert: true });
    expect(tcp.options.find((o) => o.name === 'syn')).toMatchObject({ arg: false });
    expect(tcp.options.find((o) => o.name === 'tcp-flags')).toMatchObject({ arg2: true });
    expect(protoWord(tcp)).toBe('tcp');
    expect(takesArg(catalog, 'LOG', 'log-prefix')).toBe(true);
    expect(takesArg(catalog, 'LOG', 'log-uid')).toBe(false);
    expect(takesArg(catalog, 'LOG', 'no-such-option')).toBeUndefined();
  });

  it('offers a target only where the kernel allows it', () => {
    const names = (t: string, c: string) => targetsFor(catalog, t as 'nat', c).map((x) => x.name);
    expect(names('nat', 'PREROUTING')).toContain('DNAT');
    expect(names('nat', 'POSTROUTING')).not.toContain('DNAT');
    expect(names('nat', 'POSTROUTING')).toContain('MASQUERADE');
    expect(names('filter', 'INPUT')).not.toContain('MASQUERADE');
    expect(names('filter', 'INPUT')).toContain('REJECT');
    // a user chain: only the table is known
    expect(names('nat', 'MYCHAIN')).toContain('DNAT');
    expect(matchesFor(catalog, 'filter', 'INPUT').map((m) => m.name)).toContain('conntrack');
    expect(describeTarget(catalog, 'DNAT')?.table).toBe('nat');
  });

  it('offers no extension until the catalog has come, and always the built-in chains', () => {
    expect(matchesFor(null, 'filter', 'INPUT')).toEqual([]);
    expect(targetsFor(null, 'nat', 'PREROUTING')).toEqual([]);
    expect(describeMatch(null, 'tcp')).toBeUndefined();
    expect(builtinChains('nat')).toEqual(['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING']);
  });
});
