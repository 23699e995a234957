// pattern: Functional Core
// The console's read-only commands: `iptables -L/-S`, `iptables-save`, `ip
// … show`, `ip route get`, `ipvsadm -L`, `sysctl NAME`, `sysctl -a`,
// `conntrack -L`, `bridge link|fdb`, `help`. They print what the real tools print, as of a
// step of a walk (counters, conntrack, IPVS), and change nothing: the lab
// asks this module first, and only a command it does not answer is an
// edit. The engine decides which commands read, not a pattern on the page.
//
// Ground truth: __fixtures__/readonly/ (record.py runs queries.txt on the
// real tools in namespaces built like the oracle's; readonly.test.ts runs
// the same on the engine).

import { formatTunnelShow } from '../net/tunnel';
import type { HostConfig } from '../sim/host-config';
import type { Scenario } from '../scenario/types';
import type { PacketView } from '../walk-log';
import { compareEntryViews, type CtListRow } from '../conntrack/view';
import type { IpvsSnapshot } from '../ipvs/snapshot';
import type { TableName } from '../netfilter/hooks';
import { TABLES } from '../netfilter/hooks';
import { splitWords } from '../text/shlex';
import { listChains, saveOne, type ListFormat } from '../iptables/list';
import { chainsInSaveOrder, listRules, saveRule } from '../iptables/save';
import type { Chain } from '../iptables/ruleset';
import { formatRoutes } from '../net/ip-route';
import { formatRules } from '../net/ip-rule';
import { formatAddrShow, formatLinkShow, formatNeighShow, formatRouteGet, type Peers } from '../net/ip-show';
import { parseIpv4 } from '../net/addr';
import type { Neighbour, NudState } from '../net/config';
import { DEVCONF_DEFAULTS, devconfDefault, GLOBAL_SYSCTL_DEFAULTS } from '../net/config';
import { countersAsOf } from './views';
import { closest, COMMANDS, type Completion } from './readonly-complete';
import { inspectStep, recordOrder, socketsAtStep, type InspectableWalk, type NeighRow, type StepInspection } from './inspect';
import { ss } from './ss';
import { bridgeQuery } from './bridge';
import { tcQuery } from '../tc/tc';
import { tcTrafficAt } from './tc';
import type { FdbLearned } from '../sim/l2';
import { arpShow, ifconfigShow, netstatInterfaces, netstatRoutes, netstatSockets, routeShow, type DevStats, type NetToolsState } from './net-tools';
import { listenerRows, type SocketRow } from '../sim/socket-table';

export { completeCommand } from './readonly-complete';

/** What a read-only command printed, as a terminal shows it. */
export interface QueryOutput {
  stdout: string;
  stderr: string;
  /** the tool's exit status */
  exit: number;
}

/** The lab's state a query reads: one host's configuration, and the walk and step when there is one. */
export interface QueryContext {
  host: string;
  config: HostConfig;
  scenario: Scenario;
  /** every host's configuration (a veth's peer is in another host) */
  configs: ReadonlyMap<string, HostConfig>;
  /** the walk (its log and the run inspection reads) and the step on screen */
  walk: (InspectableWalk & { asOf: number }) | null;
  /** the page's clock (ms since the epoch) and its offset from UTC in minutes, for iptables-save's header */
  now: number;
  tzOffset: number;
}

const out = (stdout: string, stderr = '', exit = 0): QueryOutput => ({ stdout, stderr, exit });
const fail = (stderr: string, exit = 1): QueryOutput => ({ stdout: '', stderr: stderr.endsWith('\n') ? stderr : `${stderr}\n`, exit });

/**
 * Answer `text` when it is a read-only command, or null when it is not
 * (an edit, or a tool the console does not know: the edit path says why).
 */
export function runQuery(text: string, ctx: QueryContext): QueryOutput | null {
  const words = splitWords(text.trim()).words.map((w) => w.text);
  const tool = words[0];
  if (!tool) return null;
  const args = words.slice(1);
  switch (tool) {
    case 'iptables':
      return iptables(args, ctx);
    case 'iptables-save':
      return iptablesSave(args, ctx);
    case 'ip':
      return ip(args, ctx);
    case 'ipvsadm':
      return ipvsadm(args, ctx);
    case 'sysctl':
      return sysctl(args, ctx);
    case 'conntrack':
      return conntrack(args, ctx);
    case 'ss':
      return ss(args, socketsAt(ctx));
    case 'ifconfig':
    case 'route':
    case 'arp':
    case 'netstat':
      return netTools(tool, args, ctx);
    case 'tc':
      return tcQuery(text, ctx.config.net, tcTrafficAt(ctx));
    case 'bridge':
      return bridgeQuery(args, { net: ctx.config.net, peers: peersOf(ctx), learned: learnedAt(ctx) });
    case 'help':
      return args.length ? null : out(helpText());
  }
  if (COMMANDS.some((c) => c.name === tool)) return null;
  const near = closest(tool, COMMANDS.map((c) => c.name));
  return fail(`${tool}: command not found${near ? `; did you mean ${near}?` : ''}`, 127);
}

