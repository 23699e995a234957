// pattern: Functional Core
// The work budget of one run. The kernel's own bounds (a loop-free ruleset,
// TTL, the jump stack) keep every walk finite, but not small: 30 user chains
// that each jump twice to the next are 2^30 rule visits, each one a TRACE
// event, and a scenario of 10,000 traffic steps keeps a log no page can hold.
// So every run counts its work as it goes and stops, with what it produced so
// far kept, the moment one count passes its limit. The limits leave room for
// the largest realistic scenario: a kube-proxy node with 100,000 rules
// (11,000 Services) walked by 1,000 TCP connections needs about 6 M rule
// visits, 140,000 TRACE events, 24,000 packets and 3 M log cells.
//
// The stop is data (`BudgetStop`): which budget, its limit, and where it ran
// out (scenario step, host, hook, table, chain, packet), for the app to
// translate (i18n keys `budget.stop.*`) and the CLI to print in English
// (formatBudgetStop).

import type { HookName, TableName } from '../netfilter/hooks';

export type BudgetName =
  /** rule entries examined by ipt_do_table (a first-match scan looks at every rule until one matches) */
  | 'rules'
  /** TRACE events recorded (every matched entry), the bulk of the log */
  | 'events'
  /** packet records: one packet's passage through one host, also the ones the kernel makes (replies, ICMP errors, retransmissions) */
  | 'packets'
  /** frames delivered after one send before the network is quiet (a bridging or forwarding loop) */
  | 'frames'
  /** traffic steps of the scenario */
  | 'steps'
  /** the log's size: events, walk notes and the conntrack and IPVS table rows kept for every packet */
  | 'log';

export type BudgetLimits = Readonly<Record<BudgetName, number>>;

export const BUDGET_LIMITS: BudgetLimits = {
  rules: 50_000_000,
  events: 300_000,
  packets: 100_000,
  frames: 10_000,
  steps: 2_500,
  log: 1_500_000,
};

/** Where the run was when a budget ran out. */
export interface BudgetWhere {
  host: string | null;
  hook: HookName | null;
  table: TableName | null;
  chain: string | null;
}

export interface BudgetStop extends BudgetWhere {
  /** message key of the app (`budget.stop.` + budget) */
  code: `budget/${BudgetName}`;
  budget: BudgetName;
  limit: number;
  /** the scenario step (1-based) that was running */
  step: number;
  /** the packet being walked: its position among the packets of that step (1-based), null between packets */
  packetInStep: number | null;
}

/** Thrown inside the simulation when a budget runs out; World.run turns it into `world.stopped`. */
export class BudgetExhausted extends Error {
  constructor(readonly stop: BudgetStop) {
    super(formatBudgetStop(stop));
    this.name = 'BudgetExhausted';
  }
}

export class WorkBudget {
  readonly used: Record<BudgetName, number> = { rules: 0, events: 0, packets: 0, frames: 0, steps: 0, log: 0 };
  /** the scenario step running */
  step = 0;
  // where the work is being done, kept up to date by the walk (no allocation per rule)
  host: string | null = null;
  hook: HookName | null = null;
  table: TableName | null = null;
  chain: string | null = null;
  packet: object | null = null;
  /** the position of a packet among its step's packets (World supplies it) */
  packetInStep: (packet: object) => number | null = () => null;

  constructor(readonly limits: BudgetLimits = BUDGET_LIMITS) {}

  /** Count `n` units of work; throws BudgetExhausted once the budget is over its limit. */
  charge(name: BudgetName, n = 1): void {
    if ((this.used[name] += n) > this.limits[name]) this.exhausted(name);
  }

  /** The frame budget is per send: a new drain of the network starts it again. */
  resetFrames(): void {
    this.used.frames = 0;
  }

  /** The walk moved to another host, hook or packet (null: between packets). */
  at(host: string | null, packet: object | null, hook: HookName | null = null, table: TableName | null = null, chain: string | null = null): void {
    this.host = host;
    this.packet = packet;
    this.hook = hook;
    this.table = table;
    this.chain = chain;
  }

  exhausted(name: BudgetName): never {
    throw new BudgetExhausted({
      code: `budget/${name}`,
      budget: name,
      limit: this.limits[name],
      step: this.step,
      packetInStep: this.packet ? this.packetInStep(this.packet) : null,
      host: this.host,
      hook: this.hook,
      table: this.table,
      chain: this.chain,
    });
  }
}

const WHAT: Readonly<Record<BudgetName, string>> = {
  rules: 'rule visits',
  events: 'TRACE events',
  packets: 'packets',
  frames: 'frames in flight after one send',
  steps: 'traffic steps',
  log: 'log entries (events, notes and conntrack rows)',
};

/** The stop as one English line, e.g. for the CLI. */
export function formatBudgetStop(s: BudgetStop): string {
  const where: string[] = [`step ${s.step}`];
  if (s.packetInStep !== null) where.push(`packet ${s.packetInStep}`);
  if (s.host !== null) where.push(`host ${s.host}`);
  if (s.table !== null && s.hook !== null) where.push(`${s.table} ${s.hook}${s.chain !== null && s.chain !== s.hook ? ` chain ${s.chain}` : ''}`);
  return `work budget exhausted: more than ${s.limit.toLocaleString('en-US')} ${WHAT[s.budget]} (${where.join(', ')}); the simulation stopped there and kept what it had walked`;
}
