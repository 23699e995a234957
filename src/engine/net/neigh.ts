// pattern: Functional Core
// The IPv4 neighbour table (ARP cache) of one host as net/core/neighbour.c
// keeps it: one entry per (device, address), its link-layer address, its NUD
// state, and the packets waiting while the address is being resolved. The
// rules that decide which ARP answer a host keeps live here, because they
// decide which interface of the next host receives a frame (REPORT.md §5.21):
//
//   neigh_update: an entry that already holds a valid address changes it only
//     with NEIGH_UPDATE_F_OVERRIDE. ARP requests always override (neigh_event_ns);
//     ARP replies override only after `locktime` (1 s) since the entry last
//     changed, so of several answers arriving back to back the FIRST one wins
//     (arp_process: "use the FIRST one ... prevents arp trashing").
//   Administrative entries (`ip neigh add ... nud permanent|noarp`) are never
//     changed by ARP.
//
// Time is the engine's clock in milliseconds. The probe timers (retransmits,
// REACHABLE → STALE after 15-45 s, DELAY → PROBE after 5 s) are not run: the
// oracle's cases last a few seconds and a valid entry keeps its address
// through them; only the end of an unanswered resolution (3 probes, 1 s
// apart) is modelled, when the next packet finds the entry.

import type { Ipv4 } from './addr';
import type { HostNet, Neighbour, NudState } from './config';

/** The neighbour parameters that matter here, in milliseconds. */
export interface NeighParms {
  /** NEIGH_VAR_LOCKTIME: a reply does not override an entry changed less than this ago */
  locktimeMs: number;
  /** (mcast_solicit + app_solicit) × retrans_time: an unanswered resolution fails after this */
  resolveTimeoutMs: number;
  /** NEIGH_VAR_PROXY_DELAY: proxy ARP answers a broadcast request after a random delay below this */
  proxyDelayMs: number;
}

/** arp_tbl's defaults (net/ipv4/arp.c) */
export const ARP_PARMS: NeighParms = { locktimeMs: 1000, resolveTimeoutMs: 3 * 1000, proxyDelayMs: 800 };

/** USER_HZ: the unit of the neighbour sysctls that are not named _ms */
const TICK_MS = 10;

/** The device's parameters from net.ipv4.neigh.IFACE.* (defaults where unset). */
export function neighParms(net: HostNet, iface: string): NeighParms {
  const v = (key: string, dflt: number): number => {
    const t = net.sysctl[`net.ipv4.neigh.${iface}.${key}`];
    return t === undefined || !/^-?\d+$/.test(t) ? dflt : Number(t);
  };
  return {
    locktimeMs: v('locktime', 100) * TICK_MS,
    resolveTimeoutMs: (v('mcast_solicit', 3) + v('app_solicit', 0)) * v('retrans_time_ms', 1000),
    proxyDelayMs: v('proxy_delay', 80) * TICK_MS,
  };
}

/** NUD_VALID: states whose link-layer address may be used */
const VALID: ReadonlySet<NudState> = new Set(['permanent', 'noarp', 'reachable', 'stale', 'delay', 'probe']);

export function nudValid(s: NudState): boolean {
  return VALID.has(s);
}

export interface NeighEntry<Q> {
  iface: string;
  addr: Ipv4;
  lladdr: string | null;
  state: NudState;
  /** neigh->updated: when the address or the state last changed */
  updatedMs: number;
  /** when resolution started (INCOMPLETE) */
  solicitedMs: number;
  /** set for entries made by `ip neigh` (NEIGH_UPDATE_F_ADMIN) */
  admin: boolean;
  /** neigh->arp_queue: packets waiting for the address */
  queue: Q[];
}

export interface NeighUpdateFlags {
  /** NEIGH_UPDATE_F_OVERRIDE */
  override: boolean;
  /** NEIGH_UPDATE_F_ADMIN */
  admin?: boolean;
}

export type ResolveResult<Q> =
  /** the address is known: send now */
  | { kind: 'send'; lladdr: string; entry: NeighEntry<Q> }
  /** queued behind a resolution already under way */
  | { kind: 'queued'; entry: NeighEntry<Q> }
  /** queued, and a new resolution starts: the caller sends the first ARP request (arp_solicit) */
  | { kind: 'solicit'; entry: NeighEntry<Q> };

/**
 * One host's neighbour table. `Q` is whatever the caller queues while an
 * address resolves (the simulator queues whole frames).
 *
 * @example
 * const t = new NeighTable<string>();
 * t.resolve(net, 'eth0', gw, 'pkt1', 0); // { kind: 'solicit', ... }: send an ARP request
 * t.update(t.get('eth0', gw)!, '02:00:00:00:02:01', 'reachable', { override: false }, 1); // ['pkt1']
 */
export class NeighTable<Q> {
  private readonly entries = new Map<string, NeighEntry<Q>>();

  private static key(iface: string, addr: Ipv4): string {
    return `${iface}|${addr}`;
  }

  /** The entry for `addr` on `iface`, with entries made by `ip neigh` taken from `net` first. */
  get(iface: string, addr: Ipv4, net?: HostNet): NeighEntry<Q> | undefined {
    const e = this.entries.get(NeighTable.key(iface, addr));
    if (e || !net) return e;
    const conf = net.neighbours.find((n) => n.iface === iface && n.addr === addr);
    return conf ? this.adopt(conf) : undefined;
  }

