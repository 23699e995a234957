// pattern: Functional Core
// Bridge VLAN filtering: `ip link add br0 type bridge vlan_filtering 1
// [vlan_default_pvid N]`, `bridge vlan add|del dev PORT vid N [pvid]
// [untagged] [self] [master]`, `bridge vlan show`, and what the bridge does
// with a frame's VLAN on the way in (which VID it belongs to, or a drop)
// and on the way out (to a port that is a member of the VID, tagged or
// not). The FDB learns per VID (sim/l2.ts keys it by address and VID).
//
// Modelled from kernel source: the machine the oracle runs on has no
// CONFIG_BRIDGE_VLAN_FILTERING (it needs 8021q), where `vlan_filtering 1`
// answers "Operation not supported". The functions cite what they follow
// in net/bridge/br_vlan.c (br_vlan_init, nbp_vlan_init, br_vlan_add,
// nbp_vlan_add, br_allowed_ingress, br_allowed_egress, br_handle_vlan,
// br_get_pvid) and iproute2 6.1's bridge/vlan.c (vlan_modify, vlan_show,
// print_vlan_info). Without vlan_filtering nothing here applies, and the
// bridge behaves as this machine's (`bridge vlan show` prints its header
// alone, recorded).

import type { Diagnostic, Span } from '../text/diagnostics';
import type { HostNet, Link } from './config';
import { findLink } from './config';
import type { Cursor } from './ip-args';
import { kernelError, parseU32 } from './ip-args';
import { splitWords, type Word } from '../text/shlex';
import type { VlanTag } from './vlan';

/** What UI and CLI say about every bridge VLAN behaviour. */
export const BRIDGE_VLAN_PROVENANCE = 'modelled from kernel source (net/bridge/br_vlan.c): this machine’s kernel has no bridge VLAN filtering';

/** One VLAN of a bridge port or of the bridge itself (struct net_bridge_vlan's flags as iproute2 names them). */
export interface BridgeVlan {
  vid: number;
  /** BRIDGE_VLAN_INFO_PVID: untagged frames arriving here belong to this VID */
  pvid: boolean;
  /** BRIDGE_VLAN_INFO_UNTAGGED: frames of this VID leave here without a tag */
  untagged: boolean;
}

/** The `type bridge` arguments of one `ip link add|set`. */
export interface BridgeArgs {
  vlanFiltering: boolean | null;
  defaultPvid: number | null;
}

/** bridge_parse_opt (iplink_bridge.c): `vlan_filtering 0|1`, `vlan_default_pvid N` (get_u8 / get_u16). */
export function parseBridgeArgs(c: Cursor): BridgeArgs {
  const a: BridgeArgs = { vlanFiltering: null, defaultPvid: null };
  while (!c.done && !c.failed) {
    const w = c.take();
    if (w.text === 'vlan_filtering') {
      const v = c.arg(w, '0 or 1');
      if (!v) break;
      const n = parseU32(v.text);
      if (n === null || n > 255) c.invarg(v, 'invalid vlan_filtering');
      else a.vlanFiltering = n !== 0;
    } else if (w.text === 'vlan_default_pvid') {
      const v = c.arg(w, 'a VLAN id');
      if (!v) break;
      const n = parseU32(v.text);
      if (n === null || n > 0xffff) c.invarg(v, 'invalid vlan_default_pvid');
      else a.defaultPvid = n;
    } else c.fail(w, `Garbage instead of arguments "${w.text} ...". Try "ip link help".`, 'ip/garbage');
  }
  return a;
}

const filtering = (net: HostNet, bridge: string | null): Link | null => {
  const br = bridge === null ? undefined : findLink(net, bridge);
  return br?.kind === 'bridge' && br.vlanFiltering ? br : null;
};

/** The VLAN entries of `dev` with `v` put in: a new VID, or new flags for one it has (__vlan_add / br_vlan_add's flags update); a new PVID takes the mark from the old one. */
function withVlan(list: readonly BridgeVlan[], v: BridgeVlan): BridgeVlan[] {
  const out = list.filter((x) => x.vid !== v.vid).map((x) => (v.pvid ? { ...x, pvid: false } : x));
  out.push(v);
  return out.sort((a, b) => a.vid - b.vid);
}

/**
 * br_vlan_init / nbp_vlan_init: with filtering on, the bridge itself and
 * each port get the default PVID (1 unless `vlan_default_pvid`), as PVID
 * and egress untagged; a default PVID of 0 adds none. Called when a bridge
 * is made or switched to filtering, and when a port joins one.
 */
export function bridgeVlanInit(net: HostNet, bridge: string): void {
  const br = filtering(net, bridge);
  if (!br) return;
  const pvid = br.vlanDefaultPvid ?? 1;
  const give = (l: Link) => {
    if (l.bridgeVlans === undefined) l.bridgeVlans = pvid ? [{ vid: pvid, pvid: true, untagged: true }] : [];
  };
  give(br);
  for (const l of net.links) if (l.master === bridge) give(l);
}

