// pattern: Functional Core
// Networks the way people draw them: a client and a server, a home gateway
// between a LAN and the internet, a router with several legs, two routers in
// a row, a switched LAN, a bridging firewall, a router with two legs on one
// switch, an ECMP pair. Each is built with random names, subnets, addresses
// and sizes, as the generation-time model the other generator parts fill in
// (routes, sysctls, rules, traffic) before it is written out as a case file.

import { cidr, contains, fmt, ip, overlaps } from './addr';
import type { Rng } from './rng';

export interface Addr {
  addr: number;
  plen: number;
}

export interface GIface {
  name: string;
  /** the L3 network the interface is addressed in (null: a bridge port, unaddressed) */
  lan: Lan | null;
  addrs: Addr[];
  /** a Linux bridge created by the case (br0) */
  bridge?: boolean;
  /** this interface is a port of that bridge */
  master?: string;
  mtu?: number;
}

export type Role = 'client' | 'server' | 'router' | 'bridge';

export interface GHost {
  name: string;
  role: Role;
  ifaces: GIface[];
  /** ip_forward=1 (routers) */
  forwarding: boolean;
  /** /32 addresses on lo (service addresses, anycast) */
  loAddrs: Addr[];
  /** routes only to its own networks: an internet host that knows nothing of private LANs */
  localRoutesOnly: boolean;
}

export interface Lan {
  id: number;
  net: number;
  plen: number;
  /** addressed interfaces in this network */
  attach: { host: GHost; iface: GIface }[];
  /** 'wan' / 'lan' for the home-gateway shapes, for rule templates */
  side?: 'wan' | 'lan';
}

export type Archetype = 'pair' | 'soho' | 'router' | 'chain' | 'lan' | 'bridge' | 'single' | 'twolegs' | 'ecmp';

export interface Net {
  archetype: Archetype;
  hosts: GHost[];
  lans: Lan[];
  links: [string, string][];
  switches: { name: string; ports: string[] }[];
  /** ip commands that must run before addresses (bridges, ECMP seeds) per host */
  preSetup: Map<GHost, string[]>;
  /** setup lines per host beyond addresses and routes (multipath, lo addresses) */
  extraSetup: Map<GHost, string[]>;
  /** the multipath route's seed etc. make some features safe to draw (see traffic) */
  flags: Set<string>;
}

export const ARCHETYPE_WEIGHTS: readonly (readonly [Archetype, number])[] = [
  ['pair', 14],
  ['soho', 26],
  ['router', 18],
  ['chain', 12],
  ['lan', 10],
  ['bridge', 9],
  ['single', 4],
  ['twolegs', 4],
  ['ecmp', 3],
];

// ------------------------------------------------------------------ names

const CLIENT_NAMES = ['client', 'pc', 'laptop', 'alice', 'bob', 'desk', 'ws', 'phone', 'host', 'carol'];
const SERVER_NAMES = ['server', 'web', 'db', 'nas', 'mail', 'dns', 'app', 'srv', 'api', 'files'];
const ROUTER_NAMES = ['router', 'gw', 'fw', 'edge', 'r', 'core'];

class Names {
  private used = new Set<string>();
  constructor(private readonly r: Rng) {}
  take(pool: readonly string[]): string {
    for (let k = 0; k < 20; k++) {
      const base = this.r.pick(pool);
      const name = this.used.has(base) || this.r.chance(0.25) ? `${base}${this.r.int(1, 9)}` : base;
      if (!this.used.has(name)) {
        this.used.add(name);
        return name;
      }
    }
    const name = `h${this.used.size + 1}`;
    this.used.add(name);
    return name;
  }
}

/** interface names of one host: eth0, eth1 … or another scheme people meet */
function ifaceNamer(r: Rng, router: boolean): (i: number, hint?: 'wan' | 'lan') => string {
  const scheme = r.weighted([
    ['eth', 70],
    ['ens', 10],
    ['enp', 6],
    ['role', router ? 10 : 0],
    ['e', 4],
  ] as const);
  return (i, hint) => {
    switch (scheme) {
      case 'eth':
        return `eth${i}`;
      case 'ens':
        return `ens${3 + i}`;
      case 'enp':
        return `enp0s${3 + i}`;
      case 'e':
        return `e${i}`;
      case 'role':
        return hint ? `${hint}${i}` : `net${i}`;
    }
  };
}

