// pattern: Functional Core
// Traffic for a generated network: the services each server runs (the
// oracle's echo listeners) and the steps people try — a TCP connection with
// a request, a DNS-like UDP query, a ping, a traceroute-like probe with a
// small TTL, a hand-made packet (odd TCP flags, a spoofed source), the same
// connection twice, a reply direction, loopback. Every step is also a Flow
// the rule generator can aim its matches at, so rules match real packets.

import { allAddrs, type GHost, type Net } from './topology';
import { contains, fmt, ip } from './addr';
import { firstHops } from './routing';
import type { ListenerJson, StepJson, StepKind } from './case-json';
import type { Rng } from './rng';

export interface Service {
  host: GHost;
  proto: 'tcp' | 'udp';
  port: number;
  /** a listener runs (otherwise the port is closed: RST / port unreachable) */
  open: boolean;
  addr?: number;
}

export interface Flow {
  from: GHost;
  kind: StepKind;
  proto: 'tcp' | 'udp' | 'icmp';
  /** the source address routing will most likely choose (or the spoofed/bound one) */
  src: number;
  dst: number;
  dstHost: GHost | null;
  sport?: number;
  dport?: number;
  step: StepJson;
}

const TCP_PORTS = [22, 80, 443, 8080, 25, 3306, 5432, 6379, 8443, 21, 2222, 9000];
const UDP_PORTS = [53, 123, 69, 161, 514, 5353, 1194, 33434, 5060];

const DATA = ['hello', 'GET / HTTP/1.0', 'ping', 'x', 'SSH-2.0-OpenSSH_9.2', 'EHLO mail.example', 'USER anonymous', 'query', 'abcdefghijklmnopqrstuvwxyz0123456789', 'HEAD /index.html HTTP/1.1'];

/** what a listener on this host serves: a couple of well-known ports, sometimes a random one */
export function servicesFor(r: Rng, net: Net): Service[] {
  const out: Service[] = [];
  for (const h of net.hosts) {
    if (!allAddrs(h).length) continue;
    const n = h.role === 'server' ? r.weighted([[1, 40], [2, 40], [3, 20]] as const) : h.role === 'router' ? r.weighted([[0, 60], [1, 40]] as const) : r.weighted([[0, 75], [1, 25]] as const);
    for (let k = 0; k < n; k++) {
      const proto = r.chance(0.75) ? 'tcp' : 'udp';
      const port = r.chance(0.85) ? r.pick(proto === 'tcp' ? TCP_PORTS : UDP_PORTS) : r.int(1024, 65000);
      if (out.some((s) => s.host === h && s.proto === proto && s.port === port)) continue;
      const addrs = allAddrs(h);
      const svc: Service = { host: h, proto, port, open: r.chance(0.9) };
      if (svc.open && addrs.length > 1 && r.chance(0.08)) svc.addr = r.pick(addrs);
      out.push(svc);
    }
  }
  return out;
}

export function listenersOf(services: Service[]): ListenerJson[] {
  return services
    .filter((s) => s.open)
    .map((s) => ({ host: s.host.name, proto: s.proto, port: s.port, ...(s.addr !== undefined ? { addr: fmt(s.addr) } : {}) }));
}

/** The source address Linux picks towards dst: the address of the interface routing leaves by (approximately). */
export function likelySource(net: Net, h: GHost, dst: number): number {
  const all = allAddrs(h);
  if (all.includes(dst)) return dst;
  for (const i of h.ifaces) for (const a of i.addrs) if (contains(a.addr, a.plen, dst)) return a.addr;
  const target = net.hosts.find((o) => allAddrs(o).includes(dst));
  const hops = firstHops(net, h);
  const hop = target ? hops.get(target) : [...hops.values()].find((x) => x.gw.forwarding);
  return hop?.iface.addrs[0]?.addr ?? all[0] ?? ip('127.0.0.1');
}

export interface TrafficPlan {
  steps: StepJson[];
  flows: Flow[];
}

