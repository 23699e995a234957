// pattern: Functional Core
// What the kernel still does by timer after a step's traffic is over, and
// the simulation does not: it has no clock that runs between steps the way
// the oracle's wall clock does (each step lasts as long as its program, a
// quiet period and the harness's snapshots), so the copies such timers send
// could not be placed among the later steps' packets anyway. Found by the
// difftest (seed 1): a SYN/ACK nobody acknowledged comes again 1 s later
// (cases 10, 26, 99, 129, ...), an unacknowledged FIN from 200 ms on
// (cases 62, 205), and packets waiting for an ARP answer end, about 3 s
// later, in an ICMP host unreachable to their source (cases 54, 170).
// Retransmissions also happen within a step, while its program waits out
// its timeout for an echo that does not come (seed 2 case 848: the data was
// sent three times before the step's RST), even when nothing is pending at
// the end. Each is reported as a "not modelled" finding of the run.

import { formatIpv4 } from '../net/addr';
import type { World } from './world';
import type { TcpSock } from './sockets';
import { neighParms } from '../net/neigh';

/** No oracle run lasts this long: a neighbour resolution that takes longer never ends within one. */
const OUTLASTS_ANY_RUN_MS = 120_000;

export interface PendingTimer {
  host: string;
  subject: string;
  detail: string;
  /** the interface a neighbour entry waits on */
  iface?: string;
}

const ap = (a: number, p: number) => `${formatIpv4(a)}:${p}`;

/** States in which unacknowledged data or a FIN is retransmitted (tcp_retransmit_timer). */
const RETRANSMITTING = new Set<TcpSock['state']>(['ESTABLISHED', 'FIN_WAIT1', 'CLOSE_WAIT', 'LAST_ACK']);

function unacknowledged(s: TcpSock): boolean {
  const sender = s.stream.sender;
  if (!RETRANSMITTING.has(s.state) || sender === null) return false;
  // in flight and not acknowledged (the retransmission timer), or still unsent because its host's
  // OUTPUT dropped it (tcp_check_probe_timer: the probe timer sends it again, also from rto_min on)
  return sender.sndUna < s.sndNxt || sender.queue.length > 0;
}

/**
 * A step's program waits out its timeout (a TCP step's recv() of the echo):
 * every segment unacknowledged meanwhile was retransmitted by the kernel.
 */
export function markRetransmitDue(hosts: Iterable<{ sockets: { tcp: Map<string, TcpSock> } }>): void {
  for (const h of hosts) for (const s of h.sockets.tcp.values()) if (unacknowledged(s)) s.retransmitDue = true;
}

/**
 * Whether a host's unacknowledged segments are sent again while an oracle
 * run lasts: the retransmission timer waits at least tcp_rto_min_us (the
 * round trip between namespaces is far below it), and with tcp_early_retrans
 * above 0 a tail loss probe (tcp_schedule_loss_probe) goes out earlier.
 * An administrator's tcp_rto_min_us beyond any run and tcp_early_retrans=0
 * leave the one transmission the simulation makes.
 */
function retransmitsWithinARun(sysctl: Readonly<Record<string, string>>): boolean {
  const rtoMinMs = Number(sysctl['net.ipv4.tcp_rto_min_us'] ?? '200000') / 1000;
  const earlyRetrans = Number(sysctl['net.ipv4.tcp_early_retrans'] ?? '3');
  return rtoMinMs < OUTLASTS_ANY_RUN_MS || earlyRetrans !== 0;
}

function tcpTimers(world: World): PendingTimer[] {
  const out: PendingTimer[] = [];
  for (const h of world.hostList) {
    const synackRetries = Number(h.net.sysctl['net.ipv4.tcp_synack_retries'] ?? '5');
    const retransmits = retransmitsWithinARun(h.net.sysctl);
    for (const s of h.sockets.tcp.values()) {
      if (s.state === 'SYN_RECV' && synackRetries > 0) {
        // reqsk_timer_handler: TCP_TIMEOUT_INIT, doubling, up to tcp_synack_retries times
        out.push({
          host: h.name,
          subject: 'SYN/ACK retransmission',
          detail: `the half-open connection ${ap(s.laddr, s.lport)} ↔ ${ap(s.raddr, s.rport)} got no ACK: the kernel sends its SYN/ACK again 1 s, 3 s, 7 s … after the first (net.ipv4.tcp_synack_retries=${synackRetries}); the simulation sends it once`,
        });
      } else if (!retransmits) {
        continue;
      } else if (unacknowledged(s)) {
        const fin = s.state === 'FIN_WAIT1' || s.state === 'LAST_ACK';
        out.push({
          host: h.name,
          subject: 'TCP retransmission',
          detail: `${ap(s.laddr, s.lport)} → ${ap(s.raddr, s.rport)} sent ${fin ? 'a FIN' : 'data'} that was never acknowledged: the kernel sends it again from 200 ms on, doubling the wait; the simulation sends it once`,
        });
      } else if (s.retransmitDue) {
        out.push({
          host: h.name,
          subject: 'TCP retransmission',
          detail: `${ap(s.laddr, s.lport)} → ${ap(s.raddr, s.rport)} had data unacknowledged while a step waited out its timeout for a reply: the kernel sent it again meanwhile (from 200 ms on); the simulation sent it once`,
        });
      }
    }
  }
  return out;
}

function neighbourTimers(world: World): PendingTimer[] {
  const out: PendingTimer[] = [];
  for (const h of world.hostList) {
    for (const e of world.l2.neigh(h).list()) {
      if (e.state !== 'incomplete' || e.queue.length === 0) continue;
      // probes that outlast any run (e.g. retrans_time_ms=100000): the packets just wait, as here
      if (neighParms(h.net, e.iface).resolveTimeoutMs > OUTLASTS_ANY_RUN_MS) continue;
      out.push({
        host: h.name,
        iface: e.iface,
        subject: 'neighbour resolution failure',
        detail: `${e.queue.length} packet(s) wait for the address of ${formatIpv4(e.addr)} on ${e.iface}, whose ARP requests nobody answers: when the probes run out (about 3 s) the kernel drops them and sends an ICMP host unreachable to each one's source; the simulation leaves them waiting`,
      });
    }
  }
  return out;
}

/** The timers still running when the run ends, one finding per connection or neighbour entry. */
export function pendingTimers(world: World): PendingTimer[] {
  return [...tcpTimers(world), ...neighbourTimers(world)];
}
