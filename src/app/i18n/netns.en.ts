// pattern: Functional Core
// English strings of the namespace views: the form that adds a network
// namespace inside a host and the topology's namespace box.
export const enNetns = {
  'netns.form.title': 'Add a network namespace',
  'netns.form.about': 'ip netns add, a veth pair and ip link set … netns: a second network stack inside this host, with its own routes and iptables.',
  'netns.form.name': 'Namespace',
  'netns.form.hostDev': 'veth in the host',
  'netns.form.nsDev': 'veth in the namespace',
  'netns.form.hostAddress': 'Host end address',
  'netns.form.nsAddress': 'Namespace end address',
  'netns.form.add': 'Add namespace',
  'netns.form.badName': 'a-z, 0-9, _; up to 15 characters, starting with a letter',
  'netns.form.badDevice': 'two different device names',
  'netns.form.badAddress': 'ADDRESS/PREFIX, e.g. 10.200.0.1/30',
  'topo.netns': 'namespace in {host}',
} as const;
