// pattern: Functional Core
// The checker: a solution is run through the lab's edit path with mode
// 'command' (engine/lab/lab.ts), the one the console's Enter takes, so what a
// student typed and what the checker ran cannot differ; then the probes are
// walked and every goal is read off that walk. A read-only command
// (`iptables -L`, `ip route get …`) changes nothing and is not counted.

import { Lab, type LabWalk } from '../engine/lab/lab';
import type { WalkLog } from '../engine/walk-log';
import { evaluateGoal, type GoalResult } from './goals';
import { parseSolution, type SolutionProblem } from './solution';
import type { ChallengeInstance } from './types';

export interface CheckPassed {
  ok: true;
  id: string;
  seed: number;
  passed: boolean;
  goals: GoalResult[];
  /** edit commands the solution ran */
  commands: number;
  answer: string | null;
  walk: LabWalk;
}

export interface CheckRefused {
  ok: false;
  id: string;
  seed: number;
  /** the first line that could not run, positioned in the solution text */
  error: SolutionProblem;
}

export type CheckResult = CheckPassed | CheckRefused;

/** Open the challenge's start case as a lab (the page's worker opens the same case). */
export function openStart(c: ChallengeInstance): Lab {
  const r = Lab.open(c.start);
  // a start case that does not open is a bug of the catalog, which the catalog's tests catch
  if (!r.ok) throw new Error(`challenge ${c.id} seed ${c.seed}: start case refused: ${r.errors.join('; ')}`);
  return r.lab;
}

/**
 * Walk the probes on a lab the student has edited and read the goals off the walk.
 * The lab's traffic becomes the probes (they are the start case's traffic).
 */
export function checkLab(c: ChallengeInstance, lab: Lab, used: { commands: number; answer: string | null }): CheckPassed {
  const sent = lab.send(c.probes.map((p) => p.step));
  // the probes are the start's own traffic, which Lab.open accepted
  if (!sent.ok) throw new Error(`challenge ${c.id}: probes refused: ${sent.errors.join('; ')}`);
  const goals = checkWalk(c, lab, sent.walk.log, used);
  return { ok: true, id: c.id, seed: c.seed, passed: goals.every((g) => g.met), goals, commands: used.commands, answer: used.answer, walk: sent.walk };
}

/**
 * Read the goals off a walk of the probes that was already made: the page's
 * own walk, so every step a goal names is a step the page shows.
 */
export function checkWalk(c: ChallengeInstance, lab: Lab, log: WalkLog, used: { commands: number; answer: string | null }): GoalResult[] {
  const ctx = {
    log,
    probes: c.probes,
    sysctl: (host: string, key: string) => lab.config(host)?.net.sysctl[key],
    commands: used.commands,
    answer: used.answer,
  };
  return c.goals.map((g) => evaluateGoal(ctx, g));
}

/**
 * Apply a solution text (console commands, `# host NAME` lines) to the
 * challenge's start and check it. A line the tools refuse stops it, with the
 * line and column of the refusal.
 *
 * @example
 * const r = checkSolution(challenge, '# host server\niptables -A INPUT -p icmp -j DROP\n');
 * if (r.ok) r.goals.map((g) => [g.text, g.met]);
 */
export function checkSolution(c: ChallengeInstance, text: string): CheckResult {
  const lab = openStart(c);
  const parsed = parseSolution(text, lab.hostNames(), c.host, c.tools.programs);
  if (parsed.problems.length) return { ok: false, id: c.id, seed: c.seed, error: parsed.problems[0]! };
  let commands = 0;
  for (const cmd of parsed.commands) {
    if (lab.query(cmd.host, cmd.text, null, -1) !== null) continue;
    const r = lab.edit(cmd.host, cmd.text, 'command');
    if (!r.ok) {
      const d = r.diagnostics.find((x) => x.severity === 'error') ?? r.diagnostics[0];
      const message = d ? d.message : 'refused';
      return { ok: false, id: c.id, seed: c.seed, error: { line: cmd.line + (d ? d.line - 1 : 0), column: d && d.line === 1 ? cmd.column + d.column - 1 : (d?.column ?? cmd.column), message: `${cmd.host}: ${message}` } };
    }
    commands++;
  }
  return checkLab(c, lab, { commands, answer: parsed.answer });
}
