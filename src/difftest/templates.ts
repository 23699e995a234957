// pattern: Functional Core
// Rulesets the way people write them for real: a home gateway (MASQUERADE,
// a port forward, a stateful FORWARD policy, hairpin NAT), a hardened host
// (INPUT policy DROP, REJECT the rest), SSH brute-force limits, an egress
// filter by owner, policy routing by mark, a transparent proxy, Docker's and
// kube-proxy's NAT chains, a bridge firewall, NOTRACK for DNS, MSS clamping,
// TFTP and FTP helpers. Each asks for the traffic that exercises it.

import { cidr, fmt, ip } from './addr';
import type { Rng } from './rng';
import type { HostRuleset } from './ruleset';
import { allAddrs, type GHost, type GIface, type Lan, type Net } from './topology';
import type { FlowRequest, Service } from './traffic';

export interface TemplateOut {
  requests: FlowRequest[];
  /** extra setup per host (ip rules, routes in other tables, sysctls), typed before iptables */
  setup: Map<GHost, string[]>;
  /** routing table names the case declares (rt_tables) */
  rtTables: Record<string, number>;
  /** names of the templates used (for the case description and coverage) */
  used: string[];
  marks: number[];
  logPrefixes: string[];
}

interface Ctx {
  r: Rng;
  net: Net;
  services: Service[];
  rules: Map<GHost, HostRuleset>;
  out: TemplateOut;
}

function addSetup(ctx: Ctx, h: GHost, line: string): void {
  const l = ctx.out.setup.get(h) ?? [];
  l.push(line);
  ctx.out.setup.set(h, l);
}

function ifaceOn(h: GHost, lan: Lan): GIface | undefined {
  return h.ifaces.find((i) => i.lan === lan);
}

function addrOn(h: GHost, lan: Lan): number {
  return ifaceOn(h, lan)!.addrs[0]!.addr;
}

/** a router with a WAN and a LAN side: the gateway, its two networks, hosts on each */
function gateway(net: Net): { gw: GHost; wan: Lan; lan: Lan; wanHosts: GHost[]; lanHosts: GHost[] } | null {
  for (const gw of net.hosts.filter((h) => h.forwarding)) {
    const lans = gw.ifaces.map((i) => i.lan).filter((l): l is Lan => l !== null);
    if (lans.length < 2) continue;
    const wan = lans.find((l) => l.side === 'wan') ?? lans[0]!;
    const lan = lans.find((l) => l !== wan && l.side !== 'wan') ?? lans[1]!;
    const wanHosts = wan.attach.map((a) => a.host).filter((h) => h !== gw);
    const lanHosts = lan.attach.map((a) => a.host).filter((h) => h !== gw);
    if (!wanHosts.length || !lanHosts.length) continue;
    return { gw, wan, lan, wanHosts, lanHosts };
  }
  return null;
}

function service(ctx: Ctx, host: GHost, proto: 'tcp' | 'udp', port: number): void {
  if (!ctx.services.some((s) => s.host === host && s.proto === proto && s.port === port)) ctx.services.push({ host, proto, port, open: true });
}

function logPrefix(ctx: Ctx, base: string): string {
  const p = `${base}: `;
  ctx.out.logPrefixes.push(p);
  return p;
}

// ------------------------------------------------------------------ templates

