// pattern: Functional Core
// 802.1Q VLAN sub-interfaces (`ip link add link eth0 name eth0.10 type vlan
// id 10`): what iproute2 6.1's ip/iplink_vlan.c parses, and what the 8021q
// module does with the device — created on top of a real device whose MAC
// and MTU it takes, brought up and down with it, deleted with it, tagging
// what it sends and receiving what arrives with its tag.
//
// Modelled from kernel source: the machine the oracle runs on has no 8021q
// (CONFIG_VLAN_8021Q is not set), so nothing here is checked against a
// running kernel. The functions cite what they follow: net/8021q/vlan.c
// (vlan_device_event), vlan_netlink.c (vlan_validate, vlan_newlink),
// vlan_dev.c (vlan_dev_open, vlan_dev_change_mtu, vlan_dev_hard_start_xmit),
// vlan_core.c (vlan_do_receive) and net/core/dev.c (__netif_receive_skb_core).

import type { Diagnostic } from '../text/diagnostics';
import type { HostNet, Link, VlanInfo } from './config';
import { findLink } from './config';
import type { Cursor, WordRef } from './ip-args';
import { kernelError, parseU32 } from './ip-args';

/** What UI and CLI say about every VLAN behaviour. */
export const VLAN_PROVENANCE = 'modelled from kernel source (net/8021q): this machine’s kernel has no 8021q';

/** VLAN_VID_MASK: ids 0-4094 are usable, 4095 is reserved */
export const VLAN_VID_MASK = 0xfff;
/** VLAN_HLEN: the tag's four bytes */
export const VLAN_HLEN = 4;

/** The tag of one 802.1Q header on the wire (the TCI split, and the TPID by name). */
export interface VlanTag {
  vid: number;
  /** PCP, the priority bits of the TCI (vlan_dev_get_egress_qos_mask: 0 without an egress-qos-map) */
  prio: number;
  protocol: VlanInfo['protocol'];
}

/** The `type vlan` arguments of one `ip link add`. */
export interface VlanArgs {
  id: number | null;
  idWord: WordRef | null;
  protocol: VlanInfo['protocol'] | 'other' | null;
}

/** ETH_P_* names ll_proto_a2n knows that are not VLAN protocols (the kernel refuses them). */
const OTHER_ETHERTYPES = new Set(['ip', 'arp', 'ipv6', 'all', 'loop', 'pup', 'ipx', '802_2', '802_3', 'mpls_uc', 'mpls_mc']);

/** ll_proto_a2n: a name from its table, case-insensitive, or a number. */
function vlanProtocol(text: string): VlanArgs['protocol'] | undefined {
  const lower = text.toLowerCase();
  if (lower === '802.1q') return '802.1Q';
  if (lower === '802.1ad') return '802.1ad';
  if (OTHER_ETHERTYPES.has(lower)) return 'other';
  const n = parseU32(text);
  if (n === null || n > 0xffff) return undefined;
  return n === 0x8100 ? '802.1Q' : n === 0x88a8 ? '802.1ad' : 'other';
}

/**
 * vlan_parse_opt (iplink_vlan.c): the words after `type vlan`. `id` is
 * get_u16 ("id is invalid" past 65535; the kernel checks the range), the
 * protocol a name or number ll_proto_a2n knows.
 */
export function parseVlanArgs(c: Cursor): VlanArgs {
  const a: VlanArgs = { id: null, idWord: null, protocol: null };
  while (!c.done && !c.failed) {
    const w = c.take();
    if (w.text === 'id') {
      const v = c.arg(w, 'a VLAN id');
      if (!v) break;
      const n = parseU32(v.text);
      if (n === null || n > 0xffff) c.invarg(v, 'id is invalid');
      else {
        a.id = n;
        a.idWord = { text: v.text, from: v.from, to: v.to };
      }
    } else if (w.text === 'protocol') {
      const v = c.arg(w, '802.1Q or 802.1ad');
      if (!v) break;
      const p = vlanProtocol(v.text);
      if (p === undefined) c.invarg(v, 'protocol is invalid');
      else a.protocol = p;
    } else if (['reorder_hdr', 'gvrp', 'mvrp', 'loose_binding', 'bridge_binding', 'ingress-qos-map', 'egress-qos-map'].includes(w.text)) {
      c.fail(w, `vlan: "${w.text}" is not modelled here (PacketWalk models a VLAN's id and protocol)`, 'ip/not-modelled');
    } else c.fail(w, `vlan: unknown command "${w.text}"?`, 'ip/vlan-unknown', 'id or protocol');
  }
  return a;
}

