// pattern: Functional Core
// Unit 5, routing and policy routing: the longest prefix wins, a host needs
// a route back, `ip rule` picks the table before the table picks the route
// (by source or by the mark mangle PREROUTING set before the routing
// decision), and rp_filter checks the route back to a packet’s source
// (cases 28-mangle-mark-policy-routing, g07-policy-routing, g14-rp-filter).

import type { Choice } from '../types';
import { answer, define, host, ping, sol, t, tcp, LANS, WANS, type Variant } from './kit';

/** client — router — server, the client without a default route. */
function noDefault(v: Variant) {
  const lan = v.pick(LANS);
  const wan = v.pick(WANS);
  const [c, r, s] = v.distinct(3, 2, 99);
  const a = { client: `${lan}.${c}`, routerLan: `${lan}.${r}`, routerWan: `${wan}.${r}`, server: `${wan}.${s}`, wanNet: `${wan}.0/24` };
  const start = {
    hosts: [
      host('client', `ip addr add ${a.client}/24 dev eth0`),
      host('router', `ip addr add ${a.routerLan}/24 dev eth0`, `ip addr add ${a.routerWan}/24 dev eth1`, 'sysctl -w net.ipv4.ip_forward=1'),
      host('server', `ip addr add ${a.server}/24 dev eth0`, `ip route add default via ${a.routerWan}`),
    ],
    links: [['client:eth0', 'router:eth0'], ['router:eth1', 'server:eth0']] as [string, string][],
    listeners: [{ host: 'server', proto: 'tcp' as const, port: 80 }],
  };
  return { a, start };
}

/** client — r1 — r2 — server: r1 does not know the server’s network. */
function twoRouters(v: Variant) {
  const [n1, n2, n3] = v.shuffle(['10.1.1', '10.2.2', '10.3.3', '172.20.1']).slice(0, 3) as [string, string, string];
  const [c, r, s] = v.distinct(3, 2, 99);
  const a = { client: `${n1}.${c}`, r1a: `${n1}.1`, r1b: `${n2}.1`, r2a: `${n2}.2`, r2b: `${n3}.1`, server: `${n3}.${s}`, net3: `${n3}.0/24`, r };
  const start = {
    hosts: [
      host('client', `ip addr add ${a.client}/24 dev eth0`, `ip route add default via ${a.r1a}`),
      host('r1', `ip addr add ${a.r1a}/24 dev eth0`, `ip addr add ${a.r1b}/24 dev eth1`, 'sysctl -w net.ipv4.ip_forward=1'),
      host('r2', `ip addr add ${a.r2a}/24 dev eth0`, `ip addr add ${a.r2b}/24 dev eth1`, 'sysctl -w net.ipv4.ip_forward=1', `ip route add default via ${a.r1b}`),
      host('server', `ip addr add ${a.server}/24 dev eth0`, `ip route add default via ${a.r2b}`),
    ],
    links: [['client:eth0', 'r1:eth0'], ['r1:eth1', 'r2:eth0'], ['r2:eth1', 'server:eth0']] as [string, string][],
  };
  return { a, start };
}

/**
 * A server with two uplinks: eth0 to isp1 (its default route), eth1 to
 * isp2, behind which the client sits. Strict rp_filter is on.
 */
function multihomed(v: Variant) {
  const [n1, n2, nc] = v.shuffle(['198.51.100', '203.0.113', '192.0.2']) as [string, string, string];
  const [s, g, c] = v.distinct(3, 10, 99);
  const a = { s1: `${n1}.${s}`, gw1: `${n1}.1`, s2: `${n2}.${s}`, gw2: `${n2}.1`, client: `${nc}.${c}`, gwc: `${nc}.1`, g };
  const start = {
    rt_tables: { isp2: 100 },
    hosts: [
      host('client', `ip addr add ${a.client}/24 dev eth0`, `ip route add default via ${a.gwc}`),
      host('isp2', `ip addr add ${a.gwc}/24 dev eth0`, `ip addr add ${a.gw2}/24 dev eth1`, 'sysctl -w net.ipv4.ip_forward=1'),
      host('isp1', `ip addr add ${a.gw1}/24 dev eth0`),
      host('server', `ip addr add ${a.s1}/24 dev eth0`, `ip addr add ${a.s2}/24 dev eth1`, `ip route add default via ${a.gw1}`, 'sysctl -w net.ipv4.conf.all.rp_filter=1'),
    ],
    links: [['client:eth0', 'isp2:eth0'], ['isp2:eth1', 'server:eth1'], ['isp1:eth0', 'server:eth0']] as [string, string][],
    listeners: [{ host: 'server', proto: 'tcp' as const, port: 80 }],
  };
  return { a, start };
}

