// pattern: Functional Core
// The console's own words (editor/Console.tsx): the hint that names every
// tool it accepts, what a read-only command's output is, Tab completion.
// What the tools print is the tools' text and is never translated.
export const enConsole = {
  'console.tools': 'Reads (as of the current step, changing nothing): iptables -L/-S, iptables-save [-c], ip addr|link|route|rule|neigh|tunnel, ip route get, ip netns list, ipvsadm -Ln, sysctl NAME, sysctl -a, conntrack -L, ss -tuln|-tan|-s, bridge link|fdb|vlan, tc [-s] qdisc|class show, ifconfig [-a], route -n, arp -n, netstat -tuln|-tan|-rn|-i, help. Writes: iptables, ip (ip netns add|del|exec too), ipvsadm, sysctl -w, bridge vlan add|del (modelled from kernel source), tc qdisc|class|filter add|replace|change|del, iptables-restore, and ifconfig/route/arp -s|-d (translated to ip). Tab completes.',
  'console.translated': 'net-tools → iproute2: the lab applied',
  'console.why.ifconfig-link': 'Why iproute2: ifconfig sets a device one ioctl at a time (SIOCSIFFLAGS, SIOCSIFMTU); ip link speaks netlink, which carries every attribute of a link in one message and reports changes back (ip monitor).',
  'console.why.ifconfig-addr': 'Why iproute2: SIOCSIFADDR keeps one address per label and replaces it (taking its secondaries and the routes with them); ip addr adds and deletes each of several addresses on one interface, labelled or not, and shows them all — ifconfig never shows an unlabelled second address.',
  'console.why.route': 'Why iproute2: route knows the main table only (SIOCADDRT/SIOCDELRT); ip route reaches every routing table, and ip rule the policy rules that choose them — none of which route -n ever shows.',
  'console.why.route-prepend': 'Why iproute2: SIOCADDRT adds a route beside one for the same prefix (no NLM_F_EXCL), which is ip route prepend, not ip route add; and route knows the main table only, where ip route and ip rule reach every table and the policy rules.',
  'console.why.arp': 'Why iproute2: arp reaches only IPv4’s ARP table, one entry per ioctl (SIOCSARP, SIOCDARP); ip neigh handles every neighbour table, shows each entry’s state (REACHABLE, STALE, FAILED, PERMANENT …) and can flush them by device or state.',
  'console.asOf': 'as of step {step}; nothing changed',
  'console.asOfStart': 'before the walk; nothing changed',
  'console.completions': 'Tab: {list}',
  'console.noCompletion': 'Tab: nothing to complete',
  'engine.what.query': 'answering a console command',
} as const;