/** The commands the console answers, one per line: what `help` prints. */
export function helpText(): string {
  return `${COMMANDS.map((c: Completion) => `${c.usage.padEnd(58)} ${c.what}`).join('\n')}\n`;
}

// ------------------------------------------------------------------ state as of a step

/**
 * The console's host as of the step on screen, which may be a step of
 * another host's packet: the inspection (lab/inspect.ts) of the host's own
 * step at `asOf` when the step is one of its packets', else of the last
 * step of its latest packet before it — its tables as that packet left
 * them. `first`: the host has no packet up to the step; its first packet
 * (if any) found the tables the walk started with. A host's packets are in
 * the log in the order the host handled them (walk-log.ts causalOrder keeps
 * each host's own sequence), so "latest before the step" is its state then.
 */
function hostAsOf(walk: InspectableWalk & { asOf: number }, host: string): { at: StepInspection } | { first: PacketView | null } {
  let found: PacketView | null = null;
  let first: PacketView | null = null;
  for (const p of walk.log.packets) {
    if (p.host !== host) continue;
    if (!first || p.firstStep < first.firstStep) first = p;
    if (p.firstStep <= walk.asOf && (!found || p.firstStep > found.firstStep)) found = p;
  }
  const at = found ? inspectStep(walk, Math.min(walk.asOf, found.lastStep)) : null;
  return at ? { at } : { first };
}

/**
 * The host's conntrack table as `conntrack -L` lists it as of the step;
 * null when conntrack is not active there. The packet's own entry is
 * listed only once nf_conntrack_confirm has put it in the hash table:
 * ctnetlink_dump_table walks nf_conntrack_hash, and an unconfirmed entry
 * hangs off the skb alone (a packet dropped before confirmation never
 * shows in `conntrack -L`).
 */
export function conntrackAt(ctx: QueryContext): CtListRow[] | null {
  if (!ctx.walk) return [];
  const s = hostAsOf(ctx.walk, ctx.host);
  if (!('at' in s)) return s.first ? s.first.conntrackBefore : [];
  const ct = s.at.conntrack;
  if (!ct) return null;
  return ct.entries
    .filter((e) => !e.unconfirmed)
    .map((e): CtListRow => ({ id: e.id, entry: e.entry, timeout: e.timeout, line: e.line }))
    .sort((a, b) => compareEntryViews(a.entry, b.entry));
}

/** IPVS as of the step: as the host's packet found it until its IPVS step, as IPVS left it from then on. */
export function ipvsAt(ctx: QueryContext): IpvsSnapshot | null {
  if (!ctx.walk) return null;
  const end = ctx.walk.log.hosts.find((h) => h.name === ctx.host)?.ipvs ?? null;
  const s = hostAsOf(ctx.walk, ctx.host);
  if (!('at' in s)) return s.first?.ipvsBefore ?? end;
  return s.at.ipvs?.snapshot ?? end;
}

function neighbour(r: NeighRow): Neighbour {
  return { iface: r.dev, addr: parseIpv4(r.addr) ?? 0, lladdr: r.lladdr, state: r.state.toLowerCase() as NudState };
}

/**
 * The neighbour table as of the step: what the host learned (ARP) by then,
 * in the states inspection gives, and the `ip neigh add` entries it has
 * not needed yet. A walk starts every host with an empty cache, so before
 * the host's first packet only the configured entries are there.
 */
export function neighboursAt(ctx: QueryContext): readonly Neighbour[] {
  const configured = ctx.config.net.neighbours;
  if (!ctx.walk) return configured;
  const s = hostAsOf(ctx.walk, ctx.host);
  return 'at' in s ? s.at.neighbours.map(neighbour) : configured;
}

/**
 * The host's sockets as of the step (`ss`, `netstat`): the walk starts every
 * host with its listeners alone; from the host's first packet on, the
 * table as its latest packet up to the step found or left it.
 */
