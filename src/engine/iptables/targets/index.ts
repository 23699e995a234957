// pattern: Functional Core
// The target registry: `-j NAME` is a verdict, a user chain, or one of these.

import type { TargetSpec } from '../modules/module';
import { DNAT, MASQUERADE, NETMAP, REDIRECT, SNAT } from './nat';
import { CLASSIFY, CONNMARK, CT, DSCP, LOG, MARK, NFLOG, NOTRACK, REJECT, TCPMSS, TOS, TRACE, TTL } from './simple';
import { AUDIT, CHECKSUM, CONNSECMARK, ECN, HMARK, IDLETIMER, LED, NFQUEUE, RATEEST, SECMARK, SET, SYNPROXY, TCPOPTSTRIP, TEE, TPROXY } from './more';

const ALL: readonly TargetSpec[] = [
  REJECT, LOG, NFLOG, DNAT, SNAT, MASQUERADE, REDIRECT, NETMAP, MARK, CONNMARK, CT, NOTRACK,
  TTL, TOS, DSCP, TCPMSS, CLASSIFY, TRACE,
  CHECKSUM, NFQUEUE, TPROXY, TEE, SET, SECMARK, CONNSECMARK, AUDIT, IDLETIMER, LED, RATEEST, SYNPROXY, HMARK,
  ECN, TCPOPTSTRIP,
];

export const TARGETS: ReadonlyMap<string, TargetSpec> = new Map(ALL.map((t) => [t.name, t]));

export function getTarget(name: string): TargetSpec | undefined {
  return TARGETS.get(name);
}

/** Standard targets handled by ip_tables itself. */
export const VERDICTS: ReadonlySet<string> = new Set(['ACCEPT', 'DROP', 'QUEUE', 'RETURN']);

/**
 * Targets that exist for iptables 1.8.9 but are not modelled. ULOG, MIRROR
 * and SAME are absent on purpose: 1.8.9 no longer ships them, so `-j ULOG`
 * gets libxtables' real "Couldn't load target" error.
 */
export const KNOWN_UNMODELLED_TARGETS: ReadonlySet<string> = new Set(['CLUSTERIP', 'JOOL']);

export type { DnatOptions, SnatOptions, MasqueradeOptions, RedirectOptions, NetmapOptions, NatRange } from './nat';
export type {
  AuditOptions, ChecksumOptions, ConnsecmarkOptions, EcnTargetOptions, HmarkOptions, IdletimerOptions, LedOptions,
  NfqueueOptions, RateestOptions, SecmarkOptions, SetTargetOptions, SynproxyOptions, TcpoptstripOptions, TeeOptions,
  TproxyOptions,
} from './more';
export type { RejectOptions, RejectWith, LogOptions, NflogOptions, MarkOptions, ConnmarkOptions, CtOptions, TtlOptions, TosOptions, DscpOptions, TcpmssOptions, ClassifyOptions } from './simple';
