// pattern: Functional Core
// Unit 2, targets: ACCEPT, DROP, REJECT, policies, user chains, and the rule
// every firewall author meets once: the first matching rule wins, so a rule
// appended after a catch-all DROP is never reached (case 04-first-match-wins).

import { define, host, ping, sol, t, tcp, twoOf, withSetup, LANS, type Variant } from './kit';

/** client and server on one link, the server listening on `ports`. */
function pair(v: Variant, ports: number[]) {
  const [lan] = twoOf(v, LANS);
  const [c, s] = v.distinct(2, 2, 99);
  const a = { client: `${lan}.${c}`, server: `${lan}.${s}` };
  const start = {
    hosts: [host('client', `ip addr add ${a.client}/24 dev eth0`), host('server', `ip addr add ${a.server}/24 dev eth0`)],
    links: [['client:eth0', 'server:eth0']] as [string, string][],
    listeners: ports.map((port) => ({ host: 'server', proto: 'tcp' as const, port })),
  };
  return { a, start };
}

export const targetChallenges = [
  define('block-ping', 'targets', 'easy', t('Block ping, keep the web server', '屏蔽 ping，保留网站'), (v) => {
    const web = v.pick([80, 8080, 8000]);
    const { a, start } = pair(v, [web]);
    return {
      start,
      host: 'server',
      tools: { programs: ['iptables'], budget: 2 },
      kernel: true,
      task: t(`Make the server (${a.server}) ignore pings from the client, while its web server on port ${web} keeps answering.`, `让服务器（${a.server}）不理会客户端的 ping，同时端口 ${web} 上的网站照常应答。`),
      hints: [t('Packets for the server itself pass filter INPUT.', '发给服务器本机的包经过 filter INPUT。'), t('-p icmp --icmp-type echo-request matches only pings.', '-p icmp --icmp-type echo-request 只匹配 ping。')],
      probes: [
        { step: ping('client', a.server), label: t('ping the server', 'ping 服务器') },
        { step: tcp('client', a.server, web), label: t('open the web page', '打开网页') },
      ],
      goals: [
        { kind: 'dropped', pick: { probe: 1 }, at: { host: 'server', table: 'filter', chain: 'INPUT' } },
        { kind: 'outcome', probe: 2, outcome: 'established' },
        { kind: 'commands', max: 2 },
      ],
      solution: sol(['server', 'iptables -A INPUT -p icmp --icmp-type echo-request -j DROP']),
      wrong: [
        { text: sol(['server', 'iptables -A FORWARD -p icmp -j DROP']), mistake: t('FORWARD is for packets passing through, not for the server itself', 'FORWARD 处理穿过本机的包，而不是发给本机的包'), fails: 0 },
        { text: sol(['server', 'iptables -A INPUT -j DROP']), mistake: t('a rule without -p icmp drops the web traffic too', '没有 -p icmp 的规则把网页流量也丢掉了'), fails: 1 },
      ],
    };
  }),
  define('ssh-only', 'targets', 'easy', t('SSH only, with policy DROP', '只开放 SSH，默认策略 DROP'), (v) => {
    const web = v.pick([80, 8080]);
    const { a, start } = pair(v, [22, web]);
    const lo = 'iptables -A INPUT -i lo -j ACCEPT';
    const ssh = 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT';
    return {
      start,
      host: 'server',
      tools: { programs: ['iptables'], budget: 4 },
      kernel: true,
      task: t(
        `Lock the server down: filter INPUT’s policy must be DROP, SSH (port 22) must still connect, port ${web} must not, and the server must still reach itself over loopback (ping 127.0.0.1).`,
        `加固服务器：filter INPUT 的默认策略必须是 DROP，SSH（22 端口）仍能连接，${web} 端口不能连接，服务器仍能通过回环访问自己（ping 127.0.0.1）。`,
      ),
      hints: [t('The policy applies to whatever no rule accepted: add the ACCEPT rules, then set the policy.', '默认策略作用于没有被任何规则接受的包：先加 ACCEPT 规则，再设策略。'), t('Packets to 127.0.0.1 go out OUTPUT and come back in INPUT on lo.', '发往 127.0.0.1 的包从 OUTPUT 出去，再从 lo 进入 INPUT。')],
      probes: [
        { step: tcp('client', a.server, 22), label: t('SSH to the server', 'SSH 到服务器') },
        { step: tcp('client', a.server, web), label: t(`port ${web}`, `${web} 端口`) },
        { step: ping('server', '127.0.0.1'), label: t('the server pings itself', '服务器 ping 自己') },
      ],
      goals: [
        { kind: 'outcome', probe: 1, outcome: 'established' },
        { kind: 'dropped', pick: { probe: 2 }, at: { host: 'server', table: 'filter', chain: 'INPUT', rule: 'policy' } },
        { kind: 'outcome', probe: 3, outcome: 'reply' },
        { kind: 'commands', max: 4 },
      ],
      solution: sol(['server', lo, ssh, 'iptables -P INPUT DROP']),
      wrong: [
        { text: sol(['server', lo, 'iptables -A INPUT -j DROP', ssh]), mistake: t('the SSH rule sits after a catch-all DROP and is never reached', 'SSH 规则排在一条全部丢弃的规则之后，永远轮不到'), fails: 0 },
        { text: sol(['server', ssh, 'iptables -P INPUT DROP']), mistake: t('without -i lo ACCEPT the policy drops the server talking to itself', '没有 -i lo ACCEPT，默认策略把服务器和自己的通信也丢了'), fails: 2 },
      ],
    };
  }),
  define('shadowed-rule', 'targets', 'medium', t('Fix a shadowed rule', '修复被遮蔽的规则'), (v) => {
    const [lan] = twoOf(v, LANS);
    const [adm, gst, srv] = v.distinct(3, 2, 99);
    const a = { admin: `${lan}.${adm}`, guest: `${lan}.${gst}`, server: `${lan}.${srv}` };
    const drop = `-s ${lan}.0/24 -j DROP`;
    const admin = `-s ${a.admin}/32 -p tcp -m tcp --dport 22 -j ACCEPT`;
    // the rules that do not matter to the task change places with the seed; the DROP always shadows the admin rule
    const others = v.shuffle(['-i lo -j ACCEPT', '-p icmp -j ACCEPT', '-p tcp -m tcp --dport 443 -j ACCEPT']);
    const at = v.int(0, others.length);
    const rules = [...others.slice(0, at), drop, admin, ...others.slice(at)];
    const dropNum = at + 1;
    const adminNum = at + 2;
    return {
      start: {
        hosts: [
          host('admin', `ip addr add ${a.admin}/24 dev eth0`),
          host('guest', `ip addr add ${a.guest}/24 dev eth0`),
          host('server', `ip addr add ${a.server}/24 dev eth0`, ...rules.map((r) => `iptables -A INPUT ${r}`)),
        ],
        switches: [{ name: 'lan', ports: ['admin:eth0', 'guest:eth0', 'server:eth0'] }],
        listeners: [{ host: 'server', proto: 'tcp' as const, port: 22 }],
      },
      host: 'server',
      tools: { programs: ['iptables'], budget: 2 },
      kernel: true,
      task: t(
        `The server’s INPUT chain is meant to let the admin (${a.admin}) in by SSH and keep the rest of ${lan}.0/24 out, but the admin is dropped too. Fix it with at most two commands; the guest (${a.guest}) must stay out.`,
        `服务器的 INPUT 链本想允许管理员（${a.admin}）SSH 登录、挡住 ${lan}.0/24 的其他主机，但管理员也被丢弃了。最多用两条命令修好；访客（${a.guest}）仍要被挡住。`,
      ),
      hints: [t('iptables -L INPUT --line-numbers shows which rule comes first.', 'iptables -L INPUT --line-numbers 显示规则的先后。'), t('The first rule that matches decides: the admin’s address is in the /24 the DROP names.', '第一条匹配的规则说了算：管理员的地址也在 DROP 那条规则的 /24 里。')],
      probes: [
        { step: tcp('admin', a.server, 22), label: t('the admin connects by SSH', '管理员 SSH 连接') },
        { step: tcp('guest', a.server, 22), label: t('the guest tries SSH', '访客尝试 SSH') },
      ],
      goals: [
        { kind: 'outcome', probe: 1, outcome: 'established' },
        { kind: 'dropped', pick: { probe: 2 }, at: { host: 'server', table: 'filter', chain: 'INPUT', reason: 'rule-drop' } },
        { kind: 'commands', max: 2 },
      ],
      solution: sol(['server', `iptables -D INPUT ${adminNum}`, `iptables -I INPUT ${dropNum} ${admin}`]),
      wrong: [
        { text: sol(['server', `iptables -A INPUT ${admin}`]), mistake: t('appended after the DROP, the new rule is shadowed too', '追加在 DROP 之后，新规则同样被遮蔽'), fails: 0 },
        { text: sol(['server', `iptables -D INPUT ${dropNum}`]), mistake: t('deleting the DROP lets the guest in as well', '删掉 DROP 也把访客放进来了'), fails: 1 },
      ],
    };
  }),
  define('reject-with-reset', 'targets', 'medium', t('Refuse, do not ignore', '拒绝，而不是不理'), (v) => {
    const { a, start } = pair(v, [23, 80]);
    return {
      start,
      host: 'server',
      tools: { programs: ['iptables'], budget: 1 },
      kernel: true,
      task: t(
        'Telnet (port 23) must be refused at once with a TCP reset, as if nothing listened there, instead of leaving the client waiting; port 80 keeps working.',
        'Telnet（23 端口）必须立刻用 TCP 复位拒绝，就像那里没有程序监听一样，而不是让客户端一直等；80 端口照常工作。',
      ),
      hints: [t('DROP makes the client wait for a timeout; REJECT answers.', 'DROP 让客户端等到超时；REJECT 会回应。'), t('REJECT answers with an ICMP port unreachable unless --reject-with tcp-reset says otherwise.', 'REJECT 默认回 ICMP 端口不可达，除非用 --reject-with tcp-reset 指定。')],
      probes: [
        { step: tcp('client', a.server, 23), label: t('telnet', 'telnet') },
        { step: tcp('client', a.server, 80), label: t('web', '网页') },
      ],
      goals: [
        { kind: 'dropped', pick: { probe: 1 }, at: { host: 'server', table: 'filter', chain: 'INPUT', rejectWith: 'tcp-reset' } },
        { kind: 'outcome', probe: 1, outcome: 'refused' },
        { kind: 'outcome', probe: 2, outcome: 'established' },
      ],
      solution: sol(['server', 'iptables -A INPUT -p tcp --dport 23 -j REJECT --reject-with tcp-reset']),
      wrong: [
        { text: sol(['server', 'iptables -A INPUT -p tcp --dport 23 -j DROP']), mistake: t('DROP answers nothing: the client times out', 'DROP 不作任何回应：客户端只能超时'), fails: 1 },
        { text: sol(['server', 'iptables -A INPUT -p tcp --dport 23 -j REJECT']), mistake: t('REJECT alone answers with ICMP port unreachable, not a reset', '单独的 REJECT 回的是 ICMP 端口不可达，不是复位'), fails: 0 },
      ],
    };
  }),
  define('user-chain', 'targets', 'medium', t('A chain of its own', '自定义链'), (v) => {
    const { a, start } = pair(v, [22, 80, 443]);
    const base = ['iptables -A INPUT -i lo -j ACCEPT', 'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -P INPUT DROP'];
    const name = v.pick(['WEB', 'HTTP', 'SITES']);
    const fill = [`iptables -N ${name}`, `iptables -A ${name} -p tcp --dport 80 -j ACCEPT`, `iptables -A ${name} -p tcp --dport 443 -j ACCEPT`];
    return {
      start: withSetup(start, 'server', ...base),
      host: 'server',
      tools: { programs: ['iptables'], budget: 5 },
      kernel: true,
      task: t(
        `Open ports 80 and 443 through a user chain named ${name} that INPUT jumps to for TCP traffic; SSH is already accepted before that and must never pass ${name}.`,
        `通过名为 ${name} 的自定义链开放 80 和 443 端口，由 INPUT 对 TCP 流量跳转过去；SSH 在此之前已被接受，不应经过 ${name}。`,
      ),
      hints: [t(`iptables -N ${name} makes the chain; -j ${name} in INPUT jumps to it.`, `iptables -N ${name} 创建链；在 INPUT 里 -j ${name} 跳过去。`), t('A rule appended to INPUT comes after the SSH rule.', '追加到 INPUT 的规则排在 SSH 规则之后。')],
      probes: [
        { step: tcp('client', a.server, 80), label: t('http', 'http') },
        { step: tcp('client', a.server, 443), label: t('https', 'https') },
        { step: tcp('client', a.server, 22), label: t('ssh', 'ssh') },
      ],
      goals: [
        { kind: 'traverses', pick: { probe: 1, host: 'server' }, table: 'filter', chain: name, expect: true },
        { kind: 'outcome', probe: 1, outcome: 'established' },
        { kind: 'outcome', probe: 2, outcome: 'established' },
        { kind: 'traverses', pick: { probe: 3, host: 'server' }, table: 'filter', chain: name, expect: false },
        { kind: 'outcome', probe: 3, outcome: 'established' },
      ],
      solution: sol(['server', ...fill, `iptables -A INPUT -p tcp -j ${name}`]),
      wrong: [
        { text: sol(['server', ...fill]), mistake: t('a chain nobody jumps to is never used', '没有跳转的链永远不会被用到'), fails: 0 },
        { text: sol(['server', ...fill, `iptables -I INPUT 1 -j ${name}`]), mistake: t('inserted first, the jump sends SSH through the chain too', '插在最前面，SSH 也被送进了这条链'), fails: 3 },
      ],
    };
  }),
];
