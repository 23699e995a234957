// What -m owner sees for each kind of socket a locally generated packet
// carries (case p41: every packet kind probed with six owner rules).

import { describe, expect, it } from 'vitest';
import { ownerView } from './skb-socket';

describe('the socket of a locally generated packet, as -m owner sees it', () => {
  it('a process socket and a SYN/ACK\'s request socket: a socket with the (root) process\'s uid and gid', () => {
    expect(ownerView('process')).toEqual({ socket: true, uid: 0, gid: 0 });
    expect(ownerView('request')).toEqual({ socket: true, uid: 0, gid: 0 });
  });
  it('a kernel control socket: a socket without uid or gid', () => {
    expect(ownerView('kernel')).toEqual({ socket: true, uid: null, gid: null });
  });
  it('REJECT\'s RST and packets without a socket: nothing', () => {
    expect(ownerView('none')).toEqual({ socket: false, uid: null, gid: null });
    expect(ownerView(undefined)).toEqual({ socket: false, uid: null, gid: null });
  });
});
