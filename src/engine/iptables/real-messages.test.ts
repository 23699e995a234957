// pattern: Imperative Shell
// What iptables-legacy 1.8.9 really prints for wrong commands, captured on
// kernel 6.18 inside a throw-away network namespace (`ip netns add`, then
// `ip netns exec NS iptables-legacy ...` / `iptables-legacy-restore`), with
// every table loaded. Each expectation below is the first line of stderr (the
// `Try \`iptables -h' ...` hint is left out, as the engine leaves it out), the
// exit code is noted in the test name, and the kernel line that appeared in
// dmesg, if any, is the `dmesg:` info diagnostic.

import { describe, expect, it } from 'vitest';
import { parseIptablesCommand } from './command';
import { applyIptablesCommand } from './apply';
import { applyRestore, parseRestore } from './restore';
import { createRuleset } from './ruleset';
import { saveRuleset } from './save';
import type { Ruleset } from './ruleset';

const ALL_TABLES = ['raw', 'mangle', 'nat', 'filter', 'security'] as const;

interface Outcome {
  /** error messages, in order */
  errors: string[];
  /** `dmesg: ...` kernel lines the engine attaches */
  kernel: string[];
  /** the text the first error points at */
  word: string;
}

function fresh(): Ruleset {
  return createRuleset({ loaded: ALL_TABLES });
}

function run(rs: Ruleset, line: string): Outcome {
  const p = parseIptablesCommand(line);
  const d = p.value ? [...p.diagnostics.filter((x) => x.severity === 'error'), ...applyIptablesCommand(rs, p.value)] : p.diagnostics;
  const errors = d.filter((x) => x.severity === 'error');
  const first = errors[0];
  return {
    errors: errors.map((x) => x.message),
    kernel: d.filter((x) => x.message.startsWith('dmesg: ')).map((x) => x.message.slice('dmesg: '.length)),
    word: first ? line.slice(first.from, first.to) : '',
  };
}

/** Runs `setup` (which must all succeed like on the real machine), then `line`. */
function after(setup: readonly string[], line: string): Outcome {
  const rs = fresh();
  for (const s of setup) expect(run(rs, s).errors, s).toEqual([]);
  return run(rs, line);
}

function restore(text: string): string[] {
  const rs = fresh();
  const p = parseRestore(text, { noflush: false, counters: false });
  return applyRestore(rs, p.value!).filter((x) => x.severity === 'error').map((x) => x.message);
}

const ELOOP = 'iptables: Too many levels of symbolic links.';

describe('jump loops (ELOOP)', () => {
  it('accepts a cycle between user chains that no built-in chain reaches (all exit 0)', () => {
    // The kernel only looks for loops starting from the hook entry points.
    const rs = fresh();
    for (const line of ['iptables -N A', 'iptables -N B', 'iptables -A A -j B', 'iptables -A B -j A']) {
      expect(run(rs, line).errors, line).toEqual([]);
    }
  });

  it('refuses the jump from INPUT that makes such a cycle reachable (exit 1, nothing in dmesg)', () => {
    const o = after(['iptables -N A', 'iptables -N B', 'iptables -A A -j B', 'iptables -A B -j A'], 'iptables -A INPUT -j A');
    expect(o.errors).toEqual([ELOOP]);
    expect(o.kernel).toEqual([]);
  });

  it('refuses closing a reachable cycle with -j, with -g and with a self-jump (exit 1)', () => {
    const setup = ['iptables -N A', 'iptables -N B', 'iptables -A INPUT -j A', 'iptables -A A -j B'];
    expect(after(setup, 'iptables -A B -j A').errors).toEqual([ELOOP]);
    expect(after(setup, 'iptables -A B -g A').errors).toEqual([ELOOP]);
    expect(after(setup, 'iptables -A A -j A').errors).toEqual([ELOOP]);
  });

  it('iptables-restore accepts an unreachable cycle (exit 0)', () => {
    expect(restore('*filter\n:A - [0:0]\n:B - [0:0]\n-A A -j B\n-A B -j A\nCOMMIT\n')).toEqual([]);
  });

  it('iptables-restore fails a reachable cycle at the COMMIT line (exit 1)', () => {
    expect(restore('*filter\n:A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A A -j B\n-A B -j A\nCOMMIT\n')).toEqual(['iptables-restore: line 7 failed\nreason: the kernel refused the table: Too many levels of symbolic links. (the jumps loop: INPUT → A → B → A)']);
    expect(restore('*nat\n:X - [0:0]\n-A X -j X\n-A PREROUTING -j X\nCOMMIT\n')).toEqual(['iptables-restore: line 5 failed\nreason: the kernel refused the table: Too many levels of symbolic links. (the jumps loop: PREROUTING → X → X)']);
  });
});