/** A destination address for a step from h: mostly a real host, sometimes an address nobody has. */
function pickDestination(r: Rng, net: Net, h: GHost, services: Service[]): { dst: number; host: GHost | null; service: Service | null } {
  const remoteServices = services.filter((s) => s.host !== h);
  const choice = r.weighted([
    ['service', remoteServices.length ? 55 : 0],
    ['host', 25],
    ['self', 6],
    ['nobody', 8],
    ['loopback', 4],
  ] as const);
  switch (choice) {
    case 'service': {
      const s = r.pick(remoteServices);
      const addrs = s.addr !== undefined ? [s.addr] : allAddrs(s.host);
      return { dst: r.pick(addrs), host: s.host, service: s };
    }
    case 'host': {
      const others = net.hosts.filter((o) => o !== h && allAddrs(o).length);
      if (!others.length) return { dst: ip('127.0.0.1'), host: h, service: null };
      const o = r.pick(others);
      return { dst: r.pick(allAddrs(o)), host: o, service: null };
    }
    case 'self': {
      const a = allAddrs(h);
      return { dst: a.length ? r.pick(a) : ip('127.0.0.1'), host: h, service: null };
    }
    case 'loopback':
      return { dst: ip('127.0.0.1'), host: h, service: null };
    case 'nobody': {
      // an unused address in a known network (ARP goes unanswered) or in a network nobody routes
      const lans = net.lans.filter((l) => l.plen <= 29);
      if (lans.length && r.chance(0.6)) {
        const l = r.pick(lans);
        const used = new Set(l.attach.flatMap((a) => a.iface.addrs.map((x) => x.addr)));
        for (let k = 0; k < 20; k++) {
          const a = (l.net + r.int(1, 2 ** (32 - l.plen) - 2)) >>> 0;
          if (!used.has(a)) return { dst: a, host: null, service: null };
        }
      }
      return { dst: ip(`100.64.${r.int(0, 255)}.${r.int(1, 254)}`), host: null, service: null };
    }
  }
}

/** The step kind people use for a destination: a service gets its protocol, anything else a ping mostly. */
function kindFor(r: Rng, service: Service | null): StepKind {
  if (service) return r.weighted([[service.proto, 80], ['ping', 10], ['packet', 10]] as const);
  return r.weighted([['ping', 45], ['tcp', 25], ['udp', 15], ['packet', 15]] as const);
}

function portFor(r: Rng, proto: 'tcp' | 'udp', dstHost: GHost | null, services: Service[], service: Service | null): number {
  if (service && service.proto === proto && r.chance(0.85)) return service.port;
  const mine = services.filter((s) => s.host === dstHost && s.proto === proto);
  if (mine.length && r.chance(0.7)) return r.pick(mine).port;
  return r.pick(proto === 'tcp' ? TCP_PORTS : UDP_PORTS);
}

export interface FlowRequest {
  from: GHost;
  kind: StepKind;
  dst: number;
  dport?: number;
}

/**
 * Steps: the flows the rule templates asked for (a port forward tried from
 * outside, say), then random ones; sometimes one repeated, sometimes one
 * answered from the other side.
 */
export function planTraffic(r: Rng, net: Net, services: Service[], requests: FlowRequest[]): TrafficPlan {
  const total = r.weighted([[1, 18], [2, 30], [3, 26], [4, 16], [5, 10]] as const);
  const steps: StepJson[] = [];
  const flows: Flow[] = [];
  const senders = net.hosts.filter((h) => allAddrs(h).length > 0 || net.archetype === 'single');
  const add = (f: Flow) => {
    flows.push(f);
    steps.push(f.step);
  };
  for (const q of requests) {
    if (steps.length >= total + 1) break;
    add(makeFlow(r, net, q.from, q.kind, q.dst, net.hosts.find((o) => allAddrs(o).includes(q.dst)) ?? null, q.dport, steps.length + 1));
  }
  while (steps.length < total) {
    const n = steps.length + 1;
    const special = r.weighted([
      ['random', 78],
      ['repeat', flows.length ? 10 : 0],
      ['reverse', flows.length ? 8 : 0],
      ['traceroute', 4],
    ] as const);
    if (special === 'repeat') {
      // the same connection again: limit, recent, connlimit, statistic and established state see a second packet
      const f = r.pick(flows);
      const again: StepJson = { ...f.step };
      delete again.sport;
      if (again.packet) again.packet = { ...again.packet };
      // the same source port again only after an RST close: a FIN close leaves the port in TIME_WAIT
      if (r.chance(0.3) && (again.udp || (again.tcp && again.close !== 'fin'))) again.sport = f.sport ?? 40000 + n;
      const copy: Flow = { ...f, step: again, sport: again.tcp || again.udp ? (again.sport ?? 40000 + n) : f.sport };
      add(copy);
      continue;
    }
    if (special === 'reverse') {
      const answered = flows.filter((x) => x.dstHost && x.dstHost !== x.from);
      const f = answered.length ? r.pick(answered) : null;
      if (f && f.dstHost) {
        add(makeFlow(r, net, f.dstHost, r.pick(['ping', 'tcp', 'udp'] as const), f.src, f.from, undefined, n));
        continue;
      }
    }
    if (special === 'traceroute') {
      const h = r.pick(senders);
      const d = pickDestination(r, net, h, services);
      const ttl = r.int(1, 3);
      const f = makeFlow(r, net, h, r.chance(0.6) ? 'ping' : 'udp', d.dst, d.host, r.chance(0.5) ? 33434 + n : undefined, n);
      f.step.ttl = ttl;
      add(f);
      continue;
    }
    const h = r.pick(senders);
    const d = pickDestination(r, net, h, services);
    const kind = kindFor(r, d.service);
    add(makeFlow(r, net, h, kind, d.dst, d.host, kind === 'tcp' || kind === 'udp' ? portFor(r, kind, d.host, services, d.service) : undefined, n));
  }
  return { steps, flows };
}

