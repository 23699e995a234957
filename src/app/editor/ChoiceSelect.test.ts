// The long-list combobox finds what was typed among tens of thousands of
// options and lists only a screenful of them.

import { describe, expect, it } from 'vitest';
import { matchChoices, type Choice } from './ChoiceSelect';

const chains: Choice[] = [
  { value: 'PREROUTING', label: 'PREROUTING (1 rule, policy ACCEPT)' },
  { value: 'KUBE-SERVICES', label: 'KUBE-SERVICES (3340 rules)' },
  ...Array.from({ length: 13_360 }, (_, i) => ({ value: `KUBE-SEP-${i}`, label: `KUBE-SEP-${i} (2 rules)` })),
];

describe('matching a long list', () => {
  it('lists the first options when nothing is typed, and says how many there are', () => {
    const m = matchChoices(chains, '  ');
    expect(m.shown.map((c) => c.value)).toEqual(chains.slice(0, 50).map((c) => c.value));
    expect(m.total).toBe(13_362);
  });
  it('matches value or label in any case, and counts beyond what it lists', () => {
    const m = matchChoices(chains, 'kube-sep-12');
    expect(m.shown).toHaveLength(50);
    expect(m.total).toBe(1 + 10 + 100 + 1000);
    expect(matchChoices(chains, 'policy accept').shown.map((c) => c.value)).toEqual(['PREROUTING']);
  });
  it('puts the option named exactly first, wherever it is', () => {
    expect(matchChoices(chains, 'KUBE-SEP-1234').shown[0]!.value).toBe('KUBE-SEP-1234');
    expect(matchChoices(chains, 'kube-sep-13359').shown.map((c) => c.value)).toEqual(['KUBE-SEP-13359']);
  });
  it('finds nothing for what no option holds', () => {
    expect(matchChoices(chains, 'DOCKER')).toEqual({ shown: [], total: 0 });
  });
});
