// pattern: Functional Core
// Random iptables rules aimed at the case's own traffic: a rule's addresses,
// interfaces, protocol and ports are drawn from a flow that passes the host,
// so rules match often enough to matter, and from elsewhere so they miss as
// well. Matches and targets are drawn by weight (conntrack, tcp/udp, LOG,
// ACCEPT/DROP/REJECT, NAT first) from everything the engine accepts that the
// kernel runs deterministically, and only where the kernel allows them (the
// table, and the hooks the chain is reached from).

import { cidr, fmt } from './addr';
import type { Rng } from './rng';
import { type ChainState, type Hook, type HostRuleset, type Table, TABLE_CHAINS } from './ruleset';
import { allAddrs, type GHost, type Net } from './topology';
import type { Flow } from './traffic';
import { firstHops } from './routing';

export interface RuleEnv {
  net: Net;
  host: GHost;
  flows: Flow[];
  /** marks the case uses, shared by MARK/CONNMARK targets, -m mark and ip rule fwmark */
  marks: number[];
  /** LOG prefixes used in the case (the oracle keeps LOG lines by prefix) */
  logPrefixes: string[];
  /** the interface MACs (02:00:00:00:HH:II) of other hosts, for -m mac */
  macs: string[];
  /** names of recent lists, hashlimit names */
  recentNames: string[];
}

/** The hosts a flow passes (sender, routers on the way, receiver), by the generator's own routing. */
export function pathOf(net: Net, f: Flow): GHost[] {
  const path = [f.from];
  if (!f.dstHost || f.dstHost === f.from) return path;
  let cur = f.from;
  for (let k = 0; k < 8; k++) {
    const hop = firstHops(net, cur).get(f.dstHost);
    if (!hop) break;
    path.push(hop.gw);
    if (hop.gw === f.dstHost) break;
    cur = hop.gw;
  }
  return path;
}

export function flowsThrough(env: RuleEnv): Flow[] {
  return env.flows.filter((f) => pathOf(env.net, f).includes(env.host));
}

const only = (hooks: Set<Hook>, allowed: readonly Hook[]) => [...hooks].every((h) => allowed.includes(h));

// ------------------------------------------------------------------ matches

interface Clause {
  text: string;
  /** the clause needs -p tcp / -p udp before it */
  proto?: 'tcp' | 'udp' | 'tcp|udp' | 'icmp';
}

function addrFor(r: Rng, env: RuleEnv, f: Flow | null, which: 'src' | 'dst'): string {
  const a = f ? (which === 'src' ? f.src : f.dst) : r.pick(env.net.hosts.flatMap(allAddrs).concat([0x0a000001]));
  const lan = env.net.lans.find((l) => l.attach.some((x) => x.iface.addrs.some((y) => y.addr === a)));
  const form = r.weighted([['host', 55], ['net', lan ? 30 : 0], ['slash32', 10], ['wide', 5]] as const);
  if (form === 'net' && lan) return cidr(lan.net, lan.plen);
  if (form === 'slash32') return `${fmt(a)}/32`;
  if (form === 'wide') return cidr(a, r.pick([8, 16]));
  return fmt(a);
}

function ifaceFor(r: Rng, env: RuleEnv): string {
  const names = env.host.ifaces.filter((i) => !i.master || r.chance(0.3)).map((i) => i.name);
  if (!names.length || r.chance(0.08)) return 'lo';
  const n = r.pick(names);
  // a wildcard, as in `-i eth+`
  if (r.chance(0.08)) return n.replace(/\d+$/, '+');
  return n;
}

function portSpec(r: Rng, port: number | undefined): string {
  const p = port ?? r.pick([22, 53, 80, 443, 8080, 123]);
  const hi = (x: number) => Math.min(65535, x);
  return r.weighted([[String(p), 75], [`${Math.max(1, p - r.int(0, 5))}:${hi(p + r.int(0, 100))}`, 15], [`${hi(p + 1)}:${hi(p + 1000)}`, 10]] as const);
}

function neg(r: Rng, p = 0.1): string {
  return r.chance(p) ? '! ' : '';
}

const CT_STATES = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED', 'DNAT', 'SNAT'] as const;

function ctStates(r: Rng, withNat = true): string {
  const common = r.weighted([
    ['ESTABLISHED,RELATED', 30],
    ['RELATED,ESTABLISHED', 15],
    ['NEW', 25],
    ['INVALID', 10],
    ['ESTABLISHED', 8],
    ['random', 12],
  ] as const);
  if (common !== 'random') return common;
  const pool = withNat ? CT_STATES : CT_STATES.filter((s) => s !== 'DNAT' && s !== 'SNAT');
  return r.sample(pool, r.int(1, 3)).join(',');
}

type MatchKind =
  | 'src' | 'dst' | 'in' | 'out' | 'proto' | 'tcp' | 'udp' | 'icmp' | 'conntrack' | 'state' | 'multiport' | 'iprange'
  | 'addrtype' | 'mark' | 'connmark' | 'owner' | 'comment' | 'string' | 'length' | 'tos' | 'dscp' | 'ttl' | 'physdev'
  | 'limit' | 'recent' | 'helper' | 'connlimit' | 'statistic' | 'pkttype' | 'mac' | 'tcpmss' | 'hashlimit' | 'u32' | 'ecn' | 'sctp'
  | 'quota' | 'cpu' | 'devgroup' | 'realm' | 'rpfilter' | 'connbytes' | 'policy' | 'socket' | 'time' | 'ipsec' | 'cluster' | 'connlabel';

