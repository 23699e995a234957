// pattern: Functional Core
// `ip link add|set|delete|show` as iproute2 6.1's iplink.c parses it, and
// what the kernel does with it: veth pairs, bridges and dummies, up/down,
// mtu, address, master/nomaster (with the bridge's MTU auto-adjust),
// gso_max_segs and group. VLAN sub-interfaces (`type vlan`) are vlan.ts's.

import { applyBridgeArgs, bridgeVlanInit, parseBridgeArgs, type BridgeArgs } from './bridge-vlan';
import type { Diagnostic } from '../text/diagnostics';
import type { Word } from '../text/shlex';
import type { HostNet, LinkKind } from './config';
import { addLink, bridgeMtuAutoAdjust, deleteLink, findLink, setLinkUp } from './config';
import type { BaseFields, Cursor, IpBase, WordRef } from './ip-args';
import { checkNewVlan, initVlanLink, parseVlanArgs, vlanFollowParent, vlanMtuError, vlanOpenError, vlansToDelete, type VlanArgs } from './vlan';
import { dropIpv4BelowMin, mtuAddError, mtuSetError, vxlanAddMtu } from './link-mtu';
import { createTunnel, parseLinkTunnelOptions } from './tunnel';
import type { TunnelParams } from './tunnel-params';
import { kernelError, MAC, matches, noDevice, normaliseMac, parseU32, ref, utf8Length, IFNAMSIZ, validIfname } from './ip-args';

export interface IpLinkCommand extends IpBase {
  object: 'link';
  verb: 'add' | 'set' | 'delete' | 'show';
  dev: WordRef | null;
  kind: WordRef | null;
  peer: WordRef | null;
  up: boolean | null;
  mtu: number | null;
  /** the word of the value after `mtu`, where its diagnostics point */
  mtuWord?: WordRef;
  address: string | null;
  master: WordRef | null;
  nomaster: boolean;
  /** gso_max_segs N */
  gsoMaxSegs: number | null;
  /** group N (IFLA_GROUP); /etc/iproute2/group names only 0, `default` */
  group: number | null;
  /** `link DEV`: the real device a VLAN is stacked on */
  link: WordRef | null;
  /** the words after `type vlan` */
  vlan: VlanArgs | null;
  /** `type gre|ipip|vxlan …`: the tunnel's parameters and underlay `dev` (net/tunnel.ts) */
  tunnel: { params: TunnelParams; dev: WordRef | null } | null;
  /** `type bridge vlan_filtering …` (net/bridge-vlan.ts) */
  bridge?: BridgeArgs;
}

/** The verbs do_iplink() tests, in its order; [word, verb, exact?]. */
export const LINK_VERBS: readonly [string, string, boolean][] = [
  ['add', 'add', false],
  ['set', 'set', false],
  ['delete', 'delete', false],
  ['show', 'show', false],
  ['lst', 'show', false],
  ['list', 'show', false],
];

/**
 * A device name given after `name` is checked by iproute2 (check_ifname,
 * "Error: argument "…" is wrong: "name" not a valid ifname"); one given
 * without it (`ip link add NAME …`, `peer NAME`) reaches the kernel, whose
 * IFLA_IFNAME policy refuses more than 15 bytes (checked in a scratch
 * namespace on this machine's kernel).
 */
function checkNewName(c: Cursor, w: Word, named: boolean): void {
  if (named) {
    if (!validIfname(w.text)) c.invarg(w, '"name" not a valid ifname');
  } else if (utf8Length(w.text) >= IFNAMSIZ) c.fail(w, 'Error: Attribute failed policy validation.', 'ip/ifname-too-long');
}

