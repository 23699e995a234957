// pattern: Functional Core
// Unit 3, connection tracking: replies come back as ESTABLISHED, ICMP errors
// about a connection as RELATED, and a stateful firewall accepts those while
// refusing new connections from outside (cases 11-conntrack-established,
// g11-established-survives-drop).

import type { Choice } from '../types';
import { answer, define, host, sol, t, tcp, twoOf, udp, LANS, WANS, type Variant } from './kit';

/** lan host — router — wan host, the router forwarding. */
function routed(v: Variant, routerSetup: string[] = []) {
  const lan = v.pick(LANS);
  const wan = v.pick(WANS);
  const [c, r, s] = v.distinct(3, 2, 99);
  const a = { client: `${lan}.${c}`, routerLan: `${lan}.${r}`, routerWan: `${wan}.${r}`, server: `${wan}.${s}`, lan: `${lan}.0/24` };
  const start = {
    hosts: [
      host('client', `ip addr add ${a.client}/24 dev eth0`, `ip route add default via ${a.routerLan}`),
      host('router', `ip addr add ${a.routerLan}/24 dev eth0`, `ip addr add ${a.routerWan}/24 dev eth1`, 'sysctl -w net.ipv4.ip_forward=1', ...routerSetup),
      host('server', `ip addr add ${a.server}/24 dev eth0`, `ip route add default via ${a.routerWan}`),
    ],
    links: [['client:eth0', 'router:eth0'], ['router:eth1', 'server:eth0']] as [string, string][],
  };
  return { a, start };
}

const ESTABLISHED = '-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT';

