// pattern: Functional Core
// What a scenario uses that the engine accepts but does not simulate the way
// the kernel would, each as a "not modelled: …" finding with where it is
// (host, setup command, line of an iptables-restore text, table and rule).
// The CLI prints them on stderr (the oracle JSON on stdout stays as it is)
// and the walk log carries them so the app shows a notice. Sources:
//  - iptables rules: iptables/not-modelled.ts, one registry of matches,
//    targets and verdicts;
//  - sysctls: every key the engine never reads, set to something other than
//    the new-namespace default, and the multipath hash settings the FIB
//    lookup does not reproduce (REPORT.md §4);
//  - the run itself: packets larger than the link MTU leave unfragmented
//    (the engine never fragments; REPORT.md §6), the retransmissions and
//    neighbour failures that timers cause after a step (sim/pending-timers.ts),
//    TEE copies of received packets, whose POSTROUTING lines the kernel
//    prints with uninitialised MAC= bytes (sim/tee.ts), and NAT ports picked
//    at random (sim/nat-port-draws.ts).

import type { Scenario, SetupCommand } from './scenario/types';
import type { TableName } from './netfilter/hooks';
import type { Rule } from './iptables/types';
import type { World } from './sim/world';
import { parseIptablesCommand } from './iptables/command';
import { parseRestore } from './iptables/restore';
import { saveRule } from './iptables/save';
import { ruleLimits } from './iptables/not-modelled';
import { parseSysctl } from './net/sysctl';
import { parseIpCommand } from './net/ip-command';
import type { HostNet } from './net/config';
import { sysctlDefault } from '../vocabulary/sysctl';
import type { Ruleset } from './iptables/ruleset';
import { linkMtu } from './sim/route-adapter';
import { ruleText } from './sim/iptables-adapter';
import { pendingTimers } from './sim/pending-timers';
import { natPortFindings } from './sim/nat-port-draws';

export interface NotModelled {
  /** the host whose setup (or traffic) it is in */
  host: string;
  /** index into the host's setup commands; null for what the run showed */
  command: number | null;
  /** line within an iptables-restore text */
  line: number | null;
  /** for a rule: its table and chain, and the rule as iptables-save prints it */
  table: TableName | null;
  chain: string | null;
  rule: string | null;
  /** what is not modelled, as written: "-m set", "-j NFQUEUE", "sysctl net.ipv4.tcp_sack" */
  subject: string;
  /** what the engine does instead */
  detail: string;
  /** "not modelled: SUBJECT: DETAIL" */
  message: string;
  /** where it was found: a setup command of the case, the configuration a lab's host has now (edited, its commands gone), the walk */
  origin: 'setup' | 'configuration' | 'walk';
}

function finding(host: string, command: number | null, subject: string, detail: string, extra: Partial<NotModelled> = {}): NotModelled {
  return { host, command, line: null, table: null, chain: null, rule: null, subject, detail, message: `not modelled: ${subject}: ${detail}`, origin: command === null ? 'walk' : 'setup', ...extra };
}

