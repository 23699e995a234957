// pattern: Functional Core
// Unit 7, IPVS: a virtual service at LOCAL_IN takes the packet before filter
// INPUT, a scheduler picks the real server (rr, wrr by weight, lc by the
// connections each holds), and the forwarding method decides how it gets
// there: NAT rewrites the destination and needs the answers back through the
// director, DR keeps the VIP and needs the real servers to hold it on lo
// without answering ARP for it (arp_ignore=1, arp_announce=2), TUN wraps it
// in IP-in-IP. This kernel has no ip_vs module, so these are checked on the
// engine only (kernel: false).

import type { Choice } from '../types';
import { answer, define, host, sol, t, tcp, LANS, type Variant } from './kit';

/** client — director (VIP on eth0) — real servers in a second LAN, routed back through the director (NAT). */
function natCluster(v: Variant, servers: number) {
  const front = v.pick(['10.0.0', '10.10.0', '172.16.0']);
  const back = v.pick(LANS.filter((x) => !x.startsWith(front)));
  const vipHost = v.int(100, 120);
  const rs = v.distinct(servers, 11, 40).map((n) => `${back}.${n}`);
  const a = { client: `${front}.2`, director: `${front}.1`, vip: `${front}.${vipHost}`, gw: `${back}.1`, rs };
  const start = {
    hosts: [
      host('client', `ip addr add ${a.client}/24 dev eth0`),
      host('director', `ip addr add ${a.director}/24 dev eth0`, `ip addr add ${a.vip}/32 dev eth0`, `ip addr add ${a.gw}/24 dev eth1`, 'sysctl -w net.ipv4.ip_forward=1'),
      ...rs.map((addr, k) => host(`rs${k + 1}`, `ip addr add ${addr}/24 dev eth0`, `ip route add default via ${a.gw}`)),
    ],
    links: [['client:eth0', 'director:eth0']] as [string, string][],
    switches: [{ name: 'back', ports: ['director:eth1', ...rs.map((_, k) => `rs${k + 1}:eth0`)] }],
    listeners: rs.map((_, k) => ({ host: `rs${k + 1}`, proto: 'tcp' as const, port: 80 })),
  };
  return { a, start };
}

/** client, director and real servers on one LAN (DR). */
function drLan(v: Variant) {
  const net = v.pick(['10.0.0', '192.168.50', '172.16.8']);
  const vip = `${net}.${v.int(100, 120)}`;
  const [r1, r2] = v.distinct(2, 11, 40);
  const a = { client: `${net}.2`, director: `${net}.1`, vip, rs1: `${net}.${r1}`, rs2: `${net}.${r2}` };
  const start = {
    hosts: [
      host('client', `ip addr add ${a.client}/24 dev eth0`),
      host('director', `ip addr add ${a.director}/24 dev eth0`, `ip addr add ${vip}/32 dev eth0`, `ipvsadm -A -t ${vip}:80 -s rr`, `ipvsadm -a -t ${vip}:80 -r ${a.rs1} -g`, `ipvsadm -a -t ${vip}:80 -r ${a.rs2} -g`),
      host('rs1', `ip addr add ${a.rs1}/24 dev eth0`),
      host('rs2', `ip addr add ${a.rs2}/24 dev eth0`),
    ],
    switches: [{ name: 'lan', ports: ['client:eth0', 'director:eth0', 'rs1:eth0', 'rs2:eth0'] }],
    listeners: [
      { host: 'rs1', proto: 'tcp' as const, port: 80 },
      { host: 'rs2', proto: 'tcp' as const, port: 80 },
    ],
  };
  return { a, start };
}

const conn = (a: { vip: string }, n: number) => ({
  step: tcp('client', a.vip, 80, { sport: 40000 + n, data: `GET /${n}` }),
  label: t(`connection ${n}`, `第 ${n} 个连接`),
});

