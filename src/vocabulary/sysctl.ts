// pattern: Functional Core
// The sysctls of a new network namespace as the engine models them, with
// their defaults: the page's sysctl form offers these keys and shows their
// defaults, and the engine starts every host from them. Plain data, shared
// so that neither side has its own copy (the page may import only types
// from the engine).

/**
 * Per-interface defaults of a new network namespace (ipv4_devconf_dflt in
 * net/ipv4/devinet.c, FORMAT.md §1.1). conf.default and every interface
 * start with these (a new interface copies conf.default); conf.all starts
 * with these too except where DEVCONF_ALL_DEFAULTS says otherwise.
 */
export const DEVCONF_DEFAULTS: Readonly<Record<string, string>> = {
  forwarding: '0',
  mc_forwarding: '0',
  accept_redirects: '1',
  secure_redirects: '1',
  send_redirects: '1',
  shared_media: '1',
  rp_filter: '0',
  accept_source_route: '1',
  accept_local: '0',
  route_localnet: '0',
  src_valid_mark: '0',
  proxy_arp: '0',
  proxy_arp_pvlan: '0',
  bootp_relay: '0',
  log_martians: '0',
  tag: '0',
  arp_filter: '0',
  arp_announce: '0',
  arp_ignore: '0',
  arp_accept: '0',
  arp_notify: '0',
  medium_id: '0',
  disable_xfrm: '0',
  disable_policy: '0',
  force_igmp_version: '0',
  promote_secondaries: '0',
  drop_gratuitous_arp: '0',
  drop_unicast_in_l2_multicast: '0',
  ignore_routes_with_linkdown: '0',
};

/**
 * Where conf.all starts differently from conf.default: devinet.c's
 * ipv4_devconf (the "all" table) leaves accept_source_route 0 while
 * ipv4_devconf_dflt sets it to 1 (a new namespace here prints all = 0,
 * default = 1, lo = 1).
 */
export const DEVCONF_ALL_DEFAULTS: Readonly<Record<string, string>> = {
  accept_source_route: '0',
};

/** The value conf.DEV.KEY starts with in a new namespace. */
export function devconfDefault(dev: string, key: string): string | undefined {
  return (dev === 'all' ? DEVCONF_ALL_DEFAULTS[key] : undefined) ?? DEVCONF_DEFAULTS[key];
}

/** The value a sysctl (full dotted name) starts with in a new namespace, if the engine models it. */
export function sysctlDefault(key: string): string | undefined {
  const conf = /^net\.ipv4\.conf\.([^.]+)\.(.+)$/.exec(key);
  return conf ? devconfDefault(conf[1]!, conf[2]!) : GLOBAL_SYSCTL_DEFAULTS[key];
}

/** Namespace-wide defaults; icmp_ratemask and igmp reports are the harness's values. */
export const GLOBAL_SYSCTL_DEFAULTS: Readonly<Record<string, string>> = {
  'net.ipv4.ip_forward': '0',
  'net.ipv4.ip_default_ttl': '64',
  'net.ipv4.ip_nonlocal_bind': '0',
  'net.ipv4.ip_no_pmtu_disc': '0',
  'net.ipv4.ip_forward_use_pmtu': '0',
  'net.ipv4.ip_local_port_range': '32768\t60999',
  'net.ipv4.fib_multipath_hash_policy': '0',
  'net.ipv4.fib_multipath_hash_seed': '0',
  'net.ipv4.fib_multipath_use_neigh': '0',
  'net.ipv4.icmp_echo_ignore_all': '0',
  'net.ipv4.icmp_echo_ignore_broadcasts': '1',
  'net.ipv4.icmp_ignore_bogus_error_responses': '1',
  'net.ipv4.icmp_errors_use_inbound_ifaddr': '0',
  'net.ipv4.icmp_ratelimit': '1000',
  'net.ipv4.icmp_ratemask': '0',
  'net.ipv4.igmp_link_local_mcast_reports': '0',
  'net.ipv4.tcp_syncookies': '1',
  'net.ipv4.tcp_synack_retries': '5',
  'net.ipv4.tcp_rto_min_us': '200000',
  'net.ipv4.tcp_early_retrans': '3',
  'net.ipv4.tcp_fin_timeout': '60',
  'net.ipv4.tcp_timestamps': '1',
  'net.ipv4.tcp_sack': '1',
  'net.ipv4.tcp_window_scaling': '1',
  'net.ipv4.tcp_app_win': '31',
  'net.ipv4.tcp_ecn': '2',
  'net.netfilter.nf_conntrack_tcp_loose': '1',
  'net.netfilter.nf_conntrack_tcp_be_liberal': '0',
  'net.netfilter.nf_conntrack_tcp_ignore_invalid_rst': '0',
  'net.netfilter.nf_conntrack_tcp_max_retrans': '3',
  'net.netfilter.nf_conntrack_acct': '0',
  'net.netfilter.nf_conntrack_checksum': '1',
  'net.netfilter.nf_conntrack_log_invalid': '0',
  'net.netfilter.nf_conntrack_timestamp': '0',
  'net.netfilter.nf_conntrack_generic_timeout': '600',
  'net.netfilter.nf_conntrack_icmp_timeout': '30',
  'net.netfilter.nf_conntrack_udp_timeout': '30',
  'net.netfilter.nf_conntrack_udp_timeout_stream': '120',
  'net.netfilter.nf_conntrack_tcp_timeout_syn_sent': '120',
  'net.netfilter.nf_conntrack_tcp_timeout_syn_recv': '60',
  'net.netfilter.nf_conntrack_tcp_timeout_established': '432000',
  'net.netfilter.nf_conntrack_tcp_timeout_fin_wait': '120',
  'net.netfilter.nf_conntrack_tcp_timeout_close_wait': '60',
  'net.netfilter.nf_conntrack_tcp_timeout_last_ack': '30',
  'net.netfilter.nf_conntrack_tcp_timeout_time_wait': '120',
  'net.netfilter.nf_conntrack_tcp_timeout_close': '10',
  'net.netfilter.nf_conntrack_tcp_timeout_max_retrans': '300',
  'net.netfilter.nf_conntrack_tcp_timeout_unacknowledged': '300',
  'net.netfilter.nf_log_all_netns': '0',
};
