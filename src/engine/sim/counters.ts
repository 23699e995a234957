// pattern: Functional Core
// What a step added to the iptables counters of each host, in
// iptables-save order, for the walk log and the kernel result.

import * as ipt from './iptables-adapter';
import type { Host } from './host';
import type { World } from './world';

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
    const index = counterIndex(h);
    const touched: { k: number; key: ipt.CounterKey; before: { packets: number; bytes: number } }[] = [];
    for (const [obj, before] of h.stepCounters) {
      const at = index.get(obj);
      if (at) touched.push({ ...at, before });
    }
    touched.sort((a, b) => a.k - b.k);
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
