// pattern: Functional Core
// Conntrack labels (nf_conntrack_labels.c): a connection gets its label
// extension when it is created (init_conntrack → nf_ct_labels_ext_add), and
// only while labels are in use in the namespace, which a loaded -m connlabel
// rule makes them (connlabel_mt_check → nf_connlabels_get). A connection
// created before the first such rule has none, and --set cannot label it.

import { IPS_CONFIRMED, type CtRef } from '../conntrack/types';
import { usesMatch, type Ruleset } from './iptables-adapter';

const inUse = new WeakMap<Ruleset, { generation: number; value: boolean }>();

/** Some rule of the host uses -m connlabel (net->ct.labels_used). */
export function labelsInUse(rules: Ruleset): boolean {
  const gen = rules.generation ?? 0;
  let c = inUse.get(rules);
  if (!c || c.generation !== gen) inUse.set(rules, (c = { generation: gen, value: usesMatch(rules, 'connlabel') }));
  return c.value;
}

/** Give a connection conntrack is creating for this packet its (empty) label extension, if labels are in use. */
export function attachLabels(ref: CtRef | null, rules: Ruleset): void {
  const e = ref?.entry;
  if (!e || e.labels !== undefined || e.status & IPS_CONFIRMED) return;
  if (labelsInUse(rules)) e.labels = [];
}