export function socketsAt(ctx: QueryContext): SocketRow[] {
  const start = () => listenerRows(ctx.scenario.listeners.filter((l) => l.host === ctx.host).map((l) => ({ proto: l.proto, addr: parseIpv4(l.addr) ?? 0, port: l.port })));
  if (!ctx.walk) return start();
  let found: PacketView | null = null;
  for (const p of ctx.walk.log.packets) if (p.host === ctx.host && p.firstStep <= ctx.walk.asOf && (!found || p.firstStep > found.firstStep)) found = p;
  return (found && socketsAtStep(ctx.walk, Math.min(ctx.walk.asOf, found.lastStep))) ?? start();
}

/**
 * What the host's bridges had learned as of the step: an entry shows from
 * the first step of the first packet the engine opened after the frame
 * that taught it (a bridge learns from every frame, ARP too, and frames
 * are not steps), and at the walk's last step everything the walk taught
 * shows. Every walk starts the bridges empty (a fresh namespace, as the
 * oracle's). An address that moved shows on its latest port only.
 */
export function learnedAt(ctx: QueryContext): readonly FdbLearned[] {
  const walk = ctx.walk;
  const host = walk?.world.hosts.get(ctx.host);
  if (!walk || !host) return [];
  const all = walk.world.l2.fdbLearned(host);
  if (walk.asOf >= walk.log.steps.length - 1) return all;
  let reached = -1;
  for (const p of walk.log.packets) if (p.firstStep <= walk.asOf) reached = Math.max(reached, recordOrder(walk, p.id));
  return all.filter((e) => e.seq <= reached);
}

/**
 * The host's device counters as of the step, by the rule learnedAt follows:
 * a frame counts from the first step of the first packet the engine opened
 * after it (frames are not steps), and at the walk's last step every frame
 * the walk moved counts. Every walk starts them at 0 (a fresh namespace).
 */
export function deviceStatsAt(ctx: QueryContext): Map<string, DevStats> {
  const out = new Map<string, DevStats>();
  const walk = ctx.walk;
  if (!walk || !walk.world.hosts.has(ctx.host)) return out;
  let reached = Infinity;
  if (walk.asOf < walk.log.steps.length - 1) {
    reached = -1;
    for (const p of walk.log.packets) if (p.firstStep <= walk.asOf) reached = Math.max(reached, recordOrder(walk, p.id));
  }
  for (const c of walk.world.l2.devCounts) {
    if (c.host !== ctx.host || c.seq > reached) continue;
    let st = out.get(c.dev);
    if (!st) out.set(c.dev, (st = { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, txDropped: 0 }));
    if (c.field === 'rx') {
      st.rxPackets++;
      st.rxBytes += c.bytes;
    } else if (c.field === 'tx') {
      st.txPackets++;
      st.txBytes += c.bytes;
    } else st.txDropped++;
  }
  return out;
}

// ------------------------------------------------------------------ net-tools

function netToolsState(ctx: QueryContext): NetToolsState {
  const seen = ctx.walk !== null && ctx.walk.log.packets.some((p) => p.host === ctx.host && p.firstStep <= ctx.walk!.asOf);
  return { net: ctx.config.net, peers: peersOf(ctx), neighbours: neighboursAt(ctx), sockets: socketsAt(ctx), stats: deviceStatsAt(ctx), trafficSeen: seen };
}

/** Single-letter options of a net-tools command (`-tuln`) and its other words; null when a letter is not in `allowed`. */
function letters(args: readonly string[], allowed: string): { opts: Set<string>; rest: string[] } | null {
  const opts = new Set<string>();
  const rest: string[] = [];
  for (const w of args) {
    if (/^-[A-Za-z]+$/.test(w)) {
      for (const ch of w.slice(1)) {
        if (!allowed.includes(ch)) return null;
        opts.add(ch);
      }
    } else rest.push(w);
  }
  return { opts, rest };
}

const NUMERIC_ONLY = (tool: string, example: string) => fail(`${tool}: PacketWalk prints numeric addresses only (it has no resolver): add -n (${example}).`);

/**
 * The read-only forms of ifconfig, route, arp and netstat; null for their
 * writes (`ifconfig eth0 up`, `route add …`), which the edit path
 * translates to iproute2 (net-tools-write.ts).
 */
