// pattern: Functional Core
// The read-only half of Debian's net-tools 2.10 in the console: `ifconfig
// [-a] [DEV]`, `route [-n]`, `arp [-n|-a] [ADDR]`, `netstat -t|-u [-l|-a]
// -n`, `netstat -rn`, `netstat -i [-a]`. The old tools read what the
// kernel kept for them (SIOCGIF* ioctls on one address per label,
// /proc/net/route for the main table, /proc/net/arp, /proc/net/tcp and
// udp), so they show less than iproute2 does: a second address without a
// label, other routing tables, policy rules. What they print is what they
// print for the same state.
//
// Ground truth: __fixtures__/nettools/ (record.py runs queries.txt on
// net-tools in namespaces; nettools.test.ts runs the same on the engine).

import { formatIpv4, prefixMask } from '../net/addr';
import type { HostNet, IfAddr, Link, Neighbour } from '../net/config';
import { linkCarrier, type Peers } from '../net/ip-show';
import type { SocketRow } from '../sim/socket-table';

export interface ToolOutput {
  stdout: string;
  stderr: string;
  exit: number;
}

const ok = (stdout: string, stderr = ''): ToolOutput => ({ stdout, stderr, exit: 0 });
const failed = (stderr: string, exit = 1): ToolOutput => ({ stdout: '', stderr: stderr.endsWith('\n') ? stderr : `${stderr}\n`, exit });

/** What a net-tools view reads of the host. */
export interface NetToolsState {
  net: HostNet;
  peers: Peers;
  neighbours: readonly Neighbour[];
  sockets: readonly SocketRow[];
  /** each device's counters as of the step (absent: nothing counted) */
  stats: ReadonlyMap<string, DevStats>;
  /** the host has sent or received packets by the step */
  trafficSeen: boolean;
}

/** The counters net-tools prints (struct rtnl_link_stats64's); errors, overruns and the rest stay 0 here as on a veth. */
export interface DevStats {
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
  txDropped: number;
}

const NO_STATS: DevStats = { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, txDropped: 0 };

/** ife_print_long's byte figure: the count, then it ×10 scaled by 1024s, printed as whole.tenth (truncated) with an IEC unit. */
function scaledBytes(n: number): string {
  const units: readonly [number, string][] = [[1125899906842624, 'PiB'], [1099511627776, 'TiB'], [1073741824, 'GiB'], [1048576, 'MiB'], [1024, 'KiB']];
  let tenths = n * 10;
  let unit = 'B';
  for (const [size, name] of units) {
    if (n > size) {
      tenths = Math.floor(tenths / size);
      unit = name;
      break;
    }
  }
  return `${n} (${Math.floor(tenths / 10)}.${tenths % 10} ${unit})`;
}

const IFF = { UP: 0x1, BROADCAST: 0x2, LOOPBACK: 0x8, RUNNING: 0x40, MULTICAST: 0x1000 } as const;
/** net-tools' flag names, in the order ife_print_long prints them */
const IFF_NAMES: readonly [number, string][] = [[IFF.UP, 'UP'], [IFF.BROADCAST, 'BROADCAST'], [IFF.LOOPBACK, 'LOOPBACK'], [IFF.RUNNING, 'RUNNING'], [IFF.MULTICAST, 'MULTICAST']];
/** netstat -i's letters, in the order it prints them */
const IFF_LETTERS: readonly [number, string][] = [[IFF.BROADCAST, 'B'], [IFF.LOOPBACK, 'L'], [IFF.MULTICAST, 'M'], [IFF.RUNNING, 'R'], [IFF.UP, 'U']];

const COUNTERS_NOTE = 'PacketWalk keeps no counters for tunnel devices (gre, ipip, vxlan): their RX/TX figures read 0.';

/** The note for what is not counted: only on a host with a tunnel device, once it has moved packets. */
function countersNote(st: NetToolsState, tool: string): string {
  return st.trafficSeen && st.net.links.some((l) => l.tunnel) ? `${tool}: ${COUNTERS_NOTE}\n` : '';
}

