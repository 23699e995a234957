// pattern: Functional Core
// Netfilter's fixed names for IPv4 with iptables-legacy — the hooks, the
// tables, each table's built-in chains and the order tables run at each
// hook — as plain constants. They live outside the engine because the page
// needs them as values (the table picker, the flow graph's bands) and may
// import only types from the engine; the engine takes them from here too,
// so there is one definition. Priorities from include/uapi/linux/
// netfilter_ipv4.h (NF_IP_PRI_*); the order was confirmed on the real kernel
// by oracle cases 25 and h08: at INPUT the nat table (SNAT priority 100)
// runs after filter (0) and security (50).

export type HookName = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';
export type TableName = 'raw' | 'mangle' | 'nat' | 'filter' | 'security';

export const HOOKS: readonly HookName[] = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];
/** in the order iptables-save prints them when all are loaded */
export const TABLES: readonly TableName[] = ['raw', 'mangle', 'nat', 'filter', 'security'];

/** Built-in chains per table, in the order iptables-save prints them. */
export const BUILTIN_CHAINS: Readonly<Record<TableName, readonly HookName[]>> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** Tables at each hook in the order the kernel runs them. */
export const HOOK_TABLES: Readonly<Record<HookName, readonly TableName[]>> = {
  PREROUTING: ['raw', 'mangle', 'nat'],
  INPUT: ['mangle', 'filter', 'security', 'nat'],
  FORWARD: ['mangle', 'filter', 'security'],
  OUTPUT: ['raw', 'mangle', 'nat', 'filter', 'security'],
  POSTROUTING: ['mangle', 'nat'],
};

export function isBuiltinChain(table: TableName, chain: string): chain is HookName {
  return (BUILTIN_CHAINS[table] as readonly string[]).includes(chain);
}

/** The verdicts ip_tables itself knows (a rule's target that is no extension and no user chain). */
export const VERDICT_TARGETS = ['ACCEPT', 'DROP', 'RETURN', 'QUEUE'] as const;
