// The option scanner the iptables, ip and ipvsadm parsers share: what each
// word is, where its parts are in the text, which words options take as
// arguments, and the diagnostic of a missing one.

import { describe, expect, it } from 'vitest';
import { GETOPT, OptionScanner, type ScanStyle, type TokenKind } from './option-scanner';
import { splitWords } from './shlex';

function scanner(text: string, style: ScanStyle = GETOPT, base = 0): OptionScanner {
  return new OptionScanner(splitWords(text, base).words, 0, 'test', style);
}

/** Every token of a line as [kind, word text]. */
function kinds(text: string, style: ScanStyle = GETOPT): [TokenKind, string][] {
  const s = scanner(text, style);
  const out: [TokenKind, string][] = [];
  while (!s.done) out.push([s.next(), s.word!.text]);
  return out;
}

const POPT: ScanStyle = { negation: false, endOfOptions: false, quotedShortIsOperand: true };

describe('OptionScanner.next, read the getopt way', () => {
  it('tells long options, short clusters, negation, the end of options and operands apart', () => {
    expect(kinds('-A INPUT ! -s 10.0.0.1 --dport 22 -vn -- x - !x')).toEqual([
      ['short', '-A'],
      ['operand', 'INPUT'],
      ['negation', '!'],
      ['short', '-s'],
      ['operand', '10.0.0.1'],
      ['long', '--dport'],
      ['operand', '22'],
      ['short', '-vn'],
      ['end', '--'],
      ['operand', 'x'],
      ['operand', '-'],
      ['operand', '!x'],
    ]);
  });

  it('splits --name=value, the value spanning exactly its characters (offsets from the line base)', () => {
    const text = 'iptables --to-destination=10.0.0.2:80';
    const s = scanner(text, GETOPT, 100);
    s.next();
    expect(s.next()).toBe('long');
    expect(s.name).toBe('to-destination');
    expect(s.inline).toMatchObject({ text: '10.0.0.2:80', from: 126, to: 137 });
    expect(text.slice(s.inline!.from - 100, s.inline!.to - 100)).toBe('10.0.0.2:80');
  });

  it('gives a long option without = no inline value, and an empty one for a trailing =', () => {
    const s = scanner('--syn --comment=');
    s.next();
    expect([s.name, s.inline]).toEqual(['syn', null]);
    s.next();
    expect(s.name).toBe('comment');
    expect(s.inline).toMatchObject({ text: '', from: 16, to: 16 });
  });

  it('treats quoting as the shell does: a quoted "-p" is still an option', () => {
    expect(kinds('"-p" \'!\'')).toEqual([
      ['short', '-p'],
      ['negation', '!'],
    ]);
  });
});

describe('OptionScanner.next, read the way ipvsadm reads a case line', () => {
  it('has no negation, reads -- as the short option "-", and a quoted -x as a word', () => {
    expect(kinds('! -- "-t" "--tcp-service" -Ln', POPT)).toEqual([
      ['operand', '!'],
      ['short', '--'],
      ['operand', '-t'],
      ['long', '--tcp-service'],
      ['short', '-Ln'],
    ]);
  });
});

describe('OptionScanner arguments', () => {
  it('takes a required argument inline or from the next word, whatever it looks like', () => {
    const s = scanner('-j --dport=22 --dport -x');
    s.next();
    expect(s.argument(null)?.text).toBe('--dport=22');
    s.next();
    expect(s.argument(s.inline)?.text).toBe('-x');
    expect(s.done).toBe(true);
  });

  it('takes the rest of a short cluster as the argument of the letter before it', () => {
    const s = scanner('x -ptcp');
    s.next();
    s.next();
    const rest = s.clusterRest(s.word!, 1);
    expect(rest).toMatchObject({ text: 'tcp', from: 4, to: 7 });
    expect(s.clusterRest(s.word!, 6)).toBeNull();
  });

  it('takes an optional separate argument only when the next word is no option', () => {
    const s = scanner('-L INPUT -n -L !x -L');
    s.next();
    expect(s.operand()?.text).toBe('INPUT');
    s.next();
    expect(s.operand()).toBeNull();
    s.next();
    expect(s.operand()).toBeNull();
    expect(s.peek()?.text).toBe('!x');
    const popt = scanner('-p !x', POPT);
    popt.next();
    expect(popt.operand()?.text).toBe('!x');
  });

  it('reports a missing argument at the option, in the tool\'s words, and marks the line failed', () => {
    const s = scanner('iptables -p', GETOPT, 10);
    s.next();
    s.next();
    expect(s.argument(null) ?? s.missingArgument(s.word!, 'option "-p" requires an argument', 'test/missing-argument', 'an argument')).toBeNull();
    expect(s.failed).toBe(true);
    expect(s.diagnostics).toEqual([
      { from: 19, to: 21, severity: 'error', message: 'option "-p" requires an argument', source: 'test', code: 'test/missing-argument', expected: 'an argument' },
    ]);
  });

  it('adds its reports to the diagnostics it was given', () => {
    const earlier = [{ from: 0, to: 1, severity: 'error' as const, message: 'unterminated single quote', source: 'shell' }];
    const s = new OptionScanner(splitWords('a').words, 0, 'ip', GETOPT, earlier);
    s.fail({ from: 0, to: 1 }, 'Error: argument "a" is wrong', 'ip/invalid-argument');
    expect(earlier.map((d) => d.message)).toEqual(['unterminated single quote', 'Error: argument "a" is wrong']);
    expect(earlier[1]).not.toHaveProperty('expected');
  });
});