function ifFlags(st: NetToolsState, l: Link): number {
  let f = l.kind === 'loopback' ? IFF.LOOPBACK : IFF.BROADCAST | IFF.MULTICAST;
  if (l.up) f |= IFF.UP;
  if (linkCarrier(st.net, l, st.peers)) f |= IFF.RUNNING;
  return f;
}

/** One entry of ifconfig's list: a device, or an alias (an address labelled `DEV:NAME`) shown as one. */
interface IfEntry {
  name: string;
  link: Link;
  /** the address SIOCGIFADDR returns for this name: the first one with this label */
  addr: IfAddr | null;
  alias: boolean;
}

/**
 * The entries in the order net-tools lists them (recorded): devices by
 * name, numbers compared as numbers, each stem's aliases after its
 * devices (`eth0 eth1 eth2 eth1:web lo`).
 */
function entries(net: HostNet): IfEntry[] {
  const list: IfEntry[] = [];
  for (const l of net.links) list.push({ name: l.name, link: l, addr: net.addresses.find((a) => a.iface === l.name && a.label === l.name) ?? null, alias: false });
  for (const a of net.addresses) {
    if (a.label === a.iface || list.some((e) => e.name === a.label)) continue;
    const link = net.links.find((l) => l.name === a.iface);
    if (link) list.push({ name: a.label, link, addr: a, alias: true });
  }
  const key = (e: IfEntry) => {
    const m = /^([^0-9:]*)(\d*)(.*)$/.exec(e.name)!;
    return { stem: m[1]!, alias: e.alias ? 1 : 0, n: m[2] ? Number(m[2]) : -1, rest: m[3]! };
  };
  return list.sort((x, y) => {
    const a = key(x);
    const b = key(y);
    if (a.stem !== b.stem) return a.stem < b.stem ? -1 : 1;
    if (a.alias !== b.alias) return a.alias - b.alias;
    if (a.n !== b.n) return a.n - b.n;
    return a.rest < b.rest ? -1 : a.rest > b.rest ? 1 : 0;
  });
}

function ifconfigBlock(st: NetToolsState, e: IfEntry): string {
  const f = ifFlags(st, e.link);
  const names = IFF_NAMES.filter(([bit]) => f & bit).map(([, n]) => n);
  let out = `${e.name}: flags=${f}<${names.join(',')}>  mtu ${e.link.mtu}\n`;
  if (e.addr) {
    const a = e.addr;
    out += `        inet ${formatIpv4(a.addr)}  netmask ${formatIpv4(prefixMask(a.prefixLen))}`;
    out += f & IFF.BROADCAST ? `  broadcast ${formatIpv4(a.broadcast)}\n` : '\n';
  }
  out += e.link.kind === 'loopback' ? '        loop  txqueuelen 1000  (Local Loopback)\n' : `        ether ${e.link.mac}  txqueuelen 1000  (Ethernet)\n`;
  if (!e.alias) {
    const k = st.stats.get(e.link.name) ?? NO_STATS;
    out += `        RX packets ${k.rxPackets}  bytes ${scaledBytes(k.rxBytes)}\n`;
    out += '        RX errors 0  dropped 0  overruns 0  frame 0\n';
    out += `        TX packets ${k.txPackets}  bytes ${scaledBytes(k.txBytes)}\n`;
    out += `        TX errors 0  dropped ${k.txDropped} overruns 0  carrier 0  collisions 0\n`;
  }
  return `${out}\n`;
}

/** `ifconfig [-a] [DEV]`: the devices that are up (all with -a), or one. */
export function ifconfigShow(st: NetToolsState, all: boolean, dev: string | null): ToolOutput {
  const list = entries(st.net);
  const note = countersNote(st, 'ifconfig');
  if (dev !== null) {
    const e = list.find((x) => x.name === dev);
    if (!e) return failed(`${dev}: error fetching interface information: Device not found`);
    return ok(ifconfigBlock(st, e), note);
  }
  return ok(list.filter((e) => all || e.link.up).map((e) => ifconfigBlock(st, e)).join(''), note);
}