/** Per-interface sysctl leaves the engine reads (net/sysctl.ts accessors, sim/route-adapter.ts, sim/conntrack-adapter.ts). */
const MODELLED_CONF = new Set([
  'forwarding', 'rp_filter', 'send_redirects', 'shared_media', 'secure_redirects', 'accept_local', 'route_localnet', 'src_valid_mark',
  'accept_redirects', 'arp_ignore', 'arp_announce', 'arp_filter', 'arp_accept', 'proxy_arp', 'proxy_arp_pvlan', 'drop_gratuitous_arp', 'medium_id',
  // read when a primary address is deleted (net/config.ts deleteAddress)
  'promote_secondaries',
]);
/** Namespace-wide sysctls the engine reads. */
const MODELLED_GLOBAL = new Set([
  'net.ipv4.ip_forward',
  'net.ipv4.fib_multipath_hash_policy',
  'net.ipv4.fib_multipath_hash_seed',
  'net.netfilter.nf_conntrack_tcp_loose',
  'net.netfilter.nf_conntrack_tcp_be_liberal',
  'net.netfilter.nf_conntrack_tcp_ignore_invalid_rst',
  'net.netfilter.nf_conntrack_tcp_max_retrans',
  'net.bridge.bridge-nf-call-iptables',
  'net.ipv4.icmp_echo_ignore_broadcasts',
  'net.ipv4.icmp_echo_ignore_all',
  // the source of ICMP errors for packets with an input route (sim/route-adapter.ts icmpErrorSource)
  'net.ipv4.icmp_errors_use_inbound_ifaddr',
  // the SYN options, windows and DF of the host's sockets (sim/packet-factory.ts, sim/tcp-window.ts)
  'net.ipv4.tcp_timestamps',
  'net.ipv4.tcp_sack',
  'net.ipv4.tcp_window_scaling',
  'net.ipv4.tcp_app_win',
  'net.ipv4.ip_no_pmtu_disc',
  'net.ipv4.ip_default_ttl',
  // connections begun while it is 1 count packets and bytes (-m connbytes, conntrack -L)
  'net.netfilter.nf_conntrack_acct',
  // no SYN/ACK is ever retransmitted; with retries left a half-open connection is labelled (sim/pending-timers.ts)
  'net.ipv4.tcp_synack_retries',
  // no segment is ever retransmitted; unless these put the timer beyond any run, a pending one is labelled (sim/pending-timers.ts)
  'net.ipv4.tcp_rto_min_us',
  'net.ipv4.tcp_early_retrans',
]);

function sysctlLimit(key: string, value: string): string | null {
  if (key.startsWith('net.ipv4.vs.')) return null;
  if (key === 'net.ipv4.ip_no_pmtu_disc' && !['0', '1'].includes(value.trim()))
    return `only 0 and 1 are modelled (sockets set DF, or do not); mode ${value.trim()} also changes how ICMP fragmentation-needed is handled, which the engine does not do`;
  if (key === 'net.ipv4.fib_multipath_hash_policy')
    return value.trim() === '0' ? null : `only the L3 hash (policy 0) is modelled; the engine picks multipath nexthops by source and destination address, the kernel with policy ${value.trim()} does not (REPORT.md §4)`;
  const conf = /^net\.ipv4\.conf\.[^.]+\.(.+)$/.exec(key);
  // the neighbour table's timers and probe counts (net/neigh.ts)
  if (key.startsWith('net.ipv4.neigh.')) return null;
  if (conf ? MODELLED_CONF.has(conf[1]!) : MODELLED_GLOBAL.has(key)) return null;
  const def = sysctlDefault(key);
  if (def === undefined || def === value.trim().split(/\s+/).join('\t')) return null;
  return `the engine does not read this setting and simulates the default (${def.replace(/\t/g, ' ')})`;
}

function ruleFindings(host: string, command: number | null, line: number | null, table: TableName, chain: string, rules: readonly Rule[]): NotModelled[] {
  const out: NotModelled[] = [];
  for (const r of rules) {
    const limits = ruleLimits(r);
    if (!limits.length) continue;
    const text = saveRule(table, chain, r);
    for (const l of limits) out.push(finding(host, command, l.subject, l.detail, { line, table, chain, rule: text }));
  }
  return out;
}

const RULE_KINDS = new Set(['append', 'insert', 'replace', 'check']);

