// pattern: Functional Core
// -m owner (libxt_owner revision 1, kernel xt_owner.c): the uid/gid of the
// socket that sent a locally generated packet. Only OUTPUT and POSTROUTING
// see a socket; the kernel refuses the match elsewhere. iptables-save prints
// ids numerically; user and group names resolve only for root (uid/gid 0),
// the one account every simulated host has.

import type { ClauseResult } from '../types';
import type { ErrorSink, MatchSpec, OptionCall } from './module';
import { parseUInt } from './module';

export interface IdRange {
  min: number;
  max: number;
  invert: boolean;
}

export interface OwnerOptions {
  uid: IdRange | null;
  gid: IdRange | null;
  socketExists: { invert: boolean } | null;
  /** --suppl-groups: the gid may also be one of the socket's supplementary groups */
  supplGroups: boolean;
}

const not = (invert: boolean): string => (invert ? '! ' : '');

/** `id`, `a-b` or `root` (xtables_parse_uint + getpwnam/getgrnam). */
function parseIdRange(call: OptionCall, sink: ErrorSink): IdRange | null {
  const t = call.arg;
  if (t === 'root') return { min: 0, max: 0, invert: call.invert };
  const dash = t.indexOf('-');
  const a = parseUInt(dash < 0 ? t : t.slice(0, dash), false);
  const b = dash < 0 ? a : parseUInt(t.slice(dash + 1), false);
  if (a === null || b === null || a > 0xfffffffe || b > 0xfffffffe || a > b) {
    sink.error(`owner: Bad value for "--${call.name}" option: "${t}"`, call.argSpan, 'iptables/bad-value');
    return null;
  }
  return { min: a, max: b, invert: call.invert };
}

function rangeText(r: IdRange): string {
  return r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`;
}

function inRange(v: number | null, r: IdRange): boolean {
  return v !== null && v >= r.min && v <= r.max;
}

/**
 * owner_mt (xt_owner.c). Without a socket the rule matches only when every
 * clause is inverted. A kernel control socket has no file, so it passes
 * --socket-exists but a uid/gid clause only when inverted (case p41: RST for
 * a closed port, ICMP errors, echo replies). With a process's socket each
 * clause compares its uid/gid.
 */
function clauses(o: OwnerOptions, socket: boolean, uid: number | null, gid: number | null): ClauseResult[] {
  const out: ClauseResult[] = [];
  if (!socket) {
    const all = [o.socketExists, o.uid, o.gid].filter((x) => x !== null) as { invert: boolean }[];
    const ok = all.every((x) => x.invert);
    out.push({ ok, why: `packet has no socket: ${ok ? 'every owner clause is inverted' : 'owner clauses need a local socket'}` });
    return out;
  }
  if (o.socketExists) out.push({ ok: !o.socketExists.invert, why: `${not(o.socketExists.invert)}--socket-exists: packet has a socket` });
  if (uid === null) {
    for (const [name, r] of [['uid', o.uid], ['gid', o.gid]] as const) {
      if (r) out.push({ ok: r.invert, why: `${not(r.invert)}--${name}-owner ${rangeText(r)}: a kernel socket without a process has no ${name}` });
    }
    return out;
  }
  if (o.uid) out.push({ ok: inRange(uid, o.uid) !== o.uid.invert, why: `${not(o.uid.invert)}--uid-owner ${rangeText(o.uid)}: socket uid is ${uid}` });
  if (o.gid) out.push({ ok: inRange(gid, o.gid) !== o.gid.invert, why: `${not(o.gid.invert)}--gid-owner ${rangeText(o.gid)}: socket gid is ${gid ?? '?'}` });
  return out;
}

const hasSocket = (ctx: { socket?: boolean; uid: number | null }): boolean => ctx.socket ?? ctx.uid !== null;

/** clauses() without the words, for the walk's hot path */
function ownerMatches(o: OwnerOptions, socket: boolean, uid: number | null, gid: number | null): boolean {
  const onlyInverted = (!o.uid || o.uid.invert) && (!o.gid || o.gid.invert);
  if (!socket) return onlyInverted && (!o.socketExists || o.socketExists.invert);
  if (o.socketExists?.invert) return false;
  if (uid === null) return onlyInverted;
  if (o.uid && inRange(uid, o.uid) === o.uid.invert) return false;
  if (o.gid && inRange(gid, o.gid) === o.gid.invert) return false;
  return true;
}

export const owner: MatchSpec<OwnerOptions> = {
  name: 'owner',
  hooks: ['OUTPUT', 'POSTROUTING'],
  options: [
    { name: 'uid-owner', arg: true },
    { name: 'gid-owner', arg: true },
    { name: 'socket-exists', arg: false },
    { name: 'suppl-groups', arg: false },
  ],
  init: () => ({ uid: null, gid: null, socketExists: null, supplGroups: false }),
  parse(o, call, sink) {
    switch (call.name) {
      case 'uid-owner':
      case 'gid-owner': {
        const key = call.name === 'uid-owner' ? 'uid' : 'gid';
        if (o[key]) {
          sink.error(`owner: option "--${call.name}" can only be used once.`, call.span);
          return;
        }
        const r = parseIdRange(call, sink);
        if (r) o[key] = r;
        return;
      }
      case 'socket-exists':
        o.socketExists = { invert: call.invert };
        return;
      case 'suppl-groups':
        if (call.invert) {
          sink.error('owner: Bad value for "--suppl-groups" option: "--suppl-groups cannot be inverted"', call.span);
          return;
        }
        if (!o.gid) {
          sink.error('owner: Bad value for "--suppl-groups" option: "you need to use --gid-owner first"', call.span);
          return;
        }
        o.supplGroups = true;
    }
  },
  final(o, sink) {
    if (!o.uid && !o.gid && !o.socketExists) sink.error('owner: At least one of --uid-owner, --gid-owner or --socket-exists is required');
  },
  save(o) {
    const out: string[] = [];
    if (o.socketExists) out.push(`${not(o.socketExists.invert)}--socket-exists`);
    if (o.uid) out.push(`${not(o.uid.invert)}--uid-owner ${rangeText(o.uid)}`);
    if (o.gid) out.push(`${not(o.gid.invert)}--gid-owner ${rangeText(o.gid)}`);
    if (o.supplGroups) out.push('--suppl-groups');
    return out.join(' ');
  },
  match: (o, _p, ctx) => ownerMatches(o, hasSocket(ctx), ctx.uid, ctx.gid),
  explain: (o, _p, ctx) => clauses(o, hasSocket(ctx), ctx.uid, ctx.gid),
};