// ------------------------------------------------------------------ subnets

class Subnets {
  private used: Addr[] = [];
  private publicLeft = ['198.51.100.0', '203.0.113.0', '192.0.2.0'];
  constructor(private readonly r: Rng) {}

  private free(net: number, plen: number): boolean {
    return !this.used.some((u) => overlaps(u.addr, u.plen, net, plen)) && !overlaps(net, plen, ip('127.0.0.0'), 8);
  }

  private claim(net: number, plen: number): Addr {
    this.used.push({ addr: net, plen });
    return { addr: net, plen };
  }

  /** a private LAN: 192.168.x.0/24 mostly, 10.x.y.0/24, 172.16-31.x.0/24, sometimes /16 or /28 */
  lan(): Addr {
    for (let k = 0; k < 50; k++) {
      const plen = this.r.weighted([
        [24, 80],
        [16, 5],
        [28, 7],
        [25, 4],
        [27, 4],
      ] as const);
      const family = this.r.weighted([
        ['192', 50],
        ['10', 35],
        ['172', 15],
      ] as const);
      let net: number;
      if (family === '192') net = ip(`192.168.${this.r.int(0, 254)}.0`);
      else if (family === '10') net = ip(`10.${this.r.int(0, 254)}.${this.r.int(0, 254)}.0`);
      else net = ip(`172.${this.r.int(16, 31)}.${this.r.int(0, 254)}.0`);
      if (plen < 24) net = (net & ((0xffffffff << (32 - plen)) >>> 0)) >>> 0;
      if (plen > 24) net = (net | (this.r.int(0, (1 << (plen - 24)) - 1) << (32 - plen))) >>> 0;
      if (this.free(net, plen)) return this.claim(net, plen);
    }
    return this.fallback(24);
  }

  /** a public-looking network (TEST-NETs, never real addresses) */
  wan(): Addr {
    while (this.publicLeft.length) {
      const base = this.publicLeft.splice(this.r.int(0, this.publicLeft.length - 1), 1)[0]!;
      const plen = this.r.weighted([
        [24, 85],
        [25, 5],
        [28, 10],
      ] as const);
      const net = plen === 24 ? ip(base) : (ip(base) | (this.r.int(0, (1 << (plen - 24)) - 1) << (32 - plen))) >>> 0;
      if (this.free(net, plen)) return this.claim(net, plen);
    }
    return this.lan();
  }

  /** a point-to-point network between two routers */
  p2p(): Addr {
    for (let k = 0; k < 50; k++) {
      const plen = this.r.weighted([
        [30, 70],
        [31, 5],
        [29, 10],
        [24, 15],
      ] as const);
      const net =
        plen === 24
          ? ip(`10.${this.r.int(0, 254)}.${this.r.int(0, 254)}.0`)
          : (ip(`10.255.${this.r.int(0, 254)}.0`) | (this.r.int(0, (1 << (plen - 24)) - 1) << (32 - plen))) >>> 0;
      if (this.free(net, plen)) return this.claim(net, plen);
    }
    return this.fallback(30);
  }

  private fallback(plen: number): Addr {
    for (let x = 0; x < 255; x++) {
      const net = ip(`10.200.${x}.0`);
      if (this.free(net, plen)) return this.claim(net, plen);
    }
    throw new Error('no free subnet');
  }
}

// ------------------------------------------------------------------ builder

class Builder {
  readonly hosts: GHost[] = [];
  readonly lans: Lan[] = [];
  readonly links: [string, string][] = [];
  readonly switches: { name: string; ports: string[] }[] = [];
  readonly preSetup = new Map<GHost, string[]>();
  readonly extraSetup = new Map<GHost, string[]>();
  readonly flags = new Set<string>();
  readonly names: Names;
  readonly subnets: Subnets;
  private namers = new Map<GHost, (i: number, hint?: 'wan' | 'lan') => string>();
  private switchNames = 0;

  constructor(readonly r: Rng) {
    this.names = new Names(r);
    this.subnets = new Subnets(r);
  }

