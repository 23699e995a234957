// pattern: Functional Core
// The preset deflate dictionary of share links, format 1, codec 'd'.
// Deflate can refer back into a preset dictionary exactly like into text it
// has already seen, so a scenario made of the usual words (case-file keys,
// `iptables -A`, `ip addr add`, `--ctstate`) costs a few bits per phrase
// instead of spelling each phrase out once.
//
// FROZEN: every link ever made with codec 'd' of format 1 inflates only with
// these exact bytes. Never edit this text: a better dictionary is a new codec
// letter (or a new format version) next to this one. dictionary.test.ts pins
// its length and checksum.
//
// Deflate encodes nearer matches in fewer bits, so the most frequent phrases
// come last.

const PARTS: readonly string[] = [
  // rarer words of descriptions and notes
  ' because ', ' before ', ' after ', ' again', ' never ', ' only ', ' still ', ' every ', ' which ', ' while ',
  ' instead ', ' through ', ' without ', ' answer', ' reply', ' replies', ' return', ' request', ' server', ' client',
  ' address', ' interface', ' gateway', ' internet', ' network', ' traffic', ' forwarded', ' dropped', ' accepted',
  ' rewritten', ' translated', ' connection', ' decision', ' routing', ' packets', ' packet', ' rule', ' chain',
  ' table', ' the ', ' and ', ' to ', ' of ', ' is ', ' a ', '. ', ', ', ': ',
  // rarer iptables words
  ' -m comment --comment ', ' -m multiport --dports ', ' -m multiport --sports ', ' -m iprange --src-range ',
  ' -m limit --limit ', ' --limit-burst ', ' -m recent --name ', ' --rcheck', ' --set', ' -m mark --mark ',
  ' -j CONNMARK --save-mark', ' -j CONNMARK --restore-mark', ' -j LOG --log-prefix ', ' -j RETURN', ' -j NOTRACK',
  ' -j TTL --ttl-set ', ' -j TCPMSS --clamp-mss-to-pmtu', ' -m addrtype --dst-type LOCAL', ' -m string --algo bm --string ',
  ' -m statistic --mode nth --every ', ' --packet 0', ' -m statistic --mode random --probability ',
  ' --reject-with icmp-port-unreachable', ' --reject-with tcp-reset', ' -j REJECT', ' --to-ports ', ' -j REDIRECT',
  ' --to-source ', ' -j SNAT', ' --tcp-flags SYN,RST,ACK,FIN SYN', ' --syn', ' --icmp-type ', ' -p icmp',
  ' -t raw ', ' -t mangle ', ' -A OUTPUT', ' -A POSTROUTING', ' -A PREROUTING', ' -A FORWARD', ' -A INPUT',
  ' -I INPUT 1 ', ' -N ', ' -P FORWARD DROP', ' -P INPUT DROP', ' -P OUTPUT DROP',
  '*filter\\n:INPUT ACCEPT [0:0]\\n:FORWARD ACCEPT [0:0]\\n:OUTPUT ACCEPT [0:0]\\n',
  '*nat\\n:PREROUTING ACCEPT [0:0]\\n:INPUT ACCEPT [0:0]\\n:OUTPUT ACCEPT [0:0]\\n:POSTROUTING ACCEPT [0:0]\\n',
  'COMMIT\\n', '{"iptables-restore":"', '","noflush":true}',
  // ip and sysctl
  'ip link add ', ' type veth peer name ', ' type dummy', ' type bridge', 'ip link set ', ' master ', ' up"',
  'ip rule add fwmark ', 'ip rule add from ', ' lookup ', ' pref ', ' table ', ' blackhole ', ' unreachable ',
  'ip route add ', ' nexthop via ', ' weight ', ' proto static', ' scope link', ' src ', ' metric ',
  'sysctl -w net.ipv4.conf.all.send_redirects=0', 'sysctl -w net.ipv4.conf.eth0.send_redirects=0',
  'sysctl -w net.ipv4.conf.all.rp_filter=', 'sysctl -w net.ipv4.conf.eth0.rp_filter=',
  'sysctl -w net.netfilter.nf_conntrack_tcp_loose=0', 'sysctl -w net.ipv4.ip_forward=1',
  // case-file keys and values, as JSON.stringify writes them
  '"options":{"conntrack":"on"},', '"rt_tables":{"', '"switches":[{"name":"', '"ports":["',
  '"packet":{"proto":"', '"flags":"', '"dport":', '"sport":', '"src":"', '"dst":"', '"mark":', '"ttl":',
  '"close":"fin"', '"timeout":', '"udp":"', '"proto":"udp","port":', '"proto":"tcp","port":',
  '"listeners":[{"host":"', '"links":[["', '"],["', '"]],', '"steps":[{"from":"', '"},{"from":"',
  '","note":"', '","data":"', '","ping":"', '","tcp":"', '"description":"', '{"c":{"name":"',
  '"hosts":[{"name":"', '","setup":["', '"]},{"name":"', '","', '"},',
  // the commands of almost every scenario
  ' -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', ' -m conntrack --ctstate NEW', ' -m state --state ',
  ' -j MASQUERADE', ' -j DNAT --to-destination ', ' -j MARK --set-mark ', ' -j ACCEPT', ' -j DROP',
  ' -p udp --dport ', ' -p tcp --dport ', ' -p tcp -m tcp --dport ', ' -d ', ' -s ', ' -i eth0', ' -o eth0',
  ' -i eth1', ' -o eth1', ' -i lo',
  'iptables -t nat -A POSTROUTING', 'iptables -t nat -A PREROUTING', 'iptables -t mangle -A PREROUTING',
  'iptables -A FORWARD', 'iptables -A INPUT', 'iptables -A OUTPUT', 'iptables -P ',
  '","ip route add default via ', 'ip route add default via 192.168.1.1', '/24 dev eth1","', '/24 dev eth0","',
  '"ip addr add 10.0.0.', '"ip addr add 203.0.113.', '"ip addr add 198.51.100.', '"ip addr add 192.168.1.',
  '"ip addr add ', '"iptables ', '","iptables -A ', '","iptables -t nat -A ',
];

export const DICTIONARY_V1_TEXT: string = PARTS.join('');
