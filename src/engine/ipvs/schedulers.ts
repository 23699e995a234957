// pattern: Functional Core
// The IPVS schedulers (net/netfilter/ipvs/ip_vs_*.c), restated from
// /work/shared/ipvs/SPEC.md §8. Every scheduler walks the service's server
// list in kernel order: `ipvsadm -a` inserts at the head (list_add_rcu), so
// the walk order is the reverse of the order servers were added.
//
// The scheduler is asked only for new connections (and, with persistence,
// only when no valid template exists). Its per-service state lives in
// VirtualService.sched as plain data, so the UI can show it (see
// describeScheduler) and a snapshot can be restored.
//
// lblc, lblcr and twos are approximations (SPEC.md has them only in
// summary); SCHEDULER_APPROXIMATION says how.

import { hash32, hsiphash32, MH_HASH1, MH_HASH2 } from './hash';
import type {
  BucketState,
  IpvsState,
  LblcrState,
  LblcState,
  MhState,
  RealServer,
  RrState,
  SchedulerName,
  SchedulerState,
  TwosState,
  VirtualService,
  WrrState,
} from './types';
import { dropKey, IP_VS_SVC_F_SCHED1, IP_VS_SVC_F_SCHED2 } from './types';

/** What a scheduler may look at in the packet that opens a connection. */
export interface SchedPacket {
  /** IP protocol number */
  protocol: number;
  saddr: number;
  sport: number;
  daddr: number;
  dport: number;
  /** simulation time, ms (lblc/lblcr ageing) */
  now: number;
}

export const SH_TAB_SIZE = 256;
/** mh table size M: the prime picked by the default CONFIG_IP_VS_MH_TAB_INDEX=12. */
export const MH_TAB_SIZE = 4093;
/** IP_VS_MH_TAB_BITS: how many bits of max_weight/gcd the mh fill keeps. */
const MH_TAB_BITS = 6;

/** Which schedulers are not reproduced exactly, and how they differ. */
export const SCHEDULER_APPROXIMATION: Readonly<Partial<Record<SchedulerName, string>>> = {
  lblc:
    'lblc: cache keyed by destination address, entries aged out after lblc_expiration at scheduling time; the kernel\'s periodic garbage collection (6 min idle above 16384 entries) is not modelled',
  lblcr:
    'lblcr: server sets per destination address; the most loaded member is dropped when the set has not changed for lblcr_expiration, checked at scheduling time instead of by the kernel timer',
  twos: 'twos: random choices come from a seeded generator, so results are reproducible but not those of a real kernel',
};

export function destOf(state: IpvsState, id: number): RealServer | undefined {
  return state.dests[id];
}

/** active·256 + inactive (ip_vs_dest_conn_overhead). */
export function connOverhead(d: RealServer): number {
  return d.activeConns * 256 + d.inactConns;
}

function listOf(state: IpvsState, svc: VirtualService): RealServer[] {
  const out: RealServer[] = [];
  for (const id of svc.dests) {
    const d = state.dests[id];
    if (d) out.push(d);
  }
  return out;
}

function usable(d: RealServer): boolean {
  return !d.overloaded && d.weight > 0;
}

function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  for (let i = 0; i < 64 && y !== 0; i++) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/** fls(): position of the most significant set bit, 1-based; 0 for 0. */
function fls(x: number): number {
  return x <= 0 ? 0 : 32 - Math.clz32(x);
}

// ---------------------------------------------------------------- init/hooks

export function initScheduler(state: IpvsState, svc: VirtualService): SchedulerState {
  switch (svc.scheduler) {
    case 'rr':
      return { kind: 'rr', pos: null };
    case 'wrr': {
      const s: WrrState = { kind: 'wrr', cl: -1, cw: 0, mw: 0, di: 1 };
      wrrChanged(state, svc, s);
      return s;
    }
    case 'sh':
    case 'dh': {
      const s: BucketState = { kind: svc.scheduler, buckets: new Array<number | null>(SH_TAB_SIZE).fill(null) };
      fillBuckets(state, svc, s);
      return s;
    }
    case 'mh': {
      const s: MhState = { kind: 'mh', lookup: [], gcd: 0, rshift: 0, setup: [] };
      mhReassign(state, svc, s);
      return s;
    }
    case 'lblc':
      return { kind: 'lblc', table: {} };
    case 'lblcr':
      return { kind: 'lblcr', table: {} };
    case 'twos':
      return { kind: 'twos', seed: 0x2545f491 };
    default:
      return { kind: 'none' };
  }
}

