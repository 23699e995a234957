// pattern: Functional Core
// English strings of the work budget's stop (WalkLog.stopped, src/engine/sim/budget.ts):
// `budget.stop.<budget>` with {limit}, then `budget.where*` with where it ran out.
export const enBudget = {
  'budget.stop.rules': 'The simulation stopped: more than {limit} rule visits.',
  'budget.stop.events': 'The simulation stopped: more than {limit} TRACE events.',
  'budget.stop.packets': 'The simulation stopped: more than {limit} packets.',
  'budget.stop.frames': 'The simulation stopped: more than {limit} frames in flight after one send (a forwarding or bridging loop?).',
  'budget.stop.steps': 'The simulation stopped: more than {limit} traffic steps.',
  'budget.stop.log': 'The simulation stopped: more than {limit} log entries (events, notes and conntrack rows).',
  'budget.where': 'It ran out in step {step}.',
  'budget.wherePacket': 'It ran out in step {step}, packet {packet}, on host {host}.',
  'budget.whereChain': 'It ran out in step {step}, packet {packet}, on host {host}, in {table} {hook}, chain {chain}.',
  'budget.kept': 'Everything walked until then is kept: you can step through it.',
  'budget.title': 'The simulation stopped early',
  'budget.goto': 'Go to where it stopped',
} as const;
