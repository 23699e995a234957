import { describe, expect, it } from 'vitest';
import { doneEdits, solutionText } from './solution-text';

describe('the student solution a check records', () => {
  it('writes the edits in order, switching host with a # host line', () => {
    const r = solutionText(
      [
        { type: 'edit', host: 'router', texts: ['sysctl -w net.ipv4.ip_forward=1'], mode: 'command' },
        { type: 'edit', host: 'server', texts: ['iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -P INPUT DROP'], mode: 'command' },
      ],
      null,
    );
    expect(r).toEqual({ text: '# host router\nsysctl -w net.ipv4.ip_forward=1\n# host server\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -P INPUT DROP\n', commands: 3 });
  });

  it('leaves out what was undone, and brings back what was redone', () => {
    const a = { type: 'edit' as const, host: 'h', texts: ['iptables -A INPUT -j DROP'], mode: 'command' as const };
    const b = { type: 'edit' as const, host: 'h', texts: ['iptables -A INPUT -j ACCEPT'], mode: 'command' as const };
    expect(solutionText([a, b, { type: 'undo' }], null).text).toBe('# host h\niptables -A INPUT -j DROP\n');
    expect(solutionText([a, b, { type: 'undo' }, { type: 'redo' }], null).commands).toBe(2);
    // a new edit after an undo drops what could have been redone
    expect(solutionText([a, { type: 'undo' }, b, { type: 'redo' }], null).text).toBe('# host h\niptables -A INPUT -j ACCEPT\n');
  });

  it('ends a predict-the-path answer with its # answer line and counts no commands', () => {
    expect(solutionText([], 'drop filter FORWARD')).toEqual({ text: '# answer: drop filter FORWARD\n', commands: 0 });
  });

  it('keeps, for a reload, the edits that stand: what was undone is gone', () => {
    const a = { type: 'edit' as const, host: 'h', texts: ['iptables -A INPUT -j DROP'], mode: 'command' as const };
    const b = { type: 'edit' as const, host: 'h', texts: ['iptables -A INPUT -j ACCEPT'], mode: 'command' as const };
    expect(doneEdits([a, b, { type: 'undo' }])).toEqual([a]);
    // the edits carried over a reload, then this page's: an undo after the reload takes back a carried one
    expect(solutionText([...doneEdits([a, b]), { type: 'undo' }], null).commands).toBe(1);
  });
});