export function makeFlow(r: Rng, net: Net, from: GHost, kind: StepKind, dst: number, dstHost: GHost | null, dport: number | undefined, n: number): Flow {
  let src = likelySource(net, from, dst);
  const step: StepJson = { from: from.name };
  const own = allAddrs(from);
  // binding to another local address (src), a socket mark, a small TTL: options people reach for
  if (kind !== 'packet' && own.length > 1 && r.chance(0.08)) {
    src = r.pick(own);
    step.src = fmt(src);
  }
  if (kind !== 'packet' && r.chance(0.05)) step.mark = r.pick([1, 2, 0x10, 0x100]);
  switch (kind) {
    case 'ping':
      step.ping = fmt(dst);
      if (r.chance(0.06)) step.ttl = r.int(1, 3);
      return { from, kind, proto: 'icmp', src, dst, dstHost, step };
    case 'tcp': {
      const port = dport ?? r.pick(TCP_PORTS);
      step.tcp = `${fmt(dst)}:${port}`;
      if (r.chance(0.55)) step.data = r.pick(DATA);
      if (r.chance(0.3)) step.close = 'fin';
      return { from, kind, proto: 'tcp', src, dst, dstHost, sport: 40000 + n, dport: port, step };
    }
    case 'udp': {
      const port = dport ?? r.pick(UDP_PORTS);
      step.udp = `${fmt(dst)}:${port}`;
      if (r.chance(0.5)) step.data = r.pick(DATA);
      return { from, kind, proto: 'udp', src, dst, dstHost, sport: 40000 + n, dport: port, step };
    }
    case 'packet': {
      const proto = r.weighted([['tcp', 55], ['udp', 25], ['icmp', 20]] as const);
      const pkt: NonNullable<StepJson['packet']> = { proto, dst: fmt(dst) };
      // a spoofed source: what rp_filter and martian checks are for
      if (r.chance(0.15)) {
        const others = net.hosts.filter((o) => o !== from).flatMap(allAddrs);
        src = others.length && r.chance(0.6) ? r.pick(others) : ip(`198.18.${r.int(0, 255)}.${r.int(1, 254)}`);
        pkt.src = fmt(src);
      }
      if (r.chance(0.1)) pkt.ttl = r.int(1, 3);
      if (r.chance(0.08)) pkt.tos = r.pick([0x10, 0x08, 0x04, 0xb8]);
      if (proto === 'tcp') {
        pkt.dport = dport ?? r.pick(TCP_PORTS);
        pkt.flags = r.weighted([['S', 45], ['SA', 12], ['A', 12], ['F', 6], ['R', 6], ['FA', 5], ['', 4], ['FPU', 4], ['SF', 3], ['PA', 3]] as const);
      } else if (proto === 'udp') {
        pkt.dport = dport ?? r.pick(UDP_PORTS);
        if (r.chance(0.5)) pkt.data = r.pick(DATA);
      } else {
        const [type, code] = r.weighted([[[8, 0], 70], [[0, 0], 10], [[13, 0], 5], [[3, 3], 10], [[11, 0], 5]] as const);
        pkt.type = type;
        pkt.code = code;
      }
      step.packet = pkt;
      return { from, kind, proto, src, dst, dstHost, ...(pkt.dport !== undefined ? { sport: 40000 + n, dport: pkt.dport } : {}), step };
    }
  }
}