/** `ip link add|set BR type bridge …`: store the options, then give the VLANs a filtering bridge starts with. */
export function applyBridgeArgs(net: HostNet, bridge: string, a: BridgeArgs): void {
  const br = findLink(net, bridge);
  if (!br || br.kind !== 'bridge') return;
  if (a.defaultPvid !== null) br.vlanDefaultPvid = a.defaultPvid;
  if (a.vlanFiltering !== null) br.vlanFiltering = a.vlanFiltering;
  bridgeVlanInit(net, bridge);
}

/** A parsed `bridge vlan add|del`. */
export interface BridgeVlanCommand {
  verb: 'add' | 'del';
  dev: string;
  vids: [number, number];
  pvid: boolean;
  untagged: boolean;
  /** `self`: the bridge device's own VLANs (a port takes `master`, the default) */
  self: boolean;
}

/** A refusal on the word it is about (the whole line when there is none). */
const fail = (at: Span, message: string, code: string): Diagnostic[] => [kernelError(at, message, code)];

/**
 * `bridge vlan add|del …` (vlan_modify, then br_setlink / br_afspec):
 * VIDs 1-4094, a range `N-M` without pvid; on a port the VLAN is the
 * port's (and the bridge learns the VID as a global context), with `self`
 * on the bridge it is the bridge device's own. The bridge must filter for
 * the VLANs to do anything: without vlan_filtering the kernel keeps them
 * but forwards as before, which is what happens here too. Each refusal
 * points at the word it is about: the device, the VID, `pvid`.
 */
export function applyBridgeVlanCommand(net: HostNet, text: string): Diagnostic[] {
  const lead = text.length - text.trimStart().length;
  const all = splitWords(text.trim(), lead).words;
  const line: Span = { from: 0, to: text.length };
  const words = all.slice(1);
  if (words[0]?.text !== 'vlan') return fail(words[0] ?? line, `bridge: only \`bridge vlan add|del\` changes anything here (\`bridge link\` and \`bridge fdb show\` read); ${BRIDGE_VLAN_PROVENANCE}`, 'bridge/unknown-command');
  const verbWord = words[1];
  const verb = verbWord !== undefined && 'add'.startsWith(verbWord.text) ? 'add' : verbWord !== undefined && 'delete'.startsWith(verbWord.text) ? 'del' : null;
  if (!verb) return fail(verbWord ?? words[0], `Command "${verbWord?.text ?? ''}" is unknown, try "bridge vlan help".`, 'bridge/unknown-command');
  let dev: Word | null = null;
  let vidWord: Word | null = null;
  let vid: number | null = null;
  let vidEnd: number | null = null;
  let pvidWord: Word | null = null;
  let untagged = false;
  let self = false;
  for (let i = 2; i < words.length; i++) {
    const w = words[i]!;
    if (w.text === 'dev') {
      dev = words[++i] ?? null;
      if (!dev) return fail(w, 'Device and VLAN ID are required arguments.', 'bridge/missing-args');
    } else if (w.text === 'vid') {
      vidWord = words[++i] ?? null;
      if (!vidWord) return fail(w, 'Device and VLAN ID are required arguments.', 'bridge/missing-args');
      const [a, b] = vidWord.text.split('-');
      // atoi: what is not a number reads 0
      vid = parseInt(a ?? '', 10) || 0;
      if (b !== undefined) vidEnd = parseInt(b, 10) || 0;
    } else if (w.text === 'pvid') pvidWord = w;
    else if (w.text === 'untagged') untagged = true;
    else if (w.text === 'self') self = true;
    // `master` (the port's VLANs) is what a port gets without it
    else if (w.text !== 'master') return fail(w, `Unknown argument "${w.text}": expected dev DEV, vid VLAN_ID, pvid, untagged, self or master (bridge vlan ${verb}).`, 'bridge/garbage');
  }
  if (dev === null || vid === null || vidWord === null) return fail(verbWord!, 'Device and VLAN ID are required arguments.', 'bridge/missing-args');
  const pvid = pvidWord !== null;
  const link = findLink(net, dev.text);
  if (!link) return fail(dev, `Cannot find bridge device "${dev.text}"`, 'bridge/no-device');
  if (vid >= 4096) return fail(vidWord, `Invalid VLAN ID "${vid}"`, 'bridge/invalid-vid');
  if (vidEnd !== null) {
    if (vidEnd >= 4096 || vid >= vidEnd) return fail(vidWord, `Invalid VLAN range "${vid}-${vidEnd}"`, 'bridge/invalid-range');
    if (pvidWord) return fail(pvidWord, 'pvid cannot be configured for a vlan range', 'bridge/pvid-range');
  }
  // br_vlan_valid_id: 0 and 4095 are not VLANs
  if (vid === 0 || (vidEnd ?? vid) === 4095) return fail(vidWord, 'RTNETLINK answers: Invalid argument', 'bridge/kernel-einval');
  const target = link.kind === 'bridge' ? (self ? link : null) : link.master !== null && findLink(net, link.master)?.kind === 'bridge' ? link : null;
  // rtnl_bridge_setlink: a bridge without `self` has no master to ask; a device not in a bridge has no VLANs
  if (!target) return fail(dev, 'RTNETLINK answers: Operation not supported', 'bridge/not-supported');
  let list = target.bridgeVlans ?? [];
  for (let v = vid; v <= (vidEnd ?? vid); v++) {
    if (verb === 'add') list = withVlan(list, { vid: v, pvid, untagged });
    else {
      if (!list.some((x) => x.vid === v)) return fail(vidWord, 'RTNETLINK answers: No such file or directory', 'bridge/no-vlan');
      list = list.filter((x) => x.vid !== v);
    }
  }
  target.bridgeVlans = list;
  return [];
}

