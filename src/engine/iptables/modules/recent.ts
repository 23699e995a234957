// pattern: Functional Core
// -m recent (libxt_recent revision 1, kernel xt_recent.c). Each list remembers
// per address the times of its last ip_pkt_list_tot (20) hits; --rttl is not
// modelled because the host's table keeps no TTL (explain says so).

import { formatIpv4, parseIpv4 } from '../../net/addr';
import type { MatchSpec } from './module';
import { parseUInt } from './module';

const IP_PKT_LIST_TOT = 20;

export interface RecentOptions {
  command: 'set' | 'rcheck' | 'update' | 'remove' | null;
  name: string;
  seconds: number;
  reap: boolean;
  hitcount: number;
  rttl: boolean;
  side: 'source' | 'dest';
  mask: number;
  invert: boolean;
}

export const recent: MatchSpec<RecentOptions> = {
  name: 'recent',
  options: [
    { name: 'set', arg: false },
    { name: 'rcheck', arg: false },
    { name: 'update', arg: false },
    { name: 'remove', arg: false },
    { name: 'seconds', arg: true, invert: false },
    { name: 'reap', arg: false, invert: false },
    { name: 'hitcount', arg: true, invert: false },
    { name: 'rttl', arg: false, invert: false },
    { name: 'name', arg: true, invert: false },
    { name: 'rsource', arg: false, invert: false },
    { name: 'rdest', arg: false, invert: false },
    { name: 'mask', arg: true, invert: false },
  ],
  init: () => ({ command: null, name: 'DEFAULT', seconds: 0, reap: false, hitcount: 0, rttl: false, side: 'source', mask: 0xffffffff, invert: false }),
  parse(o, call, sink) {
    switch (call.name) {
      case 'set':
      case 'rcheck':
      case 'update':
      case 'remove':
        if (o.command) {
          sink.error('recent: only one of `--set\', `--rcheck\' `--update\' or `--remove\' may be set', call.span);
          return;
        }
        o.command = call.name;
        o.invert = call.invert;
        return;
      case 'seconds':
      case 'hitcount': {
        const v = parseUInt(call.arg, false);
        if (v === null || v > 0xffffffff) {
          sink.error(`recent: bad value for option "--${call.name}", or out of range.`, call.argSpan);
          return;
        }
        if (call.name === 'seconds') o.seconds = v;
        else o.hitcount = v;
        return;
      }
      case 'reap':
        o.reap = true;
        return;
      case 'rttl':
        o.rttl = true;
        return;
      case 'name':
        if (call.arg.length === 0 || call.arg.length > 199) {
          sink.error('recent: bad value for option "--name"', call.argSpan);
          return;
        }
        o.name = call.arg;
        return;
      case 'rsource':
        o.side = 'source';
        return;
      case 'rdest':
        o.side = 'dest';
        return;
      case 'mask': {
        const m = parseIpv4(call.arg);
        if (m === null) {
          sink.error(`recent: bad value for option "--mask"`, call.argSpan);
          return;
        }
        o.mask = m;
      }
    }
  },
  final(o, sink) {
    if (!o.command) sink.error('recent: you must specify one of `--set\', `--rcheck\' `--update\' or `--remove\'');
    else if ((o.seconds || o.hitcount || o.reap) && o.command !== 'rcheck' && o.command !== 'update')
      sink.error('recent: --seconds, --hitcount and --reap only make sense with --rcheck or --update');
    else if (o.reap && !o.seconds) sink.error('recent: --reap requires --seconds');
    else if (o.rttl && o.command !== 'rcheck' && o.command !== 'update') sink.error('recent: --rttl may only be used with --rcheck or --update');
  },
  check(o) {
    if (o.hitcount > IP_PKT_LIST_TOT) return `xt_recent: hitcount (${o.hitcount}) is larger than allowed maximum (${IP_PKT_LIST_TOT})`;
    return null;
  },
  save(o) {
    let s = o.invert ? '! ' : '';
    s += `--${o.command}`;
    if (o.seconds) s += ` --seconds ${o.seconds}`;
    if (o.reap) s += ' --reap';
    if (o.hitcount) s += ` --hitcount ${o.hitcount}`;
    if (o.rttl) s += ' --rttl';
    s += ` --name ${o.name} --mask ${formatIpv4(o.mask)} --${o.side === 'source' ? 'rsource' : 'rdest'}`;
    return s;
  },
  match(o, p, ctx) {
    return run(o, (o.side === 'source' ? p.src : p.dst) & o.mask, ctx.nowMs, ctx.recent, true).ok;
  },
  explain(o, p, ctx) {
    const r = run(o, (o.side === 'source' ? p.src : p.dst) & o.mask, ctx.nowMs, ctx.recent, false);
    const out = [{ ok: r.ok, why: r.why }];
    if (o.rttl) out.push({ ok: r.ok, why: '--rttl is not modelled (TTL is not remembered)' });
    return out;
  },
};

function run(o: RecentOptions, key: number, now: number, tables: Map<string, Map<number, number[]>>, commit: boolean): { ok: boolean; why: string } {
  const addr = key >>> 0;
  let table = tables.get(o.name);
  if (!table) {
    table = new Map();
    if (commit) tables.set(o.name, table);
  }
  const stamps = table.get(addr);
  let ret = o.invert;
  const who = `${formatIpv4(addr)} in list ${o.name}`;
  if (!stamps) {
    if (o.command !== 'set') return { ok: ret, why: `${who}: not listed` };
    if (commit) table.set(addr, [now]);
    return { ok: !ret, why: `${who}: added` };
  }
  let why = `${who}: listed`;
  if (o.command === 'set') ret = !ret;
  else if (o.command === 'remove') {
    if (commit) table.delete(addr);
    ret = !ret;
    why = `${who}: removed`;
  } else {
    const since = now - o.seconds * 1000;
    let hits = 0;
    for (const t of stamps) {
      if (o.seconds && t < since) continue;
      if (!o.hitcount || ++hits >= o.hitcount) {
        ret = !ret;
        break;
      }
    }
    why = `${who}: ${hits || stamps.length} hit(s)${o.seconds ? ` in the last ${o.seconds}s` : ''}${o.hitcount ? `, need ${o.hitcount}` : ''}`;
    if (o.reap && commit) {
      const kept = stamps.filter((t) => t >= since);
      stamps.length = 0;
      stamps.push(...kept);
    }
  }
  if (commit && (o.command === 'set' || (o.command === 'update' && ret))) {
    stamps.push(now);
    if (stamps.length > IP_PKT_LIST_TOT) stamps.shift();
  }
  return { ok: ret, why };
}