function netTools(tool: 'ifconfig' | 'route' | 'arp' | 'netstat', args: readonly string[], ctx: QueryContext): QueryOutput | null {
  switch (tool) {
    case 'ifconfig': {
      const all = args[0] === '-a';
      const rest = all ? args.slice(1) : args;
      if (rest.length > 1 || (rest[0]?.startsWith('-') ?? false)) return null;
      return ifconfigShow(netToolsState(ctx), all, rest[0] ?? null);
    }
    case 'route': {
      const a = letters(args, 'ne');
      if (!a || a.rest.length) return null;
      return routeShow(ctx.config.net, a.opts.has('n'));
    }
    case 'arp': {
      let iface: string | null = null;
      const words = [...args];
      const i = words.indexOf('-i');
      if (i >= 0) {
        iface = words[i + 1] ?? null;
        words.splice(i, 2);
      }
      const a = letters(words, 'nav');
      if (!a || a.rest.length > 1) return null;
      const addr = a.rest[0] ?? null;
      if (addr !== null && parseIpv4(addr) === null) return fail(`${addr}: Unknown host`, 255);
      return arpShow(neighboursAt(ctx), { bsd: a.opts.has('a'), iface, addr });
    }
    case 'netstat': {
      const a = letters(args, 'tulanri');
      if (!a || a.rest.length) return fail(`netstat: PacketWalk answers netstat -tuln, -tan, -rn and -i${a ? `, not "${a.rest.join(' ')}"` : ''}.`);
      const o = a.opts;
      if (o.has('i')) return netstatInterfaces(netToolsState(ctx), o.has('a'));
      if (o.has('r')) return o.has('n') ? netstatRoutes(ctx.config.net) : NUMERIC_ONLY('netstat', 'netstat -rn');
      if (!o.has('t') && !o.has('u')) return fail('netstat: PacketWalk lists TCP and UDP sockets (netstat -t/-u); Unix sockets are not modelled.');
      if (!o.has('n')) return NUMERIC_ONLY('netstat', 'netstat -tuln');
      return netstatSockets(socketsAt(ctx), { tcp: o.has('t'), udp: o.has('u'), listening: o.has('l'), all: o.has('a') });
    }
  }
}

// ------------------------------------------------------------------ iptables

const TABLE_NAMES: readonly string[] = TABLES;

interface IptablesArgs {
  table: TableName;
  command: 'list' | 'list-rules' | null;
  chain: string | null;
  rulenum: number | null;
  format: ListFormat;
}

const IPT_ERR = 'iptables v1.8.9 (legacy): ';
const IPT_TRY = "Try `iptables -h' or 'iptables --help' for more information.";

function parseIptables(args: readonly string[]): IptablesArgs | { error: string } | null {
  const a: IptablesArgs = { table: 'filter', command: null, chain: null, rulenum: null, format: { numeric: false, verbose: false, exact: false, lineNumbers: false } };
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    const setCmd = (c: IptablesArgs['command']): { error: string } | null => {
      if (a.command && a.command !== c) return { error: `${IPT_ERR}Illegal option \`-${c === 'list' ? 'L' : 'S'}' with this command\n${IPT_TRY}` };
      a.command = c;
      return null;
    };
    if (w === '-t' || w === '--table') {
      const t = args[++i];
      if (!t || !TABLE_NAMES.includes(t)) return { error: `${IPT_ERR}can't initialize iptables table \`${t ?? ''}': Table does not exist (do you need to insmod?)\nPerhaps iptables or your kernel needs to be upgraded.` };
      a.table = t as TableName;
    } else if (w === '--list') {
      const e = setCmd('list');
      if (e) return e;
    } else if (w === '--list-rules') {
      const e = setCmd('list-rules');
      if (e) return e;
    } else if (w === '--numeric') a.format.numeric = true;
    else if (w === '--verbose') a.format.verbose = true;
    else if (w === '--exact') a.format.exact = true;
    else if (w === '--line-numbers') a.format.lineNumbers = true;
    else if (/^-[A-Za-z]+$/.test(w)) {
      for (const ch of w.slice(1)) {
        if (ch === 'L' || ch === 'S') {
          const e = setCmd(ch === 'L' ? 'list' : 'list-rules');
          if (e) return e;
        } else if (ch === 'n') a.format.numeric = true;
        else if (ch === 'v') a.format.verbose = true;
        else if (ch === 'x') a.format.exact = true;
        else if (ch === 't') {
          const t = args[++i];
          if (!t || !TABLE_NAMES.includes(t)) return { error: `${IPT_ERR}can't initialize iptables table \`${t ?? ''}': Table does not exist (do you need to insmod?)\nPerhaps iptables or your kernel needs to be upgraded.` };
          a.table = t as TableName;
        } else return null;
      }
    } else if (w.startsWith('-')) return null;
    else rest.push(w);
  }
  if (!a.command) return null;
  if (rest.length > 2) return { error: `${IPT_ERR}Bad argument \`${rest[2]}'\n${IPT_TRY}` };
  a.chain = rest[0] ?? null;
  if (rest[1] !== undefined) {
    const n = Number(rest[1]);
    if (!/^\d+$/.test(rest[1]) || n < 1) return { error: `${IPT_ERR}Invalid rule number \`${rest[1]}'\n${IPT_TRY}` };
    a.rulenum = n;
  }
  return a;
}