/** add_dest hook, called after the server was linked at the list head. */
export function schedulerAddDest(state: IpvsState, svc: VirtualService): void {
  const s = svc.sched;
  if (s.kind === 'wrr') wrrChanged(state, svc, s);
  else if (s.kind === 'sh' || s.kind === 'dh') fillBuckets(state, svc, s);
  else if (s.kind === 'mh') mhReassign(state, svc, s);
}

/**
 * del_dest hook, called after the server was unlinked. `predecessor` is the
 * id of the server that stood before it in the list (null: it was first),
 * which is where rr's position falls back to.
 */
export function schedulerDelDest(state: IpvsState, svc: VirtualService, dest: RealServer, predecessor: number | null): void {
  const s = svc.sched;
  if (s.kind === 'rr') {
    if (s.pos === dest.id) s.pos = predecessor;
  } else if (s.kind === 'wrr') wrrChanged(state, svc, s);
  else if (s.kind === 'sh' || s.kind === 'dh') fillBuckets(state, svc, s);
  else if (s.kind === 'mh') mhReassign(state, svc, s);
}

/** upd_dest hook (`ipvsadm -e`): wrr, sh and mh react; dh does not (weights do not matter to it). */
export function schedulerUpdDest(state: IpvsState, svc: VirtualService): void {
  const s = svc.sched;
  if (s.kind === 'wrr') wrrChanged(state, svc, s);
  else if (s.kind === 'sh') fillBuckets(state, svc, s);
  else if (s.kind === 'mh') mhReassign(state, svc, s);
}

// ---------------------------------------------------------------- schedule

/** Pick a real server for a new connection, or null (the caller then sends ICMP port unreachable). */
export function schedule(state: IpvsState, svc: VirtualService, pkt: SchedPacket): RealServer | null {
  const s = svc.sched;
  switch (svc.scheduler) {
    case 'rr':
      return s.kind === 'rr' ? rrSchedule(state, svc, s) : null;
    case 'wrr':
      return s.kind === 'wrr' ? wrrSchedule(state, svc, s) : null;
    case 'lc':
      return lcSchedule(listOf(state, svc));
    case 'wlc':
      return wlcSchedule(listOf(state, svc), connOverhead);
    case 'sed':
      return wlcSchedule(listOf(state, svc), (d) => d.activeConns + 1);
    case 'nq':
      return nqSchedule(listOf(state, svc));
    case 'fo':
      return foSchedule(listOf(state, svc));
    case 'ovf':
      return ovfSchedule(listOf(state, svc));
    case 'sh':
      return s.kind === 'sh' ? shSchedule(state, svc, s, pkt) : null;
    case 'dh':
      return s.kind === 'dh' ? dhSchedule(state, s, pkt) : null;
    case 'mh':
      return s.kind === 'mh' ? mhSchedule(state, svc, s, pkt) : null;
    case 'lblc':
      return s.kind === 'lblc' ? lblcSchedule(state, svc, s, pkt) : null;
    case 'lblcr':
      return s.kind === 'lblcr' ? lblcrSchedule(state, svc, s, pkt) : null;
    case 'twos':
      return s.kind === 'twos' ? twosSchedule(listOf(state, svc), s) : null;
  }
}

// rr: scan after pos to the end, then (unless pos is the head) from the start up to and including pos.
function rrSchedule(state: IpvsState, svc: VirtualService, s: RrState): RealServer | null {
  const ids = svc.dests;
  const start = s.pos === null ? -1 : ids.indexOf(s.pos);
  for (let i = start + 1; i < ids.length; i++) {
    const d = state.dests[ids[i]!];
    if (d && usable(d)) {
      s.pos = d.id;
      return d;
    }
  }
  if (start < 0) return null;
  for (let i = 0; i <= start; i++) {
    const d = state.dests[ids[i]!];
    if (d && usable(d)) {
      s.pos = d.id;
      return d;
    }
  }
  return null;
}

