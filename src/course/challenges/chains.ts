// pattern: Functional Core
// Unit 1, the four tables and five chains: predict-the-path questions on a
// router with a rule that only counts (a comment, no target) in every chain
// of every table, so the walk shows each chain a packet passes. The order is
// the kernel’s hook priorities (raw −300, mangle −150, nat −100 / 100,
// filter 0, security 50); case 25-table-order-all-tables shows it on the kernel.

import type { Choice } from '../types';
import { answer, define, host, ping, t, tcp, twoOf, LANS, WANS, type Variant } from './kit';

const CHAINS: Record<string, string[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** A counting rule in every chain of every table: the walk lists every chain the packet passes. */
function everyChain(): string[] {
  return Object.entries(CHAINS).flatMap(([table, chains]) => chains.map((c) => `iptables -t ${table} -A ${c} -m comment --comment "${table} ${c}"`));
}

const LOCAL_IN = 'raw PREROUTING, mangle PREROUTING, nat PREROUTING, mangle INPUT, filter INPUT, security INPUT, nat INPUT';
const FORWARD = 'raw PREROUTING, mangle PREROUTING, nat PREROUTING, mangle FORWARD, filter FORWARD, security FORWARD, mangle POSTROUTING, nat POSTROUTING';
const LOCAL_OUT = 'raw OUTPUT, mangle OUTPUT, nat OUTPUT, filter OUTPUT, security OUTPUT, mangle POSTROUTING, nat POSTROUTING';
const WRONG_ORDER = 'raw PREROUTING, nat PREROUTING, mangle PREROUTING, filter INPUT, mangle INPUT, security INPUT';

const choice = (id: string, en: string, zh: string): Choice => ({ id, label: t(`${en}: ${id}`, `${zh}：${id}`) });

function choices(v: Variant): Choice[] {
  return v.shuffle([
    choice(LOCAL_IN, 'local delivery', '本机接收'),
    choice(FORWARD, 'forwarded', '转发'),
    choice(LOCAL_OUT, 'locally generated', '本机发出'),
    choice(WRONG_ORDER, 'nat before mangle', 'nat 在 mangle 之前'),
  ]);
}

/** client — router — server, with a counting rule in every chain of the router. */
function topology(v: Variant) {
  const [lan, wan] = twoOf(v, [...LANS, ...WANS]);
  const [c, r, s] = v.distinct(3, 2, 60);
  const a = { client: `${lan}.${c}`, routerLan: `${lan}.${r}`, routerWan: `${wan}.${r}`, server: `${wan}.${s}` };
  const start = {
    description: 'A router with a counting rule (a comment, no target) in every chain of every table.',
    options: { conntrack: 'on' as const },
    hosts: [
      host('client', `ip addr add ${a.client}/24 dev eth0`, `ip route add default via ${a.routerLan}`),
      host('router', `ip addr add ${a.routerLan}/24 dev eth0`, `ip addr add ${a.routerWan}/24 dev eth1`, 'sysctl -w net.ipv4.ip_forward=1', ...everyChain()),
      host('server', `ip addr add ${a.server}/24 dev eth0`, `ip route add default via ${a.routerWan}`),
    ],
    links: [['client:eth0', 'router:eth0'], ['router:eth1', 'server:eth0']] as [string, string][],
  };
  return { a, start };
}

const common = { host: 'router', tools: { programs: [], budget: 0 }, kernel: true };

/** A router whose INPUT drops the LAN, FORWARD accepts only port 80: which chain drops a forwarded packet for another port? */
function whichChainDrops(v: Variant) {
  const lan = v.pick(LANS);
  const wan = v.pick(WANS);
  const [c, s] = v.distinct(2, 10, 99);
  const port = v.pick([8080, 443, 25]);
  const a = { client: `${lan}.${c}`, server: `${wan}.${s}`, port };
  const rules = v.shuffle([`iptables -A INPUT -s ${lan}.0/24 -j DROP`, 'iptables -A FORWARD -p tcp --dport 80 -j ACCEPT', 'iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', 'iptables -t raw -A PREROUTING -p udp --dport 69 -j DROP']);
  const start = {
    hosts: [
      host('client', `ip addr add ${a.client}/24 dev eth0`, `ip route add default via ${lan}.1`),
      host('router', `ip addr add ${lan}.1/24 dev eth0`, `ip addr add ${wan}.1/24 dev eth1`, 'sysctl -w net.ipv4.ip_forward=1', ...rules, 'iptables -P FORWARD DROP'),
      host('server', `ip addr add ${a.server}/24 dev eth0`, `ip route add default via ${wan}.1`),
    ],
    links: [['client:eth0', 'router:eth0'], ['router:eth1', 'server:eth0']] as [string, string][],
    listeners: [{ host: 'server', proto: 'tcp' as const, port }],
  };
  return { a, start };
}

export const chainChallenges = [
  define('chains-local-in', 'chains', 'easy', t('Which chains see a packet for the router itself?', '发给路由器本机的包经过哪些链？'), (v) => {
    const { a, start } = topology(v);
    return {
      ...common,
      start,
      task: t(`The client pings the router at ${a.routerLan}. In which order do the router’s chains see the echo request?`, `客户端 ping 路由器的 ${a.routerLan}。回显请求依次经过路由器的哪些链？`),
      hints: [t('A packet for a local address goes PREROUTING → routing decision → INPUT.', '发给本机地址的包：PREROUTING → 路由决策 → INPUT。'), t('Within one hook the tables run raw, mangle, nat, filter, security; nat INPUT runs last (priority 100).', '同一个钩子里各表依次为 raw、mangle、nat、filter、security；nat INPUT 最后（优先级 100）。')],
      probes: [{ step: ping('client', a.routerLan), label: t('ping the router', 'ping 路由器') }],
      choices: choices(v),
      goals: [{ kind: 'answer', question: { kind: 'chains', pick: { probe: 1, host: 'router' } } }],
      solution: answer(LOCAL_IN),
      wrong: [
        { text: answer(FORWARD), mistake: t('a packet for the router is not forwarded', '发给路由器本身的包不会被转发'), fails: 0 },
        { text: answer(WRONG_ORDER), mistake: t('mangle runs before nat at every hook', '每个钩子上 mangle 都在 nat 之前'), fails: 0 },
      ],
    };
  }),
  define('chains-forward', 'chains', 'easy', t('Which chains see a forwarded packet?', '被转发的包经过哪些链？'), (v) => {
    const { a, start } = topology(v);
    return {
      ...common,
      start,
      task: t(`The client pings the server at ${a.server} through the router. In which order do the router’s chains see the echo request?`, `客户端经路由器 ping 服务器 ${a.server}。回显请求依次经过路由器的哪些链？`),
      hints: [t('The routing decision after PREROUTING sends it to FORWARD, not INPUT.', 'PREROUTING 之后的路由决策把它送到 FORWARD，而不是 INPUT。')],
      probes: [{ step: ping('client', a.server), label: t('ping through the router', '经路由器 ping') }],
      choices: choices(v),
      goals: [{ kind: 'answer', question: { kind: 'chains', pick: { probe: 1, host: 'router' } } }],
      solution: answer(FORWARD),
      wrong: [
        { text: answer(LOCAL_IN), mistake: t('the packet is not for the router: it never reaches INPUT', '这个包不是发给路由器的：它不会到达 INPUT'), fails: 0 },
        { text: answer(LOCAL_OUT), mistake: t('the router did not make this packet', '这个包不是路由器生成的'), fails: 0 },
      ],
    };
  }),
  define('chains-local-out', 'chains', 'easy', t('Which chains see a packet the router sends?', '路由器自己发出的包经过哪些链？'), (v) => {
    const { a, start } = topology(v);
    return {
      ...common,
      start,
      task: t(`The router itself pings the server at ${a.server}. In which order do the router’s chains see the echo request?`, `路由器自己 ping 服务器 ${a.server}。回显请求依次经过路由器的哪些链？`),
      hints: [t('A locally generated packet starts at OUTPUT and leaves through POSTROUTING.', '本机生成的包从 OUTPUT 开始，经 POSTROUTING 离开。')],
      probes: [{ step: ping('router', a.server), label: t('the router pings', '路由器 ping') }],
      choices: choices(v),
      goals: [{ kind: 'answer', question: { kind: 'chains', pick: { probe: 1, host: 'router' } } }],
      solution: answer(LOCAL_OUT),
      wrong: [
        { text: answer(FORWARD), mistake: t('a packet the router makes never passes PREROUTING or FORWARD', '路由器生成的包不经过 PREROUTING 和 FORWARD'), fails: 0 },
        { text: answer(LOCAL_IN), mistake: t('INPUT is for packets arriving for the router', 'INPUT 处理发给路由器的包'), fails: 0 },
      ],
    };
  }),
  define('which-chain-drops', 'chains', 'medium', t('Which chain drops this packet?', '哪条链丢弃了这个包？'), (v) => {
    const { a, start } = whichChainDrops(v);
    return {
      ...common,
      start,
      task: t(
        `The router's INPUT chain drops everything from the LAN, its FORWARD chain accepts port 80 and replies and its policy is DROP, and raw PREROUTING drops TFTP. The client opens ${a.server}:${a.port}. Which chain drops the SYN?`,
        `路由器的 INPUT 链丢弃局域网来的一切，FORWARD 链放行 80 端口和回应、默认策略为 DROP，raw PREROUTING 丢弃 TFTP。客户端打开 ${a.server}:${a.port}。哪条链丢弃了 SYN？`,
      ),
      hints: [t('The SYN is for the server, not for the router: after PREROUTING the routing decision sends it to FORWARD.', 'SYN 是发给服务器的，不是发给路由器的：PREROUTING 之后的路由决策把它送往 FORWARD。')],
      probes: [{ step: tcp('client', a.server, a.port), label: t('the client opens the server', '客户端访问服务器') }],
      choices: v.shuffle<Choice>([
        { id: 'drop filter INPUT', label: t('filter INPUT', 'filter INPUT') },
        { id: 'drop filter FORWARD', label: t('filter FORWARD (its policy)', 'filter FORWARD（默认策略）') },
        { id: 'drop raw PREROUTING', label: t('raw PREROUTING', 'raw PREROUTING') },
        { id: 'delivered server', label: t('none: it reaches the server', '没有：它到达了服务器') },
      ]),
      goals: [{ kind: 'answer', question: { kind: 'fate', pick: { probe: 1 } } }],
      solution: answer('drop filter FORWARD'),
      wrong: [
        { text: answer('drop filter INPUT'), mistake: t('INPUT sees only packets for the router itself', 'INPUT 只处理发给路由器本身的包'), fails: 0 },
        { text: answer('delivered server'), mistake: t('FORWARD accepts only port 80; its policy drops the rest', 'FORWARD 只放行 80 端口，其余被默认策略丢弃'), fails: 0 },
      ],
    };
  }),
];
