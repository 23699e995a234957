// pattern: Functional Core
// Unit 8, kube-proxy in iptables mode: a Service’s ClusterIP exists only as
// nat rules. KUBE-SERVICES (jumped to from PREROUTING and OUTPUT) matches the
// ClusterIP and port, KUBE-SVC-… picks an endpoint, KUBE-SEP-… DNATs to the
// pod. kube-proxy picks with `-m statistic --mode random`; these challenges
// use `--mode nth`, which picks the same way on every run (cases
// 40-kube-proxy-nth, 41-kube-proxy-probability-edges).

import type { Choice } from '../types';
import { answer, define, host, sol, t, tcp, type Variant } from './kit';

/** a client pod’s host — the node — pods on the node’s bridge. */
function cluster(v: Variant, pods: number) {
  const svcNet = v.pick(['10.96.0', '10.100.0', '172.30.0']);
  const clusterIp = `${svcNet}.${v.int(10, 200)}`;
  const podNet = v.pick(['10.244.1', '10.42.0', '10.1.3']);
  const port = v.pick([8080, 9376, 5000]);
  const ips = v.distinct(pods, 10, 60).map((n) => `${podNet}.${n}`);
  const a = { clusterIp, port, pods: ips, client: '192.168.99.10', node: '192.168.99.1', bridge: `${podNet}.1` };
  const start = {
    hosts: [
      host('client', `ip addr add ${a.client}/24 dev eth0`, `ip route add default via ${a.node}`),
      host('node', `ip addr add ${a.node}/24 dev eth0`, `ip addr add ${a.bridge}/24 dev eth1`, 'sysctl -w net.ipv4.ip_forward=1', `ip route add default via ${a.client}`),
      ...ips.map((ip, k) => host(`pod${k + 1}`, `ip addr add ${ip}/24 dev eth0`, `ip route add default via ${a.bridge}`)),
    ],
    links: [['client:eth0', 'node:eth0']] as [string, string][],
    switches: [{ name: 'cbr0', ports: ['node:eth1', ...ips.map((_, k) => `pod${k + 1}:eth0`)] }],
    listeners: ips.map((_, k) => ({ host: `pod${k + 1}`, proto: 'tcp' as const, port })),
  };
  return { a, start };
}

/** The rules kube-proxy writes for one Service, endpoints picked by nth. */
function serviceRules(a: { clusterIp: string; port: number; pods: string[] }, hooks: ('PREROUTING' | 'OUTPUT')[] = ['PREROUTING', 'OUTPUT']): string[] {
  const n = a.pods.length;
  return [
    'iptables -t nat -N KUBE-SERVICES',
    'iptables -t nat -N KUBE-SVC-WEB',
    ...a.pods.map((_, k) => `iptables -t nat -N KUBE-SEP-${k + 1}`),
    ...hooks.map((h) => `iptables -t nat -A ${h} -j KUBE-SERVICES`),
    `iptables -t nat -A KUBE-SERVICES -d ${a.clusterIp}/32 -p tcp --dport 80 -j KUBE-SVC-WEB`,
    ...a.pods.map((_, k) => (k === n - 1 ? `iptables -t nat -A KUBE-SVC-WEB -j KUBE-SEP-${k + 1}` : `iptables -t nat -A KUBE-SVC-WEB -m statistic --mode nth --every ${n - k} --packet 0 -j KUBE-SEP-${k + 1}`)),
    ...a.pods.map((ip, k) => `iptables -t nat -A KUBE-SEP-${k + 1} -p tcp -j DNAT --to-destination ${ip}:${a.port}`),
  ];
}

