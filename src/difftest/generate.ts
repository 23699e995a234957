// pattern: Functional Core
// One generated case: `generateCase(seed, index)` draws a network (topology,
// addresses, routes), realistic rulesets with the traffic that exercises
// them, random rules aimed at that traffic, policy routing and the sysctls
// that matter, and writes it all as an oracle case file (FORMAT.md §1) the
// kernel harness and the engine both run. The same (seed, index) always gives
// the same case, whatever else was generated.

import { canonicalJson, type CaseJson, type SetupCommandJson, type StepJson } from './case-json';
import { cidr, fmt } from './addr';
import { Rng } from './rng';
import { baseRoutes, routeCommand } from './routing';
import { HostRuleset } from './ruleset';
import { randomRules, type RuleEnv, flowsThrough } from './rules';
import { applyTemplates } from './templates';
import { buildNet, allAddrs, type GHost, type Net } from './topology';
import { listenersOf, planTraffic, servicesFor, type Flow } from './traffic';

export interface GeneratedCase {
  case: CaseJson;
  /** what the generator meant to exercise (archetype, templates), for the report */
  intent: string[];
}

/** MACs the harness gives interfaces: 02:00:00:00:HH:II by host and endpoint order (FORMAT.md §1.1). */
export function harnessMacs(c: CaseJson): Map<string, string> {
  const macs = new Map<string, string>();
  const perHost = new Map<string, number>();
  const hostIndex = new Map(c.hosts.map((h, i) => [h.name, i + 1]));
  const endpoints = [...(c.links ?? []).flat(), ...(c.switches ?? []).flatMap((s) => s.ports)];
  for (const ep of endpoints) {
    const [host] = ep.split(':') as [string, string];
    const n = (perHost.get(host) ?? 0) + 1;
    perHost.set(host, n);
    const hex = (v: number) => v.toString(16).padStart(2, '0');
    macs.set(ep, `02:00:00:00:${hex(hostIndex.get(host) ?? 0)}:${hex(n)}`);
  }
  return macs;
}

function policyRouting(r: Rng, net: Net, flows: Flow[], rtTables: Record<string, number>, marks: number[]): Map<GHost, string[]> {
  const out = new Map<GHost, string[]>();
  if (!r.chance(0.16)) return out;
  const hosts = net.hosts.filter((h) => allAddrs(h).length);
  if (!hosts.length) return out;
  const h = r.pick(hosts);
  const lines: string[] = [];
  const used = new Set(Object.values(rtTables));
  let id = r.int(10, 250);
  while (used.has(id)) id = (id % 250) + 10;
  const named = r.chance(0.6);
  const table = named ? r.pick(['isp2', 'lan_only', 'policy', 'rt2', 'via_b']) : String(id);
  if (named) {
    if (table in rtTables) return out;
    rtTables[table] = id;
  }
  const f = flows.length ? r.pick(flowsThrough({ net, host: h, flows, marks, logPrefixes: [], macs: [], recentNames: [] }).concat(flows)) : null;
  // the table's content: another way out, or a route that refuses
  const routers = h.ifaces.flatMap((i) => (i.lan ? i.lan.attach.filter((a) => a.host !== h && a.host.forwarding).map((a) => a.iface.addrs[0]!.addr) : []));
  const dest = f ? r.chance(0.5) ? `${fmt(f.dst)}/32` : 'default' : 'default';
  const kind = r.weighted([['via', routers.length ? 40 : 0], ['unreachable', 15], ['blackhole', 12], ['prohibit', 12], ['throw', 8], ['empty', 8], ['dev', 5]] as const);
  if (kind === 'via') lines.push(`ip route add ${dest} via ${fmt(r.pick(routers))} table ${table}`);
  else if (kind === 'dev') {
    const i = h.ifaces.find((x) => x.addrs.length);
    if (i) lines.push(`ip route add ${dest} dev ${i.name} table ${table}`);
  } else if (kind !== 'empty') lines.push(`ip route add ${kind} ${dest} table ${table}`);
  // the rule: selectors drawn from a flow through this host
  const sel: string[] = [];
  const nSel = r.weighted([[1, 60], [2, 30], [3, 10]] as const);
  const kinds = r.sample(['from', 'to', 'iif', 'oif', 'fwmark', 'tos', 'ipproto', 'dport', 'sport', 'uidrange'] as const, nSel + 2);
  for (const k of kinds) {
    if (sel.length >= nSel) break;
    switch (k) {
      case 'from':
        if (f) sel.push(`from ${r.chance(0.6) ? fmt(f.src) : cidr(f.src, 24)}`);
        break;
      case 'to':
        if (f) sel.push(`to ${r.chance(0.6) ? fmt(f.dst) : cidr(f.dst, 24)}`);
        break;
      case 'iif': {
        const i = r.chance(0.3) || !h.ifaces.length ? 'lo' : r.pick(h.ifaces).name;
        sel.push(`iif ${i}`);
        break;
      }
      case 'oif':
        if (h.ifaces.length) sel.push(`oif ${r.pick(h.ifaces).name}`);
        break;
      case 'fwmark': {
        const m = marks.length ? r.pick(marks) : r.pick([1, 2]);
        sel.push(`fwmark 0x${m.toString(16)}${r.chance(0.2) ? '/0xff' : ''}`);
        break;
      }
      case 'tos':
        sel.push(`tos ${r.pick(['0x10', '0x08', '0x04'])}`);
        break;
      case 'ipproto':
        if (f) sel.push(`ipproto ${f.proto}`);
        break;
      case 'dport':
        if (f?.dport !== undefined) sel.push(r.chance(0.8) ? `ipproto ${f.proto} dport ${f.dport}` : `ipproto ${f.proto} dport ${f.dport}-${f.dport + 10}`);
        break;
      case 'sport':
        if (f?.sport !== undefined) sel.push(`ipproto ${f.proto} sport ${f.sport}`);
        break;
      case 'uidrange':
        sel.push(`uidrange ${r.pick(['0-0', '1000-2000'])}`);
        break;
    }
  }
  // ipproto may appear only once
  const selectors = sel.join(' ').replace(/(ipproto \w+)(.*) ipproto \w+/, '$1$2');
  const action = r.weighted([[`lookup ${table}`, 75], ['blackhole', 8], ['prohibit', 8], ['unreachable', 6], ['lookup main suppress_prefixlength 0', 3]] as const);
  const pref = r.chance(0.5) ? ` pref ${r.pick([100, 1000, 32000, r.int(1, 32765)])}` : '';
  lines.push(`ip rule add ${r.chance(0.08) ? 'not ' : ''}${selectors || 'from all'}${pref} ${action}`.replace(/\s+/g, ' '));
  out.set(h, lines);
  return out;
}

