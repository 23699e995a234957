// pattern: Functional Core
// What the step inspector lists: a step's packet, layer by layer (Ethernet,
// the outer and inner IP headers of IP-in-IP, IP, TCP/UDP/ICMP with the
// header an ICMP error quotes, the marks), each field with its value before
// and after the step. The engine (lab/inspect.ts) names the changed fields by
// path; this module groups the paths into the layers a reader knows and
// words the values, so the panel only lays them out.

import type { ChangeReason, PacketLayers, StepInspection } from '../../engine/lab/inspect';
import type { MessageKey } from '../i18n/i18n';
import { tEn, type T } from '../i18n/t';

type Scalar = string | number | boolean | null;

/** The layers in the order they sit on the wire. */
export type LayerId = 'ethernet' | 'ip' | 'outer' | 'tunnel' | 'inner' | 'innerL4' | 'l4' | 'quoted' | 'quotedL4' | 'marks';

export interface FieldRow {
  /** the engine's path (`ip.ttl`, `ethernet.dst`, `l4.quoted.ip.src`) */
  path: string;
  /** the field's own name, the path's last part */
  field: string;
  before: Scalar;
  after: Scalar;
  changed: boolean;
}

export interface Layer {
  id: LayerId;
  /** tcp, udp or icmp for a transport layer */
  proto: string | null;
  rows: FieldRow[];
}

/** prefix → layer; the longest prefix wins, so `l4.quoted.ip.` is the quoted header and not the transport layer */
const PREFIXES: [string, LayerId][] = [
  ['l4.quoted.l4.', 'quotedL4'],
  ['l4.quoted.ip.', 'quoted'],
  ['inner.l4.', 'innerL4'],
  ['inner.ip.', 'inner'],
  ['tunnel.', 'tunnel'],
  ['ethernet.', 'ethernet'],
  ['ip.', 'ip'],
  ['l4.', 'l4'],
];
const ORDER: LayerId[] = ['ethernet', 'outer', 'ip', 'inner', 'innerL4', 'l4', 'quoted', 'quotedL4', 'marks'];
/** an encapsulated packet reads outside in: outer IP, its UDP (VXLAN), the tunnel header, then the inner datagram */
const ENCAP_ORDER: LayerId[] = ['ethernet', 'outer', 'l4', 'tunnel', 'inner', 'innerL4', 'marks'];

function layerOf(path: string): LayerId | null {
  if (path === 'mark' || path === 'ctmark') return 'marks';
  for (const [p, id] of PREFIXES) if (path.startsWith(p)) return id;
  return null;
}

function flatten(v: unknown, path: string, out: Map<string, Scalar>): void {
  if (v === null || typeof v !== 'object') {
    if (path) out.set(path, (v ?? null) as Scalar);
    return;
  }
  for (const [k, x] of Object.entries(v)) flatten(x, path ? `${path}.${k}` : k, out);
}

/** The transport header's own `proto` repeats the IP header's and titles the layer instead. */
const isProtoOfL4 = (path: string) => /(^|\.)l4\.proto$/.test(path);

/**
 * The layers the packet has before or after the step, each with its fields.
 * A field is listed when it has a value on either side (a layer that appears,
 * like the outer header of IPVS TUN, shows its fields coming from nothing);
 * the skb mark is always listed, the conntrack mark once the packet has a
 * connection.
 *
 * @example
 * inspectorLayers(ttlStep).find((l) => l.id === 'ip')!.rows.find((r) => r.field === 'ttl');
 * // { path: 'ip.ttl', field: 'ttl', before: 64, after: 63, changed: true }
 */
