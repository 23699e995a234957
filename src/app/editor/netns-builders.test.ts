import { describe, expect, it } from 'vitest';
import { netnsCommands, netnsFormProblem, type NetnsForm } from './netns-builders';

const form: NetnsForm = { name: 'app', hostDev: 'veth0', nsDev: 'veth1', hostAddress: '10.200.0.1/30', nsAddress: '10.200.0.2/30' };

describe('the namespace form', () => {
  it('stands for the notes\' commands: netns, veth pair, move, addresses, default route via the host', () => {
    expect(netnsCommands(form)).toEqual([
      'ip netns add app',
      'ip link add veth0 type veth peer name veth1',
      'ip link set veth1 netns app',
      'ip addr add 10.200.0.1/30 dev veth0',
      'ip link set veth0 up',
      'ip netns exec app ip addr add 10.200.0.2/30 dev veth1',
      'ip netns exec app ip link set veth1 up',
      'ip netns exec app ip route add default via 10.200.0.1',
    ]);
  });

  it('leaves out the addresses and the route when no address is given', () => {
    expect(netnsCommands({ ...form, hostAddress: '', nsAddress: '' })).toEqual(['ip netns add app', 'ip link add veth0 type veth peer name veth1', 'ip link set veth1 netns app', 'ip link set veth0 up', 'ip netns exec app ip link set veth1 up']);
  });

  it.each([
    [{ name: 'App' }, 'badName'],
    [{ nsDev: 'veth0' }, 'badDevice'],
    [{ hostAddress: '10.0.0.1' }, 'badAddress'],
    [{}, null],
  ])('finds %j %s', (change, problem) => {
    expect(netnsFormProblem({ ...form, ...change })).toBe(problem);
  });
});