// wrr's dest_changed: back to the head, recompute di and mw, clamp cw.
function wrrChanged(state: IpvsState, svc: VirtualService, s: WrrState): void {
  let di = 0;
  let max = 0;
  for (const d of listOf(state, svc)) {
    if (d.weight > 0) di = di > 0 ? gcd(d.weight, di) : d.weight;
    if (d.weight > max) max = d.weight;
  }
  if (di === 0) di = 1;
  s.cl = -1;
  s.di = di;
  s.mw = max - (di - 1);
  if (s.cw > s.mw || s.cw === 0) s.cw = s.mw;
  else if (di > 1) s.cw = Math.floor(s.cw / di) * di + 1;
}

function wrrSchedule(state: IpvsState, svc: VirtualService, s: WrrState): RealServer | null {
  if (s.mw === 0) return null;
  const ids = svc.dests;
  const n = ids.length;
  const last = s.cl;
  let stop = -2;
  let lastPass = false;
  let restarted = false;
  // Every pass lowers cw by di, and cw restarts at most once, so 2·(mw/di)+2 passes always end the walk.
  const maxPasses = 2 * Math.ceil(s.mw / s.di) + 4;
  for (let pass = 0; pass < maxPasses; pass++) {
    for (let i = s.cl + 1; i < n; i++) {
      s.cl = i;
      const d = state.dests[ids[i]!];
      if (d && !d.overloaded && d.weight >= s.cw) return d;
      if (i === stop) return null;
    }
    s.cl = -1;
    s.cw -= s.di;
    if (s.cw <= 0) {
      s.cw = s.mw;
      if (lastPass || last === -1) return null;
      restarted = true;
    }
    lastPass = s.cw <= s.di;
    if (lastPass && restarted && last !== -1) stop = last;
  }
  return null;
}

function lcSchedule(list: RealServer[]): RealServer | null {
  let least: RealServer | null = null;
  let loh = 0;
  for (const d of list) {
    if (!usable(d)) continue;
    const doh = connOverhead(d);
    if (!least || doh < loh) {
      least = d;
      loh = doh;
    }
  }
  return least;
}

// wlc and sed: the first usable server, then any later non-overloaded one with a smaller overhead/weight.
function wlcSchedule(list: RealServer[], overhead: (d: RealServer) => number): RealServer | null {
  let i = 0;
  let least: RealServer | null = null;
  for (; i < list.length; i++) {
    const d = list[i]!;
    if (usable(d)) {
      least = d;
      break;
    }
  }
  if (!least) return null;
  let loh = overhead(least);
  for (i++; i < list.length; i++) {
    const d = list[i]!;
    if (d.overloaded) continue;
    const doh = overhead(d);
    if (loh * d.weight > doh * least.weight) {
      least = d;
      loh = doh;
    }
  }
  return least;
}

function nqSchedule(list: RealServer[]): RealServer | null {
  let least: RealServer | null = null;
  let loh = 0;
  for (const d of list) {
    if (!usable(d)) continue;
    const doh = d.activeConns + 1;
    if (d.activeConns === 0) return d;
    if (!least || loh * d.weight > doh * least.weight) {
      least = d;
      loh = doh;
    }
  }
  return least;
}

function foSchedule(list: RealServer[]): RealServer | null {
  let hw: RealServer | null = null;
  let max = 0;
  for (const d of list) {
    if (!d.overloaded && d.weight > max) {
      hw = d;
      max = d.weight;
    }
  }
  return hw;
}

function ovfSchedule(list: RealServer[]): RealServer | null {
  let h: RealServer | null = null;
  for (const d of list) {
    if (d.overloaded || d.weight <= 0 || d.activeConns > d.weight) continue;
    if (!h || d.weight > h.weight) h = d;
  }
  return h;
}

