// pattern: Functional Core
// How one write() leaves a host: a single packet while the device does GSO
// (veth keeps GSO packets whole, so that is what netfilter sees), MSS-sized
// segments on a device with gso_max_segs 1 (tcp_xmit_size_goal caps an skb
// at sk_gso_max_segs segments; sim/tcp-output.ts); each transmit runs the
// receivers' softirq before the next one leaves, so the peer has ACKed a
// segment before the partial last one goes (sim/tcp-stream.ts); and how the
// echo listener reads what arrived. Kernel evidence: cases p72-p74 (and
// their exploration runs, see the report).

import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';
import type { World } from './world';

const LINE = 'NOOP' + ' '.repeat(524 - 6) + '\r\n';

function world(clientSetup: string[], data: string): World {
  const r = runCase({
    name: 'segmentation',
    hosts: [
      { name: 'client', setup: [...clientSetup, 'ip addr add 10.5.0.2/24 dev eth0'] },
      { name: 'server', setup: ['ip link set dev eth0 gso_max_segs 1', 'ip addr add 10.5.0.21/24 dev eth0'] },
    ],
    links: [['client:eth0', 'server:eth0']],
    listeners: [{ host: 'server', proto: 'tcp', port: 21 }],
    steps: [{ from: 'client', tcp: '10.5.0.21:21', data }],
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.world;
}

/** "host dir flags len" for each data or pure-ACK segment after the handshake, in the order they were sent. */
function segments(w: World): string[] {
  return w.records
    .filter((r) => r.origin === 'local' && r.events[0]?.packet.tcp && !(r.events[0].packet.tcp.flags & 0x07))
    .map((r) => {
      const p = r.events[0]!.packet;
      const flags = p.tcp!.flags & 0x08 ? 'PA' : 'A';
      return `${r.host} ${flags} ${p.payload.length}`;
    });
}

describe('TCP writes on the wire', () => {
  it('with GSO a write larger than the MSS is still one packet', () => {
    const w = world(['ip link set dev eth0 mtu 576'], LINE + 'PORT 10,5,0,2,156,64\r\n');
    // the handshake's ACK, the whole write, then one ACK per segment of the server's echo (its link has no GSO)
    expect(segments(w).filter((s) => s.startsWith('client'))).toEqual(['client A 0', 'client PA 546', 'client A 0', 'client A 0']);
  });

  it('without GSO it leaves as MSS-sized segments; the partial last one follows the peer\'s ACK of the first', () => {
    const w = world(['ip link set dev eth0 mtu 576 gso_max_segs 1'], LINE + 'PORT 10,5,0,2,156,64\r\n');
    expect(segments(w).slice(0, 5)).toEqual([
      'client A 0', // the handshake's ACK
      'client A 524', // MSS = 576 - 40 - 12 (timestamps), no PSH: not the end of the write
      'server A 0',
      'client PA 22', // the first transmit ran the server's softirq: its ACK is already on the way back
      'server A 0',
    ]);
  });

  it('the echo listener reads both segments at once and answers with one write, split the same way', () => {
    const w = world(['ip link set dev eth0 mtu 576 gso_max_segs 1'], LINE + 'PORT 10,5,0,2,156,64\r\n');
    expect(segments(w).filter((s) => s.startsWith('server'))).toEqual(['server A 0', 'server A 0', 'server A 524', 'server PA 22']);
    const recv = w.stepOutcomes[0]!.listenerEvents.filter((e) => e.event === 'recv');
    expect(recv.map((e) => e.data?.length)).toEqual([546]);
    expect(w.stepOutcomes[0]!.result.reply).toBe(LINE + 'PORT 10,5,0,2,156,64\r\n');
  });

  it('ip link set ... gso_max_segs is read and refused above GSO_MAX_SEGS like iproute2', () => {
    expect(() => world(['ip link set dev eth0 gso_max_segs 65536'], 'x')).toThrow('Invalid "gso_max_segs" value');
    expect(world(['ip link set dev eth0 gso_max_segs 0'], 'x').hosts.get('client')!.net.links.find((l) => l.name === 'eth0')!.gsoMaxSegs).toBe(0);
  });
});
