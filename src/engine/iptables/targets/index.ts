// pattern: Functional Core
// The target registry: `-j NAME` is a verdict, a user chain, or one of these.

import type { TargetSpec } from '../modules/module';
import { DNAT, MASQUERADE, NETMAP, REDIRECT, SNAT } from './nat';
import { CLASSIFY, CONNMARK, CT, DSCP, LOG, MARK, NFLOG, NOTRACK, REJECT, TCPMSS, TOS, TRACE, TTL } from './simple';

const ALL: readonly TargetSpec[] = [
  REJECT, LOG, NFLOG, DNAT, SNAT, MASQUERADE, REDIRECT, NETMAP, MARK, CONNMARK, CT, NOTRACK,
  TTL, TOS, DSCP, TCPMSS, CLASSIFY, TRACE,
];

export const TARGETS: ReadonlyMap<string, TargetSpec> = new Map(ALL.map((t) => [t.name, t]));

export function getTarget(name: string): TargetSpec | undefined {
  return TARGETS.get(name);
}

/** Standard targets handled by ip_tables itself. */
export const VERDICTS: ReadonlySet<string> = new Set(['ACCEPT', 'DROP', 'QUEUE', 'RETURN']);

export const KNOWN_UNMODELLED_TARGETS: ReadonlySet<string> = new Set([
  'AUDIT', 'CHECKSUM', 'CLUSTERIP', 'CONNSECMARK', 'ECN', 'HMARK', 'IDLETIMER', 'LED',
  'NFQUEUE', 'RATEEST', 'SECMARK', 'SET', 'SYNPROXY', 'TCPOPTSTRIP', 'TEE', 'TPROXY', 'ULOG',
  'MIRROR', 'SAME', 'JOOL',
]);

export type { DnatOptions, SnatOptions, MasqueradeOptions, RedirectOptions, NetmapOptions, NatRange } from './nat';
export type { RejectOptions, RejectWith, LogOptions, NflogOptions, MarkOptions, ConnmarkOptions, CtOptions, TtlOptions, TosOptions, DscpOptions, TcpmssOptions, ClassifyOptions } from './simple';
