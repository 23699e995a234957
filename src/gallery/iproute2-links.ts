// pattern: Functional Core
// The gallery's lessons on iproute2's link half (the source notes' `ip addr
// add/del` with several addresses, `ip link set eth0 mtu`, `ip neigh`, `ip
// netns`): each scenario is one of the oracle cases recorded for it
// (src/engine/__fixtures__/oracle/, byte-identical), so what a lesson says is
// what Linux did. A namespace inside a host is shown as the oracle records
// it: one more host joined to its host by a veth pair.

import type { Case } from '../engine/scenario/case';
import type { GalleryEntry } from './index';
import addr01 from './scenarios/addr-01-several-addresses-one-interface.json';
import mtu01 from './scenarios/mtu-01-router-leg-mtu.json';
import neigh03 from './scenarios/neigh-03-failed-resolution-host-unreachable.json';
import ns01 from './scenarios/ns-01-namespace-veth-to-host.json';

const scenario = (json: unknown): Case => json as Case;

export const IPROUTE2_LINK_LESSONS: readonly GalleryEntry[] = [
  {
    id: 'addr-01-several-addresses-one-interface',
    scenario: scenario(addr01),
    title: { en: 'Several addresses on one interface', zh: '一块网卡上的多个地址' },
    summary: {
      en: 'ip addr add twice on eth0, a second subnet with label eth0:1, and ip addr del.',
      zh: '在 eth0 上两次 ip addr add，用 label eth0:1 加第二个子网，再用 ip addr del 删除一个。',
    },
    explanation: {
      en: 'The server holds 10.40.0.5/24, then 10.40.0.6/24: the second address of the same subnet is secondary and adds no route of its own. 10.41.0.5/24 with label eth0:1 is the primary of another subnet, with its own connected route. Every address answers ARP and ping; a reply leaves from the address that was asked, and the server\'s own packets take the source of the subnet they go to (the route\'s src). The address removed with ip addr del is gone: nobody answers ARP for it.',
      zh: '服务器先有 10.40.0.5/24，再加 10.40.0.6/24：同一子网的第二个地址是 secondary（从地址），不会再添加自己的路由。带 label eth0:1 的 10.41.0.5/24 是另一个子网的主地址，有自己的直连路由。每个地址都应答 ARP 和 ping；回复从被询问的那个地址发出，服务器自己发出的数据包使用目的子网对应的源地址（路由的 src）。用 ip addr del 删掉的地址已经不在了：没有人为它应答 ARP。',
    },
    lookHere: [
      { step: 2, host: 'server', packet: 2, at: { note: 'route', stage: 'output' }, text: { en: 'The echo reply leaves from 10.40.0.6, the secondary address the client asked for.', zh: 'echo reply 从 10.40.0.6 发出，也就是客户端询问的那个 secondary 地址。' } },
      { step: 4, host: 'client', at: { note: 'arp' }, text: { en: 'ip addr del removed 10.40.0.7: the ARP request for it goes unanswered.', zh: 'ip addr del 删除了 10.40.0.7：对它的 ARP 请求没有人应答。' } },
      { step: 6, host: 'server', at: { note: 'route', stage: 'output' }, text: { en: 'Towards 10.41.0.0/24 the server uses 10.41.0.5, the src of the eth0:1 subnet\'s route.', zh: '发往 10.41.0.0/24 时，服务器使用 10.41.0.5，即 eth0:1 子网路由的 src。' } },
    ],
    tags: ['basics', 'routing'],
  },
  {
    id: 'mtu-01-router-leg-mtu',
    scenario: scenario(mtu01),
    title: { en: 'MTU: ip link set eth1 mtu 1400', zh: '设置 MTU：ip link set eth1 mtu 1400' },
    summary: {
      en: 'A link with a smaller MTU: the router answers fragmentation needed, and the sender remembers the path MTU.',
      zh: 'MTU 较小的链路：路由器回复 fragmentation needed，发送方记住路径 MTU。',
    },
    explanation: {
      en: 'The router\'s eth1 has MTU 1400. A 1428-byte ping does not fit: before FORWARD, ip_forward finds the packet too big with DF set and answers ICMP fragmentation needed (mtu 1400). The client learns the path MTU, so its next 1428-byte datagram with DF is refused at home: the client sends the ICMP error to itself and the send fails with EMSGSIZE. A datagram of exactly 1400 bytes passes.',
      zh: '路由器的 eth1 的 MTU 是 1400。1428 字节的 ping 放不下：在 FORWARD 之前，ip_forward 发现数据包过大且设置了 DF，于是回复 ICMP fragmentation needed（mtu 1400）。客户端学到了路径 MTU，因此它下一个带 DF 的 1428 字节数据报在本机就被拒绝：客户端把 ICMP 错误发给自己，发送以 EMSGSIZE 失败。正好 1400 字节的数据报可以通过。',
    },
    lookHere: [
      { step: 1, host: 'router', at: { end: true }, text: { en: 'Too big for eth1 (MTU 1400) with DF: dropped before FORWARD, fragmentation needed goes back.', zh: '对 eth1（MTU 1400）来说过大且带 DF：在 FORWARD 之前被丢弃，回复 fragmentation needed。' } },
      { step: 2, host: 'client', at: { end: true }, text: { en: 'The learned path MTU stops the datagram at the sender itself: EMSGSIZE.', zh: '学到的路径 MTU 让数据报在发送方本机就被拦下：EMSGSIZE。' } },
      { step: 3, host: 'router', at: { note: 'transmit' }, text: { en: '1400 bytes fit exactly: forwarded out of eth1.', zh: '1400 字节正好放得下：从 eth1 转发出去。' } },
    ],
    tags: ['routing', 'troubleshooting'],
  },
  {
    id: 'neigh-03-failed-resolution-host-unreachable',
    scenario: scenario(neigh03),
    title: { en: 'Neighbour table and ARP', zh: '邻居表与 ARP' },
    summary: {
      en: 'ARP request and reply before a packet leaves; a next hop nobody answers ends in FAILED and ICMP host unreachable.',
      zh: '数据包发出前的 ARP 请求和应答；没有人应答的下一跳以 FAILED 和 ICMP host unreachable 告终。',
    },
    explanation: {
      en: 'Before a host puts a packet on Ethernet it needs the next hop\'s MAC from its neighbour table (ip neigh show). Without a valid entry the packet waits in an INCOMPLETE entry while an ARP request is broadcast; the reply makes the entry REACHABLE and the packet leaves. For 10.88.0.99 nobody answers: after three probes a second apart the entry is FAILED, the waiting packet is dropped and the router sends ICMP host unreachable to its source. The router\'s own UDP socket gets the same error from itself, which a UDP socket without IP_RECVERR does not report: the step times out.',
      zh: '主机把数据包放到以太网上之前，需要从邻居表（ip neigh show）里取得下一跳的 MAC。没有有效条目时，数据包在 INCOMPLETE 条目中等待，同时广播 ARP 请求；应答到来后条目变为 REACHABLE，数据包发出。10.88.0.99 没有人应答：三次间隔一秒的探测之后条目变为 FAILED，等待的数据包被丢弃，路由器向其源地址发送 ICMP host unreachable。路由器自己的 UDP socket 也从本机收到同样的错误，而没有 IP_RECVERR 的 UDP socket 不报告它：这一步超时。',
    },
    lookHere: [
      { step: 1, host: 'router', at: { note: 'arp' }, text: { en: 'No entry for 10.88.0.99: the packet waits (INCOMPLETE) while the router asks who-has 10.88.0.99.', zh: '没有 10.88.0.99 的条目：数据包等待（INCOMPLETE），路由器发出 ARP 询问 who-has 10.88.0.99。' } },
      { step: 1, host: 'router', at: { end: true }, text: { en: 'Three probes unanswered: FAILED, the packet is dropped and ICMP host unreachable goes to 100.64.1.10.', zh: '三次探测都没有应答：FAILED，数据包被丢弃，ICMP host unreachable 发往 100.64.1.10。' } },
      { step: 3, host: 'router', at: { note: 'arp' }, text: { en: 'The server answers this ARP request: the entry becomes REACHABLE and the ping goes on.', zh: '服务器应答了这次 ARP 请求：条目变为 REACHABLE，ping 继续前进。' } },
    ],
    tags: ['basics', 'troubleshooting'],
  },
  {
    id: 'ns-01-namespace-veth-to-host',
    scenario: scenario(ns01),
    title: { en: 'A namespace with a veth to its host', zh: '通过 veth 连到宿主机的网络命名空间' },
    summary: {
      en: 'ip netns add app and a veth pair: the namespace has its own routes and its own iptables, its host forwards for it.',
      zh: 'ip netns add app 加一对 veth：命名空间有自己的路由和自己的 iptables，宿主机为它转发。',
    },
    explanation: {
      en: 'On web, ip netns add app, ip link add veth0 type veth peer name veth1 and ip link set veth1 netns app make a second network stack joined to the first by a veth pair. It is shown here as the kernel case records it: app is one more host, linked to web by veth0–veth1. A packet from the client crosses web\'s PREROUTING, FORWARD and POSTROUTING, then starts again in app\'s own PREROUTING and INPUT, where app\'s own rule rejects tcp/23; web\'s iptables never sees that decision.',
      zh: '在 web 上执行 ip netns add app、ip link add veth0 type veth peer name veth1 和 ip link set veth1 netns app，得到第二个网络栈，两者由一对 veth 相连。这里按内核用例记录的方式展示：app 是又一台主机，通过 veth0–veth1 连到 web。来自客户端的数据包经过 web 的 PREROUTING、FORWARD 和 POSTROUTING，然后在 app 自己的 PREROUTING 和 INPUT 中重新开始，app 自己的规则在那里拒绝 tcp/23；web 的 iptables 看不到这个决定。',
    },
    lookHere: [
      { step: 1, host: 'web', at: { note: 'ttl' }, text: { en: 'web forwards towards its namespace like any router: TTL − 1, out of veth0.', zh: 'web 像普通路由器一样向它的命名空间转发：TTL − 1，从 veth0 发出。' } },
      { step: 3, host: 'app', at: { chain: 'filter:INPUT' }, text: { en: 'app\'s own filter INPUT rejects tcp/23 with a reset: a separate netfilter stack.', zh: 'app 自己的 filter INPUT 用 reset 拒绝 tcp/23：这是一套独立的 netfilter。' } },
      { step: 4, host: 'app', at: { note: 'route', stage: 'output' }, text: { en: 'The namespace routes by its own table: default via 10.200.0.1, its host.', zh: '命名空间按自己的路由表选路：default via 10.200.0.1，也就是它的宿主机。' } },
    ],
    tags: ['basics', 'docker'],
  },
];
