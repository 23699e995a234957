// Progress records and result codes: pure functions the page keeps, exports
// and imports through; a code changes with anything it covers and nothing else.

import { describe, expect, it } from 'vitest';
import { addRecord, codeMatches, emptyProgress, mergeProgress, normalizeSolution, progressRecord, readProgress, readSummaryCode, resultCode, summaryCode } from './progress';

const SOL = '# host server\niptables -A INPUT -i lo -j ACCEPT\niptables -P INPUT DROP\n';

describe('result codes', () => {
  it('name the challenge, seed and result, with a 12-character hash', () => {
    expect(resultCode('ssh-only', 7, SOL, true, 2)).toMatch(/^ssh-only-7-P-[0-9a-z]{12}$/);
    expect(resultCode('ssh-only', 7, SOL, false, 2)).toMatch(/^ssh-only-7-F-/);
  });

  it('are the same for the same solution written differently (spacing, comments, blank lines)', () => {
    const messy = '\n# host server\n  iptables  -A INPUT -i lo -j ACCEPT\n# allow loopback first\n\niptables -P INPUT DROP   \n';
    expect(resultCode('ssh-only', 7, messy, true, 2)).toBe(resultCode('ssh-only', 7, SOL, true, 2));
    expect(normalizeSolution(messy)).toBe('# host server\niptables -A INPUT -i lo -j ACCEPT\niptables -P INPUT DROP');
  });

  it('change with the seed, the solution, the command count and the result', () => {
    const base = resultCode('ssh-only', 7, SOL, true, 2);
    expect(resultCode('ssh-only', 8, SOL, true, 2)).not.toBe(base);
    expect(resultCode('ssh-only', 7, SOL.replace('DROP', 'ACCEPT'), true, 2)).not.toBe(base);
    expect(resultCode('ssh-only', 7, SOL, true, 3).split('-').at(-1)).not.toBe(base.split('-').at(-1));
    expect(resultCode('ssh-only', 7, SOL, false, 2).split('-').at(-1)).not.toBe(base.split('-').at(-1));
  });

  it('let a record be matched with the solution it was made from', () => {
    const r = progressRecord({ id: 'ssh-only', seed: 7, passed: true, commands: 2 }, SOL);
    expect(codeMatches(r, SOL)).toBe(true);
    expect(codeMatches(r, SOL.replace('-i lo ', ''))).toBe(false);
    expect(codeMatches({ ...r, passed: false }, SOL)).toBe(false);
  });
});

describe('progress files', () => {
  const pass = progressRecord({ id: 'block-ping', seed: 0, passed: true, commands: 1 }, SOL);
  const fail = progressRecord({ id: 'block-ping', seed: 0, passed: false, commands: 1 }, SOL);
  const longer = progressRecord({ id: 'block-ping', seed: 0, passed: true, commands: 2 }, SOL);
  const other = progressRecord({ id: 'ssh-only', seed: 3, passed: true, commands: 3 }, SOL);

  it('keep the better record of a challenge and seed: passed over failed, then fewer commands', () => {
    expect(addRecord(addRecord(emptyProgress(), fail), pass).records).toEqual([pass]);
    expect(addRecord(addRecord(emptyProgress(), pass), fail).records).toEqual([pass]);
    expect(addRecord(addRecord(emptyProgress(), longer), pass).records).toEqual([pass]);
  });

  it('round-trip through JSON and merge on import', () => {
    const file = addRecord(addRecord(emptyProgress(), pass), other);
    const back = readProgress(JSON.parse(JSON.stringify(file)));
    expect(back).toEqual({ ok: true, value: file });
    expect(mergeProgress(addRecord(emptyProgress(), fail), file).records).toEqual([pass, other]);
  });

  it('refuse a file from another version or with a broken record, saying where', () => {
    expect(readProgress({ v: 2, records: [] })).toEqual({ ok: false, error: 'v: expected 1, this progress is from another version' });
    expect(readProgress({ v: 1, records: [{ ...pass, seed: -1 }] })).toEqual({ ok: false, error: 'records[0].seed: expected a whole number ≥ 0' });
    expect(readProgress({ v: 1, records: [{ ...pass, code: other.code }] })).toEqual({ ok: false, error: "records[0].code: does not name this record's challenge, seed and result" });
    expect(readProgress('[]')).toEqual({ ok: false, error: 'expected an object' });
  });
});

describe('summary codes (all of a student\'s results in one text)', () => {
  const records = [progressRecord({ id: 'ssh-only', seed: 3, passed: true, commands: 2 }, SOL), progressRecord({ id: 'block-ping', seed: 0, passed: false, commands: 0 }, '')];
  const known = new Set(['ssh-only', 'block-ping']);

  it('read back to the same results, each with its result code', () => {
    const code = summaryCode(records);
    expect(code).toMatch(/^pw1\.block-ping_0_F_0_[0-9a-z]{12}\.ssh-only_3_P_2_[0-9a-z]{12}~[0-9a-z]{8}$/);
    const r = readSummaryCode(`  ${code}\n`, known);
    expect(r.ok && r.value.map((x) => [x.id, x.seed, x.passed, x.commands])).toEqual([
      ['block-ping', 0, false, 0],
      ['ssh-only', 3, true, 2],
    ]);
    expect(r.ok && r.value.map((x) => x.code).sort()).toEqual(records.map((x) => x.code).sort());
  });

  it('refuse a code changed by hand: an F made a P, another seed, a record left out', () => {
    const code = summaryCode(records);
    const why = 'the checksum does not match: this code was changed after it was made, or mistyped';
    expect(readSummaryCode(code.replace('_F_', '_P_'), known)).toMatchObject({ ok: false, reason: 'checksum', error: why });
    expect(readSummaryCode(code.replace('ssh-only_3', 'ssh-only_4'), known)).toMatchObject({ ok: false, reason: 'checksum', error: why });
    expect(readSummaryCode(code.replace(/block-ping[^.]*\./, ''), known)).toMatchObject({ ok: false, reason: 'checksum', error: why });
  });

  it('say where a code is broken', () => {
    expect(readSummaryCode('hello')).toMatchObject({ ok: false, error: 'expected a code that starts with “pw1.”' });
    expect(readSummaryCode('pw2.x~abc')).toMatchObject({ ok: false, error: expect.stringContaining('another version') });
    expect(readSummaryCode('pw1.ssh-only_3_P_2_abcdefabcdef')).toMatchObject({ ok: false, error: expect.stringContaining('checksum after “~” is missing') });
    expect(readSummaryCode('pw1.ssh-only_3_X_2~aaaaaaaa')).toMatchObject({ ok: false, reason: 'syntax', at: 1, error: 'result 1 “ssh-only_3_X_2”: expected ID_SEED_P|F_COMMANDS_HASH' });
    expect(readSummaryCode(summaryCode(records), new Set(['ssh-only']))).toMatchObject({ ok: false, reason: 'unknown', at: 1, item: 'block-ping', error: 'result 1: there is no challenge “block-ping”' });
  });
});