export function parseLink(c: Cursor, b: BaseFields, verb: IpLinkCommand['verb']): IpLinkCommand {
  const cmd: IpLinkCommand = { span: b.span, inet: b.inet, verbSpan: b.verbSpan, object: 'link', verb, dev: null, kind: null, peer: null, up: null, mtu: null, address: null, master: null, nomaster: false, gsoMaxSegs: null, group: null, link: null, vlan: null, tunnel: null };
  while (!c.done && !c.failed) {
    const w = c.take();
    const t = w.text;
    if (t === 'up') cmd.up = true;
    else if (t === 'down') cmd.up = false;
    else if (t === 'name') {
      const a = c.arg(w, 'a device name');
      if (a) checkNewName(c, a, true);
      if (a) cmd.dev = ref(a);
    } else if (matches(t, 'address') && t !== '') {
      const a = c.arg(w, 'a link-layer address');
      if (!a) break;
      if (!MAC.test(a.text)) c.fail(a, `"${a.text}" is invalid lladdr.`, 'ip/invalid-lladdr');
      else cmd.address = normaliseMac(a.text);
    } else if (t === 'mtu') {
      const a = c.arg(w, 'an MTU');
      if (!a) break;
      const n = parseU32(a.text);
      if (n === null || n > 0x7fffffff) c.invarg(a, 'Invalid "mtu" value');
      else {
        cmd.mtu = n;
        cmd.mtuWord = ref(a);
      }
    } else if (t === 'gso_max_segs') {
      const a = c.arg(w, 'a number of segments');
      if (!a) break;
      const n = parseU32(a.text);
      // GSO_MAX_SEGS
      if (n === null || n > 65535) c.invarg(a, 'Invalid "gso_max_segs" value');
      else cmd.gsoMaxSegs = n;
    } else if (t === 'group') {
      const a = c.arg(w, 'a group');
      if (!a) break;
      // rtnl_group_a2n: a name from /etc/iproute2/group, else get_u32 (any base)
      const n = a.text === 'default' ? 0 : parseU32(a.text);
      if (cmd.group !== null) c.duparg('group', a);
      else if (n === null) c.invarg(a, 'Invalid "group" value');
      else cmd.group = n;
    } else if (t === 'master') {
      const a = c.arg(w, 'a bridge name');
      if (a) cmd.master = ref(a);
    } else if (t === 'link') {
      const a = c.arg(w, 'a device name');
      if (a) cmd.link = ref(a);
    } else if (t === 'nomaster') cmd.nomaster = true;
    else if (matches(t, 'type') && t !== '') {
      const a = c.arg(w, 'bridge, dummy, veth or vlan');
      if (!a) break;
      cmd.kind = ref(a);
      if (a.text === 'vlan') {
        cmd.vlan = parseVlanArgs(c);
        break;
      }
      if (a.text === 'bridge') {
        cmd.bridge = parseBridgeArgs(c);
        break;
      }
      if (a.text === 'gre' || a.text === 'ipip' || a.text === 'vxlan') {
        cmd.tunnel = parseLinkTunnelOptions(c, a.text, a);
        continue;
      }
      // `type veth peer [name] NAME`: the remaining words belong to the type
      while (!c.done && !c.failed) {
        const x = c.take();
        if (x.text === 'peer') {
          const n = c.arg(x, 'a peer name');
          if (!n) break;
          if (n.text === 'name') {
            const m = c.arg(n, 'a peer name');
            if (m) checkNewName(c, m, true);
            if (m) cmd.peer = ref(m);
          } else {
            checkNewName(c, n, false);
            cmd.peer = ref(n);
          }
        } else c.fail(x, `Garbage instead of arguments "${x.text} ...". Try "ip link help".`, 'ip/garbage');
      }
    } else {
      let d: Word | null = w;
      if (t === 'dev') d = c.arg(w, 'a device name');
      if (!d) break;
      if (cmd.dev) c.duparg('dev', d);
      else {
        if (verb === 'add') checkNewName(c, d, false);
        cmd.dev = ref(d);
      }
    }
  }
  if (!c.failed && (verb === 'set' || verb === 'delete' || verb === 'add') && !cmd.dev) {
    c.fail(b.verbSpan, 'Not enough information: "dev" argument is required.', 'ip/missing-dev', 'a device name');
  }
  return cmd;
}

const LINK_KINDS: Readonly<Record<string, LinkKind>> = { bridge: 'bridge', dummy: 'dummy', veth: 'veth', vlan: 'vlan' };

