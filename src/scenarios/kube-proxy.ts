// pattern: Functional Core
// One Kubernetes Service (ClusterIP, three endpoints) on a node, the way
// kube-proxy programs it in its two modes, as scenarios the engine walks:
//  - iptables mode: nat KUBE-SERVICES → KUBE-SVC-… → -m statistic → KUBE-SEP-… DNAT
//    (the shape of the kube-proxy dumps in shared/corpus/iptables-save), and
//    KUBE-POSTROUTING masquerading traffic marked by KUBE-MARK-MASQ;
//  - IPVS mode: the ClusterIPs on the dummy interface kube-ipvs0, one IPVS
//    virtual service per port, net.ipv4.vs.conntrack=1 and the same
//    KUBE-POSTROUTING masquerade. Real kube-proxy matches its ClusterIPs with
//    the ipset KUBE-CLUSTER-IP; ipsets are not modelled, so the service CIDR
//    stands in for it.
// `services` adds that many Services in front of the probed one, so a
// packet to the last Service shows how each mode scales.

import type { Case, CaseCommand } from '../engine/scenario/case';

const POD_CIDR = '10.244.0.0/16';
const SERVICE_CIDR = '10.96.0.0/12';
const ENDPOINTS = ['10.244.0.11', '10.244.0.12', '10.244.0.13'];

export type KubeProxyMode = 'iptables' | 'ipvs';

/** ClusterIP of service i (0-based): 10.96.x.y, the probed one is the last. */
export function clusterIp(i: number): string {
  const n = 10 + i;
  return `10.96.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

function hash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h.toString(36).toUpperCase().padStart(7, '0').slice(0, 7);
}

function iptablesModeRules(services: number): string {
  const head = ['*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ':KUBE-MARK-MASQ - [0:0]', ':KUBE-POSTROUTING - [0:0]', ':KUBE-SERVICES - [0:0]'];
  const rules = [
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
  ];
  for (let i = 0; i < services; i++) {
    const name = i === services - 1 ? 'default/web' : `default/svc-${i}`;
    const svc = `KUBE-SVC-${hash(name)}`;
    const vip = clusterIp(i);
    head.push(`:${svc} - [0:0]`);
    rules.push(`-A KUBE-SERVICES -d ${vip}/32 -p tcp -m comment --comment "${name} cluster IP" -m tcp --dport 80 -j ${svc}`);
    rules.push(`-A ${svc} ! -s ${POD_CIDR} -d ${vip}/32 -p tcp -m comment --comment "${name} cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ`);
    ENDPOINTS.forEach((ep, k) => {
      const sep = `KUBE-SEP-${hash(`${name}/${ep}`)}`;
      head.push(`:${sep} - [0:0]`);
      const left = ENDPOINTS.length - k;
      const stat = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(11)}` : '';
      rules.push(`-A ${svc} -m comment --comment "${name} -> ${ep}:8080"${stat} -j ${sep}`);
      rules.push(`-A ${sep} -s ${ep}/32 -m comment --comment "${name}" -j KUBE-MARK-MASQ`);
      rules.push(`-A ${sep} -p tcp -m comment --comment "${name}" -m tcp -j DNAT --to-destination ${ep}:8080`);
    });
  }
  return [...head, ...rules, 'COMMIT', ''].join('\n');
}

function ipvsModeSetup(services: number): CaseCommand[] {
  const setup: (string | { 'iptables-restore': string })[] = ['ip link add kube-ipvs0 type dummy', 'sysctl -w net.ipv4.vs.conntrack=1'];
  for (let i = 0; i < services; i++) {
    const vip = clusterIp(i);
    setup.push(`ip addr add ${vip}/32 dev kube-ipvs0`, `ipvsadm -A -t ${vip}:80 -s rr`);
    for (const ep of ENDPOINTS) setup.push(`ipvsadm -a -t ${vip}:80 -r ${ep}:8080 -m`);
  }
  setup.push({
    'iptables-restore': [
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      ':INPUT ACCEPT [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      ':POSTROUTING ACCEPT [0:0]',
      ':KUBE-MARK-MASQ - [0:0]',
      ':KUBE-POSTROUTING - [0:0]',
      ':KUBE-SERVICES - [0:0]',
      '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
      '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
      '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
      '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
      `-A KUBE-SERVICES ! -s ${POD_CIDR} -d ${SERVICE_CIDR} -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -j KUBE-MARK-MASQ`,
      'COMMIT',
      '',
    ].join('\n'),
  });
  return setup;
}

/** The scenario: an external client, the node, and three endpoint pods behind it. */
export function kubeProxyCase(mode: KubeProxyMode, services = 1): Case {
  const nodeSetup: CaseCommand[] = ['ip addr add 192.168.5.1/24 dev eth0', 'ip addr add 10.244.0.1/24 dev eth1', 'sysctl -w net.ipv4.ip_forward=1'];
  if (mode === 'iptables') nodeSetup.push({ 'iptables-restore': iptablesModeRules(services) });
  else nodeSetup.push(...ipvsModeSetup(services));
  const vip = clusterIp(services - 1);
  return {
    name: `kube-proxy-${mode}-${services}`,
    description:
      mode === 'iptables'
        ? 'kube-proxy in iptables mode: the Service is a chain of nat rules; a new connection walks KUBE-SERVICES rule by rule until its ClusterIP matches, then -m statistic picks an endpoint and KUBE-SEP DNATs to it.'
        : 'kube-proxy in IPVS mode: the ClusterIP sits on kube-ipvs0, so the packet is delivered locally; IPVS at LOCAL_IN finds the virtual service with one hash lookup and sends the packet to an endpoint.',
    hosts: [
      { name: 'client', setup: ['ip addr add 192.168.5.10/24 dev eth0', 'ip route add 10.96.0.0/12 via 192.168.5.1'] },
      { name: 'node', setup: nodeSetup },
      ...ENDPOINTS.map((ep, k) => ({ name: `pod${'abc'[k]}`, setup: [`ip addr add ${ep}/24 dev eth0`, 'ip route add default via 10.244.0.1'] })),
    ],
    links: [['client:eth0', 'node:eth0']],
    switches: [{ name: 'cni', ports: ['node:eth1', 'poda:eth0', 'podb:eth0', 'podc:eth0'] }],
    listeners: ENDPOINTS.map((_, k) => ({ host: `pod${'abc'[k]}`, proto: 'tcp' as const, port: 8080 })),
    steps: [
      { from: 'client', tcp: `${vip}:80`, data: 'GET /' },
      { from: 'client', tcp: `${vip}:80`, data: 'GET /', sport: 41002 },
      { from: 'client', tcp: `${vip}:80`, data: 'GET /', sport: 41003 },
    ],
  };
}