function chainCounters(ctx: QueryContext, table: TableName) {
  return (c: Chain) => {
    if (!ctx.walk) return { rules: () => ({ packets: 0, bytes: 0 }), policy: { packets: 0, bytes: 0 } };
    const got = countersAsOf(ctx.walk.log, ctx.host, table, c.name, ctx.walk.asOf);
    return { rules: (n: number) => got.rules.get(n) ?? { packets: 0, bytes: 0 }, policy: got.policy };
  };
}

function noChain(ctx: QueryContext, table: TableName, chain: string): QueryOutput {
  const names = chainsInSaveOrder(ctx.config.rules, table).map((c) => c.name);
  const near = closest(chain, names);
  return fail(`iptables: No chain/target/match by that name.${near ? `\n(did you mean ${near}?)` : ''}`);
}

function iptables(args: readonly string[], ctx: QueryContext): QueryOutput | null {
  const a = parseIptables(args);
  if (a === null) return null;
  if ('error' in a) return fail(a.error, 2);
  const rs = ctx.config.rules;
  if (a.command === 'list') {
    const text = listChains(rs, a.table, a.chain, a.format, chainCounters(ctx, a.table), a.rulenum);
    return text === null ? noChain(ctx, a.table, a.chain!) : out(text);
  }
  if (a.chain !== null && !rs.tables[a.table].chains.has(a.chain)) return noChain(ctx, a.table, a.chain);
  if (a.rulenum !== null) {
    const line = saveOne(rs.tables[a.table].chains.get(a.chain!)!, a.rulenum);
    return line === null ? fail('iptables: Index of deletion too big.') : out(`${line}\n`);
  }
  if (a.format.verbose) {
    // -S -v prints each rule's counters as `-c PKTS BYTES` after the chain (iptables.c print_rule4 with counters)
    const counters = chainCounters(ctx, a.table);
    const chains = a.chain === null ? chainsInSaveOrder(rs, a.table) : [rs.tables[a.table].chains.get(a.chain)!];
    const lines: string[] = [];
    for (const c of chains) {
      const k = counters(c);
      lines.push(c.builtin ? `-P ${c.name} ${c.policy} -c ${k.policy.packets} ${k.policy.bytes}` : `-N ${c.name}`);
    }
    for (const c of chains) {
      const k = counters(c);
      c.rules.forEach((r, i) => {
        const t = saveRule(a.table, c.name, r);
        const n = k.rules(i + 1);
        lines.push(`-A ${c.name} -c ${n.packets} ${n.bytes}${t.slice(`-A ${c.name}`.length)}`);
      });
    }
    return out(`${lines.join('\n')}\n`);
  }
  return out(`${listRules(rs, a.table, a.chain).join('\n')}\n`);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ctime(3) without its newline: `Mon Dec  7 15:26:15 2026`, in the page's time zone. */
export function ctime(now: number, tzOffset: number): string {
  const d = new Date(now + tzOffset * 60_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** `iptables-save [-c] [-t TABLE]`: tables newest first (legacy), each between its `#` lines. */
function iptablesSave(args: readonly string[], ctx: QueryContext): QueryOutput | null {
  let counters = false;
  let only: TableName | null = null;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w === '-c' || w === '--counters') counters = true;
    else if (w === '-t' || w === '--table') {
      const t = args[++i];
      if (!t || !TABLE_NAMES.includes(t)) return fail(`iptables-save v1.8.9 (legacy): Cannot initialize: Table does not exist (do you need to insmod?)`);
      only = t as TableName;
    } else return fail(`Unknown arguments found on commandline`);
  }
  const rs = ctx.config.rules;
  const when = ctime(ctx.now, ctx.tzOffset);
  const blocks: string[] = [];
  for (let i = rs.loaded.length - 1; i >= 0; i--) {
    const table = rs.loaded[i]!;
    if (only && table !== only) continue;
    const count = chainCounters(ctx, table);
    const chains = chainsInSaveOrder(rs, table);
    const lines = [`# Generated by iptables-save v1.8.9 on ${when}`, `*${table}`];
    for (const c of chains) {
      const p = c.builtin ? count(c).policy : { packets: 0, bytes: 0 };
      lines.push(`:${c.name} ${c.policy ?? '-'} [${p.packets}:${p.bytes}]`);
    }
    for (const c of chains) {
      const k = count(c);
      c.rules.forEach((r, j) => {
        const n = k.rules(j + 1);
        lines.push(`${counters ? `[${n.packets}:${n.bytes}] ` : ''}${saveRule(table, c.name, r)}`);
      });
    }
    lines.push('COMMIT', `# Completed on ${when}`);
    blocks.push(lines.join('\n'));
  }
  return out(blocks.length ? `${blocks.join('\n')}\n` : '');
}

// ------------------------------------------------------------------ ip

const IP_OBJECTS: readonly [string, 'address' | 'route' | 'rule' | 'neigh' | 'link' | 'tunnel' | null][] = [
  ['address', 'address'], ['addrlabel', null], ['maddress', null], ['route', 'route'], ['rule', 'rule'],
  ['neighbor', 'neigh'], ['neighbour', 'neigh'], ['ntable', null], ['ntbl', null], ['link', 'link'],
  ['l2tp', null], ['fou', null], ['ila', null], ['macsec', null], ['tunnel', 'tunnel'], ['tunl', 'tunnel'],
];
const SHOW = ['show', 'list', 'lst', 'sh', 'ls', 'l'];

/** The other ends of the host's veths, as the oracle builds them (a switch is a namespace `sw-NAME` with br0, then p1, p2 …). */
function peersOf(ctx: QueryContext): Peers {
  const peers = new Map<string, { ifindex: number; netns: string; up: boolean }>();
  const ifindex = (host: string, iface: string) => ctx.configs.get(host)?.net.links.find((l) => l.name === iface);
  for (const [a, b] of ctx.scenario.links) {
    for (const [me, other] of [[a, b], [b, a]] as const) {
      if (me.host !== ctx.host) continue;
      const l = ifindex(other.host, other.iface);
      if (l) peers.set(me.iface, { ifindex: l.ifindex, netns: other.host, up: l.up });
    }
  }
  for (const sw of ctx.scenario.switches)
    sw.ports.forEach((p, k) => {
      if (p.host === ctx.host) peers.set(p.iface, { ifindex: k + 3, netns: `sw-${sw.name}`, up: true });
    });
  return peers;
}

/** The host's devices that are up without carrier: veths whose other end is down. */
function noCarrier(ctx: QueryContext): ReadonlySet<string> {
  const down = new Set<string>();
  for (const [iface, peer] of peersOf(ctx)) if (!peer.up && ctx.config.net.links.some((l) => l.name === iface && l.up)) down.add(iface);
  return down;
}

function noDevice(dev: string): QueryOutput {
  return fail(`Device "${dev}" does not exist.`);
}

function ip(args: readonly string[], ctx: QueryContext): QueryOutput | null {
  let inet = false;
  let i = 0;
  for (; i < args.length && args[i]!.startsWith('-'); i++) {
    const o = args[i]!;
    if (o === '-4') inet = true;
    else if (o === '-d' || o === '-details' || o === '-s' || o === '-stats' || o === '-statistics') return fail(`Option "${o}" is not modelled here: PacketWalk keeps no link details or statistics.`);
    else return null;
  }
  const objWord = args[i++];
  const net = ctx.config.net;
  if (objWord === undefined) return null;
  const obj = IP_OBJECTS.find(([name]) => name.startsWith(objWord))?.[1];
  if (!obj) return null;
  let verb = args[i];
  if (verb !== undefined && SHOW.includes(verb)) i++;
  else if (verb !== undefined && obj === 'route' && verb === 'get') i++;
  else if (verb !== undefined && (obj === 'address' || obj === 'link' || obj === 'neigh') && (verb === 'dev' || !/^[a-z]+$/.test(verb) || net.links.some((l) => l.name === verb))) verb = 'show';
  else if (verb !== undefined && obj === 'route' && verb === 'table') verb = 'show';
  else if (verb !== undefined) return null;
  const rest = args.slice(i);
  switch (obj) {
    case 'address':
    case 'link': {
      let dev: string | null = null;
      for (let k = 0; k < rest.length; k++) {
        if (rest[k] === 'dev') dev = rest[++k] ?? null;
        else if (dev === null) dev = rest[k]!;
        else return fail(`Error: either "dev" is duplicate, or "${rest[k]}" is a garbage.`);
      }
      const text = obj === 'address' ? formatAddrShow(net, peersOf(ctx), { dev, inet }) : formatLinkShow(net, peersOf(ctx), dev);
      return text === null ? noDevice(dev!) : out(text);
    }
    case 'route':
      if (verb === 'get') return routeGet(rest, ctx);
      if (!rest.length) return out(formatRoutes(net, undefined, noCarrier(ctx)));
      if (rest[0] === 'table' && rest.length === 2) {
        const t = rest[1]!;
        if (t === 'all') return out(formatRoutes(net, 'all', noCarrier(ctx)));
        const id = /^\d+$/.test(t) ? Number(t) : net.rtTables[t];
        if (id === undefined) return fail(`Error: argument "${t}" is wrong: "table" value is invalid`);
        if (!net.tables.includes(id) && id !== 254 && id !== 255) return fail('Error: ipv4: FIB table does not exist.\nDump terminated');
        return out(formatRoutes(net, id, noCarrier(ctx)));
      }
      return null;
    case 'rule':
      return rest.length ? null : out(formatRules(net));
    case 'tunnel': {
      // GRE and IPIP are modelled from kernel source: this machine's kernel has neither to record from
      if (rest.length > 1) return null;
      const name = rest[0] ?? null;
      if (name !== null && !net.links.some((l) => l.name === name && l.tunnel && l.tunnel.mode !== 'vxlan')) return fail(`get tunnel "${name}" failed: No such device`);
      return out(formatTunnelShow(net, name));
    }
    case 'neigh': {
      let dev: string | null = null;
      let addr: number | null = null;
      for (let k = 0; k < rest.length; k++) {
        if (rest[k] === 'dev') {
          dev = rest[++k] ?? null;
          if (dev !== null && !net.links.some((l) => l.name === dev)) return fail(`Cannot find device "${dev}"`);
        } else {
          addr = parseIpv4(rest[k]!);
          if (addr === null) return null;
        }
      }
      return out(formatNeighShow(neighboursAt(ctx), { dev, addr }));
    }
  }
  return null;
}

function routeGet(rest: readonly string[], ctx: QueryContext): QueryOutput {
  const q: Parameters<typeof formatRouteGet>[1] = { dst: 0 };
  let dst: number | null = null;
  for (let k = 0; k < rest.length; k++) {
    const w = rest[k]!;
    const arg = rest[k + 1];
    const need = (v: number | null, what: string): number | QueryOutput => (v === null ? fail(`Error: ${what} is expected rather than "${arg ?? ''}".`) : v);
    if (w === 'from') {
      const v = need(arg === undefined ? null : parseIpv4(arg), 'inet prefix');
      if (typeof v !== 'number') return v;
      q.src = v;
      k++;
    } else if (w === 'iif' || w === 'oif') {
      if (arg === undefined) return fail('Command line is not complete. Try option "help"');
      if (!ctx.config.net.links.some((l) => l.name === arg)) return fail(`Cannot find device "${arg}"`);
      if (w === 'iif') q.iif = arg;
      else q.oif = arg;
      k++;
    } else if (w === 'mark' || w === 'tos') {
      const v = arg === undefined ? NaN : Number(arg);
      if (!Number.isInteger(v) || v < 0) return fail(`Error: argument "${arg ?? ''}" is wrong: invalid ${w} value`);
      if (w === 'mark') q.mark = v;
      else q.tos = v;
      k++;
    } else if (w === 'to' || dst === null) {
      const text = w === 'to' ? rest[++k] : w;
      const v = text === undefined ? null : parseIpv4(text.replace(/\/32$/, ''));
      if (v === null) return fail(`Error: inet prefix is expected rather than "${text ?? ''}".`);
      dst = v;
    } else return fail(`Error: either "to" is duplicate, or "${w}" is a garbage.`);
  }
  if (dst === null) return fail('Error: argument is required: "to"');
  q.dst = dst;
  if (q.iif && q.src === undefined) q.src = 0;
  const r = formatRouteGet(ctx.config.net, q);
  return r.ok ? out(r.text) : fail(r.error, 2);
}

// ------------------------------------------------------------------ ipvsadm, sysctl, conntrack

function ipvsadm(args: readonly string[], ctx: QueryContext): QueryOutput | null {
  let list = false;
  let numeric = false;
  let conns = false;
  for (const w of args) {
    if (w === '--list') list = true;
    else if (w === '--numeric') numeric = true;
    else if (w === '--connection') conns = true;
    else if (/^-[Llnc]+$/.test(w)) {
      if (/[Ll]/.test(w)) list = true;
      if (w.includes('n')) numeric = true;
      if (w.includes('c')) conns = true;
    } else if (list && (w === '--stats' || w === '--rate')) return fail(`ipvsadm: ${w} is not modelled here: PacketWalk keeps no IPVS byte counters per step.`);
    else return null;
  }
  if (!list && args.length) return null;
  if (!numeric) return fail('ipvsadm: PacketWalk prints numeric addresses only: add -n (ipvsadm -Ln).');
  const snap = ipvsAt(ctx) ?? emptyIpvs(ctx);
  if (conns) {
    let text = `IPVS connection entries\npro expire ${'state'.padEnd(11)} ${'source'.padEnd(18)} ${'virtual'.padEnd(18)} destination\n`;
    for (const r of snap.connections) text += `${r.pro.padEnd(3)} ${r.expire.padEnd(6)} ${r.state.padEnd(11)} ${r.source.padEnd(18)} ${r.virtual.padEnd(18)} ${r.destination}\n`;
    return out(text);
  }
  let text = snap.header.join('\n') + '\n';
  for (const s of snap.services) {
    text += `${s.line}\n`;
    for (const d of s.servers) text += `${d.line}\n`;
  }
  return out(text);
}

function emptyIpvs(ctx: QueryContext): IpvsSnapshot {
  void ctx;
  return { header: ['IP Virtual Server version 1.2.1 (size=4096)', 'Prot LocalAddress:Port Scheduler Flags', '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'], services: [], connections: [], schedulers: [] };
}

/** Every sysctl the engine knows for this host with its value: the namespace-wide ones, conf.{all,default,IF}, the host's own. */
function sysctlTable(ctx: QueryContext): Map<string, string> {
  const net = ctx.config.net;
  const all = new Map<string, string>(Object.entries(GLOBAL_SYSCTL_DEFAULTS));
  for (const dev of ['all', 'default', ...net.links.map((l) => l.name)]) for (const k of Object.keys(DEVCONF_DEFAULTS)) all.set(`net.ipv4.conf.${dev}.${k}`, devconfDefault(dev, k)!);
  for (const [k, v] of Object.entries(net.sysctl)) all.set(k, v);
  for (const [k, v] of Object.entries(ctx.config.ipvs.sysctl)) all.set(`net.ipv4.vs.${k}`, String(v));
  return all;
}

function sysctl(args: readonly string[], ctx: QueryContext): QueryOutput | null {
  let all = false;
  let valuesOnly = false;
  let pattern: RegExp | null = null;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w === '-w' || w === '--write' || w.includes('=') || w === '-p' || w === '--load' || w === '--system') return null;
    if (w === '-a' || w === '-A' || w === '-X' || w === '--all') all = true;
    else if (w === '-n' || w === '--values') valuesOnly = true;
    else if (w === '-r' || w === '--pattern') {
      try {
        pattern = new RegExp(args[++i] ?? '');
      } catch {
        return fail(`sysctl: invalid pattern "${args[i] ?? ''}"`);
      }
    } else if (w === '-N' || w === '--names') continue;
    else if (w.startsWith('-')) return null;
    else names.push(w.replace(/\//g, '.'));
  }
  const table = sysctlTable(ctx);
  const line = (k: string, v: string) => (valuesOnly ? v : `${k} = ${v}`);
  if (all || (pattern && !names.length)) {
    const keys = [...table.keys()].filter((k) => !pattern || pattern.test(k)).sort();
    return out(keys.map((k) => `${line(k, table.get(k)!)}\n`).join(''));
  }
  if (!names.length) return null;
  let stdout = '';
  let stderr = '';
  for (const n of names) {
    const v = table.get(n);
    if (v === undefined) stderr += `sysctl: cannot stat /proc/sys/${n.replace(/\./g, '/')}: No such file or directory\n`;
    else stdout += `${line(n, v)}\n`;
  }
  return { stdout, stderr, exit: stderr ? 255 : 0 };
}

function conntrack(args: readonly string[], ctx: QueryContext): QueryOutput | null {
  if (args.length !== 1 || (args[0] !== '-L' && args[0] !== '--dump')) return null;
  const rows = conntrackAt(ctx) ?? [];
  const stdout = rows.map((r) => `${r.line} use=1\n`).join('');
  return out(stdout, `conntrack v1.4.7 (conntrack-tools): ${rows.length} flow entries have been shown.\n`);
}
