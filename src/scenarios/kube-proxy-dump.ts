// pattern: Functional Core
// A whole kube-proxy node ruleset (iptables mode) of an exact number of
// rules, as `iptables-save` (legacy, 1.8.9) prints it: the size a user pastes
// into Import when they bring a real cluster node's rules, for the app
// benchmark (`npm run bench:app`, the kube50k scenario).
//
// The shape follows the kube-proxy dumps in shared/corpus/iptables-save
// (kube-proxy-trace-packet.rules for the full table state,
// roundtrip-legacy-1.8.9/ for how iptables-save renders kube-proxy's rules):
//  - filter: INPUT/FORWARD/OUTPUT jump to KUBE-PROXY-FIREWALL, KUBE-NODEPORTS,
//    KUBE-EXTERNAL-SERVICES, KUBE-SERVICES (a REJECT per Service without
//    endpoints), KUBE-FORWARD (the 0x4000 mark and ESTABLISHED accepted),
//    KUBE-FIREWALL;
//  - nat: PREROUTING and OUTPUT → KUBE-SERVICES, one rule per ClusterIP →
//    KUBE-SVC-*, which marks off-cluster sources for masquerade and picks an
//    endpoint with `-m statistic --mode random --probability` → KUBE-SEP-*
//    (KUBE-MARK-MASQ for hairpin, DNAT); NodePort Services through
//    KUBE-NODEPORTS → KUBE-EXT-*; the last KUBE-SERVICES rule sends local
//    destinations to KUBE-NODEPORTS; POSTROUTING → KUBE-POSTROUTING MASQUERADE.
// iptables-save lists the built-in chains first, then user chains sorted by
// name (libiptc keeps them sorted), each chain's rules in order.
//
// The probed Service is a NodePort Service whose one endpoint is given by the
// caller (a host of the scenario that listens), placed last in KUBE-SERVICES
// and in KUBE-NODEPORTS: a connection to the node's NodePort walks every
// ClusterIP rule first, which is the worst case kube-proxy's iptables mode has.

const POD_CIDR = '10.244.0.0/16';
/** a Service without endpoints every this many (kube-proxy REJECTs them in filter KUBE-SERVICES) */
const NO_ENDPOINTS_EVERY = 29;
/** a NodePort Service every this many */
const NODE_PORT_EVERY = 10;

export interface KubeProxyDumpOptions {
  /** `-A` lines in the whole dump, all tables */
  rules: number;
  /** the probed NodePort Service: its node port and its one endpoint (`ip:port`) */
  probe: { nodePort: number; endpoint: string };
}

export interface KubeProxyDump {
  /** iptables-save text */
  text: string;
  /** `-A` lines in it: exactly the rules asked for */
  rules: number;
  services: number;
  /** user chains of the nat table (the Configuration form's chain list) */
  natChains: number;
  /** the probed Service's ClusterIP */
  probeClusterIp: string;
}

interface Port {
  name: string;
  proto: 'tcp' | 'udp';
  port: number;
  targetPort: number;
}

const PORTS: Port[] = [
  { name: 'http', proto: 'tcp', port: 80, targetPort: 8080 },
  { name: 'https', proto: 'tcp', port: 443, targetPort: 8443 },
  { name: 'grpc', proto: 'tcp', port: 9090, targetPort: 9090 },
  { name: 'dns', proto: 'udp', port: 53, targetPort: 53 },
];

/** kube-proxy names chains by a hash of the Service port (base32 of a SHA-256, 16 characters); any stable hash of that shape will do. */
function chainHash(s: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  for (let seed = 0; out.length < 16; seed++) {
    let h = (2166136261 ^ seed) >>> 0;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
    for (let k = 0; k < 6 && out.length < 16; k++) out += alphabet[(h >>> (k * 5)) & 31];
  }
  return out;
}

