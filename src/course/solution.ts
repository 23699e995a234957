// pattern: Functional Core
// A solution as the student types it into the console, saved as a file: one
// command per line, `# host NAME` switching the host the next lines run on,
// `# answer: ID` answering a predict-the-path question, other `#` lines and
// blank lines ignored. Reading it never throws: a line that cannot be a
// command comes back as a problem with its line and column.

import type { Tool } from './types';

export interface SolutionCommand {
  /** 1-based line in the solution text */
  line: number;
  /** 1-based column where the command starts */
  column: number;
  host: string;
  text: string;
}

export interface SolutionProblem {
  line: number;
  column: number;
  message: string;
}

export interface ParsedSolution {
  commands: SolutionCommand[];
  /** the `# answer:` line's words, the last one if several */
  answer: string | null;
  problems: SolutionProblem[];
}

const HOST_LINE = /^#\s*host\s+(\S+)\s*$/;
const ANSWER_LINE = /^#\s*answer\s*:\s*(.*?)\s*$/;

/** The program a command line runs (its first word), or null for an empty line. */
export function programOf(text: string): string | null {
  return /^\s*(\S+)/.exec(text)?.[1] ?? null;
}

/**
 * Split a solution into commands. `hosts` are the start case's hosts (a
 * `# host` line naming another is a problem), `firstHost` the host lines run
 * on before any `# host` line, `programs` the tools the challenge allows.
 *
 * @example
 * parseSolution('# host router\niptables -P FORWARD DROP\n', ['router'], 'router', ['iptables']).commands
 * // [{ line: 2, column: 1, host: 'router', text: 'iptables -P FORWARD DROP' }]
 */
export function parseSolution(text: string, hosts: readonly string[], firstHost: string, programs: readonly Tool[]): ParsedSolution {
  const out: ParsedSolution = { commands: [], answer: null, problems: [] };
  let host = firstHost;
  text.split('\n').forEach((raw, k) => {
    const line = k + 1;
    const body = raw.replace(/\r$/, '');
    const column = body.length - body.trimStart().length + 1;
    const t = body.trim();
    if (!t) return;
    if (t.startsWith('#')) {
      const h = HOST_LINE.exec(t);
      if (h) {
        if (hosts.includes(h[1]!)) host = h[1]!;
        else out.problems.push({ line, column: column + t.indexOf(h[1]!), message: `no host named ${h[1]} (hosts: ${hosts.join(', ')})` });
        return;
      }
      const a = ANSWER_LINE.exec(t);
      if (a) out.answer = a[1]!;
      return;
    }
    const program = programOf(t)!;
    if (!(programs as readonly string[]).includes(program)) {
      const allowed = programs.length ? `this challenge allows ${programs.join(', ')}` : 'this challenge is answered with a "# answer: …" line, not commands';
      out.problems.push({ line, column, message: `${program}: not allowed here (${allowed})` });
      return;
    }
    out.commands.push({ line, column, host, text: t });
  });
  return out;
}

/** A solution text from commands: `# host` lines where the host changes. */
export function solutionText(commands: readonly { host: string; text: string }[]): string {
  let host: string | null = null;
  const lines: string[] = [];
  for (const c of commands) {
    if (c.host !== host) lines.push(`# host ${(host = c.host)}`);
    lines.push(c.text);
  }
  return `${lines.join('\n')}\n`;
}