function soho(ctx: Ctx): boolean {
  const g = gateway(ctx.net);
  if (!g) return false;
  const { r } = ctx;
  const rs = ctx.rules.get(g.gw)!;
  const wanIf = ifaceOn(g.gw, g.wan)!.name;
  const lanIf = ifaceOn(g.gw, g.lan)!.name;
  const wanAddr = addrOn(g.gw, g.wan);
  if (r.chance(0.75)) rs.add('nat', 'POSTROUTING', `-o ${wanIf} -j MASQUERADE`);
  else rs.add('nat', 'POSTROUTING', `-s ${cidr(g.lan.net, g.lan.plen)} -o ${wanIf} -j SNAT --to-source ${fmt(wanAddr)}`);
  const stateful = r.chance(0.8);
  if (r.chance(0.7)) {
    rs.setPolicy('filter', 'FORWARD', 'DROP');
    rs.add('filter', 'FORWARD', stateful ? (r.chance(0.6) ? '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT' : '-m state --state ESTABLISHED,RELATED -j ACCEPT') : `-i ${wanIf} -o ${lanIf} -j ACCEPT`);
    rs.add('filter', 'FORWARD', `-i ${lanIf} -o ${wanIf} -j ACCEPT`);
  }
  const client = r.pick(g.lanHosts);
  const server = r.pick(g.wanHosts);
  const port = r.pick([80, 443, 22, 8080]);
  service(ctx, server, 'tcp', port);
  ctx.out.requests.push({ from: client, kind: r.chance(0.8) ? 'tcp' : 'ping', dst: addrOn(server, g.wan), dport: port });
  if (r.chance(0.55)) {
    // a port forward from the WAN address to a LAN host
    const target = r.pick(g.lanHosts);
    const proto = r.chance(0.85) ? 'tcp' : 'udp';
    const ext = r.pick([8080, 2222, 80, 443, 5000, 25565]);
    const intPort = r.chance(0.6) ? r.pick([80, 22, 443]) : ext;
    service(ctx, target, proto, intPort);
    const to = `${fmt(addrOn(target, g.lan))}${intPort === ext && r.chance(0.3) ? '' : `:${intPort}`}`;
    rs.add('nat', 'PREROUTING', `${r.chance(0.7) ? `-i ${wanIf} ` : `-d ${fmt(wanAddr)} `}-p ${proto} -m ${proto} --dport ${ext} -j DNAT --to-destination ${to}`);
    if (rs.chain('filter', 'FORWARD')!.policy === 'DROP') {
      const accept = r.weighted([
        [`-d ${fmt(addrOn(target, g.lan))}/32 -i ${wanIf} -o ${lanIf} -p ${proto} -m ${proto} --dport ${intPort} -j ACCEPT`, 50],
        [`-i ${wanIf} -p ${proto} --dport ${intPort} -m conntrack --ctstate NEW,DNAT -j ACCEPT`, 20],
        ['-m conntrack --ctstate DNAT -j ACCEPT', 20],
        // the classic mistake: the external port in FORWARD, after DNAT changed it
        [`-i ${wanIf} -p ${proto} --dport ${ext} -j ACCEPT`, 10],
      ] as const);
      rs.add('filter', 'FORWARD', accept);
    }
    if (r.chance(0.3)) {
      // a REJECT for the rest, so a wrong port gets an answer
      rs.add('filter', 'FORWARD', `-i ${wanIf} -j REJECT${r.chance(0.5) ? ` --reject-with ${r.pick(['icmp-port-unreachable', 'icmp-admin-prohibited', 'icmp-host-prohibited'])}` : ''}`);
      if (proto === 'tcp' && r.chance(0.5)) rs.add('filter', 'FORWARD', `-i ${wanIf} -p tcp -j REJECT --reject-with tcp-reset`, 'start');
    }
    const outside = r.pick(g.wanHosts);
    const kind = proto === 'tcp' ? 'tcp' : 'udp';
    ctx.out.requests.push({ from: outside, kind, dst: wanAddr, dport: r.chance(0.85) ? ext : ext + 1 });
    if (r.chance(0.25)) {
      // hairpin: a LAN client uses the public address; works only with SNAT for the LAN too (cases 23/24)
      if (r.chance(0.6)) rs.add('nat', 'POSTROUTING', `-s ${cidr(g.lan.net, g.lan.plen)} -d ${fmt(addrOn(target, g.lan))} -p ${proto} --dport ${intPort} -j MASQUERADE`);
      const lanClient = g.lanHosts.find((h) => h !== target) ?? target;
      ctx.out.requests.push({ from: lanClient, kind, dst: wanAddr, dport: ext });
      ctx.out.used.push('hairpin');
    }
    ctx.out.used.push('port-forward');
  }
  if (r.chance(0.35)) gatewayInput(ctx, g.gw, lanIf);
  ctx.out.used.push('soho');
  return true;
}