export const kubeProxyChallenges = [
  define('k8s-service-by-hand', 'kube-proxy', 'hard', t('A Kubernetes Service by hand (iptables mode)', '手写一个 Kubernetes Service（iptables 模式）'), (v) => {
    const { a, start } = cluster(v, 2);
    const probes = [
      { step: tcp('client', a.clusterIp, 80, { sport: 41001 }), label: t('a client connects to the ClusterIP', '客户端连接 ClusterIP') },
      { step: tcp('client', a.clusterIp, 80, { sport: 41002 }), label: t('a second connection', '第二个连接') },
      { step: tcp('node', a.clusterIp, 80, { sport: 41003 }), label: t('a process on the node itself', '节点自己的进程') },
    ];
    const rules = serviceRules(a);
    const noOutput = serviceRules(a, ['PREROUTING']);
    const onePod = rules.filter((r) => !r.includes('--mode nth'));
    return {
      start,
      host: 'node',
      tools: { programs: ['iptables'], budget: 12 },
      kernel: true,
      task: t(
        `Write what kube-proxy would write for a Service with ClusterIP ${a.clusterIp}:80 and two endpoints, ${a.pods[0]}:${a.port} (pod1) and ${a.pods[1]}:${a.port} (pod2): chains KUBE-SERVICES, KUBE-SVC-WEB, KUBE-SEP-1 and KUBE-SEP-2 in the nat table. Connections alternate between the pods (use -m statistic --mode nth), and processes on the node reach the Service too.`,
        `写出 kube-proxy 会为这个 Service 写的规则：ClusterIP ${a.clusterIp}:80，两个端点 ${a.pods[0]}:${a.port}（pod1）和 ${a.pods[1]}:${a.port}（pod2）；在 nat 表中建 KUBE-SERVICES、KUBE-SVC-WEB、KUBE-SEP-1、KUBE-SEP-2 链。连接在两个 pod 之间交替（用 -m statistic --mode nth），节点上的进程也要能访问这个 Service。`,
      ),
      hints: [
        t('PREROUTING and OUTPUT both jump to KUBE-SERVICES: packets from pods and from the node itself.', 'PREROUTING 和 OUTPUT 都跳到 KUBE-SERVICES：分别处理来自 pod 和来自节点自身的包。'),
        t('In KUBE-SVC-WEB: -m statistic --mode nth --every 2 --packet 0 -j KUBE-SEP-1, then -j KUBE-SEP-2.', '在 KUBE-SVC-WEB 里：-m statistic --mode nth --every 2 --packet 0 -j KUBE-SEP-1，然后 -j KUBE-SEP-2。'),
        t('Each KUBE-SEP chain DNATs to its pod: -p tcp -j DNAT --to-destination POD:PORT.', '每条 KUBE-SEP 链 DNAT 到自己的 pod：-p tcp -j DNAT --to-destination POD:端口。'),
      ],
      probes,
      goals: [
        { kind: 'traverses', pick: { probe: 1, host: 'node' }, table: 'nat', chain: 'KUBE-SERVICES', expect: true },
        { kind: 'nat', pick: { probe: 1, host: 'node' }, tuple: { dst: a.pods[0]!, dport: a.port }, binding: 'new' },
        { kind: 'nat', pick: { probe: 2, host: 'node' }, tuple: { dst: a.pods[1]!, dport: a.port } },
        { kind: 'outcome', probe: 1, outcome: 'established' },
        { kind: 'outcome', probe: 2, outcome: 'established' },
        { kind: 'delivered', probe: 3, to: 'pod1' },
      ],
      solution: sol(['node', ...rules]),
      wrong: [
        { text: sol(['node', ...noOutput]), mistake: t('without the OUTPUT jump, the node’s own processes never meet KUBE-SERVICES', '没有 OUTPUT 的跳转，节点自己的进程永远碰不到 KUBE-SERVICES'), fails: 5 },
        { text: sol(['node', ...onePod]), mistake: t('without the statistic match only the unconditional jump is left: every connection goes to pod2', '没有 statistic 匹配，只剩无条件的跳转：所有连接都去 pod2'), fails: 1 },
      ],
    };
  }),
  define('k8s-which-pod', 'kube-proxy', 'medium', t('Which pod gets the third connection?', '第三个连接去哪个 pod？'), (v) => {
    const { a, start } = cluster(v, 3);
    const node = start.hosts.find((h) => h.name === 'node')!;
    const withRules = { ...start, hosts: start.hosts.map((h) => (h === node ? { ...h, setup: [...h.setup!, ...serviceRules(a)] } : h)) };
    const choices: Choice[] = ['pod1', 'pod2', 'pod3'].map((p) => ({ id: `delivered ${p}`, label: t(p, p) }));
    return {
      start: withRules,
      host: 'node',
      tools: { programs: [], budget: 0 },
      kernel: true,
      task: t(
        `KUBE-SVC-WEB has three rules: --every 3 --packet 0 → KUBE-SEP-1, --every 2 --packet 0 → KUBE-SEP-2, and the rest → KUBE-SEP-3. Three connections to ${a.clusterIp}:80 arrive one after the other. Which pod does the third reach?`,
        `KUBE-SVC-WEB 有三条规则：--every 3 --packet 0 → KUBE-SEP-1，--every 2 --packet 0 → KUBE-SEP-2，其余 → KUBE-SEP-3。三个连接依次到达 ${a.clusterIp}:80。第三个到达哪个 pod？`,
      ),
      hints: [t('An nth rule counts only the packets that reach it: the second rule sees only what the first let through.', 'nth 规则只计到达它的包：第二条规则只看到第一条放过的包。'), t('Only a connection’s first packet passes the nat table.', '只有连接的第一个包经过 nat 表。')],
      probes: [1, 2, 3].map((n) => ({ step: tcp('client', a.clusterIp, 80, { sport: 42000 + n }), label: t(`connection ${n}`, `第 ${n} 个连接`) })),
      choices,
      goals: [{ kind: 'answer', question: { kind: 'fate', pick: { probe: 3 } } }],
      solution: answer('delivered pod3'),
      wrong: [
        { text: answer('delivered pod1'), mistake: t('the first rule’s counter is at 2: it matches again only on the fourth', '第一条规则的计数到了 2：要到第四个才再次匹配'), fails: 0 },
        { text: answer('delivered pod2'), mistake: t('the second rule matched the second connection; its counter is at 1 now', '第二条规则匹配了第二个连接；它的计数现在是 1'), fails: 0 },
      ],
    };
  }),
];
