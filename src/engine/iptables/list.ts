// pattern: Functional Core
// `iptables [-t T] -L [chain] [-n] [-v] [-x] [--line-numbers]` as iptables
// 1.8.9 (legacy) prints it: print_header / print_firewall in iptables.c,
// xtables_print_num for the counters, and each extension's print() (its
// -L text, not its -S text). The counters are passed in, so the same
// printer shows the kernel's totals or a walk's counters as of a step.
//
// Ground truth: lab/__fixtures__/readonly/*.golden.txt (recorded from
// iptables-legacy 1.8.9, see record.py there) and ../shared/corpus's
// roundtrip-legacy-1.8.9 listings.

import { formatIpv4, maskLength } from '../net/addr';
import type { TableName } from '../netfilter/hooks';
import type { AddrSelector, Counters, Rule } from './types';
import type { Chain, Ruleset } from './ruleset';
import { chainsInSaveOrder, saveRuleBody } from './save';
import { getMatch } from './modules/index';
import { getTarget } from './targets/index';
import { printExtension } from './list-extensions';

export interface ListFormat {
  /** -n: numbers, no names */
  numeric: boolean;
  /** -v: counters, interfaces, policy counters */
  verbose: boolean;
  /** -x: exact counters instead of K/M/G */
  exact: boolean;
  /** --line-numbers */
  lineNumbers: boolean;
}

/** Counters of one chain: per rule (1-based) and the policy's. */
export interface ChainCounters {
  rules: (num: number) => Counters;
  policy: Counters;
}

/** xtables_print_num: `%5llu` up to 99999, then K, M, G, T rounded (`%4lluK`); `-x`: `%8llu`. */
export function printNum(n: number, exact: boolean, table = true): string {
  if (exact) return table ? `${n}`.padStart(8) + ' ' : `${n} `;
  if (n <= 99999) return table ? `${n}`.padStart(5) + ' ' : `${n} `;
  for (const unit of ['K', 'M', 'G', 'T']) {
    n = Math.floor((n + 500) / 1000);
    if (n <= 9999 || unit === 'T') return table ? `${`${n}`.padStart(4)}${unit} ` : `${n}${unit} `;
  }
  return '';
}

const PROTO_NAMES: Readonly<Record<number, string>> = { 0: 'all', 1: 'icmp', 6: 'tcp', 17: 'udp', 33: 'dccp', 50: 'esp', 51: 'ah', 58: 'icmpv6', 132: 'sctp', 135: 'mh', 136: 'udplite', 47: 'gre', 4: 'ipencap', 41: 'ipv6', 2: 'igmp', 103: 'pim', 112: 'vrrp', 108: 'ipcomp', 94: 'ipip', 115: 'l2tp' };

function addrText(a: AddrSelector | undefined, numeric: boolean): string {
  if (!a || a.mask === 0) return numeric ? '0.0.0.0/0' : 'anywhere';
  const len = maskLength(a.mask);
  const mask = len === 32 ? '' : `/${len >= 0 ? len : formatIpv4(a.mask)}`;
  return `${formatIpv4(a.addr)}${mask}`;
}

function header(c: Chain, refs: number, counters: ChainCounters, f: ListFormat): string {
  let s = `Chain ${c.name}`;
  if (c.builtin) {
    s += ` (policy ${c.policy}`;
    if (f.verbose) s += ` ${printNum(counters.policy.packets, f.exact, false)}packets, ${printNum(counters.policy.bytes, f.exact, false)}bytes`;
    s += ')';
  } else s += ` (${refs} references)`;
  let h = '';
  if (f.lineNumbers) h += 'num'.padEnd(4) + ' ';
  if (f.verbose) h += f.exact ? `${'pkts'.padStart(8)} ${'bytes'.padStart(10)} ` : `${'pkts'.padStart(5)} ${'bytes'.padStart(5)} `;
  h += 'target'.padEnd(9) + ' ';
  h += ' prot opt';
  if (f.verbose) h += ` ${'in'.padEnd(6)} ${'out'.padEnd(6)} `;
  h += ` ${'source'.padEnd(19)} `;
  h += ` ${'destination'.padEnd(19)} `;
  return `${s}\n${h}`;
}

