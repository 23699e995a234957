// pattern: Imperative Shell
// iptables-restore: atomic table blocks, line-numbered errors, counters.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyRestore, parseRestore } from './restore';
import { parseIptablesCommand } from './command';
import { applyIptablesCommand } from './apply';
import { createRuleset } from './ruleset';
import { saveRuleset } from './save';

function restore(text: string, noflush = false, counters = false): { rs: ReturnType<typeof createRuleset>; errors: string[] } {
  const rs = createRuleset({ loaded: [] });
  const p = parseRestore(text, { noflush, counters });
  const d = applyRestore(rs, p.value!);
  return { rs, errors: d.filter((x) => x.severity === 'error').map((x) => x.message) };
}

describe('iptables-restore', () => {
  it('loads chains, policies and counters with --counters', () => {
    const { rs, errors } = restore('*filter\n:INPUT DROP [5:300]\n:X - [0:0]\n[1:60] -A INPUT -j X\nCOMMIT\n', false, true);
    expect(errors).toEqual([]);
    expect(saveRuleset(rs, { counters: true })).toBe('*filter\n:INPUT DROP [5:300]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:X - [0:0]\n[1:60] -A INPUT -j X\nCOMMIT\n');
  });
  it('rejects `COMMIT ` with a trailing space as a rule line', () => {
    expect(restore('*filter\n-A INPUT -j ACCEPT \nCOMMIT \n').errors).toEqual(["Bad argument `COMMIT'\nError occurred at line: 3"]);
  });
  it('names the line of a parse error', () => {
    expect(restore('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT --something-else\nCOMMIT\n').errors).toEqual([
      'iptables-restore v1.8.9 (legacy): unknown option "--something-else"\nError occurred at line: 3',
    ]);
  });
  it('is atomic per table and keeps earlier commits', () => {
    const { rs, errors } = restore('*filter\n-A INPUT -j ACCEPT\nCOMMIT\n*nat\n:X - [0:0]\n-A X -j X\n-A PREROUTING -j X\nCOMMIT\n');
    expect(errors).toEqual(['iptables-restore: line 8 failed\nreason: the kernel refused the table: Too many levels of symbolic links. (the jumps loop: PREROUTING → X → X)']);
    expect(rs.tables.filter.chains.get('INPUT')!.rules).toHaveLength(1);
    expect(rs.tables.nat.chains.has('X')).toBe(false);
  });
  it('refuses jumps to undeclared chains like legacy iptables-restore', () => {
    expect(restore('*filter\n-A INPUT -j ufw-x\nCOMMIT\n').errors[0]).toBe(
      "iptables-restore v1.8.9 (legacy): Couldn't load target `ufw-x':No such file or directory\n\nError occurred at line: 2",
    );
  });
  it('wants COMMIT at the end', () => {
    expect(restore('*filter\n-A INPUT -j ACCEPT\n').errors).toEqual(['iptables-restore: COMMIT expected at line 3']);
  });
  it('--noflush keeps existing rules, flushes a redeclared user chain', () => {
    const rs = createRuleset();
    applyRestore(rs, parseRestore('*filter\n:X - [0:0]\n-A X -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n', { noflush: false, counters: false }).value!);
    applyRestore(rs, parseRestore('*filter\n:X - [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n', { noflush: true, counters: false }).value!);
    expect(rs.tables.filter.chains.get('X')!.rules).toHaveLength(0);
    expect(rs.tables.filter.chains.get('INPUT')!.rules).toHaveLength(2);
  });
});

describe('parsers never throw, never hang, and point inside the text', () => {
  const pieces = ['iptables', '-A', 'INPUT', '-t', 'nat', '-p', 'tcp', '--dport', '80', '!', '-j', 'DNAT', '--to-destination', '1.2.3.4:80', '-m', 'conntrack', '--ctstate', 'NEW', '-s', '10.0.0.0/8', '"a b"', "'x", '--', '-N', 'X', '-I', '2', '--u32', '0x0=1&&', '-m', 'u32', 'recent', '--set', 'limit', '--limit', '1/s', '-g', 'COMMIT', '*filter', ':INPUT', 'DROP', '[0:0]', '\n', '#', ''];
  const text = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 6 })), { maxLength: 30 }).map((a) => a.join(' '));
  it('iptables command lines', () => {
    fc.assert(
      fc.property(text, (t) => {
        const p = parseIptablesCommand(`iptables ${t}`);
        for (const d of p.diagnostics) {
          expect(d.from).toBeGreaterThanOrEqual(0);
          expect(d.to).toBeGreaterThanOrEqual(d.from);
          expect(d.to).toBeLessThanOrEqual(t.length + 9);
        }
        if (p.value) {
          for (const d of applyIptablesCommand(createRuleset(), p.value)) expect(d.to).toBeGreaterThanOrEqual(d.from);
        }
      }),
      { numRuns: 400 },
    );
  });
  it('restore texts', () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 8 }), (lines) => {
        const t = `*filter\n${lines.join('\n')}\nCOMMIT\n`;
        const p = parseRestore(t, { noflush: false, counters: true });
        const d = applyRestore(createRuleset(), p.value!);
        for (const x of [...p.diagnostics, ...d]) {
          expect(x.from).toBeGreaterThanOrEqual(0);
          expect(x.to).toBeLessThanOrEqual(t.length);
          expect(x.to).toBeGreaterThanOrEqual(x.from);
        }
      }),
      { numRuns: 300 },
    );
  });
});
