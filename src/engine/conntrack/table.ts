// pattern: Functional Core
// One network namespace's connection tracking table (nf_conntrack_core.c):
// nf_conntrack_in at PREROUTING/OUTPUT, confirmation at the end of
// POSTROUTING/INPUT, the NAT bindings that live in the entries, and the
// `conntrack -L` listing. Time never advances on its own: every call that
// can expire or refresh an entry takes the simulated clock (nowMs).
//
// Unconfirmed entries are never in the hash: like the kernel, a new
// connection exists only in the CtRef its first packet carries until
// confirm() inserts it, so a packet dropped on the way leaves nothing
// behind (case 11 step 3, case 44).

import type { Packet } from '../net/packet';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../net/packet';
import type { CtExpect } from './expect';
import { ExpectTable } from './expect';
import { conntrackHelper } from './helpers';
import type { HelperEnv } from './helpers';
import { natFollowMaster, seqAdjust } from './helpers/nat-helper';
import type { CtView } from './types';
import type {
  ConntrackSysctl,
  CtDir,
  CtEntry,
  CtEntryView,
  CtInfo,
  CtRef,
  CtTuple,
  NatManip,
  NatRange,
  NatRewrite,
} from './types';
import {
  defaultSysctl,
  IPS_ASSURED,
  IPS_CONFIRMED,
  IPS_DST_NAT,
  IPS_DYING,
  IPS_EXPECTED,
  IPS_SEEN_REPLY,
  IPS_SEQ_ADJUST,
  IPS_SRC_NAT,
  IPS_SRC_NAT_DONE,
  IP_CT_DIR_ORIGINAL,
  IP_CT_DIR_REPLY,
  TCP_CONNTRACK_NAMES,
} from './types';
import {
  cloneTuple,
  fillPacketTuple,
  icmpIsError,
  icmpType,
  icmpValidNew,
  invertTuple,
  NR_ICMP_TYPES,
  packetTuple,
  tupleEqual,
  tupleHash,
} from './tuple';
import { tcpError, tcpNew, tcpPacket, tcpSetClosing } from './tcp';
import type { NatEnv, NatPortDraw } from './nat';
import {
  manipForHook,
  natIcmpReplyTranslation,
  natInitialized,
  natPacket,
  nullBindingRange,
  setupInfo,
} from './nat';
import { compareEntryViews, entryView, listRow, type CtListRow } from './view';

export interface CtInOptions {
  /** the hook conntrack runs at: PREROUTING for received packets, OUTPUT for local ones */
  hook: 'PREROUTING' | 'OUTPUT';
  nowMs: number;
  /** conntrack zone (CT --zone); 0 by default */
  zone?: number;
  /** the raw table marked the packet NOTRACK / CT --notrack */
  untracked?: boolean;
  /** the raw table's CT --helper: the helper a connection this packet creates gets */
  helper?: string;
}

/** What applyNat did: the fields it rewrote, and DROP where the kernel drops. */
export interface NatResult {
  verdict: 'ACCEPT' | 'DROP';
  rewrites: NatRewrite[];
}

/** The JSON snapshot of a table (toJSON / fromJSON). */
export interface ConntrackSnapshot {
  format: 'packetwalk-conntrack/1';
  sysctl: ConntrackSysctl;
  rngState: number;
  nextId: number;
  entries: CtEntry[];
  /** pending expectations (absent in snapshots from before helpers were modelled) */
  expectations?: CtExpect[];
}

const UDP_STREAM_MS = 2000;

function invalidRef(reason: string): CtRef {
  return { entry: null, dir: IP_CT_DIR_ORIGINAL, ctinfo: 'INVALID', reason };
}

function copySysctl(s: ConntrackSysctl): ConntrackSysctl {
  return { ...s, timeouts: { ...s.timeouts } };
}

/**
 * Connection tracking state of one host.
 *
 * @example
 * const ct = new ConntrackTable({ tcpLoose: 1 });
 * const ref = ct.in(syn, { hook: 'PREROUTING', nowMs: 0 });   // ctinfo 'NEW'
 * if (ct.needsNatLookup(ref, 'DST')) { ...walk nat PREROUTING...; ct.setupNullBinding(ref, 'DST'); }
 * ct.applyNat(syn, ref, 'PREROUTING');
 * // ... FORWARD, POSTROUTING (same for 'SRC') ...
 * ct.confirm(ref);
 * ct.list(); // [{ proto: 'tcp', state: 'SYN_SENT', flags: ['UNREPLIED'], ... }]
 */
