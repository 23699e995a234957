// pattern: Functional Core
// The host's sockets as `ss` and `netstat` read them (inet_diag and
// /proc/net/{tcp,udp}): one row per socket the kernel would list, copied out
// of the live socket model (sockets.ts) so a packet record can keep the table
// as it stood at that moment, the way it keeps the neighbour table.

import type { ListenerSock, Sockets, TcpSock, TcpState } from './sockets';

/** The listen() backlog of the oracle's listeners (agent.py `serve`: s.listen(64)). */
export const LISTEN_BACKLOG = 64;

/** A socket's state in the kernel's words (include/net/tcp_states.h); UDP is CLOSE unless connected. */
export type SockState = Exclude<TcpState, 'CLOSED'> | 'LISTEN' | 'CLOSE';

export interface SocketRow {
  proto: 'tcp' | 'udp';
  state: SockState;
  laddr: number;
  lport: number;
  /** 0 and 0 for a listener or an unconnected UDP socket */
  raddr: number;
  rport: number;
  /** inet_diag's idiag_rqueue / idiag_wqueue: what `Recv-Q` and `Send-Q` print */
  recvQ: number;
  sendQ: number;
  /** held by a process (a socket file): TIME-WAIT and request sockets and orphans are not */
  owned: boolean;
}

/**
 * What tcp_diag_get_info reports as the queues: a listener's accept queue
 * and backlog; otherwise bytes not yet read (rcv_nxt - copied_seq) and
 * bytes not yet acknowledged (write_seq - snd_una), where the SYN and the
 * FIN count one each. A request socket (SYN-RECV) and a TIME-WAIT socket
 * have no queues.
 */
function tcpQueues(s: TcpSock): { recvQ: number; sendQ: number } {
  if (s.state === 'SYN_RECV' || s.state === 'TIME_WAIT' || s.state === 'FIN_WAIT2') return { recvQ: 0, sendQ: 0 };
  if (s.state === 'SYN_SENT') return { recvQ: 0, sendQ: 1 };
  const sender = s.stream.sender;
  const unsent = sender ? sender.queue.reduce((n, k) => n + k.len + (k.fin ? 1 : 0), 0) : 0;
  const sendQ = sender ? Math.max(0, s.sndNxt + unsent - sender.sndUna) : 0;
  return { recvQ: s.stream.unread.length, sendQ };
}

/** The rows of a host's listeners (the oracle's, bound before any step): TCP LISTEN, UDP unconnected. */
export function listenerRows(listeners: readonly Pick<ListenerSock, 'proto' | 'addr' | 'port'>[]): SocketRow[] {
  return listeners.map((l) =>
    l.proto === 'tcp'
      ? { proto: 'tcp', state: 'LISTEN', laddr: l.addr, lport: l.port, raddr: 0, rport: 0, recvQ: 0, sendQ: LISTEN_BACKLOG, owned: true }
      : { proto: 'udp', state: 'CLOSE', laddr: l.addr, lport: l.port, raddr: 0, rport: 0, recvQ: 0, sendQ: 0, owned: true },
  );
}

/** The host's sockets now, in the order the kernel's hash tables would not promise: callers sort as the tool does. */
export function socketRows(sockets: Sockets): SocketRow[] {
  const rows = listenerRows(sockets.listeners);
  for (const s of sockets.tcp.values()) {
    if (s.state === 'CLOSED') continue;
    const owned = s.owned && s.state !== 'TIME_WAIT';
    rows.push({ proto: 'tcp', state: s.state, laddr: s.laddr, lport: s.lport, raddr: s.raddr, rport: s.rport, ...tcpQueues(s), owned });
  }
  for (const u of sockets.udp) rows.push({ proto: 'udp', state: 'ESTABLISHED', laddr: u.laddr, lport: u.lport, raddr: u.raddr, rport: u.rport, recvQ: 0, sendQ: 0, owned: true });
  return rows;
}