const MATCH_WEIGHTS: readonly (readonly [MatchKind, number])[] = [
  ['src', 16], ['dst', 16], ['in', 12], ['out', 9], ['proto', 14], ['tcp', 22], ['udp', 9], ['icmp', 7],
  ['conntrack', 18], ['state', 6], ['multiport', 6], ['iprange', 4], ['addrtype', 5], ['mark', 5], ['connmark', 3],
  ['owner', 4], ['comment', 5], ['string', 3], ['length', 3], ['tos', 2], ['dscp', 2], ['ttl', 3], ['physdev', 6],
  ['limit', 3], ['recent', 3], ['helper', 1], ['connlimit', 2], ['statistic', 2], ['pkttype', 2], ['mac', 2], ['tcpmss', 1],
  ['hashlimit', 1], ['u32', 1], ['ecn', 1], ['sctp', 1],
  ['quota', 1], ['cpu', 0.5], ['devgroup', 0.5], ['realm', 0.5], ['rpfilter', 1], ['connbytes', 1], ['policy', 0.5], ['socket', 1], ['time', 0.5], ['ipsec', 0.5],
  ['cluster', 0.5], ['connlabel', 1],
];

function matchClause(r: Rng, env: RuleEnv, c: ChainState, f: Flow | null, kind: MatchKind): Clause | null {
  const hooks = c.hooks;
  const proto = f?.proto ?? r.pick(['tcp', 'udp', 'icmp'] as const);
  switch (kind) {
    case 'src':
      return { text: `${neg(r)}-s ${addrFor(r, env, f, 'src')}` };
    case 'dst':
      return { text: `${neg(r)}-d ${addrFor(r, env, f, 'dst')}` };
    case 'in':
      if (!only(hooks, ['PREROUTING', 'INPUT', 'FORWARD'])) return null;
      return { text: `${neg(r, 0.08)}-i ${ifaceFor(r, env)}` };
    case 'out':
      if (!only(hooks, ['FORWARD', 'OUTPUT', 'POSTROUTING'])) return null;
      return { text: `${neg(r, 0.08)}-o ${ifaceFor(r, env)}` };
    case 'proto':
      return { text: `${neg(r, 0.05)}-p ${proto}` };
    case 'tcp': {
      const o = r.weighted([['dport', 50], ['sport', 12], ['syn', 14], ['flags', 14], ['both', 10]] as const);
      const dport = f?.proto === 'tcp' ? f.dport : undefined;
      switch (o) {
        case 'dport':
          return { text: `--dport ${neg(r, 0.06)}${portSpec(r, dport)}`.replace('--dport ! ', '! --dport '), proto: 'tcp' };
        case 'sport':
          return { text: `--sport ${portSpec(r, f?.proto === 'tcp' ? f.sport : undefined)}`, proto: 'tcp' };
        case 'syn':
          return { text: `${neg(r, 0.25)}--syn`, proto: 'tcp' };
        case 'flags':
          return { text: `--tcp-flags ${r.pick(['SYN,ACK,FIN,RST', 'SYN,RST', 'ALL', 'FIN,SYN,RST,ACK', 'ACK,FIN'])} ${r.pick(['SYN', 'ACK', 'SYN,ACK', 'FIN', 'RST', 'NONE', 'FIN,ACK'])}`, proto: 'tcp' };
        case 'both':
          return { text: `--sport 1024:65535 --dport ${portSpec(r, dport)}`, proto: 'tcp' };
      }
      return null;
    }
    case 'udp':
      return { text: r.chance(0.8) ? `--dport ${portSpec(r, f?.proto === 'udp' ? f.dport : undefined)}` : `--sport ${portSpec(r, f?.proto === 'udp' ? f.sport : undefined)}`, proto: 'udp' };
    case 'icmp':
      return {
        text: `${neg(r, 0.05)}--icmp-type ${r.weighted([['echo-request', 40], ['echo-reply', 15], ['destination-unreachable', 10], ['port-unreachable', 6], ['time-exceeded', 6], ['8', 8], ['0', 4], ['3/3', 4], ['any', 3], ['fragmentation-needed', 2], ['host-unreachable', 2]] as const)}`.replace('--icmp-type ! ', '! --icmp-type '),
        proto: 'icmp',
      };
    case 'conntrack': {
      const o = r.weighted([['ctstate', 70], ['orig', 8], ['status', 8], ['dir', 6], ['ctproto', 4], ['port', 4]] as const);
      if (o === 'ctstate') return { text: `-m conntrack ${neg(r, 0.05)}--ctstate ${ctStates(r)}` };
      if (o === 'orig') return { text: `-m conntrack --ct${r.pick(['origsrc', 'origdst', 'replsrc', 'repldst'])} ${fmt(f ? (r.chance(0.5) ? f.src : f.dst) : 0x0a000001)}` };
      if (o === 'status') return { text: `-m conntrack --ctstatus ${r.pick(['ASSURED', 'SEEN_REPLY', 'CONFIRMED', 'EXPECTED', 'NONE'])}` };
      if (o === 'dir') return { text: `-m conntrack --ctstate ${ctStates(r, false)} --ctdir ${r.pick(['ORIGINAL', 'REPLY'])}` };
      if (o === 'ctproto') return { text: `-m conntrack --ctproto ${proto}` };
      return { text: `-m conntrack --ctproto tcp --ctorig${r.pick(['dst', 'src'])}port ${f?.proto === 'tcp' ? (f.dport ?? 80) : r.pick([22, 80])}`, proto: 'tcp' };
    }
    case 'state':
      return { text: `-m state ${neg(r, 0.05)}--state ${ctStates(r, false)}` };
    case 'multiport': {
      const p = f?.proto === 'udp' ? 'udp' : 'tcp';
      const port = f?.dport ?? 80;
      const list = r.shuffle([port, ...r.sample([22, 25, 53, 80, 443, 8080, 3306], r.int(1, 4)).filter((x) => x !== port)]);
      if (r.chance(0.2)) list.push(`${port + 10}:${port + 20}` as unknown as number);
      const opt = r.weighted([['--dports', 65], ['--sports', 10], ['--ports', 25]] as const);
      return { text: `-m multiport ${neg(r, 0.06)}${opt} ${list.join(',')}`, proto: p };
    }
    case 'iprange': {
      const a = f ? (r.chance(0.5) ? f.src : f.dst) : 0x0a000001;
      const lo = Math.max(1, (a & 255) - r.int(0, 5));
      const hi = Math.min(254, (a & 255) + r.int(0, 5));
      const base = a & 0xffffff00;
      return { text: `-m iprange ${neg(r, 0.1)}--${r.pick(['src', 'dst'])}-range ${fmt((base | lo) >>> 0)}-${fmt((base | hi) >>> 0)}` };
    }
    case 'addrtype': {
      const which = r.pick(['--src-type', '--dst-type']);
      const t = r.weighted([['LOCAL', 50], ['UNICAST', 25], ['BROADCAST', 8], ['MULTICAST', 5], ['BLACKHOLE', 4], ['UNREACHABLE', 4], ['LOCAL,UNICAST', 4]] as const);
      let text = `-m addrtype ${which} ${neg(r, 0.15)}${t}`.replace(`${which} ! `, `! ${which} `);
      if (r.chance(0.15)) {
        if (only(hooks, ['PREROUTING', 'INPUT', 'FORWARD'])) text += ' --limit-iface-in';
        else if (only(hooks, ['FORWARD', 'OUTPUT', 'POSTROUTING'])) text += ' --limit-iface-out';
      }
      return { text };
    }
    case 'mark':
      return { text: `-m mark ${neg(r, 0.1)}--mark ${markSpec(r, env)}` };
    case 'connmark':
      return { text: `-m connmark ${neg(r, 0.1)}--mark ${markSpec(r, env)}` };
    case 'owner':
      if (!only(hooks, ['OUTPUT', 'POSTROUTING'])) return null;
      return { text: `-m owner ${r.weighted([['--uid-owner 0', 35], ['! --uid-owner 0', 10], ['--uid-owner 1000', 10], ['--gid-owner 0', 10], ['--socket-exists', 20], ['! --socket-exists', 10], ['--uid-owner root', 5]] as const)}` };
    case 'comment':
      return { text: `-m comment --comment "${r.pick(['allow web', 'ssh from lan', 'block', 'kube-proxy', 'DOCKER', 'managed by script', 'temp', '!fw3'])}"` };
    case 'string': {
      const data = f?.step.data ?? r.pick(['GET', 'hello', 'SSH-2.0']);
      const start = r.int(0, Math.max(0, data.length - 3));
      const needle = data.slice(start, start + r.int(2, 8)).replace(/["\\]/g, '');
      if (!needle.trim()) return null;
      return { text: `-m string --algo ${r.pick(['bm', 'kmp'])} ${neg(r, 0.1)}--string "${needle}"${r.chance(0.2) ? ' --icase' : ''}`.replace(/--algo (\w+) ! --string/, '--algo $1 ! --string') };
    }
    case 'length':
      return { text: `-m length ${neg(r, 0.1)}--length ${r.pick(['0:60', '84', '40:52', '100:65535', '28:100', '52', '60'])}` };
    case 'tos':
      return { text: `-m tos ${neg(r, 0.1)}--tos ${r.pick(['0x10', '0x00', '0x08/0x08', 'Minimize-Delay', '0x00/0x3c'])}` };
    case 'dscp':
      return { text: `-m dscp ${neg(r, 0.1)}${r.chance(0.6) ? `--dscp ${r.pick([0, 4, 10, 46, 0x2e])}` : `--dscp-class ${r.pick(['EF', 'AF11', 'CS1', 'BE'])}`}` };
    case 'ttl':
      return { text: `-m ttl ${r.pick(['--ttl-eq 64', '--ttl-eq 63', '--ttl-lt 10', '--ttl-gt 60', '--ttl-eq 1', '! --ttl-eq 64', '--ttl-lt 64'])}` };
    case 'physdev': {
      const ports = env.host.ifaces.filter((i) => i.master).map((i) => i.name);
      if (!ports.length) return null;
      const forwardish = only(hooks, ['FORWARD', 'POSTROUTING']);
      const o = r.weighted([['in', 45], ['out', forwardish ? 25 : 0], ['bridged', 20], ['isin', 10]] as const);
      if (o === 'in') return { text: `-m physdev ${neg(r, 0.1)}--physdev-in ${r.pick(ports)}`.replace('-m physdev ! --physdev-in', '-m physdev ! --physdev-in') };
      if (o === 'out') return { text: `-m physdev --physdev-is-bridged --physdev-out ${r.pick(ports)}` };
      if (o === 'bridged') return { text: `-m physdev ${neg(r, 0.2)}--physdev-is-bridged` };
      return { text: '-m physdev --physdev-is-in' };
    }
    case 'limit':
      // slow rates only: the bucket refills far more slowly than a case runs, so only the burst matters
      return { text: `-m limit --limit ${r.pick(['1/hour', '2/hour', '3/hour', '4/hour'])} --limit-burst ${r.int(1, 3)}` };
    case 'recent': {
      const name = recentName(r, env);
      const o = r.weighted([['set', 35], ['rcheck', 25], ['update', 30], ['remove', 10]] as const);
      const dir = r.chance(0.2) ? ' --rdest' : r.chance(0.3) ? ' --rsource' : '';
      if (o === 'set') return { text: `-m recent --name ${name} --set${dir}` };
      if (o === 'remove') return { text: `-m recent --name ${name} --remove${dir}` };
      const extra = `${r.chance(0.7) ? ` --seconds ${r.pick([60, 300, 3600])}` : ''}${r.chance(0.6) ? ` --hitcount ${r.int(1, 3)}` : ''}`;
      return { text: `-m recent --name ${name} --${o}${extra}${dir}` };
    }
    case 'helper':
      return { text: `-m helper --helper ${r.pick(['ftp', 'tftp'])}` };
    // only a connection's first packet, as admins write it: on later packets the count depends on
    // whether a closed connection was already collected, at most every 4 ms (nf_conncount, d2-0175)
    case 'connlimit':
      return { text: `-m conntrack --ctstate NEW -m connlimit --connlimit-${r.pick(['above', 'upto'])} ${r.int(0, 3)}${r.chance(0.3) ? ` --connlimit-mask ${r.pick([24, 32, 16])}` : ''}${r.chance(0.2) ? ' --connlimit-daddr' : ''}` };
    case 'statistic': {
      const every = r.int(2, 4);
      return { text: r.chance(0.85) ? `-m statistic --mode nth --every ${every} --packet ${r.int(0, every - 1)}` : `-m statistic --mode random --probability ${r.pick(['0', '1', '1.0', '0.00000000000'])}` };
    }
    case 'pkttype':
      return { text: `-m pkttype ${neg(r, 0.1)}--pkt-type ${r.pick(['unicast', 'broadcast', 'multicast'])}` };
    case 'mac':
      if (!only(hooks, ['PREROUTING', 'INPUT', 'FORWARD']) || !env.macs.length) return null;
      return { text: `-m mac ${neg(r, 0.1)}--mac-source ${r.pick(env.macs)}` };
    case 'tcpmss':
      return { text: `-m tcpmss --mss ${r.pick(['1460', '1000:1500', '536:1400', '1448:65535'])}`, proto: 'tcp' };
    case 'hashlimit':
      return { text: `-m hashlimit --hashlimit-${r.pick(['upto', 'above'])} ${r.pick(['1/hour', '2/hour', '3/hour'])} --hashlimit-burst ${r.int(1, 3)} --hashlimit-mode ${r.pick(['srcip', 'dstip', 'srcip,dstport'])} --hashlimit-name ${recentName(r, env).toLowerCase()}` };
    case 'u32':
      return { text: `-m u32 --u32 "${r.pick(['6&0xFF=6', '6&0xFF=17', '6&0xFF=1', '0>>22&0x3C@0>>16=0:1024', '12&0xFFFFFFFF=0x0a000001'])}"` };
    case 'ecn':
      // the TCP bits need -p tcp (ecn_mt_check), the IP field does not
      return r.chance(0.7) ? { text: `-m ecn ${r.pick(['--ecn-tcp-ece', '--ecn-tcp-cwr'])}`, proto: 'tcp' } : { text: `-m ecn ${r.pick(['! --ecn-ip-ect 0', '--ecn-ip-ect 1'])}` };
    case 'quota':
      return { text: `-m quota --quota ${r.pick([60, 100, 200, 1000])}` };
    case 'cpu':
      // the oracle pins all traffic to CPU 0
      return { text: `-m cpu ${neg(r, 0.3)}--cpu ${r.pick([0, 1])}` };
    case 'devgroup':
      if (!only(hooks, ['PREROUTING', 'INPUT', 'FORWARD'])) return { text: `-m devgroup --dst-group ${r.pick([0, 1])}` };
      return { text: `-m devgroup --src-group ${r.pick([0, 1])}` };
    case 'realm':
      // the route realm exists once routing has run: not in PREROUTING (realm_mt's hooks)
      if (hooks.has('PREROUTING')) return null;
      return { text: `-m realm --realm ${r.pick([0, 1])}` };
    case 'rpfilter':
      if (!only(hooks, ['PREROUTING'])) return null;
      return { text: `-m rpfilter${r.chance(0.3) ? ' --loose' : ''}${r.chance(0.2) ? ' --invert' : ''}` };
    case 'connbytes':
      return { text: `-m connbytes --connbytes ${r.pick(['0:1', '2:', '0:100', '200:'])} --connbytes-dir ${r.pick(['original', 'reply', 'both'])} --connbytes-mode ${r.pick(['packets', 'bytes'])}` };
    case 'policy':
      return { text: `-m policy --dir ${only(hooks, ['PREROUTING', 'INPUT', 'FORWARD']) ? 'in' : 'out'} --pol ${r.pick(['none', 'ipsec'])}` };
    case 'socket':
      if (!only(hooks, ['PREROUTING', 'INPUT'])) return null;
      return { text: `-m socket${r.chance(0.3) ? ' --nowildcard' : ''}` };
    case 'time':
      // a window that always holds: the kernel's clock never decides the case
      return { text: `-m time ${r.pick(['--weekdays Mon,Tue,Wed,Thu,Fri,Sat,Sun', '--datestart 2000-01-01', '--timestart 00:00 --timestop 23:59:59'])}` };
    case 'ipsec': {
      // a protocol the traffic never uses: the rule loads and never matches
      const p = r.pick(['esp', 'ah']);
      return { text: `-p ${p} -m ${p} --${p}spi 1:100` };
    }
    case 'cluster':
      return { text: `-m cluster --cluster-total-nodes ${r.int(2, 4)} --cluster-local-node 1 --cluster-hash-seed 0x${r.int(1, 0xffffff).toString(16)}` };
    case 'connlabel':
      return { text: `-m connlabel ${r.chance(0.2) ? '! ' : ''}--label ${r.int(0, 7)}${r.chance(0.4) ? ' --set' : ''}`.replace('connlabel ! --label', 'connlabel ! --label') };
    case 'sctp':
      // a protocol the traffic never uses: the rule loads and never matches
      return { text: `-p ${r.pick(['sctp', 'dccp'])} --dport ${r.int(1, 9000)}` };
  }
}

function recentName(r: Rng, env: RuleEnv): string {
  if (env.recentNames.length && r.chance(0.7)) return r.pick(env.recentNames);
  const n = r.pick(['SSH', 'BLOCK', 'web', 'portscan', 'DEFAULT', 'knock']);
  if (!env.recentNames.includes(n)) env.recentNames.push(n);
  return n;
}

function markSpec(r: Rng, env: RuleEnv): string {
  const m = env.marks.length && r.chance(0.8) ? r.pick(env.marks) : r.pick([1, 2, 0x10, 0x100, 0x4000]);
  if (!env.marks.includes(m)) env.marks.push(m);
  return r.chance(0.25) ? `0x${m.toString(16)}/0x${(m | (r.chance(0.5) ? 0xff : m)).toString(16)}` : `0x${m.toString(16)}`;
}

/**
 * The match part of a rule: 0-4 clauses around one flow, with `-p` first
 * when a clause needs it (as iptables requires).
 */
export function matchPart(r: Rng, env: RuleEnv, c: ChainState, f: Flow | null, needsProto?: 'tcp' | 'udp' | 'tcp|udp'): string {
  const n = r.weighted([[0, 10], [1, 35], [2, 35], [3, 15], [4, 5]] as const);
  const clauses: Clause[] = [];
  const kinds = new Set<MatchKind>();
  for (let k = 0; k < n * 3 && clauses.length < n; k++) {
    const kind = r.weighted(MATCH_WEIGHTS);
    if (kinds.has(kind)) continue;
    // multiport and the tcp/udp port options share option names (--dport is an abbreviation of --dports)
    if ((kind === 'multiport' && (kinds.has('tcp') || kinds.has('udp'))) || ((kind === 'tcp' || kind === 'udp') && kinds.has('multiport'))) continue;
    const cl = matchClause(r, env, c, f, kind);
    if (!cl) continue;
    kinds.add(kind);
    clauses.push(cl);
  }
  const resolve = (p: 'tcp' | 'udp' | 'tcp|udp' | 'icmp'): string => (p === 'tcp|udp' ? (f?.proto === 'udp' ? 'udp' : 'tcp') : p);
  // the target's protocol wins, then the first clause that needs one
  const wanted = needsProto ? resolve(needsProto) : clauses.find((x) => x.proto)?.proto;
  const proto = wanted === undefined ? undefined : resolve(wanted as 'tcp' | 'udp' | 'tcp|udp' | 'icmp');
  const isProtoClause = (t: string) => /^(! )?-p /.test(t);
  const fits = (x: Clause) => !x.proto || resolve(x.proto) === proto || (x.proto === 'tcp|udp' && (proto === 'tcp' || proto === 'udp'));
  const kept = proto ? clauses.filter((x) => fits(x) && !isProtoClause(x.text)) : clauses.filter((x) => !x.proto);
  const out: string[] = [];
  if (proto) out.push(`-p ${proto}`);
  else {
    // at most one -p: iptables refuses a second
    const p = kept.find((x) => isProtoClause(x.text));
    if (p) out.push(p.text);
  }
  // source/destination/interfaces first, as iptables-save prints them
  const order = (t: string) => (/^(! )?-[sd] /.test(t) ? 0 : /^(! )?-[io] /.test(t) ? 1 : 2);
  out.push(...kept.map((x) => x.text).filter((t) => !isProtoClause(t)).sort((a, b) => order(a) - order(b)));
  return out.join(' ');
}

// ------------------------------------------------------------------ targets

export interface TargetChoice {
  text: string;
  needsProto?: 'tcp' | 'udp' | 'tcp|udp';
  /** a jump/goto to this user chain */
  jump?: string;
}

function rejectWith(r: Rng, tcp: boolean): string {
  const t = r.weighted([
    ['', 20],
    ['icmp-port-unreachable', 15],
    ['icmp-host-unreachable', 10],
    ['icmp-net-unreachable', 6],
    ['icmp-host-prohibited', 10],
    ['icmp-net-prohibited', 5],
    ['icmp-admin-prohibited', 10],
    ['icmp-proto-unreachable', 4],
    ['tcp-reset', tcp ? 25 : 0],
    ['host-unreach', 3],
  ] as const);
  return t ? `REJECT --reject-with ${t}` : 'REJECT';
}

function logTarget(r: Rng, env: RuleEnv): string {
  const parts = ['LOG'];
  if (r.chance(0.85)) {
    const p = `${r.pick(['DROP', 'IN', 'FWD', 'OUT', 'NAT', 'SSH', 'fw', 'BLOCKED', 'ACCEPT'])}${env.logPrefixes.length + 1}: `;
    env.logPrefixes.push(p);
    parts.push(`--log-prefix "${p}"`);
  }
  if (r.chance(0.2)) parts.push(`--log-level ${r.pick(['4', 'info', 'debug', '7', 'warning'])}`);
  if (r.chance(0.1)) parts.push('--log-tcp-sequence');
  if (r.chance(0.1)) parts.push('--log-tcp-options');
  if (r.chance(0.08)) parts.push('--log-ip-options');
  if (r.chance(0.08)) parts.push('--log-uid');
  return parts.join(' ');
}

function natAddress(r: Rng, env: RuleEnv, f: Flow | null, kind: 'dnat' | 'snat'): number {
  if (kind === 'snat') {
    const own = allAddrs(env.host);
    return own.length ? r.pick(own) : 0x0a000001;
  }
  const others = env.net.hosts.filter((h) => h !== env.host).flatMap(allAddrs);
  if (f?.dstHost && f.dstHost !== env.host && r.chance(0.3)) return f.dst;
  return others.length ? r.pick(others) : 0x0a000001;
}

/** A target allowed in this table for every hook the chain is reached from. */
export function targetFor(r: Rng, env: RuleEnv, table: Table, c: ChainState, f: Flow | null, userChains: ChainState[]): TargetChoice {
  const h = c.hooks;
  const tcpFlow = f?.proto === 'tcp';
  const w: [string, number][] = [];
  // only to chains made after this one: the jump graph stays acyclic (a loop fails at COMMIT, ELOOP)
  const from = c.builtin ? -1 : userChains.indexOf(c);
  const jumps = userChains.filter((u, i) => i > from && [...c.hooks].every((x) => u.hooks.has(x) || u.rules.length === 0));
  const add = (name: string, weight: number) => w.push([name, weight]);
  add('LOG', 6);
  add('RETURN', c.builtin ? 1 : 6);
  // rarer targets that act deterministically without anything outside the namespace
  add('NFLOG', 0.5);
  add('NFQUEUE', 0.5);
  add('AUDIT', 0.2);
  add('TRACE', table === 'raw' ? 0.3 : 0);
  if (table === 'mangle') {
    add('CLASSIFY', only(h, ['FORWARD', 'OUTPUT', 'POSTROUTING']) ? 1 : 0);
    add('TCPOPTSTRIP', 1);
    add('ECN', 0.5);
    add('CHECKSUM', 1);
    add('HMARK', 1);
    add('TEE', 0.5);
    add('TPROXY', only(h, ['PREROUTING']) ? 0.7 : 0);
  }
  add('QUEUE', table === 'nat' ? 0 : 0.3);
  add('none', 2);
  if (jumps.length) {
    add('jump', 6);
    add('goto', 2);
  }
  switch (table) {
    case 'filter':
      add('ACCEPT', 25);
      add('DROP', 20);
      add('REJECT', 18);
      add('MARK', 1);
      add('CONNMARK', 1);
      break;
    case 'security':
      add('ACCEPT', 25);
      add('DROP', 15);
      break;
    case 'raw':
      add('NOTRACK', 15);
      add('CT-notrack', 10);
      add('CT-helper', 4);
      add('ACCEPT', 10);
      add('DROP', 6);
      add('MARK', 4);
      break;
    case 'mangle':
      add('MARK', 30);
      add('CONNMARK', 12);
      add('TTL', 8);
      add('TOS', 5);
      add('DSCP', 5);
      add('TCPMSS', 6);
      add('ACCEPT', 6);
      add('DROP', 5);
      break;
    case 'nat':
      add('ACCEPT', 8);
      if (only(h, ['PREROUTING', 'OUTPUT'])) {
        add('DNAT', 35);
        add('REDIRECT', 12);
        add('NETMAP', 4);
      }
      if (only(h, ['POSTROUTING'])) add('MASQUERADE', 30);
      if (only(h, ['POSTROUTING', 'INPUT'])) {
        add('SNAT', 25);
        add('NETMAP', 4);
      }
      break;
  }
  const pick = r.weighted(w);
  switch (pick) {
    case 'none':
      return { text: '' };
    case 'jump':
    case 'goto': {
      const u = r.pick(jumps);
      for (const x of c.hooks) u.hooks.add(x);
      return { text: `${pick === 'goto' ? '-g' : '-j'} ${u.name}`, jump: u.name };
    }
    case 'REJECT':
      if (!only(h, ['INPUT', 'FORWARD', 'OUTPUT'])) return { text: '-j DROP' };
      return tcpFlow && r.chance(0.4) ? { text: `-j ${rejectWith(r, true)}`, needsProto: 'tcp' } : { text: `-j ${rejectWith(r, false)}` };
    case 'LOG':
      return { text: `-j ${logTarget(r, env)}` };
    case 'MARK':
      return { text: `-j MARK ${r.weighted([['--set-mark', 60], ['--set-xmark', 15], ['--or-mark', 10], ['--and-mark', 5], ['--xor-mark', 5]] as const)} ${markSpec(r, env).split('/')[0]}` };
    case 'CONNMARK': {
      const o = r.weighted([['set', 40], ['save', 30], ['restore', 30]] as const);
      if (o === 'set') return { text: `-j CONNMARK --set-mark ${markSpec(r, env)}` };
      return { text: `-j CONNMARK --${o}-mark${r.chance(0.2) ? ' --mask 0xff' : ''}` };
    }
    case 'TTL':
      return { text: `-j TTL ${r.pick(['--ttl-set 1', '--ttl-set 64', '--ttl-set 2', '--ttl-dec 1', '--ttl-inc 1', '--ttl-set 128'])}` };
    case 'TOS':
      return { text: `-j TOS ${r.pick(['--set-tos 0x10', '--set-tos Minimize-Delay', '--and-tos 0x00', '--or-tos 0x08', '--set-tos 0x04/0x0f'])}` };
    case 'DSCP':
      return { text: `-j DSCP ${r.pick(['--set-dscp 46', '--set-dscp 0', '--set-dscp-class EF', '--set-dscp-class AF21', '--set-dscp 0x0a'])}` };
    case 'TCPMSS': {
      const clamp = only(h, ['FORWARD', 'OUTPUT', 'POSTROUTING']) && r.chance(0.6);
      return { text: `--tcp-flags SYN,RST SYN -j TCPMSS ${clamp ? '--clamp-mss-to-pmtu' : `--set-mss ${r.pick([536, 1200, 1400, 1452])}`}`, needsProto: 'tcp' };
    }
    case 'NOTRACK':
      return { text: '-j NOTRACK' };
    case 'TEE': {
      // a copy routed to another gateway; the original goes on
      const gws = env.net.hosts.filter((x) => x !== env.host).flatMap(allAddrs);
      return { text: `-j TEE --gateway ${fmt(gws.length ? r.pick(gws) : 0x0a000001)}` };
    }
    case 'TPROXY':
      return { text: `-j TPROXY --on-port ${r.pick([3128, 8080, f?.dport ?? 80])}${r.chance(0.5) ? ' --tproxy-mark 0x1/0x1' : ''}`, needsProto: 'tcp|udp' };
    case 'NFLOG':
      // never group 0: the oracle reads TRACE through nfnetlink_log group 0
      return { text: `-j NFLOG --nflog-group ${r.int(1, 9)}${r.chance(0.5) ? ` --nflog-prefix "nf${r.int(1, 9)}"` : ''}` };
    case 'NFQUEUE':
      // no program reads the queue: without --queue-bypass the packet is dropped
      return { text: `-j NFQUEUE --queue-num ${r.int(0, 3)}${r.chance(0.5) ? ' --queue-bypass' : ''}` };
    case 'AUDIT':
      return { text: `-j AUDIT --type ${r.pick(['accept', 'drop', 'reject'])}` };
    case 'CLASSIFY':
      return { text: `-j CLASSIFY --set-class ${r.pick(['1:10', '0:0', '2:1'])}` };
    case 'TCPOPTSTRIP':
      return { text: `-j TCPOPTSTRIP --strip-options ${r.pick(['timestamp', 'sack-permitted', 'wscale', 'mss', 'timestamp,sack-permitted'])}`, needsProto: 'tcp' };
    case 'ECN':
      return { text: '-j ECN --ecn-tcp-remove', needsProto: 'tcp' };
    case 'CHECKSUM':
      return { text: '-j CHECKSUM --checksum-fill' };
    case 'HMARK':
      return { text: `-j HMARK --hmark-tuple src,dst --hmark-mod ${r.int(2, 8)} --hmark-rnd 0x${r.int(1, 0xffff).toString(16)}${r.chance(0.5) ? ' --hmark-offset 1' : ''}` };
    case 'CT-notrack':
      return { text: '-j CT --notrack' };
    case 'CT-helper':
      return r.chance(0.5) ? { text: '-j CT --helper tftp', needsProto: 'udp' } : { text: '-j CT --helper ftp', needsProto: 'tcp' };
    case 'DNAT': {
      const a = natAddress(r, env, f, 'dnat');
      const withPort = (f?.proto === 'tcp' || f?.proto === 'udp') && r.chance(0.6);
      const port = f?.dport ?? 80;
      const to = withPort ? `${fmt(a)}:${r.chance(0.8) ? port : `${port}-${port + 1}`}` : r.chance(0.08) ? `${fmt(a)}-${fmt(a + 1)}` : fmt(a);
      return { text: `-j DNAT --to-destination ${to}`, ...(withPort ? { needsProto: 'tcp|udp' as const } : {}) };
    }
    case 'REDIRECT':
      return r.chance(0.7) ? { text: `-j REDIRECT --to-ports ${r.pick([3128, 8080, f?.dport ?? 80, 53])}`, needsProto: 'tcp|udp' } : { text: '-j REDIRECT' };
    case 'NETMAP': {
      const lan = r.maybe(env.net.lans);
      return { text: `-j NETMAP --to ${lan ? cidr(lan.net, lan.plen) : '10.99.0.0/24'}` };
    }
    // A source mapping whose port range leaves the connection's port out starts its search at
    // get_random_u16() (nf_nat_l4proto_unique_tuple): only a one-port range is reproducible.
    // Both bounds are still drawn so that the cases after this one stay as they were.
    case 'MASQUERADE': {
      if (!r.chance(0.15)) return { text: '-j MASQUERADE' };
      const lo = r.int(20000, 20010);
      r.int(20011, 20020);
      return { text: `-j MASQUERADE --to-ports ${lo}`, needsProto: 'tcp|udp' };
    }
    case 'SNAT': {
      const a = natAddress(r, env, f, 'snat');
      if (!r.chance(0.15)) return { text: `-j SNAT --to-source ${fmt(a)}` };
      const lo = r.int(1024, 2000);
      r.int(2001, 3000);
      return { text: `-j SNAT --to-source ${fmt(a)}:${lo}`, needsProto: 'tcp|udp' };
    }
    default:
      return { text: `-j ${pick}` };
  }
}

// ------------------------------------------------------------------ random rules

const USER_CHAIN_NAMES = ['LOGDROP', 'SSH', 'WEB', 'ALLOW', 'BLOCK', 'INBOUND', 'TRUSTED', 'f2b-sshd', 'ufw-user-input', 'DOCKER-USER', 'KUBE-FW', 'limits', 'svc', 'MARKING'];

const CHAIN_WEIGHTS: Record<'router' | 'end' | 'bridge', readonly (readonly [string, number])[]> = {
  router: [
    ['filter FORWARD', 30], ['filter INPUT', 14], ['nat PREROUTING', 12], ['nat POSTROUTING', 12], ['mangle PREROUTING', 8],
    ['mangle FORWARD', 4], ['mangle POSTROUTING', 4], ['raw PREROUTING', 5], ['filter OUTPUT', 4], ['nat OUTPUT', 2],
    ['mangle OUTPUT', 2], ['mangle INPUT', 2], ['security FORWARD', 1], ['security INPUT', 1], ['nat INPUT', 1], ['raw OUTPUT', 2], ['security OUTPUT', 1],
  ],
  end: [
    ['filter INPUT', 35], ['filter OUTPUT', 15], ['nat OUTPUT', 6], ['mangle OUTPUT', 6], ['raw OUTPUT', 4], ['raw PREROUTING', 4],
    ['mangle PREROUTING', 5], ['mangle INPUT', 3], ['nat POSTROUTING', 4], ['nat PREROUTING', 5], ['security INPUT', 2], ['nat INPUT', 2],
    ['mangle POSTROUTING', 3], ['filter FORWARD', 2], ['security OUTPUT', 1],
  ],
  bridge: [
    ['filter FORWARD', 35], ['filter INPUT', 10], ['nat PREROUTING', 4], ['mangle FORWARD', 4], ['raw PREROUTING', 4], ['mangle PREROUTING', 4],
    ['nat POSTROUTING', 3], ['filter OUTPUT', 3], ['mangle POSTROUTING', 3],
  ],
};

/** `n` random rules into `rs`, some in new user chains reached by jumps from built-in chains. */
export function randomRules(r: Rng, env: RuleEnv, rs: HostRuleset, n: number): void {
  const role = env.host.role === 'bridge' ? 'bridge' : env.host.forwarding ? 'router' : 'end';
  const through = flowsThrough(env);
  const userChains = new Map<Table, ChainState[]>();
  for (let k = 0; k < n; k++) {
    const [table, hook] = r.weighted(CHAIN_WEIGHTS[role]).split(' ') as [Table, Hook];
    let c = rs.chain(table, hook)!;
    const users = userChains.get(table) ?? [];
    // sometimes the rule goes into a user chain: a new one (with its jump) or one reached from this hook
    if (r.chance(0.18)) {
      const reachable = users.filter((u) => u.hooks.has(hook));
      if (reachable.length && r.chance(0.6)) c = r.pick(reachable);
      else if (users.length < 3) {
        const name = r.maybe(USER_CHAIN_NAMES.filter((x) => !rs.chain(table, x))) ?? `CH${k}`;
        const u = rs.newChain(table, name, [hook]);
        users.push(u);
        userChains.set(table, users);
        const f = through.length ? r.pick(through) : null;
        const m = matchPart(r, env, c, f);
        rs.add(table, c.name, `${m}${m ? ' ' : ''}${r.chance(0.85) ? '-j' : '-g'} ${name}`.trim());
        c = u;
      }
    }
    const f = through.length && r.chance(0.85) ? r.pick(through) : env.flows.length ? r.pick(env.flows) : null;
    rs.add(table, c.name, ruleSpec(r, env, table, c, f, users));
  }
  // a DROP policy now and then, the way hardened hosts have it
  if (r.chance(0.15)) rs.setPolicy('filter', r.weighted([['INPUT', 50], ['FORWARD', role === 'end' ? 5 : 40], ['OUTPUT', 8]] as const), 'DROP');
}

export function ruleSpec(r: Rng, env: RuleEnv, table: Table, c: ChainState, f: Flow | null, users: ChainState[]): string {
  const t = targetFor(r, env, table, c, f, users);
  let m = matchPart(r, env, c, f, t.needsProto);
  // TCPMSS brings its own --tcp-flags
  if (t.text.includes('--tcp-flags')) m = m.replace(/ ?(! )?--syn\b| ?--tcp-flags \S+ \S+/g, '').trim();
  if (t.needsProto && !/(^|\s)-p (tcp|udp)\b/.test(m)) {
    const p = t.needsProto === 'tcp|udp' ? (f?.proto === 'udp' ? 'udp' : 'tcp') : t.needsProto;
    m = m.replace(/(^|\s)(! )?-p \S+/, '').trim();
    m = `-p ${p}${m ? ` ${m}` : ''}`;
    // clauses of another protocol cannot stay
    if (p === 'udp') m = m.replace(/ (! )?--(syn|tcp-flags \S+ \S+)|-m tcpmss --mss \S+/g, '');
  }
  // a rule with neither match nor target is valid (a bare counter), but the oracle's reading of
  // iptables-save cannot parse "[0:0] -A CHAIN" alone: give the counter a name instead
  if (!m && !t.text) return '-m comment --comment accounting';
  return `${m} ${t.text}`.replace(/\s+/g, ' ').trim();
}

export { TABLE_CHAINS };