function commandFindings(host: string, index: number, cmd: SetupCommand): NotModelled[] {
  if (typeof cmd !== 'string') {
    const p = parseRestore(cmd['iptables-restore'], { noflush: cmd.noflush === true, counters: true });
    const out: NotModelled[] = [];
    for (const s of p.value?.steps ?? []) {
      if (s.kind === 'command' && RULE_KINDS.has(s.cmd.kind) && s.cmd.chain !== null) out.push(...ruleFindings(host, index, s.line, s.cmd.table, s.cmd.chain, s.cmd.rules));
    }
    return out;
  }
  const text = cmd.trimStart();
  if (text.startsWith('iptables')) {
    const p = parseIptablesCommand(cmd);
    const c = p.value;
    return c && RULE_KINDS.has(c.kind) && c.chain !== null ? ruleFindings(host, index, null, c.table, c.chain, c.rules) : [];
  }
  if (text.startsWith('sysctl')) {
    const out: NotModelled[] = [];
    for (const a of parseSysctl(cmd).value?.assignments ?? []) {
      const why = sysctlLimit(a.key, a.value);
      if (why) out.push(finding(host, index, `sysctl ${a.key}=${a.value}`, why));
    }
    return out;
  }
  return [];
}

const MULTIPATH_SUBJECT = 'multipath route with net.ipv4.fib_multipath_hash_seed=0';
const MULTIPATH_DETAIL = 'the kernel then hashes with a random key chosen at boot, so which nexthop a flow takes is not predictable; the engine hashes with key 0';

/** Multipath routes hash with fib_multipath_hash_seed; 0 means a random boot-time key in the kernel. */
function multipathSeedFindings(host: string, setup: readonly SetupCommand[]): NotModelled[] {
  let seedSet = false;
  let multipath: number | null = null;
  setup.forEach((cmd, i) => {
    if (typeof cmd !== 'string') return;
    const t = cmd.trimStart();
    if (t.startsWith('sysctl')) {
      for (const a of parseSysctl(cmd).value?.assignments ?? []) if (a.key === 'net.ipv4.fib_multipath_hash_seed') seedSet = a.value.trim() !== '0';
    } else if (t.startsWith('ip ') && multipath === null) {
      const c = parseIpCommand(cmd).value;
      if (c?.object === 'route' && c.multipath && c.nexthops.length > 1) multipath = i;
    }
  });
  if (multipath === null || seedSet) return [];
  return [finding(host, multipath, MULTIPATH_SUBJECT, MULTIPATH_DETAIL)];
}

/**
 * A chain's rules that are not modelled and why, per rules array: a lab's
 * versions share the arrays of chains an edit did not touch, and a
 * committed array never changes in place (iptables/ruleset.ts placeRule).
 */
const chainFindingCache = new WeakMap<readonly Rule[], { rule: Rule; subject: string; detail: string }[]>();

function chainFindings(rules: readonly Rule[]): { rule: Rule; subject: string; detail: string }[] {
  let found = chainFindingCache.get(rules);
  if (!found) {
    found = [];
    for (const rule of rules) for (const l of ruleLimits(rule)) found.push({ rule, subject: l.subject, detail: l.detail });
    chainFindingCache.set(rules, found);
  }
  return found;
}

/**
 * The same findings read from a host's configuration instead of its setup
 * commands (a lab's host after edits, whose commands are gone): every rule
 * of every table, every sysctl set to something unmodelled, a multipath
 * route hashed with seed 0. `command` is null; rules say their table and
 * chain. Past `perSubject` findings of one subject the rest are counted in
 * one more finding: 13,800 `-m statistic` rules make one notice, not 13,800.
 */