describe('wrong options and values (exit 2, found before the kernel is asked)', () => {
  it.each([
    ['iptables -A INPUT --foo 1', 'iptables v1.8.9 (legacy): unknown option "--foo"', '--foo'],
    ['iptables -A INPUT -s 10.0.0.300 -j DROP', "iptables v1.8.9 (legacy): host/network `10.0.0.300' not found", '10.0.0.300'],
    ['iptables -A INPUT -s 10.0.0.0/33 -j DROP', "iptables v1.8.9 (legacy): invalid mask `33' specified", '10.0.0.0/33'],
    ['iptables -A INPUT -p tcp --dport 99999 -j ACCEPT', "iptables v1.8.9 (legacy): invalid port/service `99999' specified", '99999'],
    ['iptables -A INPUT -m conntrack --ctstate BOGUS -j ACCEPT', 'iptables v1.8.9 (legacy): Bad ctstate "BOGUS"', 'BOGUS'],
    ['iptables -A INPUT -p tcp --dport 22 -j ACCEPT -j DROP', 'iptables v1.8.9 (legacy): multiple -j flags not allowed', '-j DROP'],
    ['iptables -A INPUT -j REJECT --reject-with icmp-bogus', 'iptables v1.8.9 (legacy): unknown reject type "icmp-bogus"', 'icmp-bogus'],
    ['iptables -t nat -A POSTROUTING -j MASQUERADE --to-ports 100', 'iptables v1.8.9 (legacy): Need TCP, UDP, SCTP or DCCP with port specification', 'MASQUERADE'],
    ['iptables -A INPUT -p tcp -m tcp --syn --tcp-flags SYN SYN', "iptables v1.8.9 (legacy): Only one of `--syn' or `--tcp-flags'  allowed", '--tcp-flags'],
    ['iptables -t mangle -A PREROUTING -j HMARK --hmark-tuple foo --hmark-mod 4 --hmark-rnd 1', 'iptables v1.8.9 (legacy): Bad type "foo"', 'foo'],
    ['iptables -t mangle -A PREROUTING -j HMARK --hmark-tuple src, --hmark-mod 4 --hmark-rnd 1', 'iptables v1.8.9 (legacy): "--hmark-tuple" requires a list of types with no spaces, e.g. src,dst,sport,dport,proto', 'src,'],
    ['iptables -t mangle -A PREROUTING -j HMARK --hmark-mod 0 --hmark-rnd 1', 'iptables v1.8.9 (legacy): HMARK: bad value for option "--hmark-mod", or out of range (1-4294967295).', '0'],
  ])('%s', (line, message, word) => {
    expect(run(fresh(), line)).toMatchObject({ errors: [message], word });
  });

  it.each([
    ['iptables -t mangle -A PREROUTING -j HMARK --hmark-rnd 1', 'iptables v1.8.9 (legacy): --hmark-mod is mandatory'],
    ['iptables -t mangle -A PREROUTING -j HMARK --hmark-tuple src,dst --hmark-mod 4', 'iptables v1.8.9 (legacy): --hmark-rnd is mandatory'],
    ['iptables -t mangle -A PREROUTING -j HMARK --hmark-mod 4 --hmark-rnd 1 --hmark-spi-mask 1 --hmark-sport-mask 1', 'iptables v1.8.9 (legacy): you cannot use --hmark-spi-mask and --hmark-?port-mask,at the same time'],
  ])('HMARK: %s', (line, message) => {
    expect(run(fresh(), line).errors).toEqual([message]);
  });

  it('HMARK --hmark-tuple sets the masks the explicit options would, as iptables-save prints them', () => {
    const rs = fresh();
    expect(run(rs, 'iptables -t mangle -A PREROUTING -j HMARK --hmark-tuple src,dst,sport,dport,proto,ct --hmark-mod 4 --hmark-rnd 1').errors).toEqual([]);
    const saved = saveRuleset(rs);
    expect(saved).toContain('-A PREROUTING -j HMARK --hmark-src-prefix 32 --hmark-dst-prefix 32 --hmark-sport-mask 0xffff --hmark-dport-mask 0xffff --hmark-proto-mask 0xffff --hmark-rnd 0x00000001 --hmark-mod 4 --hmark-tuple ct');
  });

  it('names a target that is neither a chain nor an extension', () => {
    expect(run(fresh(), 'iptables -A INPUT -j NOPE').errors).toEqual(["iptables v1.8.9 (legacy): Couldn't load target `NOPE':No such file or directory"]);
  });

  it('refuses a table that does not exist (exit 3)', () => {
    expect(run(fresh(), 'iptables -t nosuch -A INPUT -j ACCEPT')).toMatchObject({
      errors: ["iptables v1.8.9 (legacy): can't initialize iptables table `nosuch': Table does not exist (do you need to insmod?)"],
      word: 'nosuch',
    });
  });
});

