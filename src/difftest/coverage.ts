// pattern: Functional Core
// What a case contains, read from the case file itself (not from what the
// generator meant): every match and target its rules use, route types and
// attributes, ip rule selectors and actions, sysctls, step kinds and their
// options, topology traits. The runner counts, per feature, the cases that
// contained it and how many of those the engine got right; the universe of
// features (everything the engine accepts) shows what was never generated.

import { MATCHES } from '../engine/iptables/modules';
import { TARGETS, VERDICTS } from '../engine/iptables/targets';
import { stepKind, type CaseJson } from './case-json';

/** Shell-like words: double and single quotes group, as the oracle's shlex does. */
export function words(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let has = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has || cur) out.push(cur);
  return out;
}

const PROTO_MATCH = new Set(['tcp', 'udp', 'icmp', 'sctp', 'dccp', 'esp', 'ah']);

function ruleFeatures(w: string[], table: string, out: Set<string>): void {
  let verb = '';
  let chain = '';
  for (let i = 0; i < w.length; i++) {
    const x = w[i]!;
    if (['-A', '-I', '-R', '-D', '-N', '-P', '-X', '-F', '-E', '-Z'].includes(x)) {
      verb = x;
      chain = w[i + 1] ?? '';
      if (x === '-P') out.add(`policy:${w[i + 2] ?? ''}`);
      if (x === '-I' || x === '-R' || x === '-D') out.add(`command:${x}`);
    }
    if (x === '-m' && w[i + 1]) out.add(`match:${w[i + 1]}`);
    if (x === '-p' && w[i + 1]) {
      const p = w[i + 1]!;
      out.add(`proto:${p}`);
      // options after -p load the protocol's own match implicitly
      if (PROTO_MATCH.has(p) && w.slice(i + 2).some((y) => /^--(dport|sport|syn|tcp-flags|icmp-type|tcp-option|espspi|ahspi|chunk-types)$/.test(y))) out.add(`match:${p}`);
    }
    if ((x === '-j' || x === '-g') && w[i + 1]) {
      const t = w[i + 1]!;
      out.add(TARGETS.has(t) || VERDICTS.has(t) ? `target:${t}` : x === '-g' ? 'target:goto-user-chain' : 'target:jump-user-chain');
    }
    if (x === '--reject-with' && w[i + 1]) out.add(`reject-with:${w[i + 1]}`);
    if ((x === '--ctstate' || x === '--state') && w[i + 1]) for (const s of w[i + 1]!.split(',')) out.add(`ctstate:${s}`);
    if (x === '!') out.add('rule:negation');
  }
  if (verb === '-N') out.add('user-chain');
  if (verb && chain && /^[A-Z]+$/.test(chain) && ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'].includes(chain)) out.add(`chain:${table} ${chain}`);
}

function iptablesCommand(line: string, out: Set<string>): void {
  const w = words(line).slice(1);
  const ti = w.indexOf('-t');
  const table = ti >= 0 ? (w[ti + 1] ?? 'filter') : 'filter';
  ruleFeatures(w, table, out);
}

function restore(text: string, noflush: boolean, out: Set<string>): void {
  out.add(noflush ? 'setup:iptables-restore --noflush' : 'setup:iptables-restore');
  let table = 'filter';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) table = line.slice(1);
    else if (line.startsWith(':')) {
      const [name, policy] = line.slice(1).split(/\s+/);
      if (policy === 'DROP') out.add('policy:DROP');
      if (policy === '-') out.add('user-chain');
      void name;
    } else if (line.startsWith('-')) ruleFeatures(words(line), table, out);
  }
}

const ROUTE_TYPES = ['unicast', 'local', 'broadcast', 'multicast', 'anycast', 'unreachable', 'prohibit', 'blackhole', 'throw', 'nat'];