  /** An `ip neigh` entry becomes a table entry the first time the host needs it. */
  private adopt(n: Neighbour): NeighEntry<Q> | undefined {
    if (n.lladdr === null || !nudValid(n.state)) return undefined;
    const e: NeighEntry<Q> = { iface: n.iface, addr: n.addr, lladdr: n.lladdr, state: n.state, updatedMs: 0, solicitedMs: 0, admin: true, queue: [] };
    this.entries.set(NeighTable.key(n.iface, n.addr), e);
    return e;
  }

  private create(iface: string, addr: Ipv4, nowMs: number): NeighEntry<Q> {
    const e: NeighEntry<Q> = { iface, addr, lladdr: null, state: 'none', updatedMs: nowMs, solicitedMs: nowMs, admin: false, queue: [] };
    this.entries.set(NeighTable.key(iface, addr), e);
    return e;
  }

  /** Every entry, in creation order (`ip neigh show` order is a hash walk; the app only lists them). */
  list(): NeighEntry<Q>[] {
    return [...this.entries.values()];
  }

  /**
   * neigh_resolve_output / __neigh_event_send for one packet to `addr` out
   * of `iface`: a valid entry sends at once; an entry being resolved queues
   * it; a missing or failed entry becomes INCOMPLETE, queues it and asks the
   * caller to send the first request. An INCOMPLETE entry older than the
   * three probes has failed: its queue is dropped (the kernel then sends an
   * ICMP host unreachable for the first queued packet, which the simulator
   * leaves out) and resolution starts over.
   */
  resolve(net: HostNet, iface: string, addr: Ipv4, item: Q, nowMs: number): ResolveResult<Q> {
    let e = this.get(iface, addr, net) ?? this.create(iface, addr, nowMs);
    if (e.state === 'incomplete' && nowMs - e.solicitedMs >= neighParms(net, iface).resolveTimeoutMs) {
      e.state = 'failed';
      e.queue = [];
      e.updatedMs = nowMs;
    }
    if (nudValid(e.state) && e.lladdr !== null) {
      // a STALE entry is used as it is (it moves to DELAY and is probed later)
      if (e.state === 'stale') e.state = 'delay';
      return { kind: 'send', lladdr: e.lladdr, entry: e };
    }
    e.queue.push(item);
    if (e.state === 'incomplete') return { kind: 'queued', entry: e };
    e = this.startResolution(e, nowMs);
    return { kind: 'solicit', entry: e };
  }

  /**
   * neigh_event_send without a packet (the redirect code asks for the new
   * gateway's address this way): true when a request must be sent now.
   */
  probe(net: HostNet, iface: string, addr: Ipv4, nowMs: number): boolean {
    const e = this.get(iface, addr, net) ?? this.create(iface, addr, nowMs);
    if (nudValid(e.state)) return false;
    if (e.state === 'incomplete' && nowMs - e.solicitedMs < neighParms(net, iface).resolveTimeoutMs) return false;
    this.startResolution(e, nowMs);
    return true;
  }

  private startResolution(e: NeighEntry<Q>, nowMs: number): NeighEntry<Q> {
    e.state = 'incomplete';
    e.solicitedMs = nowMs;
    e.updatedMs = nowMs;
    return e;
  }

  /**
   * neigh_invalidate: the probes of an INCOMPLETE entry ran out at `nowMs`.
   * The entry is FAILED and hands back its queue, each packet to be
   * reported unreachable (the kernel's error_report, arp_error_report).
   */
  fail(e: NeighEntry<Q>, nowMs: number): Q[] {
    e.state = 'failed';
    e.updatedMs = nowMs;
    const out = e.queue;
    e.queue = [];
    return out;
  }

  /**
   * neigh_update: offer `lladdr` in `state`. Returns the packets that were
   * waiting, now to be sent to the entry's address (empty when none were or
   * the offer was refused).
   */
  update(e: NeighEntry<Q>, lladdr: string, state: NudState, flags: NeighUpdateFlags, nowMs: number): Q[] {
    if (e.admin && !flags.admin && (e.state === 'permanent' || e.state === 'noarp')) return [];
    let next = state;
    if (nudValid(e.state)) {
      if (lladdr !== e.lladdr && !flags.override) return [];
      // the same address offered as STALE does not downgrade a fresher state
      if (lladdr === e.lladdr && next === 'stale' && !flags.admin) next = e.state;
    }
    if (next !== e.state || lladdr !== e.lladdr) e.updatedMs = nowMs;
    e.state = next;
    e.lladdr = lladdr;
    if (flags.admin) e.admin = true;
    if (!nudValid(next)) return [];
    const out = e.queue;
    e.queue = [];
    return out;
  }

  /**
   * neigh_event_ns: a host that answers an ARP request for itself learns the
   * requester (NUD_STALE, always overriding), creating the entry if needed.
   */
  eventNs(net: HostNet, iface: string, addr: Ipv4, lladdr: string, nowMs: number): Q[] {
    const e = this.get(iface, addr, net) ?? this.create(iface, addr, nowMs);
    return this.update(e, lladdr, 'stale', { override: true }, nowMs);
  }
}