export class ConntrackTable {
  readonly sysctl: ConntrackSysctl;
  private readonly buckets = new Map<number, CtEntry[]>();
  private readonly all = new Set<CtEntry>();
  private nextId = 1;
  private rngState: number;
  private readonly scratch: CtTuple = { src: 0, dst: 0, proto: 0, sport: 0, dport: 0 };
  private foundDir: CtDir = IP_CT_DIR_ORIGINAL;
  private readonly views = new WeakMap<CtRef, CtView>();
  private readonly natEnv: NatEnv;
  private expects = new ExpectTable();
  /** confirmed entries by id: an expectation names its master by id */
  private readonly byId = new Map<number, CtEntry>();
  /** why the last confirmPacket() dropped its packet (nf_ct_helper_log's text, or the clash) */
  lastConfirmDrop: string | null = null;
  /** NAT ports picked from a random start, in order (what a real run cannot reproduce) */
  readonly natPortDraws: NatPortDraw[] = [];

  constructor(sysctl: Partial<ConntrackSysctl> = {}, options: { seed?: number } = {}) {
    const base = defaultSysctl();
    this.sysctl = { ...base, ...sysctl, timeouts: { ...base.timeouts, ...(sysctl.timeouts ?? {}) } };
    this.rngState = (options.seed ?? 0x5eed) >>> 0;
    this.natEnv = {
      taken: (t, zone, ignored) => this.tupleTaken(t, zone, ignored),
      bySource: (t, zone) => this.bySource(t, zone),
      random16: () => this.random32() & 0xffff,
      portDrawn: (d) => this.natPortDraws.push(d),
    };
  }

  /** Number of confirmed entries (including ones expired but not yet collected). */
  get size(): number {
    return this.all.size;
  }

  // ---------------------------------------------------------------- lookup

