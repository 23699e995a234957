import { describe, expect, it } from 'vitest';
import { runCase } from '../run-case';
import { oracleResponses } from './oracle-response';

const hairpin = {
  name: 'hairpin-dnat-back',
  hosts: [
    { name: 'h', setup: ['ip addr add 10.0.2.2/24 dev eth0', 'ip route add default via 10.0.2.1'] },
    { name: 'gw', setup: ['ip addr add 10.0.2.1/24 dev eth1', 'ip addr add 10.0.1.2/24 dev eth0', 'ip route add 10.0.9.0/24 via 10.0.1.1', 'sysctl -w net.ipv4.ip_forward=1'] },
    {
      name: 'r',
      setup: [
        'ip addr add 10.0.1.1/24 dev eth0',
        'sysctl -w net.ipv4.ip_forward=1',
        'sysctl -w net.ipv4.conf.all.send_redirects=0',
        'sysctl -w net.ipv4.conf.eth0.send_redirects=0',
        'iptables -t nat -A PREROUTING -i eth0 -j DNAT --to-destination 10.0.1.2',
      ],
    },
  ],
  links: [['h:eth0', 'gw:eth1'], ['gw:eth0', 'r:eth0']],
  steps: [{ from: 'h', udp: '10.0.9.9:5060', data: 'INVITE' }],
};

describe('the answer the oracle names (analysis.py find_response)', () => {
  it('an error for a datagram that passed the host twice answers both passages: same IP id (case r16)', () => {
    const r = runCase(hairpin);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const gw = r.world.records.filter((x) => x.host === 'gw');
    const [forwarded, local, error] = gw;
    const found = oracleResponses(r.world.records);
    // only the second passage caused the error; the oracle cannot tell the two apart
    expect(local!.response?.packet).toBe(error);
    expect(forwarded!.response).toBeNull();
    expect(found.get(forwarded!)).toMatchObject({ packet: error, kind: 'icmp', type: 3, code: 3 });
    expect(found.get(local!)).toMatchObject({ packet: error, kind: 'icmp' });
    expect(found.get(error!)).toBeNull();
  });

  it('only a packet of the same host and step that starts in OUTPUT counts', () => {
    const r = runCase(hairpin);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const found = oracleResponses(r.world.records);
    // h's datagram has the same IP id, but the error is gw's packet
    const sent = r.world.records.find((x) => x.host === 'h' && x.origin === 'local')!;
    expect(found.get(sent)).toBeNull();
  });
});
