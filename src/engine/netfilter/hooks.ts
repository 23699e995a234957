// pattern: Functional Core
// Netfilter's fixed geometry for IPv4 with iptables-legacy. The names (hooks,
// tables, built-in chains, the order tables run at each hook) are the shared
// vocabulary in src/vocabulary/netfilter.ts, which the page may import too;
// the engine's modules keep importing them from here. The priorities are the
// engine's own: include/uapi/linux/netfilter_ipv4.h (NF_IP_PRI_*).

import type { TableName } from '../../vocabulary/netfilter';

export type { HookName, TableName } from '../../vocabulary/netfilter';
export { HOOKS, TABLES, BUILTIN_CHAINS, HOOK_TABLES, isBuiltinChain } from '../../vocabulary/netfilter';

/** NF_IP_PRI_* of each table (conntrack itself sits at -200, defrag at -400). */
export const TABLE_PRIORITY: Readonly<Record<TableName, number>> = {
  raw: -300,
  mangle: -150,
  nat: -100, // DNAT side; the SNAT side (INPUT, POSTROUTING) is +100
  filter: 0,
  security: 50,
};

export const NF_IP_PRI_CONNTRACK = -200;
export const NF_IP_PRI_NAT_DST = -100;
export const NF_IP_PRI_NAT_SRC = 100;