// sh/dh table fill. sh: each server takes `weight` consecutive buckets (at least 1), cycling through the list.
// dh: bucket i holds list[i mod n], weights ignored.
function fillBuckets(state: IpvsState, svc: VirtualService, s: BucketState): void {
  const ids = svc.dests;
  const n = ids.length;
  if (n === 0) {
    s.buckets.fill(null);
    return;
  }
  let p = 0;
  let count = 0;
  for (let i = 0; i < SH_TAB_SIZE; i++) {
    const id = ids[p]!;
    s.buckets[i] = id;
    if (s.kind === 'dh') {
      p = (p + 1) % n;
      continue;
    }
    const w = state.dests[id]?.weight ?? 0;
    if (++count >= w) {
      p = (p + 1) % n;
      count = 0;
    }
  }
}

/** The client port when the port flag (sh-port / mh-port, SCHED2) is set and the protocol has ports. */
function hashPort(svc: VirtualService, pkt: SchedPacket): number {
  if (!(svc.flags & IP_VS_SVC_F_SCHED2)) return 0;
  return pkt.protocol === 6 || pkt.protocol === 17 || pkt.protocol === 132 ? pkt.sport : 0;
}

/** The sh bucket of a client: hash_32(saddr + port, 8). */
export function shBucket(saddr: number, port: number): number {
  return hash32((saddr + port) >>> 0, 8);
}

function shSchedule(state: IpvsState, svc: VirtualService, s: BucketState, pkt: SchedPacket): RealServer | null {
  const port = hashPort(svc, pkt);
  const h = shBucket(pkt.saddr, port);
  const first = s.buckets[h];
  const d0 = first === null || first === undefined ? undefined : state.dests[first];
  if (!(svc.flags & IP_VS_SVC_F_SCHED1)) return d0 && usable(d0) ? d0 : null;
  if (!d0) return null;
  if (usable(d0)) return d0;
  // sh-fallback: the rotating offset and the hash are both added again, so the walk starts at 2h
  for (let off = 0; off < SH_TAB_SIZE; off++) {
    const b = (off + h + h) & (SH_TAB_SIZE - 1);
    const id = s.buckets[b];
    const d = id === null || id === undefined ? undefined : state.dests[id];
    if (!d) return null;
    if (usable(d)) return d;
  }
  return null;
}

function dhSchedule(state: IpvsState, s: BucketState, pkt: SchedPacket): RealServer | null {
  const id = s.buckets[hash32(pkt.daddr, 8)];
  const d = id === null || id === undefined ? undefined : state.dests[id];
  if (!d || !d.available || d.weight <= 0 || d.overloaded) return null;
  return d;
}

// mh: permutation per server from (RIP + RPORT), turns from last_weight, then fill M slots round by round.
function mhReassign(state: IpvsState, svc: VirtualService, s: MhState): void {
  const list = listOf(state, svc);
  s.lookup = new Array<number | null>(MH_TAB_SIZE).fill(null);
  s.setup = [];
  let g = 0;
  let maxW = 0;
  for (const d of list) {
    if (d.lastWeight > 0) g = g > 0 ? gcd(d.lastWeight, g) : d.lastWeight;
    if (d.lastWeight > maxW) maxW = d.lastWeight;
  }
  s.gcd = g;
  s.rshift = g < 1 ? 0 : Math.max(0, fls(Math.floor(maxW / g)) - MH_TAB_BITS);
  for (const d of list) {
    const v = (d.addr + d.port) >>> 0;
    const turnsRaw = g > 0 ? Math.floor(d.lastWeight / g) >> s.rshift : 0;
    s.setup.push({
      id: d.id,
      offset: hsiphash32(v, MH_HASH1) % MH_TAB_SIZE,
      skip: (hsiphash32(v, MH_HASH2) % (MH_TAB_SIZE - 1)) + 1,
      turns: turnsRaw > 0 ? turnsRaw : d.lastWeight !== 0 ? 1 : 0,
    });
  }
  if (!s.setup.some((x) => x.turns >= 1)) return;
  const perm = s.setup.map((x) => x.offset);
  const taken = new Uint8Array(MH_TAB_SIZE);
  let filled = 0;
  // each round claims at least one slot, so M rounds always fill the table
  for (let round = 0; round < MH_TAB_SIZE && filled < MH_TAB_SIZE; round++) {
    for (let k = 0; k < s.setup.length && filled < MH_TAB_SIZE; k++) {
      const ds = s.setup[k]!;
      for (let t = 0; t < ds.turns && filled < MH_TAB_SIZE; t++) {
        let c = perm[k]!;
        for (let guard = 0; taken[c] && guard < MH_TAB_SIZE; guard++) {
          c += ds.skip;
          if (c >= MH_TAB_SIZE) c -= MH_TAB_SIZE;
        }
        perm[k] = c;
        taken[c] = 1;
        s.lookup[c] = ds.id;
        filled++;
      }
    }
  }
}

