// pattern: Functional Core
// The TFTP helper (net/netfilter/nf_conntrack_tftp.c, nf_nat_tftp.c). A
// read or write request to port 69 is answered by the server from a new
// port, straight to the client's port: the helper expects a UDP connection
// from the server's address (any port) to the client as the request's reply
// tuple names it. When the request was NATed, the answer is NATed back to
// the client's own address and port (nf_nat_follow_master).

import { IPPROTO_UDP } from '../../net/packet';
import { IPS_NAT_MASK } from '../types';
import type { ConntrackHelper } from './helper';
import { be16, newExpect } from './helper';

const TFTP_OPCODE_READ = 1;
const TFTP_OPCODE_WRITE = 2;

export const tftpHelper: ConntrackHelper = {
  name: 'tftp',
  proto: IPPROTO_UDP,
  port: 69,
  maxExpected: 1,
  timeoutS: 5 * 60,
  help(p, e, _ctinfo, env) {
    // tftp_help looks at the opcode of every datagram of the master, in both directions
    const opcode = be16(p.payload, 0);
    if (opcode !== TFTP_OPCODE_READ && opcode !== TFTP_OPCODE_WRITE) return 'ACCEPT';
    const reply = e.tuple[1];
    const exp = newExpect(e, tftpHelper, { src: reply.src, dst: reply.dst, proto: IPPROTO_UDP, dport: reply.dport }, env.nowMs);
    if (e.status & IPS_NAT_MASK) {
      // nf_nat_tftp: the answer goes back to the port the client sent from
      exp.savedPort = e.tuple[0].sport;
      exp.dir = 1;
      exp.natFollowMaster = true;
      if (env.expectRelated(exp) !== 0) {
        env.log('cannot add expectation');
        return 'DROP';
      }
      return 'ACCEPT';
    }
    return env.expectRelated(exp) === 0 ? 'ACCEPT' : 'DROP';
  },
};
