// pattern: Functional Core
// iptables-save (1.8.9, legacy) text: print_rule4's order — -s, -d, -i, -o,
// -p, -f, each match as `-m NAME ...`, then -j/-g with the target's options.

import { formatIpv4, maskLength } from '../net/addr';
import type { TableName } from '../netfilter/hooks';
import type { AddrSelector, Counters, Rule } from './types';
import type { Chain, Ruleset } from './ruleset';
import { getMatch } from './modules/index';
import { getTarget } from './targets/index';
import { protoName } from './proto';
import { drain, type Sliced } from '../text/slices';

function addrText(a: AddrSelector): string {
  const len = maskLength(a.mask);
  return `${formatIpv4(a.addr)}/${len >= 0 ? len : formatIpv4(a.mask)}`;
}

/** The rule's text after `-A CHAIN` (no leading space), as iptables-save prints it. */
export function saveRuleBody(rule: Rule): string {
  let s = '';
  const add = (part: string): void => {
    s += s ? ` ${part}` : part;
  };
  if (rule.src && (rule.src.mask !== 0 || rule.src.invert)) add(`${rule.src.invert ? '! ' : ''}-s ${addrText(rule.src)}`);
  if (rule.dst && (rule.dst.mask !== 0 || rule.dst.invert)) add(`${rule.dst.invert ? '! ' : ''}-d ${addrText(rule.dst)}`);
  if (rule.inIface) add(`${rule.inIface.invert ? '! ' : ''}-i ${rule.inIface.name}`);
  if (rule.outIface) add(`${rule.outIface.invert ? '! ' : ''}-o ${rule.outIface.name}`);
  if (rule.proto && (rule.proto.num !== 0 || rule.proto.invert)) add(`${rule.proto.invert ? '! ' : ''}-p ${protoName(rule.proto.num)}`);
  if (rule.fragment) add(`${rule.fragment.invert ? '! ' : ''}-f`);
  for (const m of rule.matches) {
    const spec = getMatch(m.module);
    const body = spec ? spec.save(m.options) : '';
    add(body ? `-m ${m.module} ${body}` : `-m ${m.module}`);
  }
  const t = rule.target;
  if (t) {
    const flag = rule.goto ? '-g' : '-j';
    if (t.kind === 'extension') {
      const spec = getTarget(t.name);
      const body = spec ? spec.save(t.options) : '';
      add(body ? `${flag} ${t.name} ${body}` : `${flag} ${t.name}`);
    } else add(`${flag} ${t.name}`);
  }
  return s;
}

/**
 * `-A CHAIN ...` exactly as iptables-save prints the rule.
 * @example saveRule('filter', 'INPUT', rule) // "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"
 */
/**
 * A rule's text without the `-A CHAIN`, once per rule object: rules are never
 * changed after they are parsed (a renamed chain's jumps get new rule
 * objects, ruleset.ts), and a lab's versions share them, so saving a
 * 50,000-rule table again after one edit writes one rule.
 */
const bodies = new WeakMap<Rule, string>();

export function saveRule(_table: TableName, chain: string, rule: Rule): string {
  let body = bodies.get(rule);
  if (body === undefined) bodies.set(rule, (body = saveRuleBody(rule)));
  return body ? `-A ${chain} ${body}` : `-A ${chain}`;
}

/** libiptc keeps user chains sorted by name (strcmp), after the built-in ones. */
export function chainsInSaveOrder(rs: Ruleset, table: TableName): Chain[] {
  const all = [...rs.tables[table].chains.values()];
  const builtin = all.filter((c) => c.builtin);
  const user = all.filter((c) => !c.builtin).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return builtin.concat(user);
}

function cnt(c: Counters): string {
  return `[${c.packets}:${c.bytes}]`;
}

/** The whole iptables-save output, without the two `#` comment lines. */
export function saveRuleset(rs: Ruleset, opts: { counters: boolean } = { counters: false }): string {
  return drain(saveRulesetSliced(rs, opts, Infinity));
}

/** Rules saved between two pauses of saveRulesetSliced: a few milliseconds' work. */
export const SAVE_SLICE = 4000;

/**
 * A chain's rule lines without counters, once per rules array: an edit
 * copies the arrays of the chains it changes and never changes an array a
 * version holds (host-config.ts), so saving a 50,000-rule table again after
 * one edit writes the lines of one chain and joins the others' texts.
 */
const chainTexts = new WeakMap<readonly Rule[], { name: string; count: number; text: string }>();

/** saveRuleset, pausing after every `every` rules it writes (text/slices.ts). */
export function* saveRulesetSliced(rs: Ruleset, opts: { counters: boolean } = { counters: false }, every = SAVE_SLICE): Sliced<string> {
  const out: string[] = [];
  let since = 0;
  for (let i = rs.loaded.length - 1; i >= 0; i--) {
    const name = rs.loaded[i]!;
    const chains = chainsInSaveOrder(rs, name);
    out.push(`*${name}`);
    for (const c of chains) out.push(`:${c.name} ${c.policy ?? '-'} ${opts.counters || c.builtin ? cnt(c.policyCounters) : '[0:0]'}`);
    for (const c of chains) {
      if (!c.rules.length) continue;
      const kept = opts.counters ? undefined : chainTexts.get(c.rules);
      if (kept && kept.name === c.name && kept.count === c.rules.length) {
        out.push(kept.text);
        continue;
      }
      const lines: string[] = [];
      for (let k = 0; k < c.rules.length; k++) {
        const line = saveRule(name, c.name, c.rules[k]!);
        lines.push(opts.counters ? `${cnt(c.counters[k]!)} ${line}` : line);
        if (++since >= every) {
          since = 0;
          yield;
        }
      }
      const text = lines.join('\n');
      if (!opts.counters) chainTexts.set(c.rules, { name: c.name, count: c.rules.length, text });
      out.push(text);
    }
    out.push('COMMIT');
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** `iptables -S [chain]` lines. */
export function listRules(rs: Ruleset, table: TableName, chain: string | null): string[] {
  const out: string[] = [];
  const chains = chain === null ? chainsInSaveOrder(rs, table) : [rs.tables[table].chains.get(chain)].filter((c) => c !== undefined);
  for (const c of chains) out.push(c.builtin ? `-P ${c.name} ${c.policy}` : `-N ${c.name}`);
  for (const c of chains) for (const r of c.rules) out.push(saveRule(table, c.name, r));
  return out;
}
