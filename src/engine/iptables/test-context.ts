// pattern: Functional Core
// A MatchContext for specifications of the walk and the matchers: a packet
// arriving on eth0 at filter INPUT, without conntrack, with fresh rule state.
import type { MatchContext, Rule } from './types';

export function inputContext(): MatchContext {
  return {
    hook: 'INPUT',
    table: 'filter',
    chain: 'INPUT',
    inIface: 'eth0',
    outIface: null,
    physIn: null,
    physOut: null,
    srcMac: null,
    ct: null,
    uid: null,
    gid: null,
    nowMs: 0,
    addrType: () => 'UNICAST',
    random: () => 0.5,
    ruleState: <S>(_r: Rule, _k: string, init: () => S) => init(),
    recent: new Map(),
  };
}