/** client — router with two uplinks (isp1 default on eth1, isp2 on eth2). */
function twoUplinks(v: Variant) {
  const lan = v.pick(LANS);
  const [u1, u2] = v.shuffle(['100.64.1', '100.64.2', '100.64.9']) as [string, string];
  const far = v.pick(WANS);
  const [c, d] = v.distinct(2, 2, 99);
  const a = { client: `${lan}.${c}`, routerLan: `${lan}.1`, r1: `${u1}.2`, isp1: `${u1}.1`, r2: `${u2}.2`, isp2: `${u2}.1`, far: `${far}.${d}` };
  const start = {
    rt_tables: { web: 200 },
    hosts: [
      host('client', `ip addr add ${a.client}/24 dev eth0`, `ip route add default via ${a.routerLan}`),
      host('router', `ip addr add ${a.routerLan}/24 dev eth0`, `ip addr add ${a.r1}/24 dev eth1`, `ip addr add ${a.r2}/24 dev eth2`, 'sysctl -w net.ipv4.ip_forward=1', `ip route add default via ${a.isp1}`),
      host('isp1', `ip addr add ${a.isp1}/24 dev eth0`),
      host('isp2', `ip addr add ${a.isp2}/24 dev eth0`),
    ],
    links: [['client:eth0', 'router:eth0'], ['router:eth1', 'isp1:eth0'], ['router:eth2', 'isp2:eth0']] as [string, string][],
  };
  return { a, start };
}

