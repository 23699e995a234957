// pattern: Functional Core
// The reference solution revealed a line at a time, as presenter mode shows
// it to a room: the first k lines of the solution (commands and an
// `# answer:` line), and the challenge's start case with those commands run
// on it through the console's edit path, so the walk on screen and the goals
// checked on it are those of the solution so far.

import type { Case } from '../engine/scenario/case';
import { openStart } from './check';
import { parseSolution } from './solution';
import type { ChallengeInstance } from './types';

export interface StageLine {
  /** the host a command runs on; null for the `# answer:` line */
  host: string | null;
  text: string;
}

export interface ChallengeStage {
  id: string;
  seed: number;
  /** how many lines the whole solution has */
  total: number;
  /** the first k of them */
  shown: StageLine[];
  /** the edit commands among them (read-only ones change and count nothing, as in the checker) */
  commands: number;
  /** the answer, once its line is shown */
  answer: string | null;
  /** the start case with the shown commands applied; its traffic is the probes */
  case: Case;
}

/** The solution's lines in order: its commands, then its answer line. */
export function solutionLines(c: ChallengeInstance): StageLine[] {
  const parsed = parseSolution(c.solution, openStart(c).hostNames(), c.host, c.tools.programs);
  // the catalog's tests run every reference solution: a problem here is a catalog bug
  if (parsed.problems.length) throw new Error(`challenge ${c.id}: reference solution refused: ${parsed.problems[0]!.message}`);
  const lines: StageLine[] = parsed.commands.map((x) => ({ host: x.host, text: x.text }));
  if (parsed.answer !== null) lines.push({ host: null, text: parsed.answer });
  return lines;
}

/**
 * The stage after the first `k` lines (k is clamped to 0…total).
 *
 * @example
 * challengeStage(challengeInstance('block-ping', 0)!, 1).shown // [{ host: 'server', text: 'iptables -A INPUT -p icmp …' }]
 */
export function challengeStage(c: ChallengeInstance, k: number): ChallengeStage {
  const lines = solutionLines(c);
  const shown = lines.slice(0, Math.max(0, Math.min(lines.length, k)));
  const lab = openStart(c);
  let commands = 0;
  let answer: string | null = null;
  for (const line of shown) {
    if (line.host === null) {
      answer = line.text;
      continue;
    }
    if (lab.query(line.host, line.text, null, -1) !== null) continue;
    const r = lab.edit(line.host, line.text, 'command');
    if (!r.ok) throw new Error(`challenge ${c.id}: reference solution refused on ${line.host}: ${line.text}`);
    commands++;
  }
  return { id: c.id, seed: c.seed, total: lines.length, shown, commands, answer, case: { ...lab.snapshot(), steps: c.start.steps ?? [] } };
}