/** `netstat -i [-a]`: the kernel interface table. */
export function netstatInterfaces(st: NetToolsState, all: boolean): ToolOutput {
  let out = 'Kernel Interface table\nIface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n';
  for (const e of entries(st.net)) {
    if (!all && !e.link.up) continue;
    const f = ifFlags(st, e.link);
    const letters = IFF_LETTERS.filter(([bit]) => f & bit).map(([, n]) => n).join('');
    const head = `${e.name.padEnd(16)}${String(e.link.mtu).padStart(5)}`;
    if (e.alias) {
      out += `${head}      - no statistics available -                        ${letters}\n`;
      continue;
    }
    // netstat's "%8llu %6lu %6lu %-6lu %8llu %6lu %6lu %6lu %s" after the name and MTU
    const k = st.stats.get(e.link.name) ?? NO_STATS;
    const n = (v: number, w: number) => String(v).padStart(w);
    out += `${head} ${n(k.rxPackets, 8)} ${n(0, 6)} ${n(0, 6)} ${'0'.padEnd(6)} ${n(k.txPackets, 8)} ${n(0, 6)} ${n(k.txDropped, 6)} ${n(0, 6)} ${letters}\n`;
  }
  return ok(out, countersNote(st, 'netstat'));
}

// ------------------------------------------------------------------ routes

/** The main table as /proc/net/route lists it: unicast routes whose device is up, in the FIB's order. */
function procRoutes(net: HostNet) {
  return net.routes.filter((r) => r.table === 254 && r.type === 'unicast' && r.nexthops.some((n) => !n.dead));
}

interface RouteRow {
  dst: string;
  gw: string;
  mask: string;
  flags: string;
  metric: number;
  iface: string;
}

function routeRows(net: HostNet, numeric: boolean): RouteRow[] {
  return procRoutes(net).map((r) => {
    const nh = r.nexthops.find((n) => !n.dead)!;
    // fib_flag_trans: RTF_UP, RTF_GATEWAY for a gateway, RTF_HOST for a /32
    const flags = `U${nh.gateway ? 'G' : ''}${r.dst.len === 32 ? 'H' : ''}`;
    const dst = !numeric && r.dst.len === 0 ? 'default' : formatIpv4(r.dst.addr);
    return { dst, gw: formatIpv4(nh.gateway), mask: formatIpv4(prefixMask(r.dst.len)), flags, metric: r.metric, iface: nh.dev ?? '*' };
  });
}

/** `route [-n]` (route -e's plain form). */
export function routeShow(net: HostNet, numeric: boolean): ToolOutput {
  let out = 'Kernel IP routing table\nDestination     Gateway         Genmask         Flags Metric Ref    Use Iface\n';
  for (const r of routeRows(net, numeric)) out += `${r.dst.padEnd(15)} ${r.gw.padEnd(15)} ${r.mask.padEnd(15)} ${r.flags.padEnd(5)} ${String(r.metric).padEnd(6)} ${'0'.padEnd(2)} ${'0'.padStart(7)} ${r.iface}\n`;
  return ok(out);
}

/** `netstat -rn`: the same table with MSS, Window and irtt (none set: 0). */
export function netstatRoutes(net: HostNet): ToolOutput {
  let out = 'Kernel IP routing table\nDestination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n';
  for (const r of routeRows(net, true)) out += `${r.dst.padEnd(15)} ${r.gw.padEnd(15)} ${r.mask.padEnd(15)} ${r.flags.padEnd(6)}${'0'.padStart(5)} ${'0'.padEnd(6)}${'0'.padStart(6)} ${r.iface}\n`;
  return ok(out);
}

// ------------------------------------------------------------------ arp

/** /proc/net/arp: every entry but NOARP ones; ATF_COM for a valid state, ATF_PERM for a permanent one. */
function arpRows(neighbours: readonly Neighbour[]) {
  return neighbours
    .filter((n) => n.state !== 'noarp')
    .map((n) => {
      const complete = n.lladdr !== null && n.state !== 'incomplete' && n.state !== 'failed';
      return { addr: formatIpv4(n.addr), mac: complete ? n.lladdr! : null, perm: n.state === 'permanent', iface: n.iface };
    });
}

