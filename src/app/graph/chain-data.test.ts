// What the rule list and the chain boxes read from a walk log, and the
// windowing arithmetic that keeps 10,000 rules cheap.

import { describe, expect, it } from 'vitest';
import type { WalkLog, WalkStep } from '../../engine/walk-log';
import type { ChainPage } from '../../engine/lab/views';
import { chainSummaries, clauseLines, countedBetween, findChain, formatBytes, markedRow, parseChainRef, ruleBody, ruleStepIn, scrollToRow, sharePage, windowRange } from './chain-data';

const log = {
  scenario: 's',
  hosts: [
    {
      name: 'router',
      interfaces: [],
      tables: {
        filter: [
          {
            name: 'FORWARD',
            policy: 'DROP',
            policyPackets: 2,
            ruleCount: 2,
            rules: [],
          },
          { name: 'INPUT', policy: 'ACCEPT', policyPackets: 0, ruleCount: 0, rules: [] },
        ],
        nat: [{ name: 'DOCKER', policy: null, policyPackets: 0, ruleCount: 0, rules: [] }],
      },
      routes: '',
      rules: '',
      conntrack: [],
      conntrackActive: false,
    },
  ],
  links: [],
  switches: [],
  packets: [],
  steps: [] as WalkStep[],
  scenarioSteps: [],
  traceLog: [],
} as unknown as WalkLog;

const ruleStep = (over: Partial<Extract<WalkStep, { kind: 'rule' }>>) =>
  ({ kind: 'rule', host: 'router', table: 'filter', chain: 'FORWARD', hook: 'FORWARD', type: 'rule', rulenum: 2, rule: '-A FORWARD -p tcp -j ACCEPT', ...over }) as Extract<WalkStep, { kind: 'rule' }>;

