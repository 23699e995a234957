// pattern: Functional Core
// The read-only `bridge` command of the console: `bridge link [show] [dev
// PORT]`, `bridge fdb [show] [br BRIDGE] [dev DEV]` and `bridge vlan [show]
// [dev DEV]` (net/bridge-vlan.ts), printed as
// iproute2 6.1's bridge/link.c and bridge/fdb.c print the kernel's dumps
// (rtnl_fdb_dump: every device in ifindex order, a port's bridge entries
// then its own multicast list; a bridge's own list, then its own address
// when it was set). The learned entries are the ones the walk's bridges
// (sim/l2.ts) learned by the step. Ground truth:
// __fixtures__/readonly/bridge.golden.txt (record.py bridge).

import type { HostNet, Link } from '../net/config';
import { linkCarrier, linkFlags, type Peers } from '../net/ip-show';
import type { FdbLearned } from '../sim/l2';
import { formatBridgeVlanShow } from '../net/bridge-vlan';
import type { QueryOutput } from './readonly';

const ok = (stdout: string): QueryOutput => ({ stdout, stderr: '', exit: 0 });
const bad = (stderr: string, exit = 255): QueryOutput => ({ stdout: '', stderr: `${stderr}\n`, exit });

/** What `bridge` reads: the host's links, its veth peers, and what its bridges learned as of the step. */
export interface BridgeState {
  net: HostNet;
  peers: Peers;
  learned: readonly FdbLearned[];
}

const isBridge = (net: HostNet, name: string | null) => name !== null && net.links.some((l) => l.name === name && l.kind === 'bridge');

/** `bridge link|fdb …`; null for the forms that are not reads (`bridge vlan add` …: an edit). */
export function bridgeQuery(args: readonly string[], s: BridgeState): QueryOutput | null {
  const [obj, ...rest] = args;
  if (obj === undefined) return bad('Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }\nwhere  OBJECT := { link | fdb | mdb | vlan | monitor }');
  if ('link'.startsWith(obj)) return linkShow(rest, s);
  if ('fdb'.startsWith(obj)) return fdbShow(rest, s);
  if ('vlan'.startsWith(obj) && (rest[0] === undefined || ['show', 'list', 'lst'].some((v) => v.startsWith(rest[0]!)))) {
    const f = filters(rest, ['dev', 'vid'], 'vlan');
    if (!(f instanceof Map)) return f;
    const dev = f.get('dev') ?? null;
    if (dev !== null && !s.net.links.some((l) => l.name === dev)) return bad(`Cannot find device "${dev}"`);
    const vid = f.has('vid') ? parseInt(f.get('vid')!, 10) || 0 : null;
    return ok(formatBridgeVlanShow(s.net, dev, vid));
  }
  return null;
}

/** Words after the object: an optional `show`/`list`, then KEY VALUE pairs from `keys`. */
function filters(words: readonly string[], keys: readonly string[], what: string): Map<string, string> | QueryOutput {
  let rest = words;
  if (rest[0] !== undefined && (rest[0] === 'show' || rest[0] === 'list' || rest[0] === 'lst')) rest = rest.slice(1);
  else if (rest[0] !== undefined && !keys.includes(rest[0])) return bad(`Command "${rest[0]}" is unknown, try "bridge ${what} help".`);
  const f = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) {
    const k = rest[i]!;
    const v = rest[i + 1];
    if (!keys.includes(k)) return bad(`Unknown argument "${k}": expected ${keys.join(' or ')} NAME (bridge ${what} show).`);
    if (v === undefined) return bad(`Command line is not complete. Try option "help"`);
    f.set(k, v);
  }
  return f;
}

/**
 * br_port_state as `bridge link` names it: without STP a port forwards
 * while it and its bridge are up with carrier (br_stp_enable_port), and is
 * disabled otherwise (br_stp_disable_port, br_port_carrier_check).
 */
function portState(net: HostNet, port: Link, peers: Peers): string {
  const br = net.links.find((l) => l.name === port.master);
  return port.up && linkCarrier(net, port, peers) && br?.up ? 'forwarding' : 'disabled';
}

/**
 * br_if.c port_cost: a veth reports 10 Gbit/s (cost 2) and a VLAN device
 * its real device's speed; a device with no speed to report gets the
 * default cost, 100.
 */
function portCost(l: Link): number {
  return l.kind === 'veth' || l.kind === 'vlan' ? 2 : 100;
}

