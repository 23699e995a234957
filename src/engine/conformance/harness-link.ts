// pattern: Functional Core
// Which sender → receiver links the oracle can see. The kernel result does
// not come with links: shared/oracle/lib/analysis.py (link, sender_endpoints)
// infers them after the fact. A received packet is matched to a packet that
// left a peer endpoint of the interface it came in by: the endpoint named by
// the frame's source MAC when that MAC's owner is a peer, else any peer of
// that interface (links and switch ports), and "left by" means the egress
// port of the sender's last event (PHYSOUT=, else OUT=).
//
// The engine knows every link, but must report only these: a packet the
// bridging host itself sends through br0 has OUT=br0 and no PHYSOUT= (no
// br_netfilter hook runs for it), so no endpoint matches and the oracle
// shows it as received by nobody (case p60), while the receiver's copy
// appears without a sender.

import { oracleSource } from './oracle-link';
import type { PacketRecord, Receiver } from '../sim/record';
import type { World } from '../sim/world';

function egressPort(r: PacketRecord): string | null {
  const last = r.events[r.events.length - 1];
  if (!last || last.hook !== 'POSTROUTING') return null;
  return last.physout ?? last.out;
}

/**
 * The device a VLAN device's frames leave and arrive by (its real device,
 * through stacked VLANs). The oracle has no VLANs (no 8021q); this extends
 * its link inference the way its wires would: a VLAN rides its real device's.
 */
function wireDevice(world: World, host: string, iface: string): string {
  const net = world.hosts.get(host)?.net;
  let name = iface;
  for (let l = net?.links.find((x) => x.name === name); l?.vlan; l = net?.links.find((x) => x.name === name)) name = l.vlan.parent;
  return name;
}

/** analysis.py peers(): the endpoints on the other side of `host:iface`. */
function peers(world: World, host: string, iface: string): { host: string; iface: string }[] {
  if (iface === 'lo') return [{ host, iface: 'lo' }];
  iface = wireDevice(world, host, iface);
  const seg = world.segments.get(`${host}:${iface}`);
  if (!seg) return [];
  if (seg.kind === 'link') return [seg.peer];
  return seg.ports.filter((p) => !(p.host === host && p.iface === iface));
}

/** True when the oracle would attribute `recv` to `sender`. */
export function oracleSeesLink(world: World, sender: PacketRecord, recv: Receiver): boolean {
  const first = recv.packet.events[0];
  if (!first || first.hook !== 'PREROUTING') return false;
  const out = egressPort(sender);
  if (out === null) return false;
  const ins = peers(world, recv.host, first.physin ?? first.in ?? '');
  let candidates = ins;
  if (first.srcMac) {
    const owner = [...world.macs.entries()].find(([, mac]) => mac === first.srcMac)?.[0];
    const named = owner ? ins.filter((p) => `${p.host}:${p.iface}` === owner) : [];
    if (named.length) candidates = named;
  }
  // and by content: the fields NAT and routing never change must agree (oracle-link.ts)
  const wire = wireDevice(world, sender.host, out);
  return candidates.some((p) => p.host === sender.host && p.iface === wire) && oracleSource(recv.packet) === sender;
}

/** The receivers the oracle reports for `sender`. */
export function visibleReceivers(world: World, sender: PacketRecord): Receiver[] {
  return sender.receivedBy.filter((x) => !x.packet.untraced && oracleSeesLink(world, sender, x));
}
