// pattern: Functional Core
// Public surface of connection tracking and NAT for the netfilter walker.

export { ConntrackTable } from './table';
export type { ConntrackSnapshot, CtInOptions, NatResult } from './table';
export type {
  ConntrackSysctl,
  ConntrackTimeouts,
  CtDir,
  CtEntry,
  CtEntryView,
  CtInfo,
  CtRef,
  CtTuple,
  CtTupleView,
  NatManip,
  NatRange,
  NatRewrite,
} from './types';
export { defaultSysctl, DEFAULT_TIMEOUTS, TCP_CONNTRACK_NAMES } from './types';
export { manipForHook } from './nat';
export type { CtExpect } from './expect';
export { conncount, ConncountData } from './conncount';
export { entryView, pythonJson } from './view';
export type { CtListRow } from './view';