function generatedMac(net: HostNet, ifindex: number): string {
  return `02:00:00:fe:${(net.links.length & 255).toString(16).padStart(2, '0')}:${(ifindex & 255).toString(16).padStart(2, '0')}`;
}

/** `ip link add NAME type gre|ipip|vxlan …`: rtnl_newlink with the type's attributes */
function addTunnelLink(net: HostNet, cmd: IpLinkCommand, dev: WordRef, t: NonNullable<IpLinkCommand['tunnel']>): Diagnostic[] {
  const params: TunnelParams = { ...t.params };
  if (t.dev) {
    if (!findLink(net, t.dev.text)) return [kernelError(t.dev, `Cannot find device "${t.dev.text}"`, 'ip/no-device')];
    params.link = t.dev.text;
  }
  if (findLink(net, dev.text)) return [kernelError(dev, 'RTNETLINK answers: File exists', 'ip/exists')];
  let mtu = cmd.mtu;
  if (mtu !== null && params.mode === 'vxlan') {
    const m = vxlanAddMtu(net, params.link, mtu, cmd.mtuWord ?? dev);
    if (typeof m !== 'number') return [m];
    mtu = m;
  }
  if (createTunnel(net, dev.text, params, cmd.address ?? generatedMac(net, net.nextIfindex))) return [kernelError(dev, 'RTNETLINK answers: File exists', 'ip/exists')];
  const link = findLink(net, dev.text)!;
  if (cmd.address !== null) link.macSet = true;
  if (mtu !== null) link.mtu = mtu;
  if (cmd.up) setLinkUp(net, dev.text, true);
  return [];
}

