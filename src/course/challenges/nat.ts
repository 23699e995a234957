// pattern: Functional Core
// Unit 4, NAT: SNAT and MASQUERADE in nat POSTROUTING, DNAT in PREROUTING
// followed by the routing decision (so a port forward needs FORWARD, not
// INPUT), nat chains consulted only for a connection’s first packet (later
// packets and replies use the binding: nf_nat_inet_fn), and hairpin NAT
// (cases 19-dnat-port-forward, 21-snat-lan-to-wan, 22-masquerade, 23/24-hairpin).

import type { Choice } from '../types';
import { answer, define, host, sol, t, tcp, twoOf, withSetup, LANS, WANS, type Variant } from './kit';

/** client (LAN) — router — server (internet); the server has no route back to the LAN. */
function edge(v: Variant, routerSetup: string[] = []) {
  const lan = v.pick(LANS);
  const wan = v.pick(WANS);
  const [c, r, s] = v.distinct(3, 2, 99);
  const a = { client: `${lan}.${c}`, routerLan: `${lan}.${r}`, routerWan: `${wan}.${r}`, server: `${wan}.${s}`, lan: `${lan}.0/24`, wan };
  const start = {
    hosts: [
      host('client', `ip addr add ${a.client}/24 dev eth0`, `ip route add default via ${a.routerLan}`),
      host('router', `ip addr add ${a.routerLan}/24 dev eth0`, `ip addr add ${a.routerWan}/24 dev eth1`, 'sysctl -w net.ipv4.ip_forward=1', ...routerSetup),
      host('server', `ip addr add ${a.server}/24 dev eth0`),
    ],
    links: [['client:eth0', 'router:eth0'], ['router:eth1', 'server:eth0']] as [string, string][],
  };
  return { a, start };
}

/** internet — router — web server in the LAN, for port forwards. */
function forwardTopology(v: Variant, routerSetup: string[]) {
  const lan = v.pick(LANS);
  const wan = v.pick(WANS);
  const [i, r, w] = v.distinct(3, 2, 99);
  const a = { internet: `${wan}.${i}`, routerWan: `${wan}.${r}`, routerLan: `${lan}.${r}`, web: `${lan}.${w}` };
  const start = {
    hosts: [
      host('internet', `ip addr add ${a.internet}/24 dev eth0`),
      host('router', `ip addr add ${a.routerWan}/24 dev eth0`, `ip addr add ${a.routerLan}/24 dev eth1`, ...routerSetup),
      host('web', `ip addr add ${a.web}/24 dev eth0`, `ip route add default via ${a.routerLan}`),
    ],
    links: [['internet:eth0', 'router:eth0'], ['router:eth1', 'web:eth0']] as [string, string][],
    listeners: [{ host: 'web', proto: 'tcp' as const, port: 80 }],
  };
  return { a, start };
}

/** client and web in one LAN behind the router, web published on the router’s public address. */
function hairpinTopology(v: Variant) {
  const lan = v.pick(LANS);
  const wan = v.pick(WANS);
  const [c, w, r, i] = v.distinct(4, 2, 99);
  const port = v.pick([80, 8080, 443]);
  const a = { client: `${lan}.${c}`, web: `${lan}.${w}`, routerLan: `${lan}.${r}`, public: `${wan}.${r}`, lan: `${lan}.0/24`, port };
  const dnat = `iptables -t nat -A PREROUTING -d ${a.public} -p tcp --dport ${port} -j DNAT --to-destination ${a.web}:80`;
  const start = {
    hosts: [
      host('client', `ip addr add ${a.client}/24 dev eth0`, `ip route add default via ${a.routerLan}`),
      host('web', `ip addr add ${a.web}/24 dev eth0`, `ip route add default via ${a.routerLan}`),
      host(
        'router',
        `ip addr add ${a.routerLan}/24 dev eth0`,
        `ip addr add ${a.public}/24 dev eth1`,
        'sysctl -w net.ipv4.ip_forward=1',
        'sysctl -w net.ipv4.conf.all.send_redirects=0',
        'sysctl -w net.ipv4.conf.eth0.send_redirects=0',
        dnat,
        'iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE',
      ),
      host('internet', `ip addr add ${wan}.${i}/24 dev eth0`),
    ],
    links: [['router:eth1', 'internet:eth0']] as [string, string][],
    switches: [{ name: 'lan', ports: ['client:eth0', 'web:eth0', 'router:eth0'] }],
    listeners: [{ host: 'web', proto: 'tcp' as const, port: 80 }],
  };
  return { a, start };
}