function sysctls(r: Rng, net: Net, steps: number): Map<GHost, string[]> {
  const out = new Map<GHost, string[]>();
  const add = (h: GHost, line: string) => {
    const l = out.get(h) ?? [];
    if (!l.includes(line)) l.push(line);
    out.set(h, l);
  };
  for (const h of net.hosts) {
    // now and then someone forgets ip_forward (case 16)
    if (h.forwarding && r.chance(0.95)) add(h, r.chance(0.85) ? 'sysctl -w net.ipv4.ip_forward=1' : 'sysctl -w net.ipv4.conf.all.forwarding=1');
    // a router with a leg on a shared segment may send ICMP redirects; after the first, the kernel's
    // backoff is time based (REPORT.md §4): several packets of one flow would not be reproducible
    const shared = h.forwarding && h.ifaces.some((i) => i.lan && i.lan.attach.length >= 3);
    if (shared && (steps > 1 || r.chance(0.5))) {
      add(h, 'sysctl -w net.ipv4.conf.all.send_redirects=0');
      for (const i of h.ifaces) if (i.lan && i.lan.attach.length >= 3) add(h, `sysctl -w net.ipv4.conf.${i.name}.send_redirects=0`);
    }
  }
  const hosts = net.hosts.filter((h) => h.ifaces.length);
  if (!hosts.length) return out;
  const some = () => r.pick(hosts);
  const iface = (h: GHost) => r.pick(h.ifaces).name;
  if (r.chance(0.14)) {
    const h = r.chance(0.7) ? (net.hosts.find((x) => x.forwarding) ?? some()) : some();
    add(h, r.chance(0.6) ? `sysctl -w net.ipv4.conf.all.rp_filter=${r.pick([1, 2])}` : `sysctl -w net.ipv4.conf.${iface(h)}.rp_filter=${r.pick([1, 2])}`);
  }
  if (r.chance(net.flags.has('arp-flux') ? 0.5 : 0.08)) {
    const h = net.hosts.find((x) => x.ifaces.length > 1) ?? some();
    add(h, `sysctl -w net.ipv4.conf.all.arp_ignore=${r.pick([1, 2])}`);
    if (r.chance(0.7)) add(h, `sysctl -w net.ipv4.conf.all.arp_announce=${r.pick([1, 2])}`);
  }
  if (r.chance(0.05)) add(some(), 'sysctl -w net.ipv4.conf.all.accept_redirects=0');
  if (r.chance(0.05)) add(some(), 'sysctl -w net.netfilter.nf_conntrack_tcp_loose=0');
  if (r.chance(0.03)) add(some(), 'sysctl -w net.netfilter.nf_conntrack_tcp_be_liberal=1');
  if (r.chance(0.03)) add(some(), 'sysctl -w net.ipv4.icmp_echo_ignore_all=1');
  if (r.chance(0.03)) add(some(), `sysctl -w net.ipv4.ip_default_ttl=${r.pick([32, 128, 255])}`);
  if (r.chance(0.02)) add(some(), 'sysctl -w net.ipv4.tcp_timestamps=0');
  if (r.chance(0.02)) add(some(), 'sysctl -w net.ipv4.tcp_sack=0');
  if (r.chance(0.02)) add(some(), 'sysctl -w net.ipv4.tcp_window_scaling=0');
  if (r.chance(0.03)) add(some(), 'sysctl -w net.ipv4.icmp_errors_use_inbound_ifaddr=1');
  if (r.chance(0.02)) {
    const h = net.hosts.find((x) => x.forwarding) ?? some();
    add(h, `sysctl -w net.ipv4.conf.${iface(h)}.proxy_arp=1`);
  }
  if (r.chance(0.02)) add(some(), 'sysctl -w net.ipv4.conf.all.accept_local=1');
  return out;
}

