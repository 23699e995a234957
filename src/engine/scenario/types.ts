// pattern: Functional Core
// A scenario: a small network of Linux hosts and the traffic to send through
// it. Shaped after the oracle's case file (shared/oracle/FORMAT.md §1) so a
// case runs unchanged in the engine and on the real kernel, and so the app
// can export what a user built as a case anyone can re-run on a kernel.

export type SetupCommand =
  | string
  | { 'iptables-restore': string; noflush?: boolean };

export interface ScenarioHost {
  name: string;
  setup: SetupCommand[];
  /** a network namespace inside this host (`ip netns add`): drawn inside it, exported as `ip netns` commands on it */
  in?: string;
}

export interface Endpoint {
  host: string;
  iface: string;
}

export interface ScenarioSwitch {
  name: string;
  ports: Endpoint[];
}

export interface Listener {
  host: string;
  proto: 'tcp' | 'udp';
  port: number;
  addr: string;
  echo: boolean;
}

interface StepCommon {
  from: string;
  timeout: number;
  note?: string;
  src?: string;
  mark?: number;
  ttl?: number;
}

export interface PingStep extends StepCommon {
  kind: 'ping';
  ping: string;
  id: number;
  seq: number;
  payload: string;
}

export interface TcpStep extends StepCommon {
  kind: 'tcp';
  tcp: string;
  sport: number;
  data?: string;
  close: 'rst' | 'fin';
}

export interface UdpStep extends StepCommon {
  kind: 'udp';
  udp: string;
  sport: number;
  data: string;
}

export interface CraftedPacket {
  proto: 'tcp' | 'udp' | 'icmp';
  dst: string;
  src?: string;
  ttl: number;
  tos?: number;
  df?: boolean;
  ipid: number;
  sport?: number;
  dport?: number;
  flags?: string;
  seq?: number;
  ack?: number;
  window?: number;
  data?: string;
  type?: number;
  code?: number;
  id?: number;
}

export interface PacketStep extends StepCommon {
  kind: 'packet';
  packet: CraftedPacket;
}

export type Step = PingStep | TcpStep | UdpStep | PacketStep;

export interface Scenario {
  name: string;
  description: string;
  /** 'auto': conntrack active in a host only when a rule needs it (REPORT.md §5.1) */
  conntrack: 'auto' | 'on';
  rtTables: Record<string, number>;
  hosts: ScenarioHost[];
  links: [Endpoint, Endpoint][];
  switches: ScenarioSwitch[];
  listeners: Listener[];
  steps: Step[];
}