  host(role: Role): GHost {
    const pool = role === 'router' || role === 'bridge' ? ROUTER_NAMES : role === 'server' ? SERVER_NAMES : CLIENT_NAMES;
    const h: GHost = { name: this.names.take(pool), role, ifaces: [], forwarding: role === 'router', loAddrs: [], localRoutesOnly: false };
    this.namers.set(h, ifaceNamer(this.r, role === 'router'));
    this.hosts.push(h);
    return h;
  }

  iface(h: GHost, hint?: 'wan' | 'lan'): GIface {
    const namer = this.namers.get(h)!;
    let name = namer(h.ifaces.length, hint);
    for (let k = h.ifaces.length + 1; h.ifaces.some((i) => i.name === name); k++) name = namer(k, hint);
    const i: GIface = { name, lan: null, addrs: [] };
    h.ifaces.push(i);
    return i;
  }

  lan(sub: Addr, side?: 'wan' | 'lan'): Lan {
    const l: Lan = { id: this.lans.length, net: sub.addr, plen: sub.plen, attach: [], ...(side ? { side } : {}) };
    this.lans.push(l);
    return l;
  }

  /** give `iface` an address in `lan` (routers prefer .1 or the last address) */
  address(lan: Lan, h: GHost, iface: GIface): Addr {
    const size = 2 ** (32 - lan.plen);
    const taken = new Set(lan.attach.flatMap((a) => a.iface.addrs.filter((x) => contains(lan.net, lan.plen, x.addr)).map((x) => x.addr)));
    const first = lan.plen >= 31 ? 0 : 1;
    const last = lan.plen >= 31 ? size - 1 : size - 2;
    const prefer: number[] = [];
    if (h.role === 'router' || h.role === 'bridge') prefer.push(this.r.weighted([[first, 60], [last, 30], [this.r.int(first, last), 10]] as const));
    for (let k = 0; k < 8; k++) prefer.push(this.r.int(first, Math.min(last, first + 250)));
    for (let off = first; off <= last; off++) prefer.push(off);
    for (const off of prefer) {
      const a = (lan.net + off) >>> 0;
      if (!taken.has(a)) {
        const addr = { addr: a, plen: lan.plen };
        iface.addrs.push(addr);
        iface.lan = lan;
        lan.attach.push({ host: h, iface });
        return addr;
      }
    }
    throw new Error(`no free address in ${cidr(lan.net, lan.plen)}`);
  }

  /** join two hosts by a veth pair in a new network */
  link(a: GHost, b: GHost, sub: Addr, side?: 'wan' | 'lan', hints: ['wan' | 'lan' | undefined, 'wan' | 'lan' | undefined] = [undefined, undefined]): Lan {
    const l = this.lan(sub, side);
    const ia = this.iface(a, hints[0]);
    const ib = this.iface(b, hints[1]);
    this.address(l, a, ia);
    this.address(l, b, ib);
    this.links.push([`${a.name}:${ia.name}`, `${b.name}:${ib.name}`]);
    return l;
  }

  /** several hosts on one switch, one network */
  switched(members: GHost[], sub: Addr, side?: 'wan' | 'lan', hint?: 'wan' | 'lan'): Lan {
    const l = this.lan(sub, side);
    const ports: string[] = [];
    for (const m of members) {
      const i = this.iface(m, m.role === 'router' ? hint : undefined);
      this.address(l, m, i);
      ports.push(`${m.name}:${i.name}`);
    }
    this.switches.push({ name: `sw${++this.switchNames}`, ports });
    return l;
  }

  /** a leg of a router: one host on a link, or several on a switch */
  leg(router: GHost, members: GHost[], sub: Addr, side?: 'wan' | 'lan'): Lan {
    if (members.length === 1 && this.r.chance(0.75)) return this.link(router, members[0]!, sub, side, [side, undefined]);
    return this.switched([router, ...members], sub, side, side);
  }

  extra(h: GHost, line: string): void {
    const l = this.extraSetup.get(h) ?? [];
    l.push(line);
    this.extraSetup.set(h, l);
  }

  pre(h: GHost, line: string): void {
    const l = this.preSetup.get(h) ?? [];
    l.push(line);
    this.preSetup.set(h, l);
  }