/**
 * Link MTUs and payload sizes come from a stream of their own, so adding them
 * left every other draw (and every cached kernel result) as it was. The sizes
 * stay inside what is reproducible on the kernel and modelled (the TCP notes
 * in src/engine/sim/tcp-stream.ts and pmtu.ts): MTUs ≥ 552 and equal on both
 * ends of a link; TCP data of at most ten segments, and over a narrower path
 * either small enough for it or whole segments only (a tail that fits where
 * the head does not would arrive out of order); UDP and ping below the
 * smallest MTU, never fragmented.
 */
function sizes(rx: Rng, net: Net, steps: StepJson[]): Map<GHost, string[]> {
  const mtuLines = new Map<GHost, string[]>();
  let minMtu = 1500;
  if (rx.chance(0.12)) {
    const mtu = rx.weighted([[1400, 30], [1492, 25], [1280, 20], [9000, 15], [576, 10]] as const);
    // one link or one switch, all its ends alike
    const segments: string[][] = [...net.links.map((l) => [...l]), ...net.switches.map((sw) => sw.ports)];
    if (segments.length) {
      for (const ep of rx.pick(segments)) {
        const [hn, ifn] = ep.split(':') as [string, string];
        const h = net.hosts.find((x) => x.name === hn)!;
        mtuLines.set(h, [...(mtuLines.get(h) ?? []), `ip link set dev ${ifn} mtu ${mtu}`]);
      }
      minMtu = Math.min(minMtu, mtu);
    }
  }
  const mss = 1448;
  for (const st of steps) {
    if (!rx.chance(0.18)) continue;
    if (st.tcp !== undefined) {
      const n = minMtu < 1500 ? (rx.chance(0.5) ? rx.int(100, minMtu - 52) : mss * rx.int(1, 3)) : rx.weighted([[rx.int(100, 1448), 40], [rx.int(1449, 4000), 35], [rx.int(4001, 14480), 25]] as const);
      st.data = payloadOf(n);
    } else if (st.udp !== undefined) {
      st.data = payloadOf(rx.int(100, minMtu - 28 - 8));
    } else if (st.ping !== undefined && rx.chance(0.5)) {
      st.payload = payloadOf(rx.int(100, minMtu - 28));
    }
  }
  // a FIN close with nothing sent races the server's delayed ACK against its own FIN: the kernel
  // sends ACK and FIN together or apart from run to run (difftest seed 2 cases 491, 697, 851);
  // with a line sent first the delayed-ACK timer is 40 ms and the close is the same every time
  for (const st of steps) if (st.tcp !== undefined && st.close === 'fin' && st.data === undefined) st.data = 'QUIT\r\n';
  return mtuLines;
}

/** `n` bytes of something a program would send: a request line, then text */
function payloadOf(n: number): string {
  const head = 'POST /upload HTTP/1.1\r\nContent-Type: text/plain\r\n\r\n';
  const body = 'the quick brown fox jumps over the lazy dog 0123456789 ';
  let out = head;
  while (out.length < n) out += body;
  return out.slice(0, n);
}