export function inspectorLayers(ins: Pick<StepInspection, 'before' | 'after' | 'changes'>): Layer[] {
  const before = new Map<string, Scalar>();
  const after = new Map<string, Scalar>();
  if (ins.before) flatten(ins.before, '', before);
  flatten(ins.after, '', after);
  const changed = new Set(ins.changes.map((c) => c.path));
  const encapsulated = hasInner(ins.after) || (ins.before !== null && hasInner(ins.before));
  const layers = new Map<LayerId, Layer>();
  let tunnelKind: string | null = null;
  // the after side's key order is the engine's field order; fields only before come last
  for (const path of new Set([...after.keys(), ...before.keys()])) {
    let id = layerOf(path);
    if (id === null) continue;
    if (id === 'ip' && encapsulated) id = 'outer';
    const b = before.get(path) ?? null;
    const a = after.get(path) ?? null;
    const protoOfL4 = isProtoOfL4(path);
    let layer = layers.get(id);
    if (!layer) layers.set(id, (layer = { id, proto: null, rows: [] }));
    if (protoOfL4 || path === 'tunnel.kind') {
      layer.proto = String(a ?? b);
      if (path === 'tunnel.kind') tunnelKind = layer.proto;
      continue;
    }
    if (a === null && b === null && path !== 'mark') continue;
    layer.rows.push({ path, field: path.slice(path.lastIndexOf('.') + 1), before: ins.before ? b : a, after: a, changed: changed.has(path) });
  }
  const outer = layers.get('outer');
  if (outer && tunnelKind) outer.proto = tunnelKind;
  return (encapsulated ? ENCAP_ORDER : ORDER).map((id) => layers.get(id)).filter((l): l is Layer => l !== undefined && l.rows.length > 0);
}

function hasInner(p: PacketLayers): boolean {
  return p.inner !== null;
}

/** A field's value as the tools print it: marks and TOS in hex, as iptables and ip do. */
export function valueText(field: string, v: Scalar, t: T = tEn): string {
  if (v === null) return '—';
  if ((field === 'mark' || field === 'ctmark' || field === 'tos') && typeof v === 'number') return `0x${v.toString(16)}`;
  if (field === 'df' && typeof v === 'boolean') return v ? 'DF' : t('inspect.noDf');
  if (field === 'flags' && v === '') return t('hdr.noFlags');
  return String(v);
}

const FIELD_KEYS: Record<string, MessageKey> = {
  src: 'hdr.src',
  dst: 'hdr.dst',
  proto: 'hdr.proto',
  sport: 'hdr.sport',
  dport: 'hdr.dport',
  flags: 'hdr.flags',
  ttl: 'hdr.ttl',
  tos: 'hdr.tos',
  mark: 'hdr.mark',
  len: 'hdr.len',
  dataLen: 'hdr.data_len',
  type: 'hdr.type',
  code: 'hdr.code',
  id: 'hdr.id',
  seq: 'hdr.seq',
  ack: 'inspect.field.ack',
  window: 'inspect.field.window',
  df: 'inspect.field.df',
  gateway: 'inspect.field.gateway',
  vni: 'inspect.field.vni',
  key: 'inspect.field.greKey',
  innerSrcMac: 'inspect.field.innerSrcMac',
  innerDstMac: 'inspect.field.innerDstMac',
  ctmark: 'inspect.field.ctmark',
};

/** A field's label; Ethernet's src and dst are MAC addresses. */
export function fieldLabel(t: T, layer: LayerId, field: string): string {
  if (layer === 'ethernet') {
    if (field === 'vid') return t('inspect.field.vlanId');
    if (field === 'prio') return t('inspect.field.vlanPrio');
    if (field === 'protocol') return t('inspect.field.vlanProtocol');
    return t(field === 'src' ? 'inspect.field.srcMac' : 'inspect.field.dstMac');
  }
  const key = FIELD_KEYS[field];
  return key ? t(key) : field;
}