export const conntrackChallenges = [
  define('established-replies', 'conntrack', 'easy', t('Let the replies back in', '让回应包进来'), (v) => {
    const [lan] = twoOf(v, LANS);
    const [c, s] = v.distinct(2, 2, 99);
    const a = { client: `${lan}.${c}`, server: `${lan}.${s}` };
    const port = v.pick([80, 443, 8080]);
    return {
      start: {
        hosts: [host('client', `ip addr add ${a.client}/24 dev eth0`, 'iptables -A INPUT -i lo -j ACCEPT', 'iptables -P INPUT DROP'), host('server', `ip addr add ${a.server}/24 dev eth0`)],
        links: [['client:eth0', 'server:eth0']],
        listeners: [
          { host: 'server', proto: 'tcp', port },
          { host: 'client', proto: 'tcp', port: 22 },
        ],
      },
      host: 'client',
      tools: { programs: ['iptables'], budget: 1 },
      kernel: true,
      task: t(
        `The client drops everything arriving, so it cannot even open ${a.server}:${port}: the server’s SYN-ACK is dropped. Let the answers to the client’s own connections in, and nothing else (the server must still not reach the client’s SSH).`,
        `客户端丢弃所有进入的包，连 ${a.server}:${port} 都打不开：服务器的 SYN-ACK 被丢了。只放行客户端自己发起的连接的回应（服务器仍不能连到客户端的 SSH）。`,
      ),
      hints: [t('conntrack marks the answers of a connection ESTABLISHED.', '连接跟踪把一个连接的回应标为 ESTABLISHED。'), t('-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT in INPUT.', '在 INPUT 里用 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT。')],
      probes: [
        { step: tcp('client', a.server, port), label: t('the client opens a connection', '客户端发起连接') },
        { step: tcp('server', a.client, 22), label: t('the server tries the client’s SSH', '服务器尝试连接客户端的 SSH') },
      ],
      goals: [
        { kind: 'outcome', probe: 1, outcome: 'established' },
        { kind: 'ct_state', pick: { probe: 1, reply: true, host: 'client' }, state: 'ESTABLISHED' },
        { kind: 'dropped', pick: { probe: 2 }, at: { host: 'client', table: 'filter', chain: 'INPUT', rule: 'policy' } },
      ],
      solution: sol(['client', `iptables -A INPUT ${ESTABLISHED}`]),
      wrong: [
        { text: sol(['client', `iptables -A OUTPUT ${ESTABLISHED}`]), mistake: t('the answers arrive: they pass INPUT, not OUTPUT', '回应是进入的包：经过 INPUT，而不是 OUTPUT'), fails: 0 },
        { text: sol(['client', `iptables -A INPUT -s ${a.server} -j ACCEPT`]), mistake: t('accepting the server’s address opens new connections from it too', '放行服务器地址也放行了它发起的新连接'), fails: 2 },
      ],
    };
  }),
  define('ct-state-predict', 'conntrack', 'easy', t('What does conntrack call the answer?', '连接跟踪把回应叫作什么？'), (v) => {
    const { a, start } = routed(v);
    const states: Choice[] = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID'].map((s) => ({ id: s, label: t(s, s) }));
    return {
      start: { ...start, options: { conntrack: 'on' }, listeners: [{ host: 'server', proto: 'udp', port: 53 }] },
      host: 'router',
      tools: { programs: [], budget: 0 },
      kernel: true,
      task: t(`The client sends a UDP query to ${a.server}:53 and the server answers. Which conntrack state does the router give the answer?`, `客户端向 ${a.server}:53 发送 UDP 查询，服务器回应。路由器的连接跟踪给这个回应什么状态？`),
      hints: [t('The answer is the first packet of the reply direction.', '回应是应答方向上的第一个包。')],
      probes: [{ step: udp('client', a.server, 53), label: t('a DNS query', '一个 DNS 查询') }],
      choices: v.shuffle(states),
      goals: [{ kind: 'answer', question: { kind: 'ct-state', pick: { probe: 1, reply: true, host: 'router' } } }],
      solution: answer('ESTABLISHED'),
      wrong: [
        { text: answer('NEW'), mistake: t('NEW is only the first packet of the original direction', 'NEW 只是原方向的第一个包'), fails: 0 },
        { text: answer('RELATED'), mistake: t('RELATED is another connection tied to this one (an ICMP error, an FTP data channel)', 'RELATED 是与之关联的另一个连接（ICMP 错误、FTP 数据通道）'), fails: 0 },
      ],
    };
  }),
  define('stateful-router', 'conntrack', 'medium', t('A stateful router', '有状态的路由器'), (v) => {
    const port = v.pick([80, 443]);
    const { a, start } = routed(v, ['iptables -P FORWARD DROP']);
    return {
      start: { ...start, listeners: [{ host: 'server', proto: 'tcp', port }, { host: 'client', proto: 'tcp', port: 22 }] },
      host: 'router',
      tools: { programs: ['iptables'], budget: 2 },
      kernel: true,
      task: t(
        `The router’s FORWARD policy is DROP. Let the LAN (eth0) open connections to the internet (eth1) and get their answers, but let no connection start from the internet.`,
        `路由器 FORWARD 的默认策略是 DROP。允许局域网（eth0）向互联网（eth1）发起连接并收到回应，但不允许从互联网发起任何连接。`,
      ),
      hints: [t('Two rules: new connections from eth0 to eth1, and everything ESTABLISHED or RELATED.', '两条规则：eth0 到 eth1 的新连接，以及所有 ESTABLISHED 或 RELATED 的包。')],
      probes: [
        { step: tcp('client', a.server, port), label: t('LAN to internet', '局域网到互联网') },
        { step: tcp('server', a.client, 22), label: t('internet to LAN', '互联网到局域网') },
      ],
      goals: [
        { kind: 'outcome', probe: 1, outcome: 'established' },
        { kind: 'ct_state', pick: { probe: 1, reply: true, host: 'router' }, state: 'ESTABLISHED' },
        { kind: 'dropped', pick: { probe: 2 }, at: { host: 'router', table: 'filter', chain: 'FORWARD', rule: 'policy' } },
      ],
      solution: sol(['router', 'iptables -A FORWARD -i eth0 -o eth1 -j ACCEPT', `iptables -A FORWARD ${ESTABLISHED}`]),
      wrong: [
        { text: sol(['router', 'iptables -A FORWARD -i eth0 -o eth1 -j ACCEPT']), mistake: t('without ESTABLISHED the answers from the internet hit the policy', '没有 ESTABLISHED 规则，互联网来的回应撞上默认策略'), fails: 0 },
        { text: sol(['router', 'iptables -A FORWARD -i eth0 -j ACCEPT', 'iptables -A FORWARD -i eth1 -j ACCEPT']), mistake: t('accepting everything from eth1 lets the internet start connections', '放行 eth1 的所有包，互联网就能发起连接'), fails: 2 },
      ],
    };
  }),
  define('related-icmp', 'conntrack', 'hard', t('ICMP errors are RELATED', 'ICMP 错误是 RELATED'), (v) => {
    const port = v.pick([53, 123, 514]);
    const { a, start } = routed(v, ['iptables -P FORWARD DROP', 'iptables -A FORWARD -i eth0 -o eth1 -j ACCEPT']);
    const lanPing = { from: 'server', ping: a.client };
    return {
      start,
      host: 'router',
      tools: { programs: ['iptables'], budget: 1 },
      kernel: true,
      task: t(
        `Nothing listens on ${a.server}:${port}/udp, so the server answers the client’s datagram with an ICMP port unreachable, but the router drops it and the client never learns. With one rule, let such errors reach the client, without letting the internet ping into the LAN.`,
        `${a.server}:${port}/udp 上没有程序监听，服务器用 ICMP 端口不可达回应客户端的数据报，但路由器把它丢了，客户端无从得知。用一条规则让这类错误到达客户端，同时不允许互联网 ping 进局域网。`,
      ),
      hints: [t('conntrack ties the ICMP error to the UDP connection it is about: state RELATED.', '连接跟踪把 ICMP 错误和它所说的 UDP 连接关联起来：状态 RELATED。')],
      probes: [
        { step: udp('client', a.server, port), label: t('a datagram to a closed port', '发往未开放端口的数据报') },
        { step: lanPing, label: t('the internet pings the client', '互联网 ping 客户端') },
      ],
      goals: [
        { kind: 'outcome', probe: 1, outcome: 'refused' },
        { kind: 'ct_state', pick: { probe: 1, reply: true, host: 'router' }, state: 'RELATED' },
        { kind: 'dropped', pick: { probe: 2 }, at: { host: 'router', table: 'filter', chain: 'FORWARD', rule: 'policy' } },
      ],
      solution: sol(['router', 'iptables -A FORWARD -m conntrack --ctstate RELATED -j ACCEPT']),
      wrong: [
        { text: sol(['router', 'iptables -A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT']), mistake: t('the ICMP error is not ESTABLISHED but RELATED', 'ICMP 错误不是 ESTABLISHED，而是 RELATED'), fails: 0 },
        { text: sol(['router', 'iptables -A FORWARD -p icmp -j ACCEPT']), mistake: t('accepting all ICMP lets the internet ping the LAN', '放行所有 ICMP 让互联网能 ping 进局域网'), fails: 2 },
      ],
    };
  }),
];