  done(archetype: Archetype): Net {
    return {
      archetype,
      hosts: this.hosts,
      lans: this.lans,
      links: this.links,
      switches: this.switches,
      preSetup: this.preSetup,
      extraSetup: this.extraSetup,
      flags: this.flags,
    };
  }
}

// ------------------------------------------------------------------ archetypes

function pair(b: Builder): Net {
  const c = b.host('client');
  const s = b.host('server');
  b.link(c, s, b.r.chance(0.7) ? b.subnets.lan() : b.subnets.wan());
  return b.done('pair');
}

function soho(b: Builder): Net {
  const r = b.r;
  const lanHosts = Array.from({ length: r.weighted([[1, 45], [2, 40], [3, 15]] as const) }, (_, i) => b.host(i === 1 && r.chance(0.5) ? 'server' : 'client'));
  const gw = b.host('router');
  const wanHosts = Array.from({ length: r.weighted([[1, 70], [2, 30]] as const) }, () => b.host(r.chance(0.75) ? 'server' : 'client'));
  // the WAN side first, as eth0 on most home gateways
  b.leg(gw, wanHosts, b.subnets.wan(), 'wan');
  b.leg(gw, lanHosts, b.subnets.lan(), 'lan');
  // internet hosts know no route to private networks: replies need the gateway's NAT
  for (const w of wanHosts) w.localRoutesOnly = r.chance(0.75);
  return b.done('soho');
}

function router(b: Builder): Net {
  const r = b.r;
  const gw = b.host('router');
  const legs = r.weighted([[2, 50], [3, 35], [4, 15]] as const);
  for (let k = 0; k < legs; k++) {
    const members = Array.from({ length: r.weighted([[1, 70], [2, 30]] as const) }, () => b.host(r.chance(0.5) ? 'server' : 'client'));
    b.leg(gw, members, r.chance(0.8) ? b.subnets.lan() : b.subnets.wan());
  }
  return b.done('router');
}

function chain(b: Builder): Net {
  const r = b.r;
  const a = b.host('client');
  const r1 = b.host('router');
  const r2 = b.host('router');
  const z = b.host('server');
  b.link(a, r1, b.subnets.lan());
  b.link(r1, r2, b.subnets.p2p());
  b.link(r2, z, r.chance(0.5) ? b.subnets.lan() : b.subnets.wan());
  if (r.chance(0.3)) b.link(r1, b.host('server'), b.subnets.lan());
  return b.done('chain');
}

function lan(b: Builder): Net {
  const r = b.r;
  const n = r.weighted([[2, 30], [3, 45], [4, 25]] as const);
  const members = Array.from({ length: n }, (_, i) => b.host(i === 0 ? 'server' : 'client'));
  if (r.chance(0.5)) {
    const gw = b.host('router');
    b.switched([...members, gw], b.subnets.lan());
    b.link(gw, b.host('server'), b.subnets.wan(), 'wan');
  } else {
    b.switched(members, b.subnets.lan());
  }
  return b.done('lan');
}

function bridge(b: Builder): Net {
  const r = b.r;
  const left = b.host('client');
  const br = b.host('bridge');
  const right = b.host('server');
  const l = b.lan(b.subnets.lan());
  const bridgeIf: GIface = { name: r.chance(0.8) ? 'br0' : 'lanbr', lan: null, addrs: [], bridge: true };
  const p1 = b.iface(br);
  const p2 = b.iface(br);
  p1.master = bridgeIf.name;
  p2.master = bridgeIf.name;
  br.ifaces.push(bridgeIf);
  const li = b.iface(left);
  const ri = b.iface(right);
  b.address(l, left, li);
  b.address(l, right, ri);
  b.links.push([`${left.name}:${li.name}`, `${br.name}:${p1.name}`], [`${br.name}:${p2.name}`, `${right.name}:${ri.name}`]);
  b.pre(br, `ip link add ${bridgeIf.name} type bridge`);
  b.pre(br, `ip link set ${p1.name} master ${bridgeIf.name}`);
  b.pre(br, `ip link set ${p2.name} master ${bridgeIf.name}`);
  b.pre(br, `ip link set ${bridgeIf.name} up`);
  // a management address on the bridge makes the bridging host a local destination too
  if (r.chance(0.5)) {
    b.address(l, br, bridgeIf);
    b.flags.add('bridge-address');
    if (r.chance(0.4)) {
      // the bridge also routes: a third leg to another network
      br.forwarding = true;
      b.link(br, b.host('server'), b.subnets.wan());
    }
  }
  return b.done('bridge');
}

