// pattern: Functional Core
// Unit 6, iproute2 objects: an address makes its connected route, and route
// types other than unicast end a packet in the routing decision
// (unreachable answers with ICMP net unreachable, blackhole says nothing:
// ip-route(8), "Route types").

import { define, host, ping, sol, t, twoOf, LANS, WANS } from './kit';

export const iproute2Challenges = [
  define('add-address', 'iproute2', 'easy', t('An address and its route', '地址和它的路由'), (v) => {
    const [lan] = twoOf(v, LANS);
    const [c, s] = v.distinct(2, 2, 99);
    const a = { client: `${lan}.${c}`, server: `${lan}.${s}` };
    return {
      start: { hosts: [host('client', `ip addr add ${a.client}/24 dev eth0`), host('server')], links: [['client:eth0', 'server:eth0']] },
      host: 'server',
      tools: { programs: ['ip'], budget: 1 },
      kernel: true,
      task: t(`The server’s eth0 has no address. Give it ${a.server} in the client’s /24 so the client’s ping is answered.`, `服务器的 eth0 没有地址。给它配上客户端所在 /24 里的 ${a.server}，让客户端的 ping 得到回应。`),
      hints: [t('ip addr add ADDRESS/PREFIX dev eth0 also adds the connected route for the prefix.', 'ip addr add 地址/前缀 dev eth0 同时会加上这个前缀的直连路由。')],
      probes: [{ step: ping('client', a.server), label: t('the client pings the server', '客户端 ping 服务器') }],
      goals: [
        { kind: 'outcome', probe: 1, outcome: 'reply' },
        { kind: 'route', pick: { probe: 1, reply: true, host: 'server' }, table: 'main', oif: 'eth0' },
        { kind: 'commands', max: 1 },
      ],
      solution: sol(['server', `ip addr add ${a.server}/24 dev eth0`]),
      wrong: [
        { text: sol(['server', `ip addr add ${a.server}/32 dev eth0`]), mistake: t('a /32 brings no connected route: the server cannot answer the client', '/32 不会带来直连路由：服务器无法回应客户端'), fails: 0 },
        { text: sol(['server', `ip addr add ${a.server}/24 dev lo`]), mistake: t('on lo the connected route points at lo, not at the link to the client', '配在 lo 上，直连路由指向 lo，而不是通往客户端的链路'), fails: 0 },
      ],
    };
  }),
  define('unreachable-route', 'iproute2', 'medium', t('Say "unreachable", do not swallow', '回答"不可达"，而不是吞掉'), (v) => {
    const lan = v.pick(LANS);
    const wan = v.pick(WANS);
    const dead = v.pick(['10.99', '10.77', '172.31']);
    const a = { client: `${lan}.10`, router: `${lan}.1`, routerWan: `${wan}.1`, upstream: `${wan}.2` };
    return {
      start: {
        hosts: [
          host('client', `ip addr add ${a.client}/24 dev eth0`, `ip route add default via ${a.router}`),
          host('router', `ip addr add ${a.router}/24 dev eth0`, `ip addr add ${a.routerWan}/24 dev eth1`, 'sysctl -w net.ipv4.ip_forward=1', `ip route add default via ${a.upstream}`),
          host('upstream', `ip addr add ${a.upstream}/24 dev eth0`),
        ],
        links: [['client:eth0', 'router:eth0'], ['router:eth1', 'upstream:eth0']],
      },
      host: 'router',
      tools: { programs: ['ip'], budget: 1 },
      kernel: true,
      task: t(
        `The network ${dead}.0.0/16 was shut down, but the router still sends its packets to the upstream, where they vanish. Make the router answer them at once with ICMP "network unreachable".`,
        `网络 ${dead}.0.0/16 已停用，但路由器仍把发往它的包交给上游，在那里石沉大海。让路由器立刻用 ICMP "网络不可达" 回应它们。`,
      ),
      hints: [t('A route of type unreachable ends the packet in the routing decision with an ICMP error; blackhole ends it silently.', 'unreachable 类型的路由让包在路由决策处结束并回 ICMP 错误；blackhole 则悄无声息。')],
      probes: [{ step: ping('client', `${dead}.1.1`), label: t('a ping into the dead network', 'ping 已停用的网络') }],
      goals: [
        { kind: 'outcome', probe: 1, outcome: 'icmp_error' },
        { kind: 'dropped', pick: { probe: 1 }, at: { host: 'router', reason: 'route.' } },
      ],
      solution: sol(['router', `ip route add unreachable ${dead}.0.0/16`]),
      wrong: [
        { text: sol(['router', `ip route add blackhole ${dead}.0.0/16`]), mistake: t('blackhole drops without a word: the client waits for a timeout', 'blackhole 一声不吭地丢弃：客户端只能等到超时'), fails: 0 },
        { text: sol(['client', `ip route add unreachable ${dead}.0.0/16`]), mistake: t('on the client the ping fails before it is sent: the router never says anything', '配在客户端上，ping 在发出之前就失败了：路由器什么也没说'), fails: 1 },
      ],
    };
  }),
];