function ipCommand(line: string, out: Set<string>): void {
  const w = words(line);
  const obj = w[1] ?? '';
  if (/^(r|ro|rou|route)$/.test(obj) && w[2] === 'add') {
    const type = ROUTE_TYPES.includes(w[3] ?? '') ? w[3]! : 'unicast';
    out.add(`route-type:${type}`);
    for (const k of ['via', 'dev', 'table', 'metric', 'src', 'mtu', 'nexthop', 'proto', 'scope', 'tos']) if (w.includes(k)) out.add(`route:${k === 'nexthop' ? 'multipath' : k}`);
    if ((w[3] === 'default' || w[4] === 'default')) out.add('route:default');
  } else if (/^(ru|rul|rule)$/.test(obj) && w[2] === 'add') {
    const sel = ['from', 'to', 'iif', 'oif', 'fwmark', 'tos', 'dsfield', 'ipproto', 'sport', 'dport', 'uidrange', 'not', 'pref', 'priority', 'l3mdev', 'suppress_prefixlength', 'suppress_ifgroup'];
    for (const k of sel) if (w.includes(k)) out.add(`rule-selector:${k === 'priority' ? 'pref' : k}`);
    for (const a of ['lookup', 'table', 'blackhole', 'prohibit', 'unreachable', 'goto', 'nop']) if (w.includes(a)) out.add(`rule-action:${a === 'table' ? 'lookup' : a}`);
  } else if (/^(l|li|lin|link)$/.test(obj)) {
    if (w.includes('type') && w.includes('bridge')) out.add('link:bridge');
    if (w.includes('master')) out.add('link:bridge-port');
    if (w.includes('mtu')) out.add('link:mtu');
  } else if (/^(a|ad|add|addr|address)$/.test(obj)) {
    if (w.includes('lo')) out.add('addr:on-lo');
    if (/\bdev br|\bdev lanbr/.test(line)) out.add('addr:on-bridge');
  } else if (/^(n|ne|nei|neigh)$/.test(obj)) out.add('neigh');
}

