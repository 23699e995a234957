// pattern: Functional Core
// The answers the oracle ties to a packet. shared/oracle/lib/analysis.py
// find_response() does not know which packet the kernel answered: for each
// packet it takes the first later packet of the same host and step that
// starts in OUTPUT and is an ICMP error (type 3, 11 or 12) quoting the same
// IP id and protocol. A packet that passes a host twice in one step (a
// hairpin: forwarded out, DNATed back by the next router, delivered here)
// is one IP id both times, so the ICMP error the host sends for its second
// pass is reported as the answer to the first pass too (difftest seed 1
// case 459). The engine knows whom it answered; this finds the earlier
// passes of the same packet the oracle also ties the answer to.

import { IPPROTO_ICMP } from '../net/packet';
import type { PacketRecord } from '../sim/record';

type Response = NonNullable<PacketRecord['response']>;

const ERROR_TYPES = new Set([3, 11, 12]);

/** The packet `r` became after passing through other hosts: its own descendants. */
function descendsFrom(r: PacketRecord, ancestor: PacketRecord): boolean {
  const seen = new Set<PacketRecord>();
  for (let p = r.fromPacket; p && !seen.has(p); p = p.fromPacket) {
    if (p === ancestor) return true;
    seen.add(p);
  }
  return false;
}

/**
 * Responses the oracle reports that the engine's records do not carry:
 * for a record with no response of its own, the ICMP error its host later
 * sent (same step) for a later pass of the same packet.
 */
export function sharedResponses(records: readonly PacketRecord[]): Map<PacketRecord, Response> {
  const out = new Map<PacketRecord, Response>();
  const answered = records.filter((q) => q.response?.kind === 'icmp' && !q.response.packet.untraced);
  if (answered.length === 0) return out;
  const byHost = new Map<string, PacketRecord[]>();
  for (const r of records) {
    let l = byHost.get(r.host);
    if (!l) byHost.set(r.host, (l = []));
    l.push(r);
  }
  for (const q of answered) {
    const resp = q.response!;
    const err = resp.packet;
    const first = err.events[0];
    if (!first || first.hook !== 'OUTPUT' || err.step !== q.step) continue;
    const icmp = first.packet.icmp;
    if (first.packet.proto !== IPPROTO_ICMP || !icmp || !ERROR_TYPES.has(icmp.type) || !icmp.inner) continue;
    const quoted = icmp.inner;
    const mine = byHost.get(err.host) ?? [];
    const errAt = mine.indexOf(err);
    for (const r of mine.slice(0, errAt)) {
      if (r === q || r.response || r.step !== q.step || !descendsFrom(q, r)) continue;
      const last = r.events.at(-1);
      if (!last || last.packet.ipid !== quoted.ipid || last.packet.proto !== quoted.proto) continue;
      out.set(r, resp);
    }
  }
  return out;
}