function gatewayInput(ctx: Ctx, h: GHost, trusted: string): void {
  const { r } = ctx;
  const rs = ctx.rules.get(h)!;
  rs.setPolicy('filter', 'INPUT', 'DROP');
  rs.add('filter', 'INPUT', '-i lo -j ACCEPT');
  rs.add('filter', 'INPUT', '-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  rs.add('filter', 'INPUT', `-i ${trusted} -p tcp --dport 22 -j ACCEPT`);
  if (r.chance(0.6)) rs.add('filter', 'INPUT', '-p icmp --icmp-type echo-request -j ACCEPT');
  if (r.chance(0.3)) rs.add('filter', 'INPUT', `-j LOG --log-prefix "${logPrefix(ctx, 'INPUT-DROP')}"`);
  service(ctx, h, 'tcp', 22);
}

function hardenedHost(ctx: Ctx): boolean {
  const { r } = ctx;
  const servers = ctx.net.hosts.filter((h) => h.role === 'server' && !h.forwarding);
  if (!servers.length) return false;
  const h = r.pick(servers);
  const rs = ctx.rules.get(h)!;
  const mine = ctx.services.filter((s) => s.host === h && s.open);
  const style = r.weighted([['rhel', 35], ['policy', 45], ['chain', 20]] as const);
  if (style === 'policy') rs.setPolicy('filter', 'INPUT', 'DROP');
  const chain = style === 'chain' ? r.pick(['INBOUND', 'ufw-user-input', 'IN_public']) : 'INPUT';
  if (style === 'chain') rs.newChain('filter', chain, ['INPUT']);
  rs.add('filter', 'INPUT', '-i lo -j ACCEPT');
  if (r.chance(0.85)) rs.add('filter', 'INPUT', r.chance(0.5) ? '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT' : '-m state --state RELATED,ESTABLISHED -j ACCEPT');
  if (r.chance(0.3)) rs.add('filter', 'INPUT', '-m conntrack --ctstate INVALID -j DROP');
  if (r.chance(0.6)) rs.add('filter', 'INPUT', '-p icmp -j ACCEPT');
  if (style === 'chain') rs.add('filter', 'INPUT', `-j ${chain}`);
  for (const s of r.sample(mine, r.int(1, Math.max(1, mine.length)))) {
    const src = r.chance(0.3) ? `-s ${cidr(s.host.ifaces[0]?.lan?.net ?? ip('10.0.0.0'), s.host.ifaces[0]?.lan?.plen ?? 8)} ` : '';
    rs.add('filter', chain, `${src}-p ${s.proto} -m ${s.proto} --dport ${s.port} ${s.proto === 'tcp' && r.chance(0.4) ? '-m conntrack --ctstate NEW ' : ''}-j ACCEPT`);
  }
  if (style === 'chain' && r.chance(0.5)) rs.add('filter', chain, '-j RETURN');
  if (r.chance(0.3)) rs.add('filter', 'INPUT', `-m limit --limit 1/hour --limit-burst 1 -j LOG --log-prefix "${logPrefix(ctx, 'REJECTED')}"`);
  if (style === 'rhel') rs.add('filter', 'INPUT', '-j REJECT --reject-with icmp-host-prohibited');
  else if (r.chance(0.4)) {
    rs.add('filter', 'INPUT', '-p tcp -j REJECT --reject-with tcp-reset');
    rs.add('filter', 'INPUT', '-p udp -j REJECT --reject-with icmp-port-unreachable');
  }
  // somebody tries the closed ports too
  const client = ctx.net.hosts.find((x) => x !== h && allAddrs(x).length);
  if (client) ctx.out.requests.push({ from: client, kind: r.pick(['tcp', 'udp', 'ping'] as const), dst: allAddrs(h)[0]!, dport: r.pick([23, 3389, 161, 53]) });
  ctx.out.used.push(`hardened-${style}`);
  return true;
}

function sshLimits(ctx: Ctx): boolean {
  const { r } = ctx;
  const servers = ctx.net.hosts.filter((h) => !h.forwarding && allAddrs(h).length);
  if (servers.length < 2) return false;
  const h = r.pick(servers);
  const client = r.maybe(ctx.net.hosts.filter((x) => x !== h && allAddrs(x).length));
  if (!client) return false;
  service(ctx, h, 'tcp', 22);
  const rs = ctx.rules.get(h)!;
  const style = r.weighted([['recent', 40], ['limit', 20], ['connlimit', 25], ['hashlimit', 15]] as const);
  if (style === 'recent') {
    rs.add('filter', 'INPUT', '-p tcp --dport 22 -m conntrack --ctstate NEW -m recent --set --name SSH');
    rs.add('filter', 'INPUT', `-p tcp --dport 22 -m conntrack --ctstate NEW -m recent --update --seconds 60 --hitcount ${r.int(2, 3)} --name SSH -j ${r.pick(['DROP', 'REJECT --reject-with tcp-reset'])}`);
  } else if (style === 'limit') {
    rs.add('filter', 'INPUT', `-p tcp --syn --dport 22 -m limit --limit 1/hour --limit-burst ${r.int(1, 2)} -j ACCEPT`);
    rs.add('filter', 'INPUT', '-p tcp --syn --dport 22 -j DROP');
  } else if (style === 'connlimit') {
    rs.add('filter', 'INPUT', `-p tcp --syn --dport 22 -m connlimit --connlimit-above ${r.int(0, 1)}${r.chance(0.5) ? ' --connlimit-mask 32' : ''} -j REJECT --reject-with tcp-reset`);
  } else {
    rs.add('filter', 'INPUT', `-p tcp --dport 22 -m conntrack --ctstate NEW -m hashlimit --hashlimit-above 1/hour --hashlimit-burst ${r.int(1, 2)} --hashlimit-mode srcip --hashlimit-name ssh -j DROP`);
  }
  const dst = allAddrs(h)[0]!;
  const n = r.int(2, 3);
  for (let k = 0; k < n; k++) ctx.out.requests.push({ from: client, kind: 'tcp', dst, dport: 22 });
  ctx.out.used.push(`ssh-${style}`);
  return true;
}

function egress(ctx: Ctx): boolean {
  const { r } = ctx;
  const hosts = ctx.net.hosts.filter((h) => allAddrs(h).length && !h.forwarding);
  if (!hosts.length) return false;
  const h = r.pick(hosts);
  const rs = ctx.rules.get(h)!;
  const rule = r.weighted([
    ['-p tcp --dport 25 -m owner --uid-owner 0 -j REJECT --reject-with tcp-reset', 20],
    ['-m owner ! --uid-owner 0 -j DROP', 10],
    ['-m owner --socket-exists -j ACCEPT', 15],
    [`-m owner --uid-owner 0 -j LOG --log-prefix "${logPrefix(ctx, 'ROOT-OUT')}" --log-uid`, 15],
    ['-p tcp -m owner --uid-owner 0 -m conntrack --ctstate NEW -j ACCEPT', 15],
    ['-p udp --dport 53 -j ACCEPT', 10],
    ['-p icmp -m owner ! --socket-exists -j DROP', 15],
  ] as const);
  rs.add('filter', 'OUTPUT', rule);
  if (r.chance(0.3)) {
    rs.add('filter', 'OUTPUT', '-o lo -j ACCEPT', 'start');
    rs.add('filter', 'OUTPUT', '-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
    rs.setPolicy('filter', 'OUTPUT', 'DROP');
  }
  ctx.out.used.push('egress-owner');
  return true;
}

function markRouting(ctx: Ctx): boolean {
  const { r, net } = ctx;
  const candidates = net.hosts.filter((h) => allAddrs(h).length);
  if (!candidates.length) return false;
  const h = r.pick(candidates);
  const rs = ctx.rules.get(h)!;
  const mark = r.pick([1, 2, 0x10, 0x100]);
  ctx.out.marks.push(mark);
  const tableName = r.pick(['vpn', 'isp2', 'custom_table', 'marked', '100', '200']);
  const table = /^\d+$/.test(tableName) ? tableName : tableName;
  if (!/^\d+$/.test(tableName)) ctx.out.rtTables[tableName] = r.int(10, 250);
  const port = r.pick([80, 443, 53, 22]);
  const proto = port === 53 ? 'udp' : 'tcp';
  const chain = h.forwarding ? 'PREROUTING' : 'OUTPUT';
  rs.add('mangle', chain, `-p ${proto} --dport ${port} -j MARK --set-mark 0x${mark.toString(16)}`);
  if (r.chance(0.3)) {
    rs.add('mangle', chain, '-j CONNMARK --restore-mark', 'start');
    rs.add('mangle', chain, '-j CONNMARK --save-mark');
    ctx.out.used.push('connmark-save-restore');
  }
  addSetup(ctx, h, `ip rule add fwmark 0x${mark.toString(16)}${r.chance(0.2) ? '/0xff' : ''} ${r.chance(0.5) ? `pref ${r.int(100, 32000)} ` : ''}lookup ${table}`);
  // the marked table: another gateway if there is one, otherwise a route that says where marked packets die
  const lans = h.ifaces.map((i) => i.lan).filter((l): l is Lan => l !== null);
  const routers = lans.flatMap((l) => l.attach.filter((a) => a.host !== h && a.host.forwarding).map((a) => a.iface.addrs[0]!.addr));
  if (routers.length && r.chance(0.6)) addSetup(ctx, h, `ip route add default via ${fmt(r.pick(routers))} table ${table}`);
  else addSetup(ctx, h, `ip route add ${r.pick(['unreachable', 'blackhole', 'prohibit'])} default table ${table}`);
  const others = net.hosts.filter((x) => x !== h && allAddrs(x).length);
  const client = h.forwarding ? (others.length ? r.pick(others) : null) : h;
  const dests = net.hosts.filter((x) => x !== client && allAddrs(x).length);
  const dest = dests.length ? r.pick(dests) : null;
  if (client && dest) {
    service(ctx, dest, proto, port);
    ctx.out.requests.push({ from: client, kind: proto, dst: allAddrs(dest)[0]!, dport: port });
  }
  if (r.chance(0.3) && h.forwarding) addSetup(ctx, h, `sysctl -w net.ipv4.conf.all.rp_filter=${r.pick([1, 2])}`);
  ctx.out.used.push('mark-routing');
  return true;
}

function transparentProxy(ctx: Ctx): boolean {
  const g = gateway(ctx.net);
  if (!g) return false;
  const { r } = ctx;
  const rs = ctx.rules.get(g.gw)!;
  const lanIf = ifaceOn(g.gw, g.lan)!.name;
  const proxyPort = r.pick([3128, 8080, 8118]);
  rs.add('nat', 'PREROUTING', `-i ${lanIf} -p tcp --dport 80 -j REDIRECT --to-ports ${proxyPort}`);
  if (r.chance(0.6)) service(ctx, g.gw, 'tcp', proxyPort);
  const server = r.pick(g.wanHosts);
  service(ctx, server, 'tcp', 80);
  ctx.out.requests.push({ from: r.pick(g.lanHosts), kind: 'tcp', dst: addrOn(server, g.wan), dport: 80 });
  ctx.out.used.push('transparent-proxy');
  return true;
}

function docker(ctx: Ctx): boolean {
  const g = gateway(ctx.net);
  if (!g) return false;
  const { r } = ctx;
  const rs = ctx.rules.get(g.gw)!;
  const lanIf = ifaceOn(g.gw, g.lan)!.name;
  const container = r.pick(g.lanHosts);
  const hostPort = r.pick([8080, 8000, 5432, 3000]);
  const cport = r.pick([80, 5432, 3000]);
  service(ctx, container, 'tcp', cport);
  rs.newChain('nat', 'DOCKER', ['PREROUTING', 'OUTPUT']);
  rs.add('nat', 'PREROUTING', '-m addrtype --dst-type LOCAL -j DOCKER');
  rs.add('nat', 'OUTPUT', '! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER');
  rs.add('nat', 'POSTROUTING', `-s ${cidr(g.lan.net, g.lan.plen)} ! -o ${lanIf} -j MASQUERADE`);
  rs.add('nat', 'DOCKER', `-i ${lanIf} -j RETURN`);
  rs.add('nat', 'DOCKER', `! -i ${lanIf} -p tcp -m tcp --dport ${hostPort} -j DNAT --to-destination ${fmt(addrOn(container, g.lan))}:${cport}`);
  rs.newChain('filter', 'DOCKER-USER', ['FORWARD']);
  rs.add('filter', 'FORWARD', '-j DOCKER-USER');
  if (r.chance(0.4)) rs.add('filter', 'DOCKER-USER', `-i ${ifaceOn(g.gw, g.wan)!.name} -p tcp --dport ${cport} -j DROP`);
  rs.add('filter', 'DOCKER-USER', '-j RETURN');
  ctx.out.requests.push({ from: r.pick(g.wanHosts), kind: 'tcp', dst: addrOn(g.gw, g.wan), dport: hostPort });
  if (r.chance(0.4)) ctx.out.requests.push({ from: g.gw, kind: 'tcp', dst: addrOn(g.gw, g.wan), dport: hostPort });
  ctx.out.used.push('docker');
  return true;
}

function kubeProxy(ctx: Ctx): boolean {
  const { r, net } = ctx;
  const node = net.hosts.find((h) => h.forwarding && h.ifaces.filter((i) => i.lan).length >= 2);
  if (!node) return false;
  // the node's neighbours: clients send to the service address through it (their default route)
  const neighbours = [...new Set(node.ifaces.flatMap((i) => (i.lan ? i.lan.attach.map((a) => a.host) : [])))].filter((h) => h !== node && !h.forwarding && allAddrs(h).length);
  const backends = neighbours.filter((h) => h.role === 'server');
  const clients = neighbours.filter((h) => !backends.includes(h));
  if (backends.length < 1 || !clients.length) return false;
  const rs = ctx.rules.get(node)!;
  const vip = ip(`10.96.${r.int(0, 255)}.${r.int(1, 254)}`);
  const port = r.pick([80, 443, 8080]);
  const tport = r.pick([80, 8080, 9376]);
  for (const b of backends) service(ctx, b, 'tcp', tport);
  rs.newChain('nat', 'KUBE-SERVICES', ['PREROUTING', 'OUTPUT']);
  rs.newChain('nat', 'KUBE-SVC-A1', ['PREROUTING', 'OUTPUT']);
  rs.newChain('nat', 'KUBE-MARK-MASQ', ['PREROUTING', 'OUTPUT']);
  rs.newChain('nat', 'KUBE-POSTROUTING', ['POSTROUTING']);
  rs.add('nat', 'PREROUTING', '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  rs.add('nat', 'OUTPUT', '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  rs.add('nat', 'POSTROUTING', '-m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING');
  rs.add('nat', 'KUBE-MARK-MASQ', '-j MARK --or-mark 0x4000');
  rs.add('nat', 'KUBE-POSTROUTING', '-m mark ! --mark 0x4000/0x4000 -j RETURN');
  rs.add('nat', 'KUBE-POSTROUTING', '-j MARK --xor-mark 0x4000');
  rs.add('nat', 'KUBE-POSTROUTING', '-j MASQUERADE');
  rs.add('nat', 'KUBE-SERVICES', `-d ${fmt(vip)}/32 -p tcp -m tcp --dport ${port} -j KUBE-SVC-A1`);
  const n = backends.length;
  backends.forEach((b, i) => {
    const sep = `KUBE-SEP-${i}`;
    rs.newChain('nat', sep, ['PREROUTING', 'OUTPUT']);
    const rest = n - i;
    // random probabilities other than 0 and 1 are not reproducible on the kernel (REPORT.md §4)
    const pick = i === n - 1 ? '' : r.chance(0.6) ? `-m statistic --mode nth --every ${rest} --packet 0 ` : `-m statistic --mode random --probability ${r.pick(['0.00000000000', '1.00000000000'])} `;
    rs.add('nat', 'KUBE-SVC-A1', `${pick}-j ${sep}`);
    rs.add('nat', sep, `-s ${fmt(allAddrs(b)[0]!)}/32 -j KUBE-MARK-MASQ`);
    rs.add('nat', sep, `-p tcp -m tcp -j DNAT --to-destination ${fmt(allAddrs(b)[0]!)}:${tport}`);
  });
  if (r.chance(0.5)) rs.add('nat', 'KUBE-SVC-A1', '! -s 10.244.0.0/16 -j KUBE-MARK-MASQ', 'start');
  const client = r.pick(clients);
  for (let k = 0; k < r.int(2, 3); k++) ctx.out.requests.push({ from: client, kind: 'tcp', dst: vip, dport: port });
  ctx.out.used.push('kube-proxy');
  return true;
}

function bridgeFirewall(ctx: Ctx): boolean {
  const { r, net } = ctx;
  const br = net.hosts.find((h) => h.role === 'bridge');
  if (!br) return false;
  const rs = ctx.rules.get(br)!;
  const ports = br.ifaces.filter((i) => i.master).map((i) => i.name);
  const [p1, p2] = [ports[0]!, ports[1] ?? ports[0]!];
  const lines = r.sample(
    [
      `-m physdev --physdev-in ${p1} -p udp --dport ${r.pick([53, 161, 9])} -j DROP`,
      `-m physdev --physdev-is-bridged --physdev-out ${p2} -p tcp --dport 22 -j REJECT --reject-with tcp-reset`,
      `-m physdev --physdev-in ${p2} -p icmp --icmp-type echo-request -j DROP`,
      '-m physdev --physdev-is-bridged -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
      `-m physdev --physdev-in ${p1} -j LOG --log-prefix "${logPrefix(ctx, 'BRIDGE')}"`,
    ],
    r.int(1, 3),
  );
  for (const l of lines) rs.add('filter', 'FORWARD', l);
  if (net.flags.has('bridge-address') && r.chance(0.6)) {
    // the management address: SSH only from one side
    service(ctx, br, 'tcp', 22);
    rs.add('filter', 'INPUT', `-p tcp --dport 22 -m physdev --physdev-in ${p2} -j DROP`);
    const bif = br.ifaces.find((i) => i.bridge)!;
    const left = net.hosts.find((h) => h !== br && allAddrs(h).length)!;
    ctx.out.requests.push({ from: left, kind: r.chance(0.7) ? 'tcp' : 'ping', dst: bif.addrs[0]!.addr, dport: 22 });
  }
  ctx.out.used.push('bridge-firewall');
  return true;
}

function notrackDns(ctx: Ctx): boolean {
  const { r, net } = ctx;
  const h = r.maybe(net.hosts.filter((x) => allAddrs(x).length));
  if (!h) return false;
  const rs = ctx.rules.get(h)!;
  const chain = r.chance(0.6) ? 'PREROUTING' : 'OUTPUT';
  rs.add('raw', chain, `-p udp --${chain === 'PREROUTING' ? 'dport' : 'sport'} 53 -j ${r.chance(0.5) ? 'NOTRACK' : 'CT --notrack'}`);
  rs.add('filter', 'INPUT', '-m conntrack --ctstate UNTRACKED -j ACCEPT');
  service(ctx, h, 'udp', 53);
  const client = net.hosts.find((x) => x !== h && allAddrs(x).length);
  if (client) ctx.out.requests.push({ from: client, kind: 'udp', dst: allAddrs(h)[0]!, dport: 53 });
  ctx.out.used.push('notrack');
  return true;
}

function mssClamp(ctx: Ctx): boolean {
  const g = gateway(ctx.net);
  if (!g) return false;
  const { r } = ctx;
  const rs = ctx.rules.get(g.gw)!;
  const wanIf = ifaceOn(g.gw, g.wan)!;
  const mtu = r.pick([1492, 1400, 1280]);
  addSetup(ctx, g.gw, `ip link set dev ${wanIf.name} mtu ${mtu}`);
  for (const w of g.wanHosts) {
    const wi = ifaceOn(w, g.wan);
    if (wi) addSetup(ctx, w, `ip link set dev ${wi.name} mtu ${mtu}`);
  }
  rs.add('mangle', 'FORWARD', `-o ${wanIf.name} -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS ${r.chance(0.7) ? '--clamp-mss-to-pmtu' : `--set-mss ${mtu - 40}`}`);
  const server = r.pick(g.wanHosts);
  service(ctx, server, 'tcp', 80);
  ctx.out.requests.push({ from: r.pick(g.lanHosts), kind: 'tcp', dst: addrOn(server, g.wan), dport: 80 });
  ctx.out.used.push('mss-clamp');
  return true;
}

function helpers(ctx: Ctx): boolean {
  const { r, net } = ctx;
  const g = gateway(net);
  const client = g ? r.pick(g.lanHosts) : net.hosts.find((h) => h.role === 'client' && allAddrs(h).length);
  const server = g ? r.pick(g.wanHosts) : net.hosts.find((h) => h.role === 'server' && allAddrs(h).length);
  if (!client || !server || client === server) return false;
  const on = g ? g.gw : server;
  const rs = ctx.rules.get(on)!;
  const tftp = r.chance(0.6);
  const proto = tftp ? 'udp' : 'tcp';
  const port = tftp ? 69 : 21;
  rs.add('raw', on === server ? 'PREROUTING' : 'PREROUTING', `-p ${proto} --dport ${port} -j CT --helper ${tftp ? 'tftp' : 'ftp'}`);
  if (g) {
    rs.add('nat', 'POSTROUTING', `-o ${ifaceOn(g.gw, g.wan)!.name} -j MASQUERADE`);
    rs.setPolicy('filter', 'FORWARD', 'DROP');
    rs.add('filter', 'FORWARD', '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
    rs.add('filter', 'FORWARD', `-i ${ifaceOn(g.gw, g.lan)!.name} -j ACCEPT`);
    if (r.chance(0.5)) rs.add('filter', 'FORWARD', `-m helper --helper ${tftp ? 'tftp' : 'ftp'} -j ACCEPT`, 'start');
  }
  service(ctx, server, proto, port);
  const dst = g ? addrOn(server, g.wan) : allAddrs(server)[0]!;
  ctx.out.requests.push({ from: client, kind: proto, dst, dport: port });
  ctx.out.used.push(tftp ? 'tftp-helper' : 'ftp-helper');
  return true;
}

function logDropChain(ctx: Ctx): boolean {
  const { r, net } = ctx;
  const h = r.pick(net.hosts);
  const rs = ctx.rules.get(h)!;
  if (rs.chain('filter', 'LOGDROP')) return false;
  const hook = h.forwarding && r.chance(0.6) ? 'FORWARD' : 'INPUT';
  rs.newChain('filter', 'LOGDROP', [hook]);
  rs.add('filter', 'LOGDROP', `-j LOG --log-prefix "${logPrefix(ctx, 'LOGDROP')}"${r.chance(0.3) ? ' --log-level 6' : ''}`);
  rs.add('filter', 'LOGDROP', r.chance(0.7) ? '-j DROP' : '-j REJECT');
  const port = r.pick([23, 445, 3389, 80]);
  rs.add('filter', hook, `-p tcp --dport ${port} -j LOGDROP`);
  const from = net.hosts.find((x) => x !== h && allAddrs(x).length);
  const target = hook === 'INPUT' ? h : net.hosts.find((x) => x !== h && x !== from && allAddrs(x).length);
  if (from && target && allAddrs(target).length) ctx.out.requests.push({ from, kind: 'tcp', dst: allAddrs(target)[0]!, dport: port });
  ctx.out.used.push('logdrop-chain');
  return true;
}

const TEMPLATES: readonly (readonly [(ctx: Ctx) => boolean, number])[] = [
  [soho, 30],
  [hardenedHost, 18],
  [sshLimits, 8],
  [egress, 6],
  [markRouting, 9],
  [transparentProxy, 4],
  [docker, 4],
  [kubeProxy, 4],
  [bridgeFirewall, 10],
  [notrackDns, 4],
  [mssClamp, 3],
  [helpers, 4],
  [logDropChain, 6],
];

/** 0-2 realistic rulesets for the network, with the traffic that exercises them. */
export function applyTemplates(r: Rng, net: Net, services: Service[], rules: Map<GHost, HostRuleset>): TemplateOut {
  const out: TemplateOut = { requests: [], setup: new Map(), rtTables: {}, used: [], marks: [], logPrefixes: [] };
  const ctx: Ctx = { r, net, services, rules, out };
  const n = net.archetype === 'soho' || net.archetype === 'bridge' ? r.weighted([[1, 60], [2, 30], [0, 10]] as const) : r.weighted([[0, 40], [1, 45], [2, 15]] as const);
  const tried = new Set<(ctx: Ctx) => boolean>();
  for (let k = 0; k < n * 4 && out.used.length < n; k++) {
    const t = r.weighted(TEMPLATES);
    if (tried.has(t)) continue;
    tried.add(t);
    t(ctx);
  }
  return out;
}