export const routingChallenges = [
  define('default-route', 'routing', 'easy', t('A way out: the default route', '出口：默认路由'), (v) => {
    const { a, start } = noDefault(v);
    return {
      start,
      host: 'client',
      tools: { programs: ['ip'], budget: 1 },
      kernel: true,
      task: t(`The client (${a.client}) reaches its LAN but not ${a.server}. Give it a default route through the router (${a.routerLan}).`, `客户端（${a.client}）能访问局域网，却到不了 ${a.server}。给它加一条经路由器（${a.routerLan}）的默认路由。`),
      hints: [t('ip route add default via GATEWAY', 'ip route add default via 网关')],
      probes: [{ step: tcp('client', a.server, 80), label: t('the client opens the server', '客户端访问服务器') }],
      goals: [
        { kind: 'route', pick: { probe: 1, host: 'client' }, table: 'main', oif: 'eth0' },
        { kind: 'outcome', probe: 1, outcome: 'established' },
      ],
      solution: sol(['client', `ip route add default via ${a.routerLan}`]),
      wrong: [
        { text: sol(['client', 'ip route add 10.99.0.0/16 via ' + a.routerLan]), mistake: t('a route to another network does not cover the server', '到别的网络的路由覆盖不到服务器'), fails: 0 },
        { text: sol(['client', 'ip route add default dev eth0']), mistake: t('without a gateway the client asks the LAN for the server’s MAC, and nobody answers', '没有网关，客户端在局域网里询问服务器的 MAC，没人回答'), fails: 1 },
      ],
    };
  }),
  define('longest-prefix', 'routing', 'easy', t('The longest prefix wins', '最长前缀优先'), (v) => {
    const lan = v.pick(LANS);
    const host3 = v.int(2, 250);
    const a = { client: `${lan}.10`, router: `${lan}.1` };
    const start = {
      hosts: [
        host('client', `ip addr add ${a.client}/24 dev eth0`, `ip route add default via ${a.router}`),
        host(
          'router',
          `ip addr add ${a.router}/24 dev eth0`,
          'ip addr add 100.64.1.2/24 dev eth1',
          'ip addr add 100.64.2.2/24 dev eth2',
          'sysctl -w net.ipv4.ip_forward=1',
          'ip route add 10.0.0.0/8 via 100.64.1.1',
          'ip route add 10.1.0.0/16 via 100.64.2.1',
          'ip route add default via 100.64.1.1',
        ),
        host('up1', 'ip addr add 100.64.1.1/24 dev eth0'),
        host('up2', 'ip addr add 100.64.2.1/24 dev eth0'),
      ],
      links: [['client:eth0', 'router:eth0'], ['router:eth1', 'up1:eth0'], ['router:eth2', 'up2:eth0']] as [string, string][],
    };
    const ifaces: Choice[] = v.shuffle(['eth0', 'eth1', 'eth2']).map((i) => ({ id: i, label: t(i, i) }));
    return {
      start,
      host: 'router',
      tools: { programs: [], budget: 0 },
      kernel: true,
      task: t(`The router has routes for 10.0.0.0/8 (via eth1), 10.1.0.0/16 (via eth2) and a default (via eth1). Which interface does a ping from the client to 10.1.7.${host3} leave the router by?`, `路由器有 10.0.0.0/8（经 eth1）、10.1.0.0/16（经 eth2）和默认路由（经 eth1）。客户端 ping 10.1.7.${host3}，包从路由器的哪个接口出去？`),
      hints: [t('Of all routes that cover the destination, the most specific (the longest prefix) decides.', '在所有覆盖目的地址的路由中，最具体的（前缀最长的）说了算。')],
      probes: [{ step: ping('client', `10.1.7.${host3}`), label: t('a ping into 10.1.0.0/16', 'ping 10.1.0.0/16 中的地址') }],
      choices: ifaces,
      goals: [{ kind: 'answer', question: { kind: 'oif', pick: { probe: 1, host: 'router' } } }],
      solution: answer('eth2'),
      wrong: [
        { text: answer('eth1'), mistake: t('/16 is more specific than /8: the order routes were added in does not matter', '/16 比 /8 更具体：路由添加的先后无关紧要'), fails: 0 },
        { text: answer('eth0'), mistake: t('the packet came in by eth0 and is forwarded elsewhere', '包从 eth0 进来，被转发到别处'), fails: 0 },
      ],
    };
  }),
  define('static-route', 'routing', 'medium', t('A route to the network behind the next router', '到下一台路由器后面网络的路由'), (v) => {
    const { a, start } = twoRouters(v);
    return {
      start,
      host: 'r1',
      tools: { programs: ['ip'], budget: 1 },
      kernel: true,
      task: t(`The client cannot ping ${a.server}: r1 does not know ${a.net3}, which sits behind r2 (${a.r2a}). Teach r1 the way.`, `客户端 ping 不通 ${a.server}：r1 不知道位于 r2（${a.r2a}）后面的 ${a.net3}。告诉 r1 怎么走。`),
      hints: [t('r1 itself must route the packet: the route belongs on r1, via r2’s address on their shared link.', '是 r1 自己要路由这个包：路由加在 r1 上，经由 r2 在两者共享链路上的地址。')],
      probes: [{ step: ping('client', a.server), label: t('ping across both routers', '穿过两台路由器 ping') }],
      goals: [
        { kind: 'route', pick: { probe: 1, host: 'r1' }, table: 'main', oif: 'eth1' },
        { kind: 'outcome', probe: 1, outcome: 'reply' },
      ],
      solution: sol(['r1', `ip route add ${a.net3} via ${a.r2a}`]),
      wrong: [
        { text: sol(['client', `ip route add ${a.net3} via ${a.r1a}`]), mistake: t('the client already sends it to r1: r1 is the one without a route', '客户端本来就发给 r1：缺路由的是 r1'), fails: 0 },
        { text: sol(['r1', `ip route add ${a.net3} dev eth1`]), mistake: t('without `via`, r1 asks for the server’s MAC on the link to r2, and nobody answers', '没有 via，r1 在通往 r2 的链路上询问服务器的 MAC，没人回答'), fails: 1 },
      ],
    };
  }),
  define('rp-filter-predict', 'routing', 'medium', t('Where does the spoofed packet end?', '伪造源地址的包在哪里结束？'), (v) => {
    const lan = v.pick(LANS);
    const wan = v.pick(WANS);
    const start = {
      hosts: [
        host('internet', `ip addr add ${wan}.10/24 dev eth0`, `ip route add default via ${wan}.1`),
        host('router', `ip addr add ${wan}.1/24 dev eth0`, `ip addr add ${lan}.1/24 dev eth1`, 'sysctl -w net.ipv4.ip_forward=1', 'sysctl -w net.ipv4.conf.all.rp_filter=1'),
        host('lan', `ip addr add ${lan}.10/24 dev eth0`, `ip route add default via ${lan}.1`),
      ],
      links: [['internet:eth0', 'router:eth0'], ['router:eth1', 'lan:eth0']] as [string, string][],
      listeners: [{ host: 'lan', proto: 'udp' as const, port: 53 }],
    };
    const spoofed = { from: 'internet', packet: { proto: 'udp' as const, src: `${lan}.99`, dst: `${lan}.10`, sport: 5353, dport: 53, data: 'spoofed' } };
    return {
      start,
      host: 'router',
      tools: { programs: [], budget: 0 },
      kernel: true,
      task: t(`With strict rp_filter on the router, a packet arrives from the internet on eth0 claiming the LAN source ${lan}.99. Where does its walk end?`, `路由器开启了严格的 rp_filter，一个从互联网经 eth0 到达的包自称来自局域网地址 ${lan}.99。它的旅程在哪里结束？`),
      hints: [t('rp_filter asks: would the route back to this source leave by the interface the packet came in on?', 'rp_filter 问的是：回到这个源地址的路由，是否从包进来的接口出去？')],
      probes: [{ step: spoofed, label: t('a spoofed datagram', '伪造的数据报') }],
      choices: v.shuffle<Choice>([
        { id: 'route reverse_path_filter', label: t('the routing decision drops it (reverse path filter)', '路由决策丢弃它（反向路径过滤）') },
        { id: 'drop filter FORWARD', label: t('filter FORWARD drops it', 'filter FORWARD 丢弃它') },
        { id: 'delivered lan', label: t('it reaches the LAN host', '它到达局域网主机') },
      ]),
      goals: [{ kind: 'answer', question: { kind: 'fate', pick: { probe: 1 } } }],
      solution: answer('route reverse_path_filter'),
      wrong: [
        { text: answer('delivered lan'), mistake: t('strict rp_filter drops it before it is forwarded', '严格的 rp_filter 在转发之前就丢弃了它'), fails: 0 },
        { text: answer('drop filter FORWARD'), mistake: t('the FORWARD chain is empty: the drop is the routing decision’s', 'FORWARD 链是空的：丢弃来自路由决策'), fails: 0 },
      ],
    };
  }),
  define('policy-routing-source', 'routing', 'hard', t('Policy routing by source, with rp_filter', '按源地址的策略路由，并保留 rp_filter'), (v) => {
    const { a, start } = multihomed(v);
    const table = `ip route add default via ${a.gw2} dev eth1 table isp2`;
    const rule = `ip rule add from ${a.s2} table isp2 pref 100`;
    return {
      start,
      host: 'server',
      tools: { programs: ['ip', 'sysctl'], budget: 3 },
      kernel: true,
      task: t(
        `The server has two uplinks: eth0 (${a.s1}, its default route via isp1) and eth1 (${a.s2}, via isp2 at ${a.gw2}). A client behind isp2 cannot connect to ${a.s2}: strict rp_filter drops the SYN because the route back leaves by eth0. Make traffic from ${a.s2} use isp2 (routing table "isp2"), keeping rp_filter at 1.`,
        `服务器有两条上行链路：eth0（${a.s1}，默认路由经 isp1）和 eth1（${a.s2}，经 isp2 的 ${a.gw2}）。isp2 后面的客户端连不上 ${a.s2}：严格的 rp_filter 丢弃了 SYN，因为回程路由从 eth0 出去。让来自 ${a.s2} 的流量走 isp2（路由表 "isp2"），rp_filter 保持为 1。`,
      ),
      hints: [
        t('A table of its own: ip route add default via … dev eth1 table isp2.', '单独的路由表：ip route add default via … dev eth1 table isp2。'),
        t('ip rule add from ADDRESS table isp2: the rule chooses the table by source, for the answers and for rp_filter’s check alike.', 'ip rule add from 地址 table isp2：这条规则按源地址选路由表，回应和 rp_filter 的检查都会用到。'),
      ],
      probes: [{ step: tcp('client', a.s2, 80), label: t('the client connects to eth1’s address', '客户端连接 eth1 的地址') }],
      goals: [
        { kind: 'outcome', probe: 1, outcome: 'established' },
        { kind: 'route', pick: { probe: 1, reply: true, host: 'server' }, pref: 100, table: 'isp2', oif: 'eth1' },
        { kind: 'sysctl', host: 'server', key: 'net.ipv4.conf.all.rp_filter', value: '1' },
      ],
      solution: sol(['server', table, rule]),
      wrong: [
        { text: sol(['server', 'sysctl -w net.ipv4.conf.all.rp_filter=0']), mistake: t('switching rp_filter off lets the SYN in, but the answer still leaves by eth0', '关掉 rp_filter 让 SYN 进来了，但回应仍从 eth0 出去'), fails: 1 },
        { text: sol(['server', table]), mistake: t('a table nobody looks up: without the ip rule, main still decides', '没有人查的路由表：没有 ip rule，仍由 main 决定'), fails: 0 },
      ],
    };
  }),
  define('fwmark-routing', 'routing', 'hard', t('Route web traffic by mark', '按标记路由网页流量'), (v) => {
    const { a, start } = twoUplinks(v);
    const mark = v.pick([1, 7, 42]);
    const rule = `ip rule add fwmark ${mark} table web pref 1000`;
    const route = `ip route add default via ${a.isp2} table web`;
    return {
      start,
      host: 'router',
      tools: { programs: ['iptables', 'ip'], budget: 3 },
      kernel: true,
      task: t(
        `The router’s default route uses isp1 (eth1). Send the LAN’s web traffic (TCP port 80) out through isp2 (eth2, gateway ${a.isp2}) by marking it with ${mark} and routing marked packets with table "web"; other traffic keeps using isp1.`,
        `路由器的默认路由走 isp1（eth1）。把局域网的网页流量（TCP 80 端口）标记为 ${mark}，用路由表 "web" 路由带标记的包，让它们从 isp2（eth2，网关 ${a.isp2}）出去；其他流量仍走 isp1。`,
      ),
      hints: [
        t('The mark must be set before the routing decision: mangle PREROUTING for forwarded packets.', '标记必须在路由决策之前设置：转发的包要在 mangle PREROUTING 里设。'),
        t('ip rule add fwmark N table web, and a default route in table web.', 'ip rule add fwmark N table web，再在 web 表里加默认路由。'),
      ],
      probes: [
        { step: tcp('client', a.far, 80), label: t('web traffic', '网页流量') },
        { step: tcp('client', a.far, 22), label: t('SSH', 'SSH') },
      ],
      goals: [
        { kind: 'route', pick: { probe: 1, host: 'router' }, pref: 1000, table: 'web', oif: 'eth2' },
        { kind: 'route', pick: { probe: 2, host: 'router' }, table: 'main', oif: 'eth1' },
      ],
      solution: sol(['router', `iptables -t mangle -A PREROUTING -i eth0 -p tcp --dport 80 -j MARK --set-mark ${mark}`, rule, route]),
      wrong: [
        { text: sol(['router', `iptables -t mangle -A POSTROUTING -p tcp --dport 80 -j MARK --set-mark ${mark}`, rule, route]), mistake: t('mangle POSTROUTING runs after the routing decision: too late', 'mangle POSTROUTING 在路由决策之后：太晚了'), fails: 0 },
        { text: sol(['router', `iptables -t mangle -A PREROUTING -i eth0 -j MARK --set-mark ${mark}`, rule, route]), mistake: t('marking every packet sends SSH through isp2 too', '给所有包打标记，SSH 也走了 isp2'), fails: 1 },
      ],
    };
  }),
];
