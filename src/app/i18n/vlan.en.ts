// pattern: Functional Core
// English strings of the VLAN views: the topology's VLAN devices, the form
// that adds one, and the label every VLAN behaviour carries.
export const enVlan = {
  'vlan.provenance': 'Modelled from kernel source: this machine’s kernel has no 8021q, so VLAN devices follow net/8021q/ and are not checked against a running kernel.',
  'topo.vlan': 'VLAN {id}',
  'vlan.form.title': 'Add a VLAN interface',
  'vlan.form.host': 'Host',
  'vlan.form.parent': 'On device',
  'vlan.form.id': 'VLAN id',
  'vlan.form.name': 'Name',
  'vlan.form.address': 'Address (optional)',
  'vlan.form.add': 'Add VLAN interface',
  'vlan.form.badId': 'A VLAN id is a number from 0 to 4094.',
  'vlan.form.badAddress': 'An address is written like 10.0.10.1/24.',
} as const;
