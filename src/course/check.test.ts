// The checker reads a solution as the console runs it: `# host` lines switch
// host, read-only commands change and count nothing, a refused command stops
// the check at its line and column, and every goal says at which walk step it
// was decided.

import { describe, expect, it } from 'vitest';
import { challengeInstance } from './catalog';
import { checkSolution } from './check';
import { parseSolution } from './solution';

const blockPing = challengeInstance('block-ping', 0)!;

describe('parseSolution', () => {
  it('follows # host lines, keeps the answer line and skips comments and blank lines', () => {
    const p = parseSolution('iptables -L\n# host server\n\n# a comment\n  iptables -P INPUT DROP\n# answer: drop filter INPUT\n', ['client', 'server'], 'client', ['iptables']);
    expect(p.commands).toEqual([
      { line: 1, column: 1, host: 'client', text: 'iptables -L' },
      { line: 5, column: 3, host: 'server', text: 'iptables -P INPUT DROP' },
    ]);
    expect(p.answer).toBe('drop filter INPUT');
    expect(p.problems).toEqual([]);
  });

  it('refuses a program the challenge does not allow and a host the case does not have', () => {
    const p = parseSolution('sysctl -w net.ipv4.ip_forward=1\n# host  web\n', ['server'], 'server', ['iptables']);
    expect(p.problems).toEqual([
      { line: 1, column: 1, message: 'sysctl: not allowed here (this challenge allows iptables)' },
      { line: 2, column: 9, message: 'no host named web (hosts: server)' },
    ]);
  });
});

describe('checkSolution', () => {
  it('counts edits only: a listing between them is free', () => {
    const r = checkSolution(blockPing, '# host server\niptables -L INPUT -n\niptables -A INPUT -p icmp --icmp-type echo-request -j DROP\niptables -S\n');
    expect(r.ok && r.commands).toBe(1);
    expect(r.ok && r.passed).toBe(true);
  });

  it('stops at a refused command with its line and column in the file', () => {
    const r = checkSolution(blockPing, '# host server\niptables -A INPUT -p icmp -j DROP\n   iptables -A INPUT --dport 80 -j ACCEPT\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.line).toBe(3);
    expect(r.error.column).toBeGreaterThanOrEqual(4);
    expect(r.error.message).toMatch(/^server: /);
  });

  it('points each walk goal at the step that decided it, and says why in both languages', () => {
    const r = checkSolution(blockPing, blockPing.solution);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const dropped = r.goals[0]!;
    const step = r.walk.log.steps[dropped.step!]!;
    expect(step).toMatchObject({ kind: 'end', host: 'server', reason: 'rule-drop' });
    expect(dropped.why.en).toContain(`step ${step.i} on server`);
    expect(dropped.why.zh).toContain(`第 ${step.i} 步`);
    expect(r.goals[2]).toMatchObject({ text: 'commands ≤ 2', met: true, step: null });
  });

  it('fails an unanswered question and a wrong answer against the walk', () => {
    const q = challengeInstance('chains-forward', 0)!;
    const none = checkSolution(q, '');
    expect(none.ok && none.goals[0]!.why.en).toBe('no answer given (a "# answer: …" line)');
    const wrong = checkSolution(q, '# answer: filter INPUT\n');
    expect(wrong.ok && wrong.goals[0]!.met).toBe(false);
    expect(wrong.ok && wrong.goals[0]!.why.en).toMatch(/^the walk says raw PREROUTING, mangle PREROUTING, nat PREROUTING, mangle FORWARD/);
  });
});
