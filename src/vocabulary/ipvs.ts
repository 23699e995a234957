// pattern: Functional Core
// IPVS's fixed names and numbers — the schedulers, the service flag bits and
// their ipvsadm names, the net.ipv4.vs.* sysctls and their defaults — as
// plain constants that the engine and the page both use (the page may
// import only types from the engine). Values from include/uapi/linux/ip_vs.h,
// net/netfilter/ipvs/ip_vs_ctl.c and ipvsadm.c.

export type SchedulerName = 'rr' | 'wrr' | 'lc' | 'wlc' | 'lblc' | 'lblcr' | 'dh' | 'sh' | 'sed' | 'nq' | 'fo' | 'ovf' | 'mh' | 'twos';

export const SCHEDULER_NAMES: readonly SchedulerName[] = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh', 'twos'];

/** IP_VS_SVC_F_* (include/uapi/linux/ip_vs.h). */
export const IP_VS_SVC_F_PERSISTENT = 0x0001;
export const IP_VS_SVC_F_HASHED = 0x0002;
export const IP_VS_SVC_F_ONEPACKET = 0x0004;
export const IP_VS_SVC_F_SCHED1 = 0x0008;
export const IP_VS_SVC_F_SCHED2 = 0x0010;
export const IP_VS_SVC_F_SCHED3 = 0x0020;
/** sh-fallback / mh-fallback share SCHED1, sh-port / mh-port share SCHED2. */
export const IP_VS_SVC_F_SCHED_SH_FALLBACK = IP_VS_SVC_F_SCHED1;
export const IP_VS_SVC_F_SCHED_SH_PORT = IP_VS_SVC_F_SCHED2;
export const IP_VS_SVC_F_SCHED_MH_FALLBACK = IP_VS_SVC_F_SCHED1;
export const IP_VS_SVC_F_SCHED_MH_PORT = IP_VS_SVC_F_SCHED2;

/** The `-b` names ipvsadm gives IP_VS_SVC_F_SCHED1..3 for a scheduler: sh and mh name the first two. */
export function schedFlagNames(scheduler: string): readonly [string, string, string] {
  if (scheduler === 'sh') return ['sh-fallback', 'sh-port', 'flag-3'];
  if (scheduler === 'mh') return ['mh-fallback', 'mh-port', 'flag-3'];
  return ['flag-1', 'flag-2', 'flag-3'];
}

/** The `-b` flags a scheduler has names of its own for (ipvsadm refuses sh's on mh and the reverse). */
export const SCHED_FLAGS: Readonly<Record<string, readonly string[]>> = {
  sh: ['sh-fallback', 'sh-port'],
  mh: ['mh-fallback', 'mh-port'],
};

/** net.ipv4.vs.* as the engine models them. */
export interface IpvsSysctl {
  conntrack: number;
  conn_reuse_mode: number;
  expire_nodest_conn: number;
  expire_quiescent_template: number;
  sloppy_tcp: number;
  schedule_icmp: number;
  nat_icmp_send: number;
  pmtu_disc: number;
  snat_reroute: number;
  cache_bypass: number;
  backup_only: number;
  ignore_tunneled: number;
  /** lblc_expiration / lblcr_expiration, seconds */
  lblc_expiration: number;
  lblcr_expiration: number;
}

/** The values a new network namespace has (ip_vs_control_net_init_sysctl). */
export const DEFAULT_IPVS_SYSCTL: Readonly<IpvsSysctl> = {
  conntrack: 0,
  conn_reuse_mode: 1,
  expire_nodest_conn: 0,
  expire_quiescent_template: 0,
  sloppy_tcp: 0,
  schedule_icmp: 0,
  nat_icmp_send: 0,
  pmtu_disc: 1,
  snat_reroute: 1,
  cache_bypass: 0,
  backup_only: 0,
  ignore_tunneled: 0,
  lblc_expiration: 24 * 60 * 60,
  lblcr_expiration: 24 * 60 * 60,
};
