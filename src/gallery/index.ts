// pattern: Functional Core
// The gallery: every example of the source notes, plus the confusions users
// report, as ready scenarios with a short explanation in 简体中文 and English
// and "look here" notes at the key moments of the walk.
//
// Each scenario is also an oracle case (src/engine/__fixtures__/oracle/
// gNN-*.json, byte-identical to scenarios/gNN-*.json) with the real kernel's
// result beside it, so what a lesson claims is what Linux does.
//
// Kernel and tool words (PREROUTING, DNAT, conntrack, `ip rule`) stay as
// they are in both languages.

import type { Case } from '../engine/scenario/case';
import type { I18nText, LookHere } from './look-here';
import g01 from './scenarios/g01-allow-http.json';
import g02 from './scenarios/g02-masquerade-eth0.json';
import g03 from './scenarios/g03-block-ping.json';
import g04 from './scenarios/g04-port-forward.json';
import g05 from './scenarios/g05-allow-ssh.json';
import g06 from './scenarios/g06-ip-basics.json';
import g07 from './scenarios/g07-policy-routing.json';
import g08 from './scenarios/g08-vpn-mark-routing.json';
import g09 from './scenarios/g09-dnat-then-routing.json';
import g10 from './scenarios/g10-docker-published-port.json';
import g11 from './scenarios/g11-established-survives-drop.json';
import g12 from './scenarios/g12-nat-output-dnat.json';
import g13 from './scenarios/g13-hairpin-nat.json';
import g14 from './scenarios/g14-rp-filter.json';
import g15 from './scenarios/g15-forwarding-disabled.json';
import ipvsRr from './scenarios/ipvs-rr-nat.json';
import ipvsLc from './scenarios/ipvs-lc-nat.json';
import ipvsSh from './scenarios/ipvs-sh-nat.json';
import ipvsWrrDr from './scenarios/ipvs-wrr-dr.json';
import ipvsTun from './scenarios/ipvs-tun.json';
import k8s from './scenarios/k8s-iptables-vs-ipvs.json';
import ssTuln from './scenarios/ss-tuln-server.json';
import netToolsVsIproute2 from './scenarios/net-tools-vs-iproute2.json';
import { IPROUTE2_LINK_LESSONS } from './iproute2-links';
import { TC_LESSONS } from './tc';
import vlanInterface from './scenarios/vlan-interface.json';
import vlanTrunkBridge from './scenarios/vlan-trunk-bridge.json';
import greTwoSites from './scenarios/gre-two-sites.json';
import vxlanRoute from './scenarios/vxlan-route-to-lan-behind.json';

export type { I18nText, LookHere, LookHereAt } from './look-here';
export { resolveLookHere } from './look-here';

export type GalleryTag =
  | 'basics'
  | 'filter'
  | 'nat'
  | 'conntrack'
  | 'routing'
  | 'policy-routing'
  | 'mangle'
  | 'docker'
  | 'troubleshooting';

export interface GalleryEntry {
  /** the scenario's name, also its oracle case name */
  id: string;
  scenario: Case;
  title: I18nText;
  /** one line for the gallery card */
  summary: I18nText;
  /** a short paragraph shown beside the walk */
  explanation: I18nText;
  lookHere: LookHere[];
  tags: GalleryTag[];
  /**
   * false for scenarios the oracle's kernel cannot run (it has no IPVS):
   * they follow shared/ipvs/SPEC.md instead of a recorded kernel result
   */
  kernel?: false;
  /**
   * what the scenario shows that is modelled from kernel source and not
   * checked against a running kernel (the oracle's has no 8021q, GRE or
   * IPIP): the lesson says so under its title
   */
  modelled?: 'vlan' | 'tunnel';
}

// JSON imports are typed loosely (arrays, not tuples); the gallery test checks each against the share schema
const scenario = (json: unknown): Case => json as Case;

