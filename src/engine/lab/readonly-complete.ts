// pattern: Functional Core
// Tab completion and "did you mean" for the console: the tools it accepts,
// their options, table and chain names and interfaces of the host. The
// candidates come from the lab (its chains, its links), never a list the
// page keeps.

import type { HostConfig } from '../sim/host-config';
import { TABLES } from '../netfilter/hooks';
import { chainsInSaveOrder } from '../iptables/save';

export interface Completion {
  name: string;
  usage: string;
  /** one line on what it does, as `help` prints it */
  what: string;
  /** the words that may follow the tool, for Tab */
  options: readonly string[];
}

/** Every tool the console accepts: the read-only forms first, then the edits. */
export const COMMANDS: readonly Completion[] = [
  { name: 'iptables', usage: 'iptables [-t T] -L|-S [CHAIN [N]] [-n] [-v] [-x] [--line-numbers]', what: 'list rules (counters as of the step); -A/-I/-D/-P/-N/-X/-F edit', options: ['-t', '-L', '-S', '-n', '-v', '-x', '--line-numbers', '-A', '-I', '-D', '-R', '-P', '-N', '-X', '-F', '-Z', '-E', '--list', '--list-rules', '--numeric', '--verbose', '--exact', '-j', '-p', '-s', '-d', '-i', '-o', '-m'] },
  { name: 'iptables-save', usage: 'iptables-save [-c] [-t T]', what: 'the rules as iptables-restore reads them; -c with counters', options: ['-c', '-t', '--counters', '--table'] },
  { name: 'ip', usage: 'ip [-4] addr|link|route|rule|neigh|tunnel [show …]', what: 'addresses, links, routes, policy rules, neighbours, tunnels; add/del edit', options: ['-4', 'addr', 'address', 'link', 'route', 'rule', 'neigh', 'tunnel', 'netns', 'show', 'get', 'add', 'del', 'dev', 'table', 'from', 'iif', 'oif', 'mark'] },
  { name: 'ip netns', usage: 'ip netns list | ip netns add|del NS | ip netns exec NS CMD | ip link set DEV netns NS', what: "the host's network namespaces; add/del/exec and moving a link edit", options: [] },
  { name: 'ip route get', usage: 'ip route get ADDR [from A] [iif IF] [oif IF] [mark M]', what: "the kernel's route for a packet (the engine's FIB)", options: [] },
  { name: 'ipvsadm', usage: 'ipvsadm -Ln [-c]', what: 'IPVS virtual services (and connections, -c) as of the step; -A/-a/-E/-e/-D/-d edit', options: ['-L', '-n', '-c', '-Ln', '-Lnc', '-A', '-a', '-E', '-e', '-D', '-d', '-t', '-u', '-f', '-s', '-r', '-w', '-m', '-g', '-i'] },
  { name: 'sysctl', usage: 'sysctl NAME | sysctl -a [-r PATTERN] | sysctl -w NAME=VALUE', what: 'read kernel settings; -w sets one', options: ['-a', '-n', '-r', '-w', 'net.ipv4.ip_forward', 'net.ipv4.conf.all.rp_filter'] },
  { name: 'conntrack', usage: 'conntrack -L', what: 'the connection tracking table as of the step', options: ['-L'] },
  { name: 'ss', usage: 'ss -t|-u [-l|-a] [-n] [-H] | ss -s', what: 'TCP and UDP sockets as of the step (LISTEN, ESTAB, TIME-WAIT …); -s the summary', options: ['-t', '-u', '-l', '-a', '-n', '-s', '-H', '-tuln', '-tan', '-uan', '--tcp', '--udp', '--listening', '--all', '--numeric', '--summary'] },
  { name: 'bridge', usage: 'bridge link|fdb|vlan [show] [br BR] [dev IF]', what: "bridge ports, the forwarding database (learned MACs) as of the step, VLANs; bridge vlan add|del edit (VLAN filtering: modelled from kernel source)", options: ['link', 'fdb', 'vlan', 'show', 'add', 'del', 'dev', 'br', 'brport', 'vid', 'pvid', 'untagged', 'self', 'master'] },
  { name: 'tc', usage: 'tc [-s] qdisc|class show [dev D]', what: 'traffic control: qdiscs (counters as of the step with -s), htb classes; qdisc/class add|replace|del edit', options: ['-s', 'qdisc', 'class', 'filter', 'show', 'add', 'replace', 'change', 'del', 'dev', 'root', 'ingress', 'parent', 'handle', 'classid', 'pfifo', 'tbf', 'htb', 'rate', 'burst', 'limit', 'latency', 'ceil', 'cburst', 'default'] },
  { name: 'ifconfig', usage: 'ifconfig [-a] [DEV] | ifconfig DEV up|down|mtu N|ADDR [netmask M]', what: 'net-tools: interfaces; a change runs as its ip link/ip addr translation', options: ['-a', 'up', 'down', 'mtu', 'netmask', 'broadcast'] },
  { name: 'route', usage: 'route [-n] | route add|del [-net|-host] T [netmask M] [gw G] [dev D]', what: 'net-tools: the main routing table; a change runs as its ip route translation', options: ['-n', 'add', 'del', '-net', '-host', 'default', 'netmask', 'gw', 'metric', 'dev'] },
  { name: 'arp', usage: 'arp [-n] [-a] [-i IF] [ADDR] | arp -s ADDR HWADDR | arp -d ADDR', what: 'net-tools: the neighbour table as of the step; -s/-d run as their ip neigh translation', options: ['-n', '-a', '-an', '-i', '-s', '-d'] },
  { name: 'netstat', usage: 'netstat -tuln | -tan | -rn | -i', what: 'net-tools: sockets as of the step, the main routing table, interfaces', options: ['-tuln', '-tan', '-tln', '-uln', '-rn', '-i', '-ia', '-t', '-u', '-l', '-a', '-n', '-r'] },
  { name: 'iptables-restore', usage: 'iptables-restore (the input menu)', what: 'load a whole ruleset', options: [] },
  { name: 'help', usage: 'help', what: 'this list', options: [] },
];

