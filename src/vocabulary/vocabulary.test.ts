// The shared names agree with each other, as the kernel's tables do: a table
// runs at a hook exactly when it has that hook's built-in chain, and the
// ipvsadm names of the scheduler flags are the ones the form offers.

import { describe, expect, it } from 'vitest';
import { BUILTIN_CHAINS, HOOK_TABLES, HOOKS, isBuiltinChain, TABLES } from './netfilter';
import { schedFlagNames, SCHED_FLAGS, SCHEDULER_NAMES } from './ipvs';
import { DEVCONF_DEFAULTS, GLOBAL_SYSCTL_DEFAULTS } from './sysctl';

describe('netfilter names', () => {
  it('runs a table at a hook exactly when the table has that built-in chain', () => {
    for (const hook of HOOKS)
      for (const table of TABLES) expect({ hook, table, runs: HOOK_TABLES[hook].includes(table) }).toEqual({ hook, table, runs: BUILTIN_CHAINS[table].includes(hook) });
  });

  it('knows built-in chains from user chains', () => {
    expect(isBuiltinChain('nat', 'PREROUTING')).toBe(true);
    expect(isBuiltinChain('filter', 'PREROUTING')).toBe(false);
    expect(isBuiltinChain('filter', 'DOCKER')).toBe(false);
  });
});

describe('IPVS names', () => {
  it('offers, for sh and mh, the -b names ipvsadm gives their first two flags', () => {
    for (const [sched, names] of Object.entries(SCHED_FLAGS)) {
      expect(SCHEDULER_NAMES).toContain(sched);
      expect(schedFlagNames(sched).slice(0, 2)).toEqual(names);
    }
    expect(schedFlagNames('rr')).toEqual(['flag-1', 'flag-2', 'flag-3']);
  });
});

describe('sysctl defaults', () => {
  it('are the net.ipv4 and net.netfilter keys with their namespace defaults', () => {
    expect(GLOBAL_SYSCTL_DEFAULTS['net.ipv4.ip_forward']).toBe('0');
    expect(Object.keys(GLOBAL_SYSCTL_DEFAULTS).every((k) => /^net\.(ipv4|netfilter)\./.test(k))).toBe(true);
    expect(DEVCONF_DEFAULTS.rp_filter).toBe('0');
    expect(Object.keys(DEVCONF_DEFAULTS).some((k) => k.includes('.'))).toBe(false);
  });
});
