// pattern: Functional Core
// The socket a locally generated packet carries (skb->sk), which decides two
// things the oracle shows: whether TRACE/LOG print UID=/GID= (only for a full
// socket a process holds: nf_log_dump_sk_uid_gid) and what -m owner sees
// (xt_owner looks through skb_to_full_sk to sk->sk_socket->file). Observed
// for every kind of packet in case p41.

/**
 * - `process`: a socket a process holds (a connect()ing client, an accept()ed
 *   child, a UDP or raw socket): TRACE prints UID, owner sees its uid/gid.
 * - `request`: a SYN-ACK, sent by the request socket of a listener: TRACE
 *   prints no UID (not a full socket), owner sees the listener's uid/gid.
 * - `kernel`: a per-namespace control socket without a file (the RST for a
 *   closed port, ICMP errors including REJECT's, echo replies): owner sees
 *   a socket (--socket-exists) but no uid/gid.
 * - `none`: no socket (REJECT's RST from nf_send_reset, forwarded packets).
 */
export type SkbSocket = 'process' | 'request' | 'kernel' | 'none';

/** What xt_owner sees: is there a socket, and the uid/gid of the process holding it (every simulated process is root). */
export interface OwnerView {
  socket: boolean;
  uid: number | null;
  gid: number | null;
}

export function ownerView(sk: SkbSocket | undefined): OwnerView {
  switch (sk) {
    case 'process':
    case 'request':
      return { socket: true, uid: 0, gid: 0 };
    case 'kernel':
      return { socket: true, uid: null, gid: null };
    default:
      return { socket: false, uid: null, gid: null };
  }
}