/** The text every extension of the rule prints after the addresses (each part begins with a space). */
function extensionsText(rule: Rule, numeric: boolean): string {
  let s = rule.goto ? '[goto] ' : '';
  const proto = rule.proto && !rule.proto.invert ? rule.proto.num : 0;
  for (const m of rule.matches) s += printExtension('match', m.module, m.options, numeric, proto, () => getMatch(m.module)?.save(m.options) ?? '');
  const t = rule.target;
  if (t && t.kind === 'extension') s += printExtension('target', t.name, t.options, numeric, proto, () => getTarget(t.name)?.save(t.options) ?? '');
  return s;
}

function ruleLine(rule: Rule, num: number, c: Counters, f: ListFormat): string {
  let s = '';
  if (f.lineNumbers) s += `${num}`.padEnd(4) + ' ';
  if (f.verbose) s += printNum(c.packets, f.exact) + printNum(c.bytes, f.exact);
  s += (rule.target?.name ?? '').padEnd(9) + ' ';
  s += rule.proto?.invert ? '!' : ' ';
  const p = rule.proto?.num ?? 0;
  s += (f.numeric ? `${p}` : (PROTO_NAMES[p] ?? `${p}`)).padEnd(5);
  s += `${rule.fragment?.invert ? '!' : '-'}${rule.fragment ? 'f' : '-'} `;
  if (f.verbose) {
    const iface = (sel: Rule['inIface']) => `${sel?.invert ? '!' : ''}${sel ? sel.name : f.numeric ? '*' : 'any'}`;
    s += ` ${iface(rule.inIface).padEnd(6)} ${iface(rule.outIface).padEnd(6)} `;
  }
  s += `${rule.src?.invert ? '!' : ' '}${addrText(rule.src, f.numeric).padEnd(19)} `;
  s += `${rule.dst?.invert ? '!' : ' '}${addrText(rule.dst, f.numeric).padEnd(19)} `;
  return s + extensionsText(rule, f.numeric);
}

/** How many rules of the table jump or go to `chain` (iptc_get_references). */
function references(rs: Ruleset, table: TableName, chain: string): number {
  let n = 0;
  for (const c of rs.tables[table].chains.values()) for (const r of c.rules) if (r.target?.kind === 'chain' && r.target.name === chain) n++;
  return n;
}

/**
 * The lines `iptables -t TABLE -L [CHAIN]` prints, or null when the chain
 * does not exist. `rulenum` (`-L CHAIN N`) lists one rule.
 */
export function listChains(rs: Ruleset, table: TableName, chain: string | null, f: ListFormat, countersOf: (c: Chain) => ChainCounters, rulenum: number | null = null): string | null {
  const chains = chain === null ? chainsInSaveOrder(rs, table) : [rs.tables[table].chains.get(chain)].filter((c) => c !== undefined);
  if (chain !== null && !chains.length) return null;
  const blocks: string[] = [];
  for (const c of chains) {
    const counters = countersOf(c);
    const lines = rulenum === null ? [header(c, references(rs, table, c.name), counters, f)] : [];
    c.rules.forEach((r, k) => {
      if (rulenum === null || rulenum === k + 1) lines.push(ruleLine(r, k + 1, counters.rules(k + 1), f));
    });
    blocks.push(lines.join('\n'));
  }
  return `${blocks.join('\n\n')}\n`;
}

/** `iptables -S CHAIN N`: one rule as iptables-save prints it. */
export function saveOne(chain: Chain, rulenum: number): string | null {
  const r = chain.rules[rulenum - 1];
  if (!r) return null;
  const body = saveRuleBody(r);
  return body ? `-A ${chain.name} ${body}` : `-A ${chain.name}`;
}
