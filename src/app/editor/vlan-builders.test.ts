import { describe, expect, it } from 'vitest';
import { vlanCommands, vlanFormProblem, vlanName } from './vlan-builders';

describe('the VLAN form', () => {
  it('stands for the notes’ command, the link up and the address', () => {
    expect(vlanCommands({ parent: 'eth0', id: '10', name: '', address: '10.0.10.1/24' })).toEqual([
      'ip link add link eth0 name eth0.10 type vlan id 10',
      'ip link set eth0.10 up',
      'ip addr add 10.0.10.1/24 dev eth0.10',
    ]);
  });

  it('names the device PARENT.ID unless a name is typed, and adds no address when none is given', () => {
    expect(vlanName({ parent: 'eth1', id: ' 20 ', name: '', address: '' })).toBe('eth1.20');
    expect(vlanCommands({ parent: 'eth1', id: '20', name: 'guest', address: '' })).toEqual(['ip link add link eth1 name guest type vlan id 20', 'ip link set guest up']);
  });

  it.each([
    ['', 'badId'],
    ['4095', 'badId'],
    ['ten', 'badId'],
    ['4094', null],
    ['0', null],
  ])('id %j → %s', (id, problem) => {
    expect(vlanFormProblem({ parent: 'eth0', id, name: '', address: '' })).toBe(problem);
  });

  it('wants an address with its prefix length', () => {
    expect(vlanFormProblem({ parent: 'eth0', id: '10', name: '', address: '10.0.10.1' })).toBe('badAddress');
  });
});