export function configFindings(host: string, config: { net: HostNet; rules: Ruleset }, perSubject = Infinity): NotModelled[] {
  const out: NotModelled[] = [];
  const seen = new Map<string, { n: number; first: NotModelled }>();
  // the finding is made (and a rule's text saved) only for those shown
  const add = (subject: string, make: () => NotModelled) => {
    const s = seen.get(subject);
    if (s) s.n++;
    if (s && s.n > perSubject) return;
    const f = make();
    if (!s) seen.set(subject, { n: 1, first: f });
    out.push(f);
  };
  for (const table of config.rules.loaded) {
    for (const chain of config.rules.tables[table].chains.values()) {
      for (const x of chainFindings(chain.rules)) add(x.subject, () => finding(host, null, x.subject, x.detail, { table, chain: chain.name, rule: ruleText(config.rules, table, chain.name, x.rule), origin: 'configuration' }));
    }
  }
  for (const [key, value] of Object.entries(config.net.sysctl)) {
    const why = sysctlLimit(key, value);
    if (why) add(`sysctl ${key}=${value}`, () => finding(host, null, `sysctl ${key}=${value}`, why, { origin: 'configuration' }));
  }
  const seed = config.net.sysctl['net.ipv4.fib_multipath_hash_seed'];
  if ((seed === undefined || seed.trim() === '0') && config.net.routes.some((r) => r.multipath && r.nexthops.length > 1)) {
    add(MULTIPATH_SUBJECT, () => finding(host, null, MULTIPATH_SUBJECT, MULTIPATH_DETAIL, { origin: 'configuration' }));
  }
  for (const [subject, { n, first }] of seen) {
    if (n <= perSubject) continue;
    const detail = `${n - perSubject} more rules like the ones above`;
    out.push({ ...first, host, table: null, chain: null, rule: null, line: null, detail, message: `not modelled: ${subject}: ${detail}` });
  }
  return out;
}

/** What the run itself did that the kernel would have done differently. */
function runFindings(world: World): NotModelled[] {
  const out: NotModelled[] = [];
  const seen = new Set<string>();
  for (const rec of world.records) {
    const d = rec.disposition;
    const last = rec.events[rec.events.length - 1];
    if (!d || d.verdict !== 'sent' || !last) continue;
    const host = world.hosts.get(rec.host);
    if (!host) continue;
    const mtu = linkMtu(host.net, d.iface);
    const p = last.packet;
    if (p.df || p.len <= mtu) continue;
    const key = `${rec.host}:${d.iface}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(finding(rec.host, null, 'IP fragmentation', `packet ${rec.id} (${p.len} bytes, DF not set) left through ${d.iface} (MTU ${mtu}) in one piece; the kernel would have fragmented it`));
  }
  const copied = new Set<string>();
  for (const rec of world.records) {
    const orig = rec.duplicateOf;
    if (!orig || orig.origin !== 'ingress' || copied.has(rec.host)) continue;
    copied.add(rec.host);
    // nf_dup_ipv4 copies the skb without its link-layer header but keeps its offset and sets skb->dev
    out.push(
      finding(rec.host, null, 'TEE copy of a received packet', `packet ${rec.id} is a copy of packet ${orig.id}, which came in on ${orig.in ?? '?'}: at POSTROUTING the kernel prints IN=${rec.events.at(-1)?.in ?? ''} with MAC= bytes of uninitialised memory in its TRACE and LOG lines, different on every run; the engine prints none`),
    );
  }
  for (const t of pendingTimers(world)) out.push(finding(t.host, null, t.subject, t.detail));
  for (const t of world.timingFindings) out.push(finding(t.host, null, t.subject, t.detail));
  for (const n of natPortFindings(world)) out.push(finding(n.host, null, n.subject, n.detail));
  return out;
}

/**
 * Every "not modelled" finding of a scenario, in host and setup order, then
 * what the run showed when `world` (the finished run) is given.
 * @example notModelled(scenario).map((f) => f.message) // ['not modelled: -m set: ipset contents …']
 */
export function notModelled(scenario: Scenario, world?: World): NotModelled[] {
  const out: NotModelled[] = [];
  for (const h of scenario.hosts) {
    h.setup.forEach((cmd, i) => out.push(...commandFindings(h.name, i, cmd)));
    out.push(...multipathSeedFindings(h.name, h.setup));
  }
  if (world) out.push(...runFindings(world));
  return out;
}

/** One line for a terminal: the message, then where it is. */
export function formatNotModelled(f: NotModelled): string {
  const where = [`host ${f.host}`];
  if (f.command !== null) where.push(`setup[${f.command}]${f.line !== null ? ` line ${f.line}` : ''}`);
  if (f.rule !== null) where.push(`${f.table} ${f.rule}`);
  return `${f.message} (${where.join(', ')})`;
}