/** The ClusterIP of Service i: 10.96.0.0/12 from 10.96.0.10 on. */
function clusterIp(i: number): string {
  const n = i + 10;
  return `10.${96 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

/** Pod j's address in the pod CIDR, never .0 or .1 of a /24. */
function podIp(j: number): string {
  return `10.244.${Math.floor(j / 250)}.${(j % 250) + 2}`;
}

/** `-m statistic --probability` as iptables prints it: the kernel keeps p × 2^31 as an integer. */
function probability(p: number): string {
  return (Math.round(p * 0x80000000) / 0x80000000).toFixed(11);
}

interface Service {
  /** `namespace/name:port`, kube-proxy's comment */
  id: string;
  port: Port;
  clusterIp: string;
  /** `ip:port` of each endpoint */
  endpoints: string[];
  nodePort: number | null;
}

/** Rules a Service adds: nat KUBE-SERVICES, KUBE-SVC, KUBE-SEP; KUBE-NODEPORTS and KUBE-EXT; or one filter REJECT without endpoints. */
function cost(s: { endpoints: number; nodePort: boolean }): number {
  if (s.endpoints === 0) return 1 + (s.nodePort ? 1 : 0);
  return 1 + 1 + s.endpoints * 3 + (s.nodePort ? 3 : 0);
}

/** The Services a node of this many rules holds, with the fixed rules counted. */
function services(opts: KubeProxyDumpOptions, fixed: number): Service[] {
  const out: Service[] = [];
  let left = opts.rules - fixed - cost({ endpoints: 1, nodePort: true });
  if (left < 0) throw new Error(`a kube-proxy dump needs at least ${opts.rules - left} rules`);
  let pods = 0;
  let nodePort = 30000;
  const nextNodePort = () => (nodePort === opts.probe.nodePort ? ++nodePort : nodePort++);
  const make = (i: number, endpoints: number, withNodePort: boolean): Service => {
    const port = PORTS[i % PORTS.length]!;
    const eps = Array.from({ length: endpoints }, () => `${podIp(pods++)}:${port.targetPort}`);
    return { id: `team-${i % 37}/svc-${i}:${port.name}`, port, clusterIp: clusterIp(i), endpoints: eps, nodePort: withNodePort ? nextNodePort() : null };
  };
  for (let i = 0; ; i++) {
    const endpoints = i % NO_ENDPOINTS_EVERY === NO_ENDPOINTS_EVERY - 1 ? 0 : 1 + ((i * 7) % 3);
    const withNodePort = i % NODE_PORT_EVERY === 3;
    const c = cost({ endpoints, nodePort: withNodePort });
    if (c <= left) {
      out.push(make(i, endpoints, withNodePort));
      left -= c;
    } else {
      // the rest, one rule each: Services whose endpoints are all gone
      for (let k = 0; k < left; k++) out.push(make(i + k, 0, false));
      break;
    }
  }
  const i = out.length;
  out.push({ id: `team-${i % 37}/probe:http`, port: PORTS[0]!, clusterIp: clusterIp(i), endpoints: [opts.probe.endpoint], nodePort: opts.probe.nodePort });
  return out;
}

/** One table as iptables-save prints it: built-ins in kernel order, then user chains by name. */
function table(name: string, builtins: [string, string][], chains: Map<string, string[]>): string[] {
  const lines = [`*${name}`];
  for (const [chain, policy] of builtins) lines.push(`:${chain} ${policy} [0:0]`);
  const user = [...chains.keys()].filter((c) => !builtins.some(([b]) => b === c)).sort();
  for (const c of user) lines.push(`:${c} - [0:0]`);
  for (const c of [...builtins.map(([b]) => b), ...user]) for (const r of chains.get(c) ?? []) lines.push(`-A ${c} ${r}`);
  lines.push('COMMIT');
  return lines;
}

function adder(chains: Map<string, string[]>) {
  return (chain: string, rule: string) => {
    let rules = chains.get(chain);
    if (!rules) chains.set(chain, (rules = []));
    rules.push(rule);
  };
}

/**
 * @example
 * const dump = kubeProxyDump({ rules: 50_000, probe: { nodePort: 30080, endpoint: '192.168.1.100:80' } });
 * dump.text.split('\n').filter((l) => l.startsWith('-A ')).length; // 50000
 */
export function kubeProxyDump(opts: KubeProxyDumpOptions): KubeProxyDump {
  const filter = new Map<string, string[]>();
  const nat = new Map<string, string[]>();
  const mangle = new Map<string, string[]>([
    ['KUBE-KUBELET-CANARY', []],
    ['KUBE-PROXY-CANARY', []],
  ]);
  const f = adder(filter);
  const n = adder(nat);
  for (const c of ['KUBE-EXTERNAL-SERVICES', 'KUBE-FIREWALL', 'KUBE-FORWARD', 'KUBE-KUBELET-CANARY', 'KUBE-NODEPORTS', 'KUBE-PROXY-CANARY', 'KUBE-PROXY-FIREWALL', 'KUBE-SERVICES']) filter.set(c, []);
  for (const c of ['KUBE-KUBELET-CANARY', 'KUBE-MARK-MASQ', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-PROXY-CANARY', 'KUBE-SERVICES']) nat.set(c, []);

  f('INPUT', '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL');
  f('INPUT', '-m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS');
  f('INPUT', '-m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES');
  f('INPUT', '-j KUBE-FIREWALL');
  f('FORWARD', '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL');
  f('FORWARD', '-m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD');
  f('FORWARD', '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  f('FORWARD', '-m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES');
  f('OUTPUT', '-m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL');
  f('OUTPUT', '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  f('OUTPUT', '-j KUBE-FIREWALL');
  f('KUBE-FIREWALL', '! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP');
  f('KUBE-FORWARD', '-m conntrack --ctstate INVALID -j DROP');
  f('KUBE-FORWARD', '-m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT');
  f('KUBE-FORWARD', '-m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
  n('PREROUTING', '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  n('OUTPUT', '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  n('POSTROUTING', '-m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING');
  n('KUBE-MARK-MASQ', '-j MARK --set-xmark 0x4000/0x4000');
  n('KUBE-POSTROUTING', '-m mark ! --mark 0x4000/0x4000 -j RETURN');
  n('KUBE-POSTROUTING', '-j MARK --set-xmark 0x4000/0x0');
  n('KUBE-POSTROUTING', '-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully');
  // and the last rule of nat KUBE-SERVICES, added below
  const fixed = [...filter.values(), ...nat.values()].reduce((k, r) => k + r.length, 0) + 1;

  const all = services(opts, fixed);
  for (const s of all) {
    const { proto, port } = s.port;
    const svcChain = `KUBE-SVC-${chainHash(s.id)}`;
    const extChain = `KUBE-EXT-${chainHash(s.id)}`;
    if (s.endpoints.length === 0) {
      f('KUBE-SERVICES', `-d ${s.clusterIp}/32 -p ${proto} -m comment --comment "${s.id} has no endpoints" -m ${proto} --dport ${port} -j REJECT --reject-with icmp-port-unreachable`);
      if (s.nodePort !== null) f('KUBE-EXTERNAL-SERVICES', `-p ${proto} -m comment --comment "${s.id} has no endpoints" -m addrtype --dst-type LOCAL -m ${proto} --dport ${s.nodePort} -j REJECT --reject-with icmp-port-unreachable`);
      continue;
    }
    n('KUBE-SERVICES', `-d ${s.clusterIp}/32 -p ${proto} -m comment --comment "${s.id} cluster IP" -m ${proto} --dport ${port} -j ${svcChain}`);
    n(svcChain, `! -s ${POD_CIDR} -d ${s.clusterIp}/32 -p ${proto} -m comment --comment "${s.id} cluster IP" -m ${proto} --dport ${port} -j KUBE-MARK-MASQ`);
    s.endpoints.forEach((ep, k) => {
      const sepChain = `KUBE-SEP-${chainHash(`${s.id}/${ep}`)}`;
      const left = s.endpoints.length - k;
      const stat = left > 1 ? ` -m statistic --mode random --probability ${probability(1 / left)}` : '';
      n(svcChain, `-m comment --comment "${s.id} -> ${ep}"${stat} -j ${sepChain}`);
      n(sepChain, `-s ${ep.split(':')[0]}/32 -m comment --comment "${s.id}" -j KUBE-MARK-MASQ`);
      n(sepChain, `-p ${proto} -m comment --comment "${s.id}" -m ${proto} -j DNAT --to-destination ${ep}`);
    });
    if (s.nodePort !== null) {
      n('KUBE-NODEPORTS', `-p ${proto} -m comment --comment "${s.id}" -m ${proto} --dport ${s.nodePort} -j ${extChain}`);
      n(extChain, `-m comment --comment "masquerade traffic for ${s.id} external destinations" -j KUBE-MARK-MASQ`);
      n(extChain, `-j ${svcChain}`);
    }
  }
  n('KUBE-SERVICES', '-m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');

  const stamp = 'Mon Jan  6 09:00:00 2025';
  const text = [
    `# Generated by iptables-save v1.8.9 on ${stamp}`,
    ...table('mangle', [['PREROUTING', 'ACCEPT'], ['INPUT', 'ACCEPT'], ['FORWARD', 'ACCEPT'], ['OUTPUT', 'ACCEPT'], ['POSTROUTING', 'ACCEPT']], mangle),
    `# Completed on ${stamp}`,
    `# Generated by iptables-save v1.8.9 on ${stamp}`,
    ...table('filter', [['INPUT', 'ACCEPT'], ['FORWARD', 'DROP'], ['OUTPUT', 'ACCEPT']], filter),
    `# Completed on ${stamp}`,
    `# Generated by iptables-save v1.8.9 on ${stamp}`,
    ...table('nat', [['PREROUTING', 'ACCEPT'], ['INPUT', 'ACCEPT'], ['OUTPUT', 'ACCEPT'], ['POSTROUTING', 'ACCEPT']], nat),
    `# Completed on ${stamp}`,
    '',
  ].join('\n');
  const rules = [...filter.values(), ...nat.values()].reduce((k, r) => k + r.length, 0);
  const natChains = [...nat.keys()].filter((c) => !['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'].includes(c)).length;
  return { text, rules, services: all.length, natChains, probeClusterIp: all[all.length - 1]!.clusterIp };
}
