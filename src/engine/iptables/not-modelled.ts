// pattern: Functional Core
// Which parts of an iptables rule the engine accepts (they load and save
// back like iptables 1.8.9) but does not simulate the way the kernel would.
// One registry for every match, target and verdict, so the scenario-level
// report (src/engine/not-modelled.ts) can label each rule "not modelled: …"
// in the CLI and the app instead of silently simulating it differently.
//
// Left out on purpose, because what they do leaves no trace the engine
// shows and changes nothing it simulates: NFLOG, AUDIT, CHECKSUM, CLASSIFY,
// TRACE, SECMARK, CONNSECMARK, IDLETIMER, LED, RATEEST, and CT's event masks
// (CT --timeout never loads: a new namespace has no timeout policy).
// Matches the engine cannot load at all (bpf, osf, rateest, ipvs, l2tp) are
// refused when the rule is parsed.
//
// Not labelled either, because a scenario cannot express what would make the
// kernel differ: QUEUE and NFQUEUE (a scenario has no program that binds a
// queue, and without one the kernel drops the packet or, with
// --queue-bypass, lets it on: sim/targets.ts, case p91), -m policy (no
// scenario can configure IPsec, so no packet has a security path: --pol none
// always holds, --pol ipsec never), -m cpu (every packet is processed on CPU
// 0, as in the oracle's pinned runs: iptables/modules/header.ts, case q82),
// TPROXY (no socket of a scenario is IP_TRANSPARENT, so the kernel drops the
// packet: sim/targets.ts, case q87). -m time is labelled only where its
// answer depends on the date (iptables/modules/time.ts), and a TEE copy of a
// received packet by the run (not-modelled.ts).
//
// Simulated like the kernel (no label): -m rpfilter, realm, devgroup,
// cluster, connlabel; -j TEE, HMARK, ECN, TCPOPTSTRIP (cases q80-q88).

import type { Rule } from './types';
import type { HelperOptions, SetMatchOptions } from './modules/external';
import type { DccpOptions } from './modules/dccp';
import type { SctpOptions } from './modules/sctp';
import type { RecentOptions } from './modules/recent';
import type { StatisticOptions } from './modules/statistic';
import type { CtOptions, SetTargetOptions } from './targets';
import { timeDependsOnClock, type TimeOptions } from './modules/time';

export interface RuleLimit {
  /** what the rule uses, as written in it: "-m set", "-j NFQUEUE" */
  subject: string;
  /** what the engine does instead, and why it differs from the kernel */
  detail: string;
}

/** Conntrack helpers modelled (the ftp and tftp helpers; REPORT.md §5 item 22). */
export const MODELLED_HELPERS: ReadonlySet<string> = new Set(['ftp', 'tftp']);

type Check = (options: never, rule: Rule) => string | null;

const never = (invert: boolean): string => (invert ? 'the inverted match always holds' : 'the match never holds');

/** -m NAME → the reason it is not simulated faithfully with these options, null when it is. */
const MATCHES: Readonly<Record<string, Check>> = {
  set: (o: SetMatchOptions) => `ipset contents are not modelled (no set has members), so for --match-set ${o.name} ${never(o.invert)}`,
  helper: (o: HelperOptions) =>
    MODELLED_HELPERS.has(o.name ?? '') ? null : `only the ftp and tftp conntrack helpers are modelled; no connection gets helper "${o.name ?? ''}", so ${never(o.invert)}`,
  cgroup: () => 'socket cgroups are not modelled: the match never holds',
  nfacct: () => 'nfacct objects and their quotas are not modelled: the match always holds, as for an object without a quota',
  time: (o: TimeOptions) => {
    const why = timeDependsOnClock(o);
    return why ? `the kernel's wall clock is not known: ${why}, and the engine checks it against a clock that starts on Sunday 2025-11-30 00:00:00 UTC` : null;
  },
  recent: (o: RecentOptions) => (o.rttl ? 'the TTL of remembered packets is not kept: --rttl is ignored' : null),
  statistic: (o: StatisticOptions) =>
    o.mode === 'random' && o.probability > 0 && o.probability < 0x80000000
      ? `the kernel draws a random number for each packet; the engine draws from a fixed seed, so which packets match --probability ${(o.probability / 0x80000000).toFixed(11)} differs from any real run`
      : null,
  dccp: (o: DccpOptions) => (o.types || o.option ? 'DCCP packet types and options are not modelled: --dccp-types/--dccp-option never hold' : null),
  sctp: (o: SctpOptions) => (o.chunks ? 'SCTP chunks are not modelled: --chunk-types never holds' : null),
};

/** -j NAME → the reason, null when simulated faithfully. */
const TARGETS: Readonly<Record<string, Check>> = {
  SET: (o: SetTargetOptions) => `ipset contents are not modelled: ${o.add ? `--add-set ${o.add.name}` : o.del ? `--del-set ${o.del.name}` : `--map-set ${o.map?.name ?? ''}`} changes nothing`,
  SYNPROXY: () => 'SYN proxying is not modelled: the rule has no effect',
  CT: (o: CtOptions) => {
    const out: string[] = [];
    if (o.helper !== null && !MODELLED_HELPERS.has(o.helper)) out.push(`only the ftp and tftp conntrack helpers are modelled: --helper ${o.helper} attaches nothing`);
    if (o.zone !== 0) out.push(`conntrack zones are not modelled: --zone ${o.zone} is ignored`);
    return out.length ? out.join('; ') : null;
  },
  SNAT: natRandom,
  DNAT: natRandom,
  MASQUERADE: natRandom,
  REDIRECT: natRandom,
};

function natRandom(o: { random?: boolean; randomFully?: boolean }): string | null {
  if (!o.random && !o.randomFully) return null;
  return `the kernel picks the port at random (--${o.randomFully ? 'random-fully' : 'random'}); the engine draws it from a fixed seed, so the translated port differs from any real run`;
}

/**
 * Everything in `rule` the engine does not simulate like the kernel, in the
 * order the rule names it (matches, then the target).
 * @example ruleLimits(rule) // [{ subject: '-m set', detail: 'ipset contents are not modelled …' }]
 */
export function ruleLimits(rule: Rule): RuleLimit[] {
  const out: RuleLimit[] = [];
  for (const m of rule.matches) {
    const check = MATCHES[m.module];
    const detail = check ? (check as (o: unknown, r: Rule) => string | null)(m.options, rule) : null;
    if (detail) out.push({ subject: `-m ${m.module}`, detail });
  }
  const t = rule.target;
  if (t && t.kind === 'extension') {
    const check = TARGETS[t.name];
    const detail = check ? (check as (o: unknown, r: Rule) => string | null)(t.options, rule) : null;
    if (detail) out.push({ subject: `-j ${t.name}`, detail });
  }
  return out;
}