export const ipvsChallenges = [
  define('ipvs-rr-nat', 'ipvs', 'medium', t('A virtual service: round robin, NAT', '虚拟服务：轮询，NAT 模式'), (v) => {
    const { a, start } = natCluster(v, 2);
    const svc = `ipvsadm -A -t ${a.vip}:80 -s rr`;
    const add = (rs: string, how = '-m') => `ipvsadm -a -t ${a.vip}:80 -r ${rs}:80 ${how}`;
    return {
      start,
      host: 'director',
      tools: { programs: ['ipvsadm'], budget: 3 },
      kernel: false,
      task: t(
        `Balance ${a.vip}:80 over rs1 (${a.rs[0]}) and rs2 (${a.rs[1]}) in turn, in NAT mode: the real servers route their answers back through the director.`,
        `把 ${a.vip}:80 轮流分给 rs1（${a.rs[0]}）和 rs2（${a.rs[1]}），使用 NAT 模式：真实服务器的回应经由调度器返回。`,
      ),
      hints: [
        t('ipvsadm -A -t VIP:PORT -s rr makes the service; ipvsadm -a -t VIP:PORT -r SERVER:PORT -m adds a real server in NAT (masquerading) mode.', 'ipvsadm -A -t VIP:端口 -s rr 创建服务；ipvsadm -a -t VIP:端口 -r 服务器:端口 -m 以 NAT（masquerading）模式添加真实服务器。'),
        t('A new real server goes to the head of the service’s list (ip_vs_add_dest), and rr starts at the head: the server added last gets the first connection.', '新的真实服务器加在服务列表的最前面（ip_vs_add_dest），rr 从最前面开始：最后添加的服务器得到第一个连接。'),
      ],
      probes: [conn(a, 1), conn(a, 2)],
      goals: [
        { kind: 'ipvs', pick: { probe: 1, host: 'director' }, server: `${a.rs[1]}:80`, method: 'masq' },
        { kind: 'ipvs', pick: { probe: 2, host: 'director' }, server: `${a.rs[0]}:80`, method: 'masq' },
        { kind: 'outcome', probe: 1, outcome: 'established' },
        { kind: 'outcome', probe: 2, outcome: 'established' },
      ],
      solution: sol(['director', svc, add(a.rs[0]!), add(a.rs[1]!)]),
      wrong: [
        { text: sol(['director', svc, add(a.rs[0]!)]), mistake: t('with one real server, every connection goes to rs1', '只有一台真实服务器，所有连接都去 rs1'), fails: 0 },
        { text: sol(['director', svc, add(a.rs[0]!, '-g'), add(a.rs[1]!, '-g')]), mistake: t('-g is direct routing, which needs the servers on the director’s LAN holding the VIP', '-g 是直接路由，需要真实服务器和调度器同网段并持有 VIP'), fails: 0 },
      ],
    };
  }),
  define('ipvs-wrr', 'ipvs', 'medium', t('Weighted round robin', '加权轮询'), (v) => {
    const { a, start } = natCluster(v, 2);
    const svc = (s: string) => `ipvsadm -A -t ${a.vip}:80 -s ${s}`;
    const add = (rs: string, w: number) => `ipvsadm -a -t ${a.vip}:80 -r ${rs}:80 -m -w ${w}`;
    // ip_vs_wrr: the first round visits every server (rs2, added last, heads the list), then the weights tell
    const order = [a.rs[1]!, a.rs[0]!, a.rs[0]!, a.rs[0]!];
    return {
      start,
      host: 'director',
      tools: { programs: ['ipvsadm'], budget: 3 },
      kernel: false,
      task: t(
        `rs1 (${a.rs[0]}) is three times as strong as rs2 (${a.rs[1]}). Make ${a.vip}:80 (NAT mode) give rs1 three connections for each one rs2 gets: of the first four, rs2 gets the first, rs1 the next three.`,
        `rs1（${a.rs[0]}）的能力是 rs2（${a.rs[1]}）的三倍。让 ${a.vip}:80（NAT 模式）每给 rs2 一个连接就给 rs1 三个：前四个连接中，第一个给 rs2，后三个给 rs1。`,
      ),
      hints: [t('-s wrr with -w WEIGHT on each real server.', '用 -s wrr，并给每台真实服务器加 -w 权重。')],
      probes: [conn(a, 1), conn(a, 2), conn(a, 3), conn(a, 4)],
      goals: order.map((rs, k) => ({ kind: 'ipvs' as const, pick: { probe: k + 1, host: 'director' }, server: `${rs}:80`, method: 'masq' as const })),
      solution: sol(['director', svc('wrr'), add(a.rs[0]!, 3), add(a.rs[1]!, 1)]),
      wrong: [
        { text: sol(['director', svc('rr'), add(a.rs[0]!, 3), add(a.rs[1]!, 1)]), mistake: t('rr ignores the weights', 'rr 不看权重'), fails: 2 },
        { text: sol(['director', svc('wrr'), add(a.rs[0]!, 1), add(a.rs[1]!, 3)]), mistake: t('the weights are the wrong way round', '权重设反了'), fails: 2 },
      ],
    };
  }),
  define('ipvs-lc-predict', 'ipvs', 'medium', t('Least connections: who gets the next one?', '最少连接：下一个给谁？'), (v) => {
    const { a, start } = natCluster(v, 3);
    const director = start.hosts.find((h) => h.name === 'director')!;
    const setup = [`ipvsadm -A -t ${a.vip}:80 -s lc`, ...a.rs.map((rs) => `ipvsadm -a -t ${a.vip}:80 -r ${rs}:80 -m`)];
    const withService = { ...start, hosts: start.hosts.map((h) => (h === director ? { ...h, setup: [...h.setup!, ...setup] } : h)) };
    // the first connection is reset by the client and is gone; the second and third stay open
    const probes = [
      { step: { ...tcp('client', a.vip, 80, { sport: 40001 }), close: 'rst' as const }, label: t('a connection that is reset', '一个被复位的连接') },
      { step: tcp('client', a.vip, 80, { sport: 40002 }), label: t('a second connection', '第二个连接') },
      { step: tcp('client', a.vip, 80, { sport: 40003 }), label: t('a third connection', '第三个连接') },
      { step: tcp('client', a.vip, 80, { sport: 40004 }), label: t('the fourth connection', '第四个连接') },
    ];
    const choices: Choice[] = ['rs1', 'rs2', 'rs3'].map((h) => ({ id: `delivered ${h}`, label: t(h, h) }));
    return {
      start: withService,
      host: 'director',
      tools: { programs: [], budget: 0 },
      kernel: false,
      task: t(
        `${a.vip}:80 uses lc over rs1, rs2 and rs3 (NAT). Three connections come first; the first is reset at once. Which real server does the fourth connection reach?`,
        `${a.vip}:80 对 rs1、rs2、rs3 使用 lc（NAT）。先来了三个连接，第一个随即被复位。第四个连接到达哪台真实服务器？`,
      ),
      hints: [t('lc counts active connections 256 times an inactive one; a closed connection no longer counts as active.', 'lc 把一个活动连接算作 256 个非活动连接；关闭的连接不再算活动连接。'), t('lc walks the servers in list order, the last added first, and a tie goes to the first it meets.', 'lc 按列表顺序（最后添加的在最前）查看服务器，相同时选先遇到的。')],
      probes,
      choices,
      goals: [{ kind: 'answer', question: { kind: 'fate', pick: { probe: 4 } } }],
      solution: answer('delivered rs3'),
      wrong: [
        { text: answer('delivered rs2'), mistake: t('rs2 still holds the second connection', 'rs2 还有第二个连接'), fails: 0 },
        { text: answer('delivered rs1'), mistake: t('rs1 still holds the third connection: lc tries the servers newest first, so the first three went to rs3, rs2, rs1', 'rs1 还有第三个连接：lc 从最新添加的服务器开始，所以前三个连接依次去了 rs3、rs2、rs1'), fails: 0 },
      ],
    };
  }),
  define('lvs-dr', 'ipvs', 'hard', t('LVS-DR: the real servers’ side', 'LVS-DR：真实服务器这一侧'), (v) => {
    const { a, start } = drLan(v);
    const real = (h: string) => [h, `ip addr add ${a.vip}/32 dev lo`, 'sysctl -w net.ipv4.conf.all.arp_ignore=1', 'sysctl -w net.ipv4.conf.all.arp_announce=2'] as [string, ...string[]];
    return {
      start,
      host: 'rs1',
      tools: { programs: ['ip', 'sysctl'], budget: 6 },
      kernel: false,
      task: t(
        `The director already balances ${a.vip}:80 over rs1 and rs2 by direct routing (-g): it sends the client’s frame to a real server’s MAC without changing the destination. Prepare both real servers: each must accept packets for the VIP and answer the client itself, but must never answer ARP for the VIP (or the client would bypass the director).`,
        `调度器已用直接路由（-g）把 ${a.vip}:80 分给 rs1 和 rs2：它把客户端的帧发到真实服务器的 MAC，不改目的地址。配置两台真实服务器：每台都要接收发往 VIP 的包并自己回应客户端，但绝不能回答对 VIP 的 ARP（否则客户端会绕过调度器）。`,
      ),
      hints: [t('Put the VIP on lo as a /32.', '把 VIP 以 /32 配在 lo 上。'), t('arp_ignore=1: answer ARP only for addresses on the interface asked; arp_announce=2: never use the VIP as the source of an ARP request.', 'arp_ignore=1：只回答被询问接口上的地址；arp_announce=2：发 ARP 请求时不用 VIP 作源地址。')],
      probes: [conn(a, 1), conn(a, 2)],
      goals: [
        { kind: 'ipvs', pick: { probe: 1, host: 'director' }, server: `${a.rs2}:80`, method: 'route' },
        { kind: 'ipvs', pick: { probe: 2, host: 'director' }, server: `${a.rs1}:80`, method: 'route' },
        { kind: 'outcome', probe: 1, outcome: 'established' },
        { kind: 'outcome', probe: 2, outcome: 'established' },
        { kind: 'traverses', pick: { probe: 1, reply: true, host: 'director' }, table: 'filter', chain: 'FORWARD', expect: false },
        { kind: 'sysctl', host: 'rs1', key: 'net.ipv4.conf.all.arp_ignore', value: '1' },
        { kind: 'sysctl', host: 'rs2', key: 'net.ipv4.conf.all.arp_ignore', value: '1' },
      ],
      solution: sol(real('rs1'), real('rs2')),
      wrong: [
        { text: sol(['rs1', `ip addr add ${a.vip}/32 dev lo`], ['rs2', `ip addr add ${a.vip}/32 dev lo`]), mistake: t('without arp_ignore a real server answers the client’s ARP for the VIP, and the client bypasses the director', '没有 arp_ignore，真实服务器回答了客户端对 VIP 的 ARP，客户端绕过了调度器'), fails: 0 },
        { text: sol(['rs1', 'sysctl -w net.ipv4.conf.all.arp_ignore=1', 'sysctl -w net.ipv4.conf.all.arp_announce=2'], ['rs2', 'sysctl -w net.ipv4.conf.all.arp_ignore=1', 'sysctl -w net.ipv4.conf.all.arp_announce=2']), mistake: t('without the VIP on lo the real server is not the packet’s destination and drops it', 'lo 上没有 VIP，真实服务器不是包的目的地，会丢弃它'), fails: 2 },
      ],
    };
  }),
  define('ipvs-tun', 'ipvs', 'hard', t('IPVS tunnelling to a distant server', 'IPVS 隧道到远端服务器'), (v) => {
    const front = v.pick(['10.0.0', '10.10.0']);
    const far = v.pick(['172.16.0', '172.20.5']);
    const vip = `${front}.${v.int(100, 120)}`;
    const rs = `${far}.${v.int(11, 40)}`;
    const start = {
      hosts: [
        host('client', `ip addr add ${front}.2/24 dev eth0`, `ip route add default via ${front}.254`),
        host('director', `ip addr add ${front}.1/24 dev eth0`, `ip addr add ${vip}/32 dev eth0`, `ip route add default via ${front}.254`, `ipvsadm -A -t ${vip}:80 -s rr`, `ipvsadm -a -t ${vip}:80 -r ${rs} -i`),
        host('gw', `ip addr add ${front}.254/24 dev eth0`, `ip addr add ${far}.1/24 dev eth1`, 'sysctl -w net.ipv4.ip_forward=1'),
        host('rs1', `ip addr add ${rs}/24 dev eth0`, `ip route add default via ${far}.1`, 'sysctl -w net.ipv4.conf.all.rp_filter=1'),
      ],
      switches: [{ name: 'lan', ports: ['client:eth0', 'director:eth0', 'gw:eth0'] }],
      links: [['gw:eth1', 'rs1:eth0']] as [string, string][],
      listeners: [{ host: 'rs1', proto: 'tcp' as const, port: 80 }],
    };
    const a = { vip };
    return {
      start,
      host: 'rs1',
      tools: { programs: ['ip', 'sysctl'], budget: 3 },
      kernel: false,
      task: t(
        `The director forwards ${vip}:80 to rs1 (${rs}) in another network by IP-in-IP tunnelling (-i). Prepare rs1: it must accept the unwrapped packet for the VIP and answer the client directly. Its strict rp_filter stands in the way: the inner packet’s source is the client, which rs1 would not route back through the tunnel.`,
        `调度器用 IP-in-IP 隧道（-i）把 ${vip}:80 转给另一个网络里的 rs1（${rs}）。配置 rs1：它要接收解封装后发往 VIP 的包并直接回应客户端。它的严格 rp_filter 会挡路：内层包的源地址是客户端，rs1 不会经隧道路由回去。`,
      ),
      hints: [t('The VIP goes on lo as a /32, as for DR.', 'VIP 以 /32 配在 lo 上，和 DR 一样。'), t('rp_filter=0 (all) lets the unwrapped packet in.', 'rp_filter=0（all）让解封装后的包进来。')],
      probes: [conn(a, 1)],
      goals: [
        { kind: 'ipvs', pick: { probe: 1, host: 'director' }, server: `${rs}:80`, method: 'tunnel' },
        { kind: 'outcome', probe: 1, outcome: 'established' },
        { kind: 'sysctl', host: 'rs1', key: 'net.ipv4.conf.all.rp_filter', value: '0' },
      ],
      solution: sol(['rs1', `ip addr add ${vip}/32 dev lo`, 'sysctl -w net.ipv4.conf.all.rp_filter=0']),
      wrong: [
        { text: sol(['rs1', `ip addr add ${vip}/32 dev lo`]), mistake: t('strict rp_filter drops the unwrapped packet', '严格的 rp_filter 丢弃了解封装后的包'), fails: 1 },
        { text: sol(['rs1', 'sysctl -w net.ipv4.conf.all.rp_filter=0']), mistake: t('without the VIP rs1 is not the inner packet’s destination', '没有 VIP，rs1 不是内层包的目的地'), fails: 1 },
      ],
    };
  }),
];
