// ipt_do_table's traversal and TRACE labels, as the kernel prints them
// (REPORT.md §5.6; oracle cases 08, 09, 10, 50).

import { describe, expect, it } from 'vitest';
import { parseIptablesCommand } from './command';
import { applyIptablesCommand } from './apply';
import { createRuleset, type Ruleset } from './ruleset';
import { applyRestore, parseRestore } from './restore';
import { IPPROTO_TCP, TCP_SYN, type Packet } from '../net/packet';
import { runTable, type NfEvent, type TableLike } from './walk';
import { inputContext } from './test-context';

function ruleset(...cmds: string[]): Ruleset {
  const rs = createRuleset({ loaded: ['raw', 'mangle', 'nat', 'filter', 'security'] });
  for (const c of cmds) {
    const p = parseIptablesCommand(c);
    expect(p.diagnostics, c).toEqual([]);
    expect(applyIptablesCommand(rs, p.value!), c).toEqual([]);
  }
  return rs;
}

function syn(dport: number): Packet {
  return {
    src: 0x0a000002,
    dst: 0x0a000001,
    proto: IPPROTO_TCP,
    ttl: 64,
    tos: 0,
    len: 60,
    ipid: 1,
    df: true,
    mark: 0,
    sport: 40001,
    dport,
    tcp: { seq: 0, ack: 0, flags: TCP_SYN, window: 64240, urgp: 0, options: '' },
    payload: '',
  };
}



function walk(rs: Ruleset, dport: number, stacksize?: number) {
  const events: string[] = [];
  const counted: (string | number)[] = [];
  const t = rs.tables.filter;
  const table: TableLike = { chain: (n) => t.chains.get(n), generation: rs.generation ?? 0, ...(stacksize !== undefined ? { stacksize } : {}) };
  const verdict = runTable('filter', table, 'INPUT', syn(dport), inputContext(), {
    trace: (e: NfEvent) => events.push(`${e.chain}:${e.type}:${e.rulenum}${e.goto ? ' (goto)' : ''} ${e.target}`),
    count: (_t, chain, rule) => counted.push(rule ? chain.rules.indexOf(rule) + 1 : `${chain.name} policy`),
    target: () => ({ verdict: 'continue' }),
  });
  return { verdict, events, counted };
}

describe('a table walk', () => {
  it('keeps jumps on a stack of its own, as deep as the chains go, and drops a jump the kernel\'s jumpstack has no room for', () => {
    const n = 5000;
    const lines = ['*filter', ':INPUT DROP [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
    for (let i = 0; i < n; i++) lines.push(`:C${i} - [0:0]`);
    for (let i = 0; i + 1 < n; i++) lines.push(`-A C${i} -j C${i + 1}`);
    lines.push('-A INPUT -j C0', 'COMMIT', '');
    const rs = createRuleset({ loaded: [] });
    expect(applyRestore(rs, parseRestore(lines.join('\n'), { noflush: false, counters: false }).value!)).toEqual([]);
    // no JavaScript recursion: 5,000 jumps down and 5,000 returns up
    const deep = walk(rs, 80, n + 1);
    expect(deep.verdict).toBe('drop');
    expect(deep.events).toHaveLength(2 * n + 1);
    expect(deep.events.at(-1)).toBe('INPUT:policy:2 DROP');
    // ipt_do_table: stackidx >= stacksize → NF_DROP at the jump, with the jump's TRACE line as the last
    const cut = walk(rs, 80, 3);
    expect(cut.verdict).toBe('drop');
    expect(cut.events).toEqual(['INPUT:rule:1 C0', 'C0:rule:1 C1', 'C1:rule:1 C2', 'C2:rule:1 C3']);
  });

  it('prints only matching rules, and the policy as entry N+1', () => {
    const rs = ruleset('iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT', 'iptables -P INPUT DROP');
    expect(walk(rs, 80)).toMatchObject({ verdict: 'accept', events: ['INPUT:rule:2 ACCEPT'] });
    expect(walk(rs, 443)).toMatchObject({ verdict: 'drop', events: ['INPUT:policy:3 DROP'] });
  });

  it('labels an unconditional verdict rule like a chain tail (case 50)', () => {
    const rs = ruleset('iptables -N SVC', 'iptables -A SVC -p tcp --dport 22 -j DROP', 'iptables -A SVC -j ACCEPT', 'iptables -A INPUT -p tcp -j SVC', 'iptables -A INPUT -j DROP');
    expect(walk(rs, 80).events).toEqual(['INPUT:rule:1 SVC', 'SVC:return:2 ACCEPT']);
    expect(walk(rs, 22).events).toEqual(['INPUT:rule:1 SVC', 'SVC:rule:1 DROP']);
  });

  it('falls off a user chain as return:N+1 and continues after the jump (case 08)', () => {
    const rs = ruleset('iptables -N WEB', 'iptables -A WEB -p tcp --dport 443 -j ACCEPT', 'iptables -A INPUT -p tcp -j WEB', 'iptables -A INPUT -p tcp --dport 80 -j DROP');
    expect(walk(rs, 80)).toMatchObject({ verdict: 'drop', events: ['INPUT:rule:1 WEB', 'WEB:return:2 RETURN', 'INPUT:rule:2 DROP'] });
  });

  it('returns from a chain entered by -g to the built-in policy, skipping the rest (case 09)', () => {
    const rs = ruleset('iptables -N WEB', 'iptables -A WEB -p tcp --dport 443 -j ACCEPT', 'iptables -A INPUT -p tcp --dport 80 -g WEB', 'iptables -A INPUT -p tcp -j DROP');
    expect(walk(rs, 80)).toMatchObject({ verdict: 'accept', events: ['INPUT:rule:1 (goto) WEB', 'WEB:return:2 RETURN', 'INPUT:policy:3 ACCEPT'] });
  });

  it('prints one return per level when nested chains end (case 10)', () => {
    const rs = ruleset('iptables -N L1', 'iptables -N L2', 'iptables -A L1 -p tcp -j L2', 'iptables -A INPUT -p tcp -j L1');
    expect(walk(rs, 80).events).toEqual(['INPUT:rule:1 L1', 'L1:rule:1 L2', 'L2:return:1 RETURN', 'L1:return:2 RETURN', 'INPUT:policy:2 ACCEPT']);
  });

  it('prints an unconditional -j RETURN as return with its own number', () => {
    const rs = ruleset('iptables -N C', 'iptables -A C -j RETURN', 'iptables -A C -j DROP', 'iptables -A INPUT -j C');
    expect(walk(rs, 80).events).toEqual(['INPUT:rule:1 C', 'C:return:1 RETURN', 'INPUT:policy:2 ACCEPT']);
  });

  it('continues after a rule without a target, which still counts', () => {
    const rs = ruleset('iptables -A INPUT -p tcp', 'iptables -A INPUT -p tcp --dport 80 -j DROP');
    const r = walk(rs, 80);
    expect(r.events).toEqual(['INPUT:rule:1 null', 'INPUT:rule:2 DROP']);
    expect(r.counted).toEqual([1, 2]);
  });

  it('honours ! negation and interface wildcards', () => {
    const rs = ruleset('iptables -A INPUT ! -i eth+ -j DROP', 'iptables -A INPUT ! -p udp -i eth+ -j ACCEPT');
    expect(walk(rs, 80).events).toEqual(['INPUT:rule:2 ACCEPT']);
  });
});
