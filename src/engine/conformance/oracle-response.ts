// pattern: Functional Core
// Which packet the oracle names as the kernel's answer to a packet
// (disposition.response), found the way shared/oracle/lib/analysis.py
// find_response() finds it: not by cause, which the trace does not show,
// but by the first later packet of the same host and step that starts in
// OUTPUT and is an ICMP error (type 3, 11 or 12) quoting a datagram with the
// packet's IP id and protocol, or, after a REJECT, a TCP RST between the
// same ports. A datagram that passes a host twice (forwarded, then DNATed
// back to that host by a neighbour) keeps its IP id, so the error for its
// second passage answers the first one too (difftest seed 1 case 459).

import { IPPROTO_ICMP, IPPROTO_TCP, TCP_RST } from '../net/packet';
import type { PacketRecord } from '../sim/record';

export interface OracleResponse {
  packet: PacketRecord;
  kind: 'icmp' | 'tcp-reset';
  type?: number;
  code?: number;
}

/** find_response() for every record (in each host's trace order), null where the oracle finds none. */
export function oracleResponses(records: readonly PacketRecord[]): Map<PacketRecord, OracleResponse | null> {
  const byHost = new Map<string, PacketRecord[]>();
  for (const r of records) {
    if (r.events.length === 0 || r.untraced) continue;
    let l = byHost.get(r.host);
    if (!l) byHost.set(r.host, (l = []));
    l.push(r);
  }
  const out = new Map<PacketRecord, OracleResponse | null>();
  for (const list of byHost.values()) {
    list.forEach((r, i) => out.set(r, findResponse(r, list.slice(i + 1))));
  }
  return out;
}

function findResponse(r: PacketRecord, later: readonly PacketRecord[]): OracleResponse | null {
  const last = r.events[r.events.length - 1]!;
  const p = last.packet;
  for (const s of later) {
    const first = s.events[0]!;
    if (s.step !== r.step || first.hook !== 'OUTPUT') continue;
    const h = first.packet;
    const inner = h.icmp?.inner;
    if (h.proto === IPPROTO_ICMP && h.icmp && [3, 11, 12].includes(h.icmp.type) && inner && inner.ipid === p.ipid && inner.proto === p.proto) {
      return { packet: s, kind: 'icmp', type: h.icmp.type, code: h.icmp.code };
    }
    if (last.target === 'REJECT' && h.proto === IPPROTO_TCP && h.tcp && h.tcp.flags & TCP_RST && h.sport === p.dport && h.dport === p.sport) {
      return { packet: s, kind: 'tcp-reset' };
    }
  }
  return null;
}
