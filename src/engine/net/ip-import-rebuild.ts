// pattern: Functional Core
// The second pass of an `ip ... show` import: what the kernel recreates by
// itself is skipped (prefix routes and table-local entries of the imported
// addresses, the default rules), the addresses a routes-only paste implies
// are added, and the commands are ordered so they apply cleanly to a fresh
// host (links, then addresses, then device routes before gateway routes,
// then rules, and links that were down go down last).

import type { Ipv4 } from './addr';
import { formatIpv4, prefixMask } from './addr';
import { CommandBuilder, DEFAULT_RULES, maskedPrefix, originOf, type AddrRec, type Collected, type ImportCommand, type ImportResult, type RouteRec } from './ip-import-records';

/** What makes two routes the same fib entry (table, prefix, tos, metric): a later one with the same key was appended. */
function routeKey(r: RouteRec): string {
  const c = r.cmd;
  return `${r.table} ${c.dst!.addr}/${c.dst!.len} ${c.tos} ${c.metric ?? 0}`;
}

/** Addresses a routes-only paste implies from its kernel routes' `src`. */
function implyAddresses(imp: Collected): Set<RouteRec> {
  const used = new Set<RouteRec>();
  if (imp.addrs.length > 0 || imp.links.length > 0) return used;
  const have = (dev: string, addr: Ipv4): boolean => (dev === 'lo' && addr === 0x7f000001) || imp.addrs.some((a) => a.dev === dev && a.addr === addr);
  const add = (r: RouteRec, dev: string, addr: Ipv4, len: number, noPrefixRoute: boolean): void => {
    const srcAt = r.cmd.dstSpan ? originOf(r.command, r.cmd.dstSpan.from) : r.span;
    const b = new CommandBuilder().add('ip').add('address').add('add').add(`${formatIpv4(addr)}/${len}`, srcAt);
    if (noPrefixRoute) b.add('noprefixroute');
    const devWord = r.cmd.nexthops[0]?.dev;
    b.add('dev').add(dev, devWord ? originOf(r.command, devWord.from) : null);
    imp.addrs.push({ line: r.line, dev, addr, len, broadcast: 0, noPrefixRoute, metric: 0, implied: true, command: b.build(r.span), extraRoute: null });
    used.add(r);
  };
  for (const r of imp.routes) {
    const c = r.cmd;
    const dev = c.nexthops[0]?.dev?.text;
    if (c.proto !== 'kernel' || r.table !== 254 || c.type !== null || c.prefsrc === 0 || dev === undefined || r.hasGateway || c.multipath) continue;
    const dst = c.dst!;
    if (maskedPrefix(c.prefsrc, dst.len) !== dst.addr || have(dev, c.prefsrc)) continue;
    add(r, dev, c.prefsrc, dst.len, (c.metric ?? 0) !== 0);
  }
  for (const r of imp.routes) {
    const c = r.cmd;
    const dev = c.nexthops[0]?.dev?.text;
    if (c.proto !== 'kernel' || c.type !== 'local' || c.dst!.len !== 32 || dev === undefined || have(dev, c.dst!.addr)) continue;
    const prim = imp.addrs.find((a) => a.dev === dev && a.addr === c.prefsrc);
    const len = prim && maskedPrefix(c.dst!.addr, prim.len) === maskedPrefix(prim.addr, prim.len) ? prim.len : 32;
    add(r, dev, c.dst!.addr, len, prim?.noPrefixRoute ?? false);
  }
  return used;
}

