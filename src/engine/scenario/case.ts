// pattern: Functional Core
// The case: the one type a scenario has outside the engine. It is the
// oracle's case file (shared/oracle/FORMAT.md §1) as JSON holds it, so what
// the page keeps, autosaves, downloads and puts in a share link is the very
// file the kernel harness runs. The engine reads a Case into its own
// resolved `Scenario` (types.ts: defaults filled, endpoints split) and never
// hands that out; the page imports these types only (`import type`).
//
// Where a Case comes from outside, it is checked before it is typed:
// src/share/case-shape.ts (a file, autosave, a saved version; the link's
// schema, src/share/schema.ts, adds the link's own limits) and, in the
// worker, readCase (case-file.ts), which is what finally accepts or refuses it.

/** One setup command: an `ip`/`iptables`/`ipvsadm`/`sysctl` line, or a text for iptables-restore (FORMAT.md §1.1). */
export type CaseCommand = string | { 'iptables-restore': string; noflush?: boolean };

export interface CaseHost {
  /** `[a-z][a-z0-9_]{0,14}`: the network namespace's name */
  name: string;
  /** run in order; missing means none */
  setup?: CaseCommand[];
  /**
   * a network namespace inside this host (`ip netns add NAME` there): its own
   * stack, joined to it by veth links like any other host; the kernel case
   * records it as one more host, which is what the walk runs
   */
  in?: string;
}

/** `"host:ifname"`, one end of a veth pair or a switch port. */
export type CaseEndpoint = string;

/** A veth pair. */
export type CaseLink = [CaseEndpoint, CaseEndpoint];

/** An L2 switch: a Linux bridge in its own namespace, one port per endpoint. */
export interface CaseSwitch {
  name: string;
  ports: CaseEndpoint[];
}

/** A real socket in a host (FORMAT.md §1.3). */
export interface CaseListener {
  host: string;
  proto: 'tcp' | 'udp';
  port: number;
  /** default 0.0.0.0 */
  addr?: string;
  /** default true */
  echo?: boolean;
}

/** What every traffic step has (FORMAT.md §1.2); defaults are the harness's (lib/caseload.py). */
interface CaseStepCommon {
  from: string;
  note?: string;
  /** seconds, default 0.5 */
  timeout?: number;
  /** bind the socket to this local address */
  src?: string;
  /** SO_MARK */
  mark?: number;
  /** IP_TTL, default 64 */
  ttl?: number;
}

export interface CasePingStep extends CaseStepCommon {
  ping: string;
  id?: number;
  seq?: number;
  payload?: string;
}

export interface CaseTcpStep extends CaseStepCommon {
  /** "addr:port" to connect() to */
  tcp: string;
  sport?: number;
  data?: string;
  close?: 'rst' | 'fin';
}

export interface CaseUdpStep extends CaseStepCommon {
  /** "addr:port" to sendto() */
  udp: string;
  sport?: number;
  data?: string;
}

/** A packet built field by field and sent from a raw socket. */
export interface CasePacket {
  proto: 'tcp' | 'udp' | 'icmp';
  dst: string;
  src?: string;
  ttl?: number;
  tos?: number;
  df?: boolean;
  ipid?: number;
  sport?: number;
  dport?: number;
  /** TCP flag letters, e.g. "SA" */
  flags?: string;
  seq?: number;
  ack?: number;
  window?: number;
  data?: string;
  /** ICMP type and code */
  type?: number;
  code?: number;
  /** ICMP echo id */
  id?: number;
}

export interface CasePacketStep extends CaseStepCommon {
  packet: CasePacket;
}

/** One traffic step: which kind is told by its ping, tcp, udp or packet key, exactly one of them. */
export type CaseStep = CasePingStep | CaseTcpStep | CaseUdpStep | CasePacketStep;

/** A scenario: hosts, how they are wired, their configuration and the traffic to send. */
export interface Case {
  name: string;
  description?: string;
  options?: { conntrack?: 'auto' | 'on' };
  /** names for routing tables, like /etc/iproute2/rt_tables: name → id 1..252 */
  rt_tables?: Record<string, number>;
  hosts: CaseHost[];
  links?: CaseLink[];
  switches?: CaseSwitch[];
  listeners?: CaseListener[];
  steps?: CaseStep[];
}