/** The error iproute2 prints for an extack message of the 8021q module (NL_SET_ERR_MSG_MOD). */
function vlanError(span: WordRef, message: string, code: string): Diagnostic {
  return kernelError(span, `Error: 8021q: ${message}.`, code);
}

/** vlan_find_dev: the VLAN device on `parent` for (protocol, id). */
export function findVlanDev(net: HostNet, parent: string, protocol: VlanInfo['protocol'], id: number): Link | undefined {
  return net.links.find((l) => l.kind === 'vlan' && l.vlan?.parent === parent && l.vlan.protocol === protocol && l.vlan.id === id);
}

/** The VLAN devices stacked directly on `parent`. */
export function vlanChildren(net: HostNet, parent: string): Link[] {
  return net.links.filter((l) => l.kind === 'vlan' && l.vlan?.parent === parent);
}

/**
 * vlan_validate then vlan_newlink and vlan_check_real_dev, in the kernel's
 * order: the protocol and id range; an id and a link at all; a real device
 * that takes VLANs (loopback is NETIF_F_VLAN_CHALLENGED) and has no VLAN of
 * that id yet; an MTU no larger than the real device's. Returns the new
 * device's VlanInfo, or the diagnostic.
 */
export function checkNewVlan(net: HostNet, args: VlanArgs, link: WordRef | null, mtu: number | null, at: WordRef): VlanInfo | Diagnostic {
  if (args.protocol === 'other') return vlanError(at, 'Invalid VLAN protocol', 'ip/vlan-protocol');
  if (args.id !== null && args.id >= VLAN_VID_MASK) return vlanError(args.idWord ?? at, 'Invalid VLAN id', 'ip/vlan-id-range');
  if (args.id === null) return vlanError(at, 'VLAN id not specified', 'ip/vlan-id-missing');
  if (!link) return vlanError(at, 'link not specified', 'ip/vlan-link-missing');
  const real = findLink(net, link.text)!;
  const protocol = args.protocol ?? '802.1Q';
  if (real.kind === 'loopback') return vlanError(link, 'VLANs not supported on device', 'ip/vlan-not-supported');
  if (findVlanDev(net, real.name, protocol, args.id)) return vlanError(args.idWord ?? at, 'VLAN device already exists', 'ip/vlan-exists');
  // vlan_newlink: an MTU above the real device's is -EINVAL, without a message
  if (mtu !== null && mtu > real.mtu) return kernelError(at, 'RTNETLINK answers: Invalid argument', 'ip/vlan-mtu');
  return { parent: real.name, id: args.id, protocol };
}

/**
 * vlan_newlink / vlan_dev_init on the new link: it takes the real device's
 * MTU unless one was given, and its MAC address unless one was given
 * (vlan_dev_init copies real_dev->dev_addr into a zero address).
 */
export function initVlanLink(net: HostNet, link: Link, info: VlanInfo, mtuGiven: boolean, macGiven: boolean): void {
  const real = findLink(net, info.parent)!;
  link.vlan = info;
  if (!mtuGiven) link.mtu = real.mtu;
  if (!macGiven) link.mac = real.mac;
}