describe('commands the kernel or libiptc refuses (exit 1)', () => {
  it('an unknown chain, pointing at its name', () => {
    expect(run(fresh(), 'iptables -A NOPE -j DROP')).toMatchObject({ errors: ['iptables: No chain/target/match by that name.'], word: 'NOPE' });
  });

  it.each([
    ['iptables -A INPUT -p tcp -j DNAT --to-destination 10.0.0.1', 'x_tables: ip_tables: DNAT target: only valid in nat table, not filter'],
    ['iptables -t nat -A INPUT -p tcp -j DNAT --to-destination 10.0.0.1', 'x_tables: ip_tables: DNAT target: used from hooks INPUT, but only usable from PREROUTING/OUTPUT'],
    ['iptables -t nat -A PREROUTING -p tcp -j MASQUERADE', 'x_tables: ip_tables: MASQUERADE target: used from hooks PREROUTING, but only usable from POSTROUTING'],
    ['iptables -A INPUT -j TTL --ttl-set 1', 'x_tables: ip_tables: TTL target: only valid in mangle table, not filter'],
  ])('a target outside its table or hooks: %s', (line, dmesg) => {
    const o = run(fresh(), line);
    expect(o.errors).toEqual(["iptables: Invalid argument. Run `dmesg' for more information."]);
    expect(o.kernel).toEqual([dmesg]);
  });

  it.each([
    ['iptables -t nat -A PREROUTING -m rpfilter -j ACCEPT', "ipt_rpfilter: only valid in 'raw' or 'mangle' table, not 'nat'"],
    ['iptables -A INPUT -m rpfilter', 'x_tables: ip_tables: rpfilter match: used from hooks INPUT, but only valid from PREROUTING'],
    ['iptables -t raw -A OUTPUT -m rpfilter', 'x_tables: ip_tables: rpfilter match: used from hooks OUTPUT, but only valid from PREROUTING'],
  ])('-m rpfilter outside raw/mangle PREROUTING: %s', (line, dmesg) => {
    const o = run(fresh(), line);
    expect(o.errors).toEqual(["iptables: Invalid argument. Run `dmesg' for more information."]);
    expect(o.kernel).toEqual([dmesg]);
  });

  it('-m rpfilter in a user chain nobody reaches is still checked against its table', () => {
    expect(after(['iptables -t nat -N X'], 'iptables -t nat -A X -m rpfilter').kernel).toEqual(["ipt_rpfilter: only valid in 'raw' or 'mangle' table, not 'nat'"]);
    expect(run(fresh(), 'iptables -t raw -A PREROUTING -m rpfilter').errors).toEqual([]);
  });

  it.each([
    ['iptables -A INPUT -m limit --limit 1/day --limit-burst 2', 'xt_limit: Overflow, try lower: 864000000/2'],
    ['iptables -A INPUT -m limit --limit 1/hour --limit-burst 0', 'xt_limit: Overflow, try lower: 36000000/0'],
  ])('-m limit whose burst overflows the credit counter (ERANGE): %s', (line, dmesg) => {
    const o = run(fresh(), line);
    expect(o.errors).toEqual(['iptables: Numerical result out of range.']);
    expect(o.kernel).toEqual([dmesg]);
  });

  it('-m limit whose avg × burst wraps in 32 bits but still covers one packet is taken', () => {
    expect(run(fresh(), 'iptables -A INPUT -m limit --limit 1/hour --limit-burst 10000').errors).toEqual([]);
    expect(run(fresh(), 'iptables -A INPUT -m limit --limit 1/day --limit-burst 1').errors).toEqual([]);
  });

  it('-P on a user chain', () => {
    expect(after(['iptables -N U'], 'iptables -P U DROP').errors).toEqual(['iptables: Bad built-in chain name.']);
  });

  it('-P with a target that is not a policy', () => {
    expect(run(fresh(), 'iptables -P INPUT REJECT').errors).toEqual(["iptables: Bad policy name. Run `dmesg' for more information."]);
  });

  it('-X of a referenced chain, also once it is empty; then -X of a missing chain', () => {
    const rs = fresh();
    for (const s of ['iptables -N U', 'iptables -A U -j ACCEPT', 'iptables -A INPUT -j U']) expect(run(rs, s).errors).toEqual([]);
    expect(run(rs, 'iptables -X U').errors).toEqual(['iptables: Too many links.']);
    expect(run(rs, 'iptables -F U').errors).toEqual([]);
    expect(run(rs, 'iptables -X U').errors).toEqual(['iptables: Too many links.']);
    expect(run(rs, 'iptables -D INPUT 1').errors).toEqual([]);
    expect(run(rs, 'iptables -X U').errors).toEqual([]);
    expect(run(rs, 'iptables -X U').errors).toEqual(['iptables: No chain/target/match by that name.']);
  });

  it('-X of a chain that still has rules', () => {
    expect(after(['iptables -N V', 'iptables -A V -j ACCEPT'], 'iptables -X V').errors).toEqual(['iptables: Directory not empty.']);
  });

  it('rule numbers past the end', () => {
    expect(run(fresh(), 'iptables -D INPUT 5').errors).toEqual(['iptables: Index of deletion too big.']);
    expect(run(fresh(), 'iptables -I INPUT 5 -j ACCEPT').errors).toEqual(['iptables: Index of insertion too big.']);
    expect(run(fresh(), 'iptables -R INPUT 3 -j ACCEPT').errors).toEqual(['iptables: Index of replacement too big.']);
  });

  it('chain names that are taken', () => {
    expect(run(fresh(), 'iptables -N INPUT').errors).toEqual(['iptables: Chain already exists.']);
    expect(after(['iptables -N U2'], 'iptables -N U2').errors).toEqual(['iptables: Chain already exists.']);
    expect(after(['iptables -N U2'], 'iptables -E U2 INPUT').errors).toEqual(['iptables: File exists.']);
  });
});

