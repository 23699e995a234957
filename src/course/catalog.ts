// pattern: Functional Core
// The course's challenges in the order the notes teach them: the tables and
// chains, targets, connection tracking, NAT, routing and policy routing,
// iproute2 objects, IPVS and kube-proxy; within a unit, easy before hard.

import { chainChallenges } from './challenges/chains';
import { conntrackChallenges } from './challenges/conntrack';
import { natChallenges } from './challenges/nat';
import { routingChallenges } from './challenges/routing';
import { iproute2Challenges } from './challenges/iproute2';
import { ipvsChallenges } from './challenges/ipvs';
import { kubeProxyChallenges } from './challenges/kube-proxy';
import { targetChallenges } from './challenges/targets';
import type { Challenge, ChallengeInstance, Level, UnitId } from './types';

export const UNITS: readonly UnitId[] = ['chains', 'targets', 'conntrack', 'nat', 'routing', 'iproute2', 'ipvs', 'kube-proxy'];

const LEVELS: readonly Level[] = ['easy', 'medium', 'hard'];

const byPath = (a: Challenge, b: Challenge) => UNITS.indexOf(a.unit) - UNITS.indexOf(b.unit) || LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level);

/** Every challenge, in course order (a stable sort keeps each file's order within a level). */
export const CHALLENGES: readonly Challenge[] = [...chainChallenges, ...targetChallenges, ...conntrackChallenges, ...natChallenges, ...routingChallenges, ...iproute2Challenges, ...ipvsChallenges, ...kubeProxyChallenges].sort(byPath);

export function findChallenge(id: string): Challenge | undefined {
  return CHALLENGES.find((c) => c.id === id);
}

/** One challenge's instance for a seed; undefined for an unknown id. */
export function challengeInstance(id: string, seed = 0): ChallengeInstance | undefined {
  return findChallenge(id)?.build(seed);
}
