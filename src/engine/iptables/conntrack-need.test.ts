// pattern: Imperative Shell
// Which rules switch connection tracking on in a namespace (REPORT.md §5.1):
// those whose match or target takes a conntrack reference in its kernel
// checkentry (nf_ct_netns_get). CT --notrack and NOTRACK do not, so a host
// whose only such rule is a notrack rule tracks nothing and never runs its
// nat chains (difftest seed 1 cases 19, 104, 107, 199).

import { describe, expect, it } from 'vitest';
import { parseIptablesCommand } from './command';
import { needsConntrack } from './ruleset';
import type { Rule } from './types';

function rule(args: string, table = 'raw', chain = 'PREROUTING'): Rule {
  const p = parseIptablesCommand(`iptables -t ${table} -A ${chain} ${args}`);
  expect(p.diagnostics).toEqual([]);
  return p.value!.rules[0]!;
}

describe('needsConntrack', () => {
  it('is false for CT --notrack and for NOTRACK', () => {
    expect(needsConntrack(rule('-p tcp -j CT --notrack'))).toBe(false);
    expect(needsConntrack(rule('-j NOTRACK'))).toBe(false);
  });

  it('is true for CT with a helper, a zone or no option at all', () => {
    expect(needsConntrack(rule('-p udp --dport 69 -j CT --helper tftp'))).toBe(true);
    expect(needsConntrack(rule('-j CT --zone 3'))).toBe(true);
    expect(needsConntrack(rule('-j CT'))).toBe(true);
  });

  it('is true for a notrack rule that also matches on conntrack state', () => {
    expect(needsConntrack(rule('-m conntrack --ctstate NEW -j CT --notrack'))).toBe(true);
  });

  it('is true for NAT and CONNMARK targets and false for plain filtering', () => {
    expect(needsConntrack(rule('-j MASQUERADE', 'nat', 'POSTROUTING'))).toBe(true);
    expect(needsConntrack(rule('-j CONNMARK --set-mark 1', 'mangle', 'PREROUTING'))).toBe(true);
    expect(needsConntrack(rule('-p tcp --dport 22 -j DROP', 'filter', 'INPUT'))).toBe(false);
  });
});
