// pattern: Functional Core
// What the page may see of the course: a challenge's summary for the list,
// and its page without the answers (the hints and the reference solution
// come one at a time, when the student asks). The worker builds these from
// the catalog, so the page never loads the catalog, the checker or the
// engine; it imports these types only.

import type { Case } from '../engine/scenario/case';
import type { Choice, ChallengeInstance, Level, Text, Tool, UnitId } from './types';
import { goalText } from './describe';
import type { GoalResult } from './goals';

/** One challenge in the course's list. */
export interface ChallengeSummary {
  id: string;
  unit: UnitId;
  level: Level;
  title: Text;
}

/** A challenge's page: the task, the tools, the probes and goals in words, and the start case the page opens. */
export interface ChallengeView {
  id: string;
  seed: number;
  unit: UnitId;
  level: Level;
  title: Text;
  task: Text;
  host: string;
  tools: { programs: Tool[]; budget: number | null };
  probes: Text[];
  goals: string[];
  choices: Choice[] | null;
  /** how many hints there are (each is asked for by number) */
  hints: number;
  start: Case;
}

/** A goal as the check found it, without the goal's data: its predicate, whether it holds, why, and the walk step that decided it. */
export interface GoalVerdict {
  goal: string;
  met: boolean;
  why: Text;
  step: number | null;
}

export interface ChallengeCheck {
  id: string;
  seed: number;
  passed: boolean;
  commands: number;
  goals: GoalVerdict[];
}

export function challengeView(c: ChallengeInstance): ChallengeView {
  return {
    id: c.id,
    seed: c.seed,
    unit: c.unit,
    level: c.level,
    title: c.title,
    task: c.task,
    host: c.host,
    tools: { programs: [...c.tools.programs], budget: c.tools.budget },
    probes: c.probes.map((p) => p.label),
    goals: c.goals.map(goalText),
    choices: c.choices ?? null,
    hints: c.hints.length,
    start: c.start,
  };
}

export function goalVerdict(g: GoalResult): GoalVerdict {
  return { goal: g.text, met: g.met, why: g.why, step: g.step };
}