export function applyLink(net: HostNet, cmd: IpLinkCommand): Diagnostic[] {
  const dev = cmd.dev;
  if (cmd.verb === 'show') {
    return dev && !findLink(net, dev.text) ? [kernelError(dev, `Device "${dev.text}" does not exist.`, 'ip/no-device')] : [];
  }
  if (!dev) return [];
  if (cmd.verb === 'add') {
    const kindWord = cmd.kind;
    if (!kindWord) return [kernelError(cmd.span, 'Not enough information: "type" argument is required.', 'ip/missing-type')];
    if (cmd.tunnel) return addTunnelLink(net, cmd, dev, cmd.tunnel);
    const kind = LINK_KINDS[kindWord.text];
    if (!kind) return [kernelError(kindWord, 'Error: Unknown device type.', 'ip/unknown-type')];
    // iplink_modify resolves `link DEV` before it asks the kernel
    if (cmd.link && !findLink(net, cmd.link.text)) return [noDevice(cmd.link)];
    const vlan = kind === 'vlan' ? checkNewVlan(net, cmd.vlan ?? { id: null, idWord: null, protocol: null }, cmd.link, cmd.mtu, kindWord) : null;
    if (vlan && 'message' in vlan && !findLink(net, dev.text)) return [vlan];
    const badMtu = cmd.mtu !== null ? mtuAddError(kind, cmd.mtu, cmd.mtuWord ?? dev) : null;
    if (badMtu) return [badMtu];
    if (findLink(net, dev.text) || (cmd.peer && findLink(net, cmd.peer.text))) {
      return [kernelError(dev, 'RTNETLINK answers: File exists', 'ip/exists')];
    }
    addLink(net, dev.text, kind, cmd.address ?? generatedMac(net, net.nextIfindex));
    if (cmd.address !== null) findLink(net, dev.text)!.macSet = true;
    if (kind === 'bridge') {
      // a bridge made by a case gets br_netfilter's default (FORMAT.md §1.1)
      net.sysctl['net.bridge.bridge-nf-call-iptables'] = net.sysctl['net.bridge.bridge-nf-call-iptables'] ?? '1';
    }
    if (cmd.peer) {
      addLink(net, cmd.peer.text, 'veth', generatedMac(net, net.nextIfindex));
      findLink(net, dev.text)!.peer = cmd.peer.text;
      findLink(net, cmd.peer.text)!.peer = dev.text;
    }
    const link = findLink(net, dev.text)!;
    if (vlan && !('message' in vlan)) initVlanLink(net, link, vlan, cmd.mtu !== null, cmd.address !== null);
    if (cmd.mtu !== null) link.mtu = cmd.mtu;
    if (cmd.gsoMaxSegs !== null) link.gsoMaxSegs = cmd.gsoMaxSegs;
    if (cmd.group !== null) link.group = cmd.group;
    if (cmd.bridge) applyBridgeArgs(net, dev.text, cmd.bridge);
    if (cmd.up) {
      const down = vlanOpenError(net, link, dev);
      if (down) return [down];
      setLinkUp(net, dev.text, true);
    }
    return [];
  }
  const link = findLink(net, dev.text);
  if (!link) return [noDevice(dev)];
  if (cmd.verb === 'delete') {
    if (link.kind === 'loopback') return [kernelError(dev, 'RTNETLINK answers: Operation not supported', 'ip/not-supported')];
    // NETDEV_UNREGISTER: the VLANs on the device go with it
    for (const v of vlansToDelete(net, dev.text)) deleteLink(net, v);
    deleteLink(net, dev.text);
    // veth_dellink: the peer is unregistered with it
    if (link.peer) deleteLink(net, link.peer);
    return [];
  }
  if (cmd.master) {
    const master = findLink(net, cmd.master.text);
    if (!master) return [kernelError(cmd.master, `Error: argument "${cmd.master.text}" is wrong: Device does not exist`, 'ip/no-device')];
    if (master.kind !== 'bridge') return [kernelError(cmd.master, 'RTNETLINK answers: Operation not supported', 'ip/not-supported')];
    if (link.master !== master.name) link.masterSeq = Math.max(0, ...net.links.map((l) => l.masterSeq ?? 0)) + 1;
    const before = link.master;
    // nbp_vlan_flush on leaving a bridge, nbp_vlan_init on joining one
    if (before !== master.name) delete link.bridgeVlans;
    link.master = master.name;
    bridgeVlanInit(net, master.name);
    if (before !== null && before !== master.name) bridgeMtuAutoAdjust(net, before);
  }
  if (cmd.mtu !== null) {
    const e = mtuSetError(net, link, cmd.mtu, cmd.mtuWord ?? dev) ?? vlanMtuError(net, link, cmd.mtu, cmd.mtuWord ?? dev);
    if (e) return [e];
  }
  if (cmd.up === true) {
    const e = vlanOpenError(net, link, dev);
    if (e) return [e];
  }
  const left = cmd.nomaster ? link.master : null;
  if (cmd.nomaster) {
    link.master = null;
    delete link.bridgeVlans;
  }
  if (cmd.bridge) {
    if (link.kind !== 'bridge') return [kernelError(cmd.kind ?? dev, 'RTNETLINK answers: Operation not supported', 'ip/not-supported')];
    applyBridgeArgs(net, dev.text, cmd.bridge);
  }
  if (cmd.mtu !== null) {
    link.mtu = cmd.mtu;
    // br_change_mtu sets BROPT_MTU_SET_BY_USER
    if (link.kind === 'bridge') link.mtuSet = true;
    dropIpv4BelowMin(net, dev.text, cmd.mtu);
  }
  // br_add_if, br_del_if and a port's NETDEV_CHANGEMTU all re-run br_mtu_auto_adjust
  if (left !== null) bridgeMtuAutoAdjust(net, left);
  if (link.master !== null && (cmd.master || cmd.mtu !== null)) bridgeMtuAutoAdjust(net, link.master);
  if (cmd.gsoMaxSegs !== null) link.gsoMaxSegs = cmd.gsoMaxSegs;
  if (cmd.group !== null) link.group = cmd.group;
  if (cmd.address !== null) {
    link.mac = cmd.address;
    link.macSet = true;
  }
  if (cmd.up !== null) setLinkUp(net, dev.text, cmd.up);
  // vlan_device_event: the VLANs on this device follow its state and MTU
  vlanFollowParent(net, dev.text, (name, up) => setLinkUp(net, name, up));
  return [];
}