function linkShow(words: readonly string[], s: BridgeState): QueryOutput {
  const f = filters(words, ['dev'], 'link');
  if (!(f instanceof Map)) return f;
  const dev = f.get('dev') ?? null;
  if (dev !== null && !s.net.links.some((l) => l.name === dev)) return bad(`Cannot find device "${dev}"`, 1);
  const byIndex = new Map(s.net.links.map((l) => [l.ifindex, l.name]));
  const lines: string[] = [];
  for (const l of [...s.net.links].sort((a, b) => a.ifindex - b.ifindex)) {
    if (!isBridge(s.net, l.master) || (dev !== null && l.name !== dev)) continue;
    // print_linkinfo: IFLA_LINK names the veth peer's ifindex, which iproute2 looks up in this namespace
    // (ll_index_to_name: `if%d` when no device here has it); no `@` when it equals the port's own index
    const link = s.peers.get(l.name)?.ifindex ?? (l.vlan ? s.net.links.find((x) => x.name === l.vlan!.parent)?.ifindex : undefined);
    const name = link !== undefined && link !== l.ifindex ? `${l.name}@${byIndex.get(link) ?? `if${link}`}` : l.name;
    lines.push(`${l.ifindex}: ${name}: <${linkFlags(s.net, l, s.peers).join(',')}> mtu ${l.mtu} master ${l.master} state ${portState(s.net, l, s.peers)} priority 32 cost ${portCost(l)} \n`);
  }
  return ok(lines.join(''));
}

/**
 * A device's own address list (ndo_dflt_fdb_dump: its unicast then
 * multicast addresses, `self permanent`): every device holds the IPv6
 * all-nodes group, one that is up also IPv4's all-hosts group (ip_mc_up),
 * and a bridge that is up the multicast router groups its snooping joins
 * (br_multicast_open). Recorded for veth ports and bridges.
 */
function ownGroups(l: Link): string[] {
  if (l.kind === 'loopback') return [];
  if (!l.up) return ['33:33:00:00:00:01'];
  if (l.kind === 'bridge') return ['33:33:00:00:00:01', '01:00:5e:00:00:6a', '33:33:00:00:00:6a', '01:00:5e:00:00:01'];
  return ['33:33:00:00:00:01', '01:00:5e:00:00:01'];
}

/** br_stp_recalculate_bridge_id: a bridge whose address was not set has its lowest port's. */
function lowestPortMac(net: HostNet, br: Link): string {
  let min: string | null = null;
  for (const l of net.links) if (l.master === br.name && (min === null || l.mac < min)) min = l.mac;
  return min ?? br.mac;
}

function fdbShow(words: readonly string[], s: BridgeState): QueryOutput {
  const f = filters(words, ['br', 'brport', 'dev'], 'fdb');
  if (!(f instanceof Map)) return f;
  const br = f.get('br') ?? null;
  const dev = f.get('brport') ?? f.get('dev') ?? null;
  for (const name of [br, dev]) if (name !== null && !s.net.links.some((l) => l.name === name)) return bad(`Cannot find device "${name}"`, 1);
  if (br !== null && !isBridge(s.net, br)) return ok('');
  const lines: string[] = [];
  const entry = (mac: string, l: Link, rest: string) => lines.push(`${mac}${dev === null ? ` dev ${l.name}` : ''} ${rest}\n`);
  for (const l of [...s.net.links].sort((a, b) => a.ifindex - b.ifindex)) {
    if (dev !== null && l.name !== dev) continue;
    if (br !== null && l.name !== br && l.master !== br) continue;
    const self = () => ownGroups(l).forEach((m) => entry(m, l, 'self permanent'));
    // a filtering bridge's entries are per VID (print `vlan N`): each VLAN of a port or of the bridge adds
    // the device's own address in it (__vlan_add → br_fdb_add_local), newer than the VID-0 one
    const vlan = (vid: number) => (vid ? `vlan ${vid} ` : '');
    const ownVlans = [...(l.bridgeVlans ?? [])].reverse();
    if (l.kind === 'bridge') {
      self();
      const mac = l.macSet ? l.mac : lowestPortMac(s.net, l);
      for (const v of ownVlans) entry(mac, l, `${vlan(v.vid)}master ${l.name} permanent`);
      // the bridge's own address has a VID-0 entry only when it was set by hand (br_fdb_change_mac_address)
      if (l.macSet) entry(l.mac, l, `master ${l.name} permanent`);
      continue;
    }
    if (isBridge(s.net, l.master)) {
      // br_fdb_dump walks the bridge's fdb_list, newest first (hlist_add_head): learned entries, then the port's own
      // address added when it joined (br_add_if → br_fdb_add_local); a learned entry prints an empty flag field
      const learned = s.learned.filter((e) => e.bridge === l.master && e.port === l.name);
      for (let i = learned.length - 1; i >= 0; i--) entry(learned[i]!.mac, l, `${vlan(learned[i]!.vid)}master ${l.master} `);
      for (const v of ownVlans) entry(l.mac, l, `${vlan(v.vid)}master ${l.master} permanent`);
      entry(l.mac, l, `master ${l.master} permanent`);
    }
    self();
  }
  return ok(lines.join(''));
}
