// pattern: Functional Core
// IPVS state as plain, JSON-serialisable data (no Map, no class): one
// IpvsState per host, snapshot with cloneIpvsState and restore from JSON.
// Names follow include/net/ip_vs.h and ipvsadm(8): virtual service, real
// server (ip_vs_dest), connection (ip_vs_conn), template, scheduler.
// Time is the simulation clock in milliseconds, always passed in.

import type { Ipv4 } from '../net/addr';
import type { IpvsSysctl, SchedulerName } from '../../vocabulary/ipvs';

export type IpvsProtocol = 'tcp' | 'udp' | 'sctp';

/** Forwarding method of a real server: -m Masq, -g Route (DR, ipvsadm's default), -i Tunnel. */
export type FwdMethod = 'masq' | 'route' | 'tunnel';
export type TunType = 'ipip' | 'gue' | 'gre';
/** --tun-nocsum / --tun-csum / --tun-remcsum (GUE and GRE only). */
export type TunCsum = 'nocsum' | 'csum' | 'remcsum';

export type { SchedulerName, IpvsSysctl } from '../../vocabulary/ipvs';
export {
  SCHEDULER_NAMES,
  IP_VS_SVC_F_PERSISTENT,
  IP_VS_SVC_F_HASHED,
  IP_VS_SVC_F_ONEPACKET,
  IP_VS_SVC_F_SCHED1,
  IP_VS_SVC_F_SCHED2,
  IP_VS_SVC_F_SCHED3,
  IP_VS_SVC_F_SCHED_SH_FALLBACK,
  IP_VS_SVC_F_SCHED_SH_PORT,
  IP_VS_SVC_F_SCHED_MH_FALLBACK,
  IP_VS_SVC_F_SCHED_MH_PORT,
  DEFAULT_IPVS_SYSCTL,
} from '../../vocabulary/ipvs';

/** ipvsadm's default persistence timeout (libipvs: 6*60, although the man page says 300). */
export const IPVS_SVC_PERSISTENT_TIMEOUT = 360;
/** Connection hash table size printed by `ipvsadm -L` (CONFIG_IP_VS_TAB_BITS=12). */
export const IP_VS_CONN_TAB_SIZE = 4096;
/** IPVS version code 1.2.1 as printed by ipvsadm. */
export const IP_VS_VERSION = '1.2.1';

/** Per-object traffic counters (struct ip_vs_kstats). Rates are not estimated (see ipvsadm --rate). */
export interface IpvsStats {
  conns: number;
  inpkts: number;
  outpkts: number;
  inbytes: number;
  outbytes: number;
}

/** A real server (struct ip_vs_dest). */
export interface RealServer {
  /** unique within the IpvsState; connections point at servers by id */
  id: number;
  /** the virtual service this server belongs (or belonged, when in the trash) to */
  serviceId: number;
  addr: Ipv4;
  port: number;
  weight: number;
  /** last non-zero weight (set on add even to 0); only mh reads it */
  lastWeight: number;
  method: FwdMethod;
  tunType: TunType;
  tunPort: number;
  tunCsum: TunCsum;
  uThreshold: number;
  lThreshold: number;
  /** IP_VS_DEST_F_OVERLOAD */
  overloaded: boolean;
  /** IP_VS_DEST_F_AVAILABLE: false once deleted (the object lives on in the trash while connections use it) */
  available: boolean;
  activeConns: number;
  inactConns: number;
  persistConns: number;
  stats: IpvsStats;
}

/** wrr's mark (struct ip_vs_wrr_mark): cl is an index into the server list, -1 = list head. */
export interface WrrState {
  kind: 'wrr';
  cl: number;
  cw: number;
  mw: number;
  di: number;
}

/** rr keeps the server it last returned; null = the list head. */
export interface RrState {
  kind: 'rr';
  pos: number | null;
}

/** sh and dh: 256 buckets of server ids (null = empty list). */
export interface BucketState {
  kind: 'sh' | 'dh';
  buckets: (number | null)[];
}

/** mh: the Maglev lookup table (4093 slots of server ids) and the per-server permutation seeds. */
export interface MhState {
  kind: 'mh';
  lookup: (number | null)[];
  gcd: number;
  rshift: number;
  /** per server in list order: offset, skip and turns used to fill `lookup` */
  setup: { id: number; offset: number; skip: number; turns: number }[];
}

/** lblc: destination address (as a decimal string key) -> server. Approximation, see schedulers.ts. */
export interface LblcState {
  kind: 'lblc';
  table: Record<string, { dest: number; lastUse: number }>;
}

export interface LblcrState {
  kind: 'lblcr';
  table: Record<string, { dests: number[]; lastMod: number; lastUse: number }>;
}

/** twos draws random numbers: the state carries a seeded generator so runs are reproducible. */
export interface TwosState {
  kind: 'twos';
  seed: number;
}

export interface StatelessSched {
  kind: 'none';
}