function single(b: Builder): Net {
  const h = b.host('server');
  if (b.r.chance(0.5)) h.loAddrs.push({ addr: ip(`10.${b.r.int(0, 254)}.${b.r.int(0, 254)}.${b.r.int(1, 254)}`), plen: 32 });
  return b.done('single');
}

function twolegs(b: Builder): Net {
  const r = b.r;
  const gw = b.host('router');
  const c = b.host('client');
  const s = b.host('server');
  const l = b.lan(b.subnets.lan());
  const ports: string[] = [];
  // the router has two interfaces on the same segment: with arp_ignore=0 both answer ARP (REPORT.md §5.21)
  const g1 = b.iface(gw);
  const g2 = b.iface(gw);
  const ci = b.iface(c);
  b.address(l, c, ci);
  b.address(l, gw, g1);
  if (r.chance(0.5)) b.address(l, gw, g2);
  else {
    const l2 = b.lan(b.subnets.lan());
    b.address(l2, gw, g2);
  }
  ports.push(`${c.name}:${ci.name}`, `${gw.name}:${g1.name}`, `${gw.name}:${g2.name}`);
  b.switches.push({ name: 'seg', ports });
  b.link(gw, s, b.subnets.wan(), 'wan');
  b.flags.add('arp-flux');
  return b.done('twolegs');
}

function ecmp(b: Builder): Net {
  const r = b.r;
  const c = b.host('client');
  const gw = b.host('router');
  const p1 = b.host('server');
  const p2 = b.host('server');
  const clientLan = b.link(c, gw, b.subnets.lan());
  const l1 = b.link(gw, p1, b.subnets.p2p());
  const l2 = b.link(gw, p2, b.subnets.p2p());
  // both next hops own the same service address, so either answers (case 39)
  const vip = { addr: ip(`203.0.113.${r.int(10, 250)}`), plen: 32 };
  p1.loAddrs.push(vip);
  p2.loAddrs.push(vip);
  for (let k = 0; k < r.int(1, 3); k++) {
    const extra = b.address(clientLan, c, c.ifaces[0]!);
    void extra;
  }
  b.extra(gw, 'sysctl -w net.ipv4.fib_multipath_hash_policy=0');
  b.extra(gw, `sysctl -w net.ipv4.fib_multipath_hash_seed=${r.int(1, 65535)}`);
  const gw1 = l1.attach.find((a) => a.host === p1)!.iface.addrs[0]!.addr;
  const gw2 = l2.attach.find((a) => a.host === p2)!.iface.addrs[0]!.addr;
  b.extra(gw, `ip route add ${fmt(vip.addr)}/32 nexthop via ${fmt(gw1)} weight ${r.int(1, 2)} nexthop via ${fmt(gw2)} weight ${r.int(1, 2)}`);
  b.flags.add('ecmp');
  return b.done('ecmp');
}

const BUILD: Record<Archetype, (b: Builder) => Net> = { pair, soho, router, chain, lan, bridge, single, twolegs, ecmp };

export function buildNet(r: Rng, archetype: Archetype = r.weighted(ARCHETYPE_WEIGHTS)): Net {
  return BUILD[archetype](new Builder(r));
}

// ------------------------------------------------------------------ queries

export function primaryAddr(h: GHost): number | null {
  for (const i of h.ifaces) if (i.addrs.length) return i.addrs[0]!.addr;
  return h.loAddrs[0]?.addr ?? null;
}

export function allAddrs(h: GHost): number[] {
  return [...h.ifaces.flatMap((i) => i.addrs.map((a) => a.addr)), ...h.loAddrs.map((a) => a.addr)];
}

export function hostOf(net: Net, addr: number): GHost | null {
  return net.hosts.find((h) => allAddrs(h).includes(addr)) ?? null;
}
