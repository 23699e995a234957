// The tunnel form types what the notes type: `ip tunnel add … mode gre|ipip`
// for GRE and IPIP, `ip link add … type vxlan` for VXLAN, and every command
// it builds is one the engine's `ip` accepts.

import { describe, expect, it } from 'vitest';
import { createHostNet } from '../../engine/net/config';
import { execIpCommand } from '../../engine/net/ip-command';
import { emptyTunnelForm, tunnelCommands } from './tunnel-builders';

describe('tunnel form commands', () => {
  it('builds the notes\' GRE example, then brings the device up and addresses it', () => {
    const cmds = tunnelCommands({ ...emptyTunnelForm(), remote: '203.0.113.5', local: '198.51.100.2', address: '172.16.0.1/30' });
    expect(cmds).toEqual(['ip tunnel add tun0 mode gre remote 203.0.113.5 local 198.51.100.2', 'ip link set tun0 up', 'ip addr add 172.16.0.1/30 dev tun0']);
  });

  it('writes ttl, tos and key only when given, and no key for IPIP', () => {
    expect(tunnelCommands({ ...emptyTunnelForm(), kind: 'ipip', remote: '10.0.0.2', ttl: '64', tos: 'inherit', key: '7' })[0]).toBe('ip tunnel add tun0 mode ipip remote 10.0.0.2 ttl 64 tos inherit');
    expect(tunnelCommands({ ...emptyTunnelForm(), remote: '10.0.0.2', key: '7' })[0]).toBe('ip tunnel add tun0 mode gre remote 10.0.0.2 key 7');
  });

  it('builds a VXLAN device with ip link add … type vxlan', () => {
    const cmds = tunnelCommands({ ...emptyTunnelForm(), kind: 'vxlan', name: 'vxlan0', remote: '10.0.0.2', local: '10.0.0.1', dev: 'eth0' });
    expect(cmds[0]).toBe('ip link add vxlan0 type vxlan id 42 remote 10.0.0.2 local 10.0.0.1 dstport 4789 dev eth0');
  });

  it('builds commands the engine runs without a complaint', () => {
    const net = createHostNet([{ name: 'eth0', mac: '02:00:00:00:01:01' }]);
    for (const f of [
      { ...emptyTunnelForm(), remote: '203.0.113.5', local: '198.51.100.2', address: '172.16.0.1/30', ttl: '64', key: '5' },
      { ...emptyTunnelForm(), kind: 'vxlan' as const, name: 'vxlan0', remote: '10.0.0.2', dev: 'eth0', address: '192.168.100.1/24' },
    ]) {
      for (const c of tunnelCommands(f)) expect(execIpCommand(net, c).map((d) => d.message), c).toEqual([]);
    }
  });
});
