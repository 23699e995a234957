// pattern: Imperative Shell
// iptables command-line behaviour: what loads, what iptables-save prints,
// and which error (text and span) iptables 1.8.9 gives.

import { describe, expect, it } from 'vitest';
import { parseIptablesCommand } from './command';
import { applyIptablesCommand } from './apply';
import { createRuleset } from './ruleset';
import type { Ruleset } from './ruleset';
import { saveRule, saveRuleset } from './save';
import type { TableName } from '../netfilter/hooks';

function run(rs: Ruleset, line: string): string[] {
  const p = parseIptablesCommand(line);
  if (!p.value) return p.diagnostics.map((d) => d.message);
  return applyIptablesCommand(rs, p.value).filter((d) => d.severity === 'error').map((d) => d.message);
}

function saved(line: string, table: TableName = 'filter'): string[] {
  const rs = createRuleset();
  expect(run(rs, line)).toEqual([]);
  const out: string[] = [];
  for (const c of rs.tables[table].chains.values()) for (const r of c.rules) out.push(saveRule(table, c.name, r));
  return out;
}

function errorOf(line: string): { message: string; word: string } {
  const p = parseIptablesCommand(line);
  const d = p.diagnostics[0]!;
  return { message: d.message, word: line.slice(d.from, d.to) };
}

describe('iptables-save text of parsed commands', () => {
  it('loads the tcp match implicitly after -p tcp', () => {
    expect(saved('iptables -A INPUT -p tcp --dport 80 -j ACCEPT')).toEqual(['-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT']);
  });
  it('prints the fixed part in iptables order whatever the input order', () => {
    expect(saved('iptables -A FORWARD -j ACCEPT -o eth1 -p tcp --dport 80 -i eth0 -d 192.168.10.10')).toEqual([
      '-A FORWARD -d 192.168.10.10/32 -i eth0 -o eth1 -p tcp -m tcp --dport 80 -j ACCEPT',
    ]);
  });
  it('masks addresses and keeps non-contiguous masks dotted', () => {
    expect(saved('iptables -A INPUT -s 10.1.2.3/8 ! -d 10.0.0.0/255.0.255.0')).toEqual(['-A INPUT -s 10.0.0.0/8 ! -d 10.0.0.0/255.0.255.0']);
  });
  it('expands comma-separated addresses into one rule each', () => {
    expect(saved('iptables -A INPUT -s 1.1.1.1,2.2.2.2 -j DROP')).toEqual(['-A INPUT -s 1.1.1.1/32 -j DROP', '-A INPUT -s 2.2.2.2/32 -j DROP']);
  });
  it('accepts unique prefixes of long options (getopt_long)', () => {
    expect(saved('iptables --app INPUT --proto tcp --dport 22 --jump ACCEPT')).toEqual(['-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT']);
  });
  it('normalises MARK --set-mark to --set-xmark and --or-mark to value/value', () => {
    expect(saved('iptables -t mangle -A OUTPUT -j MARK --set-mark 1', 'mangle')).toEqual(['-A OUTPUT -j MARK --set-xmark 0x1/0xffffffff']);
    expect(saved('iptables -t mangle -A OUTPUT -j MARK --or-mark 0x4', 'mangle')).toEqual(['-A OUTPUT -j MARK --set-xmark 0x4/0x4']);
  });
  it('quotes comments and log prefixes only when needed', () => {
    expect(saved('iptables -A INPUT -m comment --comment web -j LOG --log-prefix "X: " --log-level info')).toEqual([
      '-A INPUT -m comment --comment web -j LOG --log-prefix "X: " --log-level 6',
    ]);
  });
  it('prints DNAT ranges and REJECT defaults', () => {
    expect(saved('iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1-10.0.0.3:80-90 --random', 'nat')).toEqual([
      '-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1-10.0.0.3:80-90 --random',
    ]);
    expect(saved('iptables -A INPUT -j REJECT')).toEqual(['-A INPUT -j REJECT --reject-with icmp-port-unreachable']);
  });
  it('saves u32 in canonical hex', () => {
    expect(saved('iptables -A INPUT -m u32 --u32 "5&0xFF=0x07"')).toEqual(['-A INPUT -m u32 --u32 "0x5&0xff=0x7"']);
  });
});

