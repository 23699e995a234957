// pattern: Functional Core
// The student's solution as the CLI's `challenge ID --check FILE` reads it:
// the console commands and rule-form edits the lab took since the challenge
// opened (the client's journal), undos taking back the edit before them and
// redos bringing it again, with `# host NAME` lines where the host changes.
// The result code (src/course/progress.ts) hashes this text, so a teacher
// can run the same text through the CLI and see the same result.

import type { LabChange } from '../../worker/client';

export interface StudentSolution {
  text: string;
  /** edit commands the lab holds now (an iptables-restore or `ip … show` import counts as one) */
  commands: number;
}

export type EditChange = Extract<LabChange, { type: 'edit' }>;

/** The edits that stand after the changes: undos take back the edit before them, redos bring it again. */
export function doneEdits(changes: readonly LabChange[]): EditChange[] {
  const done: EditChange[] = [];
  const undone: EditChange[] = [];
  for (const c of changes) {
    if (c.type === 'edit') {
      done.push(c);
      undone.length = 0;
    } else if (c.type === 'undo') {
      const e = done.pop();
      if (e) undone.push(e);
    } else {
      const e = undone.pop();
      if (e) done.push(e);
    }
  }
  return done;
}

/**
 * @example
 * solutionText([{ type: 'edit', host: 'server', texts: ['iptables -P INPUT DROP'], mode: 'command' }], 'server')
 * // { text: '# host server\niptables -P INPUT DROP\n', commands: 1 }
 */
export function solutionText(changes: readonly LabChange[], answer: string | null): StudentSolution {
  const done = doneEdits(changes);
  const lines: string[] = [];
  let host: string | null = null;
  let commands = 0;
  for (const e of done) {
    if (e.host !== host) lines.push(`# host ${e.host}`);
    host = e.host;
    for (const text of e.texts) {
      const cmds = e.mode === 'command' ? text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#')) : [text];
      lines.push(...cmds);
      commands += cmds.length;
    }
  }
  if (answer !== null) lines.push(`# answer: ${answer}`);
  return { text: lines.length ? `${lines.join('\n')}\n` : '', commands };
}