  /** mulberry32: the kernel's get_random_u16() made reproducible. */
  private random32(): number {
    this.rngState = (this.rngState + 0x6d2b79f5) >>> 0;
    let t = this.rngState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** __nf_conntrack_find_get: the confirmed entry using `t` in either direction; sets foundDir. */
  private find(t: CtTuple, zone: number, nowMs: number | null): CtEntry | null {
    const bucket = this.buckets.get(tupleHash(t, zone));
    if (!bucket) return null;
    let expired: CtEntry | null = null;
    let hit: CtEntry | null = null;
    for (let i = 0; i < bucket.length; i++) {
      const e = bucket[i]!;
      if (e.zone !== zone) continue;
      let dir: CtDir;
      if (tupleEqual(e.tuple[0], t)) dir = IP_CT_DIR_ORIGINAL;
      else if (tupleEqual(e.tuple[1], t)) dir = IP_CT_DIR_REPLY;
      else continue;
      if (nowMs !== null && e.timeoutAt <= nowMs) {
        expired = e;
        continue;
      }
      this.foundDir = dir;
      hit = e;
      break;
    }
    // nf_ct_gc_expired: an expired entry met during lookup is reaped on the spot.
    if (expired) this.remove(expired);
    return hit;
  }

  private insert(e: CtEntry): void {
    this.all.add(e);
    this.byId.set(e.id, e);
    const h0 = tupleHash(e.tuple[0], e.zone);
    const h1 = tupleHash(e.tuple[1], e.zone);
    this.bucketFor(h0).push(e);
    if (h1 !== h0) this.bucketFor(h1).push(e);
  }

  private bucketFor(h: number): CtEntry[] {
    let b = this.buckets.get(h);
    if (!b) {
      b = [];
      this.buckets.set(h, b);
    }
    return b;
  }

  /** nf_ct_kill / nf_ct_delete: drop the entry from the table (the packet keeps its ref). */
  remove(e: CtEntry): void {
    if (!this.all.delete(e)) return;
    e.status |= IPS_DYING;
    this.byId.delete(e.id);
    // nf_ct_remove_expectations: a master's expectations die with it
    this.expects.removeForMaster(e.id);
    for (const h of [tupleHash(e.tuple[0], e.zone), tupleHash(e.tuple[1], e.zone)]) {
      const b = this.buckets.get(h);
      if (!b) continue;
      const i = b.indexOf(e);
      if (i >= 0) b.splice(i, 1);
      if (b.length === 0) this.buckets.delete(h);
    }
  }

  /** `conntrack -F` */
  flush(): void {
    for (const e of this.all) e.status |= IPS_DYING;
    this.all.clear();
    this.buckets.clear();
    this.byId.clear();
    this.expects.clear();
  }

  /** Pending expectations (`conntrack -L expect`), oldest first. */
  expectations(nowMs?: number): readonly CtExpect[] {
    return this.expects.all(nowMs);
  }

  /** The confirmed, unexpired entry using tuple `t` in either direction (nf_conntrack_find_get). */
  lookup(t: CtTuple, zone: number, nowMs: number): { entry: CtEntry; dir: CtDir } | null {
    const e = this.find(t, zone, nowMs);
    return e ? { entry: e, dir: this.foundDir } : null;
  }

  /** Confirmed entries, oldest first (for the UI; use list() for `conntrack -L`). */
  entries(): readonly CtEntry[] {
    return [...this.all];
  }

  private tupleTaken(t: CtTuple, zone: number, ignored: CtEntry): boolean {
    const bucket = this.buckets.get(tupleHash(t, zone));
    if (!bucket) return false;
    for (const e of bucket) {
      if (e === ignored || e.zone !== zone) continue;
      if (!tupleEqual(e.tuple[0], t) && !tupleEqual(e.tuple[1], t)) continue;
      // Same original tuple means the same flow; the kernel leaves that to clash resolution.
      if (tupleEqual(e.tuple[0], ignored.tuple[0])) continue;
      return true;
    }
    return false;
  }

  private *bySource(t: CtTuple, zone: number): Iterable<CtEntry> {
    const list = [...this.all];
    // nf_nat_bysource chains are LIFO: the newest binding is found first.
    for (let i = list.length - 1; i >= 0; i--) {
      const e = list[i]!;
      const o = e.tuple[0];
      if (!(e.status & IPS_SRC_NAT_DONE) || e.zone !== zone) continue;
      if (o.proto === t.proto && o.src === t.src && o.sport === t.sport) yield e;
    }
  }

  // ------------------------------------------------------- nf_conntrack_in

  /**
   * nf_conntrack_in at PREROUTING or OUTPUT (priority -200, after raw).
   * Loopback packets already carry a ref from their OUTPUT pass: the walker
   * must reuse it at PREROUTING instead of calling in() again.
   */
  in(p: Packet, opts: CtInOptions): CtRef {
    if (opts.untracked) return { entry: null, dir: IP_CT_DIR_ORIGINAL, ctinfo: 'UNTRACKED' };
    const zone = opts.zone ?? 0;
    const now = opts.nowMs;

    if (p.proto === IPPROTO_ICMP) {
      if (!p.icmp) return invalidRef('short packet');
      if (p.icmp.type > NR_ICMP_TYPES) return invalidRef('invalid icmp type');
      if (icmpIsError(p.icmp.type)) return this.icmpError(p, zone, now);
    }
    if (p.proto === IPPROTO_TCP && !p.tcp) return invalidRef('short packet');

    // A SYN that reopens a closed tuple kills the old entry and looks again
    // (-NF_REPEAT); the second pass cannot repeat because the old one is gone.
    for (let pass = 0; pass < 2; pass++) {
      const t = fillPacketTuple(p, this.scratch);
      let entry = this.find(t, zone, now);
      let dir = this.foundDir;
      let isNew = false;
      if (!entry) {
        const reply = invertTuple(t);
        if (!reply) return invalidRef('can not invert tuple');
        entry = {
          id: this.nextId++,
          tuple: [cloneTuple(t), reply],
          zone,
          status: 0,
          mark: 0,
          timeoutAt: now,
          createdMs: now,
        };
        // nf_ct_acct_ext_add: only entries born while accounting is on count
        if (this.sysctl.acct) entry.acct = [{ packets: 0, bytes: 0 }, { packets: 0, bytes: 0 }];
        this.initFromExpectation(entry, now, opts.helper);
        dir = IP_CT_DIR_ORIGINAL;
        isNew = true;
      }

      let ctinfo: CtInfo;
      if (dir === IP_CT_DIR_REPLY) ctinfo = 'ESTABLISHED_REPLY';
      else if (entry.status & IPS_SEEN_REPLY) ctinfo = 'ESTABLISHED';
      else if (entry.status & IPS_EXPECTED) ctinfo = 'RELATED';
      else ctinfo = 'NEW';

      const ref: CtRef = { entry, dir, ctinfo };
      // nf_ct_refresh_acct / nf_ct_kill_acct at the end of the protocol's packet handler
      let counted = true;
      switch (p.proto) {
        case IPPROTO_TCP: {
          const err = tcpError(p);
          if (err) return invalidRef(err);
          if (isNew) {
            const st = tcpNew(p, this.sysctl);
            if (typeof st === 'string') return invalidRef(st);
            entry.tcp = st;
          }
          const r = tcpPacket(entry, p, dir, this.sysctl, now);
          if (r.verdict === 'INVALID') return invalidRef(r.reason ?? 'invalid');
          if (r.verdict === 'REPEAT') {
            this.remove(entry);
            continue;
          }
          if (r.verdict === 'KILL') this.remove(entry);
          counted = (r.verdict === 'ACCEPT' && !r.uncounted) || r.verdict === 'KILL';
          break;
        }
        case IPPROTO_UDP:
          this.udpPacket(entry, now);
          break;
        case IPPROTO_ICMP: {
          // nf_conntrack_icmp_packet: only requests may open an entry.
          if (!icmpValidNew(icmpType(entry.tuple[0]))) {
            return invalidRef(`icmp: can't create new conn with type ${icmpType(entry.tuple[0])}`);
          }
          entry.timeoutAt = now + this.sysctl.timeouts.icmp * 1000;
          break;
        }
        default:
          entry.timeoutAt = now + this.sysctl.timeouts.generic * 1000;
      }
      if (counted && entry.acct) {
        entry.acct[dir].packets += 1;
        entry.acct[dir].bytes += p.len;
      }
      if (ctinfo === 'ESTABLISHED_REPLY') entry.status |= IPS_SEEN_REPLY;
      return ref;
    }
    return invalidRef('repeat');
  }

  /**
   * init_conntrack's expectation part: a new connection some helper
   * expected becomes IPS_EXPECTED (ctstate RELATED), remembers its master,
   * takes the master's mark and, when the master is NATed, the master's NAT
   * (nf_nat_follow_master). Any other new connection gets the helper of the
   * CT template, if the raw table gave it one.
   */
  private initFromExpectation(entry: CtEntry, now: number, helper: string | undefined): void {
    const exp = this.expects.size ? this.expects.take(entry.tuple[0], entry.zone, now, (id) => this.byId.has(id)) : null;
    if (!exp) {
      if (helper) entry.helper = helper;
      return;
    }
    const master = this.byId.get(exp.masterId)!;
    entry.status |= IPS_EXPECTED;
    entry.master = { id: master.id, helper: master.helper ?? null, origSrc: master.tuple[0].src };
    entry.mark = master.mark;
    if (exp.natFollowMaster) natFollowMaster(entry, exp, master, this.natEnv);
  }

  /** nf_conntrack_udp_packet: replied flows become ASSURED once they outlive 2 s. */
  private udpPacket(e: CtEntry, now: number): void {
    const to = this.sysctl.timeouts;
    if (!(e.status & IPS_CONFIRMED)) e.udpStreamTs = now + UDP_STREAM_MS;
    if (e.status & IPS_SEEN_REPLY) {
      let extra = to.udp;
      let stream = false;
      if (now > (e.udpStreamTs ?? 0)) {
        extra = to.udpStream;
        stream = (e.status & IPS_ASSURED) === 0;
      }
      e.timeoutAt = now + extra * 1000;
      if (stream) e.status |= IPS_ASSURED;
    } else {
      e.timeoutAt = now + to.udp * 1000;
    }
  }

  /**
   * nf_conntrack_inet_error: an ICMP error is RELATED to the connection its
   * quoted packet belongs to, in that connection's direction towards the
   * error's destination; anything else is INVALID (case 44).
   */
  private icmpError(p: Packet, zone: number, now: number): CtRef {
    const inner = p.icmp!.inner;
    if (!inner) return invalidRef('icmp error: no quoted packet');
    const quoted = packetTuple(inner);
    const innerTuple = invertTuple(quoted);
    if (!innerTuple) return invalidRef('icmp error: can not invert quoted tuple');
    const entry = this.find(innerTuple, zone, now);
    if (!entry) return invalidRef('icmp error: no match');
    const dir = this.foundDir;
    if (entry.tuple[dir].dst !== p.dst >>> 0) return invalidRef('icmp error: outer daddr != inner');
    return { entry, dir, ctinfo: dir === IP_CT_DIR_REPLY ? 'RELATED_REPLY' : 'RELATED', icmpError: true };
  }

  /**
   * nf_ct_attach: a packet the kernel builds in answer to `ref`'s packet
   * (REJECT's RST in nf_send_reset, every ICMP error in icmp_glue_bits)
   * inherits its conntrack as RELATED in the opposite direction and skips
   * conntrack at OUTPUT, even when that connection is not confirmed yet
   * (REPORT.md §5.17). Null when the original packet had none: then the
   * answer goes through in() as usual.
   */
  attachRelated(ref: CtRef): CtRef | null {
    if (!ref.entry) return null;
    const orig = ref.dir === IP_CT_DIR_ORIGINAL;
    return {
      entry: ref.entry,
      dir: orig ? IP_CT_DIR_REPLY : IP_CT_DIR_ORIGINAL,
      ctinfo: orig ? 'RELATED_REPLY' : 'RELATED',
    };
  }

  /** nf_ct_set_closing: after REJECT's tcp-reset a confirmed TCP entry goes to CLOSE. */
  setClosing(ref: CtRef, nowMs: number): void {
    const e = ref.entry;
    if (!e || !(e.status & IPS_CONFIRMED) || !e.tcp) return;
    tcpSetClosing(e, this.sysctl, nowMs);
  }

  // ------------------------------------------------------------ confirm

  /**
   * __nf_conntrack_confirm, at the end of POSTROUTING and INPUT. Returns
   * false when the kernel would drop the packet (the tuple was taken
   * meanwhile and the clash cannot be merged).
   */
  confirm(ref: CtRef): boolean {
    const e = ref.entry;
    if (!e || e.status & IPS_CONFIRMED) return true;
    // Unconfirmed conntracks are only inserted by their original-direction packet.
    if (ref.dir !== IP_CT_DIR_ORIGINAL) return true;
    if (e.status & IPS_DYING) return false;
    for (const t of e.tuple) {
      const other = this.find(t, e.zone, null);
      if (!other) continue;
      // nf_ct_resolve_clash: the same flow seen twice (UDP) joins the existing entry.
      if (e.tuple[0].proto === IPPROTO_UDP && tupleEqual(other.tuple[0], e.tuple[0]) && tupleEqual(other.tuple[1], e.tuple[1])) {
        ref.entry = other;
        return true;
      }
      return false;
    }
    e.status |= IPS_CONFIRMED;
    this.insert(e);
    return true;
  }

  /**
   * nf_confirm, the last thing at POSTROUTING and INPUT: the connection's
   * helper sees the packet (after all NAT) and may announce an expectation
   * or rewrite the payload; a connection whose payload length a helper
   * changed gets its sequence numbers shifted (not over loopback); then
   * __nf_conntrack_confirm. False when the packet is dropped (the helper
   * said so, or confirmation lost a tuple clash).
   */
  confirmPacket(p: Packet, ref: CtRef, nowMs: number, loopback = false, skbOwned = false): boolean {
    const e = ref.entry;
    if (e && ref.ctinfo !== 'RELATED_REPLY') {
      const seqadjNeeded = (e.status & IPS_SEQ_ADJUST) !== 0 && !loopback;
      const helper = e.helper ? conntrackHelper(e.helper) : null;
      // helper->help never sees ICMP (RELATED_REPLY is excluded above, RELATED errors here)
      if (helper && !ref.icmpError && p.proto === helper.proto) {
        let why = '';
        if (helper.help(p, e, ref.ctinfo, this.helperEnv(nowMs, (m) => (why = m), skbOwned)) !== 'ACCEPT') {
          this.lastConfirmDrop = `the ${helper.name} helper dropped it${why ? `: ${why}` : ''}`;
          return false;
        }
      }
      if (seqadjNeeded && p.proto === IPPROTO_TCP && !ref.icmpError) seqAdjust(p, e, ref.dir);
    }
    if (this.confirm(ref)) return true;
    this.lastConfirmDrop = 'its tuple clashes with an existing connection';
    // the connection is destroyed, and whatever its helper expected with it
    if (e && !(e.status & IPS_CONFIRMED)) this.expects.removeForMaster(e.id);
    return false;
  }

  private helperEnv(nowMs: number, log: (m: string) => void, skbOwned: boolean): HelperEnv {
    return {
      nowMs,
      skbOwned,
      expectRelated: (exp) => {
        // the master's helper sets the limit (expect_policy); a master without one cannot expect
        const helper = conntrackHelper(exp.helper);
        return helper ? this.expects.insert(exp, helper.maxExpected, nowMs) : 'ESHUTDOWN';
      },
      unexpectRelated: (exp) => this.expects.unlink(exp),
      randomBelow: (n) => (n <= 0 ? 0 : this.random32() % n),
      log,
    };
  }

  /**
   * The packet was dropped before confirmation. Nothing to undo: an
   * unconfirmed entry was never in the table. Present so the walker's
   * intent is explicit at every drop.
   */
  discard(ref: CtRef): void {
    void ref;
  }

  // ---------------------------------------------------------------- NAT

  /**
   * nf_nat_ipv4_fn / nf_nat_inet_fn: should the nat table's chain for this
   * manip type be traversed? Only for a connection's first packet (NEW), or
   * a RELATED packet, before a binding of that type exists. A RELATED ICMP
   * error never traverses it (nf_nat_icmp_reply_translation instead), but a
   * RST that REJECT attached to a connection not yet confirmed does: that
   * connection has no SRC binding yet (REPORT.md §5.17). `proto` is the
   * packet's own protocol.
   */
  needsNatLookup(ref: CtRef, manip: NatManip, proto?: number): boolean {
    const e = ref.entry;
    if (!e) return false;
    switch (ref.ctinfo) {
      case 'RELATED':
      case 'RELATED_REPLY':
        if (proto === IPPROTO_ICMP) return false;
        return !natInitialized(e, manip);
      case 'NEW':
        return !natInitialized(e, manip);
      default:
        return false;
    }
  }

  /** A NAT target (SNAT, DNAT, MASQUERADE with the chosen address, REDIRECT) bound the connection. */
  setupNat(ref: CtRef, manip: NatManip, range: NatRange): boolean {
    const e = ref.entry;
    if (!e) return false;
    return setupInfo(e, range, manip, this.natEnv);
  }

  /** The nat chain ended without a NAT target: bind to the current address (may still move a clashing port). */
  setupNullBinding(ref: CtRef, manip: NatManip): boolean {
    const e = ref.entry;
    if (!e || natInitialized(e, manip)) return false;
    return setupInfo(e, nullBindingRange(e, manip), manip, this.natEnv);
  }

  /**
   * Apply the connection's NAT to this packet at a nat hook (PREROUTING,
   * OUTPUT: destination; POSTROUTING, INPUT: source; inverted for replies).
   * ICMP errors RELATED to a NATed connection get the quoted header
   * translated too. Mutates the packet; returns what changed.
   */
  applyNat(p: Packet, ref: CtRef, hook: string): NatResult {
    const rewrites: NatRewrite[] = [];
    const e = ref.entry;
    const manip = manipForHook(hook);
    if (!e || !manip) return { verdict: 'ACCEPT', rewrites };
    if ((ref.ctinfo === 'RELATED' || ref.ctinfo === 'RELATED_REPLY') && p.proto === IPPROTO_ICMP) {
      const ok = natIcmpReplyTranslation(p, e, ref.dir, manip, rewrites);
      return { verdict: ok ? 'ACCEPT' : 'DROP', rewrites };
    }
    natPacket(p, e, ref.dir, manip, rewrites);
    return { verdict: 'ACCEPT', rewrites };
  }

  // -------------------------------------------------------------- views

  /** The conntrack facts -m state / -m conntrack / connmark read for this packet. */
  view(ref: CtRef): CtView | null {
    let v = this.views.get(ref);
    if (!v) {
      v = makeView(ref);
      this.views.set(ref, v);
    }
    return v;
  }

  /**
   * `conntrack -L` in the oracle's form, sorted like the oracle sorts
   * (by canonical JSON). With nowMs, entries that have timed out by then
   * are left out (and reaped), as the kernel's GC would have.
   */
  list(nowMs?: number): CtEntryView[] {
    if (nowMs !== undefined) this.reap(nowMs);
    const out: CtEntryView[] = [];
    for (const e of this.all) out.push(entryView(e));
    return out.sort(compareEntryViews);
  }

  /**
   * The table as the page lists it at `nowMs`, in list()'s order, each entry
   * with its id, the seconds it has left and its `conntrack -L` line. `reap`:
   * leave out (and reap) what has timed out by then, as list(nowMs) does.
   */
  rows(nowMs: number, reap: boolean): CtListRow[] {
    if (reap) this.reap(nowMs);
    const out: CtListRow[] = [];
    for (const e of this.all) out.push(listRow(e, nowMs));
    return out.sort((a, b) => compareEntryViews(a.entry, b.entry));
  }

  private reap(nowMs: number): void {
    for (const e of [...this.all]) if (e.timeoutAt <= nowMs) this.remove(e);
    this.expects.expire(nowMs);
  }

  // ----------------------------------------------------------- snapshot

  toJSON(): ConntrackSnapshot {
    return {
      format: 'packetwalk-conntrack/1',
      sysctl: copySysctl(this.sysctl),
      rngState: this.rngState,
      nextId: this.nextId,
      entries: JSON.parse(JSON.stringify([...this.all])) as CtEntry[],
      expectations: this.expects.toJSON(),
    };
  }

  static fromJSON(s: ConntrackSnapshot): ConntrackTable {
    const t = new ConntrackTable(copySysctl(s.sysctl), { seed: s.rngState });
    t.rngState = s.rngState >>> 0;
    t.nextId = s.nextId;
    for (const e of s.entries) {
      const copy = JSON.parse(JSON.stringify(e)) as CtEntry;
      copy.status |= IPS_CONFIRMED;
      t.insert(copy);
    }
    if (s.expectations) t.expects = ExpectTable.fromJSON(s.expectations);
    return t;
  }
}

function tupleForView(t: CtTuple): { src: number; dst: number; sport?: number; dport?: number; proto: number } {
  return { src: t.src, dst: t.dst, sport: t.sport, dport: t.dport, proto: t.proto };
}

/** xt_conntrack's view of a packet; status and mark read through to the live entry. */
function makeView(ref: CtRef): CtView {
  const e = ref.entry;
  let state: CtView['state'];
  switch (ref.ctinfo) {
    case 'NEW':
      state = 'NEW';
      break;
    case 'ESTABLISHED':
    case 'ESTABLISHED_REPLY':
      state = 'ESTABLISHED';
      break;
    case 'RELATED':
    case 'RELATED_REPLY':
      state = 'RELATED';
      break;
    case 'UNTRACKED':
      state = 'UNTRACKED';
      break;
    default:
      state = 'INVALID';
  }
  const reply = ref.dir === IP_CT_DIR_REPLY;
  if (!e) {
    return {
      state,
      reply: false,
      status: { expected: false, seenReply: false, assured: false, confirmed: false },
      mark: 0,
      snat: false,
      dnat: false,
    };
  }
  const status = {
    get expected() {
      return (e.status & IPS_EXPECTED) !== 0;
    },
    get seenReply() {
      return (e.status & IPS_SEEN_REPLY) !== 0;
    },
    get assured() {
      return (e.status & IPS_ASSURED) !== 0;
    },
    get confirmed() {
      return (e.status & IPS_CONFIRMED) !== 0;
    },
  };
  return {
    state,
    reply,
    status,
    masterHelper: e.master?.helper ?? null,
    ...(e.master?.origSrc !== undefined ? { masterOrigSrc: e.master.origSrc } : {}),
    get mark() {
      return e.mark;
    },
    set mark(v: number) {
      e.mark = v >>> 0;
    },
    get orig() {
      return tupleForView(e.tuple[0]);
    },
    get replyTuple() {
      return tupleForView(e.tuple[1]);
    },
    get snat() {
      return (e.status & IPS_SRC_NAT) !== 0;
    },
    get dnat() {
      return (e.status & IPS_DST_NAT) !== 0;
    },
    get tcpState() {
      return e.tcp ? TCP_CONNTRACK_NAMES[e.tcp.state] : undefined;
    },
    get counters() {
      return e.acct;
    },
    get labels() {
      return e.labels ?? null;
    },
  };
}