/** `sysctl -w net.ipv4.conf.eth0.rp_filter=1` → `sysctl:conf.*.rp_filter=1` (interfaces folded, all/default kept). */
export function sysctlFeature(line: string): string | null {
  const m = /-w\s+(\S+)=(\S+)/.exec(line);
  if (!m) return null;
  let key = m[1]!.replace(/\//g, '.').replace(/^net\.(ipv4|netfilter|bridge|core)\./, '');
  key = key.replace(/^conf\.(?!all\.|default\.)[^.]+\./, 'conf.*.');
  return `sysctl:${key}=${m[2]}`;
}

export function caseFeatures(c: CaseJson): Set<string> {
  const out = new Set<string>();
  out.add(`topology:${c.hosts.length} hosts`);
  if ((c.switches ?? []).length) out.add('topology:switch');
  if (c.options?.conntrack === 'on') out.add('options:conntrack on');
  if (c.rt_tables && Object.keys(c.rt_tables).length) out.add('options:rt_tables');
  const ifaceCount = new Map<string, number>();
  for (const ep of [...(c.links ?? []).flat(), ...(c.switches ?? []).flatMap((s) => s.ports)]) {
    const h = ep.split(':')[0]!;
    ifaceCount.set(h, (ifaceCount.get(h) ?? 0) + 1);
  }
  for (const h of c.hosts) {
    const forwards = h.setup.some((s) => typeof s === 'string' && /ip_forward=1|conf\.all\.forwarding=1/.test(s));
    if (forwards) out.add(`topology:router with ${ifaceCount.get(h.name) ?? 0} interfaces`);
    for (const s of h.setup) {
      if (typeof s !== 'string') {
        restore(s['iptables-restore'], s.noflush === true, out);
        continue;
      }
      const t = s.trim();
      if (t.startsWith('iptables')) {
        out.add('setup:iptables');
        iptablesCommand(t, out);
      } else if (t.startsWith('ip ')) ipCommand(t, out);
      else if (t.startsWith('sysctl')) {
        const f = sysctlFeature(t);
        if (f) out.add(f);
      }
    }
  }
  for (const l of c.listeners ?? []) {
    out.add(`listener:${l.proto}`);
    if (l.addr && l.addr !== '0.0.0.0') out.add('listener:bound address');
  }
  const seen = new Set<string>();
  for (const s of c.steps) {
    const k = stepKind(s);
    out.add(`step:${k}`);
    if (s.data !== undefined) out.add(`step:${k} with data`);
    if (s.close === 'fin') out.add('step:tcp close fin');
    if (s.ttl !== undefined) out.add('step:ttl');
    if (s.mark !== undefined) out.add('step:mark');
    if (s.src !== undefined) out.add('step:src');
    if (s.packet) {
      if (s.packet.src) out.add('step:packet spoofed source');
      if (s.packet.flags !== undefined) out.add(`step:packet tcp flags ${s.packet.flags || 'none'}`);
      if (s.packet.proto === 'icmp') out.add(`step:packet icmp type ${s.packet.type ?? 8}`);
      if (s.packet.ttl !== undefined) out.add('step:ttl');
      if (s.packet.tos !== undefined) out.add('step:packet tos');
    }
    const target = s.ping ?? s.tcp ?? s.udp ?? s.packet?.dst ?? '';
    if (/^127\./.test(target)) out.add('step:to loopback');
    const key = `${s.from}>${target}>${k}`;
    if (seen.has(key)) out.add('step:repeated flow');
    seen.add(key);
  }
  if (c.steps.length > 1) out.add('step:several steps');
  return out;
}

/**
 * Features the engine accepts that no oracle case can exercise: the harness
 * runs only ip, iptables, iptables-restore and sysctl (no ipset, nfacct or
 * SELinux), and some act on timing or on the process's cgroup.
 */
export const UNCOVERABLE: Readonly<Record<string, string>> = {
  'match:set': 'needs an ipset; the oracle runs only ip, iptables and sysctl',
  'target:SET': 'needs an ipset; the oracle runs only ip, iptables and sysctl',
  'match:nfacct': 'needs an nfacct object; the oracle cannot create one',
  'target:SECMARK': 'needs an SELinux context',
  'target:CONNSECMARK': 'needs SELinux',
  'match:cgroup': "depends on the harness process's cgroup, not on the case",
  'target:IDLETIMER': 'acts on a timer and a sysfs file, not on the packet',
  'target:LED': 'acts on an LED trigger, not on the packet',
  'target:RATEEST': 'a rate estimator: depends on timing',
  'target:SYNPROXY': 'answers SYNs itself with random cookies',
  'match:ipcomp': 'IPComp traffic cannot be sent by the oracle steps',
};

/** Features the engine accepts, so one the generator never produced shows up as not covered. */
export function featureUniverse(): string[] {
  const u: string[] = [];
  for (const m of MATCHES.keys()) u.push(`match:${m}`);
  for (const t of TARGETS.keys()) u.push(`target:${t}`);
  for (const v of VERDICTS) u.push(`target:${v}`);
  u.push('target:jump-user-chain', 'target:goto-user-chain', 'user-chain', 'policy:DROP', 'command:-I', 'command:-R', 'command:-D');
  for (const r of ['icmp-net-unreachable', 'icmp-host-unreachable', 'icmp-port-unreachable', 'icmp-proto-unreachable', 'icmp-net-prohibited', 'icmp-host-prohibited', 'icmp-admin-prohibited', 'tcp-reset']) u.push(`reject-with:${r}`);
  for (const s of ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED', 'DNAT', 'SNAT']) u.push(`ctstate:${s}`);
  for (const [t, chains] of Object.entries({ raw: ['PREROUTING', 'OUTPUT'], mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'], nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'], filter: ['INPUT', 'FORWARD', 'OUTPUT'], security: ['INPUT', 'FORWARD', 'OUTPUT'] })) {
    for (const ch of chains) u.push(`chain:${t} ${ch}`);
  }
  for (const r of ['unicast', 'local', 'unreachable', 'prohibit', 'blackhole', 'throw']) u.push(`route-type:${r}`);
  for (const r of ['via', 'dev', 'table', 'metric', 'src', 'mtu', 'multipath', 'default']) u.push(`route:${r}`);
  for (const s of ['from', 'to', 'iif', 'oif', 'fwmark', 'tos', 'ipproto', 'sport', 'dport', 'uidrange', 'not', 'pref', 'suppress_prefixlength']) u.push(`rule-selector:${s}`);
  for (const a of ['lookup', 'blackhole', 'prohibit', 'unreachable']) u.push(`rule-action:${a}`);
  for (const s of [
    'ip_forward=1', 'conf.all.forwarding=1', 'conf.all.rp_filter=1', 'conf.all.rp_filter=2', 'conf.*.rp_filter=1', 'conf.*.rp_filter=2',
    'conf.all.accept_redirects=0', 'conf.all.send_redirects=0', 'conf.*.send_redirects=0', 'conf.all.arp_ignore=1', 'conf.all.arp_ignore=2',
    'conf.all.arp_announce=1', 'conf.all.arp_announce=2', 'nf_conntrack_tcp_loose=0', 'nf_conntrack_tcp_be_liberal=1', 'icmp_echo_ignore_all=1',
    'tcp_timestamps=0', 'tcp_sack=0', 'tcp_window_scaling=0', 'conf.*.proxy_arp=1', 'conf.all.accept_local=1', 'icmp_errors_use_inbound_ifaddr=1',
    'fib_multipath_hash_policy=0',
  ]) u.push(`sysctl:${s}`);
  for (const s of ['ping', 'tcp', 'udp', 'packet', 'tcp with data', 'udp with data', 'tcp close fin', 'ttl', 'mark', 'src', 'packet spoofed source', 'repeated flow', 'several steps', 'to loopback']) u.push(`step:${s}`);
  for (const t of ['switch', 'router with 2 interfaces', 'router with 3 interfaces', 'router with 4 interfaces', '1 hosts', '2 hosts', '3 hosts', '4 hosts', '5 hosts', '6 hosts']) u.push(`topology:${t}`);
  u.push('link:bridge', 'link:bridge-port', 'link:mtu', 'addr:on-lo', 'addr:on-bridge', 'setup:iptables-restore', 'setup:iptables-restore --noflush', 'options:conntrack on', 'options:rt_tables');
  return u;
}