/** Why the kernel recreates route r from the imported addresses, or null when it does not. */
function recreatedBy(imp: Collected, r: RouteRec): string | null {
  const c = r.cmd;
  if (c.proto !== 'kernel' || c.multipath || r.hasGateway) return null;
  const dev = c.nexthops[0]?.dev?.text;
  if (dev === undefined) return null;
  const dst = c.dst!;
  const addrs: AddrRec[] = [...imp.addrs];
  if (!addrs.some((a) => a.dev === 'lo' && a.addr === 0x7f000001)) {
    addrs.unshift({ line: 0, dev: 'lo', addr: 0x7f000001, len: 8, broadcast: 0, noPrefixRoute: false, metric: 0, implied: true, command: null, extraRoute: null });
  }
  const onDev = addrs.filter((a) => a.dev === dev);
  const primaries = onDev.filter((a, i) => !onDev.slice(0, i).some((o) => o.len === a.len && maskedPrefix(o.addr, o.len) === maskedPrefix(a.addr, a.len)));
  const from = (a: AddrRec): string => (a.line === 0 ? 'the address a fresh host has on lo' : a.implied ? `the address implied by line ${a.line}` : `the address on line ${a.line}`);
  if (c.type === null && r.table === 254) {
    for (const a of primaries) {
      const pfx = maskedPrefix(a.addr, a.len);
      if (a.noPrefixRoute || pfx === 0 || (pfx === a.addr && a.len === 32)) continue;
      if (pfx === dst.addr && a.len === dst.len && (c.prefsrc === 0 || c.prefsrc === a.addr) && (c.metric ?? 0) === 0) return `kernel prefix route: recreated by ${from(a)}`;
    }
    for (const a of onDev) {
      const x = a.extraRoute;
      if (x && x.dst === dst.addr && x.len === dst.len && (c.metric ?? 0) === a.metric) return `kernel prefix route: added with ${from(a)}`;
    }
    return null;
  }
  if (r.table !== 255) return null;
  if (c.type === 'local') {
    if (dst.len === 32) {
      const a = onDev.find((o) => o.addr === dst.addr);
      return a ? `table local entry: recreated by ${from(a)}` : null;
    }
    const a = primaries.find((o) => o.len === dst.len && maskedPrefix(o.addr, o.len) === dst.addr && dev === 'lo');
    return a ? `table local entry: recreated by ${from(a)}` : null;
  }
  if (c.type === 'broadcast' && dst.len === 32) {
    for (const a of primaries) {
      const mask = prefixMask(a.len);
      const pfx = maskedPrefix(a.addr, a.len);
      if (a.broadcast === dst.addr || (a.len < 31 && ((pfx | ~mask) >>> 0) === dst.addr)) return `table local broadcast entry: recreated by ${from(a)}`;
      if (a.len < 31 && pfx === dst.addr) return `broadcast route for the network address of ${from(a)}: kernels before Linux 5.x added it, Linux 6 does not`;
    }
  }
  return null;
}