export const natChallenges = [
  define('masquerade-lan', 'nat', 'easy', t('Share one public address', '共享一个公网地址'), (v) => {
    const { a, start } = edge(v);
    const port = v.pick([80, 443]);
    return {
      start: { ...start, listeners: [{ host: 'server', proto: 'tcp', port }] },
      host: 'router',
      tools: { programs: ['iptables'], budget: 1 },
      kernel: true,
      task: t(
        `The client (${a.client}) cannot open ${a.server}:${port}: the server has no route back to the private LAN. Make the router hide the LAN behind its public address on eth1.`,
        `客户端（${a.client}）打不开 ${a.server}:${port}：服务器没有回到私有局域网的路由。让路由器把局域网隐藏在它 eth1 的公网地址后面。`,
      ),
      hints: [t('Source NAT happens in nat POSTROUTING, after the routing decision chose eth1.', '源地址转换发生在 nat POSTROUTING，路由决策已选定 eth1 之后。'), t('MASQUERADE takes the address of the interface the packet leaves by.', 'MASQUERADE 取包离开的那个接口的地址。')],
      probes: [{ step: tcp('client', a.server, port), label: t('the client opens a connection', '客户端发起连接') }],
      goals: [
        { kind: 'outcome', probe: 1, outcome: 'established' },
        { kind: 'nat', pick: { probe: 1, host: 'router' }, tuple: { src: a.routerWan }, binding: 'new' },
      ],
      solution: sol(['router', 'iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE']),
      wrong: [
        { text: sol(['router', 'iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE']), mistake: t('SNAT on the wrong interface: the packet leaves by eth1', '在错误的接口上做了 SNAT：包是从 eth1 出去的'), fails: 1 },
        { text: sol(['router', `iptables -t nat -A POSTROUTING -s ${a.lan} -j SNAT --to-source ${a.routerLan}`]), mistake: t('the LAN address is no better than the client’s: the server cannot reach it either', '局域网地址和客户端的一样：服务器同样到不了'), fails: 0 },
      ],
    };
  }),
  define('snat-fixed', 'nat', 'medium', t('SNAT to a given address', 'SNAT 到指定地址'), (v) => {
    const { a, start } = edge(v);
    const extra = `${a.wan}.${v.pick([200, 201, 250])}`;
    return {
      start: { ...withSetup(start, 'router', `ip addr add ${extra}/24 dev eth1`), listeners: [{ host: 'server', proto: 'tcp', port: 443 }] },
      host: 'router',
      tools: { programs: ['iptables'], budget: 1 },
      kernel: true,
      task: t(
        `The router has two public addresses on eth1. Connections from the LAN (${a.lan}) must leave from ${extra}, the address the server’s firewall expects.`,
        `路由器的 eth1 上有两个公网地址。来自局域网（${a.lan}）的连接必须以 ${extra} 为源地址离开，那是服务器防火墙认可的地址。`,
      ),
      hints: [t('MASQUERADE picks the interface’s primary address; SNAT --to-source names one.', 'MASQUERADE 选接口的主地址；SNAT --to-source 指定地址。')],
      probes: [{ step: tcp('client', a.server, 443), label: t('https to the server', '到服务器的 https') }],
      goals: [
        { kind: 'outcome', probe: 1, outcome: 'established' },
        { kind: 'nat', pick: { probe: 1, host: 'router' }, tuple: { src: extra } },
      ],
      solution: sol(['router', `iptables -t nat -A POSTROUTING -s ${a.lan} -o eth1 -j SNAT --to-source ${extra}`]),
      wrong: [
        { text: sol(['router', 'iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE']), mistake: t('MASQUERADE uses the primary address, not the one asked for', 'MASQUERADE 用的是主地址，而不是要求的那个'), fails: 1 },
        { text: sol(['router', `iptables -t nat -A POSTROUTING -s ${a.lan} -o eth0 -j SNAT --to-source ${extra}`]), mistake: t('SNAT on the wrong interface: -o eth0 never matches a packet leaving by eth1', '在错误的接口上 SNAT：-o eth0 匹配不到从 eth1 出去的包'), fails: 0 },
      ],
    };
  }),
  define('port-forward', 'nat', 'medium', t('Port forward: DNAT, FORWARD and ip_forward', '端口转发：DNAT、FORWARD 和 ip_forward'), (v) => {
    const port = v.pick([8080, 8000, 8888]);
    const { a, start } = forwardTopology(v, ['iptables -P FORWARD DROP', 'iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT']);
    const dnat = `iptables -t nat -A PREROUTING -i eth0 -p tcp --dport ${port} -j DNAT --to-destination ${a.web}:80`;
    const fwd = `iptables -A FORWARD -i eth0 -o eth1 -p tcp -d ${a.web} --dport 80 -j ACCEPT`;
    const on = 'sysctl -w net.ipv4.ip_forward=1';
    return {
      start,
      host: 'router',
      tools: { programs: ['iptables', 'sysctl'], budget: 4 },
      kernel: true,
      task: t(
        `Publish the LAN web server ${a.web}:80 on the router’s public address ${a.routerWan}, port ${port}. The router does not forward yet and its FORWARD policy is DROP.`,
        `把局域网网站 ${a.web}:80 发布到路由器公网地址 ${a.routerWan} 的 ${port} 端口。路由器还没有开启转发，FORWARD 默认策略是 DROP。`,
      ),
      hints: [
        t('DNAT in nat PREROUTING changes the destination before the routing decision, which then forwards the packet.', 'nat PREROUTING 里的 DNAT 在路由决策之前改写目的地址，之后路由决策把包转发出去。'),
        t('A forwarded packet is filtered in FORWARD, with its new destination.', '被转发的包在 FORWARD 里按新的目的地址过滤。'),
        t('Forwarding is off until net.ipv4.ip_forward=1.', 'net.ipv4.ip_forward=1 之前不会转发。'),
      ],
      probes: [{ step: tcp('internet', a.routerWan, port), label: t('a visitor from the internet', '来自互联网的访客') }],
      goals: [
        { kind: 'sysctl', host: 'router', key: 'net.ipv4.ip_forward', value: '1' },
        { kind: 'nat', pick: { probe: 1, host: 'router' }, tuple: { dst: a.web, dport: 80 } },
        { kind: 'traverses', pick: { probe: 1, host: 'router' }, table: 'filter', chain: 'FORWARD', expect: true },
        { kind: 'delivered', probe: 1, to: 'web' },
        { kind: 'outcome', probe: 1, outcome: 'established' },
      ],
      solution: sol(['router', on, dnat, fwd]),
      wrong: [
        { text: sol(['router', on, dnat]), mistake: t('DNAT without a FORWARD accept: the policy drops the forwarded packet', '只有 DNAT 没有 FORWARD 放行：默认策略丢弃被转发的包'), fails: 3 },
        { text: sol(['router', dnat, fwd]), mistake: t('without ip_forward the routing decision refuses to forward', '没有 ip_forward，路由决策拒绝转发'), fails: 0 },
      ],
    };
  }),
  define('dnat-then-route', 'nat', 'easy', t('After DNAT comes the routing decision', 'DNAT 之后才是路由决策'), (v) => {
    const port = v.pick([8080, 2222]);
    const { a, start } = forwardTopology(v, ['sysctl -w net.ipv4.ip_forward=1']);
    return {
      start: withSetup(start, 'router', `iptables -t nat -A PREROUTING -i eth0 -p tcp --dport ${port} -j DNAT --to-destination ${a.web}:80`),
      host: 'router',
      tools: { programs: [], budget: 0 },
      kernel: true,
      task: t(
        `A packet from the internet for the router’s own address ${a.routerWan}:${port} is DNATed to ${a.web}:80. Which filter chain of the router sees it?`,
        `一个来自互联网、发往路由器自己地址 ${a.routerWan}:${port} 的包被 DNAT 到 ${a.web}:80。路由器的哪条 filter 链会看到它？`,
      ),
      hints: [t('nat PREROUTING runs before the routing decision; the decision reads the new destination.', 'nat PREROUTING 在路由决策之前；路由决策读取的是新的目的地址。')],
      probes: [{ step: tcp('internet', a.routerWan, port), label: t('the visitor', '访客') }],
      choices: v.shuffle<Choice>([
        { id: 'drop filter INPUT', label: t('filter INPUT (it was sent to the router)', 'filter INPUT（它是发给路由器的）') },
        { id: 'delivered web', label: t('filter FORWARD, then the web server', 'filter FORWARD，然后到网站服务器') },
        { id: 'delivered router', label: t('filter INPUT, then a socket on the router', 'filter INPUT，然后是路由器上的套接字') },
      ]),
      goals: [{ kind: 'answer', question: { kind: 'fate', pick: { probe: 1 } } }],
      solution: answer('delivered web'),
      wrong: [
        { text: answer('delivered router'), mistake: t('the destination is rewritten before the routing decision', '目的地址在路由决策之前就被改写了'), fails: 0 },
        { text: answer('drop filter INPUT'), mistake: t('the packet never reaches INPUT', '这个包不会到达 INPUT'), fails: 0 },
      ],
    };
  }),
  define('later-packets-skip-nat', 'nat', 'medium', t('Only the first packet sees the nat table', '只有第一个包经过 nat 表'), (v) => {
    const port = v.pick([8080, 8000]);
    const { a, start } = forwardTopology(v, ['sysctl -w net.ipv4.ip_forward=1']);
    const withDnat = withSetup(start, 'router', `iptables -t nat -A PREROUTING -i eth0 -p tcp --dport ${port} -j DNAT --to-destination ${a.web}:80`);
    const step = { ...tcp('internet', a.routerWan, port), close: 'fin' as const };
    const counts: Choice[] = ['1', '2', '3', '5'].map((n) => ({ id: n, label: t(`${n} packet${n === '1' ? '' : 's'}`, `${n} 个包`) }));
    return {
      start: withDnat,
      host: 'router',
      tools: { programs: [], budget: 0 },
      kernel: true,
      task: t(
        `A visitor opens ${a.routerWan}:${port}, sends a line and closes: the router DNATs the connection to ${a.web}:80. How many of the connection’s packets at the router pass nat PREROUTING?`,
        `访客打开 ${a.routerWan}:${port}，发一行数据后关闭：路由器把这个连接 DNAT 到 ${a.web}:80。这个连接在路由器上有几个包经过 nat PREROUTING？`,
      ),
      hints: [t('conntrack keeps the NAT binding the first packet made; later packets and replies are rewritten by the binding, without the nat rules.', '连接跟踪保存第一个包建立的 NAT 绑定；之后的包和回应按绑定改写，不再查 nat 规则。')],
      probes: [{ step, label: t('one short connection', '一个短连接') }],
      choices: counts,
      goals: [{ kind: 'answer', question: { kind: 'count', probe: 1, host: 'router', table: 'nat', chain: 'PREROUTING' } }],
      solution: answer('1'),
      wrong: [
        { text: answer('5'), mistake: t('only a connection’s first packet consults the nat table', '只有连接的第一个包会查 nat 表'), fails: 0 },
        { text: answer('2'), mistake: t('the reply direction never consults nat PREROUTING either', '应答方向同样不查 nat PREROUTING'), fails: 0 },
      ],
    };
  }),
  define('redirect-local', 'nat', 'medium', t('Redirect a port on the same host', '在本机重定向端口'), (v) => {
    const [lan] = twoOf(v, LANS);
    const [c, s] = v.distinct(2, 2, 99);
    const a = { client: `${lan}.${c}`, server: `${lan}.${s}` };
    const app = v.pick([8080, 3000, 8000]);
    return {
      start: {
        hosts: [host('client', `ip addr add ${a.client}/24 dev eth0`), host('server', `ip addr add ${a.server}/24 dev eth0`)],
        links: [['client:eth0', 'server:eth0']],
        listeners: [{ host: 'server', proto: 'tcp', port: app }],
      },
      host: 'server',
      tools: { programs: ['iptables'], budget: 1 },
      kernel: true,
      task: t(`The application listens on port ${app} only. Make clients that connect to port 80 of the server reach it.`, `应用只在 ${app} 端口监听。让连接服务器 80 端口的客户端也能连到它。`),
      hints: [t('REDIRECT is DNAT to the address of the interface the packet came in on.', 'REDIRECT 就是 DNAT 到包进入的那个接口的地址。'), t('Packets from other hosts pass nat PREROUTING; only the host’s own pass nat OUTPUT.', '其他主机来的包经过 nat PREROUTING；只有本机发出的包才经过 nat OUTPUT。')],
      probes: [{ step: tcp('client', a.server, 80), label: t('a client connects to port 80', '客户端连接 80 端口') }],
      goals: [
        { kind: 'nat', pick: { probe: 1, host: 'server' }, tuple: { dport: app } },
        { kind: 'outcome', probe: 1, outcome: 'established' },
      ],
      solution: sol(['server', `iptables -t nat -A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports ${app}`]),
      wrong: [
        { text: sol(['server', `iptables -t nat -A OUTPUT -p tcp --dport 80 -j REDIRECT --to-ports ${app}`]), mistake: t('nat OUTPUT sees only packets the server makes', 'nat OUTPUT 只看到服务器自己发出的包'), fails: 0 },
        { text: sol(['server', `iptables -t nat -A PREROUTING -p udp --dport 80 -j REDIRECT --to-ports ${app}`]), mistake: t('the connection is TCP', '这个连接是 TCP'), fails: 0 },
      ],
    };
  }),
  define('hairpin-lan', 'nat', 'hard', t('Hairpin NAT for LAN clients', '局域网客户端的回流 NAT'), (v) => {
    const { a, start } = hairpinTopology(v);
    return {
      start,
      host: 'router',
      tools: { programs: ['iptables'], budget: 1 },
      kernel: true,
      task: t(
        `The web server ${a.web} is published on ${a.public}:${a.port}. From the internet it works, but a LAN client opening ${a.public}:${a.port} fails: the server answers it directly from ${a.web}, which the client never asked for. Make the answers go back through the router.`,
        `网站服务器 ${a.web} 发布在 ${a.public}:${a.port}。从互联网访问正常，但局域网客户端打开 ${a.public}:${a.port} 失败：服务器直接用 ${a.web} 回应，客户端并没有连这个地址。让回应经过路由器返回。`,
      ),
      hints: [
        t('The DNATed packet still carries the client’s LAN address, so the server answers it on the LAN.', '被 DNAT 的包源地址仍是客户端的局域网地址，所以服务器在局域网里直接回应。'),
        t('SNAT the hairpinned connection (from the LAN, to the server) to the router’s LAN address.', '把回流连接（来自局域网、去往服务器）SNAT 成路由器的局域网地址。'),
      ],
      probes: [{ step: tcp('client', a.public, a.port), label: t('a LAN client uses the public address', '局域网客户端用公网地址访问') }],
      goals: [
        { kind: 'outcome', probe: 1, outcome: 'established' },
        { kind: 'nat', pick: { probe: 1, host: 'router' }, tuple: { src: a.routerLan, dst: a.web } },
        { kind: 'traverses', pick: { probe: 1, reply: true, host: 'router' }, table: 'filter', chain: 'FORWARD', expect: true },
      ],
      solution: sol(['router', `iptables -t nat -A POSTROUTING -s ${a.lan} -d ${a.web} -p tcp --dport 80 -j MASQUERADE`]),
      wrong: [
        { text: sol(['router', `iptables -t nat -A POSTROUTING -s ${a.lan} -o eth1 -j MASQUERADE`]), mistake: t('SNAT on the wrong interface: the hairpinned packet leaves by eth0', '在错误的接口上 SNAT：回流的包从 eth0 出去'), fails: 0 },
        { text: sol(['router', `iptables -t nat -A PREROUTING -s ${a.lan} -d ${a.public} -p tcp --dport ${a.port} -j DNAT --to-destination ${a.web}:80`]), mistake: t('a second DNAT changes nothing: the source is what must change', '再加一条 DNAT 无济于事：需要改的是源地址'), fails: 1 },
      ],
    };
  }),
  define('hairpin-router', 'nat', 'hard', t('Hairpin NAT for the router itself', '路由器自身的回流 NAT'), (v) => {
    const { a, start } = hairpinTopology(v);
    return {
      start,
      host: 'router',
      tools: { programs: ['iptables'], budget: 1 },
      kernel: true,
      task: t(
        `A program on the router opens ${a.public}:${a.port} and gets no web page: the DNAT rule is in nat PREROUTING, which the router’s own packets never pass. Make it reach ${a.web}:80 too.`,
        `路由器上的程序打开 ${a.public}:${a.port}，却拿不到网页：DNAT 规则在 nat PREROUTING，而路由器自己发出的包从不经过那里。让它也能到达 ${a.web}:80。`,
      ),
      hints: [t('Locally generated packets pass nat OUTPUT, where DNAT works too (then the reroute check sends them out).', '本机生成的包经过 nat OUTPUT，DNAT 在那里同样有效（之后重新路由把它们发出去）。')],
      probes: [{ step: tcp('router', a.public, a.port), label: t('the router uses its public address', '路由器用自己的公网地址访问') }],
      goals: [
        { kind: 'nat', pick: { probe: 1, host: 'router' }, tuple: { dst: a.web, dport: 80 } },
        { kind: 'delivered', probe: 1, to: 'web' },
        { kind: 'outcome', probe: 1, outcome: 'established' },
      ],
      solution: sol(['router', `iptables -t nat -A OUTPUT -d ${a.public} -p tcp --dport ${a.port} -j DNAT --to-destination ${a.web}:80`]),
      wrong: [
        { text: sol(['router', `iptables -t nat -A PREROUTING -i lo -d ${a.public} -p tcp --dport ${a.port} -j DNAT --to-destination ${a.web}:80`]), mistake: t('the router’s own packet never passes PREROUTING before it is routed', '路由器自己的包在路由之前不经过 PREROUTING'), fails: 0 },
        { text: sol(['router', `iptables -t nat -A OUTPUT -o eth1 -d ${a.public} -p tcp --dport ${a.port} -j DNAT --to-destination ${a.web}:80`]), mistake: t('a packet to the router’s own address is routed to lo, not eth1', '发往路由器自己地址的包被路由到 lo，而不是 eth1'), fails: 0 },
      ],
    };
  }),
];
