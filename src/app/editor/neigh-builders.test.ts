import { describe, expect, it } from 'vitest';
import { createHostNet } from '../../engine/net/config';
import { execIpCommand } from '../../engine/net/ip-command';
import { emptyNeighForm, ipNeighCommand } from './neigh-builders';

describe('the neighbour form builds ip neigh commands', () => {
  it('add with a MAC and a NUD state, as the notes write them', () => {
    const f = { ...emptyNeighForm(), address: '192.168.1.1', lladdr: '02:00:00:00:02:01', dev: 'eth0' };
    expect(ipNeighCommand(f)).toBe('ip neigh add 192.168.1.1 lladdr 02:00:00:00:02:01 dev eth0 nud permanent');
    expect(ipNeighCommand({ ...f, op: 'replace', nud: 'stale' })).toBe('ip neigh replace 192.168.1.1 lladdr 02:00:00:00:02:01 dev eth0 nud stale');
  });

  it('del names only the address and the device (the notes: ip neigh del 192.168.1.1 dev eth0)', () => {
    expect(ipNeighCommand({ ...emptyNeighForm(), op: 'del', address: '192.168.1.1', lladdr: '02:00:00:00:02:01', dev: 'eth0' })).toBe('ip neigh del 192.168.1.1 dev eth0');
  });

  it('what it builds is what the engine takes', () => {
    const net = createHostNet([{ name: 'eth0', mac: '02:00:00:00:01:01' }]);
    const f = { ...emptyNeighForm(), address: '192.168.1.1', lladdr: '02:00:00:00:02:01', dev: 'eth0' };
    expect(execIpCommand(net, ipNeighCommand(f))).toEqual([]);
    expect(net.neighbours).toEqual([{ iface: 'eth0', addr: 0xc0a80101, lladdr: '02:00:00:00:02:01', state: 'permanent' }]);
    expect(execIpCommand(net, ipNeighCommand({ ...f, op: 'del' }))).toEqual([]);
    expect(net.neighbours).toEqual([]);
  });
});