describe('chains of a host', () => {
  it('finds a chain by "TABLE CHAIN", user chains included', () => {
    expect(findChain(log, 'router', 'filter FORWARD')?.ruleCount).toBe(2);
    expect(findChain(log, 'router', 'nat DOCKER')?.policy).toBeNull();
    expect(findChain(log, 'router', 'filter OUTPUT')).toBeNull();
    expect(findChain(log, 'web', 'filter FORWARD')).toBeNull();
    expect(parseChainRef('filter')).toBeNull();
  });

  it('counts each chain’s packets for its box from the walk’s rule steps, as of a step', () => {
    const len = (n: number) => ({ len: n }) as Extract<WalkStep, { kind: 'rule' }>['headers'];
    const walked = {
      ...log,
      steps: [
        ruleStep({ i: 0, headers: len(60) }),
        ruleStep({ i: 1, headers: len(120) }),
        ruleStep({ i: 2, type: 'policy', rule: null, rulenum: 3, headers: len(60) }),
        ruleStep({ i: 3, host: 'web', headers: len(60) }),
        ruleStep({ i: 4, headers: len(60) }),
      ],
    } as WalkLog;
    expect(chainSummaries(walked, 'router').get('filter FORWARD')).toEqual({ rules: 2, packets: 3, bytes: 240, policy: 'DROP', policyPackets: 1 });
    expect(chainSummaries(walked, 'router', 1).get('filter FORWARD')).toEqual({ rules: 2, packets: 2, bytes: 180, policy: 'DROP', policyPackets: 0 });
    expect(chainSummaries(walked, 'router', -1).get('filter FORWARD')).toMatchObject({ packets: 0 });
    expect(chainSummaries(walked, 'router').get('filter INPUT')).toMatchObject({ rules: 0, packets: 0 });
    expect(chainSummaries(walked, 'nobody').size).toBe(0);
  });

  it('formats byte counts for people', () => {
    expect(formatBytes(60)).toBe('60 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
  });

  it('drops the "-A CHAIN" every row would repeat', () => {
    expect(ruleBody('-A FORWARD -p tcp -j ACCEPT', 'FORWARD')).toBe('-p tcp -j ACCEPT');
    expect(ruleBody('-p tcp', 'FORWARD')).toBe('-p tcp');
  });
});

describe('what a step changes in a chain', () => {
  const len = (n: number) => ({ len: n }) as Extract<WalkStep, { kind: 'rule' }>['headers'];
  const walked = {
    ...log,
    steps: [
      ruleStep({ i: 0, headers: len(60) }),
      { i: 1, kind: 'note', host: 'router' } as WalkStep,
      ruleStep({ i: 2, host: 'web', headers: len(60) }),
      ruleStep({ i: 3, chain: 'INPUT', hook: 'INPUT', headers: len(60) }),
      ruleStep({ i: 4, type: 'policy', rule: null, rulenum: 3, headers: len(60) }),
      ruleStep({ i: 5, type: 'return', rule: null, rulenum: 3, headers: len(60) }),
    ],
  } as WalkLog;

  it('counts between two steps only a packet counted in that chain on that host, in either direction', () => {
    // a note, another host's FORWARD and this host's INPUT leave filter FORWARD's counters as they were
    expect(countedBetween(walked, 'router', 'filter', 'FORWARD', 0, 3)).toBe(false);
    expect(countedBetween(walked, 'router', 'filter', 'FORWARD', 3, 0)).toBe(false);
    expect(countedBetween(walked, 'router', 'filter', 'INPUT', 0, 3)).toBe(true);
    // the policy counts; the step the later page is as of is included, the earlier one is not
    expect(countedBetween(walked, 'router', 'filter', 'FORWARD', 3, 4)).toBe(true);
    expect(countedBetween(walked, 'router', 'filter', 'FORWARD', -1, 0)).toBe(true);
    expect(countedBetween(walked, 'router', 'filter', 'FORWARD', 0, 0)).toBe(false);
    // a user chain's implicit return counts nothing
    expect(countedBetween(walked, 'router', 'filter', 'FORWARD', 4, 5)).toBe(false);
  });

  const rule = (num: number, packets: number) => ({ num, text: `-A FORWARD -s 10.0.0.${num}/32 -j DROP`, spec: '', matches: [], target: 'DROP', goto: false, counters: { packets, bytes: packets * 60 } });
  const page = (rules: ReturnType<typeof rule>[], policyPackets = 0): ChainPage => ({ table: 'filter', chain: 'FORWARD', policy: 'DROP', policyCounters: { packets: policyPackets, bytes: policyPackets * 60 }, total: 3, from: 0, rules });

  it('keeps the older page’s row objects for rules the newer page reports unchanged', () => {
    const older = page([rule(1, 0), rule(2, 1), rule(3, 0)]);
    const newer = sharePage(older, page([rule(1, 0), rule(2, 2), rule(3, 0)]))!;
    expect(newer.rules[0]).toBe(older.rules[0]);
    expect(newer.rules[2]).toBe(older.rules[2]);
    expect(newer.rules[1]).not.toBe(older.rules[1]);
    expect(newer.rules[1]!.counters.packets).toBe(2);
    expect(newer.policyCounters).toBe(older.policyCounters);
    expect(sharePage(older, page([rule(1, 0), rule(2, 1), rule(3, 0)], 1))!.policyCounters.packets).toBe(1);
  });

  it('takes the newer page as it is when there is nothing to share', () => {
    const newer = page([rule(1, 0)]);
    expect(sharePage(undefined, newer)).toBe(newer);
    expect(sharePage(page([rule(1, 0)]), null)).toBeNull();
    expect(sharePage({ ...page([rule(101, 0)]), from: 100 }, newer)!.rules[0]).toBe(newer.rules[0]);
  });
});

describe('the marked row', () => {
  it('is the rule a rule step in this chain on this host names', () => {
    expect(markedRow(ruleStepIn(ruleStep({}), 'router', 'filter FORWARD'))).toBe(2);
  });

  it('is the policy row when the chain’s end decided', () => {
    expect(markedRow(ruleStep({ type: 'policy', rulenum: 3, rule: null }))).toBe('policy');
    expect(markedRow(ruleStep({ type: 'return', rulenum: 1, rule: null }))).toBe('policy');
    // an explicit -j RETURN rule is a rule row
    expect(markedRow(ruleStep({ type: 'return', rulenum: 1, rule: '-A FORWARD -j RETURN' }))).toBe(1);
  });

  it('is nothing for another chain, another host or a step that is not a rule', () => {
    expect(ruleStepIn(ruleStep({}), 'router', 'filter INPUT')).toBeNull();
    expect(ruleStepIn(ruleStep({}), 'web', 'filter FORWARD')).toBeNull();
    expect(ruleStepIn({ kind: 'note', host: 'router' } as WalkStep, 'router', 'filter FORWARD')).toBeNull();
    expect(markedRow(null)).toBeNull();
  });
});

describe('why a rule did not match', () => {
  it('lists the failed clauses of a passed rule', () => {
    expect(
      clauseLines({ num: 1, text: '', matched: false, clauses: [{ ok: true, why: '-p tcp: packet is tcp' }, { ok: false, why: '--dport 22: 8080 ∉ 22' }] }),
    ).toEqual(['✗ --dport 22: 8080 ∉ 22']);
  });

  it('lists the clauses that held for the matched rule', () => {
    expect(clauseLines({ num: 2, text: '', matched: true, clauses: [{ ok: true, why: '-p tcp: packet is tcp' }] })).toEqual(['✓ -p tcp: packet is tcp']);
  });

  it('still says the rule did not match when no clause explains it', () => {
    expect(clauseLines({ num: 1, text: '', matched: false, clauses: [] })).toEqual(['✗ did not match']);
    expect(clauseLines(undefined)).toEqual([]);
  });
});

describe('the rule list window', () => {
  it('draws only the rows in view plus the overscan', () => {
    expect(windowRange(0, 640, 64, 10_000, 2)).toEqual({ first: 0, last: 11 });
    expect(windowRange(64 * 5000, 640, 64, 10_000, 2)).toEqual({ first: 4998, last: 5011 });
  });

  it('stays inside the list at both ends', () => {
    expect(windowRange(64 * 10_000, 640, 64, 10_000, 2)).toEqual({ first: 9998, last: 9999 });
    expect(windowRange(-50, 640, 64, 3, 6)).toEqual({ first: 0, last: 2 });
    expect(windowRange(0, 640, 64, 0)).toEqual({ first: 0, last: -1 });
  });

  it('scrolls a row into view only when it is out of view, centring it', () => {
    expect(scrollToRow(3, 0, 640, 64)).toBe(0);
    expect(scrollToRow(5000, 0, 640, 64)).toBe(5000 * 64 - 288);
    expect(scrollToRow(0, 5000, 640, 64)).toBe(0);
  });
});