export const GALLERY: readonly GalleryEntry[] = [
  {
    id: 'g01-allow-http',
    scenario: scenario(g01),
    title: { en: 'Allow HTTP', zh: '放行 HTTP' },
    summary: {
      en: 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT in front of a DROP policy.',
      zh: '在 DROP 默认策略之前加一条 iptables -A INPUT -p tcp --dport 80 -j ACCEPT。',
    },
    explanation: {
      en: 'A web server lets only HTTP in. Rules are checked from the top; the first one that matches decides, and a packet no rule matches gets the chain policy, here DROP. Without conntrack every packet of the connection has to match on its own: the SYN, the ACK and the data all go to port 80, so rule 2 accepts each of them.',
      zh: '一台 Web 服务器只允许 HTTP 进入。规则从上往下依次检查，第一条匹配的规则说了算；没有任何规则匹配的数据包交给链的默认策略处理，这里是 DROP。没有 conntrack 时，连接中的每个数据包都得自己匹配规则：SYN、ACK 和数据都发往 80 端口，所以第 2 条规则逐个放行它们。',
    },
    lookHere: [
      {
        step: 1,
        host: 'web',
        at: { chain: 'filter:INPUT' },
        text: { en: 'The SYN matches rule 2 (-p tcp --dport 80) and is accepted.', zh: 'SYN 命中第 2 条规则（-p tcp --dport 80），被 ACCEPT。' },
      },
      {
        step: 1,
        host: 'web',
        packet: 3,
        at: { chain: 'filter:INPUT' },
        text: {
          en: 'No conntrack here: the ACK is accepted because it also goes to port 80, not because it belongs to the connection.',
          zh: '这里没有 conntrack：ACK 被放行，是因为它同样发往 80 端口，而不是因为它属于已有的连接。',
        },
      },
      {
        step: 2,
        host: 'web',
        at: { end: true },
        text: {
          en: 'Port 443 matches no rule: the INPUT policy DROP discards the SYN silently and the client waits until it times out.',
          zh: '443 端口没有匹配的规则：INPUT 链的默认策略 DROP 静默丢弃了 SYN，客户端只能一直等到超时。',
        },
      },
    ],
    tags: ['basics', 'filter'],
  },
  {
    id: 'g02-masquerade-eth0',
    scenario: scenario(g02),
    title: { en: 'MASQUERADE on eth0', zh: '在 eth0 上做 MASQUERADE' },
    summary: {
      en: 'iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE: a whole LAN behind one public address.',
      zh: 'iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE：整个局域网共用一个公网地址。',
    },
    explanation: {
      en: "The router's eth0 faces the internet. MASQUERADE in nat POSTROUTING replaces the LAN source address with the address of the interface the packet leaves by, the last thing before it is sent. conntrack remembers the translation: replies are rewritten back before routing, and later packets of the connection are translated without passing the nat table again.",
      zh: '路由器的 eth0 连着互联网。nat POSTROUTING 中的 MASQUERADE 在数据包发出前的最后一步，把局域网源地址换成出口网卡的地址。conntrack 记住这次转换：回应在路由之前被改回原地址，同一连接的后续数据包也不再经过 nat 表，直接按记录转换。',
    },
    lookHere: [
      {
        step: 1,
        host: 'router',
        at: { chain: 'nat:POSTROUTING' },
        text: {
          en: 'MASQUERADE on the way out of eth0: the source becomes the router\'s own address 203.0.113.1.',
          zh: '从 eth0 发出时执行 MASQUERADE：源地址被改成路由器自己的地址 203.0.113.1。',
        },
      },
      {
        step: 1,
        host: 'router',
        packet: 2,
        at: { note: 'nat' },
        text: {
          en: "The server's answer is addressed to 203.0.113.1; conntrack recognises the connection and rewrites the destination back to 192.168.1.10. No rule is involved.",
          zh: '服务器的回应发往 203.0.113.1；conntrack 认出这条连接，把目的地址改回 192.168.1.10，整个过程不经过任何规则。',
        },
      },
      {
        step: 1,
        host: 'router',
        packet: 3,
        at: { note: 'nat' },
        text: {
          en: 'Later packets of the connection skip the nat table: conntrack applies the same translation.',
          zh: '同一连接的后续数据包不再经过 nat 表，由 conntrack 套用同样的地址转换。',
        },
      },
    ],
    tags: ['basics', 'nat', 'conntrack'],
  },
  {
    id: 'g03-block-ping',
    scenario: scenario(g03),
    title: { en: 'Block ping', zh: '禁止 ping' },
    summary: {
      en: 'iptables -A INPUT -p icmp --icmp-type 8 -j DROP: ignore echo requests, nothing else.',
      zh: 'iptables -A INPUT -p icmp --icmp-type 8 -j DROP：只忽略回显请求，其他一概不影响。',
    },
    explanation: {
      en: 'ICMP type 8 is the echo request that ping sends; the answer is type 0. The rule drops only type 8, so others cannot ping the server, the server can still ping others (their replies are type 0), and TCP is not touched. DROP sends nothing back: the sender just times out.',
      zh: 'ICMP type 8 是 ping 发出的回显请求，回应是 type 0。这条规则只丢弃 type 8：别人 ping 不通这台服务器，但服务器仍然可以 ping 别人（对方的回应是 type 0），TCP 也完全不受影响。DROP 不会回送任何东西，发送方只能等到超时。',
    },
    lookHere: [
      {
        step: 1,
        host: 'server',
        at: { chain: 'filter:INPUT' },
        text: {
          en: 'The echo request (ICMP type 8) matches rule 1 and is dropped: no reply, no error.',
          zh: '回显请求（ICMP type 8）命中第 1 条规则，被 DROP：既没有回应，也没有错误。',
        },
      },
      {
        step: 2,
        host: 'server',
        packet: 2,
        at: { chain: 'filter:INPUT' },
        text: {
          en: "The echo reply to the server's own ping is type 0: it does not match and the INPUT policy ACCEPT lets it in.",
          zh: '服务器自己 ping 出去收到的回显应答是 type 0，不匹配这条规则，由 INPUT 的默认策略 ACCEPT 放行。',
        },
      },
      {
        step: 3,
        host: 'server',
        at: { end: true },
        text: { en: 'TCP is not ICMP: the rule does not apply.', zh: 'TCP 不是 ICMP，这条规则对它不起作用。' },
      },
    ],
    tags: ['basics', 'filter'],
  },
  {
    id: 'g04-port-forward',
    scenario: scenario(g04),
    title: { en: 'Port forwarding with DNAT', zh: '用 DNAT 做端口转发' },
    summary: {
      en: 'iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 192.168.1.100:8080',
      zh: 'iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 192.168.1.100:8080',
    },
    explanation: {
      en: "The router publishes a LAN web server on its public port 80. DNAT in nat PREROUTING changes the destination before the routing decision, so the packet is forwarded to 192.168.1.100:8080; FORWARD rules therefore name the new address and port. The reply is rewritten back by conntrack, so the client only ever talks to 203.0.113.1:80.",
      zh: '路由器把局域网里的 Web 服务器发布到自己公网地址的 80 端口。nat PREROUTING 中的 DNAT 在路由决策之前改写目的地址，所以数据包被转发到 192.168.1.100:8080；FORWARD 链的规则也因此要写新的地址和端口。回应由 conntrack 改回原样，客户端始终只和 203.0.113.1:80 打交道。',
    },
    lookHere: [
      {
        step: 1,
        host: 'router',
        at: { chain: 'nat:PREROUTING' },
        text: {
          en: 'DNAT rewrites 203.0.113.1:80 to 192.168.1.100:8080 before the routing decision.',
          zh: 'DNAT 在路由决策之前把 203.0.113.1:80 改写为 192.168.1.100:8080。',
        },
      },
      {
        step: 1,
        host: 'router',
        at: { note: 'route', stage: 'input' },
        text: {
          en: 'Routing now sees 192.168.1.100: not a local address, so the packet is forwarded out of eth1.',
          zh: '路由决策看到的已经是 192.168.1.100，不是本机地址，于是数据包被转发，从 eth1 发出。',
        },
      },
      {
        step: 1,
        host: 'router',
        at: { chain: 'filter:FORWARD' },
        text: {
          en: 'The FORWARD rule names the translated destination (192.168.1.100, port 8080), not the public one.',
          zh: 'FORWARD 链的规则写的是转换之后的目的地址和端口（192.168.1.100、8080），而不是公网地址。',
        },
      },
      {
        step: 1,
        host: 'router',
        packet: 2,
        at: { note: 'nat' },
        text: {
          en: 'The reply from 192.168.1.100:8080 is rewritten back to 203.0.113.1:80 by conntrack: the client never sees the private address.',
          zh: '来自 192.168.1.100:8080 的回应由 conntrack 改回 203.0.113.1:80，客户端始终看不到内网地址。',
        },
      },
    ],
    tags: ['basics', 'nat', 'conntrack'],
  },
  {
    id: 'g05-allow-ssh',
    scenario: scenario(g05),
    title: { en: 'Allow SSH, drop the rest', zh: '只放行 SSH，其余全部丢弃' },
    summary: {
      en: 'The classic lock-down: lo, ESTABLISHED,RELATED, --dport 22, policy DROP.',
      zh: '经典的加固规则：放行 lo、ESTABLISHED,RELATED 和 --dport 22，默认策略 DROP。',
    },
    explanation: {
      en: "With a DROP policy the order of the allow rules matters. The SSH rule admits the first packet of a connection; after that conntrack knows the connection and the ESTABLISHED,RELATED rule accepts the rest. That rule also lets in the answers to the server's own connections, which would otherwise hit the DROP policy.",
      zh: '默认策略为 DROP 时，放行规则的顺序很重要。SSH 规则放行连接的第一个数据包；之后 conntrack 认得这条连接，其余数据包由 ESTABLISHED,RELATED 规则放行。这条规则还负责放行服务器主动发起的连接的回应，否则它们会被 DROP 策略丢掉。',
    },
    lookHere: [
      {
        step: 1,
        host: 'server',
        at: { chain: 'filter:INPUT' },
        text: {
          en: 'The first packet of the SSH connection (conntrack state NEW) is accepted by rule 3.',
          zh: 'SSH 连接的第一个数据包（conntrack 状态 NEW）由第 3 条规则放行。',
        },
      },
      {
        step: 1,
        host: 'server',
        packet: 3,
        at: { chain: 'filter:INPUT' },
        text: {
          en: 'Every later packet is ESTABLISHED and is accepted by rule 2, before rule 3 is even looked at.',
          zh: '之后的每个数据包都是 ESTABLISHED，在第 2 条规则就被放行，根本轮不到第 3 条。',
        },
      },
      {
        step: 2,
        host: 'server',
        at: { end: true },
        text: { en: 'Port 3306 is not allowed: the DROP policy decides.', zh: '3306 端口不在允许之列，由默认策略 DROP 处理。' },
      },
      {
        step: 3,
        host: 'server',
        packet: 2,
        at: { chain: 'filter:INPUT' },
        text: {
          en: "The answer to the server's own connection comes from port 80 to a high port: only the ESTABLISHED rule lets it in.",
          zh: '服务器主动发起的连接，其回应从 80 端口发往一个高位端口，只有 ESTABLISHED 这条规则能放它进来。',
        },
      },
    ],
    tags: ['basics', 'filter', 'conntrack'],
  },
  {
    id: 'g06-ip-basics',
    scenario: scenario(g06),
    title: { en: 'ip link, ip addr, ip route: the basics', zh: 'ip link、ip addr、ip route 入门' },
    summary: {
      en: 'ip link set eth0 up, ip addr add 192.168.50.10/24 dev eth0, ip route add default via 192.168.50.1',
      zh: 'ip link set eth0 up、ip addr add 192.168.50.10/24 dev eth0、ip route add default via 192.168.50.1',
    },
    explanation: {
      en: "Three commands make a host reachable. 'ip link set eth0 up' lets the interface carry traffic. 'ip addr add 192.168.50.10/24 dev eth0' gives it an address and, with it, the connected route 192.168.50.0/24: that network is reached directly. 'ip route add default via 192.168.50.1' sends everything else to the gateway, which forwards it because ip_forward is 1 there.",
      zh: '三条命令让一台主机连上网络。ip link set eth0 up 让网卡开始收发；ip addr add 192.168.50.10/24 dev eth0 给它配上地址，同时自动生成直连路由 192.168.50.0/24，这个网段可以直接到达；ip route add default via 192.168.50.1 把其余所有流量交给网关，网关上 ip_forward 为 1，所以会把它们转发出去。',
    },
    lookHere: [
      {
        step: 1,
        host: 'pc',
        at: { note: 'route', stage: 'output' },
        text: {
          en: "192.168.50.1 is inside 192.168.50.0/24, the connected route 'ip addr add' created: it is sent directly out of eth0.",
          zh: '192.168.50.1 属于 192.168.50.0/24，这条直连路由是 ip addr add 自动生成的，所以数据包直接从 eth0 发出。',
        },
      },
      {
        step: 2,
        host: 'pc',
        at: { note: 'route', stage: 'output' },
        text: {
          en: '198.51.100.20 matches only the default route: the packet goes to the gateway 192.168.50.1.',
          zh: '198.51.100.20 只匹配默认路由，数据包被交给网关 192.168.50.1。',
        },
      },
      {
        step: 2,
        host: 'gateway',
        at: { note: 'route', stage: 'input' },
        text: {
          en: 'Not for the gateway itself: with ip_forward=1 it forwards the packet to the server.',
          zh: '目的地不是网关自己：网关开启了 ip_forward=1，于是把数据包转发给服务器。',
        },
      },
    ],
    tags: ['basics', 'routing'],
  },
  {
    id: 'g07-policy-routing',
    scenario: scenario(g07),
    title: { en: 'Policy routing by source address', zh: '按源地址做策略路由' },
    summary: {
      en: 'ip rule add from 192.168.2.0/24 lookup custom_table: one LAN leaves by a second uplink.',
      zh: 'ip rule add from 192.168.2.0/24 lookup custom_table：让一个网段走第二条出口。',
    },
    explanation: {
      en: "Normal routing only looks at the destination. With policy routing the kernel first walks the 'ip rule' list; a rule can send a packet to another routing table by source, mark or interface. Here traffic from 192.168.2.0/24 looks up custom_table, whose default route leads to isp2, while everyone else uses the main table and isp1. custom_table is a name for table 100 (like /etc/iproute2/rt_tables).",
      zh: '普通路由只看目的地址。启用策略路由后，内核先依次检查 ip rule 列表，规则可以按源地址、标记或入口网卡把数据包交给另一张路由表。这里来自 192.168.2.0/24 的流量查 custom_table，它的默认路由通往 isp2；其他流量照常查 main 表，走 isp1。custom_table 是 100 号路由表的名字（相当于 /etc/iproute2/rt_tables 中的定义）。',
    },
    lookHere: [
      {
        step: 1,
        host: 'router',
        at: { note: 'route', stage: 'input' },
        text: {
          en: "No 'ip rule' matches 192.168.1.10, so the main table's default route via isp1 (eth2) is used.",
          zh: '没有哪条 ip rule 匹配 192.168.1.10，于是使用 main 表的默认路由，经 isp1（eth2）发出。',
        },
      },
      {
        step: 2,
        host: 'router',
        at: { note: 'route', stage: 'input' },
        text: {
          en: "'from 192.168.2.0/24 lookup custom_table' matches first: custom_table's default route sends the packet to isp2 (eth3).",
          zh: 'ip rule “from 192.168.2.0/24 lookup custom_table” 先匹配上，custom_table 中的默认路由把数据包送往 isp2（eth3）。',
        },
      },
    ],
    tags: ['routing', 'policy-routing'],
  },
  {
    id: 'g08-vpn-mark-routing',
    scenario: scenario(g08),
    title: { en: 'VPN-style split routing: marks and ip rule', zh: '类 VPN 分流：标记加 ip rule' },
    summary: {
      en: 'mangle PREROUTING marks corporate traffic, ip rule fwmark picks the tunnel, MASQUERADE fixes the source.',
      zh: 'mangle PREROUTING 给公司流量打标记，ip rule fwmark 选中隧道，MASQUERADE 修正源地址。',
    },
    explanation: {
      en: "iptables and iproute2 working together. A MARK rule in mangle PREROUTING runs before the routing decision, so 'ip rule add fwmark 0x1 lookup vpn' can send marked packets to table vpn, whose default route is the tunnel interface tun0 (here a veth pair stands in for it). MASQUERADE gives them the tunnel's address so the VPN server can answer. The gateway's own packets never pass PREROUTING, so they stay unmarked.",
      zh: '这是 iptables 与 iproute2 的配合。mangle PREROUTING 中的 MARK 规则在路由决策之前执行，所以 ip rule add fwmark 0x1 lookup vpn 能把带标记的数据包交给 vpn 表，而 vpn 表的默认路由指向隧道网卡 tun0（这里用一对 veth 代替）。MASQUERADE 把源地址改成隧道地址，VPN 服务器才能回应。网关自己发出的数据包不经过 PREROUTING，所以不会被打标记。',
    },
    lookHere: [
      {
        step: 1,
        host: 'gateway',
        at: { chain: 'mangle:PREROUTING' },
        text: {
          en: 'Traffic from the LAN to 10.200.0.0/16 gets mark 0x1, before the routing decision.',
          zh: '从局域网发往 10.200.0.0/16 的流量在路由决策之前被打上标记 0x1。',
        },
      },
      {
        step: 1,
        host: 'gateway',
        at: { note: 'route', stage: 'input' },
        text: {
          en: "'ip rule fwmark 0x1 lookup vpn' chooses table vpn: the packet leaves by tun0.",
          zh: 'ip rule “fwmark 0x1 lookup vpn” 选中 vpn 表，数据包从 tun0 发出。',
        },
      },
      {
        step: 1,
        host: 'gateway',
        at: { chain: 'nat:POSTROUTING' },
        text: {
          en: 'MASQUERADE gives the packet the tunnel address 172.20.0.2, so the VPN server can answer.',
          zh: 'MASQUERADE 把源地址改为隧道地址 172.20.0.2，VPN 服务器才能回应。',
        },
      },
      {
        step: 2,
        host: 'gateway',
        at: { note: 'route', stage: 'input' },
        text: { en: "No mark: the main table's default route to the ISP.", zh: '没有标记：走 main 表的默认路由，发往 ISP。' },
      },
      {
        step: 3,
        host: 'gateway',
        at: { note: 'route', stage: 'output' },
        text: {
          en: "The gateway's own ping never passes PREROUTING, so it carries no mark: the lookup picks the main table and the ISP, which cannot reach 10.200.5.5.",
          zh: '网关自己发出的 ping 不经过 PREROUTING，没有标记，查的是 main 表，于是被发往 ISP，而 ISP 到不了 10.200.5.5。',
        },
      },
    ],
    tags: ['routing', 'policy-routing', 'mangle', 'nat'],
  },
  {
    id: 'g09-dnat-then-routing',
    scenario: scenario(g09),
    title: { en: 'After DNAT: INPUT or FORWARD?', zh: 'DNAT 之后：走 INPUT 还是 FORWARD？' },
    summary: {
      en: 'nat PREROUTING runs before the routing decision, and only for the first packet of a connection.',
      zh: 'nat PREROUTING 在路由决策之前执行，而且只处理连接的第一个数据包。',
    },
    explanation: {
      en: 'The routing decision after PREROUTING decides whether a packet is for this host (INPUT) or must be forwarded (FORWARD), and it sees the destination DNAT has already written. DNAT to another machine therefore leads to FORWARD, DNAT to one of the router\'s own addresses to INPUT, and the filter rules must match the new address and port. Only the first packet of a connection traverses nat PREROUTING: conntrack applies the same translation to every later packet.',
      zh: 'PREROUTING 之后的路由决策决定数据包是发给本机（INPUT）还是需要转发（FORWARD），而它看到的是 DNAT 改写之后的目的地址。因此 DNAT 到另一台机器就走 FORWARD，DNAT 到路由器自己的地址就走 INPUT，filter 规则也必须匹配新的地址和端口。只有连接的第一个数据包会经过 nat PREROUTING，后续数据包由 conntrack 套用同样的转换。',
    },
    lookHere: [
      {
        step: 1,
        host: 'router',
        at: { chain: 'nat:PREROUTING' },
        text: { en: 'DNAT to 192.168.1.100:80, another machine.', zh: 'DNAT 到另一台机器 192.168.1.100:80。' },
      },
      {
        step: 1,
        host: 'router',
        at: { note: 'route', stage: 'input' },
        text: {
          en: 'The routing decision runs after nat PREROUTING and sees 192.168.1.100: the packet goes to FORWARD.',
          zh: '路由决策在 nat PREROUTING 之后进行，看到的是 192.168.1.100，于是数据包进入 FORWARD。',
        },
      },
      {
        step: 1,
        host: 'router',
        at: { chain: 'filter:FORWARD' },
        text: {
          en: 'The FORWARD rule matches --dport 80, the translated port, not 8080.',
          zh: 'FORWARD 链的规则匹配的是转换后的端口 --dport 80，而不是 8080。',
        },
      },
      {
        step: 1,
        host: 'router',
        packet: 3,
        at: { note: 'nat' },
        text: {
          en: "The client's next packet (the ACK) skips nat PREROUTING: conntrack applies the same DNAT without looking at the rules.",
          zh: '客户端的下一个数据包（ACK）不再经过 nat PREROUTING，conntrack 直接套用同样的 DNAT，不再查看规则。',
        },
      },
      {
        step: 2,
        host: 'router',
        at: { note: 'route', stage: 'input' },
        text: {
          en: "DNAT to 192.168.1.1, one of the router's own addresses: the routing decision picks INPUT.",
          zh: 'DNAT 到 192.168.1.1，这是路由器自己的地址，因此路由决策把数据包交给 INPUT。',
        },
      },
      {
        step: 2,
        host: 'router',
        at: { chain: 'filter:INPUT' },
        text: { en: 'INPUT sees destination port 22, so the SSH rule accepts it.', zh: 'INPUT 看到的目的端口是 22，于是 SSH 规则放行。' },
      },
    ],
    tags: ['nat', 'conntrack', 'routing'],
  },
  {
    id: 'g10-docker-published-port',
    scenario: scenario(g10),
    title: { en: 'A Docker published port bypasses INPUT', zh: 'Docker 发布的端口绕过了 INPUT' },
    summary: {
      en: "docker run -p 8080:80: the INPUT rule that should block 8080 never sees the traffic. DOCKER-USER does.",
      zh: 'docker run -p 8080:80：本该拦住 8080 的 INPUT 规则根本看不到这些流量，DOCKER-USER 才看得到。',
    },
    explanation: {
      en: "Docker publishes a port with DNAT in the nat table (nat PREROUTING jumps to the DOCKER chain). The destination becomes the container before the routing decision, so the packet is forwarded: it goes through FORWARD and never through INPUT, where the admin's DROP rule for port 8080 waits in vain. Docker makes FORWARD jump to DOCKER-USER first; rules for published ports belong there.",
      zh: 'Docker 通过 nat 表中的 DNAT 发布端口（nat PREROUTING 跳转到 DOCKER 链）。目的地址在路由决策之前就变成了容器，所以数据包被转发：它经过 FORWARD，从不经过 INPUT，管理员在 INPUT 中为 8080 端口写的 DROP 规则只能白白等待。Docker 让 FORWARD 最先跳转到 DOCKER-USER，针对已发布端口的规则应该写在那里。',
    },
    lookHere: [
      {
        step: 1,
        host: 'dockerhost',
        at: { chain: 'nat:DOCKER' },
        text: {
          en: "Docker's DNAT in the DOCKER chain (reached from nat PREROUTING) sends port 8080 to the container 172.17.0.2:80.",
          zh: 'nat PREROUTING 跳转到 DOCKER 链，其中 Docker 的 DNAT 把 8080 端口转给容器 172.17.0.2:80。',
        },
      },
      {
        step: 1,
        host: 'dockerhost',
        at: { note: 'route', stage: 'input' },
        text: {
          en: 'The new destination is the container, not this host: FORWARD, not INPUT. The DROP rule for port 8080 in INPUT never sees this packet.',
          zh: '新的目的地址是容器而不是本机，所以走 FORWARD 而不是 INPUT。INPUT 中针对 8080 端口的 DROP 规则根本看不到这个数据包。',
        },
      },
      {
        step: 1,
        host: 'dockerhost',
        at: { chain: 'filter:DOCKER' },
        text: { en: "Docker's own rule accepts the connection to the container's port 80.", zh: 'Docker 自己的规则放行了发往容器 80 端口的连接。' },
      },
      {
        step: 2,
        host: 'dockerhost',
        at: { chain: 'filter:DOCKER-USER' },
        text: {
          en: 'FORWARD consults DOCKER-USER first: the place for your own rules about published ports. mallory is dropped here.',
          zh: 'FORWARD 链最先跳转到 DOCKER-USER，这里才是放置你自己针对已发布端口规则的地方。mallory 在这里被 DROP。',
        },
      },
    ],
    tags: ['docker', 'nat', 'filter', 'troubleshooting'],
  },
  {
    id: 'g11-established-survives-drop',
    scenario: scenario(g11),
    title: { en: 'An existing connection survives a new DROP', zh: '新加的 DROP 挡不住已建立的连接' },
    summary: {
      en: 'ESTABLISHED,RELATED is accepted first, so a ban only stops new connections.',
      zh: 'ESTABLISHED,RELATED 排在最前面先被放行，所以封禁只能挡住新连接。',
    },
    explanation: {
      en: "A stateful ruleset accepts ESTABLISHED,RELATED in rule 1 and checks everything else only for new connections. When a ban is added later (here: touching port 6666 puts the client on a 'recent' list, like fail2ban adding a DROP rule), flows already in the conntrack table keep matching rule 1 and are never checked against the ban. To cut them, delete their conntrack entries (conntrack -D) or put the DROP rule before the ESTABLISHED rule.",
      zh: '有状态的规则集在第 1 条就放行 ESTABLISHED,RELATED，其余检查只针对新连接。之后即使加了封禁（这里访问 6666 端口会把客户端加入 recent 名单，就像 fail2ban 新增了一条 DROP 规则），已经在 conntrack 表里的流仍然匹配第 1 条规则，根本不会被拿去和封禁比较。要切断它们，得删除对应的 conntrack 条目（conntrack -D），或者把 DROP 规则放到 ESTABLISHED 规则之前。',
    },
    lookHere: [
      {
        step: 1,
        host: 'server',
        at: { note: 'conntrack' },
        text: {
          en: 'A new flow from port 41000: conntrack state NEW, and conntrack now remembers it. The last rule (-j ACCEPT) lets it in.',
          zh: '来自 41000 端口的新流：conntrack 状态为 NEW，conntrack 从此记住了它。最后一条规则（-j ACCEPT）放行了它。',
        },
      },
      {
        step: 2,
        host: 'server',
        at: { chain: 'filter:INPUT' },
        text: {
          en: "Touching port 6666 puts 10.0.0.2 on the 'banned' list (rule 2).",
          zh: '访问陷阱端口 6666 后，10.0.0.2 被加入 banned 名单（第 2 条规则）。',
        },
      },
      {
        step: 3,
        host: 'server',
        at: { chain: 'filter:INPUT' },
        text: {
          en: 'Same ports as step 1: the conntrack entry is still there, the packet is ESTABLISHED and rule 1 accepts it before the ban is checked.',
          zh: '与第 1 步端口相同：conntrack 条目仍在，数据包是 ESTABLISHED，第 1 条规则在检查封禁之前就放行了它。',
        },
      },
      {
        step: 4,
        host: 'server',
        at: { chain: 'filter:INPUT' },
        text: {
          en: 'A new source port means a new flow: NEW, so it reaches rule 3 and is dropped.',
          zh: '换了源端口就是新的流：状态为 NEW，于是走到第 3 条规则，被 DROP。',
        },
      },
    ],
    tags: ['conntrack', 'filter', 'troubleshooting'],
  },
  {
    id: 'g12-nat-output-dnat',
    scenario: scenario(g12),
    title: { en: 'DNAT for local traffic belongs in nat OUTPUT', zh: '本机流量的 DNAT 要写在 nat OUTPUT' },
    summary: {
      en: 'Packets a host sends itself never pass PREROUTING: the same DNAT is needed in nat OUTPUT.',
      zh: '主机自己发出的数据包从不经过 PREROUTING，同样的 DNAT 需要写在 nat OUTPUT 里。',
    },
    explanation: {
      en: 'nat PREROUTING only sees packets that arrive on an interface. A connection the host opens itself goes through OUTPUT and POSTROUTING, so a port redirect written only in PREROUTING works for the LAN but not for the host itself. Both rules here send 203.0.113.80:80 to 192.168.10.10:8000. After DNAT in nat OUTPUT the kernel looks up the route again, and the packet leaves by eth0 instead of the default route.',
      zh: 'nat PREROUTING 只能看到从网卡进来的数据包。主机自己发起的连接走的是 OUTPUT 和 POSTROUTING，所以只写在 PREROUTING 里的端口重定向对局域网有效，对主机自己却无效。这里两条规则都把 203.0.113.80:80 转到 192.168.10.10:8000。在 nat OUTPUT 做完 DNAT 之后，内核会重新查一次路由，数据包改从 eth0 发出，而不是走默认路由。',
    },
    lookHere: [
      {
        step: 1,
        host: 'host',
        at: { chain: 'nat:OUTPUT' },
        text: {
          en: "The host's own connection: nat OUTPUT does the DNAT. nat PREROUTING never sees locally generated packets.",
          zh: '本机发起的连接由 nat OUTPUT 做 DNAT；本机产生的数据包根本不经过 nat PREROUTING。',
        },
      },
      {
        step: 1,
        host: 'host',
        at: { note: 'route', stage: 'reroute' },
        text: {
          en: 'After the DNAT the route is looked up again: the packet now leaves by eth0 towards the backend.',
          zh: 'DNAT 之后重新查路由：数据包改从 eth0 发往后端。',
        },
      },
      {
        step: 2,
        host: 'host',
        at: { chain: 'nat:PREROUTING' },
        text: {
          en: 'A packet from the LAN arrives on an interface: here the PREROUTING rule rewrites it.',
          zh: '来自局域网的数据包从网卡进入，这时由 PREROUTING 中的规则改写。',
        },
      },
    ],
    tags: ['nat', 'routing', 'troubleshooting'],
  },
  {
    id: 'g13-hairpin-nat',
    scenario: scenario(g13),
    title: { en: 'Hairpin NAT: DNAT without SNAT breaks the return path', zh: '回流 NAT：只做 DNAT 不做 SNAT，回程就断了' },
    summary: {
      en: 'A LAN client reaching a LAN server through the public address needs an extra MASQUERADE.',
      zh: '局域网客户端通过公网地址访问局域网服务器时，需要额外加一条 MASQUERADE。',
    },
    explanation: {
      en: "When client and server share a LAN, DNAT alone sends the client's packet back into the LAN with its own source address. The server answers the client directly, from its private address; the client expected an answer from the public address and resets the connection (port 80 here). The fix (port 443 here) is an extra MASQUERADE in nat POSTROUTING for LAN traffic that was sent back into the LAN: the server then answers the router, which undoes both translations.",
      zh: '客户端和服务器在同一个局域网时，只做 DNAT 会把客户端的数据包原样（源地址不变）送回局域网。服务器于是直接用自己的内网地址回应客户端；客户端等的是公网地址的回应，只好重置连接（本例的 80 端口）。修复方法（本例的 443 端口）是在 nat POSTROUTING 中为被送回局域网的局域网流量再加一条 MASQUERADE：服务器改为回应路由器，由路由器把两次地址转换都还原。',
    },
    lookHere: [
      {
        step: 1,
        host: 'router',
        at: { chain: 'nat:PREROUTING' },
        text: {
          en: "DNAT sends the client's SYN back into the LAN, to web. The source stays 192.168.1.10.",
          zh: 'DNAT 把客户端的 SYN 送回局域网里的 web，源地址仍是 192.168.1.10。',
        },
      },
      {
        step: 1,
        host: 'client',
        packet: 2,
        at: { end: true },
        text: {
          en: 'web answers 192.168.1.10 directly over the LAN, from 192.168.1.20, bypassing the router. The client expected 198.51.100.1 and answers with a RST.',
          zh: 'web 绕过路由器，直接在局域网内从 192.168.1.20 回应 192.168.1.10。客户端等的是 198.51.100.1 的回应，于是回了一个 RST。',
        },
      },
      {
        step: 2,
        host: 'router',
        at: { chain: 'nat:POSTROUTING' },
        text: {
          en: 'The fix: MASQUERADE for LAN traffic sent back into the LAN. web now sees the router as the client.',
          zh: '修复方法：对被送回局域网的局域网流量做 MASQUERADE，这样 web 看到的客户端就是路由器。',
        },
      },
      {
        step: 2,
        host: 'router',
        packet: 2,
        at: { note: 'nat' },
        text: {
          en: "The answer comes back to the router, whose conntrack undoes both translations.",
          zh: '回应回到路由器，由 conntrack 把两次地址转换都还原。',
        },
      },
    ],
    tags: ['nat', 'conntrack', 'troubleshooting'],
  },
  {
    id: 'g14-rp-filter',
    scenario: scenario(g14),
    title: { en: 'rp_filter drops a spoofed source', zh: 'rp_filter 丢弃伪造源地址的数据包' },
    summary: {
      en: 'net.ipv4.conf.all.rp_filter=1: a packet whose way back would leave by another interface is dropped silently.',
      zh: 'net.ipv4.conf.all.rp_filter=1：回程要走另一块网卡的数据包会被静默丢弃。',
    },
    explanation: {
      en: 'Reverse path filtering checks, for every packet that arrives, that the route back to its source leaves by the interface it came in on (strict mode, 1) or by any interface (loose mode, 2). A packet from the internet claiming a LAN source fails the check and is dropped in the routing decision after PREROUTING: it reaches neither INPUT nor FORWARD, no ICMP error is sent and no iptables counter moves. The effective value is the higher of conf.all and the interface\'s own setting.',
      zh: '反向路径过滤（rp_filter）会对每个进来的数据包检查：回到其源地址的路由是否从它进来的那块网卡出去（严格模式，值为 1），或者至少有路由可达（宽松模式，值为 2）。一个从互联网进来却自称局域网源地址的数据包通不过检查，在 PREROUTING 之后的路由决策中被丢弃：既到不了 INPUT 也到不了 FORWARD，不会发送 ICMP 错误，iptables 的计数器也不会有任何变化。实际生效的值取 conf.all 与该网卡自身设置中较大的一个。',
    },
    lookHere: [
      {
        step: 1,
        host: 'router',
        at: { note: 'route', stage: 'input' },
        text: {
          en: 'Genuine source 198.51.100.10: the route back leaves by eth0, where the packet came in. Forwarded.',
          zh: '真实的源地址 198.51.100.10：回程路由正是从收到它的 eth0 出去，检查通过，正常转发。',
        },
      },
      {
        step: 2,
        host: 'router',
        at: { note: 'route', stage: 'input' },
        text: {
          en: 'The way back to 192.168.1.99 is eth1, but the packet came in on eth0: strict rp_filter drops it in the routing decision.',
          zh: '回到 192.168.1.99 的路由应走 eth1，但数据包却是从 eth0 进来的：严格模式的 rp_filter 在路由决策中把它丢弃。',
        },
      },
      {
        step: 2,
        host: 'router',
        at: { end: true },
        text: {
          en: "No FORWARD, no ICMP error, nothing in the iptables counters: only the kernel's IPReversePathFilter counter (nstat) rises.",
          zh: '没有经过 FORWARD，也没有 ICMP 错误，iptables 计数器上什么都看不到，只有内核的 IPReversePathFilter 计数（nstat）会增加。',
        },
      },
    ],
    tags: ['routing', 'troubleshooting'],
  },
  {
    id: 'g15-forwarding-disabled',
    scenario: scenario(g15),
    title: { en: 'Forwarding disabled', zh: '没有开启转发' },
    summary: {
      en: 'net.ipv4.ip_forward=0: the router drops packets for other hosts after PREROUTING, without a word.',
      zh: 'net.ipv4.ip_forward=0：路由器在 PREROUTING 之后把发给其他主机的数据包悄悄丢掉。',
    },
    explanation: {
      en: "A Linux machine only routes when net.ipv4.ip_forward is 1 (the default is 0). With forwarding off, a packet for another host passes PREROUTING and is then dropped by the routing decision: the FORWARD chain is never reached (its ACCEPT rule counts nothing) and the sender gets no ICMP error. The router's own addresses, even the one on its other interface, still answer. The fix: sysctl -w net.ipv4.ip_forward=1.",
      zh: 'Linux 只有在 net.ipv4.ip_forward 为 1 时才会转发（默认是 0）。转发关闭时，发给其他主机的数据包经过 PREROUTING 后就在路由决策中被丢弃：根本到不了 FORWARD 链（其中的 ACCEPT 规则计数为零），发送方也收不到 ICMP 错误。路由器自己的地址（包括另一块网卡上的地址）仍然可以应答。解决方法：sysctl -w net.ipv4.ip_forward=1。',
    },
    lookHere: [
      {
        step: 1,
        host: 'router',
        at: { note: 'route', stage: 'input' },
        text: {
          en: '198.51.100.20 is another host and forwarding is off: the routing decision drops the packet.',
          zh: '198.51.100.20 是另一台主机，而转发是关闭的：路由决策丢弃了这个数据包。',
        },
      },
      {
        step: 1,
        host: 'router',
        at: { end: true },
        text: {
          en: 'The FORWARD chain and its ACCEPT rule are never reached, and the client gets no ICMP error: it simply times out.',
          zh: 'FORWARD 链和其中的 ACCEPT 规则根本没被用到，客户端也收不到 ICMP 错误，只能超时。',
        },
      },
      {
        step: 2,
        host: 'router',
        at: { note: 'route', stage: 'input' },
        text: {
          en: "198.51.100.1 is the router's own address (on its other interface): local delivery needs no forwarding.",
          zh: '198.51.100.1 是路由器自己的地址（在另一块网卡上）：交付给本机不需要转发。',
        },
      },
    ],
    tags: ['routing', 'troubleshooting'],
  },
  {
    id: 'ss-tuln-server',
    scenario: scenario(ssTuln),
    title: { en: 'ss -tuln on a server', zh: '在服务器上运行 ss -tuln' },
    summary: {
      en: 'ss -tuln, ss -tan, ss -s: what a server listens on, and a connection from SYN-RECV to TIME-WAIT.',
      zh: 'ss -tuln、ss -tan、ss -s：服务器在监听什么，以及一条连接从 SYN-RECV 到 TIME-WAIT 的过程。',
    },
    explanation: {
      en: "ss asks the kernel (inet_diag over netlink) for its sockets. -t and -u choose TCP and UDP, -l the listening ones, -a all of them, -n keeps ports as numbers. The server listens for SSH and HTTP on 0.0.0.0 (every address), for DNS on UDP, and for PostgreSQL on 127.0.0.1 only. Step through the walk and type ss -tan or ss -s in the console on either host: the table is the one as of the step on screen.",
      zh: 'ss 通过 netlink（inet_diag）向内核查询套接字。-t 和 -u 选择 TCP 和 UDP，-l 只看监听中的，-a 看全部，-n 让端口保持数字。这台服务器在 0.0.0.0（所有地址）上监听 SSH 和 HTTP，在 UDP 上监听 DNS，而 PostgreSQL 只监听 127.0.0.1。单步走查时，在任一主机的控制台输入 ss -tan 或 ss -s：看到的正是当前这一步时的套接字表。',
    },
    lookHere: [
      {
        step: 1,
        host: 'server',
        at: { note: 'deliver' },
        text: {
          en: 'The SYN reaches the listener on 0.0.0.0:80. ss -tan on the server now shows the connection as SYN-RECV beside the LISTEN sockets.',
          zh: 'SYN 到达监听 0.0.0.0:80 的套接字。此时在服务器上运行 ss -tan，可以看到这条连接处于 SYN-RECV，旁边是各个 LISTEN 套接字。',
        },
      },
      {
        step: 1,
        host: 'server',
        packet: 3,
        at: { note: 'deliver' },
        text: {
          en: "The handshake's last ACK: the connection is ESTAB (ss -tan: ESTAB 0 0 192.168.10.20:80 192.168.10.2:40001) and the listener's accept() takes it.",
          zh: '握手的最后一个 ACK：连接进入 ESTAB（ss -tan：ESTAB 0 0 192.168.10.20:80 192.168.10.2:40001），监听进程用 accept() 把它接走。',
        },
      },
      {
        step: 1,
        host: 'client',
        packet: 10,
        at: { end: true },
        text: {
          en: 'The client closed first, so after its last ACK its end waits in TIME-WAIT: ss -tan on the client lists it, ss -s counts it as timewait, and ss -t alone leaves it out.',
          zh: '客户端先关闭，所以发出最后一个 ACK 后，它这一端停在 TIME-WAIT：客户端上的 ss -tan 会列出它，ss -s 把它计入 timewait，而单独的 ss -t 不显示它。',
        },
      },
      {
        step: 2,
        host: 'server',
        at: { note: 'deliver' },
        text: {
          en: 'UDP has no connection: the socket on 0.0.0.0:53 stays UNCONN in ss -uan and answers the query from the same socket.',
          zh: 'UDP 没有连接：0.0.0.0:53 上的套接字在 ss -uan 中始终是 UNCONN，并从同一个套接字回复查询。',
        },
      },
      {
        step: 3,
        host: 'server',
        at: { note: 'deliver' },
        text: {
          en: 'ss -tln lists 127.0.0.1:5432: bound to loopback only, so a SYN for 192.168.10.20:5432 finds no listener and is answered with a RST.',
          zh: 'ss -tln 列出的是 127.0.0.1:5432：只绑定在回环地址上，所以发往 192.168.10.20:5432 的 SYN 找不到监听者，收到的是 RST。',
        },
      },
    ],
    tags: ['basics', 'troubleshooting'],
  },
  {
    id: 'net-tools-vs-iproute2',
    scenario: scenario(netToolsVsIproute2),
    title: { en: 'net-tools vs iproute2, side by side', zh: 'net-tools 与 iproute2 对照' },
    summary: {
      en: 'ifconfig, route -n, arp -n next to ip addr, ip route, ip rule, ip neigh: what the old tools do not see.',
      zh: 'ifconfig、route -n、arp -n 对照 ip addr、ip route、ip rule、ip neigh：旧工具看不到的东西。',
    },
    explanation: {
      en: "net-tools (ifconfig, route, arp, netstat) talk to the kernel through ioctls and /proc files made for one address per interface and one routing table; iproute2 (ip, ss) speaks netlink and sees everything. This router has a second address on eth0 without a label, a labelled one (eth1:vip), and a policy rule that sends what it forwards from the LAN to table 100. In the console, compare ifconfig eth0 with ip addr show eth0, and route -n with ip rule and ip route show table 100. A change typed as ifconfig or route runs as its ip translation, shown with the reason.",
      zh: 'net-tools（ifconfig、route、arp、netstat）通过 ioctl 和 /proc 文件与内核交互，这些接口是为“每个接口一个地址、只有一张路由表”设计的；iproute2（ip、ss）使用 netlink，能看到全部状态。这台路由器的 eth0 上有第二个没有标签的地址，eth1 上有一个带标签的地址（eth1:vip），还有一条策略规则把它从局域网转发的流量交给 100 号路由表。在控制台里对比 ifconfig eth0 和 ip addr show eth0，以及 route -n 和 ip rule、ip route show table 100。用 ifconfig 或 route 输入的修改会按对应的 ip 命令执行，并附上原因。',
    },
    lookHere: [
      {
        step: 1,
        host: 'router',
        at: { note: 'route', stage: 'input' },
        text: {
          en: 'route -n shows one default route, via isp1. But ip rule sends what comes in on eth0 from 10.1.0.0/24 to table 100, whose default goes to isp2: the ping leaves by eth2. route -n shows neither the rule nor the table.',
          zh: 'route -n 只显示一条默认路由，经由 isp1。但 ip rule 把从 eth0 进来、源地址属于 10.1.0.0/24 的流量交给 100 号表，而那张表的默认路由指向 isp2：这个 ping 从 eth2 发出。route -n 既看不到这条规则，也看不到那张表。',
        },
      },
      {
        step: 1,
        host: 'router',
        packet: 2,
        at: { note: 'route', stage: 'input' },
        text: {
          en: "The reply's source, 192.0.2.1, is not in 10.1.0.0/24: the rule does not apply and the main table's connected route takes it back to the pc.",
          zh: '回复的源地址 192.0.2.1 不属于 10.1.0.0/24：规则不适用，main 表中的直连路由把它送回 pc。',
        },
      },
      {
        step: 2,
        host: 'router',
        at: { note: 'route', stage: 'input' },
        text: {
          en: "10.1.0.254 is the router's own, a second address on eth0 without a label: ifconfig eth0 shows only 10.1.0.1 (one address per label), ip addr show eth0 shows both.",
          zh: '10.1.0.254 是路由器自己的地址，是 eth0 上第二个没有标签的地址：ifconfig eth0 只显示 10.1.0.1（每个标签一个地址），ip addr show eth0 两个都显示。',
        },
      },
      {
        step: 2,
        host: 'router',
        packet: 2,
        at: { note: 'route', stage: 'output' },
        text: {
          en: 'The reply is made here and comes in on no interface, so the rule (iif eth0) leaves it to the main table. Try route add -net 192.0.2.0 netmask 255.255.255.0 gw 198.51.100.1 in the console: it runs as ip route add 192.0.2.0/24 via 198.51.100.1.',
          zh: '这个回复由本机产生，不是从任何接口进来的，所以规则（iif eth0）不适用，仍查 main 表。在控制台试试 route add -net 192.0.2.0 netmask 255.255.255.0 gw 198.51.100.1：它会按 ip route add 192.0.2.0/24 via 198.51.100.1 执行。',
        },
      },
    ],
    tags: ['routing', 'policy-routing'],
  },
  {
    id: 'ipvs-rr-nat',
    scenario: scenario(ipvsRr),
    kernel: false,
    title: { en: 'IPVS round robin (rr), NAT mode', zh: 'IPVS 轮询调度（rr），NAT 模式' },
    summary: { en: 'ipvsadm -A -t VIP:80 -s rr, three real servers with -m', zh: 'ipvsadm -A -t VIP:80 -s rr，三台使用 -m 的真实服务器' },
    explanation: {
      en: 'The director owns the virtual IP. The SYN is delivered locally, passes INPUT, and IPVS takes it at LOCAL_IN (after filter and security INPUT): it schedules a real server, rewrites the destination and sends the packet out through OUTPUT and POSTROUTING — never FORWARD. ipvsadm -a puts each new server at the head of the list, so round robin starts with the server added last. Replies come back through the director, whose FORWARD hook gives them the VIP as source again.',
      zh: '调度器（director）拥有虚拟 IP。SYN 被本机接收，经过 INPUT，IPVS 在 LOCAL_IN（filter 和 security INPUT 之后）接管它：选出一台真实服务器、改写目的地址，再让数据包经 OUTPUT 和 POSTROUTING 发出——从不经过 FORWARD。ipvsadm -a 总把新服务器插到列表头部，所以轮询从最后添加的那台开始。回复经调度器返回，FORWARD 钩子上的 IPVS 把源地址改回 VIP。',
    },
    lookHere: [
      { step: 1, host: 'director', at: { note: 'ipvs' }, text: { en: 'IPVS at LOCAL_IN schedules the first connection to the server added last.', zh: 'LOCAL_IN 上的 IPVS 把第一个连接调度给最后添加的服务器。' } },
      { step: 2, host: 'director', at: { note: 'ipvs' }, text: { en: 'The next connection goes to the next server of the list.', zh: '下一个连接交给列表中的下一台服务器。' } },
      { step: 3, host: 'director', at: { note: 'ipvs' }, text: { en: 'And the third to the last one: round robin.', zh: '第三个连接交给最后一台：这就是轮询。' } },
    ],
    tags: ['nat'],
  },
  {
    id: 'ipvs-wrr-dr',
    scenario: scenario(ipvsWrrDr),
    kernel: false,
    title: { en: 'IPVS weighted round robin (wrr), direct routing', zh: 'IPVS 加权轮询（wrr），直接路由（DR）模式' },
    summary: { en: 'ipvsadm -s wrr with -g: weights 2 and 1, the VIP on the real servers\' lo', zh: 'ipvsadm -s wrr 配合 -g：权重 2 和 1，VIP 配在真实服务器的 lo 上' },
    explanation: {
      en: 'In direct routing the director keeps the destination (the VIP) and only sends the frame to the chosen real server\'s MAC address. Each real server holds the VIP on lo with arp_ignore=1, so only the director answers ARP for it, and it answers the client directly: the reply never passes the director. wrr\'s first round visits every server once in list order; after that, weight 2 gets twice as many connections as weight 1.',
      zh: '直接路由模式下，调度器不改目的地址（仍是 VIP），只把帧发往所选真实服务器的 MAC 地址。每台真实服务器在 lo 上配置 VIP，并设置 arp_ignore=1，所以只有调度器应答该地址的 ARP；真实服务器直接回复客户端，回复从不经过调度器。wrr 的第一轮按列表顺序把每台服务器各用一次，之后权重 2 的服务器得到的连接是权重 1 的两倍。',
    },
    lookHere: [
      { step: 1, host: 'director', at: { note: 'ipvs' }, text: { en: 'The first round starts at the head of the list (the server added last).', zh: '第一轮从列表头部（最后添加的服务器）开始。' } },
      { step: 1, host: 'rs2', at: { chain: 'filter:INPUT' }, text: { en: 'The real server receives a packet still addressed to the VIP.', zh: '真实服务器收到的数据包目的地址仍是 VIP。' } },
      { step: 3, host: 'director', at: { note: 'ipvs' }, text: { en: 'After the first round the heavier server is chosen more often.', zh: '第一轮之后，权重大的服务器被选中得更频繁。' } },
    ],
    tags: ['routing'],
  },
  {
    id: 'ipvs-lc-nat',
    scenario: scenario(ipvsLc),
    kernel: false,
    title: { en: 'IPVS least connections (lc)', zh: 'IPVS 最少连接（lc）' },
    summary: { en: 'ipvsadm -s lc: the server with the fewest connections wins', zh: 'ipvsadm -s lc：连接最少的服务器胜出' },
    explanation: {
      en: 'Least connections counts each server\'s load as 256 × active + inactive connections and picks the smallest. A connection closed by RST stays in the connection table as inactive for a while, so the next connection goes to a server that has none. Watch the loads in the IPVS panel change from step to step.',
      zh: '最少连接调度把每台服务器的负载算作 256 × 活动连接数 + 非活动连接数，选负载最小的。被 RST 关闭的连接仍以非活动状态在连接表中停留一段时间，所以下一个连接会交给还没有连接的服务器。可以在 IPVS 面板中看负载如何逐步变化。',
    },
    lookHere: [
      { step: 1, host: 'director', at: { note: 'ipvs' }, text: { en: 'All loads are 0: the first server of the list is chosen.', zh: '所有负载都是 0：选中列表中的第一台。' } },
      { step: 2, host: 'director', at: { note: 'ipvs' }, text: { en: 'The first server now has an inactive connection, so another one is chosen.', zh: '第一台现在有一个非活动连接，所以换了一台。' } },
    ],
    tags: ['nat'],
  },
  {
    id: 'ipvs-sh-nat',
    scenario: scenario(ipvsSh),
    kernel: false,
    title: { en: 'IPVS source hashing (sh)', zh: 'IPVS 源地址哈希（sh）' },
    summary: { en: 'ipvsadm -s sh: the client address picks the server', zh: 'ipvsadm -s sh：由客户端地址决定服务器' },
    explanation: {
      en: 'Source hashing hashes the client\'s address into a table of 256 buckets, each naming a server (a server with weight w owns w buckets in turn). The same client therefore always reaches the same real server — a simple form of session affinity without persistence templates.',
      zh: '源地址哈希把客户端地址哈希到一个 256 格的表中，每一格指向一台服务器（权重为 w 的服务器轮流占 w 格）。同一个客户端因此总是到达同一台真实服务器——无需持久化模板的简单会话保持。',
    },
    lookHere: [
      { step: 1, host: 'director', at: { note: 'ipvs' }, text: { en: 'The client\'s address hashes to one bucket and its server.', zh: '客户端地址被哈希到某一格及其对应的服务器。' } },
      { step: 3, host: 'director', at: { note: 'ipvs' }, text: { en: 'A later connection from the same client lands on the same server.', zh: '同一客户端后来的连接落在同一台服务器上。' } },
    ],
    tags: ['nat'],
  },
  {
    id: 'ipvs-tun',
    scenario: scenario(ipvsTun),
    kernel: false,
    title: { en: 'IPVS IP tunnelling (TUN)', zh: 'IPVS IP 隧道（TUN）模式' },
    summary: { en: 'ipvsadm -a ... -i: IP-in-IP to a real server in another network', zh: 'ipvsadm -a ... -i：用 IP-in-IP 发往另一网络中的真实服务器' },
    explanation: {
      en: 'In tunnelling mode the director wraps the packet for the VIP in a new IP header (protocol 4, IP-in-IP) addressed to the real server, which may sit behind routers. The real server unwraps it on tunl0, finds the VIP on lo and answers the client directly.',
      zh: '隧道模式下，调度器把发往 VIP 的数据包再套上一层 IP 头（协议号 4，IP-in-IP），目的地址是真实服务器，它可以位于路由器之后。真实服务器在 tunl0 上解封装，发现 VIP 配在 lo 上，于是直接回复客户端。',
    },
    lookHere: [
      { step: 1, host: 'director', at: { note: 'ipvs' }, text: { en: 'IPVS chooses the tunnel method: the packet gets an outer header to the real server.', zh: 'IPVS 选择隧道方式：数据包被加上发往真实服务器的外层 IP 头。' } },
      { step: 1, host: 'rs1', packet: 2, at: { chain: 'raw:PREROUTING' }, text: { en: 'Unwrapped on tunl0, the inner packet to the VIP enters PREROUTING again.', zh: '在 tunl0 上解封装后，发往 VIP 的内层数据包再次进入 PREROUTING。' } },
    ],
    tags: ['routing'],
  },
  {
    id: 'k8s-iptables-vs-ipvs',
    scenario: scenario(k8s),
    kernel: false,
    title: { en: 'iptables vs IPVS reaching a Kubernetes Service', zh: 'iptables 与 IPVS 两种方式访问 Kubernetes Service' },
    summary: { en: 'kube-proxy in IPVS mode: the ClusterIP on kube-ipvs0, one hash lookup', zh: 'IPVS 模式的 kube-proxy：ClusterIP 配在 kube-ipvs0 上，一次哈希查找' },
    explanation: {
      en: 'This is kube-proxy in IPVS mode: the ClusterIP is an address of the dummy interface kube-ipvs0, so the packet is delivered locally and IPVS at LOCAL_IN sends it to an endpoint — the packet passes INPUT and OUTPUT, not FORWARD. In iptables mode the same packet is DNATed in nat PREROUTING by KUBE-SERVICES → KUBE-SVC → KUBE-SEP rules and forwarded. A port forwarder that DNATs in PREROUTING to the ClusterIP therefore misses the IPVS service, while a connection to the ClusterIP itself reaches it. Open the kube-proxy comparison to see both walks and how many rules each mode examines as the cluster grows.',
      zh: '这里是 IPVS 模式的 kube-proxy：ClusterIP 是虚拟网卡 kube-ipvs0 上的地址，所以数据包被本机接收，由 LOCAL_IN 上的 IPVS 转给某个端点——数据包经过 INPUT 和 OUTPUT，而不是 FORWARD。iptables 模式下，同一个数据包在 nat PREROUTING 中经 KUBE-SERVICES → KUBE-SVC → KUBE-SEP 规则做 DNAT 后被转发。因此，一个在 PREROUTING 中 DNAT 到 ClusterIP 的端口转发器碰不到 IPVS 服务，而直接连接 ClusterIP 的流量可以。打开 kube-proxy 对比视图，可以看到两种模式的完整路径，以及集群变大时各自要检查多少条规则。',
    },
    lookHere: [
      { step: 1, host: 'node', at: { chain: 'nat:KUBE-SERVICES' }, text: { en: 'KUBE-SERVICES only marks traffic from outside the pod network for masquerading.', zh: 'KUBE-SERVICES 只给来自 Pod 网络之外的流量打上伪装标记。' } },
      { step: 1, host: 'node', at: { note: 'ipvs' }, text: { en: 'IPVS at LOCAL_IN picks an endpoint with one hash lookup.', zh: 'LOCAL_IN 上的 IPVS 通过一次哈希查找选出端点。' } },
      { step: 1, host: 'node', at: { chain: 'nat:KUBE-POSTROUTING' }, text: { en: 'KUBE-POSTROUTING masquerades the marked connection as the node.', zh: 'KUBE-POSTROUTING 把带标记的连接伪装成节点地址。' } },
    ],
    tags: ['nat'],
  },
  ...IPROUTE2_LINK_LESSONS,
  ...TC_LESSONS,
  {
    id: 'vlan-interface',
    scenario: scenario(vlanInterface),
    kernel: false,
    modelled: 'vlan',
    title: { en: 'VLAN interface', zh: 'VLAN 接口' },
    summary: {
      en: 'ip link add link eth0 name eth0.10 type vlan id 10: two VLANs on one trunk, routed by a router on a stick.',
      zh: 'ip link add link eth0 name eth0.10 type vlan id 10：一条 trunk 上的两个 VLAN，由“单臂路由器”在它们之间路由。',
    },
    explanation: {
      en: 'ip link add link eth0 name eth0.10 type vlan id 10 makes eth0.10, a VLAN device stacked on eth0 with eth0’s MAC and MTU. What eth0.10 sends leaves by eth0 with an 802.1Q tag carrying id 10; a tagged frame that arrives on eth0 is handed, untagged, to the VLAN device of its id, and dropped when the host has none (pc20 never sees VLAN 10’s ARP requests). Addresses, routes and iptables belong to the VLAN devices: the router forwards between eth0.10 and eth0.20 over its single port, and a FORWARD rule with -i eth0.20 -o eth0.10 stops new connections from VLAN 20 into VLAN 10 while conntrack lets the answers to VLAN 10’s own connections through.',
      zh: 'ip link add link eth0 name eth0.10 type vlan id 10 创建 eth0.10：一个叠在 eth0 上的 VLAN 设备，沿用 eth0 的 MAC 和 MTU。eth0.10 发出的帧经 eth0 离开，带上 ID 为 10 的 802.1Q 标签；到达 eth0 的带标签帧去掉标签后交给该 ID 对应的 VLAN 设备，主机没有这个设备就丢弃（pc20 根本收不到 VLAN 10 的 ARP 请求）。地址、路由和 iptables 都作用在 VLAN 设备上：路由器只用一个端口就在 eth0.10 和 eth0.20 之间转发，FORWARD 链里一条 -i eth0.20 -o eth0.10 的规则挡住从 VLAN 20 新建到 VLAN 10 的连接，而 conntrack 让 VLAN 10 自己发起的连接的回应照常通过。',
    },
    lookHere: [
      {
        step: 1,
        host: 'router',
        at: { chain: 'filter:FORWARD' },
        text: {
          en: 'IN=eth0.10 OUT=eth0.20: the frame came in on eth0 tagged 10, and vlan_do_receive handed it to eth0.10. Open the inspector on the first step of this packet to see the tag.',
          zh: 'IN=eth0.10 OUT=eth0.20：帧带着标签 10 从 eth0 进来，vlan_do_receive 把它交给了 eth0.10。在这个数据包的第一步打开检查器可以看到标签。',
        },
      },
      {
        step: 1,
        host: 'router',
        at: { note: 'transmit' },
        text: {
          en: 'Out by eth0.20: the VLAN device pushes an 802.1Q tag with id 20 and hands the frame to eth0, the same port it came in by.',
          zh: '从 eth0.20 发出：VLAN 设备压入 ID 为 20 的 802.1Q 标签，再把帧交给 eth0——也就是它进来的那个端口。',
        },
      },
      {
        step: 2,
        host: 'router',
        at: { chain: 'filter:FORWARD' },
        text: {
          en: 'A NEW connection from eth0.20 to eth0.10 matches -i eth0.20 -o eth0.10 and is dropped: to iptables a VLAN device is an interface like any other.',
          zh: '从 eth0.20 到 eth0.10 的 NEW 连接命中 -i eth0.20 -o eth0.10，被 DROP：对 iptables 来说，VLAN 设备和其他接口没有区别。',
        },
      },
    ],
    tags: ['basics', 'routing'],
  },
  {
    id: 'vlan-trunk-bridge',
    scenario: scenario(vlanTrunkBridge),
    kernel: false,
    modelled: 'vlan',
    title: { en: 'A VLAN trunk on a bridge', zh: '网桥上的 VLAN trunk' },
    summary: {
      en: 'ip link add br0 type bridge vlan_filtering 1; bridge vlan add dev eth0 vid 10 pvid untagged: two access ports and a trunk on one bridge.',
      zh: 'ip link add br0 type bridge vlan_filtering 1；bridge vlan add dev eth0 vid 10 pvid untagged：一个网桥上的两个 access 端口和一个 trunk 端口。',
    },
    explanation: {
      en: 'With vlan_filtering 1 the bridge keeps a VLAN list per port. eth0 is an access port of VLAN 10 and eth1 of VLAN 20 (bridge vlan add … pvid untagged, the default VLAN 1 removed): an untagged frame that comes in takes the port’s PVID, and leaves an access port untagged again. eth2 is a trunk, a tagged member of both VLANs, so a frame of VLAN 10 leaves it with an 802.1Q tag carrying 10. The bridge forwards a frame only to ports that are members of its VLAN and looks its destination up in the FDB per VLAN, so pc10 and pc20 cannot reach each other at layer 2: the router on the trunk routes between its eth0.10 and eth0.20. The switch host passes frames without iptables (bridge-nf-call-iptables=0), as a plain switch. Modelled from kernel source (net/bridge/br_vlan.c, net/8021q): this machine’s kernel refuses vlan_filtering and has no 8021q.',
      zh: '开启 vlan_filtering 1 后，网桥为每个端口维护一张 VLAN 列表。eth0 是 VLAN 10 的 access 端口，eth1 是 VLAN 20 的（bridge vlan add … pvid untagged，并删掉默认的 VLAN 1）：进来的不带标签的帧归入该端口的 PVID，从 access 端口出去时也不带标签。eth2 是 trunk，以带标签的方式属于两个 VLAN，所以 VLAN 10 的帧从它出去时带上 ID 为 10 的 802.1Q 标签。网桥只把帧转发给属于该 VLAN 的端口，并按 VLAN 分别查 FDB，因此 pc10 和 pc20 在二层互不可达：由 trunk 上的路由器在它的 eth0.10 和 eth0.20 之间路由。switch 主机转发帧时不经过 iptables（bridge-nf-call-iptables=0），就像一台普通交换机。依据内核源码建模（net/bridge/br_vlan.c、net/8021q）：本机内核拒绝 vlan_filtering，也没有 8021q。',
    },
    lookHere: [
      {
        step: 1,
        host: 'router',
        at: { chain: 'filter:FORWARD' },
        text: {
          en: 'IN=eth0.10: pc10 sent the ping untagged; br0 gave it eth0’s PVID 10 and sent it up the trunk eth2 tagged 10, where the router’s eth0.10 took it. Open the inspector on this packet’s first step to see the tag.',
          zh: 'IN=eth0.10：pc10 发出的 ping 不带标签；br0 给它打上 eth0 的 PVID 10，从 trunk 端口 eth2 带着标签 10 送上去，由路由器的 eth0.10 接收。在这个数据包的第一步打开检查器可以看到标签。',
        },
      },
      {
        step: 1,
        host: 'router',
        at: { note: 'transmit' },
        text: {
          en: 'Out by eth0.20, tagged 20, down the same trunk: br0 admits it on eth2 (a member of VLAN 20) and can send it only to VLAN 20’s ports, so it leaves eth1 untagged for pc20.',
          zh: '从 eth0.20 发出，带标签 20，沿同一条 trunk 下行：br0 在 eth2 上接收它（eth2 属于 VLAN 20），只能转发给 VLAN 20 的端口，于是它不带标签地从 eth1 发给 pc20。',
        },
      },
      {
        step: 1,
        host: 'pc20',
        at: { chain: 'filter:INPUT' },
        text: {
          en: 'pc20 never sees a tag: an access port strips it (egress untagged). Its reply makes the same trip the other way, through the router.',
          zh: 'pc20 从不见到标签：access 端口出去时去掉了标签（egress untagged）。它的回应沿相反方向再走一遍，同样经过路由器。',
        },
      },
    ],
    tags: ['basics', 'routing'],
  },
  {
    id: 'gre-two-sites',
    scenario: scenario(greTwoSites),
    kernel: false,
    modelled: 'tunnel',
    title: { en: 'GRE tunnel between two sites', zh: '两个站点之间的 GRE 隧道' },
    summary: { en: 'ip tunnel add tun0 mode gre remote 203.0.113.5 local 198.51.100.2', zh: 'ip tunnel add tun0 mode gre remote 203.0.113.5 local 198.51.100.2' },
    explanation: {
      en: 'Each site router routes the other site\'s LAN into tun0. A packet routed to tun0 is wrapped in an outer IP header (protocol 47, GRE) from 198.51.100.2 to 203.0.113.5, and that outer packet makes its own walk through OUTPUT and POSTROUTING; the ISP in between only ever forwards the outer packet. On the far router INPUT sees the outer packet (-p gre), then the inner one is received again on tun0 and forwarded (-i tun0). The outer TTL is copied from the inner packet (ttl inherit) and tun0\'s MTU is 1500 − 24 = 1476. Modelled from kernel source (net/ipv4/ip_gre.c, ip_tunnel.c): this machine\'s kernel has no GRE.',
      zh: '每台站点路由器都把对端站点的局域网路由进 tun0。被路由到 tun0 的数据包会被套上一层外层 IP 头（协议号 47，GRE），从 198.51.100.2 发往 203.0.113.5，这个外层数据包自己再走一遍 OUTPUT 和 POSTROUTING；中间的 ISP 只转发外层数据包。在对端路由器上，INPUT 先看到外层数据包（-p gre），随后内层数据包在 tun0 上被再次接收并转发（-i tun0）。外层 TTL 复制自内层数据包（ttl inherit），tun0 的 MTU 是 1500 − 24 = 1476。依据内核源码建模（net/ipv4/ip_gre.c、ip_tunnel.c）：本机内核没有 GRE。',
    },
    lookHere: [
      { step: 1, host: 'sitea', packet: 1, at: { note: 'tunnel' }, text: { en: 'tun0 wraps the forwarded SYN: outer header 198.51.100.2 → 203.0.113.5, protocol 47 (GRE), TTL copied from the inner packet.', zh: 'tun0 封装转发来的 SYN：外层头 198.51.100.2 → 203.0.113.5，协议号 47（GRE），TTL 复制自内层数据包。' } },
      { step: 1, host: 'sitea', packet: 2, at: { chain: 'mangle:POSTROUTING' }, text: { en: 'The outer GRE packet walks OUTPUT and POSTROUTING on its own (OUT=eth1); the ISP only ever sees this one.', zh: '外层 GRE 数据包自己走完 OUTPUT 和 POSTROUTING（OUT=eth1）；ISP 只看得到这个数据包。' } },
      { step: 1, host: 'siteb', packet: 1, at: { chain: 'filter:INPUT' }, text: { en: 'INPUT sees the outer packet: -p gre -s 198.51.100.2 matches it, ACCEPT.', zh: 'INPUT 看到的是外层数据包：-p gre -s 198.51.100.2 匹配它，ACCEPT。' } },
      { step: 1, host: 'siteb', packet: 1, at: { note: 'tunnel' }, text: { en: 'Decapsulated: the inner SYN is received again, on tun0.', zh: '解封装：内层 SYN 在 tun0 上被再次接收。' } },
      { step: 1, host: 'siteb', packet: 2, at: { chain: 'filter:FORWARD' }, text: { en: 'The inner SYN is forwarded with IN=tun0: -i tun0 -p tcp --dport 80 matches it, ACCEPT.', zh: '内层 SYN 以 IN=tun0 被转发：-i tun0 -p tcp --dport 80 匹配它，ACCEPT。' } },
    ],
    tags: ['routing'],
  },
  {
    id: 'vxlan-route-to-lan-behind',
    scenario: scenario(vxlanRoute),
    title: { en: 'VXLAN to the LAN behind a site', zh: '经 VXLAN 访问对端站点后面的局域网' },
    summary: { en: 'ip link add vxlan0 type vxlan id 42 remote 10.0.0.2 local 10.0.0.1 dstport 4789 dev eth0', zh: 'ip link add vxlan0 type vxlan id 42 remote 10.0.0.2 local 10.0.0.1 dstport 4789 dev eth0' },
    explanation: {
      en: 'VXLAN carries Ethernet frames in UDP (port 4789, VNI 42). a routes 192.168.200.0/24 via 192.168.100.2 into vxlan0, so even the ARP request for that next hop rides in UDP first; then the SYN does. b\'s VXLAN socket takes each outer packet after INPUT and hands the inner frame to vxlan0, where the SYN is forwarded with IN=vxlan0 to the LAN. vxlan0 made over eth0 has MTU 1500 − 50 = 1450, so a\'s SYN offers MSS 1410. Recorded on this machine\'s kernel.',
      zh: 'VXLAN 把以太网帧装进 UDP（端口 4789，VNI 42）。a 把 192.168.200.0/24 经 192.168.100.2 路由进 vxlan0，所以连这个下一跳的 ARP 请求都要先装进 UDP 发出去，然后才轮到 SYN。b 的 VXLAN 套接字在 INPUT 之后接收每个外层数据包，把内层帧交给 vxlan0，SYN 再以 IN=vxlan0 被转发到局域网。建在 eth0 上的 vxlan0 的 MTU 是 1500 − 50 = 1450，所以 a 的 SYN 通告 MSS 1410。已在本机内核上录制核对。',
    },
    lookHere: [
      { step: 1, host: 'a', packet: 1, at: { note: 'tunnel' }, text: { en: 'The SYN leaves by vxlan0: the tunnel wraps it in UDP to 10.0.0.2 port 4789, VNI 42.', zh: 'SYN 从 vxlan0 发出：隧道把它装进发往 10.0.0.2 端口 4789 的 UDP，VNI 42。' } },
      { step: 1, host: 'a', packet: 2, at: { chain: 'raw:OUTPUT' }, text: { en: 'Before the SYN, ARP rides in the tunnel too: this outer UDP packet carries the request for 192.168.100.2.', zh: '在 SYN 之前，ARP 也走隧道：这个外层 UDP 数据包里装的是对 192.168.100.2 的请求。' } },
      { step: 1, host: 'b', packet: 3, at: { note: 'tunnel' }, text: { en: 'b\'s VXLAN socket takes the outer packet after INPUT and hands the inner frame to vxlan0.', zh: 'b 的 VXLAN 套接字在 INPUT 之后接收外层数据包，把内层帧交给 vxlan0。' } },
      { step: 1, host: 'b', packet: 4, at: { chain: 'filter:FORWARD' }, text: { en: 'The inner SYN is forwarded with IN=vxlan0 to the LAN behind b.', zh: '内层 SYN 以 IN=vxlan0 被转发到 b 后面的局域网。' } },
    ],
    tags: ['routing'],
  },
];

/**
 * Examples of the source notes that wait for the IPVS engine (issue 6). They
 * are listed, not faked: each becomes a GALLERY entry, with an IPVS golden
 * case, once the engine can run it.
 */
/** Examples still waiting for an engine feature (none: the IPVS ones are in GALLERY). */
export const GALLERY_TODO: readonly { id: string; title: I18nText; waitsFor: 'ipvs-engine' }[] = [];
