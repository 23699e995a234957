// pattern: Functional Core
// How the oracle ties a received packet to the packet its sender put on the
// wire (shared/oracle/lib/analysis.py link() and fingerprint()): the sending
// interface, and identical values in the fields NAT, TTL mangling and
// routing never change, read at the sender's last TRACE line and the
// receiver's first. The IP length and id, the fragment bits, the TCP
// sequence and acknowledgement numbers, flags and payload, the UDP length
// and payload, the ICMP type, code and echo sequence and data (or the quoted
// header's IP id and protocol). A packet a conntrack helper changed after
// the sender's last TRACE line (nf_nat_ftp rewriting a PORT command, seqadj
// moving sequence numbers; case p72) is therefore linked to nothing: the
// kernel result shows it received by no one and its copy arriving from no
// packet, and orders the packets without that edge.

import type { Packet } from '../net/packet';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../net/packet';
import type { PacketRecord } from '../sim/record';

/** analysis.py fingerprint() over the engine's packet fields. */
export function oracleFingerprint(p: Packet): string {
  const base = `${p.proto}/${p.len}/${p.ipid}`;
  if (p.proto === IPPROTO_TCP && p.tcp) return `${base}/${p.tcp.seq >>> 0}/${p.tcp.ack >>> 0}/${p.tcp.flags}/${p.payload}`;
  if (p.proto === IPPROTO_UDP) return `${base}/${p.payload.length}/${p.payload}`;
  if (p.proto === IPPROTO_ICMP && p.icmp) {
    const ic = p.icmp;
    if (ic.type === 0 || ic.type === 8) return `${base}/${ic.type}/${ic.code}/${ic.seq ?? 0}/${p.payload}`;
    if (ic.inner) return `${base}/${ic.type}/${ic.code}/${ic.inner.ipid}/${ic.inner.proto}`;
    return `${base}/${ic.type}/${ic.code}`;
  }
  return `${base}/${p.payload}`;
}

/** The packet the oracle says `r` came from: its sender's, when the two fingerprints agree. */
export function oracleSource(r: PacketRecord): PacketRecord | null {
  const from = r.fromPacket;
  if (!from) return null;
  const last = from.events[from.events.length - 1];
  const first = r.events[0];
  if (!last || !first) return from;
  return oracleFingerprint(last.packet) === oracleFingerprint(first.packet) ? from : null;
}
