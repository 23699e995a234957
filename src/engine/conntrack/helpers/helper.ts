// pattern: Functional Core
// Conntrack helpers (struct nf_conntrack_helper): a helper is attached to a
// connection when it is created (the raw table's `-j CT --helper NAME`; the
// automatic assignment by port is off in current kernels) and then sees
// every packet of that connection at confirmation time, after NAT, in
// nf_confirm. It may announce expectations and, with the nf_nat_* helper of
// the same name, rewrite the payload.

import type { Packet } from '../../net/packet';
import type { CtExpect, ExpectResult } from '../expect';
import type { CtEntry, CtInfo, CtTuple } from '../types';

/** NF_CT_EXPECT_CLASS_DEFAULT */
export const NF_CT_EXPECT_CLASS_DEFAULT = 0;

/** What a helper may do besides looking at the packet. */
export interface HelperEnv {
  nowMs: number;
  /** nf_ct_expect_related */
  expectRelated(exp: CtExpect): ExpectResult;
  /** nf_ct_unexpect_related */
  unexpectRelated(exp: CtExpect): void;
  /** get_random_u32_below(n), for nf_nat_exp_find_port */
  randomBelow(n: number): number;
  /** nf_ct_helper_log: why the helper dropped the packet (the kernel logs it) */
  log(message: string): void;
  /** the skb belongs to its sending socket (skb->sk with its own destructor): a locally sent packet */
  skbOwned: boolean;
}

export type HelperVerdict = 'ACCEPT' | 'DROP';

export interface ConntrackHelper {
  name: string;
  /** the layer-4 protocol the helper is registered for (its tuple's protonum) */
  proto: number;
  /** the well-known port of the protocol (the helper tuple's port) */
  port: number;
  /** expect_policy[0]: at most this many expectations per master, each living timeoutS */
  maxExpected: number;
  timeoutS: number;
  /** helper->help at nf_confirm; may change the packet (NAT helpers) */
  help(p: Packet, e: CtEntry, ctinfo: CtInfo, env: HelperEnv): HelperVerdict;
}

/**
 * nf_ct_expect_init: an expectation of `master` for a connection from
 * `src` to `dst`:`dport` (any source port), with the helper's timeout.
 */
export function newExpect(master: CtEntry, helper: ConntrackHelper, tuple: Pick<CtTuple, 'src' | 'dst' | 'proto' | 'dport'>, nowMs: number): CtExpect {
  return {
    tuple: { src: tuple.src, dst: tuple.dst, proto: tuple.proto, sport: 0, dport: tuple.dport },
    anySrcPort: true,
    masterId: master.id,
    helper: helper.name,
    class: NF_CT_EXPECT_CLASS_DEFAULT,
    dir: 0,
    savedAddr: 0,
    savedPort: 0,
    natFollowMaster: false,
    flags: 0,
    timeoutAt: nowMs + helper.timeoutS * 1000,
    zone: master.zone,
  };
}

/** Reads `len` bytes of a latin1 payload as a big-endian number (skb_header_pointer + ntohs). */
export function be16(payload: string, at: number): number | null {
  if (payload.length < at + 2) return null;
  return ((payload.charCodeAt(at) & 0xff) << 8) | (payload.charCodeAt(at + 1) & 0xff);
}