/** The mh slot of a client: hsiphash(saddr + port + offset) mod M. */
export function mhSlot(saddr: number, port: number, offset = 0): number {
  return hsiphash32((saddr + port + offset) >>> 0, MH_HASH1) % MH_TAB_SIZE;
}

function mhSchedule(state: IpvsState, svc: VirtualService, s: MhState, pkt: SchedPacket): RealServer | null {
  const port = hashPort(svc, pkt);
  const ihash = mhSlot(pkt.saddr, port);
  const id0 = s.lookup[ihash];
  const d0 = id0 === null || id0 === undefined ? undefined : state.dests[id0];
  if (!(svc.flags & IP_VS_SVC_F_SCHED1)) return d0 && usable(d0) ? d0 : null;
  if (!d0) return null;
  if (usable(d0)) return d0;
  for (let off = 0; off < MH_TAB_SIZE; off++) {
    const roffset = (off + ihash) % MH_TAB_SIZE;
    const id = s.lookup[mhSlot(pkt.saddr, port, roffset)];
    const d = id === null || id === undefined ? undefined : state.dests[id];
    if (!d) return null;
    if (usable(d)) return d;
  }
  return null;
}

// lblc's own overload test: more active connections than weight while some server is under half its weight.
function lblcOverloaded(d: RealServer, list: RealServer[]): boolean {
  if (d.activeConns <= d.weight) return false;
  return list.some((x) => x.activeConns * 2 < x.weight);
}

function lblcSchedule(state: IpvsState, svc: VirtualService, s: LblcState, pkt: SchedPacket): RealServer | null {
  const list = listOf(state, svc);
  const key = String(pkt.daddr >>> 0);
  const expiry = state.sysctl.lblc_expiration * 1000;
  const en = s.table[key];
  if (en && pkt.now - en.lastUse > expiry) dropKey(s.table, key);
  const hit = s.table[key];
  if (hit) {
    const d = state.dests[hit.dest];
    if (d && d.available && d.weight > 0 && !lblcOverloaded(d, list)) {
      hit.lastUse = pkt.now;
      return d;
    }
  }
  const d = wlcSchedule(list, connOverhead);
  if (!d) return null;
  s.table[key] = { dest: d.id, lastUse: pkt.now };
  return d;
}

function setMin(state: IpvsState, ids: number[]): RealServer | null {
  let least: RealServer | null = null;
  for (const id of ids) {
    const d = state.dests[id];
    if (!d || d.overloaded || d.weight <= 0 || !d.available) continue;
    if (!least || connOverhead(least) * d.weight > connOverhead(d) * least.weight) least = d;
  }
  return least;
}