describe('iptables-restore', () => {
  it('`COMMIT ` with a trailing space is a bad rule line (exit 2)', () => {
    expect(restore('*filter\n-A INPUT -j ACCEPT\nCOMMIT \n')).toEqual(["Bad argument `COMMIT'\nError occurred at line: 3"]);
    // a trailing space after a rule is fine
    expect(restore('*filter\n-A INPUT -j ACCEPT \nCOMMIT \n')).toEqual(["Bad argument `COMMIT'\nError occurred at line: 3"]);
  });

  it('an unknown option names the line (exit 2)', () => {
    expect(restore('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT --bogus\nCOMMIT\n')).toEqual(['iptables-restore v1.8.9 (legacy): unknown option "--bogus"\nError occurred at line: 3']);
  });

  it('an unknown chain fails at its own line (libiptc checks it at once; exit 1)', () => {
    expect(restore('*filter\n-A NOPE -j DROP\nCOMMIT\n')).toEqual(['iptables-restore: line 2 failed\nreason: No chain/target/match by that name.']);
  });

  // The kernel checks targets against tables only when the table is
  // committed, so the failure is reported at the COMMIT line (3).
  it('a target in the wrong table fails at the COMMIT line (exit 1)', () => {
    expect(restore('*filter\n-A INPUT -j DNAT --to-destination 10.0.0.1\nCOMMIT\n')).toEqual([
      "iptables-restore: line 3 failed\nreason: the kernel refused the table: Invalid argument. Run `dmesg' for more information. (INPUT rule 1)\ndmesg: x_tables: ip_tables: DNAT target: only valid in nat table, not filter",
    ]);
  });
});