/** ip netns's verbs (ipnetns.c do_netns), for Tab after `ip netns` */
const IP_NETNS_VERBS: readonly string[] = ['list', 'add', 'del', 'exec'];

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The candidate nearest `word` when it is near enough to be a typo (a third of its length), else null. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best !== null && bestD > 0 && bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : null;
}

/**
 * What Tab offers for the last word of `text` on a host: tools for the
 * first word, then the tool's options, table names after -t, chain names
 * after -L/-S/-A…, interfaces after dev/iif/oif/-i/-o. Each candidate is
 * the whole line with that word completed.
 */
export function completeCommand(text: string, config: HostConfig | undefined): string[] {
  const m = /^(.*?)(\S*)$/s.exec(text)!;
  const head = m[1]!;
  const word = m[2]!;
  const before = head.trim().split(/\s+/).filter(Boolean);
  let pool: readonly string[];
  if (!before.length) pool = COMMANDS.filter((c) => !c.name.includes(' ')).map((c) => c.name);
  else {
    const tool = before[0]!;
    const prev = before[before.length - 1]!;
    let table: string = 'filter';
    const t = before.indexOf('-t');
    if (t >= 0 && before[t + 1]) table = before[t + 1]!;
    if (prev === '-t' || prev === '--table') pool = TABLES;
    else if (config && tool === 'iptables' && /^-[A-Za-z]*[LSAIDRFZXPN]$|^--(list|list-rules|append|insert|delete|flush)$/.test(prev))
      pool = (TABLES as readonly string[]).includes(table) ? chainsInSaveOrder(config.rules, table as (typeof TABLES)[number]).map((c) => c.name) : [];
    else if (config && (['dev', 'iif', 'oif', '-i', '-o'].includes(prev) || (tool === 'ifconfig' && (before.length === 1 || (before.length === 2 && prev === '-a')))))
      pool = [...config.net.links.map((l) => l.name), ...(tool === 'ifconfig' && before.length === 1 ? ['-a'] : [])];
    else if (tool === 'ip' && prev === 'netns' && before.length === 2) pool = IP_NETNS_VERBS;
    else pool = COMMANDS.find((c) => c.name === tool)?.options ?? [];
  }
  return pool.filter((p) => p.startsWith(word) && p !== word).map((p) => head + p);
}
