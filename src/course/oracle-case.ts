// pattern: Functional Core
// A challenge as an oracle case: its start with the reference solution's
// commands added to the setup of the hosts they ran on, in order, and the
// probes as traffic. The kernel runs that file (scripts/oracle-run), so the
// walk the checker reads is held to the real kernel's at `full`
// (src/course/oracle.test.ts). Only challenges marked `kernel` qualify.

import type { Case } from '../engine/scenario/case';
import { parseSolution } from './solution';
import type { ChallengeInstance } from './types';

/** The case the kernel runs for a challenge's solved state. */
export function oracleCase(c: ChallengeInstance): Case {
  const hosts = c.start.hosts.map((h) => h.name);
  const parsed = parseSolution(c.solution, hosts, c.host, c.tools.programs);
  const added = new Map<string, string[]>();
  for (const cmd of parsed.commands) (added.get(cmd.host) ?? added.set(cmd.host, []).get(cmd.host)!).push(cmd.text);
  return {
    ...c.start,
    name: `course-${c.id}`,
    description: `${c.title.en} (challenge ${c.id}, seed ${c.seed}, reference solution applied)`,
    hosts: c.start.hosts.map((h) => ({ ...h, setup: [...(h.setup ?? []), ...(added.get(h.name) ?? [])] })),
  };
}