export function generateCase(seed: number, index: number): GeneratedCase {
  const r = Rng.forCase(seed, index);
  const net = buildNet(r);
  const routes = baseRoutes(r, net);
  const services = servicesFor(r, net);
  const rules = new Map(net.hosts.map((h) => [h, new HostRuleset()]));
  const tpl = applyTemplates(r, net, services, rules);
  const traffic = planTraffic(r, net, services, tpl.requests);
  const linkEnds = [...net.links.flat(), ...net.switches.flatMap((s) => s.ports)];
  const caseShape: CaseJson = { name: '', hosts: net.hosts.map((h) => ({ name: h.name, setup: [] })), links: net.links, switches: net.switches, steps: [] };
  const macs = harnessMacs(caseShape);
  const marks = [...tpl.marks];
  const logPrefixes = [...tpl.logPrefixes];
  const recentNames: string[] = [];
  for (const h of net.hosts) {
    const rs = rules.get(h)!;
    const n = h.forwarding || h.role === 'bridge' ? r.weighted([[0, 25], [1, 20], [2, 20], [4, 20], [7, 15]] as const) : r.weighted([[0, 50], [1, 20], [2, 15], [4, 10], [6, 5]] as const);
    const env: RuleEnv = { net, host: h, flows: traffic.flows, marks, logPrefixes, macs: linkEnds.filter((e) => !e.startsWith(`${h.name}:`)).map((e) => macs.get(e)!), recentNames };
    if (n) randomRules(r, env, rs, n);
  }
  const rtTables = { ...tpl.rtTables };
  const policy = policyRouting(r, net, traffic.flows, rtTables, marks);
  const sys = sysctls(r, net, traffic.steps.length);
  const mtus = sizes(Rng.forCase(seed ^ 0x51a3e, index), net, traffic.steps);

  const hosts = net.hosts.map((h) => {
    const setup: SetupCommandJson[] = [];
    setup.push(...(net.preSetup.get(h) ?? []));
    setup.push(...(mtus.get(h) ?? []));
    for (const i of h.ifaces) for (const a of i.addrs) setup.push(`ip addr add ${fmt(a.addr)}/${a.plen} dev ${i.name}`);
    for (const a of h.loAddrs) setup.push(`ip addr add ${fmt(a.addr)}/32 dev lo`);
    setup.push(...(tpl.setup.get(h) ?? []).filter((l) => l.startsWith('ip link')));
    setup.push(...(routes.get(h) ?? []).map(routeCommand));
    setup.push(...(net.extraSetup.get(h) ?? []));
    setup.push(...(tpl.setup.get(h) ?? []).filter((l) => !l.startsWith('ip link')));
    setup.push(...(policy.get(h) ?? []));
    setup.push(...(sys.get(h) ?? []));
    setup.push(...rules.get(h)!.emit(r));
    return { name: h.name, setup: withoutDuplicateRoutes(setup) };
  });
  const name = `d${seed}-${String(index).padStart(4, '0')}`;
  const intent = [net.archetype, ...tpl.used, ...(policy.size ? ['policy-routing'] : [])];
  const c: CaseJson = {
    name,
    description: `generated (seed ${seed}, case ${index}): ${intent.join(', ')}`,
    ...(r.chance(0.08) ? { options: { conntrack: 'on' as const } } : {}),
    ...(Object.keys(rtTables).length ? { rt_tables: rtTables } : {}),
    hosts,
    ...(net.links.length ? { links: net.links } : {}),
    ...(net.switches.length ? { switches: net.switches } : {}),
    listeners: listenersOf(services),
    steps: traffic.steps,
  };
  return { case: c, intent };
}

/**
 * A route added twice fails (RTNETLINK answers: File exists) and the kernel
 * harness refuses the whole case: keep the first of each destination per
 * table, metric and TOS, as `ip route add` would.
 */
function withoutDuplicateRoutes(setup: SetupCommandJson[]): SetupCommandJson[] {
  const seen = new Set<string>();
  return setup.filter((c) => {
    if (typeof c !== 'string' || !c.startsWith('ip route add ')) return true;
    const w = c.split(' ').slice(3);
    const types = ['unreachable', 'prohibit', 'blackhole', 'throw', 'local', 'unicast'];
    const dst = types.includes(w[0]!) ? w[1]! : w[0]!;
    const opt = (k: string) => {
      const i = w.indexOf(k);
      return i >= 0 ? w[i + 1] : '';
    };
    const key = `${dst === 'default' ? '0.0.0.0/0' : dst}|${opt('table') || 'main'}|${opt('metric')}|${opt('tos')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The content hash input of a case: everything but its name and description. */
export function caseKey(c: CaseJson): string {
  const { name: _n, description: _d, ...rest } = c;
  return canonicalJson(rest);
}
