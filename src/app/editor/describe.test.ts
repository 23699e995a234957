// The editor's lists of iptables extensions, as its pickers offer them.

import { describe, expect, it } from 'vitest';
import { allExtensions } from './describe';

describe('the extension lists', () => {
  const { matches, targets } = allExtensions();

  it('are alphabetical, matches and targets each, whatever the reader’s locale', () => {
    const alphabetical = (names: string[]) => [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase(), 'en'));
    const m = matches.map((e) => e.name);
    const t = targets.map((e) => e.name);
    expect(m.length).toBeGreaterThan(40);
    expect(m).toEqual(alphabetical(m));
    expect(t).toEqual(alphabetical(t));
    expect(m.slice(0, 3)).toEqual(['addrtype', 'ah', 'cgroup']);
  });
});