export function rebuild(imp: Collected): ImportResult {
  const implied = implyAddresses(imp);
  const linkCmds: ImportCommand[] = [];
  const linkSetCmds: ImportCommand[] = [];
  const downCmds: ImportCommand[] = [];
  const masters = new Set(imp.links.map((l) => l.master?.text).filter((m): m is string => m !== undefined));
  for (const l of imp.links) {
    const span = l.span;
    if (l.loopback || l.name === 'lo') {
      if (l.mtu && l.mtu.text !== '65536') linkCmds.push(new CommandBuilder().add('ip').add('link').add('set').add(l.name, l.nameTok).add('mtu').tok(l.mtu).build(span));
      else imp.skip(l.line, 'a fresh host already has lo');
      continue;
    }
    const b = new CommandBuilder().add('ip').add('link').add('add').add(l.name, l.nameTok);
    if (l.mac) b.add('address').tok(l.mac);
    if (l.mtu && l.mtu.text !== '1500') b.add('mtu').tok(l.mtu);
    const kind = l.kind ?? (masters.has(l.name) ? 'bridge' : 'veth');
    b.add('type').add(kind);
    linkCmds.push(b.build(span));
    const s = new CommandBuilder().add('ip').add('link').add('set').add(l.name, l.nameTok);
    if (l.master) s.add('master').tok(l.master);
    if (l.group) s.add('group').tok(l.group);
    // down links come up for now so routes over them can be added, and go down last
    // (the kernel flushes or marks `dead` what used them, as it did on the machine)
    s.add('up');
    linkSetCmds.push(s.build(span));
    if (l.up === false) downCmds.push(new CommandBuilder().add('ip').add('link').add('set').add(l.name, l.nameTok).add('down').build(span));
  }
  // a bridge takes the smallest MTU of its ports when they join (br_mtu_auto_adjust): one whose
  // MTU differs from that had it set by hand, so it is set again once its ports are in
  const mtuOf = (l: (typeof imp.links)[number]) => (l.mtu ? Number(l.mtu.text) : 1500);
  for (const br of imp.links) {
    if (!masters.has(br.name) || !br.mtu) continue;
    const ports = imp.links.filter((l) => l.master?.text === br.name);
    if (mtuOf(br) === Math.min(...ports.map(mtuOf))) continue;
    linkSetCmds.push(new CommandBuilder().add('ip').add('link').add('set').add(br.name, br.nameTok).add('mtu').tok(br.mtu).build(br.span));
  }
  const addrCmds: ImportCommand[] = [];
  const extraRoutes: ImportCommand[] = [];
  for (const a of imp.addrs) {
    if (a.command) addrCmds.push(a.command);
    if (a.extraRoute) extraRoutes.push(a.extraRoute.command);
  }
  // device routes before gateway routes: a gateway must be reachable through
  // a link-scope route when it is added (fib_check_nh)
  const kept: RouteRec[] = [];
  for (const r of imp.routes) {
    const why = recreatedBy(imp, r);
    if (why !== null) {
      if (!implied.has(r)) imp.skip(r.line, why);
      continue;
    }
    kept.push(r);
  }
  const ordered = [...kept.filter((r) => !r.hasGateway), ...kept.filter((r) => r.hasGateway)];
  const routeCmds: ImportCommand[] = [...extraRoutes];
  const seen = new Set<string>();
  for (const r of ordered) {
    // a second route with the same key was appended (NLM_F_APPEND) on the machine
    const key = routeKey(r);
    const dup = seen.has(key);
    seen.add(key);
    if (!dup) routeCmds.push(r.command);
    else routeCmds.push({ ...r.command, text: r.command.text.replace(/^ip route add /, 'ip route append ') });
  }
  const ruleCmds: ImportCommand[] = [];
  const complete = imp.rules.some((r) => r.defaultOf !== null);
  if (complete && imp.ruleSpan) {
    // a full `ip rule show` lists every rule: a default one missing was deleted on the machine
    for (const [prio, table] of DEFAULT_RULES) {
      if (!imp.rules.some((r) => r.defaultOf === table)) {
        ruleCmds.push(new CommandBuilder().add('ip').add('rule').add('del').add('priority').add(String(prio)).add('from').add('all').add('lookup').add(table).build(imp.ruleSpan));
      }
    }
  }
  for (const r of imp.rules) {
    if (r.defaultOf !== null) imp.skip(r.line, `a fresh host already has the default rule ${r.cmd.priority} (lookup ${r.defaultOf})`);
    else ruleCmds.push(r.command);
  }
  const commands = [...linkCmds, ...linkSetCmds, ...addrCmds, ...routeCmds, ...ruleCmds, ...downCmds];
  imp.skipped.sort((a, b) => a.line - b.line);
  return { commands, skipped: imp.skipped, tables: [...imp.tableNames].map(([name, span]) => ({ name, span })), devices: devices(imp, commands) };
}

function devices(imp: Collected, commands: ImportCommand[]): string[] {
  const created = new Set(['lo', ...imp.links.map((l) => l.name)]);
  const out: string[] = [];
  // the words are walked in place, not split: a string per word of 32,000 commands showed in the profile (issue 10)
  for (const c of commands) {
    const t = c.text;
    let afterKey = false;
    for (let start = 0; start <= t.length; ) {
      let end = t.indexOf(' ', start);
      if (end < 0) end = t.length;
      if (afterKey) {
        const d = t.slice(start, end);
        if (!created.has(d) && !out.includes(d)) out.push(d);
      }
      const n = end - start;
      afterKey = (n === 3 && (t.startsWith('dev', start) || t.startsWith('iif', start) || t.startsWith('oif', start))) || (n === 6 && t.startsWith('master', start));
      start = end + 1;
    }
  }
  return out;
}