/**
 * `bridge vlan [show] [dev DEV] [vid N]` (vlan_show, print_vlan_info): the
 * header (recorded on this machine, where it is all that prints), then per
 * device its VIDs, the name on the first line only, `vid N` keeping only
 * that VID.
 */
export function formatBridgeVlanShow(net: HostNet, dev: string | null, vid: number | null = null): string {
  const lines = [`${'port'.padEnd(16)}  ${'vlan-id'.padEnd(9)}`];
  for (const l of [...net.links].sort((a, b) => a.ifindex - b.ifindex)) {
    if (dev !== null && l.name !== dev) continue;
    const vlans = (l.bridgeVlans ?? []).filter((v) => !vid || v.vid === vid);
    vlans.forEach((v, k) => {
      lines.push(`${(k === 0 ? l.name : '').padEnd(16)}  ${v.vid}${v.pvid ? ' PVID' : ''}${v.untagged ? ' Egress Untagged' : ''}`);
    });
  }
  return `${lines.join('\n')}\n`;
}

/** br_get_pvid: the PVID of `dev`'s VLANs, 0 for none. */
function pvidOf(l: Link): number {
  return l.bridgeVlans?.find((v) => v.pvid)?.vid ?? 0;
}

/**
 * br_allowed_ingress for a frame that arrives on `dev` (a port, or the
 * bridge device itself when the host sends through it, br_dev_xmit):
 * without filtering every frame passes, VID 0. An untagged or
 * priority-tagged frame belongs to the PVID and is dropped without one; a
 * tagged frame passes only when its VID is one of `dev`'s. The frame that
 * goes on carries its VID as a tag (the kernel keeps it in the skb's
 * hwaccel tag): null is a drop.
 */
export function brAllowedIngress(net: HostNet, bridge: string, dev: string, tags: readonly VlanTag[] | undefined): { vid: number; tags: VlanTag[] } | null {
  if (!filtering(net, bridge)) return { vid: 0, tags: [...(tags ?? [])] };
  const l = findLink(net, dev);
  if (!l) return null;
  const [outer, ...inner] = tags ?? [];
  // a tag of another protocol (802.1ad on an 802.1Q bridge) is payload: the frame is untagged to the bridge
  const tagged = outer !== undefined && outer.protocol === '802.1Q';
  if (!tagged || outer.vid === 0) {
    const pvid = pvidOf(l);
    if (!pvid) return null;
    return { vid: pvid, tags: [{ vid: pvid, prio: outer?.prio ?? 0, protocol: '802.1Q' }, ...(tagged ? inner : (tags ?? []))] };
  }
  return l.bridgeVlans?.some((v) => v.vid === outer.vid) ? { vid: outer.vid, tags: [outer, ...inner] } : null;
}

/**
 * br_allowed_egress + br_handle_vlan for a frame of VID `vid` leaving by
 * `dev` (a port, or the bridge device when it goes up to the host): only
 * a member of the VID gets it, without its tag where the VID is egress
 * untagged there. Without filtering the frame goes as it came. null: not
 * sent there.
 */
export function brHandleVlan(net: HostNet, bridge: string, dev: string, vid: number, tags: readonly VlanTag[]): VlanTag[] | null {
  if (!filtering(net, bridge)) return [...tags];
  const v = findLink(net, dev)?.bridgeVlans?.find((x) => x.vid === vid);
  if (!v) return null;
  return v.untagged ? tags.slice(1) : [...tags];
}

/** Whether `bridge` filters VLANs (its FDB is then per VID). */
export function bridgeFilters(net: HostNet, bridge: string): boolean {
  return filtering(net, bridge) !== null;
}