export type SchedulerState = RrState | WrrState | BucketState | MhState | LblcState | LblcrState | TwosState | StatelessSched;

/** A virtual service (struct ip_vs_service). */
export interface VirtualService {
  id: number;
  /** 0 for (protocol, address, port) services, else the fwmark (-f) */
  fwmark: number;
  protocol: IpvsProtocol;
  addr: Ipv4;
  port: number;
  scheduler: SchedulerName;
  /** IP_VS_SVC_F_* bits (persistent, one-packet, scheduler flags) */
  flags: number;
  /** persistence timeout in seconds */
  timeout: number;
  netmask: Ipv4;
  /** --pe persistence engine name ('' for none) */
  pe: string;
  /** real server ids in kernel list order: `ipvsadm -a` inserts at the head, so this is reverse order of addition */
  dests: number[];
  sched: SchedulerState;
  stats: IpvsStats;
}

/** IPVS TCP states (ip_vs_proto_tcp.c), in the column order of its state tables. */
export type IpvsTcpState =
  | 'NONE'
  | 'ESTABLISHED'
  | 'SYN_SENT'
  | 'SYN_RECV'
  | 'FIN_WAIT'
  | 'TIME_WAIT'
  | 'CLOSE'
  | 'CLOSE_WAIT'
  | 'LAST_ACK'
  | 'LISTEN'
  | 'SYNACK';

/** State of a connection entry: a TCP state, 'UDP' for UDP entries, 'NONE' for templates. */
export type IpvsConnState = IpvsTcpState | 'UDP';

/** One entry of the connection table (struct ip_vs_conn), normal or persistence template. */
export interface IpvsConn {
  /** the ip_vs_conn hash key: (protocol, caddr, cport, vaddr, vport) */
  key: string;
  /** IP protocol number; 0 (IPPROTO_IP) for fwmark templates */
  protocol: number;
  caddr: Ipv4;
  cport: number;
  /** virtual address; a fwmark template stores the fwmark here */
  vaddr: Ipv4;
  vport: number;
  daddr: Ipv4;
  dport: number;
  serviceId: number;
  /** real server id (RealServer.id) */
  dest: number;
  state: IpvsConnState;
  method: FwdMethod;
  /** IP_VS_CONN_F_TEMPLATE */
  template: boolean;
  /** IP_VS_CONN_F_INACTIVE: counted in inactconns rather than activeconns */
  inactive: boolean;
  /** IP_VS_CONN_F_NOOUTPUT: DR/TUN entries see only client->server packets (INPUT_ONLY table) */
  noOutput: boolean;
  /** IP_VS_CONN_F_NFCT: created while net.ipv4.vs.conntrack=1 */
  nfct: boolean;
  /** IP_VS_CONN_F_ONE_PACKET */
  onePacket: boolean;
  /** timeout of the current state, ms */
  timeout: number;
  /** simulation time (ms) at which the timer fires */
  expires: number;
  /** key of the controlling template, or null */
  control: string | null;
  /** how many entries this one (a template) controls */
  nControl: number;
  /** skb->mark of the first packet */
  fwmark: number;
  /** creation order, used as the listing order of `ipvsadm -Lc` (the kernel's is its hash order) */
  seq: number;
  /** packet counters of this entry */
  inpkts: number;
  outpkts: number;
}

/** /proc/sys/net/ipv4/vs/* that the simulator reads. */
/** Per-state TCP timeouts and the UDP timeout, seconds. */
export interface IpvsTimeouts {
  tcp: Record<IpvsTcpState, number>;
  udp: number;
}

export const DEFAULT_TCP_TIMEOUTS: Readonly<Record<IpvsTcpState, number>> = {
  NONE: 2,
  ESTABLISHED: 900,
  SYN_SENT: 120,
  SYN_RECV: 60,
  FIN_WAIT: 120,
  TIME_WAIT: 120,
  CLOSE: 10,
  CLOSE_WAIT: 60,
  LAST_ACK: 30,
  LISTEN: 120,
  SYNACK: 120,
};
export const DEFAULT_UDP_TIMEOUT = 300;

/** The IPVS state of one host. */
export interface IpvsState {
  /** virtual services in creation order (ipvsadm sorts them for display) */
  services: VirtualService[];
  /** every real server object by id, including deleted ones still used by connections (the kernel's trash) */
  dests: Record<string, RealServer>;
  /** the connection table by hash key */
  conns: Record<string, IpvsConn>;
  /** reply lookup for NAT: (protocol, daddr, dport, caddr, cport) -> conn key */
  outIndex: Record<string, string>;
  sysctl: IpvsSysctl;
  timeouts: IpvsTimeouts;
  nextId: number;
  nextSeq: number;
}

export type { Ipv4 };

/**
 * Remove a key from one of the state's records. The state uses plain
 * records rather than Maps so that it stays JSON-serialisable.
 */
export function dropKey(rec: Record<string, unknown>, key: string | number): void {
  Reflect.deleteProperty(rec, String(key));
}