/** `arp [-n] [-a] [-i IF] [ADDR]` */
export function arpShow(neighbours: readonly Neighbour[], o: { bsd: boolean; iface: string | null; addr: string | null }): ToolOutput {
  const rows = arpRows(neighbours).filter((r) => (o.iface === null || r.iface === o.iface) && (o.addr === null || r.addr === o.addr));
  if (o.addr !== null && !rows.length) return ok(`${o.addr} (${o.addr}) -- no entry\n`);
  if (o.bsd) {
    return ok(rows.map((r) => `? (${r.addr}) at ${r.mac ?? '<incomplete>'}${r.mac ? ' [ether]' : ''}${r.perm ? ' PERM' : ''} on ${r.iface}\n`).join(''));
  }
  if (!rows.length) return ok('');
  let out = 'Address                  HWtype  HWaddress           Flags Mask            Iface\n';
  for (const r of rows) {
    const flags = `${r.mac ? 'C' : ''}${r.perm ? 'M' : ''}`;
    out += `${r.addr.padEnd(25)}${(r.mac ? 'ether' : '').padEnd(8)}${(r.mac ?? '(incomplete)').padEnd(20)}${flags.padEnd(6)}${''.padEnd(16)}${r.iface}\n`;
  }
  return ok(out);
}

// ------------------------------------------------------------------ netstat -t/-u

/** /proc/net/tcp's st, as netstat names it (tcp_state[]) */
const NETSTAT_STATES: Record<SocketRow['state'], string> = {
  ESTABLISHED: 'ESTABLISHED', SYN_SENT: 'SYN_SENT', SYN_RECV: 'SYN_RECV', FIN_WAIT1: 'FIN_WAIT1', FIN_WAIT2: 'FIN_WAIT2', TIME_WAIT: 'TIME_WAIT',
  CLOSE: '', CLOSE_WAIT: 'CLOSE_WAIT', LAST_ACK: 'LAST_ACK', LISTEN: 'LISTEN',
};

/**
 * `netstat -t|-u [-l|-a] -n`: TCP first, then UDP, each as /proc/net lists
 * them (listeners first). -l the listening sockets (an unconnected UDP
 * socket counts as one), -a all, neither the others.
 */
export function netstatSockets(rows: readonly SocketRow[], o: { tcp: boolean; udp: boolean; listening: boolean; all: boolean }): ToolOutput {
  const what = o.all ? 'servers and established' : o.listening ? 'only servers' : 'w/o servers';
  let out = `Active Internet connections (${what})\nProto Recv-Q Send-Q Local Address           Foreign Address         State      \n`;
  const listening = (r: SocketRow) => r.state === 'LISTEN' || r.state === 'CLOSE';
  const order = (r: SocketRow) => (r.state === 'LISTEN' ? 0 : 1);
  for (const proto of ['tcp', 'udp'] as const) {
    if (!(proto === 'tcp' ? o.tcp : o.udp)) continue;
    const picked = rows.filter((r) => r.proto === proto && (o.all || (o.listening ? listening(r) : !listening(r)))).sort((x, y) => order(x) - order(y));
    for (const r of picked) {
      const local = `${formatIpv4(r.laddr)}:${r.lport}`;
      const peer = `${formatIpv4(r.raddr)}:${r.rport || '*'}`;
      // /proc/net/tcp's tx_queue of a listener is 0 (ss reads the backlog from inet_diag instead)
      const sendQ = r.state === 'LISTEN' ? 0 : r.sendQ;
      const state = proto === 'udp' && r.state === 'ESTABLISHED' ? 'ESTABLISHED' : NETSTAT_STATES[r.state];
      out += `${proto.padEnd(4)}  ${String(r.recvQ).padStart(6)} ${String(sendQ).padStart(6)} ${local.padEnd(23)} ${peer.padEnd(23)} ${state.padEnd(11)}\n`;
    }
  }
  return ok(out);
}
