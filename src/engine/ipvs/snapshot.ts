// pattern: Functional Core
// A host's IPVS as the app's panels show it: `ipvsadm -Ln` and `-Lnc` as
// ipvsadm prints them, and each virtual service's scheduler state.

import { formatIpv4 } from '../net/addr';
import { formatConnections, formatList } from './ipvsadm-print';
import { describeScheduler } from './schedulers';
import type { IpvsState } from './types';

/** IPVS as `ipvsadm -Ln` / `-Lnc` print it plus each scheduler's state, for the app's panels. */
export function ipvsSnapshot(ipvs: IpvsState, nowMs: number): { list: string; connections: string; schedulers: { service: string; view: unknown }[] } {
  return {
    list: formatList(ipvs, { numeric: true }),
    connections: formatConnections(ipvs, nowMs, { numeric: true }),
    schedulers: ipvs.services.map((svc) => ({ service: `${svc.fwmark ? 'FWM' : svc.protocol.toUpperCase()} ${svc.fwmark ? svc.fwmark : `${formatIpv4(svc.addr)}:${svc.port}`} ${svc.scheduler}`, view: describeScheduler(ipvs, svc) })),
  };
}
