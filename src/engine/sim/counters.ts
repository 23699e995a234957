// pattern: Functional Core
// What a step added to the iptables counters of each host, in
// iptables-save order, for the walk log and the kernel result.

import type { Rule } from '../iptables/types';
import { TABLES, type TableName } from '../netfilter/hooks';
import * as ipt from './iptables-adapter';
import type { Host } from './host';
import type { World } from './world';

/** Each chain's place in its table (the order iptables-save prints them), per table object. */
const chainOrder = new WeakMap<object, Map<object, number>>();

/**
 * Where a counted entry stands in iptables-save order — table, chain, rule —
 * found from the chain it was counted in: a 50,000-rule ruleset is not
 * indexed for a step that touched ten rules. Tables come in TABLES order.
 */
function placeCounter(h: Host, obj: object, table: TableName, chain: { name: string }): { k: number[]; key: ipt.CounterKey } | null {
  const t = h.rules.tables[table];
  let order = chainOrder.get(t);
  // a chain added or removed since (the table object of a case being set up changes in place)
  if (!order || order.size !== t.chains.size) {
    order = new Map();
    let i = 0;
    for (const c of t.chains.values()) order.set(c, i++);
    chainOrder.set(t, order);
  }
  const c = t.chains.get(chain.name);
  const ci = c ? order.get(c) : undefined;
  if (!c || ci === undefined) return null;
  const ti = TABLES.indexOf(table);
  // a user chain's end (the implicit RETURN) has a counter in the kernel that iptables never shows
  if (obj === c) return c.builtin ? { k: [ti, ci, -1], key: { table, chain: c.name, rule: 'policy', key: c } } : null;
  const ri = c.rules.indexOf(obj as Rule);
  return ri < 0 ? null : { k: [ti, ci, ri], key: { table, chain: c.name, rule: ri + 1, key: obj } };
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** Each counter key's position in iptables-save order, per ruleset generation. */
const counterOrder = new WeakMap<object, { generation: number; index: Map<object, { k: number; key: ipt.CounterKey }> }>();

function counterIndex(h: Host): Map<object, { k: number; key: ipt.CounterKey }> {
  const gen = h.rules.generation ?? 0;
  let c = counterOrder.get(h.rules);
  if (!c || c.generation !== gen) {
    const index = new Map<object, { k: number; key: ipt.CounterKey }>();
    ipt.counterKeys(h.rules).forEach((key, k) => index.set(key.key, { k, key }));
    counterOrder.set(h.rules, (c = { generation: gen, index }));
  }
  return c.index;
}

/**
 * What the step added to each counter, in iptables-save order: only the
 * entries the step touched (Host.stepCounters) are looked at.
 */
export function counterDeltas(world: World) {
  const out: { host: string; table: string; chain: string; rule: number | 'policy'; packets: number; bytes: number }[] = [];
  for (const h of world.hostList) {
    if (h.stepCounters.size === 0) continue;
    const touched: { k: number[]; key: ipt.CounterKey; before: { packets: number; bytes: number } }[] = [];
    let index: Map<object, { k: number; key: ipt.CounterKey }> | null = null;
    for (const [obj, before] of h.stepCounters) {
      if (before.at) {
        const placed = placeCounter(h, obj, before.at.table, before.at.chain);
        if (placed) touched.push({ ...placed, before });
        continue;
      }
      // an entry counted without its chain: the whole ruleset's index
      const at = (index ??= counterIndex(h)).get(obj);
      if (at) touched.push({ k: [at.k], key: at.key, before });
    }
    touched.sort((a, b) => compareKeys(a.k, b.k));
    for (const { key, before } of touched) {
      const now = h.counters.get(key.key);
      if (!now) continue;
      const dp = now.packets - before.packets;
      if (dp === 0) continue;
      out.push({ host: h.name, table: key.table, chain: key.chain, rule: key.rule, packets: dp, bytes: now.bytes - before.bytes });
    }
  }
  return out;
}