/** vlan_dev_open: a VLAN device comes up only on a real device that is up (-ENETDOWN). */
export function vlanOpenError(net: HostNet, link: Link, at: WordRef): Diagnostic | null {
  if (link.kind !== 'vlan' || !link.vlan) return null;
  const real = findLink(net, link.vlan.parent);
  return real && real.up ? null : kernelError(at, 'RTNETLINK answers: Network is down', 'ip/vlan-parent-down');
}

/** vlan_dev_change_mtu: not above the real device's MTU (-ERANGE). */
export function vlanMtuError(net: HostNet, link: Link, mtu: number, at: WordRef): Diagnostic | null {
  if (link.kind !== 'vlan' || !link.vlan) return null;
  const real = findLink(net, link.vlan.parent);
  return real && mtu > real.mtu ? kernelError(at, 'RTNETLINK answers: Numerical result out of range', 'ip/vlan-mtu-range') : null;
}

/**
 * vlan_device_event on the real device: NETDEV_UP and NETDEV_DOWN put
 * every VLAN on it up or down too (no loose_binding here); NETDEV_CHANGEMTU
 * lowers the VLANs whose MTU is now larger than the real device's. Returns
 * the VLANs to bring up or down; `setUp` does it (config.ts's setLinkUp, which
 * flushes and restores their routes), so the event recurses into their VLANs.
 */
export function vlanFollowParent(net: HostNet, parent: string, setUp: (name: string, up: boolean) => void): void {
  const real = findLink(net, parent);
  if (!real) return;
  for (const v of vlanChildren(net, parent)) {
    if (v.mtu > real.mtu) v.mtu = real.mtu;
    if (v.up !== real.up) {
      setUp(v.name, real.up);
      vlanFollowParent(net, v.name, setUp);
    }
  }
}

/**
 * NETDEV_UNREGISTER of a real device unregisters its VLANs (and theirs):
 * the names to delete along with `parent`, deepest first.
 */
export function vlansToDelete(net: HostNet, parent: string): string[] {
  const out: string[] = [];
  for (const v of vlanChildren(net, parent)) out.push(...vlansToDelete(net, v.name), v.name);
  return out;
}

/**
 * netif_stacked_transfer_operstate: a VLAN has carrier while it is up and
 * its real device has carrier.
 */
export function vlanCarrier(net: HostNet, link: Link, carrierOf: (l: Link) => boolean): boolean {
  if (!link.vlan) return link.up;
  const real = findLink(net, link.vlan.parent);
  return link.up && real !== undefined && carrierOf(real);
}

/** What the receive path does with a tagged frame that arrives on `dev`. */
export type VlanRx =
  /** vlan_do_receive found the VLAN device, which is up: skb->dev becomes it, the tag is gone */
  | { kind: 'vlan'; dev: string; mac: string }
  /**
   * no VLAN device for the tag: __netif_receive_skb_core marks a frame with
   * a non-zero id PACKET_OTHERHOST and ip_rcv / arp_rcv drop it
   */
  | { kind: 'otherhost' }
  /** the VLAN device exists but is down: vlan_do_receive frees the skb */
  | { kind: 'down'; dev: string }
  /** a priority tag (id 0) without a VLAN 0 device: the frame is taken as untagged */
  | { kind: 'untagged' };

/** vlan_do_receive / __netif_receive_skb_core for one tag, on the device it arrived on. */
export function vlanReceive(net: HostNet, dev: string, tag: VlanTag): VlanRx {
  const v = findVlanDev(net, dev, tag.protocol, tag.vid);
  if (!v) return tag.vid === 0 ? { kind: 'untagged' } : { kind: 'otherhost' };
  if (!v.up) return { kind: 'down', dev: v.name };
  return { kind: 'vlan', dev: v.name, mac: v.mac };
}

/**
 * vlan_dev_hard_start_xmit: the tag a frame sent on VLAN device `link`
 * gets (vlan_id with the egress priority bits, the device's protocol) before
 * it goes to the real device's queue.
 */
export function vlanTagFor(link: Link): VlanTag | null {
  return link.vlan ? { vid: link.vlan.id, prio: 0, protocol: link.vlan.protocol } : null;
}