function lblcrSchedule(state: IpvsState, svc: VirtualService, s: LblcrState, pkt: SchedPacket): RealServer | null {
  const list = listOf(state, svc);
  const key = String(pkt.daddr >>> 0);
  const expiry = state.sysctl.lblcr_expiration * 1000;
  let en = s.table[key];
  if (en) {
    en.dests = en.dests.filter((id) => state.dests[id]?.available);
    let d = setMin(state, en.dests);
    if (en.dests.length > 1 && pkt.now - en.lastMod > expiry) {
      let most: RealServer | null = null;
      for (const id of en.dests) {
        const x = state.dests[id];
        if (x && (!most || connOverhead(x) * most.weight > connOverhead(most) * x.weight)) most = x;
      }
      if (most) en.dests = en.dests.filter((id) => id !== most.id);
      en.lastMod = pkt.now;
      d = setMin(state, en.dests);
    }
    if (!d || lblcOverloaded(d, list)) {
      d = wlcSchedule(list, connOverhead);
      if (!d) return null;
      if (!en.dests.includes(d.id)) en.dests.push(d.id);
      en.lastMod = pkt.now;
    }
    en.lastUse = pkt.now;
    return d;
  }
  const d = wlcSchedule(list, connOverhead);
  if (!d) return null;
  en = { dests: [d.id], lastMod: pkt.now, lastUse: pkt.now };
  s.table[key] = en;
  return d;
}

// twos: two weighted random picks, keep the one with the lower overhead/weight.
function twosSchedule(list: RealServer[], s: TwosState): RealServer | null {
  let total = 0;
  for (const d of list) if (usable(d)) total += d.weight;
  if (total === 0) return null;
  const next = (): number => {
    // xorshift32: deterministic stand-in for get_random_u32()
    let x = s.seed | 0;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    s.seed = x >>> 0;
    return s.seed % (total + 1);
  };
  const pick = (r: number): RealServer | null => {
    let acc = r;
    let chosen: RealServer | null = null;
    for (const d of list) {
      if (!usable(d)) continue;
      chosen = d;
      acc -= d.weight;
      if (acc <= 0) break;
    }
    return chosen;
  };
  const a = pick(next());
  const b = pick(next());
  if (!a) return b;
  if (!b) return a;
  return connOverhead(b) * a.weight < connOverhead(a) * b.weight ? b : a;
}

// ---------------------------------------------------------------- UI view

export interface SchedulerView {
  scheduler: SchedulerName;
  approximation?: string;
  /** per server in kernel list order: weight, counters, overhead and whether the scheduler may pick it */
  servers: { id: number; weight: number; active: number; inactive: number; overhead: number; usable: boolean }[];
  rr?: { pos: number | null };
  wrr?: { cl: number; clServer: number | null; cw: number; mw: number; di: number };
  /** sh/dh: server id per bucket (256) */
  buckets?: (number | null)[];
  /** mh: server id per slot (4093) and the permutation seeds */
  mh?: { lookup: (number | null)[]; gcd: number; rshift: number; setup: { id: number; offset: number; skip: number; turns: number }[] };
  lblc?: Record<string, number[]>;
}

/** A read-only picture of a scheduler's internal state for the UI. */
export function describeScheduler(state: IpvsState, svc: VirtualService): SchedulerView {
  const list = listOf(state, svc);
  const view: SchedulerView = {
    scheduler: svc.scheduler,
    servers: list.map((d) => ({
      id: d.id,
      weight: d.weight,
      active: d.activeConns,
      inactive: d.inactConns,
      overhead: svc.scheduler === 'sed' || svc.scheduler === 'nq' ? d.activeConns + 1 : connOverhead(d),
      usable: usable(d),
    })),
  };
  const approx = SCHEDULER_APPROXIMATION[svc.scheduler];
  if (approx) view.approximation = approx;
  const s = svc.sched;
  if (s.kind === 'rr') view.rr = { pos: s.pos };
  else if (s.kind === 'wrr') view.wrr = { cl: s.cl, clServer: s.cl >= 0 ? (svc.dests[s.cl] ?? null) : null, cw: s.cw, mw: s.mw, di: s.di };
  else if (s.kind === 'sh' || s.kind === 'dh') view.buckets = s.buckets.slice();
  else if (s.kind === 'mh') view.mh = { lookup: s.lookup.slice(), gcd: s.gcd, rshift: s.rshift, setup: s.setup.map((x) => ({ ...x })) };
  else if (s.kind === 'lblc') {
    view.lblc = {};
    for (const [k, v] of Object.entries(s.table)) view.lblc[k] = [v.dest];
  } else if (s.kind === 'lblcr') {
    view.lblc = {};
    for (const [k, v] of Object.entries(s.table)) view.lblc[k] = v.dests.slice();
  }
  return view;
}
