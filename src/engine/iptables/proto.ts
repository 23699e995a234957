// pattern: Functional Core
// Protocol names as iptables resolves them: its own xtables_chain_protos
// first, then /etc/protocols (Debian's netbase copy) for save and -p.

const PROTOCOLS: readonly [string, number][] = [
  ['all', 0],
  ['tcp', 6],
  ['udp', 17],
  ['udplite', 136],
  ['icmp', 1],
  ['esp', 50],
  ['ah', 51],
  ['sctp', 132],
  ['dccp', 33],
  ['igmp', 2],
  ['ipencap', 4],
  ['egp', 8],
  ['pup', 12],
  ['idp', 22],
  ['ipv6', 41],
  ['ipv6-route', 43],
  ['ipv6-frag', 44],
  ['rsvp', 46],
  ['gre', 47],
  ['ipv6-crypt', 50],
  ['ipv6-icmp', 58],
  ['icmpv6', 58],
  ['ipv6-nonxt', 59],
  ['ipv6-opts', 60],
  ['ospf', 89],
  ['ipip', 94],
  ['encap', 98],
  ['pim', 103],
  ['ipcomp', 108],
  ['vrrp', 112],
  ['l2tp', 115],
  ['mh', 135],
  ['ipv6-mh', 135],
  ['ip', 0],
];

const BY_NAME = new Map(PROTOCOLS);
/** getprotobynumber's answer, which iptables-save prints (`-p gre`). */
const BY_NUM = new Map<number, string>([
  [1, 'icmp'], [2, 'igmp'], [4, 'ipencap'], [6, 'tcp'], [8, 'egp'], [12, 'pup'], [17, 'udp'],
  [22, 'idp'], [33, 'dccp'], [41, 'ipv6'], [43, 'ipv6-route'], [44, 'ipv6-frag'], [46, 'rsvp'],
  [47, 'gre'], [50, 'esp'], [51, 'ah'], [58, 'ipv6-icmp'], [59, 'ipv6-nonxt'], [60, 'ipv6-opts'],
  [89, 'ospf'], [94, 'ipip'], [98, 'encap'], [103, 'pim'], [108, 'ipcomp'], [112, 'vrrp'],
  [115, 'l2tp'], [132, 'sctp'], [135, 'mobility-header'], [136, 'udplite'],
]);

/** Protocol number for `-p` text (already lowercased), null when unknown. */
export function parseProto(text: string): number | null {
  let n = 0;
  let digits = text.length > 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) {
      digits = false;
      break;
    }
    n = n * 10 + c - 48;
  }
  if (digits) return n <= 255 ? n : null;
  const v = BY_NAME.get(text);
  return v === undefined ? null : v;
}

export function protoName(num: number): string {
  return BY_NUM.get(num) ?? `${num}`;
}