const LAYER_KEYS: Record<LayerId, MessageKey> = {
  ethernet: 'inspect.layer.ethernet',
  ip: 'inspect.layer.ip',
  outer: 'inspect.layer.outer',
  tunnel: 'inspect.layer.tunnel',
  inner: 'inspect.layer.inner',
  innerL4: 'inspect.layer.innerL4',
  l4: 'inspect.layer.l4',
  quoted: 'inspect.layer.quoted',
  quotedL4: 'inspect.layer.quotedL4',
  marks: 'inspect.layer.marks',
};

export function layerTitle(t: T, layer: Layer): string {
  if (layer.id === 'outer' && layer.proto) return t('inspect.layer.outerTunnel', { proto: layer.proto.toUpperCase() });
  return t(LAYER_KEYS[layer.id], { proto: (layer.proto ?? '').toUpperCase() });
}

const REASON_KEYS: Record<Exclude<ChangeReason, `target.${string}`>, MessageKey> = {
  'ttl.ip-forward': 'inspect.reason.ttl.ip-forward',
  'ttl.ipvs-xmit': 'inspect.reason.ttl.ipvs-xmit',
  'nat.new-binding': 'inspect.reason.nat.new-binding',
  'nat.existing-binding': 'inspect.reason.nat.existing-binding',
  'nat.ipvs-masq': 'inspect.reason.nat.ipvs-masq',
  'nat.ipvs-reply': 'inspect.reason.nat.ipvs-reply',
  'nat.helper-seqadj': 'inspect.reason.nat.helper-seqadj',
  'ipvs.xmit.masq': 'inspect.reason.ipvs.xmit.masq',
  'ipvs.xmit.route': 'inspect.reason.ipvs.xmit.route',
  'ipvs.xmit.tunnel': 'inspect.reason.ipvs.xmit.tunnel',
  'ipvs.snat': 'inspect.reason.ipvs.snat',
  'ipvs.drop': 'inspect.reason.ipvs.drop',
  'ipvs.accept': 'inspect.reason.ipvs.accept',
  'ipvs.tunnel-encapsulates': 'inspect.reason.ipvs.tunnel-encapsulates',
  'tunnel.encapsulate': 'inspect.reason.tunnel.encapsulate',
  'tunnel.decapsulate': 'inspect.reason.tunnel.decapsulate',
  'tunnel.drop': 'inspect.reason.tunnel.drop',
  'xmit.neighbour': 'inspect.reason.xmit.neighbour',
  'xmit.ipvs-dr-mac-only': 'inspect.reason.xmit.ipvs-dr-mac-only',
  'xmit.bridged': 'inspect.reason.xmit.bridged',
  'xmit.vlan-tag': 'inspect.reason.xmit.vlan-tag',
  'ingress.vlan-untag': 'inspect.reason.ingress.vlan-untag',
  'xmit.neighbour-unresolved': 'inspect.reason.xmit.neighbour-unresolved',
  'arp.request': 'inspect.reason.arp.request',
  'arp.queued': 'inspect.reason.arp.queued',
  'arp.reply': 'inspect.reason.arp.reply',
  'arp.failed': 'inspect.reason.arp.failed',
  'route.input': 'inspect.reason.route.input',
  'route.output': 'inspect.reason.route.output',
  'route.reroute': 'inspect.reason.route.reroute',
  'conntrack.in': 'inspect.reason.conntrack.in',
  'conntrack.attach': 'inspect.reason.conntrack.attach',
  'deliver.socket': 'inspect.reason.deliver.socket',
  'ingress.frame': 'inspect.reason.ingress.frame',
  'originate.local': 'inspect.reason.originate.local',
};

/** One sentence of the kernel's reasoning for the step, in the reader's language. */
export function reasonText(t: T, reason: ChangeReason | null, changed: boolean): string {
  if (reason === null) return changed ? t('inspect.reason.changed') : t('inspect.reason.none');
  if (reason.startsWith('target.')) return t('inspect.reason.target', { target: reason.slice('target.'.length) });
  return t(REASON_KEYS[reason as keyof typeof REASON_KEYS]);
}
