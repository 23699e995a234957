// pattern: Functional Core
// The challenge as data: what a student is asked to do, on which start case,
// with which packets as probes, and the goals the checker holds the walk to.
// A ChallengeInstance is plain JSON (no functions), so the worker can hand it
// to the page as it is; only the catalog's `build(seed)` is code. The start
// case is the project's one scenario type (engine/scenario/case.ts), so a
// challenge opens, downloads and shares like any scenario.

import type { Case, CaseStep } from '../engine/scenario/case';
import type { TableName } from '../engine/netfilter/hooks';

/** A text in both languages the page speaks. */
export interface Text {
  en: string;
  zh: string;
}

export type Lang = keyof Text;

/** easy → hard; the catalog lists challenges in this order within a unit's path. */
export type Level = 'easy' | 'medium' | 'hard';

/** The notes' path, in order: each challenge belongs to one unit. */
export type UnitId = 'chains' | 'targets' | 'conntrack' | 'nat' | 'routing' | 'iproute2' | 'ipvs' | 'kube-proxy';

/** The programs a solution may run; a line starting with any other is refused. */
export type Tool = 'iptables' | 'ip' | 'sysctl' | 'ipvsadm';

/**
 * Which packet of a probe a goal looks at. A probe's packets form journeys:
 * a packet a host made (its root) and every copy of it the next hosts
 * received. The request journeys start at the probe's sender, the reply
 * journeys anywhere else (the server's answer, a router's RST or ICMP error).
 */
export interface PacketPick {
  /** 1-based index into the challenge's probes */
  probe: number;
  /** a reply journey rather than a request journey */
  reply?: boolean;
  /** the nth journey of that direction (1: the SYN, or the reply's SYN-ACK); default 1 */
  nth?: number;
  /** the host on the journey whose walk the goal reads; default: every host the journey reached */
  host?: string;
}

/** Where a packet's walk ended in a drop: a host and, narrowing it, a table, chain, rule (or the policy) or the end's reason. */
export interface DropPlace {
  host: string;
  table?: TableName;
  chain?: string;
  rule?: number | 'policy';
  /** the end step's reason, or its prefix: `route.reverse_path_filter`, `route.`, `rule-reject` … */
  reason?: string;
  /** REJECT's --reject-with, e.g. tcp-reset */
  rejectWith?: string;
}

/** The connection state iptables' conntrack match names (the note's _REPLY suffix is the direction, not the state). */
export type CtStateName = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';

/** What the sending program saw, as the oracle's step result says it (FORMAT.md §2.1). */
export type Outcome = 'established' | 'refused' | 'timeout' | 'reply' | 'icmp_error';

/** The question of a predict-the-path challenge: what the walk says, compared with the student's answer. */
export type Question =
  /** where the journey ends: `delivered HOST`, `drop TABLE CHAIN` (rule or policy), `route REASON` */
  | { kind: 'fate'; pick: PacketPick }
  /** the chains the packet passes at pick.host, in order, as `table CHAIN` joined by `, ` */
  | { kind: 'chains'; pick: PacketPick & { host: string } }
  /** the interface the packet leaves pick.host by */
  | { kind: 'oif'; pick: PacketPick & { host: string } }
  /** the conntrack state of the packet at pick.host */
  | { kind: 'ct-state'; pick: PacketPick & { host: string } }
  /** how many of the probe's packets at `host` pass `table chain` */
  | { kind: 'count'; probe: number; host: string; table: TableName; chain: string };

export type Goal =
  | { kind: 'delivered'; probe: number; to: string }
  | { kind: 'outcome'; probe: number; outcome: Outcome }
  | { kind: 'dropped'; pick: PacketPick; at: DropPlace }
  | { kind: 'traverses'; pick: PacketPick; table: TableName; chain: string; expect: boolean }
  | { kind: 'ct_state'; pick: PacketPick & { host: string }; state: CtStateName }
  | {
      kind: 'nat';
      pick: PacketPick & { host: string };
      /** the packet's addresses and ports as it leaves the host (or is delivered there); only the fields given are compared */
      tuple: { src?: string; dst?: string; sport?: number; dport?: number };
      /** `new`: this packet ran the nat rules; `existing`: the connection's binding rewrote it without them */
      binding?: 'new' | 'existing';
    }
  | { kind: 'route'; pick: PacketPick & { host: string }; pref?: number; table?: string; oif?: string }
  | { kind: 'ipvs'; pick: PacketPick & { host: string }; server: string; method: 'masq' | 'route' | 'tunnel' }
  | { kind: 'sysctl'; host: string; key: string; value: string }
  | { kind: 'commands'; max: number }
  | { kind: 'answer'; question: Question };

export type GoalKind = Goal['kind'];

/** One probe: a traffic step of the case, and what it stands for. */
export interface Probe {
  step: CaseStep;
  label: Text;
}

/** A choice of a predict-the-path challenge; `id` is the answer's words (`drop filter FORWARD`). */
export interface Choice {
  id: string;
  label: Text;
}

/** A typical mistake: its solution text, what is wrong with it, and the goal (an index into `goals`) that must say so. */
export interface WrongSolution {
  text: string;
  mistake: Text;
  fails: number;
}

/** A challenge as one seed made it: plain data. */
export interface ChallengeInstance {
  id: string;
  seed: number;
  unit: UnitId;
  level: Level;
  title: Text;
  task: Text;
  hints: Text[];
  /** the scenario the student starts from; its traffic is the probes */
  start: Case;
  /** the host the console opens on */
  host: string;
  tools: {
    /** programs a solution may run; empty for a predict-the-path challenge, whose solution is an answer */
    programs: Tool[];
    /** the most edit commands a solution may use (read-only commands are free); null: no budget */
    budget: number | null;
  };
  probes: Probe[];
  /** a predict-the-path challenge's choices (its solution is `# answer: ID`) */
  choices?: Choice[];
  goals: Goal[];
  /** console commands, `# host NAME` lines switching host (or `# answer: ID`) */
  solution: string;
  wrong: WrongSolution[];
  /** the kernel runs everything the start and the solution use: the challenge is also an oracle case */
  kernel: boolean;
}

/** A catalog entry: the challenge's fixed identity and the function that makes one seed's instance. */
export interface Challenge {
  id: string;
  unit: UnitId;
  level: Level;
  title: Text;
  build(seed: number): ChallengeInstance;
}