describe('iptables errors (text and the word they point at)', () => {
  it('rejects words that are not options', () => {
    expect(errorOf('iptables -A INPUT foo -j ACCEPT')).toEqual({ message: "Bad argument `foo'", word: 'foo' });
  });
  it('rejects the pre-1.4.3 `-s ! addr` negation', () => {
    expect(errorOf('iptables -A INPUT -s ! 10.0.0.1 -j DROP')).toEqual({ message: "Bad argument `10.0.0.1'", word: '10.0.0.1' });
  });
  it('names unknown options', () => {
    expect(errorOf('iptables -A INPUT --foo 1')).toEqual({ message: 'iptables v1.8.9 (legacy): unknown option "--foo"', word: '--foo' });
  });
  it('needs -p before a protocol option', () => {
    expect(errorOf('iptables -A INPUT --dport 80 -p tcp')).toEqual({ message: 'iptables v1.8.9 (legacy): unknown option "--dport"', word: '--dport' });
  });
  it('does not resolve host names', () => {
    expect(errorOf('iptables -A INPUT -s example.com')).toEqual({ message: "iptables v1.8.9 (legacy): host/network `example.com' not found", word: 'example.com' });
  });
  it('says which modules are not modelled instead of ignoring them', () => {
    const p = parseIptablesCommand('iptables -A INPUT -m osf --genre Linux');
    expect(p.diagnostics[0]).toMatchObject({ code: 'iptables/not-modelled', message: 'not modelled yet: -m osf' });
  });
  it('refuses unknown matches and targets like libxtables', () => {
    expect(errorOf('iptables -A INPUT -m nosuch').message).toBe("iptables v1.8.9 (legacy): Couldn't load match `nosuch':No such file or directory");
    expect(run(createRuleset(), 'iptables -A INPUT -j NOSUCH')).toEqual(["iptables v1.8.9 (legacy): Couldn't load target `NOSUCH':No such file or directory"]);
  });
  it('checks extension values', () => {
    expect(errorOf('iptables -A INPUT -p tcp --dport 4:3').message).toBe('iptables v1.8.9 (legacy): tcp: invalid portrange (min > max)');
    expect(errorOf('iptables -A INPUT -m conntrack --ctstate FOO').message).toBe('iptables v1.8.9 (legacy): Bad ctstate "FOO"');
  });
  it('refuses two commands and dangling !', () => {
    expect(errorOf('iptables -A INPUT -D INPUT').message).toBe('iptables v1.8.9 (legacy): Cannot use -D with -A\n');
    expect(errorOf('iptables -A INPUT !').message).toBe('iptables v1.8.9 (legacy): nothing appropriate following !');
  });
});

describe('ruleset operations', () => {
  it('refuses jumps to missing chains, loops, and busy chains', () => {
    const rs = createRuleset();
    expect(run(rs, 'iptables -N A')).toEqual([]);
    expect(run(rs, 'iptables -N B')).toEqual([]);
    expect(run(rs, 'iptables -A INPUT -j A')).toEqual([]);
    expect(run(rs, 'iptables -A A -j B')).toEqual([]);
    expect(run(rs, 'iptables -A B -j A')).toEqual(['iptables: Too many levels of symbolic links.']);
    expect(run(rs, 'iptables -X B')).toEqual(['iptables: Too many links.']);
    expect(run(rs, 'iptables -X A')).toEqual(['iptables: Too many links.']);
    expect(run(rs, 'iptables -D INPUT 1')).toEqual([]);
    expect(run(rs, 'iptables -X A')).toEqual(['iptables: Directory not empty.']);
    expect(run(rs, 'iptables -N A')).toEqual(['iptables: Chain already exists.']);
  });
  it('refuses targets outside their hooks, also through user chains', () => {
    const rs = createRuleset();
    expect(run(rs, 'iptables -t nat -A INPUT -p tcp -j DNAT --to-destination 1.2.3.4')).toEqual(["iptables: Invalid argument. Run `dmesg' for more information."]);
    expect(run(rs, 'iptables -t nat -N X')).toEqual([]);
    expect(run(rs, 'iptables -t nat -A X -j DNAT --to-destination 1.2.3.4')).toEqual([]);
    expect(run(rs, 'iptables -t nat -A POSTROUTING -j X')).toEqual(["iptables: Invalid argument. Run `dmesg' for more information."]);
    expect(run(rs, 'iptables -t nat -A PREROUTING -j X')).toEqual([]);
    expect(run(rs, 'iptables -A INPUT -j TTL --ttl-set 1')).toEqual(["iptables: Invalid argument. Run `dmesg' for more information."]);
  });
  it('reports the kernel log line for hook errors', () => {
    const rs = createRuleset();
    const p = parseIptablesCommand('iptables -t nat -A INPUT -p tcp -j DNAT --to-destination 1.2.3.4');
    const d = applyIptablesCommand(rs, p.value!);
    expect(d[1]!.message).toBe('dmesg: x_tables: ip_tables: DNAT target: used from hooks INPUT, but only usable from PREROUTING/OUTPUT');
  });
  it('inserts, replaces and deletes by number and by spec', () => {
    const rs = createRuleset();
    run(rs, 'iptables -A INPUT -s 1.1.1.1 -j DROP');
    expect(run(rs, 'iptables -I INPUT 3 -j ACCEPT')).toEqual(['iptables: Index of insertion too big.']);
    expect(run(rs, 'iptables -I INPUT -s 2.2.2.2 -j DROP')).toEqual([]);
    expect(run(rs, 'iptables -R INPUT 2 -s 3.3.3.3 -j DROP')).toEqual([]);
    expect(run(rs, 'iptables -D INPUT -s 9.9.9.9 -j DROP')).toEqual(['iptables: Bad rule (does a matching rule exist in that chain?).']);
    expect(run(rs, 'iptables -D INPUT -s 2.2.2.2 -j DROP')).toEqual([]);
    expect(run(rs, 'iptables -A NOPE -j DROP')).toEqual(['iptables: No chain/target/match by that name.']);
    expect(run(rs, 'iptables -P NOPE DROP')).toEqual(['iptables: Bad built-in chain name.']);
    expect(run(rs, 'iptables -P INPUT REJECT')).toEqual(["iptables: Bad policy name. Run `dmesg' for more information."]);
    expect(saveRuleset(rs)).toContain('*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -s 3.3.3.3/32 -j DROP\nCOMMIT\n');
  });
});
